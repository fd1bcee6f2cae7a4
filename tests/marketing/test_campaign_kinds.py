"""Each trigger kind's conditions, with the cases where it must stay silent."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from customers.models import ProductView
from marketing.campaigns.models import Campaign, CampaignEntry
from marketing.campaigns.services import campaigns_scan
from orders.models import Cart, Order, OrderStatusChange
from orders.services import cart_add
from tests.factories import CategoryFactory, ProductFactory, UserFactory, VisitFactory
from tests.marketing.campaigning import campaign_on, campaign_run, consent_given
from tests.marketing.ordering import COURIER_ROAD, order_moved, order_placed

pytestmark = pytest.mark.django_db

Kind = Campaign.Kind
NOW = timezone.now


def _ago(**delta) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)


def _delivered(*, email="anna@example.com", user=None, ordered_days_ago: float, delivered_days_ago: float,
               product=None) -> Order:
    """An order delivered `delivered_days_ago`, placed `ordered_days_ago`."""
    order = order_moved(order_placed(email=email), *COURIER_ROAD)
    if product is not None:
        order.lines.update(product=product)
    Order.objects.filter(pk=order.pk).update(created_at=_ago(days=ordered_days_ago), user=user)
    OrderStatusChange.objects.filter(order=order, to_status=Order.Status.DELIVERED).update(
        created_at=_ago(days=delivered_days_ago))
    return Order.objects.get(pk=order.pk)


# --- Welcome -------------------------------------------------------------------------------


def test_a_new_customer_who_agreed_to_news_is_welcomed_once(django_capture_on_commit_callbacks):
    campaign_on(Kind.WELCOME)
    customer = UserFactory(email="anna@example.com")
    consent_given(customer.email)
    ProductFactory(name="Хит продаж", sales_count=100, stock=5, is_in_stock=True)

    campaign_run(django_capture_on_commit_callbacks)
    campaign_run(django_capture_on_commit_callbacks)

    [email] = mail.outbox
    assert email.subject == "Welcome to Витрина" and "Хит продаж" in email.body


def test_staff_and_long_registered_customers_are_not_welcomed(django_capture_on_commit_callbacks):
    campaign_on(Kind.WELCOME)
    old = UserFactory(email="old@example.com", date_joined=_ago(days=30))
    staff = UserFactory(email="staff@example.com", is_staff=True)
    for person in (old, staff):
        consent_given(person.email)

    campaign_run(django_capture_on_commit_callbacks)

    assert mail.outbox == []


# --- Birthday ------------------------------------------------------------------------------


def test_birthday_starts_at_midnight_in_the_customers_own_time_zone():
    campaign_on(Kind.BIRTHDAY)
    # 16:00 UTC on 10 June: 19:00 on the 10th in Moscow, already 02:00 on the 11th in Vladivostok.
    moment = datetime.datetime(2026, 6, 10, 16, 0, tzinfo=datetime.UTC)
    far_east = UserFactory(email="east@example.com", birth_date=datetime.date(1990, 6, 11),
                           timezone="Asia/Vladivostok")
    UserFactory(email="moscow@example.com", birth_date=datetime.date(1990, 6, 11), timezone="Europe/Moscow")

    campaigns_scan(now=moment)

    [entry] = CampaignEntry.objects.all()
    assert entry.user == far_east and entry.cause == f"birthday:{far_east.pk}:2026"
    assert entry.triggered_at == datetime.datetime(2026, 6, 10, 14, 0, tzinfo=datetime.UTC)


def test_birthday_greeting_is_sent_once_a_year(django_capture_on_commit_callbacks, settings):
    campaign_on(Kind.BIRTHDAY, promo_percent=15)
    today = timezone.localdate()
    customer = UserFactory(email="anna@example.com", birth_date=today.replace(year=1990))
    consent_given(customer.email)

    campaign_run(django_capture_on_commit_callbacks)
    campaign_run(django_capture_on_commit_callbacks)

    [email] = mail.outbox
    assert email.subject == "Happy birthday!"
    assert re.search(r"code VT-[0-9A-F]{8}", email.body)


# --- Reactivation --------------------------------------------------------------------------


def test_customer_quiet_for_six_months_is_invited_back(django_capture_on_commit_callbacks):
    campaign_on(Kind.REACTIVATION)
    customer = UserFactory(email="anna@example.com")
    consent_given(customer.email)
    _delivered(user=customer, ordered_days_ago=190, delivered_days_ago=188)

    campaign_run(django_capture_on_commit_callbacks)

    assert [email.subject for email in mail.outbox if email.subject == "We miss you"] == ["We miss you"]


def test_a_recent_visit_or_order_keeps_the_customer_out_of_reactivation(django_capture_on_commit_callbacks):
    campaign_on(Kind.REACTIVATION)
    visitor, buyer = UserFactory(email="visitor@example.com"), UserFactory(email="buyer@example.com")
    for person in (visitor, buyer):
        consent_given(person.email)
        _delivered(email=person.email, user=person, ordered_days_ago=190, delivered_days_ago=188)
    VisitFactory(user=visitor, started_at=_ago(days=10))
    _delivered(email=buyer.email, user=buyer, ordered_days_ago=20, delivered_days_ago=18)

    campaign_run(django_capture_on_commit_callbacks)

    assert not CampaignEntry.objects.exists()


def test_a_quiet_customer_is_invited_back_once_counted_from_their_last_order():
    campaign = campaign_on(Kind.REACTIVATION)
    customer = UserFactory(email="anna@example.com")
    _delivered(user=customer, ordered_days_ago=200, delivered_days_ago=198)
    last = _delivered(user=customer, ordered_days_ago=190, delivered_days_ago=188)

    campaigns_scan()
    campaigns_scan()

    [entry] = CampaignEntry.objects.filter(campaign=campaign)
    assert entry.cause == f"reactivation:{customer.pk}:{last.created_at.astimezone(datetime.UTC):%Y%m%d}"
    assert entry.triggered_at == last.created_at + datetime.timedelta(days=180)


# --- Browse abandonment --------------------------------------------------------------------


def _viewed(user, product, *, times: int, hours_ago: float) -> None:
    for _ in range(times):
        ProductView.objects.create(user=user, product=product, viewed_at=_ago(hours=hours_ago))


def test_a_product_viewed_twice_and_not_bought_is_recalled_the_next_day(django_capture_on_commit_callbacks):
    campaign_on(Kind.BROWSE_ABANDONMENT)
    customer = UserFactory(email="anna@example.com")
    consent_given(customer.email)
    product = ProductFactory(name="Чайник", stock=3, is_in_stock=True)
    _viewed(customer, product, times=2, hours_ago=26)

    campaign_run(django_capture_on_commit_callbacks)

    [email] = mail.outbox
    assert email.subject == "Чайник is still in stock"


def test_one_view_or_a_carted_product_is_not_recalled(django_capture_on_commit_callbacks):
    campaign_on(Kind.BROWSE_ABANDONMENT)
    glance, carted = UserFactory(email="glance@example.com"), UserFactory(email="carted@example.com")
    product = ProductFactory(stock=3, is_in_stock=True)
    for person in (glance, carted):
        consent_given(person.email)
    _viewed(glance, product, times=1, hours_ago=26)
    _viewed(carted, product, times=3, hours_ago=26)
    cart_add(cart=Cart.objects.create(user=carted), product=product, quantity=1)

    campaign_run(django_capture_on_commit_callbacks)

    assert mail.outbox == []


def _category_browsed(customer, *, products: int, hours_ago: float = 26):
    category = CategoryFactory(name="Чайники")
    viewed = [ProductFactory(category=category, name=f"Чайник {n}", stock=3) for n in range(products)]
    for product in viewed:
        _viewed(customer, product, times=1, hours_ago=hours_ago)
    return viewed


def test_several_products_of_one_category_viewed_bring_one_message_listing_them(django_capture_on_commit_callbacks):
    campaign_on(Kind.BROWSE_ABANDONMENT)
    customer = UserFactory(email="anna@example.com")
    consent_given(customer.email)
    _category_browsed(customer, products=3)

    campaign_run(django_capture_on_commit_callbacks)
    campaign_run(django_capture_on_commit_callbacks)

    [email] = mail.outbox
    assert email.subject == "You looked at Чайники"
    assert all(f"Чайник {n}" in email.body for n in range(3))


def test_two_products_of_a_category_or_one_carted_bring_no_category_message(django_capture_on_commit_callbacks):
    campaign_on(Kind.BROWSE_ABANDONMENT)
    browsing, carting = UserFactory(email="browsing@example.com"), UserFactory(email="carting@example.com")
    for person in (browsing, carting):
        consent_given(person.email)
    _category_browsed(browsing, products=2)
    viewed = _category_browsed(carting, products=4)
    cart_add(cart=Cart.objects.create(user=carting), product=viewed[1], quantity=1)

    campaign_run(django_capture_on_commit_callbacks)

    assert mail.outbox == []


def test_a_product_viewed_twice_in_a_browsed_category_is_one_message_not_two(django_capture_on_commit_callbacks):
    campaign_on(Kind.BROWSE_ABANDONMENT)
    customer = UserFactory(email="anna@example.com")
    consent_given(customer.email)
    viewed = _category_browsed(customer, products=3)
    _viewed(customer, viewed[0], times=1, hours_ago=26)

    campaign_run(django_capture_on_commit_callbacks)

    assert [entry.cause.split(":")[0] for entry in CampaignEntry.objects.all()] == ["browse"]


def test_a_category_browsed_within_the_delay_waits(django_capture_on_commit_callbacks):
    campaign_on(Kind.BROWSE_ABANDONMENT)
    customer = UserFactory(email="anna@example.com")
    consent_given(customer.email)
    _category_browsed(customer, products=3, hours_ago=2)

    campaign_run(django_capture_on_commit_callbacks)

    assert mail.outbox == [] and not CampaignEntry.objects.exists()


# --- Replenishment -------------------------------------------------------------------------


def test_running_out_reminder_puts_the_product_back_in_the_cart_in_one_click(
    django_capture_on_commit_callbacks, client
):
    campaign_on(Kind.REPLENISHMENT)
    consent_given("anna@example.com")
    cream = ProductFactory(name="Крем", consumption_days=30, stock=10, is_in_stock=True, price=Decimal("500.00"))
    _delivered(ordered_days_ago=33, delivered_days_ago=31, product=cream)

    campaign_run(django_capture_on_commit_callbacks)

    [email] = mail.outbox
    assert email.subject == "Time to restock: Крем"
    button = re.findall(r"http://localhost:8000/m/c/\S+/", email.body)[-1]
    client.get(button.replace("http://localhost:8000", ""), follow=True)
    [line] = Cart.objects.latest("created_at").lines.all()
    assert line.product == cream


def test_no_running_out_reminder_before_the_period_or_after_buying_again(django_capture_on_commit_callbacks):
    campaign_on(Kind.REPLENISHMENT)
    consent_given("anna@example.com")
    cream = ProductFactory(consumption_days=30, stock=10, is_in_stock=True)
    _delivered(ordered_days_ago=12, delivered_days_ago=10, product=cream)
    old = _delivered(ordered_days_ago=40, delivered_days_ago=35, product=cream)
    Order.objects.filter(pk=old.pk).update(created_at=_ago(days=40))

    campaign_run(django_capture_on_commit_callbacks)

    assert mail.outbox == []


# --- Review request ------------------------------------------------------------------------


def test_review_is_asked_three_days_after_a_fast_delivery(django_capture_on_commit_callbacks):
    campaign_on(Kind.REVIEW_REQUEST)
    consent_given("anna@example.com")
    _delivered(ordered_days_ago=5, delivered_days_ago=3.5)

    campaign_run(django_capture_on_commit_callbacks)

    [email] = mail.outbox
    assert email.subject == "How do you like your purchase?"


def test_review_request_links_to_the_review_forms_of_the_orders_products(django_capture_on_commit_callbacks, client):
    campaign_on(Kind.REVIEW_REQUEST)
    consent_given("anna@example.com")
    order = _delivered(ordered_days_ago=5, delivered_days_ago=3.5)
    product = order.lines.get().product

    campaign_run(django_capture_on_commit_callbacks)

    [email] = mail.outbox
    clicks = dict.fromkeys(re.findall(r"http://localhost:8000(/m/c/\S+/)", email.body))
    targets = {client.get(click)["Location"].split("?")[0] for click in clicks}
    assert targets == {f"http://localhost:8000/reviews/order/{order.number}/",
                       f"http://localhost:8000/product/{product.slug}/review/"}


def test_no_review_request_for_an_order_the_customer_has_reviewed_already(django_capture_on_commit_callbacks):
    from reviews.services import review_submit

    campaign_on(Kind.REVIEW_REQUEST)
    consent_given("anna@example.com")
    anna = UserFactory(email="anna@example.com")
    order = _delivered(user=anna, ordered_days_ago=5, delivered_days_ago=3.5)
    review_submit(user=anna, product=order.lines.get().product, rating=5, text="Всё понравилось, спасибо!")

    campaign_run(django_capture_on_commit_callbacks)

    assert mail.outbox == []


def test_no_review_request_after_a_slow_delivery(django_capture_on_commit_callbacks):
    campaign_on(Kind.REVIEW_REQUEST)
    consent_given("anna@example.com")
    _delivered(ordered_days_ago=14, delivered_days_ago=4)

    campaign_run(django_capture_on_commit_callbacks)

    assert mail.outbox == []


# --- Cross-sell ----------------------------------------------------------------------------


def test_related_products_not_yet_bought_follow_a_delivery(django_capture_on_commit_callbacks):
    campaign_on(Kind.CROSS_SELL)
    consent_given("anna@example.com")
    kettle = ProductFactory(name="Чайник", stock=5, is_in_stock=True)
    filters = ProductFactory(name="Фильтры для чайника", stock=5, is_in_stock=True)
    kettle.related_products.add(filters)
    _delivered(ordered_days_ago=4, delivered_days_ago=2.5, product=kettle)

    campaign_run(django_capture_on_commit_callbacks)

    [email] = mail.outbox
    assert "- Фильтры для чайника" in email.body
    assert "- Чайник " not in email.body  # what they bought is not offered again


def test_no_cross_sell_when_every_related_product_was_bought(django_capture_on_commit_callbacks):
    campaign_on(Kind.CROSS_SELL)
    consent_given("anna@example.com")
    kettle = ProductFactory(stock=5, is_in_stock=True)
    filters = ProductFactory(stock=5, is_in_stock=True)
    kettle.related_products.add(filters)
    _delivered(ordered_days_ago=30, delivered_days_ago=28, product=filters)
    _delivered(ordered_days_ago=4, delivered_days_ago=2.5, product=kettle)

    campaign_run(django_capture_on_commit_callbacks)

    assert mail.outbox == []


# --- Loyalty threshold ---------------------------------------------------------------------


def _spent(customer, amount: str, *, days_ago: float) -> Order:
    order = order_placed(email=customer.email)
    Order.objects.filter(pk=order.pk).update(
        user=customer, items_total=Decimal(amount), created_at=_ago(days=days_ago))
    return order


def test_the_order_that_crosses_the_years_threshold_brings_a_thank_you(django_capture_on_commit_callbacks):
    campaign_on(Kind.LOYALTY_THRESHOLD)
    customer = UserFactory(email="anna@example.com")
    consent_given(customer.email)
    _spent(customer, "10000.00", days_ago=100)
    _spent(customer, "6000.00", days_ago=0.5)

    campaign_run(django_capture_on_commit_callbacks)

    assert [e.subject for e in mail.outbox if e.subject.startswith("Thank")] == ["Thank you for staying with us"]
    assert "16,000" in [e for e in mail.outbox if e.subject.startswith("Thank")][0].body


def test_no_thank_you_when_the_threshold_was_crossed_before(django_capture_on_commit_callbacks):
    campaign_on(Kind.LOYALTY_THRESHOLD)
    customer = UserFactory(email="anna@example.com")
    consent_given(customer.email)
    _spent(customer, "20000.00", days_ago=100)
    _spent(customer, "6000.00", days_ago=0.5)

    campaign_run(django_capture_on_commit_callbacks)

    assert not [e for e in mail.outbox if e.subject.startswith("Thank")]
