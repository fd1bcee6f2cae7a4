import pytest
from django.core.cache import cache

from catalog.models import Product
from integrations import tasks
from integrations.feeds.services import REBUILD_PENDING_KEY, feed_build
from orders.services.stock import StockItem, stock_reserve
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheduled(monkeypatch):
    """The feed builds handed to the broker, with their delay."""
    calls = []
    monkeypatch.setattr(tasks.feeds_build_task, "apply_async", lambda **kwargs: calls.append(kwargs))
    return calls


def test_the_feed_is_served_from_the_last_build(client):
    product = ProductFactory(name="Чайник")
    feed_build(name="yandex")

    response = client.get("/feeds/yandex.yml")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert response.has_header("Last-Modified")
    assert f'<offer id="{product.pk}"'.encode() in b"".join(response.streaming_content)


def test_a_feed_never_built_is_not_built_in_the_request(client, settings, scheduled):
    ProductFactory()

    response = client.get("/feeds/google.xml")

    assert response.status_code == 503
    assert not (settings.FEEDS_DIR / "google.xml").exists()
    assert len(scheduled) == 1


def test_with_a_token_set_the_feed_needs_it(client, settings):
    settings.FEEDS_TOKEN = "s3cret"
    ProductFactory()
    feed_build(name="google")

    assert client.get("/feeds/google.xml").status_code == 404
    assert client.get("/feeds/google.xml?token=wrong").status_code == 404
    assert client.get("/feeds/google.xml?token=s3cret").status_code == 200


def test_catalog_changes_schedule_one_rebuild_after_the_debounce(settings, scheduled,
                                                                  django_capture_on_commit_callbacks):
    settings.FEEDS_DEBOUNCE_SECONDS = 120
    with django_capture_on_commit_callbacks(execute=True):
        product = ProductFactory()
    with django_capture_on_commit_callbacks(execute=True):
        product.name = "Новое имя"
        product.save()

    assert scheduled == [{"countdown": 120}]


def test_a_build_lets_the_next_change_schedule_another(scheduled, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        product = ProductFactory()
    tasks.feeds_build_task.run()
    with django_capture_on_commit_callbacks(execute=True):
        product.save()

    assert len(scheduled) == 2
    assert cache.get(REBUILD_PENDING_KEY) == 1


def test_stock_sold_by_an_order_schedules_a_rebuild(scheduled, django_capture_on_commit_callbacks):
    product = ProductFactory(stock=1)
    cache.clear()

    with django_capture_on_commit_callbacks(execute=True):
        stock_reserve(items=[StockItem(product_id=product.pk, variant_id=None, quantity=1, name=product.name)])

    assert len(scheduled) == 1
    assert not Product.objects.get(pk=product.pk).is_in_stock

