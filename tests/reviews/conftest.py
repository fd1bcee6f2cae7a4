from decimal import Decimal

import pytest

from orders.models import Order, OrderLine
from reviews.services import review_submit
from tests.factories import OrderFactory, ProductFactory, UserFactory


def order_of(product, *, status: str = Order.Status.DELIVERED, **who) -> Order:
    """An order of one `product`, in `status`, placed by `who` (user, email, phone)."""
    who.setdefault("email", who["user"].email if who.get("user") else "guest@example.com")
    order = OrderFactory(status=status, **who)
    OrderLine.objects.create(order=order, product=product, product_name=product.name, sku=product.sku,
                             unit_price=product.price, quantity=1, line_total=product.price)
    return order


def review_by_buyer(product, *, rating: int = 5, text: str = "Отличная вещь, пользуюсь каждый день.", user=None):
    """A pending review of `product` by a customer who received it."""
    user = user or UserFactory()
    order_of(product, user=user)
    return review_submit(user=user, product=product, rating=rating, text=text)


@pytest.fixture
def kettle(db):
    return ProductFactory(name="Чайник «Утро»", slug="kettle", price=Decimal("2490.00"), stock=5, is_in_stock=True)


@pytest.fixture
def buyer(kettle):
    """A customer whose order of the kettle was delivered."""
    customer = UserFactory(email="anna@example.com", first_name="Анна", last_name="Смирнова")
    order_of(kettle, user=customer)
    return customer
