"""Sending a broadcast: schedule, queue its recipients, write their messages at the channel's
rate, pause, resume, cancel.

Beat runs `broadcasts_advance` every minute. A broadcast whose time has come is queued: its
segment's reachable customers become one CampaignEntry each (status "queued", due at their own
time: now, the set time, that time in their zone, or their best hour), in batches by customer
id; each batch commits with the broadcast's cursor, so a worker killed halfway resumes after
the last committed batch, and the entry's unique cause (the person) refuses a duplicate. Then
the sender takes due entries of sending broadcasts, no more than the channel's rate allows this
minute, checks consent, holdout and the frequency cap with the trigger campaigns' own
functions, and writes each message to the outbox (idempotency key: campaign, person, step) in
the same transaction that marks the entry done; the messages go out after commit. A kill in the
middle of a batch rolls the batch back whole: nothing written twice, nobody skipped.
"""

import datetime
import logging
from collections import Counter, defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, DateTimeField, Value
from django.db.models.functions import Cast, Concat, Lower
from django.utils import timezone
from django.utils.translation import gettext

from core.bulk import rows_insert_selected, rows_update
from core.transactions import after_commit
from customers.models import User
from marketing.abtests.services import ab_group, ab_test_decide, ab_test_of, ab_test_start
from marketing.broadcasts.models import Broadcast, ChannelThrottle
from marketing.broadcasts.selectors import engagement_moments
from marketing.broadcasts.timing import best_hour, default_send_time, next_at_hour, same_wall_time
from marketing.campaigns.models import CampaignEntry, CampaignStep
from marketing.campaigns.services import Outgoing, outgoing_within_cap, outgoing_write
from marketing.kinds import Channel
from marketing.models import OutboundMessage
from marketing.preferences import marketing_consents_given
from marketing.schedule import window_start, zone_for
from marketing.segments.selectors import segment_reachable
from marketing.services import messages_send_schedule

logger = logging.getLogger(__name__)

Status = Broadcast.Status
Entry = CampaignEntry.Status
QUEUE_BATCH = 10_000
SEND_BATCH = 1000
MINUTE = datetime.timedelta(minutes=1)
# How long a recipient's own time lasts (best_hour gives an hour): resumed within it, they still go.
SLOT = datetime.timedelta(hours=1)


class BroadcastRefused(ValueError):
    """The broadcast cannot do that now; the message says why, in the marketer's words."""


# --- Scheduling and control ----------------------------------------------------------------


@transaction.atomic
def broadcast_schedule(
    *, broadcast: Broadcast, by: User | None = None, now: datetime.datetime | None = None
) -> Broadcast:
    """Draft → scheduled: it starts at its time (now for "now"). Refused without a segment, a
    text for the channel in the shop's language, or a time. Its A/B test, if it has one,
    starts when the broadcast does."""
    now = now or timezone.now()
    broadcast = Broadcast.objects.select_for_update().get(pk=broadcast.pk)
    if broadcast.status != Status.DRAFT:
        raise BroadcastRefused(gettext("Only a draft can be scheduled."))
    if broadcast.segment_id is None:
        raise BroadcastRefused(gettext("Choose the segment to send to."))
    language = settings.LANGUAGE_CODE[:2]
    text = broadcast.texts.filter(step=1, language=language).first()
    if text is None:
        raise BroadcastRefused(gettext("Write the text in the shop's language first."))
    if broadcast.channel == Channel.EMAIL and not text.subject.strip():
        raise BroadcastRefused(gettext("An e-mail needs a subject."))
    if broadcast.timing == Broadcast.Timing.NOW:
        broadcast.starts_at = now
    elif broadcast.starts_at is None:
        raise BroadcastRefused(gettext("Set the time to send at."))
    broadcast_step_sync(broadcast=broadcast)
    broadcast.status, broadcast.scheduled_by = Status.SCHEDULED, by
    broadcast.save(update_fields=["status", "scheduled_by", "starts_at"])
    test = ab_test_of(broadcast)
    if test is not None:
        ab_test_start(test=test, at=broadcast.starts_at)
    return broadcast


def broadcast_step_sync(*, broadcast: Broadcast) -> CampaignStep:
    """The broadcast's one message as the campaign engine sees it: step 1, no delay, by its
    channel (kept in step with the channel whenever the broadcast is saved, so it previews)."""
    step, _created = CampaignStep.objects.update_or_create(
        campaign_id=broadcast.pk, position=1,
        defaults={"delay_hours": 0, "channel": CampaignStep.Channel.SMS if broadcast.channel == Channel.SMS
                  else CampaignStep.Channel.EMAIL},
    )
    return step


def broadcast_pause(*, broadcast: Broadcast) -> bool:
    """Sending → paused: no further message is written until it is resumed (those written in
    the current minute are already on their way). Returns whether it paused."""
    return _move(broadcast, Status.SENDING, Status.PAUSED)


@transaction.atomic
def broadcast_resume(*, broadcast: Broadcast, now: datetime.datetime | None = None) -> bool:
    """Paused → sending; recipients whose time passed meanwhile go out at the channel's rate,
    except where each has a time of their own (best hour, local time): whoever's time is over
    gets it when that time comes round again in their zone (within the broadcast's send window,
    if it has one), not at once, at night. Those still ahead keep their time. The recipients are
    moved in the same transaction, so the sender never sees the broadcast going with them overdue."""
    now = now or timezone.now()
    if not _move(broadcast, Status.PAUSED, Status.SENDING):
        return False
    if broadcast.timing in (Broadcast.Timing.BEST, Broadcast.Timing.LOCAL):
        _overdue_put_off(broadcast, now=now)
    return True


def _overdue_put_off(broadcast: Broadcast, *, now: datetime.datetime) -> int:
    """Move each queued recipient whose time is over to the next time it comes round: their
    time of day in their zone is a slot an hour long (best_hour's hour), so someone resumed
    within it still goes now. One UPDATE per due time and zone (a day has 24 best hours), not
    one per person. Returns how many were moved."""
    overdue = CampaignEntry.objects.filter(campaign_id=broadcast.pk, status=Entry.QUEUED, due_at__lt=now)
    moved = 0
    for due_at, zone_name in overdue.order_by().values_list("due_at", "user__timezone").distinct():
        zone = zone_for(zone_name or "")
        slot = due_at.astimezone(zone)
        slot_end = (slot + SLOT).time()
        due = window_start(now, start=slot.time(), end=slot_end, zone=zone)
        due = window_start(due, start=broadcast.send_window_start, end=broadcast.send_window_end, zone=zone)
        if due > now:
            moved += overdue.filter(due_at=due_at, user__timezone=zone_name).update(due_at=due)
    return moved


@transaction.atomic
def broadcast_cancel(*, broadcast: Broadcast, now: datetime.datetime | None = None) -> bool:
    """Cancel before it is done: recipients still queued get nothing, and messages written but
    not yet claimed by a worker are cancelled (a worker only sends a pending row it claims)."""
    now = now or timezone.now()
    cancelled = Broadcast.objects.filter(
        pk=broadcast.pk, status__in=[Status.DRAFT, Status.SCHEDULED, Status.SENDING, Status.PAUSED]
    ).update(status=Status.CANCELLED, finished_at=now)
    if not cancelled:
        return False
    CampaignEntry.objects.filter(campaign_id=broadcast.pk, status=Entry.QUEUED).update(
        status=Entry.STOPPED, note=gettext("The broadcast was cancelled.")
    )
    OutboundMessage.objects.filter(campaign_message__campaign_id=broadcast.pk, status=OutboundMessage.Status.PENDING
                                   ).update(status=OutboundMessage.Status.CANCELLED,
                                            last_error="The broadcast was cancelled.")
    return True


def _move(broadcast: Broadcast, source: str, target: str) -> bool:
    moved = Broadcast.objects.filter(pk=broadcast.pk, status=source).update(status=target)
    if moved:
        broadcast.status = target
    return bool(moved)


# --- Beat ------------------------------------------------------------------------------------


def broadcasts_advance(*, now: datetime.datetime | None = None) -> Counter:
    """One beat: start broadcasts whose time has come, queue their recipients, decide A/B
    tests that are due, write due messages within each channel's rate, and mark broadcasts
    done when nobody is left. Safe to run twice at once (row locks, conditional updates)."""
    now = now or timezone.now()
    counts: Counter = Counter()
    for broadcast in Broadcast.objects.filter(status=Status.SCHEDULED, starts_at__isnull=False):
        start = broadcast.queue_from()
        if start <= now and _move(broadcast, Status.SCHEDULED, Status.SENDING):
            counts["started"] += 1
    for broadcast in Broadcast.objects.filter(status__in=[Status.SENDING, Status.PAUSED], queued_at__isnull=True):
        counts["queued"] += broadcast_queue(broadcast=broadcast, now=now)
    for broadcast in Broadcast.objects.filter(status=Status.SENDING).select_related("ab_test"):
        test = ab_test_of(broadcast)
        if test is not None:
            counts["ab_decided"] += ab_test_decide(test=test, now=now)
    counts.update(broadcasts_send(now=now))
    for broadcast in Broadcast.objects.filter(status=Status.SENDING, queued_at__isnull=False):
        if not CampaignEntry.objects.filter(campaign_id=broadcast.pk, status=Entry.QUEUED).exists():
            counts["done"] += Broadcast.objects.filter(pk=broadcast.pk, status=Status.SENDING).update(
                status=Status.DONE, finished_at=now)
    return counts


# --- Queueing ----------------------------------------------------------------------------------


def broadcast_queue(*, broadcast: Broadcast, now: datetime.datetime | None = None,
                    batch_size: int = QUEUE_BATCH, max_batches: int | None = None) -> int:
    """Queue the segment's reachable customers, batch by batch (see the module's docstring);
    returns how many this call queued. Each batch is one transaction with the cursor."""
    now = now or timezone.now()
    queued, batches = 0, 0
    while max_batches is None or batches < max_batches:
        added = _queue_batch(broadcast.pk, now=now, batch_size=batch_size)
        if added is None:
            break
        queued += added
        batches += 1
    return queued


@transaction.atomic
def _queue_batch(broadcast_id: int, *, now: datetime.datetime, batch_size: int) -> int | None:
    """Queue the next batch; None when every recipient is queued (or the broadcast ended)."""
    Broadcast.objects.select_for_update().filter(pk=broadcast_id).values_list("pk").get()
    broadcast = Broadcast.objects.select_related("segment", "ab_test").prefetch_related("variants").get(pk=broadcast_id)
    if broadcast.status not in (Status.SENDING, Status.PAUSED) or broadcast.queued_at is not None:
        return None
    members = (
        segment_reachable(segment=broadcast.segment, channel=broadcast.channel)
        .filter(pk__gt=broadcast.queued_up_to).order_by("pk")
    )
    if broadcast.timing in (Broadcast.Timing.NOW, Broadcast.Timing.AT) and ab_test_of(broadcast) is None:
        # Everyone is due at the start: the database copies the batch itself.
        ids = list(members.values_list("pk", flat=True)[:batch_size])
        if ids:
            _entries_insert(broadcast, ids, due=max(broadcast.starts_at, now), now=now)
    else:
        people = list(members.values_list("pk", "email", "phone", "timezone")[:batch_size])
        ids = [pk for pk, *_rest in people]
        if people:
            due = _dues(broadcast, people, now=now)
            CampaignEntry.objects.bulk_create(
                [
                    CampaignEntry(
                        campaign_id=broadcast.pk, cause=f"user:{pk}", user_id=pk, email=(email or "").lower(),
                        phone=phone, person=f"user:{pk}", triggered_at=broadcast.starts_at, next_step=1,
                        due_at=due[pk], status=Entry.QUEUED, created_at=now,
                    )
                    for pk, email, phone, _zone in people
                ],
                ignore_conflicts=True,
            )
    if not ids:
        broadcast.queued_at = now
        broadcast.save(update_fields=["queued_at"])
        return None
    broadcast.queued_up_to = ids[-1]
    broadcast.recipients += len(ids)
    broadcast.save(update_fields=["queued_up_to", "recipients"])
    return len(ids)


def _entries_insert(broadcast: Broadcast, ids: list[int], *, due: datetime.datetime, now: datetime.datetime) -> None:
    """One INSERT … SELECT of these customers as queued recipients due at `due`: the values the
    Python path writes (cause and person "user:<id>", the e-mail in lower case); ON CONFLICT DO
    NOTHING leaves a recipient already queued as they are."""
    person = Concat(Value("user:"), Cast("pk", CharField()), output_field=CharField())
    rows = User.objects.filter(pk__in=ids).annotate(
        entry_campaign=Value(broadcast.pk), entry_person=person, entry_email=Lower("email"),
        entry_triggered=Value(broadcast.starts_at, output_field=DateTimeField()),
        entry_due=Value(due, output_field=DateTimeField()), entry_created=Value(now, output_field=DateTimeField()),
        entry_step=Value(1), entry_status=Value(Entry.QUEUED), entry_note=Value(""),
    )
    columns = {
        "campaign_id": "entry_campaign", "cause": "entry_person", "user_id": "id", "email": "entry_email",
        "phone": "phone", "person": "entry_person", "triggered_at": "entry_triggered", "due_at": "entry_due",
        "created_at": "entry_created", "next_step": "entry_step", "status": "entry_status", "note": "entry_note",
    }
    rows_insert_selected(CampaignEntry, rows, columns, unique=("campaign_id", "cause"))


def _dues(broadcast: Broadcast, people: list[tuple], *, now: datetime.datetime) -> dict[int, datetime.datetime]:
    """Each person's due time. In an A/B test, those outside the test share are due after the
    verdict (their own time counted from then), when the winner is known."""
    Timing = Broadcast.Timing
    start = max(broadcast.starts_at, now) if broadcast.timing != Timing.LOCAL else now
    test = ab_test_of(broadcast)
    variants = len(broadcast.variants.all())
    moments = engagement_moments(user_ids=[pk for pk, *_rest in people]) if broadcast.timing == Timing.BEST else {}
    fallback = broadcast.send_window_start or default_send_time()
    due = {}
    for pk, _email, _phone, zone_name in people:
        not_before = start
        if test is not None and ab_group(campaign_id=broadcast.pk, person=f"user:{pk}",
                                         test_percent=test.test_percent, variants=variants) is None:
            not_before = max(start, test.ends_at)
        zone = zone_for(zone_name)
        if broadcast.timing == Timing.BEST:
            hour = best_hour(moments.get(pk, []), zone=zone)
            at = datetime.time(hour) if hour is not None else fallback
            due[pk] = next_at_hour(not_before, at=at, zone=zone)
        elif broadcast.timing == Timing.LOCAL:
            due[pk] = same_wall_time(broadcast.starts_at, zone=zone, not_before=not_before)
        else:
            due[pk] = not_before
    return due


# --- Sending -----------------------------------------------------------------------------------


def broadcasts_send(*, now: datetime.datetime | None = None, batch_size: int = SEND_BATCH) -> Counter:
    """Write the due messages of sending broadcasts, channel by channel, within the channel's
    rate for the current minute. Returns counts by outcome."""
    now = now or timezone.now()
    counts: Counter = Counter()
    for channel in Channel.values:
        broadcast_ids = list(
            Broadcast.objects.filter(status=Status.SENDING, channel=channel).values_list("pk", flat=True)
        )
        while broadcast_ids and _send_batch(channel, broadcast_ids, now=now, batch_size=batch_size, counts=counts):
            pass
    return counts


@transaction.atomic
def _send_batch(channel: str, broadcast_ids: list[int], *, now, batch_size: int, counts: Counter) -> bool:
    """One batch under the channel's lock; False when the minute's allowance or the due
    recipients are used up (a recipient put off, by the cap or an A/B verdict, is due later)."""
    throttle = _throttle(channel, now=now)
    allowance = throttle.per_minute - throttle.used
    if allowance <= 0:
        counts["throttled"] += 1
        return False
    entries = list(
        CampaignEntry.objects.select_for_update(skip_locked=True)
        .filter(campaign_id__in=broadcast_ids, status=Entry.QUEUED, due_at__lte=now)
        .order_by("due_at", "id")[:min(allowance, batch_size)]
    )
    if not entries:
        return False
    broadcasts = {
        broadcast.pk: broadcast for broadcast in Broadcast.objects.filter(pk__in={e.campaign_id for e in entries})
        .select_related("ab_test").prefetch_related("steps", "texts", "variants")
    }
    by_broadcast: dict[int, list[CampaignEntry]] = defaultdict(list)
    for entry in entries:
        by_broadcast[entry.campaign_id].append(entry)
    outgoing: list[Outgoing] = []
    for broadcast_id, group in by_broadcast.items():
        outgoing += _decide(broadcasts[broadcast_id], group, now=now, counts=counts)
    outgoing = outgoing_within_cap(outgoing, now=now, counts=counts)
    message_ids = outgoing_write(outgoing, now=now, counts=counts)
    rows_update(CampaignEntry.objects.all(), entries, ["status", "next_step", "due_at", "decided_at", "note"])
    throttle.used += len(message_ids)
    throttle.save(update_fields=["window_started_at", "used"])
    if message_ids:
        # One task sends the batch, behind any order message in the broker's queue.
        after_commit(lambda: messages_send_schedule(message_ids=message_ids, marketing=True))
    return True


def _throttle(channel: str, *, now: datetime.datetime) -> ChannelThrottle:
    """The channel's rate row, locked, with a fresh allowance once its minute is over."""
    default = settings.BROADCAST_SMS_PER_MINUTE if channel == Channel.SMS else settings.BROADCAST_EMAILS_PER_MINUTE
    ChannelThrottle.objects.get_or_create(channel=channel, defaults={"per_minute": default, "window_started_at": now})
    throttle = ChannelThrottle.objects.select_for_update().get(channel=channel)
    if now - throttle.window_started_at >= MINUTE or now < throttle.window_started_at:
        throttle.window_started_at, throttle.used = now, 0
    return throttle


def _decide(broadcast: Broadcast, entries: list[CampaignEntry], *, now, counts: Counter) -> list[Outgoing]:
    """Who of these due recipients gets their message now: consent today (the same rule as
    triggers), not in the holdout, and, while an A/B test waits for its verdict, only the
    test's share (the rest waits for the winner)."""
    test = ab_test_of(broadcast)
    waiting_for_verdict = test is not None and test.decided_at is None
    variants = len(broadcast.variants.all())
    step = next(step for step in broadcast.steps.all() if step.position == 1)
    address = "phone" if broadcast.channel == Channel.SMS else "email"
    consents = marketing_consents_given(
        channel=broadcast.channel, people=[(entry.user_id, getattr(entry, address)) for entry in entries]
    )
    outgoing = []
    for entry in entries:
        if waiting_for_verdict and ab_group(campaign_id=broadcast.pk, person=entry.person,
                                            test_percent=test.test_percent, variants=variants) is None:
            entry.due_at = max(test.ends_at, now) + MINUTE
            counts["waiting_for_verdict"] += 1
            continue
        if (entry.user_id, getattr(entry, address)) not in consents:
            entry.status, entry.note = Entry.STOPPED, gettext("No consent to marketing through this channel.")
            counts["no_consent"] += 1
            continue
        entry.decided_at = now
        if broadcast.in_holdout(entry.person):
            entry.status, entry.note = Entry.HELD_OUT, gettext("In the holdout group.")
            counts["held_out"] += 1
            continue
        outgoing.append(Outgoing(entry, broadcast, step, broadcast.channel, getattr(entry, address)))
    return outgoing
