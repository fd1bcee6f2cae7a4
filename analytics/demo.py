"""A demo shop's past for `seed_demo --history-days N`: visits from every channel, product views,
carts and checkouts begun, orders moving through their statuses with claim and call times, messages and daily
marketing costs, shaped like a real shop's (a weekly rhythm, a campaign spike, a channel that
loses money), so the owner's dashboard on a fresh `make run` tells a story.

It lives in analytics, the top layer, because it writes every app's rows. Rows are written in
bulk (a 90-day history in seconds on SQLite) and the day's rollups filled at the end. Running it
again adds nothing: the history is recognised by its orders' idempotency keys."""

import math
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Max

from analytics.models import MarketingCost, ProductCost
from analytics.periods import day_start, shop_today
from analytics.rollups import rollups_rebuild
from catalog.models import Product
from customers.demo import CUSTOMER_EMAIL_DOMAIN
from customers.models import ProductView, User, Visit, VisitEvent
from customers.roles import MANAGER
from marketing.models import OutboundMessage
from orders.models import DeliveryMethod, Order, OrderLine, OrderStatusChange

KEY_PREFIX = "demo-history:"
BATCH = 2000


@dataclass(frozen=True)
class ChannelShape:
    """How one source behaves: share of the day's visits, how well it converts, what a visit costs."""

    channel: str
    utm_source: str
    utm_campaign: str
    share: float
    conversion: float
    cost_per_visit: Decimal
    landing: str = "/"


SHAPES = (
    ChannelShape(Visit.Channel.ORGANIC_SEARCH, "", "", 0.30, 0.022, Decimal("0")),
    ChannelShape(Visit.Channel.PAID_SEARCH, "yandex", "search-brand", 0.12, 0.035, Decimal("14"), "/catalog/"),
    ChannelShape(Visit.Channel.PAID_SEARCH, "yandex", "search-generic", 0.14, 0.016, Decimal("22"), "/catalog/"),
    # The money loser: cheap clicks that rarely buy.
    ChannelShape(Visit.Channel.SOCIAL, "vk", "retargeting", 0.14, 0.003, Decimal("26"), "/catalog/"),
    ChannelShape(Visit.Channel.EMAIL, "newsletter", "weekly", 0.06, 0.030, Decimal("1.5")),
    ChannelShape(Visit.Channel.REFERRAL, "", "", 0.06, 0.015, Decimal("0")),
    ChannelShape(Visit.Channel.DIRECT, "", "", 0.18, 0.028, Decimal("0")),
)
# Shoppers buy more early in the week and less on Saturday.
WEEKDAY = (1.10, 1.08, 1.02, 1.00, 0.92, 0.80, 1.00)
DEVICES = ((Visit.Device.MOBILE, 0.62), (Visit.Device.DESKTOP, 0.32), (Visit.Device.TABLET, 0.06))
CONVERSION = 0.021  # orders per visit, on average over the shapes and devices above
# Why the demo's orders were cancelled, as managers type it, the commonest first.
CANCEL_REASONS = (("Передумал", 5), ("Нашёл дешевле", 3), ("Не дозвонились", 3), ("Нет в наличии", 2),
                  ("Долгая доставка", 1))


@dataclass(frozen=True)
class HistoryResult:
    days: int
    visits: int
    orders: int


def demo_history_exists() -> bool:
    return Order.objects.filter(idempotency_key__startswith=KEY_PREFIX).exists()


def demo_history_create(*, days: int, orders: int, seed: int,
                        on_progress: Callable[[int, int], None] | None = None) -> HistoryResult:
    """`days` of past trade ending yesterday with about `orders` orders. Needs the demo catalog,
    delivery methods and (for claim and call times) the demo managers. Does nothing when the
    history is there already."""
    products = list(Product.objects.filter(is_active=True).only("pk", "name", "sku", "price", "category_id"))
    methods = list(DeliveryMethod.objects.filter(is_active=True))
    if demo_history_exists() or not products or not methods or days < 1:
        return HistoryResult(0, 0, 0)
    rng = random.Random(f"history:{seed}")
    managers = list(User.objects.filter(groups__name=MANAGER, is_active=True).order_by("pk"))
    customers = list(User.objects.filter(email__endswith=f"@{CUSTOMER_EMAIL_DOMAIN}").order_by("pk")[:2000])
    today = shop_today()
    first = today - timedelta(days=days)
    weights = [_day_weight(first + timedelta(days=n), today) for n in range(days)]
    per_weight = orders / sum(weights)
    writer = _Writer(rng=rng, products=products, methods=methods, managers=managers, customers=customers, today=today,
                     fate=random.Random(f"history-fate:{seed}"))
    with transaction.atomic():  # one commit: a history is there whole or not at all
        for n in range(days):
            writer.day(first + timedelta(days=n), expected_orders=weights[n] * per_weight)
            if on_progress is not None:
                on_progress(1, days)
        _product_costs_ensure(products, rng)
    rollups_rebuild(days=[first + timedelta(days=n) for n in range(days)])
    return HistoryResult(days, writer.visits, writer.orders)


def _day_weight(day: date, today: date) -> float:
    """A slowly growing shop with its weekly rhythm."""
    age = (today - day).days
    return WEEKDAY[day.weekday()] * (1 + 0.004 * (90 - min(age, 90)))


def _campaign_boost(shape: ChannelShape, day: date, today: date) -> float:
    """A social campaign ran for a week a month ago: many visits, few buyers."""
    age = (today - day).days
    if shape.channel == Visit.Channel.SOCIAL and 28 <= age < 35:
        return 3.0
    if shape.channel == Visit.Channel.EMAIL and day.weekday() == 1:
        return 2.5  # the weekly newsletter goes out on Tuesday
    return 1.0


def _product_costs_ensure(products: list[Product], rng: random.Random) -> None:
    known = set(ProductCost.objects.values_list("product_id", flat=True))
    ProductCost.objects.bulk_create([
        ProductCost(product=product, unit_cost=(product.price * Decimal(str(rng.uniform(0.5, 0.68)))).quantize(
            Decimal("1")))
        for product in products if product.pk not in known
    ], batch_size=BATCH)


class _Writer:
    def __init__(self, *, rng, products, methods, managers, customers, today, fate) -> None:
        # `fate` draws what happened to the orders after they were placed, apart from `rng`, so
        # the visits and orders of a seed stay what they were.
        self.rng, self.fate, self.products, self.methods = rng, fate, products, methods
        self.managers, self.customers, self.today = managers, customers, today
        self.visitors = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(4000)]
        self.visits = self.orders = 0

    def day(self, day: date, *, expected_orders: float) -> None:
        rng = self.rng
        start = day_start(day)
        visit_rows, chosen = [], []
        visits_today = max(1, round(expected_orders / CONVERSION))
        for shape in SHAPES:
            count = _poisson(rng, visits_today * shape.share * _campaign_boost(shape, day, self.today))
            for _ in range(count):
                moment = start + timedelta(seconds=_time_of_day(rng))
                visitor = rng.choice(self.visitors) if rng.random() < 0.35 else uuid.UUID(int=rng.getrandbits(128))
                visit_rows.append(Visit(
                    visitor_id=visitor, started_at=moment, landing_page=shape.landing, channel=shape.channel,
                    utm_source=shape.utm_source, utm_medium="cpc" if shape.cost_per_visit > 5 else "",
                    utm_campaign=shape.utm_campaign, device=_weighted(rng, DEVICES),
                    referrer="" if shape.channel == Visit.Channel.DIRECT else f"https://{shape.utm_source or 'ya'}.ru/",
                ))
                chosen.append(shape)
            if shape.cost_per_visit:
                MarketingCost.objects.update_or_create(
                    day=day, channel=shape.channel, utm_source=shape.utm_source, utm_campaign=shape.utm_campaign,
                    defaults={"amount": (shape.cost_per_visit * count).quantize(Decimal("1"))},
                )
        visits = _visits_insert(visit_rows)
        self.visits += len(visits)
        views = []
        for visit in visits:
            if rng.random() < 0.5:
                for _ in range(1 + int(rng.expovariate(1.2))):
                    views.append((visit.pk, rng.choice(self.products).pk,
                                  visit.started_at + timedelta(seconds=rng.randrange(20, 900))))
        _rows_insert(ProductView, ("visit_id", "product_id", "viewed_at"), views)
        buyers = [(visit, shape) for visit, shape in zip(visits, chosen, strict=True)
                  if rng.random() < shape.conversion * WEEKDAY[day.weekday()] * _device_factor(visit.device)]
        self._funnel_steps(visits, buyers)
        self._orders(day, buyers)

    def _funnel_steps(self, visits: list[Visit], buyers) -> None:
        """Every buyer's visit put goods in the cart and left a contact at checkout; as many other
        visits again filled a cart, and a third of those left a contact too, then stopped."""
        rng = self.rng
        bought = {visit.pk for visit, _shape in buyers}
        others = [visit for visit in visits if visit.pk not in bought]
        stopped = rng.sample(others, min(len(bought), len(others)))
        steps = []
        for n, visit in enumerate([visit for visit, _shape in buyers] + stopped):
            carted = visit.started_at + timedelta(seconds=rng.randrange(60, 600))
            steps.append((visit.pk, VisitEvent.Kind.ADDED_TO_CART, carted))
            if visit.pk in bought or n % 3 == 0:
                steps.append((visit.pk, VisitEvent.Kind.CHECKOUT_STARTED, carted + timedelta(seconds=120)))
        _rows_insert(VisitEvent, ("visit_id", "kind", "happened_at"), steps)

    def _orders(self, day: date, buyers) -> None:
        rng, age = self.rng, (self.today - day).days
        orders, lines, placed_at = [], [], {}
        for visit, _shape in buyers:
            customer = rng.choice(self.customers) if self.customers and rng.random() < 0.4 else None
            goods = [rng.choice(self.products) for _ in range(1 + int(rng.expovariate(1.6)))]
            items_total = sum((product.price for product in goods), Decimal("0"))
            method = rng.choice(self.methods)
            delivery = method.price_for(items_total)
            status, payment_status = _status_for(rng, age)
            order = Order(
                status=status, user=customer, name=str(customer) if customer else "Покупатель",
                phone=customer.phone if customer and customer.phone else f"+79{rng.randrange(10**9):09d}",
                email=customer.email if customer else "", delivery_method=method, address="Москва, ул. Тверская, 1",
                payment_method=Order.PaymentMethod.CASH_ON_DELIVERY, payment_status=payment_status,
                items_total=items_total, delivery_price=delivery, total_to_pay=items_total + delivery,
                visit_id=visit.pk, channel=visit.channel, utm_source=visit.utm_source,
                utm_medium=visit.utm_medium, utm_campaign=visit.utm_campaign,
                idempotency_key=f"{KEY_PREFIX}{uuid.UUID(int=rng.getrandbits(128)).hex}",
            )
            # Within the visit's day: the history ends yesterday, never in today or the future.
            moment = min(visit.started_at + timedelta(seconds=rng.randrange(180, 1500)),
                         day_start(day + timedelta(days=1)) - timedelta(seconds=1))
            if self.managers and status != Order.Status.NEW:
                order.manager = rng.choice(self.managers)
                order.claimed_at = moment + timedelta(seconds=_wait(rng, 70))
                order.first_call_at = order.claimed_at + timedelta(seconds=_wait(rng, 60))
            orders.append(order)
            lines.append((order, goods))
            placed_at[id(order)] = moment
        phone_orders = _poisson(rng, len(buyers) * 0.12)
        for _ in range(phone_orders):  # customers who call instead of ordering on the site
            goods = [rng.choice(self.products)]
            method = rng.choice(self.methods)
            status, payment_status = _status_for(rng, age)
            moment = day_start(day) + timedelta(seconds=rng.randrange(9 * 3600, 20 * 3600))
            manager = rng.choice(self.managers) if self.managers else None
            order = Order(
                status=status, name="Покупатель", phone=f"+79{rng.randrange(10**9):09d}", delivery_method=method,
                address="Москва", payment_method=Order.PaymentMethod.CASH_ON_DELIVERY, payment_status=payment_status,
                items_total=goods[0].price, delivery_price=method.price_for(goods[0].price),
                total_to_pay=goods[0].price + method.price_for(goods[0].price), channel=Order.Channel.PHONE,
                manager=manager, claimed_at=moment if manager else None, first_call_at=moment if manager else None,
                idempotency_key=f"{KEY_PREFIX}{uuid.UUID(int=rng.getrandbits(128)).hex}",
            )
            orders.append(order)
            lines.append((order, goods))
            placed_at[id(order)] = moment
        created = Order.objects.bulk_create(orders, batch_size=BATCH)
        for order in created:
            order.number = Order.number_for(order.pk)
        Order.objects.bulk_update(created, ["number"], batch_size=BATCH)
        moments = {order.pk: placed_at[id(order)] for order in created}
        _set_times(Order, "created_at", moments)
        _set_times(Order, "updated_at", moments)
        OrderLine.objects.bulk_create([
            OrderLine(order=order, product=product, product_name=product.name, sku=product.sku,
                      unit_price=product.price, quantity=1, line_total=product.price)
            for order, goods in lines for product in goods
        ], batch_size=BATCH)
        history = OrderStatusChange.objects.bulk_create([
            OrderStatusChange(order=order, to_status=order.status, changed_by=order.manager, comment=(
                self.fate.choices(*zip(*CANCEL_REASONS, strict=True))[0]
                if order.status == Order.Status.CANCELLED else ""))
            for order in created
        ], batch_size=BATCH)
        _set_times(OrderStatusChange, "created_at", {change.pk: self._moved_at(order, moments[order.pk])
                                                     for order, change in zip(created, history, strict=True)})
        messages = OutboundMessage.objects.bulk_create([
            OutboundMessage(channel="email" if order.email else "sms", kind="order_accepted",
                            recipient=order.email or order.phone, language="ru", body=f"Заказ {order.number} принят.",
                            status=OutboundMessage.Status.SENT, idempotency_key=f"{KEY_PREFIX}message:{order.pk}",
                            reference=f"order:{order.number}", due_at=moments[order.pk], sent_at=moments[order.pk])
            for order in created
        ], batch_size=BATCH)
        _set_times(OutboundMessage, "created_at", {message.pk: message.due_at for message in messages})
        self.orders += len(created)


    def _moved_at(self, order: Order, placed_at: datetime) -> datetime:
        """When the order reached its last status: a parcel's end comes within the delivery
        method's promised days (a day more now and then), never later than yesterday."""
        if order.status not in (Order.Status.DELIVERED, Order.Status.RETURNED, Order.Status.NOT_COLLECTED):
            return placed_at
        method = order.delivery_method
        hours = self.fate.uniform(method.days_min * 24, (method.days_max + 1) * 24)
        return min(placed_at + timedelta(hours=hours), day_start(self.today) - timedelta(seconds=1))


def _status_for(rng: random.Random, age: int) -> tuple[str, str]:
    """Where an order of that age usually is by now."""
    paid, unpaid = Order.PaymentStatus.PAID, Order.PaymentStatus.UNPAID
    roll = rng.random()
    if roll < 0.08:
        return Order.Status.CANCELLED, unpaid
    if age <= 1:
        return rng.choice([Order.Status.NEW, Order.Status.IN_PROGRESS, Order.Status.CONFIRMED]), unpaid
    if age <= 4:
        return rng.choice([Order.Status.CONFIRMED, Order.Status.PACKED, Order.Status.SHIPPED]), unpaid
    if roll < 0.12:
        return Order.Status.RETURNED, unpaid
    if roll < 0.15:
        return Order.Status.NOT_COLLECTED, unpaid
    return Order.Status.DELIVERED, paid


def _rows_insert(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """INSERT many rows in one executemany: the ORM's bulk_create spends most of a demo history's
    time preparing values one by one. Only plain columns (ids, text, aware datetimes, UUIDs)."""
    if not rows:
        return
    adapt = connection.ops.adapt_datetimefield_value
    native_uuid = connection.vendor == "postgresql"

    def prepared(value):
        if isinstance(value, datetime):
            return adapt(value)
        if isinstance(value, uuid.UUID) and not native_uuid:
            return value.hex
        return value

    sql = (f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} "  # noqa: S608 - names from the models
           f"({', '.join(connection.ops.quote_name(model._meta.get_field(name).column) for name in columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, [tuple(prepared(value) for value in row) for row in rows[start:start + BATCH]])


VISIT_COLUMNS = ("visitor_id", "started_at", "landing_page", "referrer", "channel", "utm_source", "utm_medium",
                 "utm_campaign", "device")


def _visits_insert(visits: list[Visit]) -> list[Visit]:
    """Insert the day's visits and give them their ids (this command is the only writer)."""
    before = Visit.objects.aggregate(last=Max("pk"))["last"] or 0
    _rows_insert(Visit, VISIT_COLUMNS, [tuple(getattr(visit, name) for name in VISIT_COLUMNS) for visit in visits])
    ids = list(Visit.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True))
    for visit, pk in zip(visits, ids, strict=True):
        visit.pk = pk
    return visits


def _set_times(model, field: str, moments: dict[int, datetime]) -> None:
    """Give rows their past timestamps (auto_now_add fields take "now" on insert)."""
    table, column = model._meta.db_table, model._meta.get_field(field).column
    sql = (f"UPDATE {connection.ops.quote_name(table)} SET {connection.ops.quote_name(column)} = %s "  # noqa: S608
           f"WHERE {connection.ops.quote_name(model._meta.pk.column)} = %s")
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(adapt(moment), pk) for pk, moment in moments.items()])


def _time_of_day(rng: random.Random) -> int:
    """Seconds after midnight: quiet at night, busiest in the evening."""
    hour = rng.choices(range(24), weights=(1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 7, 7, 6, 6, 6, 7, 8, 9, 10, 9, 6, 3))[0]
    return hour * 3600 + rng.randrange(3600)


def _weighted(rng: random.Random, options):
    return rng.choices([value for value, _ in options], weights=[weight for _, weight in options])[0]


def _device_factor(device: str) -> float:
    return {Visit.Device.DESKTOP: 1.5, Visit.Device.TABLET: 1.1}.get(device, 0.75)


def _wait(rng: random.Random, median_seconds: float) -> int:
    """A wait with a long tail: most within minutes, a few much later."""
    return int(rng.lognormvariate(math.log(median_seconds), 0.9))


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count
