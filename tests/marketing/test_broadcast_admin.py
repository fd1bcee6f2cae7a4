"""The marketer's broadcast page: schedule, live progress as JSON, pause and resume, the click map."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from customers.roles import MARKETER, roles_sync
from marketing.broadcasts.models import Broadcast
from marketing.broadcasts.services import broadcast_step_sync, broadcasts_advance
from marketing.campaigns.models import CampaignEvent, CampaignMessage
from marketing.models import OutboundMessage
from tests.factories import UserFactory
from tests.marketing.broadcasting import ab_variants, broadcast_draft, city_segment, customers

pytestmark = pytest.mark.django_db


@pytest.fixture
def marketer(client):
    roles_sync()
    user = UserFactory(email="marketer@example.com", is_staff=True)
    user.groups.add(Group.objects.get(name=MARKETER))
    client.force_login(user)
    return user


def _control(client, broadcast, action):
    return client.post(reverse("admin:marketing_broadcast_control", args=[broadcast.pk, action]))


def test_marketer_schedules_a_draft_and_reads_its_progress(client, marketer, django_capture_on_commit_callbacks):
    customers(4)
    broadcast = broadcast_draft(city_segment())
    page = client.get(reverse("admin:marketing_broadcast_change", args=[broadcast.pk]))
    assert page.status_code == 200
    assert b"broadcast-schedule" in page.content and b"4 in the segment, 4 of them accept" in page.content

    assert _control(client, broadcast, "schedule").status_code == 302
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.SCHEDULED and broadcast.scheduled_by == marketer
    with django_capture_on_commit_callbacks(execute=True):
        broadcasts_advance()

    progress = client.get(reverse("admin:marketing_broadcast_progress", args=[broadcast.pk])).json()
    assert progress | {"status_label": ""} == {
        "status": "done", "status_label": "", "recipients": 4, "queued": 0, "sent": 4, "failed": 0, "skipped": 0,
        "pending": 0, "all_queued": True,
    }
    page = client.get(reverse("admin:marketing_broadcast_change", args=[broadcast.pk]))
    assert b'data-url="' in page.content and b"js/broadcast_progress.js" in page.content
    assert b"<script>" not in page.content  # CSP: no inline script


def test_pause_and_resume_buttons_follow_the_state(client, marketer):
    broadcast = broadcast_draft(city_segment())
    Broadcast.objects.filter(pk=broadcast.pk).update(status=Broadcast.Status.SENDING)
    page = client.get(reverse("admin:marketing_broadcast_change", args=[broadcast.pk]))
    assert b"broadcast-pause" in page.content and b"broadcast-schedule" not in page.content

    _control(client, broadcast, "pause")
    assert Broadcast.objects.get(pk=broadcast.pk).status == Broadcast.Status.PAUSED
    _control(client, broadcast, "resume")
    assert Broadcast.objects.get(pk=broadcast.pk).status == Broadcast.Status.SENDING
    _control(client, broadcast, "cancel")
    assert Broadcast.objects.get(pk=broadcast.pk).status == Broadcast.Status.CANCELLED


def test_controls_refuse_a_get_an_unknown_action_and_a_shopper(client, marketer):
    broadcast = broadcast_draft(city_segment())
    url = reverse("admin:marketing_broadcast_control", args=[broadcast.pk, "schedule"])
    assert client.get(url).status_code == 405
    assert _control(client, broadcast, "explode").status_code == 404
    client.force_login(UserFactory(email="shopper@example.com"))
    assert _control(client, broadcast, "schedule").status_code == 302  # to the admin login
    assert Broadcast.objects.get(pk=broadcast.pk).status == Broadcast.Status.DRAFT


def test_a_broadcast_without_a_text_cannot_be_scheduled_and_says_why(client, marketer):
    broadcast = broadcast_draft(city_segment())
    broadcast.texts.all().delete()
    page = client.post(reverse("admin:marketing_broadcast_control", args=[broadcast.pk, "schedule"]), follow=True)
    assert "Write the text in the shop" in page.content.decode()
    assert Broadcast.objects.get(pk=broadcast.pk).status == Broadcast.Status.DRAFT


def test_click_map_marks_each_link_with_its_share_of_human_clicks(client, marketer, django_capture_on_commit_callbacks):
    customers(3)
    broadcast = broadcast_draft(city_segment())
    client.post(reverse("admin:marketing_broadcast_control", args=[broadcast.pk, "schedule"]))
    with django_capture_on_commit_callbacks(execute=True):
        broadcasts_advance()
    OutboundMessage.objects.update(sent_at=timezone.now() - datetime.timedelta(minutes=5))
    for message in CampaignMessage.objects.all():
        CampaignEvent.objects.create(message=message, kind=CampaignEvent.Kind.CLICK, link=0)
    CampaignEvent.objects.create(message=message, kind=CampaignEvent.Kind.CLICK, link=0, is_human=False)

    page = client.get(reverse("admin:marketing_broadcast_click_map", args=[broadcast.pk]))
    frame = client.get(reverse("admin:marketing_broadcast_click_map_message", args=[broadcast.pk]))

    assert page.status_code == 200 and frame.status_code == 200
    assert frame["Content-Security-Policy"].startswith("default-src 'none'")
    assert re.findall(r'class="click-share"[^>]*>([^<]+)<', frame.content.decode()) == ["100%"]
    change = client.get(reverse("admin:marketing_broadcast_change", args=[broadcast.pk]))
    assert reverse("admin:marketing_broadcast_click_map", args=[broadcast.pk]).encode() in change.content


def test_ab_broadcast_page_shows_the_variants_and_how_they_are_compared(client, marketer,
                                                                        django_capture_on_commit_callbacks):
    customers(40)
    broadcast = broadcast_draft(city_segment())
    ab_variants(broadcast, test_percent=50)
    client.post(reverse("admin:marketing_broadcast_control", args=[broadcast.pk, "schedule"]))
    with django_capture_on_commit_callbacks(execute=True):
        broadcasts_advance()

    page = client.get(reverse("admin:marketing_broadcast_change", args=[broadcast.pk])).content.decode()

    assert "A/B test" in page and "two-proportion z-test" in page
    assert "The winner is chosen at" in page


def test_trigger_campaign_list_leaves_broadcasts_to_their_own_page(client, marketer):
    broadcast = broadcast_draft(city_segment())
    campaigns = client.get(reverse("admin:marketing_campaign_changelist")).content.decode()
    broadcasts = client.get(reverse("admin:marketing_broadcast_changelist")).content.decode()
    assert broadcast.name not in campaigns and broadcast.name in broadcasts


def test_marketer_previews_a_draft_broadcast_for_a_customer(client, marketer):
    [customer] = customers(1)
    broadcast = broadcast_draft(city_segment())
    broadcast_step_sync(broadcast=broadcast)  # as saving it in the admin does

    page = client.get(reverse("admin:marketing_campaign_preview", args=[broadcast.pk]) + f"?customer={customer.pk}")

    assert page.status_code == 200
    text = page.content.decode()
    assert "Sale: up to 50% off" in text
    assert reverse("admin:marketing_broadcast_change", args=[broadcast.pk]) in text
