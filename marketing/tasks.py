"""Thin Celery entry points: ids in, one service call, safe to run twice."""

from celery import shared_task
from django.db import InterfaceError
from django.db import OperationalError as DatabaseError
from kombu.exceptions import OperationalError as BrokerError

from marketing.manager_tasks import manager_tasks_open_for_uncollected_parcels
from marketing.services import message_send, messages_sweep

# Only infrastructure faults are retried here; a provider's error is the row's business
# (message_send moves it back to pending with a later due time, and the sweep sends it).
_RETRY = {
    "autoretry_for": (DatabaseError, InterfaceError, BrokerError),
    "max_retries": 5,
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
}


@shared_task(acks_late=True, **_RETRY)
def message_send_task(message_id: int) -> str | None:
    message = message_send(message_id=message_id)
    return message.status if message else None


@shared_task(acks_late=True, **_RETRY)
def messages_sweep_task() -> dict[str, int]:
    return messages_sweep()


@shared_task(acks_late=True, **_RETRY)
def manager_tasks_open_for_uncollected_parcels_task() -> int:
    return manager_tasks_open_for_uncollected_parcels()
