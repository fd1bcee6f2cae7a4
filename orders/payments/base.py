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

from core.http import ServiceUnavailable
from orders.models import Payment, Refund

# The provider did not answer (a timeout, a network error, its 5xx): nothing is decided, ask again later.
ProviderUnavailable = ServiceUnavailable


class ProviderRefused(Exception):
    """The provider refused our request (its 4xx): the shop's account or our request needs fixing."""


class BadNotification(Exception):
    """The notification cannot be understood (not what the provider sends)."""


@dataclass(frozen=True)
class PaymentNotice:
    """A provider's notification, reduced to what the shop acts upon."""

    event_id: str  # unique per notification: the same event delivered twice has the same id
    external_id: str  # the provider's id of the payment (Payment.external_id)
    succeeded: bool
    amount: Decimal | None = None


@dataclass(frozen=True)
class RefundOutcome:
    external_id: str  # the provider's id of the refund
    succeeded: bool | None  # None: the provider is still processing it; ask again with the same key


class PaymentProvider(ABC):
    name: str = ""

    @classmethod
    def is_configured(cls) -> bool:
        """Whether the shop has given what the provider needs (keys): if not, it is not offered."""
        return True

    @abstractmethod
    def create_payment(self, payment: Payment, *, return_url: str) -> str:
        """Register the payment (payment.order, payment.amount) with the provider, set
        payment.external_id, and return the address to send the shopper to for paying; after
        paying the provider sends the shopper back to `return_url`. Called once per Payment;
        payment.public_id is a good idempotency key for the provider. ProviderUnavailable when
        the provider does not answer."""

    def payment_status(self, payment: Payment) -> PaymentNotice | None:
        """The payment's outcome as the provider knows it now, for when its notification is
        lost; None while it is undecided or if this provider cannot be asked."""
        return None

    @abstractmethod
    def verify_signature(self, *, body: bytes, headers: Mapping[str, str]) -> bool:
        """Whether the notification really comes from the provider."""

    @abstractmethod
    def parse_notification(self, *, body: bytes) -> PaymentNotice:
        """The notification's meaning; BadNotification when it has none."""

    @abstractmethod
    def refund(self, refund: Refund) -> RefundOutcome:
        """Give back refund.amount of refund.payment, with refund.idempotency_key as the
        provider's idempotency key, so asking again is the same refund (and says how it went).
        ProviderUnavailable when the provider does not answer, ProviderRefused when it says no."""
