"""Every figure computed by hand on small fixtures with known answers."""

from datetime import timedelta
from decimal import Decimal

import pytest

from analytics.models import MarketingCost, ProductCost
from analytics.periods import Period
from analytics.rollups import rollup_day_fill
from orders.models import Order, OrderLine
from tests.analytics.conftest import at, by_channel, figures, make_order, make_visit
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["live", "stored"])
def source(request):
    """Each figure is checked computed live and read from a filled rollup: they must agree."""
    def settle(*days):
        if request.param == "stored":
            for day in days:
                rollup_day_fill(day=day)
    return settle


def test_visits_orders_revenue_average_order_and_conversion(day, source):
    visits = [make_visit(at(day, 10 + n)) for n in range(4)]
    make_order(at(day, 11), visit=visits[0], total="1300.00")
    make_order(at(day, 12), visit=visits[1], total="2700.00")
    source(day)

    result = figures(day)

    assert (result.visits, result.orders, result.revenue) == (4, 2, Decimal("4000.00"))
    assert result.average_order_value == Decimal("2000.00")
    assert result.conversion == Decimal("50.00")


def test_cancelled_and_returned_orders_count_as_orders_but_bring_no_revenue(day, source):
    make_order(at(day, 10), total="1000.00")
    make_order(at(day, 11), total="2000.00", status=Order.Status.CANCELLED)
    make_order(at(day, 12), total="4000.00", status=Order.Status.RETURNED)
    make_order(at(day, 13), total="8000.00", status=Order.Status.NOT_COLLECTED)
    source(day)

    result = figures(day)

    assert (result.orders, result.cancelled, result.returned) == (4, 1, 2)
    assert result.revenue == Decimal("1000.00")
    assert result.average_order_value == Decimal("1000.00")
    assert result.cancellation_rate == Decimal("75.00")


def test_an_order_without_a_visit_is_credited_to_no_known_channel(day, source):
    make_order(at(day, 10), visit=None)
    source(day)

    assert set(by_channel(day)) == {"unknown"}
    assert by_channel(day)["unknown"].orders == 1


def test_phone_orders_are_their_own_channel_even_from_a_known_visitor(day, source):
    make_visit(at(day, 9), channel="paid_search")
    make_order(at(day, 10), channel=Order.Channel.PHONE, total="500.00")
    source(day)

    channels = by_channel(day)

    assert channels["phone"].orders == 1
    assert channels["phone"].revenue == Decimal("500.00")
    assert channels["paid_search"].orders == 0


def test_the_day_is_the_shops_day_not_utcs(day, source):
    # 23:30 in Moscow is 20:30 UTC the same day; 00:30 in Moscow is still the previous day in UTC.
    make_order(at(day, 23, 30))
    make_order(at(day + timedelta(days=1), 0, 30))
    source(day, day + timedelta(days=1))

    assert figures(day).orders == 1
    assert figures(day + timedelta(days=1)).orders == 1


def test_costs_on_days_without_orders_still_count_in_cpo_and_romi(day, source):
    MarketingCost.objects.create(day=day, channel="paid_search", amount=Decimal("3000"))
    MarketingCost.objects.create(day=day + timedelta(days=1), channel="paid_search", amount=Decimal("1000"))
    paid = make_visit(at(day + timedelta(days=1), 10), channel="paid_search")
    make_order(at(day + timedelta(days=1), 11), visit=paid, total="10000.00")
    source(day, day + timedelta(days=1))

    result = by_channel(Period(day, day + timedelta(days=1)))["paid_search"]

    assert result.cost == Decimal("4000.00")
    assert result.cost_per_order == Decimal("4000.00")
    assert result.romi == Decimal("150.00")  # (10 000 − 4 000) / 4 000


def test_cpo_is_unknown_without_costs(day, source):
    make_order(at(day, 10))
    source(day)

    assert figures(day).cost_per_order is None
    assert figures(day).romi is None


def test_last_non_direct_visit_gets_the_order_and_first_visit_is_an_option(day, source):
    buyer = make_visit(at(day - timedelta(days=9), 12), channel="social", utm_source="vk").visitor_id
    make_visit(at(day - timedelta(days=3), 12), channel="paid_search", utm_source="yandex", visitor=buyer)
    typed = make_visit(at(day, 10), channel="direct", visitor=buyer)
    make_order(at(day, 10, 20), visit=typed)
    source(day)

    assert by_channel(day)["paid_search"].orders == 1
    assert by_channel(day, attribution="first_visit")["social"].orders == 1
    assert by_channel(day)["direct"].visits == 1  # the visit itself still counts where it came from


def test_a_visit_older_than_thirty_days_gets_no_credit(day, source):
    buyer = make_visit(at(day - timedelta(days=31), 12), channel="paid_search").visitor_id
    typed = make_visit(at(day, 10), channel="direct", visitor=buyer)
    make_order(at(day, 10, 20), visit=typed)
    source(day)

    assert by_channel(day)["direct"].orders == 1
    assert by_channel(day, attribution="first_visit")["direct"].orders == 1


def test_a_signed_in_buyer_on_another_device_is_the_same_buyer(day, source):
    from tests.factories import UserFactory

    anna = UserFactory()
    make_visit(at(day - timedelta(days=2), 20), channel="email", user=anna)
    on_computer = make_visit(at(day, 9), channel="direct", user=anna)
    make_order(at(day, 9, 30), visit=on_computer, user=anna)
    source(day)

    assert by_channel(day)["email"].orders == 1


def test_new_customers_and_repeat_share_by_phone(day, source):
    make_order(at(day - timedelta(days=40), 12), phone="+79160000001")
    make_order(at(day, 10), phone="+79160000001")  # returning
    make_order(at(day, 11), phone="+79160000002")  # new
    make_order(at(day, 12), phone="+79160000002")  # same customer again that day
    source(day)

    result = figures(day)

    assert result.new_customers == 1
    assert result.repeat_share == Decimal("66.67")


def test_margin_is_shown_over_the_orders_whose_cost_of_goods_is_known(day, source):
    costed, unknown = ProductFactory(), ProductFactory()
    ProductCost.objects.create(product=costed, unit_cost=Decimal("400"))
    first = make_order(at(day, 10), total="1300.00")
    OrderLine.objects.create(order=first, product=costed, product_name="x", sku="x", unit_price=Decimal("500"),
                             quantity=2, line_total=Decimal("1000"))
    second = make_order(at(day, 11), total="700.00")
    OrderLine.objects.create(order=second, product=unknown, product_name="y", sku="y", unit_price=Decimal("700"),
                             quantity=1, line_total=Decimal("700"))
    source(day)

    result = figures(day)

    assert result.margin == Decimal("500.00")  # 1 300 − 2 × 400, the second order unknown
    assert result.margin_known_share == Decimal("65.00")


def test_figures_by_device(day, source):
    phone_visit = make_visit(at(day, 10), device="mobile")
    make_visit(at(day, 11), device="desktop")
    make_order(at(day, 12), visit=phone_visit)
    source(day)

    assert figures(day, device="mobile").conversion == Decimal("100.00")
    assert figures(day, device="desktop").conversion == Decimal("0.00")
