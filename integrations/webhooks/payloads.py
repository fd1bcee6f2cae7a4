"""What each event tells: plain JSON, money as strings with two decimals, times in ISO 8601 UTC."""

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Q

from catalog.models import Product, ProductVariant
from customers.models import User
from orders.models import Order


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def order_data(order: Order) -> dict:
    return {
        "number": order.number,
        "status": order.status,
        "created_at": order.created_at.isoformat(),
        "customer": {"name": order.name, "phone": order.phone, "email": order.email, "user_id": order.user_id},
        "delivery": {"method": order.delivery_method.name, "kind": order.delivery_method.kind,
                     "address": order.address, "postcode": order.postcode},
        "payment": {"method": order.payment_method, "status": order.payment_status},
        "items_total": _money(order.items_total),
        "discount_total": _money(order.discount_total),
        "delivery_price": _money(order.delivery_price),
        "total_to_pay": _money(order.total_to_pay),
        "lines": [
            {"sku": line.sku, "product": line.product_name, "variant": line.variant_name,
             "unit_price": _money(line.unit_price), "quantity": line.quantity, "line_total": _money(line.line_total)}
            for line in order.lines.all()
        ],
    }


def customer_data(user: User) -> dict:
    return {"id": user.pk, "email": user.email, "phone": user.phone, "first_name": user.first_name,
            "last_name": user.last_name, "created_at": user.date_joined.isoformat()}


def stock_levels(product_ids: Iterable[int]) -> dict[str, int]:
    """{sku: units on stock} of the products and of their variants."""
    ids = list(product_ids)
    levels = dict(Product.objects.filter(pk__in=ids).values_list("sku", "stock"))
    levels.update(ProductVariant.objects.filter(Q(product_id__in=ids)).values_list("sku", "stock"))
    return levels
