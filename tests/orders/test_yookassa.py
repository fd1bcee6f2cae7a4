"""YooKassa behind the shop's payment interface, against a local fake of its API."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from orders.forms import CheckoutForm
from orders.models import Order, Payment, PaymentNotification
from orders.payments import provider_get
from orders.payments.receipt import receipt_items
from orders.payments.services import payments_pending_check
from tests.factories import DeliveryMethodFactory, OrderFactory, ProductFactory

pytestmark = pytest.mark.django_db

WEBHOOK = "/payments/webhook/yookassa/"


def _checkout(client, *, email="anna@example.com"):
    product = ProductFactory(name="Чайник", price=Decimal("1000.00"), stock=10)
    courier = DeliveryMethodFactory(kind="courier", name="Курьер", price=Decimal("300.00"))
    client.post(reverse("orders:cart_add"), {"product": product.pk, "quantity": "2"})
    page = client.get(reverse("orders:checkout")).content.decode()
    token = re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)
    return client.post(reverse("orders:checkout"), {
        "name": "Анна", "phone": "+79161234567", "email": email, "delivery_method": courier.pk,
        "address": "Москва, Тверская, 1", "payment": "online_card", "consent_personal_data": "on", "token": token,
    }, follow=True)


@pytest.fixture
def paying(client, yookassa):
    """A shopper who placed an order to pay by card and was sent to YooKassa."""
    _checkout(client)
    return client


def _payment() -> Payment:
    return Payment.objects.select_related("order").get()


def _webhook(body: bytes):
    return Client().post(WEBHOOK, body, content_type="application/json")


def test_checkout_sends_the_shopper_to_yookassas_confirmation_page(client, yookassa):
    response = _checkout(client)

    payment = _payment()
    assert response.redirect_chain[-1][0] == f"{yookassa.url}/checkout/{payment.external_id}"
    assert yookassa.payments[payment.external_id]["amount"] == {"value": "2300.00", "currency": "RUB"}
    assert yookassa.created[0]["confirmation"]["return_url"].endswith(
        reverse("orders:order_thanks", args=[payment.order.number]))


def test_the_payment_carries_a_receipt_with_the_goods_delivery_vat_and_the_customers_email(paying, yookassa, settings):
    receipt = yookassa.created[0]["receipt"]

    assert receipt["customer"] == {"email": "anna@example.com"}
    assert [(item["description"], item["quantity"], item["amount"]["value"], item["payment_subject"])
            for item in receipt["items"]] == [
        ("Чайник", "2", "1000.00", "commodity"), ("Курьер", "1", "300.00", "service"),
    ]
    assert {item["vat_code"] for item in receipt["items"]} == {settings.YOOKASSA_VAT_CODE}


def test_receipt_goes_to_the_phone_when_the_order_has_no_email(client, yookassa):
    _checkout(client, email="")

    assert yookassa.created[0]["receipt"]["customer"] == {"phone": "79161234567"}


def test_paying_on_yookassa_marks_the_order_paid(paying, yookassa):
    payment = _payment()

    response = _webhook(yookassa.pay(payment.external_id))

    assert response.status_code == 200
    assert Order.objects.get().payment_status == Order.PaymentStatus.PAID
    page = paying.get(reverse("orders:order_thanks", args=[payment.order.number])).content.decode()
    assert "Paid" in page


def test_a_declined_card_marks_the_payment_failed_and_the_shopper_can_try_again(paying, yookassa):
    declined = _payment()
    _webhook(yookassa.decline(declined.external_id))

    assert Order.objects.get().payment_status == Order.PaymentStatus.FAILED
    retry = paying.post(reverse("orders:order_pay", args=[declined.order.number]))
    second = Payment.objects.exclude(pk=declined.pk).get()
    assert retry["Location"] == f"{yookassa.url}/checkout/{second.external_id}"


def test_the_same_notification_twice_is_acted_upon_once(paying, yookassa):
    body = yookassa.pay(_payment().external_id)

    first, second = _webhook(body), _webhook(body)

    assert (first.status_code, second.status_code) == (200, 200)
    assert PaymentNotification.objects.count() == 1
    assert Order.objects.get().payment_status == Order.PaymentStatus.PAID


def test_a_lost_notification_is_made_up_by_asking_yookassa(paying, yookassa):
    payment = _payment()
    yookassa.pay(payment.external_id)  # YooKassa's notification never arrives
    later = payment.created_at + datetime.timedelta(minutes=5)

    settled = payments_pending_check(provider=provider_get(), now=later)

    assert settled == 1
    assert Order.objects.get().payment_status == Order.PaymentStatus.PAID


def test_the_notification_after_the_status_check_changes_nothing(paying, yookassa):
    payment = _payment()
    body = yookassa.pay(payment.external_id)
    payments_pending_check(provider=provider_get(), now=payment.created_at + datetime.timedelta(minutes=5))

    assert _webhook(body).status_code == 200
    assert PaymentNotification.objects.count() == 1


def test_a_forged_notification_is_not_believed(paying, yookassa):
    payment = _payment()
    forged = yookassa.notification(payment.external_id).replace(b'"payment.pending"', b'"payment.succeeded"')
    forged = forged.replace(b'"status": "pending"', b'"status": "succeeded"')

    response = _webhook(forged)

    assert response.status_code == 400
    assert Order.objects.get().payment_status == Order.PaymentStatus.PENDING


def test_yookassa_not_answering_at_checkout_leaves_no_payment_and_tells_the_shopper(client, yookassa):
    yookassa.delay = 2  # longer than the shop waits

    response = _checkout(client)

    assert not Payment.objects.exists()
    assert "not answering" in " ".join(str(message) for message in get_messages(response.wsgi_request))
    assert Order.objects.get().payment_status != Order.PaymentStatus.PAID


def test_a_notification_that_cannot_be_checked_now_is_asked_again_later(paying, yookassa):
    body = yookassa.pay(_payment().external_id)
    yookassa.down = True

    response = _webhook(body)

    assert response.status_code == 503
    assert Order.objects.get().payment_status == Order.PaymentStatus.PENDING


def test_status_check_waits_for_yookassa_to_come_back(paying, yookassa):
    payment = _payment()
    yookassa.pay(payment.external_id)
    yookassa.down = True
    later = payment.created_at + datetime.timedelta(minutes=5)

    assert payments_pending_check(provider=provider_get(), now=later) == 0
    yookassa.down = False
    assert payments_pending_check(provider=provider_get(), now=later) == 1


def test_card_payment_is_not_offered_without_yookassas_keys(settings):
    settings.PAYMENT_PROVIDER = "yookassa"
    settings.YOOKASSA_SHOP_ID = settings.YOOKASSA_SECRET_KEY = ""

    choices = dict(CheckoutForm().fields["payment"].choices)

    assert Order.PaymentMethod.ONLINE_CARD not in choices


def test_receipt_items_add_up_to_the_total_when_a_discount_and_points_are_spread(db):
    order = OrderFactory(items_total=Decimal("1000.00"), discount_total=Decimal("100.00"),
                         points_spent=Decimal("33.00"), delivery_price=Decimal("300.00"),
                         total_to_pay=Decimal("1167.00"))
    product = ProductFactory()
    for price, quantity in ((Decimal("100.00"), 3), (Decimal("700.00"), 1)):
        order.lines.create(product=product, product_name=product.name, sku=product.sku, unit_price=price,
                           quantity=quantity, line_total=price * quantity)

    items = receipt_items(order)

    assert sum(item.total for item in items) == Decimal("1167.00")
    assert sum(item.quantity for item in items if not item.is_delivery) == 4


def test_checkout_page_lets_its_form_lead_to_yookassas_confirmation_page(client, yookassa):
    policy = client.get(reverse("orders:cart")).headers["Content-Security-Policy"]

    form_action = next(part for part in policy.split("; ") if part.startswith("form-action"))
    assert form_action == f"form-action 'self' {yookassa.url}"


def test_a_shopper_back_from_yookassa_before_its_notification_sees_the_order_paid(paying, yookassa):
    payment = _payment()
    yookassa.pay(payment.external_id)  # the notification is still on its way

    page = paying.get(reverse("orders:order_thanks", args=[payment.order.number])).content.decode()

    assert "Paid" in page
    assert Order.objects.get().payment_status == Order.PaymentStatus.PAID


def test_the_order_page_still_opens_when_yookassa_cannot_be_asked(paying, yookassa):
    payment = _payment()
    yookassa.down = True

    response = paying.get(reverse("orders:order_thanks", args=[payment.order.number]))

    assert response.status_code == 200
    assert "Awaiting online payment" in response.content.decode()
