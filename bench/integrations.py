"""Integrations at a big shop's size: marketplace feeds for 100,000 products and a supplier price
list of 100,000 rows, timed, with the process's memory sampled while they run.

    feeds     integrations.feeds.services.feed_build for Yandex.Market and Google Merchant, over
              --products active products in stock (a tenth of them with three variants, every one
              with a picture): the whole file, streamed to disk. Target: under a minute each, with
              memory flat (the peak over the resident size before the build stays small and does
              not grow with the catalog: compare --products 10000)
    import    integrations.pricelists.services.pricelist_import_run of a CSV of --rows rows: four
              in five existing SKUs with a new price and stock, one in five new products. A dry
              run, then the real run. Target: the real run under two minutes

Seeds its own database with COPY (created and migrated if needed; reseeded when its size differs
from --products). Prints the numbers and writes bench/results/integrations.json. This machine is
shared: timings move with the neighbours' load, which the JSON records.

    .venv/bin/python bench/integrations.py                       # 100,000 products and rows
    .venv/bin/python bench/integrations.py --products 10000 --rows 10000 --output /tmp/small.json
"""

import argparse
import csv
import json
import os
import platform
import random
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "integrations.json"
sys.path.insert(0, str(ROOT))

from bench.harness import bench_environment, ensure_database, vacuum_analyze  # noqa: E402

FEED_TARGET_SECONDS = 60
IMPORT_TARGET_SECONDS = 120
CATEGORIES = 40
BRANDS = 60


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/vitrina_h15_bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--var-dir", default="/tmp/vitrina-h15-bench-var")  # noqa: S108
    parser.add_argument("--output", default=str(RESULTS))
    parser.add_argument("--only", choices=("feeds", "import"), help="measure one of the two")
    return parser.parse_args()


class MemorySampler:
    """The resident size of this process, read from /proc every 50 ms while a block runs."""

    def __init__(self) -> None:
        self.page = os.sysconf("SC_PAGE_SIZE")
        self.samples: list[int] = []
        self._stop = threading.Event()

    def rss(self) -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * self.page

    def __enter__(self) -> "MemorySampler":
        self.before = self.rss()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.samples.append(self.rss())

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append(self.rss())

    def report(self) -> dict:
        mb = 1024 * 1024
        quarter = max(len(self.samples) // 4, 1)
        return {
            "rss_before_mb": round(self.before / mb, 1),
            "rss_peak_mb": round(max(self.samples) / mb, 1),
            "growth_mb": round((max(self.samples) - self.before) / mb, 1),
            # Resident size at each quarter of the run: flat memory reads the same all along.
            "rss_by_quarter_mb": [round(self.samples[min(i * quarter, len(self.samples) - 1)] / mb, 1)
                                  for i in range(1, 5)],
        }


# --- Seeding ----------------------------------------------------------------------------------


def seed(products: int) -> None:
    from django.db import connection

    from catalog.models import Brand, Category, Product
    from catalog.services import products_refresh_availability
    from orders.models import DeliveryMethod

    if Product.objects.count() == products:
        print(f"Catalog of {products:,} products already seeded")
        return
    print(f"Seeding {products:,} products with COPY")
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE catalog_product, catalog_category, catalog_brand, integrations_pricechange, "
                       "integrations_pricelistimport, integrations_supplier CASCADE")
    root = Category.objects.create(name="Каталог", slug="bench-root")
    categories = [Category.objects.create(name=f"Раздел {n}", slug=f"bench-{n}", parent=root)
                  for n in range(CATEGORIES)]
    brands = Brand.objects.bulk_create([Brand(name=f"Бренд {n}", slug=f"bench-brand-{n}") for n in range(BRANDS)])
    DeliveryMethod.objects.get_or_create(name="Курьер", defaults={"kind": "courier", "price": Decimal("300")})
    now = datetime.now(UTC)
    randomiser = random.Random(15)  # noqa: S311
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        columns = ("created_at, updated_at, category_id, brand_id, name, slug, sku, description, price, old_price, "
                   "stock, is_active, sales_count, is_in_stock, seo_title, seo_description, search_text, search_title")
        with cursor.copy(f"COPY catalog_product ({columns}) FROM STDIN") as copy:
            for n in range(products):
                price = Decimal(randomiser.randrange(10_000, 5_000_000)) / 100
                name = f"Товар № {n} «Бенч» & <компания>"
                copy.write_row((now, now, categories[n % CATEGORIES].pk, brands[n % BRANDS].pk, name,
                                f"bench-product-{n}", f"BENCH-{n:07d}", "Описание товара для фида. " * 8, price,
                                price * 2 if n % 5 == 0 else None, 5 + n % 50, True, 0, True, "", "",
                                name.lower(), name.lower()))
        cursor.execute("SELECT id FROM catalog_product ORDER BY id")
        ids = [row[0] for row in cursor.fetchall()]
        with cursor.copy("COPY catalog_productimage (product_id, image, thumb_small, thumb_large, alt, position) "
                         "FROM STDIN") as copy:
            for product_id in ids:
                copy.write_row((product_id, f"products/bench-{product_id}.jpg", "", "", "", 0))
        with cursor.copy("COPY catalog_productvariant (product_id, sku, name, price_override, stock, is_active, "
                         "position) FROM STDIN") as copy:
            for product_id in ids[::10]:
                for size in (38, 40, 42):
                    copy.write_row((product_id, f"BENCH-V{product_id}-{size}", str(size), None, size % 4, True,
                                    size))
    raw.commit()
    products_refresh_availability(product_ids=None)
    vacuum_analyze()


def price_list(path: Path, rows: int, existing: int) -> None:
    randomiser = random.Random(16)  # noqa: S311
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, delimiter=";")
        writer.writerow(["Артикул", "Наименование", "Цена", "Остаток", "Категория", "Бренд"])
        for n in range(rows):
            cost = f"{randomiser.randrange(10_000, 5_000_000) / 100:.2f}".replace(".", ",")
            if n % 5 and n < existing:
                writer.writerow([f"BENCH-{n:07d}", "", cost, n % 30, "", ""])
            else:
                writer.writerow([f"NEW-{n:07d}", f"Новый товар {n}", cost, n % 30, f"bench-{n % CATEGORIES}",
                                 f"Бренд {n % BRANDS}"])


# --- Measuring --------------------------------------------------------------------------------


def measure_feeds() -> dict:
    from integrations.feeds.services import FEEDS, feed_build, feed_path

    results = {}
    for name in FEEDS:
        with MemorySampler() as memory:
            started = time.perf_counter()
            offers = feed_build(name=name)
            seconds = time.perf_counter() - started
        size = feed_path(FEEDS[name]).stat().st_size
        results[name] = {"offers": offers, "seconds": round(seconds, 2), "file_mb": round(size / 1024 / 1024, 1),
                         "target_seconds": FEED_TARGET_SECONDS, "passed": seconds < FEED_TARGET_SECONDS,
                         **memory.report()}
        print(f"feed {name:7} {offers:>7,} offers  {seconds:6.1f} s  {results[name]['file_mb']:6.1f} MB  "
              f"memory +{results[name]['growth_mb']} MB (by quarter {results[name]['rss_by_quarter_mb']})")
    return results


def measure_import(path: Path, rows: int) -> dict:
    from django.core.files import File

    from integrations.models import Supplier
    from integrations.pricelists.services import pricelist_import_run, pricelist_import_start

    supplier, _ = Supplier.objects.update_or_create(name="Бенч", defaults={
        "sku_column": "Артикул", "name_column": "Наименование", "price_column": "Цена", "stock_column": "Остаток",
        "category_column": "Категория", "brand_column": "Бренд", "markup_percent": Decimal("25"),
        "rounding": Supplier.Rounding.NINES})
    results = {}
    for label, dry_run in (("dry_run", True), ("real_run", False)):
        with path.open("rb") as stream:
            job = pricelist_import_start(supplier=supplier, file=File(stream, name=path.name), dry_run=dry_run)
        with MemorySampler() as memory:
            started = time.perf_counter()
            job = pricelist_import_run(import_id=job.pk)
            seconds = time.perf_counter() - started
        results[label] = {"rows": rows, "seconds": round(seconds, 2), "rows_per_second": round(rows / seconds),
                          "new": job.new_count, "changed": job.changed_count, "unchanged": job.unchanged_count,
                          "errors": job.error_count, "status": job.status, "target_seconds": IMPORT_TARGET_SECONDS,
                          "passed": seconds < IMPORT_TARGET_SECONDS and job.status == "done", **memory.report()}
        print(f"import {label:8} {rows:>7,} rows  {seconds:6.1f} s  new {job.new_count:,} changed "
              f"{job.changed_count:,} unchanged {job.unchanged_count:,} errors {job.error_count:,}  "
              f"memory +{results[label]['growth_mb']} MB")
    return results


def main() -> None:
    args = parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    env = bench_environment(args, cache_prefix="vitrina-h15-bench")
    env["FEEDS_DIR"] = str(Path(args.var_dir) / "feeds")
    env["PRICELISTS_DIR"] = str(Path(args.var_dir) / "pricelists")
    env["SITE_URL"] = "https://shop.example.ru"
    ensure_database(args.database_url)
    print("Migrating the bench database")
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "--verbosity", "0"],
                   env=env, cwd=ROOT, check=True)
    os.environ.update(env)
    import django

    django.setup()
    seed(args.products)
    feeds = measure_feeds() if args.only != "import" else {}
    imports = {}
    if args.only != "feeds":
        path = Path(args.var_dir) / "pricelist.csv"
        price_list(path, args.rows, existing=args.products)
        imports = measure_import(path, args.rows)
    result = {
        "bench": "integrations",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "load_average": os.getloadavg()},
        "products": args.products,
        "feeds": feeds,
        "import": imports,
        "passed": all(r["passed"] for r in [*feeds.values(), *imports.values()]),
    }
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"{'PASS' if result['passed'] else 'FAIL'}; written to {args.output}")


if __name__ == "__main__":
    main()
