"""Claiming new orders: how soon a polling manager sees a new order, and how many claims/s
PostgreSQL settles when managers race for them.

Starts gunicorn on PostgreSQL and Redis (DEBUG=0, the shop's own settings) and measures:

    banner     end to end: an order is placed (orders.services.order_place, in this process)
               and M managers poll the banner exactly as static/js/backoffice.js does (the
               HTML fragment, the interval read from the admin page's data-interval, the next
               poll scheduled when the answer arrives). For every order and every manager:
               the time from the order's commit to the first answer that lists it.
    endpoint   the banner endpoint's own latency: back-to-back GETs with a few unclaimed
               orders waiting, from 1 and from 8 clients at once.
    claims     N threads race over one stream of new orders, each trying every order in the
               same sequence: directly through orders.services.order_claim (each thread its
               own database connection) and through the admin's "I'll take it" (POST, JSON)
               on gunicorn. Orders settled per second, attempts per second, and the check
               that every order has exactly one winner.

    .venv/bin/python bench/claim.py           # about 2 minutes
    .venv/bin/python bench/claim.py --quick   # a smoke run, not a measurement

Writes bench/results/claim.json. Needs PostgreSQL and Redis (see --help).
"""

import argparse
import json
import os
import platform
import random
import re
import secrets
import statistics
import string
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "claim.json"
sys.path.insert(0, str(ROOT))

from bench.harness import Server, bench_environment, ensure_database, manage  # noqa: E402

BANNER_PATH = "/admin/orders/order/banner/"
NUMBER = re.compile(r'data-number="([^"]+)"')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--managers", type=int, default=8, help="polling managers (default 8)")
    parser.add_argument("--orders", type=int, default=30, help="orders placed while they poll (default 30)")
    parser.add_argument("--endpoint-seconds", type=float, default=8, help="seconds per endpoint load (default 8)")
    parser.add_argument("--stream", type=int, default=300, help="orders in each claim race (default 300)")
    parser.add_argument("--http-stream", type=int, default=40, help="orders in each race over HTTP (default 40)")
    parser.add_argument("--threads", default="1,4,16,32", help="racing threads per run (default 1,4,16,32)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (default 4)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: few orders, short loads")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vitrina_bench_claim"),
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7"))
    parser.add_argument("--var-dir", default=os.environ.get("BENCH_VAR_DIR", "/tmp/vitrina-bench-claim-var"))  # noqa: S108
    parser.add_argument("--output", default=str(RESULTS), help=f"JSON results (default {RESULTS.relative_to(ROOT)})")
    args = parser.parse_args()
    if args.quick:
        args.orders, args.endpoint_seconds, args.stream, args.http_stream, args.threads = 6, 2, 40, 10, "1,8"
    args.thread_counts = [int(n) for n in args.threads.split(",") if n.strip()]
    return args


def summary(values: list[float]) -> dict:
    """Milliseconds: count, mean, p50, p90, p99, max."""
    if not values:
        return {"n": 0}
    ordered = sorted(values)

    def pick(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)

    return {"n": len(values), "mean": round(statistics.fmean(values), 1), "p50": pick(0.5), "p90": pick(0.9),
            "p99": pick(0.99), "max": round(ordered[-1], 1)}


# --- The store ------------------------------------------------------------------------------


def prepare(args: argparse.Namespace, env: dict[str, str]) -> None:
    ensure_database(args.database_url)
    print("Migrating the bench database")
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    print("Collecting static files")  # DEBUG=0: the admin pages need the manifest
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings

    # Order messages are written as in the shop; their send tasks go to this bench's own Redis
    # database and are purged at the end (no worker runs here).
    settings.SMS_FILE_PATH = Path(args.var_dir) / "sms"


def clean_slate() -> None:
    from orders.models import Order

    Order.objects.filter(status__in=[Order.Status.NEW, Order.Status.IN_PROGRESS]).update(
        status=Order.Status.CANCELLED
    )


def managers(count: int) -> list:
    from django.contrib.auth.models import Group

    from customers.models import User
    from customers.roles import MANAGER, roles_sync

    roles_sync()
    group = Group.objects.get(name=MANAGER)
    people = []
    for n in range(count):
        user, _created = User.objects.get_or_create(
            email=f"bench-manager-{n}@example.com",
            defaults={"first_name": "Менеджер", "last_name": str(n), "is_staff": True},
        )
        user.groups.add(group)
        people.append(user)
    return people


def session_cookie(user) -> str:
    """A signed-in admin session for `user`, plus a CSRF token the same client sends back."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={csrf}"


def csrf_of(cookie: str) -> str:
    return cookie.rsplit("=", 1)[1]


class Shop:
    """Places orders through the checkout service, as the storefront does."""

    def __init__(self) -> None:
        from catalog.models import Category, Product
        from orders.models import DeliveryMethod

        category, _ = Category.objects.get_or_create(slug="bench-claim", defaults={"name": "Bench"})
        self.product, _ = Product.objects.get_or_create(
            slug="bench-claim-product",
            defaults={"name": "Bench product", "sku": "BENCH-CLAIM", "price": Decimal("1990.00"),
                      "category": category, "stock": 10**9},
        )
        Product.objects.filter(pk=self.product.pk).update(stock=10**9, is_active=True)
        self.delivery, _ = DeliveryMethod.objects.get_or_create(
            kind="courier", name="Bench courier", defaults={"price": Decimal("300.00")}
        )

    def place(self):
        from orders.models import Cart
        from orders.services import Contact, Delivery, cart_add, order_place

        cart = Cart.objects.create(session_key=uuid.uuid4().hex[:40])
        cart_add(cart=cart, product=self.product, variant=None, quantity=1)
        return order_place(
            cart=cart, contact=Contact(name="Покупатель", phone="+79161234567", email="buyer@example.com"),
            delivery=Delivery(method=self.delivery, address="Москва, ул. Тверская, 1"),
            payment="cash_on_delivery", idempotency_key=uuid.uuid4().hex,
        ).order


def get(base: str, path: str, cookie: str, *, accept: str = "text/html") -> tuple[int, str]:
    request = urllib.request.Request(base + path, headers={
        "Cookie": cookie, "Accept": accept, "X-Requested-With": "XMLHttpRequest",
    })
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.read().decode()


# --- Banner: end to end -------------------------------------------------------------------------


class Poller(threading.Thread):
    """One manager's admin tab: polls the banner like backoffice.js and notes when each
    order number first appears."""

    def __init__(self, base: str, cookie: str, interval: float, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.base, self.cookie, self.interval, self.stop = base, cookie, interval, stop
        self.first_seen: dict[str, float] = {}
        self.request_ms: list[float] = []
        self.errors = 0

    def run(self) -> None:
        time.sleep(random.uniform(0, self.interval))  # tabs were opened at different moments
        path = f"{BANNER_PATH}?next=%2Fadmin%2F"
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                _status, html = get(self.base, path, self.cookie)
            except (OSError, urllib.error.HTTPError):
                self.errors += 1
            else:
                arrived = time.monotonic()
                self.request_ms.append((arrived - started) * 1000)
                for number in NUMBER.findall(html):
                    self.first_seen.setdefault(number, arrived)
            self.stop.wait(self.interval)


def banner_latency(args: argparse.Namespace, base: str, people: list, shop: Shop) -> dict:
    from orders.models import Order
    from orders.services import order_claim

    cookies = [session_cookie(user) for user in people]
    _status, page = get(base, "/admin/", cookies[0])
    found = re.search(r'id="bo-banner"[^>]*data-interval="(\d+)"', page)
    if not found:
        sys.exit("The admin page has no #bo-banner slot with data-interval; is the banner installed?")
    interval = int(found.group(1)) / 1000
    print(f"Banner: {len(people)} managers polling every {interval:g} s; placing {args.orders} orders")

    stop = threading.Event()
    pollers = [Poller(base, cookie, interval, stop) for cookie in cookies]
    for poller in pollers:
        poller.start()
    time.sleep(interval + 0.5)
    placed: dict[str, float] = {}
    claimer = people[0]
    try:
        for _ in range(args.orders):
            time.sleep(random.uniform(0, interval))  # orders arrive whenever customers finish
            order = shop.place()
            placed[order.number] = time.monotonic()
            deadline = placed[order.number] + 5 * interval + 10
            while time.monotonic() < deadline and not all(order.number in p.first_seen for p in pollers):
                time.sleep(0.02)
            # Taken, so the banner holds one order at a time and the next one is seen on its own.
            order_claim(order=Order.objects.get(pk=order.pk), manager=claimer)
    finally:
        stop.set()
        for poller in pollers:
            poller.join(timeout=30)

    latencies, missed = [], 0
    for number, at in placed.items():
        for poller in pollers:
            if number in poller.first_seen:
                latencies.append((poller.first_seen[number] - at) * 1000)
            else:
                missed += 1
    requests = [ms for poller in pollers for ms in poller.request_ms]
    return {
        "poll_interval_s": interval,
        "managers": len(people),
        "orders": len(placed),
        "placement_to_banner_ms": summary(latencies),
        "never_seen": missed,
        "poll_request_ms": summary(requests),
        "poll_errors": sum(p.errors for p in pollers),
    }


# --- Banner: the endpoint alone ---------------------------------------------------------------


def endpoint_latency(args: argparse.Namespace, base: str, people: list, shop: Shop) -> dict:
    for _ in range(3):
        shop.place()  # a few orders waiting: the banner has something to render
    results = {}
    for clients in (1, 8):
        cookies = [session_cookie(people[i % len(people)]) for i in range(clients)]
        timings: list[list[float]] = [[] for _ in range(clients)]
        stop = time.monotonic() + args.endpoint_seconds

        def hammer(index: int, timings=timings, cookies=cookies, stop=stop) -> None:
            while time.monotonic() < stop:
                started = time.monotonic()
                get(base, f"{BANNER_PATH}?next=%2Fadmin%2F", cookies[index])
                timings[index].append((time.monotonic() - started) * 1000)

        threads = [threading.Thread(target=hammer, args=(i,)) for i in range(clients)]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - began
        flat = [ms for row in timings for ms in row]
        results[f"{clients}_clients"] = {**summary(flat), "requests_per_s": round(len(flat) / elapsed, 1)}
        print(f"Banner endpoint, {clients} client(s): {results[f'{clients}_clients']}")
    clean_slate()
    return results


# --- Claims under contention --------------------------------------------------------------------


def order_stream(count: int, delivery) -> list:
    """`count` new, unclaimed orders, written directly (the race is about claiming them)."""
    from orders.models import Order

    orders = Order.objects.bulk_create([
        Order(name="Покупатель", phone="+79161234567", delivery_method=delivery, payment_method="cash_on_delivery",
              items_total=Decimal("1990.00"), delivery_price=Decimal("300.00"), total_to_pay=Decimal("2290.00"))
        for _ in range(count)
    ])
    for order in orders:
        order.number = f"B{uuid.uuid4().hex[:12].upper()}"
    Order.objects.bulk_update(orders, ["number"])
    return orders


def verify(orders: list) -> dict:
    from django.db.models import Count

    from orders.models import Order, OrderStatusChange

    ids = [order.pk for order in orders]
    claimed = Order.objects.filter(pk__in=ids, status=Order.Status.IN_PROGRESS, manager__isnull=False).count()
    histories = (OrderStatusChange.objects.filter(order_id__in=ids, to_status=Order.Status.IN_PROGRESS)
                 .values("order_id").annotate(n=Count("id")))
    doubled = sum(1 for row in histories if row["n"] != 1)
    return {"orders_with_one_winner": claimed - doubled, "orders": len(ids), "ok": claimed == len(ids) and not doubled}


def race_service(people: list, orders: list, threads: int) -> dict:
    from django.db import connection

    from orders.services import OrderAlreadyClaimed, order_claim

    start = threading.Barrier(threads + 1)
    wins = [0] * threads
    losses = [0] * threads
    attempt_ms: list[list[float]] = [[] for _ in range(threads)]

    def manager(index: int) -> None:
        me = people[index]
        try:
            start.wait()
            for order in orders:
                began = time.monotonic()
                try:
                    order_claim(order=order, manager=me)
                except OrderAlreadyClaimed:
                    losses[index] += 1
                else:
                    wins[index] += 1
                attempt_ms[index].append((time.monotonic() - began) * 1000)
        finally:
            connection.close()

    workers = [threading.Thread(target=manager, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    start.wait()
    began = time.monotonic()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - began
    attempts = sum(wins) + sum(losses)
    return {
        "threads": threads, "orders": len(orders), "seconds": round(elapsed, 3),
        "claims_per_s": round(len(orders) / elapsed, 1), "attempts_per_s": round(attempts / elapsed, 1),
        "wins": sum(wins), "already_taken": sum(losses), "attempt_ms": summary([m for row in attempt_ms for m in row]),
    }


def race_http(base: str, people: list, orders: list, threads: int) -> dict:
    start = threading.Barrier(threads + 1)
    outcome = {"won": 0, "taken": 0, "other": 0}
    lock = threading.Lock()
    attempt_ms: list[float] = []
    cookies = [session_cookie(people[i]) for i in range(threads)]

    def manager(index: int) -> None:
        cookie = cookies[index]
        start.wait()
        for order in orders:
            request = urllib.request.Request(
                f"{base}/admin/orders/order/{order.pk}/claim/?format=json", data=b"", method="POST",
                headers={"Cookie": cookie, "X-CSRFToken": csrf_of(cookie), "Accept": "application/json"},
            )
            began = time.monotonic()
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    kind = "won" if json.loads(response.read())["claimed"] else "other"
            except urllib.error.HTTPError as error:
                kind = "taken" if error.code == 409 else "other"
            spent = (time.monotonic() - began) * 1000
            with lock:
                outcome[kind] += 1
                attempt_ms.append(spent)

    workers = [threading.Thread(target=manager, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    start.wait()
    began = time.monotonic()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - began
    return {
        "threads": threads, "orders": len(orders), "seconds": round(elapsed, 3),
        "claims_per_s": round(len(orders) / elapsed, 1), "attempts_per_s": round(len(attempt_ms) / elapsed, 1),
        "wins": outcome["won"], "already_taken": outcome["taken"], "errors": outcome["other"],
        "attempt_ms": summary(attempt_ms),
    }


def claims(args: argparse.Namespace, base: str, people: list, shop: Shop) -> dict:
    results = {"service": [], "http": []}
    for via in ("service", "http"):
        for threads in args.thread_counts:
            orders = order_stream(args.stream if via == "service" else args.http_stream, shop.delivery)
            if via == "service":
                run = race_service(people, orders, threads)
            else:
                run = race_http(base, people, orders, threads)
            run["check"] = verify(orders)
            results[via].append(run)
            print(f"Claims via {via}, {threads} threads: {run['claims_per_s']} orders/s, "
                  f"{run['attempts_per_s']} attempts/s, p99 attempt {run['attempt_ms'].get('p99')} ms, "
                  f"one winner each: {run['check']['ok']}")
            clean_slate()
    return results


# --- Main ------------------------------------------------------------------------------------


def machine() -> dict:
    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "load_average": [round(x, 2) for x in os.getloadavg()]}


def main() -> int:
    args = parse_args()
    env = bench_environment(SimpleNamespace(database_url=args.database_url, redis_url=args.redis_url,
                                            var_dir=args.var_dir))
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    Path(args.var_dir).mkdir(parents=True, exist_ok=True)
    prepare(args, env)
    clean_slate()
    load_before = os.getloadavg()
    people = managers(max(args.managers, max(args.thread_counts)))
    shop = Shop()
    server_args = SimpleNamespace(workers=args.workers, var_dir=args.var_dir)
    with Server(server_args, env) as server:
        print(f"gunicorn: {args.workers} sync workers at {server.base}")
        banner = banner_latency(args, server.base, people[: args.managers], shop)
        print(f"Placement → banner: {banner['placement_to_banner_ms']}, never seen: {banner['never_seen']}")
        endpoint = endpoint_latency(args, server.base, people, shop)
        contention = claims(args, server.base, people, shop)

    from config.celery import app as celery_app

    purged = celery_app.control.purge()  # the order messages' send tasks: no worker ran here
    ok = banner["never_seen"] == 0 and all(run["check"]["ok"] for runs in contention.values() for run in runs)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {**machine(), "load_average_before": [round(x, 2) for x in load_before],
                    "note": "gunicorn, the bench's threads, PostgreSQL and Redis share these CPUs"},
        "settings": {"gunicorn_workers": args.workers, "gunicorn_worker_class": "sync", "managers": args.managers,
                     "orders": args.orders, "stream": args.stream, "http_stream": args.http_stream,
                     "threads": args.thread_counts,
                     "quick": args.quick, "send_tasks_purged": purged},
        "banner": banner,
        "banner_endpoint": endpoint,
        "claims": contention,
        "ok": ok,
    }
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"Wrote {args.output}; every order seen and every race had one winner: {ok}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
