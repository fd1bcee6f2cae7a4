"""A pretend SMS gateway and mail server for the fault scenarios: each message it receives is a
line appended (and fsynced) to FAULTS_RECEIPTS, so the scenario can count what the customer would
have got, even when the worker that sent it was killed a moment later. Each call takes a little
while, as a real provider's does, so that kills land before, during and after it."""

import os
import random
import time

from django.core.mail.backends.base import BaseEmailBackend


def receipt_line(channel: str, recipient: str, text: str) -> str:
    return "\t".join((channel, recipient, text.replace("\n", "\\n")))


def _receive(line: str) -> None:
    time.sleep(random.uniform(0, 0.4))  # on the way to the provider
    with open(os.environ["FAULTS_RECEIPTS"], "a", encoding="utf-8") as receipts:
        receipts.write(line + "\n")
        receipts.flush()
        os.fsync(receipts.fileno())
    time.sleep(random.uniform(0, 0.4))  # the provider's answer on its way back


class RecordingSmsBackend:
    def send(self, message) -> str:
        _receive(receipt_line("sms", message.recipient, message.body))
        return f"sms-{message.pk}-{time.time_ns()}"


class RecordingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        for email in email_messages:
            _receive(receipt_line("email", email.to[0], email.subject))
        return len(email_messages)


def receipts_by_line(path: str) -> dict[str, int]:
    """How many times the provider received each message (by its receipt line)."""
    counts: dict[str, int] = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as receipts:
            for line in receipts:
                counts[line.rstrip("\n")] = counts.get(line.rstrip("\n"), 0) + 1
    return counts
