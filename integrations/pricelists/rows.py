"""One price-list row checked against the catalog: what it would change, or why it cannot."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from catalog.models import Attribute, AttributeOption, Category, Product, ProductVariant
from integrations.models import Supplier
from integrations.pricelists.pricing import supplier_price
from integrations.pricelists.reader import CellInvalid, RawRow, cell_boolean, cell_decimal, cell_text

SKU_MAX_LENGTH = Product._meta.get_field("sku").max_length
NAME_MAX_LENGTH = Product._meta.get_field("name").max_length


class RowInvalid(ValueError):
    pass


@dataclass
class ParsedRow:
    line: int
    sku: str
    price: Decimal | None = None
    stock: int | None = None
    name: str = ""
    category_id: int | None = None
    brand_name: str = ""
    # {attribute id: (column, value)} with value an option id, a Decimal or a bool.
    attributes: dict[int, tuple[str, object]] = field(default_factory=dict)


class CatalogLookup:
    """What rows are resolved against, read once per import: categories, attributes, options."""

    def __init__(self, *, supplier: Supplier) -> None:
        categories = list(Category.objects.values_list("pk", "slug", "name"))
        self.category_by_slug = {slug.casefold(): pk for pk, slug, _name in categories}
        self.category_names = {pk: name for pk, _slug, name in categories}
        by_name: dict[str, list[int]] = {}
        for pk, _slug, name in categories:
            by_name.setdefault(name.strip().casefold(), []).append(pk)
        self.category_by_name = by_name
        slugs = set(supplier.attribute_columns.values())
        self.attributes = {a.slug: a for a in Attribute.objects.filter(slug__in=slugs)}
        self.options: dict[int, dict[str, int]] = {}
        for option in AttributeOption.objects.filter(attribute__slug__in=slugs):
            keys = self.options.setdefault(option.attribute_id, {})
            keys[option.value.strip().casefold()] = option.pk
            keys[option.slug.casefold()] = option.pk

    def category(self, value: str) -> int:
        key = value.strip().casefold()
        if key in self.category_by_slug:
            return self.category_by_slug[key]
        matches = self.category_by_name.get(key, [])
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise RowInvalid(_("Several categories are called “%(name)s”: write its slug.") % {"name": value})
        raise RowInvalid(_("No category “%(name)s”.") % {"name": value})


def row_parse(raw: RawRow, *, supplier: Supplier, lookup: CatalogLookup) -> ParsedRow:
    """Read one row's cells into values, applying the supplier's price rule. Raises RowInvalid."""
    cells = raw.cells
    sku = cell_text(cells.get("sku"))
    if not sku:
        raise RowInvalid(_("No SKU."))
    if len(sku) > SKU_MAX_LENGTH:
        raise RowInvalid(_("The SKU is longer than %(limit)s characters.") % {"limit": SKU_MAX_LENGTH})
    row = ParsedRow(line=raw.line, sku=sku)
    try:
        cost = cell_decimal(cells.get("price"))
    except CellInvalid:
        raise RowInvalid(_("The price “%(value)s” is not a number.") % {"value": cells.get("price")}) from None
    if cost is not None:
        if cost < 0:
            raise RowInvalid(_("The price is below zero."))
        row.price = supplier_price(supplier=supplier, cost=cost)
    try:
        stock = cell_decimal(cells.get("stock"))
    except CellInvalid:
        raise RowInvalid(_("The stock “%(value)s” is not a number.") % {"value": cells.get("stock")}) from None
    if stock is not None:
        if stock < 0 or stock != stock.to_integral_value():
            raise RowInvalid(_("The stock must be a whole number, zero or more."))
        row.stock = int(stock)
    row.name = cell_text(cells.get("name"))
    if len(row.name) > NAME_MAX_LENGTH:
        raise RowInvalid(_("The name is longer than %(limit)s characters.") % {"limit": NAME_MAX_LENGTH})
    category = cell_text(cells.get("category"))
    if category:
        row.category_id = lookup.category(category)
    row.brand_name = cell_text(cells.get("brand"))
    for slug, value in raw.attributes.items():
        parsed = _attribute_value(lookup, slug, value)
        if parsed is not None:
            attribute, stored = parsed
            row.attributes[attribute.pk] = (slug, stored)
    return row


def _attribute_value(lookup: CatalogLookup, slug: str, value: object):
    attribute = lookup.attributes.get(slug)
    if attribute is None:
        raise RowInvalid(_("No attribute “%(slug)s”.") % {"slug": slug})
    try:
        if attribute.kind == Attribute.Kind.NUMBER:
            stored = cell_decimal(value)
        elif attribute.kind == Attribute.Kind.BOOLEAN:
            stored = cell_boolean(value)
        else:
            text = cell_text(value)
            stored = lookup.options.get(attribute.pk, {}).get(text.casefold()) if text else None
            if text and stored is None:
                raise RowInvalid(_("“%(value)s” is not a value of “%(attribute)s”.")
                                 % {"value": text, "attribute": attribute.name})
    except CellInvalid:
        raise RowInvalid(_("“%(value)s” does not suit “%(attribute)s”.")
                         % {"value": value, "attribute": attribute.name}) from None
    return None if stored is None else (attribute, stored)


def variant_changes(variant: ProductVariant, row: ParsedRow) -> dict[str, tuple]:
    """{field: (old, new)} for a variant's row: its price (kept as the product's while equal) and stock."""
    changes = {}
    if row.price is not None and row.price != variant.price:
        changes["price_override"] = (variant.price, row.price)
    if row.stock is not None and row.stock != variant.stock:
        changes["stock"] = (variant.stock, row.stock)
    return changes


def product_changes(product: Product, row: ParsedRow, *, brand_id: int | None, current_values: dict) -> dict:
    """{field: (old, new)} for a product's row; attributes as "attribute:<slug>"."""
    changes = {}
    if row.price is not None and row.price != product.price:
        changes["price"] = (product.price, row.price)
    if row.stock is not None and row.stock != product.stock:
        changes["stock"] = (product.stock, row.stock)
    if row.name and row.name != product.name:
        changes["name"] = (product.name, row.name)
    if row.category_id is not None and row.category_id != product.category_id:
        changes["category_id"] = (product.category_id, row.category_id)
    if row.brand_name and brand_id != product.brand_id:
        changes["brand_id"] = (product.brand_id, brand_id)
    for attribute_id, (slug, value) in row.attributes.items():
        old = current_values.get((product.pk, attribute_id))
        if old != value:
            changes[f"attribute:{slug}"] = (old, value)
    return changes
