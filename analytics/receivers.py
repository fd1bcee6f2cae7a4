"""Analytics listens; the apps below it do not know it exists. An order saved after its day has
ended (cancelled, returned, its goods edited) makes that day's rollup due again; the note is
written in the order's own transaction, so it exists exactly when the change does."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from analytics.models import DeliveryCost, ProductCost
from analytics.periods import day_of
from analytics.rollups import rollup_day_changed, rollup_days_changed_for_product
from orders.models import Order


@receiver(post_save, sender=Order, dispatch_uid="analytics.order_saved")
def order_saved(sender, *, instance: Order, created: bool, **kwargs) -> None:
    if not created and instance.created_at is not None:
        rollup_day_changed(day=day_of(instance.created_at))


@receiver([post_save, post_delete], sender=ProductCost, dispatch_uid="analytics.product_cost_changed")
def product_cost_changed(sender, *, instance: ProductCost, **kwargs) -> None:
    rollup_days_changed_for_product(product_id=instance.product_id)


@receiver([post_save, post_delete], sender=DeliveryCost, dispatch_uid="analytics.delivery_cost_changed")
def delivery_cost_changed(sender, *, instance: DeliveryCost, **kwargs) -> None:
    order_created_at = Order.objects.filter(pk=instance.order_id).values_list("created_at", flat=True).first()
    if order_created_at is not None:
        rollup_day_changed(day=day_of(order_created_at))
