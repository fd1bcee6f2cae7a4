"""Redis speeds the shop up and never stops it: a cache that cannot be reached is a miss that
is logged, not an error."""

import logging
import socket

import pytest
from django.test import Client

from catalog import services as catalog_services
from catalog.models import Product
from customers.models import ProductView, Visit
from tests.customers.test_visits import CHROME
from tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    """A port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {"default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
    }}
    settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    settings.DJANGO_REDIS_LOGGER = "vitrina.cache"


@pytest.fixture
def product():
    return ProductFactory(name="Шампунь", slug="shampoo", category=CategoryFactory(slug="care"))


@pytest.mark.parametrize("path", ["/", "/catalog/care/", "/product/shampoo/", "/search/?q=шампунь"])
def test_with_the_cache_unreachable_storefront_pages_are_served_and_the_outage_logged(
    redis_down, product, path, caplog
):
    with caplog.at_level(logging.ERROR, logger="vitrina.cache"):
        response = Client().get(path)

    assert response.status_code == 200
    assert "Шампунь" in response.content.decode()
    assert any(record.name == "vitrina.cache" for record in caplog.records)


def test_with_the_cache_unreachable_a_catalog_change_commits_and_shows(
    redis_down, product, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.products_set_active(products=Product.objects.filter(pk=product.pk), is_active=False)

    assert Client().get("/product/shampoo/").status_code == 410  # switched off: gone, never served stale


def test_with_the_cache_unreachable_a_buffered_product_view_is_written_at_once(redis_down, product, settings):
    settings.PRODUCT_VIEWS_BUFFERED = True
    browser = Client(headers={"user-agent": CHROME})
    browser.get("/")

    assert browser.get("/product/shampoo/").status_code == 200

    view = ProductView.objects.get()
    assert (view.product, view.visit) == (product, Visit.objects.get())
