"""YooKassa (ЮKassa), through its HTTP API v3: https://yookassa.ru/developers/api

- A payment is created with an Idempotence-Key (our payment's public id), so a retried request
  never makes a second charge; the shopper is redirected to its confirmation page.
- The fiscal receipt (54-FZ) goes with the payment: the order's items with their VAT code and
  the customer's e-mail or phone, so YooKassa's cash register prints it.
- YooKassa does not sign its notifications. As it recommends, we act only on the payment object
  fetched back from the API: a forged notification can only make us ask YooKassa about a payment,
  and the answer, not the notification, decides.
- The same fetch answers when a notification is lost (orders.payments.services.payments_pending_check).
"""

import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from urllib.parse import quote

from django.conf import settings

from core.http import Answer, basic_auth, json_request
from orders.models import Order, Payment, Refund
from orders.payments.base import (
    BadNotification,
    PaymentNotice,
    PaymentProvider,
    ProviderRefused,
    ProviderUnavailable,
    RefundOutcome,
)
from orders.payments.receipt import ReceiptItem, receipt_items

CURRENCY = "RUB"
# Paid online before the goods are handed over: "full prepayment" in the receipt's terms.
PAYMENT_MODE = "full_prepayment"


class YooKassaError(ProviderRefused):
    """YooKassa refused a request (a 4xx): our request or the shop's account needs fixing."""


def _money(value: Decimal) -> dict:
    return {"value": f"{value:.2f}", "currency": CURRENCY}


def receipt_for(order: Order, *, amount: Decimal | None = None) -> dict:
    """The receipt object of the YooKassa API for `amount` of the order (all of it by default)."""
    customer = {"email": order.email} if order.email else {"phone": order.phone.lstrip("+")}
    receipt = {"customer": customer, "items": [_receipt_item(item) for item in receipt_items(order, amount=amount)]}
    if settings.YOOKASSA_TAX_SYSTEM_CODE:
        receipt["tax_system_code"] = settings.YOOKASSA_TAX_SYSTEM_CODE
    return receipt


def _receipt_item(item: ReceiptItem) -> dict:
    return {
        "description": item.description[:128],
        "quantity": str(item.quantity),
        "amount": _money(item.unit_price),
        "vat_code": settings.YOOKASSA_VAT_CODE,
        "payment_subject": "service" if item.is_delivery else "commodity",
        "payment_mode": PAYMENT_MODE,
    }


class YooKassaProvider(PaymentProvider):
    name = "yookassa"

    @classmethod
    def is_configured(cls) -> bool:
        return bool(settings.YOOKASSA_SHOP_ID and settings.YOOKASSA_SECRET_KEY)

    def _call(self, method: str, path: str, *, body: dict | None = None, idempotence_key: str = "") -> Answer:
        headers = {"Authorization": basic_auth(settings.YOOKASSA_SHOP_ID, settings.YOOKASSA_SECRET_KEY)}
        if idempotence_key:
            headers["Idempotence-Key"] = idempotence_key
        answer = json_request(
            method, settings.YOOKASSA_API_URL.rstrip("/") + path, body=body, headers=headers,
            timeout=settings.YOOKASSA_TIMEOUT,
        )
        if answer.status == 429:
            raise ProviderUnavailable(f"YooKassa asks to slow down on {path}")
        if not answer.ok:
            detail = (answer.data or {}).get("description", "") if isinstance(answer.data, dict) else ""
            raise YooKassaError(f"{method} {path}: HTTP {answer.status} {detail}".strip())
        if not isinstance(answer.data, dict):
            raise ProviderUnavailable(f"{method} {path}: no JSON in the answer")
        return answer

    def create_payment(self, payment: Payment, *, return_url: str) -> str:
        order = payment.order
        answer = self._call("POST", "/payments", idempotence_key=str(payment.public_id), body={
            "amount": _money(payment.amount),
            "capture": True,
            "confirmation": {"type": "redirect", "return_url": return_url},
            "description": f"{settings.STORE_NAME}: {order.number}"[:128],
            "metadata": {"order_number": order.number, "payment_id": str(payment.public_id)},
            "receipt": receipt_for(order, amount=payment.amount),
        })
        try:
            payment.external_id = str(answer.data["id"])[:64]
            return str(answer.data["confirmation"]["confirmation_url"])
        except (KeyError, TypeError) as error:
            raise YooKassaError(f"Unexpected answer to a new payment: {answer.data!r}") from error

    def refund(self, refund: Refund) -> RefundOutcome:
        payment = refund.payment
        answer = self._call("POST", "/refunds", idempotence_key=refund.idempotency_key, body={
            "payment_id": payment.external_id,
            "amount": _money(refund.amount),
            "description": f"{payment.order.number}: {refund.get_reason_display()}"[:250],
            "receipt": receipt_for(payment.order, amount=refund.amount),
        })
        status = answer.data.get("status")
        if status == "canceled":
            reason = (answer.data.get("cancellation_details") or {}).get("reason", "")
            raise YooKassaError(f"Refund canceled by YooKassa: {reason}")
        return RefundOutcome(external_id=str(answer.data.get("id", ""))[:64],
                             succeeded=True if status == "succeeded" else None)

    def verify_signature(self, *, body: bytes, headers: Mapping[str, str]) -> bool:
        # Nothing to check in the request itself: parse_notification believes only the API.
        return True

    def parse_notification(self, *, body: bytes) -> PaymentNotice:
        try:
            data = json.loads(body)
            event, external_id = data["event"], str(data["object"]["id"])
        except (ValueError, TypeError, KeyError) as error:
            raise BadNotification(str(error)) from error
        if not str(event).startswith("payment."):
            raise BadNotification(f"Not about a payment: {event!r}")
        notice = self._notice(self._fetch(external_id))
        if notice is None:
            raise BadNotification(f"Payment {external_id} is not decided yet")
        return notice

    def payment_status(self, payment: Payment) -> PaymentNotice | None:
        return self._notice(self._fetch(payment.external_id))

    def _fetch(self, external_id: str) -> dict:
        try:
            return self._call("GET", f"/payments/{quote(external_id, safe='')}").data
        except YooKassaError as error:
            raise BadNotification(str(error)) from error

    @staticmethod
    def _notice(payment: dict) -> PaymentNotice | None:
        """A decided payment as a notice; None while the shopper is still paying. The event id is
        the payment and its final status, so however often YooKassa (or our poll) reports the
        outcome, it is stored and acted upon once."""
        status = payment.get("status")
        if status not in ("succeeded", "canceled"):
            return None
        try:
            amount = Decimal(str(payment["amount"]["value"]))
        except (KeyError, TypeError, InvalidOperation) as error:
            raise BadNotification(f"No amount in {payment!r}") from error
        external_id = str(payment.get("id", ""))[:64]
        return PaymentNotice(
            event_id=f"{external_id}:{status}", external_id=external_id,
            succeeded=status == "succeeded", amount=amount,
        )
