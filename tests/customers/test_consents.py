import pytest
from django.core.exceptions import ValidationError

from customers.models import Consent
from customers.privacy import marketing_consent_current
from customers.services import consent_record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

K = Consent.Kind


def test_consent_is_kept_with_wording_version_source_and_time():
    consent = consent_record(kind=K.PERSONAL_DATA, granted=True, wording_version="2026-11", source="checkout",
                             email="Anna@Example.com", phone="+79161234567")

    consent.refresh_from_db()
    assert (consent.email, consent.wording_version, consent.source) == ("anna@example.com", "2026-11", "checkout")
    assert consent.created_at is not None


def test_consent_without_a_person_is_refused():
    with pytest.raises(ValidationError, match="must name the person"):
        consent_record(kind=K.MARKETING_EMAIL, granted=True, wording_version="1", source="checkout")


def test_consent_without_a_wording_version_is_refused():
    with pytest.raises(ValidationError, match="version of the wording"):
        consent_record(kind=K.MARKETING_EMAIL, granted=True, wording_version="", source="checkout",
                       email="anna@example.com")


def test_the_account_reads_an_sms_answer_by_the_customers_phone_as_the_sender_does():
    user = UserFactory(email="anna@example.com", phone="+79161234567")
    consent_record(kind=K.MARKETING_SMS, granted=True, wording_version="1", source="checkout",
                   email="someone.else@example.com", phone="+79161234567")
    consent_record(kind=K.MARKETING_EMAIL, granted=True, wording_version="1", source="checkout",
                   email="other@example.com", phone="+79161234567")

    assert marketing_consent_current(user=user, kind=K.MARKETING_SMS)
    assert not marketing_consent_current(user=user, kind=K.MARKETING_EMAIL)  # the phone is not an e-mail address
