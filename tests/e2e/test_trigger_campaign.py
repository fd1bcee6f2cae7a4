"""The marketer's journey with an abandoned-cart campaign, in a real browser: preview it for a
customer, switch it on; a shopper (on a phone) leaves a cart, gets the reminder, clicks it and
orders; the campaign page shows the click and the attributed order."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone

from customers.roles import MARKETER, roles_sync
from marketing.campaigns.models import Campaign
from marketing.campaigns.services import campaign_entries_dispatch, campaigns_scan
from marketing.models import OutboundMessage
from orders.demo import demo_delivery_create
from orders.models import Cart, DeliveryMethod
from tests.e2e.conftest import SCREENSHOTS, WIDTHS
from tests.e2e.test_checkout import _add_to_cart, _choose, _fill_contact, _place, _sign_in
from tests.factories import ProductFactory, ProductImageFactory, UserFactory
from tests.marketing.campaigning import consent_given

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# A person's browser: headless Chromium names itself, and a named robot's click is not counted.
PERSON = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def test_marketer_switches_on_a_campaign_that_brings_a_shopper_back_to_order(
    browser, live_server, signed_in_page, settings
):
    settings.SHOP_URL = live_server.url  # links in the e-mail lead to this test's shop
    importlib_campaigns()
    demo_delivery_create()
    kettle = ProductFactory(name="Чайник электрический", price=Decimal("1290.00"), stock=20, is_in_stock=True)
    ProductImageFactory(product=kettle)
    shopper = UserFactory(email="anna@example.com", first_name="Анна")
    consent_given(shopper.email)
    roles_sync()
    marketer = UserFactory(email="marketer@example.com", is_staff=True)
    marketer.groups.add(Group.objects.get(name=MARKETER))
    campaign = Campaign.objects.get(kind=Campaign.Kind.ABANDONED_CART)
    Campaign.objects.filter(pk=campaign.pk).update(send_window_start=None, send_window_end=None)

    # A shopper on a phone puts a kettle in the cart and leaves.
    phone = browser.new_context(locale="ru-RU", base_url=live_server.url, viewport=WIDTHS["phone"],
                                user_agent=PERSON)
    phone.set_default_timeout(15_000)
    shop = phone.new_page()
    shop.goto("/")
    _sign_in(shop, shopper)
    _add_to_cart(shop, kettle)
    Cart.objects.filter(user=shopper).update(updated_at=timezone.now() - datetime.timedelta(hours=2))

    # The marketer previews the reminder for that shopper, then switches the campaign on.
    admin = signed_in_page(marketer)
    admin.set_viewport_size(WIDTHS["desktop"])
    admin.goto(f"/admin/marketing/campaign/{campaign.pk}/change/")
    admin.get_by_role("link", name="Preview for a customer").click()
    admin.fill("#preview-q", "anna@")
    admin.get_by_role("button", name="Find").click()
    admin.get_by_role("link", name=re.compile("anna@example.com")).click()
    assert admin.locator(".campaign-preview-subject").inner_text() == "You left something in your cart"
    assert "Чайник электрический" in admin.frame_locator("iframe").locator("body").inner_text()
    _shot(admin, "campaign-preview-desktop")
    admin.goto(f"/admin/marketing/campaign/{campaign.pk}/change/")
    admin.check("#id_is_active")
    admin.locator('input[name="_continue"]').click()
    assert Campaign.objects.get(pk=campaign.pk).is_active

    # Beat scans and dispatches; the reminder leaves through the outbox.
    campaigns_scan()
    campaign_entries_dispatch()
    [email] = mail.outbox
    assert email.subject == "You left something in your cart" and email.to == ["anna@example.com"]
    OutboundMessage.objects.update(sent_at=timezone.now() - datetime.timedelta(minutes=30))

    # The shopper taps the button in the e-mail, lands on the cart and orders.
    button = re.findall(rf"{live_server.url}(/m/c/\S+/)", email.body)[-1]
    shop.goto(button)
    assert shop.url.endswith("/cart/")
    _shot(shop, "campaign-return-to-cart-phone")
    shop.goto("/checkout/")
    _fill_contact(shop)
    _choose(shop, DeliveryMethod.objects.get(kind="courier"))
    order = _place(shop)
    assert order.lines.get().product == kettle

    # The campaign page shows one click and one attributed order.
    admin.goto(f"/admin/marketing/campaign/{campaign.pk}/change/")
    total = admin.locator(".campaign-statistics tbody tr").last.locator("td")
    cells = [total.nth(i).inner_text() for i in range(total.count())]
    _shot(admin, "campaign-statistics-desktop")
    assert cells[2:4] == ["1", "1"]  # sent, delivered
    assert (cells[6], cells[8]) == ("1", "1")  # clicks, orders
    phone.close()


def importlib_campaigns() -> None:
    """The shipped campaigns: a transactional test starts from empty tables."""
    from tests.marketing.campaigning import campaign_on

    Campaign.objects.all().delete()
    campaign_on(Campaign.Kind.ABANDONED_CART)
    Campaign.objects.filter(kind=Campaign.Kind.ABANDONED_CART).update(is_active=False)
