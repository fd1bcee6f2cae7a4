"""Parcels waiting for the customer at a pickup point or post office.

The clock starts when the order becomes "ready for pickup" (its status history says when);
after settings.PICKUP_STORAGE_DAYS an uncollected parcel goes back and the order becomes
"not collected", which returns the goods to stock through order_transition.
"""

import datetime
import logging

from django.conf import settings
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from orders.models import Order
from orders.services.status import IllegalTransition, order_transition

logger = logging.getLogger(__name__)

READY = Order.Status.READY_FOR_PICKUP


def orders_waiting_for_pickup(*, since_before: datetime.datetime) -> QuerySet[Order]:
    """Orders still ready for pickup that became so before `since_before`, annotated with
    `ready_at`, the moment they did; oldest first."""
    return (
        Order.objects.filter(status=READY)
        .annotate(ready_at=Max("history__created_at", filter=Q(history__to_status=READY)))
        .filter(ready_at__lte=since_before)
        .order_by("ready_at", "pk")
    )


def pickup_storage_deadline(ready_at: datetime.datetime) -> datetime.datetime:
    """When a parcel that became ready for pickup at `ready_at` is sent back."""
    return ready_at + datetime.timedelta(days=settings.PICKUP_STORAGE_DAYS)


def orders_not_collected_expire(*, now: datetime.datetime | None = None, batch_size: int = 500) -> int:
    """Mark "not collected" every order whose storage period is over; returns how many it moved.

    Safe to run twice at once: each order goes through order_transition, which locks the row
    and refuses an order that has meanwhile been collected or expired by the other run (that
    order is skipped). One order per transaction, so one bad order does not hold back the rest.
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.PICKUP_STORAGE_DAYS)
    # A parcel the carrier keeps longer (its own deadline) waits for that day or the carrier's return.
    waiting = orders_waiting_for_pickup(since_before=cutoff).exclude(pickup_deadline__gte=timezone.localdate(now))
    moved = 0
    for order in waiting[:batch_size]:
        try:
            order_transition(
                order=order, to_status=Order.Status.NOT_COLLECTED, by=None,
                comment=gettext("The storage period is over; the parcel goes back."),
            )
        except IllegalTransition:
            continue  # collected or expired by someone else in the meantime
        moved += 1
    if moved:
        logger.info("Orders not collected after %d days: %d", settings.PICKUP_STORAGE_DAYS, moved)
    return moved
