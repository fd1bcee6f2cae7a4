"""Thin Celery entry points of shipping: one service call each, safe to run twice."""

from celery import shared_task
from django.db import InterfaceError
from django.db import OperationalError as DatabaseError

from shipping.services import parcel_check, parcels_poll, pickup_points_load_all


@shared_task(acks_late=True, autoretry_for=(DatabaseError, InterfaceError), max_retries=3, retry_backoff=30)
def parcels_poll_task() -> dict:
    result = parcels_poll()
    return {"checked": result.checked, "moved": result.moved, "failed": result.failed}


@shared_task(acks_late=True, autoretry_for=(DatabaseError, InterfaceError), max_retries=3, retry_backoff=30)
def parcel_check_task(parcel_id: int) -> bool:
    return parcel_check(parcel_id=parcel_id)


@shared_task(acks_late=True, autoretry_for=(DatabaseError, InterfaceError), max_retries=3, retry_backoff=300)
def pickup_points_load_task() -> dict:
    return pickup_points_load_all()
