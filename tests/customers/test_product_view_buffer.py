"""Product views buffered in Redis on a running visit and written to the database by the flush."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config.celery import app as celery_app
from customers import services, view_buffer
from customers.models import ProductView, Visit
from customers.services import product_views_flush, product_views_record, product_views_write
from customers.tasks import product_views_flush_task
from tests.customers.test_visits import CHROME, visit_cookie, writes
from tests.factories import ProductFactory, UserFactory, VisitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def buffered(settings):
    """Buffering on, with a key prefix of its own: no other run's views share the list."""
    settings.PRODUCT_VIEWS_BUFFERED = True
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": "test-product-views"}}


@pytest.fixture
def browser():
    return Client(headers={"user-agent": CHROME})


def buffer_views(*pairs, user=None) -> None:
    """Queue one view per (visit, product), as product pages on running visits do."""
    for visit, product in pairs:
        product_views_record(visit_id=visit.pk, user=user, product_ids=[product.pk])


def written() -> list[tuple[int, int]]:
    return sorted(ProductView.objects.values_list("visit_id", "product_id"))


@pytest.mark.redis
def test_a_cached_product_page_on_a_running_visit_reaches_the_database_only_after_the_flush(buffered, browser):
    product = ProductFactory()
    Client(headers={"user-agent": CHROME}).get(f"/product/{product.slug}/")  # renders and caches the page
    browser.get("/")
    visit = Visit.objects.get(pk=visit_cookie(browser)[1])

    with CaptureQueriesContext(connection) as queries:
        response = browser.get(f"/product/{product.slug}/")

    assert response.status_code == 200
    assert writes(queries) == []
    assert not ProductView.objects.filter(visit=visit).exists()

    product_views_flush()

    view = ProductView.objects.get(visit=visit)
    assert (view.product, view.user) == (product, None)


@pytest.mark.redis
def test_a_product_page_rendered_for_the_cache_and_then_served_from_it_counts_each_view_once(buffered, browser):
    product = ProductFactory()
    browser.get("/")
    visit = Visit.objects.get(pk=visit_cookie(browser)[1])

    browser.get(f"/product/{product.slug}/")  # rendered, the view queued before the page was read
    browser.get(f"/product/{product.slug}/")  # served from the cache
    product_views_flush()

    assert written() == [(visit.pk, product.pk), (visit.pk, product.pk)]


@pytest.mark.redis
def test_with_the_page_cache_off_a_product_view_is_buffered_all_the_same(buffered, browser, settings):
    settings.PAGE_CACHE_ENABLED = False
    product = ProductFactory()
    browser.get("/")
    browser.get(f"/product/{product.slug}/")

    product_views_flush()

    assert written() == [(int(visit_cookie(browser)[1]), product.pk)]


@pytest.mark.redis
def test_a_product_page_that_is_not_found_records_no_view(buffered, browser):
    hidden = ProductFactory(is_active=False)
    browser.get("/")

    assert browser.get(f"/product/{hidden.slug}/").status_code == 410
    assert browser.get("/product/no-such-product/").status_code == 404
    product_views_flush()

    assert written() == []
    assert view_buffer.pending() == 0


@pytest.mark.redis
def test_a_flush_writes_every_buffered_view_once_and_leaves_the_buffer_empty(buffered):
    visits, products = VisitFactory.create_batch(2), ProductFactory.create_batch(3)
    pairs = [(visit, product) for visit in visits for product in products]
    buffer_views(*pairs)

    count = product_views_flush(batch_size=4)

    assert count == 6
    assert written() == sorted((visit.pk, product.pk) for visit, product in pairs)
    assert view_buffer.pending() == 0
    assert product_views_flush() == 0


@pytest.mark.redis
def test_views_that_arrive_while_a_flush_writes_wait_for_the_next_flush(buffered, monkeypatch):
    visit, product = VisitFactory(), ProductFactory()
    buffer_views((visit, product))
    write = services.product_views_write

    def write_while_shoppers_browse(*, views):
        buffer_views((visit, product))  # another page viewed meanwhile
        return write(views=views)

    monkeypatch.setattr(services, "product_views_write", write_while_shoppers_browse)

    assert product_views_flush(batch_size=1) == 1
    assert view_buffer.pending() == 1


@pytest.mark.redis
def test_views_of_a_deleted_product_or_a_purged_visit_are_dropped_and_the_rest_written(buffered):
    kept_visit, purged_visit = VisitFactory.create_batch(2)
    kept_product, deleted_product = ProductFactory.create_batch(2)
    buffer_views((kept_visit, kept_product), (kept_visit, deleted_product), (purged_visit, kept_product))
    purged_visit.delete()
    deleted_product.delete()

    count = product_views_flush()

    assert count == 1
    assert written() == [(kept_visit.pk, kept_product.pk)]
    assert view_buffer.pending() == 0


@pytest.mark.redis
def test_a_batch_left_by_a_worker_that_died_mid_flush_is_written_by_the_next_flush(buffered):
    visit, products = VisitFactory(), ProductFactory.create_batch(3)
    buffer_views(*[(visit, product) for product in products])
    with view_buffer.flush_lock() as lock:
        lock.batch_take(size=2)  # the worker dies here: no INSERT, the batch stays in "processing"

    count = product_views_flush()

    assert count == 3
    assert written() == sorted((visit.pk, product.pk) for product in products)
    assert view_buffer.pending() == 0


@pytest.mark.redis
def test_a_flush_while_another_runs_writes_nothing_and_leaves_the_views_for_it(buffered):
    visit, product = VisitFactory(), ProductFactory()
    buffer_views((visit, product))

    with view_buffer.flush_lock():
        assert product_views_flush() == 0

    assert not ProductView.objects.exists()
    assert product_views_flush() == 1


@pytest.mark.redis
def test_a_buffered_view_keeps_who_viewed_and_when_not_when_it_was_flushed(buffered, browser):
    customer, product = UserFactory(), ProductFactory()
    browser.force_login(customer)
    browser.get("/")
    before_the_page = timezone.now()
    browser.get(f"/product/{product.slug}/")
    after_the_page = timezone.now()

    product_views_flush()

    view = ProductView.objects.get()
    assert view.user == customer
    assert before_the_page <= view.viewed_at <= after_the_page


@pytest.mark.redis
def test_a_buffered_view_of_a_customer_deleted_meanwhile_is_kept_without_the_customer(buffered):
    customer, visit, product = UserFactory(), VisitFactory(), ProductFactory()
    buffer_views((visit, product), user=customer)
    customer.delete()

    product_views_flush()

    view = ProductView.objects.get()
    assert (view.visit, view.product, view.user) == (visit, product, None)


@pytest.mark.redis
def test_a_product_page_that_starts_a_visit_buffers_its_view_like_any_other(buffered, browser):
    product = ProductFactory()

    browser.get(f"/product/{product.slug}/")
    assert not ProductView.objects.exists()
    product_views_flush()

    assert ProductView.objects.get().visit == Visit.objects.get()


@pytest.mark.redis
def test_the_flush_task_writes_the_buffered_views(buffered):
    visit, product = VisitFactory(), ProductFactory()
    buffer_views((visit, product))

    assert product_views_flush_task() == 1
    assert written() == [(visit.pk, product.pk)]


def test_with_buffering_off_a_product_view_is_written_during_the_request(settings, browser):
    settings.PRODUCT_VIEWS_BUFFERED = False
    product = ProductFactory()
    browser.get("/")

    with CaptureQueriesContext(connection) as queries:
        browser.get(f"/product/{product.slug}/")

    assert len(writes(queries)) == 1
    assert ProductView.objects.get().product == product


def test_without_redis_the_flush_has_nothing_to_do(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    assert product_views_flush() == 0


@pytest.mark.redis
def test_buffered_views_are_flushed_every_five_seconds():
    entries = [entry for entry in celery_app.conf.beat_schedule.values()
               if entry["task"] == product_views_flush_task.name]

    assert [(entry["schedule"], entry["options"]["expires"]) for entry in entries] == [(5.0, 4)]


def test_a_flushed_batch_keeps_each_views_visit_customer_product_and_time():
    # Runs without Redis too: the batch writer is a COPY on PostgreSQL and bulk INSERTs elsewhere.
    visit, customer, product = VisitFactory(), UserFactory(), ProductFactory()
    seen_at = timezone.now() - timedelta(minutes=3)

    written_rows = product_views_write(views=[view_buffer.BufferedView(visit.pk, customer.pk, product.pk, seen_at)])

    view = ProductView.objects.get()
    assert written_rows == 1
    assert (view.visit, view.user, view.product, view.viewed_at) == (visit, customer, product, seen_at)
