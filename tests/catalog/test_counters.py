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
