import pytest
from django.core import mail

from config.celery import app as celery_app
from marketing.models import OutboundMessage
from marketing.tasks import messages_send_task, messages_sweep_task
from tests.factories import OutboundMessageFactory


def test_sweep_is_scheduled_every_minute():
    [entry] = [e for e in celery_app.conf.beat_schedule.values() if e["task"] == messages_sweep_task.name]

    assert entry["schedule"] == 60.0


def test_send_task_is_acknowledged_only_after_it_ran():
    assert messages_send_task.acks_late is True
    assert messages_send_task.max_retries == 5


@pytest.mark.django_db
def test_send_task_run_twice_sends_once():
    message = OutboundMessageFactory()

    messages_send_task.delay([message.pk])
    messages_send_task.delay([message.pk])

    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENT
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_sweep_task_reports_what_it_did():
    OutboundMessageFactory()

    counts = messages_sweep_task.delay().get()

    assert counts == {"stuck": 0, "scheduled": 1, "not_scheduled": 0}
