"""Thin Celery entry points of the orders app: one service call, safe to run twice."""

from celery import shared_task
from django.db import InterfaceError
from django.db import OperationalError as DatabaseError

from orders.payments import online_payment_available, provider_get
from orders.payments.services import payments_pending_check
from orders.services.pickup import orders_not_collected_expire


@shared_task(acks_late=True, autoretry_for=(DatabaseError, InterfaceError), max_retries=3, retry_backoff=30)
def orders_not_collected_expire_task() -> int:
    return orders_not_collected_expire()


@shared_task(acks_late=True, autoretry_for=(DatabaseError, InterfaceError), max_retries=3, retry_backoff=30)
def payments_pending_check_task() -> int:
    if not online_payment_available():
        return 0
    return payments_pending_check(provider=provider_get())
