import pytest

from marketing.campaigns.models import BackInStockRequest, Campaign, CampaignEntry
from marketing.demo import DEMO_SEGMENTS, demo_back_in_stock_start, demo_campaigns_start, demo_segments_create
from marketing.models import OutboundMessage
from marketing.segments.models import Segment
from marketing.segments.selectors import segment_members
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_demo_switches_the_abandoned_cart_campaign_on_with_real_outbox_rows(django_capture_on_commit_callbacks):
    for n in range(4):
        UserFactory(email=f"shopper{n}@demo.example")
    for _ in range(5):
        ProductFactory(stock=10, is_in_stock=True)

    with django_capture_on_commit_callbacks(execute=True):
        left = demo_campaigns_start(customer_email_domain="demo.example", shoppers=4)

    assert left == 4
    assert Campaign.objects.get(kind=Campaign.Kind.ABANDONED_CART).is_active
    assert CampaignEntry.objects.count() == 4
    assert OutboundMessage.objects.filter(is_marketing=True).exists()
    assert demo_campaigns_start(customer_email_domain="demo.example", shoppers=4) == 0


def test_demo_has_shoppers_waiting_for_sold_out_products_once():
    for n in range(3):
        UserFactory(email=f"shopper{n}@demo.example")
    ProductFactory(stock=0)

    made = demo_back_in_stock_start(customer_email_domain="demo.example")

    assert made == 3 and BackInStockRequest.objects.filter(status=BackInStockRequest.Status.ACTIVE).count() == 3
    assert Campaign.objects.get(kind=Campaign.Kind.BACK_IN_STOCK).is_active
    assert Campaign.objects.get(kind=Campaign.Kind.PRICE_DROP).is_active
    assert demo_back_in_stock_start(customer_email_domain="demo.example") == 0


def test_demo_adds_segments_that_count_and_adds_them_once():
    UserFactory(city="Москва")
    UserFactory(city="Казань")

    assert demo_segments_create() == len(DEMO_SEGMENTS)
    assert demo_segments_create() == 0
    assert segment_members(segment=Segment.objects.get(name="Москва и Петербург")).count() == 1
