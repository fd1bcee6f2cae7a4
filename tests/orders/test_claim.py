
import pytest
from django.utils import translation

from customers.roles import MANAGER
from orders.models import Order, OrderStatusChange
from orders.services import IllegalTransition, OrderAlreadyClaimed, order_claim, order_transition
from orders.signals import order_status_changed
from tests.factories import OrderFactory, staff_user
from tests.harness import in_parallel


@pytest.mark.django_db
def test_claiming_a_new_order_makes_the_manager_its_owner_and_starts_work():
    order = OrderFactory()
    manager = staff_user(MANAGER, first_name="Ирина", last_name="Петрова")

    claimed = order_claim(order=order, manager=manager)

    order.refresh_from_db()
    assert (order.status, order.manager, claimed.manager) == (Order.Status.IN_PROGRESS, manager, manager)
    assert order.claimed_at is not None


@pytest.mark.django_db
def test_claim_is_written_to_the_history_as_new_to_in_progress_by_the_manager():
    order = OrderFactory()
    manager = staff_user(MANAGER)

    order_claim(order=order, manager=manager)

    change = OrderStatusChange.objects.get(order=order)
    assert (change.from_status, change.to_status, change.changed_by) == ("new", "in_progress", manager)


@pytest.mark.django_db
def test_claim_announces_the_status_change():
    order = OrderFactory()
    manager = staff_user(MANAGER)
    heard = []

    def receiver(sender, **kwargs):
        heard.append((kwargs["from_status"], kwargs["to_status"], kwargs["by"]))

    order_status_changed.connect(receiver)
    try:
        order_claim(order=order, manager=manager)
    finally:
        order_status_changed.disconnect(receiver)

    assert heard == [("new", "in_progress", manager)]


@pytest.mark.django_db
def test_second_manager_sees_who_took_the_order():
    order = OrderFactory()
    first = staff_user(MANAGER, first_name="Ирина", last_name="Петрова")
    second = staff_user(MANAGER)
    order_claim(order=order, manager=first)

    with pytest.raises(OrderAlreadyClaimed) as refused:
        order_claim(order=Order.objects.get(pk=order.pk), manager=second)

    assert refused.value.holder_name == "Ирина Петрова"
    assert "already been taken by Ирина Петрова" in refused.value.messages[0]
    assert Order.objects.get(pk=order.pk).manager == first


@pytest.mark.django_db
def test_second_manager_is_told_in_russian_who_took_the_order_without_declining_the_name():
    order = OrderFactory()
    order_claim(order=order, manager=staff_user(MANAGER, first_name="Дмитрий", last_name="Соколов"))

    with pytest.raises(OrderAlreadyClaimed) as refused:
        order_claim(order=Order.objects.get(pk=order.pk), manager=staff_user(MANAGER))

    with translation.override("ru"):
        assert refused.value.messages == [f"Заказ {order.number} уже взял: Дмитрий Соколов."]


@pytest.mark.django_db
def test_claiming_again_an_order_one_holds_changes_nothing():
    order = OrderFactory()
    manager = staff_user(MANAGER)
    order_claim(order=order, manager=manager)

    order_claim(order=order, manager=manager)

    assert OrderStatusChange.objects.filter(order=order).count() == 1


@pytest.mark.django_db
def test_a_cancelled_order_cannot_be_claimed():
    order = OrderFactory()
    order_transition(order=order, to_status=Order.Status.CANCELLED, by=None, comment="дубль")

    with pytest.raises(IllegalTransition):
        order_claim(order=order, manager=staff_user(MANAGER))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_managers_pressing_at_once_leave_exactly_one_winner():
    order = OrderFactory()
    managers = [staff_user(MANAGER, first_name=f"Менеджер{i}", last_name="Тестов") for i in range(20)]
    results = in_parallel(len(managers), lambda index: order_claim(order=Order.objects.get(pk=order.pk),
                                                                   manager=managers[index]))

    winners = [result for result in results if isinstance(result, Order)]
    losers = [result for result in results if not isinstance(result, Order)]
    assert len(winners) == 1
    assert len(losers) == 19
    assert all(isinstance(loser, OrderAlreadyClaimed) for loser in losers), losers
    order.refresh_from_db()
    assert {loser.holder_name for loser in losers} == {str(order.manager)}
    assert order.manager == winners[0].manager
    assert OrderStatusChange.objects.filter(order=order, to_status="in_progress").count() == 1
