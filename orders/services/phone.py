"""Orders taken by phone: a manager enters the customer's basket in the admin."""

import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from catalog.models import Product, ProductVariant
from customers.models import User
from orders.models import CallLog, Cart, Order, OrderStatusChange
from orders.services.backoffice import call_log_record
from orders.services.cart import cart_add
from orders.services.checkout import order_place
from orders.services.claim import order_claim
from orders.services.contact import Contact, Delivery


@dataclass(frozen=True)
class PhoneOrderLine:
    product: Product
    variant: ProductVariant | None
    quantity: int


@transaction.atomic
def order_place_by_phone(
    *,
    manager: User,
    lines: list[PhoneOrderLine],
    contact: Contact,
    delivery: Delivery,
    payment: str,
    idempotency_key: str,
    customer: User | None = None,
    promo_code: str | None = None,
    comment: str = "",
) -> Order:
    """Place an order for a customer on the phone, with channel "phone".

    The goods go through a cart of their own and order_place, so prices, stock reservation,
    promo code and totals follow exactly the site's rules, all in one transaction: any refusal
    (a bad quantity, out of stock) leaves nothing behind. The manager who took the call claims
    the order ("in progress" under their name) and the call is logged as its first call, so
    the back-office clock does not count it as waiting. The customer's own
    cart on the site is not touched. The same `idempotency_key` (the form's token) returns the
    order it already made."""
    existing = Order.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    if not lines:
        raise ValidationError(_("Add at least one product."), code="cart_empty")
    cart = Cart.objects.create(session_key=f"phone-{uuid.uuid4().hex}")
    for line in lines:
        cart_add(cart=cart, product=line.product, variant=line.variant, quantity=line.quantity)
    order = order_place(
        cart=cart, contact=contact, delivery=delivery, payment=payment, idempotency_key=idempotency_key,
        promo_code=promo_code, comment=comment, channel=Order.Channel.PHONE, customer=customer,
    ).order
    OrderStatusChange.objects.filter(order=order, to_status=Order.Status.NEW).update(changed_by=manager)
    order = order_claim(order=order, manager=manager)
    call_log_record(order=order, manager=manager, outcome=CallLog.Outcome.REACHED,
                    comment=str(_("The order was taken on this call.")))
    cart.delete()  # the order keeps its lines; the phone basket has served its purpose
    return order
