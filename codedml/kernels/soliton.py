"""Soliton degree distributions of LT codes (Luby 2002; survey section 4).

A distribution over the degrees ``d = 1..k`` of ``k`` source symbols is an array
``probabilities`` of length ``k + 1`` with ``probabilities[d] = P(degree = d)`` and
``probabilities[0] = 0``; :func:`~codedml.kernels.lt_encoding.lt_generator` samples from it.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def ideal_soliton(k):
    """Ideal soliton ``rho``: ``rho(1) = 1/k``, ``rho(d) = 1/(d (d - 1))`` for ``d = 2..k``.

    Parameters
    ----------
    k : int
        Number of source symbols (``k >= 1``).

    Returns
    -------
    probabilities : ndarray of float64, shape (k + 1,)
        ``probabilities[d] = rho(d)``; ``probabilities[0] = 0``.
    """
    probabilities = np.zeros(k + 1)
    probabilities[1] = 1.0 / k
    for d in range(2, k + 1):
        probabilities[d] = 1.0 / (d * (d - 1.0))
    return probabilities


@njit(cache=True, nogil=True)
def robust_soliton(k, c, delta):
    """Robust soliton ``mu = (rho + tau) / beta`` of Luby (2002).

    With ``R = c ln(k / delta) sqrt(k)`` and spike position ``s = floor(k / R)`` (clamped to
    ``1..k``): ``tau(d) = R / (d k)`` for ``d = 1..s-1``, ``tau(s) = R ln(R / delta) / k``,
    ``tau(d) = 0`` above ``s``; ``beta = sum_d (rho(d) + tau(d))`` normalises.

    Parameters
    ----------
    k : int
        Number of source symbols.
    c : float
        Luby's constant ``c > 0``.
    delta : float
        Luby's failure-probability bound ``0 < delta < 1``.

    Returns
    -------
    probabilities : ndarray of float64, shape (k + 1,)
        ``probabilities[d] = mu(d)``; ``probabilities[0] = 0``.
    """
    probabilities = ideal_soliton(k)
    ripple = c * np.log(k / delta) * np.sqrt(k)
    spike = max(int(min(np.floor(k / ripple), k)), 1)  # clamp before the cast: k / ripple may overflow
    for d in range(1, spike):
        probabilities[d] += ripple / (d * k)
    spike_mass = ripple * np.log(ripple / delta) / k
    if spike_mass > 0.0:
        probabilities[spike] += spike_mass
    return probabilities / np.sum(probabilities)
