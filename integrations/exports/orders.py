"""Orders as a table for accounting: one row per order, the shop's time zone, money with kopecks."""

from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.models import Order


def orders_table(orders: QuerySet[Order]) -> tuple[list[str], Iterator[list]]:
    header = [_("Number"), _("Placed"), _("Status"), _("Customer"), _("Phone"), _("E-mail"), _("Delivery"),
              _("Address"), _("Payment"), _("Payment status"), _("Goods, ₽"), _("Discount, ₽"), _("Delivery, ₽"),
              _("To pay, ₽"), _("Channel"), _("Manager"), _("Items")]
    orders = orders.select_related("delivery_method", "manager").prefetch_related("lines").order_by("pk")

    def rows() -> Iterator[list]:
        for order in orders.iterator(chunk_size=1000):
            yield [
                order.number, timezone.localtime(order.created_at).strftime("%Y-%m-%d %H:%M"),
                order.get_status_display(), order.name, order.phone, order.email, order.delivery_method.name,
                order.address, order.get_payment_method_display(), order.get_payment_status_display(),
                f"{order.items_total:.2f}", f"{order.discount_total:.2f}", f"{order.delivery_price:.2f}",
                f"{order.total_to_pay:.2f}", order.get_channel_display(), str(order.manager or ""),
                "; ".join(f"{line.sku} × {line.quantity}" for line in order.lines.all()),
            ]

    return header, rows()
