"""Straggler models: per-iteration time a worker needs for one computation.

A model draws *unit times* ``tau[i, w]`` for iteration ``i`` and worker ``w``; the worker
finishes its ``j``-th computation at ``j * tau[i, w]`` (seeds gc-mmc and cpgc, after Lee et
al. 2018). ``inf`` means the worker never answers. Every model takes a
``numpy.random.Generator`` so that runs are reproducible.
"""

from __future__ import annotations

import numbers
from abc import ABC, abstractmethod

import numpy as np

from codedml._validation import array_size, flag, ids, instance, integer, real, real_array
from codedml._validation import rng as validated_rng
from codedml.errors import ParameterError, ShapeError
from codedml.sim.traces import Trace


class StragglerModel(ABC):
    """Draws per-computation times, one per worker and iteration."""

    @abstractmethod
    def unit_times(self, n_iterations: int, n_workers: int, rng: np.random.Generator) -> np.ndarray:
        """Array of shape ``(n_iterations, n_workers)``: the time of one computation.

        Implementations start with :func:`check_draw` on their arguments.
        """

    def finish_times(self, loads: np.ndarray, n_iterations: int, rng: np.random.Generator) -> np.ndarray:
        """Time at which each worker finishes all its ``loads[w]`` computations, per iteration.

        ``loads`` is a 1-D array of non-negative finite computation counts, one per worker.
        """
        loads = check_loads(loads)
        return self.unit_times(n_iterations, loads.size, rng) * loads


def check_loads(loads, name: str = "loads") -> np.ndarray:
    """``loads`` as a non-empty 1-D float64 array of non-negative finite numbers."""
    loads = real_array(loads, name, ndim=1)
    if loads.size < 1 or np.any(loads < 0):
        raise ParameterError(f"{name} must be a non-empty 1-D array of non-negative numbers, one per worker")
    return loads


def check_draw(n_iterations, n_workers, rng) -> tuple[int, int, np.random.Generator]:
    """Validated ``(n_iterations >= 0, n_workers >= 1, rng)`` of a draw of ``n_iterations x n_workers`` times.

    ``rng`` may be a :class:`numpy.random.Generator`, a non-negative integer seed or ``None``.
    """
    n_iterations = integer(n_iterations, "n_iterations", minimum=0)
    n_workers = integer(n_workers, "n_workers", minimum=1)
    array_size(n_iterations * n_workers,
               f"the n_iterations x n_workers times (n_iterations={n_iterations}, n_workers={n_workers})")
    return n_iterations, n_workers, validated_rng(rng, "rng")


def _positive(value, name: str) -> np.ndarray:
    array = real_array(value, name, finite=False)
    if not np.all(np.isfinite(array)) or np.any(array <= 0):
        raise ParameterError(f"{name} must be positive and finite, got {value!r}")
    return array


def _non_negative(value, name: str) -> np.ndarray:
    array = real_array(value, name, finite=False)
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise ParameterError(f"{name} must be non-negative and finite, got {value!r}")
    return array


class ShiftedExponential(StragglerModel):
    """``tau = alpha + X`` with ``X ~ Exp(mu)`` i.i.d. across workers and iterations.

    Parameters
    ----------
    mu : float
        Straggling rate ``mu`` (larger is less straggling); both seeds use 10.
    alpha : float
        Shift ``alpha``: the minimum time of one computation; both seeds use 0.01.
    """

    def __init__(self, mu: float = 10.0, alpha: float = 0.01):
        self.mu = real(mu, "mu", minimum=0.0, open_minimum=True)
        self.alpha = real(alpha, "alpha", minimum=0.0)

    def unit_times(self, n_iterations: int, n_workers: int, rng: np.random.Generator) -> np.ndarray:
        n_iterations, n_workers, rng = check_draw(n_iterations, n_workers, rng)
        return self.alpha + rng.exponential(1.0 / self.mu, size=(n_iterations, n_workers))

    def __repr__(self) -> str:
        return f"ShiftedExponential(mu={self.mu}, alpha={self.alpha})"


class HeterogeneousShiftedExponential(StragglerModel):
    """Worker-specific rates and shifts: ``tau_w = alpha_w + X_w``, ``X_w ~ Exp(mu_w)``.

    Parameters
    ----------
    mu : array_like, shape (n_workers,)
        ``mu_w`` per worker.
    alpha : float or array_like, shape (n_workers,)
        ``alpha_w`` per worker (a scalar applies to all).
    """

    def __init__(self, mu, alpha=0.01):
        mu = _positive(mu, "mu")
        if mu.ndim > 1 or mu.size < 1:
            raise ShapeError(f"mu must be a number or a non-empty 1-D array (one rate per worker), "
                             f"got shape {mu.shape}")
        self.mu = mu.reshape(-1)
        alpha = _non_negative(alpha, "alpha")
        if alpha.shape not in ((), self.mu.shape):
            raise ShapeError(f"alpha must be a number or have the shape {self.mu.shape} of mu, got {alpha.shape}")
        self.alpha = np.broadcast_to(alpha, self.mu.shape).copy()

    def unit_times(self, n_iterations: int, n_workers: int, rng: np.random.Generator) -> np.ndarray:
        n_iterations, n_workers, rng = check_draw(n_iterations, n_workers, rng)
        if n_workers != self.mu.size:
            raise ParameterError(f"model has rates for {self.mu.size} workers, the code has {n_workers}")
        return self.alpha + rng.exponential(1.0, size=(n_iterations, n_workers)) / self.mu


class PersistentStragglers(StragglerModel):
    """A fixed set of workers that never answer, on top of another model.

    Parameters
    ----------
    base : StragglerModel
        Model of the workers that do answer.
    workers : array_like of int
        Indices of the persistent stragglers.
    """

    def __init__(self, base: StragglerModel, workers):
        self.base = instance(base, "base", StragglerModel)
        workers = [workers] if isinstance(workers, numbers.Integral) else workers
        self.workers = np.unique(ids(workers, "workers", np.iinfo(np.int64).max, unique=False, mask=False))

    def unit_times(self, n_iterations: int, n_workers: int, rng: np.random.Generator) -> np.ndarray:
        n_iterations, n_workers, rng = check_draw(n_iterations, n_workers, rng)
        if self.workers.size and (self.workers[0] < 0 or self.workers[-1] >= n_workers):
            raise ParameterError(f"persistent straggler ids must lie in [0, {n_workers})")
        times = self.base.unit_times(n_iterations, n_workers, rng)
        times[:, self.workers] = np.inf
        return times


def random_worker_subsets(n_iterations: int, n_workers: int, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` distinct workers drawn uniformly per iteration: int array of shape ``(n_iterations, count)``."""
    n_iterations, n_workers, rng = check_draw(n_iterations, n_workers, rng)
    try:
        count = integer(count, "count", minimum=0, maximum=n_workers)
    except ParameterError:
        raise ParameterError(f"cannot delay {count!r} of {n_workers} workers: count must be an integer "
                             f"in [0, {n_workers}]") from None
    return np.argsort(rng.random((n_iterations, n_workers)), axis=1)[:, :count]


class InjectedDelays(StragglerModel):
    """Each iteration, ``n_delayed`` random workers answer up to ``max_delay`` late (survey section 5.4).

    A worker's finish time is its ``base`` finish time plus, for the workers delayed in that
    iteration, a delay ``U(0, max_delay)`` added once, not per computation: a worker computing
    ``S + 1`` partitions is not delayed ``S + 1`` times. Only :meth:`finish_times` (one message per
    worker) is defined; per-computation :meth:`unit_times`, which the multi-message simulators
    need, would have to spread the delay over the computations and are refused.

    Parameters
    ----------
    base : StragglerModel
        Computation times of every worker.
    n_delayed : int
        Workers delayed per iteration (chosen uniformly at random, independently per iteration).
    max_delay : float
        ``epsilon``: the largest injected delay.
    """

    def __init__(self, base: StragglerModel, n_delayed: int, max_delay: float):
        self.base = instance(base, "base", StragglerModel)
        self.n_delayed = integer(n_delayed, "n_delayed", minimum=0)
        self.max_delay = real(max_delay, "max_delay", minimum=0.0)

    def unit_times(self, n_iterations: int, n_workers: int, rng: np.random.Generator) -> np.ndarray:
        raise ParameterError("InjectedDelays adds one delay per worker and iteration: it defines finish_times "
                             "(one message per worker), not per-computation unit times")

    def finish_times(self, loads: np.ndarray, n_iterations: int, rng: np.random.Generator) -> np.ndarray:
        loads = check_loads(loads)
        n_iterations, _, rng = check_draw(n_iterations, loads.size, rng)
        finish = self.base.finish_times(loads, n_iterations, rng)
        delayed = random_worker_subsets(n_iterations, finish.shape[1], self.n_delayed, rng)
        rows = np.arange(n_iterations)[:, None]
        finish[rows, delayed] += rng.uniform(0.0, self.max_delay, size=delayed.shape)
        return finish

    def __repr__(self) -> str:
        return f"InjectedDelays({self.base!r}, n_delayed={self.n_delayed}, max_delay={self.max_delay})"


class LoadIndependent(StragglerModel):
    """A worker's whole answer takes one draw of ``base``, whatever its load (seed quantized-approximate-gc).

    The quantized-approximate-GC seed models worker ``i``'s response time as ``T_i = 1 + Exp(mu_i)``
    however much data it holds (section V-A); codedml's other models scale a worker's time with its
    computations. ``LoadIndependent(HeterogeneousShiftedExponential(mu, alpha=1.0))`` is the seed's
    model: its ``p_i = P(T_i > tau) = exp(-mu_i (tau - 1))`` for every code, so a design for those
    ``p_i`` meets them. Only :meth:`finish_times` (one message per worker) is defined, like
    :class:`InjectedDelays`.

    Parameters
    ----------
    base : StragglerModel
        Draws each worker's response time (its unit time is the whole answer's time).

    Examples
    --------
    >>> model = LoadIndependent(ShiftedExponential(mu=2.0, alpha=1.0))
    >>> bool(np.all(model.finish_times([1.0, 5.0], 3, rng=0) >= 1.0))
    True
    """

    def __init__(self, base: StragglerModel):
        self.base = instance(base, "base", StragglerModel)

    def unit_times(self, n_iterations: int, n_workers: int, rng: np.random.Generator) -> np.ndarray:
        raise ParameterError("LoadIndependent draws one time per answer, whatever the load: it defines "
                             "finish_times (one message per worker), not per-computation unit times")

    def finish_times(self, loads: np.ndarray, n_iterations: int, rng: np.random.Generator) -> np.ndarray:
        loads = check_loads(loads)
        n_iterations, n_workers, rng = check_draw(n_iterations, loads.size, rng)
        times = self.base.unit_times(n_iterations, n_workers, rng)
        times[:, loads == 0] = 0.0  # a worker with nothing to compute answers at once
        return times

    def __repr__(self) -> str:
        return f"LoadIndependent({self.base!r})"


class BernoulliStragglers(StragglerModel):
    """Worker ``w`` sends nothing (``inf``) with probability ``p_w`` each iteration (seed quantized-approximate-gc).

    Independently across workers and iterations; a worker that answers takes its time from
    ``base``. With a deadline ``tau`` and a delay model, ``p_w = P(T_w > tau)``
    (:func:`codedml.sim.deadline_straggling_probabilities`).

    Parameters
    ----------
    probabilities : float or array_like, shape (n_workers,)
        ``p_w`` in ``[0, 1]`` (a scalar applies to every worker).
    base : StragglerModel, optional
        Times of the workers that answer (default: a unit time of 1.0 for every worker).

    Examples
    --------
    >>> times = BernoulliStragglers([0.0, 1.0]).unit_times(2, 2, rng=0)
    >>> times.tolist()
    [[1.0, inf], [1.0, inf]]
    """

    def __init__(self, probabilities, base: StragglerModel | None = None):
        probabilities = real_array(probabilities, "probabilities", ndim=(0, 1), finite=False)
        if probabilities.size < 1 or np.any(np.isnan(probabilities)) or np.any(probabilities < 0) \
                or np.any(probabilities > 1):
            raise ParameterError(f"probabilities must be numbers in [0, 1], one per worker (or one for all), "
                                 f"got {probabilities.reshape(-1)[:5]}")
        self.probabilities = probabilities
        self.base = None if base is None else instance(base, "base", StragglerModel)

    def unit_times(self, n_iterations: int, n_workers: int, rng: np.random.Generator) -> np.ndarray:
        n_iterations, n_workers, rng = check_draw(n_iterations, n_workers, rng)
        if self.probabilities.ndim and self.probabilities.size != n_workers:
            raise ParameterError(f"model has straggling probabilities for {self.probabilities.size} workers, "
                                 f"the code has {n_workers}")
        times = (np.ones((n_iterations, n_workers)) if self.base is None
                 else self.base.unit_times(n_iterations, n_workers, rng))
        times[rng.random((n_iterations, n_workers)) < self.probabilities] = np.inf
        return times

    def __repr__(self) -> str:
        return f"BernoulliStragglers({self.probabilities.tolist()}, base={self.base!r})"


class TraceReplay(StragglerModel):
    """Unit times recorded on a cluster, replayed in order or resampled.

    A row is one iteration's ``tau[w]`` for every worker (``inf``: the worker's first message never
    arrived). Rows are resampled i.i.d. (uniformly, with replacement) from the ``rng``, or, with
    ``resample=False``, returned in order: a draw must then ask for exactly the recorded number
    of iterations (with :func:`~codedml.sim.simulate`, ``n_iterations`` and a ``batch_size`` at
    least that), so a row is never silently reused.

    A trace's cancelled messages are ``inf`` here: the replay is faithful for the scheme that
    recorded it (those workers were not needed); to predict another code, fit a model
    (:func:`codedml.sim.fit_trace`).

    Parameters
    ----------
    unit_times : array_like, shape (n_rows, n_workers)
        Recorded times per computation: non-negative, ``inf`` for never (NaN refused).
    resample : bool
        Draw rows i.i.d. (default) instead of replaying them in order.

    Examples
    --------
    >>> replay = TraceReplay([[0.1, 0.2], [0.3, float("inf")]], resample=False)
    >>> replay.unit_times(2, 2, rng=None).tolist()
    [[0.1, 0.2], [0.3, inf]]
    """

    def __init__(self, unit_times, resample: bool = True):
        unit_times = real_array(unit_times, "unit_times", ndim=2, finite=False)
        if unit_times.shape[0] < 1 or unit_times.shape[1] < 1:
            raise ShapeError(f"unit_times must hold at least one row and one worker, got shape {unit_times.shape}")
        if np.any(np.isnan(unit_times)) or np.any(unit_times < 0):
            raise ParameterError("unit_times must be non-negative (inf: never answers); got NaN or a negative time")
        self.times = unit_times
        self.resample = flag(resample, "resample")

    @classmethod
    def from_trace(cls, trace, scheme: str, resample: bool = True) -> TraceReplay:
        """Replay ``trace.unit_times(scheme)`` (a :class:`~codedml.sim.Trace`)."""
        return cls(instance(trace, "trace", Trace).unit_times(scheme), resample)

    def unit_times(self, n_iterations: int, n_workers: int, rng: np.random.Generator) -> np.ndarray:
        n_iterations, n_workers, rng = check_draw(n_iterations, n_workers, rng)
        n_rows, n_recorded = self.times.shape
        if n_workers != n_recorded:
            raise ParameterError(f"the trace has times for {n_recorded} workers, the code has {n_workers}")
        if self.resample:
            return self.times[rng.integers(0, n_rows, size=n_iterations)]
        if n_iterations != n_rows:
            raise ParameterError(f"TraceReplay(resample=False) replays its {n_rows} rows once, in order: ask for "
                                 f"n_iterations={n_rows} (in one batch), got {n_iterations}")
        return self.times.copy()

    def __repr__(self) -> str:
        return f"TraceReplay({self.times.shape[0]} rows x {self.times.shape[1]} workers, resample={self.resample})"
