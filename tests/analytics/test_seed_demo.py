from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from PIL import Image

from analytics.models import MarketingCost, RollupDay
from analytics.periods import day_of, day_start, shop_today
from catalog.cache import catalog_version
from catalog.models import (
    Brand,
    Category,
    Product,
    ProductAttributeValue,
    ProductImage,
    ProductVariant,
)
from customers.demo import CUSTOMER_EMAIL_DOMAIN, STAFF_ACCOUNTS
from customers.models import User, Visit
from customers.roles import MANAGER, OWNER, WAREHOUSE
from orders.models import Order, OrderStatusChange
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("demo-media")


@pytest.fixture(autouse=True)
def _shared_pictures_and_fast_hashing(_isolated_cache_and_media, settings, demo_media_root):
    # The picture pool is rendered once per module instead of once per test.
    settings.MEDIA_ROOT = demo_media_root
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", verbosity=0, stdout=out, **{"products": 12, "customers": 5, **options})
    return out.getvalue()


def demo_customers():
    return User.objects.filter(email__endswith=f"@{CUSTOMER_EMAIL_DOMAIN}")


def row_counts() -> dict[str, int]:
    models = (Category, Brand, Product, ProductVariant, ProductImage, ProductAttributeValue,
              Product.related_products.through, User)
    return {model.__name__: model.objects.count() for model in models}


def test_seed_demo_creates_the_requested_numbers_of_products_and_customers():
    seed(products=12, customers=5)

    assert Product.objects.count() == 12
    assert demo_customers().count() == 5


def test_running_seed_demo_twice_creates_nothing_new():
    seed()
    before = row_counts()

    seed()

    assert row_counts() == before


def test_a_larger_product_count_adds_only_the_missing_products():
    seed(products=6)
    first_names = dict(Product.objects.values_list("sku", "name"))

    seed(products=12)

    assert Product.objects.count() == 12
    assert dict(Product.objects.filter(sku__in=first_names).values_list("sku", "name")) == first_names


def test_the_same_seed_gives_the_same_product_names():
    seed(seed=7)
    first_run = dict(Product.objects.values_list("sku", "name"))
    Product.objects.all().delete()

    seed(seed=7)

    assert dict(Product.objects.values_list("sku", "name")) == first_run


def test_another_seed_gives_other_product_names():
    seed(seed=7)
    first_run = dict(Product.objects.values_list("sku", "name"))
    Product.objects.all().delete()

    seed(seed=8)

    assert dict(Product.objects.values_list("sku", "name")) != first_run


def test_first_time_only_adds_nothing_when_the_shop_has_products():
    ProductFactory()

    output = seed(first_time_only=True)

    assert Product.objects.count() == 1
    assert not demo_customers().exists()
    assert "already has products" in output


def test_first_time_only_fills_an_empty_shop():
    seed(first_time_only=True)

    assert Product.objects.count() == 12


def test_demo_staff_accounts_are_created_with_debug_on(settings):
    settings.DEBUG = True

    output = seed()

    staff = {user.email: user for user in User.objects.filter(is_staff=True).prefetch_related("groups")}
    assert set(staff) == {account.email for account in STAFF_ACCOUNTS}
    assert [group.name for group in staff["manager1@vitrina.local"].groups.all()] == [MANAGER]
    assert [group.name for group in staff["owner@vitrina.local"].groups.all()] == [OWNER]
    assert [group.name for group in staff["warehouse@vitrina.local"].groups.all()] == [WAREHOUSE]
    assert staff["marketer@vitrina.local"].check_password(settings.DEMO_STAFF_PASSWORD)
    assert settings.DEMO_STAFF_PASSWORD in output


def test_demo_staff_accounts_are_created_once(settings):
    settings.DEBUG = True
    seed()

    seed()

    assert User.objects.filter(is_staff=True).count() == len(STAFF_ACCOUNTS)


def test_demo_staff_accounts_are_skipped_with_debug_off(settings):
    settings.DEBUG = False

    output = seed()

    assert not User.objects.filter(is_staff=True).exists()
    assert "skipped" in output
    assert settings.DEMO_STAFF_PASSWORD not in output


def test_first_time_only_still_shows_the_staff_accounts(settings):
    settings.DEBUG = True
    seed()

    output = seed(first_time_only=True)

    assert "owner@vitrina.local" in output
    assert settings.DEMO_STAFF_PASSWORD in output


def test_demo_product_images_have_their_thumbnails_on_disk():
    seed()

    images = list(ProductImage.objects.all())
    assert images
    for image in images:
        assert default_storage.exists(image.image.name)
        with Image.open(default_storage.path(image.thumb_small.name)) as small:
            assert small.size == (320, 320)
        with Image.open(default_storage.path(image.thumb_large.name)) as large:
            assert large.size == (800, 800)


def test_featured_categories_get_a_picture():
    seed()

    featured = list(Category.objects.filter(is_featured=True))
    assert featured
    assert all(default_storage.exists(category.image.name) for category in featured)


def test_shoes_and_clothes_are_sold_in_sizes_with_their_own_skus():
    seed(products=30)

    sized = Product.objects.filter(category__slug__in=["krossovki", "botinki", "tufli", "futbolki",
                                                       "khudi-i-svitshoty"])
    assert sized.exists()
    for product in sized.prefetch_related("variants"):
        variants = list(product.variants.all())
        assert variants
        assert all(variant.sku.startswith(f"{product.sku}-") for variant in variants)


def test_demo_products_are_found_by_the_sqlite_search_text():
    seed()

    product = Product.objects.order_by("sku").first()
    stored = (product.search_title, product.search_text)
    product.search_fields_refresh()
    assert stored == (product.search_title, product.search_text) and product.search_title


@pytest.mark.postgres
def test_demo_products_get_a_search_vector_on_postgresql():
    seed()

    assert not Product.objects.filter(search_vector__isnull=True).exists()


def test_bestsellers_have_sales_to_sort_by():
    seed(products=30)

    assert Product.objects.filter(sales_count__gt=0).values("sales_count").distinct().count() > 3


def test_seeding_drops_the_cached_storefront_pages():
    version = catalog_version()

    seed()

    assert catalog_version() != version


def test_history_days_make_visits_orders_and_costs_on_past_days_only(settings):
    settings.DEBUG = True

    output = seed(history_days=5, orders=40)

    today = shop_today()
    days = {day_of(moment) for moment in Order.objects.values_list("created_at", flat=True)}
    assert "History: 5 days" in output
    assert Order.objects.count() > 20
    assert days <= {today - timedelta(days=n) for n in range(1, 6)}
    assert Visit.objects.count() > Order.objects.count() * 10
    assert MarketingCost.objects.filter(channel="paid_search").exists()
    assert Order.objects.filter(channel="phone", manager__isnull=False).exists()
    assert Order.objects.filter(first_call_at__isnull=False).count() > 10
    assert RollupDay.objects.filter(state=RollupDay.State.DONE).count() == 5


def test_the_history_is_added_once(settings):
    settings.DEBUG = True
    seed(history_days=2, orders=10)
    orders = Order.objects.count()

    seed(history_days=2, orders=10)

    assert Order.objects.count() == orders


def test_orders_alone_make_a_month_of_history():
    output = seed(orders=30)

    assert "History: 30 days" in output
    assert Order.objects.exists()


def test_the_history_gives_parcels_their_delivery_times_and_cancellations_their_reasons(settings):
    settings.DEBUG = True

    seed(history_days=20, orders=200)

    delivered = OrderStatusChange.objects.filter(to_status=Order.Status.DELIVERED).select_related("order")
    hours = [(change.created_at - change.order.created_at).total_seconds() / 3600 for change in delivered]
    assert hours and min(hours) > 0 and all(change.created_at < day_start(shop_today()) for change in delivered)
    reasons = set(OrderStatusChange.objects.filter(to_status=Order.Status.CANCELLED).values_list("comment", flat=True))
    assert reasons and "" not in reasons


def test_the_history_leaves_published_reviews_by_customers_who_received_the_products(settings):
    from reviews.models import Review
    from reviews.selectors import review_purchase_order

    settings.DEBUG = True

    output = seed(history_days=20, orders=200)

    published = Review.objects.filter(status=Review.Status.PUBLISHED).select_related("user", "product")
    assert "Reviews of delivered orders:" in output and published.count() >= 5
    assert all(review_purchase_order(user=review.user, product=review.product) for review in published)
    rated = Product.objects.filter(rating_count__gt=0)
    assert sum(rated.values_list("rating_count", flat=True)) == published.count()
