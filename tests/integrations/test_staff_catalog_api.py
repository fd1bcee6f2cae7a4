from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from catalog.models import Product, ProductVariant
from customers.roles import MANAGER, MARKETER, OWNER
from integrations.models import PriceChange
from tests.factories import BrandFactory, CategoryFactory, ProductFactory, ProductVariantFactory, staff_user

pytestmark = pytest.mark.django_db
PRODUCTS = "/api/v1/staff/catalog/products/"
ITEMS = "/api/v1/staff/catalog/items/"


def api_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def owner(db):
    return api_for(staff_user(OWNER))


def test_the_catalog_api_is_closed_without_a_token_and_to_roles_that_cannot_edit():
    ProductFactory(sku="KT-1")

    assert APIClient().get(PRODUCTS).status_code == 401
    assert api_for(staff_user(MARKETER)).patch(ITEMS, [{"sku": "KT-1", "stock": 1}], format="json").status_code == 403


def test_a_warehouse_system_reads_products_with_variants_by_sku(owner):
    shoes = ProductFactory(sku="SH-1", price=Decimal("3000"), category=CategoryFactory(slug="shoes"))
    ProductVariantFactory(product=shoes, sku="SH-1-42", stock=2, price_override=None)

    body = owner.get(PRODUCTS, {"sku": "SH-1"}).json()

    [product] = body["results"]
    assert (product["sku"], product["category"], product["price"]) == ("SH-1", "shoes", "3000.00")
    assert product["variants"] == [{"sku": "SH-1-42", "name": shoes.variants.get().name, "price": "3000.00",
                                    "price_override": None, "stock": 2, "is_active": True}]


def test_stock_and_prices_are_set_by_sku_and_price_changes_are_logged(owner):
    kettle = ProductFactory(sku="KT-1", price=Decimal("1000"), stock=1)
    big = ProductVariantFactory(sku="SH-1-42", stock=0)

    response = owner.patch(ITEMS, [{"sku": "KT-1", "stock": 7, "price": "1100.00"},
                                   {"sku": "SH-1-42", "stock": 3}], format="json")

    assert response.status_code == 200 and response.json() == {"updated": 2}
    kettle.refresh_from_db()
    assert (kettle.price, kettle.stock) == (Decimal("1100.00"), 7)
    assert ProductVariant.objects.get(pk=big.pk).stock == 3
    assert Product.objects.get(pk=big.product_id).is_in_stock
    change = PriceChange.objects.get()
    assert (change.sku, change.old_price, change.new_price) == ("KT-1", Decimal("1000.00"), Decimal("1100.00"))
    assert change.source.startswith("API: ")


def test_a_value_the_admin_refuses_refuses_the_whole_request_with_the_reason_per_item(owner):
    ProductFactory(sku="KT-1", price=Decimal("1000"), stock=1)
    ProductFactory(sku="KT-2", price=Decimal("1000"), stock=1)

    response = owner.patch(ITEMS, [{"sku": "KT-1", "stock": 5}, {"sku": "KT-2", "old_price": "900.00"},
                                   {"sku": "NOPE", "stock": 1}, {"sku": "KT-1", "stock": -1}], format="json")

    errors = response.json()["errors"]
    assert response.status_code == 400
    assert response.json()["detail"] == "The old price must be above the current price."
    assert errors["1"]["old_price"][0]["message"] == "The old price must be above the current price."
    assert errors["2"]["sku"][0]["code"] == "not_found"
    assert errors["3"]["sku"][0]["code"] == "duplicate"
    assert Product.objects.get(sku="KT-1").stock == 1


def test_a_product_is_created_and_changed_with_the_admins_checks(owner):
    CategoryFactory(slug="kettles")
    BrandFactory(slug="bork", name="Bork")

    created = owner.post(PRODUCTS, {"sku": "KT-9", "name": "Чайник", "slug": "kettle-9", "category": "kettles",
                                    "brand": "bork", "price": "1990.00", "stock": 4}, format="json")
    refused = owner.post(PRODUCTS, {"sku": "KT-9", "name": "Копия", "slug": "kettle-copy", "category": "kettles",
                                    "price": "10.00", "stock": 1}, format="json")
    patched = owner.patch(f"{PRODUCTS}KT-9/", {"price": "1790.00", "old_price": "1990.00"}, format="json")

    assert created.status_code == 201 and created.json()["brand"] == "bork"
    assert refused.status_code == 400 and refused.json()["errors"]["sku"][0]["code"] == "unique"
    assert patched.status_code == 200
    assert (patched.json()["price"], patched.json()["old_price"], patched.json()["name"]) == (
        "1790.00", "1990.00", "Чайник")


def test_a_manager_may_change_prices_but_not_create_products(db):
    manager = api_for(staff_user(MANAGER))
    ProductFactory(sku="KT-1")
    CategoryFactory(slug="kettles")

    assert manager.patch(ITEMS, [{"sku": "KT-1", "stock": 2}], format="json").status_code == 200
    assert manager.post(PRODUCTS, {"sku": "N", "name": "N", "slug": "n", "category": "kettles", "price": "1",
                                   "stock": 1}, format="json").status_code == 403
