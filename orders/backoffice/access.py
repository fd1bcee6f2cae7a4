"""Who may do what with an order. The admin and the staff API ask the same questions here.

Roles are Django groups (customers/roles.py); the rules below add ownership on top: a manager
works only the orders they took, unless they hold orders.supervise_orders (owners do)."""

from customers.models import User
from orders.models import Order

# What the warehouse moves an order through, with orders.ship_orders and no claim of its own.
WAREHOUSE_STATUSES = frozenset({Order.Status.PACKED, Order.Status.SHIPPED, Order.Status.READY_FOR_PICKUP})


def can_claim(user: User) -> bool:
    return user.is_active and user.has_perm("orders.claim_orders")


def can_supervise(user: User) -> bool:
    return user.is_active and user.has_perm("orders.supervise_orders")


def can_change_order(user: User, order: Order) -> bool:
    """Edit the order's lines, delivery and contact, call the customer, move it along."""
    if not (user.is_active and user.has_perm("orders.change_order")):
        return False
    return order.manager_id == user.pk or can_supervise(user)


def can_move_order(user: User, order: Order, to_status: str) -> bool:
    """Whether `user` may ask for this move; whether the move is legal is the order's own rule."""
    if to_status == Order.Status.IN_PROGRESS:
        return can_claim(user) or can_supervise(user)
    if to_status in WAREHOUSE_STATUSES and user.is_active and user.has_perm("orders.ship_orders"):
        return True
    return can_change_order(user, order)


def next_statuses_for(user: User, order: Order) -> list[str]:
    """The legal next statuses this user may choose, in the order the Status choices list them."""
    allowed = order.TRANSITIONS.get(order.status, frozenset())
    return [status for status in Order.Status.values
            if status in allowed and status != Order.Status.IN_PROGRESS and can_move_order(user, order, status)]
