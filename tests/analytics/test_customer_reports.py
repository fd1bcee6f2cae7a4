"""Customers and cohorts, with known answers: a customer is known by the phone."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from analytics.models import RollupChange
from analytics.periods import Period, shop_today
from analytics.reports.customers import cohorts_report, customers_report
from analytics.reports.reading import FiguresReader
from analytics.rollups import rollups_rebuild
from orders.models import Order
from tests.analytics.conftest import at, make_order, make_visit

pytestmark = pytest.mark.django_db

ANNA, BORIS, VERA, GLEB, DARIA = "+79160000001", "+79160000002", "+79160000003", "+79160000004", "+79160000005"


def values(table) -> dict:
    return {row["metric"]: row["value"] for row in table.rows}


@pytest.fixture
def two_days(day):
    """Anna ordered before and again; Boris twice (once cancelled), Vera at 00:30 shop time (the
    day before in UTC), Gleb by phone; Daria at 00:10 the day after the period."""
    make_order(at(day - timedelta(days=40), 12), phone=ANNA, total="800.00")
    make_order(at(day, 9), phone=ANNA, visit=make_visit(at(day, 8, 50)), total="1000.00")
    make_order(at(day, 10), phone=BORIS, total="2000.00")
    make_order(at(day + timedelta(days=1), 15), phone=BORIS, total="3000.00", status=Order.Status.CANCELLED)
    make_order(at(day, 0, 30), phone=VERA, total="5000.00")
    make_order(at(day, 11), phone=GLEB, channel=Order.Channel.PHONE, total="500.00")
    make_order(at(day + timedelta(days=2), 0, 10), phone=DARIA, total="9000.00")
    return Period(day, day + timedelta(days=1))


def test_new_and_returning_customers_with_their_orders_and_revenue(two_days, any_reader):
    found = values(customers_report(reader=any_reader(), period=two_days))

    assert (found["customers"], found["new_customers"], found["returning_customers"]) == (4, 3, 1)
    assert (found["new_orders"], found["returning_orders"]) == (4, 1)
    assert (found["new_revenue"], found["returning_revenue"]) == (Decimal("7500.00"), Decimal("1000.00"))
    assert found["returning_revenue_share"] == Decimal("11.76")


def test_repeat_purchase_rate_counts_customers_who_ordered_more_than_once(two_days, any_reader):
    found = values(customers_report(reader=any_reader(), period=two_days))

    assert found["repeat_purchase_rate"] == Decimal("50.00")  # Anna (ordered before) and Boris, of four


def test_the_top_fifth_of_customers_brings_its_share_of_the_revenue(two_days, any_reader):
    found = values(customers_report(reader=any_reader(), period=two_days))

    assert found["top_customers_share"] == Decimal("58.82")  # Vera's 5 000 of 8 500; one customer of four


def test_a_period_with_no_orders_has_no_rates(day, any_reader):
    found = values(customers_report(reader=any_reader(), period=Period(day, day)))

    assert found["customers"] == 0
    assert found["repeat_purchase_rate"] is None and found["top_customers_share"] is None


def _month_add(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def test_a_cohort_shows_who_ordered_again_in_its_month_and_the_months_after(db, any_reader):
    cohort = _month_add(shop_today().replace(day=1), -3)
    make_order(at(cohort - timedelta(days=3), 12), phone=DARIA)  # an older customer: not in the cohort
    make_order(at(cohort + timedelta(days=2), 12), phone=DARIA)
    make_order(at(cohort, 0, 15), phone=ANNA)
    make_order(at(cohort + timedelta(days=9), 12), phone=ANNA, status=Order.Status.CANCELLED)
    make_order(at(cohort + timedelta(days=3), 12), phone=BORIS)
    make_order(at(_month_add(cohort, 1) + timedelta(days=4), 12), phone=BORIS)
    make_order(at(_month_add(cohort, 2), 0, 5), phone=BORIS)
    make_order(at(cohort + timedelta(days=5), 12), phone=VERA)

    table = cohorts_report(reader=any_reader(), period=Period(cohort, cohort + timedelta(days=27)))

    [row] = table.rows
    assert row["cohort"] == cohort.strftime("%Y-%m") and row["customers"] == 3
    third, nobody = Decimal("33.33"), Decimal("0.00")
    assert [row[f"month_{n}"] for n in range(6)] == [third, third, third, nobody, None, None]


def mixed_reader(*live_days):
    """The rollups filled, but `live_days` changed since, so they are computed live."""
    rollups_rebuild()
    RollupChange.objects.bulk_create([RollupChange(day=day) for day in live_days])
    return FiguresReader(attribution="last_non_direct")


def test_a_customer_of_stored_and_live_days_is_counted_once(day):
    later = day + timedelta(days=3)
    make_order(at(day, 10), phone=ANNA, total="2000.00")
    make_order(at(later, 10), phone=ANNA, total="2000.00")
    make_order(at(day - timedelta(days=40), 10), phone=BORIS, total="100.00")
    make_order(at(day, 11), phone=BORIS, total="250.00")
    make_order(at(later, 11), phone=BORIS, total="250.00")
    make_order(at(later, 12), phone=VERA, total="1500.00")
    make_order(at(later, 13), phone=VERA, total="1500.00")
    make_order(at(day, 12), phone=GLEB, total="2600.00")

    found = values(customers_report(reader=mixed_reader(later), period=Period(day, later)))

    assert (found["customers"], found["new_customers"], found["returning_customers"]) == (4, 3, 1)
    assert found["repeat_purchase_rate"] == Decimal("75.00")  # Boris, Anna and Vera of four
    assert found["top_customers_share"] == Decimal("39.60")  # Anna: 4 000 of 10 100, her two days together


def test_a_cohort_counts_a_customer_once_across_stored_and_live_days(db):
    cohort = _month_add(shop_today().replace(day=1), -2)
    next_month = _month_add(cohort, 1)
    make_order(at(cohort + timedelta(days=1), 12), phone=ANNA)
    make_order(at(next_month + timedelta(days=2), 12), phone=ANNA)
    make_order(at(next_month + timedelta(days=5), 12), phone=ANNA)
    make_order(at(cohort + timedelta(days=4), 12), phone=BORIS)

    table = cohorts_report(reader=mixed_reader(next_month + timedelta(days=5)),
                           period=Period(cohort, cohort + timedelta(days=27)))

    [row] = table.rows
    assert (row["customers"], row["month_0"], row["month_1"]) == (2, Decimal("0.00"), Decimal("50.00"))


def test_a_customer_who_ordered_on_several_days_is_ranked_by_all_of_them(day, any_reader):
    make_order(at(day, 10), phone=ANNA, total="2000.00")
    make_order(at(day + timedelta(days=1), 10), phone=ANNA, total="2000.00")
    make_order(at(day, 11), phone=BORIS, total="3000.00")
    make_order(at(day, 12), phone=VERA, total="1000.00")

    found = values(customers_report(reader=any_reader(), period=Period(day, day + timedelta(days=1))))

    assert found["top_customers_share"] == Decimal("50.00")  # Anna's 4 000 of 8 000; one customer of three


def test_a_customer_who_ordered_again_is_ranked_once_not_also_by_the_first_day(day, any_reader):
    make_order(at(day, 10), phone=ANNA, total="1600.00")
    make_order(at(day + timedelta(days=1), 10), phone=ANNA, total="400.00")
    make_order(at(day, 11), phone=BORIS, total="1500.00")
    for n in range(8):
        make_order(at(day, 12, n), phone=f"+7916000010{n}", total="100.00")

    found = values(customers_report(reader=any_reader(), period=Period(day, day + timedelta(days=1))))

    # The top two of ten: Anna's 2 000 and Boris's 1 500 of 4 300; Anna's first day alone is not a third.
    assert found["top_customers_share"] == Decimal("81.40")
