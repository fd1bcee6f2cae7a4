import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from customers.roles import MARKETER, roles_sync
from marketing.campaigns.models import Campaign, CampaignEntry
from marketing.campaigns.stats import campaign_stats, conversion_uplift
from marketing.models import OutboundMessage
from orders.models import Order
from orders.services import order_transition
from tests.factories import UserFactory
from tests.marketing.campaigning import abandoned_cart_campaign, campaign_run, cart_left, consent_given
from tests.marketing.ordering import order_placed

pytestmark = pytest.mark.django_db

PERSON_BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"


def test_uplift_and_its_interval_on_a_known_answer():
    # 30 of 100 messaged ordered, 20 of 100 held out: +10 points, standard error 0.0608.
    difference, low, high = conversion_uplift(converted_a=30, people_a=100, converted_b=20, people_b=100)
    assert round(difference, 4) == 0.1
    assert (round(low, 4), round(high, 4)) == (-0.0192, 0.2192)


def test_uplift_is_unknown_while_a_group_is_empty():
    assert conversion_uplift(converted_a=3, people_a=10, converted_b=0, people_b=0) is None


@pytest.fixture
def marketer(client):
    roles_sync()
    user = UserFactory(email="marketer@example.com", is_staff=True)
    user.groups.add(Group.objects.get(name=MARKETER))
    client.force_login(user)
    return user


def _click_and_order(client, email) -> Order:
    button = re.findall(r"http://localhost:8000/m/c/\S+/", email.body)[-1]
    client.get(button.replace("http://localhost:8000", ""), HTTP_USER_AGENT=PERSON_BROWSER)
    return order_placed(email=email.to[0])


def test_campaign_page_shows_sent_clicks_and_attributed_revenue(django_capture_on_commit_callbacks, client, marketer):
    campaign = abandoned_cart_campaign()
    for name in ("anna", "boris"):
        consent_given(f"{name}@example.com")
        cart_left(email=f"{name}@example.com")
    campaign_run(django_capture_on_commit_callbacks)
    OutboundMessage.objects.update(sent_at=timezone.now() - datetime.timedelta(minutes=5))
    order = _click_and_order(client, mail.outbox[0])

    stats = campaign_stats(campaign=campaign)

    [row] = stats.rows
    assert (row.step, row.sent, row.delivered, row.clicks, row.orders) == (1, 2, 2, 1, 1)
    assert row.revenue == order.items_total
    assert row.conversion == 0.5
    page = client.get(reverse("admin:marketing_campaign_change", args=[campaign.pk]))
    assert page.status_code == 200
    assert "2,000" in page.content.decode()


def test_a_cancelled_order_takes_its_revenue_back(django_capture_on_commit_callbacks, client):
    campaign = abandoned_cart_campaign()
    consent_given("anna@example.com")
    cart_left()
    campaign_run(django_capture_on_commit_callbacks)
    OutboundMessage.objects.update(sent_at=timezone.now() - datetime.timedelta(minutes=5))
    order = _click_and_order(client, mail.outbox[0])

    order_transition(order=order, to_status=Order.Status.CANCELLED, by=UserFactory(is_staff=True))

    assert campaign_stats(campaign=campaign).total.orders == 0


def test_holdout_conversion_is_compared_with_the_messaged_group(django_capture_on_commit_callbacks):
    campaign = abandoned_cart_campaign(holdout_percent=50)
    emails = [f"shopper{n}@example.com" for n in range(20)]
    for email in emails:
        consent_given(email)
        cart_left(email=email)
    campaign_run(django_capture_on_commit_callbacks)
    held = set(CampaignEntry.objects.filter(status="held_out").values_list("email", flat=True))
    messaged = set(emails) - held
    order_placed(email=sorted(held)[0])
    for email in sorted(messaged)[:2]:
        order_placed(email=email)

    uplift = campaign_stats(campaign=campaign).uplift

    assert (uplift.messaged, uplift.messaged_converted) == (len(messaged), 2)
    assert (uplift.held_out, uplift.held_out_converted) == (len(held), 1)
    assert uplift.difference[0] == pytest.approx(2 / len(messaged) - 1 / len(held))


def test_marketer_previews_the_message_for_a_customer_and_sends_a_test(
    django_capture_on_commit_callbacks, client, marketer
):
    campaign = abandoned_cart_campaign()
    customer = UserFactory(email="anna@example.com")
    cart_left(user=customer)
    url = reverse("admin:marketing_campaign_preview", args=[campaign.pk])

    found = client.get(url, {"q": "anna@"})
    preview = client.get(url, {"customer": customer.pk, "step": 1})
    frame = client.get(reverse("admin:marketing_campaign_preview_message", args=[campaign.pk]),
                       {"customer": customer.pk, "step": 1})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"customer": customer.pk, "step": 1})

    assert "anna@example.com" in found.content.decode()
    assert "You left something in your cart" in preview.content.decode()
    assert "Крем для рук" in frame.content.decode()
    assert "img-src *" in frame["Content-Security-Policy"]
    [test] = mail.outbox
    assert test.to == ["marketer@example.com"] and test.subject == "[TEST] You left something in your cart"
    assert not Campaign.objects.get(pk=campaign.pk).messages.exists()


def test_order_card_shows_the_customers_campaign_messages_and_their_clicks(django_capture_on_commit_callbacks, client):
    from marketing.order_card import campaign_messages

    abandoned_cart_campaign()
    consent_given("anna@example.com")
    cart_left()
    campaign_run(django_capture_on_commit_callbacks)
    OutboundMessage.objects.update(sent_at=timezone.now() - datetime.timedelta(minutes=5))
    order = _click_and_order(client, mail.outbox[0])

    [shown] = campaign_messages(order).context["campaign_messages"]

    assert shown.step == 1 and shown.clicked and shown.message.status == "sent"
