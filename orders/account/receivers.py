from django.dispatch import receiver

from core.transactions import after_commit
from customers.models import User
from customers.signals import customer_signed_up, personal_data_exporting
from orders.account.selectors import guest_orders_for_email
from orders.models import Order
from orders.tasks import guest_orders_link_send_task


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


@receiver(personal_data_exporting, dispatch_uid="orders.export_orders")
def export_orders(sender, *, user: User, **kwargs) -> dict:
    """The customer's orders for "export my data": what they bought, where it went, how it ended."""
    orders = Order.objects.filter(user=user).select_related("delivery_method", "pickup_point").prefetch_related(
        "lines", "history"
    ).order_by("created_at", "id")
    return {"orders": [
        {
            "number": order.number,
            "created_at": _iso(order.created_at),
            "status": order.status,
            "name": order.name,
            "phone": order.phone,
            "email": order.email,
            "delivery_method": order.delivery_method.name,
            "pickup_point": str(order.pickup_point) if order.pickup_point_id else "",
            "address": order.address,
            "postcode": order.postcode,
            "tracking_number": order.tracking_number,
            "payment_method": order.payment_method,
            "items_total": str(order.items_total),
            "delivery_price": str(order.delivery_price),
            "discount_total": str(order.discount_total),
            "points_spent": str(order.points_spent),
            "total_to_pay": str(order.total_to_pay),
            "comment": order.comment,
            "channel": order.channel,
            "lines": [
                {"product": line.product_name, "variant": line.variant_name, "sku": line.sku,
                 "unit_price": str(line.unit_price), "quantity": line.quantity, "line_total": str(line.line_total)}
                for line in order.lines.all()
            ],
            "history": [
                {"from": change.from_status, "to": change.to_status, "at": _iso(change.created_at)}
                for change in order.history.all()
            ],
        }
        for order in orders
    ]}


@receiver(customer_signed_up, dispatch_uid="orders.offer_guest_orders")
def offer_guest_orders(sender, *, user: User, request=None, **kwargs) -> None:
    """A new account whose e-mail placed orders as a guest gets a link to add them, once the
    account is committed. Without a request (an account made by a script) there is no address
    to build the link from: the orders page offers it instead."""
    if request is None or not guest_orders_for_email(email=user.email).exists():
        return
    shop_url = request.build_absolute_uri("/")
    after_commit(lambda: guest_orders_link_send_task.delay(user.pk, shop_url))
