"""The closed-form expected completion times against the naive harmonic sums and the Monte Carlo simulator."""

import numpy as np
import pytest

from codedml.codes import CyclicRepetition, FractionalRepetition, UncodedScheme
from codedml.errors import ParameterError
from codedml.sim import (
    ShiftedExponential,
    gradient_coding_expected_completion_time,
    harmonic_number,
    simulate,
    uncoded_expected_completion_time,
)
from tests.naive import harmonic


@pytest.mark.parametrize("m", [0, 1, 2, 9, 40, 1000])
def test_harmonic_number_is_the_naive_sum(m):
    assert harmonic_number(m) == harmonic(m)


def test_closed_forms_are_the_order_statistic_formulas():
    assert uncoded_expected_completion_time(40, 10.0, 0.01) == 0.01 + harmonic(40) / 10.0
    expected = 10 * (0.01 + (harmonic(40) - harmonic(9)) / 10)
    assert gradient_coding_expected_completion_time(40, 9, 10.0, 0.01) == expected
    assert gradient_coding_expected_completion_time(7, 0, 2.0, 0.5) == uncoded_expected_completion_time(7, 2.0, 0.5)


@pytest.mark.parametrize("code, closed_form", [
    (UncodedScheme(12), uncoded_expected_completion_time(12, 3.0, 0.1)),
    (CyclicRepetition(12, 3, seed=0), gradient_coding_expected_completion_time(12, 3, 3.0, 0.1)),
], ids=["uncoded", "cyclic"])
def test_simulated_mean_matches_the_closed_form_within_twice_its_ci(code, closed_form):
    # twice the 95% half-width is ~3.9 standard errors: a correct closed form fails once in 10^4 seeds
    result = simulate(code, ShiftedExponential(3.0, 0.1), 20_000, seed=np.random.default_rng(1))
    assert abs(result.mean_time - closed_form) <= 2 * result.ci95


def test_fractional_repetition_finishes_before_the_any_n_minus_s_closed_form():
    result = simulate(FractionalRepetition(12, 3), ShiftedExponential(3.0, 0.1), 20_000, seed=np.random.default_rng(1))
    assert result.mean_time + result.ci95 < gradient_coding_expected_completion_time(12, 3, 3.0, 0.1)


@pytest.mark.parametrize("call, name", [
    (lambda: harmonic_number(-1), "m"),
    (lambda: uncoded_expected_completion_time(0, 1.0, 0.0), "n_workers"),
    (lambda: uncoded_expected_completion_time(4, 0.0, 0.0), "mu"),
    (lambda: uncoded_expected_completion_time(4, 1.0, -1.0), "alpha"),
    (lambda: gradient_coding_expected_completion_time(4, 4, 1.0, 0.0), "n_stragglers"),
    (lambda: gradient_coding_expected_completion_time(4, 1, float("nan"), 0.0), "mu"),
])
def test_bad_arguments_are_named(call, name):
    with pytest.raises(ParameterError, match=name):
        call()
