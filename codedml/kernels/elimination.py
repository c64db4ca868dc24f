"""Gaussian elimination: row operations shared by every field, and the finish of LT peeling.

:func:`first_nonzero_row` and :func:`swap_rows` serve the eliminations of
:mod:`codedml.kernels.gf2m` and :mod:`codedml.kernels.gfp`. :func:`residual_system`,
:func:`gf2_solve_residual` and :func:`real_solve_residual` solve by Gauss-Jordan elimination
what peeling (:mod:`codedml.kernels.peeling`, whose decoder state they read) leaves: the
unrecovered sources against the received symbols that still have unrecovered neighbours.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def first_nonzero_row(matrix, column, start):
    """Index of the first row ``>= start`` whose entry in ``column`` is nonzero, or -1."""
    for r in range(start, matrix.shape[0]):
        if matrix[r, column] != 0:
            return r
    return -1


@njit(cache=True, nogil=True)
def swap_rows(matrix, first, second, start):
    """Exchange rows ``first`` and ``second`` of ``matrix`` from column ``start`` on, in place."""
    for c in range(start, matrix.shape[1]):
        value = matrix[first, c]
        matrix[first, c] = matrix[second, c]
        matrix[second, c] = value


@njit(cache=True, nogil=True)
def residual_system(indptr, peel_state, recovered):
    """The part peeling leaves: unknown sources and the received symbols that still involve them.

    Returns
    -------
    unknowns : ndarray of int64
        Unrecovered source ids (the columns of the residual system).
    column_of : ndarray of int64, shape (k,)
        ``column_of[j]``: column of source ``j`` in the residual system (``-1`` if known).
    equations : ndarray of int64
        Received coded symbols with at least one unknown neighbour (its rows).
    """
    k = recovered.shape[0]
    column_of = np.full(k, -1, dtype=np.int64)
    n_unknown = 0
    for j in range(k):
        if not recovered[j]:
            column_of[j] = n_unknown
            n_unknown += 1
    unknowns = np.empty(n_unknown, dtype=np.int64)
    for j in range(k):
        if column_of[j] >= 0:
            unknowns[column_of[j]] = j
    n_equations = 0
    for row in range(indptr.shape[0] - 1):
        if peel_state[row] > 0:
            n_equations += 1
    equations = np.empty(n_equations, dtype=np.int64)
    n_equations = 0
    for row in range(indptr.shape[0] - 1):
        if peel_state[row] > 0:
            equations[n_equations] = row
            n_equations += 1
    return unknowns, column_of, equations


@njit(cache=True, nogil=True)
def gf2_solve_residual(indptr, indices, slot, coded_words, peel_state, recovered, source_words):
    """Solve the residual ``GF(2)`` system by Gauss-Jordan elimination on bit-packed rows.

    Each equation (a received symbol with unknown neighbours) becomes a row of packed bits
    over the ``m`` unknowns plus a right-hand payload ``c_i XOR (known neighbours)``. After
    full reduction, an unknown is determined exactly when its pivot row has no bit in a
    free (pivotless) column; those are written to ``source_words`` and marked recovered.
    Cost ``O(m * E * (m / 64 + w))`` for ``E`` equations: meant for the tail that peeling
    leaves, not for a whole undecoded block.

    Parameters
    ----------
    indptr, indices, slot, peel_state, recovered : ndarray
        CSR generator and decoder state (``recovered`` is updated in place).
    coded_words : ndarray of unsigned int, shape (m_received, w)
    source_words : ndarray, shape (k, w), same dtype; written in place.

    Returns
    -------
    ndarray of int64
        The sources this call determined (pass them to
        :func:`~codedml.kernels.peeling.peel_arrivals` as
        ``solved_sources`` to keep the peeling state consistent).
    """
    unknowns, column_of, equations = residual_system(indptr, peel_state, recovered)
    n_unknown = unknowns.shape[0]
    n_equations = equations.shape[0]
    width = source_words.shape[1]
    n_bit_words = (n_unknown + 63) // 64
    bits = np.zeros((n_equations, max(n_bit_words, 1)), dtype=np.uint64)
    rhs = np.empty((n_equations, width), dtype=source_words.dtype)
    for e in range(n_equations):
        row = equations[e]
        target = rhs[e]
        coded = coded_words[slot[row]]
        for u in range(width):
            target[u] = coded[u]
        for ptr in range(indptr[row], indptr[row + 1]):
            source = indices[ptr]
            col = column_of[source]
            if col >= 0:
                bits[e, col >> 6] |= np.uint64(1) << np.uint64(col & 63)
            else:
                known = source_words[source]
                for u in range(width):
                    target[u] ^= known[u]
    pivot_row_of = np.full(n_unknown, -1, dtype=np.int64)
    rank = 0
    for col in range(n_unknown):
        word = col >> 6
        mask = np.uint64(1) << np.uint64(col & 63)
        pivot = -1
        for e in range(rank, n_equations):
            if bits[e, word] & mask:
                pivot = e
                break
        if pivot < 0:
            continue
        if pivot != rank:
            swap_rows(bits, pivot, rank, 0)
            swap_rows(rhs, pivot, rank, 0)
        pivot_bits = bits[rank]
        pivot_rhs = rhs[rank]
        for e in range(n_equations):
            if e != rank and bits[e, word] & mask:
                row_bits = bits[e]
                for u in range(word, n_bit_words):
                    row_bits[u] ^= pivot_bits[u]
                row_rhs = rhs[e]
                for u in range(width):
                    row_rhs[u] ^= pivot_rhs[u]
        pivot_row_of[col] = rank
        rank += 1
    free_mask = np.zeros(max(n_bit_words, 1), dtype=np.uint64)
    for col in range(n_unknown):
        if pivot_row_of[col] < 0:
            free_mask[col >> 6] |= np.uint64(1) << np.uint64(col & 63)
    solved = np.empty(n_unknown, dtype=np.int64)
    n_solved = 0
    for col in range(n_unknown):
        e = pivot_row_of[col]
        if e < 0:
            continue
        determined = True
        for u in range(n_bit_words):
            if bits[e, u] & free_mask[u]:
                determined = False
                break
        if determined:
            source = unknowns[col]
            source_words[source] = rhs[e]
            recovered[source] = True
            solved[n_solved] = source
            n_solved += 1
    return solved[:n_solved]



@njit(cache=True, nogil=True)
def real_solve_residual(indptr, indices, slot, coded_rows, peel_state, recovered, source_rows, tolerance):
    """Solve the residual real system by Gauss-Jordan elimination with partial pivoting.

    As :func:`gf2_solve_residual`, over the reals: the residual coefficients are 0/1, right-hand
    sides ``c_i - (known neighbours)``. A column whose largest remaining entry is at most
    ``tolerance`` is free; an unknown is determined when its pivot row has no entry above
    ``tolerance`` in a free column. Over the reals more patterns are full rank than over
    ``GF(2)`` (e.g. three symbols ``x1+x2, x2+x3, x1+x3``).

    Parameters
    ----------
    tolerance : float
        Pivot threshold (entries start at 0 or 1).

    Returns
    -------
    ndarray of int64
        The sources this call determined.
    """
    unknowns, column_of, equations = residual_system(indptr, peel_state, recovered)
    n_unknown = unknowns.shape[0]
    n_equations = equations.shape[0]
    width = source_rows.shape[1]
    matrix = np.zeros((n_equations, n_unknown))
    rhs = np.empty((n_equations, width))
    for e in range(n_equations):
        row = equations[e]
        target = rhs[e]
        coded = coded_rows[slot[row]]
        for u in range(width):
            target[u] = coded[u]
        for ptr in range(indptr[row], indptr[row + 1]):
            source = indices[ptr]
            col = column_of[source]
            if col >= 0:
                matrix[e, col] = 1.0
            else:
                known = source_rows[source]
                for u in range(width):
                    target[u] -= known[u]
    pivot_row_of = np.full(n_unknown, -1, dtype=np.int64)
    rank = 0
    for col in range(n_unknown):
        pivot = -1
        best = tolerance
        for e in range(rank, n_equations):
            value = abs(matrix[e, col])
            if value > best:
                best = value
                pivot = e
        if pivot < 0:
            continue
        if pivot != rank:
            swap_rows(matrix, pivot, rank, 0)
            swap_rows(rhs, pivot, rank, 0)
        scale = 1.0 / matrix[rank, col]
        for u in range(n_unknown):
            matrix[rank, u] *= scale
        for u in range(width):
            rhs[rank, u] *= scale
        pivot_coefficients = matrix[rank]
        pivot_rhs = rhs[rank]
        for e in range(n_equations):
            factor = matrix[e, col]
            if e != rank and factor != 0.0:
                row_coefficients = matrix[e]
                for u in range(n_unknown):
                    row_coefficients[u] -= factor * pivot_coefficients[u]
                row_coefficients[col] = 0.0
                row_rhs = rhs[e]
                for u in range(width):
                    row_rhs[u] -= factor * pivot_rhs[u]
        pivot_row_of[col] = rank
        rank += 1
    solved = np.empty(n_unknown, dtype=np.int64)
    n_solved = 0
    for col in range(n_unknown):
        e = pivot_row_of[col]
        if e < 0:
            continue
        determined = True
        for other in range(n_unknown):
            if pivot_row_of[other] < 0 and abs(matrix[e, other]) > tolerance:
                determined = False
                break
        if determined:
            source = unknowns[col]
            source_rows[source] = rhs[e]
            recovered[source] = True
            solved[n_solved] = source
            n_solved += 1
    return solved[:n_solved]
