"""What a marketplace feed lists: the shop's offers, read in chunks so memory stays flat."""

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from django.utils.encoding import filepath_to_uri
from django.utils.translation import gettext as _

from catalog.models import Category, Product, ProductAttributeValue, ProductImage, ProductVariant
from orders.models import DeliveryMethod

CHUNK_SIZE = 1000
# Characters XML 1.0 forbids even escaped (control characters other than tab and line breaks):
# one in a description would make the whole file unreadable to the marketplace.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value: object) -> str:
    return _XML_FORBIDDEN.sub("", str(value))


def absolute_url(path: str) -> str:
    return path if "://" in path else f"{settings.SITE_URL}{path}"


def price_text(amount: Decimal) -> str:
    """Prices in feeds carry exactly two decimals: 990.00."""
    return f"{amount:.2f}"


@dataclass(frozen=True)
class FeedCategory:
    id: int
    parent_id: int | None
    name: str
    # "Home > Kitchen > Kettles", as Google's product_type wants it.
    trail: str


@dataclass(slots=True)
class Offer:
    id: str
    group_id: int | None
    sku: str
    name: str
    url: str
    price: Decimal
    old_price: Decimal | None
    category_id: int
    brand: str
    description: str
    stock: int
    pictures: list[str] = field(default_factory=list)
    params: list[tuple[str, str]] = field(default_factory=list)


def feed_categories() -> list[FeedCategory]:
    """Visible categories in tree order; a hidden section and its branch are left out."""
    rows = list(Category.objects.filter(is_visible=True).order_by("path").values_list("pk", "parent_id", "name"))
    names = {pk: name for pk, _parent, name in rows}
    parents = {pk: parent for pk, parent, _name in rows}
    categories = []
    for pk, parent_id, name in rows:
        trail, node = [], pk
        while node is not None and node in names:
            trail.append(names[node])
            node = parents[node]
        categories.append(FeedCategory(
            id=pk, parent_id=parent_id if parent_id in names else None, name=name, trail=" > ".join(reversed(trail)),
        ))
    return categories


def feed_delivery_methods() -> list[DeliveryMethod]:
    return list(DeliveryMethod.objects.filter(is_active=True).order_by("position", "id"))


def _text_of_value(unit: str, option: str | None, number, boolean: bool | None, yes_no: tuple[str, str]) -> str:
    """A property as the product page shows it (ProductAttributeValue.display_value), from plain values."""
    if option is not None:
        return option
    if number is not None:
        return f"{number.normalize():f} {unit}".strip()
    if boolean is not None:
        return yes_no[0] if boolean else yes_no[1]
    return ""


def _chunk_extras(first: int, last: int) -> tuple[dict, dict, dict, dict]:
    """Pictures, properties, variants in stock and their options of the products with ids from
    `first` to `last`, as plain values: a feed of 100,000 products must not build 300,000 model
    instances, nor send lists of a thousand ids (a range reads the same index)."""
    in_chunk = {"product_id__gte": first, "product_id__lte": last}
    pictures: dict[int, list[str]] = defaultdict(list)
    for product_id, image in ProductImage.objects.filter(**in_chunk).order_by(
            "product_id", "position", "id").values_list("product_id", "image"):
        pictures[product_id].append(image)
    yes_no = (str(_("yes")), str(_("no")))
    params: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for product_id, name, unit, option, number, boolean in ProductAttributeValue.objects.filter(
            **in_chunk).order_by("product_id", "attribute__name").values_list(
            "product_id", "attribute__name", "attribute__unit", "option__value", "number", "boolean"):
        text = _text_of_value(unit, option, number, boolean, yes_no)
        if text:
            params[product_id].append((f"{name}, {unit}" if unit else name, text))
    variants: dict[int, list[tuple]] = defaultdict(list)
    for row in ProductVariant.objects.filter(is_active=True, stock__gt=0, **in_chunk).order_by(
            "product_id", "position", "id").values_list("product_id", "pk", "sku", "name", "price_override", "stock"):
        variants[row[0]].append(row[1:])
    options: dict[int, list[tuple[str, str]]] = defaultdict(list)
    if variants:
        through = ProductVariant.options.through
        for variant_id, attribute, value in through.objects.filter(
                productvariant__product_id__gte=first, productvariant__product_id__lte=last).order_by(
                "productvariant_id", "attributeoption__attribute__name").values_list(
                "productvariant_id", "attributeoption__attribute__name", "attributeoption__value"):
            options[variant_id].append((attribute, value))
    return pictures, params, variants, options


def _picture_url_maker():
    """name → absolute URL of a product picture. Files on this server's disk are addressed by
    MEDIA_URL plus the name, without asking the storage 100,000 times; other storages (object
    storage with signed links) are asked each time."""
    storage = ProductImage._meta.get_field("image").storage
    if isinstance(storage, FileSystemStorage):
        prefix = absolute_url(storage.base_url)
        return lambda name: prefix + filepath_to_uri(name)
    return lambda name: absolute_url(storage.url(name))


def feed_offers() -> Iterator[Offer]:
    """Every offer a shopper can buy now: active products in visible categories, in stock, with a
    price above zero. A product with variants is one offer per variant in stock, grouped by the
    product; old price only where it is above the price. Read CHUNK_SIZE products at a time, as
    plain values, so memory stays flat whatever the catalog's size."""
    # The product page's address for a slug, without resolving the URLconf 100,000 times.
    url_pattern = absolute_url(reverse("catalog:product", kwargs={"slug": "SLUG-PLACEHOLDER"}))
    url_prefix, url_suffix = url_pattern.split("SLUG-PLACEHOLDER")
    picture_url = _picture_url_maker()
    products = Product.objects.active().in_stock().order_by("pk").values_list(
        "pk", "name", "slug", "sku", "description", "price", "old_price", "stock", "category_id", "brand__name")
    last_pk = 0
    while True:
        chunk = list(products.filter(pk__gt=last_pk)[:CHUNK_SIZE])
        if not chunk:
            return
        last_pk = chunk[-1][0]
        pictures, params, variants, options = _chunk_extras(chunk[0][0], last_pk)
        for pk, name, slug, sku, description, price, old_price, stock, category_id, brand in chunk:
            common = {
                "url": f"{url_prefix}{slug}{url_suffix}",
                "category_id": category_id,
                "brand": brand or "",
                "description": description,
                "pictures": [picture_url(image) for image in pictures.get(pk, ())[:10]],
            }
            own_params = params.get(pk, [])
            if pk not in variants:
                if stock > 0 and price > 0:
                    yield Offer(id=str(pk), group_id=None, sku=sku, name=name, price=price,
                                old_price=_old_price(old_price, price), stock=stock, params=own_params, **common)
                continue
            for variant_pk, variant_sku, variant_name, price_override, variant_stock in variants[pk]:
                variant_price = price if price_override is None else price_override
                if variant_price <= 0:
                    continue
                yield Offer(
                    id=f"{pk}v{variant_pk}", group_id=pk, sku=variant_sku, name=f"{name}, {variant_name}",
                    price=variant_price, old_price=_old_price(old_price, variant_price), stock=variant_stock,
                    params=own_params + options.get(variant_pk, []), **common,
                )


def _old_price(old_price: Decimal | None, price: Decimal) -> Decimal | None:
    return old_price if old_price is not None and old_price > price else None
