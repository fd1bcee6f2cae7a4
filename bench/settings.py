"""Settings for bench/storefront.py: the shop's own settings plus the "ok" ceiling view."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
