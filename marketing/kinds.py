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
    # The guest's "tell me when it is back" asks them to confirm their address first.
    BACK_IN_STOCK_CONFIRM = "back_in_stock_confirm", _("Confirm the back-in-stock request")
    # Trigger campaigns: marketing, sent only with the customer's consent and within the caps.
    ABANDONED_CART = "abandoned_cart", _("Abandoned cart")
    BROWSE_ABANDONMENT = "browse_abandonment", _("Viewed, not bought")
    REPLENISHMENT = "replenishment", _("Running out")
    REVIEW_REQUEST = "review_request", _("Review request")
    WELCOME = "welcome", _("Welcome")
    BIRTHDAY = "birthday", _("Birthday")
    REACTIVATION = "reactivation", _("We miss you")
    LOYALTY_THRESHOLD = "loyalty_threshold", _("Loyalty threshold")
    CROSS_SELL = "cross_sell", _("Goes well with your order")
    BACK_IN_STOCK = "back_in_stock", _("Back in stock")
    PRICE_DROP = "price_drop", _("Price drop")
    # A marketer's one-off message to a segment.
    BROADCAST = "broadcast", _("Broadcast")


_COMMON = frozenset({"shop_name", "customer_name"})
_ORDER = _COMMON | {"order_number", "total"}
# A campaign text links to one place (the cart, the product, the shop) and may offer a code.
_CAMPAIGN = _COMMON | {"link", "promo_code", "promo_valid_until"}

PLACEHOLDERS: dict[str, frozenset[str]] = {
    MessageKind.ORDER_ACCEPTED: _ORDER,
    MessageKind.ORDER_CONFIRMED: _ORDER,
    MessageKind.ORDER_SHIPPED: _ORDER | {"tracking_number", "tracking_url"},
    MessageKind.ORDER_READY_FOR_PICKUP: _ORDER | {"pickup_address", "storage_deadline"},
    MessageKind.ORDER_PARCEL_WAITING: _ORDER | {"pickup_address", "storage_deadline", "tracking_number"},
    MessageKind.ORDER_DELIVERED: _ORDER,
    MessageKind.ORDER_REFUNDED: _ORDER | {"refund_amount"},
    MessageKind.BACK_IN_STOCK_CONFIRM: _COMMON | {"product_name", "link"},
    MessageKind.ABANDONED_CART: _CAMPAIGN | {"items_total", "items_count"},
    MessageKind.BROWSE_ABANDONMENT: _CAMPAIGN | {"product_name", "category_name"},
    MessageKind.REPLENISHMENT: _CAMPAIGN | {"product_name"},
    MessageKind.REVIEW_REQUEST: _CAMPAIGN | {"order_number", "product_name"},
    MessageKind.WELCOME: _CAMPAIGN,
    MessageKind.BIRTHDAY: _CAMPAIGN,
    MessageKind.REACTIVATION: _CAMPAIGN,
    MessageKind.LOYALTY_THRESHOLD: _CAMPAIGN | {"spent"},
    MessageKind.CROSS_SELL: _CAMPAIGN | {"order_number"},
    MessageKind.BACK_IN_STOCK: _CAMPAIGN | {"product_name", "price"},
    MessageKind.PRICE_DROP: _CAMPAIGN | {"product_name", "price", "old_price"},
    MessageKind.BROADCAST: _CAMPAIGN,
}

# Messages the customer needs to receive their order, or asked for this moment (confirming their
# address): sent without marketing consent.
TRANSACTIONAL_KINDS = frozenset(
    {
        MessageKind.ORDER_ACCEPTED,
        MessageKind.ORDER_CONFIRMED,
        MessageKind.ORDER_SHIPPED,
        MessageKind.ORDER_READY_FOR_PICKUP,
        MessageKind.ORDER_PARCEL_WAITING,
        MessageKind.ORDER_DELIVERED,
        MessageKind.ORDER_REFUNDED,
        MessageKind.BACK_IN_STOCK_CONFIRM,
    }
)


# Every kind a campaign can be triggered by; all of them are marketing (and so is a broadcast,
# which the marketer starts by hand).
TRIGGER_KINDS = tuple(
    kind for kind in MessageKind if kind not in TRANSACTIONAL_KINDS and kind != MessageKind.BROADCAST
)


def is_marketing(kind: str) -> bool:
    """Marketing needs consent and counts against the frequency cap; order messages never do."""
    return kind not in TRANSACTIONAL_KINDS


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
        "link": f"{settings.SHOP_URL}/cart/",
        "promo_code": "VT-7KQ2M9",
        "promo_valid_until": datetime.date.today() + datetime.timedelta(days=7),
        "items_total": Decimal("3480.00"),
        "items_count": 3,
        "product_name": "Крем для рук «Облепиха», 75 мл",
        "category_name": "Уход за руками",
        "price": Decimal("390.00"),
        "old_price": Decimal("490.00"),
        "spent": Decimal("15000.00"),
    }
