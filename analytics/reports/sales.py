"""KPI summary, figures by channel and UTM, and the daily trend."""

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from analytics.models import CHANNEL_CHOICES
from analytics.periods import Period
from analytics.reports.figures import Figures, percent
from analytics.reports.reading import FiguresReader
from analytics.reports.tables import Column, Table

CHANNEL_LABELS = dict(CHANNEL_CHOICES)

KPIS = [
    Column("visits", _("Visits")),
    Column("orders", _("Orders")),
    Column("revenue", _("Revenue, ₽"), "money"),
    Column("average_order_value", _("Average order, ₽"), "money"),
    Column("conversion", _("Conversion, %"), "percent"),
    Column("cost", _("Marketing cost, ₽"), "money"),
    Column("cost_per_order", _("Cost per order (CPO), ₽"), "money"),
    Column("romi", _("ROMI, %"), "percent"),
    Column("repeat_share", _("Repeat customers' orders, %"), "percent"),
    Column("new_customers", _("New customers")),
    Column("cancellation_rate", _("Cancelled or returned, %"), "percent"),
    Column("margin", _("Gross margin, ₽"), "money"),
]
# The figures where a rise is bad news: the dashboard paints their rise red.
LOWER_IS_BETTER = frozenset({"cost", "cost_per_order", "cancellation_rate"})


def change(current, previous) -> float | None:
    """Change against the previous period, percent; none when there is nothing to compare with."""
    if current is None or not previous:
        return None
    return float(percent(current - previous, abs(previous)))


def kpi_summary(*, reader: FiguresReader, period: Period) -> Table:
    current, previous = reader.total(period), reader.total(period.previous())
    rows = []
    for column in KPIS:
        now, before = getattr(current, column.key), getattr(previous, column.key)
        rows.append({"metric": column.key, "label": str(column.label), "kind": column.kind, "current": now,
                     "previous": before, "change": change(now, before),
                     "lower_is_better": column.key in LOWER_IS_BETTER})
    notes = []
    if current.margin is not None and current.margin_known_share != 100:
        notes.append(_("The margin covers %(share)s%% of the revenue: the other products have no cost of goods.")
                     % {"share": current.margin_known_share})
    return Table(
        name="kpi", title=str(_("KPI summary")),
        columns=[Column("label", _("Figure"), "text"), Column("current", _("This period"), "by_row"),
                 Column("previous", _("Previous period"), "by_row"), Column("change", _("Change, %"), "percent")],
        rows=rows, notes=notes,
    )


CHANNEL_COLUMNS = [
    Column("visits", _("Visits")),
    Column("orders", _("Orders")),
    Column("conversion", _("Conversion, %"), "percent"),
    Column("revenue", _("Revenue, ₽"), "money"),
    Column("average_order_value", _("Average order, ₽"), "money"),
    Column("cost", _("Cost, ₽"), "money"),
    Column("cost_per_order", _("CPO, ₽"), "money"),
    Column("romi", _("ROMI, %"), "percent"),
]


def _figure_row(figures: Figures) -> dict:
    return {column.key: getattr(figures, column.key) for column in CHANNEL_COLUMNS}


def channels_report(*, reader: FiguresReader, period: Period, by_utm: bool = False) -> Table:
    """Visits, orders, revenue and cost per channel, or per channel, UTM source and campaign."""
    by = ("channel", "utm_source", "utm_campaign") if by_utm else ("channel",)
    found = reader.figures(period, by=by)
    rows, total = [], Figures()
    for key, figures in sorted(found.items(), key=lambda item: (-item[1].revenue, -item[1].visits, item[0])):
        total.add(figures)
        row = {"channel": key[0], "channel_label": str(CHANNEL_LABELS.get(key[0], key[0])), **_figure_row(figures)}
        if by_utm:
            row.update(utm_source=key[1], utm_campaign=key[2])
        rows.append(row)
    keys = [Column("channel_label", _("Channel"), "text")]
    if by_utm:
        keys += [Column("utm_source", "utm_source", "text"), Column("utm_campaign", "utm_campaign", "text")]
    return Table(
        name="channels", title=str(_("By channel and UTM") if by_utm else _("By channel")),
        columns=keys + CHANNEL_COLUMNS, rows=rows,
        total={"channel": "", "channel_label": str(_("Total")), **_figure_row(total)},
    )


def daily_trend(*, reader: FiguresReader, period: Period) -> Table:
    """Visits, orders and revenue day by day (every day of the period, quiet ones too)."""
    found = reader.figures(period, by=("day",))
    rows = []
    for day in period.each_day():
        figures = found.get((day,), Figures())
        rows.append({"day": _iso(day), "visits": figures.visits, "orders": figures.orders,
                     "revenue": figures.revenue, "cost": figures.cost})
    return Table(
        name="trend", title=str(_("Day by day")),
        columns=[Column("day", _("Day"), "text"), Column("visits", _("Visits")), Column("orders", _("Orders")),
                 Column("revenue", _("Revenue, ₽"), "money"), Column("cost", _("Marketing cost, ₽"), "money")],
        rows=rows,
    )


def _iso(day: date) -> str:
    return day.isoformat()


# The landing pages listed one by one; the rest are summed in one row, so the totals stay whole.
LANDING_PAGES_SHOWN = 200


def landing_pages_report(*, reader: FiguresReader, period: Period) -> Table:
    """Per landing page (where the visit credited with the order began): visits, orders and
    their conversion, revenue and the average order. Orders with no visit (phone orders, the
    API) are a row of their own."""
    found = reader.landings(period)
    pages = sorted(((page, values) for page, values in found.items() if page),
                   key=lambda item: (-item[1]["orders"], -item[1]["visits"], item[0]))
    rows = [{"landing_page": page, **_landing_figures(values)} for page, values in pages[:LANDING_PAGES_SHOWN]]
    others = [values for _page, values in pages[LANDING_PAGES_SHOWN:]]
    if others:
        rows.append({"landing_page": str(_("Other pages (%(count)d)") % {"count": len(others)}),
                     **_landing_figures(_landing_sum(others))})
    if "" in found:
        rows.append({"landing_page": str(_("No visit: phone orders and orders through the API")),
                     **_landing_figures(found[""])})
    return Table(
        name="landing_pages", title=str(_("By landing page")),
        columns=[Column("landing_page", _("Landing page"), "text"), Column("visits", _("Visits")),
                 Column("orders", _("Orders")), Column("conversion", _("Conversion, %"), "percent"),
                 Column("revenue", _("Revenue, ₽"), "money"),
                 Column("average_order_value", _("Average order, ₽"), "money")],
        rows=rows, total={"landing_page": str(_("Total")), **_landing_figures(_landing_sum(found.values()))},
    )


def _landing_sum(found) -> dict:
    total = {"visits": 0, "orders": 0, "kept_orders": 0, "revenue": Decimal("0.00")}
    for values in found:
        for name in total:
            total[name] += values[name]
    return total


def _landing_figures(values: dict) -> dict:
    figures = Figures(visits=values["visits"], orders=values["orders"], revenue=values["revenue"],
                      cancelled=values["orders"] - values["kept_orders"])
    return {"visits": figures.visits, "orders": figures.orders, "conversion": figures.conversion,
            "revenue": figures.revenue, "average_order_value": figures.average_order_value}
