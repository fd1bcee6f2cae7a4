"""The storefront makes a fixed number of queries per page, however many products it shows."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from catalog.models import Attribute, ProductImage
from tests.factories import (
    AttributeFactory,
    AttributeOptionFactory,
    BrandFactory,
    CategoryAttributeFactory,
    CategoryFactory,
    ProductAttributeValueFactory,
    ProductFactory,
    ProductVariantFactory,
)

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
# Measured with an empty cache: 13 for a listing (8 of them the page itself, the rest the visit
# being recorded), 16 with every filter set, 12 for a product page, 8 for the home page.
LISTING_MAX_QUERIES = 16
PRODUCT_PAGE_MAX_QUERIES = 15
HOME_PAGE_MAX_QUERIES = 10


@pytest.fixture(autouse=True)
def _render_every_time(settings):
    settings.PAGE_CACHE_ENABLED = False


def add_pictures(product, count: int) -> None:
    # Rows only: thumbnails are not what these tests count, and making them is slow.
    ProductImage.objects.bulk_create(
        ProductImage(product=product, image=f"products/{product.slug}-{n}.png", position=n) for n in range(count)
    )


@pytest.fixture
def care():
    """A two-level category with every kind of filter and 60 products with pictures,
    properties and, for some, variants."""
    root = CategoryFactory(slug="care")
    leaf = CategoryFactory(slug="hair", parent=root)
    colour = AttributeFactory(slug="colour", kind=Attribute.Kind.CHOICE)
    options = [AttributeOptionFactory(attribute=colour, slug=slug) for slug in ("red", "blue", "green")]
    volume = AttributeFactory(slug="volume", kind=Attribute.Kind.NUMBER, unit="мл")
    organic = AttributeFactory(slug="organic", kind=Attribute.Kind.BOOLEAN)
    for attribute in (colour, volume, organic):
        CategoryAttributeFactory(category=root, attribute=attribute)
    brands = [BrandFactory(slug=f"brand-{n}") for n in range(4)]
    for n in range(60):
        product = ProductFactory(category=leaf if n % 2 else root, brand=brands[n % 4], price=Decimal(100 + n),
                                 old_price=Decimal(500 + n) if n % 3 == 0 else None)
        add_pictures(product, 2)
        ProductAttributeValueFactory(product=product, attribute=colour, option=options[n % 3])
        ProductAttributeValueFactory(product=product, attribute=volume, number=Decimal(50 * (n % 5 + 1)))
        ProductAttributeValueFactory(product=product, attribute=organic, boolean=n % 2 == 0)
        if n % 4 == 0:
            ProductVariantFactory.create_batch(2, product=product)
    return root


def queries_for(url: str, params: dict | None = None) -> int:
    """A new shopper's first request: the visit is recorded too, as in real life. The cache
    starts empty, so every card and count is read from the database."""
    cache.clear()
    browser = Client(headers={"user-agent": BROWSER})
    with CaptureQueriesContext(connection) as captured:
        response = browser.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


@pytest.mark.usefixtures("care")
def test_category_listing_makes_a_bounded_number_of_queries(django_assert_max_num_queries):
    browser = Client(headers={"user-agent": BROWSER})

    with django_assert_max_num_queries(LISTING_MAX_QUERIES):
        assert browser.get("/catalog/care/", {"per_page": 48}).status_code == 200


@pytest.mark.usefixtures("care")
def test_category_listing_makes_as_many_queries_for_48_products_as_for_12():
    assert queries_for("/catalog/care/", {"per_page": 12}) == queries_for("/catalog/care/", {"per_page": 48})


@pytest.mark.usefixtures("care")
def test_filtered_listing_makes_as_many_queries_for_48_products_as_for_12(django_assert_max_num_queries):
    filters = {"brand": ["brand-0", "brand-1"], "a_colour": "red", "a_volume_min": "100", "a_organic": "true",
               "in_stock": "true", "price_min": "50", "sort": "-price"}

    with django_assert_max_num_queries(LISTING_MAX_QUERIES + 4):
        twelve = queries_for("/catalog/care/", {**filters, "per_page": 12})

    assert twelve == queries_for("/catalog/care/", {**filters, "per_page": 48})


@pytest.mark.usefixtures("care")
def test_search_results_make_as_many_queries_for_48_products_as_for_12():
    assert queries_for("/search/", {"q": "товар", "per_page": 12}) == queries_for(
        "/search/", {"q": "товар", "per_page": 48})


@pytest.mark.usefixtures("care")
def test_a_listing_read_again_takes_its_products_cards_and_counts_from_the_cache():
    queries_for("/catalog/care/", {"brand": "brand-0"})
    browser = Client(headers={"user-agent": BROWSER})

    with CaptureQueriesContext(connection) as captured:
        browser.get("/catalog/care/", {"brand": "brand-0"})

    product_reads = [q["sql"] for q in captured if 'FROM "catalog_product"' in q["sql"]]
    assert product_reads == []


@pytest.mark.usefixtures("care")
def test_home_page_makes_a_bounded_number_of_queries(django_assert_max_num_queries):
    with django_assert_max_num_queries(HOME_PAGE_MAX_QUERIES):
        queries_for("/")


def _product_with(*, related: int, images: int, variants: int, properties: int):
    product = ProductFactory(category=CategoryFactory(parent=CategoryFactory()))
    add_pictures(product, images)
    ProductVariantFactory.create_batch(variants, product=product)
    for _ in range(properties):
        option = AttributeOptionFactory()
        ProductAttributeValueFactory(product=product, attribute=option.attribute, option=option)
    for other in ProductFactory.create_batch(related):
        add_pictures(other, 1)
        product.related_products.add(other)
    return product


def test_product_page_makes_a_bounded_number_of_queries(django_assert_max_num_queries):
    product = _product_with(related=8, images=4, variants=5, properties=6)

    with django_assert_max_num_queries(PRODUCT_PAGE_MAX_QUERIES):
        queries_for(product.get_absolute_url())


def test_product_page_makes_as_many_queries_for_a_rich_product_as_for_a_plain_one():
    plain = _product_with(related=1, images=1, variants=1, properties=1)
    rich = _product_with(related=8, images=4, variants=5, properties=6)

    assert queries_for(plain.get_absolute_url()) == queries_for(rich.get_absolute_url())
