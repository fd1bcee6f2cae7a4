"""Reading figures for a period: the stored daily rollups, merged with the days computed live
(today, and any day the beat has not filled or that changed since it was filled)."""

from collections import defaultdict
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.db.models import Sum

from analytics.models import CategoryDay, ChannelDay, ManagerDay, MarketingCost, RollupChange, RollupDay, ShopDay
from analytics.periods import Period, shop_today
from analytics.reports.figures import ADDITIVE, Figures
from analytics.rollups import DayRows, day_rows_compute, first_day_with_data

# What a report may group by and filter on.
DIMENSIONS = ("day", "channel", "utm_source", "utm_campaign", "device")
COST_DIMENSIONS = ("day", "channel", "utm_source", "utm_campaign")


class FiguresReader:
    """Reads one attribution's figures; days computed live are computed once per reader, so a
    dashboard asking five questions about today pays for today once."""

    def __init__(self, *, attribution: str, today: date | None = None) -> None:
        self.attribution = attribution
        self.today = today or shop_today()
        self._live: dict[date, DayRows] = {}
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

    def _day_rows(self, day: date) -> DayRows:
        if day not in self._live:
            self._live[day] = self._today_rows() if day == self.today else day_rows_compute(day)
        return self._live[day]

    def _today_rows(self) -> DayRows:
        """Today, computed live, is kept for ANALYTICS_TODAY_SECONDS in the cache: an owner
        flipping between reports (or ten of them at once) costs one computation a minute, not one
        per page."""
        seconds = settings.ANALYTICS_TODAY_SECONDS
        if not seconds:
            return day_rows_compute(self.today)
        key = f"analytics:today:{self.today.isoformat()}"
        rows = cache.get(key)
        if rows is None:
            rows = day_rows_compute(self.today)
            cache.set(key, rows, seconds)
        return rows

    def _live_rows(self, day: date) -> list[ChannelDay]:
        return [row for row in self._day_rows(day).channels if row.attribution == self.attribution]

    def categories(self, period: Period) -> dict[int, dict]:
        """{category id: {product_views, viewing_visits, orders, quantity, revenue}} over the period."""
        fields = ("product_views", "viewing_visits", "orders", "quantity", "revenue")
        stored, live = self._split(period)
        result: dict[int, dict] = defaultdict(lambda: dict.fromkeys(fields, 0))
        rows = (CategoryDay.objects.filter(day__in=stored).values("category_id")
                .annotate(**{name: Sum(name) for name in fields}).order_by()) if stored else []
        for values in rows:
            _add(result[values["category_id"]], values, fields)
        for day in live:
            for row in self._day_rows(day).categories:
                _add(result[row.category_id], vars(row), fields)
        return dict(result)

    def managers(self, period: Period) -> dict[int, ManagerDay]:
        """{manager id: ManagerDay summed over the period, histograms merged}."""
        stored, live = self._split(period)
        result: dict[int, ManagerDay] = {}
        rows = list(ManagerDay.objects.filter(day__in=stored)) if stored else []
        for row in [*rows, *(row for day in live for row in self._day_rows(day).managers)]:
            total = result.setdefault(row.manager_id, ManagerDay(manager_id=row.manager_id, claim_waits={},
                                                                  call_waits={}))
            for name in ("claimed", "called", "called_in_target", "cancelled", "revenue"):
                setattr(total, name, getattr(total, name) + getattr(row, name))
            for name in ("claim_waits", "call_waits"):
                merged = getattr(total, name)
                for bucket, count in getattr(row, name).items():
                    merged[bucket] = merged.get(bucket, 0) + count
        return result

    def shop(self, period: Period) -> dict:
        """{carts, checkouts} over the period."""
        stored, live = self._split(period)
        totals = {"carts": 0, "checkouts": 0}
        if stored:
            _add(totals, ShopDay.objects.filter(day__in=stored).aggregate(carts=Sum("carts"),
                                                                          checkouts=Sum("checkouts")), totals)
        for day in live:
            _add(totals, vars(self._day_rows(day).shop), totals)
        return totals

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


def _add(total: dict, values: dict, fields) -> None:
    for name in fields:
        total[name] += values.get(name) or 0


def _grouped(queryset, by, sums: dict) -> list[dict]:
    """Sums per group of `by`; one row for all when `by` is empty (values() with no field would
    group by every column)."""
    if not by:
        return [queryset.aggregate(**sums)]
    return list(queryset.values(*by).annotate(**sums).order_by())
