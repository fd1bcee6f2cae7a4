from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from customers.services import points_balance, points_earn
from orders.models import Order
from tests.factories import ProductFactory, PromoCodeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rich_customer(db):
    user = UserFactory()
    points_earn(user=user, points=10_000)
    return user


def test_points_pay_part_of_the_order(place, cart_with, rich_customer):
    cart = cart_with((ProductFactory(price="1000.00"), 1), user=rich_customer, session_key="")

    order = place(cart, points=300)

    assert order.points_spent == Decimal("300.00")
    assert order.total_to_pay == Decimal("1000.00") + Decimal("300.00") - Decimal("300.00")
    assert points_balance(user=rich_customer) == 9_700


def test_points_above_the_maximum_share_are_refused(place, cart_with, rich_customer, settings):
    settings.POINTS_MAX_SHARE = Decimal("0.3")
    cart = cart_with((ProductFactory(price="1000.00"), 1), user=rich_customer, session_key="")

    with pytest.raises(ValidationError) as refused:
        place(cart, points=301)

    assert refused.value.message_dict == {"points": ["At most 300 points can pay for this order."]}
    assert points_balance(user=rich_customer) == 10_000
    assert not Order.objects.exists()


def test_maximum_share_counts_the_goods_after_the_promo_discount(place, cart_with, rich_customer, settings):
    settings.POINTS_MAX_SHARE = Decimal("0.3")
    PromoCodeFactory(code="HALF", value=Decimal("50"))
    cart = cart_with((ProductFactory(price="1000.00"), 1), user=rich_customer, session_key="")

    with pytest.raises(ValidationError, match="At most 150 points"):
        place(cart, promo_code="HALF", points=151)
    order = place(cart, promo_code="HALF", points=150)

    assert (order.discount_total, order.points_spent) == (Decimal("500.00"), Decimal("150.00"))


def test_guest_cannot_pay_with_points(place, cart_with, product):
    with pytest.raises(ValidationError) as refused:
        place(cart_with((product, 1)), points=10)

    assert refused.value.message_dict == {"points": ["Please sign in to pay with points."]}


@pytest.mark.parametrize("points", [-5, 1.5, "10", True])
def test_points_must_be_a_whole_number(place, cart_with, rich_customer, points):
    cart = cart_with((ProductFactory(), 1), user=rich_customer, session_key="")

    with pytest.raises(ValidationError):
        place(cart, points=points)

    assert not Order.objects.exists()
