import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from customers.models import Consent
from customers.services import consent_record
from marketing.models import DeliveryAttempt, OutboundMessage
from marketing.schedule import quiet_hours_end
from marketing.services import (
    MAY_BE_SENT_TWICE,
    WORKER_STOPPED_DURING_CALL,
    message_enqueue,
    message_send,
    messages_sweep,
)
from tests.factories import OutboundMessageFactory
from tests.harness import in_parallel

Status = OutboundMessage.Status
Result = DeliveryAttempt.Result


def enqueue_sms(context, **overrides):
    arguments = {
        "kind": "order_accepted",
        "channel": "sms",
        "recipient": "+79161234567",
        "context": context,
        "idempotency_key": "order:VT-10001:order_accepted:sms",
        "language": "ru",
    }
    return message_enqueue(**(arguments | overrides))


def time_passes(message):
    """The retry pause is over: the message is due now."""
    OutboundMessage.objects.filter(pk=message.pk).update(due_at=timezone.now())


@pytest.mark.django_db
def test_second_send_of_a_sent_message_does_nothing():
    message = OutboundMessageFactory()
    assert message_send(message_id=message.pk).status == Status.SENT

    assert message_send(message_id=message.pk) is None

    assert len(mail.outbox) == 1
    assert DeliveryAttempt.objects.filter(message=message).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_message_claimed_by_many_workers_at_once_is_sent_once():
    message = OutboundMessageFactory()
    workers = 12

    results = in_parallel(workers, lambda _: message_send(message_id=message.pk))

    assert len(results) == workers
    assert [r.status for r in results if r is not None] == [Status.SENT]
    assert len(mail.outbox) == 1
    assert DeliveryAttempt.objects.filter(message=message).count() == 1


@pytest.mark.django_db
def test_provider_error_is_retried_later_and_the_message_goes_out_once(order_context, scripted_sms):
    scripted_sms.script = ["error", "error"]
    message = enqueue_sms(order_context)
    message_send(message_id=message.pk)  # the first attempt fails

    message.refresh_from_db()
    assert message.status == Status.PENDING
    assert message.due_at > timezone.now()
    assert messages_sweep()["scheduled"] == 0  # not before the pause is over

    time_passes(message)
    messages_sweep()
    time_passes(message)
    messages_sweep()
    messages_sweep()

    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.attempts == 3
    assert list(message.attempts_made.values_list("result", flat=True)) == [Result.ERROR, Result.ERROR, Result.OK]
    assert len(scripted_sms.delivered) == 1


@pytest.mark.django_db
def test_message_fails_after_the_last_allowed_attempt(order_context, scripted_sms, settings):
    settings.MESSAGE_MAX_ATTEMPTS = 2
    scripted_sms.script = ["error", "error", "error"]
    message = enqueue_sms(order_context)
    message_send(message_id=message.pk)
    time_passes(message)
    messages_sweep()

    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.last_error == "gateway busy"
    assert scripted_sms.delivered == []


@pytest.mark.django_db
def test_number_the_provider_refuses_for_good_is_not_retried(order_context, scripted_sms):
    scripted_sms.script = ["rejected"]

    message = enqueue_sms(order_context)

    message_send(message_id=message.pk)

    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, 1)


@pytest.mark.django_db
def test_an_order_message_whose_provider_did_not_answer_is_sent_again_with_a_note(order_context, scripted_sms):
    scripted_sms.script = ["timeout"]
    message = enqueue_sms(order_context)
    message_send(message_id=message.pk)
    message.refresh_from_db()
    assert (message.status, message.last_error) == (Status.PENDING, f"no answer in 10s {MAY_BE_SENT_TWICE}")

    time_passes(message)
    messages_sweep()

    message.refresh_from_db()
    assert message.status == Status.SENT
    assert list(message.attempts_made.values_list("result", flat=True)) == [Result.TIMEOUT, Result.OK]


@pytest.mark.django_db
def test_a_marketing_message_whose_provider_did_not_answer_is_unknown_and_never_resent(scripted_sms):
    consent_record(kind=Consent.Kind.MARKETING_SMS, granted=True, wording_version="1", source="account",
                   phone="+79161234567")
    scripted_sms.script = ["timeout"]
    message = OutboundMessageFactory(channel="sms", kind="abandoned_cart", is_marketing=True,
                                     recipient="+79161234567")
    message_send(message_id=message.pk)

    counts = messages_sweep()

    message.refresh_from_db()
    assert message.status == Status.UNKNOWN
    assert counts["scheduled"] == 0
    assert message_send(message_id=message.pk) is None
    assert scripted_sms.delivered == []


@pytest.mark.django_db
def test_sweep_sends_messages_whose_task_was_lost(order_context):
    # Without capturing on-commit callbacks the test transaction never commits: no task runs.
    message = enqueue_sms(order_context)
    assert message.status == Status.PENDING

    counts = messages_sweep()

    message.refresh_from_db()
    assert counts["scheduled"] == 1
    assert message.status == Status.SENT


def left_sending_by_a_dead_worker(*, call_started: bool, **fields) -> OutboundMessage:
    long_ago = timezone.now() - datetime.timedelta(minutes=11)
    message = OutboundMessageFactory(status=Status.SENDING, claimed_at=long_ago, attempts=int(call_started),
                                     **fields)
    if call_started:
        DeliveryAttempt.objects.create(message=message, started_at=long_ago)
    return message


@pytest.mark.django_db
def test_a_message_whose_worker_died_before_calling_the_provider_is_sent_once(settings):
    settings.MESSAGE_SENDING_STUCK_MINUTES = 10
    stuck = left_sending_by_a_dead_worker(call_started=False)

    counts = messages_sweep()

    stuck.refresh_from_db()
    assert counts["stuck"] == 1
    assert stuck.status == Status.SENT
    assert len(mail.outbox) == 1
    assert MAY_BE_SENT_TWICE not in stuck.last_error


@pytest.mark.django_db
def test_an_order_message_whose_worker_died_during_the_call_is_resent_and_says_it_may_arrive_twice(settings):
    settings.MESSAGE_SENDING_STUCK_MINUTES = 10
    stuck = left_sending_by_a_dead_worker(call_started=True)

    messages_sweep()

    stuck.refresh_from_db()
    assert stuck.status == Status.SENT
    assert len(mail.outbox) == 1
    assert list(stuck.attempts_made.values_list("result", "detail")) == [
        (Result.TIMEOUT, WORKER_STOPPED_DURING_CALL), (Result.OK, stuck.provider_message_id),
    ]


@pytest.mark.django_db
def test_a_marketing_message_whose_worker_died_during_the_call_is_unknown_not_resent(settings):
    settings.MESSAGE_SENDING_STUCK_MINUTES = 10
    stuck = left_sending_by_a_dead_worker(call_started=True, kind="abandoned_cart", is_marketing=True)

    messages_sweep()

    stuck.refresh_from_db()
    assert (stuck.status, stuck.last_error) == (Status.UNKNOWN, WORKER_STOPPED_DURING_CALL)
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_message_the_provider_accepted_before_its_worker_died_is_marked_sent_not_resent(settings):
    settings.MESSAGE_SENDING_STUCK_MINUTES = 10
    stuck = left_sending_by_a_dead_worker(call_started=True)
    stuck.attempts_made.update(finished_at=timezone.now(), result=Result.OK, detail="provider-42")

    messages_sweep()

    stuck.refresh_from_db()
    assert (stuck.status, stuck.provider_message_id) == (Status.SENT, "provider-42")
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_sweep_leaves_a_message_being_sent_right_now_alone(settings):
    settings.MESSAGE_SENDING_STUCK_MINUTES = 10
    busy = OutboundMessageFactory(status=Status.SENDING, claimed_at=timezone.now(), attempts=1)

    assert messages_sweep()["stuck"] == 0

    busy.refresh_from_db()
    assert busy.status == Status.SENDING
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("local_time", "zone", "expected"),
    [
        ("2025-03-10 21:30", "Europe/Moscow", "2025-03-11 09:00"),
        ("2025-03-10 23:59", "Europe/Moscow", "2025-03-11 09:00"),
        ("2025-03-11 00:10", "Europe/Moscow", "2025-03-11 09:00"),
        ("2025-03-11 08:59", "Asia/Vladivostok", "2025-03-11 09:00"),
        ("2025-03-11 09:00", "Europe/Moscow", None),
        ("2025-03-11 20:59", "Asia/Vladivostok", None),
    ],
)
def test_quiet_hours_end_at_nine_in_the_customers_time_zone(settings, local_time, zone, expected):
    settings.SMS_QUIET_HOURS_START, settings.SMS_QUIET_HOURS_END = "21:00", "09:00"
    moment = datetime.datetime.fromisoformat(local_time).replace(tzinfo=ZoneInfo(zone))

    end = quiet_hours_end(moment, time_zone=zone)

    assert end == (expected and datetime.datetime.fromisoformat(expected).replace(tzinfo=ZoneInfo(zone)))


def quiet_now(settings, zone: str) -> datetime.datetime:
    """Make the present moment part of the quiet hours; returns when they end."""
    local = timezone.now().astimezone(ZoneInfo(zone))
    start = (local - datetime.timedelta(hours=1)).replace(second=0, microsecond=0)
    end = (local + datetime.timedelta(hours=1)).replace(second=0, microsecond=0)
    settings.SMS_QUIET_HOURS_START, settings.SMS_QUIET_HOURS_END = f"{start:%H:%M}", f"{end:%H:%M}"
    return end


@pytest.mark.django_db
def test_sms_in_quiet_hours_waits_until_they_end_in_the_customers_zone(order_context, settings, scripted_sms):
    settings.TIME_ZONE = "Europe/Moscow"
    end = quiet_now(settings, "Asia/Novosibirsk")

    message = enqueue_sms(order_context, customer_timezone="Asia/Novosibirsk")

    assert message.due_at == end
    assert message_send(message_id=message.pk) is None
    assert messages_sweep()["scheduled"] == 0
    assert scripted_sms.delivered == []


@pytest.mark.django_db
def test_sms_falling_due_in_quiet_hours_is_moved_not_dropped(settings, scripted_sms):
    message = OutboundMessageFactory(channel="sms", recipient="+79161234567")
    end = quiet_now(settings, settings.TIME_ZONE)

    message_send(message_id=message.pk)

    message.refresh_from_db()
    assert (message.status, message.due_at, message.attempts) == (Status.PENDING, end, 0)
    assert scripted_sms.delivered == []


@pytest.mark.django_db
def test_email_is_not_held_by_sms_quiet_hours(order_context, settings, django_capture_on_commit_callbacks):
    quiet_now(settings, settings.TIME_ZONE)

    with django_capture_on_commit_callbacks(execute=True):
        message = message_enqueue(
            kind="order_accepted", channel="email", recipient="anna@example.com", context=order_context,
            idempotency_key="email",
        )

    message.refresh_from_db()
    assert message.status == Status.SENT
    assert len(mail.outbox) == 1
