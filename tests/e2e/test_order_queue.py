"""A manager opens the order list on a 1,366 px laptop and on a phone: every order shows its
number, age, amount, customer, delivery, status, manager and both timers, late ones in red,
without scrolling sideways."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from customers.roles import MANAGER, roles_sync
from orders.demo import demo_delivery_create
from orders.models import DeliveryMethod, Order
from orders.services import order_claim
from orders.services.backoffice import call_log_record
from tests.e2e.conftest import WIDTHS, screenshot
from tests.factories import OrderFactory, staff_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=list(WIDTHS))
def manager_page(request, browser, live_server):
    """A manager's tab in Russian, signed in, on a phone and on a laptop screen."""
    roles_sync()
    client = Client()
    client.force_login(staff_user(MANAGER, first_name="Дмитрий", last_name="Соколов"))
    context = browser.new_context(locale="ru-RU", base_url=live_server.url, viewport=WIDTHS[request.param])
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "url": live_server.url,
                          "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value}])
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.screen = request.param
    yield page
    context.close()


@pytest.fixture
def queue():
    """A working day's queue: one order waiting too long, one taken and called, one taken but not called."""
    colleague = staff_user(MANAGER, first_name="Анна", last_name="Кузнецова")
    demo_delivery_create()
    by = {method.kind: method for method in DeliveryMethod.objects.all()}

    def placed(minutes_ago: int, **fields) -> Order:
        order = OrderFactory(**fields)
        Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(minutes=minutes_ago))
        return Order.objects.get(pk=order.pk)

    waiting = placed(25, name="Екатерина Кузнецова-Шереметьева", total_to_pay=Decimal("24769.00"),
                     delivery_method=by["courier"])
    called = order_claim(order=placed(50, name="Пётр Иванов", delivery_method=by["post"]), manager=colleague)
    call_log_record(order=called, manager=colleague, outcome="reached")
    order_claim(order=placed(2, name="Ольга Николаева", total_to_pay=Decimal("1488.00"), delivery_method=by["pickup"]),
                manager=colleague)
    return waiting


def test_manager_sees_the_whole_queue_with_late_marks_without_scrolling_sideways(manager_page, queue):
    from playwright.sync_api import expect

    page = manager_page
    page.goto(reverse("admin:orders_order_changelist"))
    row = page.locator("#result_list tbody tr", has_text=queue.number)

    expect(row).to_contain_text("24\u202f769,00\xa0₽")
    expect(row).to_contain_text("Екатерина Кузнецова-Шереметьева")
    expect(row.locator(".field-time_to_claim .bo-late")).to_be_visible()
    expect(row.locator(".field-time_to_first_call .bo-late")).to_be_visible()
    widths = page.evaluate("""() => ({
        page: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
        results: [document.querySelector('.results').scrollWidth, document.querySelector('.results').clientWidth],
        rightmost: Math.max(...[...document.querySelectorAll('#result_list td, #result_list th')]
                                .map(cell => cell.getBoundingClientRect().right)),
    })""")
    assert widths["page"][0] <= widths["page"][1]
    assert widths["results"][0] <= widths["results"][1]
    assert widths["rightmost"] <= widths["page"][1]
    for column in ("number", "age", "to_pay", "customer", "delivery", "status", "manager",
                   "time_to_claim", "time_to_first_call"):
        expect(row.locator(f".field-{column}")).to_be_visible()
    if page.screen == "desktop":
        expect(page.locator("#result_list thead")).to_contain_text("До первого звонка")
    expect(page.locator("#bo-banner")).to_contain_text(queue.number)  # the banner has polled once
    screenshot(page, "order-queue")
