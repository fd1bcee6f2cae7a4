"""Thin Celery entry points of the catalog app: one service call, safe to run twice."""

from celery import shared_task

from catalog.services import storefront_popularity_refresh


@shared_task(acks_late=True)
def storefront_popularity_refresh_task() -> None:
    storefront_popularity_refresh()
