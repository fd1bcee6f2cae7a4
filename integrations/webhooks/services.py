"""Outgoing webhooks through an outbox: a row per event and webhook, sent by a worker after commit.

`webhooks_enqueue` runs inside the transaction of the cause (an order placed, stock taken), so
the rows commit or roll back with it and nothing touches the network in the shopper's request.
`webhook_deliver` claims a row with a conditional UPDATE and calls the receiver once; errors and
timeouts are retried with growing pauses up to WEBHOOK_MAX_ATTEMPTS. Receivers get the row's
idempotency key in X-Vitrina-Delivery, so a retry after a lost answer is recognisable there.
`webhooks_sweep` (every minute) sends what is due and revives rows a dead worker left "sending".
"""

import logging
import time
import urllib.error
import urllib.request
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from core.transactions import after_commit
from integrations.models import Webhook, WebhookAttempt, WebhookDelivery
from integrations.webhooks.signing import body_bytes, signature

logger = logging.getLogger(__name__)

Status = WebhookDelivery.Status
RETRY_BASE_SECONDS = 30
RETRY_MAX_SECONDS = 6 * 60 * 60
SENDING_STUCK_AFTER = timedelta(minutes=10)
RESPONSE_KEPT_CHARS = 2000


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1, 2, 4... minutes after the n-th failed attempt, at most six hours."""
    return timedelta(seconds=min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), RETRY_MAX_SECONDS))


def webhooks_for(event: str) -> list[Webhook]:
    # JSON containment is not portable to SQLite; the table holds a handful of rows.
    return [hook for hook in Webhook.objects.filter(is_active=True) if event in hook.events]


def webhooks_enqueue(*, event: str, key: str, data: dict, webhooks: list[Webhook] | None = None) -> int:
    """Write one delivery per active webhook that listens to `event`, once per (webhook, key).

    Guarantees: called again with the same key (a repeated cause, a retried task, two processes)
    it adds nothing; the rows commit or roll back with the caller's transaction; sending is
    scheduled only after commit. Returns the number of new rows."""
    hooks = webhooks if webhooks is not None else webhooks_for(event)
    created = 0
    now = timezone.now()
    for hook in hooks:
        idempotency_key = f"{hook.pk}:{key}"
        payload = {"id": idempotency_key, "event": event, "created_at": now.isoformat(), "data": data}
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(webhook=hook, event=event, payload=payload,
                                                          idempotency_key=idempotency_key, due_at=now)
        except IntegrityError:
            continue  # this event is on its way to this webhook already
        created += 1
        after_commit(lambda delivery_id=delivery.pk: webhook_deliver_schedule(delivery_id=delivery_id))
    return created


def event_key() -> str:
    """A key for an event that happens once by nature (a stock change is never repeated as such)."""
    return uuid.uuid4().hex


def webhook_deliver_schedule(*, delivery_id: int) -> bool:
    """Hand the delivery to a worker. A broker that is down is logged, not raised: the row is
    committed and pending, and the sweep sends it once the broker is back."""
    from kombu.exceptions import OperationalError as BrokerError
    from redis.exceptions import RedisError

    from integrations.tasks import webhook_deliver_task

    try:
        webhook_deliver_task.delay(delivery_id)
    except (BrokerError, RedisError, ConnectionError, TimeoutError) as error:
        logger.warning("Broker unreachable; webhook delivery %s waits for the sweep: %s", delivery_id, error)
        return False
    return True


def webhook_deliver(*, delivery_id: int) -> WebhookDelivery | None:
    """Send one due delivery, if this call is the one that claims it.

    Guarantees: the row moves pending → sending in one conditional UPDATE, so two workers never
    send it at once; a call that does not win it does nothing and returns None. Every call is
    kept as a WebhookAttempt with the answer. A 2xx answer delivers; anything else (an error
    status, no connection, a timeout) is retried later until WEBHOOK_MAX_ATTEMPTS, then failed.
    Must run outside a transaction: the claim is committed before the receiver is called."""
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(pk=delivery_id, status=Status.PENDING, due_at__lte=now).update(
        status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)
    mine = WebhookDelivery.objects.filter(pk=delivery_id, status=Status.SENDING)
    code, response, error, took = _post(delivery)
    WebhookAttempt.objects.create(delivery=delivery, started_at=now, duration_ms=took, status_code=code,
                                  response=response[:RESPONSE_KEPT_CHARS], error=error[:500])
    if code is not None and 200 <= code < 300:
        mine.update(status=Status.DELIVERED, delivered_at=timezone.now(), last_error="")
    elif delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS or not delivery.webhook.is_active:
        mine.update(status=Status.FAILED, last_error=error or f"HTTP {code}")
    else:
        mine.update(status=Status.PENDING, due_at=timezone.now() + retry_delay(delivery.attempts), claimed_at=None,
                    last_error=error or f"HTTP {code}")
    delivery.refresh_from_db()
    return delivery


def _post(delivery: WebhookDelivery) -> tuple[int | None, str, str, int]:
    """(HTTP status or None, response text, error, milliseconds) of one signed POST."""
    body = body_bytes(delivery.payload)
    request = urllib.request.Request(  # noqa: S310 - the URL's scheme is limited to http(s) by the model
        delivery.webhook.url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Vitrina-Webhooks/1",
            "X-Vitrina-Event": delivery.event,
            "X-Vitrina-Delivery": delivery.idempotency_key,
            "X-Vitrina-Signature": signature(secret=delivery.webhook.secret, timestamp=int(time.time()), body=body),
        })
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        with urllib.request.urlopen(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as answer:  # noqa: S310
            return answer.status, _text(answer.read(RESPONSE_KEPT_CHARS)), "", took()
    except urllib.error.HTTPError as answer:
        return answer.code, _text(answer.read(RESPONSE_KEPT_CHARS)), "", took()
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        return None, "", f"{type(reason).__name__}: {reason}", took()


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def webhook_resend(*, delivery_id: int) -> bool:
    """A person's decision to send a delivery again (failed, or delivered and wanted once more):
    back to pending, due now, with a fresh set of attempts. Never one that is pending or sending."""
    resent = WebhookDelivery.objects.filter(pk=delivery_id, status__in=[Status.FAILED, Status.DELIVERED]).update(
        status=Status.PENDING, due_at=timezone.now(), attempts=0, claimed_at=None)
    if resent:
        after_commit(lambda: webhook_deliver_schedule(delivery_id=delivery_id))
    return bool(resent)


def webhooks_sweep(*, batch_size: int = 1000) -> dict[str, int]:
    """Revive rows a dead worker left "sending" (a receiver that got it recognises the key) and
    hand every due pending row to a worker. Returns {"revived": n, "scheduled": n}."""
    now = timezone.now()
    revived = WebhookDelivery.objects.filter(status=Status.SENDING, claimed_at__lt=now - SENDING_STUCK_AFTER).update(
        status=Status.PENDING, due_at=now, claimed_at=None, last_error="The worker stopped while sending.")
    due = list(WebhookDelivery.objects.filter(status=Status.PENDING, due_at__lte=now)
               .order_by("due_at").values_list("pk", flat=True)[:batch_size])
    scheduled = 0
    for delivery_id in due:
        if not webhook_deliver_schedule(delivery_id=delivery_id):
            break
        scheduled += 1
    return {"revived": revived, "scheduled": scheduled}
