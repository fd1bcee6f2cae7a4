"""The owner's dashboard: one reader, so every figure on the page is of the same days and today
is computed once."""

from django.conf import settings

from analytics.periods import Period
from analytics.reports import funnel, operations, sales
from analytics.reports.figures import percent
from analytics.reports.reading import FiguresReader
from analytics.reports.tables import Table

TILES = ("revenue", "orders", "average_order_value", "conversion", "cost_per_order", "romi", "new_customers",
         "repeat_share", "cancellation_rate")


def dashboard_build(*, period: Period, attribution: str) -> dict:
    reader = FiguresReader(attribution=attribution)
    kpis = {row["metric"]: row for row in sales.kpi_summary(reader=reader, period=period).rows}
    trend = sales.daily_trend(reader=reader, period=period)
    channels = sales.channels_report(reader=reader, period=period)
    steps = funnel.funnel_report(reader=reader, period=period)
    managers = reader.managers(period)
    call_waits: dict[str, int] = {}
    for day in managers.values():
        for bucket, count in day.call_waits.items():
            call_waits[bucket] = call_waits.get(bucket, 0) + count
    claimed = sum(day.claimed for day in managers.values())
    return {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat(), "days": period.days},
        "tiles": [kpis[name] for name in TILES],
        "trend": trend,
        "channels": channels,
        "funnel": [row for row in steps.rows if row["stage"] == "funnel"],
        "categories": operations.categories_report(reader=reader, period=period, limit=10),
        "call_back": {
            "target_minutes": settings.FIRST_CALL_TARGET_MINUTES,
            "median": operations.wait_percentile(call_waits, 0.5),
            "p90": operations.wait_percentile(call_waits, 0.9),
            "in_target": percent(sum(day.called_in_target for day in managers.values()), claimed),
            "orders": claimed,
        },
    }


def chart_data(dashboard: dict) -> dict:
    """What the charts draw, as plain JSON."""
    trend: Table = dashboard["trend"]
    channels: Table = dashboard["channels"]
    return {
        "period": dashboard["period"],
        "trend": {"labels": [row["day"] for row in trend.rows],
                  "revenue": [float(row["revenue"]) for row in trend.rows],
                  "orders": [row["orders"] for row in trend.rows]},
        "cpo": {"labels": [row["channel_label"] for row in channels.rows if row["cost_per_order"] is not None],
                "values": [float(row["cost_per_order"]) for row in channels.rows if row["cost_per_order"] is not None]},
        "funnel": {"labels": [row["step"] for row in dashboard["funnel"]],
                   "values": [row["count"] or 0 for row in dashboard["funnel"]]},
    }
