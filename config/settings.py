"""Vitrina settings. Everything that differs between machines comes from the environment.

Unset, the defaults give a self-contained development store: SQLite under var/, a Celery
broker on the file system, e-mail written to var/mail/. Set DATABASE_URL and REDIS_URL for
PostgreSQL and Redis; set DEBUG=0 and SECRET_KEY for production.
"""

from decimal import Decimal
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str, product_views_buffered

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production (DEBUG off) needs a long random SECRET_KEY "
            "in the environment; for development run with DEBUG=1 (make run does)."
        )
    SECRET_KEY = "django-insecure-development-only-key-vitrina"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "django_filters",
    "django_htmx",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "core",
    "catalog",
    "customers",
    "orders",
    "shipping",
    "reviews",
    "marketing",
    "analytics",
    "integrations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.RequestLimitsMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.languages.AddressOrChoiceLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "customers.middleware.SiteActivityMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.store",
                "catalog.cache.csrf_placeholder",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            # 0 (a connection per request) unless a server with a fixed set of threads asks for
            # more: gunicorn.conf.py does; the threaded development server must not.
            conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
            conn_health_checks=True,
        )
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {
                # The web server, the worker and beat share one file: WAL lets readers run
                # beside a writer, IMMEDIATE avoids "database is locked" on lock upgrades.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
# Reports (analytics) read from a PostgreSQL streaming replica when one is named; see README.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
                                                 conn_health_checks=True)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["analytics.routers.ReportsReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, Celery ----------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "vitrina"),
            "OPTIONS": {
                # Redis speeds the shop up; it must never stop a sale. A cache that cannot be
                # reached is a miss (a page is rendered, nothing is kept), logged on
                # "vitrina.cache", never an error; a Redis that hangs is given up on quickly.
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 1.0,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    DJANGO_REDIS_LOGGER = "vitrina.cache"
    CELERY_BROKER_URL = REDIS_URL
    # A broker host that does not answer at all (not even "refused") is given up on within a second.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1.0, "socket_timeout": 3.0}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "filesystem://"
    _broker_dir = VAR_DIR / "celery"
    for _sub in ("in", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "in"),
        "data_folder_out": str(_broker_dir / "in"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing is the last step of a request whose work has committed (an order, its outbox rows);
# kombu's default retries a broker that is down for ~0.6 s per task, seconds per checkout. One
# immediate retry (a pooled connection that went stale on a Redis restart) and then give up: the
# outbox sweep hands over what was not published once the broker is back.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"

# --- Auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "customers.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["customers.backends.ThrottledModelBackend"]
LOGIN_URL = "customers:sign_in"
# Failed sign-ins allowed per account and per IP address within the window.
SIGN_IN_ATTEMPTS_PER_ACCOUNT = env_int("SIGN_IN_ATTEMPTS_PER_ACCOUNT", 5)
SIGN_IN_ATTEMPTS_PER_ADDRESS = env_int("SIGN_IN_ATTEMPTS_PER_ADDRESS", 20)
SIGN_IN_THROTTLE_MINUTES = env_int("SIGN_IN_THROTTLE_MINUTES", 15)
# Password-reset e-mails asked for per account and per IP address within the window.
PASSWORD_RESETS_PER_ACCOUNT = env_int("PASSWORD_RESETS_PER_ACCOUNT", 3)
PASSWORD_RESETS_PER_ADDRESS = env_int("PASSWORD_RESETS_PER_ADDRESS", 10)
PASSWORD_RESET_THROTTLE_MINUTES = env_int("PASSWORD_RESET_THROTTLE_MINUTES", 60)
# How many reverse proxies in front of the shop append to X-Forwarded-For (nginx, Caddy, a load
# balancer: count each hop you run). The client's address, which the sign-in, password-reset and
# API limits count, is the one the outermost trusted proxy saw; 0 ignores the header, as it must
# when clients reach the shop directly, or anyone could claim any address.
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)

# --- Language and time ----------------------------------------------------------------
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "ru")
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Product photos are served by Django itself unless a front proxy takes /media/ over.
SERVE_MEDIA = env_bool("SERVE_MEDIA", default=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- E-mail ---------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Vitrina <shop@vitrina.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    # Either STARTTLS on 587 (the default) or SSL on 465: Django refuses both at once.
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=not EMAIL_USE_SSL)
    EMAIL_PORT = env_int("EMAIL_PORT", 465 if EMAIL_USE_SSL else 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
# An e-mail service instead of SMTP, e.g. "anymail.backends.unisender_go.EmailBackend" with its
# keys in ANYMAIL_* variables (django-anymail reads them itself).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", EMAIL_BACKEND)

# --- Security (production) ------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = not DEBUG and env_bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 30)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG and env_bool("SECURE_HSTS_PRELOAD", default=False)
# Joining the browsers' HSTS preload list is a per-domain commitment a shop opts into
# (SECURE_HSTS_PRELOAD=1), not something a default may decide for it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

# --- REST API -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 24,
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "core.api.SessionCookieAuthentication",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "core.api.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Requests per client address (guests) and per user; the client address is core.http's.
    "DEFAULT_THROTTLE_CLASSES": ["core.api.AnonRateThrottle", "core.api.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "300/min"),
        "user": env_str("API_THROTTLE_USER", "1200/min"),
    },
    "EXCEPTION_HANDLER": "config.api_errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Vitrina API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI is served from our own static files, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation lists the errors every API view can give (core.api.schema_error_responses).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "orders.models.Order.Status",
        "PaymentMethodEnum": "orders.models.Order.PaymentMethod",
    },
}

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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusals_in_one_line": {"()": "core.logging.RefusalsInOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own console handler would print every "django" line a second time through the root's.
        "django": {"handlers": [], "level": env_str("LOG_LEVEL", "INFO")},
        "django.request": {"filters": ["refusals_in_one_line"]},
        "django.db.backends": {"level": "INFO"},
    },
}

# --- Content Security Policy ----------------------------------------------------------
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "object-src": "'none'",
}
# Web counters, each optional: nothing of theirs is loaded, and the policy above lets none of their
# hosts in, unless its id is set. With COUNTERS_NEED_CONSENT the visitor first says yes in a banner.
YANDEX_METRICA_ID = env_str("YANDEX_METRICA_ID", "")
GA4_MEASUREMENT_ID = env_str("GA4_MEASUREMENT_ID", "")
COUNTERS_NEED_CONSENT = env_bool("COUNTERS_NEED_CONSENT", default=False)
COUNTER_HOSTS = {
    "script-src": [*(["https://mc.yandex.ru", "https://yastatic.net"] if YANDEX_METRICA_ID else []),
                   *(["https://www.googletagmanager.com"] if GA4_MEASUREMENT_ID else [])],
    "img-src": [*(["https://mc.yandex.ru"] if YANDEX_METRICA_ID else []),
                *(["https://www.google-analytics.com", "https://www.googletagmanager.com"]
                  if GA4_MEASUREMENT_ID else [])],
    "connect-src": [*(["https://mc.yandex.ru"] if YANDEX_METRICA_ID else []),
                    *(["https://*.google-analytics.com", "https://*.analytics.google.com",
                       "https://www.googletagmanager.com"] if GA4_MEASUREMENT_ID else [])],
}
for _directive, _hosts in COUNTER_HOSTS.items():
    if _hosts:
        CONTENT_SECURITY_POLICY[_directive] = " ".join([CONTENT_SECURITY_POLICY[_directive], *_hosts])
# Swagger UI renders itself with an inline script; its assets are still our own files.
CONTENT_SECURITY_POLICY_EXEMPT = ("/api/docs/",)

# --- Messaging ------------------------------------------------------------------------
# Order messages and campaigns (marketing/). E-mail goes through EMAIL_BACKEND above; SMS
# through SMS_BACKEND: files in var/sms/ by default, "marketing.backends.sms.SmsRuBackend"
# with SMS_RU_API_ID (and an approved SMS_SENDER name) in production.
SMS_BACKEND = env_str("SMS_BACKEND", "marketing.backends.sms.FileSmsBackend")
SMS_FILE_PATH = VAR_DIR / "sms"
SMS_RU_API_ID = env_str("SMS_RU_API_ID")
SMS_SENDER = env_str("SMS_SENDER")
# No SMS between these hours in the customer's time zone (or TIME_ZONE): it waits till the end.
SMS_QUIET_HOURS_START = env_str("SMS_QUIET_HOURS_START", "21:00")
SMS_QUIET_HOURS_END = env_str("SMS_QUIET_HOURS_END", "09:00")
# Provider errors are retried with growing pauses (1, 2, 4... minutes) up to this many attempts.
MESSAGE_MAX_ATTEMPTS = env_int("MESSAGE_MAX_ATTEMPTS", 5)
# A message "sending" for longer than this had its worker die mid-send: it becomes "unknown".
MESSAGE_SENDING_STUCK_MINUTES = env_int("MESSAGE_SENDING_STUCK_MINUTES", 10)

# --- Trigger campaigns (marketing/campaigns/) -------------------------------------------
# Links in messages point here (no request to read the host from when a worker writes them).
SHOP_URL = env_str("SHOP_URL", "http://localhost:8000").rstrip("/")
# At most this many marketing messages per person, across all campaigns and channels.
MARKETING_CAP_PER_DAY = env_int("MARKETING_CAP_PER_DAY", 1)
MARKETING_CAP_PER_WEEK = env_int("MARKETING_CAP_PER_WEEK", 3)
# An order counts for the message last clicked within this many days, or else for one received
# within the shorter view-through window.
# "Tell me when it is back" e-mails a guest's typed address a confirmation link: at most this many
# requests an hour from one client address, and this many to one e-mail address.
BACK_IN_STOCK_GUEST_REQUESTS_PER_ADDRESS = env_int("BACK_IN_STOCK_GUEST_REQUESTS_PER_ADDRESS", 10)
BACK_IN_STOCK_GUEST_REQUESTS_PER_EMAIL = env_int("BACK_IN_STOCK_GUEST_REQUESTS_PER_EMAIL", 3)
CAMPAIGN_CLICK_WINDOW_DAYS = env_int("CAMPAIGN_CLICK_WINDOW_DAYS", 5)
CAMPAIGN_VIEW_WINDOW_DAYS = env_int("CAMPAIGN_VIEW_WINDOW_DAYS", 1)
# Broadcasts: how many messages each channel takes per minute until the shop sets its own rate
# in the admin ("Sending rates"), and the local time a best-time broadcast sends at to someone
# who has never opened or clicked (the seeds' morning e-mail window).
BROADCAST_EMAILS_PER_MINUTE = env_int("BROADCAST_EMAILS_PER_MINUTE", 3000)
BROADCAST_SMS_PER_MINUTE = env_int("BROADCAST_SMS_PER_MINUTE", 300)
BROADCAST_DEFAULT_SEND_TIME = env_str("BROADCAST_DEFAULT_SEND_TIME", "09:00")

# --- Online payments ------------------------------------------------------------------
# The provider that takes card payments (orders/payments/). "test" is a pretend bank on the
# shop's own pages that charges nothing, the default in development only; in production card
# payment online is offered once a provider is named here.
# YooKassa is chosen by giving its shop id and secret key (Integration → API keys).
PAYMENT_PROVIDERS = {
    "test": "orders.payments.test.TestPaymentProvider",
    "yookassa": "orders.payments.yookassa.YooKassaProvider",
}
YOOKASSA_SHOP_ID = env_str("YOOKASSA_SHOP_ID")
YOOKASSA_SECRET_KEY = env_str("YOOKASSA_SECRET_KEY")
YOOKASSA_API_URL = env_str("YOOKASSA_API_URL", "https://api.yookassa.ru/v3/")
# Where YooKassa's confirmation page is: checkout's form leads there, so the CSP must allow it.
YOOKASSA_CONFIRMATION_ORIGIN = env_str("YOOKASSA_CONFIRMATION_ORIGIN", "https://yoomoney.ru")
YOOKASSA_TIMEOUT = env_int("YOOKASSA_TIMEOUT", 10)
# The receipt (54-FZ): VAT code of the goods (1 = no VAT, 4 = 20%; see YooKassa's vat_code list)
# and the shop's tax system (1-6), which YooKassa needs only if the shop has more than one.
YOOKASSA_VAT_CODE = env_int("YOOKASSA_VAT_CODE", 1)
YOOKASSA_TAX_SYSTEM_CODE = env_int("YOOKASSA_TAX_SYSTEM_CODE", 0)
PAYMENT_PROVIDER = env_str(
    "PAYMENT_PROVIDER", "yookassa" if YOOKASSA_SHOP_ID and YOOKASSA_SECRET_KEY else ("test" if DEBUG else "")
)
# Other sites a form of the shop may lead to (core.middleware adds them to the CSP's form-action).
PAYMENT_PAGE_ORIGINS = [YOOKASSA_CONFIRMATION_ORIGIN] if PAYMENT_PROVIDER == "yookassa" else []
# A payment whose notification has not come after this many minutes is asked about (beat).
PAYMENT_CHECK_AFTER_MINUTES = env_int("PAYMENT_CHECK_AFTER_MINUTES", 3)

# --- Carriers (shipping/) ------------------------------------------------------------------
# A delivery method names its carrier; its shipped parcels are followed once the carrier's keys
# are given. Without keys nothing is asked and managers move orders by hand, as before.
RUSSIAN_POST_LOGIN = env_str("RUSSIAN_POST_LOGIN")
RUSSIAN_POST_PASSWORD = env_str("RUSSIAN_POST_PASSWORD")
RUSSIAN_POST_API_URL = env_str("RUSSIAN_POST_API_URL", "https://tracking.russianpost.ru/rtm34")
# Russian Post's answer has no storage date: it keeps parcels this many days.
RUSSIAN_POST_STORAGE_DAYS = env_int("RUSSIAN_POST_STORAGE_DAYS", 30)
CDEK_CLIENT_ID = env_str("CDEK_CLIENT_ID")
CDEK_CLIENT_SECRET = env_str("CDEK_CLIENT_SECRET")
CDEK_API_URL = env_str("CDEK_API_URL", "https://api.cdek.ru/v2/")
# Used only when CDEK's answer has no keep_free_until.
CDEK_STORAGE_DAYS = env_int("CDEK_STORAGE_DAYS", 7)
CARRIER_TIMEOUT = env_int("CARRIER_TIMEOUT", 10)
# A parcel on its way is asked about this often; a carrier that does not answer is asked again
# after 5, 10, 20... minutes, never less often than this.
PARCEL_CHECK_MINUTES = env_int("PARCEL_CHECK_MINUTES", 120)
PARCEL_POLL_THREADS = env_int("PARCEL_POLL_THREADS", 8)
# Signs the test provider's notifications; derived from SECRET_KEY when empty.
PAYMENT_TEST_SECRET = env_str("PAYMENT_TEST_SECRET")

# --- Integrations ---------------------------------------------------------------------
# The shop's public address: feeds and webhooks carry absolute links to it.
SITE_URL = env_str("SITE_URL", "http://localhost:8000").rstrip("/")
# Marketplace feeds (/feeds/yandex.yml, /feeds/google.xml) are files written by a worker here.
FEEDS_DIR = Path(env_str("FEEDS_DIR", str(VAR_DIR / "feeds")))
# When set, the feeds are served only with ?token=<this>: give the marketplace the full address.
FEEDS_TOKEN = env_str("FEEDS_TOKEN")
# A catalog change rebuilds the feeds this many seconds later, once for all changes meanwhile.
FEEDS_DEBOUNCE_SECONDS = env_int("FEEDS_DEBOUNCE_SECONDS", 300)
# Uploaded supplier price lists wait here for the worker that imports them (never under MEDIA_ROOT,
# which anyone may read).
PRICELISTS_DIR = Path(env_str("PRICELISTS_DIR", str(VAR_DIR / "pricelists")))
# Webhooks: a delivery that fails is retried with growing pauses up to this many attempts
# (30 s, 1, 2, 4... minutes: about four hours in all with 10); each call waits this long for the
# receiver's answer.
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 10)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
