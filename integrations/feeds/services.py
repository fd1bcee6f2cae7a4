"""Building the marketplace feeds: in a worker, into a file that replaces the old one whole."""

import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from integrations.feeds.google import google_feed_write
from integrations.feeds.offers import feed_offers
from integrations.feeds.yandex import yandex_feed_write

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Feed:
    name: str
    filename: str
    content_type: str
    write: object


FEEDS = {
    "yandex": Feed("yandex", "yandex.yml", "application/xml; charset=utf-8", yandex_feed_write),
    "google": Feed("google", "google.xml", "application/xml; charset=utf-8", google_feed_write),
}
REBUILD_PENDING_KEY = "integrations:feeds:rebuild-pending"


def feed_path(feed: Feed) -> Path:
    return Path(settings.FEEDS_DIR) / feed.filename


def feed_build(*, name: str) -> int:
    """Write one feed from the catalog as it is now; returns the number of offers.

    Guarantees: the file at the feed's address is always a whole document. The new one is written
    beside it and moved over it in one rename, so a marketplace reading during a build gets the
    previous file; a build that fails leaves the previous file in place.
    """
    feed = FEEDS[name]
    target = feed_path(feed)
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{feed.filename}.", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            count = feed.write(stream, offers=feed_offers())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    logger.info("Feed %s written: %s offers", name, count)
    return count


def _forget_pending() -> None:
    cache.delete(REBUILD_PENDING_KEY)


def feeds_build_all() -> dict[str, int]:
    # A change made while we build asks for the next build, which the flag cleared first allows.
    _forget_pending()
    return {name: feed_build(name=name) for name in FEEDS}


def feeds_rebuild_soon() -> bool:
    """Ask for the feeds to be rebuilt FEEDS_DEBOUNCE_SECONDS from now, once for every change
    made meanwhile. Called after a catalog change commits; never fails the caller: with the
    broker down the periodic build catches up. Returns whether a build was scheduled now."""
    from kombu.exceptions import OperationalError as BrokerError
    from redis.exceptions import RedisError

    from integrations.tasks import feeds_build_task

    delay = settings.FEEDS_DEBOUNCE_SECONDS
    # False: a rebuild is pending already. None: the cache could not tell (Redis unreachable,
    # which the cache reports as a miss), so schedule one rather than risk none.
    if cache.add(REBUILD_PENDING_KEY, 1, timeout=delay + 600) is False:
        return False
    try:
        feeds_build_task.apply_async(countdown=delay)
    except (BrokerError, RedisError, ConnectionError, TimeoutError) as error:
        logger.warning("Feeds: broker unreachable, the periodic build will catch up: %s", error)
        _forget_pending()
        return False
    return True


def feed_built_at(*, name: str) -> datetime | None:
    try:
        modified = feed_path(FEEDS[name]).stat().st_mtime
    except FileNotFoundError:
        return None
    return datetime.fromtimestamp(modified, tz=timezone.get_current_timezone())
