"""BernoulliStragglers and TraceReplay: draws, reproducibility, replay through simulate, named errors."""

import numpy as np
import pytest

from codedml.codes import CyclicRepetition, UncodedMMC
from codedml.errors import ParameterError, ShapeError
from codedml.sim import (
    BernoulliStragglers,
    ShiftedExponential,
    StragglerModel,
    Trace,
    TraceReplay,
    simulate,
    straggler_probabilities,
)

N_DRAWS = 20_000


def test_bernoulli_stragglers_drop_each_worker_with_its_probability():
    probabilities = np.array([0.0, 0.05, 0.3, 0.9, 1.0])
    times = BernoulliStragglers(probabilities).unit_times(N_DRAWS, 5, np.random.default_rng(1))
    assert set(np.unique(times)) <= {1.0, np.inf}
    share = np.isinf(times).mean(axis=0)
    # binomial standard error; 5 sigma (and exact at p = 0 and 1)
    assert np.all(np.abs(share - probabilities) <= 5 * np.sqrt(probabilities * (1 - probabilities) / N_DRAWS))


def test_bernoulli_stragglers_keep_the_base_times_of_answering_workers():
    base = ShiftedExponential(10.0, 0.01)
    model = BernoulliStragglers(0.25, base=base)
    times = model.unit_times(1000, 4, np.random.default_rng(3))
    # the base draws first from the same generator, then the straggler mask
    rng = np.random.default_rng(3)
    expected = base.unit_times(1000, 4, rng)
    dropped = rng.random((1000, 4)) < 0.25
    np.testing.assert_array_equal(times, np.where(dropped, np.inf, expected))


def test_bernoulli_stragglers_are_reproducible_from_the_seed():
    model = BernoulliStragglers([0.2, 0.5, 0.7])
    np.testing.assert_array_equal(model.unit_times(50, 3, 7), model.unit_times(50, 3, 7))


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda: BernoulliStragglers([0.1, 1.5]), ParameterError, "probabilities must be numbers in"),
    (lambda: BernoulliStragglers(-0.1), ParameterError, "probabilities must be numbers in"),
    (lambda: BernoulliStragglers([np.nan]), ParameterError, "probabilities must be numbers in"),
    (lambda: BernoulliStragglers([]), ParameterError, "probabilities must be numbers in"),
    (lambda: BernoulliStragglers([[0.1]]), ShapeError, "probabilities"),
    (lambda: BernoulliStragglers(0.1, base="fast"), ParameterError, "base"),
    (lambda: BernoulliStragglers([0.1, 0.2]).unit_times(3, 3, 0), ParameterError, "for 2 workers, the code has 3"),
    (lambda: BernoulliStragglers(0.1).unit_times(-1, 3, 0), ParameterError, "n_iterations"),
])
def test_bernoulli_stragglers_refuse_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


RECORDED = np.array([[0.1, 0.4, np.inf, 0.2], [0.3, 0.1, 0.2, 0.5], [0.2, 0.2, 0.6, np.inf]])


def test_replay_without_resampling_returns_the_recorded_times():
    replay = TraceReplay(RECORDED, resample=False)
    np.testing.assert_array_equal(replay.unit_times(3, 4, None), RECORDED)
    np.testing.assert_array_equal(replay.finish_times([1, 2, 3, 4], 3, None), RECORDED * [1, 2, 3, 4])


def test_resampled_rows_are_recorded_rows_and_reproducible():
    replay = TraceReplay(RECORDED)
    draws = replay.unit_times(600, 4, 5)
    np.testing.assert_array_equal(draws, replay.unit_times(600, 4, 5))
    rows = [int(np.flatnonzero((RECORDED == row).all(axis=1))[0]) for row in draws]
    counts = np.bincount(rows, minlength=3)
    # uniform over 3 rows: each count is Binomial(600, 1/3), sd 11.5
    assert np.all(np.abs(counts - 200) <= 5 * 11.5)


def test_simulate_on_a_replayed_trace_equals_first_decodable_by_hand():
    rng = np.random.default_rng(11)
    n_workers, n_stragglers, n_rows = 7, 2, 500
    code = CyclicRepetition(n_workers, n_stragglers)
    recorded = 0.01 + rng.exponential(0.1, size=(n_rows, n_workers))
    recorded[rng.random(recorded.shape) < 0.1] = np.inf  # lost answers
    result = simulate(code, TraceReplay(recorded, resample=False), n_iterations=n_rows, seed=0)
    # by hand: worker w's message arrives at load * tau; the first decodable prefix of the arrival order
    arrivals = recorded * (n_stragglers + 1)
    times = np.full(n_rows, np.inf)
    for row in range(n_rows):
        order = np.argsort(arrivals[row], kind="stable")
        for count in range(1, n_workers + 1):
            if np.isfinite(arrivals[row, order[count - 1]]) and code.is_decodable(order[:count]):
                times[row] = arrivals[row, order[count - 1]]
                break
    finite = np.isfinite(times)
    assert result.failure_rate == pytest.approx(1 - finite.mean(), abs=1e-15)
    assert result.mean_time == pytest.approx(times[finite].mean(), rel=1e-12)


def test_replay_from_a_multi_message_trace_feeds_the_simulator():
    code = UncodedMMC(3, 2)
    records = []
    tau = np.array([[0.1, 0.3, 0.2], [0.2, 0.1, 0.4]])
    for iteration in range(2):
        for message, (worker, steps) in enumerate(zip(code.message_workers, code.message_steps)):
            arrived = float(steps * tau[iteration, worker])
            records.append(dict(scheme="uc", iteration=iteration, worker=int(worker), message=message,
                                computations=int(steps), submitted=0.0, started=0.0, finished=arrived,
                                arrived=arrived, status="used"))
    replay = TraceReplay.from_trace(Trace(records), "uc", resample=False)
    np.testing.assert_allclose(replay.unit_times(2, 3, None), tau, rtol=1e-15)
    expected, _ = code.first_decodable(tau[:, code.message_workers] * code.message_steps)
    result = simulate(code, replay, n_iterations=2, seed=0)
    assert result.mean_time == pytest.approx(expected.mean(), rel=1e-12)


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda: TraceReplay([0.1, 0.2]), ShapeError, "unit_times"),
    (lambda: TraceReplay(np.zeros((0, 3))), ShapeError, "at least one row"),
    (lambda: TraceReplay([[0.1, np.nan]]), ParameterError, "NaN or a negative"),
    (lambda: TraceReplay([[0.1, -1.0]]), ParameterError, "NaN or a negative"),
    (lambda: TraceReplay([[0.1]], resample=1), ParameterError, "resample"),
    (lambda: TraceReplay(RECORDED).unit_times(3, 5, 0), ParameterError, "for 4 workers, the code has 5"),
    (lambda: TraceReplay(RECORDED, resample=False).unit_times(2, 4, 0), ParameterError, "n_iterations=3"),
    (lambda: TraceReplay.from_trace(RECORDED, "s"), ParameterError, "trace"),
])
def test_trace_replay_refuses_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_both_models_are_straggler_models():
    assert isinstance(BernoulliStragglers(0.1), StragglerModel)
    assert isinstance(TraceReplay(RECORDED), StragglerModel)


def test_straggler_probabilities_of_bernoulli_stragglers_match_their_draws():
    model = BernoulliStragglers([0.1, 0.4, 0.0], base=ShiftedExponential(10.0, 0.01))
    loads = np.array([1.0, 2.0, 3.0])
    exact = straggler_probabilities(model, 0.3, 3, loads)
    # p + (1 - p) exp(-mu (tau / load - alpha))
    np.testing.assert_allclose(exact, [0.1, 0.4, 0.0] + np.array([0.9, 0.6, 1.0]) * np.exp(-10 * (0.3 / loads - 0.01)))
    share = np.mean(model.finish_times(loads, N_DRAWS, np.random.default_rng(12)) > 0.3, axis=0)
    assert np.all(np.abs(share - exact) <= 5 * np.sqrt(exact * (1 - exact) / N_DRAWS))
    np.testing.assert_array_equal(straggler_probabilities(BernoulliStragglers(0.25), 1.5, 2, [1.0, 2.0]), [0.25, 1.0])


def test_straggler_probabilities_of_a_replay_are_the_share_of_late_rows():
    for resample in (True, False):
        np.testing.assert_array_equal(straggler_probabilities(TraceReplay(RECORDED, resample), 0.25, 4),
                                      [1 / 3, 1 / 3, 2 / 3, 2 / 3])
    with pytest.raises(ParameterError, match="for 4 workers, asked for 3"):
        straggler_probabilities(TraceReplay(RECORDED), 0.25, 3)
    with pytest.raises(ParameterError, match="for 2 workers, asked for 3"):
        straggler_probabilities(BernoulliStragglers([0.1, 0.2]), 0.25, 3)
