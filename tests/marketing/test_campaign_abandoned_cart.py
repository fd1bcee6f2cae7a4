import datetime
import re
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from marketing.campaigns.models import CampaignEntry, CampaignMessage
from marketing.campaigns.services import campaigns_scan
from marketing.campaigns.triggers import person_of
from orders.models import Cart
from orders.services import Contact, order_place
from tests.factories import UserFactory
from tests.marketing.campaigning import (
    abandoned_cart_campaign,
    campaign_run,
    cart_left,
    consent_given,
    time_passes,
)
from tests.marketing.ordering import delivery_of, order_placed

pytestmark = pytest.mark.django_db


def _links(body: str) -> list[str]:
    return re.findall(r"https?://\S+", body)


def test_shopper_who_left_a_cart_gets_an_email_with_its_items_at_todays_prices(django_capture_on_commit_callbacks):
    abandoned_cart_campaign()
    consent_given("anna@example.com")
    cart_left(email="anna@example.com", price="1290.00")

    campaign_run(django_capture_on_commit_callbacks)

    [email] = mail.outbox
    assert email.to == ["anna@example.com"]
    assert email.subject == "You left something in your cart"
    assert "Крем для рук, 2 × 1,290\u00a0₽" in email.body
    html = email.alternatives[0][0]
    assert "Крем для рук" in html and "<img" in html and "Return to your cart" in html


def test_cart_changed_within_the_hour_waits(django_capture_on_commit_callbacks):
    abandoned_cart_campaign()
    consent_given("anna@example.com")
    cart_left(hours_ago=0.5)

    campaign_run(django_capture_on_commit_callbacks)

    assert mail.outbox == []
    assert not CampaignEntry.objects.exists()


def test_shopper_without_marketing_consent_gets_nothing(django_capture_on_commit_callbacks):
    abandoned_cart_campaign()
    cart_left(email="anna@example.com")

    campaign_run(django_capture_on_commit_callbacks)

    assert mail.outbox == []
    assert CampaignEntry.objects.get().status == CampaignEntry.Status.STOPPED


def test_shopper_who_unsubscribed_since_gets_nothing(django_capture_on_commit_callbacks):
    abandoned_cart_campaign()
    consent_given("anna@example.com")
    consent_given("anna@example.com", granted=False)
    cart_left(email="anna@example.com")

    campaign_run(django_capture_on_commit_callbacks)

    assert mail.outbox == []


def test_cart_without_a_contact_is_not_a_campaign_entry(django_capture_on_commit_callbacks):
    abandoned_cart_campaign()
    cart = cart_left(email="")
    Cart.objects.filter(pk=cart.pk).update(email="")

    campaign_run(django_capture_on_commit_callbacks)

    assert not CampaignEntry.objects.exists()


def test_second_reminder_comes_a_day_later_and_the_sequence_ends_after_three(django_capture_on_commit_callbacks):
    abandoned_cart_campaign()
    consent_given("anna@example.com")
    cart = cart_left()
    campaign_run(django_capture_on_commit_callbacks)
    time_passes(cart, hours=12)
    campaign_run(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1

    time_passes(cart, hours=12)
    campaign_run(django_capture_on_commit_callbacks)
    time_passes(cart, hours=48)
    campaign_run(django_capture_on_commit_callbacks)
    time_passes(cart, hours=100)
    campaign_run(django_capture_on_commit_callbacks)

    assert [email.subject for email in mail.outbox] == [
        "You left something in your cart", "Your cart is still waiting", "A last reminder about your cart",
    ]
    assert CampaignEntry.objects.get().status == CampaignEntry.Status.DONE


def test_sequence_stops_when_the_shopper_orders(django_capture_on_commit_callbacks):
    abandoned_cart_campaign()
    consent_given("anna@example.com")
    cart = cart_left()
    campaign_run(django_capture_on_commit_callbacks)
    entry = CampaignEntry.objects.get()

    order_place(cart=cart, contact=Contact(name="Анна", phone="+79161234567", email="anna@example.com"),
                delivery=delivery_of("courier"), payment="cash_on_delivery", idempotency_key=uuid.uuid4().hex)
    time_passes(cart, hours=30)
    mail.outbox = []
    campaign_run(django_capture_on_commit_callbacks)

    entry.refresh_from_db()
    assert entry.status == CampaignEntry.Status.STOPPED
    assert [email.subject for email in mail.outbox if "cart" in email.subject] == []


def test_sequence_stops_when_the_cart_is_emptied(django_capture_on_commit_callbacks):
    abandoned_cart_campaign()
    consent_given("anna@example.com")
    cart = cart_left()
    campaign_run(django_capture_on_commit_callbacks)
    cart.lines.all().delete()
    time_passes(cart, hours=30)

    campaign_run(django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1
    assert CampaignEntry.objects.get().note == "The cart was emptied."


def test_scanning_twice_opens_one_entry_per_cart(django_capture_on_commit_callbacks):
    abandoned_cart_campaign()
    cart_left()

    campaigns_scan()
    campaigns_scan()

    assert CampaignEntry.objects.count() == 1


def test_a_campaign_that_is_off_sends_nothing(django_capture_on_commit_callbacks):
    abandoned_cart_campaign(is_active=False)
    consent_given("anna@example.com")
    cart_left()

    campaign_run(django_capture_on_commit_callbacks)

    assert mail.outbox == []


def test_the_message_waits_for_the_send_window_in_the_shops_time_zone(django_capture_on_commit_callbacks, settings):
    settings.TIME_ZONE = "Asia/Vladivostok"
    local_now = timezone.now().astimezone(ZoneInfo("Asia/Vladivostok"))
    opens = (local_now + datetime.timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    closes = opens + datetime.timedelta(hours=1)
    abandoned_cart_campaign(send_window_start=opens.time(), send_window_end=closes.time())
    consent_given("anna@example.com")
    cart_left()

    campaign_run(django_capture_on_commit_callbacks)

    assert mail.outbox == []
    entry = CampaignEntry.objects.get()
    assert entry.status == CampaignEntry.Status.WAITING
    assert entry.due_at == opens


def test_holdout_shoppers_get_nothing_and_are_recorded(django_capture_on_commit_callbacks):
    campaign = abandoned_cart_campaign(holdout_percent=50)
    emails = [f"shopper{n}@example.com" for n in range(40)]
    for email in emails:
        consent_given(email)
        cart_left(email=email)

    campaign_run(django_capture_on_commit_callbacks)

    held_out = set(CampaignEntry.objects.filter(status=CampaignEntry.Status.HELD_OUT).values_list("email", flat=True))
    assert held_out == {email for email in emails if campaign.in_holdout(email)}
    assert 5 < len(held_out) < 35
    assert {email.to[0] for email in mail.outbox} == set(emails) - held_out


def test_frequency_cap_holds_a_second_campaign_message_until_the_next_day(django_capture_on_commit_callbacks):
    abandoned_cart_campaign()
    consent_given("anna@example.com")
    cart_left(email="anna@example.com")
    campaign_run(django_capture_on_commit_callbacks)
    second = cart_left(email="anna@example.com")
    second_cart_entry_before = timezone.now()

    campaign_run(django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1
    waiting = CampaignEntry.objects.get(subject_id=second.pk)
    assert waiting.status == CampaignEntry.Status.WAITING
    assert waiting.due_at > second_cart_entry_before + datetime.timedelta(hours=23)


def test_return_link_restores_the_cart_on_another_device(client, django_capture_on_commit_callbacks):
    abandoned_cart_campaign()
    consent_given("anna@example.com")
    cart = cart_left()
    campaign_run(django_capture_on_commit_callbacks)
    [email] = mail.outbox
    button = [link for link in _links(email.body) if "/m/c/" in link][-1]

    response = client.get(button.replace("http://localhost:8000", ""), follow=True)

    assert response.redirect_chain[-1][0] == "/cart/"
    restored = Cart.objects.exclude(pk=cart.pk).get()
    assert [(line.product_id, line.quantity) for line in restored.lines.all()] == [
        (line.product_id, line.quantity) for line in cart.lines.all()
    ]


def test_every_step_is_written_once_however_often_dispatch_runs(django_capture_on_commit_callbacks):
    abandoned_cart_campaign()
    consent_given("anna@example.com")
    cart_left()
    for _ in range(3):
        campaign_run(django_capture_on_commit_callbacks)

    assert CampaignMessage.objects.count() == 1
    assert len(mail.outbox) == 1


def test_order_placed_by_another_route_does_not_confuse_an_unrelated_cart(django_capture_on_commit_callbacks):
    abandoned_cart_campaign()
    consent_given("anna@example.com")
    cart_left(email="anna@example.com")
    order_placed(email="boris@example.com")

    campaign_run(django_capture_on_commit_callbacks)

    assert [email.to for email in mail.outbox if email.subject.startswith("You left")] == [["anna@example.com"]]


def test_the_send_window_is_read_in_the_customers_own_time_zone(django_capture_on_commit_callbacks, settings):
    settings.TIME_ZONE = "Europe/Moscow"
    customer = UserFactory(email="anna@example.com", timezone="Asia/Vladivostok")
    vladivostok_now = timezone.now().astimezone(ZoneInfo("Asia/Vladivostok"))
    opens = (vladivostok_now + datetime.timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    closes = opens + datetime.timedelta(hours=1)
    abandoned_cart_campaign(send_window_start=opens.time(), send_window_end=closes.time())
    consent_given("anna@example.com")
    cart_left(user=customer)

    campaign_run(django_capture_on_commit_callbacks)

    assert CampaignEntry.objects.get().due_at == opens


def test_the_scan_names_each_person_as_caps_and_holdouts_count_them():
    abandoned_cart_campaign()
    customer = UserFactory(email="boris@example.com", phone="+79161234567")
    guest_cart = cart_left(email=" Anna@Example.COM ")
    customer_cart = cart_left(email="", user=customer)

    campaigns_scan()

    entries = {entry.subject_id: entry for entry in CampaignEntry.objects.all()}
    assert (entries[guest_cart.pk].person, entries[guest_cart.pk].email) == (
        person_of(user_id=None, email=" Anna@Example.COM "), "anna@example.com")
    assert (entries[customer_cart.pk].person, entries[customer_cart.pk].email, entries[customer_cart.pk].phone) == (
        person_of(user_id=customer.pk, email=customer.email), "boris@example.com", "+79161234567")
