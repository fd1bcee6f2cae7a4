import threading

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from customers.models import Consent
from orders.models import CartLine, Order
from tests.factories import PickupPointFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


def _add(client, product, quantity=1):
    response = client.post("/api/v1/cart/items/", {"product": product.pk, "quantity": quantity}, format="json")
    assert response.status_code == 201, response.json()


def test_checkout_places_the_order_and_answers_201_with_its_number(api, kettle, checkout_answers):
    _add(api, kettle, 2)

    response = api.post("/api/v1/checkout/", checkout_answers, format="json")

    assert response.status_code == 201
    order = Order.objects.get()
    body = response.json()
    assert body["number"] == order.number
    assert (body["items_total"], body["delivery_price"], body["total_to_pay"]) == ("3000.00", "300.00", "3300.00")
    assert body["phone"] == "+79161234567"
    kettle.refresh_from_db()
    assert kettle.stock == 3


def test_checkout_records_the_consents(api, kettle, checkout_answers):
    _add(api, kettle)

    api.post("/api/v1/checkout/", {**checkout_answers, "consent_marketing_sms": True}, format="json")

    answers = dict(Consent.objects.values_list("kind", "granted"))
    # An unticked box is no answer, as on the checkout page: it withdraws nothing given before.
    assert answers == {"personal_data": True, "marketing_sms": True}
    assert set(Consent.objects.values_list("source", flat=True)) == {"checkout"}


def test_checkout_without_consent_to_personal_data_is_refused(api, kettle, checkout_answers):
    _add(api, kettle)

    response = api.post("/api/v1/checkout/", {**checkout_answers, "consent_personal_data": False}, format="json")

    assert response.status_code == 400
    assert "consent_personal_data" in response.json()["errors"]
    assert not Order.objects.exists()


def test_checkout_answers_400_with_field_errors(api, kettle, checkout_answers):
    _add(api, kettle)

    response = api.post("/api/v1/checkout/", {**checkout_answers, "phone": "12"}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {"phone": ["Enter a valid phone number, for example +7 916 123-45-67."]}
    assert not Order.objects.exists()
    assert CartLine.objects.count() == 1


def test_checkout_field_errors_from_the_form_and_from_the_shop_look_alike(api, kettle, checkout_answers):
    _add(api, kettle)

    response = api.post("/api/v1/checkout/", {**checkout_answers, "address": " ", "payment": "barter"},
                        format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"payment"}
    assert response.json()["detail"] == response.json()["errors"]["payment"][0]


def test_checkout_of_a_pickup_order_needs_a_point(api, kettle, checkout_answers):
    point = PickupPointFactory()
    _add(api, kettle)
    answers = {**checkout_answers, "delivery_method": point.delivery_method.pk, "address": ""}

    missing = api.post("/api/v1/checkout/", answers, format="json")
    placed = api.post("/api/v1/checkout/", {**answers, "pickup_point": point.pk}, format="json")

    assert missing.status_code == 400
    assert missing.json()["errors"] == {"pickup_point": ["Please choose a pickup point."]}
    assert placed.status_code == 201


def test_checkout_of_an_empty_cart_is_refused(api, checkout_answers):
    response = api.post("/api/v1/checkout/", checkout_answers, format="json")

    assert response.status_code == 400
    assert response.json()["detail"] == "Your cart is empty."


def test_checkout_answers_409_when_stock_ran_out_and_keeps_the_cart(api, kettle, checkout_answers):
    _add(api, kettle, 3)
    kettle.stock = 1
    kettle.save(update_fields=["stock"])

    response = api.post("/api/v1/checkout/", checkout_answers, format="json")

    assert response.status_code == 409
    assert response.json() == {"detail": "Only 1 of “Чайник” left in stock.", "errors": {},
                               "code": "out_of_stock"}
    assert not Order.objects.exists()
    assert CartLine.objects.get().quantity == 3
    kettle.refresh_from_db()
    assert kettle.stock == 1


def test_the_same_idempotency_key_returns_the_same_order(api, kettle, checkout_answers):
    _add(api, kettle)

    first = api.post("/api/v1/checkout/", checkout_answers, format="json", HTTP_IDEMPOTENCY_KEY="order-1")
    again = api.post("/api/v1/checkout/", checkout_answers, format="json", HTTP_IDEMPOTENCY_KEY="order-1")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["number"] == again.json()["number"]
    assert Order.objects.count() == 1
    kettle.refresh_from_db()
    assert kettle.stock == 4


def test_a_new_idempotency_key_makes_a_new_order(api, kettle, checkout_answers):
    _add(api, kettle)
    api.post("/api/v1/checkout/", checkout_answers, format="json", HTTP_IDEMPOTENCY_KEY="order-1")
    _add(api, kettle)

    response = api.post("/api/v1/checkout/", checkout_answers, format="json", HTTP_IDEMPOTENCY_KEY="order-2")

    assert response.status_code == 201
    assert Order.objects.count() == 2


def test_two_clients_with_the_same_key_get_their_own_orders(api, kettle, checkout_answers):
    other = api.__class__()
    _add(api, kettle)
    _add(other, kettle)

    mine = api.post("/api/v1/checkout/", checkout_answers, format="json", HTTP_IDEMPOTENCY_KEY="1")
    theirs = other.post("/api/v1/checkout/", checkout_answers, format="json", HTTP_IDEMPOTENCY_KEY="1")

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["number"] != theirs.json()["number"]


def test_a_signed_in_customer_sees_the_order_in_their_list(signed_in, kettle, checkout_answers):
    _add(signed_in, kettle)
    number = signed_in.post("/api/v1/checkout/", checkout_answers, format="json").json()["number"]

    listed = signed_in.get("/api/v1/orders/")
    detail = signed_in.get(f"/api/v1/orders/{number}/")

    assert [order["number"] for order in listed.json()["results"]] == [number]
    assert detail.status_code == 200
    assert detail.json()["lines"][0]["product_name"] == "Чайник"
    assert detail.json()["history"][0]["to_status"] == "new"


def test_another_customers_order_is_404(api, signed_in, kettle, checkout_answers):
    other = UserFactory()
    other_client = api.__class__()
    other_client.force_authenticate(other)
    _add(other_client, kettle)
    number = other_client.post("/api/v1/checkout/", checkout_answers, format="json").json()["number"]

    response = signed_in.get(f"/api/v1/orders/{number}/")

    assert response.status_code == 404
    assert response.json()["detail"]
    assert signed_in.get("/api/v1/orders/").json()["results"] == []


def test_orders_need_a_signed_in_customer(api):
    response = api.get("/api/v1/orders/")

    assert response.status_code == 401
    assert response.json()["detail"] == "Authentication credentials were not provided."


def test_delivery_methods_and_pickup_points_are_listed(api):
    point = PickupPointFactory(city="Казань")
    PickupPointFactory(is_active=False)

    methods = api.get("/api/v1/delivery-methods/").json()
    points = api.get(f"/api/v1/pickup-points/?delivery_method={point.delivery_method.pk}").json()

    assert point.delivery_method.pk in [method["id"] for method in methods]
    assert [(p["id"], p["city"], p["opening_hours"]) for p in points] == [(point.pk, "Казань", "10:00–21:00")]


def test_an_unexpected_error_is_json_not_an_html_page(api, kettle, checkout_answers, monkeypatch):
    from orders.api import views

    def broken(**kwargs):
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(views, "order_place", broken)
    _add(api, kettle)

    response = api.post("/api/v1/checkout/", checkout_answers, format="json")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "server_error"
    assert "disk" not in response.json()["detail"]
    assert ProductFactory._meta.model.objects.get(pk=kettle.pk).stock == 5


def test_a_retry_records_the_consents_only_once(api, kettle, checkout_answers):
    _add(api, kettle)
    answers = {**checkout_answers, "consent_marketing_email": True}

    for _ in range(3):
        api.post("/api/v1/checkout/", answers, format="json", HTTP_IDEMPOTENCY_KEY="order-1")

    assert Consent.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_parallel_checkouts_with_one_key_make_one_order_one_201_and_one_set_of_consents(
    customer, kettle, checkout_answers,
):
    token = Token.objects.create(user=customer).key
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    _add(client, kettle)
    barrier = threading.Barrier(10)
    answers: list[tuple[int, str]] = []

    def check_out():
        try:
            own = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
            barrier.wait(timeout=10)
            response = own.post("/api/v1/checkout/", {**checkout_answers, "consent_marketing_sms": True},
                                format="json", HTTP_IDEMPOTENCY_KEY="retry-me")
            answers.append((response.status_code, response.json().get("number")))
        finally:
            connection.close()

    threads = [threading.Thread(target=check_out) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    order = Order.objects.get()
    assert sorted(status for status, _ in answers) == [200] * 9 + [201]
    assert {number for _, number in answers} == {order.number}
    assert Consent.objects.count() == 2  # personal data and SMS, once


def test_a_courier_date_years_ahead_is_refused(api, kettle, checkout_answers):
    _add(api, kettle)

    response = api.post("/api/v1/checkout/", {**checkout_answers, "date": "9999-12-31"}, format="json")

    assert response.status_code == 400
    assert "date" in response.json()["errors"]
    assert not Order.objects.exists()
