import datetime

import pytest
from django.utils import timezone

from catalog.models import Product
from marketing.models import OutboundMessage
from marketing.services import messages_sweep
from orders.models import Order
from orders.services.pickup import orders_not_collected_expire
from orders.tasks import orders_not_collected_expire_task
from tests.marketing.ordering import PICKUP_ROAD, POST_ROAD, days_pass_since_ready, order_moved, order_placed

pytestmark = pytest.mark.django_db

Status = OutboundMessage.Status


def reminders_of(order):
    return OutboundMessage.objects.filter(reference=f"order:{order.number}", kind="order_parcel_waiting")


def test_parcel_reminder_is_due_the_configured_number_of_days_after_it_became_ready(settings, scripted_sms):
    settings.PARCEL_REMINDER_DAYS = 3
    before = timezone.now()

    order = order_moved(order_placed(delivery="pickup"), *PICKUP_ROAD)

    for reminder in reminders_of(order):
        assert reminder.status == Status.PENDING
        assert before + datetime.timedelta(days=3) <= reminder.due_at <= timezone.now() + datetime.timedelta(days=3)
    assert reminders_of(order).count() == 2


def test_parcel_reminder_is_not_sent_before_it_is_due(scripted_sms):
    order = order_moved(order_placed(delivery="pickup"), *PICKUP_ROAD)

    messages_sweep()

    assert set(reminders_of(order).values_list("status", flat=True)) == {Status.PENDING}
    assert not any("still waiting" in body for body in scripted_sms.delivered)


def test_parcel_reminder_is_sent_by_the_sweep_once_due(scripted_sms):
    order = order_moved(order_placed(delivery="pickup"), *PICKUP_ROAD)
    reminders_of(order).update(due_at=timezone.now())

    messages_sweep()
    messages_sweep()

    assert set(reminders_of(order).values_list("status", flat=True)) == {Status.SENT}
    [sms] = [body for body in scripted_sms.delivered if "still waiting" in body]
    assert sms.startswith(f"Order {order.number} is still waiting at Пункт выдачи на Тверской")


def test_parcel_reminder_is_cancelled_when_the_customer_collects_the_parcel(scripted_sms):
    order = order_moved(order_placed(delivery="pickup"), *PICKUP_ROAD)

    order_moved(order, Order.Status.DELIVERED)
    reminders_of(order).update(due_at=timezone.now())
    messages_sweep()

    assert set(reminders_of(order).values_list("status", flat=True)) == {Status.CANCELLED}
    assert not any("still waiting" in body for body in scripted_sms.delivered)


def test_parcel_reminder_already_sent_stays_sent_when_the_parcel_is_collected(scripted_sms):
    order = order_moved(order_placed(delivery="pickup"), *PICKUP_ROAD)
    reminders_of(order).update(due_at=timezone.now())
    messages_sweep()

    order_moved(order, Order.Status.DELIVERED)

    assert set(reminders_of(order).values_list("status", flat=True)) == {Status.SENT}


def test_parcel_at_the_post_office_is_reminded_too(scripted_sms):
    order = order_moved(order_placed(delivery="post"), *POST_ROAD, tracking_number="80085612345678")

    assert reminders_of(order).count() == 2


def test_uncollected_order_becomes_not_collected_after_the_storage_period_and_stock_returns(settings, scripted_sms):
    settings.PICKUP_STORAGE_DAYS = 7
    order = order_moved(order_placed(delivery="pickup", stock=5, quantity=2), *PICKUP_ROAD)
    product = Product.objects.get(pk=order.lines.get().product_id)
    assert product.stock == 3
    days_pass_since_ready(order, 7.01)

    moved = orders_not_collected_expire()

    order.refresh_from_db()
    product.refresh_from_db()
    assert moved == 1
    assert order.status == Order.Status.NOT_COLLECTED
    assert product.stock == 5
    assert order.history.last().comment == "The storage period is over; the parcel goes back."


def test_order_within_its_storage_period_stays_ready_for_pickup(settings, scripted_sms):
    settings.PICKUP_STORAGE_DAYS = 7
    order = order_moved(order_placed(delivery="pickup"), *PICKUP_ROAD)
    days_pass_since_ready(order, 6.9)

    assert orders_not_collected_expire() == 0

    order.refresh_from_db()
    assert order.status == Order.Status.READY_FOR_PICKUP


def test_not_collected_sweep_run_twice_returns_the_stock_once(settings, scripted_sms):
    order = order_moved(order_placed(delivery="pickup", stock=5, quantity=2), *PICKUP_ROAD)
    days_pass_since_ready(order, settings.PICKUP_STORAGE_DAYS + 1)

    first = orders_not_collected_expire_task.delay().get()
    second = orders_not_collected_expire_task.delay().get()

    assert (first, second) == (1, 0)
    assert Product.objects.get(pk=order.lines.get().product_id).stock == 5


def test_parcel_sent_back_cancels_the_reminder_that_has_not_gone_out(settings, scripted_sms):
    order = order_moved(order_placed(delivery="pickup"), *PICKUP_ROAD)
    days_pass_since_ready(order, settings.PICKUP_STORAGE_DAYS + 1)

    orders_not_collected_expire()

    assert set(reminders_of(order).values_list("status", flat=True)) == {Status.CANCELLED}
