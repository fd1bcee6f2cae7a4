from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from customers.models import PointsEntry
from customers.services import (
    InsufficientPoints,
    points_balance,
    points_earn,
    points_expire,
    points_refund,
    points_revoke,
    points_spend,
)
from customers.tasks import points_expire_task
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(db):
    return UserFactory()


def test_balance_is_the_sum_of_the_ledger(user):
    points_earn(user=user, points=100)
    points_earn(user=user, points=50)
    points_spend(user=user, points=30, order_number="VT-10001")

    assert points_balance(user=user) == 120
    assert user.points_entries.count() == 3


def test_new_customer_has_no_points(user):
    assert points_balance(user=user) == 0


def test_spending_more_than_the_balance_is_refused(user):
    points_earn(user=user, points=100)

    with pytest.raises(InsufficientPoints, match="You have 100 points; 101 cannot be spent."):
        points_spend(user=user, points=101)

    assert points_balance(user=user) == 100


@pytest.mark.parametrize("points", [0, -10, 1.5, "10", True])
def test_points_are_whole_numbers_above_zero(user, points):
    points_earn(user=user, points=100)

    with pytest.raises(ValidationError):
        points_spend(user=user, points=points)


def test_a_ledger_line_of_zero_points_cannot_exist(user):
    with pytest.raises(IntegrityError):
        PointsEntry.objects.create(user=user, delta=0, reason=PointsEntry.Reason.ADJUSTED)


def test_earned_points_expire_after_the_configured_lifetime(user, settings):
    settings.POINTS_LIFETIME_DAYS = 30

    entry = points_earn(user=user, points=100)

    assert entry.expires_at - timezone.now() == pytest.approx(timedelta(days=30), abs=timedelta(minutes=1))


def test_points_for_an_order_are_earned_once(user):
    points_earn(user=user, points=100, order_number="VT-10001")

    assert points_earn(user=user, points=100, order_number="VT-10001") is None
    assert points_balance(user=user) == 100


def test_refund_returns_what_was_spent_on_the_order_once(user):
    points_earn(user=user, points=100)
    points_spend(user=user, points=40, order_number="VT-10001")

    assert points_refund(user=user, order_number="VT-10001") == 40
    assert points_refund(user=user, order_number="VT-10001") == 0
    assert points_balance(user=user) == 100


def test_revoke_takes_back_no_more_than_is_left(user):
    points_earn(user=user, points=100, order_number="VT-10001")
    points_spend(user=user, points=70, order_number="VT-10002")

    assert points_revoke(user=user, order_number="VT-10001") == 30
    assert points_revoke(user=user, order_number="VT-10001") == 0
    assert points_balance(user=user) == 0


def test_expired_points_are_written_off_once(user):
    past = timezone.now() - timedelta(days=1)
    points_earn(user=user, points=100, expires_at=past)
    points_earn(user=user, points=50)

    assert points_expire(user=user) == 100
    assert points_expire(user=user) == 0
    assert points_balance(user=user) == 50


def test_points_already_spent_do_not_expire_again(user):
    past = timezone.now() - timedelta(days=1)
    points_earn(user=user, points=100, expires_at=timezone.now() + timedelta(days=1))
    points_spend(user=user, points=60, order_number="VT-10001")
    PointsEntry.objects.filter(reason=PointsEntry.Reason.EARNED).update(expires_at=past)

    assert points_expire(user=user) == 40
    assert points_balance(user=user) == 0


def test_the_nightly_task_writes_off_expired_points_for_every_customer_and_nobody_else(user):
    other, untouched = UserFactory(), UserFactory()
    past = timezone.now() - timedelta(days=1)
    points_earn(user=user, points=100, expires_at=past)
    points_earn(user=other, points=40, expires_at=past)
    points_earn(user=untouched, points=70, expires_at=timezone.now() + timedelta(days=30))

    written_off = points_expire_task()

    assert written_off == 140
    assert [points_balance(user=u) for u in (user, other, untouched)] == [0, 0, 70]
    assert points_expire_task() == 0
