"""The owner reads the dashboard in a real Chromium: the charts draw, a new period redraws them,
the page reads on a phone, and a manager is refused. Screenshots are saved with the test output."""

import re
from datetime import timedelta

import pytest

from analytics.periods import shop_today
from customers.roles import MANAGER, OWNER, roles_sync
from marketing.campaigns.services import campaign_entries_dispatch, campaigns_scan
from orders.models import Order, OrderStatusChange
from tests.analytics.conftest import at, make_order, make_visit
from tests.factories import DeliveryMethodFactory, staff_user
from tests.marketing.campaigning import abandoned_cart_campaign, cart_left, consent_given

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


NEW_REPORTS = ("customers", "cohorts", "logistics", "campaigns", "landing_pages", "cancellations")


@pytest.fixture
def a_month_with_parcels_and_cancellations(shop_with_a_month_of_sales):
    manager = staff_user(MANAGER, first_name="Ольга", last_name="Петрова")
    courier, pickup = DeliveryMethodFactory(name="Курьер"), DeliveryMethodFactory(name="Пункт выдачи", kind="pickup")
    Order.objects.update(delivery_method=courier)
    Order.objects.filter(pk__in=list(Order.objects.order_by("pk").values_list("pk", flat=True))[::2]).update(
        delivery_method=pickup)
    for order in Order.objects.order_by("created_at")[:12]:
        if order.pk % 3 == 0:
            to, comment = Order.Status.CANCELLED, "Передумал"
        else:
            to, comment = Order.Status.DELIVERED, ""
        change = OrderStatusChange.objects.create(order=order, from_status=order.status, to_status=to, comment=comment)
        OrderStatusChange.objects.filter(pk=change.pk).update(created_at=order.created_at + timedelta(days=2))
        Order.objects.filter(pk=order.pk).update(status=to, manager=manager)
    make_order(at(shop_today() - timedelta(days=3), 11), channel=Order.Channel.PHONE, total="4500.00")
    abandoned_cart_campaign()
    consent_given("anna@example.com")
    cart_left(email="anna@example.com")
    campaigns_scan()
    campaign_entries_dispatch()


@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)])
def test_the_owner_opens_each_new_report_from_the_dashboard(a_month_with_parcels_and_cancellations, signed_in_page,
                                                            tmp_path, width, height):
    from playwright.sync_api import expect

    page = signed_in_page(staff_user(OWNER))
    page.set_viewport_size({"width": width, "height": height})
    page.goto("/admin/?preset=30d")
    for name in NEW_REPORTS:
        page.locator(f'.an-tabs a[href$="/reports/{name}/"]').click()

        expect(page.locator("#report-table tbody tr").first).to_be_visible()
        assert page.locator("#report-table tbody td").first.inner_text() != "Nothing in this period."
        page_width = page.evaluate("document.documentElement.scrollWidth")
        assert page_width <= width, f"{name} is {page_width}px wide on a {width}px screen"
        page.screenshot(path=str(tmp_path / f"report-{name}-{width}.png"), full_page=True)
        page.go_back()
