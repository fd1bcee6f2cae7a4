"""Signed links carried by campaign messages.

Every link names a message by its random token and is signed with SECRET_KEY under its own salt,
so a link cannot be forged, altered (another message, another link number) or enumerated. A
click link carries only the index of a target stored on the message: the redirect can only go
where the message itself pointed, never to a URL taken from the request.
"""

import functools
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

_CLICK = signing.Signer(salt="marketing.campaign.click")
_OPEN = signing.Signer(salt="marketing.campaign.open")
_UNSUBSCRIBE = signing.Signer(salt="marketing.campaign.unsubscribe")
_CART = signing.Signer(salt="marketing.campaign.cart")


def absolute(path: str) -> str:
    return f"{settings.SHOP_URL}{path}"


_SIGNED = "SIGNED"


@functools.cache
def _route(name: str) -> str:
    # A campaign e-mail carries several signed links and a batch writes hundreds of e-mails:
    # each route is reversed once. Signed values (base64url, ":" and ".") need no quoting.
    return reverse(name, args=[_SIGNED])


def _signed_url(name: str, signed: str) -> str:
    """The address of route `name` for a signed value or a message's random token (both URL-safe)."""
    return absolute(_route(name).replace(_SIGNED, signed, 1))


@functools.lru_cache(maxsize=4096)
def with_utm(url: str, *, campaign_slug: str) -> str:
    """The target with utm tags, so the visit it starts is counted as e-mail traffic."""
    parts = urlsplit(url)
    utm = urlencode({"utm_source": "vitrina", "utm_medium": "email", "utm_campaign": campaign_slug})
    query = f"{parts.query}&{utm}" if parts.query else utm
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def click_url(token: str, index: int) -> str:
    return _signed_url("marketing:click", _CLICK.sign(f"{token}.{index}"))


def click_read(signed: str) -> tuple[str, int] | None:
    try:
        token, _dot, index = _CLICK.unsign(signed).rpartition(".")
        return token, int(index)
    except (signing.BadSignature, ValueError):
        return None


def open_url(token: str) -> str:
    return _signed_url("marketing:open", _OPEN.sign(token))


def open_read(signed: str) -> str | None:
    try:
        return _OPEN.unsign(signed)
    except signing.BadSignature:
        return None


def unsubscribe_url(token: str) -> str:
    return _signed_url("marketing:unsubscribe", _UNSUBSCRIBE.sign(token))


def sms_unsubscribe_url(token: str) -> str:
    """The SMS's short opt-out link: the message's random token alone (96 bits, unique, never
    shown elsewhere) names it, which is as unguessable as a signature and a third as long."""
    return _signed_url("marketing:sms_unsubscribe", token)


def sms_click_url(token: str) -> str:
    """The SMS's short link to the message's main target, named by the token like the opt-out."""
    return _signed_url("marketing:sms_click", token)


# An SMS of more parts costs more and may arrive out of order: a campaign SMS, its links
# included, must fit in this many (the text is checked when saved, with links of real length).
SMS_MAX_SEGMENTS = 3


def sms_with_links(text: str, *, token: str, language: str) -> str:
    """A campaign SMS as it goes out: the text, the short link, the short opt-out link."""
    with translation.override(language):
        leave = gettext("Unsubscribe: %(link)s") % {"link": sms_unsubscribe_url(token)}
    return f"{text} {sms_click_url(token)} {leave}"


def preferences_path(token: str) -> str:
    """The preference page of the person a message went to (linked from its unsubscribe page)."""
    return reverse("marketing:preferences_for_message", args=[_UNSUBSCRIBE.sign(token)])


def unsubscribe_read(signed: str) -> str | None:
    try:
        return _UNSUBSCRIBE.unsign(signed)
    except signing.BadSignature:
        return None


def cart_return_url(cart_id: int) -> str:
    return _signed_url("marketing:cart_return", _CART.sign(str(cart_id)))


def cart_return_read(signed: str) -> int | None:
    try:
        return int(_CART.unsign(signed))
    except (signing.BadSignature, ValueError):
        return None


_REORDER = signing.Signer(salt="marketing.campaign.reorder")


def reorder_url(product_id: int) -> str:
    """One click puts the product back in the cart (replenishment)."""
    return _signed_url("marketing:reorder", _REORDER.sign(str(product_id)))


def reorder_read(signed: str) -> int | None:
    try:
        return int(_REORDER.unsign(signed))
    except (signing.BadSignature, ValueError):
        return None


_BACK_IN_STOCK = "marketing.back_in_stock.confirm"
# A guest has a week to confirm "tell me when it is back"; after that they ask again.
BACK_IN_STOCK_CONFIRM_DAYS = 7


def back_in_stock_confirm_url(request_id: int) -> str:
    return absolute(reverse("marketing:back_in_stock_confirm",
                            args=[signing.dumps(request_id, salt=_BACK_IN_STOCK, compress=True)]))


def back_in_stock_confirm_read(signed: str) -> int | None:
    try:
        return int(signing.loads(signed, salt=_BACK_IN_STOCK, max_age=BACK_IN_STOCK_CONFIRM_DAYS * 86400))
    except (signing.BadSignature, ValueError, TypeError):
        return None
