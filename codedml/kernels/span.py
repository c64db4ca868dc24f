"""Incremental span tests: add coded rows one message at a time, stop when the target is reached.

The state is a reduced row echelon basis of the received coefficient rows (partial
pivoting by magnitude). Two targets:

- ``TARGET_SUM`` (gradient coding): the all-ones vector lies in the span;
- ``TARGET_PRODUCT`` (coded matrix-vector products): at least ``required`` unit vectors
  ``e_j`` lie in the span, i.e. that many partitions are recovered individually. In a
  reduced basis, ``e_j`` is in the span iff one basis row equals ``e_j``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

TARGET_SUM = 0
TARGET_PRODUCT = 1


@njit(cache=True, nogil=True)
def _insert_row(basis, pivots, rank, row, tolerance):
    """Reduce ``row`` against the basis; if independent, add it and keep the basis reduced."""
    width = row.shape[0]
    for r in range(rank):
        factor = row[pivots[r]]
        if factor != 0.0:
            for c in range(width):
                row[c] -= factor * basis[r, c]
    pivot = -1
    best = tolerance
    for c in range(width):
        if abs(row[c]) > best:
            best = abs(row[c])
            pivot = c
    if pivot < 0:
        return rank
    scale = row[pivot]
    for c in range(width):
        row[c] /= scale
        if abs(row[c]) <= tolerance:
            row[c] = 0.0
    row[pivot] = 1.0
    for r in range(rank):
        factor = basis[r, pivot]
        if factor != 0.0:
            for c in range(width):
                basis[r, c] -= factor * row[c]
                if abs(basis[r, c]) <= tolerance:
                    basis[r, c] = 0.0
            basis[r, pivot] = 0.0
    basis[rank, :] = row
    pivots[rank] = pivot
    return rank + 1


@njit(cache=True, nogil=True)
def _target_reached(basis, pivots, rank, target, required):
    width = basis.shape[1]
    if target == TARGET_PRODUCT:
        recovered = 0
        for r in range(rank):
            unit = True
            for c in range(width):
                if c != pivots[r] and basis[r, c] != 0.0:
                    unit = False
                    break
            if unit:
                recovered += 1
        return recovered >= required
    # TARGET_SUM: 1 is in the span iff sum_r basis[r] equals 1 (coefficient of row r is 1[pivot_r] = 1)
    for c in range(width):
        total = 0.0
        for r in range(rank):
            total += basis[r, c]
        if abs(total - 1.0) > 1e-7:
            return False
    return True


@njit(cache=True, nogil=True)
def first_decodable_prefix(rows, row_offsets, arrival_order, target, required, tolerance):
    """For each iteration, how many arrived messages make the target decodable.

    Parameters
    ----------
    rows : ndarray, shape (n_rows, n_partitions)
        Coefficient rows of every message, grouped by message.
    row_offsets : ndarray of int64, shape (n_messages + 1,)
        Message ``m`` carries ``rows[row_offsets[m]:row_offsets[m + 1]]``.
    arrival_order : ndarray of int64, shape (n_iterations, n_messages)
        Message ids in arrival order per iteration; ``-1`` ends the list (never arrives).
    target : int
        ``TARGET_SUM`` or ``TARGET_PRODUCT``.
    required : int
        Partitions to recover for ``TARGET_PRODUCT`` (``M'``; ``M`` for the full product).
    tolerance : float
        Entries below it count as zero.

    Returns
    -------
    ndarray of int64, shape (n_iterations,)
        Length of the shortest decodable prefix, or 0 if the whole arrival list is not.
    """
    n_iterations, n_messages = arrival_order.shape
    width = rows.shape[1]
    out = np.zeros(n_iterations, dtype=np.int64)
    basis = np.zeros((width, width))
    pivots = np.zeros(width, dtype=np.int64)
    row = np.empty(width)
    for it in range(n_iterations):
        rank = 0
        for t in range(n_messages):
            message = arrival_order[it, t]
            if message < 0:
                break
            for k in range(row_offsets[message], row_offsets[message + 1]):
                if rank < width:
                    row[:] = rows[k]
                    rank = _insert_row(basis, pivots, rank, row, tolerance)
            if _target_reached(basis, pivots, rank, target, required):
                out[it] = t + 1
                break
    return out
