"""Fakes of the carriers' APIs: Russian Post's SOAP tracking and CDEK's API v2 (OAuth token,
an order's statuses, pickup points). A test says what the carrier reports with `report(...)`."""

import datetime
import json
import re
import threading
import uuid
from html import escape

from tests.fakes.server import FakeService

CDEK_CLIENT_ID, CDEK_CLIENT_SECRET = "cdek-client", "cdek-secret"
POST_LOGIN, POST_PASSWORD = "post-login", "post-password"

SOAP_ANSWER = """<?xml version="1.0" encoding="UTF-8"?>
<S:Envelope xmlns:S="http://www.w3.org/2003/05/soap-envelope"><S:Body>
<ns7:getOperationHistoryResponse xmlns:ns7="http://russianpost.org/operationhistory"
 xmlns:ns3="http://russianpost.org/operationhistory/data">
<ns3:OperationHistoryData>{records}</ns3:OperationHistoryData>
</ns7:getOperationHistoryResponse></S:Body></S:Envelope>"""
SOAP_RECORD = """<ns3:historyRecord><ns3:AddressParameters><ns3:OperationAddress><ns3:Index>{index}</ns3:Index>
<ns3:Description>{place}</ns3:Description></ns3:OperationAddress></ns3:AddressParameters>
<ns3:OperationParameters><ns3:OperType><ns3:Id>{kind}</ns3:Id><ns3:Name>{kind_name}</ns3:Name></ns3:OperType>
<ns3:OperAttr><ns3:Id>{attribute}</ns3:Id><ns3:Name>{attribute_name}</ns3:Name></ns3:OperAttr>
<ns3:OperDate>{at}</ns3:OperDate></ns3:OperationParameters></ns3:historyRecord>"""
SOAP_FAULT = """<?xml version="1.0" encoding="UTF-8"?>
<S:Envelope xmlns:S="http://www.w3.org/2003/05/soap-envelope"><S:Body><S:Fault>
<S:Reason><S:Text xml:lang="ru">{reason}</S:Text></S:Reason></S:Fault></S:Body></S:Envelope>"""

POST_OPERATIONS = {
    "accepted": ("1", "1", "Приём", "Единичный"),
    "in_transit": ("8", "0", "Обработка", "Сортировка"),
    "arrived": ("8", "2", "Обработка", "Прибыло в место вручения"),
    "delivered": ("2", "1", "Вручение", "Вручение адресату"),
    "returned": ("3", "1", "Возврат", "Истек срок хранения"),
}


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0)


# What a generated parcel has reached, by its number's last digit: most are still on their way.
GENERATED_STAGES = ["in_transit"] * 6 + ["arrived"] * 2 + ["delivered", "returned"]


def generated_stage(number: str) -> str:
    return GENERATED_STAGES[int(number[-1]) % 10] if number[-1:].isdigit() else "in_transit"


class FakeRussianPost(FakeService):
    def __init__(self, *, generated: bool = False) -> None:
        super().__init__()
        self.history: dict[str, list[dict]] = {}
        self.generated = generated  # a bench: any barcode has a history made up from its digits
        self._state = threading.Lock()

    def settings(self, settings) -> None:
        settings.RUSSIAN_POST_LOGIN, settings.RUSSIAN_POST_PASSWORD = POST_LOGIN, POST_PASSWORD
        settings.RUSSIAN_POST_API_URL = self.url + "/rtm34"
        settings.CARRIER_TIMEOUT = 1

    def report(self, barcode: str, operation: str, *, at: datetime.datetime | None = None,
               place: str = "Москва 101000") -> None:
        kind, attribute, kind_name, attribute_name = POST_OPERATIONS[operation]
        with self._state:
            self.history.setdefault(barcode, []).append({
                "kind": kind, "attribute": attribute, "kind_name": kind_name, "attribute_name": attribute_name,
                "at": (at or _now()).isoformat(), "place": place, "index": place.split()[-1],
            })

    def handle(self, method, path, query, headers, body):
        text = body.decode()
        login = re.search(r"<data:login>(.*?)</data:login>", text)
        if not login or login.group(1) != POST_LOGIN:
            return 500, SOAP_FAULT.format(reason="Authorization failed").encode(), "application/soap+xml"
        barcode = re.search(r"<data:Barcode>(.*?)</data:Barcode>", text).group(1)
        if self.generated and barcode not in self.history:
            at = _now() - datetime.timedelta(days=3)
            self.report(barcode, "accepted", at=at)
            operation = {"in_transit": "in_transit", "arrived": "arrived", "delivered": "delivered",
                         "returned": "returned"}[generated_stage(barcode)]
            self.report(barcode, operation, at=at + datetime.timedelta(days=2))
        with self._state:
            records = [dict(record) for record in self.history.get(barcode, [])]
        xml = "".join(SOAP_RECORD.format(**{key: escape(value) for key, value in record.items()}) for record in records)
        return 200, SOAP_ANSWER.format(records=xml).encode(), "application/soap+xml; charset=utf-8"


CDEK_GENERATED = {"in_transit": "SENT_TO_RECIPIENT_CITY", "arrived": "ACCEPTED_AT_PICK_UP_POINT",
                  "delivered": "DELIVERED", "returned": "NOT_DELIVERED"}


class FakeCdek(FakeService):
    def __init__(self, *, generated: bool = False) -> None:
        super().__init__()
        self.generated = generated  # a bench: any CDEK number has statuses made up from its digits
        self.orders: dict[str, dict] = {}
        self.points: list[dict] = []
        self.tokens_issued = 0
        self._tokens: set[str] = set()
        self._state = threading.Lock()

    def settings(self, settings) -> None:
        settings.CDEK_CLIENT_ID, settings.CDEK_CLIENT_SECRET = CDEK_CLIENT_ID, CDEK_CLIENT_SECRET
        settings.CDEK_API_URL = self.url + "/v2/"
        settings.CARRIER_TIMEOUT = 1

    def report(self, number: str, code: str, *, name: str = "", at: datetime.datetime | None = None,
               keep_free_until: str | None = None) -> None:
        with self._state:
            order = self.orders.setdefault(number, {"uuid": str(uuid.uuid4()), "cdek_number": number, "statuses": []})
            order["statuses"].insert(0, {"code": code, "name": name or code, "city": "Москва",
                                         "date_time": (at or _now()).strftime("%Y-%m-%dT%H:%M:%S%z")})
            if keep_free_until:
                order["keep_free_until"] = keep_free_until

    def webhook(self, number: str, code: str) -> bytes:
        return json.dumps({"type": "ORDER_STATUS", "date_time": _now().isoformat(), "uuid": str(uuid.uuid4()),
                           "attributes": {"cdek_number": number, "code": code, "is_return": False}}).encode()

    def handle(self, method, path, query, headers, body):
        if path == "/v2/oauth/token":
            if query.get("client_id") != [CDEK_CLIENT_ID] or query.get("client_secret") != [CDEK_CLIENT_SECRET]:
                return 401, {"error": "invalid_client"}, "application/json"
            token = uuid.uuid4().hex
            with self._state:
                self._tokens.add(token)
                self.tokens_issued += 1
            return 200, {"access_token": token, "token_type": "bearer", "expires_in": 3599}, "application/json"
        if headers.get("Authorization", "").removeprefix("Bearer ") not in self._tokens:
            return 401, {"requests": [{"errors": [{"code": "v2_token_expired"}]}]}, "application/json"
        if path == "/v2/orders":
            number = (query.get("cdek_number") or [""])[0]
            if self.generated and number not in self.orders:
                at = _now() - datetime.timedelta(days=3)
                self.report(number, "RECEIVED_AT_SHIPMENT_WAREHOUSE", at=at)
                self.report(number, CDEK_GENERATED[generated_stage(number)], at=at + datetime.timedelta(days=2),
                            keep_free_until=(at + datetime.timedelta(days=9)).strftime("%Y-%m-%dT%H:%M:%S%z"))
            with self._state:
                order = json.loads(json.dumps(self.orders.get(number))) if number in self.orders else None
            if order is None:
                return 404, {"requests": [{"state": "INVALID", "errors": [{"code": "v2_entity_not_found"}]}]}, \
                    "application/json"
            return 200, {"entity": order, "requests": []}, "application/json"
        if path == "/v2/deliverypoints":
            return 200, self.points, "application/json"
        return 404, {"error": "not found"}, "application/json"


def cdek_point(code: str, *, city: str = "Москва", address: str = "ул. Тверская, 7", hours: str = "Пн-Вс 10:00-21:00",
               latitude: float = 55.7602, longitude: float = 37.6085) -> dict:
    return {"code": code, "name": f"Пункт {code}", "type": "PVZ", "work_time": hours,
            "location": {"city": city, "address": address, "latitude": latitude, "longitude": longitude}}
