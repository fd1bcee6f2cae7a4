"""Broadcasts: one message to a segment, sent now, at a set time, at that time in each
recipient's zone, or at each recipient's best hour.

A broadcast is a campaign (multi-table inheritance) whose trigger is the marketer pressing
"Schedule": it keeps its texts (CampaignText, one per language), its A/B test, its recipients
(one CampaignEntry per person, status "queued" until their message is written) and its messages
(CampaignMessage) where every campaign keeps them. So consent, the frequency cap, tracking
links, attribution, holdout and statistics are the trigger campaigns' own, not a copy.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketing.campaigns.models import Campaign
from marketing.kinds import Channel, MessageKind


class Broadcast(Campaign):
    """A one-off message to a segment. Moves draft → scheduled → sending ⇄ paused → done, or
    cancelled from any state before done. Its send time is the campaign's `starts_at`."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        PAUSED = "paused", _("Paused")
        DONE = "done", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    class Timing(models.TextChoices):
        NOW = "now", _("Now")
        AT = "at", _("At the set time")
        LOCAL = "local", _("At the set time in each recipient's time zone")
        BEST = "best", _("At each recipient's best hour")

    # Its audience is the campaign's `segment`, required here (a trigger campaign may go to everyone).
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    timing = models.CharField(_("when"), max_length=8, choices=Timing.choices, default=Timing.NOW)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # Recipients are queued in batches by user id; the last id queued commits with its batch,
    # so a worker killed halfway resumes after it: no gap, and the entries' unique cause refuses
    # a duplicate.
    queued_up_to = models.BigIntegerField(_("queued up to customer"), default=0, editable=False)
    queued_at = models.DateTimeField(_("all recipients queued"), null=True, blank=True, editable=False)
    recipients = models.PositiveIntegerField(_("recipients"), default=0, editable=False)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("scheduled by"), editable=False,
    )
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ("-campaign_ptr",)
        verbose_name = _("broadcast")
        verbose_name_plural = _("broadcasts")

    def save(self, *args, **kwargs):
        self.kind = MessageKind.BROADCAST
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.segment_id is None:
            raise ValidationError({"segment": _("Choose the segment to send to.")})
        if self.timing != self.Timing.NOW and self.starts_at is None:
            raise ValidationError({"starts_at": _("Set the time to send at.")})

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    def queue_from(self) -> datetime.datetime | None:
        """When its recipients are queued: the send time, or half a day earlier for local
        times, so that customers east of the shop get it at their own hour."""
        if self.starts_at is None:
            return None
        if self.timing == self.Timing.LOCAL:
            return self.starts_at - LOCAL_TIME_LEAD
        return self.starts_at


# The farthest zone of Russia is 9 hours ahead of Moscow; a day's margin covers any shop's zone.
LOCAL_TIME_LEAD = datetime.timedelta(hours=14)


class ChannelThrottle(models.Model):
    """How many broadcast messages a channel may take per minute (the provider's limit, or the
    shop's choice), and how many the current minute has taken. The sender locks this row, so
    workers running at once share one allowance."""

    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, primary_key=True)
    per_minute = models.PositiveIntegerField(_("messages per minute"), validators=[MinValueValidator(1)])
    window_started_at = models.DateTimeField(_("minute started"), default=timezone.now, editable=False)
    used = models.PositiveIntegerField(_("taken this minute"), default=0, editable=False)

    class Meta:
        verbose_name = _("sending rate")
        verbose_name_plural = _("sending rates")

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.per_minute}/min"
