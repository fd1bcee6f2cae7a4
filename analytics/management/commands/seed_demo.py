"""Fill the shop with demo data: `manage.py seed_demo [--products 300] [--customers 50]
[--history-days 90] [--orders 1200]`.

Safe to run again: it adds only what is missing (products are numbered by SKU, VT-000001...),
so a larger --products extends the catalog; a history is added once. `make run` calls it with
--first-time-only --history-days 90. It lives in analytics, the top layer, because it fills
every app."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from analytics.demo import demo_history_create
from catalog.demo import demo_catalog_create, demo_products_exist
from customers.demo import CUSTOMER_EMAIL_DOMAIN, demo_customers_create, demo_staff_ensure, demo_staff_existing
from marketing.demo import demo_back_in_stock_start, demo_campaigns_start, demo_segments_create
from orders.demo import demo_delivery_create, demo_promo_codes_create
from reviews.demo import demo_reviews_create


class Command(BaseCommand):
    help = "Fill the shop with a demo catalog, customers and staff accounts (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--products", type=int, default=300, help="How many demo products (default 300).")
        parser.add_argument("--customers", type=int, default=50, help="How many demo customers (default 50).")
        parser.add_argument("--history-days", type=int, default=0,
                            help="Days of past trade to make up: visits, orders, costs (default 0: none).")
        parser.add_argument("--orders", type=int, default=0,
                            help="About how many orders in the history (default 8 a day; "
                                 "without --history-days, over the last 30 days).")
        parser.add_argument("--seed", type=int, default=42, help="Random seed: same seed, same shop (default 42).")
        parser.add_argument("--first-time-only", action="store_true",
                            help="Do nothing if the shop already has products.")

    def handle(self, *args, **options) -> None:
        if options["first_time_only"] and demo_products_exist():
            self.stdout.write("The shop already has products: demo data not added.")
            self._print_staff(demo_staff_existing())
            return
        staff = demo_staff_ensure()
        quiet = options["verbosity"] < 1
        with tqdm(desc="Customers", unit=" customers", disable=quiet, leave=False) as bar:
            customers = demo_customers_create(count=options["customers"], seed=options["seed"],
                                              on_progress=_updater(bar))
        with tqdm(desc="Products", unit=" products", disable=quiet) as bar:
            catalog = demo_catalog_create(products=options["products"], seed=options["seed"],
                                          on_progress=_updater(bar))
        self.stdout.write(f"Products: {catalog.products_created} added, {catalog.products_total} in the shop.")
        self.stdout.write(f"Customers: {customers} added.")
        self.stdout.write(f"Delivery methods and pickup points: {demo_delivery_create()} added.")
        self.stdout.write(f"Promo codes: {demo_promo_codes_create()} added.")
        left = demo_campaigns_start(customer_email_domain=CUSTOMER_EMAIL_DOMAIN, seed=options["seed"])
        self.stdout.write(f"Abandoned-cart campaign switched on; demo carts left: {left}.")
        waiting = demo_back_in_stock_start(customer_email_domain=CUSTOMER_EMAIL_DOMAIN)
        self.stdout.write(f"Back-in-stock and price-drop campaigns switched on; requests: {waiting}.")
        self.stdout.write(f"Segments: {demo_segments_create()} added.")
        days = options["history_days"] or (30 if options["orders"] else 0)
        if days:
            with tqdm(desc="History", unit=" days", disable=quiet) as bar:
                history = demo_history_create(days=days, orders=options["orders"] or 8 * days,
                                              seed=options["seed"], on_progress=_updater(bar))
            self.stdout.write(f"History: {history.days} days, {history.visits} visits, {history.orders} orders added.")
            self.stdout.write(f"Reviews of delivered orders: {demo_reviews_create(seed=options['seed'])} added.")
        self._print_staff(staff)

    def _print_staff(self, accounts) -> None:
        if not settings.DEBUG:
            self.stdout.write("Demo staff accounts skipped: DEBUG is off.")
            return
        if not accounts:
            return
        self.stdout.write(self.style.SUCCESS("Demo staff accounts (sign in at /admin/):"))
        for account in accounts:
            self.stdout.write(f"  {account.email:<28} {account.role}")
        self.stdout.write(f"  password: {settings.DEMO_STAFF_PASSWORD}")
        self.stdout.write(f"Demo customers (…@{CUSTOMER_EMAIL_DOMAIN}) sign in with the same password.")


def _updater(bar: tqdm):
    def update(advance: int, total: int) -> None:
        bar.total = total
        bar.update(advance)

    return update
