"""What a marketplace feed lists: the shop's offers, read in chunks so memory stays flat."""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch

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


@dataclass(frozen=True)
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


def _params(product: Product) -> list[tuple[str, str]]:
    return [(str(value.attribute), value.display_value) for value in product.feed_values if value.display_value]


def _variant_params(variant: ProductVariant) -> list[tuple[str, str]]:
    return [(option.attribute.name, option.value) for option in variant.options.all()]


def feed_offers() -> Iterator[Offer]:
    """Every offer a shopper can buy now: active products in visible categories, in stock, with a
    price above zero. A product with variants is one offer per variant in stock, grouped by the
    product; old price only where it is above the price. Read CHUNK_SIZE products at a time."""
    products = (
        Product.objects.active().in_stock()
        .select_related("brand")
        .only("pk", "name", "slug", "sku", "description", "price", "old_price", "stock", "category_id",
              "brand__name")
        .prefetch_related(
            Prefetch("images", queryset=ProductImage.objects.order_by("position", "id").only(
                "product_id", "image", "thumb_large")),
            Prefetch("variants", to_attr="feed_variants", queryset=ProductVariant.objects.filter(
                is_active=True, stock__gt=0).order_by("position", "id").prefetch_related("options__attribute")),
            Prefetch("attribute_values", to_attr="feed_values", queryset=ProductAttributeValue.objects.select_related(
                "attribute", "option").order_by("attribute__name")),
        )
        .order_by("pk")
    )
    for product in products.iterator(chunk_size=CHUNK_SIZE):
        pictures = [absolute_url(image.image.url) for image in product.images.all()][:10]
        common = {
            "url": absolute_url(product.get_absolute_url()),
            "category_id": product.category_id,
            "brand": product.brand.name if product.brand_id else "",
            "description": product.description,
            "pictures": pictures,
        }
        if not product.feed_variants:
            if product.stock > 0 and product.price > 0:
                yield Offer(
                    id=str(product.pk), group_id=None, sku=product.sku, name=product.name, price=product.price,
                    old_price=_old_price(product.old_price, product.price), stock=product.stock,
                    params=_params(product), **common,
                )
            continue
        for variant in product.feed_variants:
            variant.product = product
            if variant.price <= 0:
                continue
            yield Offer(
                id=f"{product.pk}v{variant.pk}", group_id=product.pk, sku=variant.sku,
                name=f"{product.name}, {variant.name}", price=variant.price,
                old_price=_old_price(product.old_price, variant.price), stock=variant.stock,
                params=_params(product) + _variant_params(variant), **common,
            )


def _old_price(old_price: Decimal | None, price: Decimal) -> Decimal | None:
    return old_price if old_price is not None and old_price > price else None
