"""The owner's landing page in the admin, and who may see it."""

import json

import pytest
from django.urls import reverse

from analytics.periods import shop_today
from customers.roles import MANAGER, MARKETER, OWNER
from tests.analytics.conftest import at, make_order, make_visit
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("analytics_dashboard")


def chart_data(response) -> dict:
    html = response.content.decode()
    start = html.index('id="dashboard-data"')
    return json.loads(html[html.index(">", start) + 1:html.index("</script>", start)])


def test_the_owner_lands_on_the_dashboard(client):
    client.force_login(staff_user(OWNER))
    make_order(at(shop_today(), 0, 5), visit=make_visit(at(shop_today(), 0, 1)), total="4200.00")

    response = client.get("/admin/", {"preset": "today"})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-metric="revenue"' in html
    assert "4,200\u00a0₽" in html
    assert chart_data(response)["trend"]["revenue"] == [4200.0]


def test_the_owner_still_reaches_every_section_of_the_admin(client):
    client.force_login(staff_user(OWNER))

    html = client.get("/admin/", {"sections": "1"}).content.decode()

    assert "dashboard-data" not in html
    assert reverse("admin:orders_order_changelist") in html


@pytest.mark.parametrize("role", [MANAGER, MARKETER])
def test_other_roles_are_refused_the_dashboard_and_land_on_the_admin_index(client, role):
    client.force_login(staff_user(role))

    assert client.get(DASHBOARD).status_code == 403
    landing = client.get("/admin/")
    assert landing.status_code == 200
    assert "dashboard-data" not in landing.content.decode()


def test_a_new_period_swaps_in_only_the_dashboards_body(client):
    client.force_login(staff_user(OWNER))

    response = client.get(DASHBOARD, {"preset": "7d"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert "<html" not in html
    assert len(chart_data(response)["trend"]["labels"]) == 7


def test_a_tile_shows_the_change_against_the_previous_period(client):
    client.force_login(staff_user(OWNER))
    today = shop_today()
    make_order(at(today.replace(day=1) if today.day > 1 else today, 0, 5), total="1000.00")

    response = client.get(DASHBOARD, {"start": today.isoformat(), "end": today.isoformat()})

    assert response.status_code == 200
    assert "vs previous period" in response.content.decode() or "no previous figures" in response.content.decode()


def test_a_wrong_period_is_a_400_with_the_reason(client):
    client.force_login(staff_user(OWNER))

    response = client.get(DASHBOARD, {"start": "2026-11-10", "end": "2026-11-01"})

    assert response.status_code == 400
    assert "ends before it starts" in response.content.decode()
