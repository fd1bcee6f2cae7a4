"""Customers: who is new and who comes back, how much the best customers bring, and how each
month's new customers keep ordering. A customer is known by the phone, as in every report.

Customers are counted once however many days they ordered on, so these reports do not add up
day rows like the others: the database counts the stored days' distinct customers, and the
customers of the days computed live (today) are merged in by phone, so that someone who ordered
last week and again today is still one returning customer."""

import heapq
import math
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from analytics.models import ChannelDay, CustomerDay
from analytics.periods import Period
from analytics.reports.figures import percent
from analytics.reports.reading import FiguresReader
from analytics.reports.tables import Column, Table

TOP_SHARE = Decimal("0.2")  # "the top 20% of customers"
COHORT_MONTHS = 6  # columns of the cohort table: the first month and the five after it
MAX_COHORTS = 12
ZERO = Decimal("0.00")
PHONES_PER_QUERY = 5000  # SQLite takes at most 32,766 parameters a query
# A customer's row that shows a second order (or a later one): a later day than the first
# order's, or two orders on one day. Each customer who ordered again has such a row.
AGAIN = Q(day__gt=F("first_day")) | Q(orders__gte=2)


def _again(row: CustomerDay) -> bool:
    return row.day > row.first_day or row.orders >= 2


def _stored(days: list[date]):
    return CustomerDay.objects.filter(day__in=days) if days else CustomerDay.objects.none()


def _distinct(stored, live_phones: set[str]) -> int:
    """Distinct phones among the stored rows and the live customers together."""
    count = stored.values("phone").distinct().count()
    if not live_phones:
        return count
    known = set(stored.filter(phone__in=live_phones).values_list("phone", flat=True).distinct())
    return count + len(live_phones - known)


def customers_report(*, reader: FiguresReader, period: Period) -> Table:
    """New and returning customers with their orders and revenue, the repeat purchase rate and
    the top customers' share of the revenue. New: their first order ever was placed in the period;
    repeat purchase rate: customers of the period who have ordered more than once by its end."""
    stored_days, live_days = reader.days(period)
    stored, live = _stored(stored_days), [row for day in live_days for row in reader.live_rows(day).customers]
    is_new = Q(first_day__gte=period.start)
    # A returning customer's every row in the period is a later day than their first: AGAIN says
    # so, and lets the database read those rows alone. The whole period's orders, revenue and
    # first orders (one per new customer) are the channel rollups'; new customers' are the rest.
    returning_rows = stored.filter(AGAIN).filter(~is_new)
    sums = {name: value or 0 for name, value in returning_rows.aggregate(
        returning_orders=Sum("orders"), returning_revenue=Sum("revenue")).items()}
    for row in live:
        if row.first_day < period.start:
            sums["returning_orders"] += row.orders
            sums["returning_revenue"] += row.revenue
    whole = {name: value or 0 for name, value in ChannelDay.objects.filter(
        attribution=reader.attribution, day__in=stored_days).aggregate(
        orders=Sum("orders"), revenue=Sum("revenue"), first_orders=Sum("first_orders")).items()}
    for row in live:
        whole["orders"] += row.orders
        whole["revenue"] += row.revenue
        whole["first_orders"] += row.day == row.first_day
    new = whole["first_orders"]
    sums.update(new_orders=whole["orders"] - sums["returning_orders"],
                new_revenue=whole["revenue"] - sums["returning_revenue"])
    returning = _distinct(returning_rows, {row.phone for row in live if row.first_day < period.start})
    new_again = _distinct(stored.filter(is_new).filter(AGAIN),
                          {row.phone for row in live if row.first_day >= period.start and _again(row)})
    revenue = sums["new_revenue"] + sums["returning_revenue"]
    figures = [
        ("customers", _("Customers who ordered"), "int", new + returning),
        ("new_customers", _("New customers (first order in the period)"), "int", new),
        ("returning_customers", _("Returning customers"), "int", returning),
        ("new_orders", _("Orders of new customers"), "int", sums["new_orders"]),
        ("returning_orders", _("Orders of returning customers"), "int", sums["returning_orders"]),
        ("new_revenue", _("Revenue from new customers, ₽"), "money", sums["new_revenue"] + ZERO),
        ("returning_revenue", _("Revenue from returning customers, ₽"), "money", sums["returning_revenue"] + ZERO),
        ("returning_revenue_share", _("Returning customers' share of the revenue, %"), "percent",
         percent(sums["returning_revenue"], revenue)),
        ("repeat_purchase_rate", _("Repeat purchase rate: ordered more than once, %"), "percent",
         percent(returning + new_again, new + returning)),
        ("top_customers_share", _("Revenue share of the top 20 percent of customers, %"), "percent",
         percent(_top_revenue(stored, live, math.ceil((new + returning) * TOP_SHARE)), revenue)),
    ]
    return Table(
        name="customers", title=str(_("Customers")),
        columns=[Column("label", _("Figure"), "text"), Column("value", _("This period"), "by_row")],
        rows=[{"metric": metric, "label": str(label), "kind": kind, "value": value}
              for metric, label, kind, value in figures],
        notes=[_("A customer is known by the phone number. Revenue counts orders not cancelled or returned.")],
    )


def _top_revenue(stored, live: list[CustomerDay], top: int) -> Decimal:
    """What the `top` customers with the most revenue brought. Most customers have one row in a
    period (one day, one order): their revenue is that row's, ranked by the database, which sends
    only the first ones. The few with more (ordering again, or also on a live day) are summed by
    phone; the top is drawn from both."""
    if not top:
        return ZERO
    summed: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in live:
        summed[row.phone] += row.revenue
    # Few rows, read through their own index.
    several = sorted({*stored.filter(AGAIN).values_list("phone", flat=True).distinct(), *summed})
    # The one-order rows of these customers are summed here, so they are taken out of the
    # database's counts below: subtracted afterwards, not excluded in the query, where a list of
    # phones to leave out made PostgreSQL test each of half a million rows against it (16 s).
    taken_out: dict[Decimal, int] = defaultdict(int)
    for start in range(0, len(several), PHONES_PER_QUERY):  # by the phone index, a batch at a time
        for row in stored.filter(phone__in=several[start:start + PHONES_PER_QUERY]).only(
                "phone", "day", "first_day", "orders", "revenue"):
            summed[row.phone] += row.revenue
            if not _again(row):
                taken_out[row.revenue] += 1
    # Order totals repeat (the same goods, the same price): the database counts the one-order
    # customers per revenue, highest first; enough groups are read to leave `top` customers after
    # the ones summed above are taken out.
    singles = [(revenue, customers - taken_out.get(revenue, 0)) for revenue, customers in (
        stored.exclude(AGAIN).values("revenue").annotate(customers=Count("revenue")).order_by("-revenue")
        .values_list("revenue", "customers")[:top + sum(taken_out.values())])]
    ranked = heapq.merge(singles, [(revenue, 1) for revenue in sorted(summed.values(), reverse=True)],
                         key=lambda item: item[0], reverse=True)
    total, left = ZERO, top
    for revenue, customers in ranked:
        taken = min(customers, left)
        total, left = total + revenue * taken, left - taken
        if not left:
            break
    return total


def _month_add(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _offset(cohort: date, month: date) -> int:
    return (month.year - cohort.year) * 12 + month.month - cohort.month


def cohorts_report(*, reader: FiguresReader, period: Period) -> Table:
    """Monthly cohorts: the customers whose first order fell in each month of the period (the
    last twelve at most), and the share of them who ordered again in that month (a second
    order) and in each month after it, up to today."""
    last = period.end.replace(day=1)
    first_days = Period(max(period.start, _month_add(last, 1 - MAX_COHORTS)), period.end)
    months = [first_days.start.replace(day=1)]
    while months[-1] < last:
        months.append(_month_add(months[-1], 1))
    activity_end = min(reader.today, _month_add(last, COHORT_MONTHS) - timedelta(days=1))
    stored_days, live_days = reader.days(Period(first_days.start, max(activity_end, first_days.start)))
    in_cohorts = {"first_day__gte": first_days.start, "first_day__lte": first_days.end}
    stored = (_stored(stored_days).filter(**in_cohorts)
              .annotate(cohort=TruncMonth("first_day"), month=TruncMonth("day")))
    # A cohort's size is its month's first orders, which the channel rollups already count.
    sizes: dict[date, int] = defaultdict(int)
    for (day,), figures in reader.figures(first_days, by=("day",)).items():
        sizes[day.replace(day=1)] += figures.first_orders
    again: dict[tuple[date, int], int] = defaultdict(int)
    for cohort, count in (stored.filter(month=F("cohort")).filter(AGAIN).values_list("cohort")
                          .annotate(count=Count("phone", distinct=True))):
        again[cohort, 0] += count
    for cohort, month, count in (stored.filter(AGAIN, month__gt=F("cohort")).values_list("cohort", "month")
                                 .annotate(count=Count("phone", distinct=True))):
        again[cohort, _offset(cohort, month)] += count
    _merge_live_cohorts(stored, [row for day in live_days for row in reader.live_rows(day).customers
                                 if first_days.start <= row.first_day <= first_days.end], again)
    this_month = reader.today.replace(day=1)
    rows = []
    for month in months:
        row = {"cohort": month.strftime("%Y-%m"), "customers": sizes[month]}
        for offset in range(COHORT_MONTHS):
            reached = _month_add(month, offset) <= this_month
            row[f"month_{offset}"] = percent(again[month, offset], sizes[month]) if reached else None
        rows.append(row)
    columns = [Column("cohort", _("First order in"), "text"), Column("customers", _("New customers"))]
    columns.append(Column("month_0", _("Second order the same month, %"), "percent"))
    columns += [Column(f"month_{offset}", _("Ordered in month %(month)d, %%") % {"month": offset}, "percent")
                for offset in range(1, COHORT_MONTHS)]
    return Table(
        name="cohorts", title=str(_("Customer cohorts")), columns=columns, rows=rows,
        notes=[_("Month 1 is the calendar month after the first order. A dash: that month has not come yet.")],
    )


def _cohort_cell(row) -> tuple[date, int] | None:
    """The (cohort, month offset) a customer's day row counts them in as ordering again, if any."""
    cohort = row.first_day.replace(day=1)
    offset = _offset(cohort, row.day)
    return (cohort, offset) if offset > 0 or _again(row) else None


def _merge_live_cohorts(stored, live: list[CustomerDay], again: dict) -> None:
    """Add the live days' customers who ordered again to the stored counts, each once per cell."""
    cells = defaultdict(set)
    for row in live:
        if (cell := _cohort_cell(row)) is not None:
            cells[cell].add(row.phone)
    if not cells:
        return
    counted = {(cell, row.phone) for row in stored.filter(phone__in={phone for p in cells.values() for phone in p})
               if (cell := _cohort_cell(row)) is not None}
    for cell, phones in cells.items():
        again[cell] += sum(1 for phone in phones if (cell, phone) not in counted)
