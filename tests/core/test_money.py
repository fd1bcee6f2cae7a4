from decimal import Decimal

import pytest

from core.money import NARROW_NBSP, NBSP, format_rubles, to_money


def test_russian_groups_thousands_with_a_narrow_no_break_space():
    assert format_rubles(Decimal("1990"), "ru") == f"1{NARROW_NBSP}990{NBSP}₽"


def test_english_groups_thousands_with_a_comma():
    assert format_rubles(Decimal("1990"), "en") == f"1,990{NBSP}₽"


def test_millions_are_grouped_in_threes():
    assert format_rubles(Decimal("1234567"), "ru") == f"1{NARROW_NBSP}234{NARROW_NBSP}567{NBSP}₽"


def test_whole_rubles_are_shown_without_kopecks():
    assert format_rubles(Decimal("990.00"), "ru") == f"990{NBSP}₽"


def test_kopecks_use_a_comma_in_russian():
    assert format_rubles(Decimal("1990.5"), "ru") == f"1{NARROW_NBSP}990,50{NBSP}₽"


def test_kopecks_use_a_point_in_english():
    assert format_rubles(Decimal("1990.05"), "en") == f"1,990.05{NBSP}₽"


def test_negative_amount_gets_a_minus_sign():
    assert format_rubles(Decimal("-1500"), "ru") == f"−1{NARROW_NBSP}500{NBSP}₽"


def test_half_a_kopeck_rounds_up_like_a_cashier():
    assert to_money("10.005") == Decimal("10.01")


def test_strings_and_integers_are_accepted():
    assert format_rubles("2500", "ru") == format_rubles(2500, "ru") == f"2{NARROW_NBSP}500{NBSP}₽"


def test_nothing_formats_as_an_empty_string():
    assert format_rubles(None) == ""


def test_a_float_is_refused():
    with pytest.raises(TypeError):
        format_rubles(19.9, "ru")


def test_the_current_language_is_used_when_none_is_given(settings):
    from django.utils import translation

    with translation.override("ru"):
        assert format_rubles(Decimal("1990")) == f"1{NARROW_NBSP}990{NBSP}₽"


def test_back_office_columns_show_kopecks_even_when_there_are_none():
    assert format_rubles(Decimal("24769"), "ru", kopecks=True) == f"24{NARROW_NBSP}769,00{NBSP}₽"
