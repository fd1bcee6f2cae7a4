"""What each role can open in the admin, and what it is refused (403)."""

import pytest
from django.urls import reverse

from customers.roles import MANAGER, MARKETER, OWNER, WAREHOUSE
from orders.models import Order
from orders.services import order_claim, order_transition
from tests.factories import OrderFactory, staff_user

pytestmark = pytest.mark.django_db

ORDERS = reverse("admin:orders_order_changelist")
USERS = reverse("admin:customers_user_changelist")
PRODUCTS = reverse("admin:catalog_product_changelist")
TEMPLATES = reverse("admin:marketing_messagetemplate_changelist")
MESSAGES = reverse("admin:marketing_outboundmessage_changelist")
PICKING = reverse("admin:orders_order_picking")
BANNER = reverse("admin:orders_order_banner")
DELIVERY_METHODS = reverse("admin:orders_deliverymethod_changelist")
PROMO_CODES = reverse("admin:orders_promocode_changelist")
CATEGORIES_ADD = reverse("admin:catalog_category_add")


def status_codes(client, role, urls):
    client.force_login(staff_user(role))
    return {url: client.get(url).status_code for url in urls}


@pytest.mark.parametrize(("role", "allowed", "refused"), [
    (MANAGER, [ORDERS, USERS, PRODUCTS, BANNER, MESSAGES], [TEMPLATES, PICKING, CATEGORIES_ADD]),
    (WAREHOUSE, [ORDERS, PRODUCTS, PICKING, DELIVERY_METHODS], [USERS, TEMPLATES, MESSAGES, BANNER, PROMO_CODES]),
    (MARKETER, [ORDERS, USERS, PRODUCTS, TEMPLATES, MESSAGES, PROMO_CODES], [PICKING, BANNER, CATEGORIES_ADD]),
    (OWNER, [ORDERS, USERS, PRODUCTS, TEMPLATES, MESSAGES, PICKING, BANNER, DELIVERY_METHODS, CATEGORIES_ADD], []),
])
def test_each_role_opens_what_it_needs_and_is_refused_the_rest(client, role, allowed, refused):
    codes = status_codes(client, role, allowed + refused)

    assert {url: codes[url] for url in allowed} == dict.fromkeys(allowed, 200)
    assert {url: codes[url] for url in refused} == dict.fromkeys(refused, 403)


def test_marketer_sees_an_order_but_cannot_change_or_move_it(client):
    order = order_claim(order=OrderFactory(), manager=staff_user(MANAGER))
    client.force_login(staff_user(MARKETER))

    page = client.get(reverse("admin:orders_order_change", args=[order.pk]))
    moved = client.post(reverse("admin:orders_order_transition", args=[order.pk]), {"to_status": "confirmed"})

    assert page.status_code == 200
    assert 'name="to_status"' not in page.content.decode()
    assert moved.status_code == 403
    assert Order.objects.get(pk=order.pk).status == Order.Status.IN_PROGRESS


def test_marketer_cannot_claim_an_order(client):
    order = OrderFactory()
    client.force_login(staff_user(MARKETER))

    response = client.post(reverse("admin:orders_order_claim", args=[order.pk]))

    assert response.status_code == 403
    assert Order.objects.get(pk=order.pk).manager is None


def test_warehouse_cannot_confirm_or_cancel_an_order(client):
    holder = staff_user(MANAGER)
    order = order_claim(order=OrderFactory(), manager=holder)
    client.force_login(staff_user(WAREHOUSE))

    response = client.post(reverse("admin:orders_order_transition", args=[order.pk]), {"to_status": "confirmed"})

    assert response.status_code == 403
    assert Order.objects.get(pk=order.pk).status == Order.Status.IN_PROGRESS


def test_warehouse_packs_a_confirmed_order_it_does_not_own(client):
    holder = staff_user(MANAGER)
    order = order_transition(order=order_claim(order=OrderFactory(), manager=holder),
                             to_status=Order.Status.CONFIRMED, by=holder)
    client.force_login(staff_user(WAREHOUSE))

    client.post(reverse("admin:orders_order_transition", args=[order.pk]), {"to_status": "packed"})

    assert Order.objects.get(pk=order.pk).status == Order.Status.PACKED


def test_owner_works_any_managers_order(client):
    order = order_claim(order=OrderFactory(), manager=staff_user(MANAGER))
    client.force_login(staff_user(OWNER))

    client.post(reverse("admin:orders_order_transition", args=[order.pk]), {"to_status": "confirmed"})

    assert Order.objects.get(pk=order.pk).status == Order.Status.CONFIRMED


def test_nobody_deletes_an_order_not_even_the_owner(client):
    order = OrderFactory()
    client.force_login(staff_user(OWNER))

    response = client.get(reverse("admin:orders_order_delete", args=[order.pk]))

    assert response.status_code == 403


def test_staff_without_a_role_is_refused_the_banner(client):
    user = staff_user(MANAGER)
    user.groups.clear()
    client.force_login(user)

    assert client.get(BANNER).status_code == 403
