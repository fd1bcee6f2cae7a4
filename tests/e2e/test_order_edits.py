"""A manager changes the goods of an order and reads its History; the customer reads the same
order in their account: the manager sees the edit beside the moves, the customer the moves only."""

from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from customers.roles import MANAGER, roles_sync
from orders.services import order_claim
from orders.services.backoffice import LineChange, order_update_lines
from orders.services.cart import cart_add
from tests.e2e.conftest import WIDTHS, screenshot
from tests.factories import CartFactory, DeliveryMethodFactory, ProductFactory, UserFactory, staff_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def tab(browser, live_server, user, screen: str):
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="ru-RU", base_url=live_server.url, viewport=WIDTHS[screen])
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "url": live_server.url,
                          "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value}])
    page = context.new_page()
    page.screen = screen
    return context, page


@pytest.mark.parametrize("screen", list(WIDTHS))
def test_the_manager_reads_the_edit_in_history_and_the_customer_only_the_moves(browser, live_server, screen):
    from orders.services import Contact, Delivery, order_place

    roles_sync()
    manager = staff_user(MANAGER, first_name="Дмитрий", last_name="Соколов")
    customer = UserFactory()
    kettle = ProductFactory(name="Чайник", price=Decimal("1000.00"), stock=10)
    cart = CartFactory(user=customer, session_key="")
    cart_add(cart=cart, product=kettle, variant=None, quantity=1)
    order = order_place(cart=cart, contact=Contact(name="Анна", phone="+79161234567"), customer=customer,
                        delivery=Delivery(method=DeliveryMethodFactory(kind="courier", price=Decimal("300.00")),
                                          address="Москва, ул. Тверская, 1"),
                        payment="cash_on_delivery", idempotency_key=f"e2e-{screen}").order
    order_claim(order=order, manager=manager)
    order_update_lines(order=order, lines=[LineChange(kettle.pk, None, 2)], by=manager)

    context, page = tab(browser, live_server, manager, screen)
    page.goto(reverse("admin:orders_order_history", args=[order.pk]))
    history = page.locator("#change-history").inner_text()
    screenshot(page, "order-history-manager")
    context.close()
    context, page = tab(browser, live_server, customer, screen)
    page.goto(reverse("account_orders:detail", args=[order.number]))
    customers_history = page.locator(".order-history").inner_text()
    customers_steps = page.locator(".order-history li").count()
    screenshot(page, "order-history-customer")
    context.close()

    assert "Чайник: 1 → 2" in history
    assert "Чайник" not in customers_history
    assert customers_steps == order.history.count() == 2  # placed, then taken: the edit is not a step
