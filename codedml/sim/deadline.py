"""Deadline timing for approximate gradient codes (seed ``quantized-approximate-gc`` section V-A, eq. 37).

An approximate code has an estimate from its first message, so the master needs another rule to stop:
a deadline ``tau``. It decodes whatever arrived by ``tau``; the iteration ends at ``tau``, or earlier
when every worker has answered (then nothing more can arrive), i.e. at ``min(tau, max_i T_i)``.
Worker ``i`` straggles when ``T_i > tau``, with probability ``p_i = P(T_i > tau)``
(:func:`deadline_probabilities`; ``exp(-mu_i (tau - 1))`` for the seed's ``T_i = 1 + Exp(mu_i)``).

The figure of merit is the normalised squared error ``||g_hat - g||^2 / ||g||^2`` of the estimate
``g_hat`` against ``g = sum_j g_j``, for given partial gradients ``g_j`` or, by default, for i.i.d.
zero-mean partial gradients with identity covariance (the ratio of expectations
``E||g_hat - g||^2 / E||g||^2 = E||A^T w_S - 1||^2 / k``). Its expectation over independent stragglers
is :meth:`~codedml.codes.gradient.approximate.ApproximateGradientCode.expected_error` at the ``p_i``
the deadline induces (:func:`expected_deadline_error`); :func:`codedml.sim.simulate` with
``deadline=tau`` measures it by Monte Carlo.
"""

from __future__ import annotations

import numpy as np

from codedml._validation import array_size, instance, real, real_array
from codedml.codes.gradient.approximate import ApproximateGradientCode, quadratic_forms
from codedml.codes.gradient.base import validated_partials
from codedml.errors import ParameterError
from codedml.sim.probabilities import straggler_probabilities
from codedml.sim.stragglers import StragglerModel


def check_deadline(deadline) -> float:
    """``tau`` as a positive finite float."""
    return real(deadline, "deadline", minimum=0.0, open_minimum=True)


def _check_approximate(code) -> ApproximateGradientCode:
    """``code`` if it is an approximate gradient code (the codes a deadline applies to)."""
    return instance(code, "code", ApproximateGradientCode)


def _error_gram(code: ApproximateGradientCode, partials=None) -> tuple[np.ndarray | None, float]:
    """``(G G^T, ||sum_j g_j||^2)`` for validated ``partials``; ``(None, k)`` for the default identity.

    Raises
    ------
    ParameterError
        The partials sum to zero, so no normalised error exists.
    """
    if partials is None:
        return None, float(code.n_partitions)
    partials, _ = validated_partials(partials, code.n_partitions)
    array_size(code.n_partitions**2, f"the k x k Gram matrix of the partials (k={code.n_partitions})")
    gram = partials @ partials.T
    norm = float(gram.sum())
    if not norm > 0:
        raise ParameterError("partials must not sum to zero: the error is normalised by ||sum_j g_j||^2")
    return gram, norm


def deadline_probabilities(code: ApproximateGradientCode, model: StragglerModel, deadline: float,
                           rng: np.random.Generator | None = None) -> np.ndarray:
    """``p_i = P(T_i > tau)``: each worker's chance to miss the deadline under ``model``.

    ``T_i`` is the worker's finish time for its ``code.worker_loads[i]`` computations, as in the
    simulator (:func:`codedml.sim.straggler_probabilities`: closed form for the shifted-exponential
    models, Monte Carlo otherwise). A worker with nothing to compute sends a zero message; its
    ``p_i`` is set to 0 (it does not change the estimate).

    Examples
    --------
    >>> from codedml.codes import IgnoreStragglersSGD
    >>> from codedml.sim import HeterogeneousShiftedExponential
    >>> model = HeterogeneousShiftedExponential([1.0, 2.0], alpha=1.0)  # T_i = 1 + Exp(mu_i)
    >>> deadline_probabilities(IgnoreStragglersSGD([0.5, 0.5]), model, 1.5).round(4).tolist()  # eq. 37
    [0.6065, 0.3679]
    """
    code = _check_approximate(code)
    deadline = check_deadline(deadline)
    loads = code.worker_loads.astype(np.float64)
    busy = loads > 0
    probabilities = np.zeros(code.n_workers)
    probabilities[busy] = straggler_probabilities(model, deadline, code.n_workers, np.where(busy, loads, 1.0),
                                                  rng)[busy]
    return probabilities


def expected_deadline_error(code: ApproximateGradientCode, model: StragglerModel, deadline: float, partials=None,
                            rng: np.random.Generator | None = None) -> float:
    """Analytic ``E||g_hat - g||^2 / ||g||^2`` when the master decodes what arrived by ``tau``.

    The code's exact expected error at ``p_i = P(T_i > tau)`` (:func:`deadline_probabilities`),
    which assumes the workers straggle independently (true of every model but
    :class:`~codedml.sim.InjectedDelays`, which delays a fixed number of workers per iteration).
    Biased when ``p`` differs from the code's design probabilities.

    Parameters
    ----------
    code : ApproximateGradientCode
    model : StragglerModel
    deadline : float
        ``tau > 0``.
    partials : array_like, shape (k, d), optional
        Fixed partial gradients; default i.i.d. zero-mean, identity covariance.
    rng : numpy.random.Generator, optional
        Only for models whose ``p_i`` is estimated by Monte Carlo.

    Returns
    -------
    float

    Examples
    --------
    >>> from codedml.codes import IgnoreStragglersSGD
    >>> from codedml.sim import HeterogeneousShiftedExponential
    >>> model = HeterogeneousShiftedExponential([1.0, 2.0], alpha=1.0)
    >>> code = IgnoreStragglersSGD([0.6065, 0.3679])  # designed for tau = 1.5: unbiased there
    >>> round(expected_deadline_error(code, model, 1.5), 3)  # sum_i delta_i / k
    1.062
    >>> round(expected_deadline_error(code, model, 3.0), 3)  # fewer stragglers, but the weights overshoot
    1.27
    """
    code = _check_approximate(code)
    _, norm = _error_gram(code, partials)
    probabilities = deadline_probabilities(code, model, deadline, rng)
    return code.expected_error(partials, probabilities) / norm


def deadline_outcomes(code: ApproximateGradientCode, arrival_times, deadline: float, partials=None
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per iteration: completion time, messages decoded and normalised squared error at deadline ``tau``.

    Parameters
    ----------
    code : ApproximateGradientCode
    arrival_times : ndarray, shape (n_iterations, n_workers)
        Each worker's answer time (``inf`` or NaN: never).
    deadline : float
        ``tau > 0``.
    partials : array_like, shape (k, d), optional
        Fixed partial gradients; default i.i.d. zero-mean, identity covariance.

    Returns
    -------
    times : ndarray
        ``min(tau, max_i T_i)``.
    messages : ndarray of int64
        Workers that answered by ``tau``.
    errors : ndarray
        ``||g_hat - g||^2 / ||g||^2``.
    """
    code = _check_approximate(code)
    deadline = check_deadline(deadline)
    arrival_times = real_array(arrival_times, "arrival_times", shape=(None, code.n_workers), finite=False)
    gram, norm = _error_gram(code, partials)
    arrived = arrival_times <= deadline  # False for NaN
    last = np.max(np.where(np.isnan(arrival_times), np.inf, arrival_times), axis=1)
    times = np.minimum(deadline, last)
    coefficients = np.asarray(code.encoding_matrix.T @ code.decoding_vectors(arrived).T).T
    errors = quadratic_forms(coefficients - 1.0, gram) / norm
    return times, arrived.sum(axis=1).astype(np.int64), errors
