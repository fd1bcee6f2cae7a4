from zoneinfo import ZoneInfo

import pytest

from customers.timezones import REGIONS, customer_timezone


@pytest.mark.parametrize(("postcode", "zone"), [
    ("101000", "Europe/Moscow"),
    ("236000", "Europe/Kaliningrad"),
    ("443001", "Europe/Samara"),
    ("620014", "Asia/Yekaterinburg"),
    ("630099", "Asia/Novosibirsk"),
    ("690091", "Asia/Vladivostok"),
    ("683000", "Asia/Kamchatka"),
])
def test_postcode_tells_the_customers_time_zone(postcode, zone):
    assert customer_timezone(postcode=postcode) == zone


@pytest.mark.parametrize(("place", "zone"), [
    ("Новосибирск, Красный проспект, 1", "Asia/Novosibirsk"),
    ("г. Екатеринбург, ул. Московская, 5", "Asia/Yekaterinburg"),
    ("Нижний Новгород, ул. Большая Покровская, 2", "Europe/Moscow"),
    ("Орёл", "Europe/Moscow"),
    ("ПВЗ Южно-Сахалинск, Коммунистический пр., 10", "Asia/Sakhalin"),
])
def test_city_named_in_the_address_tells_the_customers_time_zone(place, zone):
    assert customer_timezone(place=place) == zone


def test_postcode_wins_over_a_city_named_in_the_street():
    assert customer_timezone(postcode="630099", place="ул. Омская, 3") == "Asia/Novosibirsk"


def test_street_named_after_a_city_is_not_taken_for_the_city():
    assert customer_timezone(place="ул. Новосибирская, 3") == ""


def test_address_that_cannot_be_placed_gives_no_zone_so_the_shops_is_used():
    assert customer_timezone(postcode="999999", place="деревня Простоквашино") == ""


def test_every_region_names_a_zone_the_system_knows():
    assert all(ZoneInfo(region.zone) for region in REGIONS)


def test_no_postcode_prefix_belongs_to_two_regions():
    prefixes = [code for region in REGIONS for first, last in region.postcodes for code in range(first, last + 1)]
    assert len(prefixes) == len(set(prefixes))
