"""A shopper filters a category on a phone: the panel folds after each choice, so what is
active shows as chips above the results and as a count on the folded panel's button."""

from decimal import Decimal

import pytest

from tests.e2e.conftest import screenshot
from tests.factories import BrandFactory, CategoryFactory, ProductFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _chips(page) -> list[str]:
    return [" ".join(text.split()) for text in page.locator(".filter-chips .chip").all_inner_texts()]


def test_filters_set_show_as_removable_chips_and_a_count_on_the_panel(shopper_page, live_server):
    care = CategoryFactory(name="Уход за волосами", slug="care")
    natura, elseve = BrandFactory(name="Натура", slug="natura"), BrandFactory(name="Эльсев", slug="elseve")
    ProductFactory(name="Шампунь Натура", category=care, brand=natura, price=Decimal("350"), stock=3)
    ProductFactory(name="Бальзам Натура", category=care, brand=natura, price=Decimal("420"), stock=0)
    ProductFactory(name="Шампунь Эльсев", category=care, brand=elseve, price=Decimal("390"), stock=3)
    page = shopper_page
    page.goto("/catalog/care/")
    panel = page.locator("details[data-fold-on-phone]")
    if page.screen == "phone":
        assert not panel.evaluate("details => details.open")
        page.locator("details[data-fold-on-phone] > summary").click()

    with page.expect_navigation():
        page.get_by_label("Натура").check()
    if page.screen == "phone":
        page.locator("details[data-fold-on-phone] > summary").click()
    with page.expect_navigation():
        page.locator('.filters input[name="in_stock"]').check()

    assert _chips(page) == ["В наличии ×", "Бренд: Натура ×"]
    assert page.locator("summary .filters-count").inner_text() == "2"
    assert page.locator(".product-card-name").all_inner_texts() == ["Шампунь Натура"]
    if page.screen == "phone":
        assert not panel.evaluate("details => details.open")
        chips_box = page.locator(".filter-chips").bounding_box()
        results_box = page.locator(".product-grid").bounding_box()
        assert chips_box["y"] < results_box["y"] and chips_box["y"] < page.viewport_size["height"]
    screenshot(page, "catalog-filters")

    with page.expect_navigation():
        page.locator(".filter-chips .chip", has_text="Натура").click()

    assert _chips(page) == ["В наличии ×"]
    assert sorted(page.locator(".product-card-name").all_inner_texts()) == ["Шампунь Натура", "Шампунь Эльсев"]
