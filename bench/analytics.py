"""The owner's reports on a big shop: half a year of orders, visits and their funnel steps in
PostgreSQL, read while orders keep coming in.

Generates ORDERS orders (one line each, claim and call times, statuses by age), VISITS visits,
and about as many events (product views, cart and checkout steps: every visit that ordered took
them all) over DAYS days with COPY, resuming where a stopped generation left off; fills the
rollups a 90-day report reads (`analytics_rebuild --days 181` does the same with a progress
bar), then times, while a thread places --order-rate orders a second through order_place:

    ceiling    a one-row query through the ORM, and the orders alone for --flow-seconds
    rollup     one day's rollup (rollup_day_fill) on several days: mean and max
    today      each part of today computed live, cold
    reports    each report for the last 90 days: cold (today's cache emptied, so the report
               computes the parts of today it reads) and warm (today from the cache)
    dashboard  dashboard_build for 90 days, and the whole page through Django's test client
    orders     the order_place latencies while all of the above ran

    .venv/bin/python bench/analytics.py                          # 1,000,000 orders, 10,000,000 visits
    .venv/bin/python bench/analytics.py --orders 200000 --visits 2000000
    .venv/bin/python bench/analytics.py --generate-only          # generate (or finish generating) and stop
    .venv/bin/python bench/analytics.py --reuse                   # time again on the data already generated, migrated

Targets: each report < 300 ms, the dashboard < 1 s, one day's rollup < 10 s. Writes
bench/results/analytics.json. Uses its own database (--database-url) and drops nothing: drop it
when done (`dropdb vitrina_bench_analytics`). The cache is the process's own memory (no Redis):
"cold" is a cache emptied, as a Redis outage leaves every read.
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import threading
import time
import uuid
from array import array
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "analytics.json"
sys.path.insert(0, str(ROOT))

from bench.harness import ensure_database, manage  # noqa: E402

CHANNELS = (("organic_search", "", "", 0.30), ("paid_search", "yandex", "brand", 0.12),
            ("paid_search", "yandex", "generic", 0.14), ("social", "vk", "retargeting", 0.14),
            ("email", "newsletter", "weekly", 0.06), ("referral", "", "", 0.06), ("direct", "", "", 0.18))
DEVICES = ("mobile", "mobile", "desktop", "tablet")
STATUSES = ("delivered",) * 14 + ("cancelled", "returned", "not_collected", "confirmed", "shipped")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--visits", type=int, default=10_000_000,
                        help="visits; events (product views, carts, checkouts) come to about as many again")
    parser.add_argument("--days", type=int, default=180, help="days of history the rows spread over")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per report (median reported)")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the generated data (migrated to today's schema), only time")
    parser.add_argument("--order-rate", type=float, default=2.0,
                        help="orders a second placed through order_place while the reports are read")
    parser.add_argument("--flow-seconds", type=float, default=20.0,
                        help="seconds of orders alone first, the checkout's own ceiling")
    parser.add_argument("--generate-only", action="store_true", help="generate (or finish generating) and stop")
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vitrina_bench_analytics"))
    parser.add_argument("--output", default=str(RESULTS))
    return parser.parse_args()


def setup_django(args) -> None:
    os.environ.update({"DJANGO_SETTINGS_MODULE": "bench.settings", "DEBUG": "0", "DATABASE_URL": args.database_url,
                       "SECRET_KEY": "bench-only-secret-key-" + "x" * 40, "LOG_LEVEL": "WARNING",
                       "VAR_DIR": "/tmp/vitrina-bench-analytics-var"})  # noqa: S108
    os.environ.pop("REDIS_URL", None)
    import django
    from django.conf import settings
    from django.test.utils import override_settings

    django.setup()
    # The page is rendered in this process without collectstatic: plain static file names.
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()


def copy_rows(model, columns: tuple[str, ...], rows) -> int:
    """COPY rows into the model's table; every other NOT NULL column gets the field's default."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    given = set(columns)
    defaults = {f.column: f.get_default() for f in fields if f.column not in given and not f.null}
    names = [*columns, *defaults]
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor: COPY is not in the DB-API
        with raw.copy(f"COPY {model._meta.db_table} ({', '.join(names)}) FROM STDIN") as copy:
            tail = tuple(defaults.values())
            for row in rows:
                copy.write_row((*row, *tail))
                count += 1
    return count


def _order_visits(args) -> array:
    """Which visit each order was placed on (an index into the generated visits), or -1 for the
    tenth of orders that came with no visit (placed through the API, say)."""
    rng = random.Random(11)
    step = max(args.visits // args.orders, 1)
    return array("q", (-1 if n % 10 == 0 else min(n * step + rng.randrange(step), args.visits - 1)
                       for n in range(args.orders)))


def _steps(args, order_visits: array) -> bytearray:
    """What each visit did, as bits: 1 viewed a product, 2 added to cart, 4 began checkout. Every
    visit that ordered did all three; of the others some carted (and a few of those began
    checkout), and a little over half looked at a product."""
    rng = random.Random(13)
    steps = bytearray(args.visits)
    for index in order_visits:
        if index >= 0:
            steps[index] = 7
    for index in range(args.visits):
        if steps[index]:
            continue
        draw = rng.random()
        steps[index] = 7 if draw < 0.02 else 3 if draw < 0.14 else 1 if draw < 0.58 else 0
    return steps


def _generated(model, wanted: int) -> bool:
    """A step whose rows are all there already (a generation that stopped after it) is skipped."""
    return model.objects.count() >= wanted


def generate(args) -> dict:
    """COPY the rows each table lacks; resumable, since each table's rows go in one transaction."""
    from django.db import connection, transaction
    from django.db.models import Max

    from analytics.models import ProductCost
    from catalog.models import Product
    from customers.models import ProductView, User, Visit, VisitEvent
    from orders.models import DeliveryMethod, Order, OrderLine

    rng = random.Random(7)
    now = datetime.now(UTC)
    start = now - timedelta(days=args.days)
    span = args.days * 86400
    products = list(Product.objects.values_list("pk", "price", "name", "sku"))
    methods = list(DeliveryMethod.objects.values_list("pk", flat=True))
    managers = list(User.objects.filter(is_staff=True).values_list("pk", flat=True)) or [None]
    timings = {}

    def moment_of(index: int):
        return start + timedelta(seconds=span * index / args.visits)

    t = time.perf_counter()
    weights = [share for *_, share in CHANNELS]
    if not _generated(Visit, args.visits):
        def visits():
            for n in range(args.visits):
                channel, source, campaign, _share = rng.choices(CHANNELS, weights)[0]
                yield (uuid.UUID(int=rng.getrandbits(128)), moment_of(n), "/catalog/", "", source, "", campaign,
                       channel, DEVICES[n % len(DEVICES)])

        with transaction.atomic():
            copy_rows(Visit, ("visitor_id", "started_at", "landing_page", "referrer", "utm_source", "utm_medium",
                              "utm_campaign", "channel", "device"), visits())
        timings["visits_seconds"] = round(time.perf_counter() - t, 1)
    first_visit = Visit.objects.aggregate(last=Max("pk"))["last"] - args.visits + 1
    order_visits = _order_visits(args)
    steps = _steps(args, order_visits)
    print(f"Generated visits, {time.perf_counter() - t:.0f} s", flush=True)

    t = time.perf_counter()
    if not _generated(ProductView, sum(1 for bits in steps if bits & 1)):
        def views():
            for n, bits in enumerate(steps):
                if bits & 1:
                    yield (first_visit + n, products[n % len(products)][0], moment_of(n) + timedelta(seconds=30))

        with transaction.atomic():
            copy_rows(ProductView, ("visit_id", "product_id", "viewed_at"), views())
        timings["product_views_seconds"] = round(time.perf_counter() - t, 1)
    print(f"Generated product views, {time.perf_counter() - t:.0f} s", flush=True)

    t = time.perf_counter()
    if not _generated(VisitEvent, sum(1 for bits in steps if bits & 2) + sum(1 for bits in steps if bits & 4)):
        def events():
            for n, bits in enumerate(steps):
                if bits & 2:
                    yield (first_visit + n, VisitEvent.Kind.ADDED_TO_CART, moment_of(n) + timedelta(seconds=90))
                if bits & 4:
                    yield (first_visit + n, VisitEvent.Kind.CHECKOUT_STARTED, moment_of(n) + timedelta(seconds=300))

        with transaction.atomic():
            copy_rows(VisitEvent, ("visit_id", "kind", "happened_at"), events())
        timings["visit_events_seconds"] = round(time.perf_counter() - t, 1)
    print(f"Generated cart and checkout events, {time.perf_counter() - t:.0f} s", flush=True)

    # Half the products have a known cost of goods: the margin is worked out for their orders.
    ProductCost.objects.bulk_create([ProductCost(product_id=pk, unit_cost=(price * Decimal("0.6")).quantize(
        Decimal("1"))) for pk, price, *_rest in products[::2]], ignore_conflicts=True)
    t = time.perf_counter()
    if not _generated(Order, args.orders):
        first_order = (Order.objects.aggregate(last=Max("pk"))["last"] or 0) + 1

        def orders():
            for n in range(args.orders):
                index = order_visits[n]
                moment = moment_of(index if index >= 0 else n * args.visits // args.orders) + timedelta(seconds=600)
                product = products[n % len(products)]
                status = STATUSES[n % len(STATUSES)]
                claimed = moment + timedelta(seconds=rng.randrange(20, 400))
                channel, source, campaign, _share = CHANNELS[n % len(CHANNELS)]
                yield (f"B-{first_order + n}", status, "Покупатель", f"+79{rng.randrange(10**9):09d}",
                       methods[n % len(methods)], "Москва", "cash_on_delivery",
                       "paid" if status == "delivered" else "unpaid", product[1], Decimal("300"), product[1] + 300,
                       first_visit + index if index >= 0 else None, channel, source, campaign, moment, moment,
                       managers[n % len(managers)], claimed, claimed + timedelta(seconds=rng.randrange(10, 600)))

        def lines():
            for n in range(args.orders):
                product = products[n % len(products)]
                yield (first_order + n, product[0], product[2], product[3], product[1], 1, product[1])

        with transaction.atomic():
            copy_rows(Order, ("number", "status", "name", "phone", "delivery_method_id", "address",
                              "payment_method", "payment_status", "items_total", "delivery_price", "total_to_pay",
                              "visit_id", "channel", "utm_source", "utm_campaign", "created_at", "updated_at",
                              "manager_id", "claimed_at", "first_call_at"), orders())
            copy_rows(OrderLine, ("order_id", "product_id", "product_name", "sku", "unit_price", "quantity",
                                  "line_total"), lines())
        timings["orders_seconds"] = round(time.perf_counter() - t, 1)
        t = time.perf_counter()
        with connection.cursor() as cursor:
            for model in (Visit, ProductView, VisitEvent, Order, OrderLine):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
        timings["vacuum_seconds"] = round(time.perf_counter() - t, 1)
    print(f"Generated orders, {time.perf_counter() - t:.0f} s", flush=True)
    return timings


def timed(function, rounds: int, *, cold=None) -> dict:
    """`cold` (when given) runs before the first round: it empties today's shared figures, so the
    first round pays for computing today, as the first report of each minute does."""
    runs, first = [], None
    for n in range(rounds + (cold is not None)):
        if cold is not None and n == 0:
            cold()
        t = time.perf_counter()
        function()
        elapsed = (time.perf_counter() - t) * 1000
        if cold is not None and n == 0:
            first = elapsed
        else:
            runs.append(elapsed)
    result = {"median_ms": round(statistics.median(runs), 1), "max_ms": round(max(runs), 1),
              "runs_ms": [round(r, 1) for r in runs]}
    return {"cold_ms": round(first, 1), **result} if first is not None else result


class OrderFlow:
    """Orders placed through order_place (a guest cart of two products, then checkout) at a steady
    rate in a thread of its own, while the reports are read: what a shop's checkout goes through
    when the owner opens the dashboard."""

    def __init__(self, *, rate: float) -> None:
        self.rate, self.latencies_ms, self.errors = rate, [], 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from bench.checkout import service_worker
        from catalog.models import Product
        from orders.models import DeliveryMethod

        products = list(Product.objects.filter(is_active=True, variants__isnull=True).order_by("pk")
                        .values_list("pk", flat=True)[:20])
        Product.objects.filter(pk__in=products).update(stock=10**8)
        method = DeliveryMethod.objects.filter(is_active=True, kind=DeliveryMethod.Kind.COURIER).first()
        step, close = service_worker({"product_ids": products, "delivery_method_id": method.pk})
        try:
            while not self._stop.is_set():
                t = time.perf_counter()
                try:
                    step()
                except Exception:  # noqa: BLE001 - counted, the bench goes on
                    self.errors += 1
                elapsed = time.perf_counter() - t
                self.latencies_ms.append(elapsed * 1000)
                self._stop.wait(max(0.0, 1 / self.rate - elapsed))
        finally:
            close()

    def __enter__(self) -> "OrderFlow":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> dict:
        runs = sorted(self.latencies_ms) or [0.0]
        return {"orders": len(self.latencies_ms), "errors": self.errors, "rate_per_s": self.rate,
                "p50_ms": round(runs[len(runs) // 2], 1), "p95_ms": round(runs[int(len(runs) * 0.95)], 1),
                "max_ms": round(runs[-1], 1)}


def measure(args) -> dict:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from analytics.dashboard import dashboard_build
    from analytics.forms import report_form
    from analytics.models import RollupDay
    from analytics.periods import period_for_preset, shop_today
    from analytics.reports import REPORTS, report_build
    from analytics.reports.reading import today_parts_warm
    from analytics.rollups import DAY_PARTS, day_part_compute, rollup_day_fill, rollup_days_due
    from customers.models import User

    results = {}
    due = rollup_days_due()[-(2 * 90 + 1):]  # what a 90-day report and its previous period read
    t = time.perf_counter()
    for day in due:
        rollup_day_fill(day=day)
    results["rollup_due_days"] = {"days": len(due), "seconds": round(time.perf_counter() - t, 1)}

    def ceiling():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")

    results["ceiling_select_1"] = timed(ceiling, args.rounds)
    with OrderFlow(rate=args.order_rate) as alone:
        time.sleep(args.flow_seconds)
    results["orders_flowing_alone"] = alone.summary()

    with OrderFlow(rate=args.order_rate) as flow:
        sample = [shop_today() - timedelta(days=n) for n in (1, 2, 9, 30, 61, 88)]
        day_runs = []
        for day in sample:
            t = time.perf_counter()
            rollup_day_fill(day=day)
            day_runs.append(time.perf_counter() - t)
        results["rollup_one_day"] = {"mean_s": round(statistics.mean(day_runs), 2),
                                     "max_s": round(max(day_runs), 2), "runs_s": [round(r, 2) for r in day_runs],
                                     "target_s": 10}
        today_parts = {}
        for part in DAY_PARTS:
            t = time.perf_counter()
            day_part_compute(shop_today(), part)
            today_parts[part] = round((time.perf_counter() - t) * 1000, 1)
        results["today_parts_cold_ms"] = today_parts
        query = report_form({"preset": "90d"})
        assert query.is_valid()
        for name in REPORTS:
            results[f"report_{name}"] = {**timed(lambda n=name: report_build(name=n, query=query.cleaned_data),
                                                 args.rounds, cold=cache.clear), "target_ms": 300}
        period = period_for_preset("90d")
        results["dashboard_build"] = {**timed(lambda: dashboard_build(period=period, attribution="last_non_direct"),
                                              args.rounds, cold=cache.clear), "target_ms": 1000}
        owner = User.objects.filter(is_superuser=True, is_staff=True).first() or User.objects.create_superuser(
            "bench-owner@vitrina.local", "bench-password")
        client = Client()
        client.force_login(owner)

        def page():
            response = client.get("/admin/?preset=90d", secure=True)  # DEBUG is off: plain HTTP is redirected
            assert response.status_code == 200 and b"dashboard-data" in response.content, response.status_code

        results["dashboard_page"] = {**timed(page, args.rounds, cold=cache.clear), "target_ms": 1000}
        t = time.perf_counter()
        cache.clear()
        today_parts_warm()
        results["today_warm_by_beat_ms"] = round((time.perf_counter() - t) * 1000, 1)
        results["dashboard_page_beat_warmed"] = {
            **timed(page, args.rounds, cold=lambda: (cache.clear(), today_parts_warm())), "target_ms": 1000,
            "note": "cold_ms: the first look after the beat's minute run (today_parts_warm), not computed by it"}
    results["orders_flowing_during_reads"] = flow.summary()
    results["rollup_days_done"] = RollupDay.objects.filter(state=RollupDay.State.DONE).count()
    return results


NOTE = ("Shared 2-core machine with other engineers' test runs: timings are noisy. The orders are placed by a "
        "thread of the process that reads the reports, so their latency during the reads includes waiting for "
        "Python's GIL: an upper bound of what a checkout in its own process would see.")


def main() -> None:
    args = parse_args()
    ensure_database(args.database_url)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "DEBUG": "1", "DATABASE_URL": args.database_url,
           "VAR_DIR": "/tmp/vitrina-bench-analytics-var", "PYTHONPATH": str(ROOT)}  # noqa: S108
    env.pop("REDIS_URL", None)
    # Reused data is migrated too: the reports are timed on today's schema, which a migration since
    # the data was generated may have changed (a reused database used to fail on a missing column).
    manage(env, "migrate", "--noinput", "-v0")
    if not args.reuse:
        manage(env, "seed_demo", "--products", "200", "--customers", "10", "-v0")
    setup_django(args)
    from customers.models import ProductView, Visit, VisitEvent
    from orders.models import Order

    generated = {"reused": True} if args.reuse else generate(args)
    counts = {"orders": Order.objects.count(), "visits": Visit.objects.count(),
              "product_views": ProductView.objects.count(), "visit_events": VisitEvent.objects.count()}
    print(f"Data: {counts}, generated in {generated}", flush=True)
    if args.generate_only:
        return
    results = measure(args)
    report = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "machine": platform.node(),
              "cpus": os.cpu_count(), "arguments": {k: v for k, v in vars(args).items() if k != "output"},
              "rows": counts, "generation": generated, "results": results,
              "note": NOTE}
    Path(args.output).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    for name, value in results.items():
        print(f"{name:28} {value}")


if __name__ == "__main__":
    main()
