"""Real-field decoding vectors: solve ``a^T B_I = 1^T`` for a survivor set ``I``.

Three solvers, from general to specialised, each paired with a residual so that a
caller can refuse a numerically wrong answer:

- :func:`dense_decoding_vector`: least squares on a dense ``B_I`` (any linear code);
- :func:`cyclic_band_decoding_vector`: banded elimination with partial pivoting for
  any generator whose row ``i`` is supported on the cyclic window ``i..i+s``,
  ``O(n s^2)`` instead of ``O(n^3)``;
- :func:`symmetric_zero_decoding_vector`: the closed form of the cyclic-MDS
  construction (zeros ``w^{+-t q}``), ``O(n s)``.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def dense_decoding_vector(survivor_rows):
    """Least-squares solution of ``a^T B_I = 1^T``.

    Parameters
    ----------
    survivor_rows : ndarray, shape (|I|, k)
        ``B_I``: the encoding rows of the survivors.

    Returns
    -------
    coefficients : ndarray, shape (|I|,)
    residual : float
        ``max_j |(a^T B_I)_j - 1|``.
    """
    k = survivor_rows.shape[1]
    ones = np.ones(k)
    system = np.ascontiguousarray(survivor_rows.T)
    coefficients = np.linalg.lstsq(system, ones)[0]
    residual = np.max(np.abs(system @ coefficients - ones))
    return coefficients, residual


@njit(cache=True, nogil=True)
def cyclic_band_residual(band, survivors, coefficients):
    """``max_j |(a^T B_I)_j - 1|`` for a cyclic band generator (see ``kernels.repetition``)."""
    n, width = band.shape
    combined = np.zeros(n)
    for t in range(survivors.shape[0]):
        row = survivors[t]
        c = coefficients[t]
        for u in range(width):
            combined[(row + u) % n] += c * band[row, u]
    return np.max(np.abs(combined - 1.0))


@njit(cache=True, nogil=True)
def _band_lu_solve(store, pivots, rhs, lower, upper):
    """Solve with the banded LU factors of :func:`cyclic_band_decoding_vector` (in place on ``rhs``)."""
    size = store.shape[0]
    for k in range(size):
        p = pivots[k]
        if p != k:
            tmp = rhs[k]
            rhs[k] = rhs[p]
            rhs[p] = tmp
        for r in range(k + 1, min(k + lower, size - 1) + 1):
            rhs[r] -= store[k, r - k + upper] * rhs[k]
    for k in range(size - 1, -1, -1):
        total = rhs[k]
        for c in range(k + 1, min(k + upper, size - 1) + 1):
            total -= store[c, k - c + upper] * rhs[c]
        rhs[k] = total / store[k, upper]
    return rhs


@njit(cache=True, nogil=True)
def cyclic_band_decoding_vector(band, survivors):
    """Decoding vector of a cyclic band generator by banded elimination.

    With exactly ``n - s`` survivors ``i_0 < ... < i_{n-s-1}``, the equations of
    ``a^T B_I = 1^T`` on coordinates ``s..n-1`` form a square system without
    wrap-around whose bandwidth is at most ``s`` on each side; it is solved by Gaussian
    elimination with partial pivoting in ``O(n s^2)``, followed by two steps of
    iterative refinement. The remaining ``s`` equations are checked by the residual.

    Parameters
    ----------
    band : ndarray, shape (n, s + 1)
        ``band[i, t] = B[i, (i + t) % n]``.
    survivors : ndarray of int64, shape (n - s,)
        Sorted survivor indices.

    Returns
    -------
    coefficients : ndarray, shape (n - s,)
    residual : float
        ``max_j |(a^T B_I)_j - 1|`` over all ``n`` coordinates (``inf`` when the square
        system is singular).
    """
    n, width = band.shape
    s = width - 1
    size = n - s
    lower = s
    upper = 2 * s  # s above the diagonal, plus s of fill from row swaps
    # column-major band storage: A[r, c] lives at store[c, r - c + upper]
    store = np.zeros((size, upper + lower + 1))
    for c in range(size):
        worker = survivors[c]
        for u in range(width):
            r = worker + u - s
            if 0 <= r < size:
                store[c, r - c + upper] = band[worker, u]
    original = store.copy()
    pivots = np.arange(size)
    for k in range(size):
        last_row = min(k + lower, size - 1)
        pivot = k
        best = abs(store[k, upper])
        for r in range(k + 1, last_row + 1):
            value = abs(store[k, r - k + upper])
            if value > best:
                best = value
                pivot = r
        if best == 0.0:
            return np.zeros(size), np.inf
        pivots[k] = pivot
        last_col = min(k + upper, size - 1)
        if pivot != k:
            for c in range(k, last_col + 1):
                a = store[c, k - c + upper]
                store[c, k - c + upper] = store[c, pivot - c + upper]
                store[c, pivot - c + upper] = a
        diagonal = store[k, upper]
        for r in range(k + 1, last_row + 1):
            factor = store[k, r - k + upper] / diagonal
            store[k, r - k + upper] = factor  # keep the multiplier for later solves
            if factor != 0.0:
                for c in range(k + 1, last_col + 1):
                    store[c, r - c + upper] -= factor * store[c, k - c + upper]
    solution = _band_lu_solve(store, pivots, np.ones(size), lower, upper)
    for _ in range(2):  # iterative refinement on the square system
        correction = np.ones(size)
        for c in range(size):
            for r in range(max(0, c - upper), min(size - 1, c + lower) + 1):
                correction[r] -= original[c, r - c + upper] * solution[c]
        solution += _band_lu_solve(store, pivots, correction, lower, upper)
    return solution, cyclic_band_residual(band, survivors, solution)


@njit(cache=True, nogil=True)
def symmetric_zero_decoding_vector(n, stride, row_sum, survivors, stragglers):
    """Closed-form decoding vector of the cyclic-MDS code with zeros ``w^{+-t q}``.

    For the generator of :func:`codedml.kernels.repetition.symmetric_zero_generator`
    (``s = 2 m`` zeros ``w^{+-q}, ..., w^{+-m q}``), the decoding vector's discrete Fourier
    transform is supported on ``{-m q, ..., m q}``, so
    ``a_i = C prod_{k in S} 2 sin(pi (p_i - p_k) / n)`` with ``p_i = q i mod n`` and ``S``
    the ``s`` stragglers; ``C`` follows from ``g(1) sum_i a_i = n``. The product is
    accumulated in the log domain, ``O(n s)`` in all.

    Parameters
    ----------
    n : int
        Number of workers.
    stride : int
        ``q``, coprime to ``n``.
    row_sum : float
        ``g(1)``, the sum of one row of ``B``.
    survivors : ndarray of int64, shape (n - s,)
    stragglers : ndarray of int64, shape (s,)

    Returns
    -------
    coefficients : ndarray, shape (n - s,)
    cancellation : float
        ``|sum_i u_i| / sum_i |u_i|`` of the unnormalised products; near zero the
        survivor set is (numerically) not decodable.
    """
    size = survivors.shape[0]
    log_magnitude = np.zeros(size)
    sign = np.ones(size)
    scale = np.pi / n
    for t in range(size):
        p = (stride * survivors[t]) % n
        for u in range(stragglers.shape[0]):
            q = (stride * stragglers[u]) % n
            factor = 2.0 * np.sin(scale * (p - q))
            if factor < 0.0:
                sign[t] = -sign[t]
            log_magnitude[t] += np.log(abs(factor))
    peak = np.max(log_magnitude) if size > 0 else 0.0
    products = sign * np.exp(log_magnitude - peak)
    total = np.sum(products)
    magnitude = np.sum(np.abs(products))
    if total == 0.0:
        return np.zeros(size), 0.0
    return products * (n / (row_sum * total)), abs(total) / magnitude


@njit(cache=True, nogil=True)
def fractional_repetition_decoding_vector(survivor_mask, per_group):
    """Decoding vector of fractional repetition: the first survivor of every block gets 1.

    Parameters
    ----------
    survivor_mask : ndarray of bool, shape (n,)
    per_group : int
        ``n / (s + 1)``: workers per group, i.e. the number of distinct blocks.

    Returns
    -------
    coefficients : ndarray, shape (n,)
        Zero except one survivor per block.
    missing : int
        Number of blocks with no survivor (decodable iff zero).
    """
    n = survivor_mask.shape[0]
    coefficients = np.zeros(n)
    covered = np.zeros(per_group, dtype=np.bool_)
    for i in range(n):
        block = i % per_group
        if survivor_mask[i] and not covered[block]:
            covered[block] = True
            coefficients[i] = 1.0
    return coefficients, per_group - np.sum(covered)


@njit(cache=True, nogil=True)
def span_residuals(encoding, subsets):
    """For each row of ``subsets``, the residual of ``1`` projected on ``span{b_i : i in subset}``.

    Parameters
    ----------
    encoding : ndarray, shape (n, k)
        Dense ``B``.
    subsets : ndarray of int64, shape (m, size)
        Survivor sets, one per row.

    Returns
    -------
    ndarray, shape (m,)
        ``max_j |(a^T B_I)_j - 1|`` of the least-squares ``a`` for each set.
    """
    out = np.empty(subsets.shape[0])
    rows = np.empty((subsets.shape[1], encoding.shape[1]))
    for t in range(subsets.shape[0]):
        for u in range(subsets.shape[1]):
            rows[u] = encoding[subsets[t, u]]
        out[t] = dense_decoding_vector(rows)[1]
    return out
