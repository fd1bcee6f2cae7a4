import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import transaction
from django.utils import formats, timezone

from marketing.models import OutboundMessage
from marketing.selectors import messages_for_reference
from marketing.services import message_send, messages_sweep
from marketing.tasks import messages_send_task
from orders.models import Order
from orders.signals import order_placed as order_placed_signal
from orders.signals import order_status_changed
from tests.harness import broker_unreachable
from tests.marketing.ordering import COURIER_ROAD, PICKUP_ROAD, POST_ROAD, order_moved, order_placed

pytestmark = pytest.mark.django_db

Status = OutboundMessage.Status


def messages_of(order, kind=None):
    messages = OutboundMessage.objects.filter(reference=f"order:{order.number}")
    return messages.filter(kind=kind) if kind else messages


def test_placed_order_is_accepted_by_sms_and_email_with_its_number_and_total(
    scripted_sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = order_placed()

    [sms] = scripted_sms.delivered
    assert sms == f"Order {order.number} received, total 2,300\xa0₽. We will call you soon. Витрина"
    [email] = mail.outbox
    assert email.to == ["anna@example.com"]
    assert email.subject == f"Order {order.number} received"
    assert set(messages_of(order).values_list("status", flat=True)) == {Status.SENT}


def test_order_without_email_is_accepted_by_sms_only(scripted_sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = order_placed(email="")

    assert list(messages_of(order).values_list("channel", flat=True)) == ["sms"]
    assert len(scripted_sms.delivered) == 1
    assert mail.outbox == []


def test_order_messages_use_the_shops_language(settings, scripted_sms, django_capture_on_commit_callbacks):
    settings.LANGUAGE_CODE = "ru"

    with django_capture_on_commit_callbacks(execute=True):
        order = order_placed()

    assert scripted_sms.delivered[0].startswith(f"Заказ {order.number} принят, сумма 2\u202f300\xa0₽")


def test_order_placed_announced_twice_sends_each_message_once(scripted_sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = order_placed()

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        order_placed_signal.send(sender=Order, order=order)

    assert messages_of(order).count() == 2
    assert len(scripted_sms.delivered) == 1
    assert len(mail.outbox) == 1


def test_status_change_announced_twice_sends_its_message_once(scripted_sms, django_capture_on_commit_callbacks):
    order = order_placed()
    with django_capture_on_commit_callbacks(execute=True):
        order = order_moved(order, Order.Status.IN_PROGRESS, Order.Status.CONFIRMED)

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        order_status_changed.send(
            sender=Order, order=order, from_status=Order.Status.IN_PROGRESS, to_status=Order.Status.CONFIRMED, by=None
        )

    assert messages_of(order, "order_confirmed").count() == 2
    assert [body for body in scripted_sms.delivered if "confirmed" in body] == [
        f"Order {order.number} is confirmed. Витрина"
    ]


def test_retried_send_task_sends_the_order_message_once(scripted_sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = order_placed(email="")
    [message] = messages_of(order)

    messages_send_task.delay([message.pk])
    messages_send_task.apply(args=([message.pk],), retries=1)

    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 1)
    assert len(scripted_sms.delivered) == 1


def test_order_on_its_way_to_the_door_hears_confirmed_shipped_and_delivered(scripted_sms):
    order = order_moved(order_placed(), *COURIER_ROAD)

    kinds = set(messages_of(order).values_list("kind", flat=True))
    assert kinds == {"order_accepted", "order_confirmed", "order_shipped", "order_delivered"}
    assert messages_of(order).count() == 8  # SMS and e-mail each


def test_delivered_message_thanks_the_customer(scripted_sms, django_capture_on_commit_callbacks):
    order = order_placed(email="")
    with django_capture_on_commit_callbacks(execute=True):
        order_moved(order, *COURIER_ROAD)

    assert scripted_sms.delivered[-1] == f"Order {order.number} delivered. Thank you for shopping with Витрина!"


def test_shipped_parcel_message_has_the_tracking_number_and_the_russian_post_link(scripted_sms):
    order = order_moved(order_placed(delivery="post"), *POST_ROAD[:4], tracking_number="80085612345678")

    sms = messages_of(order, "order_shipped").get(channel="sms")
    assert sms.body == (
        f"Order {order.number} is on its way. Tracking 80085612345678: "
        "https://www.pochta.ru/tracking?barcode=80085612345678"
    )


def test_tracking_link_follows_the_setting_for_the_kind_of_delivery(settings, scripted_sms):
    settings.ORDER_TRACKING_URLS = {**settings.ORDER_TRACKING_URLS, "courier": "https://track.example/{number}"}

    order = order_moved(order_placed(), *COURIER_ROAD[:4], tracking_number="CR 42")

    email = messages_of(order, "order_shipped").get(channel="email")
    assert "https://track.example/CR%2042" in email.body


def test_ready_for_pickup_message_names_the_point_and_the_storage_deadline(settings, scripted_sms):
    settings.PICKUP_STORAGE_DAYS = 7
    deadline = timezone.localdate() + datetime.timedelta(days=7)

    order = order_moved(order_placed(delivery="pickup"), *PICKUP_ROAD)

    sms = messages_of(order, "order_ready_for_pickup").get(channel="sms")
    assert "Пункт выдачи на Тверской, Москва, ул. Тверская, 7" in sms.body
    assert sms.body.endswith(f"until {formats.date_format(deadline, 'DATE_FORMAT')}.")


def test_parcel_at_the_post_office_names_the_office_by_postcode(scripted_sms):
    order = order_moved(order_placed(delivery="post"), *POST_ROAD)

    sms = messages_of(order, "order_ready_for_pickup").get(channel="sms")
    assert "Post office 420111, Казань, ул. Баумана, 1" in sms.body


def test_order_placed_while_the_broker_is_unreachable_is_saved_and_its_messages_go_out_after_recovery(
    scripted_sms, django_capture_on_commit_callbacks
):
    with broker_unreachable():
        with django_capture_on_commit_callbacks(execute=True):
            order = order_placed()
        assert messages_sweep()["not_scheduled"] == 2

    assert Order.objects.filter(pk=order.pk, status=Order.Status.NEW).exists()
    assert set(messages_of(order).values_list("status", flat=True)) == {Status.PENDING}
    assert scripted_sms.delivered == [] and mail.outbox == []

    counts = messages_sweep()

    assert counts["scheduled"] == 2
    assert set(messages_of(order).values_list("status", flat=True)) == {Status.SENT}
    assert len(scripted_sms.delivered) == 1
    assert len(mail.outbox) == 1


def quiet_now(settings, zone: str | None = None) -> datetime.datetime:
    """Make the present moment part of the quiet hours in `zone` (the shop's by default);
    returns when they end."""
    local = timezone.localtime(timezone=ZoneInfo(zone) if zone else None)
    start = (local - datetime.timedelta(hours=1)).replace(second=0, microsecond=0)
    end = (local + datetime.timedelta(hours=1)).replace(second=0, microsecond=0)
    settings.SMS_QUIET_HOURS_START, settings.SMS_QUIET_HOURS_END = f"{start:%H:%M}", f"{end:%H:%M}"
    return end


def test_order_sms_in_quiet_hours_waits_for_the_morning_while_the_email_goes_at_once(
    settings, scripted_sms, django_capture_on_commit_callbacks
):
    end = quiet_now(settings)

    with django_capture_on_commit_callbacks(execute=True):
        order = order_placed()

    sms = messages_of(order).get(channel="sms")
    assert (sms.status, sms.due_at) == (Status.PENDING, end)
    assert messages_sweep()["scheduled"] == 0
    assert scripted_sms.delivered == []
    assert len(mail.outbox) == 1


def test_order_sms_waits_out_the_night_where_the_customer_lives_not_where_the_shop_is(
    settings, scripted_sms, django_capture_on_commit_callbacks
):
    end = quiet_now(settings, "Asia/Novosibirsk")  # four hours ahead of the shop in Moscow

    with django_capture_on_commit_callbacks(execute=True):
        order = order_placed(email="", address="Новосибирск, Красный проспект, 1")

    sms = messages_of(order).get()
    assert (sms.status, sms.due_at, sms.customer_timezone) == (Status.PENDING, end, "Asia/Novosibirsk")
    assert scripted_sms.delivered == []


def test_order_sms_delayed_by_quiet_hours_goes_out_once_they_end(
    settings, scripted_sms, django_capture_on_commit_callbacks
):
    quiet_now(settings)
    order = order_placed(email="")
    settings.SMS_QUIET_HOURS_START = settings.SMS_QUIET_HOURS_END = "00:00"  # morning came
    messages_of(order).update(due_at=timezone.now())

    messages_sweep()

    assert len(scripted_sms.delivered) == 1


def test_every_attempt_at_an_order_message_is_kept_with_the_order(scripted_sms, django_capture_on_commit_callbacks):
    scripted_sms.script = ["error"]
    with django_capture_on_commit_callbacks(execute=True):
        order = order_placed(email="")
    sms = messages_of(order).get()
    sms.due_at = timezone.now()
    sms.save(update_fields=["due_at"])

    message_send(message_id=sms.pk)

    [listed] = messages_for_reference(reference=f"order:{order.number}")
    assert [attempt.result for attempt in listed.attempts_made.all()] == ["error", "ok"]


def test_order_message_left_sending_by_a_worker_killed_before_the_call_is_sent_once_by_the_sweep(
    settings, scripted_sms, django_capture_on_commit_callbacks
):
    with broker_unreachable(), django_capture_on_commit_callbacks(execute=True):
        order = order_placed(email="")
    sms = messages_of(order).get()
    killed_at = timezone.now() - datetime.timedelta(minutes=settings.MESSAGE_SENDING_STUCK_MINUTES + 1)
    messages_of(order).update(status=Status.SENDING, claimed_at=killed_at)

    counts = messages_sweep()
    messages_sweep()

    sms.refresh_from_db()
    assert counts["stuck"] == 1
    assert sms.status == Status.SENT
    assert scripted_sms.delivered == [sms.body]


def test_shipped_message_without_a_tracking_number_says_nothing_about_tracking(scripted_sms):
    order = order_moved(order_placed(), *COURIER_ROAD[:4])

    sms = messages_of(order, "order_shipped").get(channel="sms")
    email = messages_of(order, "order_shipped").get(channel="email")
    assert sms.body == f"Order {order.number} is on its way."
    assert "Tracking" not in email.body and "Track" not in email.body


def test_order_page_shows_every_attempt_at_its_messages(admin_client, scripted_sms, django_capture_on_commit_callbacks):
    from django.urls import reverse

    scripted_sms.script = ["error"]
    with django_capture_on_commit_callbacks(execute=True):
        order = order_placed(email="")
    messages_of(order).update(due_at=timezone.now())
    messages_sweep()

    page = admin_client.get(reverse("admin:orders_order_change", args=(order.pk,))).content.decode()

    assert "Messages sent" in page
    assert "gateway busy" in page  # the first attempt's error
    assert "Accepted" in page  # the second attempt
    assert f"?reference=order%3A{order.number}" in page


def test_outbox_link_from_the_order_lists_only_that_orders_messages(admin_client, scripted_sms):
    from django.urls import reverse

    order, other = order_placed(), order_placed()

    page = admin_client.get(
        reverse("admin:marketing_outboundmessage_changelist"), {"reference": f"order:{order.number}"}
    ).content.decode()

    assert f"order:{order.number}" in page
    assert f"order:{other.number}" not in page
