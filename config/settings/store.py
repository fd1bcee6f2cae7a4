"""The shop's own rules: page and catalog caching, visits, orders and bonus points, parcels
waiting to be collected, tracking links, analytics, the back office."""

from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_str, product_views_buffered

from .caches import REDIS_URL

# --- The store ------------------------------------------------------------------------
STORE_NAME = env_str("STORE_NAME", "Витрина")
# Anonymous storefront pages are cached until the catalog changes; this is the upper bound.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 60 * 60)
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE_ENABLED", default=True)
# Catalog data every shopper sees alike (product cards, filter panels, listing and search
# matches, home page rows, product and category data) is kept this long, and dropped at once
# when the catalog changes; 0 keeps none.
CATALOG_CACHE_SECONDS = env_int("CATALOG_CACHE_SECONDS", 60 * 60 * 24)
# A request carrying one of these cookies is personal (a cart, a flash message): never cached.
PAGE_CACHE_BYPASS_COOKIES = ("cart", "messages")
# A visit ends after this long without a request, as web analytics counts sessions.
VISIT_IDLE_MINUTES = env_int("VISIT_IDLE_MINUTES", 30)
# A product view on an existing visit is pushed onto a Redis list and written to the database
# in bulk by a beat task every few seconds, instead of one INSERT inside the request.
PRODUCT_VIEWS_BUFFERED = product_views_buffered()
if PRODUCT_VIEWS_BUFFERED and not REDIS_URL:
    raise ImproperlyConfigured("PRODUCT_VIEWS_BUFFERED needs Redis: set REDIS_URL or turn it off.")
CATALOG_PAGE_SIZES = (12, 24, 48)
# Orders: numbers read "VT-10001"; a customer may pay at most this share of the goods
# (after the promo discount) with bonus points, earns this percent of what they paid
# for the goods when the order is delivered, and earned points expire after this many days.
ORDER_NUMBER_PREFIX = env_str("ORDER_NUMBER_PREFIX", "VT-")
POINTS_MAX_SHARE = Decimal(env_str("POINTS_MAX_SHARE", "0.3"))
POINTS_EARN_PERCENT = Decimal(env_str("POINTS_EARN_PERCENT", "5"))
POINTS_LIFETIME_DAYS = env_int("POINTS_LIFETIME_DAYS", 365)
# Parcels waiting at a pickup point or post office: a reminder after PARCEL_REMINDER_DAYS, a
# "call the customer" task for the order's manager after PARCEL_CALL_TASK_DAYS, and "not
# collected" (stock back) after PICKUP_STORAGE_DAYS, all counted from "ready for pickup".
PARCEL_REMINDER_DAYS = env_int("PARCEL_REMINDER_DAYS", 3)
PARCEL_CALL_TASK_DAYS = env_int("PARCEL_CALL_TASK_DAYS", 5)
PICKUP_STORAGE_DAYS = env_int("PICKUP_STORAGE_DAYS", 7)
# Where a customer follows a parcel, per delivery kind; "{number}" is the tracking number.
# An empty template sends the tracking number without a link.
ORDER_TRACKING_URLS = {
    "post": env_str("TRACKING_URL_POST", "https://www.pochta.ru/tracking?barcode={number}"),
    "pickup": env_str("TRACKING_URL_PICKUP"),
    "courier": env_str("TRACKING_URL_COURIER"),
}
# Analytics: today's figures are computed live and kept this many seconds (0: computed on every page).
ANALYTICS_TODAY_SECONDS = env_int("ANALYTICS_TODAY_SECONDS", 60)
# Back-office: the shop's target for the first call to the customer, from the order.
FIRST_CALL_TARGET_MINUTES = env_int("FIRST_CALL_TARGET_MINUTES", 3)
DEMO_STAFF_PASSWORD = "vitrina-demo"  # noqa: S105 - demo accounts exist only with DEBUG on
