"""Straggler models: per-iteration time a worker needs for one computation.

A model draws *unit times* ``tau[i, w]`` for iteration ``i`` and worker ``w``; the worker
finishes its ``j``-th computation at ``j * tau[i, w]`` (seeds gc-mmc and cpgc, after Lee et
al. 2018). ``inf`` means the worker never answers. Every model takes a
``numpy.random.Generator`` so that runs are reproducible.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from codedml.errors import ParameterError


class StragglerModel(ABC):
    """Draws per-computation times, one per worker and iteration."""

    @abstractmethod
    def unit_times(self, n_iterations: int, n_workers: int, rng: np.random.Generator) -> np.ndarray:
        """Array of shape ``(n_iterations, n_workers)``: the time of one computation."""

    def finish_times(self, loads: np.ndarray, n_iterations: int, rng: np.random.Generator) -> np.ndarray:
        """Time at which each worker finishes all its ``loads[w]`` computations, per iteration."""
        loads = np.asarray(loads, dtype=np.float64)
        return self.unit_times(n_iterations, loads.size, rng) * loads


def _positive(value, name: str) -> np.ndarray:
    array = np.asarray(value, dtype=np.float64)
    if not np.all(np.isfinite(array)) or np.any(array <= 0):
        raise ParameterError(f"{name} must be positive and finite, got {value!r}")
    return array


def _non_negative(value, name: str) -> np.ndarray:
    array = np.asarray(value, dtype=np.float64)
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
        self.mu = float(_positive(mu, "mu"))
        self.alpha = float(_non_negative(alpha, "alpha"))

    def unit_times(self, n_iterations: int, n_workers: int, rng: np.random.Generator) -> np.ndarray:
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
        self.mu = _positive(mu, "mu").reshape(-1)
        self.alpha = np.broadcast_to(_non_negative(alpha, "alpha"), self.mu.shape).copy()

    def unit_times(self, n_iterations: int, n_workers: int, rng: np.random.Generator) -> np.ndarray:
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
        self.base = base
        self.workers = np.unique(np.asarray(workers, dtype=np.int64))

    def unit_times(self, n_iterations: int, n_workers: int, rng: np.random.Generator) -> np.ndarray:
        if self.workers.size and (self.workers[0] < 0 or self.workers[-1] >= n_workers):
            raise ParameterError(f"persistent straggler ids must lie in [0, {n_workers})")
        times = self.base.unit_times(n_iterations, n_workers, rng)
        times[:, self.workers] = np.inf
        return times


def random_worker_subsets(n_iterations: int, n_workers: int, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` distinct workers drawn uniformly per iteration: int array of shape ``(n_iterations, count)``."""
    if int(count) != count or not 0 <= count <= n_workers:
        raise ParameterError(f"cannot delay {count} of {n_workers} workers")
    return np.argsort(rng.random((n_iterations, n_workers)), axis=1)[:, :int(count)]


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
        if int(n_delayed) != n_delayed or n_delayed < 0:
            raise ParameterError(f"n_delayed must be a non-negative integer, got {n_delayed!r}")
        self.base = base
        self.n_delayed = int(n_delayed)
        self.max_delay = float(_non_negative(max_delay, "max_delay"))

    def unit_times(self, n_iterations: int, n_workers: int, rng: np.random.Generator) -> np.ndarray:
        raise ParameterError("InjectedDelays adds one delay per worker and iteration: it defines finish_times "
                             "(one message per worker), not per-computation unit times")

    def finish_times(self, loads: np.ndarray, n_iterations: int, rng: np.random.Generator) -> np.ndarray:
        finish = self.base.finish_times(loads, n_iterations, rng)
        delayed = random_worker_subsets(n_iterations, finish.shape[1], self.n_delayed, rng)
        rows = np.arange(n_iterations)[:, None]
        finish[rows, delayed] += rng.uniform(0.0, self.max_delay, size=delayed.shape)
        return finish

    def __repr__(self) -> str:
        return f"InjectedDelays({self.base!r}, n_delayed={self.n_delayed}, max_delay={self.max_delay})"
