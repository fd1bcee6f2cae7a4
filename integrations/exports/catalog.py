"""The catalog in the price list's own format: edited in a spreadsheet, it imports back.

One row per product and one per variant, under the columns of the "catalog file" supplier, whose
price rule changes nothing; a variant's row carries its SKU, price and stock only, as an import
reads it."""

from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Prefetch

from catalog.models import Attribute, Product, ProductAttributeValue, ProductVariant
from integrations.models import Supplier

CATALOG_COLUMNS = {"sku": "SKU", "name": "Name", "price": "Price", "stock": "Stock", "category": "Category",
                   "brand": "Brand"}
ATTRIBUTE_PREFIX = "attribute:"
# Data, not a label: the supplier is found by this name whatever the staff's language.
CATALOG_SUPPLIER_NAME = "Vitrina catalog file"


def catalog_file_supplier() -> Supplier:
    """The supplier that reads catalog exports back: the export's columns, no markup, no rounding.
    Its attribute columns follow the attributes the shop has now."""
    supplier, _created = Supplier.objects.get_or_create(
        name=CATALOG_SUPPLIER_NAME,
        defaults={"creates_products": True, **{f"{role}_column": header for role, header in CATALOG_COLUMNS.items()}},
    )
    columns = {f"{ATTRIBUTE_PREFIX}{slug}": slug for slug in Attribute.objects.values_list("slug", flat=True)}
    if supplier.attribute_columns != columns:
        supplier.attribute_columns = columns
        supplier.save(update_fields=["attribute_columns", "updated_at"])
    return supplier


def _value_text(value: ProductAttributeValue) -> str:
    if value.option_id:
        return value.option.value
    if value.number is not None:
        return f"{value.number.normalize():f}"
    if value.boolean is not None:
        return "yes" if value.boolean else "no"
    return ""


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def catalog_table() -> tuple[list[str], Iterator[list]]:
    attributes = list(Attribute.objects.order_by("slug").values_list("pk", "slug"))
    header = [*CATALOG_COLUMNS.values(), *(f"{ATTRIBUTE_PREFIX}{slug}" for _pk, slug in attributes)]
    products = (
        Product.objects.select_related("category", "brand").order_by("pk")
        .only("pk", "sku", "name", "price", "stock", "category__slug", "brand__name")
        .prefetch_related(
            Prefetch("variants", queryset=ProductVariant.objects.order_by("position", "id")),
            Prefetch("attribute_values", queryset=ProductAttributeValue.objects.select_related("option")),
        )
    )

    def rows() -> Iterator[list]:
        for product in products.iterator(chunk_size=1000):
            values = {value.attribute_id: _value_text(value) for value in product.attribute_values.all()}
            yield [product.sku, product.name, _money(product.price), product.stock, product.category.slug,
                   product.brand.name if product.brand_id else "", *(values.get(pk, "") for pk, _slug in attributes)]
            for variant in product.variants.all():
                variant.product = product
                yield [variant.sku, "", _money(variant.price), variant.stock, "", "", *("" for _ in attributes)]

    return header, rows()
