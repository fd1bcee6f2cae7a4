"""A trigger campaign limited to a saved segment reaches only its members."""

import importlib
from decimal import Decimal

import pytest
from django.core import mail

from marketing.campaigns.models import CampaignEntry
from marketing.segments.conditions import conditions_clean
from marketing.segments.models import Segment
from marketing.segments.services import segment_save
from tests.factories import UserFactory
from tests.marketing.campaigning import abandoned_cart_campaign, campaign_run, cart_left, consent_given

pytestmark = pytest.mark.django_db


def moscow() -> Segment:
    return segment_save(name="Moscow", conditions={"match": "all", "conditions": [
        {"field": "city", "values": ["Москва"]}]})


def test_a_customer_outside_the_campaigns_segment_is_stopped_and_one_inside_gets_the_message(
    django_capture_on_commit_callbacks,
):
    abandoned_cart_campaign(segment=moscow())
    inside = UserFactory(email="anna@example.com", city="Москва")
    outside = UserFactory(email="boris@example.com", city="Казань")
    for customer in (inside, outside):
        consent_given(customer.email)
        cart_left(email=customer.email, user=customer)

    campaign_run(django_capture_on_commit_callbacks)

    assert [email.to for email in mail.outbox] == [["anna@example.com"]]
    assert CampaignEntry.objects.get(user=outside).note == "Not in the campaign's segment."


def test_a_guest_cart_is_matched_to_the_account_with_its_e_mail(django_capture_on_commit_callbacks):
    abandoned_cart_campaign(segment=moscow())
    UserFactory(email="anna@example.com", city="Москва")
    consent_given("anna@example.com")
    consent_given("guest@example.com")
    cart_left(email="Anna@Example.com")
    cart_left(email="guest@example.com")

    campaign_run(django_capture_on_commit_callbacks)

    assert [email.to for email in mail.outbox] == [["anna@example.com"]]


def test_a_campaign_without_a_segment_reaches_guests_too(django_capture_on_commit_callbacks):
    abandoned_cart_campaign()
    consent_given("guest@example.com")
    cart_left(email="guest@example.com")

    campaign_run(django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1


def test_a_segment_used_by_a_campaign_cannot_be_deleted():
    segment = moscow()
    abandoned_cart_campaign(segment=segment)

    with pytest.raises(Exception, match="protected"):
        segment.delete()


@pytest.mark.parametrize(("audience", "city", "min_spent", "expected"), [
    ("everyone", "", None, []),
    ("has_ordered", " Москва ", Decimal("5000.00"), [
        {"field": "orders_count", "min": 1}, {"field": "city", "values": ["Москва"]},
        {"field": "total_spent", "min": "5000.00"}]),
    ("never_ordered", "", None, [{"field": "orders_count", "max": 0}]),
])
def test_the_old_audience_filter_becomes_a_valid_segment_with_the_same_conditions(audience, city, min_spent, expected):
    migration = importlib.import_module("marketing.migrations.0013_campaign_segment")

    conditions = migration.audience_conditions(audience=audience, city=city, min_spent=min_spent)

    assert conditions == expected
    assert conditions_clean({"match": "all", "conditions": conditions})["conditions"] == expected
