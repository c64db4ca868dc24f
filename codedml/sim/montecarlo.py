"""The Monte Carlo completion-time simulator: one :func:`simulate` for every family of codes.

A code is simulatable when it follows :class:`SimulatableCode`: it names the sender of each
message (``message_workers``) and the computations done before it is sent (``message_steps``),
and ``first_decodable(arrival_times, required)`` returns, per iteration, the first time the
arrived messages decode and how many were used. One-message codes
(:class:`~codedml.codes.GradientCode`) and multi-message codes
(:class:`~codedml.codes.MultiMessageCode`) both do; a code with ``message_sizes`` also gets its
communication volume.

Approximate codes (``needs_deadline``, e.g. :class:`~codedml.codes.OptimallyStructuredGC`) can
decode from their first message, so "first decodable" would report first-message times; they are
simulated with a deadline instead (:mod:`codedml.sim.deadline`): the master decodes what arrived by
``tau`` and the result adds the estimate's error, measured and analytic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from codedml import _validation as check
from codedml.errors import NotDecodableError, ParameterError
from codedml.sim.deadline import check_deadline, deadline_outcomes, expected_deadline_error
from codedml.sim.stragglers import StragglerModel

#: Two-sided 95% normal quantile.
Z_95 = 1.959963984540054

#: Arrival times drawn per batch (iterations x messages) when ``batch_size`` is not given.
BATCH_ELEMENTS = 2_000_000

#: Most iterations in one batch when ``batch_size`` is not given.
MAX_BATCH_ITERATIONS = 50_000


class SimulatableCode(Protocol):
    """What :func:`simulate` needs of a code.

    A code may also set ``needs_deadline = True`` (the approximate codes): it is then simulated
    at a deadline, with ``decoding_vectors`` and ``expected_error``
    (:class:`~codedml.codes.gradient.approximate.ApproximateGradientCode`).
    """

    n_workers: int

    @property
    def message_workers(self) -> np.ndarray:
        """int64 sender of each message, in ``[0, n_workers)``."""

    @property
    def message_steps(self) -> np.ndarray:
        """Computations its sender has finished when each message is sent (``>= 0``)."""

    def first_decodable(self, arrival_times, required: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``(times, used)`` per iteration from ``(n_iterations, n_messages)`` arrival times."""


@dataclass(frozen=True)
class SimulationResult:
    """Outcome of :func:`simulate`.

    Attributes
    ----------
    mean_time : float
        ``E[T]``: mean completion time over decodable iterations.
    ci95 : float
        Half-width of the 95% confidence interval of ``mean_time``.
    mean_messages : float
        Communication load: mean number of messages received up to ``T``.
    n_iterations : int
        Iterations simulated.
    failure_rate : float
        Fraction of iterations that never became decodable (persistent stragglers).
    """

    mean_time: float
    ci95: float
    mean_messages: float
    n_iterations: int
    failure_rate: float


@dataclass(frozen=True)
class MultiMessageResult(SimulationResult):
    """Outcome of :func:`simulate` for a code whose messages have sizes (the multi-message codes).

    Attributes
    ----------
    mean_volume : float
        Communication volume: the total size of the messages received up to ``T``, one full
        result being 1 (besides every :class:`SimulationResult` attribute).
    """

    mean_volume: float


@dataclass(frozen=True)
class DeadlineResult(SimulationResult):
    """Outcome of :func:`simulate` with a deadline ``tau`` (approximate codes).

    ``mean_time`` is ``E[min(tau, max_i T_i)]`` (the master stops at ``tau``, or when every worker
    has answered), ``mean_messages`` the workers that answered by then, and ``failure_rate`` the
    fraction of iterations in which none did (the estimate is then zero).

    Attributes
    ----------
    deadline : float
        ``tau``.
    mean_error : float
        Monte Carlo mean of ``||g_hat - g||^2 / ||g||^2`` (besides every :class:`SimulationResult`
        attribute).
    error_ci95 : float
        Half-width of its 95% confidence interval.
    expected_error : float
        The analytic expectation at ``p_i = P(T_i > tau)``
        (:func:`~codedml.sim.deadline.expected_deadline_error`).
    """

    deadline: float
    mean_error: float
    error_ci95: float
    expected_error: float


def message_arrivals(code: SimulatableCode, unit_times) -> np.ndarray:
    """Arrival time of every message per iteration: ``message_steps[m] * tau[message_workers[m]]``.

    ``unit_times`` has shape ``(n_iterations, n_workers)``: non-negative times, ``inf`` for a
    worker that never finishes a computation (NaN is refused).
    """
    _check_code(code)
    unit_times = check.real_array(unit_times, "unit_times", shape=(None, code.n_workers), finite=False)
    if np.any(np.isnan(unit_times)) or np.any(unit_times < 0):
        raise ParameterError("unit_times must be non-negative (inf: never finishes); got NaN or a negative time")
    return unit_times[:, code.message_workers] * code.message_steps


def draw_arrivals(code: SimulatableCode, model: StragglerModel, n_iterations: int,
                  rng: np.random.Generator) -> np.ndarray:
    """``n_iterations`` rows of message arrival times under ``model``.

    When worker ``w`` sends exactly message ``w`` (one-message codes), the model's
    :meth:`~codedml.sim.StragglerModel.finish_times` is used, so models that delay a whole answer
    (:class:`~codedml.sim.InjectedDelays`) apply; otherwise message ``m`` arrives at
    ``message_steps[m] * tau[message_workers[m]]`` from the model's unit times.
    """
    workers = code.message_workers
    if np.array_equal(workers, np.arange(code.n_workers)):
        return model.finish_times(code.message_steps, n_iterations, rng)
    return model.unit_times(n_iterations, code.n_workers, rng)[:, workers] * code.message_steps


def simulate(code: SimulatableCode, model: StragglerModel, n_iterations: int = 10_000, seed=None,
             required: int | None = None, batch_size: int | None = None, deadline: float | None = None,
             partials=None) -> SimulationResult | MultiMessageResult | DeadlineResult:
    """Monte Carlo completion time, communication load (and volume, or error) of any code under ``model``.

    Each iteration draws the model's times (:func:`draw_arrivals`) and stops at the first time the
    arrived messages are decodable (the code's ``first_decodable``: vectorised for the
    repetition and threshold codes, an incremental span kernel for multi-message codes). An
    approximate code (``needs_deadline``) instead stops at the ``deadline`` ``tau`` (or once every
    worker answered) and decodes what arrived (:mod:`codedml.sim.deadline`).

    Parameters
    ----------
    code : GradientCode, MultiMessageCode or any :class:`SimulatableCode`
    model : StragglerModel
        Straggler model.
    n_iterations : int
        Number of Monte Carlo iterations, at least 2.
    seed : None, int >= 0 or numpy.random.Generator, optional
        Randomness.
    required : int, optional
        Partial mode of multi-message codes: stop once ``M'`` partitions are covered (the
        product's recovered partitions, or the partitions of a partial sum), ``1 <= M' <= M``;
        one-message gradient codes refuse it.
    batch_size : int, optional
        Iterations drawn at once (bounds memory); default up to 50,000, fewer for codes with
        many messages.
    deadline : float, optional
        ``tau > 0``: required for approximate codes, refused for the others.
    partials : array_like, shape (k, d), optional
        With a deadline: fixed partial gradients for the error; default i.i.d. zero-mean,
        identity covariance.

    Returns
    -------
    SimulationResult, MultiMessageResult or DeadlineResult
        :class:`MultiMessageResult` (with ``mean_volume``) for codes with ``message_sizes``;
        :class:`DeadlineResult` (with the error) for approximate codes.

    Raises
    ------
    NotDecodableError
        No iteration became decodable.
    ParameterError
        An approximate code without ``deadline``, or ``deadline`` / ``partials`` for another code.

    Examples
    --------
    >>> from codedml.codes import CyclicRepetition
    >>> from codedml.sim import ShiftedExponential, simulate
    >>> result = simulate(CyclicRepetition(40, 9, seed=0), ShiftedExponential(10, 0.01), 20_000, seed=1)
    >>> abs(result.mean_time - 1.549) < 3 * result.ci95
    True
    """
    _check_code(code)
    check.instance(model, "model", StragglerModel)
    n_iterations = check.integer(n_iterations, "n_iterations", minimum=2)
    n_messages = int(code.message_workers.size)
    timed = _check_deadline_use(code, required, deadline, partials)
    if batch_size is None:
        row = max(n_messages, code.n_partitions) if timed else n_messages
        batch_size = max(1, min(MAX_BATCH_ITERATIONS, BATCH_ELEMENTS // row))
    batch_size = check.integer(batch_size, "batch_size", minimum=1)
    rng = check.rng(seed)
    if timed:
        return _simulate_deadline(code, model, n_iterations, rng, batch_size, deadline, partials)
    sizes = getattr(code, "message_sizes", None)
    check.array_size(4 * min(batch_size, n_iterations) * n_messages,
                     f"a batch of arrival times (batch_size={batch_size}, {n_messages} messages)")
    times, used, volumes = [], [], []
    for start in range(0, n_iterations, batch_size):
        count = min(batch_size, n_iterations - start)
        arrivals = draw_arrivals(code, model, count, rng)
        batch_times, batch_used = code.first_decodable(arrivals, required)
        times.append(batch_times)
        used.append(batch_used)
        if sizes is not None:
            volumes.append(_volume(arrivals, batch_used, sizes))
    times, used = np.concatenate(times), np.concatenate(used)
    ok = np.isfinite(times)
    if not ok.any():
        raise NotDecodableError(f"no iteration of {n_iterations} became decodable under {model!r}")
    finite = times[ok]
    ci = Z_95 * finite.std(ddof=1) / np.sqrt(finite.size) if finite.size > 1 else np.inf
    figures = (float(finite.mean()), float(ci), float(used[ok].mean()), int(n_iterations), float(1.0 - ok.mean()))
    if sizes is None:
        return SimulationResult(*figures)
    return MultiMessageResult(*figures, float(np.concatenate(volumes)[ok].mean()))


def _check_deadline_use(code, required, deadline, partials) -> bool:
    """Whether ``code`` is simulated at a deadline; refuses a deadline missing or out of place."""
    if getattr(code, "needs_deadline", False):
        if deadline is None:
            raise ParameterError(f"{type(code).__name__} is approximate: it has an estimate from its first message, "
                                 f"so simulate it with deadline=tau (the master decodes what arrived by tau)")
        if required is not None:
            raise ParameterError(f"required (partial recovery) does not apply to approximate codes, "
                                 f"got required={required!r}")
        check_deadline(deadline)
        return True
    if deadline is not None or partials is not None:
        raise ParameterError(f"deadline and partials apply to approximate codes only; {type(code).__name__} "
                             f"finishes when it can decode (got deadline={deadline!r})")
    return False


def _simulate_deadline(code, model: StragglerModel, n_iterations: int, rng: np.random.Generator, batch_size: int,
                       deadline: float, partials) -> DeadlineResult:
    deadline = check_deadline(deadline)
    expected = expected_deadline_error(code, model, deadline, partials, rng)
    times, used, errors = [], [], []
    for start in range(0, n_iterations, batch_size):
        arrivals = draw_arrivals(code, model, min(batch_size, n_iterations - start), rng)
        for store, values in zip((times, used, errors), deadline_outcomes(code, arrivals, deadline, partials)):
            store.append(values)
    times, used, errors = np.concatenate(times), np.concatenate(used), np.concatenate(errors)
    root = np.sqrt(n_iterations)
    return DeadlineResult(float(times.mean()), float(Z_95 * times.std(ddof=1) / root), float(used.mean()),
                          int(n_iterations), float(np.mean(used == 0)), deadline, float(errors.mean()),
                          float(Z_95 * errors.std(ddof=1) / root), expected)


def _volume(arrivals: np.ndarray, used: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Total size of the first ``used`` messages in arrival order (ties in id order), per iteration."""
    order = np.argsort(arrivals, axis=1, kind="stable")
    cumulative = np.cumsum(sizes[order], axis=1)
    return np.where(used > 0, cumulative[np.arange(arrivals.shape[0]), np.maximum(used - 1, 0)], 0.0)


def _check_code(code) -> None:
    """Refuse an object without the :class:`SimulatableCode` protocol, naming what it lacks."""
    missing = [name for name in ("n_workers", "message_workers", "message_steps", "first_decodable")
               if not hasattr(code, name)]
    if missing:
        raise ParameterError(f"code must be a simulatable code (a GradientCode, a MultiMessageCode or any code with "
                             f"message_workers, message_steps and first_decodable); {type(code).__name__} "
                             f"lacks {', '.join(missing)}")
