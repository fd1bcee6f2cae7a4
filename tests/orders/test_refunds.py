"""Money paid online goes back through the provider exactly once, and the customer is told."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from config.celery import app as celery_app
from marketing.models import OutboundMessage
from orders.models import Order, Payment, Refund
from orders.payments import provider_get
from orders.payments.refunds import SWEEP_AFTER, order_refund, payment_refund, refund_send, refunds_pending_send
from orders.services.backoffice import order_move
from orders.services.status import order_transition
from tests.factories import UserFactory
from tests.orders.test_yookassa import _checkout, _payment, _webhook

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager_tasks():
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def paid(client, yookassa, eager_tasks):
    """An order of 2,300 ₽ paid through YooKassa."""
    _checkout(client)
    _webhook(yookassa.pay(_payment().external_id))
    return Order.objects.get()


def _cancel(order, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order_move(order=order, to_status=Order.Status.CANCELLED, by=UserFactory(is_staff=True),
                   reason="Нет в наличии нужного цвета")


def _refund_messages(order) -> set[str]:
    return set(OutboundMessage.objects.filter(kind="order_refunded", reference=f"order:{order.number}")
               .values_list("channel", flat=True))


def test_cancelling_a_paid_order_gives_the_money_back_and_tells_the_customer(
        paid, yookassa, django_capture_on_commit_callbacks):
    _cancel(paid, django_capture_on_commit_callbacks)

    refund = Refund.objects.get()
    assert (refund.status, refund.amount) == (Refund.Status.SUCCEEDED, Decimal("2300.00"))
    assert [request["amount"]["value"] for request in yookassa.refund_requests] == ["2300.00"]
    assert yookassa.refund_requests[0]["receipt"]["customer"] == {"email": "anna@example.com"}
    assert Order.objects.get().payment_status == Order.PaymentStatus.REFUNDED
    assert _refund_messages(paid) == {"sms", "email"}


def test_a_returned_order_is_refunded(paid, yookassa, django_capture_on_commit_callbacks):
    Order.objects.filter(pk=paid.pk).update(status=Order.Status.DELIVERED)

    with django_capture_on_commit_callbacks(execute=True):
        order_move(order=Order.objects.get(), to_status=Order.Status.RETURNED, by=None)

    assert Refund.objects.get().status == Refund.Status.SUCCEEDED
    assert Order.objects.get().payment_status == Order.PaymentStatus.REFUNDED


def test_asking_to_refund_a_closed_order_again_refunds_nothing_more(paid, yookassa, django_capture_on_commit_callbacks):
    _cancel(paid, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        order_refund(order=paid)

    assert Refund.objects.count() == 1
    assert len(yookassa.refunds) == 1


def test_a_refund_whose_answer_was_lost_is_sent_again_and_is_still_one_refund(
        paid, yookassa, django_capture_on_commit_callbacks):
    yookassa.delay = 2  # YooKassa makes the refund, but its answer comes after the shop gave up
    _cancel(paid, django_capture_on_commit_callbacks)
    refund = Refund.objects.get()
    assert refund.status == Refund.Status.PENDING
    yookassa.delay = 0

    refunds_pending_send(provider=provider_get(), now=refund.updated_at + SWEEP_AFTER)

    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED
    assert len(yookassa.refunds) == 1
    assert Order.objects.get().payment_status == Order.PaymentStatus.REFUNDED


def test_a_payment_that_arrives_after_the_order_was_cancelled_goes_back(
        client, yookassa, eager_tasks, django_capture_on_commit_callbacks):
    _checkout(client)
    order = Order.objects.get()
    _cancel(order, django_capture_on_commit_callbacks)  # unpaid yet: nothing to refund
    assert not Refund.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        _webhook(yookassa.pay(_payment().external_id))  # the shopper paid in a tab left open

    refund = Refund.objects.get()
    assert (refund.reason, refund.status) == (Refund.Reason.PAID_AFTER_CLOSING, Refund.Status.SUCCEEDED)
    assert Order.objects.get().payment_status == Order.PaymentStatus.REFUNDED
    assert _refund_messages(order) == {"sms", "email"}


def test_paying_twice_in_two_tabs_gives_the_second_payment_back(
        client, yookassa, eager_tasks, django_capture_on_commit_callbacks):
    _checkout(client)
    first = _payment()
    second = Payment.objects.create(order=first.order, provider="yookassa", amount=first.amount)
    second.redirect_url = provider_get().create_payment(second, return_url="http://shop.test/thanks/")
    second.save()
    _webhook(yookassa.pay(first.external_id))

    with django_capture_on_commit_callbacks(execute=True):
        _webhook(yookassa.pay(second.external_id))

    refund = Refund.objects.get()
    assert (refund.payment_id, refund.reason) == (second.pk, Refund.Reason.PAID_TWICE)
    assert Order.objects.get().payment_status == Order.PaymentStatus.PAID


def test_part_of_a_payment_can_be_refunded_and_closing_the_order_refunds_the_rest(
        paid, yookassa, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        payment_refund(payment=_payment(), amount=Decimal("300.00"), reason=Refund.Reason.ORDER_REDUCED,
                       key="manager:1")
    assert Order.objects.get().payment_status == Order.PaymentStatus.PAID

    _cancel(Order.objects.get(), django_capture_on_commit_callbacks)

    assert sorted(request["amount"]["value"] for request in yookassa.refund_requests) == ["2000.00", "300.00"]
    assert Order.objects.get().payment_status == Order.PaymentStatus.REFUNDED


def test_a_refund_the_provider_refuses_is_marked_failed_with_its_answer(paid, yookassa):
    payment = _payment()
    yookassa.payments[payment.external_id]["status"] = "canceled"  # YooKassa will not refund it
    refund = payment_refund(payment=payment, amount=None, reason=Refund.Reason.ORDER_CLOSED, key="k1")

    refund = refund_send(refund_id=refund.pk, provider=provider_get())

    assert refund.status == Refund.Status.FAILED
    assert "not refundable" in refund.error


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_refunds_asked_for_at_once_never_give_back_more_than_was_paid(paid):
    payment = _payment()
    barrier = threading.Barrier(4)

    def ask(number):
        barrier.wait()
        try:
            payment_refund(payment=payment, amount=Decimal("1000.00"), reason=Refund.Reason.ORDER_REDUCED,
                           key=f"race:{number}")
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(number,)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(Refund.objects.values_list("amount", flat=True)) == [
        Decimal("300.00"), Decimal("1000.00"), Decimal("1000.00")]


def test_the_manager_sees_the_payment_and_what_went_back_on_the_order_page(
        paid, yookassa, admin_client, django_capture_on_commit_callbacks):
    _cancel(paid, django_capture_on_commit_callbacks)

    page = admin_client.get(f"/admin/orders/order/{paid.pk}/change/").content.decode()

    assert _payment().external_id in page
    assert "2,300" in page and "The order was cancelled or came back" in page


def test_a_paid_order_that_now_costs_less_gives_the_difference_back_once(
        paid, yookassa, django_capture_on_commit_callbacks):
    from orders.services.backoffice import LineChange, order_update_lines

    order_transition(order=paid, to_status=Order.Status.IN_PROGRESS, by=None)
    line = paid.lines.get()
    with django_capture_on_commit_callbacks(execute=True):
        order_update_lines(order=paid, lines=[LineChange(line.product_id, line.variant_id, 1)], by=None)
        order_update_lines(order=paid, lines=[LineChange(line.product_id, line.variant_id, 1)], by=None)  # again

    assert [request["amount"]["value"] for request in yookassa.refund_requests] == ["1000.00"]
    assert Order.objects.get().payment_status == Order.PaymentStatus.PAID
    assert _refund_messages(paid) == {"sms", "email"}
