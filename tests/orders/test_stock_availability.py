import pytest

from catalog.models import Product
from orders.services.stock import StockItem, stock_release, stock_reserve
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def _in_stock(product) -> bool:
    return Product.objects.in_stock().filter(pk=product.pk).exists()


def test_selling_the_last_unit_takes_the_product_out_of_stock_and_a_cancellation_brings_it_back():
    product = ProductFactory(stock=1)
    item = StockItem(product_id=product.pk, variant_id=None, quantity=1, name=product.name)

    stock_reserve(items=[item])
    sold_out = _in_stock(product)
    stock_release(items=[item])

    assert sold_out is False
    assert _in_stock(product)

