from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from core.client_address import client_address
from customers import throttle


class ThrottledModelBackend(ModelBackend):
    """E-mail and password sign-in, throttled per account and per address for every entry
    point alike: the storefront, the admin and the API."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        email = username or kwargs.get("email") or ""
        address = client_address(request) if request is not None else ""
        if throttle.sign_in_blocked(email=email, address=address):
            raise PermissionDenied  # stops the chain: no other backend is asked
        user = super().authenticate(request, username=email, password=password, **kwargs)
        if user is None:
            throttle.sign_in_failed(email=email, address=address)
        else:
            throttle.sign_in_succeeded(email=email)
        return user
