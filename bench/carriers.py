"""Polling parcels in transit at their carriers: 10,000 shipped orders, half at CDEK and half at
Russian Post, against local fakes of the two APIs (tests/fakes/carriers.py, in a process of
their own) that answer after --latency-ms, as a real API over the internet would.

    poll      shipping.services.parcels_poll run as beat runs it (batches of --batch) until no
              parcel is due: wall time, parcels/s, HTTP requests per parcel (CDEK's OAuth token
              included), orders moved and outbox rows written. Most parcels are still on their
              way; by the tracking number's last digit 2 in 10 arrived at the pickup point, 1
              was delivered, 1 was sent back (tests/fakes/carriers.py GENERATED_STAGES).
    again     every parcel made due again and polled with the same news: nothing may move and
              no message may be written (checked, reported as "ok").
    ceiling   the same carrier requests from as many threads without the database (the
              carriers' own time plus parsing their answers): poll / ceiling is what following
              a parcel adds to asking about it.

    .venv/bin/python bench/carriers.py           # 10,000 parcels, about 1-3 minutes
    .venv/bin/python bench/carriers.py --quick   # 1,000 parcels: a smoke run

Creates (and drops at the end) its own PostgreSQL database; writes bench/results/carriers.json.
The machine is shared: timings move from run to run, the requests per parcel do not.
"""

import argparse
import json
import multiprocessing
import os
import platform
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "carriers.json"
sys.path.insert(0, str(ROOT))

from bench.harness import bench_environment, ensure_database, manage  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parcels", type=int, default=10_000)
    parser.add_argument("--latency-ms", type=float, default=20.0, help="each fake answer waits this long (20)")
    parser.add_argument("--threads", type=int, default=8, help="PARCEL_POLL_THREADS (8)")
    parser.add_argument("--batch", type=int, default=500, help="parcels per poll run (500)")
    parser.add_argument("--quick", action="store_true", help="1,000 parcels")
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vitrina_bench_h16_carriers"))
    parser.add_argument("--var-dir", default="/tmp/vitrina-bench-h16-carriers")  # noqa: S108
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--output", default=str(RESULTS))
    args = parser.parse_args()
    if args.quick:
        args.parcels = 1_000
    return args


# --- The carriers, in a process of their own ------------------------------------------------


def _serve_carriers(pipe, latency: float) -> None:
    from tests.fakes.carriers import FakeCdek, FakeRussianPost

    cdek, post = FakeCdek(generated=True), FakeRussianPost(generated=True)
    cdek.delay = post.delay = latency
    with cdek, post:
        pipe.send({"cdek": cdek.url, "russian_post": post.url})
        while (command := pipe.recv()) != "stop":
            if command == "count":
                pipe.send({"cdek": len(cdek.requests), "russian_post": len(post.requests),
                           "cdek_tokens": cdek.tokens_issued})


class Carriers:
    def __enter__(self):
        self.pipe, child = multiprocessing.get_context("fork").Pipe()
        self.process = multiprocessing.get_context("fork").Process(
            target=_serve_carriers, args=(child, ARGS.latency_ms / 1000), daemon=True)
        self.process.start()
        self.urls = self.pipe.recv()
        return self

    def count(self) -> dict:
        self.pipe.send("count")
        return self.pipe.recv()

    def __exit__(self, *exc):
        self.pipe.send("stop")
        self.process.join(timeout=10)


# --- The shop ---------------------------------------------------------------------------------


def drop_database(database_url: str) -> None:
    import dj_database_url
    import psycopg
    from psycopg import sql

    db = dj_database_url.parse(database_url)
    with psycopg.connect(dbname="postgres", autocommit=True, host=db["HOST"] or None, port=db["PORT"] or None,
                         user=db["USER"] or None, password=db["PASSWORD"] or None) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db["NAME"])))


def seed(count: int) -> dict[str, list[str]]:
    """`count` shipped orders with their parcels due now: bulk inserts, no per-row signals."""
    from django.utils import timezone

    from orders.models import DeliveryMethod, Order, PickupPoint
    from shipping.models import Parcel

    cdek = DeliveryMethod.objects.create(kind="pickup", carrier="cdek", name="СДЭК", price="250.00")
    post = DeliveryMethod.objects.create(kind="post", carrier="russian_post", name="Почта России", price="350.00")
    point = PickupPoint.objects.create(delivery_method=cdek, name="СДЭК на Тверской", city="Москва",
                                       address="ул. Тверская, 7")
    now = timezone.now()
    numbers: dict[str, list[str]] = {"cdek": [], "russian_post": []}
    orders = []
    for n in range(count):
        carrier = "cdek" if n % 2 == 0 else "russian_post"
        tracking = f"{1_000_000_000 + n}" if carrier == "cdek" else f"8008{n:010d}"
        numbers[carrier].append(tracking)
        orders.append(Order(
            number=f"BENCH-{n}", status=Order.Status.SHIPPED, name="Покупатель", phone=f"+7916{n:07d}",
            email=f"buyer{n}@example.com", delivery_method=cdek if carrier == "cdek" else post,
            pickup_point=point if carrier == "cdek" else None, postcode="" if carrier == "cdek" else "101000",
            tracking_number=tracking, payment_method=Order.PaymentMethod.CASH_ON_DELIVERY,
            items_total="1000.00", delivery_price="250.00", total_to_pay="1250.00",
        ))
    Order.objects.bulk_create(orders, batch_size=2000)
    Parcel.objects.bulk_create([
        Parcel(order=order, carrier=order.delivery_method.carrier, tracking_number=order.tracking_number,
               next_check_at=now - timedelta(seconds=1))
        for order in orders
    ], batch_size=2000)
    return numbers


def poll_all(now, args) -> dict:
    from shipping.services import parcels_poll

    totals = {"checked": 0, "moved": 0, "failed": 0, "runs": 0}
    started = time.perf_counter()
    while True:
        result = parcels_poll(now=now, batch_size=args.batch, threads=args.threads)
        if result.checked + result.failed == 0:
            break
        totals["runs"] += 1
        for key in ("checked", "moved", "failed"):
            totals[key] += getattr(result, key)
    totals["seconds"] = round(time.perf_counter() - started, 2)
    return totals


def ceiling(numbers: dict[str, list[str]], threads: int) -> float:
    from shipping.carriers import carrier_get

    work = [(carrier_get(carrier), number) for carrier, batch in numbers.items() for number in batch]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(lambda item: item[0].track(item[1]), work))
    return round(time.perf_counter() - started, 2)


def main() -> int:
    args = ARGS
    env = bench_environment(SimpleNamespace(database_url=args.database_url, redis_url="", var_dir=args.var_dir))
    env.pop("REDIS_URL")  # no Redis needed: messages go to the file-system broker in VAR_DIR
    Path(args.var_dir).mkdir(parents=True, exist_ok=True)
    with Carriers() as carriers:
        env.update({
            "CDEK_CLIENT_ID": "cdek-client", "CDEK_CLIENT_SECRET": "cdek-secret",
            "CDEK_API_URL": carriers.urls["cdek"] + "/v2/",
            "RUSSIAN_POST_LOGIN": "post-login", "RUSSIAN_POST_PASSWORD": "post-password",
            "RUSSIAN_POST_API_URL": carriers.urls["russian_post"] + "/rtm34", "PARCEL_POLL_THREADS": str(args.threads),
        })
        drop_database(args.database_url)
        ensure_database(args.database_url)
        print("Migrating the bench database")
        manage(env, "migrate", "--noinput", "--verbosity", "0")
        os.environ.update(env)
        import django

        django.setup()
        from django.db.models import Count
        from django.utils import timezone

        from marketing.models import OutboundMessage
        from orders.models import Order

        print(f"Seeding {args.parcels:,} shipped orders with their parcels")
        numbers = seed(args.parcels)
        load_before = os.getloadavg()
        now = timezone.now()

        first = poll_all(now, args)
        after_first = carriers.count()
        messages_first = OutboundMessage.objects.count()
        statuses = dict(Order.objects.values_list("status").annotate(n=Count("pk")).order_by())
        print(f"poll: {first}")

        from shipping.models import Parcel

        Parcel.objects.filter(next_check_at__isnull=False).update(next_check_at=now)
        later = now + timedelta(hours=3)
        Parcel.objects.filter(next_check_at__isnull=True).update(next_check_at=later)  # the ends too, once more
        again = poll_all(later, args)
        messages_again = OutboundMessage.objects.count() - messages_first
        print(f"again: {again}, new messages: {messages_again}")

        before_ceiling = carriers.count()
        ceiling_seconds = ceiling(numbers, args.threads)
        after_ceiling = carriers.count()

    requests_first = after_first["cdek"] + after_first["russian_post"]
    ceiling_requests = (after_ceiling["cdek"] + after_ceiling["russian_post"]
                        - before_ceiling["cdek"] - before_ceiling["russian_post"])
    ok = first["checked"] == args.parcels and first["failed"] == 0 and again["moved"] == 0 and messages_again == 0
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average_before": [round(x, 2) for x in load_before],
                    "note": "shared 2-core machine: the fakes, PostgreSQL and the poll share these CPUs"},
        "settings": {"parcels": args.parcels, "latency_ms": args.latency_ms, "threads": args.threads,
                     "batch": args.batch},
        "poll": {**first, "parcels_per_second": round(first["checked"] / first["seconds"], 1),
                 "ms_per_parcel": round(first["seconds"] * 1000 / args.parcels, 2),
                 "requests": requests_first, "requests_per_parcel": round(requests_first / args.parcels, 4),
                 "cdek_tokens": after_first["cdek_tokens"], "outbox_rows": messages_first,
                 "orders_by_status": statuses},
        "again": {**again, "new_outbox_rows": messages_again},
        "ceiling": {"seconds": ceiling_seconds, "requests": ceiling_requests,
                    "poll_to_ceiling": round(first["seconds"] / ceiling_seconds, 2) if ceiling_seconds else None},
        "ok": ok,
    }
    print(json.dumps({key: result[key] for key in ("poll", "again", "ceiling", "ok")}, indent=2, ensure_ascii=False))
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"Wrote {args.output}")
    if not args.keep_database:
        from django.db import connections

        connections.close_all()
        drop_database(args.database_url)
    return 0 if ok else 1


ARGS = parse_args() if __name__ == "__main__" else None

if __name__ == "__main__":
    sys.exit(main())
