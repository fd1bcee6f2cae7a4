"""Yandex Metrica and Google Analytics load only when the shop configured them, and the purchase
they count is told once per order."""

import json
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings

from orders.views import PLACED_SESSION_KEY
from tests.factories import OrderFactory, ProductFactory

ECOMMERCE = re.compile(r'<script id="ecommerce-data" type="application/json">(.*?)</script>', re.S)


def policy_under(**env: str) -> dict:
    code = "import json; from django.conf import settings as s; print(json.dumps(s.CONTENT_SECURITY_POLICY))"
    result = subprocess.run(  # noqa: S603 - our own interpreter reading our own settings
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=settings.BASE_DIR,
        env={"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1", **env},
    )
    return json.loads(result.stdout)


def test_without_counter_ids_the_policy_lets_no_counter_host_in():
    policy = policy_under()

    assert "yandex" not in json.dumps(policy) and "google" not in json.dumps(policy)


def test_a_metrica_id_lets_only_metricas_hosts_in():
    policy = policy_under(YANDEX_METRICA_ID="12345")

    assert "https://mc.yandex.ru" in policy["script-src"].split()
    assert "https://mc.yandex.ru" in policy["connect-src"].split()
    assert "google" not in json.dumps(policy)


@pytest.mark.django_db
def test_without_counter_ids_pages_load_no_counter(client):
    page = client.get(ProductFactory().get_absolute_url()).content.decode()

    assert "counters.js" not in page and "ecommerce-data" not in page


@pytest.mark.django_db
def test_a_configured_counter_gets_the_product_seen(client, settings):
    settings.YANDEX_METRICA_ID = "12345"
    product = ProductFactory(sku="SH-1", price=450)

    page = client.get(product.get_absolute_url()).content.decode()

    assert 'data-metrica="12345"' in page
    fact = json.loads(ECOMMERCE.search(page).group(1))
    assert (fact["kind"], fact["items"][0]["id"], fact["items"][0]["price"]) == ("view", "SH-1", "450.00")


@pytest.mark.django_db
def test_the_purchase_is_told_on_the_first_showing_of_the_thanks_page_only(client, settings):
    settings.GA4_MEASUREMENT_ID = "G-TEST"
    order = OrderFactory()
    session = client.session
    session[PLACED_SESSION_KEY] = [order.number]
    session.save()

    first = client.get(f"/order/{order.number}/thanks/").content.decode()
    again = client.get(f"/order/{order.number}/thanks/").content.decode()

    fact = json.loads(ECOMMERCE.search(first).group(1))
    assert (fact["kind"], fact["order"], fact["value"]) == ("purchase", order.number, f"{order.total_to_pay:.2f}")
    assert ECOMMERCE.search(again) is None


@pytest.mark.django_db
def test_a_configured_counter_gets_the_checkout_begun_with_the_carts_items(client, settings):
    settings.YANDEX_METRICA_ID = "12345"
    product = ProductFactory(sku="SH-2", price=300, stock=5)
    client.post("/cart/add/", {"product": product.pk, "quantity": 2})

    page = client.get("/checkout/").content.decode()

    fact = json.loads(ECOMMERCE.search(page).group(1))
    assert (fact["kind"], fact["value"], fact["items"][0]["quantity"]) == ("checkout", "600.00", 2)


HTMX = {"HTTP_HX_REQUEST": "true"}


def told_in_header(response) -> dict:
    return json.loads(response["HX-Trigger"])["ecommerce"]


@pytest.mark.django_db
def test_a_configured_counter_is_told_what_went_into_the_cart(client, settings):
    settings.YANDEX_METRICA_ID = "12345"
    product = ProductFactory(sku="SH-3", price=300, stock=5)

    fact = told_in_header(client.post("/cart/add/", {"product": product.pk, "quantity": 2}, **HTMX))

    assert (fact["kind"], fact["value"], fact["items"][0]["id"], fact["items"][0]["quantity"]) == (
        "add", "600.00", "SH-3", 2)


@pytest.mark.django_db
def test_a_configured_counter_is_told_a_removed_line_with_its_quantity(client, settings):
    settings.GA4_MEASUREMENT_ID = "G-TEST"
    product = ProductFactory(sku="SH-4", price=250, stock=5)
    client.post("/cart/add/", {"product": product.pk, "quantity": 3})
    line = client.get("/cart/").context["lines"][0]

    fact = told_in_header(client.post(f"/cart/lines/{line.pk}/remove/", **HTMX))

    assert (fact["kind"], fact["value"], fact["items"][0]["quantity"]) == ("remove", "750.00", 3)


@pytest.mark.django_db
def test_lowering_a_quantity_tells_the_counter_only_the_items_taken_out(client, settings):
    settings.YANDEX_METRICA_ID = "12345"
    product = ProductFactory(price=100, stock=5)
    client.post("/cart/add/", {"product": product.pk, "quantity": 4})
    line = client.get("/cart/").context["lines"][0]

    lowered = client.post(f"/cart/lines/{line.pk}/", {"quantity": 1}, **HTMX)
    unchanged = client.post(f"/cart/lines/{line.pk}/", {"quantity": 1}, **HTMX)

    assert (told_in_header(lowered)["kind"], told_in_header(lowered)["items"][0]["quantity"]) == ("remove", 3)
    assert "HX-Trigger" not in unchanged


@pytest.mark.django_db
def test_without_counter_ids_the_cart_tells_nobody(client):
    product = ProductFactory(stock=5)

    added = client.post("/cart/add/", {"product": product.pk}, **HTMX)

    assert added.status_code == 200 and "HX-Trigger" not in added
