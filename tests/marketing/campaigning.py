"""Abandoned carts and campaign runs for the campaign tests, through the real services."""

import datetime
import importlib
from decimal import Decimal

from django.apps import apps as django_apps
from django.utils import timezone

from customers.models import Consent
from customers.services import consent_record
from marketing.campaigns.models import Campaign, CampaignEntry, CampaignMessage
from marketing.campaigns.services import campaign_entries_dispatch, campaigns_scan
from marketing.models import OutboundMessage
from orders.models import Cart
from orders.services import cart_add
from tests.factories import CartFactory, ProductFactory, ProductImageFactory


def abandoned_cart_campaign(**changes) -> Campaign:
    """The shipped default campaign, switched on, sending at any hour unless told otherwise."""
    return campaign_on(Campaign.Kind.ABANDONED_CART, **changes)


def campaign_on(kind: str, **changes) -> Campaign:
    """The shipped default campaign of `kind`, switched on, sending at any hour unless told otherwise."""
    if not Campaign.objects.filter(kind=kind).exists():
        # A transactional test empties the tables, and the shipped campaigns with them.
        for migration in ("0007_default_campaigns", "0008_more_default_campaigns"):
            importlib.import_module(f"marketing.migrations.{migration}").campaigns_create(django_apps, None)
        importlib.import_module("marketing.migrations.0009_loyalty_campaign").campaign_create(django_apps, None)
        importlib.import_module("marketing.migrations.0017_watched_products_texts").texts_create(django_apps, None)
    campaign = Campaign.objects.get(kind=kind)
    values = {"is_active": True, "send_window_start": None, "send_window_end": None, **changes}
    Campaign.objects.filter(pk=campaign.pk).update(**values)
    campaign.refresh_from_db()
    return campaign


def consent_given(email: str, *, granted: bool = True, kind: str = Consent.Kind.MARKETING_EMAIL) -> None:
    consent_record(kind=kind, granted=granted, wording_version="test", source=Consent.Source.CHECKOUT, email=email)


def cart_left(*, email: str = "anna@example.com", hours_ago: float = 2, price: str = "1290.00", user=None) -> Cart:
    """A guest's cart with one product (with a picture) and the e-mail typed at checkout, last
    changed `hours_ago`."""
    product = ProductFactory(name="Крем для рук", price=Decimal(price), stock=10)
    ProductImageFactory(product=product)
    cart = CartFactory(email=email, user=user) if user is None else Cart.objects.create(user=user, email=email)
    cart_add(cart=cart, product=product, variant=None, quantity=2)
    cart_age(cart, hours=hours_ago)
    return cart


def cart_age(cart: Cart, *, hours: float) -> None:
    Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now() - datetime.timedelta(hours=hours))


def campaign_run(django_capture_on_commit_callbacks) -> dict:
    """What beat does: the scan, then the dispatch; messages are sent after commit."""
    with django_capture_on_commit_callbacks(execute=True):
        campaigns_scan()
        return campaign_entries_dispatch()


def time_passes(cart: Cart, *, hours: float) -> None:
    """Move the cart, its campaign entries and messages `hours` into the past, as if time had gone by."""
    delta = datetime.timedelta(hours=hours)
    for message in CampaignMessage.objects.filter(entry__subject_id=cart.pk).select_related("message"):
        CampaignMessage.objects.filter(pk=message.pk).update(created_at=message.created_at - delta)
        if message.message.sent_at:
            OutboundMessage.objects.filter(pk=message.message_id).update(sent_at=message.message.sent_at - delta)
    Cart.objects.filter(pk=cart.pk).update(updated_at=Cart.objects.get(pk=cart.pk).updated_at - delta)
    for entry in CampaignEntry.objects.filter(subject_id=cart.pk):
        CampaignEntry.objects.filter(pk=entry.pk).update(
            triggered_at=entry.triggered_at - delta, due_at=entry.due_at - delta
        )
