"""The address of the client that made a request, as every limit counts it."""

from django.conf import settings


def client_address(request) -> str:
    """The shopper's IP address, as the throttles and the sign-in limits count it.

    Behind TRUSTED_PROXIES reverse proxies (nginx, Caddy, a load balancer), REMOTE_ADDR is the
    nearest proxy, and each proxy appends the address it was called from to X-Forwarded-For.
    Only those last TRUSTED_PROXIES entries were written by machines we trust; anything left of
    them is whatever the client claimed. With no trusted proxy the header is ignored, so a
    client cannot pick its own address to dodge a limit (or to lock someone else out)."""
    proxies = settings.TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return request.META.get("REMOTE_ADDR", "")
