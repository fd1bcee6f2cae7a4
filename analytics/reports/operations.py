"""Categories and managers: what sells, and how fast the back office answers."""

from collections import defaultdict
from collections.abc import Callable
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


def histogram_percentile(histogram: dict, share: float, *, width: Callable[[int], int]) -> int | None:
    """The seconds within which `share` of the orders fall: the upper edge of the histogram
    bucket ({bucket start seconds: orders}, `width` of each) the order at that rank falls in."""
    total = sum(histogram.values())
    if not total:
        return None
    rank, seen = share * total, 0
    for bucket in sorted(histogram, key=int):
        seen += histogram[bucket]
        if seen >= rank:
            return int(bucket) + width(int(bucket))
    return None


def wait_percentile(histogram: dict, share: float) -> Decimal | None:
    """The wait, in minutes, within which `share` of the orders were taken or called."""
    seconds = histogram_percentile(histogram, share, width=lambda start: next(
        (width for limit, width in _WIDTHS if start < limit), 0))
    return None if seconds is None else (Decimal(seconds) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# How many of a manager's reasons to cancel the managers report names.
TOP_REASONS = 3


def _reasons_text(reasons: dict[str, int]) -> str:
    """"Нет в наличии × 3; Передумал × 1": the most frequent reasons first."""
    ranked = sorted(reasons.items(), key=lambda item: (-item[1], item[0]))[:TOP_REASONS]
    return "; ".join(f"{reason or _('No reason given')} × {count}" for reason, count in ranked)


def managers_report(*, reader: FiguresReader, period: Period) -> Table:
    found = reader.managers(period)
    names = {user.pk: str(user) for user in User.objects.filter(pk__in=found)}
    reasons: dict[int, dict[str, int]] = defaultdict(dict)
    for (manager_id, reason), values in reader.cancellations(period).items():
        reasons[manager_id][reason] = values["orders"]
    rows = []
    for manager_id, day in sorted(found.items(), key=lambda item: -item[1].claimed):
        rows.append({
            "manager": names.get(manager_id, str(manager_id)), "claimed": day.claimed,
            "claim_median": wait_percentile(day.claim_waits, 0.5), "claim_p90": wait_percentile(day.claim_waits, 0.9),
            "call_median": wait_percentile(day.call_waits, 0.5), "call_p90": wait_percentile(day.call_waits, 0.9),
            "in_target": percent(day.called_in_target, day.claimed), "cancelled": day.cancelled,
            "cancelled_share": percent(day.cancelled, day.claimed),
            "cancel_reasons": _reasons_text(reasons.get(manager_id, {})), "revenue": day.revenue,
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
                 Column("cancelled", _("Cancelled")), Column("cancelled_share", _("Cancelled, %"), "percent"),
                 Column("cancel_reasons", _("Main reasons to cancel"), "text"),
                 Column("revenue", _("Revenue, ₽"), "money")],
        rows=rows,
    )


def cancellations_report(*, reader: FiguresReader, period: Period) -> Table:
    """Why orders were cancelled: each reason given, how often, and what the orders were worth;
    with which managers, for orders taken."""
    by_reason: dict[str, dict] = defaultdict(lambda: {"orders": 0, "amount": Decimal("0.00"), "managers": set()})
    found = reader.cancellations(period)
    names = {user.pk: str(user) for user in User.objects.filter(pk__in={key[0] for key in found if key[0]})}
    for (manager_id, reason), values in found.items():
        row = by_reason[reason]
        row["orders"] += values["orders"]
        row["amount"] += values["amount"]
        row["managers"].add(names.get(manager_id, str(manager_id)) if manager_id else None)
    total = sum(row["orders"] for row in by_reason.values())
    rows = [{"reason": reason or str(_("No reason given")), "orders": row["orders"],
             "share": percent(row["orders"], total), "amount": row["amount"],
             "managers": ", ".join([*sorted(name for name in row["managers"] if name),
                                    *([str(_("Not taken"))] if None in row["managers"] else [])])}
            for reason, row in sorted(by_reason.items(), key=lambda item: (-item[1]["orders"], item[0]))]
    return Table(
        name="cancellations", title=str(_("Cancellations")),
        columns=[Column("reason", _("Reason"), "text"), Column("orders", _("Orders")),
                 Column("share", _("Of all cancellations, %"), "percent"),
                 Column("amount", _("Sum of the orders, ₽"), "money"), Column("managers", _("Managers"), "text")],
        rows=rows,
        total={"reason": str(_("Total")), "orders": total, "share": percent(total, total) if total else None,
               "amount": sum((row["amount"] for row in by_reason.values()), Decimal("0.00")), "managers": ""},
    )
