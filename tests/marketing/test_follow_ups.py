import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import Product
from config.celery import app as celery_app
from marketing.follow_ups import follow_ups_open_for_uncollected_parcels
from marketing.models import FollowUp
from marketing.tasks import follow_ups_open_for_uncollected_parcels_task
from orders.models import Order
from orders.services.pickup import orders_not_collected_expire
from orders.tasks import orders_not_collected_expire_task
from tests.factories import UserFactory
from tests.harness import in_parallel
from tests.marketing.ordering import PICKUP_ROAD, days_pass_since_ready, order_moved, order_placed

Status = FollowUp.Status


@pytest.fixture
def manager(db):
    return UserFactory(is_staff=True, first_name="Ольга", last_name="Петрова")


@pytest.fixture
def waiting_order(manager, scripted_sms):
    """An order at the pickup point, taken by `manager`, waiting longer than the call period."""

    def _waiting_order(days: float = 5.01):
        order = order_moved(order_placed(delivery="pickup"), *PICKUP_ROAD, manager=manager)
        days_pass_since_ready(order, days)
        return order

    return _waiting_order


@pytest.mark.django_db
def test_parcel_not_collected_in_time_gives_the_owning_manager_a_call_task(settings, manager, waiting_order):
    settings.PARCEL_CALL_TASK_DAYS, settings.PICKUP_STORAGE_DAYS = 5, 7
    order = waiting_order(5.01)
    ready_at = order.history.get(to_status=Order.Status.READY_FOR_PICKUP).created_at

    opened = follow_ups_open_for_uncollected_parcels()

    [task] = FollowUp.objects.all()
    assert opened == 1
    assert (task.kind, task.order, task.assignee, task.status) == (
        FollowUp.Kind.CALL_PARCEL_NOT_COLLECTED, order, manager, Status.OPEN
    )
    assert task.due_at == ready_at + datetime.timedelta(days=7)


@pytest.mark.django_db
def test_parcel_waiting_less_than_the_call_period_gives_no_task(settings, waiting_order):
    settings.PARCEL_CALL_TASK_DAYS = 5
    waiting_order(4.9)

    assert follow_ups_open_for_uncollected_parcels() == 0
    assert not FollowUp.objects.exists()


@pytest.mark.django_db
def test_task_sweep_run_twice_opens_one_task(waiting_order):
    waiting_order()

    first = follow_ups_open_for_uncollected_parcels_task.delay().get()
    second = follow_ups_open_for_uncollected_parcels_task.delay().get()

    assert (first, second) == (1, 0)
    assert FollowUp.objects.count() == 1


@pytest.mark.django_db
def test_task_done_by_the_manager_is_not_opened_again(manager, waiting_order, client):
    waiting_order()
    follow_ups_open_for_uncollected_parcels()
    task = FollowUp.objects.get()
    task.status, task.closed_at = Status.DONE, timezone.now()
    task.save()

    assert follow_ups_open_for_uncollected_parcels() == 0
    assert FollowUp.objects.count() == 1


@pytest.mark.django_db
def test_call_task_closes_when_the_customer_collects_the_parcel(waiting_order):
    order = waiting_order()
    follow_ups_open_for_uncollected_parcels()

    order_moved(order, Order.Status.DELIVERED)

    task = FollowUp.objects.get()
    assert task.status == Status.DONE
    assert task.closed_at is not None
    assert task.note == "The customer collected the parcel."


@pytest.mark.django_db
def test_call_task_is_cancelled_when_the_parcel_goes_back(settings, waiting_order):
    order = waiting_order(settings.PICKUP_STORAGE_DAYS + 1)
    follow_ups_open_for_uncollected_parcels()

    orders_not_collected_expire()

    order.refresh_from_db()
    assert order.status == Order.Status.NOT_COLLECTED
    assert FollowUp.objects.get().status == Status.CANCELLED


@pytest.mark.django_db
def test_sweeps_run_every_ten_minutes():
    tasks = {entry["task"]: entry["schedule"] for entry in celery_app.conf.beat_schedule.values()}

    assert tasks[follow_ups_open_for_uncollected_parcels_task.name] == 600.0
    assert tasks[orders_not_collected_expire_task.name] == 600.0


# --- "My tasks" in the admin ------------------------------------------------------------


@pytest.fixture
def my_tasks_url():
    return reverse("admin:marketing_followup_changelist")


@pytest.mark.django_db
def test_my_tasks_lists_only_the_signed_in_managers_open_tasks(admin_client, admin_user, waiting_order, my_tasks_url):
    mine = waiting_order()
    theirs = waiting_order()
    follow_ups_open_for_uncollected_parcels()
    FollowUp.objects.filter(order=mine).update(assignee=admin_user)

    page = admin_client.get(my_tasks_url).content.decode()

    assert mine.number in page
    assert theirs.number not in page
    assert f'href="tel:{mine.phone}"' in page


@pytest.mark.django_db
def test_my_tasks_can_show_everyones(admin_client, waiting_order, my_tasks_url):
    theirs = waiting_order()
    follow_ups_open_for_uncollected_parcels()

    page = admin_client.get(my_tasks_url, {"assignee": "all"}).content.decode()

    assert theirs.number in page


@pytest.mark.django_db
def test_manager_marks_a_task_done_from_the_list(admin_client, admin_user, waiting_order, my_tasks_url):
    waiting_order()
    follow_ups_open_for_uncollected_parcels()
    task = FollowUp.objects.get()
    FollowUp.objects.update(assignee=admin_user)

    admin_client.post(my_tasks_url, {"action": "mark_done", "_selected_action": [task.pk]})

    task.refresh_from_db()
    assert (task.status, task.closed_by) == (Status.DONE, admin_user)


@pytest.mark.django_db
def test_manager_marks_a_task_done_on_the_task_with_a_note(admin_client, admin_user, waiting_order):
    waiting_order()
    follow_ups_open_for_uncollected_parcels()
    task = FollowUp.objects.get()
    url = reverse("admin:marketing_followup_change", args=(task.pk,))
    assert "_mark_done" in admin_client.get(url).content.decode()

    admin_client.post(url, {"note": "Заберёт в субботу", "_mark_done": "1"})

    task.refresh_from_db()
    assert (task.status, task.closed_by, task.note) == (Status.DONE, admin_user, "Заберёт в субботу")


@pytest.mark.django_db
def test_manager_without_supervision_sees_no_one_elses_tasks(client, manager, waiting_order, my_tasks_url):
    from django.contrib.auth.models import Permission

    waiting_order()
    follow_ups_open_for_uncollected_parcels()
    other = UserFactory(is_staff=True)
    other.user_permissions.add(Permission.objects.get(codename="view_followup"))
    client.force_login(other)

    page = client.get(my_tasks_url, {"assignee": "all"}).content.decode()

    assert FollowUp.objects.get().order.number not in page


# --- Two sweeps at once, on PostgreSQL --------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_task_sweeps_running_at_once_open_one_task_per_order(waiting_order):
    orders = [waiting_order() for _ in range(3)]

    results = in_parallel(6, lambda _: follow_ups_open_for_uncollected_parcels())

    assert sum(results) == 3
    assert sorted(FollowUp.objects.values_list("order_id", flat=True)) == sorted(o.pk for o in orders)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_not_collected_sweeps_running_at_once_return_the_stock_once(settings, waiting_order):
    order = waiting_order(settings.PICKUP_STORAGE_DAYS + 1)
    product_id = order.lines.get().product_id

    results = in_parallel(6, lambda _: orders_not_collected_expire())

    assert sum(results) == 1
    assert Order.objects.get(pk=order.pk).status == Order.Status.NOT_COLLECTED
    assert Product.objects.get(pk=product_id).stock == 10
    assert order.history.filter(to_status=Order.Status.NOT_COLLECTED).count() == 1


@pytest.mark.django_db
def test_manager_role_opens_my_tasks_and_marks_one_done(client, scripted_sms, my_tasks_url):
    from django.contrib.auth.models import Group

    from customers.roles import MANAGER, roles_sync

    roles_sync()
    manager = UserFactory(is_staff=True)
    manager.groups.add(Group.objects.get(name=MANAGER))
    order = order_moved(order_placed(delivery="pickup"), *PICKUP_ROAD, manager=manager)
    days_pass_since_ready(order, 6)
    follow_ups_open_for_uncollected_parcels()
    client.force_login(manager)

    page = client.get(my_tasks_url)
    client.post(my_tasks_url, {"action": "mark_done", "_selected_action": [FollowUp.objects.get().pk]})

    assert order.number in page.content.decode()
    assert FollowUp.objects.get().status == Status.DONE
