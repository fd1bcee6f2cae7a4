"""Django's Redis cache, keeping one client per connection pool and skipping memcached's key checks.

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
