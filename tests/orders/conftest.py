import uuid
from decimal import Decimal

import pytest

from orders.services import Contact, Delivery, cart_add, order_place
from tests.factories import CartFactory, DeliveryMethodFactory, ProductFactory
from tests.fakes.yookassa import FakeYooKassa


@pytest.fixture
def courier(db):
    return DeliveryMethodFactory(kind="courier", price=Decimal("300.00"))


@pytest.fixture
def contact():
    return Contact(name="Анна Смирнова", phone="8 (916) 123-45-67", email="Anna@Example.com")


@pytest.fixture
def place(courier, contact):
    """Place an order from a cart with sensible checkout answers; any of them can be overridden."""

    def _place(cart, **overrides):
        arguments = {
            "cart": cart,
            "contact": contact,
            "delivery": Delivery(method=courier, address="Москва, ул. Тверская, 1, кв. 5"),
            "payment": "cash_on_delivery",
            "idempotency_key": uuid.uuid4().hex,
            **overrides,
        }
        return order_place(**arguments).order

    return _place


@pytest.fixture
def cart_with(db):
    """A guest cart holding the given (product, quantity) pairs, added through the service."""

    def _cart_with(*items, cart=None, **cart_fields):
        cart = cart or CartFactory(**cart_fields)
        for product, quantity in items:
            cart_add(cart=cart, product=product, variant=None, quantity=quantity)
        return cart

    return _cart_with


@pytest.fixture
def product(db):
    return ProductFactory(price="1000.00", stock=10)


@pytest.fixture
def yookassa(settings):
    """A fake YooKassa on a local port, the shop's settings pointing at it."""
    with FakeYooKassa() as fake:
        fake.settings(settings)
        yield fake
