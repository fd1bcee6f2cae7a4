"""A/B tests of a campaign's message (a trigger campaign or a broadcast): the variants, the share
of people who take part, the metric that picks the winner and how long to wait for it.

Who gets which variant is decided per person by a hash of the campaign and the person
(`marketing.abtests.services.ab_assignment`), so a person always lands in the same group and no
table of assignments is needed. Every message written during a test records its variant and
whether it was part of the test (`CampaignMessage.variant`, `CampaignMessage.in_test`): the
statistics compare only the test's messages.
"""

import datetime
import string

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketing.campaigns.models import Campaign
from marketing.kinds import placeholders_for
from marketing.templating import TemplateTextError, template_check


class ABVariant(models.Model):
    """One version of the message. A blank field keeps the campaign's own text for it, so the
    first variant may be the text as it is and the second change only the subject."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="variants", verbose_name=_("campaign")
    )
    position = models.PositiveSmallIntegerField(
        _("variant"), validators=[MinValueValidator(1), MaxValueValidator(len(string.ascii_uppercase))],
        help_text=_("1 is A, the variant kept when the test finds no significant difference."),
    )
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    sender_name = models.CharField(_("sender name"), max_length=100, blank=True)
    body = models.TextField(_("text"), max_length=5000, blank=True)
    sms_body = models.CharField(_("SMS text"), max_length=500, blank=True)
    button = models.CharField(_("call to action"), max_length=60, blank=True, help_text=_("The button's words."))

    class Meta:
        ordering = ("campaign", "position")
        verbose_name = _("A/B variant")
        verbose_name_plural = _("A/B variants")
        constraints = [
            models.UniqueConstraint(fields=("campaign", "position"), name="ab_variant_unique_position"),
        ]

    def __str__(self) -> str:
        return self.letter

    @property
    def letter(self) -> str:
        return string.ascii_uppercase[self.position - 1] if 1 <= self.position <= 26 else str(self.position)

    def clean(self) -> None:
        allowed = placeholders_for(self.campaign.kind) if self.campaign_id else placeholders_for("")
        errors = {}
        for field in ("subject", "body", "sms_body"):
            try:
                template_check(getattr(self, field), allowed=allowed)
            except TemplateTextError as error:
                errors[field] = str(error)
        if errors:
            raise ValidationError(errors)


class ABTest(models.Model):
    """The test of a campaign's variants: `test_percent` of the people, split evenly between
    the variants, for `wait_hours`; then the winner by `metric` goes to everyone else. A
    difference without significance (p ≥ 0.05) keeps variant A, and the verdict says so."""

    class Outcome(models.TextChoices):
        WON = "won", _("The winner did better than A, and the difference is significant.")
        FIRST_AHEAD = "first_ahead", _("Variant A did best: it is kept.")
        NOT_SIGNIFICANT = "not_significant", _("The difference is not significant: variant A is kept.")
        TIE = "tie", _("A tie: variant A is kept.")

    class Metric(models.TextChoices):
        CLICKS = "clicks", _("Human clicks")
        ORDERS = "orders", _("Orders")
        REVENUE = "revenue", _("Revenue")

    campaign = models.OneToOneField(
        Campaign, on_delete=models.CASCADE, related_name="ab_test", verbose_name=_("campaign")
    )
    test_percent = models.PositiveSmallIntegerField(
        _("test share, %"), default=20, validators=[MinValueValidator(2), MaxValueValidator(100)],
        help_text=_("Split evenly between the variants; the rest gets the winner."),
    )
    metric = models.CharField(_("winning metric"), max_length=8, choices=Metric.choices, default=Metric.CLICKS)
    wait_hours = models.PositiveIntegerField(
        _("waiting time, hours"), default=4, validators=[MinValueValidator(1), MaxValueValidator(24 * 30)]
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    winner = models.ForeignKey(
        ABVariant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("winner")
    )
    outcome = models.CharField(_("verdict"), max_length=16, choices=Outcome.choices, blank=True)
    p_value = models.FloatField(_("p-value"), null=True, blank=True)

    class Meta:
        verbose_name = _("A/B test")
        verbose_name_plural = _("A/B tests")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(test_percent__gte=2, test_percent__lte=100), name="ab_test_share_in_range"
            ),
        ]
        indexes = [
            models.Index(fields=("started_at",), condition=models.Q(decided_at__isnull=True), name="ab_test_running"),
        ]

    def __str__(self) -> str:
        return str(self.campaign)

    @property
    def ends_at(self) -> datetime.datetime | None:
        return self.started_at + datetime.timedelta(hours=self.wait_hours) if self.started_at else None

    def is_running(self, now: datetime.datetime) -> bool:
        return self.started_at is not None and self.decided_at is None and self.started_at <= now
