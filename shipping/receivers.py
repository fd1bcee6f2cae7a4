"""Shipping's reaction to the orders app: a shipped order's parcel is followed at its carrier.
The signal arrives inside the order's transaction, so the parcel row commits with the move."""

from django.dispatch import receiver

from orders.models import Order
from orders.signals import order_status_changed
from shipping.services import parcel_follow


@receiver(order_status_changed, dispatch_uid="shipping.parcel_follow")
def parcel_follow_when_shipped(sender, *, order: Order, to_status: str, **kwargs) -> None:
    if to_status == Order.Status.SHIPPED:
        parcel_follow(order=order)
