"""Logistics: how long each delivery method takes and how many parcels do not end with the
customer (left at the pickup point, or sent back)."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from analytics.models import DeliveryDay
from analytics.periods import Period
from analytics.reports.figures import percent
from analytics.reports.operations import histogram_percentile
from analytics.reports.reading import FiguresReader, histogram_add
from analytics.reports.tables import Column, Table
from analytics.rollup_days import DELIVERY_HOURS
from orders.models import DeliveryMethod

COUNTS = ("orders", "cancelled", "sent", "delivered", "not_collected", "returned")


def delivery_days(histogram: dict, share: float) -> Decimal | None:
    """The days within which `share` of the delivered orders reached the customer."""
    seconds = histogram_percentile(histogram, share, width=lambda start: 3600 if start < DELIVERY_HOURS * 3600 else 0)
    return None if seconds is None else (Decimal(seconds) / 86400).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _row(day: DeliveryDay) -> dict:
    return {
        **{name: getattr(day, name) for name in COUNTS},
        "days_median": delivery_days(day.delivery_waits, 0.5), "days_p90": delivery_days(day.delivery_waits, 0.9),
        "not_collected_share": percent(day.not_collected, day.sent), "returned_share": percent(day.returned, day.sent),
    }


def logistics_report(*, reader: FiguresReader, period: Period) -> Table:
    """Per delivery method, for the orders placed in the period: how many left the warehouse and
    were delivered, the median and 90th-percentile time from the order to delivery, and the
    share of the parcels sent that were not collected or came back."""
    found = reader.deliveries(period)
    names = dict(DeliveryMethod.objects.filter(pk__in=found).values_list("pk", "name"))
    total = DeliveryDay(delivery_waits={})
    rows = []
    for method_id, day in sorted(found.items(), key=lambda item: (-item[1].orders, item[0])):
        rows.append({"delivery_method": names.get(method_id, str(method_id)), **_row(day)})
        for name in COUNTS:
            setattr(total, name, getattr(total, name) + getattr(day, name))
        histogram_add(total.delivery_waits, day.delivery_waits)
    return Table(
        name="logistics", title=str(_("Logistics")),
        columns=[Column("delivery_method", _("Delivery method"), "text"), Column("orders", _("Orders")),
                 Column("cancelled", _("Cancelled")), Column("sent", _("Left the warehouse")),
                 Column("delivered", _("Delivered")),
                 Column("days_median", _("Order to delivery, median, days"), "text"),
                 Column("days_p90", _("Order to delivery, 90%, days"), "text"),
                 Column("not_collected", _("Not collected")),
                 Column("not_collected_share", _("Not collected, share of sent, %"), "percent"),
                 Column("returned", _("Returned")),
                 Column("returned_share", _("Returned, share of sent, %"), "percent")],
        rows=rows, total={"delivery_method": str(_("Total")), **_row(total)},
        notes=[_("Orders count on the day they were placed; a parcel delivered after the period still counts.")],
    )
