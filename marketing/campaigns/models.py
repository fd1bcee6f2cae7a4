"""Trigger campaigns: what the marketer configures (Campaign, its steps and texts) and what the
engine writes (one CampaignEntry per person and cause, one CampaignMessage per message sent).

An entry is the campaign's memory of one cause ("this cart", "this order's review", "this
year's birthday"): unique per campaign and cause, so two scans at once open it once, and its
due time says when the next step may go out. Waiting is a column, never a broker countdown.
"""

import datetime
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from marketing.campaigns.links import SMS_MAX_SEGMENTS, sms_with_links
from marketing.kinds import TRIGGER_KINDS, placeholders_for, sample_context
from marketing.templating import TemplateTextError, plain_context, sms_segments, template_check, template_render


class Campaign(TimeStampedModel):
    """One automatic campaign: a trigger, its steps, who may get it and when."""

    Kind = models.TextChoices("Kind", [(kind.name, (kind.value, kind.label)) for kind in TRIGGER_KINDS])

    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("trigger"), max_length=40, choices=Kind.choices)
    is_active = models.BooleanField(_("on"), default=False)
    starts_at = models.DateTimeField(_("active from"), null=True, blank=True)
    ends_at = models.DateTimeField(_("active until"), null=True, blank=True)
    send_window_start = models.TimeField(
        _("send from"), null=True, blank=True,
        help_text=_("In the customer's time zone. Empty: any time of day."),
    )
    send_window_end = models.TimeField(_("send until"), null=True, blank=True)
    holdout_percent = models.PositiveSmallIntegerField(
        _("holdout, %"), default=0, validators=[MaxValueValidator(50)],
        help_text=_("This share of eligible people gets nothing, to measure what the campaign earns."),
    )
    segment = models.ForeignKey(
        "marketing.Segment", on_delete=models.PROTECT, null=True, blank=True, related_name="campaigns",
        verbose_name=_("segment"), help_text=_("Only the customers in this segment get the campaign. Empty: everyone."),
    )
    # The kind's own conditions, named as the marketer thinks of them.
    condition_days = models.PositiveIntegerField(
        _("days"), null=True, blank=True,
        help_text=_("Review request: send only if delivered within this many days of the order. "
                    "Reactivation: months without an order or a visit."),
    )
    condition_amount = models.DecimalField(
        _("amount, ₽"), max_digits=12, decimal_places=2, null=True, blank=True,
        help_text=_("Loyalty threshold: the 12-month spend to cross."),
    )
    condition_percent = models.PositiveSmallIntegerField(
        _("share, %"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("Price drop: tell only when the price fell by at least this share of the price the "
                    "customer saw (default 10%)."),
    )
    # A personal promo code in each message.
    promo_percent = models.PositiveSmallIntegerField(
        _("promo code discount, %"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("Each message gets its own single-use code. Empty: no code."),
    )
    promo_valid_days = models.PositiveSmallIntegerField(_("promo code valid, days"), default=7)

    class Meta:
        ordering = ("kind", "name")
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(condition=Q(holdout_percent__lte=50), name="campaign_holdout_at_most_half"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (self.send_window_start is None) != (self.send_window_end is None):
            raise ValidationError(_("Set both ends of the send window, or neither."))
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The campaign must end after it starts.")})

    def is_running(self, now: datetime.datetime) -> bool:
        return self.is_active and (self.starts_at is None or self.starts_at <= now) and (
            self.ends_at is None or now < self.ends_at
        )

    def in_holdout(self, person: str) -> bool:
        """Deterministic per campaign and person: the same person always lands in the same group."""
        if not self.holdout_percent:
            return False
        digest = hashlib.sha256(f"holdout:{self.pk}:{person}".encode()).digest()
        return int.from_bytes(digest[:4], "big") % 100 < self.holdout_percent


class CampaignStep(models.Model):
    """One message of a campaign's sequence: how long after the trigger, by which channel."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")
        EMAIL_OR_SMS = "email_or_sms", _("E-mail, or SMS if no e-mail")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="steps", verbose_name=_("campaign"))
    position = models.PositiveSmallIntegerField(_("step"), validators=[MinValueValidator(1), MaxValueValidator(3)])
    delay_hours = models.PositiveIntegerField(_("after, hours"), help_text=_("Counted from the trigger."))
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.EMAIL)

    class Meta:
        ordering = ("campaign", "position")
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        constraints = [
            models.UniqueConstraint(fields=("campaign", "position"), name="campaign_step_unique_position"),
        ]

    def __str__(self) -> str:
        return _("Step %(position)s: after %(hours)s h") % {"position": self.position, "hours": self.delay_hours}

    @property
    def delay(self) -> datetime.timedelta:
        return datetime.timedelta(hours=self.delay_hours)


class CampaignText(models.Model):
    """What a step says, in one language. A product block (the cart's items, the recommended
    products) and the unsubscribe footer are added by the shop's layout, not typed here."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="texts", verbose_name=_("campaign"))
    step = models.PositiveSmallIntegerField(
        _("step"), default=1, validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=255, help_text=_("E-mail only."))
    body = models.TextField(_("text"), max_length=5000)
    sms_body = models.CharField(_("SMS text"), max_length=500, blank=True)

    class Meta:
        ordering = ("campaign", "step", "language")
        verbose_name = _("text")
        verbose_name_plural = _("texts")
        constraints = [
            models.UniqueConstraint(fields=("campaign", "step", "language"), name="campaign_text_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.step} · {self.language}"

    def clean(self) -> None:
        allowed = placeholders_for(self.campaign.kind) if self.campaign_id else placeholders_for("")
        errors = {}
        for field in ("subject", "body", "sms_body"):
            try:
                template_check(getattr(self, field), allowed=allowed)
            except TemplateTextError as error:
                errors[field] = str(error)
        if self.sms_body and "sms_body" not in errors:
            parts = sms_segments(self.sms_sample())
            if parts > SMS_MAX_SEGMENTS:
                errors["sms_body"] = _("With its links the SMS takes %(parts)d parts; at most %(most)d.") % {
                    "parts": parts, "most": SMS_MAX_SEGMENTS}
        if errors:
            raise ValidationError(errors)

    def sms_sample(self) -> str:
        """The SMS as it would go out with sample values and links of real length."""
        kind = self.campaign.kind if self.campaign_id else ""
        values = plain_context(sample_context(), allowed=placeholders_for(kind), language=self.language,
                               time_zone=settings.TIME_ZONE)
        return sms_with_links(template_render(self.sms_body, values), token="x" * 16, language=self.language)


class CampaignEntry(models.Model):
    """One person in one campaign for one cause, and where their sequence stands."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for the next step")
        DONE = "done", _("All steps sent")
        HELD_OUT = "held_out", _("Holdout: gets nothing")
        STOPPED = "stopped", _("Stopped")
        # A broadcast's recipient whose message is not written yet (its sender takes it in turn).
        QUEUED = "queued", _("Queued")

    # No index of its own: the unique (campaign, cause) key serves every lookup by campaign, and
    # one index fewer to maintain speeds the scans' bulk inserts.
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="entries", verbose_name=_("campaign"), db_index=False
    )
    cause = models.CharField(_("cause"), max_length=100, help_text=_("What triggered it, e.g. cart:42:0."))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name=_("customer"),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    person = models.CharField(
        _("person"), max_length=120, help_text=_("user:<id> or the e-mail: who caps and holdouts count.")
    )
    # The object the trigger is about (a cart, an order, a product), read again before each step.
    subject_id = models.BigIntegerField(_("about"), null=True, blank=True)
    triggered_at = models.DateTimeField(_("triggered"))
    next_step = models.PositiveSmallIntegerField(_("next step"), default=1)
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING)
    # When the entry was first found eligible: sent its first message, or held out instead.
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("campaign entry")
        verbose_name_plural = _("campaign entries")
        constraints = [
            models.UniqueConstraint(fields=("campaign", "cause"), name="campaign_entry_once_per_cause"),
        ]
        indexes = [
            # Dispatch takes the first due entries in (due_at, id) order: with both in the index
            # it reads those rows alone, even before statistics know of a backlog just written.
            models.Index(fields=("due_at", "id"), condition=Q(status="waiting"), name="campaign_entry_waiting_due"),
            models.Index(fields=("person", "campaign"), name="campaign_entry_person"),
            models.Index(fields=("subject_id",), condition=Q(status="waiting"), name="campaign_entry_waiting_subject"),
            # A broadcast's sender takes its queued recipients in due order.
            models.Index(fields=("campaign", "due_at"), condition=Q(status="queued"), name="campaign_entry_queued_due"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.cause}"


class CampaignMessage(models.Model):
    """A campaign's message as marketing sees it: which campaign, step and language, the links
    it carries (the click redirect resolves an index into this list, so it can never send a
    reader elsewhere), and what the reader did with it."""

    message = models.OneToOneField(
        "marketing.OutboundMessage", on_delete=models.CASCADE, related_name="campaign_message",
        verbose_name=_("message"),
    )
    entry = models.ForeignKey(CampaignEntry, on_delete=models.CASCADE, related_name="messages", verbose_name=_("entry"))
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="messages", verbose_name=_("campaign")
    )
    step = models.PositiveSmallIntegerField(_("step"))
    language = models.CharField(_("language"), max_length=8)
    channel = models.CharField(_("channel"), max_length=8)
    person = models.CharField(_("person"), max_length=120)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("customer"),
    )
    # Random and unique: the signed tracking links name the message by it, never by its id.
    token = models.CharField(_("token"), max_length=32, unique=True)
    links = models.JSONField(_("links"), default=list)
    promo_code = models.CharField(_("promo code"), max_length=40, blank=True)
    # The A/B variant it carried, and whether it was one of the test's messages (the statistics
    # compare only those) or went to the rest.
    variant = models.ForeignKey(
        "marketing.ABVariant", on_delete=models.SET_NULL, null=True, blank=True, related_name="messages",
        verbose_name=_("A/B variant"),
    )
    in_test = models.BooleanField(_("in the A/B test"), default=False)
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("campaign message")
        verbose_name_plural = _("campaign messages")
        indexes = [
            models.Index(fields=("person", "created_at"), name="campaign_message_person"),
            models.Index(fields=("campaign", "step", "language"), name="campaign_message_stats"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.step} · {self.person}"



class CampaignEvent(models.Model):
    """A reader's open, click or unsubscribe, kept with what tells people from machines: image
    proxies fetch every picture and link scanners follow every link, so rates count only
    `is_human` events, while the raw rows stay for whoever doubts the filter."""

    class Kind(models.TextChoices):
        OPEN = "open", _("Open")
        CLICK = "click", _("Click")
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribe")

    message = models.ForeignKey(
        CampaignMessage, on_delete=models.CASCADE, related_name="events", verbose_name=_("message")
    )
    kind = models.CharField(_("event"), max_length=12, choices=Kind.choices)
    link = models.PositiveSmallIntegerField(_("link"), null=True, blank=True)
    is_human = models.BooleanField(_("by a person"), default=True)
    machine_reason = models.CharField(_("why a machine"), max_length=100, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")
        verbose_name = _("message event")
        verbose_name_plural = _("message events")
        indexes = [models.Index(fields=("message", "kind", "created_at"), name="campaign_event_message")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.created_at:%Y-%m-%d %H:%M:%S}"


class CampaignConversion(models.Model):
    """An order credited to a campaign message when it was placed: the last message the person
    clicked within the click window, or else the last one they received within the view window.
    The order's later fate (cancelled, returned) is read from the order, so it never counts twice."""

    class Basis(models.TextChoices):
        CLICK = "click", _("Clicked")
        VIEW = "view", _("Received")

    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="+", verbose_name=_("order"))
    message = models.ForeignKey(
        CampaignMessage, on_delete=models.CASCADE, related_name="conversions", verbose_name=_("message")
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="conversions", verbose_name=_("campaign")
    )
    basis = models.CharField(_("credited for"), max_length=8, choices=Basis.choices)
    revenue = models.DecimalField(_("revenue, ₽"), max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("attributed order")
        verbose_name_plural = _("attributed orders")

    def __str__(self) -> str:
        return f"{self.campaign} · {self.order_id}"


class BackInStockRequest(models.Model):
    """A shopper's "tell me when it is back" for a product that is sold out.

    A signed-in customer's request is active at once; a guest's waits for the e-mail address to
    be confirmed through a signed link (double opt-in), and only then counts. One open request
    per product and person (a partial unique constraint): asking twice is the same request. It
    is answered by the back-in-stock campaign when the product returns (ProductRestock), once
    per return; the campaign's entry for it says whether the message went out."""

    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("Waiting for the e-mail to be confirmed")
        ACTIVE = "active", _("Waiting for the product")
        CANCELLED = "cancelled", _("Request cancelled")

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="+", verbose_name=_("product")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name=_("customer"),
    )
    email = models.EmailField(_("e-mail"))
    person = models.CharField(_("person"), max_length=120)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("back-in-stock request")
        verbose_name_plural = _("back-in-stock requests")
        constraints = [
            models.UniqueConstraint(
                fields=("product", "person"), condition=~Q(status="cancelled"), name="back_in_stock_once_per_person",
            ),
        ]
        indexes = [models.Index(fields=("product",), condition=Q(status="active"), name="back_in_stock_active")]

    def __str__(self) -> str:
        return f"{self.product_id} · {self.email}"


class ProductRestock(models.Model):
    """A sold-out product that somebody waits for came back in stock: the cause of one round of
    back-in-stock messages (written by a receiver of catalog's products_back_in_stock)."""

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="+", verbose_name=_("product")
    )
    restocked_at = models.DateTimeField(_("back in stock"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ("-restocked_at", "-id")
        verbose_name = _("product back in stock")
        verbose_name_plural = _("products back in stock")
        indexes = [models.Index(fields=("product", "restocked_at"), name="product_restock_product")]

    def __str__(self) -> str:
        return f"{self.product_id} · {self.restocked_at:%Y-%m-%d %H:%M}"


class ProductPriceRecord(models.Model):
    """A price the shop shows from a moment on, as the price-drop scan found it: the history the
    scan compares today's price with, whichever way the price was changed (the admin, the API,
    a supplier's price list written with one UPDATE). A record without a variant is the
    product's own price (what its page shows); one with a variant is that variant's price (what
    a cart line of it sells at). Each record names the one before it in its chain (the
    product's, or the variant's), and a chain cannot fork: two scans at once write one record
    per change."""

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="+", verbose_name=_("product")
    )
    variant = models.ForeignKey(
        "catalog.ProductVariant", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name=_("variant"), db_index=False,  # price_record_variant_latest leads with it
    )
    price = models.DecimalField(_("price, ₽"), max_digits=12, decimal_places=2)
    previous = models.OneToOneField(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="next", verbose_name=_("before")
    )
    recorded_at = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        ordering = ("-recorded_at", "-id")
        verbose_name = _("price record")
        verbose_name_plural = _("price records")
        constraints = [
            models.UniqueConstraint(fields=("product",), condition=Q(previous__isnull=True, variant__isnull=True),
                                    name="price_record_one_first_per_product"),
            models.UniqueConstraint(fields=("variant",), condition=Q(previous__isnull=True, variant__isnull=False),
                                    name="price_record_one_first_per_variant"),
        ]
        indexes = [
            # A product's or a variant's latest record (highest id), and the recent changes the scan reads.
            models.Index(fields=("product", "id"), condition=Q(variant__isnull=True),
                         name="price_record_product_latest"),
            models.Index(fields=("variant", "id"), condition=Q(variant__isnull=False),
                         name="price_record_variant_latest"),
            models.Index(fields=("recorded_at",), name="price_record_recorded"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} · {self.price}"
