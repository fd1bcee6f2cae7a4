"""Reading figures for a period: the stored daily rollups, merged with the days computed live
(today, and any day the beat has not filled or that changed since it was filled)."""

import hashlib
import typing
from collections import defaultdict
from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.db.models import Sum

from analytics.models import (
    CampaignDay,
    CancellationDay,
    CategoryDay,
    ChannelDay,
    DeliveryDay,
    LandingDay,
    ManagerDay,
    MarketingCost,
    RollupChange,
    RollupDay,
)
from analytics.periods import Period, shop_today
from analytics.reports.figures import ADDITIVE, Figures
from analytics.rollups import PART_OF, DayRows, day_part_compute, first_day_with_data
from analytics.routers import replica_reads

# Today's rows are cached pickled: a release that changes what a day keeps reads none of the
# previous release's rows (their missing fields would be read from the database).
ROWS_SHAPE = hashlib.blake2b(repr([
    (name, [field.name for field in typing.get_args(hint)[0]._meta.concrete_fields])
    for name, hint in typing.get_type_hints(DayRows).items()
]).encode(), digest_size=4).hexdigest()

# What a report may group by and filter on.
DIMENSIONS = ("day", "channel", "utm_source", "utm_campaign", "device")
COST_DIMENSIONS = ("day", "channel", "utm_source", "utm_campaign")


class FiguresReader:
    """Reads one attribution's figures; days computed live are computed once per reader, so a
    dashboard asking five questions about today pays for today once."""

    def __init__(self, *, attribution: str, today: date | None = None) -> None:
        self.attribution = attribution
        self.today = today or shop_today()
        self._live: dict[date, LiveDay] = {}
        self._splits: dict[Period, tuple[list[date], list[date]]] = {}

    def figures(self, period: Period, *, by: tuple[str, ...] = (), **filters) -> dict[tuple, Figures]:
        """{(values of `by`...): Figures} over the period; `filters` are exact matches on DIMENSIONS."""
        assert set(by) <= set(DIMENSIONS) and set(filters) <= set(DIMENSIONS)
        result: dict[tuple, Figures] = defaultdict(Figures)
        stored, live = self._split(period)
        if stored:
            rows = _grouped(ChannelDay.objects.filter(attribution=self.attribution, day__in=stored, **filters),
                            by, {name: Sum(name) for name in ADDITIVE})
            for values in rows:
                if values["visits"] is not None:
                    result[tuple(values[name] for name in by)].add(Figures(**{n: values[n] for n in ADDITIVE}))
        for day in live:
            for row in self._live_rows(day):
                if all(getattr(row, name) == value for name, value in filters.items()):
                    result[tuple(getattr(row, name) for name in by)].add(row)
        self._add_costs(result, period, by=by, filters=filters)
        return dict(result)

    def total(self, period: Period, **filters) -> Figures:
        return self.figures(period, **filters).get((), Figures())

    def _split(self, period: Period) -> tuple[list[date], list[date]]:
        if period not in self._splits:
            self._splits[period] = self._ready_and_live(period)
        return self._splits[period]

    def _ready_and_live(self, period: Period) -> tuple[list[date], list[date]]:
        # Days before the shop's first visit or order hold nothing: neither stored nor computed.
        first = self._first_day()
        days = [day for day in period.each_day() if first is not None and first <= day <= self.today]
        if not days:
            return [], []
        ready = set(RollupDay.objects.filter(state=RollupDay.State.DONE, day__gte=days[0], day__lte=days[-1])
                    .values_list("day", flat=True))
        ready -= set(RollupChange.objects.filter(day__gte=days[0], day__lte=days[-1]).values_list("day", flat=True))
        ready.discard(self.today)
        return [day for day in days if day in ready], [day for day in days if day not in ready]

    def _first_day(self) -> date | None:
        if not hasattr(self, "_first"):
            self._first = first_day_with_data()
        return self._first

    def _day_rows(self, day: date) -> "LiveDay":
        if day not in self._live:
            self._live[day] = LiveDay(day, shared=day == self.today)
        return self._live[day]

    def _live_rows(self, day: date) -> list[ChannelDay]:
        return [row for row in self._day_rows(day).channels if row.attribution == self.attribution]

    def summed(self, period: Period, *, model, rows: Callable[["LiveDay"], list], keys: tuple[str, ...],
               fields: tuple[str, ...], **filters) -> dict[tuple, dict]:
        """{(values of `keys`...): {field: sum}} of one rollup table over the period: the stored
        days summed by the database, the live days' rows (`rows` picks them from a LiveDay) added."""
        stored, live = self._split(period)
        result: dict[tuple, dict] = defaultdict(lambda: dict.fromkeys(fields, 0))
        if stored:
            for values in (model.objects.filter(day__in=stored, **filters).values(*keys)
                           .annotate(**{name: Sum(name) for name in fields}).order_by()):
                _add(result[tuple(values[key] for key in keys)], values, fields)
        for day in live:
            for row in rows(self._day_rows(day)):
                if all(getattr(row, name) == value for name, value in filters.items()):
                    _add(result[tuple(getattr(row, key) for key in keys)], vars(row), fields)
        return dict(result)

    def merged(self, period: Period, *, model, rows: Callable[["LiveDay"], list], key: str, fields: tuple[str, ...],
               histograms: tuple[str, ...]) -> dict:
        """{key value: one unsaved row of `model` with `fields` summed and `histograms` merged}:
        for rollups whose waits are kept as histograms, which the database cannot add up."""
        stored, live = self._split(period)
        result = {}
        stored_rows = list(model.objects.filter(day__in=stored)) if stored else []
        for row in [*stored_rows, *(row for day in live for row in rows(self._day_rows(day)))]:
            total = result.get(getattr(row, key))
            if total is None:
                total = result[getattr(row, key)] = model(**{key: getattr(row, key)},
                                                          **{name: {} for name in histograms})
            for name in fields:
                setattr(total, name, getattr(total, name) + getattr(row, name))
            for name in histograms:
                histogram_add(getattr(total, name), getattr(row, name))
        return result

    def categories(self, period: Period) -> dict[int, dict]:
        """{category id: {product_views, viewing_visits, orders, quantity, revenue}} over the period."""
        found = self.summed(period, model=CategoryDay, rows=lambda day: day.categories, keys=("category_id",),
                            fields=("product_views", "viewing_visits", "orders", "quantity", "revenue"))
        return {key[0]: values for key, values in found.items()}

    def managers(self, period: Period) -> dict[int, ManagerDay]:
        """{manager id: ManagerDay summed over the period, histograms merged}."""
        return self.merged(period, model=ManagerDay, rows=lambda day: day.managers, key="manager_id",
                           fields=("claimed", "called", "called_in_target", "cancelled", "revenue"),
                           histograms=("claim_waits", "call_waits"))

    def deliveries(self, period: Period) -> dict[int, DeliveryDay]:
        """{delivery method id: DeliveryDay summed over the period, delivery times merged}."""
        return self.merged(period, model=DeliveryDay, rows=lambda day: day.deliveries, key="delivery_method_id",
                           fields=("orders", "cancelled", "sent", "delivered", "not_collected", "returned"),
                           histograms=("delivery_waits",))

    def landings(self, period: Period) -> dict[str, dict]:
        """{landing page: {visits, orders, kept_orders, revenue}} under this reader's attribution."""
        found = self.summed(period, model=LandingDay, rows=lambda day: day.landings, keys=("landing_page",),
                            fields=("visits", "orders", "kept_orders", "revenue"), attribution=self.attribution)
        return {key[0]: values for key, values in found.items()}

    def campaigns(self, period: Period) -> dict[int, dict]:
        """{campaign id: {sent, clicks, orders, revenue}} over the period."""
        found = self.summed(period, model=CampaignDay, rows=lambda day: day.campaigns, keys=("campaign_id",),
                            fields=("sent", "clicks", "orders", "revenue"))
        return {key[0]: values for key, values in found.items()}

    def cancellations(self, period: Period) -> dict[tuple, dict]:
        """{(manager id or None, reason): {orders, amount}} over the period."""
        return self.summed(period, model=CancellationDay, rows=lambda day: day.cancellations,
                           keys=("manager_id", "reason"), fields=("orders", "amount"))

    def days(self, period: Period) -> tuple[list[date], list[date]]:
        """The period's days read from the rollups, and the days computed live: for a report that
        sums a rollup in the database its own way (distinct customers, say) and merges the rest."""
        return self._split(period)

    def live_rows(self, day: date) -> "LiveDay":
        return self._day_rows(day)

    @staticmethod
    def _add_costs(result, period: Period, *, by, filters) -> None:
        """Marketing costs are entered per day and channel, not per device: grouped or filtered by
        device, they stay with the rows of no device."""
        if "device" in filters and filters["device"] != "":
            return
        cost_filters = {name: value for name, value in filters.items() if name in COST_DIMENSIONS}
        cost_by = [name for name in by if name in COST_DIMENSIONS]
        costs = _grouped(MarketingCost.objects.filter(day__gte=period.start, day__lte=period.end, **cost_filters),
                         cost_by, {"total": Sum("amount")})
        for values in costs:
            if values["total"] is None:
                continue
            key = tuple(values.get(name, "") for name in by)
            result[key].cost += values["total"]


def histogram_add(total: dict, histogram: dict) -> None:
    for bucket, count in histogram.items():
        total[bucket] = total.get(bucket, 0) + count


class LiveDay:
    """A day computed live, part by part as reports read its tables (`day.channels`, as on a
    DayRows), each part once. Today's parts are shared through the cache for
    ANALYTICS_TODAY_SECONDS: an owner flipping between reports (or ten of them at once) costs one
    computation of a part a minute, not one per page. A cache that cannot be reached (Redis down)
    is a miss: the part is computed, the page is slower, never wrong."""

    def __init__(self, day: date, *, shared: bool) -> None:
        self.day, self.shared = day, shared
        self._tables: dict[str, list] = {}

    def __getattr__(self, table: str) -> list:
        if table not in PART_OF:
            raise AttributeError(table)
        if table not in self._tables:
            self._tables.update(self._part(PART_OF[table]))
        return self._tables[table]

    def _part(self, part: str) -> dict[str, list]:
        seconds = settings.ANALYTICS_TODAY_SECONDS
        if not (self.shared and seconds):
            return day_part_compute(self.day, part)
        key = _today_key(self.day, part)
        rows = cache.get(key)
        if rows is None:
            rows = day_part_compute(self.day, part)
            cache.set(key, rows, seconds)
        return rows


def _today_key(day: date, part: str) -> str:
    return f"analytics:today:{ROWS_SHAPE}:{day.isoformat()}:{part}"


# The parts of today the dashboard reads (KPIs, trend, channels and funnel; categories; managers).
DASHBOARD_PARTS = ("channels", "categories", "managers")


def today_parts_warm(*, parts: tuple[str, ...] = DASHBOARD_PARTS) -> None:
    """Compute today's dashboard parts and share them, as a reader would, for twice
    ANALYTICS_TODAY_SECONDS: run by beat every minute, so the owner's first look in a minute finds
    today computed instead of computing it (a second or more on a big shop). If the beat stops,
    they lapse and readers compute them again."""
    seconds = settings.ANALYTICS_TODAY_SECONDS
    if not seconds:
        return
    today = shop_today()
    with replica_reads():
        for part in parts:
            cache.set(_today_key(today, part), day_part_compute(today, part), 2 * seconds)


def _add(total: dict, values: dict, fields) -> None:
    for name in fields:
        total[name] += values.get(name) or 0


def _grouped(queryset, by, sums: dict) -> list[dict]:
    """Sums per group of `by`; one row for all when `by` is empty (values() with no field would
    group by every column)."""
    if not by:
        return [queryset.aggregate(**sums)]
    return list(queryset.values(*by).annotate(**sums).order_by())
