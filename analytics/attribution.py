"""Which channel an order is credited to. Pure functions over plain rows, so the rules are
easy to test and to read; analytics.rollups feeds them a day's orders and their buyers' visits.

An order's buyer is known by the visitor cookie of the visit it was placed on, and by the
account when signed in (a customer browsing on a phone and ordering on a computer is one
buyer). Visits up to LOOKBACK before the order count; "direct" (a typed address, a bookmark)
is the default of a returning buyer and is credited only when nothing else brought them."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from analytics.models import UNKNOWN_CHANNEL, Attribution
from customers.models import Visit
from orders.models import Order

LOOKBACK = timedelta(days=30)


@dataclass(frozen=True)
class Source:
    channel: str
    utm_source: str = ""
    utm_campaign: str = ""
    landing_page: str = ""  # of the credited visit; none for phone orders and orders with no visit


@dataclass(frozen=True)
class VisitRow:
    started_at: datetime
    channel: str
    utm_source: str
    utm_campaign: str
    landing_page: str = ""

    @property
    def source(self) -> Source:
        return Source(self.channel, self.utm_source, self.utm_campaign, landing_path(self.landing_page))


def landing_path(address: str) -> str:
    """The page a visit began on, as the owner compares pages: the path without the query, so
    /catalog/?utm_source=vk and /catalog/?yclid=1 are one page."""
    return urlsplit(address or "").path or ("/" if address else "")


def order_source(*, attribution: str, order_channel: str, order_utm: tuple[str, str], placed_at: datetime,
                 own_visit: VisitRow | None, buyer_visits: list[VisitRow]) -> Source:
    """The channel (and UTM source and campaign) `attribution` credits the order to.

    Phone orders are their own channel; an order that came with no visit keeps what it recorded,
    or is "not known"."""
    if order_channel == Order.Channel.PHONE:
        return Source(Order.Channel.PHONE)
    if own_visit is None:
        return Source(order_channel, *order_utm) if order_channel else Source(UNKNOWN_CHANNEL)
    window = [visit for visit in buyer_visits if placed_at - LOOKBACK <= visit.started_at <= placed_at]
    window.append(own_visit)
    if attribution == Attribution.FIRST_VISIT:
        return min(window, key=lambda visit: visit.started_at).source
    brought = [visit for visit in window if visit.channel != Visit.Channel.DIRECT]
    return max(brought, key=lambda visit: visit.started_at).source if brought else own_visit.source
