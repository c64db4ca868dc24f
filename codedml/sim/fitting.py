"""Straggler models fitted to observed times: shifted exponentials and straggling probabilities.

:func:`fit_shifted_exponential` is the per-worker maximum-likelihood fit of
``tau_w = alpha_w + Exp(mu_w)`` to unit times, with right-censoring for times cut short when
the master stopped; :func:`estimate_straggling_probabilities` is the maximum-likelihood
Bernoulli ``p_w`` from finish times and a deadline; :func:`deadline_straggling_probabilities`
gives ``p_w = P(T_w > tau)`` under a fitted model (seed quantized-approximate-gc, eq. 37).
:func:`fit_trace` chains a recorded :class:`~codedml.sim.Trace` to a model the simulator takes.
"""

from __future__ import annotations

import numpy as np

from codedml._validation import instance, real, real_array
from codedml.errors import ParameterError, ShapeError
from codedml.sim.probabilities import straggler_probabilities
from codedml.sim.stragglers import HeterogeneousShiftedExponential, ShiftedExponential
from codedml.sim.traces import Trace


class FittedShiftedExponential(HeterogeneousShiftedExponential):
    """A :class:`~codedml.sim.HeterogeneousShiftedExponential` with the counts it was fitted on.

    Parameters
    ----------
    mu, alpha : array_like, shape (n_workers,)
        Fitted ``mu_w`` and ``alpha_w``.
    n_observed, n_censored, n_excluded : array_like of int, shape (n_workers,)
        Per worker: exact observations, right-censored ones, and ``inf`` times without a
        censoring bound (lost answers) that were left out.
    """

    def __init__(self, mu, alpha, n_observed, n_censored, n_excluded):
        super().__init__(mu, alpha)
        counts = [np.asarray(count, dtype=np.int64).reshape(-1) for count in (n_observed, n_censored, n_excluded)]
        if any(count.shape != self.mu.shape or np.any(count < 0) for count in counts):
            raise ShapeError(f"n_observed, n_censored and n_excluded must be counts >= 0 of shape {self.mu.shape}")
        self.n_observed, self.n_censored, self.n_excluded = counts

    @property
    def loss_probabilities(self) -> np.ndarray:
        """Share of each worker's times that were lost: the maximum-likelihood ``p_w`` of a failure.

        ``BernoulliStragglers(model.loss_probabilities, base=model)`` adds the failures the fit left out.
        """
        return self.n_excluded / np.maximum(self.n_observed + self.n_censored + self.n_excluded, 1)

    def __repr__(self) -> str:
        return (f"FittedShiftedExponential(mu={np.round(self.mu, 4).tolist()}, "
                f"alpha={np.round(self.alpha, 6).tolist()}, observed={self.n_observed.sum()}, "
                f"censored={self.n_censored.sum()}, excluded={self.n_excluded.sum()})")


def fit_shifted_exponential(unit_times, censoring_times=None) -> FittedShiftedExponential:
    """Per-worker maximum-likelihood fit of ``tau_w = alpha_w + X``, ``X ~ Exp(mu_w)``.

    Plain maximum likelihood (not the unbiased variant): ``alpha_w`` is the smallest observed
    time and ``mu_w = n_w / (sum_j (x_j - alpha_w) + sum_k max(c_k - alpha_w, 0))`` over the
    ``n_w`` observed times ``x_j`` and the censoring bounds ``c_k`` of times only known to
    exceed ``c_k`` (right-censoring, the exact likelihood of a time cut short when the master
    stopped waiting). For ``n`` uncensored times its relative bias is about ``1/n``
    (``E[mu_hat] = n mu / (n - 2)``, ``E[alpha_hat] = alpha + 1 / (n mu)``).

    An ``inf`` time with a finite censoring bound is censored; an ``inf`` time without one (a lost
    answer: a failure, not a slow worker) is left out and counted in ``n_excluded``.

    Parameters
    ----------
    unit_times : array_like, shape (n_iterations, n_workers)
        Observed times of one computation: non-negative, ``inf`` where not observed.
    censoring_times : array_like, shape (n_iterations, n_workers), optional
        Lower bounds of the unobserved times (``inf``: no bound); finite only where
        ``unit_times`` is ``inf`` (e.g. :meth:`Trace.censoring_times`).

    Returns
    -------
    FittedShiftedExponential
        The fitted model, with per-worker counts of observed, censored and excluded times.

    Raises
    ------
    ParameterError
        A worker has fewer than two observed times, or all of them equal (no rate can be fitted).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> times = 0.01 + rng.exponential(1 / np.array([5.0, 20.0]), size=(20_000, 2))
    >>> model = fit_shifted_exponential(times)
    >>> model.mu.round(1).tolist(), model.alpha.round(3).tolist()
    ([5.0, 19.9], [0.01, 0.01])
    """
    times = _times(unit_times, "unit_times")
    if censoring_times is None:
        bounds = np.full_like(times, np.inf)
    else:
        bounds = _times(censoring_times, "censoring_times")
        if bounds.shape != times.shape:
            raise ShapeError(f"censoring_times must have the shape {times.shape} of unit_times, got {bounds.shape}")
        if np.any(np.isfinite(bounds) & np.isfinite(times)):
            raise ParameterError("censoring_times must be inf wherever unit_times is observed (finite): a time is "
                                 "either observed or censored")
    observed = np.isfinite(times)
    censored = np.isfinite(bounds)
    n_observed = observed.sum(axis=0)
    if np.any(n_observed < 2):
        worker = int(np.flatnonzero(n_observed < 2)[0])
        raise ParameterError(f"worker {worker} has {n_observed[worker]} observed unit time(s); the fit needs at "
                             f"least 2 per worker")
    alpha = np.where(observed, times, np.inf).min(axis=0)
    excess = (np.where(observed, times - alpha, 0.0).sum(axis=0)
              + np.where(censored, np.maximum(bounds - alpha, 0.0), 0.0).sum(axis=0))
    if np.any(excess <= 0):
        worker = int(np.flatnonzero(excess <= 0)[0])
        raise ParameterError(f"every time of worker {worker} equals its minimum {alpha[worker]}: no spread, so no "
                             f"exponential rate can be fitted")
    return FittedShiftedExponential(n_observed / excess, alpha, n_observed, censored.sum(axis=0),
                                    (~observed & ~censored).sum(axis=0))


def fit_trace(trace: Trace, scheme: str) -> FittedShiftedExponential:
    """:func:`fit_shifted_exponential` on a trace's unit times, its cancelled messages censored.

    The model the simulator needs to predict the completion time of any code on the cluster
    that recorded ``trace``: ``simulate(code, BernoulliStragglers(model.loss_probabilities,
    base=model))`` with ``model = fit_trace(trace, scheme)`` (lost answers as Bernoulli failures).

    Parameters
    ----------
    trace : Trace
    scheme : str
        One of ``trace.schemes``.

    Returns
    -------
    FittedShiftedExponential
    """
    instance(trace, "trace", Trace)
    return fit_shifted_exponential(trace.unit_times(scheme), trace.censoring_times(scheme))


def estimate_straggling_probabilities(finish_times, deadline: float) -> np.ndarray:
    """Maximum-likelihood Bernoulli ``p_w``: the share of iterations in which worker ``w`` missed the deadline.

    A worker misses it when its finish time exceeds ``deadline`` or is ``inf`` (never). The
    times must have been observed up to the deadline (a run that waited until the deadline,
    such as an approximate code's); a run that stopped earlier cut times short, so estimate
    from a fitted model with :func:`deadline_straggling_probabilities` instead. The standard
    error of ``p_w`` is ``sqrt(p_w (1 - p_w) / n_iterations)``.

    Parameters
    ----------
    finish_times : array_like, shape (n_iterations, n_workers)
        Non-negative finish times (e.g. :meth:`Trace.finish_times`), ``inf`` for never.
    deadline : float
        ``tau > 0``, in the unit of ``finish_times``.

    Returns
    -------
    ndarray, shape (n_workers,)
        Probabilities in ``[0, 1]``.

    Examples
    --------
    >>> estimate_straggling_probabilities([[0.5, 2.0], [1.5, float("inf")]], deadline=1.0).tolist()
    [0.5, 1.0]
    """
    times = _times(finish_times, "finish_times")
    deadline = real(deadline, "deadline", minimum=0.0, open_minimum=True)
    return np.mean(times > deadline, axis=0)


def deadline_straggling_probabilities(model: ShiftedExponential | HeterogeneousShiftedExponential, loads,
                                      deadline: float) -> np.ndarray:
    """``p_w = P(T_w > tau)`` with ``T_w = loads[w] * tau_w`` under a (fitted) shifted exponential.

    ``P(load (alpha + X) > t) = exp(-mu (t / load - alpha))`` when ``t / load > alpha``, else 1
    (seed quantized-approximate-gc, eq. 37, with per-worker ``mu_w``, ``alpha_w``); computed by
    :func:`codedml.sim.straggler_probabilities`.

    Parameters
    ----------
    model : ShiftedExponential or HeterogeneousShiftedExponential
        E.g. from :func:`fit_shifted_exponential`.
    loads : float or array_like, shape (n_workers,)
        Positive computations per worker (a scalar with a heterogeneous model applies to all).
    deadline : float
        ``tau > 0``.

    Returns
    -------
    ndarray, shape (n_workers,)
        Probabilities in ``[0, 1]``.

    Examples
    --------
    >>> model = HeterogeneousShiftedExponential([1.0, 2.0], alpha=0.5)
    >>> deadline_straggling_probabilities(model, loads=1.0, deadline=1.5).round(4).tolist()
    [0.3679, 0.1353]
    """
    instance(model, "model", (ShiftedExponential, HeterogeneousShiftedExponential))
    loads = real_array(loads, "loads", ndim=(0, 1), finite=False)
    n_workers = int(loads.size) if loads.ndim else int(np.size(model.mu))
    return straggler_probabilities(model, deadline, n_workers, loads)


def _times(value, name: str) -> np.ndarray:
    """A 2-D float64 array of non-negative times with at least one row, ``inf`` allowed, NaN refused."""
    times = real_array(value, name, ndim=2, finite=False)
    if times.shape[0] < 1 or times.shape[1] < 1:
        raise ShapeError(f"{name} must have at least one iteration and one worker, got shape {times.shape}")
    if np.any(np.isnan(times)) or np.any(times < 0):
        raise ParameterError(f"{name} must be non-negative times (inf: never); got NaN or a negative time")
    return times
