"""Closed-form expected completion times under the shifted exponential model.

A worker with computation load ``r`` finishes at ``r (alpha + X_w)`` with ``X_w ~ Exp(mu)``
(:class:`~codedml.sim.stragglers.ShiftedExponential`). The master's completion time is then an
order statistic of ``n_workers`` exponentials, whose mean is a difference of harmonic numbers.
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
    return alpha + harmonic_number(n_workers) / mu


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
    load = n_stragglers + 1
    return load * (alpha + (harmonic_number(n_workers) - harmonic_number(n_stragglers)) / mu)
