import pytest

from orders.models import CartLine
from tests.factories import ProductFactory, ProductVariantFactory

pytestmark = pytest.mark.django_db


def _line_id(client, product, quantity) -> int:
    response = client.post("/api/v1/cart/items/", {"product": product.pk, "quantity": quantity}, format="json")
    return response.json()["lines"][0]["id"]


def test_adding_a_product_returns_the_cart_with_the_line(api, kettle):
    response = api.post("/api/v1/cart/items/", {"product": kettle.pk, "variant": None, "quantity": 2}, format="json")

    assert response.status_code == 201
    line = response.json()["lines"][0]
    assert (line["product"]["id"], line["quantity"], line["unit_price"], line["line_total"]) == (
        kettle.pk, 2, "1500.00", "3000.00",
    )
    assert response.json()["total"] == "3000.00"


def test_the_guest_cart_is_kept_by_the_session(api, kettle):
    api.post("/api/v1/cart/items/", {"product": kettle.pk, "quantity": 1}, format="json")

    response = api.get("/api/v1/cart/")

    assert response.json()["count"] == 1


def test_an_empty_cart_is_shown_without_creating_one(api):
    response = api.get("/api/v1/cart/")

    assert response.status_code == 200
    assert response.json() == {"id": None, "lines": [], "count": 0, "total": "0.00"}


def test_a_signed_in_customer_gets_their_account_cart(signed_in, customer, kettle):
    signed_in.post("/api/v1/cart/items/", {"product": kettle.pk, "quantity": 1}, format="json")

    assert CartLine.objects.get().cart.user == customer


@pytest.mark.parametrize("quantity", [0, -1, 10**9, "1e3", 1.5, "", True, None, "abc"])
def test_a_bad_quantity_is_refused_with_a_clear_message_and_stock_unchanged(api, kettle, quantity):
    response = api.post("/api/v1/cart/items/", {"product": kettle.pk, "quantity": quantity}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["errors"]["quantity"]
    assert body["detail"]
    assert any(word in body["detail"] for word in ("whole number", "at least 1", "left in stock", "required",
                                                   "may not be null"))
    kettle.refresh_from_db()
    assert kettle.stock == 5
    assert not CartLine.objects.exists()


def test_more_than_in_stock_says_how_many_are_left(api, kettle):
    response = api.post("/api/v1/cart/items/", {"product": kettle.pk, "quantity": 6}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"]["quantity"] == ["Only 5 of “Чайник” left in stock."]


def test_an_unknown_product_is_a_field_error(api):
    response = api.post("/api/v1/cart/items/", {"product": 999999, "quantity": 1}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"]["product"] == ["There is no such product."]


def test_a_product_with_variants_needs_one(api):
    variant = ProductVariantFactory(stock=3)

    response = api.post("/api/v1/cart/items/", {"product": variant.product.pk, "quantity": 1}, format="json")

    assert response.status_code == 400
    assert "variant" in response.json()["errors"]


def test_a_variant_can_be_added(api):
    variant = ProductVariantFactory(stock=3)

    response = api.post("/api/v1/cart/items/", {"product": variant.product.pk, "variant": variant.pk, "quantity": 3},
                        format="json")

    assert response.status_code == 201
    assert response.json()["lines"][0]["variant"]["id"] == variant.pk


def test_changing_the_quantity_of_a_line(api, kettle):
    line_id = _line_id(api, kettle, 1)

    response = api.patch(f"/api/v1/cart/items/{line_id}/", {"quantity": 4}, format="json")

    assert response.status_code == 200
    assert response.json()["lines"][0]["quantity"] == 4


@pytest.mark.parametrize("quantity", [0, "1e3", 1.5, 10**9])
def test_changing_to_a_bad_quantity_keeps_the_line(api, kettle, quantity):
    line_id = _line_id(api, kettle, 2)

    response = api.patch(f"/api/v1/cart/items/{line_id}/", {"quantity": quantity}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"]["quantity"]
    assert CartLine.objects.get().quantity == 2


def test_removing_a_line(api, kettle):
    line_id = _line_id(api, kettle, 1)

    response = api.delete(f"/api/v1/cart/items/{line_id}/")

    assert response.status_code == 200
    assert response.json()["lines"] == []


def test_another_carts_line_cannot_be_touched(api, kettle):
    other = api.__class__()
    line_id = _line_id(other, kettle, 1)
    api.post("/api/v1/cart/items/", {"product": ProductFactory().pk, "quantity": 1}, format="json")

    patched = api.patch(f"/api/v1/cart/items/{line_id}/", {"quantity": 3}, format="json")
    deleted = api.delete(f"/api/v1/cart/items/{line_id}/")

    assert (patched.status_code, deleted.status_code) == (404, 404)
    assert patched.json()["detail"]
    assert CartLine.objects.get(pk=line_id).quantity == 1
