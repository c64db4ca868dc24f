"""Generators of the repetition gradient codes (fractional and cyclic) and of the cyclic-MDS code.

A cyclic generator is stored as a *band*: ``band[i, t]`` is ``B[i, (i + t) % n]`` for
``t = 0..s``, the ``s + 1`` entries of row ``i`` on its cyclic window.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def fractional_repetition_csr(n_workers, n_stragglers):
    """CSR arrays of the fractional repetition matrix ``B_frac`` (survey eqs. 4-5).

    Worker ``i`` lies in group ``i // (n / (s + 1))`` and block ``b = i % (n / (s + 1))``;
    it holds partitions ``b (s + 1), ..., b (s + 1) + s`` with weight one.

    Returns
    -------
    indptr, indices, data : ndarray
    """
    width = n_stragglers + 1
    per_group = n_workers // width
    indptr = np.arange(n_workers + 1).astype(np.int64) * width
    indices = np.empty(n_workers * width, dtype=np.int64)
    for i in range(n_workers):
        block = i % per_group
        for t in range(width):
            indices[i * width + t] = block * width + t
    data = np.ones(n_workers * width)
    return indptr, indices, data


@njit(cache=True, nogil=True)
def cyclic_band_to_csr(band):
    """CSR arrays of the ``n x n`` matrix whose row ``i`` is ``band[i]`` on columns ``i..i+s (mod n)``."""
    n = band.shape[0]
    width = band.shape[1]
    indptr = np.arange(n + 1).astype(np.int64) * width
    indices = np.empty(n * width, dtype=np.int64)
    data = np.empty(n * width)
    for i in range(n):
        for t in range(width):
            indices[i * width + t] = (i + t) % n
            data[i * width + t] = band[i, t]
    return indptr, indices, data


@njit(cache=True, nogil=True)
def cyclic_repetition_band_random(parity_check):
    """Band of the cyclic repetition matrix of survey Algorithm 2.

    Parameters
    ----------
    parity_check : ndarray, shape (s, n)
        The matrix ``H``; its columns must sum to zero (``H 1 = 0``) and every ``s x s``
        block of ``s`` cyclically consecutive columns must be invertible.

    Returns
    -------
    ndarray, shape (n, s + 1)
        ``band[i] = [1, -H(:, j_2..j_{s+1})^{-1} H(:, j_1)]`` with ``j = i..i+s (mod n)``.
    """
    s, n = parity_check.shape
    band = np.empty((n, s + 1))
    block = np.empty((s, s))
    rhs = np.empty(s)
    for i in range(n):
        band[i, 0] = 1.0
        if s == 0:
            continue
        for r in range(s):
            rhs[r] = -parity_check[r, i]
            for t in range(s):
                block[r, t] = parity_check[r, (i + 1 + t) % n]
        band[i, 1:] = np.linalg.solve(block, rhs)
    return band


@njit(cache=True, nogil=True)
def symmetric_zero_generator(n, half_count, stride):
    """Coefficients of ``g(x) = prod_{t=1..m} (x - w^{t q})(x - w^{-t q})``, ``w = exp(2 pi i / n)``.

    ``g`` is real (its zero set is closed under conjugation) and has degree ``2 m``.

    Parameters
    ----------
    n : int
        Code length (the number of workers).
    half_count : int
        ``m``: the number of conjugate root pairs (``s = 2 m``).
    stride : int
        ``q``: the step between consecutive zeros on the circle, coprime to ``n``.

    Returns
    -------
    ndarray, shape (2 m + 1,)
        ``g_0, ..., g_{2m}`` (increasing powers), scaled so that ``max |g_t| = 1``.
    """
    coeffs = np.zeros(2 * half_count + 1)
    coeffs[0] = 1.0
    degree = 0
    for t in range(1, half_count + 1):
        angle = 2.0 * np.pi * ((t * stride) % n) / n
        # multiply by (x^2 - 2 cos(angle) x + 1), the product of one conjugate pair
        c = -2.0 * np.cos(angle)
        for power in range(degree + 2, -1, -1):
            value = coeffs[power]
            if power >= 1:
                value += c * coeffs[power - 1]
            if power >= 2:
                value += coeffs[power - 2]
            coeffs[power] = value
        degree += 2
    return coeffs / np.max(np.abs(coeffs))


@njit(cache=True, nogil=True)
def dft_parity_check(n, n_stragglers, stride):
    """Real parity-check rows ``sqrt(2) cos(2 pi t q i / n)``, ``sqrt(2) sin(2 pi t q i / n)``, ``t = 1..s//2``.

    Every row is orthogonal to the all-ones vector. For odd ``s`` the last row is left
    zero for the caller to fill.

    Returns
    -------
    ndarray, shape (s, n)
    """
    rows = np.zeros((n_stragglers, n))
    scale = np.sqrt(2.0)
    for t in range(1, n_stragglers // 2 + 1):
        frequency = (t * stride) % n
        for i in range(n):
            angle = 2.0 * np.pi * ((frequency * i) % n) / n
            rows[2 * t - 2, i] = scale * np.cos(angle)
            rows[2 * t - 1, i] = scale * np.sin(angle)
    return rows
