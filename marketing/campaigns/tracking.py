"""What readers do with campaign messages: opens, clicks, unsubscribes, and the orders that
follow. Machine traffic is recorded but told apart (`event_machine_reason`)."""

import datetime
import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from customers.activity import is_bot
from customers.models import Consent
from customers.services import consent_record
from marketing.campaigns.models import Campaign, CampaignConversion, CampaignEntry, CampaignEvent, CampaignMessage
from marketing.kinds import Channel
from marketing.models import OutboundMessage
from marketing.preferences import CONSENT_FOR_CHANNEL
from orders.models import Order

# Mail services fetch pictures through their own proxies (every picture, often at delivery).
IMAGE_PROXIES = re.compile(r"GoogleImageProxy|YahooMailProxy|ggpht\.com|Mail\.Ru.*Proxy|YandexImageProxy", re.I)
# Link scanners (corporate mail gateways) follow every link within seconds of delivery; a person
# rarely reads that fast, and never clicks two different links in one second.
MACHINE_SECONDS_AFTER_SENT = 10
MACHINE_SECONDS_BETWEEN_LINKS = 1
# The wording a customer saw when they unsubscribed: the one-click link or the preference page.
UNSUBSCRIBE_WORDING_VERSION = "unsubscribe-1"


def event_machine_reason(
    *, kind: str, method: str, user_agent: str, sent_at: datetime.datetime | None, now: datetime.datetime,
    other_clicks: list[tuple[int, datetime.datetime]] = (), link: int | None = None,
) -> str:
    """Why this open or click looks like a machine, or "" for a person."""
    if method == "HEAD":
        return "HEAD request"
    if IMAGE_PROXIES.search(user_agent):
        return "image proxy"
    if is_bot(user_agent):
        return "robot user agent"
    if sent_at is not None and now - sent_at < datetime.timedelta(seconds=MACHINE_SECONDS_AFTER_SENT):
        return "within seconds of delivery"
    if kind == CampaignEvent.Kind.CLICK:
        window = datetime.timedelta(seconds=MACHINE_SECONDS_BETWEEN_LINKS)
        if any(other != link and abs(now - moment) <= window for other, moment in other_clicks):
            return "several links in one second"
    return ""


def _message(token: str) -> CampaignMessage | None:
    return CampaignMessage.objects.select_related("message").filter(token=token).first()


def campaign_click_record(*, token: str, link: int, method: str, user_agent: str) -> str | None:
    """Record a click and return where the link leads, or None for an unknown message or link."""
    message = _message(token)
    if message is None or not 0 <= link < len(message.links):
        return None
    now = timezone.now()
    others = list(
        message.events.filter(kind=CampaignEvent.Kind.CLICK, created_at__gte=now - datetime.timedelta(seconds=5))
        .values_list("link", "created_at")
    )
    reason = event_machine_reason(
        kind=CampaignEvent.Kind.CLICK, method=method, user_agent=user_agent, sent_at=message.message.sent_at,
        now=now, other_clicks=others, link=link,
    )
    with transaction.atomic():
        if reason == "several links in one second":
            # The earlier clicks of this burst were the same scanner.
            message.events.filter(
                kind=CampaignEvent.Kind.CLICK, is_human=True,
                created_at__gte=now - datetime.timedelta(seconds=MACHINE_SECONDS_BETWEEN_LINKS),
            ).update(is_human=False, machine_reason=reason)
        CampaignEvent.objects.create(
            message=message, kind=CampaignEvent.Kind.CLICK, link=link, is_human=not reason,
            machine_reason=reason, user_agent=user_agent[:300], created_at=now,
        )
    return message.links[link]


def campaign_open_record(*, token: str, method: str, user_agent: str) -> None:
    message = _message(token)
    if message is None:
        return
    now = timezone.now()
    reason = event_machine_reason(
        kind=CampaignEvent.Kind.OPEN, method=method, user_agent=user_agent, sent_at=message.message.sent_at, now=now
    )
    CampaignEvent.objects.create(
        message=message, kind=CampaignEvent.Kind.OPEN, is_human=not reason, machine_reason=reason,
        user_agent=user_agent[:300], created_at=now,
    )


def campaign_message_for_token(*, token: str) -> CampaignMessage | None:
    return _message(token)


@transaction.atomic
def campaign_unsubscribe(*, token: str) -> CampaignMessage | None:
    """Withdraw the reader's marketing consent for the channel the message came by, at once:
    a Consent row (source: the unsubscribe link), and every campaign step still waiting for
    them through that channel will find no consent. Unsubscribing twice writes one row."""
    message = _message(token)
    if message is None:
        return None
    outbound = message.message
    kind = CONSENT_FOR_CHANNEL[outbound.channel]
    address = {"email": outbound.recipient} if outbound.channel == Channel.EMAIL else {"phone": outbound.recipient}
    latest = (
        Consent.objects.filter(kind=kind, topic="")
        .filter(Q(**address) | Q(user_id=message.user_id) if message.user_id else Q(**address))
        .order_by("-created_at", "-id").values_list("granted", flat=True).first()
    )
    if latest is not False:
        consent_record(
            kind=kind, granted=False, wording_version=UNSUBSCRIBE_WORDING_VERSION,
            source=Consent.Source.UNSUBSCRIBE, user=message.user, **address,
        )
        CampaignEvent.objects.create(message=message, kind=CampaignEvent.Kind.UNSUBSCRIBE)
    return message


def campaign_order_attribute(*, order: Order) -> CampaignConversion | None:
    """Credit a just-placed order to the last campaign message the person clicked within
    CAMPAIGN_CLICK_WINDOW_DAYS, or else to the last one sent to them within
    CAMPAIGN_VIEW_WINDOW_DAYS. Runs inside the order's transaction; one row per order."""
    people = [key for key in (f"user:{order.user_id}" if order.user_id else "", (order.email or "").lower()) if key]
    if not people:
        return None
    now = timezone.now()
    click = (
        CampaignEvent.objects.filter(
            kind=CampaignEvent.Kind.CLICK, is_human=True, message__person__in=people,
            created_at__gte=now - datetime.timedelta(days=settings.CAMPAIGN_CLICK_WINDOW_DAYS),
        ).order_by("-created_at", "-id").select_related("message").first()
    )
    if click is not None:
        message, basis = click.message, CampaignConversion.Basis.CLICK
    else:
        message = (
            CampaignMessage.objects.filter(
                person__in=people, message__status=OutboundMessage.Status.SENT,
                message__sent_at__gte=now - datetime.timedelta(days=settings.CAMPAIGN_VIEW_WINDOW_DAYS),
            ).order_by("-message__sent_at", "-id").first()
        )
        basis = CampaignConversion.Basis.VIEW
    if message is None:
        return None
    try:
        with transaction.atomic():
            return CampaignConversion.objects.create(
                order=order, message=message, campaign_id=message.campaign_id, basis=basis,
                revenue=order.items_total - order.discount_total, created_at=now,
            )
    except IntegrityError:
        return CampaignConversion.objects.filter(order=order).first()


def campaign_entries_stop_for_order(*, order: Order) -> int:
    """The customer ordered: the abandoned-cart sequence of that cart stops now, rather than at
    its next step's check."""
    if order.cart_id is None:
        return 0
    return CampaignEntry.objects.filter(
        campaign__kind=Campaign.Kind.ABANDONED_CART, subject_id=order.cart_id, status=CampaignEntry.Status.WAITING,
    ).update(status=CampaignEntry.Status.STOPPED, note=gettext("The customer ordered."))
