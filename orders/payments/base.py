"""What the shop needs from an online payment provider.

A provider registers a payment and says where to send the shopper; later it tells us the
outcome by a notification (a webhook) that we verify and parse. Everything else (the
Payment rows, idempotency, the order's payment status) is ours, in orders.payments.services,
so a real provider (YooKassa and the like) is one more subclass selected by PAYMENT_PROVIDER.
"""

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from orders.models import Payment


class BadNotification(Exception):
    """The notification cannot be understood (not what the provider sends)."""


@dataclass(frozen=True)
class PaymentNotice:
    """A provider's notification, reduced to what the shop acts upon."""

    event_id: str  # unique per notification: the same event delivered twice has the same id
    external_id: str  # the provider's id of the payment (Payment.external_id)
    succeeded: bool
    amount: Decimal | None = None


class PaymentProvider(ABC):
    name: str = ""

    @abstractmethod
    def create_payment(self, payment: Payment) -> str:
        """Register the payment (payment.order, payment.amount) with the provider, set
        payment.external_id, and return the address to send the shopper to for paying.
        Called once per Payment; payment.public_id is a good idempotency key for the provider."""

    @abstractmethod
    def verify_signature(self, *, body: bytes, headers: Mapping[str, str]) -> bool:
        """Whether the notification really comes from the provider."""

    @abstractmethod
    def parse_notification(self, *, body: bytes) -> PaymentNotice:
        """The notification's meaning; BadNotification when it has none."""
