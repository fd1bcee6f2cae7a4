"""CDEK, through its API v2 (https://api-docs.cdek.ru): OAuth client credentials, an order's
statuses by its CDEK number, order-status webhooks, and the list of pickup points and lockers.

CDEK's webhooks are not signed: a webhook only names the parcel, and the shop asks the API what
happened to it, so a forged webhook can at most make the shop look."""

import datetime
import json
import threading
import time
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from core.http import Answer, json_request
from shipping.carriers.base import Carrier, CarrierEvent, CarrierRefused, CarrierUnavailable, PointData
from shipping.models import Stage

STAGES = {
    "ACCEPTED_AT_PICK_UP_POINT": Stage.ARRIVED,  # at the pickup point
    "POSTOMAT_POSTED": Stage.ARRIVED,  # in the parcel locker
    "DELIVERED": Stage.DELIVERED,
    "POSTOMAT_RECEIVED": Stage.DELIVERED,  # taken out of the locker
    "NOT_DELIVERED": Stage.RETURNED,  # refused or not collected: goes back to the shop
    "RETURNED_TO_SENDER_WAREHOUSE": Stage.RETURNED,
}

_token_lock = threading.Lock()
_token: dict = {"value": "", "until": 0.0, "client": ""}  # "client": the API address and client id it is for


def _parse_moment(value: str) -> datetime.datetime | None:
    # CDEK writes "2026-12-01T10:15:00+0300": Python reads the offset without a colon too.
    try:
        moment = parse_datetime(value or "") or datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    except (TypeError, ValueError):
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, datetime.UTC)


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value)).quantize(Decimal("0.000001")) if value is not None else None
    except InvalidOperation:
        return None


class Cdek(Carrier):
    name = "cdek"

    @classmethod
    def is_configured(cls) -> bool:
        return bool(settings.CDEK_CLIENT_ID and settings.CDEK_CLIENT_SECRET)

    def _url(self, path: str) -> str:
        return settings.CDEK_API_URL.rstrip("/") + path

    def _access_token(self) -> str:
        """One token for the whole process until shortly before it expires (threads share it)."""
        with _token_lock:
            client = f"{settings.CDEK_API_URL} {settings.CDEK_CLIENT_ID}"
            if _token["value"] and _token["until"] > time.monotonic() and _token["client"] == client:
                return _token["value"]
            query = urlencode({"grant_type": "client_credentials", "client_id": settings.CDEK_CLIENT_ID,
                               "client_secret": settings.CDEK_CLIENT_SECRET})
            answer = json_request("POST", self._url(f"/oauth/token?{query}"), timeout=settings.CARRIER_TIMEOUT)
            if not answer.ok or not isinstance(answer.data, dict) or "access_token" not in answer.data:
                raise CarrierRefused(f"CDEK refused the shop's keys: HTTP {answer.status}")
            lifetime = float(answer.data.get("expires_in") or 3600)
            _token.update(value=answer.data["access_token"], until=time.monotonic() + lifetime * 0.9, client=client)
            return _token["value"]

    def _get(self, path: str) -> Answer:
        """GET with the shop's token; a token CDEK no longer accepts is replaced once."""
        for _attempt in range(2):
            answer = json_request("GET", self._url(path), timeout=settings.CARRIER_TIMEOUT,
                                  headers={"Authorization": f"Bearer {self._access_token()}"})
            if answer.status != 401:
                break
            with _token_lock:
                _token["value"] = ""
        if answer.status == 401:
            raise CarrierRefused("CDEK does not accept the shop's token")
        if answer.status == 429:
            raise CarrierUnavailable("CDEK asks to slow down")
        return answer

    def track(self, tracking_number: str) -> list[CarrierEvent]:
        answer = self._get("/orders?" + urlencode({"cdek_number": tracking_number}))
        entity = answer.data.get("entity") if isinstance(answer.data, dict) else None
        if not answer.ok or not isinstance(entity, dict):
            raise CarrierRefused(f"CDEK does not know {tracking_number}: HTTP {answer.status}")
        keep_until = entity.get("keep_free_until") or ""
        deadline = (_parse_moment(keep_until) or None) if "T" in keep_until else parse_date(keep_until)
        if isinstance(deadline, datetime.datetime):
            deadline = timezone.localdate(deadline)
        events = []
        for status in entity.get("statuses") or []:
            code, happened_at = str(status.get("code", "")), _parse_moment(status.get("date_time", ""))
            if not code or happened_at is None:
                continue
            stage = STAGES.get(code, Stage.IN_TRANSIT)
            events.append(CarrierEvent(
                key=f"{code}@{happened_at.isoformat()}", stage=stage, happened_at=happened_at,
                description=", ".join(part for part in (status.get("name", ""), status.get("city", "")) if part)[:255],
                storage_deadline=(deadline or self.storage_deadline(happened_at)) if stage == Stage.ARRIVED else None,
            ))
        return events

    def storage_deadline(self, arrived_at: datetime.datetime) -> datetime.date:
        return timezone.localdate(arrived_at) + datetime.timedelta(days=settings.CDEK_STORAGE_DAYS)

    def webhook_tracking_numbers(self, body: bytes) -> list[str]:
        try:
            data = json.loads(body)
            if data.get("type") != "ORDER_STATUS":
                return []
            number = str(data["attributes"]["cdek_number"])
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise CarrierRefused(f"Not a CDEK webhook: {error}") from error
        return [number]

    def pickup_points(self) -> list[PointData]:
        answer = self._get("/deliverypoints?" + urlencode({"country_code": "RU"}))
        if not answer.ok or not isinstance(answer.data, list):
            raise CarrierRefused(f"CDEK did not give its pickup points: HTTP {answer.status}")
        points = []
        for point in answer.data:
            location = point.get("location") or {}
            if not point.get("code") or not location.get("address"):
                continue
            points.append(PointData(
                code=str(point["code"])[:64], name=str(point.get("name") or point["code"])[:120],
                city=str(location.get("city", ""))[:100], address=str(location["address"])[:255],
                opening_hours=str(point.get("work_time", ""))[:255],
                latitude=_decimal(location.get("latitude")), longitude=_decimal(location.get("longitude")),
            ))
        return points
