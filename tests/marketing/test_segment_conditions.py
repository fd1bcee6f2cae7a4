"""Each segment condition on a small fixture with a known answer, and AND / OR groups."""

import itertools
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from marketing.segments.selectors import segment_members
from marketing.segments.services import segment_save
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=ZoneInfo("Europe/Moscow"))
_names = itertools.count(1)


def members(*conditions, match="all", now=NOW) -> set[str]:
    tree = {"match": match, "conditions": list(conditions)}
    segment = segment_save(name=f"Under test {next(_names)}", conditions=tree)
    return set(segment_members(segment=segment, now=now).values_list("first_name", flat=True))


def customer(name: str, **fields):
    return UserFactory(first_name=name, **fields)


def test_sex_picks_the_customers_of_that_sex_and_unknown_picks_those_who_did_not_say():
    customer("Anna", gender="female")
    customer("Boris", gender="male")
    customer("Kim", gender="")

    assert members({"field": "gender", "values": ["female"]}) == {"Anna"}
    assert members({"field": "gender", "values": ["male", ""]}) == {"Boris", "Kim"}


def test_city_is_matched_whatever_the_case_and_any_of_several_cities_counts():
    customer("Anna", city="Москва")
    customer("Boris", city="москва")
    customer("Vera", city="Казань")
    customer("Kim", city="")

    assert members({"field": "city", "values": ["МОСКВА"]}) == {"Anna", "Boris"}
    assert members({"field": "city", "values": ["Москва", "Казань"]}) == {"Anna", "Boris", "Vera"}


def test_age_range_counts_full_years_on_the_shops_day_and_leaves_out_unknown_birth_dates():
    customer("Turns 30 today", birth_date=date(1996, 6, 15))
    customer("Turns 30 tomorrow", birth_date=date(1996, 6, 16))
    customer("Just 40", birth_date=date(1986, 6, 15))
    customer("41 yesterday", birth_date=date(1985, 6, 14))
    customer("Unknown")

    assert members({"field": "age", "min": 30, "max": 40}) == {"Turns 30 today", "Just 40"}
    assert members({"field": "age", "max": 29}) == {"Turns 30 tomorrow"}
    assert members({"field": "age", "min": 41}) == {"41 yesterday"}


def test_staff_accounts_are_never_members():
    customer("Anna", city="Москва")
    customer("Manager", city="Москва", is_staff=True)
    customer("Closed", city="Москва", is_active=False)

    assert members({"field": "city", "values": ["Москва"]}) == {"Anna"}


def test_all_needs_every_condition_and_any_needs_one():
    customer("Anna", gender="female", city="Москва")
    customer("Vera", gender="female", city="Казань")
    customer("Boris", gender="male", city="Москва")
    customer("Oleg", gender="male", city="Казань")
    sex = {"field": "gender", "values": ["female"]}
    city = {"field": "city", "values": ["Москва"]}

    assert members(sex, city) == {"Anna"}
    assert members(sex, city, match="any") == {"Anna", "Vera", "Boris"}


def test_groups_nest_an_or_inside_an_and():
    customer("Anna", gender="female", city="Москва")
    customer("Vera", gender="female", city="Казань")
    customer("Olga", gender="female", city="Омск")
    customer("Boris", gender="male", city="Москва")
    either_city = {"match": "any", "conditions": [
        {"field": "city", "values": ["Москва"]}, {"field": "city", "values": ["Казань"]}]}

    assert members({"field": "gender", "values": ["female"]}, either_city) == {"Anna", "Vera"}


def test_no_conditions_means_every_customer():
    customer("Anna")
    customer("Boris")

    assert members() == {"Anna", "Boris"}
