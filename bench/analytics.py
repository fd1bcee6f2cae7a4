"""The owner's reports on a big shop: a year's worth of orders and visits in PostgreSQL.

Generates ORDERS orders (one line each, claim and call times, statuses by age), VISITS visits
and about as many product views over DAYS days with COPY, fills every day's rollup, then times:

    rollup     one day's rollup (rollup_day_fill) on several typical days: mean and max
    reports    each report for the last 90 days (today computed live and merged), fresh reader
    dashboard  dashboard_build for 90 days, and the whole page through Django's test client
    ceiling    a one-row query through the ORM, the floor any report pays

    .venv/bin/python bench/analytics.py                          # 1,000,000 orders, 10,000,000 visits+views
    .venv/bin/python bench/analytics.py --orders 200000 --visits 2000000
    .venv/bin/python bench/analytics.py --reuse                   # time again on the data already generated

Targets: each report < 300 ms, the dashboard < 1 s, one day's rollup < 10 s. Writes
bench/results/analytics.json. Uses its own database (--database-url) and drops nothing: drop it
when done (`dropdb vitrina_bench_analytics`).
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
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
    parser.add_argument("--days", type=int, default=365, help="days of history the rows spread over")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per report (median reported)")
    parser.add_argument("--reuse", action="store_true", help="keep the generated data, only time")
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


def timed(function, rounds: int) -> dict:
    runs = []
    for _ in range(rounds):
        t = time.perf_counter()
        function()
        runs.append((time.perf_counter() - t) * 1000)
    return {"median_ms": round(statistics.median(runs), 1), "max_ms": round(max(runs), 1),
            "runs_ms": [round(r, 1) for r in runs]}


def measure(args) -> dict:
    from django.db import connection
    from django.test import Client

    from analytics.dashboard import dashboard_build
    from analytics.forms import report_form
    from analytics.models import RollupDay
    from analytics.periods import period_for_preset, shop_today
    from analytics.reports import REPORTS, report_build
    from analytics.rollups import rollup_day_fill, rollup_days_due
    from customers.models import User

    results = {}
    due = rollup_days_due()
    t = time.perf_counter()
    for day in due:
        rollup_day_fill(day=day)
    results["rollup_all_due_days"] = {"days": len(due), "seconds": round(time.perf_counter() - t, 1)}
    sample = [shop_today() - timedelta(days=n) for n in (2, 9, 30, 61, 88)]
    day_runs = []
    for day in sample:
        t = time.perf_counter()
        rollup_day_fill(day=day)
        day_runs.append(time.perf_counter() - t)
    results["rollup_one_day"] = {"mean_s": round(statistics.mean(day_runs), 2), "max_s": round(max(day_runs), 2),
                                 "target_s": 10}
    query = report_form({"preset": "90d"})
    assert query.is_valid()
    for name in REPORTS:
        results[f"report_{name}"] = {**timed(lambda n=name: report_build(name=n, query=query.cleaned_data),
                                             args.rounds), "target_ms": 300}
    period = period_for_preset("90d")
    results["dashboard_build"] = {**timed(lambda: dashboard_build(period=period, attribution="last_non_direct"),
                                          args.rounds), "target_ms": 1000}
    owner = User.objects.filter(is_superuser=True, is_staff=True).first() or User.objects.create_superuser(
        "bench-owner@vitrina.local", "bench-password")
    client = Client()
    client.force_login(owner)
    def page():
        response = client.get("/admin/?preset=90d", secure=True)  # DEBUG is off: plain HTTP is redirected
        assert response.status_code == 200 and b"dashboard-data" in response.content, response.status_code

    results["dashboard_page"] = {**timed(page, args.rounds), "target_ms": 1000}

    def ceiling():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    results["ceiling_select_1"] = timed(ceiling, args.rounds)
    results["rollup_days_done"] = RollupDay.objects.filter(state=RollupDay.State.DONE).count()
    return results


def main() -> None:
    args = parse_args()
    ensure_database(args.database_url)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "DEBUG": "1", "DATABASE_URL": args.database_url,
           "VAR_DIR": "/tmp/vitrina-bench-analytics-var", "PYTHONPATH": str(ROOT)}  # noqa: S108
    env.pop("REDIS_URL", None)
    if not args.reuse:
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "seed_demo", "--products", "200", "--customers", "10", "-v0")
    setup_django(args)
    from customers.models import Visit
    from orders.models import Order

    generated = {"reused": True} if args.reuse else generate(args)
    counts = {"orders": Order.objects.count(), "visits": Visit.objects.count()}
    print(f"Data: {counts}, generated in {generated}", flush=True)
    if args.generate_only:
        return
    results = measure(args)
    report = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "machine": platform.node(),
              "cpus": os.cpu_count(), "arguments": {k: v for k, v in vars(args).items() if k != "output"},
              "rows": counts, "generation": generated, "results": results,
              "note": "Shared 2-core machine with other engineers' test runs: timings are noisy."}
    Path(args.output).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    for name, value in results.items():
        print(f"{name:28} {value}")


if __name__ == "__main__":
    main()
