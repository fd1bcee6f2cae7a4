"""Following parcels at their carrier and moving their orders as the carrier reports.

A carrier's news moves the order through orders.services.backoffice.order_move, the service a
manager's click uses, so the customer's message goes through the outbox exactly as then (once
per order and kind). A parcel only moves forward (Stage), so news that arrives late or twice
changes nothing; a manager who moved the order by hand first simply wins.
"""

import datetime
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from orders.models import DeliveryMethod, Order, PickupPoint
from orders.services.backoffice import order_move
from shipping.carriers import (
    Carrier,
    CarrierEvent,
    CarrierRefused,
    CarrierUnavailable,
    carrier_get,
    carriers_configured,
)
from shipping.models import FINAL_STAGES, Parcel, Stage, TrackingEvent

logger = logging.getLogger(__name__)

# A claimed parcel is not claimed again by an overlapping run for this long.
CLAIM_LEASE = datetime.timedelta(minutes=10)
FIRST_RETRY = datetime.timedelta(minutes=5)
# A parcel that has not reached an end after this long is left to the manager.
FOLLOW_FOR = datetime.timedelta(days=90)


def parcel_follow(*, order: Order) -> Parcel | None:
    """Start following a shipped order's parcel at its delivery method's carrier. Runs inside the
    order's transaction; a second call (a repeated move) keeps the one parcel, with the latest
    tracking number."""
    carrier = order.delivery_method.carrier
    if not carrier or not order.tracking_number:
        return None
    parcel, _ = Parcel.objects.update_or_create(order=order, defaults={
        "carrier": carrier, "tracking_number": order.tracking_number,
        "next_check_at": timezone.now() + datetime.timedelta(minutes=settings.PARCEL_CHECK_MINUTES),
    })
    return parcel


def _target_status(order: Order, stage: int) -> str | None:
    if stage == Stage.ARRIVED:
        return Order.Status.READY_FOR_PICKUP
    if stage == Stage.DELIVERED:
        return Order.Status.DELIVERED
    if stage == Stage.RETURNED:
        return Order.Status.NOT_COLLECTED if order.status == Order.Status.READY_FOR_PICKUP else Order.Status.RETURNED
    return None


@transaction.atomic
def parcel_events_apply(*, parcel_id: int, events: list[CarrierEvent], now: datetime.datetime | None = None) -> bool:
    """Store the events not seen before and, if they take the parcel further than it was, move
    its order to match the furthest one: "arrived" → ready for pickup with the carrier's storage
    deadline, "delivered" → delivered, "sent back" → not collected (or returned if it never
    reached the pickup point). The parcel's row is locked, so a webhook and a poll reporting the
    same news at once apply it once. Returns whether the order moved."""
    now = now or timezone.now()
    parcel = Parcel.objects.select_for_update().select_related("order").get(pk=parcel_id)
    known = set(parcel.events.values_list("key", flat=True))
    fresh = {event.key: event for event in events if event.key not in known}
    TrackingEvent.objects.bulk_create([
        TrackingEvent(parcel=parcel, key=event.key[:120], stage=event.stage, happened_at=event.happened_at,
                      description=event.description)
        for event in fresh.values()
    ])
    parcel.last_checked_at, parcel.failures, parcel.last_error = now, 0, ""
    furthest = max(fresh.values(), key=lambda event: (event.stage, event.happened_at), default=None)
    moved = False
    if furthest is not None and furthest.stage > parcel.stage and parcel.stage not in FINAL_STAGES:
        parcel.stage = furthest.stage
        moved = _order_follow(parcel.order, furthest)
    final = parcel.stage in FINAL_STAGES or now - parcel.created_at > FOLLOW_FOR
    parcel.next_check_at = None if final else now + datetime.timedelta(minutes=settings.PARCEL_CHECK_MINUTES)
    parcel.save(update_fields=["stage", "last_checked_at", "failures", "last_error", "next_check_at"])
    return moved


def _order_follow(order: Order, event: CarrierEvent) -> bool:
    target = _target_status(order, event.stage)
    order = Order.objects.select_for_update(of=("self",)).get(pk=order.pk)
    if target is None or not order.can_transition_to(target):
        return False  # a manager got there first, or the order was closed
    if target == Order.Status.READY_FOR_PICKUP and event.storage_deadline:
        # Stored before the move, so the "ready for pickup" message reads the carrier's date.
        Order.objects.filter(pk=order.pk).update(pickup_deadline=event.storage_deadline)
    comment = gettext("Carrier: %(event)s") % {"event": event.description or Stage(event.stage).label}
    order_move(order=order, to_status=target, by=None, comment=comment)
    return True


def parcel_check_failed(*, parcel_id: int, error: str, now: datetime.datetime | None = None) -> None:
    """The carrier did not answer: ask again later, each time waiting twice as long (up to the
    normal interval), so nothing is lost and a carrier that is down is not hammered."""
    now = now or timezone.now()
    parcel = Parcel.objects.get(pk=parcel_id)
    parcel.failures += 1
    wait = min(FIRST_RETRY * 2 ** (parcel.failures - 1), datetime.timedelta(minutes=settings.PARCEL_CHECK_MINUTES))
    Parcel.objects.filter(pk=parcel_id, next_check_at__isnull=False).update(
        failures=parcel.failures, last_error=error[:2000], next_check_at=now + wait
    )


@dataclass
class PollResult:
    checked: int = 0
    moved: int = 0
    failed: int = 0
    carriers_down: list[str] = field(default_factory=list)


def _claim_due(*, now: datetime.datetime, carriers: list[str], batch_size: int) -> list[tuple[int, str, str]]:
    """Parcels due for a check, claimed for CLAIM_LEASE so an overlapping run skips them."""
    with transaction.atomic():
        due = list(
            Parcel.objects.select_for_update(skip_locked=True)
            .filter(next_check_at__lte=now, carrier__in=carriers)
            .order_by("next_check_at", "pk")
            .values_list("pk", "carrier", "tracking_number")[:batch_size]
        )
        Parcel.objects.filter(pk__in=[pk for pk, _, _ in due]).update(next_check_at=now + CLAIM_LEASE)
    return due


def _track(carrier: Carrier, tracking_number: str) -> list[CarrierEvent] | Exception:
    try:
        return carrier.track(tracking_number)
    except (CarrierUnavailable, CarrierRefused) as error:
        return error


def parcels_poll(*, now: datetime.datetime | None = None, batch_size: int = 500,
                 threads: int | None = None) -> PollResult:
    """Ask the carriers about the parcels due for a check (configured carriers only) and apply
    what they say. The carriers are asked from a few threads at once (they are slow, the
    database is not); the answers are applied one parcel per transaction."""
    now = now or timezone.now()
    result = PollResult()
    due = _claim_due(now=now, carriers=carriers_configured(), batch_size=batch_size)
    carriers = {name: carrier_get(name) for name in {carrier for _, carrier, _ in due}}
    with ThreadPoolExecutor(max_workers=threads or settings.PARCEL_POLL_THREADS) as pool:
        answers = list(pool.map(lambda row: _track(carriers[row[1]], row[2]), due))
    for (parcel_id, carrier, tracking_number), answer in zip(due, answers, strict=True):
        if isinstance(answer, Exception):
            logger.warning("Parcel %s at %s: %s", tracking_number, carrier, answer)
            parcel_check_failed(parcel_id=parcel_id, error=str(answer), now=now)
            result.failed += 1
            if isinstance(answer, CarrierUnavailable) and carrier not in result.carriers_down:
                result.carriers_down.append(carrier)
            continue
        result.checked += 1
        result.moved += parcel_events_apply(parcel_id=parcel_id, events=answer, now=now)
    return result


def parcel_check(*, parcel_id: int) -> bool:
    """Ask the carrier about one parcel now (a webhook said it has news). Returns whether its order moved."""
    parcel = Parcel.objects.get(pk=parcel_id)
    if parcel.next_check_at is None:
        return False
    answer = _track(carrier_get(parcel.carrier), parcel.tracking_number)
    if isinstance(answer, Exception):
        parcel_check_failed(parcel_id=parcel_id, error=str(answer))
        return False
    return parcel_events_apply(parcel_id=parcel_id, events=answer)


def parcels_with_news(*, carrier: str, tracking_numbers: list[str]) -> list[int]:
    """The followed parcels a carrier's webhook names, made due at once (the poll checks them if
    the task that should is lost). Returns their ids."""
    parcels = Parcel.objects.filter(carrier=carrier, tracking_number__in=tracking_numbers, next_check_at__isnull=False)
    ids = list(parcels.values_list("pk", flat=True))
    Parcel.objects.filter(pk__in=ids).update(next_check_at=timezone.now())
    return ids


@transaction.atomic
def pickup_points_load(*, delivery_method: DeliveryMethod) -> tuple[int, int, int]:
    """Bring the delivery method's pickup points in line with its carrier's list: new points are
    added, known ones (by the carrier's code) get the carrier's address, hours and coordinates,
    and points the carrier no longer lists are switched off (never deleted: orders refer to
    them). Points the shop added by hand (no code) are left alone. Returns (added, updated, switched off)."""
    carrier = carrier_get(delivery_method.carrier)
    listed = {point.code: point for point in carrier.pickup_points()}
    existing = {point.code: point for point in PickupPoint.objects.filter(delivery_method=delivery_method)
                .exclude(code="").select_for_update()}
    fields = ("name", "city", "address", "opening_hours", "latitude", "longitude")
    added, changed = [], []
    for code, data in listed.items():
        point = existing.get(code)
        if point is None:
            added.append(PickupPoint(delivery_method=delivery_method, code=code, is_active=True,
                                     **{name: getattr(data, name) for name in fields}))
            continue
        values = {name: getattr(data, name) for name in fields} | {"is_active": True}
        if any(getattr(point, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(point, name, value)
            changed.append(point)
    PickupPoint.objects.bulk_create(added, batch_size=1000)
    PickupPoint.objects.bulk_update(changed, [*fields, "is_active"], batch_size=1000)
    gone = PickupPoint.objects.filter(delivery_method=delivery_method, is_active=True).exclude(code="").exclude(
        code__in=list(listed)
    ).update(is_active=False)
    return len(added), len(changed), gone


def pickup_points_load_all() -> dict[str, tuple[int, int, int]]:
    """Every pickup delivery method whose carrier has a list and is configured."""
    results = {}
    for method in DeliveryMethod.objects.filter(
        kind=DeliveryMethod.Kind.PICKUP, carrier__in=carriers_configured(), is_active=True
    ):
        try:
            results[method.name] = pickup_points_load(delivery_method=method)
        except NotImplementedError:
            continue
    return results
