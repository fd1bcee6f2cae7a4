"""Customers: who is new and who comes back, how much the best customers bring, and how each
month's new customers keep ordering. A customer is known by the phone, as in every report."""

import math
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from analytics.periods import Period
from analytics.reports.figures import percent
from analytics.reports.reading import FiguresReader
from analytics.reports.tables import Column, Table

TOP_SHARE = Decimal("0.2")  # "the top 20% of customers"
COHORT_MONTHS = 6  # columns of the cohort table: the first month and the five after it
MAX_COHORTS = 12


def customers_report(*, reader: FiguresReader, period: Period) -> Table:
    """New and returning customers with their orders and revenue, the repeat purchase rate and
    the top customers' share of the revenue. New: their first order ever was placed in the period;
    repeat purchase rate: customers of the period who have ordered more than once by its end."""
    found = reader.customers(period).values()
    new = [customer for customer in found if customer["first_day"] >= period.start]
    returning = [customer for customer in found if customer["first_day"] < period.start]
    repeating = len(returning) + sum(1 for customer in new if customer["orders"] > 1)
    revenues = sorted((customer["revenue"] for customer in found), reverse=True)
    revenue = sum(revenues, Decimal("0.00"))
    top = math.ceil(len(revenues) * TOP_SHARE)
    figures = [
        ("customers", _("Customers who ordered"), "int", len(new) + len(returning)),
        ("new_customers", _("New customers (first order in the period)"), "int", len(new)),
        ("returning_customers", _("Returning customers"), "int", len(returning)),
        ("new_orders", _("Orders of new customers"), "int", sum(customer["orders"] for customer in new)),
        ("returning_orders", _("Orders of returning customers"), "int",
         sum(customer["orders"] for customer in returning)),
        ("new_revenue", _("Revenue from new customers, ₽"), "money", _revenue(new)),
        ("returning_revenue", _("Revenue from returning customers, ₽"), "money", _revenue(returning)),
        ("returning_revenue_share", _("Returning customers' share of the revenue, %"), "percent",
         percent(_revenue(returning), revenue)),
        ("repeat_purchase_rate", _("Repeat purchase rate: ordered more than once, %"), "percent",
         percent(repeating, len(found))),
        ("top_customers_share", _("Revenue share of the top 20 percent of customers, %"), "percent",
         percent(sum(revenues[:top], Decimal("0.00")), revenue)),
    ]
    return Table(
        name="customers", title=str(_("Customers")),
        columns=[Column("label", _("Figure"), "text"), Column("value", _("This period"), "by_row")],
        rows=[{"metric": metric, "label": str(label), "kind": kind, "value": value}
              for metric, label, kind, value in figures],
        notes=[_("A customer is known by the phone number. Revenue counts orders not cancelled or returned.")],
    )


def _revenue(customers: list[dict]) -> Decimal:
    return sum((customer["revenue"] for customer in customers), Decimal("0.00"))


def _month_add(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def cohorts_report(*, reader: FiguresReader, period: Period) -> Table:
    """Monthly cohorts: the customers whose first order fell in each month of the period (the
    last twelve at most), and the share of them who ordered again in that month (a second
    order) and in each month after it, up to today."""
    last = period.end.replace(day=1)
    first_days = Period(max(period.start, _month_add(last, 1 - MAX_COHORTS)), period.end)
    months = [first_days.start.replace(day=1)]
    while months[-1] < last:
        months.append(_month_add(months[-1], 1))
    this_month = reader.today.replace(day=1)
    activity_end = min(reader.today, _month_add(last, COHORT_MONTHS) - timedelta(days=1))
    found = reader.customer_months(Period(first_days.start, max(activity_end, first_days.start)),
                                   first_days=first_days)
    cohorts: dict[date, dict] = {month: {"customers": set(), "again": [set() for _ in range(COHORT_MONTHS)]}
                                 for month in months}
    for (phone, cohort, month), orders in found.items():
        cohorts[cohort]["customers"].add(phone)
        offset = (month.year - cohort.year) * 12 + month.month - cohort.month
        if offset < COHORT_MONTHS and (orders > 1 or offset > 0):
            cohorts[cohort]["again"][offset].add(phone)
    rows = []
    for month in months:
        cohort = cohorts[month]
        row = {"cohort": month.strftime("%Y-%m"), "customers": len(cohort["customers"])}
        for offset in range(COHORT_MONTHS):
            reached = _month_add(month, offset) <= this_month
            row[f"month_{offset}"] = (percent(len(cohort["again"][offset]), len(cohort["customers"]))
                                      if reached else None)
        rows.append(row)
    columns = [Column("cohort", _("First order in"), "text"), Column("customers", _("New customers"))]
    columns.append(Column("month_0", _("Second order the same month, %"), "percent"))
    columns += [Column(f"month_{offset}", _("Ordered in month %(month)d, %%") % {"month": offset}, "percent")
                for offset in range(1, COHORT_MONTHS)]
    return Table(
        name="cohorts", title=str(_("Customer cohorts")), columns=columns, rows=rows,
        notes=[_("Month 1 is the calendar month after the first order. A dash: that month has not come yet.")],
    )
