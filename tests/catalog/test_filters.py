import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Attribute, Product
from tests.factories import (
    AttributeFactory,
    AttributeOptionFactory,
    BrandFactory,
    CategoryAttributeFactory,
    CategoryFactory,
    ProductAttributeValueFactory,
    ProductFactory,
    ProductVariantFactory,
)

pytestmark = pytest.mark.django_db

URL = "/catalog/care/"


def shown(response) -> list[str]:
    """Product names on the page, in the order shown."""
    assert response.status_code == 200
    return re.findall(r'<h3 class="product-card-name">(.*?)</h3>', response.content.decode())


def facet_count(response, name: str, value: str) -> int | None:
    match = re.search(
        rf'name="{name}" value="{value}"[^>]*>[^<]*<span class="count">(\d+)</span>', response.content.decode()
    )
    return int(match.group(1)) if match else None


@pytest.fixture
def care():
    return CategoryFactory(slug="care", name="Уход")


@pytest.fixture
def colour(care):
    attribute = AttributeFactory(slug="colour", name="Цвет", kind=Attribute.Kind.CHOICE)
    CategoryAttributeFactory(category=care, attribute=attribute)
    AttributeOptionFactory(attribute=attribute, slug="red", value="Красный")
    AttributeOptionFactory(attribute=attribute, slug="blue", value="Синий")
    return attribute


@pytest.fixture
def volume(care):
    attribute = AttributeFactory(slug="volume", name="Объём", unit="мл", kind=Attribute.Kind.NUMBER)
    CategoryAttributeFactory(category=care, attribute=attribute)
    return attribute


@pytest.fixture
def organic(care):
    attribute = AttributeFactory(slug="organic", name="Органический", kind=Attribute.Kind.BOOLEAN)
    CategoryAttributeFactory(category=care, attribute=attribute)
    return attribute


def product(care, name, **kwargs):
    return ProductFactory(category=care, name=name, **kwargs)


def with_colour(item, colour, slug):
    ProductAttributeValueFactory(product=item, attribute=colour, option=colour.options.get(slug=slug))
    return item


# --- price, brand, stock ------------------------------------------------------------------


def test_price_range_shows_only_products_within_it(client, care):
    product(care, "Дешёвый", price=Decimal("100"))
    product(care, "Средний", price=Decimal("500"))
    product(care, "Дорогой", price=Decimal("5000"))

    response = client.get(URL, {"price_min": "200", "price_max": "1000"})

    assert shown(response) == ["Средний"]


def test_price_range_includes_its_bounds(client, care):
    product(care, "Ровно двести", price=Decimal("200"))
    product(care, "Ровно тысяча", price=Decimal("1000"))

    response = client.get(URL, {"price_min": "200", "price_max": "1000", "sort": "price"})

    assert shown(response) == ["Ровно двести", "Ровно тысяча"]


def test_filter_by_brand_shows_only_that_brand(client, care):
    product(care, "Шампунь Натура", brand=BrandFactory(slug="natura", name="Natura"))
    product(care, "Шампунь Эльсев", brand=BrandFactory(slug="elseve", name="Elseve"))

    response = client.get(URL, {"brand": "natura"})

    assert shown(response) == ["Шампунь Натура"]


def test_filter_by_several_brands_shows_any_of_them(client, care):
    product(care, "Шампунь Натура", brand=BrandFactory(slug="natura", name="Natura"))
    product(care, "Шампунь Эльсев", brand=BrandFactory(slug="elseve", name="Elseve"))
    product(care, "Шампунь Клеар", brand=BrandFactory(slug="clear", name="Clear"))

    response = client.get(URL, {"brand": ["natura", "elseve"]})

    assert sorted(shown(response)) == ["Шампунь Натура", "Шампунь Эльсев"]


def test_in_stock_filter_hides_products_without_stock(client, care):
    product(care, "Есть", stock=3)
    product(care, "Нет", stock=0)

    response = client.get(URL, {"in_stock": "true"})

    assert shown(response) == ["Есть"]


def test_in_stock_filter_hides_a_product_whose_variants_are_all_sold_out(client, care):
    sold_out = product(care, "Кроссовки распроданы", stock=7)
    ProductVariantFactory.create_batch(2, product=sold_out, stock=0)
    available = product(care, "Кроссовки есть", stock=0)
    ProductVariantFactory(product=available, stock=0)
    ProductVariantFactory(product=available, stock=2)

    response = client.get(URL, {"in_stock": "true"})

    assert shown(response) == ["Кроссовки есть"]


def test_without_the_in_stock_filter_sold_out_products_are_listed_and_marked(client, care):
    product(care, "Нет", stock=0)

    response = client.get(URL)

    assert shown(response) == ["Нет"]
    assert 'class="stock out"' in response.content.decode()


# --- attributes -----------------------------------------------------------------------------


def test_choice_attribute_filter_shows_products_with_that_value(client, care, colour):
    with_colour(product(care, "Красная щётка"), colour, "red")
    with_colour(product(care, "Синяя щётка"), colour, "blue")

    response = client.get(URL, {"a_colour": "red"})

    assert shown(response) == ["Красная щётка"]


def test_choice_attribute_filter_with_two_values_shows_either(client, care, colour):
    with_colour(product(care, "Красная щётка"), colour, "red")
    with_colour(product(care, "Синяя щётка"), colour, "blue")
    product(care, "Щётка без цвета")

    response = client.get(URL, {"a_colour": ["red", "blue"]})

    assert sorted(shown(response)) == ["Красная щётка", "Синяя щётка"]


def test_number_attribute_range_shows_products_within_it(client, care, volume):
    for name, ml in (("Флакон 100", "100"), ("Флакон 250", "250"), ("Флакон 1000", "1000")):
        ProductAttributeValueFactory(product=product(care, name), attribute=volume, number=Decimal(ml))

    response = client.get(URL, {"a_volume_min": "200", "a_volume_max": "500"})

    assert shown(response) == ["Флакон 250"]


def test_number_attribute_accepts_only_one_bound(client, care, volume):
    for name, ml in (("Флакон 100", "100"), ("Флакон 250", "250")):
        ProductAttributeValueFactory(product=product(care, name), attribute=volume, number=Decimal(ml))

    response = client.get(URL, {"a_volume_min": "200"})

    assert shown(response) == ["Флакон 250"]


def test_boolean_attribute_filter_shows_only_products_that_have_it(client, care, organic):
    ProductAttributeValueFactory(product=product(care, "Органик"), attribute=organic, boolean=True)
    ProductAttributeValueFactory(product=product(care, "Обычный"), attribute=organic, boolean=False)
    product(care, "Не указано")

    response = client.get(URL, {"a_organic": "true"})

    assert shown(response) == ["Органик"]


def test_attribute_of_a_parent_category_filters_its_subcategory(client, care, colour):
    sub = CategoryFactory(slug="brushes", parent=care)
    with_colour(ProductFactory(category=sub, name="Красная щётка"), colour, "red")
    with_colour(ProductFactory(category=sub, name="Синяя щётка"), colour, "blue")

    response = client.get("/catalog/brushes/", {"a_colour": "blue"})

    assert shown(response) == ["Синяя щётка"]


# --- facet counts ---------------------------------------------------------------------------


def test_brand_facet_shows_how_many_products_each_brand_has(client, care):
    natura = BrandFactory(slug="natura", name="Natura")
    product(care, "А", brand=natura)
    product(care, "Б", brand=natura)
    product(care, "В", brand=BrandFactory(slug="elseve", name="Elseve"))

    response = client.get(URL)

    assert facet_count(response, "brand", "natura") == 2
    assert facet_count(response, "brand", "elseve") == 1


def test_choice_facet_shows_how_many_products_have_each_value(client, care, colour):
    with_colour(product(care, "А"), colour, "red")
    with_colour(product(care, "Б"), colour, "red")
    with_colour(product(care, "В"), colour, "blue")

    response = client.get(URL)

    assert facet_count(response, "a_colour", "red") == 2
    assert facet_count(response, "a_colour", "blue") == 1


def test_boolean_facet_shows_how_many_products_have_it(client, care, organic):
    ProductAttributeValueFactory(product=product(care, "А"), attribute=organic, boolean=True)
    ProductAttributeValueFactory(product=product(care, "Б"), attribute=organic, boolean=False)

    response = client.get(URL)

    assert re.search(r'name="a_organic" value="true" >\s*Органический <span class="count">1</span>',
                     response.content.decode())


def test_ticking_a_brand_still_counts_the_other_brands(client, care):
    natura, elseve = BrandFactory(slug="natura", name="Natura"), BrandFactory(slug="elseve", name="Elseve")
    product(care, "А", brand=natura)
    product(care, "Б", brand=elseve)
    product(care, "В", brand=elseve)

    response = client.get(URL, {"brand": "natura"})

    assert facet_count(response, "brand", "elseve") == 2
    assert facet_count(response, "brand", "natura") == 1


def test_ticking_a_colour_still_counts_the_other_colours(client, care, colour):
    with_colour(product(care, "А"), colour, "red")
    with_colour(product(care, "Б"), colour, "blue")
    with_colour(product(care, "В"), colour, "blue")

    response = client.get(URL, {"a_colour": "red"})

    assert facet_count(response, "a_colour", "blue") == 2


def test_brand_counts_respect_the_other_filters(client, care, colour):
    natura, elseve = BrandFactory(slug="natura", name="Natura"), BrandFactory(slug="elseve", name="Elseve")
    with_colour(product(care, "А", brand=natura), colour, "red")
    with_colour(product(care, "Б", brand=natura), colour, "blue")
    with_colour(product(care, "В", brand=elseve), colour, "red")

    response = client.get(URL, {"a_colour": "red", "brand": "natura"})

    assert facet_count(response, "brand", "natura") == 1
    assert facet_count(response, "brand", "elseve") == 1


def test_colour_counts_respect_the_price_and_stock_filters(client, care, colour):
    with_colour(product(care, "Красная дешёвая", price=Decimal("100")), colour, "red")
    with_colour(product(care, "Красная дорогая", price=Decimal("900")), colour, "red")
    with_colour(product(care, "Синяя дорогая без остатка", price=Decimal("900"), stock=0), colour, "blue")
    with_colour(product(care, "Синяя дорогая", price=Decimal("900")), colour, "blue")

    response = client.get(URL, {"price_min": "500", "in_stock": "true"})

    assert facet_count(response, "a_colour", "red") == 1
    assert facet_count(response, "a_colour", "blue") == 1


def test_number_facet_shows_the_range_of_values_as_placeholders(client, care, volume):
    for name, ml in (("Флакон 100", "100"), ("Флакон 250", "250.5")):
        ProductAttributeValueFactory(product=product(care, name), attribute=volume, number=Decimal(ml))

    html = client.get(URL).content.decode()

    assert re.search(r'name="a_volume_min" value="" placeholder="100"', html)
    assert re.search(r'name="a_volume_max" value="" placeholder="250.5"', html)


# --- sorting --------------------------------------------------------------------------------


@pytest.fixture
def three_products(care):
    cheap = product(care, "Дешёвый", price=Decimal("100"))
    middle = product(care, "Средний", price=Decimal("500"))
    dear = product(care, "Дорогой", price=Decimal("5000"))
    now = timezone.now()
    for item, days_ago, sold in ((cheap, 1, 5), (middle, 30, 50), (dear, 10, 0)):
        Product.objects.filter(pk=item.pk).update(created_at=now - timedelta(days=days_ago), sales_count=sold)


@pytest.mark.usefixtures("three_products")
def test_sort_by_price_shows_cheapest_first(client):
    assert shown(client.get(URL, {"sort": "price"})) == ["Дешёвый", "Средний", "Дорогой"]


@pytest.mark.usefixtures("three_products")
def test_sort_by_price_descending_shows_dearest_first(client):
    assert shown(client.get(URL, {"sort": "-price"})) == ["Дорогой", "Средний", "Дешёвый"]


@pytest.mark.usefixtures("three_products")
def test_sort_new_shows_newest_first(client):
    assert shown(client.get(URL, {"sort": "new"})) == ["Дешёвый", "Дорогой", "Средний"]


@pytest.mark.usefixtures("three_products")
def test_sort_popular_shows_best_selling_first(client):
    assert shown(client.get(URL, {"sort": "popular"})) == ["Средний", "Дешёвый", "Дорогой"]


@pytest.mark.usefixtures("three_products")
def test_listing_is_sorted_by_popularity_by_default(client):
    assert shown(client.get(URL)) == ["Средний", "Дешёвый", "Дорогой"]


@pytest.mark.usefixtures("three_products")
def test_sorting_keeps_the_filters(client):
    assert shown(client.get(URL, {"sort": "-price", "price_max": "1000"})) == ["Средний", "Дешёвый"]


@pytest.mark.usefixtures("three_products")
def test_unknown_sort_value_falls_back_to_the_default_order(client):
    response = client.get(URL, {"sort": "price; DROP TABLE"})

    assert shown(response) == ["Средний", "Дешёвый", "Дорогой"]


# --- pagination -----------------------------------------------------------------------------


@pytest.fixture
def thirty_products(care):
    for number in range(30):
        product(care, f"Товар №{number:02d}", price=Decimal(100 + number))


@pytest.mark.usefixtures("thirty_products")
def test_second_page_continues_where_the_first_stopped(client):
    first = shown(client.get(URL, {"sort": "price", "per_page": "12"}))
    second = shown(client.get(URL, {"sort": "price", "per_page": "12", "page": "2"}))

    assert first[-1] == "Товар №11"
    assert second[0] == "Товар №12"
    assert len(second) == 12


@pytest.mark.usefixtures("thirty_products")
def test_next_page_link_keeps_the_filters_and_sort(client):
    html = client.get(URL, {"sort": "price", "per_page": "12", "price_min": "100"}).content.decode()

    assert 'rel="next" href="?sort=price&amp;per_page=12&amp;price_min=100&amp;page=2"' in html


@pytest.mark.usefixtures("thirty_products")
def test_page_past_the_end_shows_the_last_page(client):
    assert shown(client.get(URL, {"sort": "price", "per_page": "12", "page": "99"}))[-1] == "Товар №29"


@pytest.mark.usefixtures("thirty_products")
@pytest.mark.parametrize("page", ["abc", "-1", "0", "1.5", "", "9" * 40])
def test_garbage_page_number_shows_a_page_instead_of_an_error(client, page):
    assert len(shown(client.get(URL, {"per_page": "12", "page": page}))) > 0


@pytest.mark.usefixtures("thirty_products")
@pytest.mark.parametrize("per_page", ["abc", "7", "100000", "-12"])
def test_unsupported_page_size_falls_back_to_the_default(client, per_page):
    assert len(shown(client.get(URL, {"per_page": per_page}))) == 24


# --- bad input ------------------------------------------------------------------------------


def test_non_numeric_price_shows_an_error_on_the_page(client, care):
    product(care, "Шампунь")

    response = client.get(URL, {"price_min": "abc"})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html
    assert "Price from: Enter a number." in html


def test_non_numeric_price_ignores_that_filter_but_keeps_the_others(client, care):
    product(care, "Есть", stock=1)
    product(care, "Нет", stock=0)

    response = client.get(URL, {"price_min": "abc", "in_stock": "true"})

    assert shown(response) == ["Есть"]


def test_non_numeric_attribute_bound_shows_an_error_on_the_page(client, care, volume):
    ProductAttributeValueFactory(product=product(care, "Флакон"), attribute=volume, number=Decimal("100"))

    response = client.get(URL, {"a_volume_min": "много"})

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert shown(response) == ["Флакон"]


def test_unknown_brand_shows_an_error_not_a_server_error(client, care):
    product(care, "Шампунь")

    response = client.get(URL, {"brand": "no-such-brand"})

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_unknown_colour_shows_an_error_not_a_server_error(client, care, colour):
    with_colour(product(care, "Красная щётка"), colour, "red")

    response = client.get(URL, {"a_colour": "<script>"})

    assert response.status_code == 200
    assert "<script>" not in response.content.decode()


def test_huge_price_does_not_break_the_page(client, care):
    product(care, "Шампунь")

    response = client.get(URL, {"price_max": "9" * 400})

    assert response.status_code == 200


# --- what is active, at a glance (the panel folds on a phone) ------------------------------------


def chips(response) -> list[tuple[str, str]]:
    html = response.content.decode()
    return [(label.strip(), href.replace("&amp;", "&"))
            for href, label in re.findall(r'<a class="chip" href="([^"]+)"[^>]*>(.*?) <span', html)]


def test_active_filters_show_as_chips_each_removing_only_itself(client, care, colour):
    brand = BrandFactory(name="Натура", slug="natura")
    ProductFactory(category=care, brand=brand, price=Decimal("300"), stock=1)

    response = client.get(URL, {"brand": "natura", "in_stock": "true", "price_min": "100", "page": "1"})

    assert chips(response) == [
        ("Price from 100\xa0₽", "/catalog/care/?brand=natura&in_stock=true"),
        ("In stock", "/catalog/care/?brand=natura&price_min=100"),
        ("Brand: Натура", "/catalog/care/?in_stock=true&price_min=100"),
    ]


def test_folded_filter_panel_counts_the_filters_set(client, care):
    ProductFactory(category=care, brand=BrandFactory(name="Натура", slug="natura"), stock=1)

    html = client.get(URL, {"brand": "natura", "in_stock": "true"}).content.decode()

    assert re.search(r'<summary>Filters <span class="filters-count"[^>]*>2</span></summary>', html)


def test_no_filters_no_chips_and_no_count(client, care):
    html = client.get(URL).content.decode()

    assert 'class="chip"' not in html and "filters-count" not in html
