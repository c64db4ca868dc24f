"""Blocked elimination over ``GF(p)``, ``p < 2^31``: dense solve and inverse at BLAS speed.

Right-looking blocked LU of the augmented matrix ``[A | B]`` with row pivoting (first nonzero),
then blocked back substitution. Each step factors a tile of ``block`` columns (scalar elimination
of ``inner`` columns at a time in numba, :func:`_factor_columns`, between split-BLAS updates), and
updates the trailing matrix with one product ``L21 @ U12`` of inner dimension ``block``.

Products run in float64 BLAS (``np.dot``), exactly, with the reduction mod ``p`` delayed until a
product is done: entries are taken in the symmetric range ``|a| <= (p - 1) / 2 < 2^30``, the right
operand split as ``u = u_h 2^16 + u_l`` with ``|u_l| <= 2^15``, ``|u_h| <= 2^14 + 1``, and

``L U = (L U_h) 2^16 + L U_l``

takes two products whose every partial sum stays below ``k (p - 1) / 2 2^15 < 2^53`` for an inner
dimension ``k <= 256`` (:data:`CHUNK`; longer products go by chunks, reduced in between). The field
work left in scalar code is ``O(n^2 inner)`` of the ``O(n^3)``.
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
#: Inner dimension of one exact float64 product: ``CHUNK (p - 1) / 2 2^15 < 2^53``.
CHUNK = 256


@njit(cache=True, nogil=True, inline="always")
def _reduce_exact(value, p, p_inverse):
    """``value mod p`` in ``[0, p)`` (int64) of a float64 holding an integer, ``|value| < 2^53``."""
    remainder = np.int64(value) - np.int64(np.floor(value * p_inverse)) * p  # quotient within one
    remainder = remainder + p if remainder < 0 else remainder
    return remainder - p if remainder >= p else remainder


@njit(cache=True, nogil=True)
def _subtract_multiple(row, pivot, factor, p, p_inverse):
    """``row <- (row - factor pivot) mod p`` for 1-D arrays of equal length (the loop vectorises)."""
    for c in range(row.shape[0]):
        value = row[c] - multiply_mod(factor, pivot[c], p, p_inverse)
        row[c] = value + p if value < 0 else value


@njit(cache=True, nogil=True)
def _balanced(block, p):
    """``block`` (int64, entries in ``[0, p)``) as float64 in the symmetric range ``[-(p - 1) / 2, (p - 1) / 2]``."""
    n_rows, n_cols = block.shape
    half = p // 2
    out = np.empty((n_rows, n_cols))
    for i in range(n_rows):
        for j in range(n_cols):
            value = block[i, j]
            out[i, j] = float(value - p if value > half else value)
    return out


@njit(cache=True, nogil=True)
def _balanced_halves(block, p):
    """``(high, low)`` float64 with ``high 2^16 + low`` the symmetric representative of ``block``, ``|low| <= 2^15``."""
    n_rows, n_cols = block.shape
    half = p // 2
    high = np.empty((n_rows, n_cols))
    low = np.empty((n_rows, n_cols))
    for i in range(n_rows):
        for j in range(n_cols):
            value = block[i, j]
            if value > half:
                value -= p
            low_part = ((value + 0x8000) & 0xFFFF) - 0x8000
            high[i, j] = float((value - low_part) >> 16)
            low[i, j] = float(low_part)
    return high, low


@njit(cache=True, nogil=True)
def _subtract_combined(row, high, low, p):
    """``row <- (row - (high 2^16 + low)) mod p`` for float64 integers ``|high|, |low| < 2^53``."""
    p_inverse = 1.0 / p
    for j in range(row.shape[0]):
        value = (_reduce_exact(high[j], p, p_inverse) << 16) + _reduce_exact(low[j], p, p_inverse)
        value -= np.int64(float(value) * p_inverse) * p  # value < 2^48: the quotient is within one
        value = value + p if value < 0 else value
        value = value - p if value >= p else value
        result = row[j] - value
        row[j] = result + p if result < 0 else result


@njit(cache=True, nogil=True)
def _subtract_product(work, row_start, col_start, left, right, p):
    """Subtract ``left @ right`` mod ``p`` from the block of ``work`` at ``(row_start, col_start)``, in place.

    Two float64 BLAS products per :data:`CHUNK` of the inner dimension, each exact (see the
    module notes), reduced before the next chunk.
    """
    n_rows = left.shape[0]
    inner = left.shape[1]
    n_cols = right.shape[1]
    if n_rows == 0 or n_cols == 0:
        return
    for chunk_start in range(0, inner, CHUNK):
        chunk_stop = min(chunk_start + CHUNK, inner)
        left_values = _balanced(left[:, chunk_start:chunk_stop], p)
        right_high, right_low = _balanced_halves(right[chunk_start:chunk_stop], p)
        high = np.dot(left_values, right_high)
        low = np.dot(left_values, right_low)
        for i in range(n_rows):
            _subtract_combined(work[row_start + i, col_start:col_start + n_cols], high[i], low[i], p)


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
        Entries in ``[0, p)``.
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
