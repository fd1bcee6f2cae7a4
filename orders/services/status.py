"""Moving an order through its life: new → in progress → … → delivered, or undone."""

from decimal import ROUND_FLOOR, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from customers.models import User
from customers.services import points_earn, points_refund, points_revoke
from orders.models import Order, OrderStatusChange
from orders.payments.refunds import order_refund
from orders.services.promo import promo_code_release
from orders.services.stock import StockItem, stock_release
from orders.signals import order_status_changed


class IllegalTransition(ValidationError):
    def __init__(self, *, order: Order, to_status: str) -> None:
        if order.status == to_status == Order.Status.IN_PROGRESS and order.manager_id:
            message = _("Order %(number)s has already been taken by %(manager)s.")
        else:
            message = _("Order %(number)s is “%(from)s” and cannot become “%(to)s”.")
        labels = dict(Order.Status.choices)
        super().__init__(message, code="illegal_transition", params={
            "number": order.number, "manager": str(order.manager) if order.manager_id else "",
            "from": labels.get(order.status, order.status), "to": labels.get(to_status, to_status),
        })


def points_to_earn(order: Order) -> int:
    """settings.POINTS_EARN_PERCENT of what the customer paid for the goods in money."""
    paid_for_goods = order.items_total - order.discount_total - order.points_spent
    points = paid_for_goods * settings.POINTS_EARN_PERCENT / 100
    return max(int(points.to_integral_value(rounding=ROUND_FLOOR)), 0) if points > Decimal("0") else 0


@transaction.atomic
def order_transition(*, order: Order, to_status: str, by: User | None, comment: str = "") -> Order:
    """Move the order to `to_status` if Order.TRANSITIONS allows it, or raise IllegalTransition.

    The order's row is locked first, so two managers acting at once are applied one after
    the other and the second sees the first one's result. The change is written to the
    history; undoing an order (cancelled, returned, not collected) puts its goods back on
    stock, gives back the promo-code use, the points spent and the money paid online (once);
    delivery earns points; a return after delivery takes the earned points back.
    order_status_changed is sent before commit."""
    locked = Order.objects.select_for_update(of=("self",)).select_related("manager").get(pk=order.pk)
    if not locked.can_transition_to(to_status):
        raise IllegalTransition(order=locked, to_status=to_status)
    from_status = locked.status
    locked.status = to_status
    fields = ["status", "updated_at"]
    if to_status == Order.Status.IN_PROGRESS:
        locked.manager = by
        fields.append("manager")
    locked.save(update_fields=fields)
    OrderStatusChange.objects.create(
        order=locked, from_status=from_status, to_status=to_status, changed_by=by, comment=comment.strip()
    )

    if to_status in Order.RELEASES_STOCK:
        stock_release(items=[
            StockItem(line.product_id, line.variant_id, line.quantity, line.product_name)
            for line in locked.lines.all()
        ])
        if locked.promo_code_id:
            promo_code_release(order=locked)
        if locked.user_id and locked.points_spent:
            points_refund(user=locked.user, order_number=locked.number)
        if locked.payment_status == Order.PaymentStatus.PAID:
            order_refund(order=locked)
    if to_status == Order.Status.RETURNED and from_status == Order.Status.DELIVERED and locked.user_id:
        points_revoke(user=locked.user, order_number=locked.number)
    if to_status == Order.Status.DELIVERED and locked.user_id:
        earned = points_to_earn(locked)
        if earned:
            points_earn(user=locked.user, points=earned, order_number=locked.number)

    order_status_changed.send(sender=Order, order=locked, from_status=from_status, to_status=to_status, by=by)
    order.status, order.manager, order.updated_at = locked.status, locked.manager, locked.updated_at
    return locked
