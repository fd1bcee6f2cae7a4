"""Funnel, categories and managers, with known answers."""

from datetime import timedelta
from decimal import Decimal

import pytest

from analytics.periods import Period
from analytics.reports.funnel import funnel_report
from analytics.reports.operations import categories_report, managers_report, wait_percentile
from analytics.reports.reading import FiguresReader
from analytics.rollups import rollup_day_fill
from customers.models import ProductView, VisitEvent
from customers.roles import MANAGER
from customers.services import visit_event_record
from orders.models import Order, OrderLine
from tests.analytics.conftest import at, make_order, make_visit
from tests.factories import CategoryFactory, ProductFactory, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["live", "stored"])
def reader(request, day):
    def _reader(*days):
        if request.param == "stored":
            for filled in days or (day,):
                rollup_day_fill(day=filled)
        return FiguresReader(attribution="last_non_direct")
    return _reader


def steps(table) -> dict:
    return {row["step"]: (row["count"], row["step_conversion"]) for row in table.rows}


def took(visit, *kinds) -> None:
    for kind in kinds:
        VisitEvent.objects.create(visit=visit, kind=kind, happened_at=visit.started_at + timedelta(minutes=5))


CART, CHECKOUT = VisitEvent.Kind.ADDED_TO_CART, VisitEvent.Kind.CHECKOUT_STARTED


def test_the_funnel_counts_each_step_and_its_conversion(day, reader):
    visits = [make_visit(at(day, 10 + n)) for n in range(4)]
    product = ProductFactory()
    for visit in visits[:2]:
        ProductView.objects.create(visit=visit, product=product, viewed_at=visit.started_at)
    took(visits[0], CART, CHECKOUT)
    took(visits[1], CART)
    first = make_order(at(day, 13), visit=visits[0], status=Order.Status.DELIVERED, payment_status="paid")
    Order.objects.filter(pk=first.pk).update(first_call_at=at(day, 13, 2))
    make_order(at(day, 14), visit=visits[1], status=Order.Status.CANCELLED)

    found = steps(funnel_report(reader=reader(), period=Period(day, day)))

    assert found["Visits"] == (4, None)
    assert found["Viewed a product"] == (2, Decimal("50.00"))
    assert found["Added to cart"] == (2, Decimal("100.00"))
    assert found["Started checkout (left a contact)"] == (1, Decimal("50.00"))
    assert found["Placed an order"] == (2, Decimal("200.00"))
    assert found["Confirmed"] == (1, Decimal("50.00"))
    assert found["Delivered"] == (1, Decimal("100.00"))
    assert found["Contact: first call made"] == (1, Decimal("50.00"))
    assert found["Fulfilled: delivered and paid"][0] == 1


@pytest.fixture
def two_channels_two_devices(day):
    """Known answers: an e-mail visit on a phone that carts, begins checkout and orders (called
    back); an e-mail visit on a computer that only carts; a search visit on a phone that begins
    checkout twice (counted once) and orders; a direct visit on a computer that only looks; a
    referral visit on a tablet that begins checkout with goods carted on an earlier visit."""
    product = ProductFactory()
    email_phone = make_visit(at(day, 9), channel="email", device="mobile")
    email_desktop = make_visit(at(day, 10), channel="email", device="desktop")
    search_phone = make_visit(at(day, 11), channel="organic_search", device="mobile")
    direct_desktop = make_visit(at(day, 12), device="desktop")
    returning_tablet = make_visit(at(day, 13), channel="referral", device="tablet")
    for visit in (email_phone, email_desktop, search_phone, direct_desktop):
        ProductView.objects.create(visit=visit, product=product, viewed_at=visit.started_at)
    took(email_phone, CART, CHECKOUT)
    took(email_desktop, CART)
    took(search_phone, CART, CHECKOUT)
    took(returning_tablet, CHECKOUT)
    visit_event_record(visit_id=search_phone.pk, kind=CHECKOUT)  # again: still one visit that began checkout
    called = make_order(at(day, 9, 30), visit=email_phone, status=Order.Status.CONFIRMED)
    Order.objects.filter(pk=called.pk).update(first_call_at=at(day, 9, 33))
    make_order(at(day, 11, 30), visit=search_phone)


SPLIT_STEPS = ("Visits", "Viewed a product", "Added to cart", "Started checkout (left a contact)", "Placed an order",
               "Confirmed", "Contact: first call made")


@pytest.mark.parametrize(("filters", "expected"), [
    ({}, (5, 4, 3, 3, 2, 1, 1)),
    ({"channel": "email"}, (2, 2, 2, 1, 1, 1, 1)),
    ({"channel": "organic_search"}, (1, 1, 1, 1, 1, 0, 0)),
    ({"device": "desktop"}, (2, 2, 1, 0, 0, 0, 0)),
    ({"device": "mobile"}, (2, 2, 2, 2, 2, 1, 1)),
    ({"channel": "email", "device": "mobile"}, (1, 1, 1, 1, 1, 1, 1)),
    ({"device": "tablet"}, (1, 0, 0, 1, 0, 0, 0)),
])
def test_every_funnel_step_is_split_by_channel_and_device(two_channels_two_devices, day, reader, filters, expected):
    table = funnel_report(reader=reader(), period=Period(day, day), **filters)

    counts = {row["step"]: row["count"] for row in table.rows}
    assert tuple(counts[step] for step in SPLIT_STEPS) == expected


def test_the_funnel_counts_a_visits_cart_on_the_day_the_visit_started(day, reader):
    late = make_visit(at(day, 23, 50))
    VisitEvent.objects.create(visit=late, kind=CART, happened_at=at(day + timedelta(days=1), 0, 10))

    found = steps(funnel_report(reader=reader(day, day + timedelta(days=1)), period=Period(day, day)))
    next_day = steps(funnel_report(reader=reader(), period=Period(day + timedelta(days=1), day + timedelta(days=1))))

    assert found["Added to cart"][0] == 1
    assert next_day["Added to cart"][0] == 0


def test_categories_sell_and_convert_looks_into_orders(day, reader):
    shoes, pans = CategoryFactory(name="Кроссовки"), CategoryFactory(name="Сковороды")
    sneaker, pan = ProductFactory(category=shoes), ProductFactory(category=pans)
    looked = [make_visit(at(day, 10 + n)) for n in range(4)]
    for visit in looked:
        ProductView.objects.create(visit=visit, product=sneaker, viewed_at=visit.started_at)
    ProductView.objects.create(visit=looked[0], product=pan, viewed_at=looked[0].started_at)
    order = make_order(at(day, 15), visit=looked[0])
    OrderLine.objects.create(order=order, product=sneaker, product_name="x", sku="x", unit_price=Decimal("5000"),
                             quantity=2, line_total=Decimal("10000"))
    cancelled = make_order(at(day, 16), status=Order.Status.CANCELLED)
    OrderLine.objects.create(order=cancelled, product=pan, product_name="y", sku="y", unit_price=Decimal("900"),
                             quantity=1, line_total=Decimal("900"))

    rows = {row["category"]: row for row in categories_report(reader=reader(), period=Period(day, day)).rows}

    assert rows["Кроссовки"]["revenue"] == Decimal("10000.00")
    assert (rows["Кроссовки"]["quantity"], rows["Кроссовки"]["conversion"]) == (2, Decimal("25.00"))
    assert (rows["Сковороды"]["orders"], rows["Сковороды"]["product_views"]) == (0, 1)


def test_managers_speed_medians_and_the_three_minute_target(day, reader):
    anna = staff_user(MANAGER, first_name="Анна", last_name="Орлова")
    for minutes in (1, 2, 4, 30):
        placed = at(day, 10)
        make_order(placed, manager=anna, claimed_at=placed + timedelta(seconds=30),
                   first_call_at=placed + timedelta(minutes=minutes))

    row = managers_report(reader=reader(), period=Period(day, day)).rows[0]

    assert row["manager"] == "Анна Орлова"
    assert row["claimed"] == 4
    assert row["call_median"] == Decimal("2.3")  # the 2nd of four waits, in its 15-second bucket
    assert row["claim_median"] == Decimal("0.8")
    assert row["in_target"] == Decimal("50.00")  # 1 and 2 minutes of four


def test_a_percentile_is_the_upper_edge_of_its_bucket():
    assert wait_percentile({"0": 9, "900": 1}, 0.9) == Decimal("0.3")
    assert wait_percentile({"0": 9, "1800": 1}, 1.0) == Decimal("45.0")
    assert wait_percentile({}, 0.5) is None
