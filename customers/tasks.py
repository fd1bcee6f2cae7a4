"""Thin Celery entry points of the customers app: one service call, safe to run twice."""

from celery import shared_task
from django.db import InterfaceError
from django.db import OperationalError as DatabaseError

from customers.services import points_expire_all


@shared_task(acks_late=True, autoretry_for=(DatabaseError, InterfaceError), max_retries=3, retry_backoff=60)
def points_expire_task() -> int:
    return points_expire_all()
