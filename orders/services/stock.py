"""Reserving and releasing stock.

Stock is changed by conditional UPDATEs (`stock = stock - q WHERE stock >= q`), never by
reading a number and writing another: the database decides, row by row, and the
CHECK constraint on stock is the backstop. Rows are always touched in one order — by
product id, the product row before its variants, variants by id — so two baskets holding
the same goods in a different order queue behind each other instead of deadlocking.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils.translation import gettext_lazy as _

from catalog.models import Product, ProductVariant
from catalog.services import products_refresh_availability


class OutOfStock(ValidationError):
    """Fewer items are left than the customer asked for."""

    def __init__(self, *, product_name: str, available: int) -> None:
        if available > 0:
            message = _("Only %(available)s of “%(product)s” left in stock.")
        else:
            message = _("“%(product)s” is out of stock.")
        super().__init__(message, code="out_of_stock", params={"product": product_name, "available": available})
        self.product_name = product_name
        self.available = available


@dataclass(frozen=True)
class StockItem:
    product_id: int
    variant_id: int | None
    quantity: int
    name: str


def _in_lock_order(items: Iterable[StockItem]) -> list[tuple[int, int, list[StockItem]]]:
    """Group by product in id order: (product id, units of the product itself, variant items by id)."""
    own: dict[int, int] = defaultdict(int)
    variants: dict[int, list[StockItem]] = defaultdict(list)
    for item in items:
        if item.variant_id is None:
            own[item.product_id] += item.quantity
        else:
            variants[item.product_id].append(item)
    return [
        (product_id, own.get(product_id, 0), sorted(variants.get(product_id, []), key=lambda item: item.variant_id))
        for product_id in sorted(own.keys() | variants.keys())
    ]


def stock_reserve(*, items: list[StockItem]) -> None:
    """Take the items off stock, all or none (the caller's transaction rolls back on OutOfStock).
    Also counts the units as sold."""
    for product_id, own_quantity, variant_items in _in_lock_order(items):
        sold = own_quantity + sum(item.quantity for item in variant_items)
        updated = Product.objects.filter(pk=product_id, stock__gte=own_quantity).update(
            stock=F("stock") - own_quantity, sales_count=F("sales_count") + sold
        )
        if not updated:
            product = Product.objects.only("name", "stock").get(pk=product_id)
            raise OutOfStock(product_name=product.name, available=product.stock)
        for item in variant_items:
            updated = ProductVariant.objects.filter(pk=item.variant_id, stock__gte=item.quantity).update(
                stock=F("stock") - item.quantity
            )
            if not updated:
                available = ProductVariant.objects.values_list("stock", flat=True).get(pk=item.variant_id)
                raise OutOfStock(product_name=item.name, available=available)
    _stock_changed(items)


def stock_release(*, items: list[StockItem]) -> None:
    """Put the items back on stock (an order cancelled or returned) and un-count them as sold."""
    for product_id, own_quantity, variant_items in _in_lock_order(items):
        sold = own_quantity + sum(item.quantity for item in variant_items)
        Product.objects.filter(pk=product_id).update(
            stock=F("stock") + own_quantity, sales_count=Greatest(F("sales_count") - sold, Value(0))
        )
        for item in variant_items:
            ProductVariant.objects.filter(pk=item.variant_id).update(stock=F("stock") + item.quantity)
    _stock_changed(items)


def _stock_changed(items: list[StockItem]) -> None:
    # No page shows quantities or sales counts: only a product going in or out of stock is news
    # to the storefront, and products_refresh_availability tells it after commit.
    products_refresh_availability(product_ids={item.product_id for item in items})
