"""What search engines and link previews read from the storefront."""

import json
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from catalog import seo
from catalog.models import Product
from tests.factories import (
    BrandFactory,
    CategoryFactory,
    ProductFactory,
    ProductImageFactory,
    ProductVariantFactory,
)

pytestmark = pytest.mark.django_db
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
LD_JSON = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def structured(response) -> dict[str, dict]:
    return {item["@type"]: item for item in map(json.loads, LD_JSON.findall(response.content.decode()))}


def sitemap_locations(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return [loc.text for loc in ET.fromstring(response.content).iterfind(".//s:loc", SITEMAP_NS)]  # noqa: S314 - our own sitemap


def test_sitemap_lists_every_active_product_and_visible_category_and_nothing_hidden(client):
    shown = ProductFactory(slug="shown")
    switched_off = ProductFactory(slug="switched-off", is_active=False)
    hidden_category = CategoryFactory(slug="hidden", is_active=False)
    in_hidden_category = ProductFactory(slug="in-hidden", category=hidden_category)

    index = sitemap_locations(client, "/sitemap.xml")
    urls = [url for section in index for url in sitemap_locations(client, section.replace("http://testserver", ""))]

    assert f"http://testserver/product/{shown.slug}/" in urls
    assert f"http://testserver{shown.category.get_absolute_url()}" in urls
    assert not [url for url in urls if switched_off.slug in url or in_hidden_category.slug in url
                or url.endswith(f"/{hidden_category.slug}/")]
    assert "http://testserver/" in urls


def test_sitemap_gives_each_product_its_last_change_date(client):
    product = ProductFactory()
    Product.objects.filter(pk=product.pk).update(updated_at="2026-03-04T05:06:07Z")

    response = client.get("/sitemap-products.xml")

    lastmod = ET.fromstring(response.content).find(".//s:url/s:lastmod", SITEMAP_NS).text  # noqa: S314
    assert lastmod.startswith("2026-03-04")


def test_sitemap_splits_into_pages_above_its_limit(client, monkeypatch):
    monkeypatch.setattr(seo.ProductSitemap, "limit", 4)
    ProductFactory.create_batch(3)  # six addresses: each product in Russian and in English

    index = sitemap_locations(client, "/sitemap.xml")

    assert "http://testserver/sitemap-products.xml" in index
    assert "http://testserver/sitemap-products.xml?p=2" in index
    assert len(sitemap_locations(client, "/sitemap-products.xml?p=2")) == 2


def test_sitemap_lists_each_product_in_both_languages_each_naming_the_other(client, settings):
    settings.LANGUAGE_CODE = "ru"
    product = ProductFactory(slug="shampoo")

    response = client.get("/sitemap-products.xml")

    entries = ET.fromstring(response.content).findall(".//s:url", SITEMAP_NS)  # noqa: S314
    by_address = {entry.find("s:loc", SITEMAP_NS).text: {
        link.get("hreflang"): link.get("href") for link in entry.iterfind("{http://www.w3.org/1999/xhtml}link")}
        for entry in entries}
    alternates = {"ru": "http://testserver/product/shampoo/", "en": "http://testserver/en/product/shampoo/",
                  "x-default": "http://testserver/product/shampoo/"}
    assert by_address == {"http://testserver/product/shampoo/": alternates,
                          "http://testserver/en/product/shampoo/": alternates}
    assert product.slug == "shampoo"


def test_a_product_page_names_its_other_language_for_search_engines(client, settings):
    settings.LANGUAGE_CODE = "ru"
    ProductFactory(slug="shampoo")

    page = client.get("/en/product/shampoo/").content.decode()

    assert '<link rel="alternate" hreflang="ru" href="http://testserver/product/shampoo/">' in page
    assert '<link rel="alternate" hreflang="en" href="http://testserver/en/product/shampoo/">' in page
    assert '<link rel="alternate" hreflang="x-default" href="http://testserver/product/shampoo/">' in page
    assert '<link rel="canonical" href="http://testserver/en/product/shampoo/">' in page


def test_robots_txt_keeps_crawlers_out_of_private_and_endless_pages_and_names_the_sitemap(client, settings):
    settings.LANGUAGE_CODE = "ru"
    response = client.get("/robots.txt")

    lines = response.content.decode().splitlines()
    assert response["Content-Type"].startswith("text/plain")
    for rule in ("Disallow: /cart/", "Disallow: /checkout/", "Disallow: /account/", "Disallow: /search/",
                 "Disallow: /en/cart/", "Disallow: /en/checkout/", "Disallow: /en/account/", "Disallow: /en/search/",
                 "Disallow: /*?*sort=", "Disallow: /*?*&"):
        assert rule in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


@pytest.mark.parametrize(("query", "indexable", "canonical"), [
    ("", True, "/catalog/shoes/"),
    ("?brand=nike", True, "/catalog/shoes/?brand=nike"),
    ("?brand=nike&brand=puma", False, "/catalog/shoes/"),
    ("?brand=nike&in_stock=on", False, "/catalog/shoes/"),
    ("?sort=price", False, "/catalog/shoes/"),
    ("?price_min=100", False, "/catalog/shoes/"),
])
def test_a_listing_beyond_one_filter_is_not_indexed_and_points_to_the_unfiltered_one(client, query, indexable,
                                                                                     canonical):
    CategoryFactory(slug="shoes")

    page = client.get(f"/catalog/shoes/{query}").content.decode()

    assert ('<meta name="robots" content="noindex, follow">' not in page) is indexable
    assert f'<link rel="canonical" href="http://testserver{canonical}">' in page


def test_product_page_carries_product_json_ld_with_price_currency_availability_and_old_price(client):
    product = ProductFactory(name="Шампунь <Роза>", price=Decimal("450"), old_price=Decimal("600"), stock=3,
                             brand=BrandFactory(name="Natura"))

    data = structured(client.get(product.get_absolute_url()))["Product"]

    assert data["name"] == "Шампунь <Роза>"
    assert data["brand"] == {"@type": "Brand", "name": "Natura"}
    offer = data["offers"]
    assert (offer["price"], offer["priceCurrency"]) == ("450.00", "RUB")
    assert offer["availability"] == "https://schema.org/InStock"
    assert offer["url"] == f"http://testserver{product.get_absolute_url()}"
    assert offer["priceSpecification"]["price"] == "600.00"


def test_json_ld_cannot_close_its_script_element(client):
    product = ProductFactory(name="</script><script>alert(1)</script>")

    page = client.get(product.get_absolute_url()).content.decode()

    assert "</script><script>alert(1)" not in page
    assert structured(client.get(product.get_absolute_url()))["Product"]["name"] == product.name


def test_a_product_with_variants_offers_each_variant(client):
    product = ProductFactory(price=Decimal("1000"))
    ProductVariantFactory(product=product, name="42", stock=0)
    ProductVariantFactory(product=product, name="43", stock=2)

    offers = structured(client.get(product.get_absolute_url()))["Product"]["offers"]

    assert {(offer["name"], offer["availability"].rsplit("/", 1)[1]) for offer in offers} == {
        ("42", "OutOfStock"), ("43", "InStock")}


def test_product_and_category_pages_carry_their_breadcrumbs(client):
    parent = CategoryFactory(name="Обувь")
    child = CategoryFactory(name="Кроссовки", parent=parent)
    product = ProductFactory(name="Бегун", category=child)

    product_trail = structured(client.get(product.get_absolute_url()))["BreadcrumbList"]["itemListElement"]
    category_trail = structured(client.get(child.get_absolute_url()))["BreadcrumbList"]["itemListElement"]

    assert [item["name"] for item in product_trail][2:] == ["Обувь", "Кроссовки", "Бегун"]
    assert [item["position"] for item in product_trail] == [1, 2, 3, 4, 5]
    assert category_trail[-1] == {"@type": "ListItem", "position": 4, "name": "Кроссовки",
                                  "item": f"http://testserver{child.get_absolute_url()}"}


def test_home_page_names_the_shop_as_an_organization(client, settings):
    assert structured(client.get("/"))["Organization"]["name"] == settings.STORE_NAME


def test_a_shared_product_link_shows_a_card_with_its_picture(client):
    product_with_picture = ProductImageFactory().product

    page = client.get(product_with_picture.get_absolute_url()).content.decode()

    assert '<meta property="og:type" content="product">' in page
    assert f'<meta property="og:title" content="{product_with_picture.name}">' in page
    assert re.search(r'<meta property="og:image" content="http://testserver/media/[^"]+">', page)
    assert '<meta name="twitter:card" content="summary_large_image">' in page


def test_a_renamed_product_keeps_its_old_address_as_a_permanent_redirect(client):
    product = ProductFactory(slug="old-name")
    product.slug = "new-name"
    product.save()
    product.slug = "newest-name"
    product.save()

    first = client.get("/product/old-name/?utm_source=vk")
    second = client.get("/product/new-name/")

    assert (first.status_code, first["Location"]) == (301, "/product/newest-name/?utm_source=vk")
    assert (second.status_code, second["Location"]) == (301, "/product/newest-name/")


def test_a_rename_undone_serves_the_page_again(client):
    product = ProductFactory(slug="first")
    product.slug = "second"
    product.save()
    product.slug = "first"
    product.save()

    assert client.get("/product/first/").status_code == 200
    assert client.get("/product/second/")["Location"] == "/product/first/"


def test_a_renamed_category_keeps_its_old_address_as_a_permanent_redirect(client):
    category = CategoryFactory(slug="krossovki")
    category.slug = "sneakers"
    category.save()

    response = client.get("/catalog/krossovki/?brand=nike")

    assert (response.status_code, response["Location"]) == (301, "/catalog/sneakers/?brand=nike")


def test_a_product_no_longer_sold_answers_gone_with_a_link_to_its_category(client):
    product = ProductFactory(is_active=False)

    response = client.get(product.get_absolute_url())

    assert response.status_code == 410
    assert product.category.get_absolute_url() in response.content.decode()


def test_an_address_that_never_existed_is_still_not_found(client):
    assert client.get("/product/never-was/").status_code == 404
