import pytest
from django.urls import reverse

from marketing.models import DeliveryAttempt
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
