"""The segment's reachable part and the send-time consent check answer by one rule."""

import pytest

from customers.models import Consent
from customers.services import consent_record
from marketing.kinds import Channel
from marketing.preferences import marketing_consent_given, marketing_consents_given
from marketing.segments.selectors import segment_reachable
from marketing.segments.services import segment_save
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

KIND = {Channel.EMAIL: Consent.Kind.MARKETING_EMAIL, Channel.SMS: Consent.Kind.MARKETING_SMS}

# Each history is the consent records of one customer, oldest first: (by what, granted).
HISTORIES = [
    (),
    (("user", True),),
    (("user", False),),
    (("address", True),),
    (("user", True), ("address", False)),
    (("address", False), ("user", True)),
    (("user", False), ("address", True)),
    (("address", True), ("address", False), ("user", True)),
    (("other", True),),
    (("user", True), ("other-channel", False)),
]


def _record(customer, channel, by, granted):
    if by == "other-channel":
        other = Channel.SMS if channel == Channel.EMAIL else Channel.EMAIL
        return consent_record(kind=KIND[other], granted=granted, wording_version="t", source="admin", user=customer)
    fields = {"user": customer} if by == "user" else {}
    if by == "address":
        fields = {"email": customer.email.upper()} if channel == Channel.EMAIL else {"phone": customer.phone}
    if by == "other":
        fields = {"email": "someone.else@example.com"} if channel == Channel.EMAIL else {"phone": "+79990000000"}
    return consent_record(kind=KIND[channel], granted=granted, wording_version="t", source="admin", **fields)


@pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.SMS])
def test_reachable_part_of_a_segment_agrees_with_the_consent_check_for_every_history(channel):
    customers = []
    for number, history in enumerate(HISTORIES):
        customer = UserFactory(phone=f"+7916555{number:04d}")
        for by, granted in history:
            _record(customer, channel, by, granted)
        customers.append(customer)
    segment = segment_save(name="Everyone", conditions={"match": "all", "conditions": []})

    reachable = set(segment_reachable(segment=segment, channel=channel).values_list("pk", flat=True))

    address = {c.pk: c.email if channel == Channel.EMAIL else c.phone for c in customers}
    one_by_one = {c.pk for c in customers if marketing_consent_given(channel=channel, recipient=address[c.pk],
                                                                     user_id=c.pk)}
    batch = {user_id for user_id, _ in marketing_consents_given(
        channel=channel, people=[(c.pk, address[c.pk]) for c in customers])}
    assert reachable == one_by_one == batch
    expected = [i for i, history in enumerate(HISTORIES) if history and [
        granted for by, granted in history if by in ("user", "address")][-1:] == [True]]
    assert reachable == {customers[i].pk for i in expected}


def test_a_customer_without_a_phone_is_not_reachable_by_sms_even_with_consent():
    customer = UserFactory(phone="")
    consent_record(kind=Consent.Kind.MARKETING_SMS, granted=True, wording_version="t", source="admin", user=customer)
    segment = segment_save(name="Everyone", conditions={"match": "all", "conditions": []})

    assert not segment_reachable(segment=segment, channel=Channel.SMS).exists()
    assert list(segment_reachable(segment=segment, channel=Channel.EMAIL)) == []


def test_an_empty_phone_on_an_e_mail_consent_does_not_make_every_phoneless_customer_reachable():
    UserFactory.create_batch(2, phone="")
    consent_record(kind=Consent.Kind.MARKETING_SMS, granted=True, wording_version="t", source="admin",
                   email="guest@example.com")
    segment = segment_save(name="Everyone", conditions={"match": "all", "conditions": []})

    assert segment_reachable(segment=segment, channel=Channel.SMS).count() == 0

