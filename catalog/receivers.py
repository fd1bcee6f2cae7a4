from django.db import connections
from django.db.backends.signals import connection_created
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from catalog import models, services, tasks
from catalog.cache import invalidate_storefront_cache
from catalog.search import set_typo_threshold, sqlite_search_index_ensure
from core.tasks import delay_on_commit
from core.transactions import after_commit

STOREFRONT_MODELS = (
    models.Category, models.Brand, models.Attribute, models.AttributeOption,
    models.CategoryAttribute, models.Product, models.ProductImage, models.ProductVariant,
    models.ProductAttributeValue,
)


@receiver(post_save)
@receiver(post_delete)
def refresh_storefront_after_catalog_change(sender, **kwargs) -> None:
    """Any saved or deleted catalog row makes every cached page stale once the change commits.
    Queryset updates send no signal: the services that make them (products_set_active,
    products_refresh_availability, product_image_make_thumbnails) tell the cache themselves."""
    if sender in STOREFRONT_MODELS:
        after_commit(invalidate_storefront_cache)


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


def search_index_after_migrate(using: str = "default", **kwargs) -> None:
    """SQLite rebuilds a table to change its columns, dropping its triggers: every migrate makes
    sure the search index and its triggers are there (and refills the index if they were not)."""
    sqlite_search_index_ensure(connections[using])


@receiver(m2m_changed)
def refresh_storefront_after_link_change(sender, action: str, **kwargs) -> None:
    if sender in STOREFRONT_LINKS and action in ("post_add", "post_remove", "post_clear"):
        after_commit(invalidate_storefront_cache)


@receiver(post_save, sender=models.ProductImage)
def make_thumbnails_for_new_picture(sender, instance: models.ProductImage, **kwargs) -> None:
    """A large photo takes seconds to render: a worker makes the thumbnails after commit, and the
    manager's save answers at once."""
    if instance.needs_thumbnails:
        services.product_image_forget_thumbnails(image=instance)
        delay_on_commit(tasks.product_image_make_thumbnails_task, instance.pk)


@receiver(post_save, sender=models.Brand)
def refresh_search_text_after_brand_change(sender, instance: models.Brand, created: bool, **kwargs) -> None:
    if not created:
        delay_on_commit(tasks.brand_products_refresh_search_text_task, instance.pk)


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


@receiver(pre_save, sender=models.Product)
@receiver(pre_save, sender=models.Category)
def remember_previous_slug(sender, instance, raw: bool = False, **kwargs) -> None:
    # Every path that renames (admin, API, imports) saves the row: the old address is read here,
    # once, and kept as a redirect after the save below.
    previous = None if raw or instance._state.adding else (
        sender.objects.filter(pk=instance.pk).values_list("slug", flat=True).first())
    instance.previous_slug = previous if previous and previous != instance.slug else None


@receiver(post_save, sender=models.Product)
@receiver(post_save, sender=models.Category)
def keep_previous_address(sender, instance, **kwargs) -> None:
    if getattr(instance, "previous_slug", None):
        services.slug_retire(target=instance, old_slug=instance.previous_slug)
