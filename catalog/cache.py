"""The storefront's caches: the anonymous page cache, and below it the catalog cache of what
every shopper sees alike (rendered product cards, filter panels, listing and search matches,
product, category and home page data), which signed-in shoppers and shoppers with a cart get too.

Whatever is kept is stamped with the versions of the scopes it shows, read in the same round
trip as the entry, and is served only while they are unchanged; renewing a scope after commit
makes everything stamped with it stale at once, without hunting for keys. The scopes:

    catalog              everything: any catalog edit, import or deploy renews it
    product:<id>         the product's card
    product-page:<slug>  the product's page and data, and the pages that show it as related
    listing:<slug>       a category's listing pages, matches and counts ("" for the whole catalog)
    stock                pages that may show any product's card (home, search)
    popularity           "popular first" orders, renewed on a schedule, not per order

An order changes stock and sales counts, which no page shows: only a product going in or out of
stock renews the scopes that show it (catalog.services.products_refresh_availability).
Signed-in shoppers, shoppers with a cart and flash messages bypass the page cache. The
storefront's own pages carry no CSRF token (core/csrf.py); a cached page that does is stored with
a placeholder where the token goes, filled in per visitor when served. A Redis that cannot be
reached is a miss (config/settings/caches.py): the page is rendered and nothing is kept.
"""

import hashlib
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, wraps
from typing import TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

T = TypeVar("T")

CATALOG = "catalog"
STOCK = "stock"
POPULARITY = "popularity"
CSRF_PLACEHOLDER = "__vitrina_csrf_token__"
# Tracking parameters say where a visitor came from, not what the page shows.
IGNORED_PARAMS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term",
                  "yclid", "gclid", "msclkid", "fbclid")


def product_scope(product_id: int) -> str:
    return f"product:{product_id}"


def product_page_scope(slug: str) -> str:
    return f"product-page:{slug}"


def listing_scope(category_slug: str | None) -> str:
    return f"listing:{category_slug or ''}"


def _version_key(scope: str) -> str:
    return f"storefront:version:{scope}"


def catalog_version() -> int | None:
    version = cache.get(_version_key(CATALOG))
    if version is None:
        # A fresh cache starts a new namespace, never one an older process may have filled.
        cache.add(_version_key(CATALOG), time.time_ns(), timeout=None)
        version = cache.get(_version_key(CATALOG))
    return version


def scopes_renew(scopes: Iterable[str]) -> None:
    """Make everything kept under `scopes` stale. Called after commit: a value built from the
    data before the change and stored meanwhile carries the old version and is never served."""
    now = time.time_ns()
    cache.set_many({_version_key(scope): now for scope in set(scopes)}, timeout=None)


def invalidate_storefront_cache() -> None:
    """Any catalog edit: every kept page and piece is stale."""
    scopes_renew([CATALOG])


@dataclass
class Kept:
    """Entries read from the cache and the scope versions read with them: a value built now is
    kept under those versions, so a scope renewed meanwhile makes it stale at once."""

    values: dict
    scopes: Mapping[str, Sequence[str]] = field(default_factory=dict)
    versions: dict = field(default_factory=dict)
    seconds: int = 0

    def stamp(self, key: str) -> tuple:
        return tuple(self.versions.get(scope) for scope in (CATALOG, *self.scopes[key]))

    def keep(self, values: dict) -> None:
        if values and self.seconds and self.versions.get(CATALOG) is not None:
            cache.set_many({key: (self.stamp(key), value) for key, value in values.items()}, self.seconds)


def kept_read(scopes: Mapping[str, Sequence[str]], *, seconds: int) -> Kept:
    """The entries of `scopes` ({key: the scopes it shows besides the catalog}) still current,
    in one round trip with their scopes' versions; `seconds` = 0 reads and keeps nothing."""
    if not seconds:
        return Kept(values={})
    version_keys = {scope: _version_key(scope) for scope in {CATALOG}.union(*scopes.values())}
    found = cache.get_many([*version_keys.values(), *scopes])
    versions = {scope: found.get(key) for scope, key in version_keys.items()}
    if versions[CATALOG] is None:
        versions[CATALOG] = catalog_version()
    kept = Kept(values={}, scopes=scopes, versions=versions, seconds=seconds)
    kept.values = {key: found[key][1] for key in scopes if key in found and found[key][0] == kept.stamp(key)}
    return kept


def kept(key: str, build: Callable[[], T], *, scopes: Sequence[str] = ()) -> T:
    """Catalog data under `key`, built and kept if missing or stale (CATALOG_CACHE_SECONDS).
    `build` raising (a 404) keeps nothing."""
    entries = kept_read({key: scopes}, seconds=settings.CATALOG_CACHE_SECONDS)
    if key not in entries.values:
        entries.values[key] = build()
        entries.keep({key: entries.values[key]})
    return entries.values[key]


# A listing's or a search's best matches kept: 50 pages of 24 cards.
KEPT_MATCHES = 1200


class KeptMatches(Sequence):
    """The product ids of a listing or a search in display order, for the paginator. The count
    and the first KEPT_MATCHES ids are kept under `key` until the catalog, `scopes` or the
    popularity order change, so paging through a popular listing sorts its products once; pages
    past those read the database."""

    def __init__(self, key: str, ids: Callable[[], QuerySet], *, scopes: Sequence[str] = ()):
        self._ids = ids  # the values_list("pk", flat=True) queryset, made only when needed
        self.count, self.kept = kept(key, self._first_matches, scopes=(POPULARITY, *scopes))

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


def _serve(request, content: bytes, content_type: str, facts: dict, *, hit: bool) -> HttpResponse:
    if CSRF_PLACEHOLDER.encode() in content:
        content = content.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())
    response = HttpResponse(content, content_type=content_type)
    response["X-Cache"] = "hit" if hit else "miss"  # what the operator and the long-tail bench count
    for name, value in facts.items():
        setattr(response, name, value)
    return response


def storefront_page_cache(*, scopes: Callable[..., Sequence[str]]):
    """Serve an anonymous shopper's page from the cache, rendering it once while the catalog and
    the page's `scopes` (called with the view's URL arguments) are unchanged."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not is_cacheable(request):
                return view(request, *args, **kwargs)
            key = page_key(request)
            entries = kept_read({key: scopes(*args, **kwargs)}, seconds=settings.PAGE_CACHE_SECONDS)
            entry = entries.values.get(key)
            if entry is None:
                response = _render_for_cache(view, request, *args, **kwargs)
                if response.status_code != 200 or response.streaming:
                    return response
                facts = {name: getattr(response, name) for name in CACHED_RESPONSE_ATTRIBUTES
                         if hasattr(response, name)}
                entries.keep({key: (response.content, response["Content-Type"], facts)})
                return _serve(request, response.content, response["Content-Type"], facts, hit=False)
            return _serve(request, *entry, hit=True)

        return wrapper

    return decorator


def _render_for_cache(view, request, *args, **kwargs) -> HttpResponse:
    request.renders_for_page_cache = True
    try:
        response = view(request, *args, **kwargs)
        if hasattr(response, "render"):
            response.render()
        return response
    finally:
        request.renders_for_page_cache = False
