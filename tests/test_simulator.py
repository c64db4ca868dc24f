import numpy as np
import pytest

from codedml.codes import (
    CyclicRepetition,
    FractionalRepetition,
    GradientCode,
    IgnoreStragglers,
    UncodedScheme,
    survey_toy_code,
)
from codedml.sim import HeterogeneousShiftedExponential, PersistentStragglers, ShiftedExponential, simulate
from tests.naive import harmonic

MODEL = ShiftedExponential(mu=10.0, alpha=0.01)


def within_ci(result, expected, widen=1.0):
    return abs(result.mean_time - expected) <= widen * result.ci95


def test_uncoded_completion_time_matches_alpha_plus_harmonic_over_mu():
    result = simulate(UncodedScheme(40), MODEL, 20_000, seed=11)
    assert within_ci(result, 0.01 + harmonic(40) / 10)
    assert result.mean_messages == 40


def test_cyclic_repetition_matches_order_statistic_closed_form():
    result = simulate(CyclicRepetition(40, 9, seed=0), MODEL, 20_000, seed=12)
    assert within_ci(result, 10 * (0.01 + (harmonic(40) - harmonic(9)) / 10))
    assert result.mean_messages == 31


def test_fractional_repetition_waits_for_the_slowest_block_minimum():
    # 4 blocks of 10 replicas: T = 10 (alpha + max_b min_w X) with min of 10 Exp(10) ~ Exp(100)
    result = simulate(FractionalRepetition(40, 9), MODEL, 20_000, seed=13)
    assert within_ci(result, 10 * (0.01 + harmonic(4) / 100), widen=1.5)


def test_ignore_stragglers_stops_at_n_minus_s_unit_tasks():
    result = simulate(IgnoreStragglers(40, 9), MODEL, 20_000, seed=14)
    assert within_ci(result, 0.01 + (harmonic(40) - harmonic(9)) / 10)


@pytest.mark.parametrize("code", [CyclicRepetition(12, 3, seed=1), FractionalRepetition(12, 3)],
                         ids=["cyclic", "fractional"])
def test_vectorised_completion_rule_equals_generic_bisection_and_naive_prefix_scan(code):
    finish = MODEL.finish_times(code.worker_loads, 200, np.random.default_rng(5))
    fast_times, fast_used = code.first_decodable(finish)
    generic_times, generic_used = GradientCode.first_decodable(code, finish)
    naive_times, naive_used = [], []
    for row in finish:  # smallest prefix of the arrival order that is decodable
        order = np.argsort(row)
        k = next(k for k in range(1, code.n_workers + 1) if code.is_decodable(order[:k]))
        naive_times.append(row[order[k - 1]])
        naive_used.append(k)
    np.testing.assert_array_equal(fast_times, naive_times)
    np.testing.assert_array_equal(generic_times, naive_times)
    np.testing.assert_array_equal(fast_used, naive_used)
    np.testing.assert_array_equal(generic_used, naive_used)


def test_toy_code_uses_the_generic_search_and_needs_two_messages():
    result = simulate(survey_toy_code(), MODEL, 2_000, seed=3)
    assert result.mean_messages == 2


def test_persistent_stragglers_beyond_tolerance_make_every_iteration_fail():
    code = CyclicRepetition(10, 2, seed=0)
    ok = simulate(code, PersistentStragglers(MODEL, [0, 5]), 1_000, seed=1)
    assert ok.failure_rate == 0
    with pytest.raises(Exception, match="no iteration"):
        simulate(code, PersistentStragglers(MODEL, [0, 5, 7]), 1_000, seed=1)


def test_heterogeneous_model_with_equal_rates_matches_the_homogeneous_closed_form():
    model = HeterogeneousShiftedExponential(np.full(40, 10.0), 0.01)
    assert within_ci(simulate(UncodedScheme(40), model, 20_000, seed=15), 0.01 + harmonic(40) / 10)
