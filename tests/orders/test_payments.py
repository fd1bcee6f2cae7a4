import json
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from orders.forms import CheckoutForm
from orders.models import Order, Payment, PaymentNotification
from orders.payments import UnknownProvider, provider_get
from orders.payments.test import SIGNATURE_HEADER, TestPaymentProvider
from tests.factories import DeliveryMethodFactory, ProductFactory

pytestmark = pytest.mark.django_db

WEBHOOK = "/payments/webhook/test/"


@pytest.fixture
def paying(client):
    """A guest who placed an order to be paid online and was sent to the test bank."""
    product = ProductFactory(price=Decimal("1000.00"), stock=10)
    courier = DeliveryMethodFactory(kind="courier", price=Decimal("300.00"))
    client.post(reverse("orders:cart_add"), {"product": product.pk, "quantity": "1"})
    page = client.get(reverse("orders:checkout")).content.decode()
    token = re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)
    client.post(reverse("orders:checkout"), {
        "name": "Анна", "phone": "+79161234567", "delivery_method": courier.pk, "address": "Москва, Тверская, 1",
        "payment": "online_card", "consent_personal_data": "on", "token": token,
    }, follow=True)
    return client


def _payment() -> Payment:
    return Payment.objects.select_related("order").get()


def _deliver(body: bytes, signature: str | None = None):
    signature = TestPaymentProvider().sign(body) if signature is None else signature
    return Client().post(WEBHOOK, body, content_type="application/json",
                         headers={SIGNATURE_HEADER: signature})


def test_online_order_gets_a_payment_for_its_total(paying):
    payment = _payment()

    assert payment.amount == Decimal("1300.00")
    assert payment.status == Payment.Status.PENDING
    assert payment.order.payment_status == Order.PaymentStatus.PENDING


def test_pressing_pay_on_the_test_page_marks_the_order_paid(paying):
    payment = _payment()

    response = paying.post(reverse("orders:payment_test_page", args=[payment.public_id]), {"action": "pay"},
                           follow=True)

    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert Order.objects.get().payment_status == Order.PaymentStatus.PAID
    assert response.redirect_chain[-1][0] == reverse("orders:order_thanks", args=[payment.order.number])
    assert "Paid" in response.content.decode()


def test_pressing_decline_marks_the_payment_failed_and_offers_to_pay_again(paying):
    payment = _payment()

    response = paying.post(reverse("orders:payment_test_page", args=[payment.public_id]), {"action": "decline"},
                           follow=True)

    assert Order.objects.get().payment_status == Order.PaymentStatus.FAILED
    assert "Payment failed" in response.content.decode()
    assert reverse("orders:order_pay", args=[payment.order.number]) in response.content.decode()


def test_paying_again_after_a_decline_makes_a_new_payment(paying):
    declined = _payment()
    paying.post(reverse("orders:payment_test_page", args=[declined.public_id]), {"action": "decline"})

    response = paying.post(reverse("orders:order_pay", args=[declined.order.number]))

    retry = Payment.objects.exclude(pk=declined.pk).get()
    assert response["Location"] == reverse("orders:payment_test_page", args=[retry.public_id])
    assert Order.objects.get().payment_status == Order.PaymentStatus.PENDING


def test_opening_the_pay_link_twice_reuses_the_waiting_payment(paying):
    number = _payment().order.number

    paying.get(reverse("orders:order_pay", args=[number]))

    assert Payment.objects.count() == 1


def test_webhook_delivered_twice_changes_the_state_once(paying):
    provider = TestPaymentProvider()
    payment = _payment()
    body = provider.notification_for(payment, succeeded=True)

    first, second = _deliver(body), _deliver(body)

    assert (first.status_code, second.status_code) == (200, 200)
    assert PaymentNotification.objects.count() == 1
    assert Order.objects.get().payment_status == Order.PaymentStatus.PAID


def test_a_late_decline_after_payment_changes_nothing(paying):
    provider = TestPaymentProvider()
    payment = _payment()
    _deliver(provider.notification_for(payment, succeeded=True))

    _deliver(provider.notification_for(payment, succeeded=False))

    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert Order.objects.get().payment_status == Order.PaymentStatus.PAID


def test_webhook_with_a_bad_signature_is_refused_with_403(paying):
    body = TestPaymentProvider().notification_for(_payment(), succeeded=True)

    response = _deliver(body, signature="0" * 64)

    assert response.status_code == 403
    assert not PaymentNotification.objects.exists()
    assert Order.objects.get().payment_status == Order.PaymentStatus.PENDING


def test_webhook_without_a_signature_is_refused_with_403(paying):
    body = TestPaymentProvider().notification_for(_payment(), succeeded=True)

    response = Client().post(WEBHOOK, body, content_type="application/json")

    assert response.status_code == 403


def test_webhook_needs_no_csrf_token_but_the_checkout_does(paying):
    strict = Client(enforce_csrf_checks=True)
    body = TestPaymentProvider().notification_for(_payment(), succeeded=True)

    webhook = strict.post(WEBHOOK, body, content_type="application/json",
                          headers={SIGNATURE_HEADER: TestPaymentProvider().sign(body)})
    checkout = strict.post(reverse("orders:checkout"), {})

    assert webhook.status_code == 200
    assert checkout.status_code == 403


def test_signed_notification_for_an_unknown_payment_is_a_bad_request(db):
    body = json.dumps({"event_id": "e1", "payment_id": "nope", "status": "succeeded", "amount": "1.00"}).encode()

    assert _deliver(body).status_code == 400
    assert not PaymentNotification.objects.exists()


def test_signed_notification_with_another_amount_does_not_mark_the_order_paid(paying):
    payment = _payment()
    body = json.dumps({"event_id": "e1", "payment_id": payment.external_id, "status": "succeeded",
                       "amount": "1.00"}).encode()

    assert _deliver(body).status_code == 400
    assert Order.objects.get().payment_status == Order.PaymentStatus.PENDING


def test_signed_nonsense_is_a_bad_request(db):
    assert _deliver(b"not json").status_code == 400


def test_webhook_of_an_unknown_provider_is_404(db):
    assert Client().post("/payments/webhook/nope/", b"{}", content_type="application/json").status_code == 404


def test_test_secret_comes_from_settings_when_set(settings, paying):
    body = TestPaymentProvider().notification_for(_payment(), succeeded=True)
    signed_with_default = TestPaymentProvider().sign(body)
    settings.PAYMENT_TEST_SECRET = "shared-with-the-bank"

    assert _deliver(body, signature=signed_with_default).status_code == 403
    assert _deliver(body).status_code == 200


def test_provider_is_chosen_by_a_setting(settings):
    settings.PAYMENT_PROVIDER = "no-such-bank"

    with pytest.raises(UnknownProvider):
        provider_get()


def test_test_bank_page_is_gone_when_a_real_provider_is_configured(settings, paying):
    payment = _payment()
    settings.PAYMENT_PROVIDERS = {"test": "orders.payments.test.TestPaymentProvider", "real": "x.Y"}
    settings.PAYMENT_PROVIDER = "real"

    response = paying.get(reverse("orders:payment_test_page", args=[payment.public_id]))

    assert response.status_code == 404


def test_cash_order_cannot_be_paid_online(client):
    product = ProductFactory(stock=10)
    courier = DeliveryMethodFactory()
    client.post(reverse("orders:cart_add"), {"product": product.pk, "quantity": "1"})
    page = client.get(reverse("orders:checkout")).content.decode()
    token = re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)
    client.post(reverse("orders:checkout"), {
        "name": "Анна", "phone": "+79161234567", "delivery_method": courier.pk, "address": "Москва, Тверская, 1",
        "payment": "cash_on_delivery", "consent_personal_data": "on", "token": token,
    })
    number = Order.objects.get().number

    response = client.post(reverse("orders:order_pay", args=[number]), follow=True)

    assert "This order is paid on delivery." in response.content.decode()
    assert not Payment.objects.exists()


def test_another_shopper_cannot_start_a_payment_for_the_order(paying):
    number = _payment().order.number

    assert Client().get(reverse("orders:order_pay", args=[number])).status_code == 404


def test_a_production_shop_without_a_payment_provider_does_not_offer_card_payment_online(client, settings):
    settings.PAYMENT_PROVIDER = ""

    form = CheckoutForm()

    assert Order.PaymentMethod.ONLINE_CARD not in dict(form.fields["payment"].choices)
    assert Order.PaymentMethod.CASH_ON_DELIVERY in dict(form.fields["payment"].choices)
