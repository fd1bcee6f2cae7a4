"""Messages and campaigns side by side, by marketing's own rules, and their share of turnover."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from analytics.periods import Period, shop_today
from analytics.reports.campaigns import campaigns_report
from marketing.campaigns.models import CampaignConversion, CampaignEvent, CampaignMessage
from marketing.campaigns.stats import campaign_stats
from marketing.models import OutboundMessage
from orders.models import Order
from orders.services import order_transition
from tests.analytics.conftest import make_order, make_visit
from tests.factories import UserFactory
from tests.marketing.campaigning import abandoned_cart_campaign, campaign_run, cart_left, consent_given
from tests.marketing.conftest import _messaging  # noqa: F401  (autouse: e-mail to mail.outbox, tasks eager)
from tests.marketing.ordering import order_placed

pytestmark = pytest.mark.django_db

PERSON_BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"


@pytest.fixture
def campaign_with_an_order(django_capture_on_commit_callbacks, client):
    """Three people get the abandoned-cart e-mail, two click it, one of them orders; the shop also
    sells 8 000 ₽ with no campaign."""
    campaign = abandoned_cart_campaign()
    for name in ("anna", "boris", "vera"):
        consent_given(f"{name}@example.com")
        cart_left(email=f"{name}@example.com")
    campaign_run(django_capture_on_commit_callbacks)
    OutboundMessage.objects.update(sent_at=timezone.now() - datetime.timedelta(minutes=5))
    for email in mail.outbox[:2]:
        button = re.findall(r"http://localhost:8000/m/c/\S+/", email.body)[-1]
        client.get(button.replace("http://localhost:8000", ""), HTTP_USER_AGENT=PERSON_BROWSER)
    order = order_placed(email=mail.outbox[0].to[0])
    make_order(timezone.now(), total="8000.00")
    return campaign, order


def test_the_report_shows_each_campaigns_figures_as_its_own_page_does(campaign_with_an_order, any_reader):
    campaign, order = campaign_with_an_order
    today = Period(shop_today(), shop_today())

    [row] = campaigns_report(reader=any_reader(), period=today).rows

    stats = campaign_stats(campaign=campaign).total
    assert (row["sent"], row["clicks"], row["orders"], row["revenue"]) == (3, 2, 1, order.items_total)
    assert (row["sent"], row["clicks"], row["orders"], row["revenue"]) == (
        stats.sent, stats.clicks, stats.orders, stats.revenue)
    assert row["click_rate"] == Decimal("66.67")


def test_a_campaigns_share_of_turnover_is_of_the_shops_revenue(campaign_with_an_order, any_reader):
    _campaign, order = campaign_with_an_order

    table = campaigns_report(reader=any_reader(), period=Period(shop_today(), shop_today()))

    shop_revenue = order.total_to_pay + Decimal("8000.00")
    assert table.total["turnover_share"] == (order.items_total * 100 / shop_revenue).quantize(Decimal("0.01"))


def test_past_days_count_messages_when_written_clicks_when_first_made_and_orders_when_placed(
        campaign_with_an_order, any_reader):
    _campaign, order = campaign_with_an_order
    days_ago = lambda days: timezone.now() - datetime.timedelta(days=days)  # noqa: E731
    CampaignMessage.objects.update(created_at=days_ago(12))
    CampaignEvent.objects.update(created_at=days_ago(11))
    Order.objects.filter(pk=order.pk).update(created_at=days_ago(10))
    make_visit(days_ago(13))  # the shop's figures begin with its first visit
    reader = any_reader()
    on = lambda days: reader.campaigns(Period(shop_today() - datetime.timedelta(days=days),  # noqa: E731
                                              shop_today() - datetime.timedelta(days=days)))

    assert [row["sent"] for row in on(12).values()] == [3]
    assert [row["clicks"] for row in on(11).values()] == [2]
    assert [(row["orders"], row["revenue"]) for row in on(10).values()] == [(1, order.items_total)]


def test_a_cancelled_order_takes_its_revenue_back_from_the_campaign(campaign_with_an_order, any_reader):
    campaign, order = campaign_with_an_order

    order_transition(order=order, to_status=Order.Status.CANCELLED, by=UserFactory(is_staff=True))

    [row] = campaigns_report(reader=any_reader(), period=Period(shop_today(), shop_today())).rows
    assert (row["orders"], row["revenue"]) == (0, Decimal("0.00"))
    assert CampaignConversion.objects.filter(campaign=campaign).count() == 1
