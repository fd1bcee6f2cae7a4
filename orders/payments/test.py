"""A payment provider that needs no outside service: its "bank page" is a page of our own
site with "pay" and "decline" buttons, and its notifications are signed with HMAC-SHA256
exactly as a real provider's webhook would be."""

import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.urls import reverse

from orders.models import Payment, Refund
from orders.payments.base import BadNotification, PaymentNotice, PaymentProvider, RefundOutcome

SIGNATURE_HEADER = "X-Payment-Signature"


def test_secret() -> bytes:
    """PAYMENT_TEST_SECRET, or a key derived from SECRET_KEY so nothing needs configuring."""
    secret = getattr(settings, "PAYMENT_TEST_SECRET", "")
    if secret:
        return secret.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"vitrina.payments.test", hashlib.sha256).digest()


class TestPaymentProvider(PaymentProvider):
    __test__ = False  # not a pytest test class
    name = "test"

    def create_payment(self, payment: Payment, *, return_url: str) -> str:
        payment.external_id = str(payment.public_id)
        return reverse("orders:payment_test_page", args=[payment.public_id])

    def refund(self, refund: Refund) -> RefundOutcome:
        # The pretend bank gives the money back at once; the same key is the same refund.
        return RefundOutcome(external_id=refund.idempotency_key[:64], succeeded=True)

    def sign(self, body: bytes) -> str:
        return hmac.new(test_secret(), body, hashlib.sha256).hexdigest()

    def verify_signature(self, *, body: bytes, headers: Mapping[str, str]) -> bool:
        return hmac.compare_digest(self.sign(body), headers.get(SIGNATURE_HEADER, ""))

    def parse_notification(self, *, body: bytes) -> PaymentNotice:
        try:
            data = json.loads(body)
            status = data["status"]
            if status not in ("succeeded", "canceled"):
                raise BadNotification(f"Unknown status {status!r}")
            return PaymentNotice(
                event_id=str(data["event_id"])[:100],
                external_id=str(data["payment_id"])[:64],
                succeeded=status == "succeeded",
                amount=Decimal(str(data["amount"])) if data.get("amount") is not None else None,
            )
        except (ValueError, TypeError, KeyError, InvalidOperation) as error:
            raise BadNotification(str(error)) from error

    def notification_for(self, payment: Payment, *, succeeded: bool) -> bytes:
        """The notification the "bank" sends when the shopper presses a button."""
        return json.dumps({
            "event_id": uuid.uuid4().hex,
            "payment_id": payment.external_id,
            "status": "succeeded" if succeeded else "canceled",
            "amount": str(payment.amount),
        }).encode()
