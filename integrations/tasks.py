"""Thin Celery entry points: ids in, one service call, safe to run twice."""

from celery import shared_task
from django.db import InterfaceError
from django.db import OperationalError as DatabaseError
from kombu.exceptions import OperationalError as BrokerError

from integrations.feeds.services import feeds_build_all
from integrations.pricelists.services import pricelist_import_run
from integrations.webhooks.services import webhook_deliver, webhooks_sweep

_RETRY = {
    "autoretry_for": (DatabaseError, InterfaceError, BrokerError),
    "max_retries": 5,
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
}


@shared_task(acks_late=True, **_RETRY)
def feeds_build_task() -> dict[str, int]:
    return feeds_build_all()


@shared_task(acks_late=True, **_RETRY)
def pricelist_import_task(import_id: int) -> str | None:
    job = pricelist_import_run(import_id=import_id)
    return job.status if job else None


@shared_task(acks_late=True, **_RETRY)
def webhook_deliver_task(delivery_id: int) -> str | None:
    delivery = webhook_deliver(delivery_id=delivery_id)
    return delivery.status if delivery else None


@shared_task(acks_late=True, **_RETRY)
def webhooks_sweep_task() -> dict[str, int]:
    return webhooks_sweep()
