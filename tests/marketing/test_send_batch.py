"""The outbox sends in batches: one claim, one connection to the mail server, results in bulk,
and every guarantee of a single send kept for each message of the batch."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.utils import timezone

from marketing.campaigns.models import CampaignMessage
from marketing.campaigns.services import campaign_entries_dispatch, campaigns_scan
from marketing.models import DeliveryAttempt, OutboundMessage
from marketing.services import (
    CALLS_MARKED_AT_ONCE,
    MARKETING_PRIORITY,
    SEND_BATCH,
    message_send_schedule,
    messages_send,
    messages_sweep,
)
from marketing.tasks import messages_send_task
from tests.factories import OutboundMessageFactory
from tests.harness import in_parallel
from tests.marketing.campaigning import abandoned_cart_campaign, cart_left, consent_given

Status = OutboundMessage.Status


class CountingEmailBackend(LocmemBackend):
    """The test mail server, counting the connections opened to it (as SMTP's: open() on an
    open connection does nothing)."""

    opened = 0
    connected = False

    def open(self):
        if self.connected:
            return False
        self.connected = True
        type(self).opened += 1
        return True

    def close(self):
        self.connected = False


class RefusingEmailBackend(LocmemBackend):
    """A mail server that refuses one recipient and drops the connection at another."""

    refused, dropped_at = "refused@example.com", "dropped@example.com"

    def send_messages(self, messages):
        recipient = messages[0].to[0]
        if recipient == self.refused:
            raise smtplib.SMTPRecipientsRefused({recipient: (550, b"no such mailbox")})
        if recipient == self.dropped_at:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


class InDoubtEmailBackend(LocmemBackend):
    """Notes, at each message, how many calls are marked started and not finished: the messages
    a worker killed at this moment would leave in doubt."""

    in_doubt: list[int] = []

    def send_messages(self, messages):
        type(self).in_doubt.append(DeliveryAttempt.objects.filter(finished_at__isnull=True).count())
        return super().send_messages(messages)


def marketing_message(recipient: str, **fields) -> OutboundMessage:
    return OutboundMessageFactory(kind="abandoned_cart", is_marketing=True, recipient=recipient,
                                  reference="campaign:1", **fields)


@pytest.mark.django_db
def test_a_batch_goes_out_over_one_connection_to_the_mail_server(settings):
    settings.EMAIL_BACKEND = "tests.marketing.test_send_batch.CountingEmailBackend"
    CountingEmailBackend.opened = 0
    messages = OutboundMessageFactory.create_batch(120)

    counts = messages_send(message_ids=[message.pk for message in messages])

    assert (counts["claimed"], counts["sent"]) == (120, 120)
    assert CountingEmailBackend.opened == 1
    assert len(mail.outbox) == 120
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {Status.SENT}
    assert DeliveryAttempt.objects.filter(result=DeliveryAttempt.Result.OK).count() == 120


@pytest.mark.django_db
def test_a_batch_sends_only_the_rows_that_are_pending_and_due():
    due = OutboundMessageFactory()
    later = OutboundMessageFactory(due_at=due.due_at.replace(year=due.due_at.year + 1))
    sent = OutboundMessageFactory(status=Status.SENT)

    counts = messages_send(message_ids=[due.pk, later.pk, sent.pk])

    assert counts["claimed"] == 1
    assert [email.to for email in mail.outbox] == [[due.recipient]]
    assert DeliveryAttempt.objects.filter(message__in=[later, sent]).count() == 0


@pytest.mark.django_db
def test_one_refused_recipient_and_a_dropped_connection_leave_the_rest_of_the_batch_sent(settings):
    settings.EMAIL_BACKEND = "tests.marketing.test_send_batch.RefusingEmailBackend"
    before = OutboundMessageFactory(recipient="anna@example.com")
    refused = OutboundMessageFactory(recipient=RefusingEmailBackend.refused)
    dropped = marketing_message(RefusingEmailBackend.dropped_at)
    consent_given(RefusingEmailBackend.dropped_at)
    after = OutboundMessageFactory(recipient="boris@example.com")

    messages_send(message_ids=[before.pk, refused.pk, dropped.pk, after.pk])

    statuses = dict(OutboundMessage.objects.values_list("pk", "status"))
    assert statuses[before.pk] == statuses[after.pk] == Status.SENT
    assert statuses[refused.pk] == Status.PENDING  # tried again later
    assert statuses[dropped.pk] == Status.UNKNOWN  # the server may have it: never resent blindly
    assert sorted(email.to[0] for email in mail.outbox) == ["anna@example.com", "boris@example.com"]


@pytest.mark.django_db
def test_a_batch_with_a_person_without_consent_and_a_capped_person_sends_to_neither(
    django_capture_on_commit_callbacks,
):
    abandoned_cart_campaign()
    for email in ("anna@example.com", "capped@example.com"):
        consent_given(email)
    cart_left(email="capped@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        campaigns_scan()
        campaign_entries_dispatch()
    mail.outbox = []  # "capped" has had today's message
    for email in ("anna@example.com", "capped@example.com", "no-consent@example.com"):
        cart_left(email=email)

    with django_capture_on_commit_callbacks(execute=True):
        campaigns_scan()
        counts = campaign_entries_dispatch()

    assert (counts["sent"], counts["capped"], counts["no_consent"]) == (1, 1, 1)
    assert [email.to for email in mail.outbox] == [["anna@example.com"]]


@pytest.mark.django_db
def test_a_marketing_message_whose_recipient_unsubscribed_after_it_was_written_is_cancelled_not_sent():
    consent_given("anna@example.com")
    consent_given("boris@example.com")
    anna, boris = marketing_message("anna@example.com"), marketing_message("boris@example.com")
    consent_given("boris@example.com", granted=False)

    counts = messages_send(message_ids=[anna.pk, boris.pk])

    boris.refresh_from_db()
    assert (counts["sent"], counts["cancelled"]) == (1, 1)
    assert boris.status == Status.CANCELLED
    assert [email.to for email in mail.outbox] == [["anna@example.com"]]
    assert not DeliveryAttempt.objects.filter(message=boris).exists()


@pytest.mark.django_db
def test_order_messages_in_a_batch_go_out_first_whatever_marketing_consent_says():
    consent_given("anna@example.com", granted=False)
    campaign = marketing_message("anna@example.com", subject="Вы забыли корзину")
    order = OutboundMessageFactory(recipient="anna@example.com", subject="Заказ VT-10001 принят")

    messages_send(message_ids=[campaign.pk, order.pk])

    assert [email.subject for email in mail.outbox] == ["Заказ VT-10001 принят"]
    assert OutboundMessage.objects.get(pk=campaign.pk).status == Status.CANCELLED


@pytest.mark.django_db
def test_in_a_batch_the_order_message_goes_out_before_the_campaign_emails():
    consent_given("anna@example.com")
    campaign = marketing_message("anna@example.com", subject="Вы забыли корзину")
    order = OutboundMessageFactory(recipient="anna@example.com", subject="Заказ VT-10001 принят")

    messages_send(message_ids=[campaign.pk, order.pk])

    assert [email.subject for email in mail.outbox] == ["Заказ VT-10001 принят", "Вы забыли корзину"]


def _tasks_published(monkeypatch) -> list[tuple[list[int], int | None]]:
    """The send tasks handed to the broker, as (message ids, priority), instead of running them."""
    published = []
    monkeypatch.setattr(messages_send_task, "delay", lambda ids: published.append((ids, None)))
    monkeypatch.setattr(messages_send_task, "apply_async",
                        lambda args, priority=None: published.append((args[0], priority)))
    return published


@pytest.mark.django_db
def test_the_sweep_hands_over_order_messages_before_a_backlog_of_campaign_emails(monkeypatch):
    earlier = timezone.now() - datetime.timedelta(hours=1)
    backlog = [marketing_message(f"reader{n}@example.com", due_at=earlier) for n in range(SEND_BATCH + 20)]
    order = OutboundMessageFactory()
    published = _tasks_published(monkeypatch)

    counts = messages_sweep()

    assert counts["scheduled"] == len(backlog) + 1
    assert published[0][0][0] == order.pk
    assert [(len(ids), priority) for ids, priority in published] == [(SEND_BATCH, None), (21, MARKETING_PRIORITY)]


@pytest.mark.django_db
def test_a_campaign_batch_waits_in_the_broker_behind_order_messages(monkeypatch, django_capture_on_commit_callbacks):
    abandoned_cart_campaign()
    consent_given("anna@example.com")
    cart_left(email="anna@example.com")
    published = _tasks_published(monkeypatch)

    with django_capture_on_commit_callbacks(execute=True):
        campaigns_scan()
        campaign_entries_dispatch()
        order = OutboundMessageFactory(recipient="boris@example.com")
        message_send_schedule(message_id=order.pk)

    campaign_ids = list(OutboundMessage.objects.filter(is_marketing=True).values_list("pk", flat=True))
    assert sorted(published, key=str) == sorted([(campaign_ids, MARKETING_PRIORITY), ([order.pk], None)], key=str)
    assert MARKETING_PRIORITY > 0  # on Redis the lowest number is served first, no number is 0


@pytest.mark.django_db
def test_a_dead_worker_leaves_at_most_one_order_message_and_one_chunk_of_marketing_in_doubt(settings):
    settings.EMAIL_BACKEND = "tests.marketing.test_send_batch.InDoubtEmailBackend"
    InDoubtEmailBackend.in_doubt = []
    recipients = [f"reader{n}@example.com" for n in range(CALLS_MARKED_AT_ONCE + 10)]
    for recipient in recipients:
        consent_given(recipient)
    orders = OutboundMessageFactory.create_batch(3)
    campaign = [marketing_message(recipient) for recipient in recipients]

    messages_send(message_ids=[message.pk for message in orders + campaign])

    assert InDoubtEmailBackend.in_doubt[:3] == [1, 1, 1]
    assert max(InDoubtEmailBackend.in_doubt[3:]) == CALLS_MARKED_AT_ONCE
    assert len(mail.outbox) == len(orders) + len(campaign)


# --- Several workers at once, on PostgreSQL ---------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_senders_given_the_same_batch_send_each_message_once():
    messages = OutboundMessageFactory.create_batch(200)
    ids = [message.pk for message in messages]

    counts = in_parallel(2, lambda _: messages_send(message_ids=ids))

    assert sum(count["claimed"] for count in counts) == 200
    assert sorted(email.to[0] for email in mail.outbox) == sorted(message.recipient for message in messages)
    assert DeliveryAttempt.objects.count() == 200
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {Status.SENT}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_send_nothing_twice_and_keep_the_daily_cap():
    abandoned_cart_campaign()
    people = [f"shopper{n}@example.com" for n in range(12)]
    for email in people:
        consent_given(email)
        cart_left(email=email)
        cart_left(email=email)  # two causes each, one message a day allowed
    campaigns_scan()

    def dispatch_until_done(_):
        while campaign_entries_dispatch(batch_size=5):
            pass

    in_parallel(2, dispatch_until_done)

    recipients = sorted(email.to[0] for email in mail.outbox)
    assert recipients == sorted(people)
    assert CampaignMessage.objects.count() == len(people)
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {Status.SENT}
    assert DeliveryAttempt.objects.count() == len(people)


@pytest.mark.django_db
def test_a_slow_worker_does_not_call_for_a_message_the_sweep_took_back_from_it(monkeypatch, settings):
    from marketing import services

    message = OutboundMessageFactory()
    settings.MESSAGE_SENDING_STUCK_MINUTES = 0  # the sweep thinks the worker holding the batch is dead
    after_claim = services._unwanted_cancelled

    def sweep_meanwhile(messages, **kwargs):
        monkeypatch.setattr(services, "_unwanted_cancelled", after_claim)
        messages_sweep()  # no call started yet: back to pending, and handed to another sender
        return after_claim(messages, **kwargs)

    monkeypatch.setattr(services, "_unwanted_cancelled", sweep_meanwhile)

    messages_send(message_ids=[message.pk])

    message.refresh_from_db()
    assert (len(mail.outbox), message.status, DeliveryAttempt.objects.count()) == (1, Status.SENT, 1)
