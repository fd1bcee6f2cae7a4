"""Thin Celery entry points for the rollups; safe to run twice (a fill replaces its day)."""

from celery import shared_task
from django.db import InterfaceError
from django.db import OperationalError as DatabaseError

from analytics.reports.reading import today_parts_warm
from analytics.rollups import rollups_refresh


@shared_task(acks_late=True, autoretry_for=(DatabaseError, InterfaceError), max_retries=3, retry_backoff=30)
def rollups_refresh_task() -> list[str]:
    return [day.isoformat() for day in rollups_refresh()]


@shared_task(acks_late=True)
def today_parts_warm_task() -> None:
    today_parts_warm()
