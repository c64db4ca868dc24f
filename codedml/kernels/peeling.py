"""Peeling decoder of LT codes: the ripple on integer state, then the payloads in release order.

The generator is the ``Q x k`` CSR pattern ``(indptr, indices)`` of
:mod:`codedml.kernels.lt_encoding` with its transpose ``(t_indptr, t_indices)``
(:func:`~codedml.kernels.sparse.csr_transpose`). Decoding is split in two so that the graph
bookkeeping is shared by both payload kinds:

- :func:`peel_arrivals` runs the ripple (the queue of coded symbols with one unrecovered
  neighbour) on integer state only and records *which* coded symbol released each source
  symbol and in which order; it is linear in the number of edges;
- :func:`resolve_xor` / :func:`resolve_sum` then compute the released source payloads in
  that order, one row operation per edge of the releasing symbols.

What peeling leaves is solved by elimination
(:func:`~codedml.kernels.elimination.gf2_solve_residual`,
:func:`~codedml.kernels.elimination.real_solve_residual`).

Decoder state (arrays of length ``Q`` or ``k``, mutated in place):

``slot[i]``
    Row of the payload array that holds coded symbol ``i`` (``-1``: not received).
``peel_state[i]``
    ``-1`` while coded symbol ``i`` is not received; then ``(d << 32) | x`` packed in one
    int64, where ``d`` is its number of unrecovered neighbours (``0`` once it has released a
    source or became redundant) and ``x`` the XOR of their ids: when ``d == 1``, ``x`` *is* the
    last unknown neighbour, so no row scan is needed to find it. Packing both in one word
    makes every visit of a transpose edge touch one cache line (``k < 2**31``).
``recovered[j]``, ``released_by[j]``
    Whether source ``j`` is known; the coded symbol that released it (``-1``: solved by
    elimination or not yet known).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from codedml.kernels.prefetch import prefetch
from codedml.kernels.sparse import xor_of_rows

#: One unit of remaining degree in a packed ``peel_state`` word.
DEGREE_UNIT = np.int64(1) << 32
#: Mask of the neighbour-id XOR in a packed ``peel_state`` word.
XOR_MASK = DEGREE_UNIT - 1
#: Distances (in ripple or release-order entries) of the staged prefetches: a far stage loads an
#: index, a nearer one uses it to load what it points at. Measured at k = 50,000 (eta = 1.5, 8-byte
#: payloads): ripple 17.5 -> 14.7 ns per edge, payload pass 12.7 -> 6.5 ms, decode 60 -> 40 ms.
PREFETCH_FAR = 16
PREFETCH_NEAR = 8
#: int64 entries per 64-byte cache line (the stride of a column prefetch).
INT64_PER_CACHE_LINE = 8


@njit(cache=True, nogil=True)
def peel_arrivals(indptr, indices, t_indptr, t_indices, arrival_ids, arrival_slots, solved_sources,
                  slot, peel_state, recovered, released_by, release_order, n_released):
    """Admit newly received coded symbols (and sources solved elsewhere), then run the ripple.

    Each arriving coded symbol counts its unrecovered neighbours and XORs their ids into its
    ``peel_state``; symbols with one unknown neighbour enter the ripple. Releasing a coded
    symbol recovers its last unknown neighbour ``j``, which is then subtracted from every
    received coded symbol in column ``j`` of the transpose (one packed-word update each);
    those dropping to one unknown join the ripple. Every edge is visited a bounded number of
    times, so a call costs ``O(edges of the arrivals + edges of the recovered columns)``. The
    ripple empties cleanly when no received symbol has exactly one unknown neighbour left.
    The columns of symbols waiting in the ripple are prefetched a few entries ahead (a random
    graph defeats the hardware prefetchers). Payloads are not touched: see
    :func:`resolve_xor` / :func:`resolve_sum`.

    Parameters
    ----------
    indptr, indices : ndarray of int64
        CSR generator (``Q x k``).
    t_indptr, t_indices : ndarray of int64
        Its transpose (:func:`~codedml.kernels.sparse.csr_transpose`).
    arrival_ids : ndarray of int64
        Ids (rows) of the coded symbols arriving now; already received ids are ignored.
    arrival_slots : ndarray of int64
        Payload-array row of each arrival (stored in ``slot``).
    solved_sources : ndarray of int64
        Source symbols made known outside peeling (e.g. by
        :func:`~codedml.kernels.elimination.gf2_solve_residual`) that the
        bookkeeping must now subtract; they must already be marked in ``recovered``.
    slot, peel_state, recovered, released_by : ndarray
        Decoder state (see the module docstring), updated in place.
    release_order : ndarray of int64, shape (k,)
        Sources in the order they were released; entries ``n_released..`` are appended.
    n_released : int
        Number of valid entries of ``release_order`` on entry.

    Returns
    -------
    int
        Number of valid entries of ``release_order`` on exit.
    """
    ripple = np.empty(max(arrival_ids.shape[0], 1) + 16, dtype=np.int64)
    tail = 0
    for t in range(solved_sources.shape[0]):
        tail, ripple = _subtract_source(solved_sources[t], t_indptr, t_indices, peel_state, ripple, tail)
    for t in range(arrival_ids.shape[0]):
        row = arrival_ids[t]
        if peel_state[row] >= 0:
            continue
        slot[row] = arrival_slots[t]
        degree = 0
        xor = 0
        for ptr in range(indptr[row], indptr[row + 1]):
            source = indices[ptr]
            if not recovered[source]:
                degree += 1
                xor ^= source
        peel_state[row] = degree * DEGREE_UNIT | xor
        if degree == 1:
            if tail == ripple.shape[0]:
                ripple = _grown(ripple, tail)
            ripple[tail] = row
            tail += 1
    head = 0
    while head < tail:
        # a ripple entry's state is (1 << 32) | its source, or 0 once released: the id is < k
        if head + PREFETCH_FAR < tail:
            prefetch(t_indptr, peel_state[ripple[head + PREFETCH_FAR]] & XOR_MASK)
        if head + PREFETCH_NEAR < tail:
            upcoming = peel_state[ripple[head + PREFETCH_NEAR]] & XOR_MASK
            for ptr in range(t_indptr[upcoming], t_indptr[upcoming + 1], INT64_PER_CACHE_LINE):
                prefetch(t_indices, ptr)
        row = ripple[head]
        head += 1
        state = peel_state[row]
        if state >> 32 != 1:
            continue  # its last unknown was released by another symbol meanwhile
        source = state & XOR_MASK
        peel_state[row] = 0
        recovered[source] = True
        released_by[source] = row
        release_order[n_released] = source
        n_released += 1
        tail, ripple = _subtract_source(source, t_indptr, t_indices, peel_state, ripple, tail)
    return n_released


@njit(cache=True, nogil=True, inline="always")
def _subtract_source(source, t_indptr, t_indices, peel_state, ripple, tail):
    """Remove a newly known ``source`` from every received symbol that still counts it unknown."""
    for ptr in range(t_indptr[source], t_indptr[source + 1]):
        row = t_indices[ptr]
        state = peel_state[row]
        if state > 0:
            state = (state - DEGREE_UNIT) ^ source
            peel_state[row] = state
            if state >> 32 == 1:
                if tail == ripple.shape[0]:
                    ripple = _grown(ripple, tail)
                ripple[tail] = row
                tail += 1
    return tail, ripple


@njit(cache=True, nogil=True)
def _grown(queue, length):
    larger = np.empty(2 * queue.shape[0], dtype=queue.dtype)
    larger[:length] = queue[:length]
    return larger


@njit(cache=True, nogil=True, inline="always")
def _prefetch_release(t, sources_in_order, released_by, indptr, indices, slot):
    """Prefetch, in stages, what the releases ahead of ``t`` will read: the releasing symbol
    (``PREFETCH_FAR`` ahead), its row pointer (``PREFETCH_NEAR``), its neighbour list and payload
    slot (half that)."""
    n = sources_in_order.shape[0]
    if t + PREFETCH_FAR < n:
        prefetch(released_by, sources_in_order[t + PREFETCH_FAR])
    if t + PREFETCH_NEAR < n:
        prefetch(indptr, released_by[sources_in_order[t + PREFETCH_NEAR]])
    if t + PREFETCH_NEAR // 2 < n:
        row = released_by[sources_in_order[t + PREFETCH_NEAR // 2]]
        prefetch(indices, indptr[row])
        prefetch(slot, row)


@njit(cache=True, nogil=True)
def peeling_completion_count(indptr, indices, t_indptr, t_indices, k, arrival_order):
    """How many coded symbols, taken in ``arrival_order``, peeling needs to recover all ``k``.

    The master's view of a rateless code: symbols arrive one by one and decoding stops as
    soon as the ripple has released every source symbol.

    Returns
    -------
    int
        The number of arrivals consumed, or ``-1`` if all of ``arrival_order`` does not peel.
    """
    n_rows = indptr.shape[0] - 1
    slot = np.full(n_rows, -1, dtype=np.int64)
    peel_state = np.full(n_rows, -1, dtype=np.int64)
    recovered = np.zeros(k, dtype=np.bool_)
    released_by = np.full(k, -1, dtype=np.int64)
    release_order = np.empty(k, dtype=np.int64)
    no_sources = np.empty(0, dtype=np.int64)
    n_released = 0
    for t in range(arrival_order.shape[0]):
        n_released = peel_arrivals(indptr, indices, t_indptr, t_indices, arrival_order[t:t + 1],
                                   arrival_order[t:t + 1], no_sources, slot, peel_state, recovered,
                                   released_by, release_order, n_released)
        if n_released == k:
            return t + 1
    return -1


@njit(cache=True, nogil=True)
def resolve_xor(indptr, indices, released_by, sources_in_order, slot, coded_words, source_words):
    """Byte payloads of peeled sources: ``x_j = c_i XOR (other neighbours of i)`` in release order.

    ``i = released_by[j]``; every other neighbour of ``i`` was known before ``j``, so one
    pass in release order suffices. Whole rows are combined by :func:`~codedml.kernels.sparse.xor_of_rows`.

    Parameters
    ----------
    indptr, indices : ndarray of int64
        CSR generator.
    released_by, slot : ndarray of int64
        Decoder state (see the module docstring).
    sources_in_order : ndarray of int64
        The newly released sources, in release order.
    coded_words : ndarray of unsigned int, shape (m, w)
        Received payloads, row ``slot[i]`` for coded symbol ``i``.
    source_words : ndarray, shape (k, w), same dtype
        Recovered source payloads, written in place.
    """
    others = np.empty(16, dtype=np.int64)
    for t in range(sources_in_order.shape[0]):
        _prefetch_release(t, sources_in_order, released_by, indptr, indices, slot)
        source = sources_in_order[t]
        row = released_by[source]
        start = indptr[row]
        stop = indptr[row + 1]
        if stop - start > others.shape[0]:
            others = np.empty(2 * (stop - start), dtype=np.int64)
        n_others = 0
        for ptr in range(start, stop):
            if indices[ptr] != source:
                others[n_others] = indices[ptr]
                n_others += 1
        xor_of_rows(source_words[source], coded_words[slot[row]], source_words, others[:n_others])


@njit(cache=True, nogil=True)
def resolve_sum(indptr, indices, released_by, sources_in_order, slot, coded_rows, source_rows):
    """Real payloads of peeled sources: ``x_j = c_i - sum(other neighbours of i)`` in release order.

    Same arguments as :func:`resolve_xor`, with ``float64`` payloads.
    """
    width = source_rows.shape[1]
    for t in range(sources_in_order.shape[0]):
        _prefetch_release(t, sources_in_order, released_by, indptr, indices, slot)
        source = sources_in_order[t]
        row = released_by[source]
        target = source_rows[source]
        coded = coded_rows[slot[row]]
        for u in range(width):
            target[u] = coded[u]
        for ptr in range(indptr[row], indptr[row + 1]):
            other = indices[ptr]
            if other != source:
                known = source_rows[other]
                for u in range(width):
                    target[u] -= known[u]
