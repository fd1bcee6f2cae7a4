import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orders.models.money import money_field
from orders.models.order import Order


class Payment(models.Model):
    """One attempt to pay an order online. A declined attempt stays as it was; trying
    again makes a new one. `public_id` is what the provider and the shopper's browser see."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the payment")
        SUCCEEDED = "succeeded", _("Paid")
        FAILED = "failed", _("Declined")

    public_id = models.UUIDField(_("payment id"), default=uuid.uuid4, unique=True, editable=False)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments", verbose_name=_("order"))
    provider = models.CharField(_("provider"), max_length=32)
    external_id = models.CharField(_("provider's payment id"), max_length=64, blank=True)
    amount = money_field(_("amount, ₽"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    redirect_url = models.URLField(_("payment page"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(
                fields=("provider", "external_id"), condition=~Q(external_id=""), name="payment_unique_external_id"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.order} · {self.amount} · {self.get_status_display()}"


class PaymentNotification(models.Model):
    """A provider's notification as received. The provider's event id is unique, so the same
    notification delivered twice is stored once and acted upon once."""

    provider = models.CharField(_("provider"), max_length=32)
    event_id = models.CharField(_("event id"), max_length=100)
    payment = models.ForeignKey(
        Payment, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications",
        verbose_name=_("payment"),
    )
    succeeded = models.BooleanField(_("paid"))
    payload = models.TextField(_("as received"))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        ordering = ("-received_at", "-id")
        verbose_name = _("payment notification")
        verbose_name_plural = _("payment notifications")
        constraints = [
            models.UniqueConstraint(fields=("provider", "event_id"), name="payment_notification_unique_event"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id}"


class Refund(models.Model):
    """Money given back for a payment, whole or in part. The idempotency key is what the
    provider receives too: the same refund asked for twice (a retried task, an event repeated)
    is one row here and one refund at the bank."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being refunded")
        SUCCEEDED = "succeeded", _("Refunded")
        FAILED = "failed", _("Refused by the provider")

    class Reason(models.TextChoices):
        ORDER_CLOSED = "order_closed", _("The order was cancelled or came back")
        PAID_AFTER_CLOSING = "paid_after_closing", _("Paid after the order was closed")
        PAID_TWICE = "paid_twice", _("The order was already paid")
        ORDER_REDUCED = "order_reduced", _("The order now costs less")

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("payment"))
    amount = money_field(_("amount, ₽"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    idempotency_key = models.CharField(max_length=100, unique=True, editable=False)
    external_id = models.CharField(_("provider's refund id"), max_length=64, blank=True)
    error = models.TextField(_("provider's answer"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")]

    def __str__(self) -> str:
        return f"{self.payment.order} · −{self.amount} · {self.get_status_display()}"
