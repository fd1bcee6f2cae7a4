"""A shopper pays on YooKassa's confirmation page (a local fake of it) and sees the order paid;
later the carrier (a fake CDEK) reports the parcel at the pickup point, and the customer's SMS
and e-mail with the carrier's storage deadline are in the outbox, once."""

import datetime
from decimal import Decimal

import pytest
from django.utils import formats, timezone, translation

from marketing.models import OutboundMessage
from orders.models import DeliveryMethod, Order
from orders.services.backoffice import order_move
from orders.services.status import order_transition
from shipping.services import parcels_poll
from tests.e2e.conftest import screenshot
from tests.factories import DeliveryMethodFactory, PickupPointFactory, ProductFactory
from tests.fakes.carriers import FakeCdek
from tests.fakes.yookassa import FakeYooKassa

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("message_templates")]

TRACKING_NUMBER = "1106207490"


@pytest.fixture
def shop(settings, live_server):
    with FakeYooKassa() as bank, FakeCdek() as cdek:
        bank.settings(settings)
        cdek.settings(settings)
        settings.YOOKASSA_TIMEOUT = settings.CARRIER_TIMEOUT = 10
        bank.notify_url = f"{live_server.url}/payments/webhook/yookassa/"
        method = DeliveryMethodFactory(kind=DeliveryMethod.Kind.PICKUP, carrier=DeliveryMethod.Carrier.CDEK,
                                       name="СДЭК: пункт выдачи", price=Decimal("250.00"))
        PickupPointFactory(delivery_method=method, name="СДЭК на Тверской", city="Москва",
                           address="ул. Тверская, 7", opening_hours="10:00–21:00")
        yield {"bank": bank, "cdek": cdek, "method": method,
               "kettle": ProductFactory(name="Чайник электрический", price=Decimal("1290.00"), stock=5)}


def _checkout_with_card(page, shop):
    assert page.request.post("/cart/add/", form={"product": str(shop["kettle"].pk), "quantity": "1"}).ok
    page.goto("/checkout/")
    page.fill('input[name="name"]', "Анна Смирнова")
    page.fill('input[name="phone"]', "+7 916 123-45-67")
    page.fill('input[name="email"]', "anna@example.com")
    page.check(f'input[name="delivery_method"][value="{shop["method"].pk}"]')
    page.locator('input[name="pickup_point"]').first.check()
    page.check('input[name="payment"][value="online_card"]')
    page.check('input[name="consent_personal_data"]')
    with page.expect_navigation(url=f"{shop['bank'].url}/checkout/**"):
        page.locator(".order-summary button[type=submit]").click()


def _ship(order: Order) -> None:
    for status in (Order.Status.IN_PROGRESS, Order.Status.CONFIRMED, Order.Status.PACKED):
        order_transition(order=order, to_status=status, by=None)
    order_move(order=order, to_status=Order.Status.SHIPPED, by=None, tracking_number=TRACKING_NUMBER)


def test_shopper_pays_on_yookassa_and_hears_once_when_the_parcel_waits(shopper_page, shop):
    from playwright.sync_api import expect

    page = shopper_page
    _checkout_with_card(page, shop)

    expect(page.locator(".amount")).to_contain_text("1540.00")
    screenshot(page, "yookassa-confirmation")
    with page.expect_navigation(url="**/thanks/**"):
        page.get_by_role("button", name="Заплатить").click()

    expect(page.locator(".payment-status")).to_contain_text("Оплачен")
    screenshot(page, "order-paid-by-card")
    order = Order.objects.get()
    assert order.payment_status == Order.PaymentStatus.PAID

    _ship(order)
    shop["cdek"].report(TRACKING_NUMBER, "ACCEPTED_AT_PICK_UP_POINT", name="Принят в пункте выдачи",
                        keep_free_until="2027-01-20T18:59:59+0300")
    parcels_poll(now=timezone.now() + datetime.timedelta(hours=3), threads=1)
    parcels_poll(now=timezone.now() + datetime.timedelta(hours=6), threads=1)  # the same news again

    order.refresh_from_db()
    assert order.status == Order.Status.READY_FOR_PICKUP
    ready = OutboundMessage.objects.filter(kind="order_ready_for_pickup", reference=f"order:{order.number}")
    assert sorted(ready.values_list("channel", flat=True)) == ["email", "sms"]
    for message in ready:
        with translation.override(message.language):
            deadline = formats.date_format(datetime.date(2027, 1, 20), "DATE_FORMAT")  # CDEK's keep_free_until
        assert deadline in message.body, message.body
        assert "ул. Тверская, 7" in message.body
