"""An account's phone and its consents are kept in E.164, the format the outbox writes and the
sender asks by (core.phones.phone_normalize); phones kept as typed before are rewritten by
customers' migration 0010."""

import importlib

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from customers.admin import UserAdmin
from customers.models import Consent, User
from customers.services import consent_record, customer_sign_up
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


def test_sign_up_keeps_the_account_phone_and_its_consents_in_e164(client):
    response = _sign_up(client, "8 (916) 123-45-67", consent_marketing_sms="on")

    assert response.status_code == 302
    user = User.objects.get()
    assert user.phone == "+79161234567"
    assert set(Consent.objects.filter(user=user).values_list("phone", flat=True)) == {"+79161234567"}


def test_the_sign_up_service_keeps_the_phone_in_e164_for_any_caller():
    user = customer_sign_up(email="anna@example.com", password="a-long-enough-pass-42", phone="8 916 123-45-67",
                            marketing_sms=True)

    assert user.phone == "+79161234567"
    assert set(Consent.objects.filter(user=user).values_list("phone", flat=True)) == {"+79161234567"}


def test_sign_up_refuses_a_phone_that_is_no_number(client):
    response = _sign_up(client, "12-34")

    assert response.status_code == 200
    assert "Enter a valid phone number" in response.content.decode()
    assert not User.objects.exists()


def test_sign_up_without_a_phone_keeps_none(client):
    _sign_up(client, "  ")

    assert User.objects.get().phone == ""


def test_the_profile_keeps_the_phone_in_e164(client):
    anna = UserFactory(email="anna@example.com", phone="")
    client.force_login(anna)

    response = client.post(reverse("customers:account"), {"first_name": "Анна", "phone": "8 916 123 45 67"})

    assert response.status_code == 302
    anna.refresh_from_db()
    assert anna.phone == "+79161234567"


def test_the_profile_refuses_a_phone_that_is_no_number(client):
    anna = UserFactory(email="anna@example.com", phone="+79161234567")
    client.force_login(anna)

    response = client.post(reverse("customers:account"), {"first_name": "Анна", "phone": "8 916"})

    assert "Enter a valid phone number" in response.content.decode()
    anna.refresh_from_db()
    assert anna.phone == "+79161234567"


def test_the_shop_admin_keeps_a_customers_phone_in_e164(rf):
    anna = UserFactory(email="anna@example.com", phone="")
    request = rf.get("/")
    request.user = UserFactory(email="boss@example.com", is_staff=True, is_superuser=True)
    form_class = UserAdmin(User, admin.site).get_form(request, anna)
    form = form_class(instance=anna, data={
        "email": anna.email, "phone": "8 (916) 123-45-67", "date_joined_0": "2026-12-01",
        "date_joined_1": "10:00:00", "is_active": "on",
    })

    assert form.is_valid(), form.errors
    assert form.cleaned_data["phone"] == "+79161234567"


def test_the_migration_rewrites_typed_phones_of_old_consents_and_accounts_in_batches():
    anna = UserFactory(email="anna@example.com", phone="8 (916) 123-45-67")
    typed = Consent.objects.create(user=anna, phone="8 916 123-45-67", kind=K.MARKETING_SMS, granted=True,
                                   wording_version="1", source="registration")
    not_a_number = Consent.objects.create(phone=" 12-34", kind=K.MARKETING_SMS, granted=True,
                                          wording_version="1", source="admin")
    already = Consent.objects.create(phone="+79161234568", kind=K.MARKETING_SMS, granted=True,
                                     wording_version="1", source="checkout")
    no_phone = Consent.objects.create(email="boris@example.com", kind=K.MARKETING_EMAIL, granted=True,
                                      wording_version="1", source="checkout")

    assert phones_e164.consent_phones_normalize(apps, None, batch=1) == 2
    assert phones_e164.user_phones_normalize(apps, None, batch=1) == 1

    phones = dict(Consent.objects.values_list("pk", "phone"))
    assert phones == {typed.pk: "+79161234567", not_a_number.pk: "12-34", already.pk: "+79161234568",
                      no_phone.pk: ""}
    anna.refresh_from_db()
    assert anna.phone == "+79161234567"
    assert phones_e164.consent_phones_normalize(apps, None) == 0  # a second run changes nothing
