"""A shopper searches the way people type: a word form, a typo, something the shop does not sell."""

import pytest

from tests.e2e.conftest import screenshot
from tests.factories import CategoryFactory, ProductFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _search(page, query: str):
    page.fill('.search-form input[name="q"]', query)
    with page.expect_navigation():
        page.press('.search-form input[name="q"]', "Enter")


def test_a_typo_finds_the_product_with_a_suggestion_and_nothing_found_offers_categories(shopper_page, live_server):
    shoes = CategoryFactory(name="Обувь", slug="obuv")
    CategoryFactory(name="Игрушки", slug="igrushki")
    ProductFactory(name="Кроссовки беговые", category=shoes, sales_count=40, stock=5)
    ProductFactory(name="Кроссовки детские", category=shoes, sales_count=10, stock=5)
    page = shopper_page
    page.goto("/")

    _search(page, "кросовки")

    cards = page.locator(".product-card-name")
    assert sorted(cards.all_inner_texts()) == ["Кроссовки беговые", "Кроссовки детские"]
    assert "Возможно, вы искали кроссовки?" in page.locator(".did-you-mean").inner_text()
    screenshot(page, "search-typo")

    _search(page, "пылесос")

    assert page.locator(".product-card-name").count() == 0
    assert page.locator(".popular-category").all_inner_texts() == ["Обувь"]
    screenshot(page, "search-nothing-found")
