"""Giving money back: a Refund row first (its idempotency key decides "once"), the provider
asked after commit by a task, and a sweep that finishes what a lost task or an unreachable
provider left pending. The customer is told when the money is on its way back (payment_refunded)."""

import datetime
import logging
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from core.transactions import after_commit
from orders.models import Order, Payment, Refund
from orders.payments.base import PaymentProvider, ProviderRefused, ProviderUnavailable
from orders.signals import payment_refunded

logger = logging.getLogger(__name__)

# A pending refund whose task has not finished it within this long is sent again by the sweep.
SWEEP_AFTER = datetime.timedelta(minutes=2)
MAX_ATTEMPTS = 20


def payment_refundable(payment: Payment) -> Decimal:
    """What is left to give back of a succeeded payment: its amount less refunds not refused."""
    if payment.status != Payment.Status.SUCCEEDED:
        return Decimal("0.00")
    given = payment.refunds.exclude(status=Refund.Status.FAILED).aggregate(total=Sum("amount"))["total"]
    return payment.amount - (given or Decimal("0.00"))


@transaction.atomic
def payment_refund(*, payment: Payment, amount: Decimal | None, reason: str, key: str) -> Refund | None:
    """Give back `amount` of the payment (what is left of it when None), once per `key`: the
    same key again returns the refund already made. The payment's row is locked, so refunds
    asked for at once never add up to more than was paid. Returns None when nothing is left.
    The provider is asked after commit (refund_send)."""
    locked = Payment.objects.select_for_update().get(pk=payment.pk)
    existing = Refund.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    left = payment_refundable(locked)
    amount = left if amount is None else min(amount, left)
    if amount <= 0:
        return None
    refund = Refund.objects.create(payment=locked, amount=amount, reason=reason, idempotency_key=key)
    after_commit(lambda: _refund_send_later(refund.pk))
    return refund


def _refund_send_later(refund_id: int) -> None:
    from orders.tasks import refund_send_task

    try:
        refund_send_task.delay(refund_id)
    except Exception:
        # The broker is down: the refund is a row, and the sweep sends it.
        logger.exception("Refund %s could not be queued; the sweep sends it", refund_id)


def order_refund(*, order: Order, reason: str = Refund.Reason.ORDER_CLOSED) -> list[Refund]:
    """Give back everything still held of the order's succeeded payments, once: one key per
    payment and reason, so an order closed, reopened by nothing and "closed again" by a repeated
    event refunds nothing more. Runs inside the caller's transaction."""
    refunds = []
    for payment in order.payments.filter(status=Payment.Status.SUCCEEDED):
        refund = payment_refund(payment=payment, amount=None, reason=reason, key=f"{payment.public_id}:{reason}")
        if refund is not None:
            refunds.append(refund)
    return refunds


def order_refund_overpaid(*, order: Order) -> list[Refund]:
    """A paid order that now costs less (a manager took goods out, changed the delivery): what
    was paid beyond its new total goes back. The key names the new total and what had gone back
    before, so the same change applied again refunds nothing more. Runs in the caller's transaction."""
    if order.payment_status != Order.PaymentStatus.PAID:
        return []
    payments = list(order.payments.filter(status=Payment.Status.SUCCEEDED).order_by("-created_at", "-pk"))
    over = sum((payment_refundable(payment) for payment in payments), Decimal("0")) - order.total_to_pay
    refunds = []
    for payment in payments:
        left = payment_refundable(payment)
        amount = min(left, over)
        if amount <= 0:
            continue
        key = f"{payment.public_id}:{Refund.Reason.ORDER_REDUCED}:{order.total_to_pay}:{payment.amount - left}"
        refund = payment_refund(payment=payment, amount=amount, reason=Refund.Reason.ORDER_REDUCED, key=key)
        if refund is not None:
            refunds.append(refund)
            over -= refund.amount
    return refunds


def refund_send(*, refund_id: int, provider: PaymentProvider) -> Refund:
    """Ask the provider for the refund, if it is still pending. The row stays locked while the
    provider answers, so two workers never ask at once, and the provider's idempotency key makes
    a request repeated after a lost answer the same refund. Unavailable: stays pending (the
    sweep retries). Refused: failed, with the provider's answer for the manager."""
    with transaction.atomic():
        refund = Refund.objects.select_for_update().select_related("payment__order").get(pk=refund_id)
        if refund.status != Refund.Status.PENDING:
            return refund
        refund.attempts += 1
        try:
            outcome = provider.refund(refund)
        except ProviderUnavailable as error:
            refund.error = str(error)[:2000]
            refund.save(update_fields=["attempts", "error", "updated_at"])
            return refund
        except ProviderRefused as error:
            logger.error("Refund %s of order %s refused: %s", refund.pk, refund.payment.order, error)
            refund.status, refund.error = Refund.Status.FAILED, str(error)[:2000]
            refund.save(update_fields=["status", "attempts", "error", "updated_at"])
            return refund
        refund.external_id, refund.error = outcome.external_id, ""
        if outcome.succeeded:
            refund.status = Refund.Status.SUCCEEDED
        refund.save(update_fields=["status", "attempts", "external_id", "error", "updated_at"])
        if refund.status == Refund.Status.SUCCEEDED:
            _order_refunded_update(refund.payment.order)
            payment_refunded.send(sender=Refund, order=refund.payment.order, refund=refund)
    return refund


def _order_refunded_update(order: Order) -> None:
    """The order is "refunded" once every kopeck it was paid has come back."""
    paid = order.payments.filter(status=Payment.Status.SUCCEEDED).aggregate(total=Sum("amount"))["total"]
    refunded = Refund.objects.filter(
        payment__order=order, status=Refund.Status.SUCCEEDED
    ).aggregate(total=Sum("amount"))["total"]
    if paid and refunded and refunded >= paid:
        Order.objects.filter(pk=order.pk).update(payment_status=Order.PaymentStatus.REFUNDED)


def refunds_pending_send(*, provider: PaymentProvider, now: datetime.datetime | None = None,
                         batch_size: int = 100) -> int:
    """Send again the refunds left pending (a lost task, the provider down, a refund the provider
    was still processing); returns how many it finished. Stops at the first unavailable answer."""
    now = now or timezone.now()
    pending = Refund.objects.filter(
        status=Refund.Status.PENDING, payment__provider=provider.name, updated_at__lte=now - SWEEP_AFTER,
        attempts__lt=MAX_ATTEMPTS,
    ).order_by("created_at", "pk").values_list("pk", flat=True)[:batch_size]
    finished = 0
    for refund_id in list(pending):
        refund = refund_send(refund_id=refund_id, provider=provider)
        if refund.status == Refund.Status.PENDING and refund.error:
            break  # the provider is not answering: the next run tries again
        finished += refund.status == Refund.Status.SUCCEEDED
    return finished
