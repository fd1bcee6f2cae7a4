"""The watched-product triggers at shop size on PostgreSQL: back in stock, price drop, and
browse abandonment by category.

Seeds (once; kept between runs) 100,000 products in 200 categories, 50,000 customers,
1,000,000 product views over 30 days (a fifth of them signed in), and 50,000 confirmed
back-in-stock requests for 5,000 sold-out products, written with PostgreSQL COPY. Then times:

    prices first     product_prices_record over every product with no record yet (what the first
                     scan of a new price-drop campaign does)
    prices steady    the same with nothing changed: a beat every few minutes
    prices 1% drop   after 1,000 products got 20% cheaper with one UPDATE (a price list)
    price drop scan  the price-drop campaign's scan after those drops (records + candidates)
    restock          1,000 sold-out products back in stock through products_refresh_availability,
                     whose signal writes the returns (the receiver's cost inside that transaction)
    back in stock    the back-in-stock campaign's scan after those returns, then steady
    browse           the browse-abandonment scan (products viewed twice, categories browsed)

Prints the numbers and writes bench/results/watched_products.json. The machine is shared, so
timings are noisy.

    .venv/bin/python bench/watched_products.py              # seeding takes a few minutes
    .venv/bin/python bench/watched_products.py --drop       # drop the bench database afterwards
"""

import argparse
import json
import os
import platform
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "watched_products.json"
sys.path.insert(0, str(ROOT))

from bench.harness import bench_environment, ensure_database  # noqa: E402

SIZES = {"products": 100_000, "categories": 200, "customers": 50_000, "views": 1_000_000,
         "sold_out": 5_000, "requests": 50_000, "drops": 1_000, "restocks": 1_000}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/vitrina_bench_watched")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/10")
    parser.add_argument("--var-dir", default="/tmp/vitrina-bench-watched-var")  # noqa: S108
    parser.add_argument("--output", default=str(RESULTS))
    parser.add_argument("--drop", action="store_true", help="drop the bench database when done")
    return parser.parse_args()


def _copy(cursor, table: str, columns: tuple[str, ...], rows) -> None:
    """COPY rows into `table`; NOT NULL columns without a value here get an empty value of their type."""
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s "
        "AND is_nullable = 'NO' AND column_default IS NULL", [table],
    )
    filler = {
        name: ("" if kind in ("character varying", "text") else False if kind == "boolean" else 0)
        for name, kind in cursor.fetchall() if name not in columns and name != "id"
    }
    with cursor.copy(f"COPY {table} ({', '.join((*columns, *filler))}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row((*row, *filler.values()))


def seed() -> float:
    from django.db import connection
    from django.db.models import CharField, Value
    from django.db.models.functions import Cast, Concat

    from catalog.models import Brand, Category, Product

    if Product.objects.filter(sku__startswith="WATCH-").exists():
        return 0.0
    started = time.perf_counter()
    rng = random.Random(9)
    now = datetime.now(UTC)
    brand, _ = Brand.objects.get_or_create(slug="bench-watched", defaults={"name": "Bench"})
    root, _ = Category.objects.get_or_create(slug="bench-watched", defaults={"name": "Bench watched"})
    Category.objects.bulk_create([
        Category(name=f"Watched {n}", slug=f"bench-watched-{n}", parent=root, depth=root.depth + 1,
                 is_active=True, is_visible=True)
        for n in range(SIZES["categories"])
    ])
    # The tree's path, as category_save writes it, for all of them in one UPDATE.
    Category.objects.filter(parent=root).update(
        path=Concat(Value(root.path), Cast("pk", CharField()), Value("/"), output_field=CharField()))
    categories = list(Category.objects.filter(parent=root).values_list("pk", flat=True))
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        _copy(cursor, "catalog_product", (
            "category_id", "brand_id", "name", "slug", "sku", "price", "stock", "is_in_stock", "is_active",
            "created_at", "updated_at",
        ), (
            (categories[n % len(categories)], brand.pk, f"Watched product {n}", f"watched-{n}", f"WATCH-{n:06d}",
             rng.randrange(200, 9000), 0 if n < SIZES["sold_out"] else 50, n >= SIZES["sold_out"], True, now, now)
            for n in range(SIZES["products"])
        ))
        products = list(Product.objects.filter(sku__startswith="WATCH-").order_by("pk").values_list("pk", flat=True))
        cursor.execute("SELECT coalesce(max(id), 0) FROM customers_user")
        first_user = cursor.fetchone()[0] + 1
        _copy(cursor, "customers_user", ("password", "is_superuser", "is_staff", "is_active", "date_joined", "email"), (
            ("!", False, False, True, now - timedelta(days=400), f"w{n}@watched.example")
            for n in range(SIZES["customers"])
        ))
        users = range(first_user, first_user + SIZES["customers"])
        _copy(cursor, "customers_productview", ("user_id", "product_id", "viewed_at"), (
            (users[rng.randrange(len(users))] if rng.random() < 0.2 else None, products[rng.randrange(len(products))],
             now - timedelta(minutes=rng.randrange(60 * 24 * 30)))
            for _ in range(SIZES["views"])
        ))
        _copy(cursor, "marketing_backinstockrequest", (
            "product_id", "user_id", "email", "person", "status", "created_at", "confirmed_at",
        ), (
            (products[n % SIZES["sold_out"]], users[n % len(users)], f"w{n % len(users)}@watched.example",
             f"user:{users[n % len(users)]}", "active", now - timedelta(days=3), now - timedelta(days=3))
            for n in range(SIZES["requests"])
        ))
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def timed(work) -> tuple[float, object]:
    started = time.perf_counter()
    result = work()
    return round(time.perf_counter() - started, 3), result


def measure() -> dict:
    from django.db import transaction
    from django.db.models import F
    from django.utils import timezone

    from catalog.models import Product
    from catalog.services import products_refresh_availability
    from marketing.campaigns.models import (
        Campaign,
        CampaignEntry,
        CampaignStep,
        ProductPriceRecord,
        ProductRestock,
    )
    from marketing.campaigns.services import campaign_scan
    from marketing.campaigns.triggers.watch import product_prices_record

    results = {}
    ProductPriceRecord.objects.all().delete()
    ProductRestock.objects.all().delete()
    CampaignEntry.objects.filter(campaign__kind__in=["price_drop", "back_in_stock", "browse_abandonment"]).delete()
    watched = Product.objects.filter(sku__startswith="WATCH-").order_by("pk").values_list("pk", flat=True)
    Product.objects.filter(pk__in=list(watched[:SIZES["sold_out"]])).update(stock=0, is_in_stock=False)

    results["prices_first"] = timed(lambda: product_prices_record(now=timezone.now() - timedelta(days=1)))
    results["prices_steady"] = timed(lambda: product_prices_record(now=timezone.now() - timedelta(days=1)))
    dropped = list(watched[SIZES["sold_out"]:SIZES["sold_out"] + SIZES["drops"]])
    Product.objects.filter(pk__in=dropped).update(price=F("price") * 0.8)

    def campaign(kind: str) -> Campaign:
        found, _created = Campaign.objects.get_or_create(kind=kind, name=f"Bench {kind}",
                                                         defaults={"is_active": True})
        CampaignStep.objects.get_or_create(campaign=found, position=1, defaults={"delay_hours": 0})
        return Campaign.objects.prefetch_related("steps").get(pk=found.pk)

    price_drop = campaign("price_drop")
    results["price_drop_scan"] = timed(lambda: campaign_scan(campaign=price_drop, now=timezone.now()))
    results["price_drop_steady"] = timed(lambda: campaign_scan(campaign=price_drop, now=timezone.now()))

    sold_out = list(watched[:SIZES["restocks"]])

    def restock():
        with transaction.atomic():
            Product.objects.filter(pk__in=sold_out).update(stock=20)
            return products_refresh_availability(product_ids=sold_out)

    results["restock"] = timed(lambda: len(restock()))
    back = campaign("back_in_stock")
    results["back_in_stock_scan"] = timed(lambda: campaign_scan(campaign=back, now=timezone.now()))
    results["back_in_stock_steady"] = timed(lambda: campaign_scan(campaign=back, now=timezone.now()))
    browse = campaign("browse_abandonment")
    results["browse_scan"] = timed(lambda: campaign_scan(campaign=browse, now=timezone.now()))
    results["browse_steady"] = timed(lambda: campaign_scan(campaign=browse, now=timezone.now()))
    return {name: {"seconds": seconds, "count": count} for name, (seconds, count) in results.items()}


def main() -> None:
    args = parse_args()
    env = bench_environment(args, cache_prefix="vitrina-bench-watched")
    os.environ.update(env)
    ensure_database(args.database_url)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    seeding = seed()
    numbers = measure()
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"), "machine": platform.node(),
        "cpus": os.cpu_count(), "sizes": SIZES, "seeding_seconds": round(seeding, 1), "scans": numbers,
    }
    for name, value in numbers.items():
        print(f"{name:22} {value['seconds']:8.3f} s   {value['count']}")
    Path(args.output).write_text(json.dumps(result, indent=2) + "\n")
    if args.drop:
        from django.db import connections

        connections.close_all()
        import dj_database_url
        import psycopg

        db = dj_database_url.parse(args.database_url)
        with psycopg.connect(dbname="postgres", host=db["HOST"], port=db["PORT"] or None, user=db["USER"],
                             autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{db["NAME"]}"')


if __name__ == "__main__":
    main()
