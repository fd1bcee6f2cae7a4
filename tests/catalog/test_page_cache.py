import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.http import HttpResponse
from django.template import RequestContext, Template
from django.test import Client

from catalog import services
from catalog.cache import CSRF_PLACEHOLDER, storefront_page_cache
from catalog.models import Category, Product
from tests.factories import (
    AttributeOptionFactory,
    CategoryFactory,
    ProductAttributeValueFactory,
    ProductFactory,
    ProductImageFactory,
    ProductVariantFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"


@pytest.fixture
def product():
    return ProductFactory(name="Шампунь", slug="shampoo", price=Decimal("990"),
                          category=CategoryFactory(slug="care", name="Уход"))


def html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def rename_behind_the_cache(product, name: str) -> None:
    """A queryset update sends no signals, so nothing tells the cache."""
    Product.objects.filter(pk=product.pk).update(name=name)


# --- anonymous shoppers share cached pages ---------------------------------------------------


def test_anonymous_second_request_is_served_from_the_cache(client, product):
    client.get("/product/shampoo/")
    rename_behind_the_cache(product, "Новое имя")

    assert "Шампунь" in html(client.get("/product/shampoo/"))


def test_another_anonymous_visitor_gets_the_same_cached_page(product):
    Client().get("/catalog/care/")
    rename_behind_the_cache(product, "Новое имя")

    assert "Шампунь" in html(Client().get("/catalog/care/"))


def test_tracking_parameters_share_the_page_without_them(client, product):
    client.get("/catalog/care/")
    rename_behind_the_cache(product, "Новое имя")

    assert "Шампунь" in html(client.get("/catalog/care/", {"utm_source": "yandex", "yclid": "123"}))


def test_different_filters_are_different_pages(client, product):
    client.get("/catalog/care/")

    assert '<option value="price" selected>' in html(client.get("/catalog/care/", {"sort": "price"}))


def test_the_visit_cookie_does_not_defeat_the_cache(product):
    browser = Client(headers={"user-agent": BROWSER})
    first = browser.get("/product/shampoo/")
    assert "vt" in first.cookies
    rename_behind_the_cache(product, "Новое имя")

    assert "Шампунь" in html(browser.get("/product/shampoo/"))


def test_a_page_for_another_host_is_not_served_from_this_hosts_cache(client, product, settings):
    settings.ALLOWED_HOSTS = ["shop.example", "testserver"]
    client.get("/product/shampoo/")

    page = html(client.get("/product/shampoo/", headers={"host": "shop.example"}))

    assert 'rel="canonical" href="http://shop.example/product/shampoo/"' in page


# --- catalog changes show at once ------------------------------------------------------------


def test_a_deploys_migrate_renders_cached_pages_afresh(client, product):
    # A deploy changes templates and code, not catalog rows, and always runs migrate.
    client.get("/product/shampoo/")
    rename_behind_the_cache(product, "Новое имя")

    call_command("migrate", verbosity=0)

    assert "Новое имя" in html(client.get("/product/shampoo/"))


def test_saving_a_product_shows_the_change_at_once(client, product, django_capture_on_commit_callbacks):
    client.get("/product/shampoo/")

    with django_capture_on_commit_callbacks(execute=True):
        product.name = "Шампунь 2.0"
        product.save()

    assert "Шампунь 2.0" in html(client.get("/product/shampoo/"))


def test_price_change_shows_at_once(client, product, django_capture_on_commit_callbacks):
    client.get("/catalog/care/")

    with django_capture_on_commit_callbacks(execute=True):
        product.price = Decimal("1490")
        product.save()

    assert "1,490" in html(client.get("/catalog/care/"))


def test_variant_stock_change_shows_at_once(client, product, django_capture_on_commit_callbacks):
    variant = ProductVariantFactory(product=product, stock=0)
    client.get("/product/shampoo/")
    assert 'class="stock out"' in html(client.get("/product/shampoo/"))

    with django_capture_on_commit_callbacks(execute=True):
        variant.stock = 4
        variant.save()

    assert 'class="stock in"' in html(client.get("/product/shampoo/"))


def test_category_change_shows_at_once(client, product, django_capture_on_commit_callbacks):
    client.get("/product/shampoo/")

    with django_capture_on_commit_callbacks(execute=True):
        category = Category.objects.get(slug="care")
        category.name = "Уход за волосами"
        category.save()

    assert "Уход за волосами" in html(client.get("/product/shampoo/"))


def test_new_picture_shows_at_once(client, product, django_capture_on_commit_callbacks):
    client.get("/catalog/care/")

    with django_capture_on_commit_callbacks(execute=True):
        image = ProductImageFactory(product=product)

    assert image.small_url in html(client.get("/catalog/care/"))


def test_hiding_products_in_bulk_removes_them_from_the_listing_at_once(
    client, product, django_capture_on_commit_callbacks
):
    client.get("/catalog/care/")

    with django_capture_on_commit_callbacks(execute=True):
        services.products_set_active(products=Product.objects.filter(pk=product.pk), is_active=False)

    assert "Шампунь" not in html(client.get("/catalog/care/"))


def test_linking_a_related_product_shows_at_once(client, product, django_capture_on_commit_callbacks):
    other = ProductFactory(name="Бальзам", category=product.category)
    client.get("/product/shampoo/")

    with django_capture_on_commit_callbacks(execute=True):
        product.related_products.add(other)

    assert "Бальзам" in html(client.get("/product/shampoo/"))


def test_a_change_rolled_back_keeps_the_cached_page(client, product, django_capture_on_commit_callbacks):
    client.get("/product/shampoo/")
    rename_behind_the_cache(product, "Новое имя")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        product.save()
    # The transaction never committed: nothing ran, the old page is still served.
    assert callbacks
    assert "Шампунь" in html(client.get("/product/shampoo/"))


# --- personal requests bypass the cache ------------------------------------------------------


def test_signed_in_shopper_gets_a_page_of_their_own(client, product):
    Client().get("/product/shampoo/")
    client.force_login(UserFactory())

    assert "My account" in html(client.get("/product/shampoo/"))


def test_shopper_with_a_cart_sees_it_on_a_page_guests_share(client, product):
    Client().get("/product/shampoo/")
    client.post("/cart/add/", {"product": product.pk, "quantity": "1"})

    assert '<span class="mini-cart-count">1</span>' in html(client.get("/product/shampoo/"))


def test_page_cache_can_be_switched_off(client, product, settings):
    settings.PAGE_CACHE_ENABLED = False
    client.get("/product/shampoo/")
    settings.STORE_NAME = "Новая витрина"

    assert "Новая витрина" in html(client.get("/product/shampoo/"))


# --- CSRF and errors -------------------------------------------------------------------------


def _csrf_token(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


@storefront_page_cache(scopes=lambda: ())
def page_with_a_token(request):
    return HttpResponse(Template("<form>{% csrf_token %}</form>").render(RequestContext(request)))


def test_a_cached_page_with_a_csrf_token_gives_each_visitor_a_token_of_their_own(rf):
    # The storefront's forms need no token (core/csrf.py); a page that does carry one is cached
    # with a placeholder, never with the first visitor's token.
    def visit():
        request = rf.get("/page-with-a-form/")
        request.user = AnonymousUser()
        return _csrf_token(html(page_with_a_token(request)))

    first, second = visit(), visit()

    assert CSRF_PLACEHOLDER not in first + second
    assert len(first) == len(second) == 64
    assert first != second


def test_a_cached_listing_is_served_as_stored_without_a_csrf_token_or_cookie(product):
    Client().get("/catalog/care/")

    response = Client(enforce_csrf_checks=True).get("/catalog/care/")

    assert "csrfmiddlewaretoken" not in html(response)
    assert "csrftoken" not in response.cookies


def test_each_language_has_its_own_cached_page(client, product):
    client.get("/catalog/care/")

    assert 'lang="ru"' in html(client.get("/ru/catalog/care/"))  # the tests' shop speaks English unprefixed


def test_missing_page_is_not_cached(client):
    assert client.get("/catalog/new-arrivals/").status_code == 404
    Category.objects.bulk_create([Category(name="Новинки", slug="new-arrivals")])  # no signals

    assert client.get("/catalog/new-arrivals/").status_code == 200


def test_adding_a_filter_to_a_category_shows_at_once(client, product, django_capture_on_commit_callbacks):
    option = AttributeOptionFactory(value="Красный", attribute__name="Цвет")
    ProductAttributeValueFactory(product=product, attribute=option.attribute, option=option)
    client.get("/catalog/care/")

    with django_capture_on_commit_callbacks(execute=True):
        product.category.filter_attributes.add(option.attribute)

    assert "Красный" in html(client.get("/catalog/care/"))


def test_campaign_tags_of_one_visitor_never_reach_the_links_of_a_cached_page(client):
    category = CategoryFactory(slug="tagged")
    ProductFactory.create_batch(3, category=category)

    client.get("/catalog/tagged/?per_page=12&utm_source=vk&utm_campaign=sale&gclid=abc")
    page = Client().get("/catalog/tagged/?per_page=12").content.decode()

    assert "per_page=12" in page  # the filters are kept...
    assert "utm_source" not in page  # ...the campaign is not
    assert "gclid" not in page
