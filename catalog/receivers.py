from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from catalog import models, services
from catalog.cache import invalidate_storefront_cache

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


@receiver(m2m_changed, sender=models.Product.related_products.through)
def refresh_storefront_after_related_change(sender, **kwargs) -> None:
    transaction.on_commit(invalidate_storefront_cache)


@receiver(post_save, sender=models.ProductImage)
def make_thumbnails_for_new_picture(sender, instance: models.ProductImage, **kwargs) -> None:
    if instance.needs_thumbnails:
        services.product_image_make_thumbnails(image=instance)
