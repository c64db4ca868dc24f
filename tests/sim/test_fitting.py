"""Fits of straggler models: recovery of known parameters within their sampling error, censoring, the
trace -> fit -> simulate pipeline, named errors.

Tolerances come from the estimators' distributions (n exact draws of alpha + Exp(mu)):
``alpha_hat - alpha ~ Exp(n mu)`` (the minimum), so ``0 <= alpha_hat - alpha <= 12 / (n mu)`` fails with
probability e^-12; ``mu_hat`` is asymptotically normal with sd ``mu / sqrt(n_observed)`` (also under
right-censoring, whose Fisher information is ``n_observed / mu^2``), checked to 5 sd; a Bernoulli share to
5 binomial sd.
"""

import numpy as np
import pytest

from codedml.codes import CyclicRepetition
from codedml.errors import ParameterError, ShapeError
from codedml.sim import (
    BernoulliStragglers,
    FittedShiftedExponential,
    HeterogeneousShiftedExponential,
    ShiftedExponential,
    Trace,
    deadline_straggling_probabilities,
    estimate_straggling_probabilities,
    fit_shifted_exponential,
    fit_trace,
    read_trace,
    simulate,
    straggler_probabilities,
    write_trace,
)

N_DRAWS = 20_000
MU = np.array([2.0, 5.0, 10.0, 10.0, 20.0, 50.0])
ALPHA = np.array([0.0, 0.01, 0.01, 0.05, 0.002, 0.1])


def assert_recovers(model, mu, alpha, n_observed):
    assert np.all(model.alpha >= alpha) and np.all(model.alpha - alpha <= 12 / (n_observed * mu))
    assert np.all(np.abs(model.mu - mu) <= 5 * mu / np.sqrt(n_observed))


def test_fit_recovers_known_rates_and_shifts():
    times = HeterogeneousShiftedExponential(MU, ALPHA).unit_times(N_DRAWS, MU.size, np.random.default_rng(2))
    model = fit_shifted_exponential(times)
    assert isinstance(model, FittedShiftedExponential)
    assert_recovers(model, MU, ALPHA, N_DRAWS)
    np.testing.assert_array_equal(model.n_observed, N_DRAWS)
    assert not model.n_censored.any() and not model.n_excluded.any()


def test_fit_is_the_closed_form_maximum_likelihood():
    times = np.array([[0.3, 1.0], [0.5, 2.0], [0.4, np.inf], [1.0, np.inf]])
    bounds = np.array([[np.inf, np.inf], [np.inf, np.inf], [np.inf, 1.5], [np.inf, 0.5]])
    model = fit_shifted_exponential(times, bounds)
    # worker 0: alpha = 0.3, mu = 4 / (0 + 0.2 + 0.1 + 0.7); worker 1: alpha = 1, mu = 2 / (0 + 1 + 0.5 + 0)
    np.testing.assert_allclose(model.alpha, [0.3, 1.0])
    np.testing.assert_allclose(model.mu, [4 / 1.0, 2 / 1.5])
    np.testing.assert_array_equal(model.n_censored, [0, 2])


def test_censoring_recovers_rates_that_dropping_cut_times_would_bias():
    rng = np.random.default_rng(4)
    times = HeterogeneousShiftedExponential(MU, ALPHA).unit_times(N_DRAWS, MU.size, rng)
    # the master stops at the 4th of 6 arrivals: the two slowest times are only known to exceed it
    stop = np.sort(times, axis=1)[:, 3:4]
    cut = times > stop
    observed = np.where(cut, np.inf, times)
    bounds = np.where(cut, stop, np.inf)
    model = fit_shifted_exponential(observed, bounds)
    assert_recovers(model, MU, ALPHA, model.n_observed)
    np.testing.assert_array_equal(model.n_censored, cut.sum(axis=0))
    dropped = fit_shifted_exponential(observed)  # the same times with the cut ones left out
    np.testing.assert_array_equal(dropped.n_excluded, cut.sum(axis=0))
    assert np.all(dropped.mu > model.mu)
    slowest = np.argmin(MU)  # cut most often: dropping its cut times makes it look far faster
    assert dropped.mu[slowest] > 2 * MU[slowest]


def test_lost_times_are_excluded_and_counted():
    rng = np.random.default_rng(5)
    times = ShiftedExponential(10.0, 0.01).unit_times(N_DRAWS, 2, rng)
    lost = rng.random(times.shape) < 0.2
    model = fit_shifted_exponential(np.where(lost, np.inf, times))
    np.testing.assert_array_equal(model.n_excluded, lost.sum(axis=0))
    assert_recovers(model, np.array([10.0, 10.0]), 0.01, model.n_observed)


def test_estimate_straggling_probabilities_recovers_bernoulli_p():
    probabilities = np.array([0.02, 0.1, 0.3, 0.6])
    model = BernoulliStragglers(probabilities, base=ShiftedExponential(10.0, 0.01))
    finish = model.finish_times(np.full(4, 2.0), N_DRAWS, np.random.default_rng(6))
    # answers take 2 (0.01 + Exp(10)): beyond 2.0 with probability exp(-10 (1 - 0.01)) ~ 5e-5
    estimate = estimate_straggling_probabilities(finish, deadline=2.0)
    p = probabilities + (1 - probabilities) * np.exp(-10 * (1.0 - 0.01))
    assert np.all(np.abs(estimate - p) <= 5 * np.sqrt(p * (1 - p) / N_DRAWS))


def test_deadline_probabilities_match_the_share_of_late_draws():
    model = HeterogeneousShiftedExponential([2.0, 5.0, 10.0], alpha=[0.1, 0.01, 0.05])
    loads = np.array([1.0, 2.0, 3.0])
    p = deadline_straggling_probabilities(model, loads, deadline=0.6)
    # closed form, eq. 37 with per-worker shifts: exp(-mu (tau / load - alpha))
    np.testing.assert_allclose(p, np.exp(-model.mu * (0.6 / loads - model.alpha)))
    share = np.mean(model.finish_times(loads, N_DRAWS, np.random.default_rng(7)) > 0.6, axis=0)
    assert np.all(np.abs(share - p) <= 5 * np.sqrt(p * (1 - p) / N_DRAWS))
    np.testing.assert_array_equal(p, straggler_probabilities(model, 0.6, 3, loads))
    # a homogeneous model takes its worker count from the loads; a deadline below the shift is certain
    np.testing.assert_allclose(deadline_straggling_probabilities(ShiftedExponential(10, 0.5), [1, 2], 0.7),
                               [np.exp(-10 * 0.2), 1.0], rtol=1e-14)


def synthetic_trace(code, model, n_iterations, rng, scheme, lost=0.0):
    """Emulate a cluster run of a one-message code: the master decodes at the first decodable arrival,
    the answers after it are cancelled, a share ``lost`` of tasks fail."""
    tau = model.unit_times(n_iterations, code.n_workers, rng)
    tau[rng.random(tau.shape) < lost] = np.inf
    arrivals = tau * code.message_steps
    done, _ = code.first_decodable(arrivals)
    records = []
    for iteration in range(n_iterations):
        for worker in range(code.n_workers):
            arrived = arrivals[iteration, worker]
            status = "lost" if np.isinf(arrived) else "used" if arrived <= done[iteration] else "cancelled"
            time = float(arrived) if status == "used" else None
            records.append(dict(scheme=scheme, iteration=iteration, worker=worker, message=worker,
                                computations=int(code.message_steps[worker]), submitted=0.0,
                                started=0.0, finished=time, arrived=time, status=status))
    return records, done


def test_fit_on_a_trace_predicts_the_measured_and_other_codes_completion_times(tmp_path):
    """The loop of issue 12: a run with heterogeneous delays -> trace file -> fit -> simulate -> E[T]."""
    rng = np.random.default_rng(8)
    truth = HeterogeneousShiftedExponential([2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0], alpha=0.01)
    code = CyclicRepetition(7, 2)
    records, done = synthetic_trace(code, truth, 2000, rng, "cyclic", lost=0.01)
    path = tmp_path / "run.jsonl"
    write_trace(path, records)
    trace = read_trace(path)
    np.testing.assert_array_equal(trace.completion_times("cyclic"), done)
    model = fit_trace(trace, "cyclic")
    assert model.n_censored.sum() > 0 and model.n_excluded.sum() > 0
    assert np.all(np.abs(model.loss_probabilities - 0.01) <= 5 * np.sqrt(0.01 * 0.99 / 2000))
    measured = done[np.isfinite(done)]
    predicted = simulate(code, BernoulliStragglers(model.loss_probabilities, base=model), 20_000, seed=9)
    # same run: within the two 95% confidence intervals (sum of half-widths)
    half_width = 1.96 * measured.std(ddof=1) / np.sqrt(measured.size) + predicted.ci95
    assert abs(predicted.mean_time - measured.mean()) <= half_width
    # another code on the same cluster: the fitted model predicts what the true one gives, within 10%
    other = CyclicRepetition(7, 4)
    assert simulate(other, model, 20_000, seed=10).mean_time == pytest.approx(
        simulate(other, truth, 20_000, seed=11).mean_time, rel=0.10)


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda: fit_shifted_exponential([0.1, 0.2]), ShapeError, "unit_times"),
    (lambda: fit_shifted_exponential(np.zeros((0, 2))), ShapeError, "at least one iteration"),
    (lambda: fit_shifted_exponential([[0.1], [np.nan]]), ParameterError, "NaN or a negative"),
    (lambda: fit_shifted_exponential([[0.1, 0.2], [0.3, np.inf]]), ParameterError, "worker 1 has 1 observed"),
    (lambda: fit_shifted_exponential([[0.1, 0.2], [0.1, 0.3]]), ParameterError, "every time of worker 0"),
    (lambda: fit_shifted_exponential([[0.1], [0.2]], [[0.1]]), ShapeError, "censoring_times must have the shape"),
    (lambda: fit_shifted_exponential([[0.1], [0.2]], [[0.3], [np.inf]]), ParameterError, "either observed"),
    (lambda: fit_trace([[0.1]], "s"), ParameterError, "trace"),
    (lambda: fit_trace(Trace([]), "s"), ParameterError, "scheme must be one of"),
    (lambda: estimate_straggling_probabilities([[0.1]], 0.0), ParameterError, "deadline"),
    (lambda: estimate_straggling_probabilities([[-0.1]], 1.0), ParameterError, "finish_times"),
    (lambda: deadline_straggling_probabilities(BernoulliStragglers(0.1), 1.0, 1.0), ParameterError, "model"),
    (lambda: deadline_straggling_probabilities(ShiftedExponential(), [1.0, 0.0], 1.0), ParameterError, "loads"),
    (lambda: deadline_straggling_probabilities(HeterogeneousShiftedExponential([1.0, 2.0]), [1.0] * 3, 1.0),
     ParameterError, "rates for 2 workers"),
])
def test_fitting_refuses_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
