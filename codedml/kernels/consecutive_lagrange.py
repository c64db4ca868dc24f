"""Lagrange interpolation between consecutive integer points by one convolution: LCC's fast path.

Lagrange coded computing (:class:`~codedml.codes.computation.lagrange.LagrangeCodedComputing`) puts its
``k`` data blocks at ``beta_j = j`` (``j = 1..k``) and its ``K`` workers at ``alpha_i = k + 1 + i``
(``i = 0..K-1``). At consecutive integers the Lagrange basis is a ratio of factorials times
``1 / (z - j)``:

    ``u(z) = P(z) sum_j w_j X_j / (z - j)``,  ``P(z) = prod_t (z - t)``,  ``w_j = (-1)^(k-j) / ((j-1)! (k-j)!)``,

and ``z - j`` runs over the integers ``1..k+K-1``: every ``u(alpha_i)`` is one entry of the convolution of
``w X`` with the sequence ``1/m``. Only the middle of the product is needed, so a cyclic transform of
length ``k + K`` rounded up to a power of two suffices (the wrapped part lands below index ``k``).
Decoding's coefficients ``c_i = sum_j l_i(beta_j)`` over a set of workers are the same kind of sum,
weighted by ``M(beta_j)`` with ``M`` the product over those workers; ``M`` and the barycentric weights
come from the complement set by one subproduct tree. Both are ``O((k + K) log^2 (k + K))`` with
``O(k + K)`` memory (von zur Gathen and Gerhard, *Modern Computer Algebra*, chapter 10, for the trees).

``p`` must be an NTT-friendly prime (``4 (k + K)`` rounded up to a power of two divides ``p - 1``)
with ``k + K < p``, and ``root`` a primitive root of ``p``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from codedml.kernels.gfp import gfp_batch_inverse, multiply_mod
from codedml.kernels.ntt import _transform_length, factorial_tables, multipoint_evaluate, ntt, poly_from_roots


@njit(cache=True, nogil=True)
def _transformed_reciprocals(count, size, inverse_factorials, factorials, p, root):
    """The transform (length ``size``) of ``b[m] = 1/m`` for ``m = 1..count-1``, ``b[0] = 0``."""
    p_inverse = 1.0 / p
    kernel = np.zeros(size, dtype=np.int64)
    for m in range(1, count):
        kernel[m] = multiply_mod(factorials[m - 1], inverse_factorials[m], p, p_inverse)
    ntt(kernel, False, p, root)
    return kernel


@njit(cache=True, nogil=True)
def _middle_product(work, kernel, p, root):
    """In place: ``work`` becomes its cyclic convolution with the sequence whose transform is ``kernel``."""
    p_inverse = 1.0 / p
    ntt(work, False, p, root)
    for t in range(work.shape[0]):
        work[t] = multiply_mod(work[t], kernel[t], p, p_inverse)
    ntt(work, True, p, root)


@njit(cache=True, nogil=True)
def consecutive_lagrange_encode(blocks, n_workers, p, root):
    """``u(k + 1 + i)`` for ``i = 0..K-1``, ``u`` of degree ``< k`` with ``u(j) = blocks[j - 1]`` (``j = 1..k``).

    Parameters
    ----------
    blocks : ndarray of int64, shape (k, d)
        Field elements in ``[0, p)``: column ``c`` holds the values of one polynomial at ``1..k``.
    n_workers : int
        ``K``.
    p, root : int
        The prime and a primitive root.

    Returns
    -------
    ndarray of int64, shape (K, d)
        Two transforms of length ``k + K`` (rounded up to a power of two) per column.
    """
    k, d = blocks.shape
    count = k + n_workers
    p_inverse = 1.0 / p
    factorials, inverse_factorials = factorial_tables(count, p)
    size = _transform_length(count)
    kernel = _transformed_reciprocals(count, size, inverse_factorials, factorials, p, root)
    weights = np.empty(k, dtype=np.int64)  # w_{j+1} = (-1)^(k-1-j) / (j! (k-1-j)!)
    for j in range(k):
        value = multiply_mod(inverse_factorials[j], inverse_factorials[k - 1 - j], p, p_inverse)
        weights[j] = (p - value) % p if (k - 1 - j) % 2 else value
    scales = np.empty(n_workers, dtype=np.int64)  # P(k + 1 + i) = (k + i)! / i!
    for i in range(n_workers):
        scales[i] = multiply_mod(factorials[k + i], inverse_factorials[i], p, p_inverse)
    out = np.empty((n_workers, d), dtype=np.int64)
    work = np.empty(size, dtype=np.int64)
    for c in range(d):
        work[:] = 0
        for j in range(k):
            work[j] = multiply_mod(blocks[j, c], weights[j], p, p_inverse)
        _middle_product(work, kernel, p, root)
        for i in range(n_workers):
            out[i, c] = multiply_mod(work[k + i], scales[i], p, p_inverse)
    return out


@njit(cache=True, nogil=True)
def consecutive_lagrange_sum_coefficients(used, missing, n_partitions, p, root):
    """``c`` with ``sum_{j=1..k} g(j) = sum_t c_t g(alpha_{used[t]})`` for every ``g`` of degree ``< len(used)``.

    ``c_t = sum_j l_t(j)``, ``l_t`` the Lagrange basis of the workers ``used``. With ``R(z)`` the
    product over the ``missing`` workers, ``M = prod_{used} (z - alpha) = F / R`` for the product
    ``F`` over all workers (a ratio of factorials at consecutive points), the barycentric weights are
    ``R(alpha_i) / F'(alpha_i)``, and ``c_i = w_i sum_j M(j) / (j - alpha_i)``: one subproduct tree
    over ``missing``, one multipoint evaluation, one convolution.

    Parameters
    ----------
    used, missing : ndarray of int64
        Worker indices in ``0..K-1``, disjoint, together every worker once (``K = len(used) + len(missing)``).
    n_partitions : int
        ``k``.
    p, root : int
        The prime and a primitive root.

    Returns
    -------
    ndarray of int64, shape (len(used),)
    """
    k = n_partitions
    n_used = used.shape[0]
    n_workers = n_used + missing.shape[0]
    count = k + n_workers
    p_inverse = 1.0 / p
    factorials, inverse_factorials = factorial_tables(count, p)
    remainder = poly_from_roots(missing + (k + 1), p, root)
    points = np.empty(n_used + k, dtype=np.int64)
    points[:n_used] = used + (k + 1)
    for j in range(k):
        points[n_used + j] = j + 1
    values = multipoint_evaluate(remainder, points, p, root)
    inverse_at_data = gfp_batch_inverse(values[n_used:], p)
    size = _transform_length(count)
    work = np.zeros(size, dtype=np.int64)
    for j in range(k):  # M(j + 1) = (-1)^K (k + K - 1 - j)! / (k - 1 - j)! / R(j + 1)
        value = multiply_mod(factorials[k + n_workers - 1 - j], inverse_factorials[k - 1 - j], p, p_inverse)
        value = multiply_mod(value, inverse_at_data[j], p, p_inverse)
        work[j] = (p - value) % p if n_workers % 2 else value
    kernel = _transformed_reciprocals(count, size, inverse_factorials, factorials, p, root)
    _middle_product(work, kernel, p, root)  # work[k + i] = sum_j M(j) / (alpha_i - j)
    coefficients = np.empty(n_used, dtype=np.int64)
    for t in range(n_used):
        i = used[t]
        weight = multiply_mod(inverse_factorials[i], inverse_factorials[n_workers - 1 - i], p, p_inverse)
        weight = multiply_mod(weight, values[t], p, p_inverse)
        if (n_workers - i) % 2:  # (-1)^(K-1-i) from F', and -1 from 1 / (j - alpha_i)
            weight = (p - weight) % p
        coefficients[t] = multiply_mod(weight, work[k + i], p, p_inverse)
    return coefficients
