from decimal import Decimal

import pytest
from django.core import mail

from config.celery import app as celery_app
from marketing.backends import ProviderError, ProviderRejected, ProviderTimeout


@pytest.fixture(autouse=True)
def _messaging(settings, tmp_path):
    """Tasks run in this process, e-mail lands in mail.outbox, SMS in a temporary folder, and
    quiet hours are off unless a test turns them on (the tests must pass at any hour)."""
    before = {key: celery_app.conf[key] for key in ("task_always_eager", "task_eager_propagates")}
    celery_app.conf.update(task_always_eager=True, task_eager_propagates=True)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "marketing.backends.sms.FileSmsBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms"
    settings.SMS_QUIET_HOURS_START = settings.SMS_QUIET_HOURS_END = "00:00"
    settings.TIME_ZONE = "Europe/Moscow"
    mail.outbox = []
    ScriptedSmsBackend.script = []
    ScriptedSmsBackend.delivered = []
    yield
    celery_app.conf.update(before)


class ScriptedSmsBackend:
    """A stand-in SMS provider that answers as the test scripts it: "ok", "error", "rejected",
    "timeout", one answer per call (then "ok"), and remembers what it accepted."""

    script: list[str] = []
    delivered: list[str] = []

    def send(self, message) -> str:
        answer = type(self).script.pop(0) if type(self).script else "ok"
        if answer == "error":
            raise ProviderError("gateway busy")
        if answer == "rejected":
            raise ProviderRejected("number cannot receive SMS")
        if answer == "timeout":
            raise ProviderTimeout("no answer in 10s")
        type(self).delivered.append(message.body)
        return f"sms-{len(type(self).delivered)}"


@pytest.fixture
def scripted_sms(settings):
    settings.SMS_BACKEND = "tests.marketing.conftest.ScriptedSmsBackend"
    return ScriptedSmsBackend


@pytest.fixture
def order_context() -> dict:
    return {"order_number": "VT-10001", "total": Decimal("4990.00"), "customer_name": "Анна"}
