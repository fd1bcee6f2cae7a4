"""The cache and sessions: Redis at REDIS_URL, or memory in one process for development. Celery's
broker follows the same REDIS_URL (celery.py)."""

from config.env import env_str

# --- Cache and sessions ---------------------------------------------------------------
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
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
