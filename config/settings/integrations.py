"""Services outside the shop: carriers that follow parcels, marketplace feeds, supplier price
lists, webhooks."""

from pathlib import Path

from config.env import env_int, env_str

from .base import VAR_DIR

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
