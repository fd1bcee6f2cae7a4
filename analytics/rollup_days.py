"""The rollups of customers, deliveries, campaigns and cancellations: one function per table,
each computing one shop day's rows (unsaved) from the raw rows. analytics.rollups fills and
replaces them with the rest of the day, so they are as safe to repeat as every other rollup.

Like every figure in the reports, an order belongs to the day it was placed: an order delivered
or cancelled a week later changes its own day (analytics.receivers notes it)."""

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import Count, Min, Sum

from analytics.models import CampaignDay, CancellationDay, CustomerDay, DeliveryDay
from analytics.periods import day_of, day_start
from marketing.campaigns.models import CampaignConversion, CampaignEvent, CampaignMessage
from marketing.campaigns.segments import NOT_SOLD
from orders.models import Order, OrderStatusChange

# A parcel that left the warehouse, wherever it went after.
SENT = frozenset({Order.Status.SHIPPED, Order.Status.READY_FOR_PICKUP, Order.Status.DELIVERED,
                  Order.Status.RETURNED, Order.Status.NOT_COLLECTED})
# Delivery times are kept by the hour up to this long; slower deliveries share one bucket.
DELIVERY_HOURS = 60 * 24


def _day_orders(day: date):
    return Order.objects.filter(created_at__gte=day_start(day), created_at__lt=day_start(day + timedelta(days=1)))


def customer_days_compute(day: date) -> list[CustomerDay]:
    """The day's orders per customer (by phone), with the day of each customer's first order."""
    day_orders = _day_orders(day)
    rows: dict[str, CustomerDay] = {}
    for phone, status, total in day_orders.values_list("phone", "status", "total_to_pay").order_by():
        row = rows.get(phone)
        if row is None:
            row = rows[phone] = CustomerDay(day=day, phone=phone, first_day=day)
        row.orders += 1
        if status not in Order.RELEASES_STOCK:
            row.kept_orders += 1
            row.revenue += total
    firsts = (Order.objects.filter(phone__in=day_orders.values("phone")).values("phone")
              .annotate(first=Min("created_at")).values_list("phone", "first").order_by())
    for phone, first in firsts:
        rows[phone].first_day = day_of(first)
    return list(rows.values())


def delivery_bucket(seconds: float) -> int:
    """The bucket a delivery time falls in: whole hours, up to DELIVERY_HOURS."""
    return min(max(int(seconds // 3600), 0), DELIVERY_HOURS) * 3600


def delivery_days_compute(day: date) -> list[DeliveryDay]:
    """Per delivery method: the day's orders, where their parcels went, and the time from the
    order to the first "delivered" in its history."""
    day_orders = _day_orders(day)
    delivered_at = dict(
        OrderStatusChange.objects.filter(order__in=day_orders, to_status=Order.Status.DELIVERED)
        .values("order_id").annotate(first=Min("created_at")).values_list("order_id", "first").order_by())
    rows: dict[int, DeliveryDay] = {}
    for pk, method_id, status, created_at in day_orders.values_list(
            "pk", "delivery_method_id", "status", "created_at").order_by():
        row = rows.get(method_id)
        if row is None:
            row = rows[method_id] = DeliveryDay(day=day, delivery_method_id=method_id, delivery_waits={})
        row.orders += 1
        row.cancelled += status == Order.Status.CANCELLED
        row.sent += status in SENT
        row.not_collected += status == Order.Status.NOT_COLLECTED
        row.returned += status == Order.Status.RETURNED
        if pk in delivered_at:
            row.delivered += 1
            bucket = str(delivery_bucket((delivered_at[pk] - created_at).total_seconds()))
            row.delivery_waits[bucket] = row.delivery_waits.get(bucket, 0) + 1
    return list(rows.values())


def campaign_days_compute(day: date) -> list[CampaignDay]:
    """Per campaign, by the rules of its own statistics page (marketing.campaigns.stats): a
    message counts on the day it was written, a click on the day a person first clicked the
    message, an order on the day it was placed, unless it was cancelled or returned since. Summed
    over a campaign's whole life, these are its campaign_stats() totals."""
    since, until = day_start(day), day_start(day + timedelta(days=1))
    rows: dict[int, CampaignDay] = {}

    def row(campaign_id: int) -> CampaignDay:
        if campaign_id not in rows:
            rows[campaign_id] = CampaignDay(day=day, campaign_id=campaign_id)
        return rows[campaign_id]

    written = CampaignMessage.objects.filter(created_at__gte=since, created_at__lt=until)
    for campaign_id, count in written.values_list("campaign_id").annotate(count=Count("pk")).order_by():
        row(campaign_id).sent = count
    human_clicks = CampaignEvent.objects.filter(kind=CampaignEvent.Kind.CLICK, is_human=True)
    first_clicks = (human_clicks.filter(created_at__gte=since, created_at__lt=until)
                    .exclude(message_id__in=human_clicks.filter(created_at__lt=since).values("message_id")))
    for campaign_id, count in (first_clicks.values_list("message__campaign_id")
                               .annotate(count=Count("message_id", distinct=True)).order_by()):
        row(campaign_id).clicks = count
    conversions = (CampaignConversion.objects.filter(order__created_at__gte=since, order__created_at__lt=until)
                   .exclude(order__status__in=NOT_SOLD))
    for campaign_id, orders, revenue in (conversions.values_list("campaign_id")
                                         .annotate(orders=Count("pk"), revenue=Sum("revenue")).order_by()):
        row(campaign_id).orders, row(campaign_id).revenue = orders, revenue
    return list(rows.values())


def cancellation_days_compute(day: date) -> list[CancellationDay]:
    """The day's cancelled orders by the manager who had them and the reason given (the comment
    order_move requires on the move to "cancelled")."""
    cancelled = _day_orders(day).filter(status=Order.Status.CANCELLED)
    reasons = dict(OrderStatusChange.objects.filter(order__in=cancelled, to_status=Order.Status.CANCELLED)
                   .values_list("order_id", "comment").order_by("created_at", "pk"))
    rows: dict[tuple, CancellationDay] = defaultdict(lambda: CancellationDay(day=day))
    for pk, manager_id, total in cancelled.values_list("pk", "manager_id", "total_to_pay").order_by():
        reason = reasons.get(pk, "")[:500]
        row = rows[manager_id, reason]
        row.manager_id, row.reason = manager_id, reason
        row.orders += 1
        row.amount += total
    return list(rows.values())
