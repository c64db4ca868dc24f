import numpy as np
import pytest
from scipy.integrate import quad

from codedml.codes import (
    BernoulliGC,
    CyclicRepetition,
    ErasureHeadGC,
    IgnoreStragglers,
    IgnoreStragglersSGD,
    OptimalDecodingGC,
    OptimallyStructuredGC,
    StochasticGC,
)
from codedml.errors import ParameterError, ShapeError
from codedml.sim import (
    DeadlineResult,
    HeterogeneousShiftedExponential,
    PersistentStragglers,
    ShiftedExponential,
    expected_deadline_error,
    exponential_straggler_probabilities,
    simulate,
)
from codedml.sim.deadline import deadline_outcomes, deadline_probabilities

RATES = np.array([0.3, 1.8, 0.9, 1.2, 0.5, 1.5])
MODEL = HeterogeneousShiftedExponential(RATES, alpha=1.0)  # the seed's T_i = 1 + Exp(mu_i), times the load
DESIGN = exponential_straggler_probabilities(RATES, 1.5)  # eq. 37 at tau = 1.5
PARTIALS = np.random.default_rng(4).standard_normal((6, 3)) + 0.5
ITERATIONS = 20_000
Z_999_OVER_Z_95 = 3.2905 / 1.95996  # widen the reported 95% interval to 99.9%

CODES = {
    "osgc": lambda: OptimallyStructuredGC(DESIGN),
    "osgc-graph": lambda: OptimallyStructuredGC(np.repeat([0.1, 0.4], 3), structure="graph"),
    "osgc-dense": lambda: OptimallyStructuredGC(DESIGN, structure="dense"),
    "is-sgd": lambda: IgnoreStragglersSGD(DESIGN),
    "bgc": lambda: BernoulliGC(DESIGN, replication=2, seed=1),
    "sgc": lambda: StochasticGC(DESIGN, replication=2),
    "ehd": lambda: ErasureHeadGC(DESIGN, replication=2),
    "od": lambda: OptimalDecodingGC(DESIGN, replication=2, seed=3),
}


def deadline_of(code):
    return 1.5 * code.computation_load  # the busiest worker gets the seed's tau = 1.5 per computation


@pytest.mark.parametrize("partials", [None, PARTIALS], ids=["iid", "fixed"])
@pytest.mark.parametrize("name", list(CODES))
def test_simulated_error_matches_the_analytic_expectation_within_the_monte_carlo_interval(name, partials):
    code = CODES[name]()
    result = simulate(code, MODEL, ITERATIONS, seed=sum(map(ord, name)), deadline=deadline_of(code), partials=partials)
    assert isinstance(result, DeadlineResult)
    assert result.expected_error == pytest.approx(expected_deadline_error(code, MODEL, deadline_of(code), partials))
    assert abs(result.mean_error - result.expected_error) <= Z_999_OVER_Z_95 * result.error_ci95


def test_completion_time_is_the_expected_minimum_of_deadline_and_last_answer():
    code = OptimallyStructuredGC(DESIGN)
    deadline = deadline_of(code)
    loads = code.worker_loads

    def all_answered_by(t):  # P(max_i T_i <= t), T_i = load_i (1 + Exp(mu_i))
        return np.prod(np.where(t > loads, 1.0 - np.exp(-RATES * (t / loads - 1.0)), 0.0))

    expected = quad(lambda t: 1.0 - all_answered_by(t), 0.0, deadline, points=sorted(set(loads)), limit=200)[0]
    result = simulate(code, MODEL, ITERATIONS, seed=5, deadline=deadline)
    assert abs(result.mean_time - expected) <= Z_999_OVER_Z_95 * result.ci95
    answering = 1.0 - deadline_probabilities(code, MODEL, deadline)
    spread = np.sqrt(np.sum(answering * (1.0 - answering)) / ITERATIONS)
    assert abs(result.mean_messages - answering.sum()) <= 3.2905 * spread
    assert result.failure_rate == pytest.approx(np.prod(1.0 - answering), abs=3.2905 * 0.5 / np.sqrt(ITERATIONS))


def test_deadline_probabilities_are_eq_37_for_one_computation_per_worker():
    np.testing.assert_allclose(deadline_probabilities(IgnoreStragglersSGD(DESIGN), MODEL, 1.5), DESIGN, rtol=1e-12)


def test_at_the_design_deadline_the_error_is_the_codes_own_expected_error():
    code = IgnoreStragglersSGD(DESIGN)
    assert expected_deadline_error(code, MODEL, 1.5) == pytest.approx(code.expected_error() / code.n_partitions)


def test_persistent_stragglers_never_answer_and_the_analytic_error_knows_it():
    code = OptimallyStructuredGC(DESIGN)
    model = PersistentStragglers(MODEL, [0, 3])
    probabilities = deadline_probabilities(code, model, deadline_of(code))
    assert probabilities[0] == probabilities[3] == 1.0
    result = simulate(code, model, ITERATIONS, seed=6, deadline=deadline_of(code))
    assert result.mean_time == deadline_of(code)
    assert abs(result.mean_error - result.expected_error) <= Z_999_OVER_Z_95 * result.error_ci95


def test_a_deadline_after_every_answer_ends_when_the_last_worker_answers_with_no_error():
    code = StochasticGC(DESIGN, replication=2)
    arrivals = np.array([[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [1.0, 2.0, np.inf, 4.0, 5.0, 6.0]])
    times, messages, errors = deadline_outcomes(code, arrivals, 10.0)
    assert times.tolist() == [6.0, 10.0] and messages.tolist() == [6, 5]
    everyone = np.ones(6) @ code.encoding_matrix  # w = 1 on every worker: sum_i a_ij, not 1
    assert errors[0] == pytest.approx(np.sum((everyone - 1.0) ** 2) / 6)


def test_nothing_by_the_deadline_estimates_zero_with_unit_error():
    times, messages, errors = deadline_outcomes(OptimallyStructuredGC(DESIGN), np.full((1, 6), 3.0), 2.0, PARTIALS)
    assert (times[0], messages[0], errors[0]) == (2.0, 0, 1.0)


def test_codes_with_a_stopping_rule_still_simulate_without_a_deadline():
    model = ShiftedExponential()
    assert simulate(IgnoreStragglers(6, 2), model, 100, seed=0).mean_messages == 4
    assert simulate(CyclicRepetition(6, 2, seed=0), model, 100, seed=0).failure_rate == 0.0


@pytest.mark.parametrize("call, message", [
    (lambda: simulate(OptimallyStructuredGC(DESIGN), MODEL, 10), "simulate it with deadline=tau"),
    (lambda: simulate(StochasticGC(DESIGN), MODEL, 10, required=2, deadline=3.0), "required .* approximate codes"),
    (lambda: simulate(CyclicRepetition(6, 2, seed=0), MODEL, 10, deadline=3.0), "apply to approximate codes only"),
    (lambda: simulate(IgnoreStragglers(6, 2), MODEL, 10, partials=PARTIALS), "apply to approximate codes only"),
    (lambda: simulate(StochasticGC(DESIGN), MODEL, 10, deadline=0.0), r"deadline must be a finite real .* \(0, inf\)"),
    (lambda: simulate(StochasticGC(DESIGN), MODEL, 10, deadline=np.nan), "deadline must be a finite real"),
    (lambda: simulate(StochasticGC(DESIGN), MODEL, 10, deadline="1"), "deadline must be a finite real"),
    (lambda: simulate(StochasticGC(DESIGN), MODEL, 10, deadline=3.0, partials=np.zeros((6, 2))), "sum to zero"),
    (lambda: expected_deadline_error(CyclicRepetition(6, 2, seed=0), MODEL, 3.0), "code must be a"),
    (lambda: StochasticGC(DESIGN).expected_error(probabilities=[0.5] * 5 + [1.5]), r"lie in \[0, 1\]"),
])
def test_bad_deadline_use_raises_a_named_error(call, message):
    with pytest.raises(ParameterError, match=message):
        call()


@pytest.mark.parametrize("call", [
    lambda: simulate(StochasticGC(DESIGN), MODEL, 10, deadline=3.0, partials=np.ones((5, 2))),
    lambda: deadline_outcomes(StochasticGC(DESIGN), np.ones((2, 5)), 3.0),
    lambda: StochasticGC(DESIGN).decoding_vectors(np.ones((2, 6))),
])
def test_misshapen_inputs_raise_shape_error(call):
    with pytest.raises(ShapeError):
        call()
