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
"""

from __future__ import annotations

import numpy as np
from numba import njit

from codedml.kernels.gfp import multiply_mod


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
