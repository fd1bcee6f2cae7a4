"""Follow-ups: what a manager has to do for a customer by a due time, listed under "My tasks" in
the admin. Today: the call to make when a parcel waits too long at the pickup point.

The sweep opens a follow-up for the order's manager settings.PARCEL_CALL_TASK_DAYS after the
order became ready for pickup, due when the storage period ends (the last moment a call can
still save the sale). A follow-up closes when a manager marks it done, or by itself when the
order leaves "ready for pickup" (collected, or sent back).
"""

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from customers.models import User
from marketing.models import FollowUp
from orders.models import Order
from orders.services.pickup import orders_waiting_for_pickup, pickup_storage_deadline

logger = logging.getLogger(__name__)

Kind = FollowUp.Kind
Status = FollowUp.Status


def follow_ups_open_for_uncollected_parcels(
    *, now: datetime.datetime | None = None, batch_size: int = 500
) -> int:
    """Open a "call the customer: parcel not collected" follow-up for each order waiting for pickup
    longer than settings.PARCEL_CALL_TASK_DAYS; returns how many it opened.

    An order gets this follow-up once: orders that ever had one are skipped, and two sweeps racing
    for one order meet the unique constraint on open follow-ups, where the second simply loses.
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.PARCEL_CALL_TASK_DAYS)
    had_one = FollowUp.objects.filter(order=OuterRef("pk"), kind=Kind.CALL_PARCEL_NOT_COLLECTED)
    orders = orders_waiting_for_pickup(since_before=cutoff).exclude(Exists(had_one))[:batch_size]
    opened = 0
    for order in orders:
        try:
            with transaction.atomic():
                FollowUp.objects.create(
                    kind=Kind.CALL_PARCEL_NOT_COLLECTED, order=order, assignee_id=order.manager_id,
                    due_at=pickup_storage_deadline(order.ready_at),
                )
        except IntegrityError:
            continue  # another sweep opened it a moment ago
        opened += 1
    if opened:
        logger.info("Parcel not collected: %d call follow-up(s) opened", opened)
    return opened


def follow_up_close(*, follow_up_id: int, by: User) -> bool:
    """A manager marks an open follow-up done; returns False if it was already closed."""
    now = timezone.now()
    return bool(
        FollowUp.objects.filter(pk=follow_up_id, status=Status.OPEN).update(
            status=Status.DONE, closed_at=now, closed_by=by, updated_at=now
        )
    )


def follow_ups_close_for_order(*, order: Order, status: str, note: str) -> int:
    """Close every open follow-up of the order (it was collected, or ended otherwise); returns how many."""
    now = timezone.now()
    return FollowUp.objects.filter(order=order, status=Status.OPEN).update(
        status=status, closed_at=now, note=note[:255], updated_at=now
    )
