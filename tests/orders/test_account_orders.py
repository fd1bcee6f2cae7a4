import pytest

from orders.models import Order
from orders.services import cart_get_or_create, order_transition
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def anna(db):
    return UserFactory(email="anna@example.com")


@pytest.fixture
def order_of(place, cart_with, product):
    """An order placed by `user` through the checkout service."""

    def _order_of(user, quantity=1):
        return place(cart_with((product, quantity), cart=cart_get_or_create(user=user)))

    return _order_of


def test_the_order_list_shows_my_orders_with_their_status(client, anna, order_of):
    order = order_of(anna)
    client.force_login(anna)

    response = client.get("/account/orders/")

    assert response.status_code == 200
    html = response.content.decode()
    assert order.number in html
    assert "New" in html


def test_the_order_list_does_not_show_other_customers_orders(client, anna, order_of):
    theirs = order_of(UserFactory())
    client.force_login(anna)

    response = client.get("/account/orders/")

    assert theirs.number not in response.content.decode()
    assert "You have no orders yet." in response.content.decode()


def test_another_customers_order_is_404(client, anna, order_of):
    theirs = order_of(UserFactory())
    client.force_login(anna)

    response = client.get(f"/account/orders/{theirs.number}/")

    assert response.status_code == 404


def test_a_guest_is_sent_to_sign_in(client, anna, order_of):
    order = order_of(anna)

    response = client.get(f"/account/orders/{order.number}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/")


def test_the_order_page_shows_lines_and_status_history(client, anna, order_of):
    order = order_of(anna, quantity=2)
    order_transition(order=order, to_status=Order.Status.IN_PROGRESS, by=None, comment="internal: VIP")
    client.force_login(anna)

    response = client.get(f"/account/orders/{order.number}/")

    html = response.content.decode()
    assert order.lines.get().product_name in html
    assert "In progress" in html
    assert "internal: VIP" not in html


def _ship(order, tracking_number="RA123456789RU"):
    for status in (Order.Status.IN_PROGRESS, Order.Status.CONFIRMED, Order.Status.PACKED, Order.Status.SHIPPED):
        order_transition(order=order, to_status=status, by=None)
    Order.objects.filter(pk=order.pk).update(tracking_number=tracking_number)


def test_the_tracking_number_is_shown_once_shipped(client, anna, order_of, settings):
    settings.ORDER_TRACKING_URLS = {"courier": "https://track.example/{number}"}
    order = order_of(anna)
    _ship(order)
    client.force_login(anna)

    response = client.get(f"/account/orders/{order.number}/")

    html = response.content.decode()
    assert "RA123456789RU" in html
    assert "https://track.example/RA123456789RU" in html


def test_the_tracking_number_is_not_shown_before_shipping(client, anna, order_of):
    order = order_of(anna)
    Order.objects.filter(pk=order.pk).update(tracking_number="RA123456789RU")
    client.force_login(anna)

    response = client.get(f"/account/orders/{order.number}/")

    assert "RA123456789RU" not in response.content.decode()


def test_a_comment_with_a_script_is_shown_escaped(client, anna, place, cart_with, product):
    order = place(cart_with((product, 1), cart=cart_get_or_create(user=anna)), comment="<script>alert(1)</script>")
    client.force_login(anna)

    html = client.get(f"/account/orders/{order.number}/").content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
