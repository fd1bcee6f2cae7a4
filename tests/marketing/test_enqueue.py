import threading

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from marketing.models import OutboundMessage
from marketing.services import message_enqueue, message_send, message_send_schedule, messages_sweep
from marketing.tasks import messages_send_task
from tests.harness import broken_server, broker_unreachable, in_parallel

pytestmark = pytest.mark.django_db

Status = OutboundMessage.Status


def enqueue_accepted(context, **overrides):
    arguments = {
        "kind": "order_accepted",
        "channel": "email",
        "recipient": "anna@example.com",
        "context": context,
        "idempotency_key": "order:VT-10001:order_accepted:email",
        "language": "ru",
        "reference": "order:VT-10001",
    }
    return message_enqueue(**(arguments | overrides))


def test_enqueue_twice_with_the_same_key_writes_one_message(order_context):
    first = enqueue_accepted(order_context)
    second = enqueue_accepted(order_context | {"order_number": "VT-99999"})

    assert second.pk == first.pk
    assert OutboundMessage.objects.count() == 1
    assert "VT-10001" in second.body


def test_message_is_rendered_in_the_customers_language_with_money_in_rubles(order_context):
    message = enqueue_accepted(order_context)

    assert message.subject == "Заказ VT-10001 принят"
    assert "Анна, здравствуйте!" in message.body
    assert "4\u202f990\u00a0₽" in message.body


def test_english_customer_gets_the_english_text(order_context):
    message = enqueue_accepted(order_context, language="en")

    assert message.subject == "Order VT-10001 received"
    assert "4,990\u00a0₽" in message.body


def test_values_the_kind_does_not_declare_never_reach_the_text(order_context):
    message = enqueue_accepted(order_context | {"password": "secret"})

    assert "secret" not in message.body


def test_a_model_instance_in_the_context_is_refused(order_context, admin_user):
    with pytest.raises(TypeError, match="plain value"):
        enqueue_accepted(order_context | {"customer_name": admin_user})


def test_message_due_now_is_sent_after_the_cause_commits(order_context, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = enqueue_accepted(order_context)
        assert mail.outbox == []

    message.refresh_from_db()
    assert message.status == Status.SENT
    assert [email.to for email in mail.outbox] == [["anna@example.com"]]


def test_message_rolls_back_with_its_cause(order_context):
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_accepted(order_context)
        raise RuntimeError("the order could not be placed")

    assert not OutboundMessage.objects.exists()


def test_message_sent_later_waits_for_its_due_time(order_context, django_capture_on_commit_callbacks):
    later = timezone.now() + timezone.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = enqueue_accepted(order_context, send_after=later)

    assert callbacks == []
    assert message_send(message_id=message.pk) is None
    assert messages_sweep()["scheduled"] == 0
    message.refresh_from_db()
    assert (message.status, message.due_at) == (Status.PENDING, later)


def test_phone_is_stored_in_international_format(order_context):
    message = enqueue_accepted(order_context, channel="sms", recipient="8 (916) 123-45-67", idempotency_key="sms")

    assert message.recipient == "+79161234567"
    assert message.body.startswith("Заказ VT-10001 принят")


def test_message_to_an_impossible_address_is_kept_as_failed_without_failing_the_caller(order_context):
    message = enqueue_accepted(order_context, channel="sms", recipient="12", idempotency_key="sms")

    assert message.status == Status.FAILED
    assert "phone" in message.last_error


def test_order_is_kept_when_the_broker_is_down_and_the_sweep_sends_its_message_later(
    order_context, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as broker:
        broker.setattr(messages_send_task, "delay", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            message = enqueue_accepted(order_context)
        message.refresh_from_db()
        assert message.status == Status.PENDING
        assert messages_sweep()["not_scheduled"] == 1

    counts = messages_sweep()

    message.refresh_from_db()
    assert counts["scheduled"] == 1
    assert message.status == Status.SENT
    assert len(mail.outbox) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_same_message_enqueued_by_many_processes_at_once_is_written_once(order_context):
    workers = 10

    def enqueue(_):
        with transaction.atomic():
            return enqueue_accepted(order_context, send_after=timezone.now() + timezone.timedelta(days=1)).pk

    ids = in_parallel(workers, enqueue)

    assert len(ids) == workers
    assert len(set(ids)) == 1
    assert OutboundMessage.objects.count() == 1


@pytest.mark.django_db
def test_message_written_while_redis_is_down_is_sent_by_the_sweep_once_it_is_back(
    order_context, django_capture_on_commit_callbacks
):
    with broker_unreachable():
        with django_capture_on_commit_callbacks(execute=True):
            message = enqueue_accepted(order_context)
        assert messages_sweep()["not_scheduled"] == 1
        message.refresh_from_db()
        assert message.status == Status.PENDING

    messages_sweep()

    message.refresh_from_db()
    assert message.status == Status.SENT
    assert len(mail.outbox) == 1



@pytest.mark.redis
def test_a_broker_that_hangs_holds_the_message_back_instead_of_holding_the_checkout():
    # Publishing is the last step of a checkout that has committed; a socket without a timeout
    # would keep the customer waiting for ever.
    outcome = []
    with broken_server(hang_up=False) as (port, _), broker_unreachable(f"redis://127.0.0.1:{port}/0"):
        publishing = threading.Thread(target=lambda: outcome.append(message_send_schedule(message_id=1)), daemon=True)
        publishing.start()
        publishing.join(timeout=60)

    assert not publishing.is_alive(), "publishing waits for a broker that never answers"
    assert outcome == [False]  # the sweep sends it once the broker answers again


@pytest.mark.redis
def test_a_broker_going_away_is_tried_once_more_then_the_message_waits_for_the_sweep():
    # kombu's default is four tries with pauses: most of a second per message, seconds per checkout.
    with broken_server(hang_up=True) as (port, connections), broker_unreachable(f"redis://127.0.0.1:{port}/0"):
        scheduled = message_send_schedule(message_id=1)

    assert scheduled is False
    assert len(connections) == 2
