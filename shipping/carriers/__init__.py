"""The carriers the shop follows parcels at, by DeliveryMethod.Carrier value."""

from shipping.carriers.base import Carrier, CarrierEvent, CarrierRefused, CarrierUnavailable, PointData
from shipping.carriers.cdek import Cdek
from shipping.carriers.russian_post import RussianPost

CARRIERS: dict[str, type[Carrier]] = {RussianPost.name: RussianPost, Cdek.name: Cdek}


def carrier_get(name: str) -> Carrier:
    return CARRIERS[name]()


def carriers_configured() -> list[str]:
    return [name for name, carrier in CARRIERS.items() if carrier.is_configured()]


__all__ = [
    "CARRIERS", "Carrier", "CarrierEvent", "CarrierRefused", "CarrierUnavailable", "PointData", "carrier_get",
    "carriers_configured",
]
