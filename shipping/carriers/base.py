"""What the shop needs from a carrier: a parcel's events by its tracking number, and (where the
carrier has them) its pickup points. Each carrier turns its own codes into our Stage."""

import datetime
from abc import ABC, abstractmethod
from dataclasses import dataclass
from decimal import Decimal

from core.http import ServiceUnavailable

# The carrier did not answer (timeout, network, its 5xx): nothing is known, ask again later.
CarrierUnavailable = ServiceUnavailable


class CarrierRefused(Exception):
    """The carrier refused the request (wrong keys, unknown tracking number format)."""


@dataclass(frozen=True)
class CarrierEvent:
    key: str  # the same operation always has the same key
    stage: int  # shipping.models.Stage
    happened_at: datetime.datetime
    description: str = ""
    storage_deadline: datetime.date | None = None  # given with an arrival, when the carrier says


@dataclass(frozen=True)
class PointData:
    code: str
    name: str
    city: str
    address: str
    opening_hours: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None


class Carrier(ABC):
    name: str = ""

    @classmethod
    @abstractmethod
    def is_configured(cls) -> bool:
        """Whether the shop has given the carrier's keys: parcels of others are not asked about."""

    @abstractmethod
    def track(self, tracking_number: str) -> list[CarrierEvent]:
        """Everything the carrier reports about the parcel so far, in any order."""

    def storage_deadline(self, arrived_at: datetime.datetime) -> datetime.date:
        """The last day at the pickup point when the carrier's answer does not say."""
        raise NotImplementedError

    def webhook_tracking_numbers(self, body: bytes) -> list[str]:
        """The parcels a webhook says have news; nothing for a carrier without webhooks."""
        return []

    def pickup_points(self) -> list[PointData]:
        """The carrier's pickup points and lockers."""
        raise NotImplementedError(f"{self.name} has no list of pickup points")
