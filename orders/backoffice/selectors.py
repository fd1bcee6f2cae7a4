from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from orders.models import Order


def first_call_target() -> timedelta:
    return timedelta(minutes=getattr(settings, "FIRST_CALL_TARGET_MINUTES", 3))


def orders_unclaimed() -> QuerySet[Order]:
    """New orders nobody has taken yet, oldest first: the banner and the "Unclaimed" queue."""
    return (Order.objects.filter(status=Order.Status.NEW, manager__isnull=True)
            .exclude(number=None)
            .select_related("delivery_method")
            .order_by("created_at", "id"))


def order_is_late(order: Order, *, now=None) -> bool:
    """Past the first-call target: no call yet and the target is over, or the first call came late."""
    target = order.created_at + first_call_target()
    if order.first_call_at is not None:
        return order.first_call_at > target
    if not order.is_open:
        return False
    return (now or timezone.now()) > target
