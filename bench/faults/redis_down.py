"""Fault scenario: Redis (cache, sessions' cache and Celery broker) stops in the middle of trade.

    .venv/bin/python bench/faults/redis_down.py [--orders 6]

Starts its own redis-server (port 6392 by default, never the shared 6379), a fresh PostgreSQL
database, gunicorn and a Celery worker whose SMS gateway and mail server are pretend ones that
write each message they receive to a file. Shoppers browse (home, product page), add to the
cart, check out as guests, sign in and check out as a customer: first with Redis up, then with
the scenario's redis-server killed, then after it is started again, when the outbox sweep (which
beat runs every minute) hands the messages held back to the worker.

It prints, and writes to bench/results/faults_redis_down.json: requests and server errors in
each phase, orders placed, and after recovery each order message sent exactly once, lost or
sent twice. Exit status 1 on any server error, lost or doubled message.
"""

import argparse
import html
import http.cookiejar
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.faults.common import (  # noqa: E402
    OwnRedis,
    Worker,
    cleanup,
    django_setup,
    environment,
    fresh_database,
    outbox_figures,
    parser,
    scratch,
    shop_with_one_product,
    write_results,
)
from bench.harness import Server  # noqa: E402

PASSWORD = "faults-customer-password-42"  # noqa: S105 - a throwaway account in a throwaway database


class Shopper:
    """A browser: keeps its cookies, follows redirects, and remembers every answer's status."""

    def __init__(self, base: str, statuses: Counter, timings: list[float]):
        self.base, self.statuses, self.timings = base, statuses, timings
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        started = time.monotonic()
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:
                status, url, text = response.status, response.url, response.read().decode()
        except urllib.error.HTTPError as error:
            status, url, text = error.code, path, error.read().decode(errors="replace")
        self.timings.append(time.monotonic() - started)
        self.statuses[status] += 1
        return status, url, text


def _hidden(text: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', text) or re.search(rf'value="([^"]*)" name="{name}"', text)
    return html.unescape(found.group(1)) if found else ""


def journey(shopper: Shopper, *, product, courier, number: int, email: str | None = None) -> bool:
    """Browse, add to the cart, (sign in,) check out. True if the order's thank-you page came; the
    checkout's time (the form sent until the thank-you page) is the shopper's last timing."""
    shopper.request("/")
    shopper.request(f"/product/{product.slug}/")
    if email is not None:
        _, _, page = shopper.request("/account/sign-in/")
        shopper.request("/account/sign-in/", {"email": email, "password": PASSWORD,
                                              "csrfmiddlewaretoken": _hidden(page, "csrfmiddlewaretoken")})
    shopper.request("/cart/add/", {"product": product.pk, "quantity": 1})
    _, _, page = shopper.request("/checkout/")
    status, url, _ = shopper.request("/checkout/", {
        "csrfmiddlewaretoken": _hidden(page, "csrfmiddlewaretoken"), "token": _hidden(page, "token"),
        "name": "Анна Смирнова", "phone": f"+7916{2000000 + number}", "email": email or f"guest{number}@example.com",
        "delivery_method": courier.pk, "address": "Москва, ул. Тверская, 1", "payment": "cash_on_delivery",
        "consent_personal_data": "on",
    })
    return status == 200 and "/thanks/" in url


def phase(name: str, base: str, *, product, courier, orders: int, first: int) -> dict:
    statuses, timings, checkouts, placed = Counter(), [], [], 0
    for number in range(first, first + orders):
        customer = f"customer{number}@example.com" if number % 2 else None
        placed += journey(Shopper(base, statuses, timings), product=product, courier=courier, number=number,
                          email=customer)
        checkouts.append(timings[-1])
    timings.sort()
    checkouts.sort()
    result = {"requests": sum(statuses.values()), "server_errors": sum(n for s, n in statuses.items() if s >= 500),
              "statuses": dict(statuses), "orders_placed": placed, "journeys": orders,
              "p50_ms": round(timings[len(timings) // 2] * 1000), "max_ms": round(timings[-1] * 1000),
              "checkout_p50_ms": round(checkouts[len(checkouts) // 2] * 1000),
              "checkout_max_ms": round(checkouts[-1] * 1000)}
    print(f"{name:<14} {result['requests']:>4} requests, {result['server_errors']} server errors, "
          f"{placed}/{orders} orders placed, p50 {result['p50_ms']} ms, max {result['max_ms']} ms, "
          f"checkout p50 {result['checkout_p50_ms']} ms, max {result['checkout_max_ms']} ms, {dict(statuses)}")
    return result


def main() -> int:
    options = parser("Stop Redis in the middle of trade.", redis_port=6392)
    options.set_defaults(orders=6)
    args = options.parse_args()
    var_dir = scratch()
    env = environment(args, var_dir)
    figures: dict = {"orders_per_phase": args.orders}
    redis = OwnRedis(args.redis_port)
    try:
        redis.start()
        fresh_database(env, args.database_url)
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], env=env,
                       cwd=Path(__file__).resolve().parents[2], check=True)
        django_setup()
        from customers.models import User
        from marketing.services import messages_sweep

        product, courier = shop_with_one_product()
        for number in range(3 * args.orders):
            User.objects.create_user(email=f"customer{number}@example.com", password=PASSWORD)
        server_args = argparse.Namespace(workers=2, var_dir=str(var_dir))
        with Server(server_args, env) as server, Worker(env, concurrency=2, log=var_dir / "worker.log"):
            figures["redis_up"] = phase("Redis up", server.base, product=product, courier=courier,
                                        orders=args.orders, first=0)
            redis.stop()
            figures["redis_down"] = phase("Redis down", server.base, product=product, courier=courier,
                                          orders=args.orders, first=args.orders)
            redis.start()
            figures["redis_back"] = phase("Redis back", server.base, product=product, courier=courier,
                                          orders=args.orders, first=2 * args.orders)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                messages_sweep()  # as beat does every minute
                time.sleep(2)
                outbox = outbox_figures(env["FAULTS_RECEIPTS"])
                if outbox["sent_once"] + outbox["received_twice_or_more"] == outbox["messages"]:
                    break
            time.sleep(2)
            figures["outbox"] = outbox_figures(env["FAULTS_RECEIPTS"])
    finally:
        redis.stop()
        cleanup(var_dir)
    outbox = figures["outbox"]
    print(f"after recovery: {outbox['messages']} order messages, sent once {outbox['sent_once']}, "
          f"lost {outbox['lost']}, sent twice or more {outbox['received_twice_or_more']}; {outbox['statuses']}")
    write_results("faults_redis_down", figures)
    errors = sum(figures[name]["server_errors"] for name in ("redis_up", "redis_down", "redis_back"))
    placed = sum(figures[name]["orders_placed"] for name in ("redis_up", "redis_down", "redis_back"))
    return 1 if errors or outbox["lost"] or outbox["received_twice_or_more"] or placed < 3 * args.orders else 0


if __name__ == "__main__":
    sys.exit(main())
