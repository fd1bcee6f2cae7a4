"""Thin Celery entry points of the customers app: one service call, safe to run twice."""

from celery import shared_task
from django.db import InterfaceError
from django.db import OperationalError as DatabaseError

from customers.services import points_expire_all, product_views_flush


@shared_task(acks_late=True, autoretry_for=(DatabaseError, InterfaceError), max_retries=3, retry_backoff=60)
def points_expire_task() -> int:
    return points_expire_all()


# No retries: beat runs the next flush within seconds, and a failed batch stays in Redis for it.
@shared_task(acks_late=True)
def product_views_flush_task() -> int:
    return product_views_flush()
