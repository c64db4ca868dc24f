"""Arithmetic in the prime field ``GF(p)``, ``p < 2^31``: products, inverses, linear algebra, polynomials.

Elements are ``int64`` values in ``[0, p)``. A product of two elements is below ``2^62``, so it
never overflows an ``int64``; it is reduced without an integer division (which does not
vectorise) by estimating the quotient in floating point, ``q ~ a b / p``, and correcting
``a b - q p`` by at most one ``p`` (the estimate is within one of the true quotient since
``a b / p < 2^31`` is computed with a relative error near ``2^-52``). Sums of up to ``2^32``
reduced values fit in an ``int64`` and are reduced once at the end.

Polynomial coefficients are stored lowest degree first: ``c[0] + c[1] x + ... + c[d] x^d``
(galois's ``Poly`` lists them highest degree first).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from codedml.kernels.elimination import first_nonzero_row, swap_rows


@njit(cache=True, nogil=True, inline="always")
def multiply_mod(a, b, p, p_inverse):
    """``a b mod p`` for ``0 <= a, b < p < 2^31``; ``p_inverse = 1.0 / p``."""
    quotient = np.int64(float(a) * float(b) * p_inverse)
    remainder = a * b - quotient * p
    if remainder < 0:
        remainder += p
    elif remainder >= p:
        remainder -= p
    return remainder


@njit(cache=True, nogil=True)
def gfp_multiply(a, b, p):
    """``a b mod p``."""
    return (np.int64(a) * np.int64(b)) % p


@njit(cache=True, nogil=True)
def gfp_inverse(a, p):
    """``a^{-1} mod p`` by the extended Euclidean algorithm; ``ZeroDivisionError`` for ``a = 0 mod p``."""
    r0 = np.int64(p)
    r1 = np.int64(a) % p
    if r1 == 0:
        raise ZeroDivisionError("0 has no inverse in GF(p)")
    t0 = np.int64(0)
    t1 = np.int64(1)
    while r1 != 0:
        quotient = r0 // r1
        r0, r1 = r1, r0 - quotient * r1
        t0, t1 = t1, t0 - quotient * t1
    return t0 % p


@njit(cache=True, nogil=True)
def gfp_batch_inverse(values, p):
    """Inverses of all ``values`` (nonzero mod ``p``) with one inversion and ``3(n - 1)`` products.

    Montgomery's trick: prefix products ``P_i = v_0 ... v_i``, one inverse of ``P_{n-1}``, then
    ``v_i^{-1} = P_{i-1} (P_i)^{-1}`` walking back.
    """
    n = values.shape[0]
    p_inverse = 1.0 / p
    out = np.empty(n, dtype=np.int64)
    if n == 0:
        return out
    prefix = np.empty(n, dtype=np.int64)
    running = np.int64(1)
    for i in range(n):
        running = multiply_mod(running, np.int64(values[i]) % p, p, p_inverse)
        prefix[i] = running
    inverse_running = gfp_inverse(running, p)
    for i in range(n - 1, 0, -1):
        out[i] = multiply_mod(inverse_running, prefix[i - 1], p, p_inverse)
        inverse_running = multiply_mod(inverse_running, np.int64(values[i]) % p, p, p_inverse)
    out[0] = inverse_running
    return out


@njit(cache=True, nogil=True)
def gfp_elementwise_multiply(left, right, p):
    """Element-wise ``left * right mod p`` of two equal-length 1-D int64 arrays."""
    p_inverse = 1.0 / p
    out = np.empty(left.shape[0], dtype=np.int64)
    for i in range(left.shape[0]):
        out[i] = multiply_mod(left[i], right[i], p, p_inverse)
    return out


@njit(cache=True, nogil=True)
def gfp_matvec(matrix, vector, p):
    """``matrix @ vector mod p`` (reduced products summed in int64, one reduction per row)."""
    n_rows, n_cols = matrix.shape
    p_inverse = 1.0 / p
    out = np.empty(n_rows, dtype=np.int64)
    for i in range(n_rows):
        total = np.int64(0)
        for j in range(n_cols):
            total += multiply_mod(matrix[i, j], vector[j], p, p_inverse)
        out[i] = total % p
    return out


@njit(cache=True, nogil=True)
def gfp_matmul(left, right, p):
    """``left @ right mod p`` (``i, t, j`` loop order: the innermost loop runs along rows)."""
    n_rows, inner = left.shape
    n_cols = right.shape[1]
    p_inverse = 1.0 / p
    out = np.zeros((n_rows, n_cols), dtype=np.int64)
    for i in range(n_rows):
        for t in range(inner):
            factor = left[i, t]
            if factor != 0:
                for j in range(n_cols):
                    out[i, j] += multiply_mod(factor, right[t, j], p, p_inverse)
        for j in range(n_cols):
            out[i, j] %= p
    return out


@njit(cache=True, nogil=True)
def _eliminate(work, rhs, p):
    """Gaussian elimination of ``work`` (n x n) applied to ``rhs`` (n x r), in place; ``False`` if singular."""
    n = work.shape[0]
    n_rhs = rhs.shape[1]
    p_inverse = 1.0 / p
    for k in range(n):
        pivot = first_nonzero_row(work, k, k)
        if pivot < 0:
            return False
        if pivot != k:
            swap_rows(work, k, pivot, k)
            swap_rows(rhs, k, pivot, 0)
        scale = gfp_inverse(work[k, k], p)
        for c in range(k, n):
            work[k, c] = multiply_mod(scale, work[k, c], p, p_inverse)
        for c in range(n_rhs):
            rhs[k, c] = multiply_mod(scale, rhs[k, c], p, p_inverse)
        for r in range(k + 1, n):
            factor = work[r, k]
            if factor != 0:
                for c in range(k, n):
                    value = work[r, c] - multiply_mod(factor, work[k, c], p, p_inverse)
                    work[r, c] = value + p if value < 0 else value
                for c in range(n_rhs):
                    value = rhs[r, c] - multiply_mod(factor, rhs[k, c], p, p_inverse)
                    rhs[r, c] = value + p if value < 0 else value
    for k in range(n - 1, 0, -1):
        for r in range(k):
            factor = work[r, k]
            if factor != 0:
                for c in range(n_rhs):
                    value = rhs[r, c] - multiply_mod(factor, rhs[k, c], p, p_inverse)
                    rhs[r, c] = value + p if value < 0 else value
    return True


@njit(cache=True, nogil=True)
def gfp_solve(matrix, rhs, p):
    """Solve ``matrix @ x = rhs`` over ``GF(p)`` by Gaussian elimination.

    The scalar reference: from ``n`` near 64 on, :func:`codedml.kernels.gfp_blocked.gfp_solve_blocked`
    returns the same solution faster (5x at ``n = 256``, 20x at ``n = 1024``; float64 BLAS updates).

    Parameters
    ----------
    matrix : ndarray of int64, shape (n, n)
        Entries in ``[0, p)``.
    rhs : ndarray of int64, shape (n, r)
        One or more right-hand sides (a vector must be passed as ``rhs[:, None]``).
    p : int
        The prime, ``p < 2^31``.

    Returns
    -------
    solution : ndarray of int64, shape (n, r)
        Meaningless when ``nonsingular`` is false.
    nonsingular : bool
    """
    work = matrix.astype(np.int64)
    solution = rhs.astype(np.int64)
    nonsingular = _eliminate(work, solution, p)
    return solution, nonsingular


@njit(cache=True, nogil=True)
def gfp_inverse_matrix(matrix, p):
    """Inverse of a square matrix over ``GF(p)``; returns ``(inverse, nonsingular)``."""
    n = matrix.shape[0]
    inverse = np.zeros((n, n), dtype=np.int64)
    for i in range(n):
        inverse[i, i] = 1
    work = matrix.astype(np.int64)
    nonsingular = _eliminate(work, inverse, p)
    return inverse, nonsingular


@njit(cache=True, nogil=True)
def gfp_vandermonde(points, n_columns, p):
    """Vandermonde matrix ``V[i, j] = points[i]^j mod p`` (``n_points x n_columns``)."""
    p_inverse = 1.0 / p
    n_points = points.shape[0]
    out = np.empty((n_points, n_columns), dtype=np.int64)
    for i in range(n_points):
        value = np.int64(1)
        point = np.int64(points[i]) % p
        for j in range(n_columns):
            out[i, j] = value
            value = multiply_mod(value, point, p, p_inverse)
    return out


@njit(cache=True, nogil=True)
def gfp_polynomial_evaluate(coefficients, points, p):
    """Values of ``c[0] + c[1] x + ... + c[d] x^d`` at every point (Horner), ``O(n d)``."""
    p_inverse = 1.0 / p
    degree_plus_one = coefficients.shape[0]
    out = np.zeros(points.shape[0], dtype=np.int64)
    for i in range(points.shape[0]):
        point = np.int64(points[i]) % p
        value = np.int64(0)
        for t in range(degree_plus_one - 1, -1, -1):
            value = multiply_mod(value, point, p, p_inverse) + coefficients[t]
            if value >= p:
                value -= p
        out[i] = value
    return out


@njit(cache=True, nogil=True)
def gfp_interpolate(points, values, p):
    """Coefficients (lowest degree first) of the polynomial of degree ``< n`` through ``n`` points.

    Newton's divided differences, each column's ``n - j`` denominators inverted together
    (:func:`gfp_batch_inverse`), then the Newton form expanded to monomials: ``O(n^2)``
    products and ``n`` inversions. The points must be distinct mod ``p``
    (``ZeroDivisionError`` otherwise).

    Parameters
    ----------
    points : ndarray of int64, shape (n,)
        ``x_i``, distinct.
    values : ndarray of int64, shape (n,)
        ``f(x_i)``.
    p : int
    """
    n = points.shape[0]
    p_inverse = 1.0 / p
    x = np.empty(n, dtype=np.int64)
    newton = np.empty(n, dtype=np.int64)
    for i in range(n):
        x[i] = np.int64(points[i]) % p
        newton[i] = np.int64(values[i]) % p
    differences = np.empty(n, dtype=np.int64)
    for j in range(1, n):
        for i in range(j, n):
            value = x[i] - x[i - j]
            differences[i - j] = value + p if value < 0 else value
        inverses = gfp_batch_inverse(differences[: n - j], p)
        for i in range(n - 1, j - 1, -1):
            value = newton[i] - newton[i - 1]
            if value < 0:
                value += p
            newton[i] = multiply_mod(value, inverses[i - j], p, p_inverse)
    # Horner on the Newton form: poly <- poly * (x - x_i) + newton[i]
    coefficients = np.zeros(n, dtype=np.int64)
    if n == 0:
        return coefficients
    coefficients[0] = newton[n - 1]
    for i in range(n - 2, -1, -1):
        negative_point = (p - x[i]) % p
        # multiply by (x - x_i): shift up, add -x_i times the old coefficients
        for t in range(n - 1, 0, -1):
            value = coefficients[t - 1] + multiply_mod(coefficients[t], negative_point, p, p_inverse)
            coefficients[t] = value - p if value >= p else value
        value = multiply_mod(coefficients[0], negative_point, p, p_inverse) + newton[i]
        coefficients[0] = value - p if value >= p else value
    return coefficients


@njit(cache=True, nogil=True)
def gfp_barycentric_weights(points, p):
    """Barycentric weights ``w_i = 1 / prod_{k != i} (x_i - x_k)`` of distinct points, ``O(n^2)``."""
    n = points.shape[0]
    p_inverse = 1.0 / p
    products = np.empty(n, dtype=np.int64)
    for i in range(n):
        product = np.int64(1)
        xi = np.int64(points[i]) % p
        for k in range(n):
            if k != i:
                value = xi - np.int64(points[k]) % p
                product = multiply_mod(product, value + p if value < 0 else value, p, p_inverse)
        products[i] = product
    return gfp_batch_inverse(products, p)


@njit(cache=True, nogil=True)
def gfp_lagrange_basis(points, targets, p):
    """Lagrange basis values ``L[t, i] = l_i(targets[t])`` for distinct ``points``.

    ``f(targets[t]) = sum_i L[t, i] f(points[i])`` for every polynomial ``f`` of degree ``< n``:
    the decoding coefficients of polynomial (Reed-Solomon, Lagrange) codes. Barycentric
    form ``l_i(z) = w_i / (z - x_i) * prod_k (z - x_k)``; a target equal to a point gives the
    unit vector. ``O(n^2 + n T)`` products.

    Parameters
    ----------
    points : ndarray of int64, shape (n,)
        ``x_i``, distinct mod ``p``.
    targets : ndarray of int64, shape (T,)
    p : int
    """
    n = points.shape[0]
    p_inverse = 1.0 / p
    weights = gfp_barycentric_weights(points, p)
    out = np.zeros((targets.shape[0], n), dtype=np.int64)
    gaps = np.empty(n, dtype=np.int64)
    for t in range(targets.shape[0]):
        z = np.int64(targets[t]) % p
        hit = -1
        for i in range(n):
            value = z - np.int64(points[i]) % p
            if value < 0:
                value += p
            if value == 0:
                hit = i
            gaps[i] = value
        if hit >= 0:
            out[t, hit] = 1
            continue
        node = np.int64(1)
        for i in range(n):
            node = multiply_mod(node, gaps[i], p, p_inverse)
        inverse_gaps = gfp_batch_inverse(gaps, p)
        for i in range(n):
            out[t, i] = multiply_mod(multiply_mod(node, weights[i], p, p_inverse), inverse_gaps[i], p, p_inverse)
    return out
