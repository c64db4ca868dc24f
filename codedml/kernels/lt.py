"""LT (Luby transform) codes: degree distributions, sparse generators, encoding, peeling.

Notation (survey section 4, Luby 2002): ``k`` source symbols, ``Q = ceil((1 + eta) k)`` coded
symbols; coded symbol ``i`` draws a degree ``d`` from the degree distribution ``Omega`` and
then ``d`` distinct source symbols uniformly. The generator is kept as CSR arrays
``(indptr, indices)``: row ``i`` lists the neighbours of coded symbol ``i``.

Payloads are rows of a 2-D array. Byte payloads (``GF(2)``) are rows of unsigned words
(``uint8`` or, for speed, a ``uint64`` view of the same bytes) combined by XOR; real
payloads are ``float64`` rows combined by addition.

Decoding is split in two so that the graph bookkeeping is shared by both payload kinds:

- :func:`peel_arrivals` runs the ripple (the queue of coded symbols with one unrecovered
  neighbour) on integer state only and records *which* coded symbol released each source
  symbol and in which order; it is linear in the number of edges;
- :func:`resolve_xor` / :func:`resolve_sum` then compute the released source payloads in
  that order, one row operation per edge of the releasing symbols;
- :func:`gf2_finish` / :func:`real_finish` solve what peeling leaves by Gauss-Jordan
  elimination of the residual system (unrecovered sources x received symbols that still
  have unrecovered neighbours).

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

from codedml.kernels.elimination import swap_rows
from codedml.kernels.prefetch import prefetch

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


# ---- degree distributions -------------------------------------------------------------------
@njit(cache=True, nogil=True)
def ideal_soliton(k):
    """Ideal soliton ``rho``: ``rho(1) = 1/k``, ``rho(d) = 1/(d (d - 1))`` for ``d = 2..k``.

    Parameters
    ----------
    k : int
        Number of source symbols (``k >= 1``).

    Returns
    -------
    probabilities : ndarray of float64, shape (k + 1,)
        ``probabilities[d] = rho(d)``; ``probabilities[0] = 0``.
    """
    probabilities = np.zeros(k + 1)
    probabilities[1] = 1.0 / k
    for d in range(2, k + 1):
        probabilities[d] = 1.0 / (d * (d - 1.0))
    return probabilities


@njit(cache=True, nogil=True)
def robust_soliton(k, c, delta):
    """Robust soliton ``mu = (rho + tau) / beta`` of Luby (2002).

    With ``R = c ln(k / delta) sqrt(k)`` and spike position ``s = floor(k / R)`` (clamped to
    ``1..k``): ``tau(d) = R / (d k)`` for ``d = 1..s-1``, ``tau(s) = R ln(R / delta) / k``,
    ``tau(d) = 0`` above ``s``; ``beta = sum_d (rho(d) + tau(d))`` normalises.

    Parameters
    ----------
    k : int
        Number of source symbols.
    c : float
        Luby's constant ``c > 0``.
    delta : float
        Luby's failure-probability bound ``0 < delta < 1``.

    Returns
    -------
    probabilities : ndarray of float64, shape (k + 1,)
        ``probabilities[d] = mu(d)``; ``probabilities[0] = 0``.
    """
    probabilities = ideal_soliton(k)
    ripple = c * np.log(k / delta) * np.sqrt(k)
    spike = max(int(min(np.floor(k / ripple), k)), 1)  # clamp before the cast: k / ripple may overflow
    for d in range(1, spike):
        probabilities[d] += ripple / (d * k)
    spike_mass = ripple * np.log(ripple / delta) / k
    if spike_mass > 0.0:
        probabilities[spike] += spike_mass
    return probabilities / np.sum(probabilities)


# ---- generator ------------------------------------------------------------------------------
@njit(cache=True, nogil=True)
def lt_generator(k, n_coded, degree_probabilities, seed):
    """Sample an LT generator in CSR form, reproducibly from ``seed``.

    Randomness comes from numba's own generator, seeded here with
    ``np.random.seed(seed)``: the same ``(k, n_coded, degree_probabilities, seed)`` gives the
    same graph in every process (numba's stream differs from numpy's, and re-seeding
    also resets the stream other numba kernels see on this thread).

    Degrees are drawn by inverse transform from the cumulative distribution; the ``d``
    distinct neighbours by rejection against a per-row stamp array (``d <= k / 2``) or, for
    ``d > k / 2``, by drawing the ``k - d`` excluded symbols instead, so a row never costs
    more than ``O(k)`` even at ``d = k``. Each row's neighbours are sorted.

    Parameters
    ----------
    k : int
        Number of source symbols.
    n_coded : int
        ``Q``: number of coded symbols (rows).
    degree_probabilities : ndarray of float64, shape (D + 1,)
        ``Omega``: ``degree_probabilities[d]`` is the probability of degree ``d``
        (``D <= k``, entry 0 ignored, sums to one).
    seed : int
        Seed in ``[0, 2**32)``.

    Returns
    -------
    indptr : ndarray of int64, shape (Q + 1,)
    indices : ndarray of int64, shape (nnz,)
    """
    np.random.seed(seed)
    cumulative = np.cumsum(degree_probabilities)
    cumulative[0] = 0.0
    total = cumulative[-1]
    max_degree = degree_probabilities.shape[0] - 1
    degrees = np.empty(n_coded, dtype=np.int64)
    for row in range(n_coded):
        d = np.searchsorted(cumulative, np.random.random() * total, side="right")
        degrees[row] = min(max(d, 1), max_degree)
    indptr = np.zeros(n_coded + 1, dtype=np.int64)
    for row in range(n_coded):
        indptr[row + 1] = indptr[row] + degrees[row]
    indices = np.empty(indptr[n_coded], dtype=np.int64)
    stamp = np.full(k, -1, dtype=np.int64)
    for row in range(n_coded):
        start = indptr[row]
        d = degrees[row]
        if 2 * d <= k:
            filled = 0
            while filled < d:
                j = np.random.randint(0, k)
                if stamp[j] != row:
                    stamp[j] = row
                    indices[start + filled] = j
                    filled += 1
        else:
            excluded = 0
            while excluded < k - d:
                j = np.random.randint(0, k)
                if stamp[j] != row:
                    stamp[j] = row
                    excluded += 1
            filled = 0
            for j in range(k):
                if stamp[j] != row:
                    indices[start + filled] = j
                    filled += 1
        indices[start:start + d].sort()
    return indptr, indices


@njit(cache=True, nogil=True)
def csr_transpose(indptr, indices, n_cols):
    """Transpose a CSR pattern: for each source symbol, the coded symbols that contain it.

    Parameters
    ----------
    indptr, indices : ndarray of int64
        CSR pattern of the ``Q x k`` generator.
    n_cols : int
        ``k``.

    Returns
    -------
    t_indptr : ndarray of int64, shape (k + 1,)
    t_indices : ndarray of int64, shape (nnz,)
        Row ids in increasing order within each column.
    """
    n_rows = indptr.shape[0] - 1
    t_indptr = np.zeros(n_cols + 1, dtype=np.int64)
    for ptr in range(indptr[n_rows]):
        t_indptr[indices[ptr] + 1] += 1
    for col in range(n_cols):
        t_indptr[col + 1] += t_indptr[col]
    fill = t_indptr[:-1].copy()
    t_indices = np.empty(indptr[n_rows], dtype=np.int64)
    for row in range(n_rows):
        for ptr in range(indptr[row], indptr[row + 1]):
            col = indices[ptr]
            t_indices[fill[col]] = row
            fill[col] += 1
    return t_indptr, t_indices


# ---- encoding -------------------------------------------------------------------------------
@njit(cache=True, nogil=True)
def encode_xor(indptr, indices, source_words):
    """Coded byte payloads over ``GF(2)``: row ``i`` = XOR of the source rows it lists.

    Parameters
    ----------
    indptr, indices : ndarray of int64
        CSR generator (``Q x k``).
    source_words : ndarray of unsigned int, shape (k, w)
        Source payloads as words (a ``uint64`` view of the bytes vectorises best).

    Returns
    -------
    ndarray, shape (Q, w), same dtype
    """
    n_rows = indptr.shape[0] - 1
    coded = np.zeros((n_rows, source_words.shape[1]), dtype=source_words.dtype)
    for row in range(n_rows):
        start = indptr[row]
        stop = indptr[row + 1]
        if stop > start:
            xor_of_rows(coded[row], source_words[indices[start]], source_words, indices[start + 1:stop])
    return coded


@njit(cache=True, nogil=True)
def xor_of_rows(target, first, rows, row_ids):
    """``target = first XOR rows[row_ids[0]] XOR rows[row_ids[1]] XOR ...``, four rows per pass.

    Combining several rows per pass keeps several independent memory streams in flight
    (random 1 KiB rows are latency bound one at a time) and writes ``target`` once per four
    rows; each pass is a plain word loop that LLVM vectorises.
    """
    width = target.shape[0]
    count = row_ids.shape[0]
    done = min(count, 3)
    if done == 3:
        a = rows[row_ids[0]]
        b = rows[row_ids[1]]
        c = rows[row_ids[2]]
        for u in range(width):
            target[u] = first[u] ^ a[u] ^ b[u] ^ c[u]
    else:
        for u in range(width):
            target[u] = first[u]
        for t in range(done):
            a = rows[row_ids[t]]
            for u in range(width):
                target[u] ^= a[u]
    while done + 4 <= count:
        a = rows[row_ids[done]]
        b = rows[row_ids[done + 1]]
        c = rows[row_ids[done + 2]]
        d = rows[row_ids[done + 3]]
        for u in range(width):
            target[u] ^= a[u] ^ b[u] ^ c[u] ^ d[u]
        done += 4
    while done < count:
        a = rows[row_ids[done]]
        for u in range(width):
            target[u] ^= a[u]
        done += 1


@njit(cache=True, nogil=True)
def encode_sum(indptr, indices, source_rows):
    """Coded real payloads: row ``i`` = sum of the source rows it lists.

    Parameters
    ----------
    indptr, indices : ndarray of int64
        CSR generator (``Q x k``).
    source_rows : ndarray of float64, shape (k, d)

    Returns
    -------
    ndarray of float64, shape (Q, d)
    """
    n_rows = indptr.shape[0] - 1
    width = source_rows.shape[1]
    coded = np.zeros((n_rows, width))
    for row in range(n_rows):
        target = coded[row]
        for ptr in range(indptr[row], indptr[row + 1]):
            source = source_rows[indices[ptr]]
            for t in range(width):
                target[t] += source[t]
    return coded


# ---- peeling --------------------------------------------------------------------------------
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
        Its transpose (:func:`csr_transpose`).
    arrival_ids : ndarray of int64
        Ids (rows) of the coded symbols arriving now; already received ids are ignored.
    arrival_slots : ndarray of int64
        Payload-array row of each arrival (stored in ``slot``).
    solved_sources : ndarray of int64
        Source symbols made known outside peeling (e.g. by :func:`gf2_finish`) that the
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
    pass in release order suffices. Whole rows are combined by :func:`xor_of_rows`.

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


# ---- elimination finish ---------------------------------------------------------------------
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
def gf2_finish(indptr, indices, slot, coded_words, peel_state, recovered, source_words):
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
        The sources this call determined (pass them to :func:`peel_arrivals` as
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
def real_finish(indptr, indices, slot, coded_rows, peel_state, recovered, source_rows, tolerance):
    """Solve the residual real system by Gauss-Jordan elimination with partial pivoting.

    As :func:`gf2_finish`, over the reals: the residual coefficients are 0/1, right-hand
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
