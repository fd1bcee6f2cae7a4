"""Each segment condition on a small fixture with a known answer, and AND / OR groups."""

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from customers.models import Consent, DataRequest, PointsEntry, ProductView, User
from customers.services import consent_record
from marketing.segments.selectors import segment_members
from marketing.segments.services import segment_save
from orders.models import Order, OrderLine
from tests.factories import BrandFactory, CategoryFactory, OrderFactory, ProductFactory, UserFactory, VisitFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=ZoneInfo("Europe/Moscow"))
_names = itertools.count(1)


def members(*conditions, match="all", now=NOW) -> set[str]:
    tree = {"match": match, "conditions": list(conditions)}
    segment = segment_save(name=f"Under test {next(_names)}", conditions=tree)
    return set(segment_members(segment=segment, now=now).values_list("first_name", flat=True))


def customer(name: str, **fields):
    return UserFactory(first_name=name, **fields)


def test_sex_picks_the_customers_of_that_sex_and_unknown_picks_those_who_did_not_say():
    customer("Anna", gender="female")
    customer("Boris", gender="male")
    customer("Kim", gender="")

    assert members({"field": "gender", "values": ["female"]}) == {"Anna"}
    assert members({"field": "gender", "values": ["male", ""]}) == {"Boris", "Kim"}


def test_any_of_several_cities_counts():
    customer("Anna", city="Москва")
    customer("Vera", city="Казань")
    customer("Kim", city="")

    assert members({"field": "city", "values": ["Москва", "Казань"]}) == {"Anna", "Vera"}


@pytest.mark.postgres  # SQLite compares only Latin letters regardless of case
def test_city_is_matched_whatever_the_case():
    customer("Anna", city="Москва")
    customer("Boris", city="москва")
    customer("Vera", city="Казань")

    assert members({"field": "city", "values": ["МОСКВА"]}) == {"Anna", "Boris"}


def test_age_range_counts_full_years_on_the_shops_day_and_leaves_out_unknown_birth_dates():
    customer("Turns 30 today", birth_date=date(1996, 6, 15))
    customer("Turns 30 tomorrow", birth_date=date(1996, 6, 16))
    customer("Just 40", birth_date=date(1986, 6, 15))
    customer("41 yesterday", birth_date=date(1985, 6, 14))
    customer("Unknown")

    assert members({"field": "age", "min": 30, "max": 40}) == {"Turns 30 today", "Just 40"}
    assert members({"field": "age", "max": 29}) == {"Turns 30 tomorrow"}
    assert members({"field": "age", "min": 41}) == {"41 yesterday"}


def test_staff_accounts_are_never_members():
    customer("Anna", city="Москва")
    customer("Manager", city="Москва", is_staff=True)
    customer("Closed", city="Москва", is_active=False)

    assert members({"field": "city", "values": ["Москва"]}) == {"Anna"}


def test_all_needs_every_condition_and_any_needs_one():
    customer("Anna", gender="female", city="Москва")
    customer("Vera", gender="female", city="Казань")
    customer("Boris", gender="male", city="Москва")
    customer("Oleg", gender="male", city="Казань")
    sex = {"field": "gender", "values": ["female"]}
    city = {"field": "city", "values": ["Москва"]}

    assert members(sex, city) == {"Anna"}
    assert members(sex, city, match="any") == {"Anna", "Vera", "Boris"}


def test_groups_nest_an_or_inside_an_and():
    customer("Anna", gender="female", city="Москва")
    customer("Vera", gender="female", city="Казань")
    customer("Olga", gender="female", city="Омск")
    customer("Boris", gender="male", city="Москва")
    either_city = {"match": "any", "conditions": [
        {"field": "city", "values": ["Москва"]}, {"field": "city", "values": ["Казань"]}]}

    assert members({"field": "gender", "values": ["female"]}, either_city) == {"Anna", "Vera"}


def test_no_conditions_means_every_customer():
    customer("Anna")
    customer("Boris")

    assert members() == {"Anna", "Boris"}


# --- Activity and purchases ------------------------------------------------------------------


def order(who, *, days_ago: float, total: str = "1000", status: str = "delivered", products=()):
    placed = NOW - timedelta(days=days_ago)
    made = OrderFactory(user=who, email=who.email, status=status, total_to_pay=Decimal(total))
    Order.objects.filter(pk=made.pk).update(created_at=placed)
    for product in products:
        OrderLine.objects.create(order=made, product=product, product_name=product.name, sku=product.sku,
                                 unit_price=product.price, quantity=1, line_total=product.price)
    return made


def test_registration_date_by_period_and_by_the_last_days():
    old = customer("Old")
    new = customer("New")
    User.objects.filter(pk=old.pk).update(date_joined=datetime(2025, 1, 10, 12, tzinfo=UTC))
    User.objects.filter(pk=new.pk).update(date_joined=NOW - timedelta(days=3))

    assert members({"field": "registered", "days": 7}) == {"New"}
    assert members({"field": "registered", "from": "2025-01-01", "to": "2025-01-10"}) == {"Old"}
    assert members({"field": "registered", "to": "2025-01-09"}) == set()


def test_registration_period_ends_with_the_whole_last_day_in_the_shops_time_zone():
    late = customer("Late evening")
    # 23:30 in Moscow on 10 January is 20:30 UTC: still the 10th for the shop.
    User.objects.filter(pk=late.pk).update(date_joined=datetime(2025, 1, 10, 20, 30, tzinfo=UTC))

    assert members({"field": "registered", "from": "2025-01-10", "to": "2025-01-10"}) == {"Late evening"}
    assert members({"field": "registered", "from": "2025-01-11"}) == set()


def test_last_visit_within_not_within_and_never():
    recent, lapsed, _never = customer("Recent"), customer("Lapsed"), customer("Never")
    VisitFactory(user=recent, started_at=NOW - timedelta(days=2))
    VisitFactory(user=lapsed, started_at=NOW - timedelta(days=60))
    VisitFactory(user=None, started_at=NOW)

    assert members({"field": "last_visit", "when": "within", "days": 30}) == {"Recent"}
    assert members({"field": "last_visit", "when": "not_within", "days": 30}) == {"Lapsed", "Never"}
    assert members({"field": "last_visit", "when": "never"}) == {"Never"}


def test_last_order_ignores_cancelled_orders():
    buyer, cancelled, lapsed = customer("Buyer"), customer("Cancelled"), customer("Lapsed")
    customer("Never")
    order(buyer, days_ago=5)
    order(cancelled, days_ago=5, status="cancelled")
    order(lapsed, days_ago=200)

    assert members({"field": "last_order", "when": "within", "days": 90}) == {"Buyer"}
    assert members({"field": "last_order", "when": "not_within", "days": 90}) == {"Cancelled", "Lapsed", "Never"}
    assert members({"field": "last_order", "when": "never"}) == {"Cancelled", "Never"}


def test_number_of_orders_counts_sales_in_the_period_and_zero_includes_those_who_never_ordered():
    twice, once = customer("Twice"), customer("Once")
    customer("None")
    order(twice, days_ago=10)
    order(twice, days_ago=20)
    order(twice, days_ago=400)
    order(twice, days_ago=1, status="returned")
    order(once, days_ago=10)

    assert members({"field": "orders_count", "min": 2}) == {"Twice"}
    assert members({"field": "orders_count", "min": 3}) == {"Twice"}
    assert members({"field": "orders_count", "min": 2, "days": 365}) == {"Twice"}
    assert members({"field": "orders_count", "min": 3, "days": 365}) == set()
    assert members({"field": "orders_count", "max": 1}) == {"Once", "None"}
    assert members({"field": "orders_count", "min": 1, "max": 1}) == {"Once"}


def test_total_spent_in_a_period_sums_the_sales_only():
    big, small = customer("Big"), customer("Small")
    customer("Nothing")
    order(big, days_ago=10, total="6000")
    order(big, days_ago=40, total="5000")
    order(big, days_ago=5, total="100000", status="cancelled")
    order(small, days_ago=10, total="999.99")

    assert members({"field": "total_spent", "min": "10000"}) == {"Big"}
    assert members({"field": "total_spent", "min": "5000", "days": 30}) == {"Big"}
    assert members({"field": "total_spent", "min": "6000.01", "days": 30}) == set()
    assert members({"field": "total_spent", "max": "999.99"}) == {"Small", "Nothing"}
    assert members({"field": "total_spent", "min": "1", "max": "1000"}) == {"Small"}
    from_day = (NOW - timedelta(days=45)).date().isoformat()
    to_day = (NOW - timedelta(days=30)).date().isoformat()
    assert members({"field": "total_spent", "min": "5000", "from": from_day, "to": to_day}) == {"Big"}


def test_bought_from_a_category_includes_its_subcategories_and_not_cancelled_orders():
    shoes = CategoryFactory(name="Shoes")
    boots = CategoryFactory(name="Boots", parent=shoes)
    hats = CategoryFactory(name="Hats")
    in_boots, in_hats = ProductFactory(category=boots), ProductFactory(category=hats)
    booted, hatted, cancelled = customer("Booted"), customer("Hatted"), customer("Cancelled")
    order(booted, days_ago=3, products=[in_boots])
    order(hatted, days_ago=100, products=[in_hats])
    order(cancelled, days_ago=3, status="cancelled", products=[in_boots])

    assert members({"field": "bought_category", "values": [shoes.pk]}) == {"Booted"}
    assert members({"field": "bought_category", "values": [boots.pk, hats.pk]}) == {"Booted", "Hatted"}
    assert members({"field": "bought_category", "values": [hats.pk], "days": 30}) == set()


def test_bought_a_brand():
    acme, other = BrandFactory(name="Acme"), BrandFactory(name="Other")
    fan = customer("Fan")
    customer("Stranger")
    order(fan, days_ago=3, products=[ProductFactory(brand=acme)])

    assert members({"field": "bought_brand", "values": [acme.pk]}) == {"Fan"}
    assert members({"field": "bought_brand", "values": [other.pk]}) == set()


def test_viewed_a_product_or_a_category_in_the_last_days():
    shoes = CategoryFactory(name="Shoes")
    boot = ProductFactory(category=CategoryFactory(name="Boots", parent=shoes))
    hat = ProductFactory()
    looker, old_looker = customer("Looker"), customer("Old looker")
    customer("Nobody")
    ProductView.objects.create(user=looker, product=boot, viewed_at=NOW - timedelta(days=1))
    ProductView.objects.create(user=old_looker, product=hat, viewed_at=NOW - timedelta(days=40))

    assert members({"field": "viewed_product", "values": [boot.pk]}) == {"Looker"}
    assert members({"field": "viewed_product", "values": [boot.pk, hat.pk], "days": 30}) == {"Looker"}
    assert members({"field": "viewed_category", "values": [shoes.pk]}) == {"Looker"}
    assert members({"field": "viewed_category", "values": [hat.category_id]}) == {"Old looker"}


def test_points_balance_is_the_sum_of_the_ledger():
    rich, spent = customer("Rich"), customer("Spent")
    customer("Zero")
    PointsEntry.objects.create(user=rich, delta=500, reason="earned")
    PointsEntry.objects.create(user=spent, delta=300, reason="earned")
    PointsEntry.objects.create(user=spent, delta=-300, reason="spent")

    assert members({"field": "points", "min": 100}) == {"Rich"}
    assert members({"field": "points", "max": 0}) == {"Spent", "Zero"}
    assert members({"field": "points", "min": 0}) == {"Rich", "Spent", "Zero"}


def test_subscribed_and_not_subscribed_to_a_channel():
    emails, withdrew = customer("E-mails"), customer("Withdrew")
    customer("Never asked")
    for who, answers in ((emails, [True]), (withdrew, [True, False])):
        for granted in answers:
            consent_record(kind=Consent.Kind.MARKETING_EMAIL, granted=granted, wording_version="t", source="admin",
                           user=who)

    assert members({"field": "subscribed", "channel": "email"}) == {"E-mails"}
    assert members({"field": "subscribed", "channel": "email", "subscribed": False}) == {"Withdrew", "Never asked"}
    assert members({"field": "subscribed", "channel": "sms"}) == set()


def test_language_counts_customers_of_unknown_language_as_the_shops_default(settings):
    settings.LANGUAGE_CODE = "ru"
    customer("Russian", language="ru")
    customer("English", language="en")
    customer("Unknown", language="")

    assert members({"field": "language", "values": ["ru"]}) == {"Russian", "Unknown"}
    assert members({"field": "language", "values": ["en"]}) == {"English"}


def test_in_another_segment_and_not_in_it():
    customer("Anna", city="Москва", gender="female")
    customer("Boris", city="Москва", gender="male")
    customer("Vera", city="Казань", gender="female")
    moscow = segment_save(name="Moscow", conditions={"match": "all", "conditions": [
        {"field": "city", "values": ["Москва"]}]})

    women = {"field": "gender", "values": ["female"]}
    assert members(women, {"field": "segment", "segment": moscow.pk}) == {"Anna"}
    assert members(women, {"field": "segment", "segment": moscow.pk, "included": False}) == {"Vera"}


def test_a_segment_is_counted_in_one_query(django_assert_num_queries):
    customer("Anna", city="Москва")
    segment = segment_save(name="Busy", conditions={"match": "any", "conditions": [
        {"field": "city", "values": ["Москва"]}, {"field": "total_spent", "min": "100", "days": 30},
        {"field": "last_visit", "when": "within", "days": 7}, {"field": "points", "min": 1},
        {"field": "subscribed", "channel": "email"}]})

    with django_assert_num_queries(1):
        assert segment_members(segment=segment, now=NOW).count() == 1


def test_a_customer_who_asked_to_delete_their_account_is_left_out_while_the_request_waits():
    customer("Anna", city="Москва")
    leaving = customer("Boris", city="Москва")
    request = DataRequest.objects.create(user=leaving, email=leaving.email, kind=DataRequest.Kind.DELETE)

    assert members({"field": "city", "values": ["Москва"]}) == {"Anna"}
    DataRequest.objects.filter(pk=request.pk).update(status=DataRequest.Status.REFUSED)
    assert members({"field": "city", "values": ["Москва"]}) == {"Anna", "Boris"}
