"""The reports as admin pages, JSON and CSV, and who may read them."""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from analytics.models import MarketingCost
from analytics.periods import shop_today
from customers.roles import MANAGER, MARKETER, OWNER
from tests.analytics.conftest import at, make_order, make_visit
from tests.factories import staff_user

pytestmark = pytest.mark.django_db


def page(name):
    return reverse("admin:analytics_report", args=[name])


@pytest.fixture
def today_sales(db):
    today = shop_today()
    visit = make_visit(at(today, 0, 1), channel="paid_search", utm_source="yandex", utm_campaign="winter")
    make_order(at(today, 0, 2), visit=visit, total="2500.00")
    MarketingCost.objects.create(day=today, channel="paid_search", utm_source="yandex", utm_campaign="winter",
                                 amount=Decimal("1000"))


NEW_REPORTS = ("customers", "cohorts", "logistics", "campaigns", "landing_pages", "cancellations")


@pytest.mark.parametrize(("role", "codes"), [
    (OWNER, {"kpi": 200, "channels": 200, "trend": 200, **dict.fromkeys(NEW_REPORTS, 200)}),
    (MARKETER, {"kpi": 403, "channels": 200, "trend": 200, "customers": 200, "cohorts": 200, "campaigns": 200,
                "landing_pages": 200, "logistics": 403, "cancellations": 403}),
    (MANAGER, {"kpi": 403, "channels": 403, "trend": 403, **dict.fromkeys(NEW_REPORTS, 403)}),
])
def test_each_role_reads_only_its_reports(client, role, codes):
    client.force_login(staff_user(role))

    assert {name: client.get(page(name)).status_code for name in codes} == codes


def test_the_owner_reads_cpo_by_channel_on_the_page(client, today_sales):
    client.force_login(staff_user(OWNER))

    html = client.get(page("channels"), {"preset": "today"}).content.decode()

    assert "Paid search" in html
    assert "1,000\u00a0₽" in html  # CPO: 1 000 spent, one order


def test_the_channel_report_downloads_as_csv_with_the_same_figures(client, today_sales):
    client.force_login(staff_user(OWNER))

    response = client.get(page("channels"), {"preset": "today", "by": "utm", "export": "csv"})

    lines = response.content.decode("utf-8-sig").splitlines()
    assert response["Content-Type"].startswith("text/csv")
    assert lines[0].startswith("Channel,utm_source,utm_campaign,Visits,Orders")
    assert lines[1] == "Paid search,yandex,winter,1,1,100.00,2500.00,2500.00,1000.00,1000.00,150.00"


def test_the_kpi_summary_is_json_in_the_api(today_sales):
    api = APIClient()
    api.force_authenticate(staff_user(OWNER))

    response = api.get("/api/v1/analytics/reports/kpi/", {"preset": "today"})

    rows = {row["metric"]: row for row in response.json()["rows"]}
    assert response.status_code == 200
    assert rows["revenue"]["current"] == "2500.00"
    assert rows["cost_per_order"]["current"] == "1000.00"
    assert rows["orders"]["previous"] == 0


@pytest.mark.parametrize(("filters", "visits", "orders"), [
    ({"channel": "paid_search"}, 1, 1), ({"channel": "email"}, 0, 0), ({"device": "mobile"}, 1, 1),
    ({"device": "desktop"}, 0, 0),
])
def test_the_funnel_in_the_api_is_filtered_by_channel_and_device(today_sales, filters, visits, orders):
    api = APIClient()
    api.force_authenticate(staff_user(MARKETER))

    response = api.get("/api/v1/analytics/reports/funnel/", {"preset": "today", **filters})

    counts = {row["step"]: row["count"] for row in response.json()["rows"]}
    assert (counts["Visits"], counts["Placed an order"]) == (visits, orders)


def test_a_funnel_for_a_channel_the_shop_does_not_know_is_a_clear_400():
    api = APIClient()
    api.force_authenticate(staff_user(OWNER))

    response = api.get("/api/v1/analytics/reports/funnel/", {"preset": "today", "channel": "telepathy"})

    assert response.status_code == 400
    assert "channel" in response.json()["errors"]


def test_a_reversed_period_is_a_clear_400(client):
    client.force_login(staff_user(OWNER))
    api = APIClient()
    api.force_authenticate(staff_user(OWNER))

    html = client.get(page("kpi"), {"start": "2026-11-10", "end": "2026-11-01"})
    json = api.get("/api/v1/analytics/reports/kpi/", {"start": "2026-11-10", "end": "2026-11-01"})

    assert html.status_code == 400
    assert "ends before it starts" in html.content.decode()
    assert json.status_code == 400
    assert "ends before it starts" in json.json()["detail"]


def test_a_manager_is_refused_the_api(db):
    api = APIClient()
    api.force_authenticate(staff_user(MANAGER))

    assert api.get("/api/v1/analytics/reports/channels/").status_code == 403


def test_the_new_reports_are_in_the_report_navigation(client):
    client.force_login(staff_user(OWNER))

    html = client.get(page("kpi")).content.decode()

    for name in NEW_REPORTS:
        assert page(name) in html


def test_the_customers_report_is_json_in_the_api(today_sales):
    api = APIClient()
    api.force_authenticate(staff_user(MARKETER))

    response = api.get("/api/v1/analytics/reports/customers/", {"preset": "today"})

    rows = {row["metric"]: row["value"] for row in response.json()["rows"]}
    assert response.status_code == 200
    assert (rows["new_customers"], rows["new_revenue"], rows["top_customers_share"]) == (1, "2500.00", "100.00")


def test_the_landing_page_report_downloads_as_csv(client, today_sales):
    client.force_login(staff_user(OWNER))

    response = client.get(page("landing_pages"), {"preset": "today", "export": "csv"})

    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Landing page,Visits,Orders,\"Conversion, %\",\"Revenue, ₽\",\"Average order, ₽\""
    assert lines[1] == "/,1,1,100.00,2500.00,2500.00"
    assert lines[-1] == "Total,1,1,100.00,2500.00,2500.00"


def test_reports_that_do_not_depend_on_attribution_do_not_offer_it(client):
    client.force_login(staff_user(OWNER))

    assert 'name="attribution"' in client.get(page("landing_pages")).content.decode()
    assert 'name="attribution"' not in client.get(page("customers")).content.decode()
