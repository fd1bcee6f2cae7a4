"""One price for an order: what checkout shows before "Place the order" is what the order costs."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import Product
from customers.services import points_earn
from orders.models import Order
from orders.services import Delivery, cart_quote, carts_quote, order_claim
from orders.services.backoffice import LineChange, order_update_lines
from tests.factories import DeliveryMethodFactory, PickupPointFactory, ProductFactory, PromoCodeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(db):
    return DeliveryMethodFactory(kind="post", name="Почта России", price=Decimal("350.00"))


@pytest.fixture
def soap(db):
    return ProductFactory(name="Мыло", price=Decimal("279.00"), stock=10)


def _summary_amount(client, **data) -> Decimal:
    html = client.post(reverse("orders:checkout_summary"), data).content.decode()
    return Decimal(re.search(r'class="to-pay" data-amount="([\d.]+)"', html).group(1))


def _checkout_form(client, **data) -> dict:
    page = client.get(reverse("orders:checkout")).content.decode()
    token = re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)
    return {"name": "Анна Смирнова", "phone": "8 916 123-45-67", "email": "anna@example.com",
            "payment": "cash_on_delivery", "consent_personal_data": "on", "token": token, **data}


def test_quote_prices_goods_then_discount_then_delivery_on_the_discounted_goods_then_points(cart_with, product):
    courier = DeliveryMethodFactory(kind="courier", price=Decimal("300.00"), free_from=Decimal("2000.00"))
    PromoCodeFactory(code="TEN", kind="percent", value=Decimal("10"))
    customer = UserFactory()
    points_earn(user=customer, points=500, comment="test")

    quote = cart_quote(cart=cart_with((product, 2)), delivery_method=courier, promo_code="ten", points=100,
                       customer=customer)

    # 2 000 of goods, −200 promo: 1 800 is under "free from 2 000", so delivery is charged.
    assert (quote.goods, quote.discount, quote.delivery, quote.points, quote.total) == (
        Decimal("2000.00"), Decimal("200.00"), Decimal("300.00"), 100, Decimal("2000.00"))
    assert quote.is_final


def test_quote_leaves_out_a_promo_code_it_refuses_and_says_why(cart_with, product):
    quote = cart_quote(cart=cart_with((product, 1)), promo_code="NOPE")

    assert quote.discount == 0 and quote.total == Decimal("1000.00")
    assert [error.message for error in quote.errors["promo_code"]] == ["There is no such promo code."]
    assert not quote.is_final


def test_quote_refuses_more_points_than_the_balance_when_it_is_given(cart_with, product):
    customer = UserFactory()

    quote = cart_quote(cart=cart_with((product, 1)), points=50, customer=customer, points_balance=10)

    assert quote.points == 0 and quote.total == Decimal("1000.00")
    assert [error.code for error in quote.errors["points"]] == ["insufficient_points"]


def test_many_carts_are_priced_in_one_query_as_checkout_prices_each(cart_with, product, soap,
                                                                   django_assert_num_queries):
    small, large = cart_with((soap, 1)), cart_with((product, 2), (soap, 3))
    empty = cart_with()
    withdrawn = ProductFactory(price="10.00", stock=5)
    gone = cart_with((withdrawn, 1))
    Product.objects.filter(pk=withdrawn.pk).update(is_active=False)

    with django_assert_num_queries(1):
        quotes = carts_quote(carts=[small.pk, large.pk, empty.pk, gone.pk])

    assert set(quotes) == {small.pk, large.pk}
    for cart in (small, large):
        expected = cart_quote(cart=cart)
        assert (quotes[cart.pk].goods, quotes[cart.pk].total, quotes[cart.pk].lines) == (
            expected.goods, expected.total, expected.lines)


@pytest.mark.parametrize("kind", ["courier", "pickup", "post"])
def test_checkout_summary_shows_the_amount_the_order_is_placed_at_for_each_delivery_kind(client, soap, kind):
    method = DeliveryMethodFactory(kind=kind, price=Decimal("350.00"))
    point = PickupPointFactory(delivery_method=method) if kind == "pickup" else None
    client.post(reverse("orders:cart_add"), {"product": soap.pk, "quantity": "1"})
    choice = {"delivery_method": method.pk, "address": "Москва, ул. Тверская, 1", "postcode": "101000",
              **({"pickup_point": point.pk} if point else {})}

    shown = _summary_amount(client, **choice)
    client.post(reverse("orders:checkout"), _checkout_form(client, **choice))

    assert shown == Decimal("629.00")
    assert Order.objects.get().total_to_pay == shown


def test_checkout_summary_counts_the_promo_code_and_the_points_as_the_order_does(client, soap, post):
    customer = UserFactory()
    points_earn(user=customer, points=1000, comment="test")
    client.force_login(customer)
    PromoCodeFactory(code="SOAP50", kind="fixed", value=Decimal("50"))
    client.post(reverse("orders:cart_add"), {"product": soap.pk, "quantity": "2"})
    choice = {"delivery_method": post.pk, "address": "Москва, ул. Тверская, 1", "postcode": "101000",
              "promo_code": "soap50", "points": "100"}

    shown = _summary_amount(client, **choice)
    client.post(reverse("orders:checkout"), _checkout_form(client, **choice))

    assert shown == Decimal("558.00") - 50 + 350 - 100
    assert Order.objects.get().total_to_pay == shown


def test_checkout_summary_before_a_delivery_method_is_chosen_says_delivery_is_still_to_add(client, soap, post):
    client.post(reverse("orders:cart_add"), {"product": soap.pk, "quantity": "1"})

    html = client.post(reverse("orders:checkout_summary"), {}).content.decode()

    assert "choose a delivery method" in html and "To pay, without delivery" in html


def test_checkout_page_shows_each_methods_price_on_the_goods_after_the_promo_code(client, soap):
    courier = DeliveryMethodFactory(kind="courier", price=Decimal("300.00"), free_from=Decimal("500.00"))
    PromoCodeFactory(code="HALF", kind="percent", value=Decimal("50"))
    client.post(reverse("orders:cart_add"), {"product": soap.pk, "quantity": "2"})  # 558 ₽: free delivery

    html = client.post(reverse("orders:checkout_summary"), {"promo_code": "HALF"}).content.decode()

    assert re.search(rf'id="delivery-price-{courier.pk}">300\xa0₽<', html)


def test_manager_cutting_the_goods_prices_the_order_as_checkout_would(place, cart_with, product):
    courier = DeliveryMethodFactory(kind="courier", price=Decimal("300.00"), free_from=Decimal("2500.00"))
    PromoCodeFactory(code="TEN", kind="percent", value=Decimal("10"))
    manager = UserFactory(is_staff=True)
    order = place(cart_with((product, 3)), promo_code="TEN",
                  delivery=Delivery(method=courier, address="Москва, ул. Тверская, 1"))
    assert order.delivery_price == 0  # 3 000 − 10 % is above "free from 2 500"
    order = order_claim(order=order, manager=manager)

    order_update_lines(order=order, lines=[LineChange(product.pk, None, 2)], by=manager)

    order.refresh_from_db()
    expected = cart_quote(cart=cart_with((product, 2)), delivery_method=courier, promo_code="TEN")
    assert (order.items_total, order.discount_total, order.delivery_price, order.total_to_pay) == (
        expected.goods, expected.discount, expected.delivery, expected.total) == (
        Decimal("2000.00"), Decimal("200.00"), Decimal("300.00"), Decimal("2100.00"))
