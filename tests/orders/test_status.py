from decimal import Decimal

import pytest

from customers.models import PointsEntry
from customers.services import points_balance, points_earn
from orders.models import Order, PromoCode
from orders.services import IllegalTransition, order_transition
from orders.signals import order_status_changed
from tests.factories import ProductFactory, PromoCodeFactory, UserFactory

pytestmark = pytest.mark.django_db

S = Order.Status


def _walk(order, *statuses, by=None):
    for status in statuses:
        order = order_transition(order=order, to_status=status, by=by)
    return order


@pytest.fixture
def manager(db):
    return UserFactory(is_staff=True, first_name="Ольга", last_name="Петрова")


def test_legal_transitions_are_one_table():
    order = Order(status=S.NEW)

    assert order.can_transition_to(S.IN_PROGRESS)
    assert order.can_transition_to(S.CANCELLED)
    assert not order.can_transition_to(S.DELIVERED)
    assert set(Order.TRANSITIONS) == set(S.values)


def test_order_goes_from_new_to_delivered_step_by_step(place, cart_with, product, manager):
    order = place(cart_with((product, 1)))

    order = _walk(order, S.IN_PROGRESS, S.CONFIRMED, S.PACKED, S.SHIPPED, S.READY_FOR_PICKUP, S.DELIVERED,
                  by=manager)

    assert order.status == S.DELIVERED
    assert list(order.history.values_list("to_status", flat=True)) == [
        "new", "in_progress", "confirmed", "packed", "shipped", "ready_for_pickup", "delivered",
    ]


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ((), S.DELIVERED),
        ((), S.SHIPPED),
        ((S.IN_PROGRESS, S.CONFIRMED, S.PACKED, S.SHIPPED), S.CANCELLED),
        ((S.CANCELLED,), S.NEW),
        ((S.CANCELLED,), S.IN_PROGRESS),
        ((), "teleported"),
    ],
)
def test_illegal_transition_is_refused_and_changes_nothing(place, cart_with, product, manager, path, illegal):
    order = _walk(place(cart_with((product, 1))), *path, by=manager)
    history = order.history.count()

    with pytest.raises(IllegalTransition, match="cannot become"):
        order_transition(order=order, to_status=illegal, by=manager)

    order.refresh_from_db()
    assert order.status == (path[-1] if path else S.NEW)
    assert order.history.count() == history


def test_claiming_makes_the_manager_responsible(place, cart_with, product, manager):
    order = order_transition(order=place(cart_with((product, 1))), to_status=S.IN_PROGRESS, by=manager,
                             comment="Звоню клиенту")

    assert order.manager == manager
    change = order.history.last()
    assert (change.changed_by, change.comment) == (manager, "Звоню клиенту")


def test_second_manager_sees_who_took_the_order(place, cart_with, product, manager):
    order = place(cart_with((product, 1)))
    order_transition(order=Order.objects.get(pk=order.pk), to_status=S.IN_PROGRESS, by=manager)

    with pytest.raises(IllegalTransition, match="already been taken by Ольга Петрова"):
        order_transition(order=order, to_status=S.IN_PROGRESS, by=UserFactory(is_staff=True))


def test_status_change_signal_names_both_statuses(place, cart_with, product, manager):
    order = place(cart_with((product, 1)))
    seen = []

    def receiver(sender, order, from_status, to_status, by, **kwargs):
        seen.append((from_status, to_status, by))

    order_status_changed.connect(receiver)
    try:
        order_transition(order=order, to_status=S.IN_PROGRESS, by=manager)
    finally:
        order_status_changed.disconnect(receiver)

    assert seen == [("new", "in_progress", manager)]


def test_cancelling_returns_the_stock(place, cart_with, manager):
    kettle = ProductFactory(stock=5)
    order = place(cart_with((kettle, 2)))

    order_transition(order=order, to_status=S.CANCELLED, by=manager)

    kettle.refresh_from_db()
    assert (kettle.stock, kettle.sales_count) == (5, 0)


def test_cancelling_returns_the_points_spent(place, cart_with, manager):
    user = UserFactory()
    points_earn(user=user, points=500)
    order = place(cart_with((ProductFactory(price="1000.00"), 1), user=user, session_key=""), points=300)
    assert points_balance(user=user) == 200

    order_transition(order=order, to_status=S.CANCELLED, by=manager)

    assert points_balance(user=user) == 500


def test_cancelling_gives_the_promo_code_use_back(place, cart_with, product, manager):
    promo = PromoCodeFactory(code="ONCE", usage_limit=1)
    order = place(cart_with((product, 1)), promo_code="once")

    order_transition(order=order, to_status=S.CANCELLED, by=manager)

    assert PromoCode.objects.get(pk=promo.pk).used_count == 0
    assert not promo.uses.exists()


@pytest.mark.parametrize("path", [
    (S.IN_PROGRESS, S.CONFIRMED, S.PACKED, S.SHIPPED, S.RETURNED),
    (S.IN_PROGRESS, S.CONFIRMED, S.PACKED, S.READY_FOR_PICKUP, S.NOT_COLLECTED),
])
def test_parcel_that_comes_back_returns_the_stock(place, cart_with, manager, path):
    kettle = ProductFactory(stock=5)
    order = place(cart_with((kettle, 2)))

    _walk(order, *path, by=manager)

    kettle.refresh_from_db()
    assert kettle.stock == 5


def test_delivery_earns_points_on_what_was_paid_for_the_goods(place, cart_with, manager, settings):
    settings.POINTS_EARN_PERCENT = Decimal("5")
    user = UserFactory()
    points_earn(user=user, points=300)
    order = place(cart_with((ProductFactory(price="2000.00"), 1), user=user, session_key=""), points=300)

    _walk(order, S.IN_PROGRESS, S.CONFIRMED, S.PACKED, S.SHIPPED, S.DELIVERED, by=manager)

    earned = PointsEntry.objects.get(user=user, reason=PointsEntry.Reason.EARNED, order_number=order.number)
    assert earned.delta == 85  # 5 % of 2000 − 300 paid with points
    assert earned.expires_at is not None


def test_guest_order_delivered_earns_nothing(place, cart_with, product, manager):
    order = place(cart_with((product, 1)))

    _walk(order, S.IN_PROGRESS, S.CONFIRMED, S.PACKED, S.SHIPPED, S.DELIVERED, by=manager)

    assert not PointsEntry.objects.exists()


def test_return_after_delivery_takes_the_earned_points_back(place, cart_with, manager):
    user = UserFactory()
    order = place(cart_with((ProductFactory(price="2000.00"), 1), user=user, session_key=""))
    _walk(order, S.IN_PROGRESS, S.CONFIRMED, S.PACKED, S.SHIPPED, S.DELIVERED, by=manager)
    assert points_balance(user=user) == 100

    order_transition(order=order, to_status=S.RETURNED, by=manager)

    assert points_balance(user=user) == 0
