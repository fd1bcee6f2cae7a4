import pytest
from django.urls import reverse

from customers.roles import MANAGER, MARKETER, WAREHOUSE
from orders.models import Order
from orders.services import order_claim, order_transition
from tests.factories import OrderFactory, staff_user

pytestmark = pytest.mark.django_db

BANNER = reverse("admin:orders_order_banner")


def _signed_in(client, role, **fields):
    user = staff_user(role, **fields)
    client.force_login(user)
    return user


def test_banner_shows_a_new_order_with_number_total_delivery_and_age(client):
    _signed_in(client, MANAGER)
    order = OrderFactory(total_to_pay="2490.00", delivery_method__name="Курьер по Москве")

    data = client.get(BANNER, {"format": "json"}).json()

    assert data["count"] == 1
    shown = data["orders"][0]
    assert (shown["number"], shown["total"], shown["delivery"]) == (order.number, "2490.00", "Курьер по Москве")
    assert shown["waiting_seconds"] >= 0
    assert shown["claim_url"] == reverse("admin:orders_order_claim", args=[order.pk])


def test_banner_fragment_offers_to_take_the_order(client):
    _signed_in(client, MANAGER)
    order = OrderFactory()

    html = client.get(BANNER).content.decode()

    assert order.number in html
    assert "I&#x27;ll take it" in html or "I'll take it" in html


def test_banner_hides_an_order_once_someone_took_it(client):
    _signed_in(client, MANAGER)
    taken, waiting = OrderFactory(), OrderFactory()
    order_claim(order=taken, manager=staff_user(MANAGER))

    numbers = [shown["number"] for shown in client.get(BANNER, {"format": "json"}).json()["orders"]]

    assert numbers == [waiting.number]


def test_banner_hides_a_cancelled_order(client):
    _signed_in(client, MANAGER)
    order = OrderFactory()
    order_transition(order=order, to_status=Order.Status.CANCELLED, by=None)

    assert client.get(BANNER, {"format": "json"}).json() == {"count": 0, "orders": []}


def test_banner_is_empty_html_when_nothing_waits(client):
    _signed_in(client, MANAGER)

    assert client.get(BANNER).content.decode().strip() == ""


def test_banner_lists_the_oldest_order_first(client):
    _signed_in(client, MANAGER)
    first, second = OrderFactory(), OrderFactory()

    numbers = [shown["number"] for shown in client.get(BANNER, {"format": "json"}).json()["orders"]]

    assert numbers == [first.number, second.number]


@pytest.mark.parametrize("role", [MARKETER, WAREHOUSE])
def test_banner_is_refused_to_staff_who_do_not_take_orders(client, role):
    _signed_in(client, role)

    assert client.get(BANNER).status_code == 403


def test_banner_sends_an_anonymous_visitor_to_sign_in(client):
    response = client.get(BANNER)

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_every_admin_page_carries_the_banner_slot_and_script_for_a_manager(client):
    _signed_in(client, MANAGER)

    html = client.get(reverse("admin:index")).content.decode()

    assert 'id="bo-banner"' in html
    assert "js/backoffice.js" in html
    assert "<script>" not in html


def test_marketer_pages_carry_no_banner(client):
    _signed_in(client, MARKETER)

    html = client.get(reverse("admin:index")).content.decode()

    assert 'id="bo-banner"' not in html


def test_pressing_take_it_lands_the_winner_on_the_order(client):
    _signed_in(client, MANAGER)
    order = OrderFactory()

    response = client.post(reverse("admin:orders_order_claim", args=[order.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:orders_order_change", args=[order.pk])


def test_pressing_take_it_too_late_says_who_was_quicker(client):
    order = OrderFactory()
    order_claim(order=order, manager=staff_user(MANAGER, first_name="Ирина", last_name="Петрова"))
    _signed_in(client, MANAGER)

    response = client.post(reverse("admin:orders_order_claim", args=[order.pk]), follow=True)

    assert "already been taken by Ирина Петрова" in response.content.decode()


def test_claim_answers_409_with_the_holder_to_a_script(client):
    order = OrderFactory()
    order_claim(order=order, manager=staff_user(MANAGER, first_name="Ирина", last_name="Петрова"))
    _signed_in(client, MANAGER)

    response = client.post(reverse("admin:orders_order_claim", args=[order.pk]), HTTP_ACCEPT="application/json")

    assert response.status_code == 409
    assert response.json()["manager"] == "Ирина Петрова"
