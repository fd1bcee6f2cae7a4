"""The owner reads the dashboard in a real Chromium: the charts draw, a new period redraws them,
the page reads on a phone, and a manager is refused. Screenshots are saved with the test output."""

import re
from datetime import timedelta

import pytest

from analytics.periods import shop_today
from customers.roles import MANAGER, OWNER, roles_sync
from tests.analytics.conftest import at, make_order, make_visit
from tests.factories import staff_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop_with_a_month_of_sales():
    roles_sync()
    today = shop_today()
    for age in range(30):
        day = today - timedelta(days=age)
        for n in range(1 + age % 3):
            visit = make_visit(at(day, 0, 1 + n), channel="paid_search" if n else "organic_search")
            make_order(at(day, 0, 10 + n), visit=visit, total=f"{1000 + 100 * age}.00")


def test_the_owner_changes_the_period_and_the_charts_redraw(shop_with_a_month_of_sales, signed_in_page, tmp_path):
    from playwright.sync_api import expect

    page = signed_in_page(staff_user(OWNER))
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "Security Policy" in message.text else None)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/admin/?preset=30d")
    board = page.locator("#an-dashboard")
    expect(board).to_have_attribute("data-drawn-for", f"{shop_today() - timedelta(days=29)}/{shop_today()}")
    assert page.locator("#chart-trend").bounding_box()["height"] > 100

    page.locator('a[data-preset="7d"]').click()

    expect(board).to_have_attribute("data-drawn-for", f"{shop_today() - timedelta(days=6)}/{shop_today()}")
    expect(page).to_have_url(re.compile(r"preset=7d"))
    # 1 + 2 + 3 + 1 + 2 + 3 + 1 orders over the last seven days
    expect(page.locator('.an-tile[data-metric="orders"] .an-tile-value')).to_have_text("13")
    page.screenshot(path=str(tmp_path / "dashboard-1366.png"), full_page=True)
    assert refused == []


def test_the_dashboard_reads_on_a_phone(shop_with_a_month_of_sales, signed_in_page, tmp_path):
    from playwright.sync_api import expect

    page = signed_in_page(staff_user(OWNER))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/admin/")

    expect(page.locator("#an-dashboard")).to_have_attribute("data-drawn-for", re.compile(r".+/.+"))
    widest = page.evaluate("Math.max(...[...document.querySelectorAll('.an-card, .an-tile')]"
                           ".map(e => e.getBoundingClientRect().right))")
    assert widest <= 390
    page.screenshot(path=str(tmp_path / "dashboard-390.png"), full_page=True)


def test_a_manager_is_refused_the_dashboard(signed_in_page):
    roles_sync()
    page = signed_in_page(staff_user(MANAGER))

    response = page.goto("/admin/analytics/dashboard/")

    assert response.status == 403
    assert page.locator("#an-dashboard").count() == 0


def test_the_what_if_model_recomputes_when_a_number_changes(shop_with_a_month_of_sales, signed_in_page):
    from playwright.sync_api import expect

    page = signed_in_page(staff_user(OWNER))
    page.goto("/admin/analytics/marketingcost/what-if/")
    orders = page.locator('#whatif-year [data-figure="orders"]')
    before = orders.inner_text()

    page.locator("#id_conversion__paid_search").fill("0")  # paid search stops converting

    expect(orders).not_to_have_text(before, timeout=15_000)
    assert int(orders.inner_text().replace(",", "")) < int(before.replace(",", ""))
