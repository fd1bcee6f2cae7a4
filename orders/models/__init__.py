"""The orders app's data: delivery, carts, promo codes, orders with their history, the
back-office's calls and notes, and online payments. Import from here: `from orders.models import Order`."""

from orders.models.backoffice import CallLog, CustomerNote
from orders.models.cart import Cart, CartLine
from orders.models.delivery import DeliveryMethod, PickupPoint
from orders.models.order import Order, OrderEdit, OrderLine, OrderStatusChange
from orders.models.payment import Payment, PaymentNotification, Refund
from orders.models.promo import PromoCode, PromoCodeUse

__all__ = [
    "CallLog", "Cart", "CartLine", "CustomerNote", "DeliveryMethod", "Order", "OrderEdit", "OrderLine",
    "OrderStatusChange", "Payment", "PaymentNotification", "PickupPoint", "PromoCode", "PromoCodeUse", "Refund",
]
