"""Sign-in throttling: failed attempts are counted per account and per address in the cache.

A fixed window is enough here: it stops password guessing without locking a real customer
out for long, and the message tells them when to try again.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class SignInLimit:
    scope: str
    limit: int


def _limits() -> tuple[SignInLimit, SignInLimit]:
    return (
        SignInLimit("account", settings.SIGN_IN_ATTEMPTS_PER_ACCOUNT),
        SignInLimit("address", settings.SIGN_IN_ATTEMPTS_PER_ADDRESS),
    )


def _key(scope: str, value: str) -> str:
    return f"sign-in-failures:{scope}:{value.strip().lower()}"


def sign_in_blocked(*, email: str, address: str) -> bool:
    values = {"account": email, "address": address}
    return any((cache.get(_key(limit.scope, values[limit.scope])) or 0) >= limit.limit for limit in _limits())


def sign_in_failed(*, email: str, address: str) -> None:
    window = settings.SIGN_IN_THROTTLE_MINUTES * 60
    for scope, value in (("account", email), ("address", address)):
        key = _key(scope, value)
        cache.add(key, 0, timeout=window)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)


def sign_in_succeeded(*, email: str) -> None:
    cache.delete(_key("account", email))
