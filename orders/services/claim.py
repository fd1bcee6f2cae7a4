"""“I'll take it”: a manager claims a new order, and exactly one manager wins."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import User
from orders.models import Order, OrderStatusChange
from orders.services.status import IllegalTransition
from orders.signals import order_status_changed


class OrderAlreadyClaimed(ValidationError):
    """Another manager was quicker; `holder_name` says who, to show to the one who lost."""

    def __init__(self, holder_name: str, *, number: str = "") -> None:
        super().__init__(
            _("Order %(number)s has already been taken by %(manager)s."),
            code="already_claimed", params={"number": number, "manager": holder_name},
        )
        self.holder_name = holder_name
        self.number = number


def _holder_name(user: User | None) -> str:
    return str(user) if user is not None else ""


@transaction.atomic
def order_claim(*, order: Order, manager: User) -> Order:
    """Make `manager` the order's manager and move it from "new" to "in progress".

    One conditional UPDATE (status = new AND no manager) decides: however many managers press
    at once, the database lets exactly one row change, and everyone else gets
    OrderAlreadyClaimed naming the winner. Claiming an order one already holds returns it
    unchanged. The history row and order_status_changed (new → in progress, by the manager)
    are written in the same transaction as the claim, like any other transition."""
    now = timezone.now()
    won = Order.objects.filter(pk=order.pk, status=Order.Status.NEW, manager__isnull=True).update(
        status=Order.Status.IN_PROGRESS, manager=manager, claimed_at=now, updated_at=now
    )
    current = Order.objects.select_related("manager").get(pk=order.pk)
    if not won:
        if current.manager_id == manager.pk:
            return current
        if current.manager_id is not None:
            raise OrderAlreadyClaimed(_holder_name(current.manager), number=current.number or "")
        raise IllegalTransition(order=current, to_status=Order.Status.IN_PROGRESS)
    OrderStatusChange.objects.create(
        order=current, from_status=Order.Status.NEW, to_status=Order.Status.IN_PROGRESS, changed_by=manager
    )
    order_status_changed.send(
        sender=Order, order=current, from_status=Order.Status.NEW, to_status=Order.Status.IN_PROGRESS, by=manager
    )
    order.status, order.manager, order.claimed_at, order.updated_at = (
        current.status, current.manager, current.claimed_at, current.updated_at
    )
    return current
