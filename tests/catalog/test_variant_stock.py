from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from catalog.models import Product, ProductVariant, variant_price_sql
from tests.factories import ProductFactory, ProductVariantFactory

pytestmark = pytest.mark.django_db


def _in_stock(product) -> bool:
    return Product.objects.in_stock().filter(pk=product.pk).exists()


def test_variant_without_its_own_price_sells_at_the_product_price():
    variant = ProductVariantFactory(product=ProductFactory(price=Decimal("1490.00")), price_override=None)

    assert variant.price == Decimal("1490.00")


def test_variant_with_its_own_price_sells_at_that_price():
    variant = ProductVariantFactory(product=ProductFactory(price=Decimal("1490.00")), price_override=Decimal("1690"))

    assert variant.price == Decimal("1690")


def test_variant_priced_at_zero_is_free_rather_than_falling_back():
    variant = ProductVariantFactory(product=ProductFactory(price=Decimal("1490.00")), price_override=Decimal("0"))

    assert variant.price == Decimal("0")


def test_the_sql_variant_price_is_the_variants_price():
    product = ProductFactory(price=Decimal("1490.00"))
    variants = [ProductVariantFactory(product=product, price_override=override)
                for override in (None, Decimal("1690"), Decimal("0"))]

    in_sql = dict(ProductVariant.objects.filter(product=product).annotate(sold_at=variant_price_sql())
                  .values_list("pk", "sold_at"))

    assert in_sql == {variant.pk: variant.price for variant in variants}


def test_product_without_variants_is_in_stock_when_it_has_stock():
    assert _in_stock(ProductFactory(stock=3))


def test_product_without_variants_and_no_stock_is_out_of_stock():
    assert not _in_stock(ProductFactory(stock=0))


def test_product_whose_variants_all_have_no_stock_is_out_of_stock_whatever_its_own_stock():
    product = ProductFactory(stock=10)
    ProductVariantFactory.create_batch(2, product=product, stock=0)

    assert not _in_stock(product)


def test_product_with_one_variant_in_stock_is_in_stock():
    product = ProductFactory(stock=0)
    ProductVariantFactory(product=product, stock=0)
    ProductVariantFactory(product=product, stock=1)

    assert _in_stock(product)


def test_stock_of_a_hidden_variant_does_not_count():
    product = ProductFactory(stock=0)
    ProductVariantFactory(product=product, stock=5, is_active=False)

    assert not _in_stock(product)


def test_product_page_agrees_with_the_listing_when_all_variants_are_hidden(client):
    product = ProductFactory(stock=10)
    ProductVariantFactory(product=product, stock=5, is_active=False)

    html = client.get(product.get_absolute_url()).content.decode()

    assert 'class="stock out"' in html


def test_database_refuses_negative_product_stock():
    product = ProductFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(stock=-1)


def test_database_refuses_negative_variant_stock():
    variant = ProductVariantFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        ProductVariant.objects.filter(pk=variant.pk).update(stock=-1)


def test_database_refuses_a_negative_price():
    product = ProductFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(price=Decimal("-1"))


def test_last_variant_sold_out_takes_the_product_out_of_stock():
    product = ProductFactory(stock=0)
    variant = ProductVariantFactory(product=product, stock=1)
    assert _in_stock(product)

    variant.stock = 0
    variant.save()

    assert not _in_stock(product)


def test_deleting_the_only_variant_in_stock_takes_the_product_out_of_stock():
    product = ProductFactory(stock=0)
    ProductVariantFactory(product=product, stock=0)
    in_stock_variant = ProductVariantFactory(product=product, stock=3)

    in_stock_variant.delete()

    assert not _in_stock(product)
