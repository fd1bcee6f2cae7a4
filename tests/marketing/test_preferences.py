"""The preference page (channels and kinds) and the one consent rule every send obeys."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from customers.models import Consent
from customers.services import consent_record
from marketing.campaigns.links import preferences_path, unsubscribe_url
from marketing.campaigns.models import Campaign, CampaignEntry, CampaignMessage
from marketing.campaigns.services import campaign_entries_dispatch, campaigns_scan
from marketing.kinds import Channel, MessageKind
from marketing.models import OutboundMessage
from marketing.preferences import marketing_consent_given, marketing_consents_given_by_kind, messages_allowed
from marketing.services import message_send
from tests.factories import UserFactory
from tests.marketing.campaigning import abandoned_cart_campaign, campaign_run, cart_left, consent_given

pytestmark = pytest.mark.django_db

EMAIL = Channel.EMAIL


def _answer(email: str, *, granted: bool, topic: str = "", kind=Consent.Kind.MARKETING_EMAIL) -> None:
    consent_record(kind=kind, granted=granted, wording_version="test", source=Consent.Source.PREFERENCES,
                   email=email, topic=topic)


def _allowed(email: str, kind: str) -> bool:
    return marketing_consent_given(channel=EMAIL, recipient=email, kind=kind)


# --- The rule ------------------------------------------------------------------------------


def test_the_latest_answer_of_an_account_is_the_current_one():
    customer = UserFactory(email="anna@example.com")
    for granted, source in ((True, Consent.Source.REGISTRATION), (False, Consent.Source.UNSUBSCRIBE)):
        consent_record(kind=Consent.Kind.MARKETING_EMAIL, granted=granted, wording_version="1", source=source,
                       user=customer)

    assert not marketing_consent_given(channel=EMAIL, recipient=customer.email, user_id=customer.pk)
    assert Consent.objects.filter(user=customer).count() == 2


def test_a_yes_to_sms_is_not_a_yes_to_e_mail():
    customer = UserFactory(email="anna@example.com", phone="+79161234567")
    consent_record(kind=Consent.Kind.MARKETING_SMS, granted=True, wording_version="1",
                   source=Consent.Source.ACCOUNT, user=customer)

    assert marketing_consent_given(channel=Channel.SMS, recipient=customer.phone, user_id=customer.pk)
    assert not marketing_consent_given(channel=EMAIL, recipient=customer.email, user_id=customer.pk)


def test_no_record_means_no_marketing():
    assert not _allowed("anna@example.com", "")


def test_a_guests_answer_is_found_by_the_e_mail_in_any_case():
    consent_given("anna@example.com")

    assert _allowed("ANNA@Example.com", "")


def test_a_consent_given_with_the_phone_typed_another_way_counts_for_that_number():
    consent_record(kind=Consent.Kind.MARKETING_SMS, granted=True, wording_version="1",
                   source=Consent.Source.CHECKOUT, phone="+79161234567")

    assert marketing_consent_given(channel=Channel.SMS, recipient="8 (916) 123-45-67")
    assert not marketing_consent_given(channel=Channel.SMS, recipient="8 (916) 123-45-68")


def test_an_sms_consent_given_with_the_phone_typed_counts_for_the_outbox_number():
    consent_record(kind=Consent.Kind.MARKETING_SMS, granted=True, wording_version="1",
                   source=Consent.Source.REGISTRATION, phone="8 916 123-45-67")

    assert marketing_consent_given(channel=Channel.SMS, recipient="+79161234567")
    assert marketing_consent_given(channel=Channel.SMS, recipient="8 916 123-45-67")


def _campaign_sms_to(phone: str) -> OutboundMessage:
    return OutboundMessage.objects.create(
        channel=Channel.SMS, kind=MessageKind.BROADCAST, recipient=phone, language="ru", body="Скидки",
        is_marketing=True, idempotency_key=f"test-{phone}", due_at=timezone.now(),
    )


def test_a_customer_who_ticked_sms_news_at_sign_up_with_the_phone_typed_receives_a_campaign_sms(client):
    client.post(reverse("customers:sign_up"), {
        "email": "anna@example.com", "phone": "8 (916) 123-45-67", "password": "a-long-enough-pass-42",
        "consent_personal_data": "on", "consent_marketing_sms": "on",
    })
    to_her, to_someone_else = _campaign_sms_to("+79161234567"), _campaign_sms_to("+79161234568")

    # The outbox writes phones in E.164 and the sender asks by the address alone.
    assert messages_allowed([to_her, to_someone_else]) == {to_her.pk}


def test_a_kind_refused_stays_refused_while_news_by_e_mail_are_allowed():
    consent_given("anna@example.com")
    _answer("anna@example.com", granted=False, topic=MessageKind.BIRTHDAY)

    assert not _allowed("anna@example.com", MessageKind.BIRTHDAY)
    assert _allowed("anna@example.com", MessageKind.BACK_IN_STOCK)


def test_allowing_e_mail_again_does_not_undo_a_refused_kind():
    _answer("anna@example.com", granted=False, topic=MessageKind.BIRTHDAY)
    consent_given("anna@example.com")

    assert not _allowed("anna@example.com", MessageKind.BIRTHDAY)


def test_a_kind_asked_for_comes_without_any_other_marketing():
    _answer("anna@example.com", granted=True, topic=MessageKind.BACK_IN_STOCK)

    assert _allowed("anna@example.com", MessageKind.BACK_IN_STOCK)
    assert not _allowed("anna@example.com", MessageKind.BIRTHDAY)
    assert not _allowed("anna@example.com", "")


def test_unsubscribing_from_everything_stops_a_kind_asked_for_before():
    _answer("anna@example.com", granted=True, topic=MessageKind.BACK_IN_STOCK)
    consent_given("anna@example.com", granted=False)

    assert not _allowed("anna@example.com", MessageKind.BACK_IN_STOCK)


def test_a_batch_of_several_kinds_is_answered_kind_by_kind_in_one_query(django_assert_num_queries):
    consent_given("anna@example.com")
    _answer("anna@example.com", granted=False, topic=MessageKind.BIRTHDAY)
    _answer("boris@example.com", granted=True, topic=MessageKind.BACK_IN_STOCK)
    asking = [((None, email), kind) for email in ("anna@example.com", "boris@example.com")
              for kind in (MessageKind.BIRTHDAY, MessageKind.BACK_IN_STOCK)]

    with django_assert_num_queries(1):
        given = marketing_consents_given_by_kind(channel=EMAIL, asking=asking)

    assert given == {((None, "anna@example.com"), MessageKind.BACK_IN_STOCK),
                     ((None, "boris@example.com"), MessageKind.BACK_IN_STOCK)}
    assert given == {pair for pair in asking if _allowed(pair[0][1], pair[1])}  # the same rule as one by one


def test_the_account_page_still_shows_no_news_after_a_single_kind_was_asked_for(client):
    customer = UserFactory(email="anna@example.com")
    _answer("anna@example.com", granted=True, topic=MessageKind.BACK_IN_STOCK)
    client.force_login(customer)

    page = client.get(reverse("customers:preferences"))

    assert page.context["form"].initial["marketing_email"] is False


def test_a_message_already_in_the_outbox_is_cancelled_when_its_kind_is_refused_meanwhile(
    django_capture_on_commit_callbacks,
):
    abandoned_cart_campaign()
    consent_given("anna@example.com")
    cart_left(email="anna@example.com")
    with django_capture_on_commit_callbacks(execute=False):  # written, not handed to a worker yet
        campaigns_scan()
        campaign_entries_dispatch()
    message = OutboundMessage.objects.get(kind=MessageKind.ABANDONED_CART)
    _answer("anna@example.com", granted=False, topic=MessageKind.ABANDONED_CART)

    message = message_send(message_id=message.pk)

    assert message.status == OutboundMessage.Status.CANCELLED and mail.outbox == []


def test_a_campaign_does_not_write_to_someone_who_refused_its_kind(django_capture_on_commit_callbacks):
    abandoned_cart_campaign()
    consent_given("anna@example.com")
    _answer("anna@example.com", granted=False, topic=MessageKind.ABANDONED_CART)
    cart_left(email="anna@example.com")

    counts = campaign_run(django_capture_on_commit_callbacks)

    assert counts["no_consent"] == 1 and mail.outbox == []
    assert CampaignEntry.objects.get().status == CampaignEntry.Status.STOPPED


# --- The page ------------------------------------------------------------------------------


def _form(**ticked) -> dict:
    """The page's form as a browser posts it: only the ticked boxes are sent."""
    return {name: "on" for name, on in ticked.items() if on}


def _all_kinds_but(*refused) -> dict:
    return {f"kind_{kind}": kind not in refused for kind in Campaign.Kind.values}


def test_a_customer_refuses_birthday_messages_from_the_account_and_keeps_the_rest(client):
    customer = UserFactory(email="anna@example.com")
    consent_given(customer.email)
    client.force_login(customer)

    client.post(reverse("marketing:preferences"), _form(channel_email=True, **_all_kinds_but(MessageKind.BIRTHDAY)))

    [row] = Consent.objects.filter(topic=MessageKind.BIRTHDAY)
    assert (row.granted, row.source, row.wording_version, row.user) == (
        False, Consent.Source.PREFERENCES, "preferences-1", customer)
    assert not marketing_consent_given(channel=EMAIL, recipient=customer.email, user_id=customer.pk,
                                       kind=MessageKind.BIRTHDAY)
    assert marketing_consent_given(channel=EMAIL, recipient=customer.email, user_id=customer.pk,
                                   kind=MessageKind.BACK_IN_STOCK)


def test_saving_the_page_unchanged_writes_nothing(client):
    customer = UserFactory(email="anna@example.com")
    consent_given(customer.email)
    client.force_login(customer)
    before = Consent.objects.count()

    client.post(reverse("marketing:preferences"), _form(channel_email=True, **_all_kinds_but()))

    assert Consent.objects.count() == before


def test_the_account_page_needs_a_sign_in(client):
    page = client.get(reverse("marketing:preferences"))

    assert page.status_code == 302 and reverse("customers:sign_in") in page["Location"]


def _message_to(email: str, django_capture_on_commit_callbacks) -> CampaignMessage:
    abandoned_cart_campaign()
    consent_given(email)
    cart_left(email=email)
    campaign_run(django_capture_on_commit_callbacks)
    return CampaignMessage.objects.get()


def test_the_unsubscribe_page_leads_to_the_preference_page_of_the_reader(client, django_capture_on_commit_callbacks):
    message = _message_to("anna@example.com", django_capture_on_commit_callbacks)

    page = client.get(unsubscribe_url(message.token))

    assert preferences_path(message.token) in page.content.decode()


def test_a_reader_refuses_one_kind_through_the_link_in_the_message(client, django_capture_on_commit_callbacks):
    message = _message_to("anna@example.com", django_capture_on_commit_callbacks)
    url = preferences_path(message.token)

    shown = client.get(url)
    client.post(url, _form(channel_email=True, **_all_kinds_but(MessageKind.PRICE_DROP)))

    assert shown.status_code == 200 and "anna@example.com" in shown.content.decode()
    [row] = Consent.objects.filter(topic=MessageKind.PRICE_DROP)
    assert (row.email, row.granted, row.source) == ("anna@example.com", False, Consent.Source.PREFERENCES)
    assert _allowed("anna@example.com", MessageKind.ABANDONED_CART)
    assert not _allowed("anna@example.com", MessageKind.PRICE_DROP)


def test_opening_the_preference_link_changes_nothing(client, django_capture_on_commit_callbacks):
    message = _message_to("anna@example.com", django_capture_on_commit_callbacks)
    before = Consent.objects.count()

    client.get(preferences_path(message.token))

    assert Consent.objects.count() == before


def test_a_forged_preference_link_is_not_found(client, django_capture_on_commit_callbacks):
    message = _message_to("anna@example.com", django_capture_on_commit_callbacks)

    page = client.get(preferences_path(message.token)[:-3] + "xx/")

    assert page.status_code == 404
