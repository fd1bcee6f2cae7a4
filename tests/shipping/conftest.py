import pytest

from config.celery import app as celery_app
from orders.models import DeliveryMethod, Order
from orders.services.backoffice import order_move
from tests.factories import DeliveryMethodFactory, OrderFactory, PickupPointFactory
from tests.fakes.carriers import FakeCdek, FakeRussianPost


@pytest.fixture
def cdek(settings):
    with FakeCdek() as fake:
        fake.settings(settings)
        yield fake


@pytest.fixture
def russian_post(settings):
    with FakeRussianPost() as fake:
        fake.settings(settings)
        yield fake


@pytest.fixture
def eager_tasks():
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def shipped(db):
    """An order handed to its carrier: packed, then shipped by the warehouse with a tracking number."""

    def _shipped(*, carrier: str = DeliveryMethod.Carrier.CDEK, tracking_number: str = "1234567890") -> Order:
        by_post = carrier == DeliveryMethod.Carrier.RUSSIAN_POST
        kind = DeliveryMethod.Kind.POST if by_post else DeliveryMethod.Kind.PICKUP
        method = DeliveryMethodFactory(kind=kind, carrier=carrier, name="СДЭК" if kind == "pickup" else "Почта")
        point = PickupPointFactory(delivery_method=method) if kind == DeliveryMethod.Kind.PICKUP else None
        order = OrderFactory(status=Order.Status.PACKED, delivery_method=method, pickup_point=point,
                             postcode="101000" if point is None else "")
        return order_move(order=order, to_status=Order.Status.SHIPPED, by=None, tracking_number=tracking_number)

    return _shipped
