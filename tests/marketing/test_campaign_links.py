import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from customers.models import Consent
from marketing.campaigns import links
from marketing.campaigns.models import CampaignConversion, CampaignEvent, CampaignMessage
from marketing.models import OutboundMessage
from tests.marketing.campaigning import abandoned_cart_campaign, campaign_run, cart_left, consent_given
from tests.marketing.ordering import order_placed

pytestmark = pytest.mark.django_db

PERSON_BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """One abandoned-cart e-mail sent to anna@example.com a minute ago."""
    abandoned_cart_campaign()
    consent_given("anna@example.com")
    cart_left()
    campaign_run(django_capture_on_commit_callbacks)
    OutboundMessage.objects.update(sent_at=timezone.now() - datetime.timedelta(minutes=1))
    [email] = mail.outbox
    return email


def _path(url: str) -> str:
    return url.replace("http://localhost:8000", "")


def _click_links(email) -> list[str]:
    return re.findall(r"http://localhost:8000/m/c/\S+/", email.body)


def test_marketing_email_carries_one_click_unsubscribe_headers(sent):
    message = sent.message()
    assert message["List-Unsubscribe"] == f"<{OutboundMessage.objects.get().unsubscribe_url}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_one_click_post_unsubscribes_without_cookies_or_csrf_token(sent):
    url = OutboundMessage.objects.get().unsubscribe_url
    client = Client(enforce_csrf_checks=True)

    response = client.post(_path(url), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert not response.cookies
    consent = Consent.objects.filter(kind=Consent.Kind.MARKETING_EMAIL).latest("created_at")
    assert (consent.granted, consent.source, consent.email) == (False, Consent.Source.UNSUBSCRIBE, "anna@example.com")


def test_opening_the_unsubscribe_link_only_shows_a_button(sent, client):
    url = OutboundMessage.objects.get().unsubscribe_url

    response = client.get(_path(url))

    assert response.status_code == 200
    assert b'<form method="post">' in response.content
    assert not Consent.objects.filter(granted=False).exists()


def test_a_forged_unsubscribe_link_is_not_found(sent, client):
    url = OutboundMessage.objects.get().unsubscribe_url
    assert client.post(_path(url)[:-3] + "xx/").status_code == 404


def test_click_goes_to_the_stored_target_and_is_counted_once_per_person(sent, client):
    [product_link, button] = _click_links(sent)

    response = client.get(_path(button), HTTP_USER_AGENT=PERSON_BROWSER)

    assert response.status_code == 302
    assert response["Location"].startswith("http://localhost:8000/m/cart/")
    assert "utm_medium=email" in response["Location"]
    event = CampaignEvent.objects.get()
    assert (event.kind, event.link, event.is_human) == ("click", 0, True)


def test_a_link_whose_number_was_changed_is_not_found(sent, client):
    token = CampaignMessage.objects.get().token
    signed = links.click_url(token, 0).rstrip("/").rsplit("/", 1)[1]
    tampered = signed.replace(f"{token}.0", f"{token}.5")

    assert client.get(f"/m/c/{tampered}/").status_code == 404
    assert client.get(_path(links.click_url(token, 9))).status_code == 404  # signed, but no such link
    assert not CampaignEvent.objects.exists()


def test_scanner_clicks_are_counted_apart(sent, client):
    [product_link, button] = _click_links(sent)

    client.head(_path(button), HTTP_USER_AGENT=PERSON_BROWSER)
    client.get(_path(product_link), HTTP_USER_AGENT="Mozilla/5.0 (compatible; Barracuda link checker bot)")
    client.get(_path(button), HTTP_USER_AGENT=PERSON_BROWSER)
    client.get(_path(product_link), HTTP_USER_AGENT=PERSON_BROWSER)  # two links within a second

    assert list(CampaignEvent.objects.order_by("id").values_list("is_human", "machine_reason")) == [
        (False, "HEAD request"), (False, "robot user agent"),
        (False, "several links in one second"), (False, "several links in one second"),
    ]


def test_click_seconds_after_delivery_is_a_machine(sent, client):
    OutboundMessage.objects.update(sent_at=timezone.now())
    [_product_link, button] = _click_links(sent)

    client.get(_path(button), HTTP_USER_AGENT=PERSON_BROWSER)

    assert CampaignEvent.objects.get().machine_reason == "within seconds of delivery"


def test_image_proxy_open_is_not_a_human_open(sent, client):
    pixel = re.search(r'src="(http://localhost:8000/m/o/[^"]+)"', sent.alternatives[0][0]).group(1)

    response = client.get(_path(pixel), HTTP_USER_AGENT="Mozilla/5.0 (via ggpht.com GoogleImageProxy)")

    assert response["Content-Type"] == "image/gif"
    assert CampaignEvent.objects.get().is_human is False


def test_order_after_a_click_is_attributed_to_the_clicked_message(sent, client):
    [_product_link, button] = _click_links(sent)
    client.get(_path(button), HTTP_USER_AGENT=PERSON_BROWSER)

    order = order_placed(email="anna@example.com")

    conversion = CampaignConversion.objects.get()
    assert (conversion.order, conversion.basis, conversion.revenue) == (order, "click", order.items_total)


def test_order_within_a_day_of_receiving_counts_as_view_through(sent):
    order = order_placed(email="anna@example.com")
    assert CampaignConversion.objects.get(order=order).basis == "view"


def test_order_after_the_windows_is_not_attributed(sent):
    OutboundMessage.objects.update(sent_at=timezone.now() - datetime.timedelta(days=2))
    order_placed(email="anna@example.com")
    assert not CampaignConversion.objects.exists()


def test_order_by_someone_else_is_not_attributed(sent):
    order_placed(email="boris@example.com")
    assert not CampaignConversion.objects.exists()
