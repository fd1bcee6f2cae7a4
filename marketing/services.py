"""The outbox: every message is a row first, then a worker sends the row exactly once.

Writers call `message_enqueue` inside the transaction of whatever causes the message (an order
placed, a status changed): the row commits or rolls back with its cause, and the send task is
scheduled only after commit. `message_send` claims the row with a conditional UPDATE before
talking to the provider, so two workers (or a task and the sweep) never send one row twice.
`messages_sweep` runs every minute: it sends what is due (delayed messages, retries, rows whose
task was lost while the broker was down) and settles rows left "sending" by a dead worker.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.phones import phone_normalize
from core.transactions import after_commit
from marketing.backends import ProviderError, ProviderRejected, ProviderTimeout, backend_for
from marketing.kinds import Channel, is_marketing, placeholders_for
from marketing.models import DeliveryAttempt, MessageTemplate, OutboundMessage
from marketing.preferences import recipient_allows
from marketing.schedule import quiet_hours_end, retry_delay, zone_for
from marketing.templating import TemplateTextError, plain_context

logger = logging.getLogger(__name__)

Status = OutboundMessage.Status


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
    """Hand the message to a worker. A broker that is down is logged, not raised: the row is
    committed and pending, and the sweep sends it once the broker is back."""
    from kombu.exceptions import OperationalError as BrokerError
    from redis.exceptions import RedisError

    from marketing.tasks import message_send_task

    try:
        message_send_task.delay(message_id)
    except (BrokerError, RedisError, ConnectionError, TimeoutError) as error:
        logger.warning("Broker unreachable; message %s waits for the sweep: %s", message_id, error)
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


def message_send(*, message_id: int) -> OutboundMessage | None:
    """Send one due message, if this call is the one that claims it.

    Guarantees: the row is moved pending → sending by a single conditional UPDATE; a call that
    does not win it (sent already, claimed by another worker, not due yet) does nothing and
    returns None, and every later write is fenced by this claim's time, so a worker the sweep
    gave up on cannot overwrite the next one's work. Before the provider is called, a
    DeliveryAttempt row is committed: the durable mark that a call started, which tells the sweep
    whether a dead worker's message can be sent again safely. A provider error puts the row back
    to pending with a later due time until MESSAGE_MAX_ATTEMPTS, then failed. When the outcome
    cannot be known (a timeout, a fault on our side) an order message is sent again with a note
    that it may arrive twice, and a marketing one becomes unknown (`resent_when_fate_unknown`).
    Must run outside a transaction: the claim and the mark have to be committed before the call.
    """
    now = timezone.now()
    claimed = OutboundMessage.objects.filter(pk=message_id, status=Status.PENDING, due_at__lte=now).update(
        status=Status.SENDING, claimed_at=now
    )
    if not claimed:
        return None
    message = OutboundMessage.objects.get(pk=message_id)
    mine = OutboundMessage.objects.filter(pk=message_id, status=Status.SENDING, claimed_at=now)

    if message.channel == Channel.SMS:
        quiet_until = quiet_hours_end(now, time_zone=message.customer_timezone)
        if quiet_until is not None:
            mine.update(status=Status.PENDING, due_at=quiet_until, claimed_at=None)
            message.refresh_from_db()
            return message

    if not recipient_allows(
        channel=message.channel, kind=message.kind, recipient=message.recipient, is_marketing=message.is_marketing
    ):
        mine.update(status=Status.CANCELLED, last_error="The customer does not accept this kind of message.")
        message.refresh_from_db()
        return message

    attempts = message.attempts + 1
    with transaction.atomic():
        mine.update(attempts=attempts)
        attempt = DeliveryAttempt.objects.create(message=message, started_at=timezone.now())
    try:
        provider_id = backend_for(message.channel).send(message)
    except ProviderTimeout as error:
        _finish_attempt(attempt, result=DeliveryAttempt.Result.TIMEOUT, detail=str(error))
        _fate_unknown(mine, message, attempts=attempts, reason=str(error),
                      due_at=timezone.now() + retry_delay(attempts))
    except ProviderError as error:
        _finish_attempt(attempt, result=DeliveryAttempt.Result.ERROR, detail=str(error))
        if isinstance(error, ProviderRejected) or attempts >= settings.MESSAGE_MAX_ATTEMPTS:
            mine.update(status=Status.FAILED, last_error=str(error))
        else:
            mine.update(
                status=Status.PENDING,
                due_at=timezone.now() + retry_delay(attempts),
                claimed_at=None,
                last_error=str(error),
            )
    except Exception as error:
        # A fault on our side of the call: we cannot tell whether the provider got the message.
        logger.exception("Message %s: unexpected error while sending", message_id)
        _finish_attempt(attempt, result=DeliveryAttempt.Result.ERROR, detail=repr(error))
        _fate_unknown(mine, message, attempts=attempts, reason=repr(error),
                      due_at=timezone.now() + retry_delay(attempts))
    else:
        _finish_attempt(attempt, result=DeliveryAttempt.Result.OK, detail=provider_id)
        # Sent is the truth even if a slow send was meanwhile settled by the sweep (unknown, or
        # pending again to be resent: then the resend is no longer needed).
        OutboundMessage.objects.filter(
            pk=message_id, status__in=[Status.SENDING, Status.UNKNOWN, Status.PENDING]
        ).update(status=Status.SENT, sent_at=timezone.now(), provider_message_id=provider_id[:255], last_error="")
    message.refresh_from_db()
    return message


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
    unknown for a person to decide. Scheduling a row that already has a task in flight is
    harmless, since only one `message_send` can claim it.
    Returns {"stuck": n, "scheduled": n, "not_scheduled": n}.
    """
    now = timezone.now()
    stuck_before = now - timedelta(minutes=settings.MESSAGE_SENDING_STUCK_MINUTES)
    stuck = list(OutboundMessage.objects.filter(status=Status.SENDING, claimed_at__lt=stuck_before)[:batch_size])
    for message in stuck:
        _stuck_settle(message, now=now)

    due_ids = list(
        OutboundMessage.objects.filter(status=Status.PENDING, due_at__lte=now)
        .order_by("due_at")
        .values_list("pk", flat=True)[:batch_size]
    )
    scheduled = 0
    for message_id in due_ids:
        if not message_send_schedule(message_id=message_id):
            break  # the broker is down: the rest waits for the next sweep
        scheduled += 1
    counts = {"stuck": len(stuck), "scheduled": scheduled, "not_scheduled": len(due_ids) - scheduled}
    if any(counts.values()):
        logger.info("Messages sweep: %s", counts)
    return counts
