"""A campaign step's message for one entry: rendered as it goes out, previewed, sent as a test."""

import datetime
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.transactions import after_commit
from customers.models import User
from marketing.abtests.services import Assignment, ab_assignment
from marketing.campaigns.layout import email_layout_render, link_marker
from marketing.campaigns.links import click_url, open_url, sms_with_links, unsubscribe_url, with_utm
from marketing.campaigns.models import Campaign, CampaignEntry, CampaignMessage, CampaignStep, CampaignText
from marketing.campaigns.triggers import TRIGGERS, Content, person_of
from marketing.kinds import Channel, placeholders_for
from marketing.models import OutboundMessage
from marketing.schedule import customer_time_zone
from marketing.services import RecipientInvalid, message_send_schedule, recipient_normalize
from marketing.templating import TemplateTextError, plain_context, template_render
from orders.models import PromoCode

BUTTON = {
    Campaign.Kind.ABANDONED_CART: _("Return to your cart"),
    Campaign.Kind.REVIEW_REQUEST: _("Write a review"),
}
DEFAULT_BUTTON = _("Go to the shop")


@dataclass
class Outgoing:
    """A message about to be written: whose entry, which campaign's step, by which channel, to
    which address. Trigger campaigns and broadcasts both write theirs through the cap and
    `outgoing_write`."""

    entry: CampaignEntry
    campaign: Campaign
    step: CampaignStep
    channel: str
    recipient: str


def entry_address(entry: CampaignEntry, channel: str) -> str:
    return entry.email if channel == Channel.EMAIL else entry.phone


def _text_for(campaign: Campaign, step: int, language: str) -> CampaignText:
    texts = {text.language: text for text in campaign.texts.all() if text.step == step}
    text = texts.get(language) or texts.get(settings.LANGUAGE_CODE[:2]) or next(iter(texts.values()), None)
    if text is None:
        raise TemplateTextError(f"campaign {campaign.pk} has no text for step {step}")
    return text


def _promo_code(campaign: Campaign, *, now) -> PromoCode:
    """A code for this message alone: one use, expiring after the campaign's days."""
    return PromoCode(
        code=f"VT-{secrets.token_hex(4).upper()}", kind=PromoCode.Kind.PERCENT, value=campaign.promo_percent,
        valid_from=now, valid_until=now + datetime.timedelta(days=campaign.promo_valid_days),
        usage_limit=1, usage_limit_per_customer=1,
    )


def message_render(item: Outgoing, content: Content, *, language: str, now, zone: ZoneInfo):
    campaign, entry, step = item.campaign, item.entry, item.step
    text = _text_for(campaign, step.position, language)
    # An A/B test varies the first message of a sequence; blank fields of a variant keep the text.
    assignment = ab_assignment(campaign=campaign, person=entry.person, now=now) if step.position == 1 else Assignment()
    variant = assignment.variant
    subject_text = (variant and variant.subject) or text.subject
    body_text = (variant and variant.body) or text.body
    sms_text = (variant and variant.sms_body) or text.sms_body or body_text
    token = secrets.token_urlsafe(12)
    slug = f"{campaign.kind}-{campaign.pk}"
    targets = [with_utm(content.link, campaign_slug=slug)] + [
        with_utm(product.url, campaign_slug=slug) for product in content.products
    ]
    promo = _promo_code(campaign, now=now) if campaign.promo_percent else None
    email = item.channel == Channel.EMAIL
    values = {
        "shop_name": settings.STORE_NAME,
        "customer_name": "",
        # An e-mail's links are put in after its layout is rendered (marketing.campaigns.layout).
        "link": link_marker("link0") if email else click_url(token, 0),
        "promo_code": promo.code if promo else "",
        "promo_valid_until": timezone.localdate(promo.valid_until, zone) if promo else "",
        **content.values,
    }
    plain = plain_context(values, allowed=placeholders_for(campaign.kind), language=text.language, time_zone=zone.key)
    recipient = recipient_normalize(channel=item.channel, recipient=item.recipient)
    leave = unsubscribe_url(token)
    if not email:
        subject, html = "", ""
        body = sms_with_links(template_render(sms_text, plain), token=token, language=text.language)
    else:
        subject = template_render(subject_text, plain)
        paragraphs = [part.strip() for part in template_render(body_text, plain).split("\n\n") if part.strip()]
        products = [
            {"name": product.name, "price": product.price, "quantity": product.quantity,
             "image_url": product.image_url, "link": link_marker(f"link{index}")}
            for index, product in enumerate(content.products, start=1)
        ]
        with translation.override(text.language):
            button = str((variant and variant.button) or BUTTON.get(campaign.kind, DEFAULT_BUTTON))
        context = {
            "subject": subject, "paragraphs": paragraphs, "products": products, "link": plain["link"],
            "button": button,
            "unsubscribe_url": link_marker("unsubscribe"), "pixel_url": link_marker("pixel"),
            "shop_name": settings.STORE_NAME, "language": text.language,
        }
        links = {f"link{index}": click_url(token, index) for index in range(len(targets))}
        links.update(unsubscribe=leave, pixel=open_url(token))
        html, body = email_layout_render(context, language=text.language, links=links)
    message = OutboundMessage(
        kind=campaign.kind, channel=item.channel, recipient=recipient, language=text.language,
        customer_timezone=zone.key, subject=subject, body=body, html_body=html, is_marketing=True,
        sender_name=(variant and variant.sender_name) or "",
        unsubscribe_url=leave if item.channel == Channel.EMAIL else "",
        idempotency_key=f"campaign:{campaign.pk}:{entry.cause}:{step.position}",
        reference=f"campaign:{campaign.pk}", due_at=now,
    )
    campaign_message = CampaignMessage(
        entry=entry, campaign=campaign, step=step.position, language=text.language, channel=item.channel,
        person=entry.person, user_id=entry.user_id, token=token, links=targets,
        promo_code=promo.code if promo else "", variant=variant, in_test=assignment.in_test, created_at=now,
    )
    return item, message, campaign_message, promo


# --- Preview and test ---------------------------------------------------------------------


class PreviewUnavailable(ValueError):
    """Nothing to show for this customer (no cart for an abandoned-cart campaign...)."""


def campaign_preview(*, campaign: Campaign, customer: User, step: int = 1) -> OutboundMessage:
    """The message `step` would be for `customer` now, rendered as it would go out and not
    saved: links and the promo code in it lead nowhere."""
    trigger = TRIGGERS[campaign.kind]
    now = timezone.now()
    subject_id = trigger.preview_subject(customer)
    entry = CampaignEntry(
        pk=0, campaign=campaign, cause="preview", user=customer, email=customer.email, phone=customer.phone,
        person=person_of(user_id=customer.pk, email=customer.email), subject_id=subject_id, triggered_at=now,
        due_at=now,
    )
    content = trigger.contents([entry], language=settings.LANGUAGE_CODE[:2]).get(0) if subject_id else None
    if content is None:
        raise PreviewUnavailable(gettext("Nothing to show for this customer now (for example, no cart)."))
    step_row = next((s for s in campaign.steps.all() if s.position == step), None)
    if step_row is None:
        raise PreviewUnavailable(gettext("The campaign has no such step."))
    channel = Channel.SMS if step_row.channel == CampaignStep.Channel.SMS else Channel.EMAIL
    item = Outgoing(entry, campaign, step_row, channel, entry_address(entry, channel))
    try:
        _item, message, _campaign_message, _promo = message_render(
            item, content, language=settings.LANGUAGE_CODE[:2], now=now, zone=customer_time_zone(user=customer)
        )
    except (TemplateTextError, RecipientInvalid, TypeError) as error:
        raise PreviewUnavailable(str(error)) from None
    return message


def campaign_test_send(*, campaign: Campaign, customer: User, step: int, to: User) -> OutboundMessage:
    """Send the preview of `step` for `customer` to the marketer `to`, through the outbox, not
    as marketing (their own consent and caps do not apply to a test)."""
    message = campaign_preview(campaign=campaign, customer=customer, step=step)
    message.recipient = to.email
    message.channel = Channel.EMAIL
    message.is_marketing = False
    message.subject = f"[TEST] {message.subject}"
    message.idempotency_key = f"campaign-test:{campaign.pk}:{secrets.token_hex(8)}"
    message.save()
    message_id = message.pk
    after_commit(lambda: message_send_schedule(message_id=message_id))
    return message
