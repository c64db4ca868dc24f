"""Slow, obviously-correct reference implementations used by the tests (never by the package)."""

from __future__ import annotations

import math

import numpy as np


def harmonic(m: int) -> float:
    """``H_m = sum_{i=1..m} 1/i``."""
    return math.fsum(1.0 / i for i in range(1, m + 1))


def fractional_repetition_matrix(n: int, s: int) -> np.ndarray:
    """``B_frac`` by replicating the block matrix of survey eq. (4) ``s + 1`` times (eq. 5)."""
    per_group = n // (s + 1)
    block = np.kron(np.eye(per_group), np.ones((1, s + 1)))
    return np.vstack([block] * (s + 1))


def cyclic_repetition_matrix(n: int, s: int, parity_check: np.ndarray) -> np.ndarray:
    """Survey Algorithm 2 line by line: ``B(i, j) = [1; -H(:, j(2:s+1)) \\ H(:, j(1))]``."""
    b = np.zeros((n, n))
    for i in range(n):
        j = np.arange(i, i + s + 1) % n
        b[i, j[0]] = 1.0
        if s:
            b[i, j[1:]] = np.linalg.solve(parity_check[:, j[1:]], -parity_check[:, j[0]])
    return b


def decoding_vector_lstsq(b: np.ndarray, survivors: np.ndarray) -> np.ndarray:
    """Full-length ``a`` with ``a^T B_I = 1`` by dense least squares."""
    a = np.zeros(b.shape[0])
    a[survivors] = np.linalg.lstsq(b[survivors].T, np.ones(b.shape[1]), rcond=None)[0]
    return a


def polynomial_product_mod(a, b, p: int) -> np.ndarray:
    """Coefficients (lowest degree first) of ``a(x) b(x) mod p``, the schoolbook way in Python integers."""
    out = [0] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            out[i + j] = (out[i + j] + int(x) * int(y)) % p
    return np.array(out, dtype=np.int64)


def polynomial_values_mod(coefficients, points, p: int) -> np.ndarray:
    """``f(x) mod p`` at every point, term by term in Python integers."""
    return np.array([sum(int(c) * pow(int(x), k, p) for k, c in enumerate(coefficients)) % p for x in points],
                    dtype=np.int64)


def interpolation_mod(points, values, p: int) -> np.ndarray:
    """Coefficients of the polynomial of degree ``< m`` through ``(x_t, y_t)`` mod ``p``: Lagrange's formula,
    ``O(m^2)`` products of linear factors in Python integers."""
    m = len(points)
    total = [0] * m
    for t in range(m):
        basis, denominator = [1], 1
        for u in range(m):
            if u != t:
                basis = [((basis[k - 1] if k else 0) - int(points[u]) * (basis[k] if k < len(basis) else 0)) % p
                         for k in range(len(basis) + 1)]
                denominator = denominator * (int(points[t]) - int(points[u])) % p
        scale = int(values[t]) * pow(denominator, -1, p) % p
        total = [(c + scale * b) % p for c, b in zip(total, basis, strict=True)]
    return np.array(total, dtype=np.int64)
