"""The what-if model's arithmetic with known answers, its prefill from the shop's own month, and
saved scenarios compared side by side."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from analytics.models import MarketingCost, Scenario
from analytics.periods import shop_today
from analytics.whatif import ChannelInputs, WhatIfInputs, whatif_prefill, whatif_project, whatif_year
from customers.roles import MANAGER, MARKETER, OWNER
from tests.analytics.conftest import at, make_order, make_visit
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

WHATIF = reverse("admin:analytics_whatif")


def shop(conversion="1.0", growth="0") -> WhatIfInputs:
    return WhatIfInputs(
        channels=[ChannelInputs("paid_search", 10_000, Decimal("20"), Decimal(conversion))],
        average_order_value=Decimal("3000"), margin=Decimal("40"), fixed_costs=Decimal("100000"),
        growth=Decimal(growth),
    )


def test_a_month_of_the_model_by_hand():
    month = whatif_project(shop())[0]

    # 10 000 visits × 1 % = 100 orders × 3 000 ₽ = 300 000 ₽; margin 120 000 − ads 200 000 − fixed 100 000
    assert (month.orders, month.revenue, month.marketing) == (100, Decimal("300000"), Decimal("200000"))
    assert month.cost_per_order == Decimal("2000")
    assert month.profit == Decimal("-180000")


def test_raising_conversion_from_one_to_one_point_two_percent():
    year = whatif_year(whatif_project(shop(conversion="1.2")))

    assert year["orders"] == 12 * 120
    assert year["cost_per_order"] == Decimal("1667")  # 200 000 / 120
    assert year["profit"] == 12 * (Decimal("144000") - 200000 - 100000)  # margin: 120 × 3 000 × 40 % = 144 000


def test_traffic_growth_compounds_month_by_month():
    months = whatif_project(shop(growth="10"))

    assert months[0].visits == 10_000
    assert months[1].visits == 11_000
    assert months[11].visits == 28_531  # 10 000 × 1.1¹¹


def test_the_model_is_prefilled_from_the_last_thirty_days(db):
    yesterday = shop_today() - timedelta(days=1)
    for n in range(10):
        visit = make_visit(at(yesterday, 10, n), channel="paid_search")
        if n < 2:
            make_order(at(yesterday, 11, n), visit=visit, total="2500.00")
    MarketingCost.objects.create(day=yesterday, channel="paid_search", amount=Decimal("300"))

    inputs = whatif_prefill()

    paid = inputs.channels[0]
    assert (paid.channel, paid.visits, paid.cost_per_visit, paid.conversion) == (
        "paid_search", 10, Decimal("30.00"), Decimal("20.00"))
    assert inputs.average_order_value == Decimal("2500.00")


def test_the_owner_changes_a_number_and_the_year_recomputes(client):
    client.force_login(staff_user(OWNER))
    numbers = {"average_order_value": "3000", "margin": "40", "fixed_costs": "100000", "growth": "0",
               "visits__paid_search": "10000", "cost_per_visit__paid_search": "20",
               "conversion__paid_search": "1.2"}

    response = client.get(WHATIF, numbers, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-figure="orders">1,440<' in html


def test_a_wrong_number_is_a_400_that_says_where(client):
    client.force_login(staff_user(OWNER))

    response = client.get(WHATIF, {"average_order_value": "a lot", "margin": "40", "fixed_costs": "0",
                                   "growth": "0"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 400


def test_scenarios_are_saved_and_compared_side_by_side(client):
    owner = staff_user(OWNER)
    client.force_login(owner)
    for name, conversion in (("Now", "1.0"), ("Better site", "1.2")):
        client.post(WHATIF, {"average_order_value": "3000", "margin": "40", "fixed_costs": "100000", "growth": "0",
                             "visits__paid_search": "10000", "cost_per_visit__paid_search": "20",
                             "conversion__paid_search": conversion, "name": name, "save": "1"})
    ids = list(Scenario.objects.order_by("name").values_list("pk", flat=True))

    html = client.get(WHATIF, {"compare": ids}).content.decode()

    assert Scenario.objects.get(name="Better site").created_by == owner
    table = html[html.index('id="whatif-compare"'):]
    assert table.index("Better site") < table.index("Now")
    assert "1440" in table and "1200" in table


@pytest.mark.parametrize("role", [MANAGER, MARKETER])
def test_only_the_owner_opens_the_money_model(client, role):
    client.force_login(staff_user(role))

    assert client.get(WHATIF).status_code == 403
