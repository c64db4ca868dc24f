"""Blocked elimination over ``GF(p)``, ``p < 2^31``: dense solve and inverse at BLAS speed.

Right-looking blocked LU of the augmented matrix ``[A | B]`` with row pivoting (first nonzero),
then blocked back substitution. Each step factors a tile of ``block`` columns (scalar elimination
of ``inner`` columns at a time in numba, :func:`_factor_columns`, between split-BLAS updates), and
updates the trailing matrix with one product ``L21 @ U12`` of inner dimension ``block``. Products
run in float64 BLAS (``np.dot``), exactly: every operand entry ``a < 2^31`` is split into 16-bit
halves ``a = a_h 2^16 + a_l`` and

``L U = L_h U_h 2^32 + ((L_h + L_l)(U_h + U_l) - L_h U_h - L_l U_l) 2^16 + L_l U_l``

(Karatsuba: three products). Entries of the half products stay below ``k 2^34`` for inner
dimension ``k``; with the partial sums of :func:`_subtract_combined` they stay exact in float64 for
``k <= 2^18`` (every product here has ``k <= n``); the reduction mod ``p`` is delayed until the
product is done. The field work left in scalar code is ``O(n^2 inner)`` of the ``O(n^3)``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from codedml.kernels.elimination import first_nonzero_row, swap_rows
from codedml.kernels.gfp import gfp_inverse, multiply_mod

#: Columns a tile factors before the trailing update (its BLAS inner dimension).
BLOCK = 256
#: Columns factored by scalar elimination inside a tile, between its own split-BLAS updates.
INNER = 32


@njit(cache=True, nogil=True, inline="always")
def _reduce_float(value, p_float, p_inverse):
    """``value mod p`` of a float64 holding an integer in ``[0, 2^53)``, as a float64."""
    remainder = value - np.floor(value * p_inverse) * p_float
    remainder = remainder + p_float if remainder < 0.0 else remainder
    return remainder - p_float if remainder >= p_float else remainder


@njit(cache=True, nogil=True)
def _subtract_multiple(row, pivot, factor, p, p_inverse):
    """``row <- (row - factor pivot) mod p`` for 1-D arrays of equal length (the loop vectorises)."""
    for c in range(row.shape[0]):
        value = row[c] - multiply_mod(factor, pivot[c], p, p_inverse)
        row[c] = value + p if value < 0 else value


@njit(cache=True, nogil=True)
def _split(block):
    """The halves ``(high, low, high + low)`` of an int64 block with entries in ``[0, 2^31)``, as float64."""
    n_rows, n_cols = block.shape
    high = np.empty((n_rows, n_cols))
    low = np.empty((n_rows, n_cols))
    both = np.empty((n_rows, n_cols))
    for i in range(n_rows):
        for j in range(n_cols):
            value = block[i, j]
            h = float(value >> 16)
            lo = float(value & 0xFFFF)
            high[i, j] = h
            low[i, j] = lo
            both[i, j] = h + lo
    return high, low, both


@njit(cache=True, nogil=True)
def _subtract_combined(row, high, low, both, p):
    """``row <- (row - (high 2^32 + (both - high - low) 2^16 + low)) mod p``, Horner in base ``2^16`` in float64.

    ``high, both < k 2^34`` for inner dimension ``k <= 2^18``: every partial sum stays below ``2^53``.
    """
    p_float = float(p)
    p_inverse = 1.0 / p
    for j in range(row.shape[0]):
        h = high[j]
        lo = low[j]
        value = _reduce_float(h, p_float, p_inverse)
        value = _reduce_float(value * 65536.0 + (both[j] - h - lo), p_float, p_inverse)
        value = _reduce_float(value * 65536.0 + lo, p_float, p_inverse)
        result = row[j] - np.int64(value)
        row[j] = result + p if result < 0 else result


@njit(cache=True, nogil=True)
def _subtract_product(work, row_start, col_start, left, right, p):
    """Subtract ``left @ right`` mod ``p`` from the block of ``work`` at ``(row_start, col_start)``, in place."""
    n_rows = left.shape[0]
    n_cols = right.shape[1]
    if n_rows == 0 or n_cols == 0 or left.shape[1] == 0:
        return
    left_high, left_low, left_both = _split(left)
    right_high, right_low, right_both = _split(right)
    high = np.dot(left_high, right_high)
    low = np.dot(left_low, right_low)
    both = np.dot(left_both, right_both)
    for i in range(n_rows):
        _subtract_combined(work[row_start + i, col_start:col_start + n_cols], high[i], low[i], both[i], p)


@njit(cache=True, nogil=True)
def _factor_columns(work, start, stop, p):
    """LU of columns ``start .. stop - 1`` (rows ``start ..``) within those columns; ``False`` if one has no pivot.

    The pivot of column ``k`` is its first nonzero entry from row ``k`` down; rows are swapped
    whole, so the multipliers already stored to the left follow their rows. Multipliers are
    stored in place of the eliminated entries.
    """
    n = work.shape[0]
    p_inverse = 1.0 / p
    for k in range(start, stop):
        pivot = first_nonzero_row(work, k, k)
        if pivot < 0:
            return False
        if pivot != k:
            swap_rows(work, k, pivot, 0)
        scale = gfp_inverse(work[k, k], p)
        for r in range(k + 1, n):
            if work[r, k] != 0:
                factor = multiply_mod(work[r, k], scale, p, p_inverse)
                work[r, k] = factor
                _subtract_multiple(work[r, k + 1:stop], work[k, k + 1:stop], factor, p, p_inverse)
    return True


@njit(cache=True, nogil=True)
def _unit_lower_solve(work, start, stop, col_start, col_end, inner, p):
    """Apply ``L^{-1}``, ``L`` the unit lower triangle of ``work[start:stop, start:stop]``, to rows ``start:stop``.

    Acts on columns ``col_start:col_end`` in place, ``inner`` rows at a time: scalar elimination
    inside each row block, one split-BLAS product for the rows below it.
    """
    p_inverse = 1.0 / p
    for block_start in range(start, stop, inner):
        block_stop = min(block_start + inner, stop)
        for k in range(block_start, block_stop):
            for r in range(k + 1, block_stop):
                if work[r, k] != 0:
                    _subtract_multiple(work[r, col_start:col_end], work[k, col_start:col_end], work[r, k], p,
                                       p_inverse)
        _subtract_product(work, block_stop, col_start, work[block_stop:stop, block_start:block_stop],
                          work[block_start:block_stop, col_start:col_end], p)


@njit(cache=True, nogil=True)
def _factor_tile(work, start, stop, inner, p):
    """LU of columns ``start:stop`` (all rows from ``start``) within those columns, ``inner`` columns at a time."""
    for block_start in range(start, stop, inner):
        block_stop = min(block_start + inner, stop)
        if not _factor_columns(work, block_start, block_stop, p):
            return False
        _unit_lower_solve(work, block_start, block_stop, block_stop, stop, inner, p)
        _subtract_product(work, block_stop, block_stop, work[block_stop:, block_start:block_stop],
                          work[block_start:block_stop, block_stop:stop], p)
    return True


@njit(cache=True, nogil=True)
def _back_substitute(work, n, inner, p):
    """Solve ``U X = Y`` in place of ``Y = work[:, n:]``, ``U`` the upper triangle of ``work[:, :n]``."""
    p_inverse = 1.0 / p
    width = work.shape[1]
    last_start = ((n - 1) // inner) * inner
    for start in range(last_start, -1, -inner):
        stop = min(start + inner, n)
        _subtract_product(work, start, n, work[start:stop, stop:n], work[stop:n, n:], p)
        for k in range(stop - 1, start - 1, -1):
            scale = gfp_inverse(work[k, k], p)
            solved = work[k, n:width]
            for c in range(solved.shape[0]):
                solved[c] = multiply_mod(scale, solved[c], p, p_inverse)
            for r in range(start, k):
                if work[r, k] != 0:
                    _subtract_multiple(work[r, n:width], solved, work[r, k], p, p_inverse)


@njit(cache=True, nogil=True)
def _solve_augmented(work, n, block, inner, p):
    """Blocked elimination of the augmented ``n x (n + r)`` matrix ``work``; the solution ends in ``work[:, n:]``.

    Right-looking: LU of a tile of ``block`` columns (itself blocked by ``inner``), ``U12 = L11^{-1} A12``
    for the tile's rows, then the trailing update ``A22 -= L21 U12``.
    """
    width = work.shape[1]
    for start in range(0, n, block):
        stop = min(start + block, n)
        if not _factor_tile(work, start, stop, inner, p):
            return False
        _unit_lower_solve(work, start, stop, stop, width, inner, p)
        _subtract_product(work, stop, stop, work[stop:, start:stop], work[start:stop, stop:], p)
    _back_substitute(work, n, inner, p)
    return True


@njit(cache=True, nogil=True)
def _solve_with_blocks(matrix, rhs, p, block, inner):
    """:func:`gfp_solve_blocked` with the tile width ``block`` and the scalar width ``inner`` given (both >= 1)."""
    n = matrix.shape[0]
    n_rhs = rhs.shape[1]
    work = np.empty((n, n + n_rhs), dtype=np.int64)
    work[:, :n] = matrix
    work[:, n:] = rhs
    nonsingular = _solve_augmented(work, n, block, inner, p)
    return np.ascontiguousarray(work[:, n:]), nonsingular


@njit(cache=True, nogil=True)
def gfp_solve_blocked(matrix, rhs, p):
    """Solve ``matrix @ x = rhs`` over ``GF(p)`` by blocked elimination (float64 BLAS trailing updates).

    Same contract as :func:`codedml.kernels.gfp.gfp_solve`, and the same result (the solution
    of a nonsingular system is unique).

    Parameters
    ----------
    matrix : ndarray of int64, shape (n, n)
        Entries in ``[0, p)``, ``n <= 2^18``.
    rhs : ndarray of int64, shape (n, r)
        Entries in ``[0, p)``; a vector must be passed as ``rhs[:, None]``.
    p : int
        The prime, ``p < 2^31``.

    Returns
    -------
    solution : ndarray of int64, shape (n, r)
        Meaningless when ``nonsingular`` is false.
    nonsingular : bool
    """
    return _solve_with_blocks(matrix, rhs, p, BLOCK, INNER)


@njit(cache=True, nogil=True)
def gfp_inverse_blocked(matrix, p):
    """Inverse of a square matrix over ``GF(p)`` by blocked elimination; returns ``(inverse, nonsingular)``."""
    n = matrix.shape[0]
    identity = np.zeros((n, n), dtype=np.int64)
    for i in range(n):
        identity[i, i] = 1
    return _solve_with_blocks(matrix, identity, p, BLOCK, INNER)
