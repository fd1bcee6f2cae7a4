from django.db import transaction
from django.db.backends.signals import connection_created
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from catalog import models, services
from catalog.cache import invalidate_storefront_cache
from catalog.search import set_typo_threshold

STOREFRONT_MODELS = (
    models.Category, models.Brand, models.Attribute, models.AttributeOption,
    models.CategoryAttribute, models.Product, models.ProductImage, models.ProductVariant,
    models.ProductAttributeValue,
)


@receiver(post_save)
@receiver(post_delete)
def refresh_storefront_after_catalog_change(sender, **kwargs) -> None:
    """Any saved or deleted catalog row makes every cached page stale once the change commits.
    Bulk updates (stock reservations, imports) call invalidate_storefront_cache themselves."""
    if sender in STOREFRONT_MODELS:
        transaction.on_commit(invalidate_storefront_cache)


STOREFRONT_LINKS = (
    models.Product.related_products.through,
    models.ProductVariant.options.through,
    # add()/set() on a through model bulk-creates its rows, which sends no post_save.
    models.Category.filter_attributes.through,
)


def refresh_storefront_after_migrate(**kwargs) -> None:
    """Every deploy runs migrate: pages and cards rendered by the code and templates it replaces
    go with them, rather than being served until they expire (up to a day for cards). A cache
    that is down does not fail the deploy (it only logs); its entries then expire on their own."""
    invalidate_storefront_cache()


@receiver(m2m_changed)
def refresh_storefront_after_link_change(sender, action: str, **kwargs) -> None:
    if sender in STOREFRONT_LINKS and action in ("post_add", "post_remove", "post_clear"):
        transaction.on_commit(invalidate_storefront_cache)


@receiver(post_save, sender=models.ProductImage)
def make_thumbnails_for_new_picture(sender, instance: models.ProductImage, **kwargs) -> None:
    if instance.needs_thumbnails:
        services.product_image_make_thumbnails(image=instance)


@receiver(post_save, sender=models.Brand)
def refresh_search_text_after_brand_change(sender, instance: models.Brand, created: bool, **kwargs) -> None:
    if not created:
        services.brand_products_refresh_search_text(brand=instance)


@receiver(connection_created)
def prepare_search_on_new_connection(sender, connection, **kwargs) -> None:
    set_typo_threshold(connection)


@receiver(post_save, sender=models.Product)
def refresh_availability_after_product_change(sender, instance: models.Product, **kwargs) -> None:
    services.products_refresh_availability(product_ids=[instance.pk])


@receiver(post_save, sender=models.ProductVariant)
@receiver(post_delete, sender=models.ProductVariant)
def refresh_availability_after_variant_change(sender, instance: models.ProductVariant, **kwargs) -> None:
    services.products_refresh_availability(product_ids=[instance.product_id])
