"""Cards, facet counts, search matches and product data are shared by every shopper and kept
until the catalog changes; signed-in shoppers, whom the page cache never serves, see every
change at once too."""

from decimal import Decimal

import pytest

from catalog import cache as catalog_cache
from catalog.models import Product
from tests.factories import BrandFactory, CategoryFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def care():
    return CategoryFactory(slug="care", name="Уход")


@pytest.fixture
def shopper(client):
    client.force_login(UserFactory())
    return client


def page(client, url: str, params: dict | None = None) -> str:
    response = client.get(url, params or {})
    assert response.status_code == 200
    return response.content.decode()


def test_a_price_change_shows_on_a_signed_in_shoppers_listing_at_once(
    shopper, care, django_capture_on_commit_callbacks
):
    product = ProductFactory(category=care, price=Decimal("990"))
    page(shopper, "/catalog/care/")

    with django_capture_on_commit_callbacks(execute=True):
        product.price = Decimal("1490")
        product.save()

    assert "1,490" in page(shopper, "/catalog/care/")


def test_a_new_product_is_counted_in_the_brand_filter_at_once(shopper, care, django_capture_on_commit_callbacks):
    brand = BrandFactory(name="Натура", slug="natura")
    ProductFactory(category=care, brand=brand)
    assert '<span class="count">1</span>' in page(shopper, "/catalog/care/")

    with django_capture_on_commit_callbacks(execute=True):
        ProductFactory(category=care, brand=brand)

    assert '<span class="count">2</span>' in page(shopper, "/catalog/care/")


def test_a_new_product_is_found_by_search_at_once(shopper, care, django_capture_on_commit_callbacks):
    ProductFactory(category=care, name="Шампунь мятный")
    page(shopper, "/search/", {"q": "шампунь"})

    with django_capture_on_commit_callbacks(execute=True):
        ProductFactory(category=care, name="Шампунь лавандовый")

    assert "Шампунь лавандовый" in page(shopper, "/search/", {"q": "шампунь"})


def test_cards_are_shown_in_each_shoppers_language(shopper, care):
    ProductFactory(category=care, stock=3)
    english = page(shopper, "/catalog/care/")

    russian = shopper.get("/ru/catalog/care/").content.decode()  # the tests' shop speaks English unprefixed

    assert '<p class="stock in">In stock</p>' in english
    assert '<p class="stock in">В наличии</p>' in russian


def test_search_pages_past_the_kept_matches_are_read_from_the_database(shopper, care, monkeypatch):
    monkeypatch.setattr(catalog_cache, "KEPT_MATCHES", 12)
    for n in range(14):
        # Equal texts rank equally, so the best sellers come first.
        ProductFactory(category=care, name=f"Шампунь {n:02d}", description="", sales_count=100 - n)

    second_page = page(shopper, "/search/", {"q": "шампунь", "per_page": 12, "page": 2})

    assert "14 products found" in second_page
    assert "Шампунь 12" in second_page and "Шампунь 13" in second_page
    assert "Шампунь 11" not in second_page


def test_listing_pages_past_the_kept_matches_are_read_from_the_database(shopper, care, monkeypatch):
    monkeypatch.setattr(catalog_cache, "KEPT_MATCHES", 12)
    for n in range(14):
        ProductFactory(category=care, name=f"Крем {n:02d}", price=Decimal(100 + n))

    second_page = page(shopper, "/catalog/care/", {"sort": "price", "per_page": 12, "page": 2})

    assert "14 products" in second_page
    assert "Крем 12" in second_page and "Крем 13" in second_page
    assert "Крем 11" not in second_page


def test_each_sort_order_of_a_listing_is_kept_apart(shopper, care):
    ProductFactory(category=care, name="Дешёвый крем", price=Decimal(100))
    ProductFactory(category=care, name="Дорогой крем", price=Decimal(900))
    cheap_first = page(shopper, "/catalog/care/", {"sort": "price"})

    dear_first = page(shopper, "/catalog/care/", {"sort": "-price"})

    assert cheap_first.index("Дешёвый крем") < cheap_first.index("Дорогой крем")
    assert dear_first.index("Дорогой крем") < dear_first.index("Дешёвый крем")


def test_with_the_catalog_cache_off_every_page_reads_the_database(client, care, settings):
    settings.PAGE_CACHE_ENABLED = False
    settings.CATALOG_CACHE_SECONDS = 0
    product = ProductFactory(category=care, name="Шампунь")
    page(client, "/catalog/care/")
    Product.objects.filter(pk=product.pk).update(name="Бальзам")  # no signal: nothing tells the cache

    assert "Бальзам" in page(client, "/catalog/care/")


def test_a_new_product_shows_among_the_new_arrivals_at_once(shopper, care, django_capture_on_commit_callbacks):
    ProductFactory(category=care, name="Крем дневной")
    page(shopper, "/")

    with django_capture_on_commit_callbacks(execute=True):
        ProductFactory(category=care, name="Крем ночной")

    assert "Крем ночной" in page(shopper, "/")


def test_the_filter_panel_shows_each_shoppers_own_choices(shopper, care):
    for slug in ("natura", "severa"):
        ProductFactory(category=care, brand=BrandFactory(name=slug.title(), slug=slug))
    page(shopper, "/catalog/care/", {"brand": "natura"})

    panel = page(shopper, "/catalog/care/", {"brand": "severa"})

    assert 'name="brand" value="severa" checked' in panel
    assert 'name="brand" value="natura" >' in panel
