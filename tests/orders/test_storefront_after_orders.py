"""Orders change stock and sales counts, which no page shows: the storefront's cached pages stay
until a product goes in or out of stock, and then only the pages that show it are rendered anew."""

import pytest
from django.test import Client

from catalog.models import Product
from catalog.services import products_refresh_availability, storefront_popularity_refresh
from orders.services import cart_add
from tests.factories import CartFactory, CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def care():
    return CategoryFactory(slug="care", name="Уход")


def rename_behind_the_cache(*products) -> None:
    """A queryset update sends no signals: a page still showing the old name is a kept page."""
    for product in products:
        Product.objects.filter(pk=product.pk).update(name=f"{product.name} (new)")


def shown(path: str) -> str:
    response = Client().get(path)
    assert response.status_code == 200
    return response.content.decode()


def order(place, *items) -> None:
    cart = CartFactory()
    for product, quantity in items:
        cart_add(cart=cart, product=product, variant=None, quantity=quantity)
    place(cart)


def test_an_order_that_leaves_the_product_in_stock_keeps_every_cached_page(
    place, care, django_capture_on_commit_callbacks
):
    shampoo = ProductFactory(name="Шампунь", slug="shampoo", category=care, stock=5)
    for path in ("/", "/catalog/care/", "/product/shampoo/", "/search/?q=шампунь"):
        shown(path)
    rename_behind_the_cache(shampoo)

    with django_capture_on_commit_callbacks(execute=True):
        order(place, (shampoo, 1))

    for path in ("/", "/catalog/care/", "/product/shampoo/", "/search/?q=шампунь"):
        assert "Шампунь (new)" not in shown(path), path


def test_selling_the_last_item_shows_out_of_stock_on_its_page_and_listing_at_once(
    place, care, django_capture_on_commit_callbacks
):
    shampoo = ProductFactory(name="Шампунь", slug="shampoo", category=care, stock=1)
    shown("/product/shampoo/"), shown("/catalog/care/")

    with django_capture_on_commit_callbacks(execute=True):
        order(place, (shampoo, 1))

    assert "Out of stock" in shown("/product/shampoo/")
    assert "Out of stock" in shown("/catalog/care/")
    assert "Шампунь" not in shown("/catalog/care/?in_stock=true")


def test_selling_the_last_item_keeps_the_pages_of_other_products_and_categories(
    place, care, django_capture_on_commit_callbacks
):
    shampoo = ProductFactory(slug="shampoo", category=care, stock=1)
    kettle = ProductFactory(name="Чайник", slug="kettle", category=CategoryFactory(slug="kitchen"), stock=3)
    shown("/product/kettle/"), shown("/catalog/kitchen/")
    rename_behind_the_cache(kettle)

    with django_capture_on_commit_callbacks(execute=True):
        order(place, (shampoo, 1))

    assert "Чайник (new)" not in shown("/product/kettle/")
    assert "Чайник (new)" not in shown("/catalog/kitchen/")


def test_selling_the_last_item_shows_on_the_pages_that_list_it_as_related(
    place, care, django_capture_on_commit_callbacks
):
    shampoo = ProductFactory(name="Шампунь", slug="shampoo", category=care, stock=1)
    balm = ProductFactory(slug="balm", category=care, stock=4)
    balm.related_products.add(shampoo)
    assert "Out of stock" not in shown("/product/balm/")

    with django_capture_on_commit_callbacks(execute=True):
        order(place, (shampoo, 1))

    assert "Out of stock" in shown("/product/balm/")


def test_a_returned_item_back_in_stock_shows_in_the_parent_categorys_listing(
    place, care, django_capture_on_commit_callbacks
):
    shampoo = ProductFactory(name="Шампунь", slug="shampoo", category=CategoryFactory(slug="hair", parent=care),
                             stock=0)
    assert "Шампунь" not in shown("/catalog/care/?in_stock=true")

    with django_capture_on_commit_callbacks(execute=True):
        Product.objects.filter(pk=shampoo.pk).update(stock=2)
        products_refresh_availability(product_ids=[shampoo.pk])

    assert "Шампунь" in shown("/catalog/care/?in_stock=true")


def test_popular_first_follows_the_sales_once_popularity_is_refreshed(place, care, django_capture_on_commit_callbacks):
    ProductFactory(name="Бальзам", category=care, stock=50, sales_count=5)
    shampoo = ProductFactory(name="Шампунь", category=care, stock=50, sales_count=0)
    assert shown("/catalog/care/").index("Бальзам") < shown("/catalog/care/").index("Шампунь")
    with django_capture_on_commit_callbacks(execute=True):
        order(place, (shampoo, 10))
    assert shown("/catalog/care/").index("Бальзам") < shown("/catalog/care/").index("Шампунь")

    storefront_popularity_refresh()

    assert shown("/catalog/care/").index("Шампунь") < shown("/catalog/care/").index("Бальзам")
