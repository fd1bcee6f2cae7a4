"""A fake of YooKassa's API v3 (payments, refunds, notifications) and of its confirmation page.

It keeps YooKassa's rules the shop relies on: Basic auth with the shop id and secret key, an
Idempotence-Key on every POST (the same key answers the first answer again), payments that stay
"pending" until the shopper pays or declines on the confirmation page, refunds that never
exceed what was paid. `notify_url` set, it posts its notifications there as YooKassa does."""

import json
import threading
import uuid
from decimal import Decimal
from html import escape
from urllib.parse import parse_qs

from core.http import basic_auth, json_request
from tests.fakes.server import FakeService

SHOP_ID, SECRET_KEY = "123456", "test_secret"


class FakeYooKassa(FakeService):
    def __init__(self) -> None:
        super().__init__()
        self.payments: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.created: list[dict] = []  # the bodies of accepted POST /payments, receipts included
        self.refund_requests: list[dict] = []
        self.notify_url = ""
        self.notifications_sent: list[bytes] = []
        self._answers: dict[tuple[str, str], tuple[int, dict]] = {}
        self._state_lock = threading.Lock()

    def settings(self, settings) -> None:
        """Point the shop (pytest-django's `settings`) at this fake."""
        settings.YOOKASSA_SHOP_ID, settings.YOOKASSA_SECRET_KEY = SHOP_ID, SECRET_KEY
        settings.YOOKASSA_API_URL = self.url + "/v3/"
        settings.YOOKASSA_TIMEOUT = 1
        settings.PAYMENT_PROVIDER = "yookassa"
        settings.PAYMENT_PAGE_ORIGINS = [self.url]  # its confirmation page, as YOOKASSA_CONFIRMATION_ORIGIN

    # --- what the shopper does on the confirmation page, and YooKassa's notification ---------

    def pay(self, payment_id: str) -> bytes:
        return self._decide(payment_id, "succeeded")

    def decline(self, payment_id: str) -> bytes:
        return self._decide(payment_id, "canceled")

    def notification(self, payment_id: str) -> bytes:
        payment = self.payments[payment_id]
        return json.dumps({"type": "notification", "event": f"payment.{payment['status']}",
                           "object": payment}).encode()

    def _decide(self, payment_id: str, status: str) -> bytes:
        with self._state_lock:
            payment = self.payments[payment_id]
            if payment["status"] == "pending":
                payment["status"] = status
                payment["paid"] = status == "succeeded"
                if status == "canceled":
                    payment["cancellation_details"] = {"party": "payment_network", "reason": "insufficient_funds"}
        body = self.notification(payment_id)
        if self.notify_url:
            self.notifications_sent.append(body)
            json_request("POST", self.notify_url, body=json.loads(body), timeout=10)
        return body

    # --- the API ---------------------------------------------------------------------------------

    def handle(self, method, path, query, headers, body):
        if path.startswith("/checkout/"):
            return self._confirmation_page(method, path.removeprefix("/checkout/"), body)
        if headers.get("Authorization") != basic_auth(SHOP_ID, SECRET_KEY):
            return 401, {"type": "error", "code": "invalid_credentials"}, "application/json"
        if method == "POST":
            key = headers.get("Idempotence-Key", "")
            if not key:
                return 400, {"type": "error", "code": "invalid_request",
                             "description": "Idempotence-Key is required"}, "application/json"
            with self._state_lock:
                if (path, key) not in self._answers:
                    self._answers[(path, key)] = self._post(path, json.loads(body))
                status, data = self._answers[(path, key)]
            return status, data, "application/json"
        kind, _, object_id = path.removeprefix("/v3/").partition("/")
        found = {"payments": self.payments, "refunds": self.refunds}.get(kind, {}).get(object_id)
        if found is None:
            return 404, {"type": "error", "code": "not_found"}, "application/json"
        return 200, found, "application/json"

    def _post(self, path: str, data: dict) -> tuple[int, dict]:
        if path == "/v3/payments":
            payment_id = str(uuid.uuid4())
            self.created.append(data)
            self.payments[payment_id] = {
                "id": payment_id, "status": "pending", "paid": False, "amount": data["amount"],
                "description": data.get("description", ""), "metadata": data.get("metadata", {}),
                "confirmation": {"type": "redirect", "confirmation_url": f"{self.url}/checkout/{payment_id}",
                                 "return_url": data["confirmation"]["return_url"]},
                "refunded_amount": {"value": "0.00", "currency": "RUB"}, "test": True,
            }
            return 200, self.payments[payment_id]
        if path == "/v3/refunds":
            self.refund_requests.append(data)
            payment = self.payments.get(data.get("payment_id", ""))
            if payment is None or payment["status"] != "succeeded":
                return 400, {"type": "error", "code": "invalid_request", "description": "Payment not refundable"}
            amount = Decimal(data["amount"]["value"])
            refunded = Decimal(payment["refunded_amount"]["value"])
            if refunded + amount > Decimal(payment["amount"]["value"]):
                return 400, {"type": "error", "code": "invalid_request", "description": "Refund exceeds payment"}
            payment["refunded_amount"]["value"] = f"{refunded + amount:.2f}"
            refund_id = str(uuid.uuid4())
            self.refunds[refund_id] = {"id": refund_id, "payment_id": payment["id"], "status": "succeeded",
                                       "amount": data["amount"]}
            return 200, self.refunds[refund_id]
        return 404, {"type": "error", "code": "not_found"}

    def _confirmation_page(self, method: str, payment_id: str, body: bytes):
        payment = self.payments.get(payment_id)
        if payment is None:
            return 404, b"unknown payment", "text/plain"
        if method == "POST":
            action = parse_qs(body.decode()).get("action", [""])[0]
            self.pay(payment_id) if action == "pay" else self.decline(payment_id)
            return 303, payment["confirmation"]["return_url"].encode(), "text/html"
        amount = escape(payment["amount"]["value"])
        page = f"""<!doctype html><html><head><meta charset="utf-8"><title>ЮKassa (fake)</title></head>
<body><h1>ЮKassa</h1><p class="amount">{amount} ₽</p>
<form method="post"><button name="action" value="pay">Заплатить</button>
<button name="action" value="decline">Отказаться</button></form></body></html>"""
        return 200, page.encode(), "text/html; charset=utf-8"
