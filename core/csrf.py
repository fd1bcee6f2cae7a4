"""Cross-origin protection without a token, for the forms on pages that every shopper shares.

A CSRF token makes a page one visitor's own: the page cache then has to mask a fresh token into
each copy it serves (Django's guard against BREACH) and send the CSRF cookie again, a tenth of
what a cached page costs. The language switcher in every page's header and the product page's
"add to cart" have no need of a token, because browsers say where a POST comes from. The rules
are those of Go's net/http CrossOriginProtection:

- an `Origin` listed in CSRF_TRUSTED_ORIGINS is let through (the shop's own other front-ends);
- `Sec-Fetch-Site` (every browser since 2023) must be `same-origin` or `none` (typed by the user);
- without it, an `Origin` header must be the shop's own origin;
- a request with neither comes from a program or a browser too old to send them, and no other
  site can make a shopper's browser send it.

The session cookie is SameSite=Lax besides, so another site's POST does not carry the cart.
Forms on a shopper's own pages (the cart, checkout, the account) keep Django's token. The API
applies the same rule to every unsafe request that a cookie authenticates, a guest's included
(core.api.SessionCookieAuthentication); a client that sends a token carries no ambient authority.
"""

from functools import wraps

from django.conf import settings
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


def is_cross_origin(request) -> bool:
    if request.method in SAFE_METHODS:
        return False
    origin = request.headers.get("Origin")
    if origin is not None and origin in settings.CSRF_TRUSTED_ORIGINS:
        return False
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site not in ("same-origin", "none")
    if origin is None:
        return False
    return origin != f"{request.scheme}://{request.get_host()}"


def cross_origin_protected(view):
    """The view, refusing requests another site's page made, in place of Django's CSRF token."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if is_cross_origin(request):
            return import_string(settings.CSRF_FAILURE_VIEW)(request, reason="Cross-origin request refused")
        return view(request, *args, **kwargs)

    return wrapper
