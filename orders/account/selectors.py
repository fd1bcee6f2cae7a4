"""Reads for the customer's own view of their orders (account pages and the API)."""

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from customers.models import User
from orders.models import Order, OrderLine, OrderStatusChange


def orders_for_customer(*, user: User) -> QuerySet[Order]:
    """The customer's orders, newest first. An anonymous user has none."""
    if user is None or not user.is_authenticated:
        return Order.objects.none()
    return Order.objects.filter(user=user, number__isnull=False).select_related("delivery_method")


def guest_orders_for_email(*, email: str) -> QuerySet[Order]:
    """Orders placed without an account with this e-mail: the customer's own only once they
    prove the address is theirs (orders.account.services)."""
    if not email:
        return Order.objects.none()
    return Order.objects.filter(user=None, email__iexact=email.strip(), number__isnull=False)


def order_get_for_customer(*, user: User, number: str) -> Order:
    """One of the customer's own orders with its lines and history. Another customer's order
    is a 404, exactly like a number that does not exist: no hint that it does."""
    return get_object_or_404(
        orders_for_customer(user=user).select_related("pickup_point").prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
            Prefetch("history", queryset=OrderStatusChange.objects.order_by("created_at", "id")),
        ),
        number=number,
    )


# The parcel has left the warehouse: from here on the tracking number means something.
TRACKABLE_STATUSES = frozenset({
    Order.Status.SHIPPED, Order.Status.READY_FOR_PICKUP, Order.Status.DELIVERED,
    Order.Status.RETURNED, Order.Status.NOT_COLLECTED,
})


def order_tracking(order: Order) -> dict | None:
    """The tracking number and, where the carrier has one, the link to follow the parcel."""
    if not order.tracking_number or order.status not in TRACKABLE_STATUSES:
        return None
    template = getattr(settings, "ORDER_TRACKING_URLS", {}).get(order.delivery_method.kind, "")
    url = template.format(number=order.tracking_number) if template else ""
    return {"number": order.tracking_number, "url": url}
