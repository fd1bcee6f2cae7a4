"""Our side of online payments: Payment rows, notifications acted upon once, and the
order's payment status."""

import datetime
import json
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.models import Order, Payment, PaymentNotification, Refund
from orders.payments.base import BadNotification, PaymentNotice, PaymentProvider, ProviderUnavailable
from orders.payments.refunds import payment_refund

logger = logging.getLogger(__name__)


@transaction.atomic
def payment_start(*, order: Order, provider: PaymentProvider, return_url: str) -> Payment:
    """The payment the shopper should complete for the order: the one still waiting if there
    is one (a reload or a second click does not make another), otherwise a new one, after which
    the provider sends the shopper to `return_url`. Refuses an order that is paid, not paid
    online, or closed. A provider that does not answer (ProviderUnavailable) leaves nothing behind."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.payment_method != Order.PaymentMethod.ONLINE_CARD:
        raise ValidationError(_("This order is paid on delivery."), code="not_online")
    if order.payment_status == Order.PaymentStatus.PAID:
        raise ValidationError(_("This order is already paid."), code="already_paid")
    if not order.is_open or order.total_to_pay <= 0:
        raise ValidationError(_("This order cannot be paid online."), code="not_payable")
    waiting = order.payments.filter(
        provider=provider.name, status=Payment.Status.PENDING, amount=order.total_to_pay
    ).exclude(redirect_url="").first()
    if waiting is not None:
        return waiting
    payment = Payment.objects.create(order=order, provider=provider.name, amount=order.total_to_pay)
    payment.redirect_url = provider.create_payment(payment, return_url=return_url)
    payment.save(update_fields=["external_id", "redirect_url", "updated_at"])
    if order.payment_status != Order.PaymentStatus.PENDING:
        Order.objects.filter(pk=order.pk).update(payment_status=Order.PaymentStatus.PENDING)
    return payment


def payment_notification_apply(*, provider: PaymentProvider, notice: PaymentNotice, payload: str) -> bool:
    """Act on a verified notification, once. The same notification again (same event id)
    changes nothing and returns False; so does news about a payment already decided.
    Raises BadNotification for a payment we do not know or an amount that does not match."""
    try:
        with transaction.atomic():
            payment = (
                Payment.objects.select_for_update().select_related("order")
                .filter(provider=provider.name, external_id=notice.external_id).first()
            )
            if payment is None:
                raise BadNotification(f"Unknown payment {notice.external_id!r}")
            if notice.succeeded and notice.amount is not None and notice.amount != payment.amount:
                raise BadNotification(f"Amount {notice.amount} does not match {payment.amount}")
            PaymentNotification.objects.create(
                provider=provider.name, event_id=notice.event_id, payment=payment,
                succeeded=notice.succeeded, payload=payload,
            )
            if payment.status != Payment.Status.PENDING:
                return False
            payment.status = Payment.Status.SUCCEEDED if notice.succeeded else Payment.Status.FAILED
            payment.save(update_fields=["status", "updated_at"])
            if notice.succeeded and _payment_unwanted(payment):
                return True
            _order_payment_status_update(order_id=payment.order_id, succeeded=notice.succeeded)
            return True
    except IntegrityError:
        # The event id is already stored: a repeated delivery.
        if PaymentNotification.objects.filter(provider=provider.name, event_id=notice.event_id).exists():
            return False
        raise


def _payment_unwanted(payment: Payment) -> bool:
    """Money that came for an order that no longer takes it (closed meanwhile, or paid by another
    attempt in a second tab) goes back at once, once; the customer is told when it has."""
    order = Order.objects.select_for_update().get(pk=payment.order_id)
    if not order.is_open:
        reason = Refund.Reason.PAID_AFTER_CLOSING
    elif order.payment_status == Order.PaymentStatus.PAID:
        reason = Refund.Reason.PAID_TWICE
    else:
        return False
    payment_refund(payment=payment, amount=None, reason=reason, key=f"{payment.public_id}:{reason}")
    if order.payment_status != Order.PaymentStatus.PAID:
        Order.objects.filter(pk=order.pk).update(payment_status=Order.PaymentStatus.PAID)
    return True


def _order_payment_status_update(*, order_id: int, succeeded: bool) -> None:
    orders = Order.objects.filter(pk=order_id)
    if succeeded:
        orders.exclude(payment_status=Order.PaymentStatus.REFUNDED).update(payment_status=Order.PaymentStatus.PAID)
    else:
        # A declined attempt does not undo another attempt that went through.
        orders.filter(payment_status=Order.PaymentStatus.PENDING).update(payment_status=Order.PaymentStatus.FAILED)


def payments_pending_check(*, provider: PaymentProvider, now: datetime.datetime | None = None,
                           batch_size: int = 200) -> int:
    """Ask the provider about payments whose notification has not come within
    settings.PAYMENT_CHECK_AFTER_MINUTES (a lost webhook) and act on the decided ones exactly as
    on their notification, so a notification that arrives after all changes nothing. A provider
    that does not answer is asked again on the next run. Returns how many payments it settled."""
    now = now or timezone.now()
    started_before = now - datetime.timedelta(minutes=settings.PAYMENT_CHECK_AFTER_MINUTES)
    waiting = Payment.objects.filter(
        provider=provider.name, status=Payment.Status.PENDING, created_at__lte=started_before
    ).exclude(external_id="").order_by("created_at", "pk")[:batch_size]
    settled = 0
    for payment in waiting:
        try:
            notice = provider.payment_status(payment)
        except ProviderUnavailable:
            logger.warning("Payment provider %s is not answering; pending payments wait for the next run",
                           provider.name)
            break
        except BadNotification:
            logger.exception("Payment %s: the provider's answer makes no sense", payment.public_id)
            continue
        if notice is None:
            continue
        payload = json.dumps({"checked": True, "event_id": notice.event_id, "succeeded": notice.succeeded})
        if payment_notification_apply(provider=provider, notice=notice, payload=payload):
            settled += 1
    return settled


def order_payment_refresh(*, order: Order, provider: PaymentProvider) -> bool:
    """The shopper is back from the provider's page before its notification: ask the provider
    about the order's waiting payment now, so the page says "paid" at once. Acted upon exactly
    like the notification (which then changes nothing). A provider that does not answer leaves
    it to the notification and the sweep. Returns whether the payment was settled now."""
    payment = (order.payments.filter(provider=provider.name, status=Payment.Status.PENDING)
               .exclude(external_id="").order_by("-created_at", "-pk").first())
    if payment is None:
        return False
    try:
        notice = provider.payment_status(payment)
    except (ProviderUnavailable, BadNotification):
        logger.warning("Payment %s: the provider could not be asked on the shopper's return", payment.public_id)
        return False
    if notice is None:
        return False
    payload = json.dumps({"checked": True, "event_id": notice.event_id, "succeeded": notice.succeeded})
    return payment_notification_apply(provider=provider, notice=notice, payload=payload)
