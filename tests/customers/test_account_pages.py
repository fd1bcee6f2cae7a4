import json
import uuid

import pytest

from customers.models import Address, Consent, DataRequest, PointsEntry, User
from customers.services import points_earn, points_spend
from marketing.kinds import Channel
from marketing.preferences import marketing_consent_given
from orders.services import Contact, Delivery, cart_add, cart_get_or_create, order_place
from tests.factories import DeliveryMethodFactory, ProductFactory, UserFactory, VisitFactory

pytestmark = pytest.mark.django_db

EMAIL, SMS = Channel.EMAIL, Channel.SMS


@pytest.fixture
def anna(db):
    return UserFactory(email="anna@example.com", first_name="Анна", phone="+79161234567")


def _order_of(user):
    cart = cart_get_or_create(user=user)
    cart_add(cart=cart, product=ProductFactory(), quantity=1)
    return order_place(
        cart=cart, contact=Contact(name=user.first_name, phone="+79161234567", email=user.email),
        delivery=Delivery(method=DeliveryMethodFactory(), address="Москва, ул. Тверская, 1"),
        payment="cash_on_delivery", idempotency_key=uuid.uuid4().hex,
    ).order


def _sent_marketing(user, channel) -> bool:
    """What the sender will do with the page's answer: the shop's one consent rule."""
    recipient = user.email if channel == EMAIL else user.phone
    return marketing_consent_given(channel=channel, recipient=recipient, user_id=user.pk)


@pytest.fixture
def signed_in(client, anna):
    client.force_login(anna)
    return client


def test_the_profile_saves_gender_birth_date_and_city(signed_in, anna):
    response = signed_in.post("/account/", {
        "first_name": "Анна", "last_name": "Смирнова", "phone": "+79161234567",
        "gender": "female", "birth_date": "1990-05-17", "city": "Казань",
    })

    assert response.status_code == 302
    anna.refresh_from_db()
    assert (anna.gender, anna.birth_date.isoformat(), anna.city) == ("female", "1990-05-17", "Казань")


def test_an_address_is_added_and_listed(signed_in, anna):
    signed_in.post("/account/addresses/new/", {"label": "Дом", "city": "Москва", "address": "ул. Тверская, 1",
                                               "postcode": "125009"})

    response = signed_in.get("/account/addresses/")

    assert Address.objects.get().user == anna
    assert "ул. Тверская, 1" in response.content.decode()


def test_a_postcode_must_have_six_digits(signed_in):
    response = signed_in.post("/account/addresses/new/", {"city": "Москва", "address": "ул. Тверская, 1",
                                                          "postcode": "12a"})

    assert response.status_code == 200
    assert "Enter the six-digit postcode." in response.content.decode()
    assert not Address.objects.exists()


def test_an_address_is_edited_and_deleted(signed_in, anna):
    address = Address.objects.create(user=anna, city="Москва", address="ул. Тверская, 1")

    signed_in.post(f"/account/addresses/{address.pk}/", {"city": "Тверь", "address": "ул. Советская, 2"})
    address.refresh_from_db()
    assert address.city == "Тверь"

    signed_in.post(f"/account/addresses/{address.pk}/delete/")
    assert not Address.objects.exists()


def test_another_customers_address_is_404(signed_in):
    theirs = Address.objects.create(user=UserFactory(), city="Москва", address="ул. Арбат, 3")

    assert signed_in.get(f"/account/addresses/{theirs.pk}/").status_code == 404
    assert signed_in.post(f"/account/addresses/{theirs.pk}/delete/").status_code == 404
    assert Address.objects.filter(pk=theirs.pk).exists()


def test_an_address_with_a_script_is_shown_escaped(signed_in, anna):
    Address.objects.create(user=anna, city="Москва", address="<script>alert(1)</script>")

    html = signed_in.get("/account/addresses/").content.decode()

    assert "<script>alert(1)</script>" not in html


def test_the_points_page_shows_the_balance_and_the_ledger(signed_in, anna):
    points_earn(user=anna, points=120, order_number="VT-10001")
    points_spend(user=anna, points=20, order_number="VT-10002")

    html = signed_in.get("/account/points/").content.decode()

    assert "You have 100 points." in html
    assert "VT-10001" in html and "+120" in html
    assert "VT-10002" in html and "-20" in html


def test_message_preferences_are_stored_as_consents_from_the_account(signed_in, anna):
    signed_in.post("/account/messages/", {"marketing_email": "on"})

    consents = Consent.objects.filter(user=anna)
    assert list(consents.values_list("kind", "granted", "source")) == [("marketing_email", True, "account")]
    assert _sent_marketing(anna, EMAIL)
    assert not _sent_marketing(anna, SMS)


def test_withdrawing_a_consent_adds_a_row_and_keeps_the_old_one(signed_in, anna):
    signed_in.post("/account/messages/", {"marketing_email": "on", "marketing_sms": "on"})

    signed_in.post("/account/messages/", {"marketing_sms": "on"})

    assert Consent.objects.filter(user=anna, kind="marketing_email").count() == 2
    assert not _sent_marketing(anna, EMAIL)
    assert _sent_marketing(anna, SMS)


def test_saving_the_same_preferences_again_writes_nothing(signed_in, anna):
    signed_in.post("/account/messages/", {"marketing_email": "on"})

    signed_in.post("/account/messages/", {"marketing_email": "on"})

    assert Consent.objects.filter(user=anna).count() == 1


def test_the_preferences_page_says_order_messages_are_always_sent(signed_in):
    html = signed_in.get("/account/messages/").content.decode()

    assert "Messages about your orders" in html
    assert "always sent" in html


def test_export_is_a_json_file_with_my_data_and_not_anothers(signed_in, anna):
    other = UserFactory(email="boris@example.com", first_name="Борис")
    Address.objects.create(user=anna, city="Москва", address="ул. Тверская, 1")
    Address.objects.create(user=other, city="Тверь", address="ул. Чужая, 9")
    points_earn(user=anna, points=50, order_number="VT-1")
    VisitFactory(user=anna, utm_source="yandex")
    VisitFactory(user=other, utm_source="google")
    mine, theirs = _order_of(anna), _order_of(other)

    response = signed_in.get("/account/privacy/export/")

    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["profile"]["email"] == "anna@example.com"
    assert [a["address"] for a in data["addresses"]] == ["ул. Тверская, 1"]
    assert [p["delta"] for p in data["points"]] == [50]
    assert [v["utm_source"] for v in data["visits"]] == ["yandex"]
    assert [o["number"] for o in data["orders"]] == [mine.number]
    text = response.content.decode()
    assert "boris@example.com" not in text and "ул. Чужая, 9" not in text and theirs.number not in text


def test_a_delete_request_is_recorded_once_and_the_page_says_so(signed_in, anna):
    signed_in.post("/account/privacy/delete/")
    signed_in.post("/account/privacy/delete/")

    request = DataRequest.objects.get()
    assert (request.user, request.kind, request.status, request.email) == (anna, "delete", "new", anna.email)
    assert "is being processed" in signed_in.get("/account/privacy/").content.decode()
    assert User.objects.filter(pk=anna.pk).exists()


def test_the_privacy_page_explains_what_deleting_does(signed_in):
    html = signed_in.get("/account/privacy/").content.decode()

    assert "within 30 days" in html
    assert "bonus points are lost" in html


def test_account_pages_need_sign_in(client):
    for url in ("/account/addresses/", "/account/points/", "/account/messages/", "/account/privacy/",
                "/account/privacy/export/"):
        assert client.get(url).status_code == 302


def test_points_entries_of_others_are_not_shown(signed_in):
    PointsEntry.objects.create(user=UserFactory(), delta=777, reason="adjusted", comment="чужие")

    html = signed_in.get("/account/points/").content.decode()

    assert "777" not in html
