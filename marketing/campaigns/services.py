"""The campaign engine: scans open entries, dispatch moves them step by step into the outbox.

`campaigns_scan` (beat, every few minutes) asks each running campaign's trigger for new causes
and writes one entry per cause; the unique (campaign, cause) constraint refuses duplicates,
however many scans run at once. `campaign_entries_dispatch` (beat, every minute) takes due
entries with FOR UPDATE SKIP LOCKED, so concurrent workers share the work without overlap, and
for each one decides: the cause no longer holds (stop), not yet (a later due time: the step's
delay, the send window, the frequency cap), no consent or outside the segment (stop), in the
holdout (recorded, nothing sent), or send: the message is rendered and written to the outbox,
and sent after commit. Messages are written only when they may go out at once, so what a
customer receives was checked against the cause, their consent and the cap moments before.
"""

import datetime
import hashlib
import logging
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import DateTimeField, ExpressionWrapper, F, QuerySet, Value
from django.db.models.functions import Greatest, Lower, Trim
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.bulk import rows_insert, rows_update
from core.transactions import after_commit
from customers.models import User
from marketing.abtests.services import Assignment, ab_assignment
from marketing.campaigns.layout import email_layout_render, link_marker
from marketing.campaigns.links import click_url, open_url, sms_with_links, unsubscribe_url, with_utm
from marketing.campaigns.models import Campaign, CampaignEntry, CampaignMessage, CampaignStep, CampaignText
from marketing.campaigns.segments import campaign_entries_in_segment
from marketing.campaigns.triggers import TRIGGERS, Content, Verdict, person_of, person_sql
from marketing.kinds import Channel, placeholders_for
from marketing.models import OutboundMessage
from marketing.preferences import marketing_consents_given_by_kind
from marketing.schedule import customer_time_zone, window_start
from marketing.services import (
    RecipientInvalid,
    message_send_schedule,
    messages_send_schedule,
    recipient_normalize,
)
from marketing.templating import TemplateTextError, plain_context, template_render
from orders.models import PromoCode

logger = logging.getLogger(__name__)

Status = CampaignEntry.Status
SCAN_BATCH = 5000
DISPATCH_BATCH = 500
DAY = datetime.timedelta(days=1)
WEEK = datetime.timedelta(days=7)

BUTTON = {
    Campaign.Kind.ABANDONED_CART: _("Return to your cart"),
    Campaign.Kind.REVIEW_REQUEST: _("Write a review"),
}
DEFAULT_BUTTON = _("Go to the shop")


# --- Scan --------------------------------------------------------------------------------


def campaigns_scan(*, now: datetime.datetime | None = None, batch_size: int = SCAN_BATCH) -> dict[int, int]:
    """Open entries for every running campaign; returns {campaign id: causes found}. Safe to
    run twice at once: a cause is one entry per campaign, decided by the database."""
    now = now or timezone.now()
    found = {}
    for campaign in Campaign.objects.filter(is_active=True).prefetch_related("steps"):
        if campaign.is_running(now) and campaign.kind in TRIGGERS:
            found[campaign.pk] = campaign_scan(campaign=campaign, now=now, batch_size=batch_size)
    return found


def campaign_scan(*, campaign: Campaign, now: datetime.datetime, batch_size: int = SCAN_BATCH) -> int:
    """One campaign's scan: one INSERT … SELECT when its trigger's rule is all SQL, else in
    batches of the trigger's subjects (carts, orders, customers). Returns the entries opened."""
    trigger = TRIGGERS[campaign.kind]
    steps = sorted(campaign.steps.all(), key=lambda step: step.position)
    if not steps:
        return 0
    first_delay = steps[0].delay
    trigger.before_scan(campaign, now=now)
    found = trigger.found(campaign, now=now)
    if found is not None:
        return _entries_insert(campaign, found, first_delay=first_delay, now=now)
    opened, after = 0, 0
    while after is not None:
        candidates, after = trigger.candidates(campaign, now=now, after=after, limit=batch_size)
        opened += len(CampaignEntry.objects.bulk_create(
            [
                CampaignEntry(
                    campaign=campaign, cause=candidate.cause, user_id=candidate.user_id,
                    email=candidate.email.strip().lower(), phone=candidate.phone,
                    person=person_of(user_id=candidate.user_id, email=candidate.email, phone=candidate.phone),
                    subject_id=candidate.subject_id, triggered_at=candidate.triggered_at,
                    due_at=max(candidate.triggered_at + first_delay, now), created_at=now,
                )
                for candidate in candidates
            ],
            ignore_conflicts=True,
        ))
    return opened


def _entries_insert(campaign: Campaign, found: QuerySet, *, first_delay: datetime.timedelta, now) -> int:
    """Write the entries of a trigger's `found` query in the database, in one statement: the
    same values the batch path computes in Python (person_sql is person_of). ON CONFLICT DO
    NOTHING on the (campaign, cause) key lets a concurrent scan's entries stand."""
    rows = found.annotate(
        entry_campaign=Value(campaign.pk),
        entry_email=Lower(Trim("contact_email")),
        entry_person=person_sql(user_id="customer_id", email="contact_email", phone="contact_phone"),
        entry_due=Greatest(
            ExpressionWrapper(F("triggered_at") + Value(first_delay), output_field=DateTimeField()),
            Value(now, output_field=DateTimeField()),
        ),
        entry_created=Value(now, output_field=DateTimeField()),
        entry_step=Value(1),
        entry_status=Value(Status.WAITING),
        entry_note=Value(""),
    )
    columns = {
        "campaign_id": "entry_campaign", "cause": "cause", "subject_id": "subject_id",
        "triggered_at": "triggered_at", "user_id": "customer_id", "email": "entry_email",
        "phone": "contact_phone", "person": "entry_person", "due_at": "entry_due", "created_at": "entry_created",
        "next_step": "entry_step", "status": "entry_status", "note": "entry_note",
    }
    select, params = rows.values(*columns.values()).query.sql_with_params()
    quote = connection.ops.quote_name
    table, names = quote(CampaignEntry._meta.db_table), ", ".join(map(quote, columns))
    values = ", ".join(f"found.{quote(name)}" for name in columns.values())
    # The names are the model's own and every value a parameter; "WHERE true" keeps SQLite from
    # reading ON CONFLICT as a join's ON.
    sql = f"INSERT INTO {table} ({names}) SELECT {values} FROM ({select}) AS found WHERE true "  # noqa: S608
    sql += f"ON CONFLICT ({quote('campaign_id')}, {quote('cause')}) DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


# --- Dispatch ----------------------------------------------------------------------------


@dataclass
class Outgoing:
    """A message about to be written: whose entry, which campaign's step, by which channel, to
    which address. Trigger campaigns and broadcasts both write theirs through the cap and
    `outgoing_write`."""

    entry: CampaignEntry
    campaign: Campaign
    step: CampaignStep
    channel: str
    recipient: str


def campaign_entries_dispatch(*, now: datetime.datetime | None = None, batch_size: int = DISPATCH_BATCH) -> Counter:
    """Take up to `batch_size` due entries and move each on (see the module's docstring).

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
        outgoing.append(Outgoing(entry, campaign, step, channel, _address(entry, channel)))
    return outgoing


def _consents(entries: list[CampaignEntry], campaigns: dict[int, Campaign]) -> dict[str, set]:
    """Per channel, the (person, kind) pairs of the batch that may receive marketing: one query
    per channel for all the batch's campaigns."""
    asking: dict[str, list] = defaultdict(list)
    for entry in entries:
        campaign = campaigns[entry.campaign_id]
        for channel in {channel for step in campaign.steps.all() for channel in STEP_CHANNELS[step.channel]}:
            asking[channel].append(((entry.user_id, _address(entry, channel)), campaign.kind))
    return {channel: marketing_consents_given_by_kind(channel=channel, asking=pairs)
            for channel, pairs in asking.items()}


def _customers(entries: list[CampaignEntry]) -> dict[int, User]:
    """The entries' accounts with what the engine reads of them (time zone, language), in one query."""
    people = {entry.user_id for entry in entries if entry.user_id}
    return User.objects.only("pk", "timezone", "language").in_bulk(people)


def _address(entry: CampaignEntry, channel: str) -> str:
    return entry.email if channel == Channel.EMAIL else entry.phone


# The channels a step may use, in the order it tries them.
STEP_CHANNELS = {
    CampaignStep.Channel.EMAIL: (Channel.EMAIL,),
    CampaignStep.Channel.SMS: (Channel.SMS,),
    CampaignStep.Channel.EMAIL_OR_SMS: (Channel.EMAIL, Channel.SMS),
}


def _channel_for(step: CampaignStep, entry: CampaignEntry, kind: str, consents: dict[str, set]) -> str | None:
    for channel in STEP_CHANNELS[step.channel]:
        address = _address(entry, channel)
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
            rows.append(_message_render(
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


def _text_for(campaign: Campaign, step: int, language: str) -> CampaignText:
    texts = {text.language: text for text in campaign.texts.all() if text.step == step}
    text = texts.get(language) or texts.get(settings.LANGUAGE_CODE[:2]) or next(iter(texts.values()), None)
    if text is None:
        raise TemplateTextError(f"campaign {campaign.pk} has no text for step {step}")
    return text


def _promo_code(campaign: Campaign, *, now) -> PromoCode:
    """A code for this message alone: one use, expiring after the campaign's days."""
    return PromoCode(
        code=f"VT-{secrets.token_hex(4).upper()}", kind=PromoCode.Kind.PERCENT, value=campaign.promo_percent,
        valid_from=now, valid_until=now + datetime.timedelta(days=campaign.promo_valid_days),
        usage_limit=1, usage_limit_per_customer=1,
    )


def _message_render(item: Outgoing, content: Content, *, language: str, now, zone: ZoneInfo):
    campaign, entry, step = item.campaign, item.entry, item.step
    text = _text_for(campaign, step.position, language)
    # An A/B test varies the first message of a sequence; blank fields of a variant keep the text.
    assignment = ab_assignment(campaign=campaign, person=entry.person, now=now) if step.position == 1 else Assignment()
    variant = assignment.variant
    subject_text = (variant and variant.subject) or text.subject
    body_text = (variant and variant.body) or text.body
    sms_text = (variant and variant.sms_body) or text.sms_body or body_text
    token = secrets.token_urlsafe(12)
    slug = f"{campaign.kind}-{campaign.pk}"
    targets = [with_utm(content.link, campaign_slug=slug)] + [
        with_utm(product.url, campaign_slug=slug) for product in content.products
    ]
    promo = _promo_code(campaign, now=now) if campaign.promo_percent else None
    email = item.channel == Channel.EMAIL
    values = {
        "shop_name": settings.STORE_NAME,
        "customer_name": "",
        # An e-mail's links are put in after its layout is rendered (marketing.campaigns.layout).
        "link": link_marker("link0") if email else click_url(token, 0),
        "promo_code": promo.code if promo else "",
        "promo_valid_until": timezone.localdate(promo.valid_until, zone) if promo else "",
        **content.values,
    }
    plain = plain_context(values, allowed=placeholders_for(campaign.kind), language=text.language, time_zone=zone.key)
    recipient = recipient_normalize(channel=item.channel, recipient=item.recipient)
    leave = unsubscribe_url(token)
    if not email:
        subject, html = "", ""
        body = sms_with_links(template_render(sms_text, plain), token=token, language=text.language)
    else:
        subject = template_render(subject_text, plain)
        paragraphs = [part.strip() for part in template_render(body_text, plain).split("\n\n") if part.strip()]
        products = [
            {"name": product.name, "price": product.price, "quantity": product.quantity,
             "image_url": product.image_url, "link": link_marker(f"link{index}")}
            for index, product in enumerate(content.products, start=1)
        ]
        with translation.override(text.language):
            button = str((variant and variant.button) or BUTTON.get(campaign.kind, DEFAULT_BUTTON))
        context = {
            "subject": subject, "paragraphs": paragraphs, "products": products, "link": plain["link"],
            "button": button,
            "unsubscribe_url": link_marker("unsubscribe"), "pixel_url": link_marker("pixel"),
            "shop_name": settings.STORE_NAME, "language": text.language,
        }
        links = {f"link{index}": click_url(token, index) for index in range(len(targets))}
        links.update(unsubscribe=leave, pixel=open_url(token))
        html, body = email_layout_render(context, language=text.language, links=links)
    message = OutboundMessage(
        kind=campaign.kind, channel=item.channel, recipient=recipient, language=text.language,
        customer_timezone=zone.key, subject=subject, body=body, html_body=html, is_marketing=True,
        sender_name=(variant and variant.sender_name) or "",
        unsubscribe_url=leave if item.channel == Channel.EMAIL else "",
        idempotency_key=f"campaign:{campaign.pk}:{entry.cause}:{step.position}",
        reference=f"campaign:{campaign.pk}", due_at=now,
    )
    campaign_message = CampaignMessage(
        entry=entry, campaign=campaign, step=step.position, language=text.language, channel=item.channel,
        person=entry.person, user_id=entry.user_id, token=token, links=targets,
        promo_code=promo.code if promo else "", variant=variant, in_test=assignment.in_test, created_at=now,
    )
    return item, message, campaign_message, promo


# --- Preview and test ---------------------------------------------------------------------


class PreviewUnavailable(ValueError):
    """Nothing to show for this customer (no cart for an abandoned-cart campaign...)."""


def campaign_preview(*, campaign: Campaign, customer: User, step: int = 1) -> OutboundMessage:
    """The message `step` would be for `customer` now, rendered as it would go out and not
    saved: links and the promo code in it lead nowhere."""
    trigger = TRIGGERS[campaign.kind]
    now = timezone.now()
    subject_id = trigger.preview_subject(customer)
    entry = CampaignEntry(
        pk=0, campaign=campaign, cause="preview", user=customer, email=customer.email, phone=customer.phone,
        person=person_of(user_id=customer.pk, email=customer.email), subject_id=subject_id, triggered_at=now,
        due_at=now,
    )
    content = trigger.contents([entry], language=settings.LANGUAGE_CODE[:2]).get(0) if subject_id else None
    if content is None:
        raise PreviewUnavailable(gettext("Nothing to show for this customer now (for example, no cart)."))
    step_row = next((s for s in campaign.steps.all() if s.position == step), None)
    if step_row is None:
        raise PreviewUnavailable(gettext("The campaign has no such step."))
    channel = Channel.SMS if step_row.channel == CampaignStep.Channel.SMS else Channel.EMAIL
    item = Outgoing(entry, campaign, step_row, channel, _address(entry, channel))
    try:
        _item, message, _campaign_message, _promo = _message_render(
            item, content, language=settings.LANGUAGE_CODE[:2], now=now, zone=customer_time_zone(user=customer)
        )
    except (TemplateTextError, RecipientInvalid, TypeError) as error:
        raise PreviewUnavailable(str(error)) from None
    return message


def campaign_test_send(*, campaign: Campaign, customer: User, step: int, to: User) -> OutboundMessage:
    """Send the preview of `step` for `customer` to the marketer `to`, through the outbox, not
    as marketing (their own consent and caps do not apply to a test)."""
    message = campaign_preview(campaign=campaign, customer=customer, step=step)
    message.recipient = to.email
    message.channel = Channel.EMAIL
    message.is_marketing = False
    message.subject = f"[TEST] {message.subject}"
    message.idempotency_key = f"campaign-test:{campaign.pk}:{secrets.token_hex(8)}"
    message.save()
    message_id = message.pk
    after_commit(lambda: message_send_schedule(message_id=message_id))
    return message
