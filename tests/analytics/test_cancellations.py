"""Cancellations and their reasons, by manager, with known answers."""

from decimal import Decimal

import pytest

from analytics.periods import Period
from analytics.reports.operations import cancellations_report, managers_report
from customers.roles import MANAGER
from orders.models import Order
from orders.services import order_claim
from orders.services.backoffice import order_move
from tests.analytics.conftest import at, make_order
from tests.factories import staff_user

pytestmark = pytest.mark.django_db


def cancelled(order: Order, *, reason: str, manager=None) -> None:
    if manager is not None:
        order = order_claim(order=order, manager=manager)
    order_move(order=order, to_status=Order.Status.CANCELLED, by=manager, reason=reason)


@pytest.fixture
def cancellations(day):
    olga = staff_user(MANAGER, first_name="Ольга", last_name="Петрова")
    ivan = staff_user(MANAGER, first_name="Иван", last_name="Сидоров")
    cancelled(make_order(at(day, 10), total="1000.00"), reason="Нет в наличии", manager=olga)
    cancelled(make_order(at(day, 11), total="2000.00"), reason="Нет  в наличии ", manager=olga)
    cancelled(make_order(at(day, 12), total="500.00"), reason="Передумал", manager=ivan)
    cancelled(make_order(at(day, 0, 20), total="700.00"), reason="Передумал")  # before anyone took it
    order_claim(order=make_order(at(day, 13), total="4000.00"), manager=olga)
    return Period(day, day)


def test_cancellations_are_counted_by_reason_with_what_the_orders_were_worth(cancellations, any_reader):
    table = cancellations_report(reader=any_reader(), period=cancellations)

    found = {row["reason"]: (row["orders"], row["share"], row["amount"], row["managers"]) for row in table.rows}
    assert found == {
        "Нет в наличии": (2, Decimal("50.00"), Decimal("3000.00"), "Ольга Петрова"),
        "Передумал": (2, Decimal("50.00"), Decimal("1200.00"), "Иван Сидоров, Not taken"),
    }
    assert (table.total["orders"], table.total["amount"]) == (4, Decimal("4200.00"))


def test_the_managers_report_shows_each_managers_cancellations_and_main_reasons(cancellations, any_reader):
    table = managers_report(reader=any_reader(), period=cancellations)

    found = {row["manager"]: (row["claimed"], row["cancelled"], row["cancelled_share"], row["cancel_reasons"])
             for row in table.rows}
    assert found == {
        "Ольга Петрова": (3, 2, Decimal("66.67"), "Нет в наличии × 2"),
        "Иван Сидоров": (1, 1, Decimal("100.00"), "Передумал × 1"),
    }
