"""Reads for the shopper-facing cart and checkout pages."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from customers.models import User
from orders.models import Cart, CartLine, DeliveryMethod, Order, PickupPoint


@dataclass(frozen=True)
class CartTotals:
    count: int
    total: Decimal


EMPTY_CART = CartTotals(count=0, total=Decimal("0.00"))


def cart_get(*, user: User | None, session_key: str = "") -> Cart | None:
    """The cart of a signed-in customer or of a guest's session, if there is one."""
    if user is not None and user.is_authenticated:
        return Cart.objects.filter(user=user).first()
    if not session_key:
        return None
    return Cart.objects.filter(user=None, session_key=session_key).first()


def cart_lines(*, cart: Cart | None) -> list[CartLine]:
    """The cart's lines with what the page shows of each (product, variant, today's price)."""
    if cart is None:
        return []
    return list(cart.lines.select_related("product", "variant__product").order_by("added_at", "id"))


def cart_totals(*, lines: list[CartLine]) -> CartTotals:
    """Items and their cost at today's prices."""
    return CartTotals(
        count=sum(line.quantity for line in lines),
        total=sum((line.line_total for line in lines), Decimal("0.00")),
    )


def cart_summary(*, user: User | None, session_key: str = "") -> CartTotals:
    """What the header's mini-cart shows, in one query."""
    if user is not None and user.is_authenticated:
        lines = CartLine.objects.filter(cart__user=user)
    elif session_key:
        lines = CartLine.objects.filter(cart__user=None, cart__session_key=session_key)
    else:
        return EMPTY_CART
    return cart_totals(lines=list(lines.select_related("product", "variant__product")))


def delivery_methods_active() -> QuerySet[DeliveryMethod]:
    return DeliveryMethod.objects.filter(is_active=True).order_by("position", "id")


def pickup_points_active() -> QuerySet[PickupPoint]:
    return PickupPoint.objects.filter(is_active=True, delivery_method__is_active=True).order_by(
        "city", "position", "name"
    )


def order_for_shopper(*, number: str, user: User | None, placed_in_session: list[str]) -> Order | None:
    """An order its customer may see: their account's, or one placed in this browser session."""
    order = Order.objects.select_related("delivery_method", "pickup_point").filter(number=number).first()
    if order is None:
        return None
    if user is not None and user.is_authenticated and order.user_id == user.pk:
        return order
    if order.user_id is None and number in placed_in_session:
        return order
    return None
