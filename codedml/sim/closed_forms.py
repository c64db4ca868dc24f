"""Closed-form expected completion times under the shifted exponential model.

A worker with computation load ``r`` finishes at ``r (alpha + X_w)`` with ``X_w ~ Exp(mu)``
(:class:`~codedml.sim.stragglers.ShiftedExponential`; seed gc-mmc eq. 5). A master that needs the
first ``k`` of ``n`` workers stops at ``r`` times the ``k``-th order statistic, whose mean is
``alpha + (H_n - H_{n-k}) / mu`` (the ``i``-th gap of ``n`` exponential order statistics has
mean ``1 / ((n - i + 1) mu)``): uncoded ``k = n``, gradient codes ``k = n - s``, MDS-coded
computation ``k = ceil(M / r)``.
"""

from __future__ import annotations

import math

from codedml import _validation as validation


def harmonic_number(m: int) -> float:
    """``H_m = sum_{i=1..m} 1/i`` (``H_0 = 0``).

    Examples
    --------
    >>> harmonic_number(3)
    1.8333333333333333
    """
    m = validation.integer(m, "m", minimum=0)
    return math.fsum(1.0 / i for i in range(1, m + 1))


def uncoded_expected_completion_time(n_workers: int, mu: float, alpha: float) -> float:
    """``E[T] = alpha + H_n / mu``: the uncoded master waits for all ``n`` workers of load 1.

    Parameters
    ----------
    n_workers : int
        Workers ``n`` (the survey's ``n``, gc-mmc's ``K``), ``>= 1``.
    mu : float
        Straggling rate ``mu > 0`` of ``Exp(mu)``.
    alpha : float
        Shift ``alpha >= 0``: the minimum time of one task.

    Examples
    --------
    >>> round(uncoded_expected_completion_time(40, 10.0, 0.01), 4)
    0.4379
    """
    n_workers = validation.integer(n_workers, "n_workers", minimum=1)
    mu = validation.real(mu, "mu", minimum=0.0, open_minimum=True)
    alpha = validation.real(alpha, "alpha", minimum=0.0)
    return _kth_fastest_mean(n_workers, n_workers, mu, alpha)


def gradient_coding_expected_completion_time(n_workers: int, n_stragglers: int, mu: float, alpha: float) -> float:
    """``E[T] = r (alpha + (H_n - H_s) / mu)``, ``r = s + 1``: a gradient code of load ``r`` that decodes
    exactly when the first ``n - s`` of its ``n`` workers have answered (cyclic repetition).

    Fractional repetition can decode earlier (one worker of each group suffices), so this bounds
    its mean from above.

    Parameters
    ----------
    n_workers : int
        Workers ``n``, ``>= 1``.
    n_stragglers : int
        Stragglers tolerated ``s`` (the paper's ``s``), ``0 <= s < n``.
    mu : float
        Straggling rate ``mu > 0`` of ``Exp(mu)``.
    alpha : float
        Shift ``alpha >= 0``: the minimum time of one task.

    Examples
    --------
    >>> round(gradient_coding_expected_completion_time(40, 9, 10.0, 0.01), 4)
    1.5496
    """
    n_workers = validation.integer(n_workers, "n_workers", minimum=1)
    n_stragglers = validation.integer(n_stragglers, "n_stragglers", minimum=0, maximum=n_workers - 1)
    mu = validation.real(mu, "mu", minimum=0.0, open_minimum=True)
    alpha = validation.real(alpha, "alpha", minimum=0.0)
    return (n_stragglers + 1) * _kth_fastest_mean(n_workers, n_workers - n_stragglers, mu, alpha)


def mds_recovery_threshold(n_workers: int, n_partitions: int, computation_load: int) -> int:
    """``ceil(M / r)``: the workers whose results decode MDS-coded computation (MCC, Lee et al.).

    ``W`` is split into ``M`` submatrices and coded by an MDS code into ``K r`` coded ones, ``r``
    per worker; each worker sends its ``r`` results together, and any ``M`` coded results decode
    (seed cpgc section 2; :class:`~codedml.codes.MDSCodedComputationMMC`,
    :class:`~codedml.codes.MDSCodedComputation` when ``r`` divides ``M``).

    Parameters
    ----------
    n_workers : int
        Workers ``K`` (seeds cpgc and gc-mmc), ``>= 1``.
    n_partitions : int
        Submatrices ``M``, ``1 <= M <= K r``.
    computation_load : int
        Coded submatrices per worker ``r``, ``>= 1``.

    Examples
    --------
    >>> mds_recovery_threshold(4, 4, 2), mds_recovery_threshold(20, 20, 3)
    (2, 7)
    """
    n_workers = validation.integer(n_workers, "n_workers", minimum=1)
    computation_load = validation.integer(computation_load, "computation_load", minimum=1)
    n_partitions = validation.integer(n_partitions, "n_partitions", minimum=1, maximum=n_workers * computation_load)
    return -(-n_partitions // computation_load)


def mds_coded_computation_expected_completion_time(n_workers: int, n_partitions: int, computation_load: int,
                                                   mu: float, alpha: float) -> float:
    """``E[T] = r (alpha + (H_K - H_{K-k}) / mu)``, ``k = ceil(M / r)``: MDS-coded computation (MCC)
    waits for the first :func:`mds_recovery_threshold` workers to finish all ``r`` computations.

    The seed's MCC sends one message per worker; with one message per computation
    (``MDSCodedComputationMMC(..., multi_message=True)``) the master can finish earlier and
    :func:`~codedml.sim.exact_expected_completion_time` (small ``K``) or
    :func:`~codedml.sim.simulate` give its mean.

    Parameters
    ----------
    n_workers : int
        Workers ``K``, ``>= 1``.
    n_partitions : int
        Submatrices ``M``, ``1 <= M <= K r``.
    computation_load : int
        Coded submatrices per worker ``r``, ``>= 1``.
    mu : float
        Straggling rate ``mu > 0`` of ``Exp(mu)``.
    alpha : float
        Shift ``alpha >= 0``: the minimum time of one computation.

    Examples
    --------
    >>> round(mds_coded_computation_expected_completion_time(4, 4, 2, 10.0, 0.01), 4)   # seed cpgc example
    0.1367
    """
    threshold = mds_recovery_threshold(n_workers, n_partitions, computation_load)
    mu = validation.real(mu, "mu", minimum=0.0, open_minimum=True)
    alpha = validation.real(alpha, "alpha", minimum=0.0)
    return computation_load * _kth_fastest_mean(n_workers, threshold, mu, alpha)


def _kth_fastest_mean(n_workers: int, k: int, mu: float, alpha: float) -> float:
    """Mean of the ``k``-th smallest of ``n_workers`` i.i.d. ``alpha + Exp(mu)`` times."""
    return alpha + (harmonic_number(n_workers) - harmonic_number(n_workers - k)) / mu
