"""Checkout throughput on PostgreSQL: orders per second through the service layer and through
the API, for one client and for several at once, against the ceiling of a bare order INSERT.

    ceiling   INSERT of one bare order row (no lines, no stock), autocommit: the most orders
              per second this database could ever take, measured in the same run
    service   a guest cart with two products (cart_add) and orders.services.order_place: the
              whole write path of a checkout, with stock reservation, history and the
              order_placed receivers (outbox message), in Python threads, each with its own
              database connection
    api       the same through HTTP against gunicorn (2 sync workers, DEBUG=0, persistent
              connections): POST /api/v1/cart/items/ twice, then POST /api/v1/checkout/ with an
              Idempotency-Key; clients are threads of this process using http.client, one
              session cookie each

Seeds a few products with a very big stock, so nothing runs out and the products' rows are
the only contention (two random products of --products per order). Prints orders/s and p50/p99
per order, and writes bench/results/checkout.json.

    .venv/bin/python bench/checkout.py            # 8 s per run, about 1.5 minutes
    .venv/bin/python bench/checkout.py --quick    # 3 s per run: a smoke run

Needs PostgreSQL and Redis (see --help). The bench database is created and migrated if needed.
"""

import argparse
import http.client
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "checkout.json"
sys.path.insert(0, str(ROOT))

from bench.harness import Server, bench_environment, ensure_database, vacuum_analyze  # noqa: E402

BENCH_STOCK = 1_000_000_000
CEILING_NAME = "bench-ceiling"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/vitrina_bench_checkout")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/10")
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per run (default 8)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients of the 'several' runs")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--products", type=int, default=20, help="products to buy from (default 20)")
    parser.add_argument("--var-dir", default="/tmp/vitrina-bench-checkout-var")  # noqa: S108
    parser.add_argument("--output", default=str(RESULTS))
    parser.add_argument("--quick", action="store_true", help="3 s per run: a smoke run, not a measurement")
    args = parser.parse_args()
    if args.quick:
        args.duration = 3.0
    return args


# --- Preparing the store --------------------------------------------------------------------


def prepare_store(args: argparse.Namespace, env: dict[str, str]) -> dict:
    ensure_database(args.database_url)
    print("Migrating the bench database")
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "--verbosity", "0"],
                   env=env, cwd=ROOT, check=True)
    os.environ.update(env)
    import django

    django.setup()
    from catalog.models import Category, Product
    from orders.models import DeliveryMethod

    category, _ = Category.objects.get_or_create(slug="bench-checkout", defaults={"name": "Bench checkout"})
    product_ids = []
    for number in range(args.products):
        product, _ = Product.objects.update_or_create(
            sku=f"BENCH-CHK-{number:03d}",
            defaults={"category": category, "name": f"Bench product {number}", "slug": f"bench-chk-{number:03d}",
                      "price": Decimal("990.00") + number, "stock": BENCH_STOCK, "is_active": True},
        )
        product_ids.append(product.pk)
    method, _ = DeliveryMethod.objects.get_or_create(
        name="Bench courier", defaults={"kind": DeliveryMethod.Kind.COURIER, "price": Decimal("300.00")}
    )
    from catalog.services import products_refresh_availability

    products_refresh_availability(product_ids=set(product_ids))
    vacuum_analyze()
    from django.db import connection

    connection.close()
    return {"product_ids": product_ids, "delivery_method_id": method.pk}


# --- Driving load ---------------------------------------------------------------------------


def run_clients(clients: int, duration: float, make_worker) -> dict:
    """Run `clients` threads for `duration` seconds; each calls its worker's step() in a loop and
    times it. Returns orders/s, p50/p99 in ms and errors."""
    start_barrier = threading.Barrier(clients + 1)
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[str] = []
    deadline = [0.0]

    def body(index: int) -> None:
        step, close = make_worker(index)
        try:
            start_barrier.wait()
            while time.perf_counter() < deadline[0]:
                began = time.perf_counter()
                try:
                    step()
                except Exception as error:  # noqa: BLE001 - counted and reported, the run goes on
                    errors.append(f"{type(error).__name__}: {error}"[:300])
                    continue
                latencies[index].append(time.perf_counter() - began)
        finally:
            close()

    threads = [threading.Thread(target=body, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    deadline[0] = time.perf_counter() + duration
    began = time.perf_counter()
    start_barrier.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    done = sorted(x for per_client in latencies for x in per_client)
    return {
        "clients": clients,
        "orders": len(done),
        "seconds": round(elapsed, 2),
        "orders_per_s": round(len(done) / elapsed, 1),
        "p50_ms": round(statistics.median(done) * 1000, 1) if done else None,
        "p99_ms": round(done[min(len(done) - 1, int(len(done) * 0.99))] * 1000, 1) if done else None,
        "errors": len(errors),
        "first_errors": sorted(set(errors))[:3],
    }


def ceiling_worker(store: dict):
    from django.db import connection

    from orders.models import Order

    def step() -> None:
        Order.objects.create(name=CEILING_NAME, phone="+79161234567", delivery_method_id=store["delivery_method_id"],
                             payment_method=Order.PaymentMethod.CASH_ON_DELIVERY)

    return step, connection.close


def service_worker(store: dict):
    from django.db import connection

    from catalog.models import Product
    from orders.models import DeliveryMethod
    from orders.services import Contact, Delivery, cart_add, cart_get_or_create, order_place

    products = list(Product.objects.filter(pk__in=store["product_ids"]))
    method = DeliveryMethod.objects.get(pk=store["delivery_method_id"])
    contact = Contact(name="Анна Смирнова", phone="+79161234567", email="anna@example.com")
    delivery = Delivery(method=method, address="Москва, ул. Тверская, 1, кв. 5")
    rng = random.Random()

    def step() -> None:
        cart = cart_get_or_create(session_key=uuid.uuid4().hex)
        for product in rng.sample(products, 2):
            cart_add(cart=cart, product=product, quantity=1)
        order_place(cart=cart, contact=contact, delivery=delivery, payment="cash_on_delivery",
                    idempotency_key=uuid.uuid4().hex)

    return step, connection.close


class ApiClient:
    """One shopper on one keep-alive-if-possible HTTP connection, with their session cookie."""

    def __init__(self, port: int, store: dict) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookie = ""
        self.store = store
        self.rng = random.Random()

    def _post(self, path: str, body: dict, headers: dict | None = None) -> dict:
        headers = {"Content-Type": "application/json", "Accept": "application/json", **(headers or {})}
        if self.cookie:
            headers["Cookie"] = self.cookie
        try:
            self.connection.request("POST", path, json.dumps(body), headers)
            response = self.connection.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            self.connection.close()  # gunicorn's sync workers close after each answer
            self.connection.request("POST", path, json.dumps(body), headers)
            response = self.connection.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie" and value.startswith("sessionid="):
                self.cookie = value.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
        if response.status >= 300:
            raise RuntimeError(f"{path} answered {response.status}: {data[:200]!r}")
        return json.loads(data)

    def step(self) -> None:
        for product_id in self.rng.sample(self.store["product_ids"], 2):
            self._post("/api/v1/cart/items/", {"product": product_id, "variant": None, "quantity": 1})
        self._post("/api/v1/checkout/", {
            "name": "Анна Смирнова", "phone": "+79161234567", "email": "anna@example.com",
            "delivery_method": self.store["delivery_method_id"], "address": "Москва, ул. Тверская, 1, кв. 5",
            "payment": "cash_on_delivery", "consent_personal_data": True,
        }, {"Idempotency-Key": uuid.uuid4().hex})

    def close(self) -> None:
        self.connection.close()


def cleanup_ceiling_rows() -> None:
    from django.db import connection

    from orders.models import Order

    Order.objects.filter(name=CEILING_NAME, number__isnull=True).delete()
    connection.close()


def main() -> int:
    args = parse_args()
    env = bench_environment(args, cache_prefix="vitrina-bench-checkout")
    Path(args.var_dir).mkdir(parents=True, exist_ok=True)
    store = prepare_store(args, env)
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    print(f"Load average before the run: {load_at_start} on {os.cpu_count()} CPUs; "
          f"{args.duration:g} s per run, {args.clients} clients for 'several'")

    results: dict[str, dict] = {}
    runs = [
        ("ceiling", lambda i: ceiling_worker(store)),
        ("service", lambda i: service_worker(store)),
    ]
    try:
        for name, make in runs:
            for clients in (1, args.clients):
                key = f"{name}/{clients}"
                results[key] = run_clients(clients, args.duration, make)
                print(f"  {key:<12} {results[key]['orders_per_s']:>8} orders/s  p50 {results[key]['p50_ms']} ms  "
                      f"p99 {results[key]['p99_ms']} ms  errors {results[key]['errors']}")
        with Server(args, env, log_name="gunicorn-checkout.log") as server:
            for clients in (1, args.clients):
                def make_api(i, port=server.port):
                    client = ApiClient(port, store)
                    return client.step, client.close

                key = f"api/{clients}"
                results[key] = run_clients(clients, args.duration, make_api)
                print(f"  {key:<12} {results[key]['orders_per_s']:>8} orders/s  p50 {results[key]['p50_ms']} ms  "
                      f"p99 {results[key]['p99_ms']} ms  errors {results[key]['errors']}")
    finally:
        cleanup_ceiling_rows()

    for result in results.values():
        ceiling = results.get(f"ceiling/{result['clients']}")
        if ceiling and ceiling["orders_per_s"]:
            result["share_of_ceiling"] = round(result["orders_per_s"] / ceiling["orders_per_s"], 3)

    print("\n| run | clients | orders/s | p50 ms | p99 ms | × INSERT ceiling | errors |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for key, result in results.items():
        name = key.split("/")[0]
        print(f"| {name} | {result['clients']} | {result['orders_per_s']} | {result['p50_ms']} | {result['p99_ms']} "
              f"| {result.get('share_of_ceiling', '')} | {result['errors']} |")

    report = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "nproc": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_average_at_start": load_at_start,
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
            "note": "the clients, gunicorn, PostgreSQL and Redis share these CPUs",
        },
        "settings": {
            "duration_s": args.duration,
            "clients": [1, args.clients],
            "gunicorn_workers": args.workers,
            "gunicorn_worker_class": "sync",
            "products": args.products,
            "lines_per_order": 2,
            "DEBUG": env["DEBUG"],
            "DB_CONN_MAX_AGE": env["DB_CONN_MAX_AGE"],
            "quick": args.quick,
        },
        "results": results,
    }
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nWrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
