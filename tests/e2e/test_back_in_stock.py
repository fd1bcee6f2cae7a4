"""A guest asks to hear when a sold-out product is back, confirms the address from the e-mail,
and gets the back-in-stock message once the stock returns (phone and desktop)."""

import re

import pytest
from django.core import mail

from marketing.campaigns.models import BackInStockRequest
from marketing.campaigns.services import campaign_entries_dispatch, campaigns_scan
from marketing.kinds import MessageKind
from marketing.models import OutboundMessage
from tests.e2e.conftest import screenshot
from tests.factories import ProductFactory, ProductImageFactory
from tests.marketing.campaigning import campaign_on

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_guest_confirms_a_back_in_stock_request_and_hears_when_the_product_returns(
    shopper_page, live_server, settings
):
    settings.SHOP_URL = live_server.url  # links in the e-mails lead to this test's shop
    campaign_on(MessageKind.BACK_IN_STOCK)
    product = ProductFactory(name="Крем «Облепиха»", stock=0)
    ProductImageFactory(product=product)
    page = shopper_page

    # The product is sold out: the page offers to write when it is back.
    page.goto(product.get_absolute_url())
    assert page.get_by_role("button", name="В корзину").is_disabled()
    page.get_by_label("Ваш e-mail").fill("anna@example.com")
    page.get_by_role("button", name="Сообщить о поступлении").click()
    page.get_by_text("Почти готово").wait_for()
    screenshot(page, "back-in-stock-asked")
    assert BackInStockRequest.objects.get().status == BackInStockRequest.Status.UNCONFIRMED

    # The confirmation e-mail: opening its link only shows a button; the button confirms.
    [confirmation] = mail.outbox
    link = re.search(r"http://\S+/m/back-in-stock/\S+/", confirmation.body).group(0)
    page.goto(link)
    assert BackInStockRequest.objects.get().status == BackInStockRequest.Status.UNCONFIRMED
    page.get_by_role("button", name="Да, сообщите").click()
    page.get_by_role("heading", name="Адрес подтверждён").wait_for()
    screenshot(page, "back-in-stock-confirmed")
    assert BackInStockRequest.objects.get().status == BackInStockRequest.Status.ACTIVE

    # Stock comes back; beat's scan and dispatch send the message.
    product.stock = 7
    product.save()
    campaigns_scan()
    campaign_entries_dispatch()

    [message] = [m for m in mail.outbox if m is not confirmation]
    assert message.to == ["anna@example.com"]
    assert "Крем «Облепиха»" in message.subject and "/m/u/" in message.body  # the shop's language, unsubscribe
    assert OutboundMessage.objects.get(kind=MessageKind.BACK_IN_STOCK).status == OutboundMessage.Status.SENT
    assert page.console_errors == []
