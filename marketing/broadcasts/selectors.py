"""Reads of broadcasts: each recipient's best hour, the live progress, the click map."""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from marketing.broadcasts.models import Broadcast
from marketing.campaigns.links import click_read
from marketing.campaigns.models import CampaignEntry, CampaignEvent, CampaignMessage
from marketing.models import OutboundMessage

# How far back opens and clicks tell a person's habits.
HABIT_DAYS = 180


def engagement_moments(*, user_ids: list[int]) -> dict[int, list[datetime.datetime]]:
    """When each of these customers opened or clicked a message, as a person (not a mail
    scanner), over the last HABIT_DAYS: one query for a batch of recipients."""
    since = timezone.now() - datetime.timedelta(days=HABIT_DAYS)
    moments: dict[int, list[datetime.datetime]] = defaultdict(list)
    events = CampaignEvent.objects.filter(
        message__user_id__in=user_ids, is_human=True, created_at__gte=since,
        kind__in=[CampaignEvent.Kind.OPEN, CampaignEvent.Kind.CLICK],
    )
    for user_id, moment in events.values_list("message__user_id", "created_at"):
        moments[user_id].append(moment)
    return moments


@dataclass(frozen=True)
class Progress:
    status: str
    status_label: str
    recipients: int
    queued: int
    sent: int
    failed: int
    skipped: int
    pending: int
    all_queued: bool

    def as_json(self) -> dict:
        return {**self.__dict__}


Sent = OutboundMessage.Status


def broadcast_progress(*, broadcast: Broadcast) -> Progress:
    """Where a broadcast stands: recipients still queued, messages sent, failed and on their
    way, and those skipped (no consent any more, holdout, cancelled). Two grouped counts."""
    entries = dict(
        CampaignEntry.objects.filter(campaign_id=broadcast.pk).values_list("status").annotate(n=Count("pk"))
        .order_by()
    )
    messages = CampaignMessage.objects.filter(campaign_id=broadcast.pk).aggregate(
        sent=Count("pk", filter=Q(message__status=Sent.SENT)),
        failed=Count("pk", filter=Q(message__status__in=[Sent.FAILED, Sent.UNKNOWN])),
        cancelled=Count("pk", filter=Q(message__status=Sent.CANCELLED)),
        pending=Count("pk", filter=Q(message__status__in=[Sent.PENDING, Sent.SENDING])),
    )
    skipped = entries.get(CampaignEntry.Status.STOPPED, 0) + entries.get(CampaignEntry.Status.HELD_OUT, 0)
    return Progress(
        status=broadcast.status, status_label=str(broadcast.get_status_display()),
        recipients=sum(entries.values()), queued=entries.get(CampaignEntry.Status.QUEUED, 0),
        sent=messages["sent"], failed=messages["failed"], skipped=skipped + messages["cancelled"],
        pending=messages["pending"], all_queued=broadcast.queued_at is not None,
    )


def human_clicks_by_link(*, campaign_id: int, variant_id: int | None = None) -> dict[int, int]:
    """Clicks by people on each link number of a campaign's messages (of one A/B variant)."""
    events = CampaignEvent.objects.filter(message__campaign_id=campaign_id, kind=CampaignEvent.Kind.CLICK,
                                          is_human=True)
    if variant_id is not None:
        events = events.filter(message__variant_id=variant_id)
    return dict(events.values_list("link").annotate(clicks=Count("pk")).order_by("link"))


_TRACKED_LINK = re.compile(r'<a href="[^"]*/m/c/(?P<signed>[^"/]+)/"[^>]*>.*?</a>', re.DOTALL)
_BADGE = ('<span class="click-share" style="display:inline-block;margin:0 6px;padding:2px 8px;border-radius:10px;'
          'background:#dc2626;color:#ffffff;font:bold 13px Arial,sans-serif">{share}</span>')


def click_map_html(*, campaign_id: int, clicks_by_link: dict[int, int], variant_id: int | None = None) -> str:
    """The e-mail as sent (the first recipient's copy, of `variant_id` if given), each tracked
    link followed by a badge with its share of the human clicks. The copy is the shop's own
    HTML, so its links are found by the shop's own click-link format."""
    messages = CampaignMessage.objects.filter(campaign_id=campaign_id, channel="email").select_related("message")
    if variant_id is not None:
        messages = messages.filter(variant_id=variant_id)
    sample = messages.order_by("id").first()
    if sample is None:
        return ""
    total = sum(clicks_by_link.values())

    def mark(match: re.Match) -> str:
        read = click_read(match["signed"])
        share = clicks_by_link.get(read[1], 0) / total if read and total else 0.0
        return match.group(0) + _BADGE.format(share=f"{share:.0%}")

    return _TRACKED_LINK.sub(mark, sample.message.html_body)
