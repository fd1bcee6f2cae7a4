"""Which language a page speaks is read from its address, and the page names its other languages."""

import pytest
from django.urls import LocalePrefixPattern, URLResolver

from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shoppers_page_resolves(monkeypatch):
    """Every time the shoppers' pages (config/urls.py's i18n_patterns) are searched for an address."""
    searched = []
    resolve = URLResolver.resolve

    def counted(self, path):
        if isinstance(self.pattern, LocalePrefixPattern):
            searched.append(path)
        return resolve(self, path)

    monkeypatch.setattr(URLResolver, "resolve", counted)
    return searched


def test_a_product_page_finds_its_address_once_for_its_language_and_once_for_its_view(
        client, settings, shoppers_page_resolves):
    settings.LANGUAGE_CODE = "ru"
    settings.PAGE_CACHE_ENABLED = False
    ProductFactory(slug="shampoo")

    page = client.get("/product/shampoo/").content.decode()

    assert '<link rel="alternate" hreflang="en" href="http://testserver/en/product/shampoo/">' in page
    assert '<link rel="alternate" hreflang="ru" href="http://testserver/product/shampoo/">' in page
    # The language middleware's search decides the page speaks the shop's language, Django's finds the
    # view; the hreflang links reuse both instead of searching again (once more, then once per language).
    assert shoppers_page_resolves == ["product/shampoo/", "product/shampoo/"]


def test_a_missing_page_at_an_english_address_names_no_other_language(client, settings):
    settings.LANGUAGE_CODE = "ru"

    response = client.get("/en/no-such-page/")

    assert response.status_code == 404
    assert "hreflang" not in response.content.decode()
