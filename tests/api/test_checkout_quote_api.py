from decimal import Decimal

import pytest

from customers.services import points_earn
from orders.models import Order
from tests.factories import PromoCodeFactory

pytestmark = pytest.mark.django_db


def _add(client, product, quantity=1):
    assert client.post("/api/v1/cart/items/", {"product": product.pk, "quantity": quantity},
                       format="json").status_code == 201


def test_quote_answers_the_total_the_order_is_then_placed_at(signed_in, customer, kettle, checkout_answers):
    points_earn(user=customer, points=1000, comment="test")
    PromoCodeFactory(code="KETTLE", kind="fixed", value=Decimal("100"))
    _add(signed_in, kettle, 2)
    asked = {"delivery_method": checkout_answers["delivery_method"], "promo_code": "kettle", "points": 200}

    quote = signed_in.post("/api/v1/checkout/quote/", asked, format="json").json()
    placed = signed_in.post("/api/v1/checkout/", {**checkout_answers, **asked}, format="json").json()

    assert quote == {"goods": "3000.00", "discount": "100.00", "promo_code": "KETTLE", "delivery": "300.00",
                     "points": 200, "points_max": 870, "total_to_pay": "3000.00", "is_final": True, "errors": {}}
    assert placed["total_to_pay"] == quote["total_to_pay"] == str(Order.objects.get().total_to_pay)


def test_quote_without_a_delivery_method_leaves_delivery_out(api, kettle):
    _add(api, kettle)

    quote = api.post("/api/v1/checkout/quote/", {}, format="json").json()

    assert (quote["delivery"], quote["total_to_pay"], quote["is_final"]) == (None, "1500.00", False)


def test_quote_explains_a_promo_code_it_leaves_out(api, kettle):
    _add(api, kettle)

    quote = api.post("/api/v1/checkout/quote/", {"promo_code": "NOPE"}, format="json").json()

    assert quote["errors"] == {"promo_code": ["There is no such promo code."]}
    assert (quote["discount"], quote["total_to_pay"]) == ("0.00", "1500.00")


def test_quote_of_an_empty_cart_is_400(api, courier):
    response = api.post("/api/v1/checkout/quote/", {"delivery_method": courier.pk}, format="json")

    assert response.status_code == 400
    assert response.json()["detail"] == "Your cart is empty."


def test_quote_with_an_unknown_delivery_method_is_400(api, kettle):
    _add(api, kettle)

    response = api.post("/api/v1/checkout/quote/", {"delivery_method": 999999}, format="json")

    assert response.status_code == 400
    assert "delivery_method" in response.json()["errors"]
