"""Categories and managers: what sells, and how fast the back office answers."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from analytics.periods import Period
from analytics.reports.figures import percent
from analytics.reports.reading import FiguresReader
from analytics.reports.tables import Column, Table
from catalog.models import Category
from customers.models import User


def categories_report(*, reader: FiguresReader, period: Period, limit: int | None = None) -> Table:
    """Per category: views, visits that looked, orders and revenue, and the conversion of a look
    into an order; best sellers first."""
    found = reader.categories(period)
    names = dict(Category.objects.filter(pk__in=found).values_list("pk", "name"))
    rows = []
    for category_id, figures in sorted(found.items(), key=lambda item: (-item[1]["revenue"], -item[1]["orders"])):
        rows.append({"category": names.get(category_id, str(category_id)), **figures,
                     "conversion": percent(figures["orders"], figures["viewing_visits"])})
    return Table(
        name="categories", title=str(_("By category")),
        columns=[Column("category", _("Category"), "text"), Column("product_views", _("Product views")),
                 Column("viewing_visits", _("Visits that looked")), Column("orders", _("Orders")),
                 Column("quantity", _("Units sold")), Column("revenue", _("Revenue, ₽"), "money"),
                 Column("conversion", _("Conversion, %"), "percent")],
        rows=rows[:limit] if limit else rows,
    )


_WIDTHS = ((1800, 15), (86400, 900))


def wait_percentile(histogram: dict, share: float) -> Decimal | None:
    """The wait, in minutes, within which `share` of the orders were taken or called: the upper
    edge of the histogram bucket the order at that rank falls in."""
    total = sum(histogram.values())
    if not total:
        return None
    rank, seen = share * total, 0
    for bucket in sorted(histogram, key=int):
        seen += histogram[bucket]
        if seen >= rank:
            start = int(bucket)
            width = next((width for limit, width in _WIDTHS if start < limit), 0)
            return (Decimal(start + width) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return None


def managers_report(*, reader: FiguresReader, period: Period) -> Table:
    found = reader.managers(period)
    names = {user.pk: str(user) for user in User.objects.filter(pk__in=found)}
    rows = []
    for manager_id, day in sorted(found.items(), key=lambda item: -item[1].claimed):
        rows.append({
            "manager": names.get(manager_id, str(manager_id)), "claimed": day.claimed,
            "claim_median": wait_percentile(day.claim_waits, 0.5), "claim_p90": wait_percentile(day.claim_waits, 0.9),
            "call_median": wait_percentile(day.call_waits, 0.5), "call_p90": wait_percentile(day.call_waits, 0.9),
            "in_target": percent(day.called_in_target, day.claimed), "cancelled": day.cancelled,
            "revenue": day.revenue,
        })
    target = settings.FIRST_CALL_TARGET_MINUTES
    return Table(
        name="managers", title=str(_("Managers")),
        columns=[Column("manager", _("Manager"), "text"), Column("claimed", _("Orders taken")),
                 Column("claim_median", _("Taken within, median, min"), "text"),
                 Column("claim_p90", _("Taken within, 90%, min"), "text"),
                 Column("call_median", _("First call within, median, min"), "text"),
                 Column("call_p90", _("First call within, 90%, min"), "text"),
                 Column("in_target", _("Called within %(minutes)d min, %%") % {"minutes": target}, "percent"),
                 Column("cancelled", _("Cancelled")), Column("revenue", _("Revenue, ₽"), "money")],
        rows=rows,
    )
