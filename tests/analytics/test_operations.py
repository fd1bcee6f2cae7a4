"""Funnel, categories and managers, with known answers."""

from datetime import timedelta
from decimal import Decimal

import pytest

from analytics.periods import Period
from analytics.reports.funnel import funnel_report
from analytics.reports.operations import categories_report, managers_report, wait_percentile
from analytics.reports.reading import FiguresReader
from analytics.rollups import rollup_day_fill
from customers.models import ProductView
from customers.roles import MANAGER
from orders.models import CartLine, Order, OrderLine
from tests.analytics.conftest import at, make_order, make_visit
from tests.factories import CartFactory, CategoryFactory, ProductFactory, staff_user

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


def test_the_funnel_counts_each_step_and_its_conversion(day, reader):
    visits = [make_visit(at(day, 10 + n)) for n in range(4)]
    product = ProductFactory()
    for visit in visits[:2]:
        ProductView.objects.create(visit=visit, product=product, viewed_at=visit.started_at)
    for phone in ("+79160000001", ""):
        line = CartLine.objects.create(cart=CartFactory(phone=phone), product=product, quantity=1,
                                       price_when_added=product.price)
        CartLine.objects.filter(pk=line.pk).update(added_at=at(day, 12))
    make_order(at(day, 13), visit=visits[0], status=Order.Status.DELIVERED, payment_status="paid")
    make_order(at(day, 14), visit=visits[1], status=Order.Status.CANCELLED)

    found = steps(funnel_report(reader=reader(), period=Period(day, day)))

    assert found["Visits"] == (4, None)
    assert found["Viewed a product"] == (2, Decimal("50.00"))
    assert found["Added to cart"] == (2, Decimal("100.00"))
    assert found["Started checkout (left a contact)"] == (1, Decimal("50.00"))
    assert found["Placed an order"] == (2, Decimal("200.00"))
    assert found["Confirmed"] == (1, Decimal("50.00"))
    assert found["Delivered"] == (1, Decimal("100.00"))
    assert found["Fulfilled: delivered and paid"][0] == 1


def test_the_funnel_by_device_leaves_out_the_steps_carts_cannot_tell(day, reader):
    make_visit(at(day, 10), device="desktop")
    make_visit(at(day, 11), device="mobile")

    found = steps(funnel_report(reader=reader(), period=Period(day, day), device="desktop"))

    assert found["Visits"] == (1, None)
    assert found["Added to cart"] == (None, None)


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
