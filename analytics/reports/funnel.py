"""The shop's funnel, from a visit to a delivered order, and the sales pipeline as shops count it."""

from django.utils.translation import gettext_lazy as _

from analytics.periods import Period
from analytics.reports.figures import percent
from analytics.reports.reading import FiguresReader
from analytics.reports.tables import Column, Table


def funnel_report(*, reader: FiguresReader, period: Period, channel: str = "", device: str = "") -> Table:
    """Counts and conversion of each step, for the whole shop or one channel or device. The steps
    up to checkout count visits (started in the period) that took them; orders count by the day
    they were placed and the channel their attribution credits, the device of the visit they were
    placed on."""
    filters = {name: value for name, value in (("channel", channel), ("device", device)) if value}
    figures = reader.total(period, **filters)
    steps = [
        ("funnel", _("Visits"), figures.visits),
        ("funnel", _("Viewed a product"), figures.viewing_visits),
        ("funnel", _("Added to cart"), figures.cart_visits),
        ("funnel", _("Started checkout (left a contact)"), figures.checkout_visits),
        ("funnel", _("Placed an order"), figures.orders),
        ("funnel", _("Confirmed"), figures.confirmed),
        ("funnel", _("Delivered"), figures.delivered),
        ("pipeline", _("Lead: contact left with an order"), figures.orders),
        ("pipeline", _("Contact: first call made"), figures.called),
        ("pipeline", _("Deal: confirmed"), figures.confirmed),
        ("pipeline", _("Fulfilled: delivered and paid"), figures.delivered_paid),
    ]
    rows, previous, first = [], {}, {}
    for stage, label, count in steps:
        known_before = previous.get(stage)
        rows.append({
            "stage": stage, "stage_label": str(_("Funnel") if stage == "funnel" else _("Pipeline")),
            "step": str(label), "count": count,
            "step_conversion": percent(count, known_before) if count is not None and known_before else None,
            "overall_conversion": percent(count, first.get(stage)) if count is not None else None,
        })
        if count is not None:
            previous[stage] = count
            first.setdefault(stage, count)
    return Table(
        name="funnel", title=str(_("Funnel")),
        columns=[Column("stage_label", _("Stage"), "text"), Column("step", _("Step"), "text"),
                 Column("count", _("Count")), Column("step_conversion", _("From the step before, %"), "percent"),
                 Column("overall_conversion", _("From the first step, %"), "percent")],
        rows=rows,
    )
