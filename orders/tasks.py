"""Thin Celery entry points of the orders app: one service call, safe to run twice."""

from celery import shared_task
from django.db import InterfaceError
from django.db import OperationalError as DatabaseError

from customers.models import User
from orders.account.services import guest_orders_link_send
from orders.models import Refund
from orders.payments import online_payment_available, provider_get
from orders.payments.refunds import refund_send, refunds_pending_send
from orders.payments.services import payments_pending_check
from orders.services.pickup import orders_not_collected_expire


@shared_task(acks_late=True, autoretry_for=(DatabaseError, InterfaceError), max_retries=3, retry_backoff=30)
def orders_not_collected_expire_task() -> int:
    return orders_not_collected_expire()


@shared_task(acks_late=True, autoretry_for=(DatabaseError, InterfaceError), max_retries=3, retry_backoff=30)
def payments_sweep_task() -> int:
    """Payments without news are asked about; refunds left pending are sent again."""
    if not online_payment_available():
        return 0
    provider = provider_get()
    return payments_pending_check(provider=provider) + refunds_pending_send(provider=provider)


@shared_task(acks_late=True, autoretry_for=(DatabaseError, InterfaceError), max_retries=3, retry_backoff=30)
def refund_send_task(refund_id: int) -> str:
    provider_name = Refund.objects.values_list("payment__provider", flat=True).get(pk=refund_id)
    return refund_send(refund_id=refund_id, provider=provider_get(provider_name)).status


@shared_task(acks_late=True, autoretry_for=(DatabaseError, InterfaceError), max_retries=3, retry_backoff=30)
def guest_orders_link_send_task(user_id: int, shop_url: str) -> bool:
    return guest_orders_link_send(user=User.objects.get(pk=user_id), shop_url=shop_url)
