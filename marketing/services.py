"""The outbox: every message is a row first, then a worker sends the row exactly once.

Writers call `message_enqueue` inside the transaction of whatever causes the message (an order
placed, a status changed): the row commits or rolls back with its cause, and the send task is
scheduled only after commit. `messages_send` is the one way out, for one order message or a
batch of hundreds of campaign e-mails: it claims the rows under row locks before talking to the
provider, so two workers (or a task and the sweep) never send one row twice.
`messages_sweep` runs every minute: it sends what is due (delayed messages, retries, rows whose
task was lost while the broker was down) and settles rows left "sending" by a dead worker.
"""

import logging
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from core.bulk import rows_update
from core.phones import phone_normalize
from core.transactions import after_commit
from marketing.backends import ProviderError, ProviderRejected, ProviderTimeout, backend_session
from marketing.kinds import Channel, is_marketing, placeholders_for
from marketing.models import DeliveryAttempt, MessageTemplate, OutboundMessage
from marketing.preferences import messages_allowed
from marketing.schedule import quiet_hours_end, retry_delay, zone_for
from marketing.templating import TemplateTextError, plain_context

logger = logging.getLogger(__name__)

Status = OutboundMessage.Status

# A task sends at most this many messages: a campaign's dispatch batch, or a slice of the sweep.
SEND_BATCH = 500
# Marketing calls are marked started (committed DeliveryAttempt rows) this many at a time, just
# before they are made; see _calls_marked_together.
CALLS_MARKED_AT_ONCE = 100


class RecipientInvalid(ValueError):
    pass


def recipient_normalize(*, channel: str, recipient: str) -> str:
    """An e-mail address in lower case, or a phone in E.164 (+79161234567; Russian by default)."""
    recipient = (recipient or "").strip()
    if channel == Channel.EMAIL:
        try:
            validate_email(recipient)
        except ValidationError:
            raise RecipientInvalid(f"not an e-mail address: {recipient!r}") from None
        return recipient.lower()
    try:
        return phone_normalize(recipient)
    except ValidationError:
        raise RecipientInvalid(f"not a valid phone number: {recipient!r}") from None


def _template_for(*, kind: str, channel: str, language: str) -> MessageTemplate | None:
    templates = {t.language: t for t in MessageTemplate.objects.filter(kind=kind, channel=channel)}
    return templates.get(language) or templates.get(settings.LANGUAGE_CODE[:2]) or next(iter(templates.values()), None)


def _sms_due(due_at: datetime, *, channel: str, time_zone: str) -> datetime:
    if channel != Channel.SMS:
        return due_at
    return quiet_hours_end(due_at, time_zone=time_zone) or due_at


def message_enqueue(
    *,
    kind: str,
    channel: str,
    recipient: str,
    context: dict,
    idempotency_key: str,
    language: str | None = None,
    customer_timezone: str | None = None,
    send_after: datetime | None = None,
    reference: str = "",
) -> OutboundMessage:
    """Write the message row once per idempotency key and send it after commit if it is due.

    Guarantees: however often it is called with one key (events repeated, tasks retried, two
    processes at once) there is one row, and the first call's row is returned. The text is
    rendered now, from `context` cut down to the kind's placeholders. A message that cannot be
    sent (no template, a bad recipient, a text that does not render) is written as failed with
    the reason, rather than failing the caller's transaction: a customer's order must not fail
    because of a message. SMS due in quiet hours is moved to their end; nothing is dropped.
    """
    existing = OutboundMessage.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing

    now = timezone.now()
    language = (language or settings.LANGUAGE_CODE)[:2]
    time_zone = customer_timezone or ""
    due_at = _sms_due(send_after or now, channel=channel, time_zone=time_zone)
    message = OutboundMessage(
        kind=kind,
        channel=channel,
        recipient=(recipient or "").strip(),
        language=language,
        customer_timezone=time_zone,
        is_marketing=is_marketing(kind),
        idempotency_key=idempotency_key,
        reference=reference,
        due_at=due_at,
    )
    try:
        message.recipient = recipient_normalize(channel=channel, recipient=recipient)
        template = _template_for(kind=kind, channel=channel, language=language)
        if template is None:
            raise TemplateTextError(f"no template for {kind} by {channel}")
        message.language = template.language
        allowed = placeholders_for(kind)
        values = {"shop_name": settings.STORE_NAME, "customer_name": "", **context}
        missing = allowed - values.keys()
        if missing:
            raise TypeError(f"context for {kind} lacks {', '.join(sorted(missing))}")
        plain = plain_context(
            values, allowed=allowed, language=template.language, time_zone=zone_for(time_zone).key
        )
        message.subject, message.body = template.render(plain)
    except (RecipientInvalid, TemplateTextError) as error:
        logger.warning("Message %s not sendable: %s", idempotency_key, error)
        message.status = Status.FAILED
        message.last_error = str(error)

    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        # Another process wrote this key between our read and our insert: theirs is the message.
        return OutboundMessage.objects.get(idempotency_key=idempotency_key)

    if message.status == Status.PENDING and message.due_at <= now:
        message_id = message.pk
        after_commit(lambda: message_send_schedule(message_id=message_id))
    return message


def message_send_schedule(*, message_id: int) -> bool:
    return messages_send_schedule(message_ids=[message_id])


# Campaign and broadcast batches wait behind every other task in the broker's queue (on Redis 0
# is served first, 9 last): an order message scheduled after a broadcast's thousand batches is
# still sent at once.
MARKETING_PRIORITY = 9


def messages_send_schedule(*, message_ids: list[int], marketing: bool = False) -> bool:
    """Hand the messages to a worker, as one task (`marketing`: after every other task). A broker
    that is down is logged, not raised: the rows are committed and pending, and the sweep sends
    them once the broker is back."""
    from kombu.exceptions import OperationalError as BrokerError
    from redis.exceptions import RedisError

    from marketing.tasks import messages_send_task

    try:
        if marketing:
            messages_send_task.apply_async((list(message_ids),), priority=MARKETING_PRIORITY)
        else:
            messages_send_task.delay(list(message_ids))
    except (BrokerError, RedisError, ConnectionError, TimeoutError) as error:
        logger.warning("Broker unreachable; %s messages wait for the sweep: %s", len(message_ids), error)
        return False
    return True


def message_retry(*, message_id: int) -> bool:
    """A person's decision to send again a message that failed or whose fate is unknown.

    Only failed and unknown messages can be retried (never one that is pending, sending or
    sent); the row goes back to pending, due now, and is sent after commit. Returns whether it did.
    """
    retried = OutboundMessage.objects.filter(pk=message_id, status__in=[Status.FAILED, Status.UNKNOWN]).update(
        status=Status.PENDING, due_at=timezone.now(), claimed_at=None
    )
    if retried:
        after_commit(lambda: message_send_schedule(message_id=message_id))
    return bool(retried)


def _finish_attempt(attempt: DeliveryAttempt, *, result: str, detail: str = "") -> None:
    attempt.finished_at = timezone.now()
    attempt.result = result
    attempt.detail = detail[:2000]
    attempt.save(update_fields=["finished_at", "result", "detail"])


# What the outbox says when a message is sent again although the provider may have it already.
MAY_BE_SENT_TWICE = "The provider may already have it: sent again, so the customer may receive it twice."
WORKER_STOPPED_BEFORE_CALL = "The worker stopped before calling the provider: sent again."
WORKER_STOPPED_DURING_CALL = "The worker stopped during the call to the provider."


def _fate_unknown(messages, message: OutboundMessage, *, attempts: int, reason: str, due_at: datetime) -> None:
    """A call may or may not have reached the provider: per the message's kind, send it again
    (with a note that it may arrive twice) or leave it unknown for a person to decide."""
    if message.resent_when_fate_unknown and attempts < settings.MESSAGE_MAX_ATTEMPTS:
        messages.update(status=Status.PENDING, due_at=due_at, claimed_at=None,
                        last_error=f"{reason} {MAY_BE_SENT_TWICE}")
    else:
        messages.update(status=Status.UNKNOWN, last_error=reason)


def messages_send(*, message_ids: Iterable[int]) -> Counter:
    """Send the due messages among `message_ids` that this call claims: the outbox's one way
    out, for an order message alone or a batch of campaign e-mails. Returns counts by outcome.

    Guarantees, for each message as for a batch: rows are moved pending → sending under row
    locks (FOR UPDATE SKIP LOCKED: a row another worker holds is skipped, never waited for), so
    two calls never claim one row; a row not claimed (sent already, not due yet) is left alone;
    every later write is fenced by this claim's time, so a worker the sweep gave up on cannot
    overwrite the next one's work. Consent is asked again for the whole batch: a marketing
    message whose recipient said no since it was written is cancelled. Before the provider is
    called, DeliveryAttempt rows are committed for the next CALLS_MARKED_AT_ONCE messages: the
    durable mark that their calls started, which tells the sweep whether a dead worker's message
    can be sent again safely. E-mails share one connection to the server; order messages go
    first. A provider error puts a row back to pending with a later due time until
    MESSAGE_MAX_ATTEMPTS, then failed. When the outcome cannot be known (a timeout, a fault on
    our side) an order message is sent again with a note that it may arrive twice, and a
    marketing one becomes unknown (`resent_when_fate_unknown`). Results are written in bulk.
    Must run outside a transaction: the claim and the marks have to be committed before the calls.
    """
    now = timezone.now()
    counts: Counter = Counter()
    messages = _messages_claim(list(message_ids), now=now)
    counts["claimed"] = len(messages)
    messages = _quiet_sms_postponed(messages, claimed_at=now, counts=counts)
    messages = _unwanted_cancelled(messages, claimed_at=now, counts=counts)
    for channel in dict.fromkeys(message.channel for message in messages):
        with backend_session(channel) as backend:
            for calls in _calls_marked_together([message for message in messages if message.channel == channel]):
                _messages_call(backend, calls, claimed_at=now, counts=counts)
    return counts


def message_send(*, message_id: int) -> OutboundMessage | None:
    """`messages_send` for one message: the row as it is afterwards, or None if this call did
    not claim it (sent already, claimed by another worker, not due yet)."""
    if not messages_send(message_ids=[message_id])["claimed"]:
        return None
    return OutboundMessage.objects.get(pk=message_id)


def _calls_marked_together(messages: list[OutboundMessage]):
    """The calls whose start is marked in one commit. A worker dying among them leaves them all
    in doubt: a marketing message in doubt becomes unknown and is never resent, so a hundred
    at a time cost no duplicate and save a hundred commits; an order message in doubt is sent again, so
    each is marked alone and at most one can arrive twice."""
    marketing = []
    for message in messages:
        if not message.is_marketing:
            yield [message]
            continue
        marketing.append(message)
        if len(marketing) == CALLS_MARKED_AT_ONCE:
            yield marketing
            marketing = []
    if marketing:
        yield marketing


def _claimed(messages: list[OutboundMessage], claimed_at: datetime) -> QuerySet[OutboundMessage]:
    """These rows, as long as they are still this claim's."""
    return OutboundMessage.objects.filter(
        pk__in=[message.pk for message in messages], status=Status.SENDING, claimed_at=claimed_at
    )


def _messages_claim(message_ids: list[int], *, now: datetime) -> list[OutboundMessage]:
    with transaction.atomic():
        messages = list(
            OutboundMessage.objects.select_for_update(skip_locked=True)
            .filter(pk__in=message_ids, status=Status.PENDING, due_at__lte=now)
            .order_by("is_marketing", "pk")
        )
        # Conditional still, for databases without row locks (SQLite: one writer at a time).
        OutboundMessage.objects.filter(pk__in=[message.pk for message in messages], status=Status.PENDING).update(
            status=Status.SENDING, claimed_at=now
        )
    for message in messages:
        message.status, message.claimed_at = Status.SENDING, now
    return messages


def _quiet_sms_postponed(messages: list[OutboundMessage], *, claimed_at: datetime, counts: Counter):
    """SMS whose customer is in quiet hours go back to pending until they end; the rest goes on."""
    going = []
    for message in messages:
        quiet_until = (
            quiet_hours_end(claimed_at, time_zone=message.customer_timezone) if message.channel == Channel.SMS
            else None
        )
        if quiet_until is None:
            going.append(message)
            continue
        _claimed([message], claimed_at).update(status=Status.PENDING, due_at=quiet_until, claimed_at=None)
        counts["quiet_hours"] += 1
    return going


def _unwanted_cancelled(messages: list[OutboundMessage], *, claimed_at: datetime, counts: Counter):
    """Messages their recipients do not accept (any more) are cancelled; the rest goes on."""
    allowed = messages_allowed(messages)
    refused = [message for message in messages if message.pk not in allowed]
    if refused:
        _claimed(refused, claimed_at).update(
            status=Status.CANCELLED, last_error="The customer does not accept this kind of message."
        )
        counts["cancelled"] += len(refused)
    return [message for message in messages if message.pk in allowed]


def _messages_call(backend, messages: list[OutboundMessage], *, claimed_at: datetime, counts: Counter) -> None:
    """Mark the calls started (committed), make them, and write what came of them. Only rows still
    this claim's are called: one the sweep has meanwhile settled (this worker was slow, not dead)
    is another sender's now, and calling it here would send it twice with no flag to say so."""
    with transaction.atomic():
        still_mine = set(_claimed(messages, claimed_at).select_for_update().values_list("pk", flat=True))
        messages = [message for message in messages if message.pk in still_mine]
        if not messages:
            return
        _claimed(messages, claimed_at).update(attempts=F("attempts") + 1)
        attempts = DeliveryAttempt.objects.bulk_create(
            [DeliveryAttempt(message=message, started_at=timezone.now()) for message in messages]
        )
    answers: list[str | Exception] = []
    for message in messages:
        message.attempts += 1
        try:
            answers.append(backend.send(message))
        except (ProviderError, ProviderTimeout) as error:
            answers.append(error)
        except Exception as error:
            # A fault on our side of the call: we cannot tell whether the provider got the message.
            logger.exception("Message %s: unexpected error while sending", message.pk)
            answers.append(error)
    _answers_record(messages, attempts, answers, claimed_at=claimed_at, counts=counts)


def _answers_record(messages, attempts, answers, *, claimed_at: datetime, counts: Counter) -> None:
    finished = timezone.now()
    accepted = []
    for message, attempt, answer in zip(messages, attempts, answers, strict=True):
        attempt.finished_at = finished
        if isinstance(answer, str):
            attempt.result, attempt.detail = DeliveryAttempt.Result.OK, answer[:2000]
            message.status, message.sent_at, message.last_error = Status.SENT, finished, ""
            message.provider_message_id = answer[:255]
            accepted.append(message)
        elif isinstance(answer, ProviderTimeout):
            attempt.result, attempt.detail = DeliveryAttempt.Result.TIMEOUT, str(answer)[:2000]
        else:
            attempt.result = DeliveryAttempt.Result.ERROR
            attempt.detail = (str(answer) if isinstance(answer, ProviderError) else repr(answer))[:2000]
    with transaction.atomic():
        rows_update(DeliveryAttempt.objects.all(), attempts, ["finished_at", "result", "detail"])
        # Sent is the truth even if a slow send was meanwhile settled by the sweep (unknown, or
        # pending again to be resent: then the resend is no longer needed).
        rows_update(OutboundMessage.objects.filter(status__in=[Status.SENDING, Status.UNKNOWN, Status.PENDING]),
                    accepted, ["status", "sent_at", "provider_message_id", "last_error"])
        for message, answer in zip(messages, answers, strict=True):
            if not isinstance(answer, str):
                _failure_record(message, answer, claimed_at=claimed_at, counts=counts)
    counts["sent"] += len(accepted)


def _failure_record(message: OutboundMessage, error: Exception, *, claimed_at: datetime, counts: Counter) -> None:
    mine = _claimed([message], claimed_at)
    retry_at = timezone.now() + retry_delay(message.attempts)
    if isinstance(error, ProviderError):
        if isinstance(error, ProviderRejected) or message.attempts >= settings.MESSAGE_MAX_ATTEMPTS:
            mine.update(status=Status.FAILED, last_error=str(error))
            counts["failed"] += 1
        else:
            mine.update(status=Status.PENDING, due_at=retry_at, claimed_at=None, last_error=str(error))
            counts["retry"] += 1
        return
    reason = str(error) if isinstance(error, ProviderTimeout) else repr(error)
    _fate_unknown(mine, message, attempts=message.attempts, reason=reason, due_at=retry_at)
    counts["fate_unknown"] += 1


def _stuck_settle(message: OutboundMessage, *, now: datetime) -> None:
    """Settle a row a dead worker left "sending", by what its claim's DeliveryAttempt proves."""
    claim = OutboundMessage.objects.filter(pk=message.pk, status=Status.SENDING, claimed_at=message.claimed_at)
    attempt = message.attempts_made.filter(started_at__gte=message.claimed_at).order_by("-started_at").first()
    if attempt is None:
        # No call was started for this claim: the provider provably has nothing; no duplicate.
        claim.update(status=Status.PENDING, due_at=now, claimed_at=None, last_error=WORKER_STOPPED_BEFORE_CALL)
    elif attempt.result == DeliveryAttempt.Result.OK:
        claim.update(status=Status.SENT, sent_at=attempt.finished_at, provider_message_id=attempt.detail[:255],
                     last_error="")
    else:
        if attempt.finished_at is None:
            _finish_attempt(attempt, result=DeliveryAttempt.Result.TIMEOUT, detail=WORKER_STOPPED_DURING_CALL)
        _fate_unknown(claim, message, attempts=message.attempts, reason=WORKER_STOPPED_DURING_CALL, due_at=now)


def messages_sweep(*, batch_size: int = 1000) -> dict[str, int]:
    """Settle rows a dead worker left "sending" and hand every due pending row to a worker.

    A row stuck in sending for MESSAGE_SENDING_STUCK_MINUTES is settled by its DeliveryAttempt:
    no call started → pending again (the provider has nothing, so no duplicate); a call that
    answered OK → sent; a call started with no answer → the provider may have it, so an order
    message is sent again with a note that it may arrive twice, and a marketing one becomes
    unknown for a person to decide. Due rows go to workers in batches of SEND_BATCH, order
    messages first. Scheduling a row that already has a task in flight is harmless, since only
    one `messages_send` can claim it.
    Returns {"stuck": n, "scheduled": n, "not_scheduled": n}.
    """
    now = timezone.now()
    stuck_before = now - timedelta(minutes=settings.MESSAGE_SENDING_STUCK_MINUTES)
    stuck = list(OutboundMessage.objects.filter(status=Status.SENDING, claimed_at__lt=stuck_before)[:batch_size])
    for message in stuck:
        _stuck_settle(message, now=now)

    # Order messages first: a backlog of campaign e-mails never holds them up.
    due = list(
        OutboundMessage.objects.filter(status=Status.PENDING, due_at__lte=now)
        .order_by("is_marketing", "due_at")
        .values_list("pk", "is_marketing")[:batch_size]
    )
    scheduled = 0
    for start in range(0, len(due), SEND_BATCH):
        batch = due[start:start + SEND_BATCH]
        marketing = all(is_marketing for _pk, is_marketing in batch)
        if not messages_send_schedule(message_ids=[pk for pk, _marketing in batch], marketing=marketing):
            break  # the broker is down: the rest waits for the next sweep
        scheduled += len(batch)
    counts = {"stuck": len(stuck), "scheduled": scheduled, "not_scheduled": len(due) - scheduled}
    if any(counts.values()):
        logger.info("Messages sweep: %s", counts)
    return counts
