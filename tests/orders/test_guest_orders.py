"""Orders placed as a guest join the account opened later with the same e-mail, but only once
the customer opens the link sent to that e-mail: typing someone's address is not enough."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from config.celery import app as celery_app
from customers.models import User
from orders.account.services import guest_orders_link
from tests.factories import OrderFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tasks_run_in_the_process():
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def guest_order(db):
    return OrderFactory(user=None, email="anna@example.com")


def _sign_up(client, django_capture_on_commit_callbacks, email="anna@example.com"):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("customers:sign_up"), {
            "email": email, "password": "a-long-enough-pass-42", "consent_personal_data": "on",
        })
    return User.objects.get(email=email)


def _link_in(message) -> str:
    return re.search(r"http://testserver(/\S+)", message.body).group(1)


def test_signing_up_with_the_guest_orders_email_does_not_add_them_by_itself(
    client, guest_order, django_capture_on_commit_callbacks,
):
    user = _sign_up(client, django_capture_on_commit_callbacks)

    page = client.get(reverse("account_orders:list")).content.decode()

    assert guest_order.number not in page
    assert "Send the link" in page
    guest_order.refresh_from_db()
    assert guest_order.user is None
    assert [message.to for message in mail.outbox] == [[user.email]]


def test_opening_the_link_sent_at_sign_up_adds_the_guest_orders(
    client, guest_order, django_capture_on_commit_callbacks,
):
    OrderFactory(user=None, email="someone.else@example.com")
    user = _sign_up(client, django_capture_on_commit_callbacks)

    response = client.get(_link_in(mail.outbox[0]), follow=True)

    page = response.content.decode()
    assert "1 earlier order was added to your account." in page
    assert guest_order.number in page
    assert list(user.orders.values_list("number", flat=True)) == [guest_order.number]


def test_a_link_made_for_another_account_adds_nothing(client, guest_order):
    owner, intruder = UserFactory(email="anna@example.com"), UserFactory(email="eve@example.com")
    client.force_login(intruder)

    client.get(guest_orders_link(user=owner, shop_url="http://testserver"))

    guest_order.refresh_from_db()
    assert guest_order.user is None


def test_the_orders_page_sends_the_link_again_on_request(client, guest_order, django_capture_on_commit_callbacks):
    user = UserFactory(email="anna@example.com")
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_orders:guest_orders_link"))

    assert len(mail.outbox) == 1 and "/account/orders/guest-orders/add/" in mail.outbox[0].body


def test_signing_up_without_guest_orders_sends_no_link(client, django_capture_on_commit_callbacks):
    _sign_up(client, django_capture_on_commit_callbacks)

    assert mail.outbox == []
