"""The orders write layer. Import from here: `from orders.services import order_place`."""

from orders.services.cart import (
    cart_add,
    cart_contact_update,
    cart_get_or_create,
    cart_line_remove,
    cart_line_set_quantity,
    cart_merge,
    quantity_parse,
)
from orders.services.checkout import CheckoutConsents, Placement, order_place
from orders.services.claim import OrderAlreadyClaimed, order_claim
from orders.services.contact import Contact, Delivery, contact_check, delivery_check, phone_normalize
from orders.services.phone import PhoneOrderLine, order_place_by_phone
from orders.services.pricing import Quote, cart_quote, carts_quote, price_quote
from orders.services.promo import promo_code_check
from orders.services.status import IllegalTransition, order_transition, points_to_earn
from orders.services.stock import OutOfStock

__all__ = [
    "CheckoutConsents", "Contact", "Delivery", "IllegalTransition", "OrderAlreadyClaimed", "OutOfStock",
    "PhoneOrderLine", "Placement", "Quote", "cart_add", "cart_contact_update", "cart_get_or_create",
    "cart_line_remove", "cart_line_set_quantity", "cart_merge", "cart_quote", "carts_quote", "contact_check",
    "delivery_check",
    "order_claim", "order_place", "order_place_by_phone", "order_transition", "phone_normalize", "points_to_earn",
    "price_quote", "promo_code_check", "quantity_parse",
]
