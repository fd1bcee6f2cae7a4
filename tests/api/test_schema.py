import re

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_openapi_schema_is_valid(tmp_path):
    schema = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(schema))

    assert "/api/v1/checkout/" in schema.read_text()


def test_the_schema_is_served(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    assert "/api/v1/products/" in response.json()["paths"]


def test_the_docs_page_loads_nothing_from_other_sites(api):
    response = api.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    external = re.findall(r"""(?:src|href)=["'](https?:)?//""", html)
    assert external == []
    assert not re.search(r"""(?:src|href)=["'][^"']*cdn""", html, re.IGNORECASE)


def test_every_operation_documents_the_errors_any_api_view_can_give(api):
    paths = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]

    for path, operations in paths.items():
        for method, operation in operations.items():
            pages = any(parameter["name"] == "page" for parameter in operation.get("parameters", []))
            expected = {"400", "401", "403", "429"} | ({"404"} if "{" in path or pages else set())
            expected |= {"413"} if "requestBody" in operation else set()
            assert expected <= operation["responses"].keys(), (method, path)


def test_adding_to_the_cart_documents_the_cart_it_answers_with(api):
    paths = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]

    created = paths["/api/v1/cart/items/"]["post"]["responses"]["201"]

    assert created["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Cart"}


def test_a_page_past_the_last_is_the_404_the_schema_documents(api):
    paths = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]

    response = api.get("/api/v1/products/?page=99")

    assert response.status_code == 404
    assert "404" in paths["/api/v1/products/"]["get"]["responses"]
    assert response.json()["detail"]


def test_an_api_address_that_does_not_exist_answers_in_the_api_error_shape(api):
    response = api.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_the_staff_schemas_allow_an_order_without_a_pickup_point_and_a_product_without_a_brand(api):
    schemas = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["components"]["schemas"]

    assert schemas["StaffOrder"]["properties"]["pickup_point"].get("nullable") is True
    assert schemas["StaffProduct"]["properties"]["brand"].get("nullable") is True
