"""Another site's page cannot use a shopper's cookie on the API: the guest's cart and checkout
are behind the store's cross-origin rule like a signed-in customer's; token clients are not."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from orders.models import CartLine, Order

pytestmark = pytest.mark.django_db

FROM_A_SIBLING_SITE = {"HTTP_SEC_FETCH_SITE": "same-site", "HTTP_ORIGIN": "http://shop.example:8080"}
FROM_THE_SHOP = {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"}


@pytest.fixture
def guest_with_a_cart(api, kettle):
    api.post("/api/v1/cart/items/", {"product": kettle.pk, "quantity": 1}, format="json", **FROM_THE_SHOP)
    assert CartLine.objects.count() == 1
    return api


def test_a_form_another_site_posts_to_checkout_with_a_guests_cookie_is_refused(guest_with_a_cart, checkout_answers):
    response = guest_with_a_cart.post("/api/v1/checkout/", {**checkout_answers, "name": "Attacker"},
                                      **FROM_A_SIBLING_SITE)

    assert response.status_code == 403
    assert not Order.objects.exists()
    assert CartLine.objects.count() == 1


def test_a_form_another_site_posts_to_the_guests_cart_is_refused(guest_with_a_cart, kettle):
    response = guest_with_a_cart.post("/api/v1/cart/items/", {"product": kettle.pk, "quantity": 3},
                                      **FROM_A_SIBLING_SITE)

    assert response.status_code == 403
    assert CartLine.objects.get().quantity == 1


def test_an_old_browser_posting_from_another_origin_is_refused(guest_with_a_cart, kettle):
    response = guest_with_a_cart.post("/api/v1/cart/items/", {"product": kettle.pk, "quantity": 3},
                                      HTTP_ORIGIN="https://evil.example")

    assert response.status_code == 403


def test_the_shops_own_pages_still_check_out_a_guest(guest_with_a_cart, checkout_answers):
    response = guest_with_a_cart.post("/api/v1/checkout/", checkout_answers, format="json", **FROM_THE_SHOP)

    assert response.status_code == 201
    assert Order.objects.get().name == checkout_answers["name"]


def test_a_token_client_on_another_origin_is_not_asked(customer, kettle):
    client = APIClient(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=customer).key}")

    response = client.post("/api/v1/cart/items/", {"product": kettle.pk, "quantity": 1}, format="json",
                           **FROM_A_SIBLING_SITE)

    assert response.status_code == 201


def test_reading_the_cart_from_another_site_is_not_refused(guest_with_a_cart):
    assert guest_with_a_cart.get("/api/v1/cart/", **FROM_A_SIBLING_SITE).status_code == 200


def _api_views(patterns=None):
    from django.urls import URLResolver, get_resolver

    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _api_views(pattern.url_patterns)
        elif hasattr(pattern.callback, "cls"):
            yield pattern.callback.cls


def test_every_api_view_follows_the_shared_cookie_and_json_rules():
    from rest_framework.authentication import SessionAuthentication
    from rest_framework.parsers import JSONParser

    from core.api import JSONParser as BoundedJSONParser
    from core.api import SessionCookieAuthentication

    views = list(_api_views())
    assert len(views) > 10
    for view in views:
        for auth in view.authentication_classes:
            assert not issubclass(auth, SessionAuthentication) or issubclass(auth, SessionCookieAuthentication), view
        for parser in view.parser_classes:
            assert not issubclass(parser, JSONParser) or issubclass(parser, BoundedJSONParser), view
