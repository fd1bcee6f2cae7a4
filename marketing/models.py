from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from marketing.kinds import TRANSACTIONAL_KINDS, Channel, MessageKind, placeholders_for, sample_context
from marketing.templating import TemplateTextError, plain_context, template_check, template_render


class MessageTemplate(TimeStampedModel):
    """The text of one kind of message, for one channel and language, editable by the shop."""

    Kind = MessageKind
    Channel = Channel

    # Order messages only: a campaign keeps its texts on the campaign, one per step and language.
    kind = models.CharField(
        _("kind"), max_length=64,
        choices=[(kind.value, kind.label) for kind in MessageKind if kind in TRANSACTIONAL_KINDS],
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=255, blank=True, help_text=_("E-mail only."))
    body = models.TextField(_("text"), max_length=5000)

    class Meta:
        ordering = ("kind", "channel", "language")
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [
            models.UniqueConstraint(fields=("kind", "channel", "language"), name="message_template_unique_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_channel_display()} · {self.language}"

    @property
    def placeholders(self) -> frozenset[str]:
        return placeholders_for(self.kind)

    def clean(self) -> None:
        errors = {}
        if self.channel == Channel.EMAIL and not self.subject.strip():
            errors["subject"] = _("An e-mail needs a subject.")
        for field in ("subject", "body"):
            try:
                template_check(getattr(self, field), allowed=self.placeholders)
            except TemplateTextError as error:
                errors[field] = str(error)
        if not errors:
            try:
                self.preview()
            except TemplateTextError as error:
                errors["body"] = str(error)
        if errors:
            raise ValidationError(errors)

    def render(self, context: dict) -> tuple[str, str]:
        """(subject, body) for a context already made plain by `plain_context`."""
        subject = template_render(self.subject, context) if self.channel == Channel.EMAIL else ""
        return subject, template_render(self.body, context)

    def preview(self) -> tuple[str, str]:
        context = plain_context(
            sample_context(), allowed=self.placeholders, language=self.language, time_zone=settings.TIME_ZONE
        )
        return self.render(context)


class OutboundMessage(TimeStampedModel):
    """One message to one customer: the outbox row, written before anything is sent.

    The idempotency key makes "this order's shipped SMS" exist at most once however often the
    cause repeats; the status moves pending → sending → sent, failed, unknown or cancelled, and a
    worker only sends a row it moved from pending to sending itself.
    """

    Kind = MessageKind
    Channel = Channel

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        UNKNOWN = "unknown", _("Unknown: the provider may or may not have accepted it")
        CANCELLED = "cancelled", _("Cancelled")

    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=64, choices=MessageKind.choices)
    recipient = models.CharField(_("recipient"), max_length=254, help_text=_("E-mail address or phone (+7...)."))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    customer_timezone = models.CharField(_("customer's time zone"), max_length=64, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("text"))
    # The name the e-mail comes from (an A/B variant may change it); empty: DEFAULT_FROM_EMAIL's.
    sender_name = models.CharField(_("sender name"), max_length=100, blank=True)
    html_body = models.TextField(
        _("HTML text"), blank=True, help_text=_("E-mail only; the text above is its plain part.")
    )
    # Marketing needs consent and may be capped; an order message never is (marketing.kinds).
    is_marketing = models.BooleanField(_("marketing"), default=False)
    unsubscribe_url = models.CharField(_("unsubscribe link"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200)
    reference = models.CharField(_("reference"), max_length=100, blank=True, db_index=True,
                                 help_text=_("What the message is about, e.g. order:VT-10001."))
    due_at = models.DateTimeField(_("due"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    provider_message_id = models.CharField(_("provider's message id"), max_length=255, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        constraints = [
            models.UniqueConstraint(fields=("idempotency_key",), name="outbound_message_unique_key"),
        ]
        indexes = [models.Index(fields=("status", "due_at"), name="outbound_message_status_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"

    @property
    def resent_when_fate_unknown(self) -> bool:
        """Whether a call whose outcome cannot be known (the worker died during it, the provider
        gave no answer) is followed by another. Yes for a message the customer needs to receive
        their order: twice is better than never. No for marketing: twice is spam, and a person
        decides."""
        return not self.is_marketing


class DeliveryAttempt(models.Model):
    """One call to a provider for one message, kept whatever came of it."""

    class Result(models.TextChoices):
        OK = "ok", _("Accepted")
        ERROR = "error", _("Error")
        TIMEOUT = "timeout", _("No answer: outcome unknown")

    message = models.ForeignKey(
        OutboundMessage, on_delete=models.CASCADE, related_name="attempts_made", verbose_name=_("message")
    )
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=8, choices=Result.choices, blank=True)
    detail = models.TextField(_("detail"), blank=True)

    class Meta:
        ordering = ("started_at", "id")
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M:%S} {self.get_result_display() or '…'}"


class FollowUp(TimeStampedModel):
    """Something a manager has to do for a customer, with a due time: "call the customer, the
    parcel is not collected" (the admin lists a manager's under "My tasks"). It lives beside the
    messages because it is the next step when a message did not help, and later triggers (a big
    abandoned cart) add their own kinds.

    At most one open follow-up of a kind per order (a partial unique constraint), so a sweep that runs
    twice, or two sweeps at once, open it once. Open → done (a person did it) or cancelled (no
    longer needed: the customer collected the parcel, or the order ended otherwise).
    """

    class Kind(models.TextChoices):
        CALL_PARCEL_NOT_COLLECTED = "call_parcel_not_collected", _("Call the customer: parcel not collected")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("No longer needed")

    kind = models.CharField(_("task"), max_length=40, choices=Kind.choices)
    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, related_name="+", verbose_name=_("order")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="follow_ups", verbose_name=_("assigned to"),
    )
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("closed by"),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ("due_at", "id")
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.UniqueConstraint(
                fields=("order", "kind"), condition=models.Q(status="open"), name="follow_up_one_open_per_order"
            ),
            models.CheckConstraint(
                condition=models.Q(status="open", closed_at__isnull=True)
                | (~models.Q(status="open") & models.Q(closed_at__isnull=False)),
                name="follow_up_closed_when_not_open",
            ),
        ]
        indexes = [models.Index(fields=("assignee", "status", "due_at"), name="follow_up_my_open")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.order}"

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_at <= timezone.now()


# Campaign models live in their own modules; importing them here registers them with the app.
from marketing.abtests.models import ABTest, ABVariant  # noqa: E402
from marketing.broadcasts.models import Broadcast, ChannelThrottle  # noqa: E402
from marketing.campaigns.models import (  # noqa: E402
    BackInStockRequest,
    Campaign,
    CampaignConversion,
    CampaignEntry,
    CampaignEvent,
    CampaignMessage,
    CampaignStep,
    CampaignText,
    ProductPriceRecord,
    ProductRestock,
)
from marketing.segments.models import Segment  # noqa: E402

__all__ = [
    "ABTest", "ABVariant", "BackInStockRequest", "Broadcast",
    "Campaign", "CampaignConversion", "CampaignEntry", "CampaignEvent", "CampaignMessage", "CampaignStep",
    "CampaignText", "ChannelThrottle", "ProductPriceRecord", "ProductRestock",
    "DeliveryAttempt", "FollowUp", "MessageTemplate", "OutboundMessage", "Segment",
]
