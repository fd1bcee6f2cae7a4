"""Placing an order: one transaction that writes the order, its lines, the stock
reservation, the promo-code use, the points spent and the shopper's consents, or writes nothing."""

from dataclasses import dataclass
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.money import to_money
from customers.models import Consent, User, Visit
from customers.services import consent_record, customer_timezone_remember, points_spend
from orders.models import Cart, CartLine, Order, OrderLine, OrderStatusChange
from orders.services.contact import Contact, Delivery, contact_check, delivery_check
from orders.services.pricing import cart_quote
from orders.services.promo import promo_code_use
from orders.services.stock import StockItem, stock_reserve
from orders.signals import order_placed


@dataclass(frozen=True)
class CheckoutConsents:
    """What the shopper agreed to on the checkout form, in the wording `wording_version`: the
    processing of personal data (without it there is no order) and, if ticked, marketing by e-mail
    or SMS. An unticked box is no answer: it never withdraws a consent given before (that is done
    in the account or by unsubscribing)."""

    wording_version: str
    marketing_email: bool = False
    marketing_sms: bool = False

    def answers(self) -> list[str]:
        kinds = [Consent.Kind.PERSONAL_DATA]
        if self.marketing_email:
            kinds.append(Consent.Kind.MARKETING_EMAIL)
        if self.marketing_sms:
            kinds.append(Consent.Kind.MARKETING_SMS)
        return kinds


class Placement(NamedTuple):
    """The order, and whether this call made it (False: the idempotency key's order already
    existed, and this was a retry)."""

    order: Order
    created: bool


def _order_for_key(idempotency_key: str, cart: Cart) -> Order | None:
    order = Order.objects.filter(idempotency_key=idempotency_key).first()
    if order is not None and order.cart_id not in (cart.pk, None):
        raise ValidationError(_("This checkout form has already been used. Please reload the page."),
                              code="idempotency_key_reused")
    return order


def order_place(
    *,
    cart: Cart,
    contact: Contact,
    delivery: Delivery,
    payment: str,
    idempotency_key: str,
    promo_code: str | None = None,
    points: int = 0,
    visit: Visit | None = None,
    comment: str = "",
    channel: str = "",
    customer: User | None = None,
    consents: CheckoutConsents | None = None,
) -> Placement:
    """Turn the cart into an order, priced by `cart_quote`: exactly what the checkout summary
    and the API's quote showed for the same cart, delivery, promo code and points.

    All or nothing: the order, its lines at today's prices, the stock taken, the promo-code
    use and the points spent commit together, and any refusal (ValidationError, OutOfStock,
    InsufficientPoints) leaves no trace and keeps the cart. The same `idempotency_key` (the
    checkout form's token) always returns the one order it made, however many times and
    however concurrently it is submitted. The cart's row is locked for the duration, so two
    checkouts of one cart take turns. The shopper's `consents` are recorded in the same
    transaction, once per order: a retry records nothing again. `channel` and `customer` are for
    orders a manager takes by phone: no visit says where they came from, and the basket is not
    the customer's own. Returns the order and whether this call made it."""
    if not idempotency_key or len(idempotency_key) > 64:
        raise ValidationError(_("The checkout form has expired. Please reload the page."), code="no_idempotency_key")
    existing = _order_for_key(idempotency_key, cart)
    if existing is not None:
        return Placement(existing, created=False)
    contact = contact_check(contact)
    delivery = delivery_check(delivery)
    if payment not in Order.PaymentMethod.values:
        raise ValidationError({"payment": _("Please choose how to pay.")}, code="invalid_payment")
    try:
        with transaction.atomic():
            return _order_place(
                cart=cart, contact=contact, delivery=delivery, payment=payment, idempotency_key=idempotency_key,
                promo_code=promo_code, points=points, visit=visit, comment=comment,
                channel=channel, customer=customer, consents=consents,
            )
    except IntegrityError:
        # A twin request inserted the order with this key a moment earlier.
        existing = _order_for_key(idempotency_key, cart)
        if existing is None:
            raise
        return Placement(existing, created=False)


def _order_place(
    *, cart: Cart, contact: Contact, delivery: Delivery, payment: str, idempotency_key: str,
    promo_code: str | None, points: int, visit: Visit | None, comment: str, channel: str, customer: User | None,
    consents: CheckoutConsents | None,
) -> Placement:
    Cart.objects.select_for_update(no_key=True).filter(pk=cart.pk).values_list("pk", flat=True).get()
    existing = _order_for_key(idempotency_key, cart)
    if existing is not None:
        return Placement(existing, created=False)
    user: User | None = customer or cart.user
    quote = cart_quote(
        cart=cart, delivery_method=delivery.method, promo_code=promo_code or "", points=points,
        customer=user, email=contact.email, phone=contact.phone,
    )
    quote.raise_errors()

    zone = delivery.timezone
    order = Order.objects.create(
        status=Order.Status.NEW,
        user=user,
        cart=cart,
        name=contact.name,
        phone=contact.phone,
        email=contact.email,
        delivery_method=delivery.method,
        pickup_point=delivery.pickup_point,
        address=delivery.address,
        postcode=delivery.postcode,
        delivery_date=delivery.date,
        delivery_time_window=delivery.time_window,
        timezone=zone or (user.timezone if user is not None else ""),
        payment_method=payment,
        payment_status=(
            Order.PaymentStatus.PENDING if payment == Order.PaymentMethod.ONLINE_CARD else Order.PaymentStatus.UNPAID
        ),
        items_total=quote.goods,
        delivery_price=quote.delivery,
        discount_total=quote.discount,
        points_spent=to_money(quote.points),
        total_to_pay=quote.total,
        promo_code=quote.promo,
        comment=comment.strip(),
        visit=visit,
        channel=channel or (visit.channel if visit else ""),
        utm_source=visit.utm_source if visit else "",
        utm_medium=visit.utm_medium if visit else "",
        utm_campaign=visit.utm_campaign if visit else "",
        idempotency_key=idempotency_key,
    )
    order.number = Order.number_for(order.pk)
    order.save(update_fields=["number"])

    stock_reserve(items=[
        StockItem(item.product.pk, item.variant.pk if item.variant else None, item.quantity, item.name)
        for item in quote.lines
    ])
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            product=item.product,
            variant=item.variant,
            product_name=item.product.name,
            variant_name=item.variant.name if item.variant else "",
            sku=item.variant.sku if item.variant else item.product.sku,
            unit_price=item.unit_price,
            quantity=item.quantity,
            line_total=item.total,
        )
        for item in quote.lines
    )
    if quote.promo is not None:
        promo_code_use(promo=quote.promo, order=order)
    if points:
        points_spend(user=user, points=points, order_number=order.number)
    if user is not None:
        customer_timezone_remember(user=user, time_zone=zone)
    OrderStatusChange.objects.create(order=order, from_status="", to_status=Order.Status.NEW, changed_by=user)

    CartLine.objects.filter(cart=cart).delete()
    Cart.objects.filter(pk=cart.pk).update(
        updated_at=timezone.now(),
        email=contact.email or F("email"),
        phone=contact.phone,
    )
    for kind in consents.answers() if consents is not None else ():
        consent_record(kind=kind, granted=True, wording_version=consents.wording_version,
                       source=Consent.Source.CHECKOUT, user=order.user, email=order.email, phone=order.phone)
    order_placed.send(sender=Order, order=order)
    return Placement(order, created=True)
