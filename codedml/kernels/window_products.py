"""Products over cyclic sliding windows of evaluation-point gaps: the polynomial GC's encoding matrix.

The polynomial gradient code (:class:`~codedml.codes.gradient.polynomial.PolynomialGC`) gives worker ``i``
the values ``f_j(x_i) = prod_{u=1}^{h} (x_i - x_{(j+u) mod n})`` for the ``s + 1`` partitions
``j = i, ..., i + s`` it holds, with ``h = n - s - 1``. For one worker these are the products of
``s + 1`` consecutive windows of length ``h`` over the gap sequence
``b_v = x_i - x_{(i+v+1) mod n}``, ``v = 0..n-2``. Splitting the sequence into blocks of length
``h`` and keeping, inside each block, running products from its start (``prefix``) and to its
end (``suffix``), every window is one block's suffix times the next block's prefix: ``O(n)``
multiplications per worker, ``O(n^2)`` in all instead of ``O(n s (n - s))``, and no division
(so it is exact in ``GF(p)`` and never divides by a small real gap).

At the consecutive points ``x_i = i + 1`` of the ``GF(p)`` code over an NTT-friendly prime, the
products have closed forms in factorials: encoding is three convolutions
(:func:`consecutive_window_encode`) and the decoding weights one multipoint evaluation
(:func:`consecutive_decoding_weights`), never forming the ``n x n`` matrix.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from codedml.kernels.gfp import multiply_mod
from codedml.kernels.ntt import factorial_tables, multipoint_evaluate, poly_from_roots, poly_multiply


@njit(cache=True, nogil=True, inline="always")
def _times(a, b, modulus, modulus_inverse):
    if modulus > 0:
        return multiply_mod(a, b, modulus, modulus_inverse)
    return a * b


@njit(cache=True, nogil=True)
def cyclic_window_products(points, s, modulus):
    """``values[i, t] = prod_{u=t+1}^{t+n-s-1} (x_i - x_{(i+u) mod n})`` for ``t = 0..s``.

    Parameters
    ----------
    points : ndarray, shape (n,)
        Evaluation points ``x_i``: ``float64`` over the reals, ``int64`` in ``[0, p)`` over ``GF(p)``.
    s : int
        Number of stragglers (``0 <= s <= n - 1``); each worker holds ``s + 1`` partitions.
    modulus : int
        ``p`` for ``GF(p)`` arithmetic (``p < 2^31``), ``0`` for real arithmetic.

    Returns
    -------
    ndarray, shape (n, s + 1), dtype of ``points``
        Row ``i``, column ``t``: ``f_{(i+t) mod n}(x_i)`` (all ones when ``s = n - 1``).
    """
    n = points.shape[0]
    window = n - s - 1
    values = np.ones((n, s + 1), dtype=points.dtype)
    if window == 0:
        return values
    length = n - 1
    modulus_inverse = 1.0 / modulus if modulus > 0 else 0.0
    gaps = np.empty(length, dtype=points.dtype)
    prefix = np.empty(length, dtype=points.dtype)
    suffix = np.empty(length, dtype=points.dtype)
    for i in range(n):
        for v in range(length):
            gap = points[i] - points[(i + v + 1) % n]
            gaps[v] = gap % modulus if modulus > 0 else gap
        for v in range(length):
            prefix[v] = gaps[v] if v % window == 0 else _times(prefix[v - 1], gaps[v], modulus, modulus_inverse)
        for v in range(length - 1, -1, -1):
            block_end = v % window == window - 1 or v == length - 1
            suffix[v] = gaps[v] if block_end else _times(gaps[v], suffix[v + 1], modulus, modulus_inverse)
        for t in range(s + 1):
            if t % window == 0:
                values[i, t] = suffix[t]
            else:
                values[i, t] = _times(suffix[t], prefix[t + window - 1], modulus, modulus_inverse)
    return values


@njit(cache=True, nogil=True)
def _correlate(values, kernel, p, root):
    """``out[i] = sum_t kernel[t] values[i + t]`` for ``i = 0 .. len(values) - len(kernel)`` (NTT)."""
    product = poly_multiply(values, kernel[::-1].copy(), p, root)
    return product[kernel.shape[0] - 1: values.shape[0]]


@njit(cache=True, nogil=True)
def consecutive_window_encode(partials, s, p, root):
    """``messages[i] = sum_t f_{(i+t) mod n}(x_i) partials[(i+t) mod n]`` at the points ``x_i = i + 1``, by NTTs.

    At consecutive points the window products have closed forms (``J = i + t``, ``h = n - s - 1``):
    ``(-1)^{n-1-i-t} (n-1-i)! i! / (t! (s-t)!)`` for ``s <= J < n``, ``(-1)^h (t+h)! / t!`` for
    ``J < s`` and ``(n-t-1)! / (s-t)!`` for ``J >= n``. The first is a correlation of the partials
    with a fixed length-``s + 1`` kernel scaled per worker, the others are correlations over the
    ``s`` wrapped rows: three convolutions per column, ``O((n + s) log (n + s))``, exact mod ``p``.

    Parameters
    ----------
    partials : ndarray of int64, shape (n, d)
        Field elements in ``[0, p)``.
    s : int
        Stragglers, ``0 <= s < n``.
    p, root : int
        An NTT-friendly prime (``2 (n + 2s)`` rounded up to a power of two divides ``p - 1``) and a primitive root.

    Returns
    -------
    ndarray of int64, shape (n, d)
    """
    n, d = partials.shape
    h = n - s - 1
    p_inverse = 1.0 / p
    factorials, inverse_factorials = factorial_tables(n, p)
    middle = np.empty(s + 1, dtype=np.int64)
    low = np.empty(s + 1, dtype=np.int64)
    wrapped = np.empty(s + 1, dtype=np.int64)
    for t in range(s + 1):
        value = multiply_mod(inverse_factorials[t], inverse_factorials[s - t], p, p_inverse)
        middle[t] = (p - value) % p if t % 2 else value
        value = multiply_mod(factorials[t + h], inverse_factorials[t], p, p_inverse)
        low[t] = (p - value) % p if h % 2 else value
        wrapped[t] = multiply_mod(factorials[n - t - 1], inverse_factorials[s - t], p, p_inverse)
    messages = np.empty((n, d), dtype=np.int64)
    column = np.zeros(n + s, dtype=np.int64)
    corner = np.zeros(2 * s, dtype=np.int64)
    for c in range(d):
        column[s:n] = partials[s:, c]
        main = _correlate(column, middle, p, root)
        for i in range(n):
            scale = multiply_mod(factorials[n - 1 - i], factorials[i], p, p_inverse)
            if (n - 1 - i) % 2:
                scale = (p - scale) % p
            messages[i, c] = multiply_mod(scale, main[i], p, p_inverse)
        if s == 0:
            continue
        corner[:s] = partials[:s, c]
        corner[s:] = 0
        first = _correlate(corner, low, p, root)
        corner[:s] = 0
        corner[s:] = partials[:s, c]
        last = _correlate(corner, wrapped, p, root)
        for i in range(s):
            messages[i, c] = (messages[i, c] + first[i]) % p
            messages[n - s + i, c] = (messages[n - s + i, c] + last[i]) % p
    return messages


@njit(cache=True, nogil=True)
def consecutive_decoding_weights(used, missing, n, p, root):
    """Barycentric weights ``1 / prod_{j in used, j != i} (x_i - x_j)`` at ``x_i = i + 1``, ``used`` and
    ``missing`` partitioning ``0 .. n-1``.

    ``R(x_i) / prod_{j != i} (x_i - x_j)`` with ``R = prod_{m in missing} (x - x_m)`` evaluated at the used
    points by a subproduct tree, and the full products ``(-1)^{n-1-i} i! (n-1-i)!``: ``O(n log^2 s)``.
    """
    p_inverse = 1.0 / p
    _, inverse_factorials = factorial_tables(n, p)
    remainder = poly_from_roots(missing + 1, p, root)
    values = multipoint_evaluate(remainder, used + 1, p, root)
    weights = np.empty(used.shape[0], dtype=np.int64)
    for k in range(used.shape[0]):
        i = used[k]
        scale = multiply_mod(inverse_factorials[i], inverse_factorials[n - 1 - i], p, p_inverse)
        if (n - 1 - i) % 2:
            scale = (p - scale) % p
        weights[k] = multiply_mod(scale, values[k], p, p_inverse)
    return weights
