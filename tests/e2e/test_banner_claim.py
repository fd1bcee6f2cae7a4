"""Two managers in two browsers: a new order shows up in both banners, one takes it, and it
leaves the other's banner. Real Chromium, real polling (static/js/backoffice.js), live server."""

import re

import pytest
from django.urls import reverse

from customers.roles import MANAGER, roles_sync
from tests.factories import staff_user
from tests.marketing.ordering import order_placed

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SEEN_WITHIN_MS = 10_000  # the banner polls every 3 s
BANNER_URL = re.compile(r".*/admin/orders/order/banner/.*")


@pytest.fixture
def managers():
    roles_sync()
    return (
        staff_user(MANAGER, first_name="Ольга", last_name="Петрова"),
        staff_user(MANAGER, first_name="Иван", last_name="Сидоров"),
    )


def banner_entry(page, order):
    return page.locator(f'#bo-banner .bo-banner-order[data-number="{order.number}"]')


def test_both_managers_see_a_new_order_and_it_leaves_the_other_banner_once_taken(managers, signed_in_page):
    from playwright.sync_api import expect

    olga, ivan = managers
    olga_page, ivan_page = signed_in_page(olga), signed_in_page(ivan)
    olga_page.goto(reverse("admin:index"))
    ivan_page.goto(reverse("admin:marketing_followup_changelist"))  # any admin page will do

    order = order_placed(email="")

    expect(banner_entry(olga_page, order)).to_be_visible(timeout=SEEN_WITHIN_MS)
    expect(banner_entry(ivan_page, order)).to_be_visible(timeout=SEEN_WITHIN_MS)
    expect(banner_entry(olga_page, order)).to_contain_text("I'll take it")

    banner_entry(olga_page, order).get_by_role("button", name="I'll take it").click()

    expect(olga_page).to_have_url(re.compile(rf"/admin/orders/order/{order.pk}/change/"))
    expect(olga_page.locator("body")).to_contain_text(order.number)
    expect(banner_entry(olga_page, order)).to_have_count(0)
    expect(banner_entry(ivan_page, order)).to_have_count(0, timeout=SEEN_WITHIN_MS)
    order.refresh_from_db()
    assert order.manager == olga


def test_manager_pressing_a_stale_banner_learns_who_took_the_order(managers, signed_in_page):
    from playwright.sync_api import expect

    olga, ivan = managers
    olga_page, ivan_page = signed_in_page(olga), signed_in_page(ivan)
    olga_page.goto(reverse("admin:index"))
    ivan_page.goto(reverse("admin:index"))
    order = order_placed(email="")
    expect(banner_entry(olga_page, order)).to_be_visible(timeout=SEEN_WITHIN_MS)
    expect(banner_entry(ivan_page, order)).to_be_visible(timeout=SEEN_WITHIN_MS)
    # Ivan's banner stops hearing from the shop, so it still offers the order when he presses.
    ivan_page.route(BANNER_URL, lambda route: route.abort())

    banner_entry(olga_page, order).get_by_role("button", name="I'll take it").click()
    expect(olga_page).to_have_url(re.compile(rf"/admin/orders/order/{order.pk}/change/"))
    banner_entry(ivan_page, order).get_by_role("button", name="I'll take it").click()

    expect(ivan_page.locator("ul.messagelist")).to_contain_text(
        f"Order {order.number} has already been taken by Ольга Петрова."
    )
    ivan_page.unroute(BANNER_URL)
    with ivan_page.expect_response(BANNER_URL):
        ivan_page.reload()
    expect(banner_entry(ivan_page, order)).to_have_count(0)
