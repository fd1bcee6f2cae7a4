"""Known-answer fixtures for the analytics: visits and orders placed at chosen shop times."""

import uuid
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from analytics.periods import Period, shop_today
from analytics.reports.reading import FiguresReader
from analytics.rollups import rollups_rebuild
from customers.models import Visit
from orders.models import Order
from tests.factories import OrderFactory, VisitFactory


@pytest.fixture(autouse=True)
def _moscow_shop(settings):
    settings.TIME_ZONE = "Europe/Moscow"
    settings.ANALYTICS_TODAY_SECONDS = 0  # each test reads today as it is; the cache has its own test


@pytest.fixture
def day(db):
    """A shop day well in the past, so its rollup can be filled."""
    return shop_today() - timedelta(days=10)


def at(day, hour: int, minute: int = 0) -> datetime:
    """An aware moment on the shop's clock."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)), timezone.get_default_timezone())


def make_visit(when, *, channel=Visit.Channel.DIRECT, visitor=None, utm_source="", utm_campaign="",
               device=Visit.Device.MOBILE, user=None, landing_page="/") -> Visit:
    return VisitFactory(started_at=when, channel=channel, visitor_id=visitor or uuid.uuid4(), utm_source=utm_source,
                        utm_campaign=utm_campaign, device=device, user=user, landing_page=landing_page)


def make_order(when, *, visit=None, status=Order.Status.NEW, total="1300.00", phone=None, channel=None,
               **fields) -> Order:
    """An order as the checkout records it, placed at `when` (set after the fact, as a day passed)."""
    extra = {"phone": phone} if phone else {}
    order = OrderFactory(
        visit=visit, status=status, total_to_pay=Decimal(total),
        channel=channel if channel is not None else (visit.channel if visit else ""),
        utm_source=visit.utm_source if visit else "", utm_campaign=visit.utm_campaign if visit else "",
        **extra, **fields,
    )
    Order.objects.filter(pk=order.pk).update(created_at=when)
    order.refresh_from_db()
    return order


def figures(period_or_day, *, attribution="last_non_direct", **kwargs):
    period = period_or_day if isinstance(period_or_day, Period) else Period(period_or_day, period_or_day)
    return FiguresReader(attribution=attribution).total(period, **kwargs)


def by_channel(period_or_day, *, attribution="last_non_direct"):
    period = period_or_day if isinstance(period_or_day, Period) else Period(period_or_day, period_or_day)
    found = FiguresReader(attribution=attribution).figures(period, by=("channel",))
    return {key[0]: value for key, value in found.items()}


@pytest.fixture(params=["live", "stored"])
def any_reader(request, db):
    """A reader of days computed live, or of the rollups the beat filled: every report reads the
    same figures from both."""
    def _reader(attribution="last_non_direct"):
        if request.param == "stored":
            rollups_rebuild()
        return FiguresReader(attribution=attribution)
    return _reader
