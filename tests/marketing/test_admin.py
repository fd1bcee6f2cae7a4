import pytest
from django.core import mail
from django.urls import reverse

from marketing.models import DeliveryAttempt
from marketing.selectors import messages_for_reference
from marketing.services import message_send
from tests.factories import OutboundMessageFactory

pytestmark = pytest.mark.django_db


def test_outbox_lists_messages_filtered_by_status(admin_client):
    sent = OutboundMessageFactory(recipient="sent@example.com")
    message_send(message_id=sent.pk)
    OutboundMessageFactory(recipient="waiting@example.com")

    page = admin_client.get(reverse("admin:marketing_outboundmessage_changelist"), {"status": "sent"})

    assert page.status_code == 200
    assert "sent@example.com" in page.content.decode()
    assert "waiting@example.com" not in page.content.decode()


def test_outbox_finds_messages_by_reference(admin_client):
    OutboundMessageFactory(reference="order:VT-10077", recipient="found@example.com")
    OutboundMessageFactory(reference="order:VT-10078", recipient="other@example.com")

    page = admin_client.get(reverse("admin:marketing_outboundmessage_changelist"), {"q": "VT-10077"})

    assert "found@example.com" in page.content.decode()
    assert "other@example.com" not in page.content.decode()


def test_message_page_shows_every_attempt_and_cannot_be_edited(admin_client):
    message = OutboundMessageFactory()
    message_send(message_id=message.pk)
    url = reverse("admin:marketing_outboundmessage_change", args=[message.pk])

    page = admin_client.get(url)

    assert page.status_code == 200
    assert str(DeliveryAttempt.Result.OK.label) in page.content.decode()
    assert 'name="_save"' not in page.content.decode()


def test_manager_sends_again_a_message_whose_fate_was_unknown(admin_client, django_capture_on_commit_callbacks):
    unknown = OutboundMessageFactory(status="unknown", recipient="unknown@example.com")
    sent = OutboundMessageFactory(status="sent", recipient="sent@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:marketing_outboundmessage_changelist"),
            {"action": "send_again", "_selected_action": [unknown.pk, sent.pk]},
        )

    unknown.refresh_from_db()
    assert unknown.status == "sent"
    assert [email.to for email in mail.outbox] == [["unknown@example.com"]]


def test_messages_about_an_order_are_listed_with_their_attempts(django_assert_max_num_queries):
    first = OutboundMessageFactory(reference="order:VT-10001")
    message_send(message_id=first.pk)
    OutboundMessageFactory(reference="order:VT-10001", channel="sms", recipient="+79161234567")
    OutboundMessageFactory(reference="order:VT-10002")

    with django_assert_max_num_queries(2):
        found = [(m.channel, len(m.attempts_made.all())) for m in messages_for_reference(reference="order:VT-10001")]

    assert sorted(found) == [("email", 1), ("sms", 0)]
