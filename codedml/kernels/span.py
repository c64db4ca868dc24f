"""Incremental span tests: add coded rows one message at a time, stop when the target is reached.

The state is a reduced row echelon basis of the received coefficient rows (partial
pivoting by magnitude). Two targets:

- ``TARGET_SUM`` (gradient coding): the all-ones vector lies in the span;
- ``TARGET_PRODUCT`` (coded matrix-vector products): at least ``required`` unit vectors
  ``e_j`` lie in the span, i.e. that many partitions are recovered individually. In a
  reduced basis, ``e_j`` is in the span iff one basis row equals ``e_j``.

Callers validate arrival orders first (``codedml._validation.id_rows`` and
:func:`first_repeated_id_row`); the kernels still refuse an id outside ``[-1, n_messages)``
with ``ValueError`` rather than read out of bounds.
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
        Partitions to recover for ``TARGET_PRODUCT`` (``M'``; ``M`` for the full product).
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
def first_threshold_prefix(content, group, group_threshold, completes, arrival_order):
    """For each iteration, how many arrived messages give every group enough distinct contents.

    Polynomial (Reed–Solomon) gradient codes decode a group from any ``threshold`` distinct
    evaluations; a message's *content* names the evaluation it carries (two workers may
    send the same coded message in GC-MMC's correlated design).

    Parameters
    ----------
    content : ndarray of int64, shape (n_messages,)
        Content id of each message (``0..n_contents-1``).
    group : ndarray of int64, shape (n_contents,)
        Group (cluster) of each content.
    group_threshold : ndarray of int64, shape (n_groups,)
        Distinct contents each group needs.
    completes : ndarray of bool, shape (n_messages,)
        Messages that decode their group on their own (the hybrid rule's plain group sums).
    arrival_order : ndarray of int64, shape (n_iterations, n_messages)
        Message ids in arrival order; ``-1`` ends the list.

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
        unsatisfied = 0
        for g in range(n_groups):
            missing[g] = group_threshold[g]
            if missing[g] > 0:
                unsatisfied += 1
        if unsatisfied == 0:
            out[it] = 0
            continue
        for t in range(n_messages):
            message = arrival_order[it, t]
            if message < 0:
                break
            if message >= n_ids:
                raise ValueError("arrival_order holds an id out of range")
            c = content[message]
            if c < 0 or c >= n_contents:
                raise ValueError("content holds an id outside the content groups")
            if not seen[c]:
                seen[c] = True
                g = group[c]
                if g < 0 or g >= n_groups:
                    raise ValueError("group holds a group id without a threshold")
                if missing[g] > 0 and completes[message]:
                    missing[g] = 1
                missing[g] -= 1
                if missing[g] == 0:
                    unsatisfied -= 1
                    if unsatisfied == 0:
                        out[it] = t + 1
                        break
    return out


@njit(cache=True, nogil=True)
def _find(parent, parity, node):
    """Root of ``node`` with path compression; ``parity[node]`` becomes its parity to the root."""
    root = node
    total = 0
    while parent[root] != root:
        total ^= parity[root]
        root = parent[root]
    # compress: walk again, rewriting parities relative to the root
    current = node
    acc = total
    while parent[current] != current:
        nxt = parent[current]
        step = parity[current]
        parent[current] = root
        parity[current] = acc
        acc ^= step
        current = nxt
    return root


@njit(cache=True, nogil=True)
def first_pair_recovery_prefix(first, second, row_offsets, arrival_order, required):
    """Decodability of degree-one and degree-two sum codewords (CPGC) by union-find with parity.

    Each coded row is ``W_a`` (``second = -1``) or ``W_a + W_b``. Over the reals the
    partitions of a connected component of the received ``W_a + W_b`` edges are all
    determined iff the component holds a received ``W_a`` (an anchor) or an odd cycle
    (its ``+1`` incidence matrix then has full rank); otherwise none of them is. The
    state is a union-find over partitions with edge parities, near-constant time per row.

    Parameters
    ----------
    first, second : ndarray of int64, shape (n_rows,)
        Partitions of each coded row (``second[k] = -1`` for a degree-one row).
    row_offsets : ndarray of int64, shape (n_messages + 1,)
    arrival_order : ndarray of int64, shape (n_iterations, n_messages)
    required : int
        Partitions to recover (``M'``).

    Returns
    -------
    ndarray of int64, shape (n_iterations,)
        Shortest prefix after which ``required`` partitions are determined, or 0.
    """
    n_iterations, n_messages = arrival_order.shape
    n_ids = row_offsets.shape[0] - 1
    n_partitions = 0
    for k in range(first.shape[0]):
        n_partitions = max(n_partitions, first[k] + 1, second[k] + 1)
    parent = np.empty(n_partitions, dtype=np.int64)
    parity = np.empty(n_partitions, dtype=np.int64)
    size = np.empty(n_partitions, dtype=np.int64)
    determined = np.empty(n_partitions, dtype=np.bool_)
    out = np.zeros(n_iterations, dtype=np.int64)
    for it in range(n_iterations):
        for p in range(n_partitions):
            parent[p] = p
            parity[p] = 0
            size[p] = 1
            determined[p] = False
        recovered = 0
        for t in range(n_messages):
            message = arrival_order[it, t]
            if message < 0:
                break
            if message >= n_ids:
                raise ValueError("arrival_order holds an id out of range")
            for k in range(row_offsets[message], row_offsets[message + 1]):
                a = _find(parent, parity, first[k])
                if second[k] < 0:
                    if not determined[a]:
                        determined[a] = True
                        recovered += size[a]
                    continue
                b = _find(parent, parity, second[k])
                if a == b:
                    # edge inside a component closes a cycle: odd iff both ends have equal parity
                    if parity[first[k]] == parity[second[k]] and not determined[a]:
                        determined[a] = True
                        recovered += size[a]
                    continue
                if size[a] < size[b]:
                    a, b = b, a
                was_a, was_b = determined[a], determined[b]
                parent[b] = a
                parity[b] = parity[first[k]] ^ parity[second[k]] ^ 1
                size[a] += size[b]
                if was_a and not was_b:
                    recovered += size[b]
                elif was_b and not was_a:
                    recovered += size[a] - size[b]
                determined[a] = was_a or was_b
            if recovered >= required:
                out[it] = t + 1
                break
    return out
