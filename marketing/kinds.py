"""What the shop can say to a customer, through which channel, with which placeholders.

Kinds are shared by message templates and the outbox. Each kind names the placeholders its
text may use: a template is checked against this list when saved, and the context handed to
`message_enqueue` is cut down to it, so a text can never reach anything but plain values.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class MessageKind(models.TextChoices):
    ORDER_ACCEPTED = "order_accepted", _("Order accepted")
    ORDER_CONFIRMED = "order_confirmed", _("Order confirmed")
    ORDER_SHIPPED = "order_shipped", _("Order shipped")
    ORDER_READY_FOR_PICKUP = "order_ready_for_pickup", _("Order ready for pickup")
    ORDER_PARCEL_WAITING = "order_parcel_waiting", _("Parcel still waiting")
    ORDER_DELIVERED = "order_delivered", _("Order delivered")
    ORDER_REFUNDED = "order_refunded", _("Payment refunded")
    # Trigger campaigns (abandoned cart, replenishment, welcome...) add their kinds here,
    # together with their placeholders below; they are marketing, not transactional.


_COMMON = frozenset({"shop_name", "customer_name"})
_ORDER = _COMMON | {"order_number", "total"}

PLACEHOLDERS: dict[str, frozenset[str]] = {
    MessageKind.ORDER_ACCEPTED: _ORDER,
    MessageKind.ORDER_CONFIRMED: _ORDER,
    MessageKind.ORDER_SHIPPED: _ORDER | {"tracking_number", "tracking_url"},
    MessageKind.ORDER_READY_FOR_PICKUP: _ORDER | {"pickup_address", "storage_deadline"},
    MessageKind.ORDER_PARCEL_WAITING: _ORDER | {"pickup_address", "storage_deadline", "tracking_number"},
    MessageKind.ORDER_DELIVERED: _ORDER,
    MessageKind.ORDER_REFUNDED: _ORDER | {"refund_amount"},
}

# Messages the customer needs to receive their order: sent without marketing consent.
TRANSACTIONAL_KINDS = frozenset(
    {
        MessageKind.ORDER_ACCEPTED,
        MessageKind.ORDER_CONFIRMED,
        MessageKind.ORDER_SHIPPED,
        MessageKind.ORDER_READY_FOR_PICKUP,
        MessageKind.ORDER_PARCEL_WAITING,
        MessageKind.ORDER_DELIVERED,
        MessageKind.ORDER_REFUNDED,
    }
)


def placeholders_for(kind: str) -> frozenset[str]:
    return PLACEHOLDERS.get(kind, _COMMON)


def sample_context() -> dict:
    """Values a preview renders with: one per placeholder any kind may use."""
    return {
        "shop_name": settings.STORE_NAME,
        "customer_name": "Анна",
        "order_number": "VT-10001",
        "total": Decimal("4990.00"),
        "tracking_number": "80085612345678",
        "tracking_url": "https://www.pochta.ru/tracking#80085612345678",
        "pickup_address": "Москва, ул. Тверская, 7, отделение 125009",
        "storage_deadline": datetime.date.today() + datetime.timedelta(days=15),
        "refund_amount": Decimal("4990.00"),
    }
