"""The language switcher, the one form on every storefront page, needs no CSRF token: browsers
say where a POST comes from, and another site's page is refused."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def switch_language(**headers):
    shopper = Client(enforce_csrf_checks=True, headers=headers)
    return shopper.post("/i18n/setlang/", {"language": "en", "next": "/catalog/"})


def test_the_shops_own_page_switches_the_language_without_a_token():
    response = switch_language(sec_fetch_site="same-origin")

    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"


def test_a_switch_another_site_asks_for_is_refused():
    response = switch_language(sec_fetch_site="cross-site", origin="https://evil.example")

    assert response.status_code == 403
    assert "django_language" not in response.cookies


def test_a_switch_from_a_sibling_subdomain_is_refused():
    assert switch_language(sec_fetch_site="same-site").status_code == 403


def test_a_browser_without_fetch_metadata_is_judged_by_its_origin():
    assert switch_language(origin="http://testserver").status_code == 302
    assert switch_language(origin="https://evil.example").status_code == 403


def test_a_request_with_neither_header_is_no_other_sites_doing():
    assert switch_language().status_code == 302


def test_a_trusted_origin_may_switch_the_language(settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://shop.example"]

    assert switch_language(origin="https://shop.example").status_code == 302
