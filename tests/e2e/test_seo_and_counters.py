"""What a search engine, a messenger's link preview and a web counter read from a product page,
read by a real browser."""

import json

import pytest

from tests.factories import ProductImageFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def product_page(browser, live_server):
    contexts = []

    def _open(path: str, *, width: int = 1366):
        context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.goto(path)
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.mark.parametrize("width", [390, 1366])
def test_a_product_page_tells_search_engines_and_link_previews_what_it_sells(product_page, width):
    product = ProductImageFactory(product__name="Шампунь «Роза»", product__price="450.00", product__stock=2).product

    page = product_page(product.get_absolute_url(), width=width)

    blocks = [json.loads(text) for text in page.locator('script[type="application/ld+json"]').all_text_contents()]
    data = next(block for block in blocks if block["@type"] == "Product")
    assert (data["name"], data["offers"]["price"], data["offers"]["availability"]) == (
        "Шампунь «Роза»", "450.00", "https://schema.org/InStock")
    assert page.locator('meta[property="og:title"]').get_attribute("content") == "Шампунь «Роза»"
    shop = page.url.split("/product")[0]
    assert page.locator('meta[property="og:image"]').get_attribute("content").startswith(f"{shop}/media/")
    page.screenshot(path=f"var/screenshots/product-seo-{width}.png", full_page=False)


def test_counters_load_nothing_unless_configured(product_page):
    product = ProductImageFactory().product

    page = product_page(product.get_absolute_url())

    assert page.evaluate("typeof window.dataLayer") == "undefined"
    assert page.locator('script[src*="counters.js"]').count() == 0


def test_a_configured_metrica_counter_gets_the_product_seen_in_its_data_layer(product_page, settings):
    settings.YANDEX_METRICA_ID = "12345"
    product = ProductImageFactory(product__sku="SH-1").product

    page = product_page(product.get_absolute_url())
    page.wait_for_function("window.dataLayer && window.dataLayer.length > 0")

    facts = page.evaluate("window.dataLayer.filter(entry => entry.ecommerce)")
    assert facts[0]["ecommerce"]["detail"]["products"][0]["id"] == "SH-1"
    assert facts[0]["ecommerce"]["currencyCode"] == "RUB"


def test_a_configured_counter_hears_what_the_shopper_puts_into_and_takes_out_of_the_cart(product_page, settings):
    settings.YANDEX_METRICA_ID = "12345"
    product = ProductImageFactory(product__sku="SH-9", product__stock=5).product
    page = product_page(product.get_absolute_url())

    page.locator(".buy-form button[type=submit]").first.click()
    added = told(page, "add")
    page.goto("/cart/")
    page.locator(".cart-remove button").click()
    removed = told(page, "remove")

    assert (added["products"][0]["id"], removed["products"][0]["id"]) == ("SH-9", "SH-9")
    assert page.locator(".cart .empty").is_visible()


def told(page, action: str, *, tries: int = 50) -> dict:
    """The counter's data-layer entry for this action, once the page has pushed it. (Polled from here:
    the store's Content-Security-Policy forbids the eval that Playwright's wait_for_function uses.)"""
    for _ in range(tries):
        entry = page.evaluate(f"(window.dataLayer || []).find(entry => entry.ecommerce && entry.ecommerce.{action})")
        if entry:
            return entry["ecommerce"][action]
        page.wait_for_timeout(100)
    raise AssertionError(f"the data layer never got {action!r}")


@pytest.mark.parametrize("width", [390, 1366])
def test_switching_to_english_opens_the_products_english_address_which_names_the_russian_one(product_page, settings,
                                                                                             width):
    settings.LANGUAGE_CODE = "ru"
    product = ProductImageFactory(product__slug="shampoo").product
    page = product_page(product.get_absolute_url(), width=width)

    page.locator(".language-switcher button[value=en]").click()
    page.wait_for_url("**/en/product/shampoo/")

    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator('link[hreflang="ru"]').get_attribute("href").endswith("/product/shampoo/")
    assert "/en/" not in page.locator('link[hreflang="ru"]').get_attribute("href")
