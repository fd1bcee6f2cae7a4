"""Where a visitor came from and what kind of device they use, derived from one request.

Pure functions over strings: no database, so the classification is easy to test and to
change. Rules follow the usual web-analytics channel grouping, with Russian sources added.
"""

import re
from urllib.parse import parse_qs, urlsplit

from customers.models import Visit

Channel = Visit.Channel
Device = Visit.Device

SEARCH_ENGINES = ("yandex.", "ya.ru", "google.", "bing.com", "go.mail.ru", "search.yahoo.",
                  "duckduckgo.com", "rambler.ru", "nova.rambler.ru", "baidu.com")
SOCIAL_SITES = ("vk.com", "vk.ru", "ok.ru", "t.me", "telegram.", "facebook.com", "instagram.com",
                "youtube.com", "twitter.com", "x.com", "dzen.ru", "pinterest.", "tiktok.com",
                "linkedin.com", "reddit.com")
SOCIAL_SOURCES = ("vk", "vkontakte", "ok", "odnoklassniki", "telegram", "tg", "facebook", "fb",
                  "instagram", "ig", "youtube", "twitter", "dzen", "tiktok", "pinterest")
WEBMAIL_SITES = ("mail.yandex.", "e.mail.ru", "mail.google.com", "outlook.live.com")
PAID_MEDIA = {"cpc", "ppc", "paid", "paidsearch", "paid_search", "paid-search"}
SOCIAL_MEDIA = {"social", "social-network", "social_network", "sm", "smm", "social-media"}
EMAIL_MEDIA = {"email", "e-mail", "e_mail", "newsletter", "mailing"}
PAID_CLICK_IDS = ("yclid", "gclid", "msclkid")

BOT_PATTERN = re.compile(
    r"bot|crawl|spider|slurp|scrape|headless|lighthouse|preview|fetch|monitor|curl|wget|"
    r"python-requests|httpx|aiohttp|go-http-client|java/|okhttp|facebookexternalhit",
    re.IGNORECASE,
)
TABLET_PATTERN = re.compile(r"ipad|tablet|(android(?!.*mobile))|kindle|silk", re.IGNORECASE)
MOBILE_PATTERN = re.compile(r"mobile|iphone|ipod|android|blackberry|opera mini|iemobile", re.IGNORECASE)


def is_bot(user_agent: str) -> bool:
    """Crawlers, link previews and scripts are not shoppers. No user agent at all is a script."""
    return not user_agent or bool(BOT_PATTERN.search(user_agent))


def device_from_user_agent(user_agent: str) -> str:
    if TABLET_PATTERN.search(user_agent):
        return Device.TABLET
    if MOBILE_PATTERN.search(user_agent):
        return Device.MOBILE
    return Device.DESKTOP


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _matches(host: str, names: tuple[str, ...]) -> bool:
    return any(f".{name}" in f".{host}" for name in names)


def classify_channel(*, utm_source: str, utm_medium: str, referrer: str,
                     landing_url: str = "", own_host: str = "") -> str:
    """The marketing channel of a visit: UTM tags win, then click ids, then the referrer."""
    source, medium = utm_source.strip().lower(), utm_medium.strip().lower()
    if medium in PAID_MEDIA:
        return Channel.PAID_SEARCH
    if medium in EMAIL_MEDIA or source in EMAIL_MEDIA:
        return Channel.EMAIL
    if medium in SOCIAL_MEDIA or source in SOCIAL_SOURCES:
        return Channel.SOCIAL
    if medium == "organic":
        return Channel.ORGANIC_SEARCH
    if medium == "referral":
        return Channel.REFERRAL
    if source or medium:
        return Channel.OTHER

    query = parse_qs(urlsplit(landing_url).query) if landing_url else {}
    if any(click_id in query for click_id in PAID_CLICK_IDS):
        return Channel.PAID_SEARCH

    host = _host(referrer)
    if not host or (own_host and host == own_host.lower()):
        return Channel.DIRECT
    if _matches(host, WEBMAIL_SITES):
        return Channel.EMAIL
    if _matches(host, SEARCH_ENGINES):
        return Channel.ORGANIC_SEARCH
    if _matches(host, SOCIAL_SITES):
        return Channel.SOCIAL
    return Channel.REFERRAL
