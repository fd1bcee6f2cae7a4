from decimal import Decimal

import pytest

from catalog.models import Attribute
from core.money import NARROW_NBSP, NBSP
from tests.factories import (
    AttributeFactory,
    AttributeOptionFactory,
    CategoryFactory,
    ProductAttributeValueFactory,
    ProductFactory,
    ProductImageFactory,
    ProductVariantFactory,
)

pytestmark = pytest.mark.django_db


def html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def section(page: str, heading: str) -> str:
    start = page.index(f"<h2>{heading}</h2>")
    return page[start:page.index("</section>", start)]


# --- home -----------------------------------------------------------------------------------


def test_home_shows_featured_categories(client):
    CategoryFactory(name="Уход за волосами", is_featured=True)
    CategoryFactory(name="Скрытая витрина", is_featured=True, is_active=False)
    CategoryFactory(name="Обычная категория")

    page = section(html(client.get("/")), "Popular categories")

    assert "Уход за волосами" in page
    assert "Скрытая витрина" not in page
    assert "Обычная категория" not in page


def test_home_shows_new_arrivals(client):
    ProductFactory(name="Новинка")
    ProductFactory(name="Скрытая новинка", is_active=False)

    page = section(html(client.get("/")), "New arrivals")

    assert "Новинка" in page
    assert "Скрытая новинка" not in page


def test_home_shows_bestsellers_best_selling_first(client):
    ProductFactory(name="Хит продаж", sales_count=100)
    ProductFactory(name="Продаётся хорошо", sales_count=10)
    ProductFactory(name="Не продавался", sales_count=0)

    page = section(html(client.get("/")), "Bestsellers")

    assert page.index("Хит продаж") < page.index("Продаётся хорошо")
    assert "Не продавался" not in page


def test_empty_store_home_page_still_opens(client):
    assert "<h1>" in html(client.get("/"))


# --- product page ---------------------------------------------------------------------------


def test_product_price_is_formatted_with_a_narrow_no_break_space_in_russian(client, settings):
    settings.LANGUAGE_CODE = "ru"
    product = ProductFactory(price=Decimal("1990"))

    page = html(client.get(product.get_absolute_url(), headers={"accept-language": "ru"}))

    assert f"1{NARROW_NBSP}990{NBSP}₽" in page


def test_product_page_shows_the_old_price_and_the_discount(client):
    product = ProductFactory(price=Decimal("1500"), old_price=Decimal("2000"))

    page = html(client.get(product.get_absolute_url()))

    assert f'<s class="price-old">2,000{NBSP}₽</s>' in page
    assert "−25%" in page


def test_old_price_below_the_price_is_not_shown_as_a_discount(client):
    product = ProductFactory(price=Decimal("1500"), old_price=Decimal("1000"))

    page = html(client.get(product.get_absolute_url()))

    assert "price-old" not in page


def test_product_page_shows_variants_with_their_own_price_and_sold_out_ones_disabled(client):
    product = ProductFactory(price=Decimal("990"))
    ProductVariantFactory(product=product, name="250 мл", stock=3)
    ProductVariantFactory(product=product, name="500 мл", price_override=Decimal("1690"), stock=0)
    ProductVariantFactory(product=product, name="Снят с продажи", is_active=False)

    page = html(client.get(product.get_absolute_url()))

    assert "250 мл" in page
    assert f"1,690{NBSP}₽" in page
    assert "sold out" in page
    assert "Снят с продажи" not in page


def test_product_page_shows_its_properties(client):
    product = ProductFactory()
    colour = AttributeFactory(name="Цвет", kind=Attribute.Kind.CHOICE)
    ProductAttributeValueFactory(product=product, attribute=colour,
                                 option=AttributeOptionFactory(attribute=colour, value="Красный"))
    volume = AttributeFactory(name="Объём", kind=Attribute.Kind.NUMBER, unit="мл")
    ProductAttributeValueFactory(product=product, attribute=volume, number=Decimal("250.000"))
    organic = AttributeFactory(name="Органический", kind=Attribute.Kind.BOOLEAN)
    ProductAttributeValueFactory(product=product, attribute=organic, boolean=True)

    page = html(client.get(product.get_absolute_url()))

    assert '<th scope="row">Цвет</th><td>Красный</td>' in page
    assert '<th scope="row">Объём</th><td>250 мл</td>' in page
    assert '<th scope="row">Органический</th><td>yes</td>' in page


def test_product_page_shows_related_products_that_are_on_sale(client):
    product = ProductFactory()
    product.related_products.add(ProductFactory(name="Бальзам в пару"), ProductFactory(name="Скрытый", is_active=False))

    page = section(html(client.get(product.get_absolute_url())), "Goes well with")

    assert "Бальзам в пару" in page
    assert "Скрытый" not in page


def test_product_page_shows_the_large_picture_and_thumbnails(client):
    product = ProductFactory()
    first = ProductImageFactory(product=product, position=0)
    ProductImageFactory(product=product, position=1)

    page = html(client.get(product.get_absolute_url()))

    assert f'class="gallery-main" src="{first.large_url}"' in page
    assert first.large_url.endswith("-800.webp")
    assert first.small_url in page


def test_hidden_product_is_gone(client):
    product = ProductFactory(is_active=False)

    assert client.get(product.get_absolute_url()).status_code == 410


def test_product_of_a_hidden_category_is_gone(client):
    product = ProductFactory(category=CategoryFactory(is_active=False))

    assert client.get(product.get_absolute_url()).status_code == 410


def test_hidden_category_is_not_found(client):
    category = CategoryFactory(is_active=False)

    assert client.get(category.get_absolute_url()).status_code == 404


def test_hidden_subcategory_is_not_listed_in_its_parent(client):
    parent = CategoryFactory(slug="parent")
    CategoryFactory(parent=parent, name="Видимая подкатегория")
    CategoryFactory(parent=parent, name="Скрытая подкатегория", is_active=False)

    page = html(client.get("/catalog/parent/"))

    assert "Видимая подкатегория" in page
    assert "Скрытая подкатегория" not in page


def test_missing_page_uses_the_store_404_template(client):
    response = client.get("/product/no-such-thing/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert '<meta name="robots" content="noindex">' in response.content.decode()
    assert "Go to the catalog" in response.content.decode()


# --- head, escaping, language ---------------------------------------------------------------


def test_product_page_has_a_title_a_description_and_a_canonical_link(client):
    product = ProductFactory(name="Шампунь", slug="shampoo", description="Мягкий шампунь для всей семьи.")

    page = html(client.get("/product/shampoo/", {"utm_source": "vk"}))

    assert "<title>Шампунь · " in page
    assert '<meta name="description" content="Мягкий шампунь для всей семьи.">' in page
    assert f'<link rel="canonical" href="http://testserver{product.get_absolute_url()}">' in page


def test_seo_fields_override_the_title_and_description(client):
    ProductFactory(slug="shampoo", seo_title="Купить шампунь", seo_description="Лучший шампунь")

    page = html(client.get("/product/shampoo/"))

    assert "<title>Купить шампунь · " in page
    assert '<meta name="description" content="Лучший шампунь">' in page


def test_category_page_has_a_title_a_description_and_a_canonical_link(client):
    CategoryFactory(name="Уход", slug="care", description="Всё для ухода.")

    page = html(client.get("/catalog/care/", {"sort": "price"}))

    assert "<title>Уход · " in page
    assert '<meta name="description" content="Всё для ухода.">' in page
    assert '<link rel="canonical" href="http://testserver/catalog/care/">' in page


def test_second_page_of_a_category_is_its_own_canonical_page(client):
    category = CategoryFactory(slug="care")
    ProductFactory.create_batch(13, category=category)

    page = html(client.get("/catalog/care/", {"page": 2, "per_page": 12}))

    assert '<link rel="canonical" href="http://testserver/catalog/care/?page=2">' in page


def test_html_in_a_product_name_is_shown_as_text(client):
    product = ProductFactory(name='<script>alert("x")</script> Шампунь', category=CategoryFactory(slug="care"))

    for url in (product.get_absolute_url(), "/catalog/care/", "/"):
        page = html(client.get(url))
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert" in page


def test_html_in_a_seo_description_cannot_break_out_of_the_meta_tag(client):
    product = ProductFactory(seo_description='"><script>alert(1)</script>')

    page = html(client.get(product.get_absolute_url()))

    assert "<script>alert(1)" not in page


def test_language_switcher_switches_the_store_to_russian(client):
    category = CategoryFactory(slug="care")

    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/catalog/care/"}, follow=True)

    page = html(response)
    assert 'lang="ru"' in page
    assert response.redirect_chain[-1][0] == category.get_absolute_url()


def test_choosing_english_leads_to_the_pages_english_address(client, settings):
    settings.LANGUAGE_CODE = "ru"
    CategoryFactory(slug="care")

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/catalog/care/"}, follow=True)

    assert response.redirect_chain[-1][0] == "/en/catalog/care/"
    assert 'lang="en"' in html(response)


def test_a_storefront_address_speaks_its_own_language_whatever_the_browser_prefers(client, settings):
    settings.LANGUAGE_CODE = "ru"
    CategoryFactory(slug="care")

    russian = html(client.get("/catalog/care/", HTTP_ACCEPT_LANGUAGE="en"))
    english = html(client.get("/en/catalog/care/", HTTP_ACCEPT_LANGUAGE="ru"))

    assert ('lang="ru"' in russian, 'lang="en"' in english) == (True, True)


def test_catalog_root_lists_products_of_every_category(client):
    ProductFactory(name="Шампунь", category=CategoryFactory())
    ProductFactory(name="Сковорода", category=CategoryFactory(parent=CategoryFactory()))

    page = html(client.get("/catalog/"))

    assert "Шампунь" in page
    assert "Сковорода" in page


def test_search_results_have_pages(client):
    ProductFactory.create_batch(13, name="Шампунь")

    page = html(client.get("/search/", {"q": "шампунь", "per_page": 12, "page": 2}))

    assert page.count('class="product-card-name"') == 1
    assert 'rel="prev" href="?q=%D1%88%D0%B0%D0%BC%D0%BF%D1%83%D0%BD%D1%8C&amp;per_page=12&amp;page=1"' in page


def test_a_browser_asking_for_english_switches_a_russian_page_to_its_english_address(client, settings):
    settings.LANGUAGE_CODE = "ru"
    CategoryFactory(slug="care")

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/catalog/care/"},
                           headers={"accept-language": "en"})

    assert response["Location"] == "/en/catalog/care/"
