"""Where a visitor came from and what kind of device they use, derived from one request.

Pure functions over strings: no database, so the classification is easy to test and to
change. Rules follow the usual web-analytics channel grouping, with Russian sources added.
"""

import functools
import re
from urllib.parse import parse_qs, urlsplit

from customers.models import Visit

Channel = Visit.Channel
Device = Visit.Device

# A name ending in a dot is a brand across zones ("google." is google.ru, google.com.tr);
# any other name is a domain and matches itself and its subdomains. Android apps send
# "android-app://<package>" as the referrer, so the apps that matter are listed by package.
SEARCH_ENGINES = ("yandex.", "ya.ru", "google.", "bing.com", "go.mail.ru", "search.yahoo.",
                  "duckduckgo.com", "rambler.ru", "baidu.com")
SOCIAL_SITES = ("vk.com", "vk.ru", "ok.ru", "t.me", "telegram.", "facebook.com", "instagram.com",
                "youtube.com", "twitter.com", "x.com", "dzen.ru", "pinterest.", "tiktok.com",
                "linkedin.com", "reddit.com", "com.vkontakte.android", "org.telegram.messenger")
SOCIAL_SOURCES = ("vk", "vkontakte", "ok", "odnoklassniki", "telegram", "tg", "facebook", "fb",
                  "instagram", "ig", "youtube", "twitter", "dzen", "tiktok", "pinterest")
# Checked before search engines: mail.yandex.ru is Yandex, but the visitor came from a letter.
WEBMAIL_SITES = ("mail.yandex.", "e.mail.ru", "mail.rambler.ru", "mail.google.com", "outlook.live.com",
                 "outlook.office.com", "mail.yahoo.com", "com.google.android.gm", "ru.mail.mailapp",
                 "ru.yandex.mail")
PAID_MEDIA = {"cpc", "ppc", "paid", "paidsearch", "paid_search", "paid-search"}
SOCIAL_MEDIA = {"social", "social-network", "social_network", "sm", "smm", "social-media"}
EMAIL_MEDIA = {"email", "e-mail", "e_mail", "newsletter", "mailing"}
PAID_CLICK_IDS = ("yclid", "gclid", "msclkid")

# Crawlers name themselves (Googlebot, YandexBot, bingbot) or link to a "bots" page; link
# previews and scripts name their library. Browsers never say any of this, but "Cubot" is
# an Android phone maker. Yandex's own apps say "YaBrowser" or "YandexSearch" and are
# people, so "Yandex" alone is not a sign of a robot; Yandex's robots all say "bot" or
# "(compatible; Yandex...".
BOT_PATTERN = re.compile(
    r"(?<!cu)bot|crawl|spider|slurp|scrape|headless|lighthouse|preview|fetch|monitor|curl|wget|"
    r"python-|httpx|aiohttp|go-http-client|java/|okhttp|libwww|facebookexternalhit|mediapartners|"
    r"vkshare|whatsapp/|compatible; yandex",
    re.IGNORECASE,
)
# Android phones say "Mobile" (Chrome, Firefox, Yandex) and Android tablets do not, wherever
# in the string it comes: in-app browsers (Instagram) add "Android" after "Mobile Safari".
TABLET_PATTERN = re.compile(r"ipad|tablet(?! pc)|kindle|silk/|playbook", re.IGNORECASE)
MOBILE_PATTERN = re.compile(r"mobi|iphone|ipod|blackberry|opera mini|iemobile", re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def is_bot(user_agent: str) -> bool:
    """Crawlers, link previews and scripts are not shoppers. No user agent at all is a script.
    Asked on every request; a shop sees a few hundred distinct user agents a day, and the pattern
    costs 30 µs a search, so answers are kept."""
    return not user_agent.strip() or bool(BOT_PATTERN.search(user_agent))


def device_from_user_agent(user_agent: str) -> str:
    if TABLET_PATTERN.search(user_agent):
        return Device.TABLET
    if MOBILE_PATTERN.search(user_agent):
        return Device.MOBILE
    if "android" in user_agent.lower():
        return Device.TABLET
    return Device.DESKTOP


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _matches(host: str, names: tuple[str, ...]) -> bool:
    labels = host.split(".")
    for name in names:
        if name.endswith("."):
            brand = name[:-1].split(".")
            # The brand needs a zone after it: google.ru, www.google.com.tr, not an own "google".
            if any(labels[i:i + len(brand)] == brand for i in range(len(labels) - len(brand))):
                return True
        elif host == name or host.endswith(f".{name}"):
            return True
    return False


def _same_site(host: str, own_host: str) -> bool:
    own = own_host.lower().removeprefix("www.")
    return bool(own) and host.removeprefix("www.") == own


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
    if not host or _same_site(host, own_host):
        return Channel.DIRECT
    if _matches(host, WEBMAIL_SITES):
        return Channel.EMAIL
    if _matches(host, SEARCH_ENGINES):
        return Channel.ORGANIC_SEARCH
    if _matches(host, SOCIAL_SITES):
        return Channel.SOCIAL
    return Channel.REFERRAL
