"""A shopper's visit notes the funnel steps it takes (added to cart, began checkout), so the
owner's funnel can split them by the visit's channel and device."""

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from customers.models import Visit, VisitEvent
from customers.services import visit_event_record
from orders.models import Order
from tests.factories import DeliveryMethodFactory, ProductFactory, VisitFactory

pytestmark = pytest.mark.django_db

CART, CHECKOUT = VisitEvent.Kind.ADDED_TO_CART, VisitEvent.Kind.CHECKOUT_STARTED


@pytest.fixture
def kettle():
    return ProductFactory(name="Чайник", price=Decimal("1000.00"), stock=10)


@pytest.fixture
def shopper(kettle):
    """A guest who came from a search engine and is looking at the kettle."""
    client = Client(headers={"user-agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0"})
    client.get(kettle.get_absolute_url(), headers={"referer": "https://yandex.ru/search/?text=kettle"})
    return client


def steps() -> list[tuple[int, str]]:
    return sorted(VisitEvent.objects.values_list("visit_id", "kind"))


def checkout_form(client, **overrides) -> dict:
    page = client.get(reverse("orders:checkout")).content.decode()
    token = re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)
    method = DeliveryMethodFactory(kind="courier", name="Курьер", price=Decimal("390.00"))
    data = {"name": "Анна Смирнова", "phone": "8 (916) 123-45-67", "email": "", "delivery_method": method.pk,
            "address": "Москва, ул. Тверская, 1, кв. 5", "payment": "cash_on_delivery",
            "consent_personal_data": "on", "token": token, **overrides}
    return {key: value for key, value in data.items() if value is not None}


def test_adding_to_cart_notes_the_step_on_the_visit_once(shopper, kettle):
    visit = Visit.objects.get()

    shopper.post(reverse("orders:cart_add"), {"product": kettle.pk, "quantity": "1"})
    shopper.post(reverse("orders:cart_add"), {"product": kettle.pk, "quantity": "1"})

    assert steps() == [(visit.pk, CART)]


def test_adding_more_than_in_stock_is_not_a_cart_step(shopper, kettle):
    shopper.post(reverse("orders:cart_add"), {"product": kettle.pk, "quantity": "11"})

    assert steps() == []


def test_adding_to_cart_through_the_api_notes_the_step_of_the_browsers_visit(shopper, kettle):
    response = shopper.post("/api/v1/cart/items/", {"product": kettle.pk, "quantity": 1},
                            content_type="application/json")

    assert response.status_code == 201
    assert steps() == [(Visit.objects.get().pk, CART)]


def test_placing_an_order_notes_that_the_visit_began_checkout(shopper, kettle):
    shopper.post(reverse("orders:cart_add"), {"product": kettle.pk, "quantity": "1"})

    shopper.post(reverse("orders:checkout"), checkout_form(shopper))

    visit = Visit.objects.get()
    assert Order.objects.get().visit == visit
    assert steps() == [(visit.pk, CART), (visit.pk, CHECKOUT)]


def test_a_contact_left_on_a_failed_checkout_still_began_checkout(shopper, kettle):
    shopper.post(reverse("orders:cart_add"), {"product": kettle.pk, "quantity": "1"})

    response = shopper.post(reverse("orders:checkout"), checkout_form(shopper, address=""))

    assert response.status_code == 200 and not Order.objects.exists()
    assert (Visit.objects.get().pk, CHECKOUT) in steps()


def test_a_checkout_sent_without_any_contact_has_not_begun(shopper, kettle):
    shopper.post(reverse("orders:cart_add"), {"product": kettle.pk, "quantity": "1"})

    shopper.post(reverse("orders:checkout"), checkout_form(shopper, phone="not a phone", email="nor@mail"))

    assert [kind for _visit, kind in steps()] == [CART]


def test_a_step_of_a_visit_that_is_gone_is_dropped_quietly():
    gone = VisitFactory()
    gone_id = gone.pk
    gone.delete()

    visit_event_record(visit_id=gone_id, kind=CART)
    visit_event_record(visit_id=None, kind=CART)

    assert steps() == []
