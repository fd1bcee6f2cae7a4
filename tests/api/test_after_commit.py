"""Whatever runs after an order commits (dropping cached pages, handing messages to the broker)
can fail when Redis or the broker is down; the order is placed all the same and the shopper is
told so, never shown an error (core.transactions.after_commit)."""

import pytest

from core.transactions import after_commit
from orders.models import Order
from orders.signals import order_placed

pytestmark = pytest.mark.django_db


def _redis_is_down():
    raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@pytest.fixture
def a_step_after_commit_that_fails():
    def schedule_a_failing_step(sender, order, **kwargs):
        after_commit(_redis_is_down)

    order_placed.connect(schedule_a_failing_step, dispatch_uid="test.after_commit_fails")
    yield
    order_placed.disconnect(dispatch_uid="test.after_commit_fails")


def test_an_order_whose_after_commit_step_fails_is_answered_201(
    a_step_after_commit_that_fails, signed_in, kettle, checkout_answers, django_capture_on_commit_callbacks, caplog,
):
    signed_in.post("/api/v1/cart/items/", {"product": kettle.pk, "quantity": 1}, format="json")

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post("/api/v1/checkout/", checkout_answers, format="json")

    assert response.status_code == 201
    assert Order.objects.get().number == response.json()["number"]
    assert "Connection refused" in caplog.text  # logged, for the shop to see


def test_a_later_step_still_runs_after_one_fails(django_capture_on_commit_callbacks):
    ran = []

    with django_capture_on_commit_callbacks(execute=True):
        after_commit(_redis_is_down)
        after_commit(lambda: ran.append("next"))

    assert ran == ["next"]
