"""The daily rollups the reports read, kept by Celery beat and rebuilt by `analytics_rebuild`.

A day is recomputed from the raw rows (visits, orders, their lines and costs) and its rows in
ChannelDay replaced in one transaction, so a fill is safe to repeat and never counts twice.
Days the beat has not filled yet, days changed since (an order cancelled a week later), and
today are computed live by the same function when a report asks for them."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import Count, Exists, Min, OuterRef, Sum
from django.utils import timezone

from analytics.attribution import LOOKBACK, VisitRow, landing_path, order_source
from analytics.models import (
    Attribution,
    CampaignDay,
    CancellationDay,
    CategoryDay,
    ChannelDay,
    CustomerDay,
    DeliveryCost,
    DeliveryDay,
    LandingDay,
    ManagerDay,
    ProductCost,
    RollupChange,
    RollupDay,
)
from analytics.periods import day_of, day_start, shop_today
from analytics.rollup_days import (
    campaign_days_compute,
    cancellation_days_compute,
    customer_days_compute,
    delivery_days_compute,
)
from customers.models import ProductView, Visit, VisitEvent
from orders.models import Order, OrderLine

ZERO = Decimal("0.00")
CANCELLED = frozenset({Order.Status.CANCELLED})
RETURNED = frozenset({Order.Status.RETURNED, Order.Status.NOT_COLLECTED})
# Orders a manager confirmed with the customer, wherever they went after.
CONFIRMED = frozenset({Order.Status.CONFIRMED, Order.Status.PACKED, Order.Status.SHIPPED,
                       Order.Status.READY_FOR_PICKUP, Order.Status.DELIVERED, *RETURNED})
# Yesterday is filled again by every refresh this long after it ended: a call made just after
# midnight about an order of 23:58 belongs to yesterday's figures.
SETTLING = timedelta(hours=1)
# A first fill of a large shop is spread over several beats; `analytics_rebuild` does it at once.
DAYS_PER_REFRESH = 31


@dataclass(frozen=True)
class _Order:
    pk: int
    status: str
    payment_status: str
    total: Decimal
    phone: str
    created_at: object
    called: bool
    channel: str
    utm: tuple[str, str]
    visit: VisitRow | None
    visitor_id: object
    user_id: int | None
    device: str


def channel_days_compute(day: date) -> tuple[list[ChannelDay], list[LandingDay]]:
    """The day's ChannelDay rows and LandingDay rows, unsaved, for every attribution model: both
    credit each order to the same visit, so they are computed in one pass."""
    since, until = day_start(day), day_start(day + timedelta(days=1))
    rows: dict[tuple, ChannelDay] = {}
    landings: dict[tuple, LandingDay] = {}

    def landing(attribution, page) -> LandingDay:
        if (attribution, page) not in landings:
            landings[attribution, page] = LandingDay(day=day, attribution=attribution, landing_page=page)
        return landings[attribution, page]

    def row(attribution, channel, utm_source, utm_campaign, device) -> ChannelDay:
        key = (attribution, channel, utm_source, utm_campaign, device)
        if key not in rows:
            rows[key] = ChannelDay(day=day, attribution=attribution, channel=channel, utm_source=utm_source,
                                   utm_campaign=utm_campaign, device=device)
        return rows[key]

    for channel, utm_source, utm_campaign, device, *counts in _visit_steps(since, until):
        for attribution in Attribution.values:
            figures = row(attribution, channel, utm_source, utm_campaign, device)
            for name, count in zip(VISIT_STEPS, counts, strict=True):
                setattr(figures, name, getattr(figures, name) + count)
    day_visits = Visit.objects.filter(started_at__gte=since, started_at__lt=until)
    for page, count in day_visits.values_list("landing_page").annotate(count=Count("id")).order_by():
        for attribution in Attribution.values:
            landing(attribution, landing_path(page)).visits += count

    day_orders = Order.objects.filter(created_at__gte=since, created_at__lt=until)
    orders = _orders(day_orders)
    if not orders:
        return list(rows.values()), list(landings.values())
    buyer_visits = _buyer_visits(orders, since=since - LOOKBACK, until=until)
    first_orders = _first_orders(orders, since=since)
    costs = _order_costs(orders)
    delivery_costs = dict(DeliveryCost.objects.filter(order_id__in=[order.pk for order in orders])
                          .values_list("order_id", "amount").order_by())
    for order in orders:
        visits = [*buyer_visits.get(("visitor", order.visitor_id), ()), *buyer_visits.get(("user", order.user_id), ())]
        undone = order.status in CANCELLED or order.status in RETURNED
        goods_cost = costs.get(order.pk)
        for attribution in Attribution.values:
            source = order_source(
                attribution=attribution, order_channel=order.channel, order_utm=order.utm,
                placed_at=order.created_at, own_visit=order.visit, buyer_visits=visits,
            )
            figures = row(attribution, source.channel, source.utm_source, source.utm_campaign, order.device)
            page = landing(attribution, source.landing_page)
            page.orders += 1
            if not undone:
                page.kept_orders += 1
                page.revenue += order.total
            figures.orders += 1
            figures.called += order.called
            figures.confirmed += order.status in CONFIRMED
            figures.delivered += order.status == Order.Status.DELIVERED
            figures.delivered_paid += (order.status == Order.Status.DELIVERED
                                       and order.payment_status == Order.PaymentStatus.PAID)
            figures.cancelled += order.status in CANCELLED
            figures.returned += order.status in RETURNED
            figures.first_orders += order.pk in first_orders
            figures.delivery_cost += delivery_costs.get(order.pk, ZERO)
            if not undone:
                figures.revenue += order.total
                if goods_cost is not None:
                    figures.costed_revenue += order.total
                    figures.goods_cost += goods_cost
    return list(rows.values()), list(landings.values())


# The funnel's steps counted on visits, each a count of the visits started that day.
VISIT_STEPS = ("visits", "viewing_visits", "cart_visits", "checkout_visits")


def _visit_steps(since, until):
    """(channel, utm_source, utm_campaign, device, *VISIT_STEPS counts) of the visits started in
    the window: how many came, and how many of them viewed a product, added to cart, began
    checkout, whenever within the visit they did it."""
    def did(model, **step):
        return Exists(model.objects.filter(visit=OuterRef("pk"), **step))

    return (Visit.objects.filter(started_at__gte=since, started_at__lt=until)
            .values_list("channel", "utm_source", "utm_campaign", "device")
            .annotate(visits=Count("id"), viewing=Count("id", filter=did(ProductView)),
                      carting=Count("id", filter=did(VisitEvent, kind=VisitEvent.Kind.ADDED_TO_CART)),
                      checking_out=Count("id", filter=did(VisitEvent, kind=VisitEvent.Kind.CHECKOUT_STARTED)))
            .order_by())


def _orders(day_orders) -> list[_Order]:
    fields = ("pk", "status", "payment_status", "total_to_pay", "phone", "created_at", "first_call_at", "channel",
              "utm_source",
              "utm_campaign", "user_id", "visit_id", "visit__visitor_id", "visit__device", "visit__started_at",
              "visit__channel", "visit__utm_source", "visit__utm_campaign", "visit__landing_page")
    orders = []
    for values in day_orders.order_by("created_at", "pk").values(*fields):
        visit = None
        if values["visit_id"] is not None:
            visit = VisitRow(values["visit__started_at"], values["visit__channel"], values["visit__utm_source"],
                             values["visit__utm_campaign"], values["visit__landing_page"])
        orders.append(_Order(
            pk=values["pk"], status=values["status"], payment_status=values["payment_status"],
            total=values["total_to_pay"], phone=values["phone"],
            created_at=values["created_at"], called=values["first_call_at"] is not None, channel=values["channel"],
            utm=(values["utm_source"], values["utm_campaign"]), visit=visit,
            visitor_id=values["visit__visitor_id"], user_id=values["user_id"], device=values["visit__device"] or "",
        ))
    return orders


def _buyer_visits(orders: list[_Order], *, since, until) -> dict[tuple, list[VisitRow]]:
    """Every visit of the day's buyers in the lookback window, by visitor cookie and by account.
    Two lookups by the buyers' own keys (each an index), not one scan of the window's visits."""
    visitor_ids = {order.visitor_id for order in orders if order.visitor_id is not None}
    user_ids = {order.user_id for order in orders if order.user_id is not None and order.visit is not None}
    found = defaultdict(list)
    window = Visit.objects.filter(started_at__gte=since, started_at__lt=until).order_by()
    fields = ("pk", "visitor_id", "user_id", "started_at", "channel", "utm_source", "utm_campaign", "landing_page")
    seen = set()
    for lookup, keys in (("visitor_id__in", visitor_ids), ("user_id__in", user_ids)):
        if not keys:
            continue
        for pk, visitor_id, user_id, started_at, channel, utm_source, utm_campaign, landing_page in (
                window.filter(**{lookup: keys}).values_list(*fields)):
            if pk in seen:
                continue
            seen.add(pk)
            visit = VisitRow(started_at, channel, utm_source, utm_campaign, landing_page)
            found[("visitor", visitor_id)].append(visit)
            if user_id is not None:
                found[("user", user_id)].append(visit)
    return found


def _first_orders(orders: list[_Order], *, since) -> set[int]:
    """The day's orders that were their customer's first; a customer is known by the phone."""
    phones = {order.phone for order in orders}
    seen = set(Order.objects.filter(phone__in=phones, created_at__lt=since)
               .values_list("phone", flat=True).distinct().order_by())
    first = set()
    for order in orders:  # in the order they were placed
        if order.phone not in seen:
            seen.add(order.phone)
            first.add(order.pk)
    return first


def _order_costs(orders: list[_Order]) -> dict[int, Decimal]:
    """Cost of goods per order, for orders whose every line has a known cost."""
    if not ProductCost.objects.exists():
        return {}
    lines = list(OrderLine.objects.filter(order_id__in=[order.pk for order in orders])
                 .values_list("order_id", "product_id", "quantity").order_by())
    unit_costs = dict(ProductCost.objects.filter(product_id__in={product_id for _order, product_id, _q in lines})
                      .values_list("product_id", "unit_cost"))
    costs: dict[int, Decimal | None] = {}
    for order_id, product_id, quantity in lines:
        unit_cost = unit_costs.get(product_id)
        if unit_cost is None or costs.get(order_id, ZERO) is None:
            costs[order_id] = None
        else:
            costs[order_id] = costs.get(order_id, ZERO) + unit_cost * quantity
    return {order_id: cost for order_id, cost in costs.items() if cost is not None}


def category_days_compute(day: date) -> list[CategoryDay]:
    since, until = day_start(day), day_start(day + timedelta(days=1))
    rows: dict[int, CategoryDay] = {}

    def row(category_id: int) -> CategoryDay:
        if category_id not in rows:
            rows[category_id] = CategoryDay(day=day, category_id=category_id)
        return rows[category_id]

    views = (ProductView.objects.filter(viewed_at__gte=since, viewed_at__lt=until)
             .values_list("product__category_id").annotate(count=Count("id"), visits=Count("visit_id", distinct=True))
             .order_by())
    for category_id, count, visits in views:
        row(category_id).product_views += count
        row(category_id).viewing_visits += visits
    lines = (OrderLine.objects.filter(order__created_at__gte=since, order__created_at__lt=until)
             .exclude(order__status__in=[*CANCELLED, *RETURNED])
             .values_list("product__category_id")
             .annotate(orders=Count("order_id", distinct=True), quantity=Sum("quantity"), revenue=Sum("line_total"))
             .order_by())
    for category_id, orders, quantity, revenue in lines:
        figures = row(category_id)
        figures.orders, figures.quantity, figures.revenue = orders, quantity, revenue
    return list(rows.values())


def wait_bucket(seconds: float) -> int:
    """The bucket a wait falls in: 15 seconds wide for the first half hour, 15 minutes up to a
    day, one bucket beyond."""
    seconds = max(seconds, 0)
    if seconds < 1800:
        return int(seconds // 15) * 15
    if seconds < 86400:
        return int(seconds // 900) * 900
    return 86400


def manager_days_compute(day: date) -> list[ManagerDay]:
    since, until = day_start(day), day_start(day + timedelta(days=1))
    target = settings.FIRST_CALL_TARGET_MINUTES * 60
    rows: dict[int, ManagerDay] = {}
    orders = (Order.objects.filter(created_at__gte=since, created_at__lt=until, manager__isnull=False)
              .values_list("manager_id", "created_at", "claimed_at", "first_call_at", "status", "total_to_pay")
              .order_by())
    for manager_id, created_at, claimed_at, first_call_at, status, total in orders:
        figures = rows.get(manager_id)
        if figures is None:
            figures = rows[manager_id] = ManagerDay(day=day, manager_id=manager_id, claim_waits={}, call_waits={})
        figures.claimed += 1
        figures.cancelled += status in CANCELLED
        if status not in CANCELLED and status not in RETURNED:
            figures.revenue += total
        if claimed_at is not None:
            _count(figures.claim_waits, wait_bucket((claimed_at - created_at).total_seconds()))
        if first_call_at is not None:
            wait = (first_call_at - created_at).total_seconds()
            figures.called += 1
            figures.called_in_target += wait <= target
            _count(figures.call_waits, wait_bucket(wait))
    return list(rows.values())


def _count(histogram: dict, bucket: int) -> None:
    histogram[str(bucket)] = histogram.get(str(bucket), 0) + 1


@dataclass
class DayRows:
    """Everything the reports keep about one shop day."""

    channels: list[ChannelDay]
    categories: list[CategoryDay]
    managers: list[ManagerDay]
    landings: list[LandingDay]
    customers: list[CustomerDay]
    deliveries: list[DeliveryDay]
    campaigns: list[CampaignDay]
    cancellations: list[CancellationDay]

    def by_model(self) -> list[tuple[type, list]]:
        """Each rollup table with the day's rows for it: what a fill replaces."""
        return [(ChannelDay, self.channels), (CategoryDay, self.categories), (ManagerDay, self.managers),
                (LandingDay, self.landings), (CustomerDay, self.customers), (DeliveryDay, self.deliveries),
                (CampaignDay, self.campaigns), (CancellationDay, self.cancellations)]


@contextmanager
def _without_jit():
    """PostgreSQL compiles a query it estimates as costly with JIT; a day's visits with their funnel
    steps are estimated so, and the compiling took 0.4 s of a query that runs in 0.5 s. A day is
    read in one transaction that turns JIT off for itself only."""
    alias = router.db_for_read(Visit)
    if connections[alias].vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        yield


# How a day's tables are computed, part by part: a report that reads one table (the dashboard
# reads channels, categories and managers) pays for its part only. Channels and landing pages
# come from one pass over the day's orders.
DAY_PARTS: dict[str, tuple[tuple[str, ...], Callable]] = {
    "channels": (("channels", "landings"), channel_days_compute),
    "categories": (("categories",), category_days_compute),
    "managers": (("managers",), manager_days_compute),
    "customers": (("customers",), customer_days_compute),
    "deliveries": (("deliveries",), delivery_days_compute),
    "campaigns": (("campaigns",), campaign_days_compute),
    "cancellations": (("cancellations",), cancellation_days_compute),
}
PART_OF = {table: part for part, (tables, _compute) in DAY_PARTS.items() for table in tables}


def day_part_compute(day: date, part: str) -> dict[str, list]:
    """One part of a day's rows, {table: unsaved rows}."""
    tables, compute = DAY_PARTS[part]
    with _without_jit():
        rows = compute(day)
    return dict(zip(tables, rows, strict=True)) if len(tables) > 1 else {tables[0]: rows}


def day_rows_compute(day: date) -> DayRows:
    tables = {}
    for part in DAY_PARTS:
        tables.update(day_part_compute(day, part))
    return DayRows(**tables)


def rollup_day_fill(*, day: date) -> int:
    """Recompute one shop day and replace its rows; returns how many rows it has.

    STARTED is committed first, the rows and DONE in one transaction: a fill that dies is redone
    by the next refresh and never leaves a day half counted. Change notes are read before the
    day is recomputed and only those are deleted, so a change made during the fill is kept."""
    RollupDay.objects.update_or_create(day=day, defaults={"state": RollupDay.State.STARTED})
    change_ids = list(RollupChange.objects.filter(day=day).values_list("pk", flat=True))
    rows = day_rows_compute(day)
    with transaction.atomic():
        for model, new_rows in rows.by_model():
            model.objects.filter(day=day).delete()
            model.objects.bulk_create(new_rows, batch_size=1000)
        RollupChange.objects.filter(pk__in=change_ids).delete()
        RollupDay.objects.filter(day=day).update(state=RollupDay.State.DONE, filled_at=timezone.now())
    return len(rows.channels)


def rollup_days_due(*, today: date | None = None) -> list[date]:
    """Past days whose rollup is missing, unfinished or out of date, oldest first."""
    today = today or shop_today()
    done = set(RollupDay.objects.filter(state=RollupDay.State.DONE, day__lt=today).values_list("day", flat=True))
    changed = set(RollupChange.objects.filter(day__lt=today).values_list("day", flat=True).distinct().order_by())
    missing = set(rollup_days_all(today=today)) - done
    yesterday = today - timedelta(days=1)
    unsettled = set(RollupDay.objects.filter(day=yesterday, filled_at__lt=day_start(today) + SETTLING)
                    .values_list("day", flat=True))
    return sorted(missing | (changed & done) | unsettled)


def rollup_days_all(*, today: date | None = None) -> list[date]:
    """Every past day from the first with a visit or an order."""
    today, first = today or shop_today(), first_day_with_data()
    return [] if first is None else [first + timedelta(days=n) for n in range((today - first).days)]


def first_day_with_data() -> date | None:
    moments = [Visit.objects.aggregate(first=Min("started_at"))["first"],
               Order.objects.aggregate(first=Min("created_at"))["first"]]
    moments = [moment for moment in moments if moment is not None]
    return day_of(min(moments)) if moments else None


def rollups_refresh(*, limit: int = DAYS_PER_REFRESH) -> list[date]:
    """Fill the due days (at most `limit`, oldest first): what the beat runs every few minutes."""
    days = rollup_days_due()[:limit]
    for day in days:
        rollup_day_fill(day=day)
    return days


def rollups_rebuild(*, days: Iterable[date] | None = None,
                    on_progress: Callable[[date], None] | None = None) -> int:
    """Fill every past day from the first with data (or the given days) again."""
    count = 0
    for day in rollup_days_all() if days is None else days:
        rollup_day_fill(day=day)
        count += 1
        if on_progress is not None:
            on_progress(day)
    return count


def rollup_day_changed(*, day: date) -> None:
    """Note that a past day's figures changed; today is always computed live anyway."""
    if day < shop_today():
        RollupChange.objects.create(day=day)


def rollup_days_changed_for_product(*, product_id: int) -> None:
    """A product's cost of goods changed: every day it was sold on is due again."""
    moments = Order.objects.filter(lines__product_id=product_id).values_list("created_at", flat=True)
    today = shop_today()
    days = {day_of(moment) for moment in moments.iterator()} - {today}
    RollupChange.objects.bulk_create([RollupChange(day=day) for day in sorted(days) if day < today])
