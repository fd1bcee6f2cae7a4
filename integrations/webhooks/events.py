"""The shop's events as webhook deliveries: called by receivers inside the cause's transaction."""

from collections.abc import Iterable

from customers.models import User
from integrations.models import AnnouncedStock, WebhookEvent
from integrations.webhooks.payloads import customer_data, order_data, stock_levels
from integrations.webhooks.services import event_key, webhooks_enqueue, webhooks_for
from orders.models import Order, OrderStatusChange


def order_placed_announce(*, order: Order) -> int:
    hooks = webhooks_for(WebhookEvent.ORDER_PLACED)
    if not hooks:
        return 0
    return webhooks_enqueue(event=WebhookEvent.ORDER_PLACED, key=f"order.placed:{order.number}",
                            data=order_data(order), webhooks=hooks)


def order_status_changed_announce(*, order: Order, from_status: str, to_status: str) -> int:
    hooks = webhooks_for(WebhookEvent.ORDER_STATUS_CHANGED)
    if not hooks:
        return 0
    # The history row written with the change names this step, however often it is announced.
    step = OrderStatusChange.objects.filter(order=order).order_by("-id").values_list("pk", flat=True).first()
    data = {"from_status": from_status, "to_status": to_status, "order": order_data(order)}
    return webhooks_enqueue(event=WebhookEvent.ORDER_STATUS_CHANGED, key=f"order.status_changed:{step}",
                            data=data, webhooks=hooks)


def customer_created_announce(*, user: User) -> int:
    hooks = webhooks_for(WebhookEvent.CUSTOMER_CREATED)
    if not hooks:
        return 0
    return webhooks_enqueue(event=WebhookEvent.CUSTOMER_CREATED, key=f"customer.created:{user.pk}",
                            data=customer_data(user), webhooks=hooks)


def stock_changed_announce(*, product_ids: Iterable[int]) -> int:
    """Tell the stock of the SKUs whose number differs from what was last told; nothing when none do."""
    hooks = webhooks_for(WebhookEvent.STOCK_CHANGED)
    if not hooks:
        return 0
    levels = stock_levels(product_ids)
    told = dict(AnnouncedStock.objects.filter(sku__in=levels).values_list("sku", "stock"))
    changed = {sku: stock for sku, stock in levels.items() if told.get(sku) != stock}
    if not changed:
        return 0
    AnnouncedStock.objects.bulk_create(
        [AnnouncedStock(sku=sku, stock=stock) for sku, stock in changed.items()],
        update_conflicts=True, unique_fields=["sku"], update_fields=["stock"],
    )
    items = [{"sku": sku, "stock": stock} for sku, stock in sorted(changed.items())]
    return webhooks_enqueue(event=WebhookEvent.STOCK_CHANGED, key=f"stock.changed:{event_key()}",
                            data={"items": items}, webhooks=hooks)
