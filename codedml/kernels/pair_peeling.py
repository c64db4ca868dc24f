"""Degree-one and degree-two sum codewords (CPGC): which partitions they determine, and peeling.

Each coded row is ``W_a`` (``second = -1``) or ``W_a + W_b``. The received degree-two rows form
a graph on the partitions. Over the reals, the partitions of one connected component are all
determined iff the component holds a received ``W_a`` (an anchor) or an odd cycle (its ``+1``
incidence matrix then has full rank); otherwise (a bipartite component ``X ∪ Y`` without an
anchor) the rows span exactly the vectors whose sums over ``X`` and over ``Y`` are equal, so
no single partition is determined, but the sum over any ``S`` with ``|S ∩ X| = |S ∩ Y|`` is.

- product target: the determined partitions;
- sum target: the determined partitions plus ``min(|X|, |Y|)`` of each side of every
  bipartite component: the largest set whose sum the rows determine.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _find(parent, parity, node):
    """Root of ``node`` with path compression; ``parity[node]`` becomes its parity to the root."""
    root = node
    total = 0
    while parent[root] != root:
        total ^= parity[root]
        root = parent[root]
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
def _covered_count(size, ones, determined, sum_target):
    """Partitions one component contributes: all if determined, else a balanced set (sum) or none."""
    if determined:
        return size
    if sum_target:
        return 2 * min(ones, size - ones)
    return 0


@njit(cache=True, nogil=True)
def first_pair_recovery_prefix(first, second, row_offsets, arrival_order, required, sum_target):
    """Shortest prefix of each arrival order whose rows cover ``required`` partitions (module notes).

    Union-find with parity over the partitions, near-constant time per row; each root keeps its
    component's size, how many members have parity 1 to it, and whether it is determined.

    Parameters
    ----------
    first, second : ndarray of int64, shape (n_rows,)
        Partitions of each coded row (``second[k] = -1`` for a degree-one row), in
        ``[0, n_partitions)``.
    row_offsets : ndarray of int64, shape (n_messages + 1,)
        Message ``m`` carries rows ``row_offsets[m]:row_offsets[m + 1]``.
    arrival_order : ndarray of int64, shape (n_iterations, width)
        Message ids in arrival order; ``-1`` ends a row.
    required : int
        Partitions to cover (``M'``).
    sum_target : bool
        Count the sum target's balanced sets of bipartite components too.

    Returns
    -------
    ndarray of int64, shape (n_iterations,)
        Shortest covering prefix, or 0.
    """
    n_iterations, width = arrival_order.shape
    n_ids = row_offsets.shape[0] - 1
    n_partitions = 0
    for k in range(first.shape[0]):
        n_partitions = max(n_partitions, first[k] + 1, second[k] + 1)
    parent = np.empty(n_partitions, dtype=np.int64)
    parity = np.empty(n_partitions, dtype=np.int64)
    size = np.empty(n_partitions, dtype=np.int64)
    ones = np.empty(n_partitions, dtype=np.int64)
    determined = np.empty(n_partitions, dtype=np.bool_)
    out = np.zeros(n_iterations, dtype=np.int64)
    for it in range(n_iterations):
        for p in range(n_partitions):
            parent[p] = p
            parity[p] = 0
            size[p] = 1
            ones[p] = 0
            determined[p] = False
        covered = 0
        for t in range(width):
            message = arrival_order[it, t]
            if message < 0:
                break
            if message >= n_ids:
                raise ValueError("arrival_order holds an id out of range")
            for k in range(row_offsets[message], row_offsets[message + 1]):
                a = _find(parent, parity, first[k])
                if second[k] < 0:
                    if not determined[a]:
                        covered -= _covered_count(size[a], ones[a], False, sum_target)
                        determined[a] = True
                        covered += size[a]
                    continue
                b = _find(parent, parity, second[k])
                if a == b:
                    # an edge inside a component closes a cycle: odd iff both ends have equal parity
                    if parity[first[k]] == parity[second[k]] and not determined[a]:
                        covered -= _covered_count(size[a], ones[a], False, sum_target)
                        determined[a] = True
                        covered += size[a]
                    continue
                covered -= (_covered_count(size[a], ones[a], determined[a], sum_target)
                            + _covered_count(size[b], ones[b], determined[b], sum_target))
                if size[a] < size[b]:
                    a, b = b, a
                flip = parity[first[k]] ^ parity[second[k]] ^ 1  # parity of root b to root a
                parent[b] = a
                parity[b] = flip
                ones[a] += ones[b] if flip == 0 else size[b] - ones[b]
                size[a] += size[b]
                determined[a] = determined[a] or determined[b]
                covered += _covered_count(size[a], ones[a], determined[a], sum_target)
            if covered >= required:
                out[it] = t + 1
                break
    return out


@njit(cache=True, nogil=True)
def pair_peeling_decode(first, second, values, n_partitions, sum_target):
    """Peel degree-one and degree-two rows: covered partitions, their values and their sum.

    Anchored components are peeled breadth-first from every anchor at once (``W_b = (W_a +
    W_b) - W_a``). In a component without an anchor every member is written ``x_v = t_v +
    s_v x_root`` (``s_v = ±1`` by parity, ``t_v`` an alternating sum of rows along the search
    tree); an odd cycle closed by a row ``(u, v)`` with ``s_u = s_v`` gives ``x_root = s_u
    (row - t_u - t_v) / 2``. Without one, ``x_root = 0`` is kept: a solution of the received
    rows whose sum over any balanced set is the true one. Only additions, subtractions and
    one halving per odd component: the decoding weights are exactly ``0, ±1, ±1/2``.

    Parameters
    ----------
    first, second : ndarray of int64, shape (n_rows,)
        Partitions of each received row (``second[k] = -1`` for a degree-one row).
    values : ndarray, shape (n_rows, d)
        The received coded rows (``d = 0`` to compute the covered set only).
    n_partitions : int
        ``M``.
    sum_target : bool
        Cover the sum target's balanced sets (the first ``min(|X|, |Y|)`` members of each side,
        in search order) besides the determined partitions.

    Returns
    -------
    covered : ndarray of bool, shape (n_partitions,)
    decoded : ndarray, shape (n_partitions, d)
        A solution of the received rows: the true value of every determined partition.
    total : ndarray, shape (d,)
        Sum of ``decoded`` over the covered partitions.
    residual : float
        ``max |values - B decoded|`` over the received rows (zero up to rounding for rows that
        come from one encoding).
    scale : float
        Largest magnitude among ``values`` and ``decoded``, to make ``residual`` relative.
    """
    n_rows = first.shape[0]
    d = values.shape[1]
    for k in range(n_rows):
        if (first[k] < 0 or first[k] >= n_partitions or second[k] < -1 or second[k] >= n_partitions
                or second[k] == first[k]):
            raise ValueError("a coded row names a partition out of range")
    start = np.zeros(n_partitions + 1, dtype=np.int64)
    for k in range(n_rows):
        if second[k] >= 0:
            start[first[k] + 1] += 1
            start[second[k] + 1] += 1
    for p in range(n_partitions):
        start[p + 1] += start[p]
    neighbour = np.empty(start[n_partitions], dtype=np.int64)
    via = np.empty(start[n_partitions], dtype=np.int64)
    fill = start[:-1].copy()
    for k in range(n_rows):
        if second[k] >= 0:
            a, b = first[k], second[k]
            neighbour[fill[a]], via[fill[a]] = b, k
            fill[a] += 1
            neighbour[fill[b]], via[fill[b]] = a, k
            fill[b] += 1
    visited = np.zeros(n_partitions, dtype=np.bool_)
    parity = np.zeros(n_partitions, dtype=np.int64)
    covered = np.zeros(n_partitions, dtype=np.bool_)
    decoded = np.zeros((n_partitions, d))
    queue = np.empty(n_partitions, dtype=np.int64)
    tail = 0
    for k in range(n_rows):  # anchors: the first degree-one row of each partition
        a = first[k]
        if second[k] < 0 and not visited[a]:
            visited[a] = True
            decoded[a] = values[k]
            queue[tail] = a
            tail += 1
    head = 0
    while head < tail:
        u = queue[head]
        head += 1
        covered[u] = True
        for e in range(start[u], start[u + 1]):
            v = neighbour[e]
            if not visited[v]:
                visited[v] = True
                for c in range(d):
                    decoded[v, c] = values[via[e], c] - decoded[u, c]
                queue[tail] = v
                tail += 1
    for root in range(n_partitions):
        if visited[root]:
            continue
        begin = tail
        visited[root] = True
        queue[tail] = root
        tail += 1
        odd_row = -1
        while head < tail:
            u = queue[head]
            head += 1
            for e in range(start[u], start[u + 1]):
                v = neighbour[e]
                if not visited[v]:
                    visited[v] = True
                    parity[v] = 1 - parity[u]
                    for c in range(d):
                        decoded[v, c] = values[via[e], c] - decoded[u, c]
                    queue[tail] = v
                    tail += 1
                elif odd_row < 0 and parity[v] == parity[u]:
                    odd_row = via[e]
        if odd_row >= 0:
            u, v = first[odd_row], second[odd_row]
            sign = 1.0 if parity[u] == 0 else -1.0
            for c in range(d):
                x_root = sign * (values[odd_row, c] - decoded[u, c] - decoded[v, c]) / 2.0
                for i in range(begin, tail):
                    m = queue[i]
                    decoded[m, c] += x_root if parity[m] == 0 else -x_root
            for i in range(begin, tail):
                covered[queue[i]] = True
        elif sum_target:
            n_odd = 0
            for i in range(begin, tail):
                n_odd += parity[queue[i]]
            take = min(n_odd, tail - begin - n_odd)
            taken = np.zeros(2, dtype=np.int64)
            for i in range(begin, tail):
                m = queue[i]
                if taken[parity[m]] < take:
                    taken[parity[m]] += 1
                    covered[m] = True
    total = np.zeros(d)
    scale = 0.0
    for p in range(n_partitions):
        for c in range(d):
            scale = max(scale, abs(decoded[p, c]))
            if covered[p]:
                total[c] += decoded[p, c]
    residual = 0.0
    for k in range(n_rows):
        for c in range(d):
            predicted = decoded[first[k], c]
            if second[k] >= 0:
                predicted += decoded[second[k], c]
            scale = max(scale, abs(values[k, c]))
            residual = max(residual, abs(values[k, c] - predicted))
    return covered, decoded, total, residual, scale
