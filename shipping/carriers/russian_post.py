"""Russian Post tracking, through its SOAP service (single access, getOperationHistory):
https://tracking.pochta.ru/specification. Russian Post has no webhooks for ordinary senders,
so its parcels are followed by polling only."""

import datetime
from xml.etree import ElementTree  # noqa: S405 (the answer of the configured carrier, over HTTPS)
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.http import http_request
from shipping.carriers.base import Carrier, CarrierEvent, CarrierRefused, CarrierUnavailable
from shipping.models import Stage

ENVELOPE = """<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"
  xmlns:oper="http://russianpost.org/operationhistory" xmlns:data="http://russianpost.org/operationhistory/data">
<soap:Header/>
<soap:Body><oper:getOperationHistory>
<data:OperationHistoryRequest><data:Barcode>{barcode}</data:Barcode><data:MessageType>0</data:MessageType>
<data:Language>RUS</data:Language></data:OperationHistoryRequest>
<data:AuthorizationHeader soap:mustUnderstand="1"><data:login>{login}</data:login>
<data:password>{password}</data:password></data:AuthorizationHeader>
</oper:getOperationHistory></soap:Body></soap:Envelope>"""

# Operation types (OperType) and, for "processing" (8), its attribute (OperAttr) that matter to
# the shop; every other operation means the parcel is on its way.
DELIVERED, RETURNED, PROCESSING = "2", "3", "8"
ARRIVED_AT_DELIVERY_OFFICE = "2"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element, *path: str):
    for name in path:
        element = next((child for child in element if _local(child.tag) == name), None)
        if element is None:
            return None
    return element


def _text(element, *path: str) -> str:
    found = _child(element, *path)
    return (found.text or "").strip() if found is not None else ""


class RussianPost(Carrier):
    name = "russian_post"

    @classmethod
    def is_configured(cls) -> bool:
        return bool(settings.RUSSIAN_POST_LOGIN and settings.RUSSIAN_POST_PASSWORD)

    def track(self, tracking_number: str) -> list[CarrierEvent]:
        body = ENVELOPE.format(
            barcode=escape(tracking_number), login=escape(settings.RUSSIAN_POST_LOGIN),
            password=escape(settings.RUSSIAN_POST_PASSWORD),
        ).encode()
        status, raw = http_request("POST", settings.RUSSIAN_POST_API_URL, data=body, timeout=settings.CARRIER_TIMEOUT,
                                   headers={"Content-Type": "application/soap+xml; charset=utf-8"})
        try:
            root = ElementTree.fromstring(raw)  # noqa: S314
        except ElementTree.ParseError as error:
            raise CarrierUnavailable(f"Russian Post answered something that is not XML: {error}") from error
        fault = next((element for element in root.iter() if _local(element.tag) == "Fault"), None)
        if fault is not None or status != 200:
            reason = " ".join(text.strip() for text in (fault.itertext() if fault is not None else []) if text.strip())
            raise CarrierRefused(f"Russian Post refused {tracking_number}: HTTP {status} {reason}".strip())
        return [event for record in root.iter() if _local(record.tag) == "historyRecord"
                for event in [self._event(record)] if event is not None]

    def _event(self, record) -> CarrierEvent | None:
        operation = _child(record, "OperationParameters")
        if operation is None:
            return None
        kind, attribute = _text(operation, "OperType", "Id"), _text(operation, "OperAttr", "Id")
        happened_at = parse_datetime(_text(operation, "OperDate"))
        if happened_at is None:
            return None
        if timezone.is_naive(happened_at):
            happened_at = timezone.make_aware(happened_at, datetime.UTC)
        if kind == DELIVERED:
            stage = Stage.DELIVERED
        elif kind == RETURNED:
            stage = Stage.RETURNED
        elif kind == PROCESSING and attribute == ARRIVED_AT_DELIVERY_OFFICE:
            stage = Stage.ARRIVED
        else:
            stage = Stage.IN_TRANSIT
        names = [_text(operation, "OperType", "Name"), _text(operation, "OperAttr", "Name")]
        place = _text(record, "AddressParameters", "OperationAddress", "Description")
        return CarrierEvent(
            key=f"{kind}.{attribute}@{happened_at.isoformat()}", stage=stage, happened_at=happened_at,
            description=", ".join(part for part in [*names, place] if part)[:255],
            storage_deadline=self.storage_deadline(happened_at) if stage == Stage.ARRIVED else None,
        )

    def storage_deadline(self, arrived_at: datetime.datetime) -> datetime.date:
        # Russian Post's answer has no storage date; its rule is a fixed number of days.
        return timezone.localdate(arrived_at) + datetime.timedelta(days=settings.RUSSIAN_POST_STORAGE_DAYS)
