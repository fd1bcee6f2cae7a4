"""Consents keep the phone in E.164, the format the outbox writes and the sender asks by
(core.phones.phone_normalize); phones kept as typed before are rewritten by customers' migration 0010."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from customers.models import Consent
from customers.services import consent_record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

K = Consent.Kind
phones_e164 = importlib.import_module("customers.migrations.0010_phones_e164")


def _sign_up(client, phone: str, **ticked):
    return client.post(reverse("customers:sign_up"), {
        "email": "anna@example.com", "phone": phone, "password": "a-long-enough-pass-42",
        "consent_personal_data": "on", **ticked,
    })


def test_a_consent_keeps_the_phone_in_e164_whatever_way_it_was_typed():
    consent = consent_record(kind=K.MARKETING_SMS, granted=True, wording_version="1", source="registration",
                             phone=" 8 (916) 123-45-67 ")

    consent.refresh_from_db()
    assert consent.phone == "+79161234567"


def test_a_consent_with_a_phone_that_is_no_number_keeps_it_as_typed():
    consent = consent_record(kind=K.MARKETING_SMS, granted=True, wording_version="1", source="admin",
                             phone=" 12-34 ")

    consent.refresh_from_db()
    assert consent.phone == "12-34"


def test_the_migration_rewrites_typed_phones_of_old_consents_in_batches():
    anna = UserFactory(email="anna@example.com")
    typed = Consent.objects.create(user=anna, phone="8 916 123-45-67", kind=K.MARKETING_SMS, granted=True,
                                   wording_version="1", source="registration")
    not_a_number = Consent.objects.create(phone=" 12-34", kind=K.MARKETING_SMS, granted=True,
                                          wording_version="1", source="admin")
    already = Consent.objects.create(phone="+79161234568", kind=K.MARKETING_SMS, granted=True,
                                     wording_version="1", source="checkout")
    no_phone = Consent.objects.create(email="boris@example.com", kind=K.MARKETING_EMAIL, granted=True,
                                      wording_version="1", source="checkout")

    assert phones_e164.consent_phones_normalize(apps, None, batch=1) == 2

    phones = dict(Consent.objects.values_list("pk", "phone"))
    assert phones == {typed.pk: "+79161234567", not_a_number.pk: "12-34", already.pk: "+79161234568",
                      no_phone.pk: ""}
    assert phones_e164.consent_phones_normalize(apps, None) == 0  # a second run changes nothing
