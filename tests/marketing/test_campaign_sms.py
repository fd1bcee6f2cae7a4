"""Campaign SMS: every kind's text fits the length rule with its links, carries the short
opt-out link, and obeys SMS consent, the kind's refusal and quiet hours."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from customers.models import Consent
from customers.services import consent_record
from marketing.campaigns.links import SMS_MAX_SEGMENTS
from marketing.campaigns.models import Campaign, CampaignEntry, CampaignMessage, CampaignStep, CampaignText
from marketing.campaigns.services import Outgoing, message_render
from marketing.campaigns.triggers import Content
from marketing.kinds import Channel, placeholders_for, sample_context
from marketing.models import OutboundMessage
from marketing.templating import sms_segments
from orders.models import Cart
from tests.marketing.campaigning import abandoned_cart_campaign, campaign_on, campaign_run, cart_left, consent_given

pytestmark = pytest.mark.django_db

PHONE = "+79161234567"


def _sms_step(campaign: Campaign) -> CampaignStep:
    CampaignStep.objects.filter(campaign=campaign).update(channel=CampaignStep.Channel.SMS)
    return campaign.steps.get(position=1)


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("kind", Campaign.Kind.values)
def test_every_kinds_shipped_sms_fits_the_length_rule_with_its_short_links(kind, language):
    campaign = campaign_on(kind)
    step = _sms_step(campaign)
    entry = CampaignEntry(campaign=campaign, cause="test", person=PHONE, phone=PHONE, triggered_at=timezone.now(),
                          due_at=timezone.now())
    values = {name: value for name, value in sample_context().items() if name in placeholders_for(kind)}
    content = Content(values=values, link="http://localhost:8000/catalog/")

    _item, message, campaign_message, _promo = message_render(
        Outgoing(entry, campaign, step, Channel.SMS, PHONE), content, language=language, now=timezone.now(),
        zone=ZoneInfo("Europe/Moscow"),
    )

    assert message.channel == Channel.SMS and message.recipient == PHONE
    assert sms_segments(message.body) <= SMS_MAX_SEGMENTS, message.body
    assert f"/m/s/{campaign_message.token}/" in message.body
    assert f"/m/l/{campaign_message.token}/" in message.body
    assert "{{" not in message.body and "{%" not in message.body


def test_an_sms_text_too_long_with_its_links_is_refused_when_saved():
    campaign = campaign_on(Campaign.Kind.WELCOME)
    text = CampaignText(campaign=campaign, step=1, language="ru", subject="Привет", body="Привет",
                        sms_body="Очень длинное сообщение про скидки. " * 5)

    with pytest.raises(ValidationError) as refused:
        text.full_clean()

    assert "sms_body" in refused.value.message_dict


def _sms_cart(*, consent: bool = True):
    cart = cart_left(email="anna@example.com")
    Cart.objects.filter(pk=cart.pk).update(phone=PHONE)
    if consent:
        consent_record(
            kind=Consent.Kind.MARKETING_SMS, granted=True, wording_version="test", source=Consent.Source.CHECKOUT,
            phone=PHONE)
    return cart


def test_a_shopper_who_agreed_to_sms_gets_the_reminder_by_sms(scripted_sms, django_capture_on_commit_callbacks):
    _sms_step(abandoned_cart_campaign())
    _sms_cart()

    campaign_run(django_capture_on_commit_callbacks)

    [body] = scripted_sms.delivered
    token = CampaignMessage.objects.get().token
    assert f"/m/s/{token}/" in body and OutboundMessage.objects.get().status == OutboundMessage.Status.SENT


def test_an_e_mail_consent_is_not_an_sms_consent(scripted_sms, django_capture_on_commit_callbacks):
    _sms_step(abandoned_cart_campaign())
    _sms_cart(consent=False)
    consent_given("anna@example.com")

    counts = campaign_run(django_capture_on_commit_callbacks)

    assert counts["no_consent"] == 1 and scripted_sms.delivered == []


def test_refusing_a_kind_by_sms_stops_that_kind_by_sms(scripted_sms, django_capture_on_commit_callbacks):
    campaign = abandoned_cart_campaign()
    _sms_step(campaign)
    _sms_cart()
    consent_record(kind=Consent.Kind.MARKETING_SMS, granted=False, wording_version="test",
                   source=Consent.Source.PREFERENCES, phone=PHONE, topic=campaign.kind)

    campaign_run(django_capture_on_commit_callbacks)

    assert scripted_sms.delivered == []


def test_a_campaign_sms_due_at_night_waits_for_the_morning(scripted_sms, settings, django_capture_on_commit_callbacks):
    now = timezone.localtime(timezone.now(), ZoneInfo("Europe/Moscow"))
    settings.SMS_QUIET_HOURS_START = (now - datetime.timedelta(hours=1)).strftime("%H:00")
    settings.SMS_QUIET_HOURS_END = (now + datetime.timedelta(hours=2)).strftime("%H:00")
    _sms_step(abandoned_cart_campaign())
    _sms_cart()

    campaign_run(django_capture_on_commit_callbacks)

    message = OutboundMessage.objects.get()
    assert scripted_sms.delivered == []
    assert message.status == OutboundMessage.Status.PENDING and message.due_at > timezone.now()
    assert timezone.localtime(message.due_at, ZoneInfo("Europe/Moscow")).strftime("%H:%M") == \
        settings.SMS_QUIET_HOURS_END


def test_the_short_link_leads_to_the_cart_and_is_counted(client, scripted_sms, django_capture_on_commit_callbacks):
    _sms_step(abandoned_cart_campaign())
    _sms_cart()
    campaign_run(django_capture_on_commit_callbacks)
    token = CampaignMessage.objects.get().token

    answer = client.get(f"/m/l/{token}/")

    assert answer.status_code == 302 and "/m/cart/" in answer["Location"]
    assert CampaignMessage.objects.get().events.filter(kind="click").count() == 1


def test_the_short_opt_out_link_unsubscribes_on_post_only(client, scripted_sms, django_capture_on_commit_callbacks):
    _sms_step(abandoned_cart_campaign())
    _sms_cart()
    campaign_run(django_capture_on_commit_callbacks)
    token = CampaignMessage.objects.get().token

    shown = client.get(f"/m/s/{token}/")
    unchanged = Consent.objects.filter(granted=False).exists()
    client.post(f"/m/s/{token}/")

    assert shown.status_code == 200 and not unchanged
    [refusal] = Consent.objects.filter(granted=False)
    assert (refusal.kind, refusal.phone, refusal.source) == (
        Consent.Kind.MARKETING_SMS, PHONE, Consent.Source.UNSUBSCRIBE)


def test_an_unknown_or_e_mail_token_has_no_short_links(client, django_capture_on_commit_callbacks):
    abandoned_cart_campaign()
    consent_given("anna@example.com")
    cart_left(email="anna@example.com")
    campaign_run(django_capture_on_commit_callbacks)
    token = CampaignMessage.objects.get().token

    assert client.get(f"/m/s/{token}/").status_code == 404
    assert client.get(f"/m/l/{token}/").status_code == 404
    assert client.get("/m/s/AAAAAAAAAAAAAAAA/").status_code == 404
