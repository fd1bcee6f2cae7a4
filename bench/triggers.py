"""Trigger campaigns at scale on PostgreSQL: how long each campaign's scan takes, and how many
marketing e-mails one worker process renders and hands to the e-mail backend per second.

Seeds (once; kept between runs) 1,000,000 customers, 300,000 carts (a third of guests) with
1–3 lines, 2,000,000 product views, 500,000 orders and 400,000 marketing consents, written
with PostgreSQL COPY. Then, for every campaign kind the engine knows:

    scan        campaigns_scan for that campaign: the first run finds the backlog (every cause
                in its look-back window), the second run is the steady state of a beat every
                few minutes (nothing new: the set-based query and the NOT EXISTS against the
                entries it already has)
    dispatch    campaign_entries_dispatch in batches of 500 in one process, with the e-mails
                handed to the e-mail backend in the same process (tasks run eagerly, as a
                worker runs them): consent, segment, window, holdout, frequency cap (advisory
                locks), rendering (sandbox + HTML layout), outbox and campaign rows, then
                messages_send for the batch (row-locked claim, delivery attempts, one
                connection, results in bulk); e-mails/s, the worker's CPU and the time off it
    ceilings    the same number of bare OutboundMessage INSERTs (bulk), the most this database
                could write in the same run, and the same rendered e-mails handed to the
                backend over one connection: the engine's rate is reported as a share of each

Each run starts from campaigns just switched on: their entries and messages are truncated.

Prints the numbers and writes bench/results/triggers.json. The machine is shared, so timings
are noisy; compare ratios within one run.

    .venv/bin/python bench/triggers.py                 # full size; seeding takes several minutes
    .venv/bin/python bench/triggers.py --scale 0.05    # a smoke run at 5% of the data
    .venv/bin/python bench/triggers.py --drop          # drop the bench database afterwards
"""

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "triggers.json"
sys.path.insert(0, str(ROOT))

from bench.harness import bench_environment, ensure_database  # noqa: E402

DOMAIN = "bench.example"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/vitrina_bench_triggers")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/10")
    parser.add_argument("--scale", type=float, default=1.0, help="share of the full data set (default 1)")
    parser.add_argument("--emails", type=int, default=5000, help="e-mails to dispatch and send (default 5000)")
    parser.add_argument("--var-dir", default="/tmp/vitrina-bench-triggers-var")  # noqa: S108
    parser.add_argument("--output", default=str(RESULTS))
    parser.add_argument("--drop", action="store_true", help="drop the bench database when done")
    parser.add_argument("--seed-only", action="store_true", help="seed the bench database, measure nothing")
    return parser.parse_args()


# --- Seeding with COPY ------------------------------------------------------------------------


def _copy(cursor, table: str, columns: tuple[str, ...], rows) -> int:
    """COPY rows into `table`; NOT NULL columns without a value here get an empty value of their type."""
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s "
        "AND is_nullable = 'NO' AND column_default IS NULL", [table],
    )
    filler = {
        name: ("" if kind in ("character varying", "text") else False if kind == "boolean" else 0)
        for name, kind in cursor.fetchall() if name not in columns and name != "id"
    }
    names = ", ".join((*columns, *filler))
    extra = tuple(filler.values())
    count = 0
    with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row((*row, *extra))
            count += 1
    return count


def seed(sizes: dict[str, int]) -> dict[str, float]:
    from django.db import connection

    from catalog.models import Category, Product
    from orders.models import DeliveryMethod

    rng = random.Random(42)
    now = datetime.now(UTC)
    timings = {}
    category, _ = Category.objects.get_or_create(slug="bench-triggers", defaults={"name": "Bench triggers"})
    method, _ = DeliveryMethod.objects.get_or_create(name="Bench courier", defaults={"kind": "courier", "price": 300})
    existing = Product.objects.filter(category=category).count()
    Product.objects.bulk_create([
        Product(category=category, name=f"Bench product {n}", slug=f"bench-trg-{n}", sku=f"BENCH-TRG-{n:05d}",
                price=rng.randrange(200, 5000), stock=1000, is_in_stock=True,
                consumption_days=rng.choice([None, 30, 60, 90]))
        for n in range(existing, sizes["products"])
    ])
    products = list(Product.objects.filter(category=category).values_list("pk", "price"))
    cities = ["Москва", "Санкт-Петербург", "Казань", "Екатеринбург", "Новосибирск"]
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        started = time.perf_counter()
        cursor.execute("SELECT coalesce(max(id), 0) FROM customers_user")
        first_user = cursor.fetchone()[0] + 1
        users = _copy(cursor, "customers_user", (
            "password", "is_superuser", "is_staff", "is_active", "date_joined", "email", "city", "birth_date",
        ), (
            ("!", False, False, True, now - timedelta(days=rng.randrange(730), seconds=rng.randrange(86400)),
             f"c{n}@{DOMAIN}", rng.choice(cities), None if n % 3 else datetime(1970 + n % 40, 1 + n % 12,
                                                                             1 + n % 28).date())
            for n in range(sizes["customers"])
        ))
        user_ids = range(first_user, first_user + users)
        timings["customers"] = time.perf_counter() - started

        started = time.perf_counter()
        cursor.execute("SELECT coalesce(max(id), 0) FROM orders_cart")
        first_cart = cursor.fetchone()[0] + 1
        carts = []
        for n in range(sizes["carts"]):
            guest = n % 3 == 0
            carts.append((
                None if guest else user_ids[(n * 7) % len(user_ids)], f"bench-{n}" if guest else "",
                f"g{n}@{DOMAIN}" if guest else "", now - timedelta(days=90),
                now - timedelta(minutes=rng.randrange(60 * 24 * 60)),
            ))
        _copy(cursor, "orders_cart", ("user_id", "session_key", "email", "created_at", "updated_at"), carts)
        _copy(cursor, "orders_cartline", ("cart_id", "product_id", "quantity", "price_when_added", "added_at"), (
            (first_cart + n, product, 1 + rng.randrange(2), price, now - timedelta(days=1))
            for n in range(len(carts)) for product, price in rng.sample(products, 1 + rng.randrange(3))
        ))
        timings["carts"] = time.perf_counter() - started

        started = time.perf_counter()
        _copy(cursor, "customers_productview", ("user_id", "product_id", "viewed_at"), (
            (user_ids[rng.randrange(len(user_ids))] if rng.random() < 0.5 else None, products[
                rng.randrange(len(products))][0], now - timedelta(minutes=rng.randrange(60 * 24 * 14)))
            for _ in range(sizes["product_views"])
        ))
        timings["product_views"] = time.perf_counter() - started

        started = time.perf_counter()
        statuses = ["delivered"] * 7 + ["cancelled", "new", "shipped"]
        _copy(cursor, "orders_order", (
            "created_at", "updated_at", "status", "user_id", "name", "phone", "email", "delivery_method_id",
            "payment_method", "payment_status", "items_total", "delivery_price", "discount_total", "points_spent",
            "total_to_pay",
        ), (
            (placed, placed, rng.choice(statuses), user, "Bench", "+79160000000", f"c{user - first_user}@{DOMAIN}",
             method.pk, "cash_on_delivery", "unpaid", total, 300, 0, 0, total + 300)
            for placed, user, total in (
                (now - timedelta(minutes=rng.randrange(60 * 24 * 720)), user_ids[rng.randrange(len(user_ids))],
                 rng.randrange(500, 20000))
                for _ in range(sizes["orders"])
            )
        ))
        timings["orders"] = time.perf_counter() - started

        started = time.perf_counter()
        _copy(cursor, "customers_consent", (
            "user_id", "email", "kind", "granted", "wording_version", "source", "created_at",
        ), (
            (user_ids[(n * 7) % len(user_ids)], f"c{(n * 7) % len(user_ids)}@{DOMAIN}", "marketing_email",
             True, "bench", "checkout", now - timedelta(days=100))
            for n in range(sizes["consents"])
        ))
        timings["consents"] = time.perf_counter() - started
        cursor.execute("VACUUM ANALYZE")
    return timings


# --- Measuring ---------------------------------------------------------------------------------


def campaigns_reset() -> None:
    """Forget what earlier runs' campaigns did, so each run's first scan meets the whole backlog
    of a campaign just switched on (TRUNCATE: instant on millions of rows)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE marketing_campaignevent, marketing_campaignconversion, marketing_campaignmessage, "
            "marketing_campaignentry, marketing_deliveryattempt, marketing_outboundmessage"
        )


def measure_scans() -> dict[str, dict]:
    from django.utils import timezone

    from marketing.campaigns.models import Campaign, CampaignStep
    from marketing.campaigns.services import campaign_scan
    from marketing.campaigns.triggers import TRIGGERS

    results = {}
    for kind in [kind for kind in TRIGGERS if kind in Campaign.Kind.values]:  # broadcasts have no scan
        campaign = Campaign.objects.filter(kind=kind).first()
        if campaign is None:
            campaign = Campaign.objects.create(kind=kind, name=f"Bench {kind}")
            CampaignStep.objects.create(campaign=campaign, position=1, delay_hours=1)
        Campaign.objects.filter(pk=campaign.pk).update(is_active=True, send_window_start=None, send_window_end=None,
                                                       holdout_percent=10)
        campaign.refresh_from_db()
        runs = []
        for _ in range(2):
            started = time.perf_counter()
            found = campaign_scan(campaign=campaign, now=timezone.now())
            runs.append({"seconds": round(time.perf_counter() - started, 3), "found": found})
        results[kind] = {"first": runs[0], "steady": runs[1]}
        print(f"  scan {kind:<22} first {runs[0]['seconds']:7.2f} s ({runs[0]['found']} causes)   "
              f"steady {runs[1]['seconds']:6.2f} s")
    return results


def measure_dispatch(emails: int) -> dict:
    from django.conf import settings
    from django.db import connection
    from django.urls import get_resolver
    from django.utils import timezone

    from marketing.backends import backend_session
    from marketing.campaigns.models import CampaignEntry, CampaignMessage
    from marketing.campaigns.services import campaign_entries_dispatch
    from marketing.models import OutboundMessage

    # Each e-mail becomes the bytes an SMTP server would receive, then goes nowhere.
    settings.EMAIL_BACKEND = "bench.mail.SerializingEmailBackend"
    # Everyone in the backlog is due now, in a random order across campaigns (carts of guests
    # and of customers, welcomes, reactivations...): the bench measures the engine's work.
    CampaignEntry.objects.filter(status="waiting").update(due_at=timezone.now() - timedelta(minutes=1))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE marketing_campaignentry SET due_at = due_at - random() * interval '1 hour' "
                       "WHERE status = 'waiting'")
    # A worker imports the URL configuration once, for its first message's links (a second of
    # imports here); the rate measured is a running worker's, so that is paid before the clock starts.
    get_resolver().url_patterns  # noqa: B018
    sent_before = OutboundMessage.objects.filter(is_marketing=True, status="sent").count()
    outcomes: dict[str, int] = {}
    database = {"queries": 0, "seconds": 0.0}

    def timed(execute, sql, params, many, context):
        query_started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            database["queries"] += 1
            database["seconds"] += time.perf_counter() - query_started

    started, cpu_started = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(timed):
        while outcomes.get("sent", 0) < emails:
            counts = campaign_entries_dispatch(batch_size=500)
            if not counts:
                break
            for outcome, count in counts.items():
                outcomes[outcome] = outcomes.get(outcome, 0) + count
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    sent = OutboundMessage.objects.filter(is_marketing=True, status="sent").count() - sent_before
    handled = sum(outcomes.values())

    # Ceilings in the same run: (1) as many bare outbox rows, written in bulk by this process;
    # (2) the same, already rendered e-mails handed to the same backend over one connection.
    rows = [OutboundMessage(channel="email", kind="abandoned_cart", recipient=f"ceiling{n}@{DOMAIN}",
                            language="ru", body="x", idempotency_key=f"bench-ceiling:{time.time()}:{n}",
                            due_at=timezone.now(), status="cancelled") for n in range(max(sent, 1))]
    ceiling_started = time.perf_counter()
    for start in range(0, len(rows), 500):
        OutboundMessage.objects.bulk_create(rows[start:start + 500])
    ceiling = len(rows) / (time.perf_counter() - ceiling_started)
    rendered = list(OutboundMessage.objects.filter(is_marketing=True, status="sent", channel="email")[:sent])
    handoff_started = time.perf_counter()
    with backend_session("email") as backend:
        for message in rendered:
            backend.send(message)
    handoff = len(rendered) / (time.perf_counter() - handoff_started) if rendered else 0.0
    connection.close()
    rate = sent / elapsed if elapsed else 0.0
    print(f"  dispatch: {sent} e-mails sent ({handled} entries decided: {outcomes}) in {elapsed:.2f} s "
          f"= {rate:.0f} e-mails/s; ceilings: {ceiling:.0f} bare outbox rows/s ({rate / ceiling:.1%}), "
          f"{handoff:.0f} rendered e-mails/s handed to the backend ({rate / handoff:.1%}); the worker's own "
          f"CPU: {cpu:.2f} s = {cpu * 1000 / max(sent, 1):.2f} ms per e-mail; off the worker's CPU (waiting for the "
          f"database or a core): {elapsed - cpu:.2f} s; {database['queries']} SQL statements "
          f"({database['queries'] / max(sent, 1):.3f} per e-mail; COPY not counted), {database['seconds']:.2f} s "
          f"inside them")
    return {"emails_sent": sent, "entries_decided": handled, "outcomes": outcomes, "seconds": round(elapsed, 3),
            "emails_per_second": round(rate, 1), "worker_cpu_seconds": round(cpu, 3),
            "worker_cpu_ms_per_email": round(cpu * 1000 / max(sent, 1), 3),
            "off_cpu_seconds": round(elapsed - cpu, 3),
            "database_queries": database["queries"], "database_seconds": round(database["seconds"], 3),
            "database_queries_per_email": round(database["queries"] / max(sent, 1), 4),
            "ceiling_rows_per_second": round(ceiling, 1),
            "share_of_ceiling": round(rate / ceiling, 4) if ceiling else None,
            "ceiling_handoff_per_second": round(handoff, 1),
            "share_of_handoff_ceiling": round(rate / handoff, 4) if handoff else None,
            "campaign_messages_total": CampaignMessage.objects.count()}


def main() -> None:
    args = parse_args()
    sizes = {name: max(1, int(full * args.scale)) for name, full in {
        "customers": 1_000_000, "carts": 300_000, "product_views": 2_000_000, "orders": 500_000,
        "consents": 400_000, "products": 2_000,
    }.items()}
    env = bench_environment(args, cache_prefix="vitrina-bench-triggers")
    env.update({"CELERY_TASK_ALWAYS_EAGER": "1", "PRODUCT_VIEWS_BUFFERED": "0"})
    ensure_database(args.database_url)
    Path(args.var_dir).mkdir(parents=True, exist_ok=True)
    print("Migrating the bench database")
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "--verbosity", "0"],
                   env=env, cwd=ROOT, check=True)
    os.environ.update(env)
    import django

    django.setup()
    from customers.models import User

    seeded = User.objects.filter(email__endswith=f"@{DOMAIN}").count()
    seeding = {}
    if seeded < sizes["customers"]:
        print(f"Seeding with COPY: {sizes}")
        seeding = seed(sizes)
        print("  " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in seeding.items()))
    if args.seed_only:
        return
    campaigns_reset()
    load_before = os.getloadavg()
    print(f"Load average {load_before[0]:.1f} on {os.cpu_count()} cores")
    print("Scans (each campaign kind: first activation, then one beat run):")
    scans = measure_scans()
    dispatch = {}
    if args.emails:
        print(f"Dispatch of {args.emails} e-mails by one process:")
        dispatch = measure_dispatch(args.emails)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"), "machine": platform.node(),
        "cpus": os.cpu_count(), "sizes": sizes, "seeding_seconds": seeding, "scans": scans,
        "dispatch": dispatch,
        "targets": {"scan_seconds": 10, "emails_per_second": 500},
        "load_average_1min": {"before": round(load_before[0], 1), "after": round(os.getloadavg()[0], 1)},
        "note": ("The PostgreSQL server runs on the same cores as the worker; other work on the machine shows in "
                 "the load averages. Wall-clock rates move with the load; the worker's CPU per e-mail and the "
                 "statements per e-mail much less."),
    }
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"Written {args.output}")
    if args.drop:
        from django.db import connections

        connections.close_all()
        import dj_database_url
        import psycopg

        name = dj_database_url.parse(args.database_url)["NAME"]
        with psycopg.connect(args.database_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
