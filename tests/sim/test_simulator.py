import numpy as np
import pytest

from codedml.codes import (
    CyclicRepetition,
    FractionalRepetition,
    GradientCode,
    IgnoreStragglers,
    LinearGradientCode,
    UncodedScheme,
    survey_toy_code,
)
from codedml.errors import NonFiniteError, ParameterError, ShapeError, SizeError
from codedml.sim import (
    HeterogeneousShiftedExponential,
    InjectedDelays,
    PersistentStragglers,
    ShiftedExponential,
    simulate,
    straggler_probabilities,
)
from codedml.sim.probabilities import exponential_straggler_probabilities
from codedml.sim.stragglers import random_worker_subsets
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


# ---- validation of the simulator's inputs (issue 10) -------------------------------------------
FIRST_DECODABLE_CODES = {
    "uncoded": lambda: UncodedScheme(4), "ignore": lambda: IgnoreStragglers(4, 1),
    "fractional": lambda: FractionalRepetition(4, 1), "cyclic": lambda: CyclicRepetition(4, 1, seed=0),
    "toy": survey_toy_code, "linear": lambda: LinearGradientCode(np.eye(4)),
}


@pytest.mark.parametrize("name", list(FIRST_DECODABLE_CODES))
def test_first_decodable_validates_arrival_times_and_reads_inf_as_never(name):
    code = FIRST_DECODABLE_CODES[name]()
    n = code.n_workers
    times, used = code.first_decodable(np.full((2, n), np.inf))
    assert np.all(np.isinf(times)) and np.all(used == 0)
    times, used = code.first_decodable(np.arange(2 * n, dtype=np.int64).reshape(2, n))  # integers are times too
    assert np.all(np.isfinite(times))
    bad_nan = np.ones((2, n))
    bad_nan[1, 0] = np.nan
    bad_minus = np.ones((2, n))
    bad_minus[0, 1] = -np.inf
    for bad in (bad_nan, bad_minus):
        with pytest.raises(NonFiniteError, match="arrival_times holds NaN or -inf"):
            code.first_decodable(bad)
    with pytest.raises(ShapeError, match=rf"arrival_times must have shape \(any, {n}\)"):
        code.first_decodable(np.ones((2, n + 1)))
    with pytest.raises(ShapeError, match="arrival_times must have 2 dimension"):
        code.first_decodable(np.ones(n))
    with pytest.raises(ParameterError, match="arrival_times must be numeric"):
        code.first_decodable([["a"] * n])
    with pytest.raises(ParameterError, match="arrival_times must be real"):
        code.first_decodable(np.ones((1, n)) * 1j)


@pytest.mark.parametrize("call, message", [
    (lambda: ShiftedExponential(mu="a"), r"mu must be a finite real number in \(0, inf\)"),
    (lambda: ShiftedExponential(mu=None), r"mu must be a finite real number in \(0, inf\)"),
    (lambda: ShiftedExponential(mu=[1.0, 2.0]), "mu must be a finite real number"),
    (lambda: ShiftedExponential(mu=np.nan), "mu must be a finite real number"),
    (lambda: ShiftedExponential(alpha=-0.1), r"alpha must be a finite real number in \[0, inf\)"),
    (lambda: HeterogeneousShiftedExponential(["a"]), "mu must be numeric"),
    (lambda: HeterogeneousShiftedExponential([1.0, 0.0]), "mu must be positive"),
    (lambda: PersistentStragglers(ShiftedExponential(), [1.5]), "workers must hold integers"),
    (lambda: PersistentStragglers(ShiftedExponential(), [-1]), "workers must hold integers in"),
    (lambda: PersistentStragglers(None, [1]), "base must be a StragglerModel, got NoneType"),
    (lambda: InjectedDelays(ShiftedExponential(), None, 1.0), "n_delayed must be an integer >= 0"),
    (lambda: InjectedDelays(ShiftedExponential(), 1, np.nan), r"max_delay must be a finite real number in \[0, inf\)"),
    (lambda: ShiftedExponential().unit_times(-1, 3, np.random.default_rng(0)), "n_iterations must be an integer >= 0"),
    (lambda: ShiftedExponential().unit_times(None, 3, np.random.default_rng(0)), "n_iterations must be an integer"),
    (lambda: ShiftedExponential().unit_times(2, 0, np.random.default_rng(0)), "n_workers must be an integer >= 1"),
    (lambda: ShiftedExponential().unit_times(2, 3, "x"), "rng must be None, an integer >= 0 or a numpy.random"),
    (lambda: ShiftedExponential().finish_times(["a"], 2, np.random.default_rng(0)), "loads must be numeric"),
    (lambda: ShiftedExponential().finish_times([-1.0], 2, np.random.default_rng(0)), "loads must be a non-empty"),
    (lambda: random_worker_subsets(2, 3, None, np.random.default_rng(0)), r"count must be an integer in \[0, 3\]"),
    (lambda: random_worker_subsets(2, 3, 4, np.random.default_rng(0)), "cannot delay 4 of 3 workers"),
    (lambda: simulate(UncodedScheme(3), ShiftedExponential(), None), "n_iterations must be an integer >= 2"),
    (lambda: simulate(UncodedScheme(3), ShiftedExponential(), 1), "n_iterations must be an integer >= 2"),
    (lambda: simulate(UncodedScheme(3), ShiftedExponential(), 10, seed="x"), "seed must be None"),
    (lambda: simulate(UncodedScheme(3), ShiftedExponential(), 10, batch_size=0), "batch_size must be an integer >= 1"),
    (lambda: simulate(UncodedScheme(3), None, 10), "model must be a StragglerModel"),
    (lambda: simulate(None, ShiftedExponential(), 10), "code must be a simulatable code"),
    (lambda: exponential_straggler_probabilities(["a"], 2.0), "straggling rates mu must be numeric"),
    (lambda: exponential_straggler_probabilities([1.0], None), "deadline tau must be a finite real number"),
    (lambda: straggler_probabilities(ShiftedExponential(), 1.0, None), "n_workers must be an integer >= 1"),
    (lambda: straggler_probabilities(ShiftedExponential(), "x", 3), r"deadline must be a finite real number in \(0"),
    (lambda: straggler_probabilities(ShiftedExponential(), 1.0, 3, loads="x"), "loads must be numeric"),
    (lambda: straggler_probabilities(InjectedDelays(ShiftedExponential(), 1, 1.0), 1.0, 3, n_draws=None),
     "n_draws must be an integer >= 1"),
    (lambda: straggler_probabilities(None, 1.0, 3), "model must be a StragglerModel"),
])
def test_bad_straggler_model_and_simulation_parameters_raise_a_named_error(call, message):
    with pytest.raises(ParameterError, match=message):
        call()


@pytest.mark.parametrize("call, error, message", [
    (lambda: HeterogeneousShiftedExponential([]), ShapeError, "mu must be a number or a non-empty 1-D array"),
    (lambda: HeterogeneousShiftedExponential([1.0, 2.0], alpha=[1.0, 2.0, 3.0]), ShapeError, "alpha must be a number"),
    (lambda: ShiftedExponential().finish_times([np.nan], 2, np.random.default_rng(0)), NonFiniteError, "loads"),
    (lambda: straggler_probabilities(ShiftedExponential(), 1.0, 3, loads=[1.0, 2.0]), ShapeError,
     r"loads must be a number or have shape \(3,\)"),
    (lambda: ShiftedExponential().unit_times(10**6, 10**6, np.random.default_rng(0)), SizeError,
     "n_iterations x n_workers"),
    (lambda: straggler_probabilities(InjectedDelays(ShiftedExponential(), 1, 1.0), 1.0, 10**6, n_draws=10**6),
     SizeError, "n_draws x n_workers"),
])
def test_bad_straggler_shapes_and_sizes_raise_a_named_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_straggler_models_accept_an_integer_seed_as_rng():
    first = ShiftedExponential().unit_times(3, 2, 7)
    np.testing.assert_array_equal(first, ShiftedExponential().unit_times(3, 2, np.random.default_rng(7)))
    assert PersistentStragglers(ShiftedExponential(), 1).workers.tolist() == [1]
