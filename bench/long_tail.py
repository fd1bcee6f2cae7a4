"""The storefront's long tail: random product and category pages over thousands of products, as
a real shop's traffic is, with and without a steady flow of orders.

A hot page stays warm whatever happens; the long tail (thousands of product pages, each visited
now and then) stays warm only if nothing drops it. The bench empties the storefront caches,
visits every page of the tail once (four at a time), as a shop's traffic over an hour would, then
loads random pages of it for `--long-tail-seconds` with wrk, twice: without orders, then with
`--orders-per-second` real orders (cart, then order_place, on random products in stock) placed
from a thread of the bench on the same CPUs. It counts the page cache's hits by the X-Cache
header of every response.

    .venv/bin/python bench/storefront.py --long-tail     # warm-up, then two 60 s runs
"""

import random
import re
import subprocess
import tempfile
import threading
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from bench.harness import Server

LUA = r"""
-- A random page of the list per request; counts the page cache's hits (X-Cache: hit).
local paths = {}
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  math.randomseed(os.time() * 1000 + id)
  hits, misses, others = 0, 0, 0
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end

function response(status, headers, body)
  local state = headers["X-Cache"]
  if state == "hit" then hits = hits + 1 elseif state == "miss" then misses = misses + 1 else others = others + 1 end
end

function done(summary, latency, requests)
  local h, m, o = 0, 0, 0
  for _, thread in ipairs(threads) do
    h = h + thread:get("hits"); m = m + thread:get("misses"); o = o + thread:get("others")
  end
  io.write(string.format("X-Cache hits=%d misses=%d other=%d\n", h, m, o))
end
"""


def long_tail_paths(*, products: int) -> list[str]:
    """`products` listed products' pages, and every visible category's listing as shoppers open
    it: plain, its second page, and cheapest first in stock."""
    from django.urls import reverse

    from catalog.models import Category, Product

    slugs = list(Product.objects.active().order_by("?").values_list("slug", flat=True)[:products])
    paths = [reverse("catalog:product", kwargs={"slug": slug}) for slug in slugs]
    for slug in Category.objects.filter(is_visible=True).values_list("slug", flat=True):
        listing = reverse("catalog:category", kwargs={"slug": slug})
        paths += [listing, f"{listing}?page=2", f"{listing}?in_stock=true&sort=price"]
    return paths


@contextmanager
def orders_flowing(per_second: float):
    """Places `per_second` orders of one or two random in-stock products, evenly spaced, until
    the block ends; yields a dict that counts them (and the errors)."""
    from django.db import connection

    from catalog.models import Product
    from orders.models import DeliveryMethod
    from orders.services import Contact, Delivery, cart_add, cart_get_or_create, order_place

    counts = {"orders": 0, "errors": 0, "first_error": ""}
    if per_second <= 0:
        yield counts
        return
    product_ids = list(Product.objects.active().filter(stock__gt=0).values_list("pk", flat=True))
    method = DeliveryMethod.objects.filter(kind=DeliveryMethod.Kind.COURIER).first()
    contact = Contact(name="Анна Смирнова", phone="+79161234567", email="anna@example.com")
    delivery = Delivery(method=method, address="Москва, ул. Тверская, 1, кв. 5")
    rng = random.Random(7)
    stop = threading.Event()

    def place() -> None:
        cart = cart_get_or_create(session_key=uuid.uuid4().hex)
        for product in Product.objects.filter(pk__in=rng.sample(product_ids, rng.choice((1, 2)))):
            cart_add(cart=cart, product=product, quantity=1)
        order_place(cart=cart, contact=contact, delivery=delivery, payment="cash_on_delivery",
                    idempotency_key=uuid.uuid4().hex)

    def run() -> None:
        due = time.monotonic()
        while not stop.is_set():
            due += 1 / per_second
            try:
                place()
                counts["orders"] += 1
            except Exception as error:  # noqa: BLE001 - counted and reported, the run goes on
                counts["errors"] += 1
                counts["first_error"] = counts["first_error"] or f"{type(error).__name__}: {error}"[:300]
            stop.wait(max(0.0, due - time.monotonic()))
        connection.close()

    thread = threading.Thread(target=run, name="orders", daemon=True)
    thread.start()
    try:
        yield counts
    finally:
        stop.set()
        thread.join()


def warm(base: str, paths: list[str], headers: dict[str, str]) -> float:
    """Visit every page once, four at a time; returns the seconds it took."""
    began = time.monotonic()

    def visit(path: str) -> None:
        with urllib.request.urlopen(urllib.request.Request(base + path, headers=headers), timeout=60) as response:  # noqa: S310
            response.read()

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(visit, paths))
    return time.monotonic() - began


def run_long_tail(wrk: str, args, env: dict[str, str], *, visitor_cookie, headers: list[str], parse_wrk,
                  flushing_product_views) -> dict:
    """A warm-up, then a run without and one with orders flowing. `visitor_cookie(base)` is the
    returning visitor's cookies, `headers` wrk's -H arguments, `parse_wrk` reads wrk's report."""
    from catalog.cache import invalidate_storefront_cache

    paths = long_tail_paths(products=args.long_tail_products)
    results = {"pages": len(paths), "products": args.long_tail_products, "runs": {}}
    print(f"\nLong tail: {len(paths)} pages ({args.long_tail_products} products and every category's "
          f"listing three ways), {args.long_tail_seconds} s per run")
    with tempfile.TemporaryDirectory() as folder:
        script, path_list = Path(folder) / "long_tail.lua", Path(folder) / "paths.txt"
        script.write_text(LUA)
        path_list.write_text("\n".join(paths) + "\n")
        with Server(args, env, settings={"PAGE_CACHE_ENABLED": "1"}, log_name="gunicorn-long-tail.log") as server, \
                flushing_product_views():
            cookie = visitor_cookie(server.base)
            invalidate_storefront_cache()
            results["warm_up_seconds"] = round(warm(server.base, paths, {
                "Cookie": cookie, **dict(header.split(": ", 1) for header in headers if header != "-H")}), 1)
            print(f"  warm-up: every page once in {results['warm_up_seconds']} s")
            for name, per_second in (("without orders", 0.0), ("with orders", args.orders_per_second)):
                with orders_flowing(per_second) as orders:
                    output = subprocess.run(
                        [wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{args.long_tail_seconds}s",
                         "--latency", "--timeout", "5s", "-s", str(script), "-H", f"Cookie: {cookie}",
                         *headers, server.base, "--", str(path_list)],
                        capture_output=True, text=True, check=True,
                    ).stdout
                numbers = parse_wrk(output)
                hits, misses, other = (int(x) for x in re.search(r"X-Cache hits=(\d+) misses=(\d+) other=(\d+)",
                                                                 output).groups())
                numbers.update({
                    "page_cache_hits": hits, "page_cache_misses": misses, "not_page_cached": other,
                    "hit_ratio": round(hits / max(1, hits + misses), 3),
                    "orders_per_second_asked": per_second, "orders_placed": orders["orders"],
                    "order_errors": orders["errors"], "first_order_error": orders["first_error"],
                })
                results["runs"][name] = numbers
                print(f"  {name:<15} {numbers['requests_per_second']:>8.1f} req/s  p50 {numbers['p50_ms']:>7.2f} ms"
                      f"  p99 {numbers['p99_ms']:>7.2f} ms  hit ratio {numbers['hit_ratio']:.3f}"
                      f"  ({hits} hits, {misses} misses)  orders {orders['orders']} ({orders['errors']} errors)")
    return results
