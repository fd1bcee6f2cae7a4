"""The client's address comes from X-Forwarded-For only as far as the configured trusted proxies
wrote it; anything a client writes there itself is ignored."""

from django.test import RequestFactory

from core.client_address import client_address


def request_from(remote_addr, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **headers)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = 0

    assert client_address(request_from("203.0.113.7", "1.2.3.4")) == "203.0.113.7"


def test_behind_one_proxy_the_address_it_saw_is_the_clients(settings):
    settings.TRUSTED_PROXIES = 1

    assert client_address(request_from("172.18.0.5", "203.0.113.7")) == "203.0.113.7"


def test_a_client_cannot_claim_an_address_in_front_of_the_proxys_entry(settings):
    settings.TRUSTED_PROXIES = 1

    assert client_address(request_from("172.18.0.5", "1.2.3.4, 203.0.113.7")) == "203.0.113.7"


def test_behind_two_proxies_the_outer_ones_entry_is_the_clients(settings):
    settings.TRUSTED_PROXIES = 2

    assert client_address(request_from("10.0.0.2", "1.2.3.4, 203.0.113.7, 10.0.0.1")) == "203.0.113.7"


def test_a_trusted_proxy_without_the_header_leaves_the_direct_address(settings):
    settings.TRUSTED_PROXIES = 1

    assert client_address(request_from("203.0.113.7")) == "203.0.113.7"
