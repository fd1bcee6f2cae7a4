import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalog.models import Product
from customers.roles import MANAGER, WAREHOUSE
from orders.models import CallLog, Cart, Order, OrderStatusChange
from orders.services import (
    Delivery,
    OutOfStock,
    PhoneOrderLine,
    cart_add,
    cart_get_or_create,
    order_place_by_phone,
    phone,
)
from orders.signals import order_placed
from tests.factories import ProductFactory, ProductVariantFactory, UserFactory, staff_user

pytestmark = pytest.mark.django_db

PHONE_ORDER_URL = "/admin/orders/order/phone/new/"


@pytest.fixture
def manager(client):
    user = staff_user(MANAGER, first_name="Ирина", last_name="Петрова")
    client.force_login(user)
    return user


@pytest.fixture
def by_phone(manager, courier, contact):
    def _by_phone(*lines, **overrides):
        arguments = {
            "manager": manager,
            "lines": [PhoneOrderLine(product=product, variant=None, quantity=quantity) for product, quantity in lines],
            "contact": contact,
            "delivery": Delivery(method=courier, address="Москва, ул. Тверская, 1"),
            "payment": "cash_on_delivery",
            "idempotency_key": uuid.uuid4().hex,
            **overrides,
        }
        return order_place_by_phone(**arguments)

    return _by_phone


def test_a_phone_order_has_channel_phone_and_is_taken_by_the_manager(by_phone, manager, product):
    order = by_phone((product, 2))

    order.refresh_from_db()
    assert (order.channel, order.status, order.manager) == (Order.Channel.PHONE, Order.Status.IN_PROGRESS, manager)
    history = list(order.history.values_list("from_status", "to_status", "changed_by"))
    assert history == [("", "new", manager.pk), ("new", "in_progress", manager.pk)]


def test_a_phone_order_is_priced_and_reserved_like_the_site(by_phone):
    kettle = ProductFactory(price=Decimal("1500.00"), stock=5)

    order = by_phone((kettle, 2))

    assert (order.items_total, order.delivery_price, order.total_to_pay) == (
        Decimal("3000.00"), Decimal("300.00"), Decimal("3300.00"),
    )
    kettle.refresh_from_db()
    assert (kettle.stock, kettle.sales_count) == (3, 2)


def test_the_call_counts_as_the_first_call(by_phone, manager, product):
    order = by_phone((product, 1))

    order.refresh_from_db()
    assert order.first_call_at is not None
    assert CallLog.objects.get(order=order).outcome == CallLog.Outcome.REACHED


def test_a_phone_order_for_a_customer_appears_in_their_account_and_leaves_their_cart_alone(by_phone, product):
    anna = UserFactory()
    cart = cart_get_or_create(user=anna)
    cart_add(cart=cart, product=ProductFactory(), quantity=1)

    order = by_phone((product, 1), customer=anna)

    assert list(anna.orders.all()) == [order]
    assert cart.lines.count() == 1
    assert not Cart.objects.filter(session_key__startswith="phone-").exists()


def test_out_of_stock_leaves_nothing_behind(by_phone):
    scarce = ProductFactory(stock=1)

    with pytest.raises(ValidationError):
        by_phone((ProductFactory(stock=5), 1), (scarce, 2))

    assert not Order.objects.exists()
    assert not Cart.objects.exists()


def test_stock_taken_meanwhile_is_out_of_stock(by_phone, monkeypatch):
    kettle = ProductFactory(stock=2)
    real_cart_add = phone.cart_add

    def add_then_sell_out(**kwargs):
        line = real_cart_add(**kwargs)
        Product.objects.filter(pk=kettle.pk).update(stock=0)
        return line

    monkeypatch.setattr(phone, "cart_add", add_then_sell_out)

    with pytest.raises(OutOfStock):
        by_phone((kettle, 1))
    assert not Order.objects.exists()


def test_the_same_form_token_places_one_order(by_phone, product):
    first = by_phone((product, 1), idempotency_key="token-1")
    again = by_phone((product, 1), idempotency_key="token-1")

    assert first.pk == again.pk
    assert Order.objects.count() == 1


def test_the_admin_page_places_a_phone_order(client, manager, courier):
    kettle = ProductFactory(sku="KT-1", stock=5)
    size = ProductVariantFactory(sku="SH-42", stock=3)
    anna = UserFactory(email="anna@example.com")

    response = client.post(PHONE_ORDER_URL, {
        "name": "Анна", "phone": "8 916 123-45-67", "email": "Anna@Example.com",
        "delivery_method": courier.pk, "address": "Москва, ул. Тверская, 1", "payment": "cash_on_delivery",
        "comment": "Позвонить за час", "token": "form-token-1",
        "lines-TOTAL_FORMS": "3", "lines-INITIAL_FORMS": "0",
        "lines-0-sku": "kt-1", "lines-0-quantity": "2",
        "lines-1-sku": "SH-42", "lines-1-quantity": "1",
        "lines-2-sku": "", "lines-2-quantity": "1",
    })

    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:orders_order_change", args=[order.pk])
    assert (order.channel, order.user, order.phone, order.comment) == ("phone", anna, "+79161234567",
                                                                       "Позвонить за час")
    assert sorted(order.lines.values_list("sku", "quantity")) == [("KT-1", 2), ("SH-42", 1)]
    kettle.refresh_from_db()
    size.refresh_from_db()
    assert (kettle.stock, size.stock) == (3, 2)


def test_the_admin_page_shows_a_bad_quantity_and_places_nothing(client, manager, courier):
    ProductFactory(sku="KT-1", stock=5)

    response = client.post(PHONE_ORDER_URL, {
        "name": "Анна", "phone": "+79161234567", "delivery_method": courier.pk, "address": "Москва",
        "payment": "cash_on_delivery", "token": "form-token-2",
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-0-sku": "KT-1", "lines-0-quantity": "1.5",
    })

    assert response.status_code == 200
    assert "Quantity must be a whole number." in response.content.decode()
    assert not Order.objects.exists()


def test_an_unknown_sku_is_shown_on_its_line(client, manager, courier):
    response = client.post(PHONE_ORDER_URL, {
        "name": "Анна", "phone": "+79161234567", "delivery_method": courier.pk, "address": "Москва",
        "payment": "cash_on_delivery", "token": "form-token-3",
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-0-sku": "NOPE", "lines-0-quantity": "1",
    })

    assert "No product or variant has this SKU." in response.content.decode()
    assert not Order.objects.exists()


def test_the_page_is_linked_from_the_order_list(client, manager):
    html = client.get(reverse("admin:orders_order_changelist")).content.decode()

    assert PHONE_ORDER_URL in html


def test_the_warehouse_cannot_take_phone_orders(client):
    client.force_login(staff_user(WAREHOUSE))

    assert client.get(PHONE_ORDER_URL).status_code == 403
    assert OrderStatusChange.objects.count() == 0


def test_receivers_of_order_placed_already_see_a_phone_order_as_a_phone_order(by_phone, product):
    customer = UserFactory()
    seen = []

    def remember(sender, order, **kwargs):
        seen.append((order.channel, order.user))

    order_placed.connect(remember)
    try:
        by_phone((product, 1), customer=customer)
    finally:
        order_placed.disconnect(remember)

    assert seen == [(Order.Channel.PHONE, customer)]
