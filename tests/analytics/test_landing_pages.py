"""Conversion by landing page: the page the visit credited with the order began on."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest

from analytics.attribution import landing_path
from analytics.periods import Period
from analytics.reports.sales import landing_pages_report
from orders.models import Order
from tests.analytics.conftest import at, make_order, make_visit

pytestmark = pytest.mark.django_db

NO_VISIT = "No visit: phone orders and orders through the API"


@pytest.fixture
def landings(day):
    """Sneakers: two visits (ads with different query strings), one order. Boris came by e-mail to
    /promo/ and ordered on a direct visit to /; Vera came through a blog post, then an ad to
    /sale/, then ordered on a direct visit to /. A phone order and an order through the API have
    no visit; a visit at 00:05 the next shop day is not in the period."""
    make_order(at(day, 10, 5), visit=make_visit(at(day, 10), channel="social",
                                                landing_page="/catalog/sneakers/?utm_source=vk"), total="1000.00")
    make_visit(at(day, 11), channel="paid_search", landing_page="/catalog/sneakers/?yclid=5")
    boris, vera = uuid.uuid4(), uuid.uuid4()
    make_visit(at(day, 8), channel="email", visitor=boris, landing_page="/promo/")
    make_order(at(day, 12), visit=make_visit(at(day, 11, 50), visitor=boris, landing_page="/"), total="3000.00")
    make_visit(at(day, 9), channel="referral", visitor=vera, landing_page="/blog/")
    make_visit(at(day, 10), channel="paid_search", visitor=vera, landing_page="/sale/")
    make_order(at(day, 11, 10), visit=make_visit(at(day, 11), visitor=vera, landing_page="/"), total="2000.00",
               status=Order.Status.CANCELLED)
    make_order(at(day, 13), channel=Order.Channel.PHONE, total="500.00")
    make_order(at(day, 14), total="700.00")
    make_visit(at(day + timedelta(days=1), 0, 5), landing_page="/promo/")
    return Period(day, day)


def rows(table) -> dict:
    return {row["landing_page"]: (row["visits"], row["orders"], row["conversion"], row["revenue"])
            for row in table.rows}


def test_orders_are_credited_to_the_landing_page_of_the_visit_that_brought_them(landings, any_reader):
    found = rows(landing_pages_report(reader=any_reader(), period=landings))

    assert found == {
        "/catalog/sneakers/": (2, 1, Decimal("50.00"), Decimal("1000.00")),
        "/promo/": (1, 1, Decimal("100.00"), Decimal("3000.00")),
        "/sale/": (1, 1, Decimal("100.00"), Decimal("0.00")),  # cancelled: no revenue
        "/": (2, 0, Decimal("0.00"), Decimal("0.00")),
        "/blog/": (1, 0, Decimal("0.00"), Decimal("0.00")),
        NO_VISIT: (0, 2, None, Decimal("1200.00")),
    }


def test_first_visit_attribution_credits_the_page_the_buyer_first_came_to(landings, any_reader):
    found = rows(landing_pages_report(reader=any_reader("first_visit"), period=landings))

    assert found["/blog/"][:2] == (1, 1)
    assert found["/sale/"][:2] == (1, 0)


def test_the_total_counts_every_visit_and_order_once(landings, any_reader):
    table = landing_pages_report(reader=any_reader(), period=landings)

    assert (table.total["visits"], table.total["orders"], table.total["revenue"]) == (7, 5, Decimal("5200.00"))
    assert table.total["average_order_value"] == Decimal("1300.00")  # 5 200 over four orders that stayed


def test_a_landing_page_is_its_path_without_the_query():
    assert landing_path("/catalog/?utm_source=vk&yclid=1") == "/catalog/"
    assert landing_path("") == ""
