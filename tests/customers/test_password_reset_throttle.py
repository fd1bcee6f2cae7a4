"""Asking for a new password sends a limited number of e-mails, per account and per address."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def ask_for_a_reset(client, email, address="10.0.0.1", **headers):
    return client.post(reverse("customers:password_reset"), {"email": email}, REMOTE_ADDR=address, **headers)


def test_ten_reset_requests_for_one_account_send_only_the_allowed_number_of_emails(client, settings):
    settings.PASSWORD_RESETS_PER_ACCOUNT = 3
    UserFactory(email="anna@example.com")

    answers = [ask_for_a_reset(client, "anna@example.com", address=f"10.0.0.{n}").status_code for n in range(10)]

    assert len(mail.outbox) == 3
    assert answers == [302] * 3 + [429] * 7


def test_the_refused_request_says_when_to_try_again(client, settings):
    settings.PASSWORD_RESETS_PER_ACCOUNT = 1
    UserFactory(email="anna@example.com")
    ask_for_a_reset(client, "anna@example.com")

    response = ask_for_a_reset(client, "anna@example.com")

    assert "Too many requests for a new password" in response.content.decode()


def test_one_address_asking_for_many_accounts_is_throttled(client, settings):
    settings.PASSWORD_RESETS_PER_ADDRESS = 2
    for n in range(4):
        UserFactory(email=f"customer{n}@example.com")

    for n in range(4):
        ask_for_a_reset(client, f"customer{n}@example.com", address="10.9.9.9")

    assert len(mail.outbox) == 2


def test_addresses_that_are_no_account_count_too_so_the_limit_tells_nothing(client, settings):
    settings.PASSWORD_RESETS_PER_ACCOUNT = 1
    ask_for_a_reset(client, "nobody@example.com")

    assert ask_for_a_reset(client, "nobody@example.com").status_code == 429


def test_behind_the_trusted_proxy_each_customer_has_their_own_limit(client, settings):
    settings.TRUSTED_PROXIES = 1
    settings.PASSWORD_RESETS_PER_ADDRESS = 1
    UserFactory(email="anna@example.com")
    UserFactory(email="boris@example.com")

    ask_for_a_reset(client, "anna@example.com", address="172.18.0.5", HTTP_X_FORWARDED_FOR="203.0.113.7")
    ask_for_a_reset(client, "boris@example.com", address="172.18.0.5", HTTP_X_FORWARDED_FOR="198.51.100.9")

    assert len(mail.outbox) == 2
