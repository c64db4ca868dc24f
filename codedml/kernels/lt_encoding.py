"""LT (Luby transform) encoding: sample a sparse generator, combine source payloads along it.

Notation (survey section 4, Luby 2002): ``k`` source symbols, ``Q = ceil((1 + eta) k)`` coded
symbols; coded symbol ``i`` draws a degree ``d`` from the degree distribution ``Omega``
(:mod:`codedml.kernels.soliton`) and then ``d`` distinct source symbols uniformly. The generator
is kept as CSR arrays ``(indptr, indices)``: row ``i`` lists the neighbours of coded symbol ``i``.

Payloads are rows of a 2-D array. Byte payloads (``GF(2)``) are rows of unsigned words
(``uint8`` or, for speed, a ``uint64`` view of the same bytes) combined by XOR
(:func:`encode_xor`); real payloads are ``float64`` rows combined by addition (:func:`encode_sum`).
Decoding is in :mod:`codedml.kernels.peeling` and :mod:`codedml.kernels.elimination`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from codedml.kernels.sparse import xor_of_rows


@njit(cache=True, nogil=True)
def lt_generator(k, n_coded, degree_probabilities, seed):
    """Sample an LT generator in CSR form, reproducibly from ``seed``.

    Randomness comes from numba's own generator, seeded here with
    ``np.random.seed(seed)``: the same ``(k, n_coded, degree_probabilities, seed)`` gives the
    same graph in every process (numba's stream differs from numpy's, and re-seeding
    also resets the stream other numba kernels see on this thread).

    Degrees are drawn by inverse transform from the cumulative distribution; the ``d``
    distinct neighbours by rejection against a per-row stamp array (``d <= k / 2``) or, for
    ``d > k / 2``, by drawing the ``k - d`` excluded symbols instead, so a row never costs
    more than ``O(k)`` even at ``d = k``. Each row's neighbours are sorted.

    Parameters
    ----------
    k : int
        Number of source symbols.
    n_coded : int
        ``Q``: number of coded symbols (rows).
    degree_probabilities : ndarray of float64, shape (D + 1,)
        ``Omega``: ``degree_probabilities[d]`` is the probability of degree ``d``
        (``D <= k``, entry 0 ignored, sums to one).
    seed : int
        Seed in ``[0, 2**32)``.

    Returns
    -------
    indptr : ndarray of int64, shape (Q + 1,)
    indices : ndarray of int64, shape (nnz,)
    """
    np.random.seed(seed)
    cumulative = np.cumsum(degree_probabilities)
    cumulative[0] = 0.0
    total = cumulative[-1]
    max_degree = degree_probabilities.shape[0] - 1
    degrees = np.empty(n_coded, dtype=np.int64)
    for row in range(n_coded):
        d = np.searchsorted(cumulative, np.random.random() * total, side="right")
        degrees[row] = min(max(d, 1), max_degree)
    indptr = np.zeros(n_coded + 1, dtype=np.int64)
    for row in range(n_coded):
        indptr[row + 1] = indptr[row] + degrees[row]
    indices = np.empty(indptr[n_coded], dtype=np.int64)
    stamp = np.full(k, -1, dtype=np.int64)
    for row in range(n_coded):
        start = indptr[row]
        d = degrees[row]
        if 2 * d <= k:
            filled = 0
            while filled < d:
                j = np.random.randint(0, k)
                if stamp[j] != row:
                    stamp[j] = row
                    indices[start + filled] = j
                    filled += 1
        else:
            excluded = 0
            while excluded < k - d:
                j = np.random.randint(0, k)
                if stamp[j] != row:
                    stamp[j] = row
                    excluded += 1
            filled = 0
            for j in range(k):
                if stamp[j] != row:
                    indices[start + filled] = j
                    filled += 1
        indices[start:start + d].sort()
    return indptr, indices


@njit(cache=True, nogil=True)
def encode_xor(indptr, indices, source_words):
    """Coded byte payloads over ``GF(2)``: row ``i`` = XOR of the source rows it lists.

    Parameters
    ----------
    indptr, indices : ndarray of int64
        CSR generator (``Q x k``).
    source_words : ndarray of unsigned int, shape (k, w)
        Source payloads as words (a ``uint64`` view of the bytes vectorises best).

    Returns
    -------
    ndarray, shape (Q, w), same dtype
    """
    n_rows = indptr.shape[0] - 1
    coded = np.zeros((n_rows, source_words.shape[1]), dtype=source_words.dtype)
    for row in range(n_rows):
        start = indptr[row]
        stop = indptr[row + 1]
        if stop > start:
            xor_of_rows(coded[row], source_words[indices[start]], source_words, indices[start + 1:stop])
    return coded


@njit(cache=True, nogil=True)
def encode_sum(indptr, indices, source_rows):
    """Coded real payloads: row ``i`` = sum of the source rows it lists.

    Parameters
    ----------
    indptr, indices : ndarray of int64
        CSR generator (``Q x k``).
    source_rows : ndarray of float64, shape (k, d)

    Returns
    -------
    ndarray of float64, shape (Q, d)
    """
    n_rows = indptr.shape[0] - 1
    width = source_rows.shape[1]
    coded = np.zeros((n_rows, width))
    for row in range(n_rows):
        target = coded[row]
        for ptr in range(indptr[row], indptr[row + 1]):
            source = source_rows[indices[ptr]]
            for t in range(width):
                target[t] += source[t]
    return coded
