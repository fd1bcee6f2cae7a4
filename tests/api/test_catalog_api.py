from decimal import Decimal

import pytest

from tests.factories import (
    AttributeFactory,
    AttributeOptionFactory,
    BrandFactory,
    CategoryAttributeFactory,
    CategoryFactory,
    ProductAttributeValueFactory,
    ProductFactory,
    ProductImageFactory,
    ProductVariantFactory,
)

pytestmark = pytest.mark.django_db


def _names(response):
    return [product["name"] for product in response.json()["results"]]


def test_categories_come_with_their_place_in_the_tree(api):
    parent = CategoryFactory(name="Кухня")
    child = CategoryFactory(name="Чайники", parent=parent)

    response = api.get("/api/v1/categories/")

    rows = {row["id"]: row for row in response.json()}
    assert rows[child.pk]["parent"] == parent.pk
    assert rows[child.pk]["path"] == f"/{parent.pk}/{child.pk}/"
    assert rows[child.pk]["depth"] == rows[parent.pk]["depth"] + 1


def test_hidden_categories_are_not_listed(api):
    CategoryFactory(name="Архив", is_active=False)

    assert "Архив" not in [row["name"] for row in api.get("/api/v1/categories/").json()]


def test_a_product_has_its_id_exact_price_stock_images_and_variants(api):
    product = ProductFactory(name="Кроссовки", price=Decimal("4990.50"), old_price=Decimal("5990.00"), stock=0)
    variant = ProductVariantFactory(product=product, name="42", stock=2, price_override=Decimal("5100.00"))
    ProductImageFactory(product=product)

    row = api.get("/api/v1/products/").json()["results"][0]

    assert row["id"] == product.pk
    assert (row["price"], row["old_price"]) == ("4990.50", "5990.00")
    assert row["in_stock"] is True
    assert row["variants"] == [{"id": variant.pk, "sku": variant.sku, "name": "42", "price": "5100.00",
                                "in_stock": True}]
    assert row["images"][0]["small"].startswith("http://testserver/media/")


def test_products_are_filtered_like_the_storefront(api):
    nike, adidas = BrandFactory(slug="nike"), BrandFactory(slug="adidas")
    ProductFactory(name="Дешёвые", brand=nike, price=Decimal("100"))
    ProductFactory(name="Дорогие", brand=nike, price=Decimal("1000"))
    ProductFactory(name="Чужие", brand=adidas, price=Decimal("500"))

    response = api.get("/api/v1/products/?brand=nike&price_min=50&sort=-price")

    assert _names(response) == ["Дорогие", "Дешёвые"]


def test_in_stock_filter(api):
    ProductFactory(name="Есть", stock=3)
    ProductFactory(name="Нет", stock=0)

    assert _names(api.get("/api/v1/products/?in_stock=true")) == ["Есть"]


def test_a_category_and_its_attribute_filters(api):
    shoes = CategoryFactory(slug="shoes")
    colour = AttributeFactory(slug="colour")
    CategoryAttributeFactory(category=shoes, attribute=colour)
    red = AttributeOptionFactory(attribute=colour, slug="red")
    blue = AttributeOptionFactory(attribute=colour, slug="blue")
    red_shoe = ProductFactory(name="Красные", category=shoes)
    ProductAttributeValueFactory(product=red_shoe, attribute=colour, option=red)
    blue_shoe = ProductFactory(name="Синие", category=shoes)
    ProductAttributeValueFactory(product=blue_shoe, attribute=colour, option=blue)
    ProductFactory(name="Из другой категории")

    assert sorted(_names(api.get("/api/v1/products/?category=shoes"))) == ["Красные", "Синие"]
    assert _names(api.get("/api/v1/products/?category=shoes&a_colour=red")) == ["Красные"]


def test_an_invalid_filter_value_is_a_400_with_the_field(api):
    response = api.get("/api/v1/products/?price_min=cheap")

    assert response.status_code == 400
    assert "price_min" in response.json()["errors"]


def test_an_unknown_category_is_404_json(api):
    response = api.get("/api/v1/products/?category=nothing-here")

    assert response.status_code == 404
    assert response.json()["detail"]


def test_a_product_is_found_by_id_and_by_slug(api):
    product = ProductFactory(slug="kettle-x", description="Кипятит быстро.")

    by_id = api.get(f"/api/v1/products/{product.pk}/")
    by_slug = api.get("/api/v1/products/kettle-x/")

    assert by_id.json() == by_slug.json()
    assert by_id.json()["description"] == "Кипятит быстро."


def test_an_inactive_product_is_404(api):
    product = ProductFactory(is_active=False)

    assert api.get(f"/api/v1/products/{product.pk}/").status_code == 404


def test_the_product_list_takes_a_fixed_number_of_queries(api, django_assert_max_num_queries):
    for _ in range(10):
        product = ProductFactory()
        ProductVariantFactory(product=product)
        ProductImageFactory(product=product)

    with django_assert_max_num_queries(8):
        response = api.get("/api/v1/products/")

    assert response.json()["count"] == 10
