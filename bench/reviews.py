"""Reviews under a real shop's orders: what they add to a signed-in customer's product page, and
what moderation costs on a product with many reviews.

Fills PostgreSQL with --customers accounts, --orders orders (half delivered, 40 % by an account,
the rest guests known by e-mail and phone) and their lines, products sold with a long tail (the
best seller is in about one line in six), and --reviews published reviews of the best seller,
all with COPY; kept between runs (the data is made once per size). Then measures, for --samples
customers at random:

    eligibility   reviews.selectors.review_eligibility on the best seller: is this customer a
                  verified buyer (a delivered order of the product among the account's own orders,
                  reviews.selectors._orders_of)? The queries a signed-in customer's product page
                  makes (their review of it, then such an order), as the migrated schema indexes
                  them; timed for the customers who bought it and for those who did not apart.
    list          the product page's first page of published reviews and their count.
    moderate      reviews.services.reviews_moderate of one review of the best seller: the
                  conditional UPDATE, the product's lock and its average recomputed from every
                  published review.

    .venv/bin/python bench/reviews.py            # about 3 minutes the first time, 1 after
    .venv/bin/python bench/reviews.py --quick    # a smoke run, not a measurement

Writes bench/results/reviews.json. Needs PostgreSQL (see --help); no Redis.
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "reviews.json"
sys.path.insert(0, str(ROOT))

from bench.harness import ensure_database  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=500_000)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--products", type=int, default=2_000)
    parser.add_argument("--reviews", type=int, default=20_000, help="published reviews of the best seller")
    parser.add_argument("--samples", type=int, default=300, help="customers timed (default 300)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 20,000 orders")
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vitrina_bench_reviews"))
    parser.add_argument("--output", default=str(RESULTS))
    args = parser.parse_args()
    if args.quick:
        args.orders, args.customers, args.products, args.reviews, args.samples = 20_000, 8_000, 200, 2_000, 50
    return args


def summary(values: list[float]) -> dict:
    values = sorted(values)
    return {
        "count": len(values), "p50_ms": round(statistics.median(values), 3),
        "p90_ms": round(values[int(len(values) * 0.9) - 1], 3), "p99_ms": round(values[int(len(values) * 0.99) - 1], 3),
        "max_ms": round(values[-1], 3),
    }


def _copy(model, rows) -> None:
    """Rows ({field name: value}) straight into the model's table with COPY (psycopg's own, through
    Django's connection); every other column gets the field's default, as the ORM would give it."""
    from django.db import connection

    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    defaults = {field.name: field.get_default() for field in fields}
    names = ", ".join(field.column for field in fields)
    with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy:  # noqa: S608 - our own names
        for row in rows:
            copy.write_row([row.get(field.name, defaults[field.name]) for field in fields])


def seed(args) -> dict:
    from django.db import connection, transaction

    from catalog.models import Product
    from customers.models import User
    from orders.models import Order, OrderLine
    from reviews.models import Review
    from tests.factories import CategoryFactory, DeliveryMethodFactory

    if Order.objects.count() == args.orders and Review.objects.count() == args.reviews:
        print("Data from an earlier run of this size: kept.")
        return {"seeded": False}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE reviews_review, orders_orderline, orders_orderstatuschange, orders_order, "
                       "customers_user, catalog_product, catalog_category, orders_deliverymethod CASCADE")
    rng = random.Random(42)
    now = datetime.now(UTC)
    with transaction.atomic():
        category = CategoryFactory(name="Чайники", slug="kettles")
        method = DeliveryMethodFactory(kind="courier")
        Product.objects.bulk_create([
            Product(category=category, name=f"Товар {n}", slug=f"product-{n}", sku=f"SKU-{n:06d}",
                    price=Decimal("990.00"), stock=10, is_in_stock=True)
            for n in range(args.products)
        ], batch_size=2000)
    products = list(Product.objects.order_by("pk").values_list("pk", flat=True))
    # The long tail: product k sells as 1/k^1.1 (the best seller is ~17 % of all lines at 2,000 products).
    weights = [1 / (rank ** 1.1) for rank in range(1, len(products) + 1)]
    _copy(User, ({"password": "!", "first_name": "Анна", "last_name": "Смирнова", "email": f"c{n}@bench.test",
                  "date_joined": now, "phone": f"+7900{n:07d}"} for n in range(args.customers)))
    users = list(User.objects.order_by("pk").values_list("pk", flat=True))
    statuses = [Order.Status.DELIVERED] * 10 + [Order.Status.NEW, Order.Status.SHIPPED, Order.Status.CANCELLED,
                                                Order.Status.RETURNED] * 2 + [Order.Status.CONFIRMED] * 2
    order_rows = []
    for n in range(args.orders):
        customer = rng.randrange(len(users)) if rng.random() < 0.4 else None
        who = (users[customer], f"c{customer}@bench.test", f"+7900{customer:07d}") if customer is not None else \
            (None, f"guest{n}@bench.test", f"+7911{n:07d}")
        placed = now - timedelta(minutes=rng.randrange(60 * 24 * 365))
        order_rows.append({
            "number": f"B{n}", "status": rng.choice(statuses), "user": who[0], "name": "Анна", "phone": who[2],
            "email": who[1], "delivery_method": method.pk, "address": "Москва", "payment_method": "cash_on_delivery",
            "items_total": Decimal("990.00"), "total_to_pay": Decimal("990.00"), "created_at": placed,
            "updated_at": placed,
        })
    _copy(Order, order_rows)
    orders = list(Order.objects.order_by("pk").values_list("pk", flat=True))

    def lines():
        for order in orders:
            for product in set(rng.choices(products, weights=weights, k=1 + int(rng.expovariate(2)))):
                yield {"order": order, "product": product, "product_name": "Товар", "sku": "SKU",
                       "unit_price": Decimal("990.00"), "quantity": 1, "line_total": Decimal("990.00")}

    _copy(OrderLine, lines())
    best = products[0]
    buyers = list(OrderLine.objects.filter(product_id=best, order__status=Order.Status.DELIVERED,
                                           order__user__isnull=False)
                  .values_list("order__user_id", "order_id").distinct("order__user_id").order_by("order__user_id"))
    reviewers = buyers[:args.reviews]
    if len(reviewers) < args.reviews:  # more reviews than buyers with accounts: other customers fill in
        taken = {user for user, _order in reviewers}
        reviewers += [(user, None) for user in users if user not in taken][:args.reviews - len(reviewers)]
    _copy(Review, ({"product": best, "user": user, "order": order, "rating": rng.choice((5, 5, 5, 4, 4, 3, 2, 1)),
                    "text": "Отличный товар, рекомендую.", "author_name": "Анна С.",
                    "status": Review.Status.PUBLISHED, "created_at": now - timedelta(minutes=n)}
                   for n, (user, order) in enumerate(reviewers)))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"Seeded in {time.perf_counter() - started:.0f} s")
    return {"seeded": True, "seconds": round(time.perf_counter() - started, 1)}


def time_eligibility(args) -> dict:
    from django.db import connection

    from catalog.models import Product
    from customers.models import User
    from reviews.selectors import review_eligibility

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE orders_order")
    best = Product.objects.order_by("pk").first()
    rng = random.Random(7)
    ids = list(User.objects.order_by("pk").values_list("pk", flat=True))
    customers = list(User.objects.filter(pk__in=rng.sample(ids, args.samples)))
    times, buyers, others = [], [], []
    for customer in customers:
        started = time.perf_counter()
        eligibility = review_eligibility(user=customer, product=best)
        elapsed = (time.perf_counter() - started) * 1000
        times.append(elapsed)
        (buyers if eligibility.order is not None or eligibility.review is not None else others).append(elapsed)
    print(f"Eligibility: {summary(times)}")
    return {**summary(times), "verified_buyers": len(buyers),
            "buyers": summary(buyers) if buyers else None, "not_buyers": summary(others) if others else None}


def time_list_and_moderation(args) -> dict:
    from django.core.paginator import Paginator
    from django.db import connection

    from catalog.models import Product
    from customers.models import User
    from reviews.models import Review
    from reviews.selectors import reviews_published
    from reviews.services import reviews_moderate

    best = Product.objects.order_by("pk").first()
    listing = []
    for _ in range(args.samples):
        started = time.perf_counter()
        page = Paginator(reviews_published(product=best), 10).get_page(1)
        list(page.object_list)
        listing.append((time.perf_counter() - started) * 1000)
    moderator, _created = User.objects.get_or_create(email="moderator@bench.test",
                                                      defaults={"is_superuser": True, "is_staff": True})
    review_ids = list(Review.objects.filter(product=best).order_by("?").values_list("pk", flat=True)[:50])
    moderation = []
    for review in review_ids:
        for status in (Review.Status.REJECTED, Review.Status.PUBLISHED):
            started = time.perf_counter()
            reviews_moderate(review_ids=[review], status=status, moderator=moderator)
            moderation.append((time.perf_counter() - started) * 1000)
    best.refresh_from_db()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM reviews_review WHERE product_id = %s AND status = 'published'", [best.pk])
        published = cursor.fetchone()[0]
    assert best.rating_count == published, (best.rating_count, published)
    print(f"First page of {published} published reviews: {summary(listing)}")
    print(f"Moderating one review (the average over {published}): {summary(moderation)}")
    return {"published_reviews": published, "list_first_page": summary(listing), "moderate_one": summary(moderation)}


def main() -> int:
    args = parse_args()
    ensure_database(args.database_url)
    os.environ.update({"DATABASE_URL": args.database_url, "DJANGO_SETTINGS_MODULE": "config.settings",
                       "DEBUG": "1", "LOG_LEVEL": "WARNING"})
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    seeding = seed(args)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM orders_order")
        orders = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM orders_orderline")
        lines = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM orders_orderline WHERE product_id = (SELECT min(id) FROM catalog_product)")
        best_lines = cursor.fetchone()[0]
    print(f"{orders} orders, {lines} lines, the best seller in {best_lines}")
    eligibility = time_eligibility(args)
    rest = time_list_and_moderation(args)
    result = {
        "bench": "reviews", "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "load": os.getloadavg()},
        "data": {"orders": orders, "lines": lines, "best_seller_lines": best_lines, "customers": args.customers,
                 **seeding},
        "eligibility": eligibility,
        **rest,
    }
    Path(args.output).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"Wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
