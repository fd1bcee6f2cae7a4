"""What the orders app announces. Both signals are sent inside the transaction that makes
the change: a receiver's own rows commit or roll back with it, and anything that leaves the
database (an SMS, an e-mail) must be scheduled with transaction.on_commit."""

from django.dispatch import Signal

# An order was placed. Arguments: order.
order_placed = Signal()

# An order moved to another status. Arguments: order, from_status, to_status, by (a user or None).
order_status_changed = Signal()

# Money of an order's payment went back to the customer (the provider confirmed the refund).
# Arguments: order, refund.
payment_refunded = Signal()
