"""Pickup points and lockers come from the carrier's list."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from orders.models import PickupPoint
from shipping.services import pickup_points_load
from tests.factories import DeliveryMethodFactory, PickupPointFactory
from tests.fakes.carriers import cdek_point

pytestmark = pytest.mark.django_db


@pytest.fixture
def cdek_pickup(db):
    return DeliveryMethodFactory(kind="pickup", carrier="cdek", name="СДЭК: пункт выдачи")


def test_loading_adds_the_carriers_points_with_address_hours_and_coordinates(cdek, cdek_pickup):
    cdek.points = [cdek_point("MSK1", address="ул. Тверская, 7", hours="Пн-Пт 10:00-20:00"),
                   cdek_point("SPB5", city="Санкт-Петербург", address="Невский пр., 1")]

    added, updated, switched_off = pickup_points_load(delivery_method=cdek_pickup)

    assert (added, updated, switched_off) == (2, 0, 0)
    point = PickupPoint.objects.get(code="MSK1")
    assert (point.city, point.address, point.opening_hours) == ("Москва", "ул. Тверская, 7", "Пн-Пт 10:00-20:00")
    assert (point.latitude, point.longitude) == (Decimal("55.760200"), Decimal("37.608500"))


def test_loading_again_updates_moved_points_and_switches_off_closed_ones_but_not_the_shops_own(cdek, cdek_pickup):
    own = PickupPointFactory(delivery_method=cdek_pickup, name="Наш склад")
    cdek.points = [cdek_point("MSK1"), cdek_point("MSK2")]
    pickup_points_load(delivery_method=cdek_pickup)
    cdek.points = [cdek_point("MSK1", address="ул. Тверская, 9")]

    added, updated, switched_off = pickup_points_load(delivery_method=cdek_pickup)

    assert (added, updated, switched_off) == (0, 1, 1)
    assert PickupPoint.objects.get(code="MSK1").address == "ул. Тверская, 9"
    assert PickupPoint.objects.get(code="MSK2").is_active is False
    own.refresh_from_db()
    assert own.is_active is True


def test_the_command_loads_every_pickup_method_with_a_configured_carrier(cdek, cdek_pickup):
    cdek.points = [cdek_point("MSK1")]
    out = StringIO()

    call_command("load_pickup_points", stdout=out)

    assert "СДЭК: пункт выдачи: 1 added, 0 updated, 0 switched off" in out.getvalue()


def test_the_command_says_so_when_the_carrier_does_not_answer(cdek, cdek_pickup):
    cdek.down = True

    with pytest.raises(CommandError):
        call_command("load_pickup_points", stdout=StringIO())
