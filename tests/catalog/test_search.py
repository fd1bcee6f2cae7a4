import re
from urllib.parse import quote

import pytest

from catalog.models import Brand, Product
from catalog.search import products_search
from tests.factories import BrandFactory, CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


def found(client, query: str) -> list[str]:
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    return re.findall(r'<h3 class="product-card-name">(.*?)</h3>', response.content.decode())


# --- everywhere (the SQLite fallback and PostgreSQL alike) --------------------------------------


def test_search_finds_a_product_by_its_name_whatever_the_case(client):
    ProductFactory(name="Шампунь для волос")
    ProductFactory(name="Зубная паста")

    assert found(client, "ШАМПУНЬ") == ["Шампунь для волос"]


def test_search_finds_a_product_by_its_sku(client):
    ProductFactory(name="Шампунь", sku="SH-4411")
    ProductFactory(name="Бальзам", sku="BL-1000")

    assert found(client, "sh-4411") == ["Шампунь"]


def test_search_finds_a_product_by_its_brand(client):
    ProductFactory(name="Шампунь", brand=BrandFactory(name="Натура Сиберика", slug="natura"))
    ProductFactory(name="Бальзам", brand=BrandFactory(name="Эльсев", slug="elseve"))

    assert found(client, "сиберика") == ["Шампунь"]


def test_search_finds_a_product_by_a_word_of_its_description(client):
    ProductFactory(name="Шампунь", description="Мягко очищает кожу головы с экстрактом крапивы.")
    ProductFactory(name="Бальзам", description="Для блеска.")

    assert found(client, "крапивы") == ["Шампунь"]


def test_search_needs_every_word_to_match(client):
    ProductFactory(name="Шампунь для сухих волос")
    ProductFactory(name="Шампунь для жирных волос")

    assert found(client, "шампунь сухих") == ["Шампунь для сухих волос"]


def test_search_does_not_show_hidden_products(client):
    ProductFactory(name="Шампунь скрытый", is_active=False)

    assert found(client, "шампунь") == []


def test_search_with_nothing_found_says_so(client):
    ProductFactory(name="Шампунь")

    html = client.get("/search/", {"q": "пылесос"}).content.decode()

    assert "Nothing found for “пылесос”" in html


def test_empty_search_asks_what_to_look_for_instead_of_listing_everything(client):
    ProductFactory(name="Шампунь")

    response = client.get("/search/", {"q": "   "})

    html = response.content.decode()
    assert "Type what you are looking for" in html
    assert 'class="product-card-name"' not in html


def test_search_made_of_punctuation_only_finds_nothing_rather_than_everything(client):
    ProductFactory(name="Шампунь")

    assert found(client, "%%% ___") == []


def test_search_query_is_escaped_on_the_page(client):
    html = client.get("/search/", {"q": "<script>alert(1)</script>"}).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_very_long_query_is_cut_instead_of_failing(client):
    assert found(client, "шампунь " * 500) == []


def test_renamed_brand_is_found_by_its_new_name(client, tasks_run_here, django_capture_on_commit_callbacks):
    brand = BrandFactory(name="Старое имя", slug="brand")
    ProductFactory(name="Шампунь", brand=brand)

    with django_capture_on_commit_callbacks(execute=True):
        brand.name = "Чистая линия"
        brand.save()

    assert found(client, "чистая линия") == ["Шампунь"]


def test_a_name_match_ranks_above_a_description_only_match():
    described = ProductFactory(name="Бальзам", description="Хорошо сочетается с шампунем.", sales_count=100)
    named = ProductFactory(name="Шампунь", description="Для всех типов волос.")

    assert [p.pk for p in products_search(query="шампунь")] == [named.pk, described.pk]


def test_an_exact_sku_ranks_first():
    by_sku = ProductFactory(name="Бальзам", sku="ШАМП-1")
    named = ProductFactory(name="Шампунь", sku="X-2", sales_count=100)

    assert [p.pk for p in products_search(query="шамп-1")][0] == by_sku.pk
    assert named.pk  # the name match may come after it


def test_a_half_typed_word_finds_the_whole_word(client):
    ProductFactory(name="Шампунь для волос")

    assert found(client, "шамп") == ["Шампунь для волос"]


def test_a_russian_word_form_finds_the_product(client):
    ProductFactory(name="Шампунь для волос")

    assert found(client, "шампуни") == ["Шампунь для волос"]


def test_a_typo_still_finds_the_product(client):
    ProductFactory(name="Шампунь для волос Natura 250 мл")
    ProductFactory(name="Зубная паста")

    assert found(client, "шампнуь") == ["Шампунь для волос Natura 250 мл"]


def test_a_typo_does_not_find_unrelated_products(client):
    ProductFactory(name="Зубная паста")

    assert found(client, "шампнуь") == []


def test_search_syntax_characters_in_the_query_are_harmless(client):
    ProductFactory(name="Шампунь")

    for query in ("шамп & | ! ( ) :* '", "'\\", "a:*b", "<->"):
        assert client.get("/search/", {"q": query}).status_code == 200


@pytest.mark.parametrize("query", ["шампуни", "шампуня", "шампнь", "шампнуь"])
def test_word_forms_and_small_typos_find_the_shampoo(client, query):
    ProductFactory(name="Шампунь для волос")
    ProductFactory(name="Зубная паста")

    assert found(client, query) == ["Шампунь для волос"]


def test_a_missing_double_letter_finds_the_sneakers(client):
    ProductFactory(name="Кроссовки беговые")

    assert found(client, "кросовки") == ["Кроссовки беговые"]


def test_a_two_word_name_is_found_by_another_form_of_both_words(client):
    ProductFactory(name="Духи «Северная роза»")
    ProductFactory(name="Роза в горшке")

    assert found(client, "северная роза") == ["Духи «Северная роза»"]
    assert found(client, "северной розы") == ["Духи «Северная роза»"]


def test_a_query_found_through_a_look_alike_word_suggests_the_right_spelling(client):
    ProductFactory(name="Кроссовки беговые")

    html = client.get("/search/", {"q": "кросовки"}).content.decode()

    assert f'Did you mean <a href="/search/?q={quote("кроссовки")}">кроссовки</a>?' in html


def test_a_query_found_as_typed_suggests_nothing(client):
    ProductFactory(name="Кроссовки беговые")

    assert "Did you mean" not in client.get("/search/", {"q": "кроссовки"}).content.decode()


def test_nothing_found_offers_the_popular_categories(client):
    shoes, toys = CategoryFactory(name="Обувь"), CategoryFactory(name="Игрушки")
    ProductFactory(name="Кроссовки", category=shoes, sales_count=50)
    ProductFactory(name="Мяч", category=toys, sales_count=5)
    CategoryFactory(name="Пустая")

    html = client.get("/search/", {"q": "пылесос"}).content.decode()

    offered = re.findall(r'<a class="popular-category" href="[^"]+">(.*?)</a>', html)
    assert offered == ["Обувь", "Игрушки"]


# --- PostgreSQL full-text search --------------------------------------------------------------------


@pytest.mark.postgres
def test_database_fills_the_search_vector_when_a_product_is_saved():
    product = ProductFactory(name="Шампунь для волос")

    vector = Product.objects.values_list("search_vector", flat=True).get(pk=product.pk)

    assert "шампун" in vector


@pytest.mark.postgres
def test_search_vector_follows_a_bulk_update_of_the_name():
    product = ProductFactory(name="Шампунь")

    Product.objects.filter(pk=product.pk).update(name="Кондиционер")

    assert [p.pk for p in products_search(query="кондиционер")] == [product.pk]


@pytest.mark.postgres
def test_renaming_a_brand_updates_the_search_vector_of_its_products():
    brand = BrandFactory(name="Старое имя", slug="brand")
    product = ProductFactory(name="Шампунь", brand=brand)

    Brand.objects.filter(pk=brand.pk).update(name="Чистая линия")

    assert [p.pk for p in products_search(query="чистая линия")] == [product.pk]
    assert list(products_search(query="старое")) == []
