"""Settings for bench/storefront.py: the shop's own settings plus the "ok" ceiling view."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# Every lost race in bench/claim.py is a 409, which django.request logs as a warning.
LOGGING["loggers"]["django.request"] = {"level": "ERROR"}  # noqa: F405
