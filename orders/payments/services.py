"""Our side of online payments: Payment rows, notifications acted upon once, and the
order's payment status."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from orders.models import Order, Payment, PaymentNotification
from orders.payments.base import BadNotification, PaymentNotice, PaymentProvider


@transaction.atomic
def payment_start(*, order: Order, provider: PaymentProvider) -> Payment:
    """The payment the shopper should complete for the order: the one still waiting if there
    is one (a reload or a second click does not make another), otherwise a new one. Refuses
    an order that is paid, not paid online, or closed."""
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
    payment.redirect_url = provider.create_payment(payment)
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
            _order_payment_status_update(order_id=payment.order_id, succeeded=notice.succeeded)
            return True
    except IntegrityError:
        # The event id is already stored: a repeated delivery.
        if PaymentNotification.objects.filter(provider=provider.name, event_id=notice.event_id).exists():
            return False
        raise


def _order_payment_status_update(*, order_id: int, succeeded: bool) -> None:
    orders = Order.objects.filter(pk=order_id)
    if succeeded:
        orders.exclude(payment_status=Order.PaymentStatus.REFUNDED).update(payment_status=Order.PaymentStatus.PAID)
    else:
        # A declined attempt does not undo another attempt that went through.
        orders.filter(payment_status=Order.PaymentStatus.PENDING).update(payment_status=Order.PaymentStatus.FAILED)
