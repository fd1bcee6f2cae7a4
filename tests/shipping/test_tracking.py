"""Carrier events move the order and tell the customer, once, whatever order they come in."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from marketing.models import OutboundMessage
from orders.models import Order
from orders.services.backoffice import order_move
from orders.services.pickup import orders_not_collected_expire
from shipping.models import Parcel, Stage, TrackingEvent
from shipping.services import parcels_poll

pytestmark = pytest.mark.django_db

LATER = datetime.timedelta(hours=3)


def _poll(after=LATER):
    return parcels_poll(now=timezone.now() + after, threads=2)


def _messages(order, kind) -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(kind=kind, reference=f"order:{order.number}").order_by("channel"))


def _status(order) -> str:
    return Order.objects.values_list("status", flat=True).get(pk=order.pk)


def test_shipping_an_order_starts_following_its_parcel_at_the_carrier(shipped):
    order = shipped(tracking_number="1106207490")

    parcel = Parcel.objects.get(order=order)
    assert (parcel.carrier, parcel.tracking_number, parcel.stage) == ("cdek", "1106207490", Stage.IN_TRANSIT)
    assert parcel.next_check_at > timezone.now()


def test_arrival_at_the_pickup_point_makes_the_order_ready_with_the_carriers_storage_deadline(shipped, cdek):
    order = shipped()
    cdek.report("1234567890", "ACCEPTED_AT_PICK_UP_POINT", name="Принят в пункте выдачи",
                keep_free_until="2027-01-20T18:59:59+0000")

    result = _poll()

    order.refresh_from_db()
    assert (result.checked, result.moved) == (1, 1)
    assert order.status == Order.Status.READY_FOR_PICKUP
    assert order.pickup_deadline == datetime.date(2027, 1, 20)
    sms, email = [message for message in _messages(order, "order_ready_for_pickup") if message.channel == "sms"], \
        _messages(order, "order_ready_for_pickup")
    assert len(sms) == 1 and len(email) == 2
    assert "2027" in sms[0].body and "20" in sms[0].body


def test_the_same_news_polled_again_tells_the_customer_nothing_more(shipped, cdek):
    order = shipped()
    cdek.report("1234567890", "ACCEPTED_AT_PICK_UP_POINT")
    _poll()

    result = _poll(after=LATER * 2)

    assert result.moved == 0
    assert len(_messages(order, "order_ready_for_pickup")) == 2
    assert TrackingEvent.objects.count() == 1


def test_collected_parcel_makes_the_order_delivered_and_stops_the_checks(shipped, cdek):
    order = shipped()
    cdek.report("1234567890", "ACCEPTED_AT_PICK_UP_POINT")
    _poll()
    cdek.report("1234567890", "DELIVERED")

    _poll(after=LATER * 2)

    assert _status(order) == Order.Status.DELIVERED
    assert Parcel.objects.get().next_check_at is None


def test_a_parcel_sent_back_from_the_pickup_point_makes_the_order_not_collected(shipped, cdek):
    order = shipped()
    cdek.report("1234567890", "ACCEPTED_AT_PICK_UP_POINT")
    _poll()
    cdek.report("1234567890", "NOT_DELIVERED")

    _poll(after=LATER * 2)

    assert _status(order) == Order.Status.NOT_COLLECTED


def test_news_that_arrives_out_of_order_changes_nothing_twice(shipped, cdek):
    order = shipped()
    now = timezone.now()
    cdek.report("1234567890", "DELIVERED", at=now)
    _poll()
    cdek.report("1234567890", "ACCEPTED_AT_PICK_UP_POINT", at=now - datetime.timedelta(days=1))  # reported late

    _poll(after=LATER * 2)

    assert _status(order) == Order.Status.DELIVERED
    assert _messages(order, "order_ready_for_pickup") == []
    assert len(_messages(order, "order_delivered")) == 2


def test_a_manager_who_moved_the_order_first_is_not_overruled(shipped, cdek):
    order = shipped()
    order_move(order=order, to_status=Order.Status.READY_FOR_PICKUP, by=None)
    cdek.report("1234567890", "ACCEPTED_AT_PICK_UP_POINT")

    result = _poll()

    assert result.moved == 0
    assert _status(order) == Order.Status.READY_FOR_PICKUP
    assert len(_messages(order, "order_ready_for_pickup")) == 2


def test_an_unreachable_carrier_delays_the_check_and_the_news_still_arrives(shipped, cdek):
    order = shipped()
    cdek.report("1234567890", "ACCEPTED_AT_PICK_UP_POINT")
    cdek.down = True

    first = _poll()
    second = _poll(after=LATER + datetime.timedelta(minutes=6))

    parcel = Parcel.objects.get()
    assert (first.failed, second.failed, parcel.failures) == (1, 1, 2)
    assert parcel.next_check_at >= timezone.now() + LATER + datetime.timedelta(minutes=15)  # waits 10 min now
    assert _status(order) == Order.Status.SHIPPED
    cdek.down = False

    _poll(after=LATER + datetime.timedelta(hours=1))

    assert _status(order) == Order.Status.READY_FOR_PICKUP
    assert Parcel.objects.get().failures == 0


def test_a_carrier_that_times_out_is_asked_again_later(shipped, cdek):
    order = shipped()
    cdek.report("1234567890", "DELIVERED")
    cdek.delay = 2  # longer than the shop waits

    assert _poll().failed == 1
    cdek.delay = 0
    _poll(after=LATER + datetime.timedelta(hours=1))

    assert _status(order) == Order.Status.DELIVERED


def test_a_parcel_is_not_asked_about_before_it_is_due(shipped, cdek):
    shipped()

    result = parcels_poll(threads=1)

    assert result.checked == 0
    assert cdek.requests == []


def test_parcels_of_a_carrier_without_keys_are_not_asked_about(shipped, settings):
    shipped()
    settings.CDEK_CLIENT_ID = ""

    assert _poll().checked == 0


def test_russian_post_arrival_at_the_post_office_gives_its_storage_days(shipped, russian_post, settings):
    order = shipped(carrier="russian_post", tracking_number="80085612345678")
    arrived_at = timezone.now()
    russian_post.report("80085612345678", "accepted", at=arrived_at - datetime.timedelta(days=2))
    russian_post.report("80085612345678", "arrived", at=arrived_at)

    _poll()

    order.refresh_from_db()
    assert order.status == Order.Status.READY_FOR_PICKUP
    assert order.pickup_deadline == timezone.localdate(arrived_at) + datetime.timedelta(
        days=settings.RUSSIAN_POST_STORAGE_DAYS)
    assert [event.stage for event in TrackingEvent.objects.all()] == [Stage.IN_TRANSIT, Stage.ARRIVED]


def test_russian_post_delivery_and_return(shipped, russian_post):
    delivered = shipped(carrier="russian_post", tracking_number="80085600000001")
    returned = shipped(carrier="russian_post", tracking_number="80085600000002")
    russian_post.report("80085600000001", "delivered")
    russian_post.report("80085600000002", "returned")

    _poll()

    assert _status(delivered) == Order.Status.DELIVERED
    assert _status(returned) == Order.Status.RETURNED


def test_russian_post_refusing_the_shops_login_is_retried_not_lost(shipped, russian_post, settings):
    order = shipped(carrier="russian_post", tracking_number="80085600000003")
    russian_post.report("80085600000003", "delivered")
    settings.RUSSIAN_POST_LOGIN = "wrong"

    assert _poll().failed == 1
    settings.RUSSIAN_POST_LOGIN = "post-login"
    _poll(after=LATER + datetime.timedelta(hours=1))

    assert _status(order) == Order.Status.DELIVERED


def test_a_cdek_webhook_has_the_parcel_checked_at_once(shipped, cdek, eager_tasks, django_capture_on_commit_callbacks):
    order = shipped()
    cdek.report("1234567890", "ACCEPTED_AT_PICK_UP_POINT")

    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/shipping/webhooks/cdek/", cdek.webhook("1234567890", "ACCEPTED_AT_PICK_UP_POINT"),
                                 content_type="application/json")

    assert response.status_code == 200
    assert _status(order) == Order.Status.READY_FOR_PICKUP


def test_a_webhook_is_not_believed_without_the_carriers_api(shipped, cdek, eager_tasks,
                                                            django_capture_on_commit_callbacks):
    order = shipped()
    cdek.report("1234567890", "RECEIVED_AT_SHIPMENT_WAREHOUSE")

    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/shipping/webhooks/cdek/", cdek.webhook("1234567890", "DELIVERED"),
                      content_type="application/json")

    assert _status(order) == Order.Status.SHIPPED


def test_a_webhook_that_is_not_one_is_a_bad_request(db):
    response = Client().post("/shipping/webhooks/cdek/", b"nonsense", content_type="application/json")

    assert response.status_code == 400


def test_the_shops_own_storage_period_does_not_send_back_a_parcel_the_carrier_still_keeps(shipped, cdek, settings):
    order = shipped()
    cdek.report("1234567890", "ACCEPTED_AT_PICK_UP_POINT",
                keep_free_until=(timezone.now() + datetime.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%S%z"))
    _poll()

    moved = orders_not_collected_expire(now=timezone.now() + datetime.timedelta(days=settings.PICKUP_STORAGE_DAYS + 1))

    assert moved == 0
    assert _status(order) == Order.Status.READY_FOR_PICKUP
