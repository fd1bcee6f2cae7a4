"""The API answers 429 to a client calling faster than the configured rates: per address for
guests, per account for signed-in customers."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(settings):
    def set_rates(**rates):
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                                   "DEFAULT_THROTTLE_RATES": {"anon": "1000/min", "user": "1000/min", **rates}}
    return set_rates


def calls(client, count, **headers) -> list[int]:
    return [client.get("/api/v1/delivery-methods/", **headers).status_code for _ in range(count)]


def test_a_guest_past_the_anonymous_rate_gets_429_with_retry_after(rates):
    rates(anon="3/min")
    guest = APIClient(REMOTE_ADDR="203.0.113.7")

    assert calls(guest, 4) == [200, 200, 200, 429]
    assert int(guest.get("/api/v1/delivery-methods/")["Retry-After"]) > 0


def test_another_guest_is_not_slowed_by_the_first(rates):
    rates(anon="2/min")
    calls(APIClient(REMOTE_ADDR="203.0.113.7"), 3)

    assert calls(APIClient(REMOTE_ADDR="198.51.100.9"), 1) == [200]


def test_a_signed_in_customer_has_their_own_rate(rates):
    rates(anon="1/min", user="3/min")
    client = APIClient(REMOTE_ADDR="203.0.113.7")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=UserFactory()).key}")

    assert calls(client, 4) == [200, 200, 200, 429]


def test_behind_the_trusted_proxy_guests_are_told_apart_by_the_forwarded_address(rates, settings):
    settings.TRUSTED_PROXIES = 1
    rates(anon="1/min")
    proxy = "172.18.0.5"

    first = calls(APIClient(REMOTE_ADDR=proxy), 2, HTTP_X_FORWARDED_FOR="203.0.113.7")
    second = calls(APIClient(REMOTE_ADDR=proxy), 1, HTTP_X_FORWARDED_FOR="198.51.100.9")

    assert (first, second) == ([200, 429], [200])
