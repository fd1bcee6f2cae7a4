"""The anonymous storefront page cache.

Every cached page is stored with the catalog version it was rendered from; any change to the
catalog bumps the version after commit, so all pages are stale at once without hunting for
keys. The version and the page are read in one round trip.
The same versioning keeps shared catalog data that every shopper sees alike (rendered product
cards, filter panels, search matches): `versioned` and `versioned_get_many` below.
Signed-in shoppers, shoppers with a cart and flash messages bypass the cache. The storefront's
own pages carry no CSRF token (core/csrf.py); a cached page that does is stored with a
placeholder where the token goes, filled in per visitor when served.
"""

import hashlib
import time
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property, wraps
from typing import TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

T = TypeVar("T")

VERSION_KEY = "storefront:catalog-version"
CSRF_PLACEHOLDER = "__vitrina_csrf_token__"
# Tracking parameters say where a visitor came from, not what the page shows.
IGNORED_PARAMS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term",
                  "yclid", "gclid", "msclkid", "fbclid")


def catalog_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        # A fresh cache starts a new namespace, never one an older process may have filled.
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def invalidate_storefront_cache() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def read_versioned(keys: Iterable[str]) -> tuple[int, dict]:
    """The current catalog version and the entries of `keys` stored under it, in one round trip."""
    keys = [VERSION_KEY, *keys]
    found = cache.get_many(keys)
    version = found.pop(VERSION_KEY, None) or catalog_version()
    return version, {key: entry[1] for key, entry in found.items() if entry[0] == version}


def store_versioned(values: dict, *, version: int, timeout: int) -> None:
    """Store `values` as read from catalog `version`: a later version makes them stale at once.
    A value built after a change committed but stored under the version before it is never
    read, since the version is bumped only after the commit."""
    if values and timeout:
        cache.set_many({key: (version, value) for key, value in values.items()}, timeout)


def versioned_get_many(keys: Iterable[str]) -> tuple[int, dict]:
    """read_versioned for the catalog cache, which CATALOG_CACHE_SECONDS = 0 switches off."""
    return read_versioned(keys) if settings.CATALOG_CACHE_SECONDS else (0, {})


def versioned_set_many(values: dict, *, version: int) -> None:
    store_versioned(values, version=version, timeout=settings.CATALOG_CACHE_SECONDS)


def versioned(key: str, build: Callable[[], T]) -> T:
    """The value kept under `key` for the current catalog version, built and kept if missing.
    `build` raising (a 404) keeps nothing."""
    version, found = versioned_get_many([key])
    if key not in found:
        found[key] = build()
        versioned_set_many({key: found[key]}, version=version)
    return found[key]


# A listing's or a search's best matches kept per catalog version: 50 pages of 24 cards.
KEPT_MATCHES = 1200


class KeptMatches(Sequence):
    """The product ids of a listing or a search in display order, for the paginator. The count
    and the first KEPT_MATCHES ids are kept under `key` until the catalog changes, so paging
    through a popular listing sorts its products once; pages past those read the database."""

    def __init__(self, key: str, ids: Callable[[], QuerySet]):
        self._ids = ids  # the values_list("pk", flat=True) queryset, made only when needed
        self.count, self.kept = versioned(key, self._first_matches)

    @cached_property
    def ids(self) -> QuerySet:
        return self._ids()

    def _first_matches(self) -> tuple[int, list[int]]:
        kept = list(self.ids[:KEPT_MATCHES])
        return (len(kept) if len(kept) < KEPT_MATCHES else self.ids.count()), kept

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index):
        past_kept = isinstance(index, slice) and (index.stop is None or index.stop > len(self.kept))
        if past_kept and len(self.kept) < self.count:
            return list(self.ids[index])
        return self.kept[index]


def is_cacheable(request) -> bool:
    return (
        settings.PAGE_CACHE_ENABLED
        and request.method in ("GET", "HEAD")
        and not any(name in request.COOKIES for name in settings.PAGE_CACHE_BYPASS_COOKIES)
        and not request.user.is_authenticated
    )


def page_key(request) -> str:
    params = sorted((k, v) for k, values in request.GET.lists() if k not in IGNORED_PARAMS for v in values)
    # Scheme and host are part of the page (the canonical link), so they are part of the key.
    address = f"{request.scheme}://{request.get_host()}{request.path}?{urlencode(params)}"
    digest = hashlib.blake2b(address.encode(), digest_size=16).hexdigest()
    return f"storefront:page:v4:{get_language()}:{digest}"


def csrf_placeholder(request) -> dict:
    """Context processor: a page rendered for the cache carries a placeholder token."""
    return {"csrf_token": CSRF_PLACEHOLDER} if getattr(request, "renders_for_page_cache", False) else {}


# Facts a view attaches to its response that its caller needs on every serve, cached or not
# (the product page says which product was viewed, without a query).
CACHED_RESPONSE_ATTRIBUTES = ("product_id",)


def _serve(request, content: bytes, content_type: str, facts: dict) -> HttpResponse:
    if CSRF_PLACEHOLDER.encode() in content:
        content = content.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())
    response = HttpResponse(content, content_type=content_type)
    for name, value in facts.items():
        setattr(response, name, value)
    return response


def storefront_page_cache(view):
    """Serve an anonymous shopper's page from the cache, rendering it once per catalog version."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_cacheable(request):
            return view(request, *args, **kwargs)
        key = page_key(request)
        version, found = read_versioned([key])
        entry = found.get(key)
        if entry is None:
            request.renders_for_page_cache = True
            try:
                response = view(request, *args, **kwargs)
                if hasattr(response, "render"):
                    response.render()
            except Http404:
                request.renders_for_page_cache = False
                raise
            request.renders_for_page_cache = False
            if response.status_code != 200 or response.streaming:
                return response
            facts = {name: getattr(response, name) for name in CACHED_RESPONSE_ATTRIBUTES if hasattr(response, name)}
            entry = (response.content, response["Content-Type"], facts)
            store_versioned({key: entry}, version=version, timeout=settings.PAGE_CACHE_SECONDS)
        return _serve(request, *entry)

    return wrapper
