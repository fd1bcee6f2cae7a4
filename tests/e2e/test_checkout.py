"""A shopper checks out on a phone and on a desktop: the summary prices the order as the form
is filled in, and the amount shown before "Place the order" is the amount the order costs."""

from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.test import Client

from customers.services import points_earn
from orders.demo import demo_delivery_create, demo_promo_codes_create
from orders.models import DeliveryMethod, Order
from tests.e2e.conftest import screenshot
from tests.factories import ProductFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop(db):
    demo_delivery_create()
    demo_promo_codes_create()
    return {
        "kettle": ProductFactory(name="Чайник электрический", price=Decimal("1290.00"), stock=50),
        "methods": {method.kind: method for method in DeliveryMethod.objects.all()},
    }


def _add_to_cart(page, product, quantity=1):
    response = page.request.post("/cart/add/", form={"product": str(product.pk), "quantity": str(quantity)})
    assert response.ok


def _sign_in(page, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "url": page.url or "http://localhost",
                               "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value}])


def _priced(page, action):
    """Do `action` and wait until the summary shows the price it leads to."""
    form = page.locator("form[data-checkout-summary]")
    before = int(form.get_attribute("data-quoted") or 0)
    action()
    page.wait_for_function(
        "n => { const form = document.querySelector('form[data-checkout-summary]');"
        " return Number(form.dataset.quoted || 0) > n && !form.dataset.pricing; }", arg=before,
    )


def _shown(page) -> Decimal:
    return Decimal(page.locator(".to-pay").get_attribute("data-amount"))


def _fill_contact(page):
    page.fill('input[name="name"]', "Анна Смирнова")
    page.fill('input[name="phone"]', "+7 916 123-45-67")
    page.fill('input[name="email"]', "anna@example.com")


def _choose(page, method):
    _priced(page, lambda: page.check(f'input[name="delivery_method"][value="{method.pk}"]'))
    if method.kind == DeliveryMethod.Kind.PICKUP:
        _priced(page, lambda: page.locator('input[name="pickup_point"]').first.check())
    else:
        page.fill('input[name="address"]', "Москва, ул. Тверская, 1, кв. 5")
    if method.kind == DeliveryMethod.Kind.POST:
        page.fill('input[name="postcode"]', "125009")


def _place(page) -> Order:
    page.check('input[name="payment"][value="cash_on_delivery"]')
    page.check('input[name="consent_personal_data"]')
    with page.expect_navigation():
        page.locator(".order-summary button[type=submit]").click()
    return Order.objects.latest("pk")


def test_amount_shown_before_placing_is_the_orders_total_for_each_delivery_kind(shopper_page, live_server, shop):
    page = shopper_page
    for kind in ("post", "pickup", "courier"):
        _add_to_cart(page, shop["kettle"])
        page.goto("/checkout/")
        _fill_contact(page)
        assert page.locator("#checkout-totals").inner_text().count("₽") == 2  # goods; to pay without delivery

        _choose(page, shop["methods"][kind])
        shown = _shown(page)
        screenshot(page, f"checkout-{kind}")
        order = _place(page)

        assert shown == order.total_to_pay == Decimal("1290.00") + shop["methods"][kind].price
    assert not [error for error in page.console_errors if "Content Security Policy" in error]


def test_amount_with_a_promo_code_and_points_is_the_orders_total(shopper_page, live_server, shop):
    page = shopper_page
    customer = UserFactory(email="anna@example.com")
    points_earn(user=customer, points=500, comment="e2e")
    page.goto("/")
    _sign_in(page, customer)
    _add_to_cart(page, ProductFactory(name="Кофеварка", price=Decimal("3200.00"), stock=5))
    page.goto("/checkout/")
    _fill_contact(page)
    _choose(page, shop["methods"]["courier"])
    before_promo = _shown(page)

    _priced(page, lambda: (page.fill('input[name="promo_code"]', "welcome10"),
                           page.locator('button[value="apply_promo"]').click()))
    _priced(page, lambda: page.fill('input[name="points"]', "200"))
    shown = _shown(page)
    screenshot(page, "checkout-promo-points")
    order = _place(page)

    # 3 200 of goods is delivered free (from 3 000); −10 % leaves 2 880, and the courier costs 390 again.
    assert before_promo == Decimal("3200.00")
    assert shown == order.total_to_pay == Decimal("2880.00") + Decimal("390.00") - 200
    assert order.promo_code.code == "WELCOME10" and order.points_spent == 200


def test_checkout_shows_only_what_the_chosen_delivery_needs_and_the_summary_beside_the_form_when_wide(
    shopper_page, live_server, shop,
):
    page = shopper_page
    _add_to_cart(page, shop["kettle"])
    page.goto("/cart/")
    page.goto("/checkout/")
    pickup_list, address = page.locator('[data-delivery-for="pickup"]'), page.locator('input[name="address"]')
    postcode, date = page.locator('input[name="postcode"]'), page.locator('input[name="date"]')

    assert not any(field.is_visible() for field in (pickup_list, address, postcode, date))
    page.check(f'input[name="delivery_method"][value="{shop["methods"]["pickup"].pk}"]')
    assert pickup_list.is_visible() and not address.is_visible()
    page.check(f'input[name="delivery_method"][value="{shop["methods"]["courier"].pk}"]')
    assert address.is_visible() and date.is_visible() and not postcode.is_visible() and not pickup_list.is_visible()

    form, summary = page.locator(".checkout-main").bounding_box(), page.locator(".order-summary").bounding_box()
    screenshot(page, "checkout")
    if page.screen == "desktop":
        assert summary["x"] >= form["x"] + form["width"] and summary["y"] < form["y"] + 100
    else:
        assert summary["y"] >= form["y"] + form["height"]
    assert not [error for error in page.console_errors if "Content Security Policy" in error]
