import pytest
from django.contrib.auth.models import Permission
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from customers.roles import MANAGER, MARKETER, OWNER, WAREHOUSE
from orders.models import CallLog, Order
from orders.services import order_claim, order_transition
from tests.factories import DeliveryMethodFactory, OrderFactory, staff_user

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/staff/orders/"


def api_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def numbers(response) -> list[str]:
    return [order["number"] for order in response.json()["results"]]


def test_without_a_token_the_staff_api_is_closed():
    response = APIClient().get(ORDERS)

    assert response.status_code == 401


def test_a_customer_with_a_token_is_refused():
    from tests.factories import UserFactory

    response = api_for(UserFactory()).get(ORDERS)

    assert response.status_code == 403


def test_a_manager_lists_orders_with_their_totals_and_delivery():
    order = OrderFactory(total_to_pay="1990.00")

    data = api_for(staff_user(MANAGER)).get(ORDERS).json()

    assert data["results"][0]["number"] == order.number
    assert data["results"][0]["total_to_pay"] == "1990.00"
    assert data["results"][0]["delivery_method"]["kind"] == "courier"


def test_orders_filter_by_status_manager_and_delivery_kind():
    manager = staff_user(MANAGER)
    mine = order_claim(order=OrderFactory(), manager=manager)
    OrderFactory(delivery_method=DeliveryMethodFactory(kind="post"))
    client = api_for(manager)

    assert numbers(client.get(ORDERS, {"status": "in_progress"})) == [mine.number]
    assert numbers(client.get(ORDERS, {"manager": "me"})) == [mine.number]
    assert len(numbers(client.get(ORDERS, {"delivery_kind": "post"}))) == 1


def test_orders_search_by_number_phone_or_email():
    order = OrderFactory(phone="+79161234567", email="anna@example.com")
    OrderFactory()
    client = api_for(staff_user(MANAGER))

    for query in (order.number, "8 916 123-45-67", "Anna@Example.com"):
        assert numbers(client.get(ORDERS, {"q": query})) == [order.number], query


def test_unclaimed_orders_come_oldest_first():
    first, second = OrderFactory(), OrderFactory()
    order_claim(order=OrderFactory(), manager=staff_user(MANAGER))

    response = api_for(staff_user(MANAGER)).get(ORDERS, {"unclaimed": "true"})

    assert numbers(response) == [first.number, second.number]


def test_claim_gives_the_order_to_the_first_manager():
    order = OrderFactory()
    manager = staff_user(MANAGER)

    response = api_for(manager).post(f"{ORDERS}{order.number}/claim/")

    assert response.status_code == 200
    assert response.json()["manager"]["id"] == manager.pk
    assert response.json()["status"] == "in_progress"


def test_claim_answers_409_naming_who_holds_the_order():
    order = OrderFactory()
    order_claim(order=order, manager=staff_user(MANAGER, first_name="Ирина", last_name="Петрова"))

    response = api_for(staff_user(MANAGER)).post(f"{ORDERS}{order.number}/claim/")

    assert response.status_code == 409
    assert response.json()["manager"] == "Ирина Петрова"


def test_a_marketer_cannot_claim_through_the_api():
    order = OrderFactory()

    response = api_for(staff_user(MARKETER)).post(f"{ORDERS}{order.number}/claim/")

    assert response.status_code == 403
    assert Order.objects.get(pk=order.pk).manager is None


def test_a_legal_transition_moves_the_order():
    manager = staff_user(MANAGER)
    order = order_claim(order=OrderFactory(), manager=manager)

    response = api_for(manager).post(f"{ORDERS}{order.number}/transition/", {"to_status": "confirmed"})

    assert response.status_code == 200
    assert Order.objects.get(pk=order.pk).status == "confirmed"


def test_an_illegal_transition_answers_409_and_changes_nothing():
    manager = staff_user(MANAGER)
    order = order_claim(order=OrderFactory(), manager=manager)

    response = api_for(manager).post(f"{ORDERS}{order.number}/transition/", {"to_status": "delivered"})

    assert response.status_code == 409
    assert Order.objects.get(pk=order.pk).status == "in_progress"


def test_cancelling_without_a_reason_answers_400():
    manager = staff_user(MANAGER)
    order = order_claim(order=OrderFactory(), manager=manager)

    response = api_for(manager).post(f"{ORDERS}{order.number}/transition/", {"to_status": "cancelled"})

    assert response.status_code == 400
    assert "reason" in response.json()


def test_a_manager_cannot_move_another_managers_order_through_the_api():
    order = order_claim(order=OrderFactory(), manager=staff_user(MANAGER))

    response = api_for(staff_user(MANAGER)).post(f"{ORDERS}{order.number}/transition/", {"to_status": "confirmed"})

    assert response.status_code == 403
    assert Order.objects.get(pk=order.pk).status == Order.Status.IN_PROGRESS


def test_a_supervisor_moves_another_managers_order_through_the_api():
    order = order_claim(order=OrderFactory(), manager=staff_user(MANAGER))
    supervisor = staff_user(MANAGER)
    supervisor.user_permissions.add(Permission.objects.get(codename="supervise_orders"))

    response = api_for(supervisor).post(f"{ORDERS}{order.number}/transition/", {"to_status": "confirmed"})

    assert response.status_code == 200


def test_the_warehouse_ships_with_a_tracking_number():
    holder = staff_user(MANAGER)
    order = order_claim(order=OrderFactory(), manager=holder)
    order_transition(order=order, to_status=Order.Status.CONFIRMED, by=holder)
    order_transition(order=order, to_status=Order.Status.PACKED, by=holder)

    response = api_for(staff_user(WAREHOUSE)).post(
        f"{ORDERS}{order.number}/transition/", {"to_status": "shipped", "tracking_number": "RA123RU"})

    assert response.status_code == 200
    assert response.json()["tracking_number"] == "RA123RU"


def test_logging_a_call_through_the_api_starts_the_first_call_clock():
    manager = staff_user(MANAGER)
    order = order_claim(order=OrderFactory(), manager=manager)
    client = api_for(manager)

    created = client.post(f"{ORDERS}{order.number}/calls/", {"outcome": "reached", "comment": "Подтвердила"})
    listed = client.get(f"{ORDERS}{order.number}/calls/")

    assert created.status_code == 201
    assert Order.objects.get(pk=order.pk).first_call_at is not None
    assert [call["comment"] for call in listed.json()] == ["Подтвердила"]


def test_call_back_without_a_time_answers_400():
    manager = staff_user(MANAGER)
    order = order_claim(order=OrderFactory(), manager=manager)

    response = api_for(manager).post(f"{ORDERS}{order.number}/calls/", {"outcome": "call_back"})

    assert response.status_code == 400
    assert not CallLog.objects.exists()


def test_the_owner_logs_a_call_on_any_order():
    order = order_claim(order=OrderFactory(), manager=staff_user(MANAGER))

    response = api_for(staff_user(OWNER)).post(f"{ORDERS}{order.number}/calls/", {"outcome": "no_answer"})

    assert response.status_code == 201


@pytest.mark.parametrize("when", ["0632-01-01T10:00:00Z", "9999-12-31T10:00:00Z"])
def test_a_call_back_centuries_away_is_refused(when):
    manager = staff_user(MANAGER)
    order = order_claim(order=OrderFactory(), manager=manager)

    response = api_for(manager).post(f"{ORDERS}{order.number}/calls/", {"outcome": "call_back", "call_back_at": when})

    assert response.status_code == 400
    assert "call_back_at" in response.json()["errors"]
    assert not CallLog.objects.exists()
