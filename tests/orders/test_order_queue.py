"""The managers' order list and an order's history, as a manager reads them."""

import re
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from core.money import NARROW_NBSP, NBSP
from customers.roles import MANAGER
from orders.models import Order
from orders.services import order_claim, order_transition
from tests.factories import OrderFactory, staff_user

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:orders_order_changelist")


@pytest.fixture
def manager(client):
    user = staff_user(MANAGER, first_name="Ирина", last_name="Петрова")
    client.force_login(user)
    return user


def column_headers(html: str) -> list[str]:
    head = html.split('<thead>', 1)[1].split('</thead>', 1)[0]
    return [re.sub(r"<[^>]+>", "", text).strip() for text in re.findall(r'<div class="text">(.*?)</div>', head)]


def test_order_list_is_the_queue_a_manager_works_from(client, manager):
    OrderFactory()

    headers = column_headers(client.get(CHANGELIST).content.decode())

    assert headers[1:] == ["Number", "Age", "To pay", "Customer", "Delivery", "Status", "Manager",
                           "To claim", "To first call"]


def test_order_list_shows_amounts_with_thousands_separators_and_kopecks(client, manager):
    OrderFactory(total_to_pay=Decimal("24769.00"))

    html = client.get(CHANGELIST, headers={"accept-language": "ru"}).content.decode()

    assert f"24{NARROW_NBSP}769,00{NBSP}₽" in html


def test_order_list_says_how_long_ago_an_order_came(client, manager):
    order = OrderFactory(name="Анна Смирнова", phone="+79161234567")
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(hours=2, minutes=5))

    html = client.get(CHANGELIST, headers={"accept-language": "ru"}).content.decode()

    assert ">2 ч 05 мин</time>" in html
    assert "Анна Смирнова<br>" in html and "+79161234567" in html


def test_order_taken_after_the_target_keeps_its_red_mark_once_taken(client, manager):
    order = OrderFactory()
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    order_claim(order=Order.objects.get(pk=order.pk), manager=manager)

    html = client.get(CHANGELIST).content.decode()

    claim_cell = html.split('class="field-time_to_claim"', 1)[1].split("</td>", 1)[0]
    assert 'class="bo-late">10:0' in claim_cell


def test_customer_card_tells_the_manager_the_time_where_the_customer_is(client, manager):
    order = order_claim(order=OrderFactory(timezone="Asia/Novosibirsk"), manager=manager)

    novosibirsk = ZoneInfo("Asia/Novosibirsk")
    before = timezone.localtime(timezone=novosibirsk)
    html = client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    after = timezone.localtime(timezone=novosibirsk)

    shown = html.split("Local time", 1)[1][:80]
    assert f"{before:%H:%M}" in shown or f"{after:%H:%M}" in shown


def test_history_button_opens_the_orders_own_history(client, manager):
    order = order_claim(order=OrderFactory(), manager=manager)
    order_transition(order=order, to_status=Order.Status.CONFIRMED, by=manager)
    change_page = client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    history_url = reverse("admin:orders_order_history", args=[order.pk])
    assert f'href="{history_url}"' in change_page

    html = client.get(history_url).content.decode()

    assert "New → In progress" in html
    assert "In progress → Confirmed" in html
    assert "Ирина Петрова" in html
    assert "change history" not in html.split('id="content-main"', 1)[1]


def test_order_page_history_shows_status_names_not_codes(client, manager):
    order = order_claim(order=OrderFactory(), manager=manager)

    html = client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()

    assert "New → In progress" in html
    assert "new → in_progress" not in html


def test_order_page_labels_fields_as_a_manager_says_them(client, manager):
    order = order_claim(order=OrderFactory(), manager=manager)

    html = client.get(reverse("admin:orders_order_change", args=[order.pk]),
                      headers={"accept-language": "ru"}).content.decode()

    assert "Имя покупателя" in html
    assert "Название" not in html
    assert 'column-from_status">Было' in html and 'column-to_status">Стало' in html
