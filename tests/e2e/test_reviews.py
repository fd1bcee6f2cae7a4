"""A customer who received a kettle reviews it from the product page, a manager publishes the review
in the admin, and the product page shows the stars to everyone; on a phone and on a laptop."""

import json

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from customers.roles import MANAGER, roles_sync
from reviews.models import Review
from tests.e2e.conftest import WIDTHS, screenshot
from tests.factories import ProductFactory, UserFactory, staff_user
from tests.reviews.conftest import order_of

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TEXT = "Кипятит за три минуты, не шумит, крышка закрывается плотно. Беру второй на дачу."


def _tab(browser, live_server, width: str, user=None):
    context = browser.new_context(locale="ru-RU", base_url=live_server.url, viewport=WIDTHS[width])
    if user is not None:
        client = Client()
        client.force_login(user)
        context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "url": live_server.url,
                              "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value}])
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.screen = width
    return context, page


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("width", list(WIDTHS))
def test_a_buyer_reviews_a_manager_publishes_and_the_product_page_shows_the_rating(browser, live_server, width,
                                                                                     settings):
    from playwright.sync_api import expect

    settings.LANGUAGE_CODE = "ru"  # as shipped: the addresses without a language prefix are Russian pages
    roles_sync()
    kettle = ProductFactory(name="Чайник «Утро»", slug="kettle-utro", stock=5, is_in_stock=True)
    buyer = UserFactory(first_name="Анна", last_name="Смирнова")
    order_of(kettle, user=buyer)
    manager = staff_user(MANAGER)
    opened = []
    try:
        # The buyer finds the form on the product page and sends a review.
        context, page = _tab(browser, live_server, width, user=buyer)
        opened.append(context)
        page.goto(kettle.get_absolute_url() + "#reviews")
        reviews = page.locator("#reviews")
        expect(reviews).to_contain_text("Отзывов пока нет.")
        reviews.locator(".rating-choice label", has_text="5").click()
        reviews.get_by_label("Ваш отзыв").fill(TEXT)
        assert _fits_the_screen(page)
        screenshot(page, "product-review-form")
        reviews.get_by_role("button", name="Отправить отзыв").click()
        expect(page.locator(".message.success")).to_contain_text("Спасибо! Отзыв появится после проверки.")
        expect(page.locator("#reviews .review-note")).to_contain_text("Отзыв появится здесь после проверки")
        expect(page.locator("#reviews .review")).to_have_count(0)  # not before a moderator publishes it

        # The manager publishes it from the moderation queue.
        context, admin = _tab(browser, live_server, width, user=manager)
        opened.append(context)
        admin.goto(reverse("admin:reviews_review_changelist"))
        row = admin.locator("#result_list tbody tr", has_text="Анна С.")
        expect(row).to_contain_text("Ждёт проверки")
        row.locator("input.action-select").check()
        admin.locator("select[name=action]").select_option("publish")
        admin.locator("button[name=index]").click()
        expect(admin.locator(".messagelist")).to_contain_text("Опубликован 1 отзыв.")

        # Everyone, signed in or not, now sees the stars, the count and the review.
        context, shopper = _tab(browser, live_server, width)
        opened.append(context)
        shopper.goto(kettle.get_absolute_url())
        expect(shopper.locator(".product-info .rating-summary")).to_contain_text("5,0")
        expect(shopper.locator(".product-info .rating-summary")).to_contain_text("1 отзыв")
        expect(shopper.locator("#reviews .review")).to_contain_text(TEXT)
        expect(shopper.locator("#reviews .review-note")).to_contain_text("Войдите, чтобы написать отзыв")
        product = next(item for item in map(json.loads, shopper.locator(
            'script[type="application/ld+json"]').all_text_contents()) if item["@type"] == "Product")
        assert product["aggregateRating"]["reviewCount"] == 1
        assert _fits_the_screen(shopper)
        shopper.locator("#reviews").scroll_into_view_if_needed()
        screenshot(shopper, "product-reviews")
    finally:
        for context in opened:
            context.close()
    assert Review.objects.get().status == Review.Status.PUBLISHED
