"""Input no view can handle is refused with a clear 4xx by one rule in front of every view: a NUL
character anywhere in the address or a form, a body over the size limit, JSON nested beyond
parsing, a quantity of thousands of digits. Never a 500, never a half-written row."""

import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from customers.roles import MANAGER
from orders.models import CartLine
from tests.factories import ProductFactory, UserFactory, staff_user

pytestmark = pytest.mark.django_db

API_PATHS_WITH_NUL = [
    "/api/v1/orders/VT%00/",
    "/api/v1/staff/orders/VT%00/",
    "/api/v1/products/%00/",
    "/api/v1/products/?category=%00",
    "/api/v1/pickup-points/?city=%00",
    "/api/v1/products/?%00=1",
]


@pytest.fixture
def manager_api(db):
    api = APIClient()
    api.force_authenticate(staff_user(MANAGER))
    return api


@pytest.mark.parametrize("path", API_PATHS_WITH_NUL)
def test_a_nul_byte_in_an_api_address_is_a_clear_400_in_the_apis_shape(manager_api, path):
    response = manager_api.get(path)

    assert response.status_code == 400
    assert response.json()["code"] == "nul_character"
    assert response.json()["detail"]


@pytest.mark.parametrize("path", ["/order/%00/thanks/", "/catalog/?brand=%00", "/search/?q=%00"])
def test_a_nul_byte_in_a_page_address_is_a_400_page(path):
    response = Client().get(path)

    assert response.status_code == 400
    assert "Request refused" in response.content.decode()


def test_a_nul_byte_in_a_form_is_refused_before_the_view_reads_it():
    product = ProductFactory(stock=5)

    response = Client().post("/cart/add/", {"product": product.pk, "quantity": "1\x00"})

    assert response.status_code == 400
    assert not CartLine.objects.exists()


def test_a_quantity_of_thousands_of_digits_on_the_product_page_is_a_clear_message():
    product = ProductFactory(stock=5)

    response = Client().post("/cart/add/", {"product": product.pk, "quantity": "9" * 5000}, follow=True)

    assert response.status_code == 200
    assert "Only 5 of" in response.content.decode()
    assert not CartLine.objects.exists()


@pytest.mark.parametrize("quantity", ["9" * 5000, "-" + "9" * 5000])
def test_a_quantity_of_thousands_of_digits_in_the_api_is_a_400(quantity):
    product = ProductFactory(stock=5)

    response = APIClient().post("/api/v1/cart/items/", {"product": product.pk, "quantity": quantity}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"]["quantity"]


def test_a_json_number_of_thousands_of_digits_is_a_400():
    product = ProductFactory(stock=5)
    body = f'{{"product": {product.pk}, "quantity": {"9" * 5000}}}'

    response = APIClient().post("/api/v1/cart/items/", body, content_type="application/json")

    assert response.status_code == 400


def test_a_three_megabyte_json_body_is_413():
    body = json.dumps({"name": "x" * (3 * 1024 * 1024)})

    response = APIClient().post("/api/v1/checkout/", body, content_type="application/json")

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_a_three_megabyte_form_on_a_page_is_413():
    response = Client().post("/account/sign-in/", {"email": "x" * (3 * 1024 * 1024)})

    assert response.status_code == 413


def test_json_nested_fifty_thousand_deep_is_a_clear_400():
    body = "[" * 50_000 + "]" * 50_000

    response = APIClient().post("/api/v1/cart/items/", body, content_type="application/json")

    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


def test_a_signed_in_customers_deep_json_is_a_400_too():
    api = APIClient()
    api.force_authenticate(UserFactory())
    body = '{"a":' * 50_000 + "1" + "}" * 50_000

    assert api.post("/api/v1/checkout/", body, content_type="application/json").status_code == 400
