"""Dispatch: due entries move step by step into the outbox (see marketing.campaigns.services)."""

import datetime
import hashlib
import logging
from collections import Counter, defaultdict

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from core.bulk import rows_insert, rows_update
from core.transactions import after_commit
from customers.models import User
from marketing.campaigns.models import Campaign, CampaignEntry, CampaignMessage, CampaignStep
from marketing.campaigns.segments import campaign_entries_in_segment
from marketing.campaigns.services.messages import Outgoing, entry_address, message_render
from marketing.campaigns.triggers import TRIGGERS, Content, Verdict
from marketing.kinds import Channel
from marketing.models import OutboundMessage
from marketing.preferences import marketing_consents_given_by_kind
from marketing.schedule import customer_time_zone, window_start
from marketing.services import RecipientInvalid, messages_send_schedule
from marketing.templating import TemplateTextError
from orders.models import PromoCode

logger = logging.getLogger(__name__)

Status = CampaignEntry.Status

DISPATCH_BATCH = 500
DAY = datetime.timedelta(days=1)
WEEK = datetime.timedelta(days=7)


def campaign_entries_dispatch(*, now: datetime.datetime | None = None, batch_size: int = DISPATCH_BATCH) -> Counter:
    """Take up to `batch_size` due entries and move each on (see the package's docstring).

    Guarantees: an entry is handled by one worker at a time (row locks, SKIP LOCKED); a step's
    message exists at most once (its idempotency key names the campaign, the cause and the step);
    the frequency cap holds across workers, because each worker locks the people it is about to
    message before counting what they already received. Returns counts by outcome."""
    now = now or timezone.now()
    counts: Counter = Counter()
    with transaction.atomic():
        entries = list(
            CampaignEntry.objects.select_for_update(skip_locked=True)
            .filter(status=Status.WAITING, due_at__lte=now)
            .order_by("due_at", "id")[:batch_size]
        )
        if not entries:
            return counts
        campaigns = {
            campaign.pk: campaign
            for campaign in Campaign.objects.filter(pk__in={entry.campaign_id for entry in entries})
            .select_related("ab_test").prefetch_related("steps", "texts", "variants")
        }
        by_campaign: dict[int, list[CampaignEntry]] = defaultdict(list)
        for entry in entries:
            by_campaign[entry.campaign_id].append(entry)
        customers = _customers(entries)
        consents = _consents(entries, campaigns)
        outgoing = []
        for campaign_id, group in by_campaign.items():
            outgoing += _decide(campaigns[campaign_id], group, now=now, counts=counts, customers=customers,
                                consents=consents)
        outgoing = outgoing_within_cap(outgoing, now=now, counts=counts)
        message_ids = outgoing_write(outgoing, now=now, counts=counts, customers=customers)
        rows_update(CampaignEntry.objects.all(), entries, ["status", "next_step", "due_at", "decided_at", "note"])
        if message_ids:
            # One task sends the batch (one claim, one connection to the mail server, results in
            # bulk), behind any order message in the broker's queue.
            after_commit(lambda: messages_send_schedule(message_ids=message_ids, marketing=True))
    return counts


def _stop(entry: CampaignEntry, reason: str, counts: Counter, outcome: str) -> None:
    entry.status, entry.note = Status.STOPPED, str(reason)[:255]
    counts[outcome] += 1


def _postpone(entry: CampaignEntry, until: datetime.datetime, counts: Counter, outcome: str) -> None:
    entry.due_at = until
    counts[outcome] += 1


def _decide(campaign: Campaign, entries: list[CampaignEntry], *, now, counts: Counter, customers: dict[int, User],
            consents: dict[str, set]) -> list[Outgoing]:
    if not campaign.is_running(now):
        for entry in entries:
            _stop(entry, gettext("The campaign is off."), counts, "campaign_off")
        return []
    steps = {step.position: step for step in campaign.steps.all()}
    verdicts = TRIGGERS[campaign.kind].verdicts(entries)
    in_segment = campaign_entries_in_segment(campaign=campaign, entries=entries)
    outgoing = []
    for entry in entries:
        step = steps.get(entry.next_step)
        verdict: Verdict = verdicts.get(entry.pk, Verdict(stop=gettext("The cause is gone.")))
        if step is None:
            entry.status = Status.DONE
            continue
        if verdict.stop:
            _stop(entry, verdict.stop, counts, "cause_gone")
            continue
        if entry.pk not in in_segment:
            _stop(entry, gettext("Not in the campaign's segment."), counts, "not_in_segment")
            continue
        due = verdict.since + step.delay
        if due > now:
            _postpone(entry, due, counts, "not_due")
            continue
        opens = window_start(
            now, start=campaign.send_window_start, end=campaign.send_window_end,
            zone=customer_time_zone(user=customers.get(entry.user_id)),
        )
        if opens > now:
            _postpone(entry, opens, counts, "outside_window")
            continue
        channel = _channel_for(step, entry, campaign.kind, consents)
        if channel is None:
            _stop(entry, gettext("No consent to marketing through this channel."), counts, "no_consent")
            continue
        if entry.decided_at is None:
            entry.decided_at = now
            if campaign.in_holdout(entry.person):
                entry.status, entry.note = Status.HELD_OUT, gettext("In the holdout group.")
                counts["held_out"] += 1
                continue
        outgoing.append(Outgoing(entry, campaign, step, channel, entry_address(entry, channel)))
    return outgoing


def _consents(entries: list[CampaignEntry], campaigns: dict[int, Campaign]) -> dict[str, set]:
    """Per channel, the (person, kind) pairs of the batch that may receive marketing: one query
    per channel for all the batch's campaigns."""
    asking: dict[str, list] = defaultdict(list)
    for entry in entries:
        campaign = campaigns[entry.campaign_id]
        for channel in {channel for step in campaign.steps.all() for channel in STEP_CHANNELS[step.channel]}:
            asking[channel].append(((entry.user_id, entry_address(entry, channel)), campaign.kind))
    return {channel: marketing_consents_given_by_kind(channel=channel, asking=pairs)
            for channel, pairs in asking.items()}


def _customers(entries: list[CampaignEntry]) -> dict[int, User]:
    """The entries' accounts with what the engine reads of them (time zone, language), in one query."""
    people = {entry.user_id for entry in entries if entry.user_id}
    return User.objects.only("pk", "timezone", "language").in_bulk(people)


# The channels a step may use, in the order it tries them.
STEP_CHANNELS = {
    CampaignStep.Channel.EMAIL: (Channel.EMAIL,),
    CampaignStep.Channel.SMS: (Channel.SMS,),
    CampaignStep.Channel.EMAIL_OR_SMS: (Channel.EMAIL, Channel.SMS),
}


def _channel_for(step: CampaignStep, entry: CampaignEntry, kind: str, consents: dict[str, set]) -> str | None:
    for channel in STEP_CHANNELS[step.channel]:
        address = entry_address(entry, channel)
        if address and ((entry.user_id, address), kind) in consents[channel]:
            return channel
    return None


def _lock_people(people: list[str]) -> None:
    """Serialise workers messaging the same person (PostgreSQL advisory locks, released at
    commit, taken in one order so two workers cannot deadlock). SQLite has one writer anyway."""
    if connection.vendor != "postgresql" or not people:
        return
    keys = sorted({int.from_bytes(hashlib.sha256(person.encode()).digest()[:8], "big", signed=True)
                   for person in people})
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT unnest(%s::bigint[]) AS k ORDER BY 1) AS keys",
            [keys],
        )


def outgoing_within_cap(outgoing: list[Outgoing], *, now, counts: Counter) -> list[Outgoing]:
    """Keep what the frequency cap allows; the rest waits for the person's next free slot
    (and is dropped then if its cause has gone meanwhile)."""
    people = [item.entry.person for item in outgoing]
    _lock_people(people)
    received: dict[str, list[datetime.datetime]] = defaultdict(list)
    for person, written_at in CampaignMessage.objects.filter(
        person__in=set(people), created_at__gt=now - WEEK
    ).values_list("person", "created_at"):
        received[person].append(written_at)
    per_day, per_week = settings.MARKETING_CAP_PER_DAY, settings.MARKETING_CAP_PER_WEEK
    allowed = []
    for item in outgoing:
        times = sorted(received[item.entry.person])
        today = [moment for moment in times if moment > now - DAY]
        free_at = None
        if len(today) >= per_day:
            free_at = today[len(today) - per_day] + DAY
        if len(times) >= per_week:
            free_at = max(free_at or now, times[len(times) - per_week] + WEEK)
        if free_at is not None:
            _postpone(item.entry, free_at, counts, "capped")
            continue
        received[item.entry.person].append(now)
        allowed.append(item)
    return allowed


def outgoing_write(outgoing: list[Outgoing], *, now, counts: Counter, customers: dict[int, User] | None = None,
                   ) -> list[int]:
    """Render each allowed step and write it to the outbox with its campaign row; returns the
    outbox ids to send after commit. `customers`: the entries' accounts, if the caller has read them."""
    language = settings.LANGUAGE_CODE[:2]
    contents: dict[int, Content] = {}
    if customers is None:
        customers = _customers([item.entry for item in outgoing])
    by_campaign: dict[int, list[Outgoing]] = defaultdict(list)
    for item in outgoing:
        by_campaign[item.campaign.pk].append(item)
    for items in by_campaign.values():
        campaign = items[0].campaign
        contents.update(TRIGGERS[campaign.kind].contents([item.entry for item in items], language=language))

    rows: list[tuple[Outgoing, OutboundMessage, CampaignMessage, PromoCode | None]] = []
    for item in outgoing:
        if item.entry.pk not in contents:
            _stop(item.entry, gettext("The cart can no longer be ordered."), counts, "cause_gone")
            continue
        customer = customers.get(item.entry.user_id)
        try:
            # In the customer's language when the shop knows it (and the text exists in it).
            rows.append(message_render(
                item, contents[item.entry.pk], language=(customer and customer.language) or language, now=now,
                zone=customer_time_zone(user=customer),
            ))
        except (TemplateTextError, RecipientInvalid, TypeError) as error:
            logger.warning("Campaign entry %s not sendable: %s", item.entry.pk, error)
            _stop(item.entry, str(error), counts, "not_sendable")
            continue
        entry, step = item.entry, item.step
        next_step = next((s for s in sorted(item.campaign.steps.all(), key=lambda s: s.position)
                          if s.position > step.position), None)
        if next_step is None:
            entry.status = Status.DONE
            entry.next_step = step.position + 1
        else:
            # A first guess: before sending, the next step's delay is counted again from the cause.
            entry.next_step = next_step.position
            entry.due_at = max(entry.triggered_at + next_step.delay, now)
        counts["sent"] += 1

    rows_insert([promo for *_rest, promo in rows if promo is not None])
    messages = rows_insert([message for _item, message, _cm, _promo in rows])
    for (_item, _message, campaign_message, _promo), message in zip(rows, messages, strict=True):
        campaign_message.message = message
    rows_insert([campaign_message for _item, _message, campaign_message, _promo in rows])
    return [message.pk for message in messages]
