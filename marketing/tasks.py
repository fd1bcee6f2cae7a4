"""Thin Celery entry points: ids in, one service call, safe to run twice."""

from celery import shared_task
from django.db import InterfaceError
from django.db import OperationalError as DatabaseError
from kombu.exceptions import OperationalError as BrokerError

from marketing.abtests.services import ab_tests_decide_due
from marketing.broadcasts.services import broadcasts_advance
from marketing.campaigns.services import campaign_entries_dispatch, campaigns_scan
from marketing.follow_ups import follow_ups_open_for_uncollected_parcels
from marketing.services import messages_send, messages_sweep

# Only infrastructure faults are retried here; a provider's error is the row's business
# (messages_send moves it back to pending with a later due time, and the sweep sends it).
_RETRY = {
    "autoretry_for": (DatabaseError, InterfaceError, BrokerError),
    "max_retries": 5,
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
}


# A worker killed mid-task gives the task back to the broker (acks_late, reject_on_worker_lost);
# messages_send's claim and DeliveryAttempt rows decide whether anything is sent again.
@shared_task(acks_late=True, reject_on_worker_lost=True, **_RETRY)
def messages_send_task(message_ids: list[int]) -> dict[str, int]:
    return dict(messages_send(message_ids=message_ids))


@shared_task(acks_late=True, **_RETRY)
def messages_sweep_task() -> dict[str, int]:
    return messages_sweep()


@shared_task(acks_late=True, **_RETRY)
def follow_ups_open_for_uncollected_parcels_task() -> int:
    return follow_ups_open_for_uncollected_parcels()


@shared_task(acks_late=True, **_RETRY)
def campaigns_scan_task() -> dict[int, int]:
    return campaigns_scan()


@shared_task(acks_late=True, **_RETRY)
def campaign_entries_dispatch_task(max_batches: int = 20) -> dict[str, int]:
    """Dispatch due entries batch by batch until none is due (or max_batches: the next beat goes on)."""
    total: dict[str, int] = {}
    for _batch in range(max_batches):
        counts = campaign_entries_dispatch()
        if not counts:
            break
        for outcome, count in counts.items():
            total[outcome] = total.get(outcome, 0) + count
    return total


@shared_task(acks_late=True, **_RETRY)
def ab_tests_decide_due_task() -> int:
    return ab_tests_decide_due()


@shared_task(acks_late=True, **_RETRY)
def broadcasts_advance_task() -> dict[str, int]:
    return dict(broadcasts_advance())
