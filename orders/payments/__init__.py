"""Online payments: a provider interface, the providers, and the services that keep our
Payment rows and the order's payment status. The provider is chosen by settings.PAYMENT_PROVIDER
among settings.PAYMENT_PROVIDERS (name -> class path)."""

from django.conf import settings
from django.utils.module_loading import import_string

from orders.payments.base import BadNotification, PaymentNotice, PaymentProvider

DEFAULT_PROVIDERS = {"test": "orders.payments.test.TestPaymentProvider"}


class UnknownProvider(LookupError):
    pass


def provider_get(name: str | None = None) -> PaymentProvider:
    """The provider called `name`, or the shop's configured provider."""
    providers = getattr(settings, "PAYMENT_PROVIDERS", None) or DEFAULT_PROVIDERS
    name = name or getattr(settings, "PAYMENT_PROVIDER", "test")
    if name not in providers:
        raise UnknownProvider(name)
    return import_string(providers[name])()


__all__ = ["BadNotification", "PaymentNotice", "PaymentProvider", "UnknownProvider", "provider_get"]
