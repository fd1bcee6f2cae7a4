import json
import threading
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from integrations.models import Webhook, WebhookDelivery, WebhookEvent
from integrations.webhooks.services import webhook_deliver, webhook_resend, webhooks_enqueue, webhooks_sweep
from integrations.webhooks.signing import signature_valid
from orders.services import Contact, Delivery, cart_add, order_place
from orders.services.status import order_transition
from orders.services.stock import StockItem, stock_reserve
from tests.factories import CartFactory, DeliveryMethodFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db
Status = WebhookDelivery.Status


def hook(receiver, *events, **fields) -> Webhook:
    return Webhook.objects.create(name="CRM", url=receiver.url, events=list(events) or list(WebhookEvent.values),
                                  **fields)


def place_order(product, *, quantity=1):
    cart = CartFactory()
    cart_add(cart=cart, product=product, variant=None, quantity=quantity)
    return order_place(
        cart=cart, contact=Contact(name="Анна", phone="+79161234567", email="anna@example.com"),
        delivery=Delivery(method=DeliveryMethodFactory(kind="courier"), address="Москва, Тверская, 1"),
        payment="cash_on_delivery", idempotency_key=uuid.uuid4().hex,
    ).order


def deliver_all() -> list[WebhookDelivery]:
    return [webhook_deliver(delivery_id=pk) for pk in WebhookDelivery.objects.values_list("pk", flat=True)]


def test_a_placed_order_reaches_the_receiver_signed_with_the_webhooks_secret(receiver):
    crm = hook(receiver, WebhookEvent.ORDER_PLACED)
    order = place_order(ProductFactory(sku="KT-1", price=Decimal("1500")), quantity=2)

    [delivery] = deliver_all()

    [call] = receiver.received
    payload = json.loads(call.body)
    assert delivery.status == Status.DELIVERED and delivery.attempts == 1
    assert call.headers["X-Vitrina-Event"] == "order.placed"
    assert call.headers["X-Vitrina-Delivery"] == delivery.idempotency_key == payload["id"]
    assert signature_valid(secret=crm.secret, header=call.headers["X-Vitrina-Signature"], body=call.body)
    assert not signature_valid(secret="another secret", header=call.headers["X-Vitrina-Signature"], body=call.body)
    assert not signature_valid(secret=crm.secret, header=call.headers["X-Vitrina-Signature"], body=call.body + b" ")
    assert payload["data"]["number"] == order.number
    assert payload["data"]["lines"][0] == {"sku": "KT-1", "product": order.lines.get().product_name, "variant": "",
                                           "unit_price": "1500.00", "quantity": 2, "line_total": "3000.00"}


def test_a_failed_call_is_retried_later_and_every_answer_is_logged(receiver):
    hook(receiver, WebhookEvent.ORDER_PLACED)
    receiver.script = [503]
    place_order(ProductFactory())

    [first] = deliver_all()
    assert (first.status, first.attempts, first.last_error) == (Status.PENDING, 1, "HTTP 503")
    assert first.due_at > timezone.now() + timedelta(seconds=20)
    assert webhook_deliver(delivery_id=first.pk) is None  # not due yet

    WebhookDelivery.objects.filter(pk=first.pk).update(due_at=timezone.now())
    webhooks_sweep()  # hands it to a worker (here: the broker); the worker's call follows
    second = webhook_deliver(delivery_id=first.pk)

    assert (second.status, second.attempts) == (Status.DELIVERED, 2)
    assert [(a.status_code, a.response) for a in second.attempts_made.all()] == [
        (503, "busy, try later"), (200, '{"ok": true}')]
    assert len(receiver.received) == 2
    assert receiver.received[0].headers["X-Vitrina-Delivery"] == receiver.received[1].headers["X-Vitrina-Delivery"]


def test_a_receiver_that_does_not_answer_in_time_is_retried(receiver):
    hook(receiver, WebhookEvent.ORDER_PLACED)
    receiver.script = ["hang"]
    place_order(ProductFactory())

    [delivery] = deliver_all()

    assert delivery.status == Status.PENDING
    assert "timed out" in delivery.last_error.lower()
    assert delivery.attempts_made.get().status_code is None


def test_the_last_attempt_fails_the_delivery_and_resend_sends_it_again(receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    hook(receiver, WebhookEvent.ORDER_PLACED)
    receiver.script = [500, 500]
    place_order(ProductFactory())
    [delivery] = deliver_all()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(due_at=timezone.now())

    failed = webhook_deliver(delivery_id=delivery.pk)
    assert (failed.status, failed.attempts) == (Status.FAILED, 2)

    assert webhook_resend(delivery_id=delivery.pk)
    resent = webhook_deliver(delivery_id=delivery.pk)
    assert resent.status == Status.DELIVERED and len(receiver.received) == 3


def test_one_event_is_one_delivery_however_often_it_is_announced(receiver):
    crm = hook(receiver, WebhookEvent.CUSTOMER_CREATED)

    created = [webhooks_enqueue(event=WebhookEvent.CUSTOMER_CREATED, key="customer.created:7", data={"id": 7})
               for _ in range(3)]

    assert created == [1, 0, 0]
    assert WebhookDelivery.objects.get().idempotency_key == f"{crm.pk}:customer.created:7"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_one_row_make_one_call(receiver):
    hook(receiver, WebhookEvent.CUSTOMER_CREATED)
    webhooks_enqueue(event=WebhookEvent.CUSTOMER_CREATED, key="customer.created:1", data={"id": 1})
    delivery_id = WebhookDelivery.objects.get().pk
    barrier, results = threading.Barrier(2), []

    def worker():
        barrier.wait()
        try:
            results.append(webhook_deliver(delivery_id=delivery_id))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(result is None for result in results) == [False, True]
    assert len(receiver.received) == 1


def test_an_unreachable_receiver_is_never_called_in_the_shoppers_request(receiver, client,
                                                                         django_capture_on_commit_callbacks):
    hook(receiver, WebhookEvent.ORDER_PLACED)
    receiver.script = ["hang"]
    kettle = ProductFactory(stock=5)
    method = DeliveryMethodFactory(kind="courier")
    client.post("/cart/add/", {"product": kettle.pk, "quantity": "1"})
    page = client.get("/checkout/").content.decode()
    token = page.split('name="token" value="')[1].split('"')[0]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/checkout/", {
            "name": "Анна", "phone": "8 916 123-45-67", "email": "anna@example.com", "delivery_method": method.pk,
            "address": "Москва, Тверская, 1", "payment": "cash_on_delivery", "consent_personal_data": "on",
            "token": token,
        })

    assert response.status_code == 302
    assert receiver.received == []
    assert WebhookDelivery.objects.get().status == Status.PENDING


def test_stock_changes_are_announced_only_when_the_numbers_change(receiver, django_capture_on_commit_callbacks):
    hook(receiver, WebhookEvent.STOCK_CHANGED)
    kettle = ProductFactory(sku="KT-1", stock=5)
    WebhookDelivery.objects.all().delete()

    kettle.name = "Чайник стеклянный"
    kettle.save()
    assert not WebhookDelivery.objects.exists()

    stock_reserve(items=[StockItem(product_id=kettle.pk, variant_id=None, quantity=2, name=kettle.name)])
    [delivery] = WebhookDelivery.objects.all()
    assert delivery.event == "stock.changed"
    assert delivery.payload["data"] == {"items": [{"sku": "KT-1", "stock": 3}]}


def test_status_changes_and_new_customers_are_announced(receiver):
    hook(receiver)
    order = place_order(ProductFactory())
    manager = UserFactory(is_staff=True)
    order_transition(order=order, to_status="in_progress", by=manager)
    UserFactory(email="new@example.com")

    events = set(WebhookDelivery.objects.values_list("event", flat=True))

    assert events == {"customer.created", "order.placed", "order.status_changed", "stock.changed"}
    change = WebhookDelivery.objects.get(event="order.status_changed").payload["data"]
    assert (change["from_status"], change["to_status"]) == ("new", "in_progress")


def test_a_webhook_hears_only_the_events_it_chose(receiver):
    hook(receiver, WebhookEvent.CUSTOMER_CREATED)

    place_order(ProductFactory())

    assert not WebhookDelivery.objects.exists()
