"""Where a visit came from, and who is browsing: pure functions, read as tables."""

import pytest

from customers.activity import classify_channel, device_from_user_agent, is_bot
from customers.models import Visit

Channel = Visit.Channel
Device = Visit.Device
OWN_HOST = "vitrina.example"

CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
FIREFOX_LINUX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0"
SAFARI_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Safari/605.1.15"
)
YABROWSER_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 YaBrowser/24.6.0.0 Safari/537.36"
)
YANDEX_APP_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 YaBrowser/24.6.3.500.10 YandexSearch/24.6 Mobile/15E148 Safari/604.1"
)
ANDROID_PHONE = (
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)
CUBOT_PHONE = (
    "Mozilla/5.0 (Linux; Android 11; CUBOT_X50) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Mobile Safari/537.36"
)
INSTAGRAM_ANDROID_PHONE = (
    "Mozilla/5.0 (Linux; Android 13; SM-G991B Build/TP1A.220624.014; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/126.0.0.0 Mobile Safari/537.36 Instagram 334.0.0.42.95 "
    "Android (33/13; 420dpi; 1080x2176; samsung; SM-G991B; o1s; exynos2100; ru_RU; 606558400)"
)
FIREFOX_ANDROID_PHONE = "Mozilla/5.0 (Android 14; Mobile; rv:127.0) Gecko/127.0 Firefox/127.0"
ANDROID_TABLET = (
    "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
FIREFOX_ANDROID_TABLET = "Mozilla/5.0 (Android 14; Tablet; rv:127.0) Gecko/127.0 Firefox/127.0"
IPAD = (
    "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)


def channel(*, source="", medium="", referrer="", landing="/"):
    return classify_channel(
        utm_source=source, utm_medium=medium, referrer=referrer, landing_url=landing, own_host=OWN_HOST
    )


@pytest.mark.parametrize(("source", "medium", "expected"), [
    ("yandex", "cpc", Channel.PAID_SEARCH),
    ("google", "CPC", Channel.PAID_SEARCH),
    ("sendsay", "email", Channel.EMAIL),
    ("newsletter", "", Channel.EMAIL),
    ("shop", "newsletter", Channel.EMAIL),
    ("vk", "", Channel.SOCIAL),
    ("telegram", "post", Channel.SOCIAL),
    ("partner", "social", Channel.SOCIAL),
    ("yandex", "organic", Channel.ORGANIC_SEARCH),
    ("blog.example", "referral", Channel.REFERRAL),
    ("billboard", "qr", Channel.OTHER),
    ("", "display", Channel.OTHER),
])
def test_utm_tags_decide_the_channel(source, medium, expected):
    assert channel(source=source, medium=medium, referrer="https://www.google.com/") == expected


@pytest.mark.parametrize("landing", ["/catalog/?yclid=7345129", "/product/kettle/?gclid=Cj0KCQ", "/?msclkid=a1b2"])
def test_an_ad_click_id_on_the_landing_page_is_paid_search(landing):
    assert channel(referrer="https://yandex.ru/", landing=landing) == Channel.PAID_SEARCH


def test_an_empty_click_id_is_not_an_ad_click():
    assert channel(referrer="https://yandex.ru/", landing="/?yclid=") == Channel.ORGANIC_SEARCH


@pytest.mark.parametrize(("referrer", "expected"), [
    ("https://yandex.ru/search/?text=чайник", Channel.ORGANIC_SEARCH),
    ("https://ya.ru/", Channel.ORGANIC_SEARCH),
    ("https://www.google.com/", Channel.ORGANIC_SEARCH),
    ("https://www.google.com.tr/", Channel.ORGANIC_SEARCH),
    ("https://go.mail.ru/search?q=x", Channel.ORGANIC_SEARCH),
    ("android-app://com.google.android.googlequicksearchbox/", Channel.ORGANIC_SEARCH),
    ("https://mail.yandex.ru/", Channel.EMAIL),
    ("https://e.mail.ru/inbox/", Channel.EMAIL),
    ("https://mail.google.com/", Channel.EMAIL),
    ("android-app://com.google.android.gm/", Channel.EMAIL),
    ("https://vk.com/wall-1_2", Channel.SOCIAL),
    ("https://m.vk.com/", Channel.SOCIAL),
    ("https://t.me/vitrina_shop/12", Channel.SOCIAL),
    ("https://dzen.ru/a/xyz", Channel.SOCIAL),
    ("https://otzovik.com/reviews/", Channel.REFERRAL),
    ("https://market.example/offer/1", Channel.REFERRAL),
    (f"https://{OWN_HOST}/catalog/", Channel.DIRECT),
    (f"https://www.{OWN_HOST}/catalog/", Channel.DIRECT),
    ("", Channel.DIRECT),
    ("not a url", Channel.DIRECT),
])
def test_without_tags_the_referrer_decides_the_channel(referrer, expected):
    assert channel(referrer=referrer) == expected


@pytest.mark.parametrize("referrer", [
    "https://news.t.media.example/",  # ".t.me" inside a longer name
    "https://vk.company.example/",
    "https://ok.rubric.example/",
    "https://ya.rusprodukt.example/",
    "https://mygoogle.example/",
])
def test_a_site_whose_name_merely_contains_a_known_name_is_a_referral(referrer):
    assert channel(referrer=referrer) == Channel.REFERRAL


@pytest.mark.parametrize("user_agent", [
    CHROME_WINDOWS, FIREFOX_LINUX, SAFARI_MAC, YABROWSER_WINDOWS, YANDEX_APP_IPHONE,
    ANDROID_PHONE, CUBOT_PHONE, INSTAGRAM_ANDROID_PHONE, IPAD,
])
def test_browsers_are_not_bots(user_agent):
    assert not is_bot(user_agent)


@pytest.mark.parametrize("user_agent", [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
    "Mozilla/5.0 (compatible; YandexMetrika/2.0; +http://yandex.com/bots yabs01)",
    "Mozilla/5.0 (compatible; YandexImages/3.0)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mediapartners-Google",
    "TelegramBot (like TwitterBot)",
    "Mozilla/5.0 (compatible; vkShare; +http://vk.com/dev/Share)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "WhatsApp/2.24.12.78 A",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36",
    "curl/8.5.0",
    "python-requests/2.32.3",
    "Python-urllib/3.12",
    "",
    "   ",
])
def test_robots_scripts_and_link_previews_are_bots(user_agent):
    assert is_bot(user_agent)


@pytest.mark.parametrize(("user_agent", "expected"), [
    (CHROME_WINDOWS, Device.DESKTOP),
    (SAFARI_MAC, Device.DESKTOP),
    (YABROWSER_WINDOWS, Device.DESKTOP),
    (IPHONE, Device.MOBILE),
    (YANDEX_APP_IPHONE, Device.MOBILE),
    (ANDROID_PHONE, Device.MOBILE),
    (FIREFOX_ANDROID_PHONE, Device.MOBILE),
    (INSTAGRAM_ANDROID_PHONE, Device.MOBILE),
    (IPAD, Device.TABLET),
    (ANDROID_TABLET, Device.TABLET),
    (FIREFOX_ANDROID_TABLET, Device.TABLET),
])
def test_device_type_tells_phones_tablets_and_computers_apart(user_agent, expected):
    assert device_from_user_agent(user_agent) == expected
