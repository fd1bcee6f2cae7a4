"""Sign-in and password-reset throttling, counted per account and per client address in the cache.

A fixed window is enough here: it stops password guessing (and a mailbox flooded with reset
e-mails) without locking a real customer out for long, and the message tells them when to try
again. The address is core.client_address: behind the documented proxy REMOTE_ADDR is the
proxy, and counting it would lock every customer out at once.
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


def _count(key: str, *, window: int) -> int:
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1


def sign_in_failed(*, email: str, address: str) -> None:
    window = settings.SIGN_IN_THROTTLE_MINUTES * 60
    for scope, value in (("account", email), ("address", address)):
        _count(_key(scope, value), window=window)


def sign_in_succeeded(*, email: str) -> None:
    cache.delete(_key("account", email))


def password_reset_allowed(*, email: str, address: str) -> bool:
    """Count a request for a password-reset e-mail and say whether it may be sent: at most
    PASSWORD_RESETS_PER_ACCOUNT per e-mail address and PASSWORD_RESETS_PER_ADDRESS per client
    address within the window. Counted whether or not an account has that e-mail, so the answer
    tells nothing about who is a customer."""
    window = settings.PASSWORD_RESET_THROTTLE_MINUTES * 60
    counts = (
        (_count(f"password-resets:account:{email.strip().lower()}", window=window),
         settings.PASSWORD_RESETS_PER_ACCOUNT),
        (_count(f"password-resets:address:{address}", window=window), settings.PASSWORD_RESETS_PER_ADDRESS),
    )
    return all(count <= limit for count, limit in counts)


def request_counted(*, key: str, limit: int, window: int) -> bool:
    """Count one request under `key` and say whether it stays within `limit` per `window`
    seconds: for forms that send an e-mail to an address typed by anyone."""
    return _count(f"throttle:{key}", window=window) <= limit
