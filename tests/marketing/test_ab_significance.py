"""The A/B arithmetic on answers known from textbooks and published examples."""

import pytest

from marketing.abtests.significance import (
    Sample,
    regularized_incomplete_beta,
    student_t_two_sided,
    two_proportion_z_test,
    welch_t_test,
)


def test_two_proportion_z_test_on_a_known_answer():
    # 150/1000 against 200/1000: pooled p = 0.175, standard error 0.016993, z = 2.9424, p = 0.00326.
    result = two_proportion_z_test(successes_a=150, trials_a=1000, successes_b=200, trials_b=1000)
    assert round(result.statistic, 4) == 2.9424
    assert round(result.p_value, 5) == 0.00326
    assert result.significant


def test_z_test_sign_follows_the_second_variant_and_small_differences_are_not_significant():
    # 52/1000 against 48/1000: pooled p = 0.05, standard error 0.009747, z = -0.4104, p = 0.6815.
    result = two_proportion_z_test(successes_a=52, trials_a=1000, successes_b=48, trials_b=1000)
    assert result.statistic < 0
    assert round(result.p_value, 4) == 0.6815
    assert not result.significant


def test_z_test_without_any_success_or_trials_says_nothing():
    assert two_proportion_z_test(successes_a=0, trials_a=500, successes_b=0, trials_b=500).p_value == 1.0
    assert two_proportion_z_test(successes_a=1, trials_a=0, successes_b=1, trials_b=10) is None


def test_welch_t_test_on_wikipedias_first_example():
    # en.wikipedia.org/wiki/Welch's_t-test, example 1: t = -2.46, ν ≈ 24.99, p = 0.021.
    a = Sample.of([27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4])
    b = Sample.of([27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4])
    result = welch_t_test(b, a)
    assert round(result.statistic, 2) == -2.46
    assert round(result.degrees_of_freedom, 2) == 24.99
    assert round(result.p_value, 3) == 0.021


def test_welch_from_sums_equals_welch_from_values():
    values = [0, 0, 0, 1200, 0, 3400.5, 0, 0]
    assert Sample.of(values) == Sample(count=8, total=4600.5, total_of_squares=1200**2 + 3400.5**2)


@pytest.mark.parametrize(("t", "freedom", "p_value"), [
    (2.228, 10, 0.05), (1.812, 10, 0.10), (2.086, 20, 0.05), (12.706, 1, 0.05), (1.0, 1, 0.5), (1.96, 1e6, 0.05),
])
def test_student_t_matches_the_tables(t, freedom, p_value):
    assert student_t_two_sided(t, freedom) == pytest.approx(p_value, abs=2e-4)


def test_incomplete_beta_edges_and_symmetry():
    assert regularized_incomplete_beta(0, 2, 3) == 0
    assert regularized_incomplete_beta(1, 2, 3) == 1
    # I_x(a, b) + I_{1-x}(b, a) = 1; I_0.5(a, a) = 0.5
    assert regularized_incomplete_beta(0.3, 2.5, 4) + regularized_incomplete_beta(0.7, 4, 2.5) == pytest.approx(1)
    assert regularized_incomplete_beta(0.5, 7, 7) == pytest.approx(0.5)


def test_welch_needs_two_values_in_each_group_and_handles_no_spread():
    assert welch_t_test(Sample.of([1]), Sample.of([1, 2])) is None
    same = welch_t_test(Sample.of([0, 0, 0]), Sample.of([0, 0]))
    assert (same.statistic, same.p_value) == (0.0, 1.0)
