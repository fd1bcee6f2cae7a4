from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orders.models.order import Order


class CallLog(models.Model):
    """One call a manager made about an order, and how it went."""

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached")
        NO_ANSWER = "no_answer", _("No answer")
        CALL_BACK = "call_back", _("Call back later")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="calls", verbose_name=_("order"))
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("manager")
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    call_back_at = models.DateTimeField(_("call back at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="call_back") | Q(call_back_at__isnull=False), name="call_back_has_a_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} · {self.created_at:%Y-%m-%d %H:%M}"


class CustomerNote(models.Model):
    """What the shop's staff want each other to know about a customer ("call after 18:00").
    A guest has no account, so a note is kept against the phone number as well."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="staff_notes",
        verbose_name=_("customer"),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    text = models.TextField(_("note"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("author")
    )
    order = models.ForeignKey(
        Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("written on order")
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("customer note")
        verbose_name_plural = _("customer notes")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(phone=""), name="customer_note_names_a_customer"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]
