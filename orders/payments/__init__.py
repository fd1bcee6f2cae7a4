"""Online payments: a provider interface, the providers, and the services that keep our
Payment rows and the order's payment status. The provider is chosen by settings.PAYMENT_PROVIDER
among settings.PAYMENT_PROVIDERS (name -> class path)."""

from django.conf import settings
from django.utils.module_loading import import_string

from orders.payments.base import (
    BadNotification,
    PaymentNotice,
    PaymentProvider,
    ProviderRefused,
    ProviderUnavailable,
)

DEFAULT_PROVIDERS = {
    "test": "orders.payments.test.TestPaymentProvider",
    "yookassa": "orders.payments.yookassa.YooKassaProvider",
}


class UnknownProvider(LookupError):
    pass


def provider_get(name: str | None = None) -> PaymentProvider:
    """The provider called `name`, or the shop's configured provider."""
    providers = getattr(settings, "PAYMENT_PROVIDERS", None) or DEFAULT_PROVIDERS
    name = name or settings.PAYMENT_PROVIDER
    if name not in providers:
        raise UnknownProvider(name)
    return import_string(providers[name])()


def online_payment_available() -> bool:
    """Card payment online is offered only when the shop has named a provider and given it
    what it needs (YooKassa's keys)."""
    if not settings.PAYMENT_PROVIDER:
        return False
    try:
        return provider_get().is_configured()
    except UnknownProvider:
        return False


__all__ = [
    "BadNotification", "PaymentNotice", "PaymentProvider", "ProviderRefused", "ProviderUnavailable", "UnknownProvider",
    "online_payment_available", "provider_get",
]
