"""Demo campaigns for `manage.py seed_demo`: the abandoned-cart campaign switched on, and a few
demo shoppers who agreed to news and left carts, so the outbox and the campaign page show real
rows from the first `make run`; the back-in-stock and price-drop campaigns switched on, with a few
shoppers waiting for sold-out products; and a few saved segments. Idempotent: a second run adds
nothing."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from catalog.models import Product
from customers.models import Consent, User
from customers.services import consent_record
from marketing.campaigns.back_in_stock import back_in_stock_request
from marketing.campaigns.models import BackInStockRequest, Campaign
from marketing.campaigns.services import campaign_entries_dispatch, campaigns_scan
from marketing.segments.models import Segment
from marketing.segments.services import segment_save
from orders.models import Cart
from orders.services import cart_add

DEMO_WORDING_VERSION = "demo"


@transaction.atomic
def demo_campaigns_start(*, customer_email_domain: str, shoppers: int = 8, seed: int = 42) -> int:
    """Switch on the abandoned-cart campaign and leave carts for `shoppers` demo customers;
    returns how many carts it left. The messages go out through the outbox as in the shop."""
    campaign = Campaign.objects.filter(kind=Campaign.Kind.ABANDONED_CART).first()
    if campaign is None or campaign.is_active:
        return 0
    Campaign.objects.filter(pk=campaign.pk).update(is_active=True, holdout_percent=10,
                                                   send_window_start=None, send_window_end=None)
    rng = random.Random(f"campaigns:{seed}")
    customers = list(User.objects.filter(email__endswith=f"@{customer_email_domain}").order_by("pk")[:shoppers])
    products = list(Product.objects.active().filter(is_in_stock=True, variants__isnull=True)[:60])
    left = 0
    for customer in customers:
        if not products:
            break
        consent_record(kind=Consent.Kind.MARKETING_EMAIL, granted=True, wording_version=DEMO_WORDING_VERSION,
                       source=Consent.Source.REGISTRATION, user=customer, email=customer.email)
        cart, _created = Cart.objects.get_or_create(user=customer)
        for product in rng.sample(products, k=min(len(products), rng.randint(1, 3))):
            cart_add(cart=cart, product=product, quantity=1)
        hours = rng.choice([2, 5, 30])
        Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now() - datetime.timedelta(hours=hours))
        left += 1
    campaigns_scan()
    campaign_entries_dispatch()
    return left


@transaction.atomic
def demo_back_in_stock_start(*, customer_email_domain: str, shoppers: int = 3) -> int:
    """Switch on the back-in-stock and price-drop campaigns and have `shoppers` demo customers
    wait for the first sold-out products (Marketing → Back-in-stock requests lists them; saving
    such a product with stock sends their messages). Returns how many requests it made."""
    for kind in (Campaign.Kind.BACK_IN_STOCK, Campaign.Kind.PRICE_DROP):
        Campaign.objects.filter(kind=kind, is_active=False).update(is_active=True)
    if BackInStockRequest.objects.exists():
        return 0
    sold_out = list(Product.objects.active().filter(is_in_stock=False)[:2])
    customers = list(User.objects.filter(email__endswith=f"@{customer_email_domain}").order_by("-pk")[:shoppers])
    for customer in customers:
        for product in sold_out:
            back_in_stock_request(product=product, user=customer)
    return len(customers) * len(sold_out)


# Segments a marketer starts from, named as the shop would name them.
DEMO_SEGMENTS = {
    "Москва и Петербург": {"match": "any", "conditions": [
        {"field": "city", "values": ["Москва"]}, {"field": "city", "values": ["Санкт-Петербург"]}]},
    "Покупали за 90 дней на 3000 ₽ и больше": {"match": "all", "conditions": [
        {"field": "total_spent", "min": "3000", "days": 90}]},
    "Давно не заказывали, подписаны на e-mail": {"match": "all", "conditions": [
        {"field": "orders_count", "min": 1},
        {"field": "last_order", "when": "not_within", "days": 60},
        {"field": "subscribed", "channel": "email"}]},
}


def demo_segments_create() -> int:
    """The demo segments that do not exist yet; returns how many were added."""
    added = 0
    for name, conditions in DEMO_SEGMENTS.items():
        if not Segment.objects.filter(name=name).exists():
            segment_save(name=name, conditions=conditions)
            added += 1
    return added
