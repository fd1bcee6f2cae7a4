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
