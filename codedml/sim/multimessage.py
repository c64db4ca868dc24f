"""Completion time, communication load and volume of multi-message codes.

Monte Carlo: each iteration draws the straggler model's unit times ``tau_w``; message ``m``
of worker ``w`` sent after ``step_m`` computations arrives at ``step_m * tau_w``; the
iteration ends at the first arrival after which the target is decodable (an incremental
span kernel, :func:`codedml.kernels.span.first_decodable_prefix`).

Exact mode (seed cpgc section 2.1): enumerate the score vectors ``C`` (computations each
worker finished), group them by cumulative type ``N = (N_r, ..., N_0)``, and integrate
``Pr(T <= t) = sum_C decodable prod_w P_{c_w}(t)`` under the shifted exponential model.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass

import numpy as np
from scipy import integrate

from codedml import _validation as check
from codedml.codes.multimessage.base import MultiMessageCode
from codedml.errors import NotDecodableError, ParameterError, SizeError
from codedml.sim.montecarlo import Z_95
from codedml.sim.stragglers import StragglerModel

#: Score-vector enumeration is refused above this many vectors ((r + 1)^K).
MAX_SCORE_VECTORS = 2_000_000


@dataclass(frozen=True)
class MultiMessageResult:
    """Monte Carlo figures of a multi-message code.

    Attributes
    ----------
    mean_time, ci95 : float
        ``E[T]`` and the half-width of its 95% confidence interval.
    mean_messages : float
        Communication load: messages received up to ``T``.
    mean_volume : float
        Communication volume: their total size, one full result being 1.
    n_iterations : int
    failure_rate : float
        Fraction of iterations never decodable.
    """

    mean_time: float
    ci95: float
    mean_messages: float
    mean_volume: float
    n_iterations: int
    failure_rate: float


def message_arrivals(code: MultiMessageCode, unit_times) -> np.ndarray:
    """Arrival time of every message per iteration: ``step_m * tau[worker_m]``.

    ``unit_times`` has shape ``(n_iterations, K)``: non-negative times, ``inf`` for a worker
    that never finishes a computation (NaN is refused).
    """
    _check_code(code)
    unit_times = check.real_array(unit_times, "unit_times", shape=(None, code.n_workers), finite=False)
    if np.any(np.isnan(unit_times)) or np.any(unit_times < 0):
        raise ParameterError("unit_times must be non-negative (inf: never finishes); got NaN or a negative time")
    return _arrivals(code, unit_times)


def _arrivals(code: MultiMessageCode, unit_times: np.ndarray) -> np.ndarray:
    schedule = code.schedule
    return unit_times[:, schedule.worker] * schedule.step


def _check_code(code) -> None:
    if not isinstance(code, MultiMessageCode):
        raise ParameterError(f"code must be a MultiMessageCode, got {type(code).__name__}")


def simulate_messages(code: MultiMessageCode, model: StragglerModel, n_iterations: int = 10_000, seed=None,
                      required: int | None = None, batch_size: int = 20_000) -> MultiMessageResult:
    """Monte Carlo completion time, load and volume of ``code`` under ``model``.

    Parameters
    ----------
    code : MultiMessageCode
    model : StragglerModel
    n_iterations : int
        At least 2.
    seed : None, int >= 0 or numpy.random.Generator, optional
    required : int, optional
        Partial mode (product target only): stop once ``M'`` partitions are recovered, ``1 <= M' <= M``.
    batch_size : int
        Iterations drawn at once, ``>= 1``.

    Raises
    ------
    NotDecodableError
        No iteration became decodable.
    """
    _check_code(code)
    if not isinstance(model, StragglerModel):
        raise ParameterError(f"model must be a StragglerModel, got {type(model).__name__}")
    n_iterations = check.integer(n_iterations, "n_iterations", minimum=2)
    batch_size = check.integer(batch_size, "batch_size", minimum=1)
    rng = check.rng(seed)
    required = code._required(required)
    check.array_size(4 * min(batch_size, n_iterations) * code.n_messages,
                     f"a batch of arrival times (batch_size={batch_size}, {code.n_messages} messages)")
    times, loads, volumes = [], [], []
    sizes = code.schedule.size
    for start in range(0, n_iterations, batch_size):
        count = min(batch_size, n_iterations - start)
        arrivals = _arrivals(code, model.unit_times(count, code.n_workers, rng))
        order = np.argsort(arrivals, axis=1, kind="stable")
        ordered_times = np.take_along_axis(arrivals, order, axis=1)
        order[~np.isfinite(ordered_times)] = -1
        prefix = code._prefix(order, required)  # a valid order by construction: argsort rows
        ok = prefix > 0
        last = np.maximum(prefix - 1, 0)
        batch_times = np.where(ok, ordered_times[np.arange(count), last], np.inf)
        cumulative = np.cumsum(sizes[np.maximum(order, 0)], axis=1)
        times.append(batch_times)
        loads.append(prefix)
        volumes.append(np.where(ok, cumulative[np.arange(count), last], 0.0))
    times, loads, volumes = np.concatenate(times), np.concatenate(loads), np.concatenate(volumes)
    ok = np.isfinite(times)
    if not ok.any():
        raise NotDecodableError(f"no iteration of {n_iterations} became decodable under {model!r}")
    finite = times[ok]
    ci = Z_95 * finite.std(ddof=1) / np.sqrt(finite.size) if finite.size > 1 else np.inf
    return MultiMessageResult(float(finite.mean()), float(ci), float(loads[ok].mean()), float(volumes[ok].mean()),
                              int(n_iterations), float(1.0 - ok.mean()))


def decodable_score_vectors(code: MultiMessageCode, required: int | None = None) -> np.ndarray:
    """Every score vector ``C in {0..r}^K`` from which the target is decodable, one per row.

    Raises :class:`~codedml.errors.SizeError` above ``MAX_SCORE_VECTORS`` vectors.
    """
    _check_code(code)
    required = code._required(required)
    r, K = code.computation_load, code.n_workers
    if (r + 1) ** K > MAX_SCORE_VECTORS:
        raise SizeError(f"(r + 1)^K = {(r + 1) ** K} score vectors (r={r}, K={K}) exceed the enumeration "
                        f"limit MAX_SCORE_VECTORS = {MAX_SCORE_VECTORS}")
    vectors = np.array(list(itertools.product(range(r + 1), repeat=K)), dtype=np.int64)
    received = vectors[:, code.schedule.worker] >= code.schedule.step
    order = np.where(received, np.arange(code.n_messages), code.n_messages)
    order = np.sort(order, axis=1)
    order[order == code.n_messages] = -1
    return vectors[code._prefix(order, required) > 0]


def score_type_counts(code: MultiMessageCode, required: int | None = None) -> Counter:
    """Number of decodable score vectors of each cumulative type ``(N_r, ..., N_0)`` (seed cpgc Tables 1-2)."""
    vectors = decodable_score_vectors(code, required)
    r = code.computation_load
    counts = Counter()
    for vector in vectors:
        histogram = np.bincount(vector, minlength=r + 1)
        counts[tuple(int(histogram[s]) for s in range(r, -1, -1))] += 1
    return counts


def exact_expected_completion_time(code: MultiMessageCode, mu: float, alpha: float,
                                   required: int | None = None) -> float:
    """``E[T] = int_0^inf (1 - Pr(T <= t)) dt`` from the score-vector enumeration (shifted exponential).

    ``mu > 0`` is the rate and ``alpha >= 0`` the shift of one computation's time.
    """
    mu = check.real(mu, "mu", minimum=0.0, open_minimum=True)
    alpha = check.real(alpha, "alpha", minimum=0.0)
    vectors = decodable_score_vectors(code, required)
    r = code.computation_load

    def at_least(s: int, t: float) -> float:  # F_s(t): probability of >= s computations by t
        if s == 0:
            return 1.0
        if s > r:
            return 0.0
        return max(0.0, -np.expm1(-mu * (t / s - alpha)))

    def cdf(t: float) -> float:
        exactly = np.array([at_least(s, t) - at_least(s + 1, t) for s in range(r + 1)])
        return float(np.sum(np.prod(exactly[vectors], axis=1)))

    horizon = r * (alpha + 50.0 / mu)
    breakpoints = sorted({s * alpha for s in range(1, r + 1)})
    value, _ = integrate.quad(lambda t: 1.0 - cdf(t), 0.0, horizon, points=breakpoints, limit=400)
    return float(value)
