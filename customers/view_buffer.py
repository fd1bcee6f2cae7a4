"""Product views waiting in Redis on their way to the database.

A product page on an existing visit pushes its views onto a Redis list (one RPUSH) instead of
inserting a row.
`customers.services.product_views_flush`, run by beat every few seconds, moves them into
`customers_productview` in batches.

Delivery is at least once. A batch is moved atomically from the buffer into a "processing" list
and leaves Redis only after its rows have committed; a flush that finds a processing list left
behind (its worker died mid-flush) writes that batch first. A worker dying between the INSERT's
commit and the DEL of the processing list therefore writes one batch twice: acceptable for view
analytics, where losing views is not. One flush runs at a time, under a lock that each batch
extends, so a dead worker's lock lapses within LOCK_SECONDS.

The lists are named through the cache's KEY_PREFIX, so shops, bench runs and test runs sharing
one Redis keep their own buffers.
"""

import json
import logging
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.cache import cache, caches
from django_redis import get_redis_connection
from django_redis.cache import RedisCache

logger = logging.getLogger(__name__)

LOCK_SECONDS = 30

# KEYS: buffer, processing, lock. ARGV: lock token, batch size, lock seconds.
# Returns the batch to write (a left-over processing list first), or false without the lock.
_TAKE = """
if redis.call('GET', KEYS[3]) ~= ARGV[1] then return false end
redis.call('EXPIRE', KEYS[3], ARGV[3])
local left = redis.call('LRANGE', KEYS[2], 0, -1)
if #left > 0 then return left end
local batch = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)
if #batch == 0 then return batch end
redis.call('LTRIM', KEYS[1], #batch, -1)
for i = 1, #batch, 500 do
  redis.call('RPUSH', KEYS[2], unpack(batch, i, math.min(i + 499, #batch)))
end
return batch
"""
# KEYS: processing, lock. ARGV: lock token. A flush that lost its lock leaves the batch to the
# flush that now holds it (which writes it again, as it may already have).
_DONE = """
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


@dataclass(frozen=True)
class BufferedView:
    visit_id: int
    user_id: int | None
    product_id: int
    viewed_at: datetime


def _key(name: str) -> str:
    return cache.make_key(f"customers:product-views{name}")


def _client():
    return get_redis_connection("default")


def is_available() -> bool:
    """The default cache is Redis; without it (SQLite/locmem development) there is no buffer."""
    return isinstance(caches["default"], RedisCache)


def _encode(*, visit_id: int, user_id: int | None, product_id: int, viewed_at: datetime) -> str:
    return json.dumps([visit_id, user_id, product_id, viewed_at.astimezone(UTC).isoformat()], separators=(",", ":"))


def _decode(raw: bytes) -> BufferedView | None:
    try:
        visit_id, user_id, product_id, viewed_at = json.loads(raw)
        return BufferedView(
            visit_id=int(visit_id),
            user_id=None if user_id is None else int(user_id),
            product_id=int(product_id),
            viewed_at=datetime.fromisoformat(viewed_at).astimezone(UTC),
        )
    except (TypeError, ValueError):
        logger.warning("Dropping a malformed buffered product view: %r", raw)
        return None


def push(*, visit_id: int, user_id: int | None, product_ids: Sequence[int], viewed_at: datetime) -> None:
    """One RPUSH for all the views of a request. Raises redis.RedisError if Redis is unreachable."""
    records = [_encode(visit_id=visit_id, user_id=user_id, product_id=product_id, viewed_at=viewed_at)
               for product_id in product_ids]
    if records:
        _client().rpush(_key(""), *records)


def pending() -> int:
    """Views not yet written: the buffer and a batch being (or left) processing."""
    client = _client()
    return client.llen(_key("")) + client.llen(_key(":processing"))


class FlushLock:
    """The right to flush, held by one worker at a time. Every call checks it is still held."""

    def __init__(self, client, token: str) -> None:
        self._client = client
        self._token = token

    def batch_take(self, *, size: int) -> list[BufferedView] | None:
        """The next batch, moved into the processing list: the one a dead worker left there, or up
        to `size` views from the buffer. None when there is nothing to write or the lock is lost.
        Malformed records are dropped, so a batch may come back as an empty list."""
        raw = self._client.eval(
            _TAKE, 3, _key(""), _key(":processing"), _key(":lock"), self._token, size, LOCK_SECONDS
        )
        if not raw:
            return None
        return [view for view in map(_decode, raw) if view is not None]

    def batch_done(self) -> bool:
        """The batch is in the database: forget it. False if the lock was lost meanwhile."""
        return bool(self._client.eval(_DONE, 2, _key(":processing"), _key(":lock"), self._token))


@contextmanager
def flush_lock() -> Iterator[FlushLock | None]:
    """Yields a FlushLock, or None while another flush holds it."""
    client = _client()
    token = uuid.uuid4().hex
    if not client.set(_key(":lock"), token, nx=True, ex=LOCK_SECONDS):
        yield None
        return
    try:
        yield FlushLock(client, token)
    finally:
        client.eval(_RELEASE, 1, _key(":lock"), token)
