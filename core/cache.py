"""Django's Redis cache, keeping one client per connection pool, skipping memcached's key checks,
and able to send a request's list appends along with a read (get_many_pushing).

The stock backend builds a new redis.Redis object on every call; on a cached page that is two
objects per request for nothing, since a client is only a thin, thread-safe handle on its pool.
"""

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def validate_key(self, key):
        """Django checks every key against memcached's rules (length, no spaces or control
        characters) character by character; Redis has no such limits, and a listing reading 24
        cards would spend a fifth of a millisecond on it."""

    def get_many_pushing(self, keys, pushes: dict[str, list]) -> dict:
        """get_many that also appends `pushes` ({Redis list name: values}) in the same round trip,
        so a write the request owes anyway costs no round trip of its own."""
        keys = list(keys)
        pipeline = self._cache.get_client(write=True).pipeline(transaction=False)
        pipeline.mget([self.make_and_validate_key(key) for key in keys])
        for name, values in pushes.items():
            pipeline.rpush(name, *values)
        found = pipeline.execute()[0]
        loads = self._cache._serializer.loads
        return {key: loads(value) for key, value in zip(keys, found, strict=True) if value is not None}


# Redis list appends a request owes, carried by the next cache read it makes (see
# catalog.cache.read_versioned): on a cached page that read is the request's only round trip.
_PUSHES_ATTRIBUTE = "_redis_pushes_with_next_read"


def push_with_next_read(request, *, name: str, value) -> None:
    request.__dict__.setdefault(_PUSHES_ATTRIBUTE, {}).setdefault(name, []).append(value)


def take_pushes(request) -> dict[str, list]:
    """The appends still owed, handed to whoever sends them now; the request owes none after."""
    return request.__dict__.pop(_PUSHES_ATTRIBUTE, {})
