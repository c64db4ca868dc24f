"""Straggler probabilities ``p_i = P(T_i > deadline)`` from delay models (seed eq. 37).

A worker straggles in an iteration when its finish time ``T_i`` exceeds the deadline
``tau``. For the seed's model ``T_i = 1 + Exp(mu_i)`` this is
``p_i = exp(-mu_i (tau - 1))`` (:func:`exponential_straggler_probabilities`); for any
:class:`~codedml.sim.StragglerModel`, :func:`straggler_probabilities` uses the closed form
where the model has one and a Monte Carlo estimate otherwise.
"""

from __future__ import annotations

import numpy as np

from codedml._validation import array_size, instance, integer, real, real_array
from codedml._validation import rng as validated_rng
from codedml.errors import ParameterError, ShapeError
from codedml.sim.stragglers import (
    BernoulliStragglers,
    HeterogeneousShiftedExponential,
    LoadIndependent,
    PersistentStragglers,
    ShiftedExponential,
    StragglerModel,
    TraceReplay,
)

#: Default number of simulated iterations for the Monte Carlo estimate.
DEFAULT_DRAWS = 100_000


def exponential_straggler_probabilities(rates, deadline: float) -> np.ndarray:
    """``p_i = exp(-mu_i (tau - 1))``: ``P(1 + Exp(mu_i) > tau)``.

    Parameters
    ----------
    rates : array_like, shape (n,)
        ``mu_i > 0``, the straggling parameters (the seed draws them from ``U(0.1, 2)``).
    deadline : float
        ``tau > 1``, the response-time deadline of one iteration.

    Returns
    -------
    ndarray, shape (n,)
        Probabilities in ``(0, 1)``.

    Examples
    --------
    >>> exponential_straggler_probabilities([1.0, 2.0], deadline=1.5).round(4).tolist()
    [0.6065, 0.3679]
    """
    rates = real_array(rates, "straggling rates mu", ndim=(0, 1), finite=False).reshape(-1)
    if rates.size < 1 or not np.all(np.isfinite(rates)) or np.any(rates <= 0):
        raise ParameterError(f"straggling rates mu must be positive and finite, got {rates[:5]}")
    deadline = real(deadline, "deadline tau")
    if deadline <= 1.0:
        raise ParameterError(f"deadline tau must exceed the unit shift 1 (else every worker straggles), got {deadline}")
    return np.exp(-rates * (deadline - 1.0))


def straggler_probabilities(model: StragglerModel, deadline: float, n_workers: int, loads=1.0,
                            rng: np.random.Generator | None = None, n_draws: int = DEFAULT_DRAWS) -> np.ndarray:
    """``P(T_i > deadline)`` per worker, with ``T_i = loads[i] * unit_time_i`` drawn by ``model``.

    Closed form for :class:`~codedml.sim.ShiftedExponential`,
    :class:`~codedml.sim.HeterogeneousShiftedExponential` (``P(load (alpha + X) > t) =
    exp(-mu (t / load - alpha))`` when ``t / load > alpha``, else 1),
    :class:`~codedml.sim.PersistentStragglers` (1 on its workers, the base model elsewhere),
    :class:`~codedml.sim.BernoulliStragglers` (``p + (1 - p) P_base(T > deadline)``),
    :class:`~codedml.sim.LoadIndependent` (its base at load 1) and
    :class:`~codedml.sim.TraceReplay` (the share of recorded rows that are late); any other
    model is simulated over ``n_draws`` iterations (standard error at most
    ``0.5 / sqrt(n_draws)``).

    Parameters
    ----------
    model : StragglerModel
    deadline : float
        ``tau > 0``.
    n_workers : int
    loads : float or array_like, shape (n_workers,)
        Computations per worker (1: the seed's one message per deadline).
    rng : numpy.random.Generator, optional
        Used only by the Monte Carlo path (default: a fresh ``default_rng()``).
    n_draws : int
        Monte Carlo iterations.

    Returns
    -------
    ndarray, shape (n_workers,)
        Probabilities in ``[0, 1]``; the codes need them in ``(0, 1)``.
    """
    instance(model, "model", StragglerModel)
    deadline = real(deadline, "deadline", minimum=0.0, open_minimum=True)
    n_workers = integer(n_workers, "n_workers", minimum=1)
    array_size(n_workers, f"the per-worker arrays (n_workers={n_workers})", itemsize=64)
    loads = real_array(loads, "loads", ndim=(0, 1), finite=False)
    if loads.shape not in ((), (n_workers,)):
        raise ShapeError(f"loads must be a number or have shape ({n_workers},), one per worker; got {loads.shape}")
    loads = np.broadcast_to(loads, (n_workers,)).copy()
    if not np.all(np.isfinite(loads)) or np.any(loads <= 0):
        raise ParameterError(f"loads must be positive and finite, got {loads[:5]}")
    if isinstance(model, PersistentStragglers):
        probabilities = straggler_probabilities(model.base, deadline, n_workers, loads, rng, n_draws)
        if model.workers.size and (model.workers[0] < 0 or model.workers[-1] >= n_workers):
            raise ParameterError(f"persistent straggler ids must lie in [0, {n_workers})")
        probabilities[model.workers] = 1.0
        return probabilities
    if isinstance(model, BernoulliStragglers):
        if model.probabilities.ndim and model.probabilities.size != n_workers:
            raise ParameterError(f"model has straggling probabilities for {model.probabilities.size} workers, "
                                 f"asked for {n_workers}")
        late = ((loads > deadline).astype(np.float64) if model.base is None
                else straggler_probabilities(model.base, deadline, n_workers, loads, rng, n_draws))
        return model.probabilities + (1.0 - model.probabilities) * late
    if isinstance(model, LoadIndependent):
        return straggler_probabilities(model.base, deadline, n_workers, 1.0, rng, n_draws)
    if isinstance(model, TraceReplay):
        if model.times.shape[1] != n_workers:
            raise ParameterError(f"the trace has times for {model.times.shape[1]} workers, asked for {n_workers}")
        return np.mean(model.times * loads > deadline, axis=0)
    if isinstance(model, (ShiftedExponential, HeterogeneousShiftedExponential)):
        if np.size(model.mu) not in (1, n_workers):
            raise ParameterError(f"model has rates for {np.size(model.mu)} workers, asked for {n_workers}")
        rate = np.broadcast_to(model.mu, loads.shape)
        shift = np.broadcast_to(model.alpha, loads.shape)
        slack = deadline / loads - shift
        return np.where(slack > 0, np.exp(-rate * np.maximum(slack, 0.0)), 1.0)
    n_draws = integer(n_draws, "n_draws", minimum=1)
    rng = validated_rng(rng, "rng")
    array_size(n_draws * n_workers, f"the n_draws x n_workers finish times (n_draws={n_draws}, n_workers={n_workers})")
    finish = model.finish_times(loads, n_draws, rng)
    return np.mean(finish > deadline, axis=0)
