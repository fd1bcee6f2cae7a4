from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from customers.roles import MANAGER, WAREHOUSE
from orders.backoffice.forms import OrderDetailsForm
from orders.models import CallLog, Order, OrderStatusChange
from orders.services import OutOfStock, order_claim, order_transition
from orders.services.backoffice import (
    LineChange,
    call_log_record,
    order_move,
    order_update_details,
    order_update_lines,
)
from tests.factories import (
    DeliveryMethodFactory,
    OrderFactory,
    OutboundMessageFactory,
    ProductFactory,
    UserFactory,
    staff_user,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:orders_order_changelist")


def change_url(order):
    return reverse("admin:orders_order_change", args=[order.pk])


def transition_url(order):
    return reverse("admin:orders_order_transition", args=[order.pk])


@pytest.fixture
def manager(client):
    user = staff_user(MANAGER, first_name="Ирина", last_name="Петрова")
    client.force_login(user)
    return user


@pytest.fixture
def my_order(manager):
    order = OrderFactory(phone="+79161234567")
    return order_claim(order=order, manager=manager)


def placed(place, cart_with, *items):
    return place(cart_with(*items))


# --- the order page ----------------------------------------------------------------------


def test_order_page_shows_the_customer_card_with_a_call_link(client, my_order):
    html = client.get(change_url(my_order)).content.decode()

    assert 'href="tel:+79161234567"' in html
    assert "Lifetime value" in html
    assert "Log the call" in html


def test_order_page_offers_only_the_legal_next_statuses(client, my_order):
    html = client.get(change_url(my_order)).content.decode()

    assert 'name="to_status" value="confirmed"' in html
    assert 'name="to_status" value="cancelled"' in html
    assert 'name="to_status" value="shipped"' not in html
    assert 'name="to_status" value="delivered"' not in html


def test_cancel_button_asks_for_a_reason_and_ship_for_a_tracking_number(client, manager, my_order):
    order_transition(order=my_order, to_status=Order.Status.CONFIRMED, by=manager)
    order_transition(order=my_order, to_status=Order.Status.PACKED, by=manager)

    html = client.get(change_url(my_order)).content.decode()

    assert 'name="tracking_number" required' in html
    assert 'name="reason" required' in html


def test_confirming_from_the_order_page_moves_the_order(client, my_order):
    client.post(transition_url(my_order), {"to_status": "confirmed"})

    my_order.refresh_from_db()
    assert my_order.status == Order.Status.CONFIRMED


def test_an_illegal_move_from_the_order_page_is_refused_and_changes_nothing(client, my_order):
    response = client.post(transition_url(my_order), {"to_status": "delivered"}, follow=True)

    my_order.refresh_from_db()
    assert my_order.status == Order.Status.IN_PROGRESS
    assert "cannot become" in response.content.decode()


def test_cancelling_without_a_reason_is_refused(client, my_order):
    response = client.post(transition_url(my_order), {"to_status": "cancelled"}, follow=True)

    my_order.refresh_from_db()
    assert my_order.status == Order.Status.IN_PROGRESS
    assert "Say why the order is cancelled" in response.content.decode()


def test_cancelling_with_a_reason_writes_it_to_the_history(client, my_order):
    client.post(transition_url(my_order), {"to_status": "cancelled", "reason": "Передумал"})

    change = OrderStatusChange.objects.filter(order=my_order).last()
    assert (change.to_status, change.comment) == ("cancelled", "Передумал")


def test_shipping_stores_the_tracking_number_before_the_move_is_announced(manager, my_order):
    from orders.signals import order_status_changed

    order_transition(order=my_order, to_status=Order.Status.CONFIRMED, by=manager)
    order_transition(order=my_order, to_status=Order.Status.PACKED, by=manager)
    seen = []

    def receiver(sender, order, to_status, **kwargs):
        seen.append(Order.objects.get(pk=order.pk).tracking_number)

    order_status_changed.connect(receiver)
    try:
        order_move(order=my_order, to_status=Order.Status.SHIPPED, by=manager, tracking_number="RA123456789RU")
    finally:
        order_status_changed.disconnect(receiver)

    assert seen == ["RA123456789RU"]


def test_shipping_without_a_tracking_number_is_refused(manager, my_order):
    order_transition(order=my_order, to_status=Order.Status.CONFIRMED, by=manager)
    order_transition(order=my_order, to_status=Order.Status.PACKED, by=manager)

    with pytest.raises(ValidationError):
        order_move(order=my_order, to_status=Order.Status.SHIPPED, by=manager)


# --- ownership ---------------------------------------------------------------------------


def test_another_managers_order_opens_read_only_without_status_buttons(client, manager):
    order = order_claim(order=OrderFactory(), manager=staff_user(MANAGER))

    html = client.get(change_url(order)).content.decode()

    assert 'name="to_status"' not in html
    assert "Log the call" not in html


def test_a_manager_cannot_move_another_managers_order(client, manager):
    order = order_claim(order=OrderFactory(), manager=staff_user(MANAGER))

    response = client.post(transition_url(order), {"to_status": "confirmed"})

    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status == Order.Status.IN_PROGRESS


def test_a_manager_cannot_save_another_managers_order(client, manager):
    order = order_claim(order=OrderFactory(), manager=staff_user(MANAGER))

    response = client.post(change_url(order), {"name": "Чужой"})

    assert response.status_code == 403
    assert Order.objects.get(pk=order.pk).name == order.name


def test_a_supervisor_moves_another_managers_order(client, manager):
    from django.contrib.auth.models import Permission

    manager.user_permissions.add(Permission.objects.get(codename="supervise_orders"))
    order = order_claim(order=OrderFactory(), manager=staff_user(MANAGER))

    client.post(transition_url(order), {"to_status": "confirmed"})

    order.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED


# --- calls and the first-call clock ------------------------------------------------------


def test_the_first_call_stamps_the_order_and_later_calls_do_not(manager, my_order):
    call_log_record(order=my_order, manager=manager, outcome=CallLog.Outcome.NO_ANSWER)
    first = Order.objects.get(pk=my_order.pk).first_call_at

    call_log_record(order=my_order, manager=manager, outcome=CallLog.Outcome.REACHED, comment="Подтвердила")

    assert first is not None
    assert Order.objects.get(pk=my_order.pk).first_call_at == first


def test_call_back_needs_a_time(manager, my_order):
    with pytest.raises(ValidationError):
        call_log_record(order=my_order, manager=manager, outcome=CallLog.Outcome.CALL_BACK)


def test_logging_a_call_from_the_order_page_shows_it_in_the_log(client, my_order):
    response = client.post(reverse("admin:orders_order_calls", args=[my_order.pk]),
                           {"outcome": "call_back", "comment": "После обеда",
                            "call_back_at": f"{timezone.localtime() + timedelta(days=1):%Y-%m-%dT%H:%M}"},
                           follow=True)

    assert "После обеда" in response.content.decode()
    assert CallLog.objects.get(order=my_order).call_back_at is not None


def test_order_list_highlights_an_order_past_the_first_call_target(client, manager):
    order = OrderFactory()
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(minutes=10))

    html = client.get(CHANGELIST).content.decode()

    assert "bo-late" in html


def test_unclaimed_queue_lists_the_oldest_order_first_and_hides_claimed_ones(client, manager, my_order):
    older, newer = OrderFactory(), OrderFactory()
    Order.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(hours=1))

    response = client.get(reverse("admin:orders_order_unclaimed"), follow=True)

    numbers = [order.number for order in response.context["cl"].result_list]
    assert numbers == [older.number, newer.number]


def test_order_search_finds_a_phone_typed_the_russian_way(client, manager):
    order = OrderFactory(phone="+79161234567")
    OrderFactory(phone="+79990000000")

    response = client.get(CHANGELIST, {"q": "8 (916) 123-45-67"})

    assert [found.number for found in response.context["cl"].result_list] == [order.number]


def test_order_list_filters_by_manager_and_channel(client, manager, my_order):
    OrderFactory(channel="paid_search")

    response = client.get(CHANGELIST, {"manager__id__exact": manager.pk})

    assert [found.number for found in response.context["cl"].result_list] == [my_order.number]


def test_customer_card_shows_messages_sent_about_the_order(client, my_order):
    OutboundMessageFactory(reference=f"order:{my_order.number}", recipient="+79161234567", channel="sms")

    html = client.get(change_url(my_order)).content.decode()

    assert "Messages sent" in html
    assert "+79161234567" in html


# --- changing the goods and the delivery ------------------------------------------------


@pytest.fixture
def claimed(place, cart_with, manager):
    def _claimed(*items):
        return order_claim(order=place(cart_with(*items)), manager=manager)

    return _claimed


def test_more_of_a_product_takes_more_off_stock_and_raises_the_total(claimed, manager):
    kettle = ProductFactory(price="1000.00", stock=10)
    order = claimed((kettle, 1))

    order_update_lines(order=order, lines=[LineChange(kettle.pk, None, 3)], by=manager)

    kettle.refresh_from_db()
    order.refresh_from_db()
    assert kettle.stock == 7
    assert (order.items_total, order.total_to_pay) == (Decimal("3000.00"), Decimal("3300.00"))


def test_removing_a_line_puts_its_goods_back_on_stock(claimed, manager):
    kettle, mug = ProductFactory(price="1000.00", stock=10), ProductFactory(price="200.00", stock=5)
    order = claimed((kettle, 1), (mug, 2))

    order_update_lines(order=order, lines=[LineChange(kettle.pk, None, 1), LineChange(mug.pk, None, 0)], by=manager)

    mug.refresh_from_db()
    order.refresh_from_db()
    assert mug.stock == 5
    assert list(order.lines.values_list("product_id", flat=True)) == [kettle.pk]
    assert order.items_total == Decimal("1000.00")


def test_asking_for_more_than_the_stock_changes_nothing(claimed, manager):
    kettle = ProductFactory(price="1000.00", stock=2)
    order = claimed((kettle, 1))

    with pytest.raises(OutOfStock):
        order_update_lines(order=order, lines=[LineChange(kettle.pk, None, 5)], by=manager)

    kettle.refresh_from_db()
    order.refresh_from_db()
    assert (kettle.stock, order.lines.get().quantity, order.items_total) == (1, 1, Decimal("1000.00"))


def test_changing_the_goods_is_written_to_the_orders_edits_not_its_status_history(claimed, manager):
    kettle = ProductFactory(name="Чайник", price="1000.00", stock=10)
    order = claimed((kettle, 1))
    moves = list(order.history.values_list("from_status", "to_status"))

    order_update_lines(order=order, lines=[LineChange(kettle.pk, None, 2)], by=manager)

    edit = order.edits.get()
    assert "Чайник: 1 → 2" in edit.description
    assert edit.changed_by == manager
    assert list(order.history.values_list("from_status", "to_status")) == moves


def test_the_managers_history_page_shows_the_edits_beside_the_moves(client, claimed, manager):
    kettle = ProductFactory(name="Чайник", price="1000.00", stock=10)
    order = claimed((kettle, 1))
    order_update_lines(order=order, lines=[LineChange(kettle.pk, None, 2)], by=manager)

    page = client.get(reverse("admin:orders_order_history", args=[order.pk])).content.decode()

    assert "Чайник: 1 → 2" in page
    assert page.index("New") < page.index("Чайник: 1 → 2")


def test_the_customer_sees_the_moves_of_their_order_not_the_managers_edits(client, claimed, manager):
    kettle = ProductFactory(name="Чайник", price="1000.00", stock=10)
    order = claimed((kettle, 1))
    order.user = UserFactory()
    order.save(update_fields=["user"])
    order_update_lines(order=order, lines=[LineChange(kettle.pk, None, 2)], by=manager)
    client.force_login(order.user)

    page = client.get(reverse("account_orders:detail", args=[order.number])).content.decode()

    assert page.count("<time") == order.history.count() == 2


def test_adding_a_product_by_sku_from_the_goods_page(client, claimed):
    kettle = ProductFactory(price="1000.00", stock=10)
    mug = ProductFactory(sku="MUG-1", price="250.00", stock=4)
    order = claimed((kettle, 1))

    client.post(reverse("admin:orders_order_lines", args=[order.pk]),
                {f"quantity-{kettle.pk}-0": "1", "add_sku": "MUG-1", "add_quantity": "2"})

    mug.refresh_from_db()
    order.refresh_from_db()
    assert mug.stock == 2
    assert order.items_total == Decimal("1500.00")


def test_goods_page_shows_the_stock_refusal(client, claimed):
    kettle = ProductFactory(name="Чайник", price="1000.00", stock=1)
    order = claimed((kettle, 1))

    response = client.post(reverse("admin:orders_order_lines", args=[order.pk]), {f"quantity-{kettle.pk}-0": "4"})

    assert "out of stock" in response.content.decode()


def test_a_new_delivery_method_recomputes_the_delivery_price(claimed, manager):
    kettle = ProductFactory(price="1000.00", stock=10)
    order = claimed((kettle, 1))
    post = DeliveryMethodFactory(kind="post", price=Decimal("450.00"))

    order_update_details(order=order, changes={"delivery_method": post, "postcode": "101000"}, by=manager)

    order.refresh_from_db()
    assert (order.delivery_price, order.total_to_pay) == (Decimal("450.00"), Decimal("1450.00"))


def test_a_new_delivery_address_moves_the_order_to_its_time_zone(claimed, manager):
    order = claimed((ProductFactory(price="1000.00", stock=10), 1))

    order_update_details(order=order, changes={"address": "Екатеринбург, ул. Ленина, 1"}, by=manager)

    order.refresh_from_db()
    assert order.timezone == "Asia/Yekaterinburg"


def test_a_packed_order_can_no_longer_be_changed(claimed, manager):
    kettle = ProductFactory(price="1000.00", stock=10)
    order = claimed((kettle, 1))
    order_transition(order=order, to_status=Order.Status.CONFIRMED, by=manager)
    order_transition(order=order, to_status=Order.Status.PACKED, by=manager)

    with pytest.raises(ValidationError):
        order_update_lines(order=order, lines=[LineChange(kettle.pk, None, 2)], by=manager)


# --- the warehouse -----------------------------------------------------------------------


@pytest.fixture
def warehouse(client):
    user = staff_user(WAREHOUSE)
    client.force_login(user)
    return user


def _confirmed(**fields):
    holder = staff_user(MANAGER)
    order = order_claim(order=OrderFactory(**fields), manager=holder)
    return order_transition(order=order, to_status=Order.Status.CONFIRMED, by=holder)


def test_picking_list_shows_confirmed_orders_only(client, warehouse):
    confirmed, waiting = _confirmed(), OrderFactory()

    html = client.get(reverse("admin:orders_order_picking")).content.decode()

    assert confirmed.number in html
    assert waiting.number not in html


def test_packing_slip_prints_the_recipient_and_goods(client, warehouse):
    order = _confirmed(name="Анна Смирнова")

    html = client.get(reverse("admin:orders_order_packing_slips"), {"ids": str(order.pk)}).content.decode()

    assert "Анна Смирнова" in html
    assert order.number in html


def test_warehouse_marks_orders_packed_in_bulk(client, warehouse):
    first, second = _confirmed(), _confirmed()

    client.post(CHANGELIST, {"action": "mark_packed", ACTION_CHECKBOX_NAME: [first.pk, second.pk]})

    assert set(Order.objects.values_list("status", flat=True)) == {"packed"}


def test_warehouse_ships_in_bulk_with_a_tracking_number_each(client, warehouse):
    orders = [_confirmed(), _confirmed()]
    for order in orders:
        order_transition(order=order, to_status=Order.Status.PACKED, by=warehouse)

    asked = client.post(CHANGELIST, {"action": "mark_shipped", ACTION_CHECKBOX_NAME: [o.pk for o in orders]})
    client.post(CHANGELIST, {
        "action": "mark_shipped", "apply": "1", ACTION_CHECKBOX_NAME: [o.pk for o in orders],
        f"tracking_{orders[0].pk}": "RA1", f"tracking_{orders[1].pk}": "RA2",
    })

    assert "Tracking number" in asked.content.decode()
    assert dict(Order.objects.values_list("number", "tracking_number")) == {orders[0].number: "RA1",
                                                                            orders[1].number: "RA2"}
    assert set(Order.objects.values_list("status", flat=True)) == {"shipped"}


def test_a_refused_order_in_a_bulk_move_does_not_hold_back_the_others(client, warehouse):
    confirmed, new = _confirmed(), OrderFactory()

    client.post(CHANGELIST, {"action": "mark_packed", ACTION_CHECKBOX_NAME: [confirmed.pk, new.pk]})

    assert Order.objects.get(pk=confirmed.pk).status == "packed"
    assert Order.objects.get(pk=new.pk).status == "new"


def test_a_phone_that_is_no_number_is_the_order_forms_error_not_a_server_error():
    order = OrderFactory(phone="+79161234567")
    data = {field: getattr(order, field) for field in ("name", "email", "address", "postcode")}
    data.update(phone="call me maybe", delivery_method=order.delivery_method_id)

    form = OrderDetailsForm(data=data, instance=order)

    assert not form.is_valid()
    assert form.errors["phone"]


def test_the_order_form_keeps_a_phone_typed_the_russian_way_in_e164():
    order = OrderFactory(phone="+79161234567")
    data = {field: getattr(order, field) for field in ("name", "email", "address", "postcode")}
    data.update(phone="8 (916) 765-43-21", delivery_method=order.delivery_method_id)

    form = OrderDetailsForm(data=data, instance=order)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["phone"] == "+79167654321"
