"""Reactions to the catalog's, customers' and orders' changes. Nothing slow happens here: work
that leaves the database is scheduled for after the commit."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from catalog import models as catalog
from catalog.signals import stock_changed
from core.transactions import after_commit
from customers.models import User
from integrations.feeds.services import feeds_rebuild_soon
from integrations.webhooks import events
from orders.signals import order_placed, order_status_changed

# What a feed shows: a change to any of these rebuilds the feeds a little later.
FEED_MODELS = (
    catalog.Category, catalog.Brand, catalog.Product, catalog.ProductImage, catalog.ProductVariant,
    catalog.ProductAttributeValue,
)


@receiver(post_save)
@receiver(post_delete)
def rebuild_feeds_after_catalog_change(sender, **kwargs) -> None:
    if sender in FEED_MODELS:
        after_commit(feeds_rebuild_soon)


@receiver(stock_changed)
def rebuild_feeds_after_stock_change(sender, **kwargs) -> None:
    # Orders take stock with plain UPDATEs, which send no post_save: a sold-out offer must still
    # leave the feeds.
    after_commit(feeds_rebuild_soon)


@receiver(stock_changed)
def announce_stock_change(sender, product_ids, **kwargs) -> None:
    # "Every product" comes only from maintenance runs; webhooks hear about stock that moved.
    if product_ids is not None:
        events.stock_changed_announce(product_ids=product_ids)


@receiver(order_placed)
def announce_order_placed(sender, order, **kwargs) -> None:
    events.order_placed_announce(order=order)


@receiver(order_status_changed)
def announce_order_status_change(sender, order, from_status, to_status, **kwargs) -> None:
    events.order_status_changed_announce(order=order, from_status=from_status, to_status=to_status)


@receiver(post_save, sender=User)
def announce_new_customer(sender, instance: User, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw and not instance.is_staff:
        events.customer_created_announce(user=instance)
