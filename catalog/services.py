import logging
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import BooleanField, Case, CharField, Exists, F, OuterRef, QuerySet, Value, When
from django.db.models.functions import Concat, Substr

from catalog.cache import (
    POPULARITY,
    STOCK,
    invalidate_storefront_cache,
    listing_scope,
    product_page_scope,
    product_scope,
    scopes_renew,
)
from catalog.models import THUMB_SIZES, Brand, Category, Product, ProductImage, ProductVariant, RetiredSlug
from catalog.signals import products_back_in_stock, stock_changed
from core.images import make_thumbnail
from core.transactions import after_commit

logger = logging.getLogger(__name__)


@transaction.atomic
def category_save(*, category: Category) -> Category:
    """Save a category and keep the tree in step: its path and depth, those of its whole branch
    when it moved (one UPDATE whatever the branch's size), and which categories shoppers see
    (active, under active ones)."""
    category.save()
    old_path = category.path
    # The parent's path is read from the database: an instance loaded earlier may still carry the
    # path it had before its branch moved.
    parent_path = (Category.objects.filter(pk=category.parent_id).values_list("path", flat=True).first() or "/"
                   if category.parent_id else "/")
    category.path = f"{parent_path}{category.pk}/"
    category.depth = category.path.count("/") - 2
    if category.path != old_path:
        Category.objects.filter(pk=category.pk).update(path=category.path, depth=category.depth)
        if old_path:
            _category_branch_move(category, old_path=old_path)
    _category_branch_refresh_visibility(category)
    return category


def _category_branch_move(category: Category, *, old_path: str) -> None:
    old_depth = old_path.count("/") - 2
    Category.objects.filter(path__startswith=old_path).exclude(pk=category.pk).update(
        path=Concat(Value(category.path), Substr("path", len(old_path) + 1), output_field=CharField()),
        depth=F("depth") + (category.depth - old_depth),
    )


def _category_branch_refresh_visibility(category: Category) -> None:
    ancestors_active = all(Category.objects.filter(pk__in=category.ancestor_ids).values_list("is_active", flat=True))
    branch = list(Category.objects.filter(path__startswith=category.path).values_list("pk", "path", "is_active"))
    active = {pk: is_active for pk, _, is_active in branch}
    visible = {
        pk: ancestors_active and all(active.get(int(part), True) for part in path.strip("/").split("/"))
        for pk, path, _ in branch
    }
    for flag in (True, False):
        Category.objects.filter(pk__in=[pk for pk, v in visible.items() if v is flag]).update(is_visible=flag)
    category.is_visible = visible.get(category.pk, category.is_active)


@transaction.atomic
def products_set_active(*, products: QuerySet[Product], is_active: bool) -> int:
    """Show or hide many products at once; the storefront drops its cached pages on commit."""
    count = products.update(is_active=is_active)
    after_commit(invalidate_storefront_cache)
    return count


def storefront_popularity_refresh() -> None:
    """Re-sort "popular first" (listings, search, the home page's best sellers) by the sales
    counted since: orders change the counts all day, the order shoppers see changes on beat's
    schedule (config/celery.py) instead of dropping every listing with every order."""
    scopes_renew([POPULARITY])


def product_image_make_thumbnails(*, image: ProductImage) -> bool:
    """Render the storefront sizes of a picture that has none yet (catalog.tasks runs this after
    the upload commits). Safe to run twice, and a picture replaced meanwhile keeps its own: the
    thumbnails are stored only while the row still holds the picture they were made from.
    Returns whether it made them."""
    if not image.image or image.thumb_small:
        return False
    names = {}
    for label, size in THUMB_SIZES.items():
        thumb = make_thumbnail(image.image, size=size, name_suffix=str(size))
        field = getattr(image, f"thumb_{label}")
        field.save(thumb.name, thumb, save=False)
        names[f"thumb_{label}"] = field.name
    stored = ProductImage.objects.filter(pk=image.pk, image=image.image.name).update(**names)
    if stored:
        # The instance now matches the row: saving it again (say, a new alt text) keeps them.
        image._loaded_image_name = image.image.name
        after_commit(invalidate_storefront_cache)
    return bool(stored)


def product_images_make_missing_thumbnails(*, limit: int = 50) -> int:
    """Thumbnails for pictures that still have none: the task started after an upload is lost when
    the broker was down at that moment (core.tasks.delay_on_commit only logs it). Beat runs this
    every ten minutes; beside an upload's own task it is harmless (each picture's thumbnails are
    stored once). A file that cannot be read is logged and left as uploaded. Returns how many
    pictures got their thumbnails."""
    made = 0
    waiting = ProductImage.objects.exclude(image="").filter(thumb_small="").order_by("id")[:limit]
    for image in waiting:
        try:
            made += product_image_make_thumbnails(image=image)
        except (OSError, ValueError) as error:  # a missing or unreadable file (PIL's errors are OSErrors)
            logger.warning("Picture %s: no thumbnails: %s", image.pk, error)
    return made


def product_image_forget_thumbnails(*, image: ProductImage) -> None:
    """A new or replaced picture shows as uploaded until its thumbnails are made, never with the
    thumbnails of the picture it replaced."""
    ProductImage.objects.filter(pk=image.pk).exclude(thumb_small="").update(thumb_small="", thumb_large="")
    image.thumb_small = image.thumb_large = ""


def brand_products_refresh_search_text(*, brand: Brand) -> int:
    """Keep the SQLite search fields of a brand's products in step with the brand's name (a task
    after the brand's save commits: a big brand has thousands of products). On PostgreSQL a
    trigger refreshes the search vector itself."""
    products = list(Product.objects.filter(brand=brand).select_related("brand").only(
        "pk", "name", "sku", "description", "brand__name", "search_title", "search_text"))
    for product in products:
        product.search_fields_refresh()
    return Product.objects.bulk_update(products, ["search_title", "search_text"], batch_size=500)


def products_refresh_availability(*, product_ids: Iterable[int] | None = None) -> list[int]:
    """Recompute "in stock" for the given products (all when None): a product with variants is
    in stock when an active variant is; one without, when it has stock. Every write that changes
    stock calls this in the same transaction. Only the products that went in or out of stock are
    written, and after commit only the pages that show them are renewed (their card and page,
    the pages that show them as related, their categories' listings, home and search): an order
    that leaves a product in stock changes nothing a shopper sees. Announces stock_changed for all
    the given products (their numbers moved even when their availability did not), and
    products_back_in_stock for those that were sold out and are not any more. Returns the ids
    of the products that went in or out of stock."""
    product_ids = None if product_ids is None else set(product_ids)
    variants = ProductVariant.objects.filter(product=OuterRef("pk"))
    products = Product.objects.all() if product_ids is None else Product.objects.filter(pk__in=product_ids)
    available = Case(
        When(Exists(variants), then=Exists(variants.filter(is_active=True, stock__gt=0))),
        When(stock__gt=0, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    flipped = list(products.alias(available=available).exclude(is_in_stock=F("available"))
                   .values_list("pk", flat=True))
    if flipped:
        Product.objects.filter(pk__in=flipped).update(is_in_stock=available)
        scopes = _scopes_showing(product_ids=flipped)
        after_commit(lambda: scopes_renew(scopes))
        back = list(Product.objects.filter(pk__in=flipped, is_in_stock=True).values_list("pk", flat=True))
        if back:
            products_back_in_stock.send(sender=Product, product_ids=back)
    stock_changed.send(sender=Product, product_ids=product_ids)
    return flipped


@dataclass(frozen=True)
class Rating:
    average: Decimal | None  # None while nothing is published
    count: int


def products_rating_set(*, ratings: dict[int, Rating]) -> None:
    """Store the products' published-review ratings, as the reviews app computed them inside its
    own transaction, and renew after commit every page that shows their stars (their cards and
    pages, the listings, home and search), as a change of stock does."""
    if not ratings:
        return
    for product_id, rating in ratings.items():
        Product.objects.filter(pk=product_id).update(rating_average=rating.average, rating_count=rating.count)
    scopes = _scopes_showing(product_ids=list(ratings))
    after_commit(lambda: scopes_renew(scopes))


def storefront_renew_for_products(*, product_ids: Iterable[int]) -> None:
    """Make stale what shows these products, and nothing else: their cards and pages, the pages
    that show them as related, their categories' listings (matches, counts, filter panels), home
    and search. For a bulk write that sends no signals (a price list); call it after commit."""
    product_ids = list(set(product_ids))
    if product_ids:
        scopes_renew(_scopes_showing(product_ids=product_ids))


def _scopes_showing(*, product_ids: list[int]) -> set[str]:
    """The cache scopes of everything that shows these products' availability."""
    products = list(Product.objects.filter(pk__in=product_ids).values_list("pk", "slug", "category__path"))
    category_ids = {int(part) for _, _, path in products for part in path.strip("/").split("/") if part}
    showing_as_related = Product.objects.filter(related_products__in=product_ids).values_list("slug", flat=True)
    return {
        STOCK, listing_scope(None),
        *(product_scope(pk) for pk, _, _ in products),
        *(product_page_scope(slug) for _, slug, _ in products),
        *(product_page_scope(slug) for slug in showing_as_related),
        *(listing_scope(slug) for slug in Category.objects.filter(pk__in=category_ids).values_list("slug", flat=True)),
    }


def slug_retire(*, target: Product | Category, old_slug: str) -> None:
    """Keep a product's or category's previous address answering with a redirect to today's. The
    row that takes a retired address back (a rename undone) frees it, since it is live again."""
    kind = RetiredSlug.Kind.PRODUCT if isinstance(target, Product) else RetiredSlug.Kind.CATEGORY
    RetiredSlug.objects.filter(kind=kind, slug=target.slug).delete()
    RetiredSlug.objects.update_or_create(
        kind=kind, slug=old_slug,
        defaults={"product": target if kind == RetiredSlug.Kind.PRODUCT else None,
                  "category": target if kind == RetiredSlug.Kind.CATEGORY else None},
    )
