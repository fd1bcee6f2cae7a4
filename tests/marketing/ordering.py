"""Placing and moving real orders through the orders services, for the order-message tests."""

import datetime
import uuid
from decimal import Decimal

from django.db import transaction

from orders.models import Order, OrderStatusChange
from orders.services import Contact, Delivery, cart_add, order_place, order_transition
from tests.factories import CartFactory, DeliveryMethodFactory, PickupPointFactory, ProductFactory, UserFactory

Status = Order.Status

# The road of each kind of delivery, from "new" to the customer's hands.
COURIER_ROAD = (Status.IN_PROGRESS, Status.CONFIRMED, Status.PACKED, Status.SHIPPED, Status.DELIVERED)
PICKUP_ROAD = (Status.IN_PROGRESS, Status.CONFIRMED, Status.PACKED, Status.READY_FOR_PICKUP)
POST_ROAD = (Status.IN_PROGRESS, Status.CONFIRMED, Status.PACKED, Status.SHIPPED, Status.READY_FOR_PICKUP)


def delivery_of(kind: str, *, address: str = "Москва, ул. Тверская, 1, кв. 5") -> Delivery:
    if kind == "pickup":
        point = PickupPointFactory(name="Пункт выдачи на Тверской", address="ул. Тверская, 7", opening_hours="")
        return Delivery(method=point.delivery_method, pickup_point=point)
    if kind == "post":
        return Delivery(method=DeliveryMethodFactory(kind="post"), address="Казань, ул. Баумана, 1", postcode="420111")
    return Delivery(method=DeliveryMethodFactory(kind="courier"), address=address)


def order_placed(*, email: str = "anna@example.com", delivery: str = "courier", stock: int = 10,
                 quantity: int = 2, **address) -> Order:
    """An order for two things at 1 000 ₽ (plus 300 ₽ delivery), placed by a guest."""
    product = ProductFactory(price=Decimal("1000.00"), stock=stock)
    cart = CartFactory()
    cart_add(cart=cart, product=product, variant=None, quantity=quantity)
    return order_place(
        cart=cart, contact=Contact(name="Анна", phone="8 916 123-45-67", email=email),
        delivery=delivery_of(delivery, **address), payment="cash_on_delivery", idempotency_key=uuid.uuid4().hex,
    ).order


def order_moved(order: Order, *statuses: str, manager=None, tracking_number: str = "") -> Order:
    """Move the order along `statuses`; the first move ("in progress") makes `manager` its owner."""
    manager = manager or UserFactory(is_staff=True)
    for status in statuses:
        with transaction.atomic():
            if status == Status.SHIPPED and tracking_number:
                Order.objects.filter(pk=order.pk).update(tracking_number=tracking_number)
                order.tracking_number = tracking_number
            order = order_transition(order=order, to_status=status, by=manager)
    return order


def days_pass_since_ready(order: Order, days: float) -> None:
    """Pretend the order became ready for pickup `days` ago (its history says when)."""
    moment = order.history.filter(to_status=Status.READY_FOR_PICKUP).get().created_at
    OrderStatusChange.objects.filter(order=order, to_status=Status.READY_FOR_PICKUP).update(
        created_at=moment - datetime.timedelta(days=days)
    )
