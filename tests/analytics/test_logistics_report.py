"""Delivery time by method, parcels not collected and returns, with known answers."""

from datetime import timedelta
from decimal import Decimal

import pytest

from analytics.periods import Period
from analytics.reports.logistics import logistics_report
from analytics.reports.reading import FiguresReader
from analytics.rollups import rollups_refresh
from orders.models import Order, OrderStatusChange
from orders.services import order_transition
from tests.analytics.conftest import at, make_order
from tests.factories import DeliveryMethodFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = Order.Status


def moved(order: Order, *steps) -> None:
    """The order's history as it happened: (status, when) after (status, when)."""
    before = order.status
    for status, when in steps:
        change = OrderStatusChange.objects.create(order=order, from_status=before, to_status=status)
        OrderStatusChange.objects.filter(pk=change.pk).update(created_at=when)
        before = status
    Order.objects.filter(pk=order.pk).update(status=before)


@pytest.fixture
def parcels(day):
    courier = DeliveryMethodFactory(name="Курьер", kind="courier")
    pickup = DeliveryMethodFactory(name="Пункт выдачи", kind="pickup")
    later = lambda days, hour: at(day + timedelta(days=days), hour)  # noqa: E731
    moved(make_order(at(day, 10), delivery_method=courier), (Status.SHIPPED, later(0, 18)),
          (Status.DELIVERED, later(1, 10)))  # 24 hours
    moved(make_order(at(day, 12), delivery_method=courier), (Status.SHIPPED, later(1, 9)),
          (Status.DELIVERED, later(3, 12)))  # 72 hours
    moved(make_order(at(day, 13), delivery_method=courier), (Status.CANCELLED, later(0, 14)))
    moved(make_order(at(day, 14), delivery_method=courier), (Status.SHIPPED, later(1, 9)),
          (Status.RETURNED, later(2, 9)))  # refused at the door
    moved(make_order(at(day, 10), delivery_method=pickup), (Status.READY_FOR_PICKUP, later(1, 9)),
          (Status.NOT_COLLECTED, later(8, 9)))
    moved(make_order(at(day, 10), delivery_method=pickup), (Status.READY_FOR_PICKUP, later(1, 9)),
          (Status.DELIVERED, later(2, 10)))  # 48 hours
    make_order(at(day, 23, 50), delivery_method=pickup)
    moved(make_order(at(day + timedelta(days=1), 0, 10), delivery_method=pickup),
          (Status.NOT_COLLECTED, later(9, 9)))  # the next shop day: not in the period
    return Period(day, day)


def rows(table) -> dict:
    return {row["delivery_method"]: row for row in [*table.rows, table.total]}


def test_each_delivery_method_counts_its_parcels(parcels, any_reader):
    found = rows(logistics_report(reader=any_reader(), period=parcels))

    counts = ("orders", "cancelled", "sent", "delivered", "not_collected", "returned")
    assert [found["Курьер"][name] for name in counts] == [4, 1, 3, 2, 0, 1]
    assert [found["Пункт выдачи"][name] for name in counts] == [3, 0, 2, 1, 1, 0]
    assert [found["Total"][name] for name in counts] == [7, 1, 5, 3, 1, 1]


def test_delivery_time_runs_from_the_order_to_delivered(parcels, any_reader):
    found = rows(logistics_report(reader=any_reader(), period=parcels))

    assert (found["Курьер"]["days_median"], found["Курьер"]["days_p90"]) == (Decimal("1.0"), Decimal("3.0"))
    assert found["Пункт выдачи"]["days_median"] == Decimal("2.0")
    assert (found["Total"]["days_median"], found["Total"]["days_p90"]) == (Decimal("2.0"), Decimal("3.0"))


def test_shares_not_collected_and_returned_are_of_the_parcels_sent(parcels, any_reader):
    found = rows(logistics_report(reader=any_reader(), period=parcels))

    assert (found["Пункт выдачи"]["not_collected_share"], found["Пункт выдачи"]["returned_share"]) == (
        Decimal("50.00"), Decimal("0.00"))
    assert found["Курьер"]["returned_share"] == Decimal("33.33")
    assert (found["Total"]["not_collected_share"], found["Total"]["returned_share"]) == (
        Decimal("20.00"), Decimal("20.00"))


def test_a_parcel_delivered_after_its_day_was_filled_counts_at_the_next_refresh(day):
    order = make_order(at(day, 10), status=Status.SHIPPED)
    rollups_refresh()

    order_transition(order=order, to_status=Status.DELIVERED, by=UserFactory(is_staff=True))
    rollups_refresh()

    [total] = FiguresReader(attribution="last_non_direct").deliveries(Period(day, day)).values()
    assert (total.sent, total.delivered) == (1, 1)
