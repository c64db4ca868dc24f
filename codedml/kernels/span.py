"""Incremental span tests: add coded rows one message at a time, stop when the target is reached.

The state is a reduced row echelon basis of the received coefficient rows (partial
pivoting by magnitude). In a reduced basis, ``e_j`` is in the span iff one basis row equals
``e_j``: partition ``j`` is then recovered individually. Two targets:

- ``TARGET_PRODUCT`` (coded matrix-vector products): at least ``required`` partitions are
  recovered individually;
- ``TARGET_SUM`` (gradient coding): the all-ones vector lies in the span (the full sum), or,
  for ``required`` below the number of partitions, at least ``required`` partitions are
  recovered individually (a partial sum; combinations that determine a partial sum without
  determining its terms are not searched for, so this rule is a lower bound there).

Callers validate arrival orders first (``codedml._validation.id_rows`` and
:func:`first_repeated_id_row`); the kernels still refuse an id outside ``[-1, n_messages)``
with ``ValueError`` rather than read out of bounds. Threshold codes (:func:`first_threshold_prefix`)
count distinct contents per group instead; CPGC's pair structure has its own kernel
(:mod:`codedml.kernels.pair_peeling`).
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
def _is_unit_row(basis, pivots, r):
    for c in range(basis.shape[1]):
        if c != pivots[r] and basis[r, c] != 0.0:
            return False
    return True


@njit(cache=True, nogil=True)
def _ones_in_span(basis, rank):
    """1 is in the span iff sum_r basis[r] equals 1 (the coefficient of row r is 1[pivot_r] = 1)."""
    for c in range(basis.shape[1]):
        total = 0.0
        for r in range(rank):
            total += basis[r, c]
        if abs(total - 1.0) > 1e-7:
            return False
    return True


@njit(cache=True, nogil=True)
def _target_reached(basis, pivots, rank, target, required):
    if target == TARGET_SUM:
        if _ones_in_span(basis, rank):
            return True
        if required >= basis.shape[1]:
            return False
    recovered = 0
    for r in range(rank):
        if _is_unit_row(basis, pivots, r):
            recovered += 1
    return recovered >= required


@njit(cache=True, nogil=True)
def first_repeated_id_row(arrival_order, n_ids):
    """First row of ``arrival_order`` (ids in ``[-1, n_ids)``, ``-1`` ends a row) holding an id twice, or -1."""
    seen = np.full(n_ids, -1, dtype=np.int64)
    for it in range(arrival_order.shape[0]):
        for t in range(arrival_order.shape[1]):
            message = arrival_order[it, t]
            if message < 0:
                break
            if message >= n_ids:
                raise ValueError("arrival_order holds an id out of range")
            if seen[message] == it:
                return it
            seen[message] = it
    return -1


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
        Partitions to recover (``M'``; ``M`` for the full product or sum).
    tolerance : float
        Entries below it count as zero.

    Returns
    -------
    ndarray of int64, shape (n_iterations,)
        Length of the shortest decodable prefix, or 0 if the whole arrival list is not.
    """
    n_iterations, n_messages = arrival_order.shape
    n_ids = row_offsets.shape[0] - 1
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
            if message >= n_ids:
                raise ValueError("arrival_order holds an id out of range")
            for k in range(row_offsets[message], row_offsets[message + 1]):
                if rank < width:
                    row[:] = rows[k]
                    rank = _insert_row(basis, pivots, rank, row, tolerance)
            if _target_reached(basis, pivots, rank, target, required):
                out[it] = t + 1
                break
    return out


@njit(cache=True, nogil=True)
def first_threshold_prefix(content, group, group_threshold, group_weight, completes, arrival_order,
                           required_weight):
    """For each iteration, how many arrived messages satisfy groups of total weight ``required_weight``.

    Polynomial (Reed–Solomon) gradient codes decode a group from any ``threshold`` distinct
    evaluations; a message's *content* names the evaluation it carries (two workers may
    send the same coded message in GC-MMC's correlated design). A group is satisfied once it
    has ``threshold`` distinct contents, or a message that decodes it on its own.

    Parameters
    ----------
    content : ndarray of int64, shape (n_messages,)
        Content id of each message (``0..n_contents-1``).
    group : ndarray of int64, shape (n_contents,)
        Group (cluster) of each content.
    group_threshold : ndarray of int64, shape (n_groups,)
        Distinct contents each group needs (``>= 1``).
    group_weight : ndarray of int64, shape (n_groups,)
        What a satisfied group counts towards ``required_weight`` (the partitions it covers;
        ones to require every group).
    completes : ndarray of bool, shape (n_messages,)
        Messages that decode their group on their own (the hybrid rule's plain group sums).
    arrival_order : ndarray of int64, shape (n_iterations, n_messages)
        Message ids in arrival order; ``-1`` ends the list.
    required_weight : int
        Total weight of satisfied groups that decodes.

    Returns
    -------
    ndarray of int64, shape (n_iterations,)
        Shortest decodable prefix length, or 0.
    """
    n_iterations, n_messages = arrival_order.shape
    n_ids = content.shape[0]
    n_contents = group.shape[0]
    n_groups = group_threshold.shape[0]
    out = np.zeros(n_iterations, dtype=np.int64)
    seen = np.zeros(n_contents, dtype=np.bool_)
    missing = np.empty(n_groups, dtype=np.int64)
    for it in range(n_iterations):
        seen[:] = False
        missing[:] = group_threshold
        satisfied = 0
        for t in range(n_messages):
            message = arrival_order[it, t]
            if message < 0:
                break
            if message >= n_ids:
                raise ValueError("arrival_order holds an id out of range")
            c = content[message]
            if c < 0 or c >= n_contents:
                raise ValueError("content holds an id outside the content groups")
            g = group[c]
            if g < 0 or g >= n_groups:
                raise ValueError("group holds a group id without a threshold")
            if missing[g] <= 0:
                continue
            if completes[message]:
                missing[g] = 0
            elif not seen[c]:
                seen[c] = True
                missing[g] -= 1
            if missing[g] == 0:
                satisfied += group_weight[g]
                if satisfied >= required_weight:
                    out[it] = t + 1
                    break
    return out


@njit(cache=True, nogil=True)
def received_span_coverage(rows, row_offsets, ids, tolerance):
    """Partitions the received messages recover individually, and whether the full sum is in their span.

    The state of :func:`first_decodable_prefix` after the messages ``ids`` (each in
    ``[0, n_messages)``), for decoding the set they cover.

    Returns
    -------
    recovered : ndarray of bool, shape (n_partitions,)
        ``e_j`` lies in the span of the received rows.
    ones_in_span : bool
        The all-ones vector does.
    """
    n_ids = row_offsets.shape[0] - 1
    width = rows.shape[1]
    basis = np.zeros((width, width))
    pivots = np.zeros(width, dtype=np.int64)
    row = np.empty(width)
    rank = 0
    for message in ids:
        if message < 0 or message >= n_ids:
            raise ValueError("ids holds an id out of range")
        for k in range(row_offsets[message], row_offsets[message + 1]):
            if rank < width:
                row[:] = rows[k]
                rank = _insert_row(basis, pivots, rank, row, tolerance)
    recovered = np.zeros(width, dtype=np.bool_)
    for r in range(rank):
        if _is_unit_row(basis, pivots, r):
            recovered[pivots[r]] = True
    return recovered, _ones_in_span(basis, rank)
