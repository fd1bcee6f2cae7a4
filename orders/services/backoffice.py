"""What a manager or the warehouse does to an order after it is placed: move it along with
what each step needs, change its lines and delivery, log calls and notes.

Role rules (who may) are checked by the admin and the API through orders.backoffice.access;
these services guarantee the order stays consistent whoever calls them."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.models import Product, ProductVariant
from core.money import format_rubles, to_money
from customers.models import User
from customers.services import customer_timezone_remember
from orders.models import CallLog, CustomerNote, Order, OrderEdit, OrderLine
from orders.payments.refunds import order_refund_overpaid
from orders.services.claim import order_claim
from orders.services.contact import Contact, Delivery, contact_check, delivery_check
from orders.services.pricing import price_quote
from orders.services.status import order_transition
from orders.services.stock import StockItem, stock_release, stock_reserve

# A claimed order is edited until it is packed; after that the parcel is what it is.
EDITABLE_STATUSES = frozenset({Order.Status.IN_PROGRESS, Order.Status.CONFIRMED})


@dataclass(frozen=True)
class LineChange:
    """One line as the order should have it: `quantity` 0 removes it."""

    product_id: int
    variant_id: int | None
    quantity: int


def _lock(order: Order) -> Order:
    return Order.objects.select_for_update(of=("self",)).select_related(
        "delivery_method", "promo_code", "manager"
    ).get(pk=order.pk)


def _edit_record(order: Order, *, by: User | None, description: str) -> None:
    OrderEdit.objects.create(order=order, changed_by=by, description=description)


def _check_editable(order: Order) -> None:
    if order.status not in EDITABLE_STATUSES:
        raise ValidationError(
            _("Order %(number)s is “%(status)s”: only an order in progress or confirmed can be changed."),
            code="not_editable", params={"number": order.number, "status": order.get_status_display()},
        )


@transaction.atomic
def order_move(*, order: Order, to_status: str, by: User | None, tracking_number: str = "",
               reason: str = "", comment: str = "") -> Order:
    """Move the order to `to_status` with what that step needs: a tracking number to ship,
    a reason to cancel. "In progress" from "new" is a claim (order_claim). Illegal moves
    raise IllegalTransition; the tracking number is stored before the move, so whoever
    listens to order_status_changed (the "shipped" message) reads it."""
    if to_status == Order.Status.IN_PROGRESS and order.status == Order.Status.NEW and by is not None:
        return order_claim(order=order, manager=by)
    tracking_number = (tracking_number or "").strip()
    reason = " ".join((reason or "").split())
    if to_status == Order.Status.SHIPPED and not tracking_number:
        raise ValidationError({"tracking_number": _("Enter the tracking number to ship the order.")},
                              code="tracking_number_required")
    if to_status == Order.Status.CANCELLED and not reason:
        raise ValidationError({"reason": _("Say why the order is cancelled.")}, code="reason_required")
    if len(tracking_number) > Order._meta.get_field("tracking_number").max_length:
        raise ValidationError({"tracking_number": _("The tracking number is too long.")})
    if tracking_number:
        locked = _lock(order)
        if locked.can_transition_to(to_status):
            Order.objects.filter(pk=order.pk).update(tracking_number=tracking_number)
    return order_transition(order=order, to_status=to_status, by=by, comment=reason or comment)


def orders_move(*, orders: list[Order], to_status: str, by: User | None,
                tracking_numbers: dict[int, str] | None = None) -> tuple[list[Order], dict[str, str]]:
    """Move many orders (the warehouse's bulk "packed" / "shipped"), each in its own
    transaction: one refused order does not hold back the others. Returns (moved, refusals by number)."""
    moved, refused = [], {}
    for order in orders:
        try:
            moved.append(order_move(
                order=order, to_status=to_status, by=by,
                tracking_number=(tracking_numbers or {}).get(order.pk, ""),
            ))
        except ValidationError as error:
            refused[order.number] = " ".join(error.messages)
    return moved, refused


def _totals_recompute(order: Order) -> None:
    """Price the (locked) order again by the checkout's rule: goods at the lines' prices, the
    order's promo code, delivery by its method; the points paid stay as spent. Money paid online
    beyond the new total goes back (orders.payments.refunds)."""
    quote = price_quote(
        goods=sum((line.line_total for line in order.lines.all()), Decimal("0")),
        delivery_method=order.delivery_method, promo=order.promo_code, points=int(order.points_spent),
    )
    if quote.total < 0:
        raise ValidationError(
            _("The order would cost less than the %(amount)s already paid with points; keep more goods in it."),
            code="total_below_points", params={"amount": format_rubles(order.points_spent)},
        )
    order.items_total = quote.goods
    order.discount_total = quote.discount
    order.delivery_price = quote.delivery
    order.total_to_pay = quote.total
    order.save(update_fields=["items_total", "discount_total", "delivery_price", "total_to_pay", "updated_at"])
    order_refund_overpaid(order=order)


def _line_label(product_name: str, variant_name: str) -> str:
    return f"{product_name} ({variant_name})" if variant_name else product_name


@transaction.atomic
def order_update_lines(*, order: Order, lines: list[LineChange], by: User | None) -> Order:
    """Make the order hold exactly `lines` (the full new list; quantity 0 or a missing line removes it).

    Stock follows the difference only, with the same conditional updates as checkout: more of a
    product is reserved (OutOfStock rolls everything back), less is put back. Kept lines keep the
    price of the day of the order; new lines are sold at today's price. Totals are recomputed and
    the change is written to the history. The order's row is locked, so two editors take turns."""
    locked = _lock(order)
    _check_editable(locked)
    wanted: dict[tuple[int, int | None], int] = defaultdict(int)
    for change in lines:
        if isinstance(change.quantity, bool) or not isinstance(change.quantity, int) or change.quantity < 0:
            raise ValidationError(_("A quantity must be a whole number, 0 or more."), code="invalid_quantity")
        wanted[(change.product_id, change.variant_id)] += change.quantity
    if not any(wanted.values()):
        raise ValidationError(_("An order needs at least one product; cancel it instead."), code="order_empty")

    current = {(line.product_id, line.variant_id): line for line in locked.lines.all()}
    to_reserve, to_release, notes = [], [], []
    for key in sorted(set(wanted) | set(current), key=lambda key: (key[0], key[1] or 0)):
        product_id, variant_id = key
        new_quantity, line = wanted.get(key, 0), current.get(key)
        old_quantity = line.quantity if line else 0
        if new_quantity == old_quantity:
            continue
        if line is None:
            line = _new_line(locked, product_id, variant_id)
        label = _line_label(line.product_name, line.variant_name)
        difference = new_quantity - old_quantity
        item = StockItem(product_id, variant_id, abs(difference), label)
        (to_reserve if difference > 0 else to_release).append(item)
        if new_quantity == 0:
            line.delete()
            notes.append(gettext("%(product)s removed") % {"product": label})
            continue
        line.quantity = new_quantity
        line.line_total = to_money(line.unit_price * new_quantity)
        line.save()
        notes.append(f"{label}: {old_quantity} → {new_quantity}")
    if not notes:
        return locked
    if to_reserve:
        stock_reserve(items=to_reserve)
    if to_release:
        stock_release(items=to_release)
    _totals_recompute(locked)
    _edit_record(locked, by=by, description=gettext("Goods changed: %(changes)s") % {"changes": "; ".join(notes)})
    return locked


def _new_line(order: Order, product_id: int, variant_id: int | None) -> OrderLine:
    product = Product.objects.get(pk=product_id)
    variant = ProductVariant.objects.get(pk=variant_id, product=product) if variant_id else None
    if not product.is_active or (variant is not None and not variant.is_active):
        raise ValidationError(_("“%(product)s” is no longer sold."), code="not_sold",
                              params={"product": str(variant or product)})
    return OrderLine(
        order=order, product=product, variant=variant, product_name=product.name,
        variant_name=variant.name if variant else "", sku=variant.sku if variant else product.sku,
        unit_price=variant.price if variant else product.price, quantity=0,
    )


DETAIL_FIELDS = ("name", "phone", "email", "delivery_method", "pickup_point", "address", "postcode",
                 "delivery_date", "delivery_time_window", "comment")


@transaction.atomic
def order_update_details(*, order: Order, changes: dict, by: User | None) -> Order:
    """Change the contact and delivery of a claimed order (`changes`: field name → new value).

    The contact and delivery are checked by the same rules as checkout; a new delivery method
    recomputes the delivery price and the total; the change is written to the history."""
    unknown = set(changes) - set(DETAIL_FIELDS)
    if unknown:
        raise ValueError(f"Not editable here: {sorted(unknown)}")
    locked = _lock(order)
    _check_editable(locked)
    merged = {field: changes.get(field, getattr(locked, field)) for field in DETAIL_FIELDS}
    contact = contact_check(Contact(name=merged["name"], phone=merged["phone"], email=merged["email"]))
    delivery = delivery_check(Delivery(
        method=merged["delivery_method"], pickup_point=merged["pickup_point"], address=merged["address"] or "",
        postcode=merged["postcode"] or "", date=merged["delivery_date"],
        time_window=merged["delivery_time_window"] or "",
    ))
    new_values = {
        "name": contact.name, "phone": contact.phone, "email": contact.email,
        "delivery_method": delivery.method, "pickup_point": delivery.pickup_point, "address": delivery.address,
        "postcode": delivery.postcode, "delivery_date": delivery.date, "delivery_time_window": delivery.time_window,
        "comment": (merged["comment"] or "").strip(),
    }
    changed = [field for field, value in new_values.items() if getattr(locked, field) != value]
    if not changed:
        return locked
    for field in changed:
        setattr(locked, field, new_values[field])
    zone = delivery.timezone
    locked.timezone = zone or locked.timezone
    locked.save(update_fields=[*changed, "timezone", "updated_at"])
    if locked.user is not None:
        customer_timezone_remember(user=locked.user, time_zone=zone)
    if "delivery_method" in changed:
        _totals_recompute(locked)
    labels = ", ".join(str(Order._meta.get_field(field).verbose_name) for field in changed)
    _edit_record(locked, by=by, description=gettext("Changed: %(fields)s") % {"fields": labels})
    return locked


# A call back is promised for the coming weeks; a few minutes in the past is a clock or a slow form.
CALL_BACK_MAX_AHEAD = timedelta(days=90)
CALL_BACK_SLACK = timedelta(minutes=5)


@transaction.atomic
def call_log_record(*, order: Order, manager: User, outcome: str, comment: str = "",
                    call_back_at: datetime | None = None) -> CallLog:
    """Log a call to the customer. The first call of an order stamps its first_call_at (once:
    a conditional update, so two calls logged at once cannot both be "the first")."""
    if outcome not in CallLog.Outcome.values:
        raise ValidationError({"outcome": _("Choose how the call went.")}, code="invalid_outcome")
    if outcome == CallLog.Outcome.CALL_BACK and call_back_at is None:
        raise ValidationError({"call_back_at": _("Say when to call back.")}, code="call_back_at_required")
    if outcome != CallLog.Outcome.CALL_BACK:
        call_back_at = None
    elif not timezone.now() - CALL_BACK_SLACK <= call_back_at <= timezone.now() + CALL_BACK_MAX_AHEAD:
        raise ValidationError({"call_back_at": _("Choose a time from now to %(days)d days ahead.")
                               % {"days": CALL_BACK_MAX_AHEAD.days}}, code="call_back_at_out_of_range")
    call = CallLog.objects.create(
        order=order, manager=manager, outcome=outcome, comment=(comment or "").strip(), call_back_at=call_back_at
    )
    Order.objects.filter(pk=order.pk, first_call_at__isnull=True).update(first_call_at=call.created_at)
    order.first_call_at = Order.objects.values_list("first_call_at", flat=True).get(pk=order.pk)
    return call


def customer_note_add(*, order: Order, author: User, text: str) -> CustomerNote:
    """A note about the order's customer, found again on every later order of theirs."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the note first.")}, code="empty_note")
    return CustomerNote.objects.create(user=order.user, phone=order.phone, text=text, author=author, order=order)


