"""Storefront throughput: how close the shop's pages come to the cheapest page Django can serve.

Starts gunicorn (2 sync workers, persistent database connections) on PostgreSQL with 10,000
seeded products and drives, with wrk from a second process, for a fixed time each:

    ceiling   /bench/ok/ - a plain view that returns "ok", through the same middleware
    home      /
    category  the category listing with the most products, in stock, cheapest first
    product   the best-selling product of that category
    search    the most common word of product names

as a returning visitor (the cookies a first visit set: the "vt" visit cookie).
Each page runs in rounds of (ceiling, page) back to back, and its ratio is that of its median
round: this machine's neighbours move throughput by a third from one minute to the next, and a
ratio of two adjacent runs is far steadier than one of runs minutes apart. In three cache modes:

    on        the anonymous page cache serves the pages (what a guest gets)
    off       no page cache (PAGE_CACHE_ENABLED=0), as for a signed-in shopper or one with a
              cart: pages are rendered, from shared catalog data kept until the catalog changes
              (cards, facet counts, search matches, product data)
    cold      neither (CATALOG_CACHE_SECONDS=0 too): every request reads the database, as the
              first request after a catalog change does; reported, no target

Prints requests/s, p50/p99 latency and the ratio to the ceiling, and writes
bench/results/storefront.json.

    .venv/bin/python bench/storefront.py            # 3 rounds of 5 s runs, about 7 minutes
    .venv/bin/python bench/storefront.py --quick    # 1 round of 2 s runs, a smoke run

Needs wrk (apt-get install wrk / brew install wrk), PostgreSQL and Redis (see --help).
"""

import argparse
import http.cookiejar
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "storefront.json"
sys.path.insert(0, str(ROOT))

from bench.harness import Server, bench_environment, ensure_database, manage, vacuum_analyze  # noqa: E402

PAGES = ("ceiling", "home", "category", "product", "search")
# Cache mode -> the settings gunicorn runs with.
MODES = {
    "on": {"PAGE_CACHE_ENABLED": "1"},
    "off": {"PAGE_CACHE_ENABLED": "0"},
    "cold": {"PAGE_CACHE_ENABLED": "0", "CATALOG_CACHE_SECONDS": "0"},
}
# (page, cache mode) -> the share of the ceiling's requests/s the page must reach.
THROUGHPUT_TARGETS = {
    ("category", "on"): 0.5,
    ("product", "on"): 0.5,
    ("category", "off"): 0.1,
    ("product", "off"): 0.1,
    ("search", "on"): 0.1,
    ("search", "off"): 0.1,
}
SEARCH_P99_TARGET_MS = 100.0
USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Safari/537.36"
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=5, help="seconds of each wrk run (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of ceiling + page for each page (default 3)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=8, help="wrk open connections (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--products", type=int, default=10_000, help="products to seed (default 10000)")
    parser.add_argument("--quick", action="store_true", help="3 s per page: a smoke run, not a measurement")
    parser.add_argument("--cache", choices=("all", *MODES), default="all", help="cache modes to run (default all)")
    parser.add_argument("--long-tail", action="store_true",
                        help="instead of the fixed pages: random product and category pages (bench/long_tail.py)")
    parser.add_argument("--long-tail-seconds", type=int, default=60, help="seconds of each long-tail run (default 60)")
    parser.add_argument("--long-tail-products", type=int, default=2000,
                        help="product pages in the long tail (default 2000)")
    parser.add_argument("--orders-per-second", type=float, default=1.0,
                        help="orders placed during the long tail's second run (default 1)")
    parser.add_argument("--pages", nargs="+", choices=PAGES[1:], default=list(PAGES[1:]),
                        help="pages to load (default all), to measure one change quickly")
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vitrina_bench")
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6"))
    parser.add_argument("--var-dir", default=os.environ.get("BENCH_VAR_DIR", "/tmp/vitrina-bench-var"))  # noqa: S108
    parser.add_argument("--output", default=str(RESULTS), help=f"JSON results (default {RESULTS.relative_to(ROOT)})")
    args = parser.parse_args()
    if args.quick:
        args.duration, args.rounds = 2, 1
    return args


# --- Preparing the store --------------------------------------------------------------------


def require_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit(
            "wrk is not installed; the bench needs it to load the server from a second process.\n"
            "  Debian/Ubuntu: sudo apt-get install -y wrk\n"
            "  macOS:         brew install wrk\n"
            "  Other:         https://github.com/wg/wrk (make, then put wrk on PATH)"
        )
    return wrk


def prepare_store(args: argparse.Namespace, env: dict[str, str]) -> None:
    ensure_database(args.database_url)
    print("Migrating the bench database")
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    os.environ.update(env)
    import django

    django.setup()
    from catalog.models import Product

    count = Product.objects.count()
    if count < args.products:
        print(f"Seeding {args.products} products ({count} there now); this takes a while once")
        manage(env, "seed_demo", "--products", str(args.products))
    else:
        print(f"{count} products already seeded")
    vacuum_analyze()
    print("Collecting static files")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")


def pick_pages() -> dict[str, dict]:
    """Real addresses from the seeded catalog: the busiest listing, its best seller, a common word."""
    from django.db import connection
    from django.urls import reverse

    from catalog.models import Category, Product
    from catalog.search import products_search

    products = Product.objects.active()
    sizes = {
        c: products.filter(category__path__startswith=c.path).count() for c in Category.objects.filter(is_active=True)
    }
    category = max(sizes, key=lambda c: (sizes[c], -c.depth))
    in_category = products.filter(category__path__startswith=category.path)
    query = "in_stock=true&sort=price"
    filtered = in_category.in_stock()
    product = in_category.order_by("-sales_count", "id").first()

    words = Counter()
    for name in products.values_list("name", flat=True).iterator():
        words.update({w for w in re.findall(r"\w+", name.lower()) if len(w) >= 4 and not w.isdigit()})
    term = words.most_common(1)[0][0]
    matches = products_search(query=term).count()
    connection.close()
    return {
        "ceiling": {"path": "/bench/ok/", "note": "plain Django view returning 'ok'"},
        "home": {"path": reverse("catalog:home"), "note": "home page"},
        "category": {
            "path": f"{reverse('catalog:category', kwargs={'slug': category.slug})}?{query}",
            "note": f"'{category.name}': {sizes[category]} products, {filtered.count()} after the filter",
        },
        "product": {"path": product.get_absolute_url(), "note": f"'{product.name}'"},
        "search": {"path": f"{reverse('catalog:search')}?q={urllib.parse.quote(term)}",
                   "note": f"'{term}': {matches} matches"},
    }


# --- Serving and loading ----------------------------------------------------------------------


def returning_visitor_cookie(base: str, pages: dict[str, dict]) -> str:
    """Browse every page once, as a first visit does, and keep the cookies the shop set."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT), ("Accept-Language", "ru")]
    for name in ("home", "category", "product", "search"):
        with opener.open(base + pages[name]["path"], timeout=30) as response:
            if response.status != 200:
                sys.exit(f"{name} answered {response.status}")
    cookies = {cookie.name: cookie.value for cookie in jar}
    if "vt" not in cookies:
        sys.exit("the shop did not set the vt visit cookie on a first visit")
    return "; ".join(f"{name}={value}" for name, value in sorted(cookies.items()))


def warm(base: str, path: str, cookie: str) -> int:
    request = urllib.request.Request(
        base + path, headers={"Cookie": cookie, "User-Agent": USER_AGENT, "Accept-Language": "ru"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        body = response.read()
        if response.status != 200:
            sys.exit(f"{path} answered {response.status}")
        return len(body)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text).groups()
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> dict:
    def find(pattern: str, default=None):
        match = re.search(pattern, output)
        return match.groups() if match else default

    socket_errors = find(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", ("0",) * 4)
    return {
        "requests_per_second": float(find(r"Requests/sec:\s+([\d.]+)")[0]),
        "p50_ms": round(_ms(find(r"(?m)^\s+50%\s+(\S+)\s*$")[0]), 2),
        "p75_ms": round(_ms(find(r"(?m)^\s+75%\s+(\S+)\s*$")[0]), 2),
        "p90_ms": round(_ms(find(r"(?m)^\s+90%\s+(\S+)\s*$")[0]), 2),
        "p99_ms": round(_ms(find(r"(?m)^\s+99%\s+(\S+)\s*$")[0]), 2),
        "requests": int(find(r"(\d+) requests in")[0]),
        "non_2xx_3xx": int(find(r"Non-2xx or 3xx responses: (\d+)", ("0",))[0]),
        "timeouts": int(socket_errors[3]),
        "connect_errors": int(socket_errors[0]),
    }


BROWSER_HEADERS = ["-H", f"User-Agent: {USER_AGENT}", "-H", "Accept-Language: ru",
                   "-H", "Accept-Encoding: gzip, deflate, br"]


def load(wrk: str, args: argparse.Namespace, url: str, cookie: str) -> dict:
    command = [
        wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--latency", "--timeout", "5s",
        "-H", f"Cookie: {cookie}", *BROWSER_HEADERS, url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse_wrk(output)


@contextmanager
def flushing_product_views(every: float = 5.0):
    """Does the beat task's work while pages are loaded: product views wait in Redis, and this
    thread writes them to PostgreSQL every 5 s on the same CPUs, as the shop's Celery worker
    would, so the bench pays for them. Views left by an earlier run are written first."""
    from django.db import connection

    from customers.services import product_views_flush

    def flush_all() -> None:
        while product_views_flush():
            pass

    stop = threading.Event()

    def run() -> None:
        while not stop.wait(every):
            product_views_flush()
        connection.close()

    flush_all()
    thread = threading.Thread(target=run, name="product-views-flush", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        flush_all()


def run_mode(wrk: str, args: argparse.Namespace, env: dict[str, str], pages: dict[str, dict], *, mode: str) -> dict:
    """Each page in rounds of (ceiling, page) back to back, so a ratio compares two runs the
    machine's neighbours treated alike; the page's numbers are those of its median round."""
    print(f"\nCache {mode}: gunicorn with {args.workers} workers, wrk -t{args.threads} "
          f"-c{args.connections} -d{args.duration}s per run, {args.rounds} rounds of ceiling + page")
    results = {}
    ceiling_runs = []
    with (Server(args, env, settings=MODES[mode], log_name=f"gunicorn-cache-{mode}.log") as server,
          flushing_product_views()):
        cookie = returning_visitor_cookie(server.base, pages)
        warm(server.base, pages["ceiling"]["path"], cookie)
        for name in args.pages:
            size = warm(server.base, pages[name]["path"], cookie)
            rounds = []
            for _ in range(args.rounds):
                ceiling = load(wrk, args, server.base + pages["ceiling"]["path"], cookie)
                numbers = load(wrk, args, server.base + pages[name]["path"], cookie)
                ratio = numbers["requests_per_second"] / ceiling["requests_per_second"]
                rounds.append((ratio, numbers, ceiling))
                ceiling_runs.append(ceiling)
                print(f"  {name:<9} {numbers['requests_per_second']:>9.1f} req/s  p50 {numbers['p50_ms']:>7.2f} ms"
                      f"  p99 {numbers['p99_ms']:>7.2f} ms   ceiling {ceiling['requests_per_second']:>7.1f}"
                      f"  ratio {ratio:.3f}")
            ratio, numbers, ceiling = sorted(rounds, key=lambda r: r[0])[len(rounds) // 2]
            results[name] = {
                **numbers, "bytes": size, "ratio_to_ceiling": round(ratio, 3),
                "ceiling_requests_per_second": ceiling["requests_per_second"],
                "rounds": [{"requests_per_second": n["requests_per_second"], "p99_ms": n["p99_ms"],
                            "ceiling_requests_per_second": c["requests_per_second"], "ratio_to_ceiling": round(r, 3)}
                           for r, n, c in rounds],
                "worst_p99_ms": max(n["p99_ms"] for _, n, _ in rounds),
                "errors": sum(n["non_2xx_3xx"] + n["timeouts"] for _, n, _ in rounds),
            }
    median_ceiling = sorted(ceiling_runs, key=lambda n: n["requests_per_second"])[len(ceiling_runs) // 2]
    results["ceiling"] = {**median_ceiling, "bytes": 2, "ratio_to_ceiling": 1.0,
                          "worst_p99_ms": max(n["p99_ms"] for n in ceiling_runs),
                          "errors": sum(n["non_2xx_3xx"] + n["timeouts"] for n in ceiling_runs),
                          "runs_requests_per_second": [n["requests_per_second"] for n in ceiling_runs]}
    return results


# --- Judging and reporting ----------------------------------------------------------------------


def judge(modes: dict[str, dict]) -> list[dict]:
    checks = []
    for (page, mode), share in THROUGHPUT_TARGETS.items():
        if page not in modes.get(mode, {}):
            continue
        numbers = modes[mode][page]
        checks.append({
            "check": f"{page}, cache {mode}: requests/s >= {share:g} x ceiling",
            "measured": numbers["ratio_to_ceiling"],
            "target": share,
            "passed": numbers["ratio_to_ceiling"] >= share and numbers["errors"] == 0,
        })
        if page == "search":
            checks.append({
                "check": f"search, cache {mode}: p99 < {SEARCH_P99_TARGET_MS:g} ms in every round",
                "measured": numbers["worst_p99_ms"],
                "target": SEARCH_P99_TARGET_MS,
                "passed": numbers["worst_p99_ms"] < SEARCH_P99_TARGET_MS,
            })
    for mode, results in modes.items():
        for page, numbers in results.items():
            if numbers["errors"]:
                checks.append({
                    "check": f"{page}, cache {mode}: every response 2xx/3xx, no timeouts",
                    "measured": numbers["errors"],
                    "target": 0,
                    "passed": False,
                })
    return checks


def print_report(modes: dict[str, dict], pages: dict[str, dict], checks: list[dict]) -> None:
    print("\nPages:")
    for name in PAGES:
        print(f"  {name:<9} {pages[name]['path']}  ({pages[name]['note']})")
    header = f"{'page':<10}{'cache':>6}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'x ceiling':>11}{'errors':>8}"
    print("\n" + header + "\n" + "-" * len(header))
    for mode, results in modes.items():
        for name in (name for name in PAGES if name in results):
            n = results[name]
            print(f"{name:<10}{mode:>6}{n['requests_per_second']:>10.1f}{n['p50_ms']:>9.2f}{n['p99_ms']:>9.2f}"
                  f"{n['ratio_to_ceiling']:>11.3f}{n['errors']:>8}")
        runs = results["ceiling"]["runs_requests_per_second"]
        print(f"{'':<10}{'':>6}  page rows: the median of each page's rounds; ceiling: the median of its"
              f" {len(runs)} runs ({min(runs):.0f}-{max(runs):.0f} req/s)")
    print("\nTargets:")
    for check in checks:
        print(f"  [{'PASS' if check['passed'] else 'FAIL'}] {check['check']}: measured {check['measured']}")


def main() -> int:
    args = parse_args()
    wrk = require_wrk()
    env = bench_environment(args)
    Path(args.var_dir).mkdir(parents=True, exist_ok=True)
    prepare_store(args, env)
    pages = pick_pages()
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    print(f"Load average before the run: {load_at_start} on {os.cpu_count()} CPUs")

    if args.long_tail:
        from bench.long_tail import run_long_tail

        results = run_long_tail(wrk, args, env, visitor_cookie=lambda base: returning_visitor_cookie(base, pages),
                                headers=BROWSER_HEADERS, parse_wrk=parse_wrk,
                                flushing_product_views=flushing_product_views)
        output = Path(args.output if args.output != str(RESULTS) else RESULTS.with_name("storefront-long-tail.json"))
        output.write_text(json.dumps({"measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                                      "load_average_at_start": load_at_start, **results}, indent=2) + "\n")
        print(f"\nWrote {output}")
        return 0

    modes = {}
    for mode in MODES:
        if args.cache in ("all", mode):
            modes[mode] = run_mode(wrk, args, env, pages, mode=mode)

    checks = judge(modes)
    print_report(modes, pages, checks)
    wrk_version = subprocess.run([wrk, "-v"], capture_output=True, text=True).stdout.splitlines()
    report = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "nproc": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_average_at_start": load_at_start,
            "note": "gunicorn, wrk, PostgreSQL and Redis share these CPUs",
        },
        "settings": {
            "gunicorn_workers": args.workers,
            "gunicorn_worker_class": "sync",
            "wrk": {"threads": args.threads, "connections": args.connections, "duration_s": args.duration,
                    "version": wrk_version[0] if wrk_version else ""},
            "quick": args.quick,
            "products_seeded_at_least": args.products,
            "database": "postgresql",
            "cache": "redis",
            "cache_modes": MODES,
            "DB_CONN_MAX_AGE": env["DB_CONN_MAX_AGE"],
            "DEBUG": env["DEBUG"],
            "visitor": "returning: the cookies a first visit set (the vt visit cookie)",
        },
        "pages": pages,
        "results": modes,
        "targets": checks,
        "all_passed": all(check["passed"] for check in checks),
    }
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nWrote {output}")
    return 0 if report["all_passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
