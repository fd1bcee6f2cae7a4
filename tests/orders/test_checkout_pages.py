import re
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.models import Product
from customers.models import Consent, PointsEntry
from orders.demo import demo_delivery_create, demo_promo_codes_create
from orders.models import CartLine, DeliveryMethod, Order, PickupPoint
from tests.factories import (
    DeliveryMethodFactory,
    PickupPointFactory,
    ProductFactory,
    PromoCodeFactory,
    UserFactory,
)
from tests.harness import in_parallel

pytestmark = pytest.mark.django_db


@pytest.fixture
def courier(db):
    return DeliveryMethodFactory(kind="courier", name="Курьер", price=Decimal("390.00"),
                                 free_from=Decimal("3000.00"))


@pytest.fixture
def kettle(db):
    return ProductFactory(name="Чайник", price=Decimal("1000.00"), stock=10)


@pytest.fixture
def shopper(client, kettle):
    """A guest with two kettles in the cart."""
    client.post(reverse("orders:cart_add"), {"product": kettle.pk, "quantity": "2"})
    return client


def _token(client) -> str:
    page = client.get(reverse("orders:checkout")).content.decode()
    return re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)


def _form(client, method, **overrides) -> dict:
    data = {
        "name": "Анна Смирнова",
        "phone": "8 (916) 123-45-67",
        "email": "anna@example.com",
        "delivery_method": method.pk,
        "address": "Москва, ул. Тверская, 1, кв. 5",
        "payment": "cash_on_delivery",
        "consent_personal_data": "on",
        "token": _token(client),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _checkout(client, data, **extra):
    return client.post(reverse("orders:checkout"), data, **extra)


def test_checkout_page_shows_delivery_methods_with_price_and_time(shopper, courier):
    DeliveryMethodFactory(kind="post", name="Почта России", price=Decimal("350.00"), days_min=3, days_max=10)

    page = shopper.get(reverse("orders:checkout")).content.decode()

    assert "Курьер" in page and "390\xa0₽" in page and "free from 3,000\xa0₽" in page
    assert "Почта России" in page and "3–10 days" in page
    assert "Sign in" in page


def test_checkout_with_an_empty_cart_sends_the_shopper_to_the_cart(client, courier):
    response = client.get(reverse("orders:checkout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("orders:cart")


def test_checkout_with_an_empty_cart_says_the_cart_is_empty_once(client, courier):
    page = client.get(reverse("orders:checkout"), follow=True).content.decode()

    assert page.count("Your cart is empty.") == 1


def test_courier_order_with_cash_is_placed_and_confirmed(shopper, courier, kettle):
    date = timezone.localdate() + timedelta(days=2)

    response = _checkout(shopper, _form(shopper, courier, date=date.isoformat(), time_window="09:00–13:00",
                                        comment="Позвоните за час"))

    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("orders:order_thanks", args=[order.number])
    assert order.phone == "+79161234567"
    assert (order.delivery_date, order.delivery_time_window) == (date, "09:00–13:00")
    assert order.items_total == Decimal("2000.00") and order.delivery_price == Decimal("390.00")
    assert order.total_to_pay == Decimal("2390.00")
    assert order.payment_status == Order.PaymentStatus.UNPAID
    assert not CartLine.objects.exists()
    assert Product.objects.get(pk=kettle.pk).stock == 8
    assert response.cookies["cart"].value == ""
    page = shopper.get(response["Location"]).content.decode()
    assert order.number in page and "Позвоните за час" in page


def test_pickup_order_names_the_chosen_point(shopper):
    point = PickupPointFactory(name="ПВЗ Тверская", address="ул. Тверская, 12", opening_hours="10:00–21:00")
    page = shopper.get(reverse("orders:checkout")).content.decode()
    assert "ПВЗ Тверская" in page and "10:00–21:00" in page

    _checkout(shopper, _form(shopper, point.delivery_method, pickup_point=point.pk, address="",
                             payment="card_on_delivery"))

    order = Order.objects.get()
    assert order.pickup_point == point
    assert order.payment_method == "card_on_delivery"


def test_pickup_without_a_point_is_refused_next_to_the_field(shopper):
    method = PickupPointFactory().delivery_method

    response = _checkout(shopper, _form(shopper, method))

    assert "Please choose a pickup point." in response.content.decode()
    assert not Order.objects.exists()


def test_post_order_needs_a_six_digit_postcode(shopper):
    post = DeliveryMethodFactory(kind="post", price=Decimal("350.00"))

    refused = _checkout(shopper, _form(shopper, post, postcode="12345"))
    assert "Enter the six-digit postcode." in refused.content.decode()
    assert not Order.objects.exists()

    _checkout(shopper, _form(shopper, post, postcode="101000"))
    assert Order.objects.get().postcode == "101000"


def test_online_card_order_goes_to_the_payment_page(shopper, courier):
    response = _checkout(shopper, _form(shopper, courier, payment="online_card"), follow=True)

    order = Order.objects.get()
    assert order.payment_status == Order.PaymentStatus.PENDING
    payment = order.payments.get()
    assert response.redirect_chain[-1][0] == reverse("orders:payment_test_page", args=[payment.public_id])
    assert "Test payment" in response.content.decode()


def test_same_form_token_submitted_twice_makes_one_order(shopper, courier):
    data = _form(shopper, courier, consent_marketing_email="on")

    first = _checkout(shopper, data)
    second = _checkout(shopper, data)

    order = Order.objects.get()
    assert first["Location"] == second["Location"] == reverse("orders:order_thanks", args=[order.number])
    assert Consent.objects.filter(kind=Consent.Kind.PERSONAL_DATA).count() == 1
    assert Consent.objects.filter(kind=Consent.Kind.MARKETING_EMAIL).count() == 1


def test_invalid_input_shows_errors_and_keeps_the_cart(shopper, courier):
    response = _checkout(shopper, _form(shopper, courier, name="", phone="12", address=""))

    body = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in body
    assert "Enter a valid phone number" in body
    assert not Order.objects.exists()
    assert CartLine.objects.get().quantity == 2


def test_out_of_stock_at_checkout_shows_a_clear_message_and_keeps_the_cart(shopper, courier, kettle):
    Product.objects.filter(pk=kettle.pk).update(stock=1)

    response = _checkout(shopper, _form(shopper, courier))

    assert "Only 1 of “Чайник” left in stock." in response.content.decode()
    assert not Order.objects.exists()
    assert CartLine.objects.get().quantity == 2
    assert Product.objects.get(pk=kettle.pk).stock == 1


def test_script_in_name_address_and_comment_is_shown_escaped(shopper, courier):
    script = "<script>alert(1)</script>"
    response = _checkout(shopper, _form(shopper, courier, name=f"Анна {script}", address=f"Москва {script}",
                                        comment=script), follow=True)

    body = response.content.decode()
    assert Order.objects.get().comment == script
    assert script not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_script_in_input_is_escaped_when_the_form_comes_back_with_errors(shopper, courier):
    script = "<script>alert(1)</script>"

    response = _checkout(shopper, _form(shopper, courier, comment=script, phone="no phone"))

    assert script not in response.content.decode()


def test_promo_code_applied_on_the_page_shows_the_discount(shopper, courier):
    PromoCodeFactory(code="SALE10", kind="percent", value=Decimal("10"))

    response = _checkout(shopper, _form(shopper, courier, promo_code="sale10", action="apply_promo"))

    body = response.content.decode()
    assert "Promo code SALE10 applied: −200\xa0₽" in body
    assert not Order.objects.exists()


def test_unknown_promo_code_gets_a_clear_message(shopper, courier):
    response = _checkout(shopper, _form(shopper, courier, promo_code="NOPE", action="apply_promo"))

    assert "There is no such promo code." in response.content.decode()


def test_order_with_a_promo_code_gets_the_discount(shopper, courier):
    PromoCodeFactory(code="SALE10", kind="percent", value=Decimal("10"))

    _checkout(shopper, _form(shopper, courier, promo_code="SALE10"))

    assert Order.objects.get().discount_total == Decimal("200.00")


def test_used_up_promo_code_refuses_the_order_with_a_message(shopper, courier):
    PromoCodeFactory(code="ONCE", usage_limit=1, used_count=1)

    response = _checkout(shopper, _form(shopper, courier, promo_code="ONCE"))

    assert "This promo code has already been used up." in response.content.decode()
    assert not Order.objects.exists()


def test_signed_in_customer_sees_points_and_pays_with_them(client, courier, kettle):
    user = UserFactory()
    PointsEntry.objects.create(user=user, delta=1000, reason=PointsEntry.Reason.EARNED)
    client.force_login(user)
    client.post(reverse("orders:cart_add"), {"product": kettle.pk, "quantity": "2"})

    page = client.get(reverse("orders:checkout")).content.decode()
    assert "You have 1000 points; up to 600 can pay for this order" in page

    _checkout(client, _form(client, courier, points="600"))

    order = Order.objects.get()
    assert order.user == user
    assert order.points_spent == Decimal("600.00")
    assert order.total_to_pay == Decimal("1790.00")


def test_points_above_the_allowed_share_are_refused_on_the_page(client, courier, kettle):
    user = UserFactory()
    PointsEntry.objects.create(user=user, delta=1000, reason=PointsEntry.Reason.EARNED)
    client.force_login(user)
    client.post(reverse("orders:cart_add"), {"product": kettle.pk, "quantity": "2"})

    response = _checkout(client, _form(client, courier, points="601"))

    assert "At most 600 points can pay for this order." in response.content.decode()
    assert not Order.objects.exists()


def test_points_above_the_balance_are_refused_on_the_page(client, courier, kettle):
    user = UserFactory()
    PointsEntry.objects.create(user=user, delta=100, reason=PointsEntry.Reason.EARNED)
    client.force_login(user)
    client.post(reverse("orders:cart_add"), {"product": kettle.pk, "quantity": "2"})

    response = _checkout(client, _form(client, courier, points="200"))

    assert "You have 100 points; 200 cannot be spent." in response.content.decode()
    assert not Order.objects.exists()


def test_consents_are_stored_with_time_wording_version_and_source(shopper, courier):
    _checkout(shopper, _form(shopper, courier, consent_marketing_sms="on"))

    consents = {consent.kind: consent for consent in Consent.objects.all()}
    assert set(consents) == {Consent.Kind.PERSONAL_DATA, Consent.Kind.MARKETING_SMS}
    for consent in consents.values():
        assert consent.granted and consent.source == "checkout" and consent.wording_version
        assert consent.phone == "+79161234567" and consent.created_at is not None


def test_marketing_consents_are_unticked_by_default(shopper, courier):
    page = shopper.get(reverse("orders:checkout")).content.decode()

    for name in ("consent_marketing_email", "consent_marketing_sms", "consent_personal_data"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
        assert "checked" not in tag
    assert reverse("orders:privacy") in page


def test_order_is_refused_without_the_personal_data_consent(shopper, courier):
    response = _checkout(shopper, _form(shopper, courier, consent_personal_data=None))

    assert "We cannot take the order without your consent to process personal data." in response.content.decode()
    assert not Order.objects.exists()
    assert not Consent.objects.exists()


def test_privacy_policy_page_is_there(client):
    assert client.get(reverse("orders:privacy")).status_code == 200


def test_order_records_the_channel_and_utm_of_the_visit(client, courier, kettle):
    phone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
    client.get("/?utm_source=yandex&utm_medium=cpc&utm_campaign=kettles", HTTP_USER_AGENT=phone)
    client.post(reverse("orders:cart_add"), {"product": kettle.pk, "quantity": "1"})

    _checkout(client, _form(client, courier))

    order = Order.objects.get()
    assert order.visit is not None
    assert (order.channel, order.utm_source, order.utm_campaign) == ("paid_search", "yandex", "kettles")


def test_confirmation_page_is_visible_to_the_guest_who_placed_the_order(shopper, courier):
    response = _checkout(shopper, _form(shopper, courier))

    assert shopper.get(response["Location"]).status_code == 200


def test_another_shopper_cannot_open_the_confirmation_page(shopper, courier):
    response = _checkout(shopper, _form(shopper, courier))

    assert Client().get(response["Location"]).status_code == 404


def test_another_customer_cannot_open_the_confirmation_page(client, courier, kettle):
    owner, stranger = UserFactory(), UserFactory()
    client.force_login(owner)
    client.post(reverse("orders:cart_add"), {"product": kettle.pk, "quantity": "1"})
    response = _checkout(client, _form(client, courier))
    other = Client()
    other.force_login(stranger)

    assert other.get(response["Location"]).status_code == 404
    assert client.get(response["Location"]).status_code == 200


def test_form_token_of_another_cart_is_refused(shopper, courier, kettle):
    token = uuid.uuid4().hex
    _checkout(shopper, _form(shopper, courier, token=token))
    other = Client()
    other.post(reverse("orders:cart_add"), {"product": kettle.pk, "quantity": "1"})

    response = _checkout(other, _form(other, courier, token=token))

    assert "This checkout form has already been used." in response.content.decode()
    assert Order.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_parallel_submissions_with_one_form_token_make_one_order(courier, kettle):
    client = Client()
    client.post(reverse("orders:cart_add"), {"product": kettle.pk, "quantity": "2"})
    data = _form(client, courier)
    cookies = client.cookies
    browsers = [Client() for _ in range(10)]
    for browser in browsers:
        browser.cookies = cookies.__class__(cookies)

    answers = [response["Location"] for response in in_parallel(10, lambda i: _checkout(browsers[i], data))]

    order = Order.objects.get()
    assert answers == [reverse("orders:order_thanks", args=[order.number])] * 10
    assert Product.objects.get(pk=kettle.pk).stock == 8
    assert Consent.objects.filter(kind=Consent.Kind.PERSONAL_DATA).count() == 1


def test_demo_delivery_methods_are_seeded_once():
    assert demo_delivery_create() == 8
    assert demo_delivery_create() == 0
    assert sorted(DeliveryMethod.objects.values_list("kind", flat=True)) == ["courier", "pickup", "post"]
    assert set(PickupPoint.objects.values_list("city", flat=True)) == {"Москва", "Санкт-Петербург"}


def test_demo_promo_codes_named_in_the_readme_give_their_discount_at_checkout(shopper, courier):
    assert demo_promo_codes_create() == 2
    assert demo_promo_codes_create() == 0
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")

    for code, discount in (("WELCOME10", "200"), ("MINUS300", "300")):
        assert code in readme
        html = shopper.post(reverse("orders:checkout_summary"), {"promo_code": code.lower()}).content.decode()
        assert f"Promo code {code} applied: −{discount}\xa0₽" in html
