from collections.abc import Iterable

from django.db import transaction
from django.db.models import BooleanField, Case, Exists, OuterRef, QuerySet, Value, When

from catalog.cache import invalidate_storefront_cache
from catalog.models import THUMB_SIZES, Brand, Product, ProductImage, ProductVariant
from core.images import make_thumbnail


@transaction.atomic
def products_set_active(*, products: QuerySet[Product], is_active: bool) -> int:
    """Show or hide many products at once; the storefront drops its cached pages on commit."""
    count = products.update(is_active=is_active)
    transaction.on_commit(invalidate_storefront_cache)
    return count


def product_image_make_thumbnails(*, image: ProductImage) -> None:
    """Render the storefront sizes once, when the picture is uploaded or replaced."""
    for label, size in THUMB_SIZES.items():
        thumb = make_thumbnail(image.image, size=size, name_suffix=str(size))
        getattr(image, f"thumb_{label}").save(thumb.name, thumb, save=False)
    ProductImage.objects.filter(pk=image.pk).update(thumb_small=image.thumb_small.name,
                                                    thumb_large=image.thumb_large.name)
    # The instance now matches the row: saving it again (say, a new alt text) keeps the thumbnails.
    image._loaded_image_name = image.image.name


def brand_products_refresh_search_text(*, brand: Brand) -> int:
    """Keep the SQLite search text of a brand's products in step with the brand's name.
    (On PostgreSQL a trigger refreshes the search vector itself.)"""
    products = list(Product.objects.filter(brand=brand).select_related("brand").only(
        "pk", "name", "sku", "description", "brand__name", "search_text"))
    for product in products:
        product.search_text = product.build_search_text()
    return Product.objects.bulk_update(products, ["search_text"], batch_size=500)


def products_refresh_availability(*, product_ids: Iterable[int] | None = None) -> int:
    """Recompute "in stock" for the given products (all when None) in one UPDATE: a product
    with variants is in stock when an active variant is; one without, when it has stock.
    Every write that changes stock calls this in the same transaction."""
    variants = ProductVariant.objects.filter(product=OuterRef("pk"))
    products = Product.objects.all() if product_ids is None else Product.objects.filter(pk__in=list(product_ids))
    return products.update(is_in_stock=Case(
        When(Exists(variants), then=Exists(variants.filter(is_active=True, stock__gt=0))),
        When(stock__gt=0, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    ))
