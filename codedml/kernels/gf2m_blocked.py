"""Blocked Gaussian elimination over ``GF(2^m)`` whose bulk work is region multiply-adds.

:func:`~codedml.kernels.gf2m.gf2m_solve` updates the whole trailing matrix after every pivot with one
table look-up per entry, streaming ``n^2`` symbols through memory ``n`` times. Here the columns are
taken in panels of :data:`PANEL` pivots (the idea of :mod:`codedml.kernels.gfp_blocked`): the panel
is factorised by table look-ups (``L`` below its diagonal, ``U`` on and above, first nonzero row as
pivot), the pivot rows are completed by ``L11^{-1}``, and the trailing matrix receives all ``PANEL``
updates at once, ``A22 += L21 U12``, through
:func:`~codedml.kernels.gf2m.gf2m_matrix_times_buffers_add` (bit-sliced words for ``GF(2^16)``,
split-nibble shuffles for ``GF(2^8)``; each target block stays in cache while the pivot rows are added
into it). Back substitution is blocked the same way. Characteristic 2: subtraction is addition.
Exact; ``O(n^3)`` symbol operations, most of them in the region kernel.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from codedml.kernels.gf2m import gf2m_matrix_times_buffers_add, gf2m_region_multiply_add

#: Pivots per panel (a multiple of the 8 symbols of a packed word, so panels start on word boundaries).
PANEL = 64


@njit(cache=True, nogil=True)
def _factor_panel(work, width, exp, log):
    """LU of ``work[:, :width]`` in place with first-nonzero pivoting, swapping whole rows; ``False`` if singular."""
    rows, columns = work.shape
    order_minus_one = log.shape[0] - 1
    for j in range(width):
        pivot = -1
        for r in range(j, rows):
            if work[r, j] != 0:
                pivot = r
                break
        if pivot < 0:
            return False
        if pivot != j:
            for c in range(columns):
                work[j, c], work[pivot, c] = work[pivot, c], work[j, c]
        log_inverse = order_minus_one - log[work[j, j]]
        for r in range(j + 1, rows):
            if work[r, j] != 0:
                multiplier = exp[log_inverse + log[work[r, j]]]
                work[r, j] = multiplier
                log_multiplier = log[multiplier]
                for c in range(j + 1, width):
                    work[r, c] ^= exp[log_multiplier + log[work[j, c]]]
    return True


@njit(cache=True, nogil=True)
def _eliminate_blocked(matrix, rhs, exp, log, degree, reduction):
    """``(solution, nonsingular)`` of ``matrix @ x = rhs``: blocked forward elimination, blocked back substitution."""
    n = matrix.shape[0]
    n_rhs = rhs.shape[1]
    upper = np.zeros((n, n + n_rhs), dtype=matrix.dtype)  # U and the eliminated right-hand sides
    work = np.empty((n, n + n_rhs), dtype=matrix.dtype)
    work[:, :n] = matrix
    work[:, n:] = rhs
    for start in range(0, n, PANEL):
        width = min(PANEL, n - start)
        if not _factor_panel(work, width, exp, log):
            return np.zeros((n, n_rhs), dtype=matrix.dtype), False
        for j in range(width):  # pivot rows: U12 = L11^{-1} A12
            for i in range(j + 1, width):
                if work[i, j] != 0:
                    gf2m_region_multiply_add(work[i, j], work[j, width:], work[i, width:], degree, reduction)
        upper[start: start + width, start:] = work[:width]
        for i in range(width):
            for j in range(i):
                upper[start + i, start + j] = 0
        if start + width < n:
            multipliers = np.ascontiguousarray(work[width:, :width])
            pivot_rows = np.ascontiguousarray(work[:width, width:])
            work = np.ascontiguousarray(work[width:, width:])
            gf2m_matrix_times_buffers_add(multipliers, pivot_rows, work, degree, reduction)
    solution = np.ascontiguousarray(upper[:, n:])
    scaled = np.empty(n_rhs, dtype=matrix.dtype)
    order_minus_one = log.shape[0] - 1
    last = ((n - 1) // PANEL) * PANEL if n else 0
    for start in range(last, -1, -PANEL):
        stop = min(start + PANEL, n)
        if stop < n:
            gf2m_matrix_times_buffers_add(np.ascontiguousarray(upper[start:stop, stop:n]), solution[stop:],
                                          solution[start:stop], degree, reduction)
        for row in range(stop - 1, start - 1, -1):
            for j in range(row + 1, stop):
                if upper[row, j] != 0:
                    gf2m_region_multiply_add(upper[row, j], solution[j], solution[row], degree, reduction)
            scaled[:] = 0
            inverse = exp[order_minus_one - log[upper[row, row]]]
            gf2m_region_multiply_add(inverse, solution[row], scaled, degree, reduction)
            solution[row] = scaled
    return solution, True


@njit(cache=True, nogil=True)
def gf2m_solve_blocked(matrix, rhs, exp, log, degree, reduction):
    """Solve ``matrix @ x = rhs`` over ``GF(2^m)`` by blocked elimination (same answer as :func:`gf2m_solve`).

    Parameters
    ----------
    matrix : ndarray of uint8 or uint16, shape (n, n)
    rhs : ndarray of the same dtype, shape (n, r)
    exp, log : ndarray
        The field's tables.
    degree, reduction : int
        ``m`` and the irreducible polynomial without ``x^m`` (``field.reduction``).

    Returns
    -------
    solution : ndarray, shape (n, r)
        Zeros when ``nonsingular`` is false.
    nonsingular : bool
    """
    return _eliminate_blocked(matrix, rhs, exp, log, degree, reduction)


@njit(cache=True, nogil=True)
def gf2m_inverse_blocked(matrix, exp, log, degree, reduction):
    """Inverse of a square matrix over ``GF(2^m)`` by blocked elimination; returns ``(inverse, nonsingular)``."""
    n = matrix.shape[0]
    identity = np.zeros((n, n), dtype=matrix.dtype)
    for i in range(n):
        identity[i, i] = 1
    return _eliminate_blocked(matrix, identity, exp, log, degree, reduction)
