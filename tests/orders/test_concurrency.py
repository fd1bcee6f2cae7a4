"""Races that only a real database with row locks can settle: real threads, each with its
own PostgreSQL connection, released together by a barrier."""

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from customers.services import InsufficientPoints, points_balance, points_earn, points_spend
from orders.models import Order, PromoCode, PromoCodeUse
from orders.services import Contact, OutOfStock, cart_add
from tests.factories import CartFactory, ProductFactory, PromoCodeFactory, UserFactory
from tests.harness import in_parallel

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _guest_cart(*items):
    cart = CartFactory()
    for product, quantity in items:
        cart_add(cart=cart, product=product, variant=None, quantity=quantity)
    return cart


def test_fifty_shoppers_racing_for_ten_items_get_exactly_ten_orders(place):
    kettle = ProductFactory(name="Чайник", stock=10)
    carts = [_guest_cart((kettle, 1)) for _ in range(50)]

    results = in_parallel(50, lambda i: place(carts[i]))

    orders = [result for result in results if isinstance(result, Order)]
    refusals = [result for result in results if not isinstance(result, Order)]
    assert len(orders) == 10
    assert all(isinstance(refusal, OutOfStock) for refusal in refusals), refusals
    assert {refusal.messages[0] for refusal in refusals} == {"“Чайник” is out of stock."}
    kettle.refresh_from_db()
    assert (kettle.stock, kettle.sales_count) == (0, 10)
    assert Order.objects.count() == 10
    assert len({order.number for order in orders}) == 10


def test_ten_submissions_of_one_checkout_make_one_order_and_all_get_it(place):
    kettle = ProductFactory(stock=10)
    cart = _guest_cart((kettle, 2))
    key = uuid.uuid4().hex

    results = in_parallel(10, lambda i: place(cart, idempotency_key=key))

    assert all(isinstance(result, Order) for result in results), results
    assert len({result.pk for result in results}) == 1
    assert Order.objects.count() == 1
    kettle.refresh_from_db()
    assert kettle.stock == 8


def test_single_use_promo_code_raced_by_twenty_checkouts_discounts_once(place):
    PromoCodeFactory(code="ONCE", usage_limit=1, value=Decimal("50"))
    kettle = ProductFactory(stock=100)
    carts = [_guest_cart((kettle, 1)) for _ in range(20)]

    results = in_parallel(20, lambda i: place(
        carts[i], promo_code="ONCE", contact=Contact(name="Покупатель", phone=f"+7916000{i:04d}")
    ))

    orders = [result for result in results if isinstance(result, Order)]
    assert len(orders) == 1
    assert orders[0].discount_total > 0
    refusals = [result for result in results if not isinstance(result, Order)]
    assert all(isinstance(refusal, ValidationError) for refusal in refusals), refusals
    assert {refusal.message_dict["promo_code"][0] for refusal in refusals} == {
        "This promo code has already been used up."
    }
    assert PromoCode.objects.get(code="ONCE").used_count == 1
    assert PromoCodeUse.objects.count() == 1
    kettle.refresh_from_db()
    assert kettle.stock == 99


def test_once_per_customer_code_raced_by_one_customer_discounts_once(place):
    PromoCodeFactory(code="ONCEEACH", usage_limit_per_customer=1)
    kettle = ProductFactory(stock=100)
    carts = [_guest_cart((kettle, 1)) for _ in range(10)]
    same_customer = Contact(name="Анна", phone="+79161234567")

    results = in_parallel(10, lambda i: place(carts[i], promo_code="ONCEEACH", contact=same_customer))

    assert sum(isinstance(result, Order) for result in results) == 1
    assert PromoCodeUse.objects.count() == 1


def test_baskets_with_the_same_goods_in_opposite_order_do_not_deadlock(place):
    kettle, mug = ProductFactory(stock=1000), ProductFactory(stock=1000)
    carts = [_guest_cart((kettle, 1), (mug, 2)) if i % 2 else _guest_cart((mug, 2), (kettle, 1)) for i in range(30)]

    results = in_parallel(30, lambda i: place(carts[i]))

    assert all(isinstance(result, Order) for result in results), results
    kettle.refresh_from_db()
    mug.refresh_from_db()
    assert (kettle.stock, mug.stock) == (970, 940)


def test_points_spent_at_once_never_take_the_balance_below_zero():
    user = UserFactory()
    points_earn(user=user, points=100)

    results = in_parallel(10, lambda i: points_spend(user=user, points=30, order_number=f"VT-{i}"))

    assert sum(not isinstance(result, Exception) for result in results) == 3
    assert all(isinstance(result, InsufficientPoints) for result in results if isinstance(result, Exception))
    assert points_balance(user=user) == 10


def test_one_cart_checked_out_from_several_tabs_makes_one_order_and_spends_points_once(place):
    user = UserFactory()
    points_earn(user=user, points=100)
    kettle = ProductFactory(price="1000.00", stock=100)
    cart = CartFactory(user=user, session_key="")
    cart_add(cart=cart, product=kettle, variant=None, quantity=1)

    results = in_parallel(5, lambda i: place(cart, points=100, idempotency_key=f"tab-{i}"))

    orders = [result for result in results if isinstance(result, Order)]
    assert len(orders) == 1
    assert {str(result.messages[0]) for result in results if not isinstance(result, Order)} == {
        "Your cart is empty."
    }
    assert points_balance(user=user) == 0
    kettle.refresh_from_db()
    assert kettle.stock == 99


def test_cancelling_and_ordering_at_once_for_one_customer_do_not_deadlock(place):
    from orders.services import order_transition

    kettle = ProductFactory(price="1000.00", stock=1000)
    customers, earlier_orders, carts = [], [], []
    for _ in range(10):
        user = UserFactory()
        points_earn(user=user, points=500)
        cart = CartFactory(user=user, session_key="")
        cart_add(cart=cart, product=kettle, variant=None, quantity=1)
        earlier_orders.append(place(cart, points=200))
        cart_add(cart=cart, product=kettle, variant=None, quantity=1)
        customers.append(user)
        carts.append(cart)

    def work(i):
        if i % 2:
            return order_transition(order=earlier_orders[i // 2], to_status=Order.Status.CANCELLED, by=None)
        return place(carts[i // 2], points=200)

    results = in_parallel(20, work)

    assert all(isinstance(result, Order) for result in results), results
    assert [points_balance(user=user) for user in customers] == [300] * 10
    kettle.refresh_from_db()
    assert kettle.stock == 990
