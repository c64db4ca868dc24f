"""BATS (batched sparse) code kernels over ``GF(2^8)`` byte payloads (survey section 4, Figure 6).

Notation (Yang & Yang's BATS codes, as in the survey's Figure 6):

- ``K`` source packets of ``T`` bytes (``source_packets``, ``K x T`` uint8);
- batch ``j`` has degree ``d_j`` (``batch_indptr[j + 1] - batch_indptr[j]``) and the distinct
  source ids ``batch_sources[batch_indptr[j]:batch_indptr[j + 1]]`` (CSR); its ``M`` coded packets
  are ``X_j = G_j^T S_j``, with the ``d_j x M`` generator ``G_j`` stored edge by edge:
  ``generator[e, m]`` is the coefficient of the edge's source in packet ``m``;
- the network delivers ``r_j <= M`` packets ``Y_j = H_j X_j`` with the ``r_j x M`` transfer matrix
  ``H_j`` (each packet's header: its coefficients over the batch's ``M`` packets); the sink's
  system for batch ``j`` is ``Y_j = (H_j G_j^T) S_j``.

Field arithmetic uses the ``exp``/``log`` tables of :mod:`codedml.fields.galois_fields` for coefficients and the
packed-word region kernel :func:`~codedml.kernels.gf2m.gf2m_region_multiply_add` for payloads.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from codedml.kernels.gf2m import gf2m_inverse, gf2m_region_multiply_add


@njit(cache=True, nogil=True)
def bats_batches(n_sources, n_batches, batch_size, degree_probabilities, seed):
    """Sample the outer code: degrees, distinct neighbours (CSR) and the batch generators ``G_j``.

    Degrees by inverse transform from the cumulative ``degree_probabilities`` (entry ``d`` is
    ``P(degree = d)``, capped at ``n_sources``), neighbours by rejection against a per-batch
    stamp, generator coefficients uniform in ``GF(2^8)``; numba's generator seeded with ``seed``.

    Returns
    -------
    batch_indptr : ndarray of int64, shape (n_batches + 1,)
    batch_sources : ndarray of int64, shape (edges,)
    generator : ndarray of uint8, shape (edges, batch_size)
    """
    np.random.seed(seed)
    cumulative = np.cumsum(degree_probabilities)
    cumulative /= cumulative[-1]
    degrees = np.empty(n_batches, dtype=np.int64)
    for j in range(n_batches):
        degree = np.searchsorted(cumulative, np.random.random(), side="right")
        degrees[j] = min(max(degree, 1), n_sources)
    batch_indptr = np.zeros(n_batches + 1, dtype=np.int64)
    for j in range(n_batches):
        batch_indptr[j + 1] = batch_indptr[j] + degrees[j]
    batch_sources = np.empty(batch_indptr[-1], dtype=np.int64)
    stamp = np.full(n_sources, -1, dtype=np.int64)
    for j in range(n_batches):
        ptr = batch_indptr[j]
        while ptr < batch_indptr[j + 1]:
            source = np.random.randint(0, n_sources)
            if stamp[source] != j:
                stamp[source] = j
                batch_sources[ptr] = source
                ptr += 1
        batch_sources[batch_indptr[j]:batch_indptr[j + 1]].sort()
    generator = np.empty((batch_sources.shape[0], batch_size), dtype=np.uint8)
    for e in range(batch_sources.shape[0]):
        for m in range(batch_size):
            generator[e, m] = np.random.randint(0, 256)
    return batch_indptr, batch_sources, generator


@njit(cache=True, nogil=True)
def bats_encode(batch_indptr, batch_sources, generator, source_packets, reduction):
    """The coded batches ``X_j = G_j^T S_j``: ``out[j, m] = sum_i generator[e_i, m] * S[source_i]``.

    Returns
    -------
    ndarray of uint8, shape (n_batches, batch_size, T)
    """
    n_batches = batch_indptr.shape[0] - 1
    batch_size = generator.shape[1]
    coded = np.zeros((n_batches, batch_size, source_packets.shape[1]), dtype=np.uint8)
    for j in range(n_batches):
        for e in range(batch_indptr[j], batch_indptr[j + 1]):
            source = batch_sources[e]
            for m in range(batch_size):
                if generator[e, m] != 0:
                    gf2m_region_multiply_add(generator[e, m], source_packets[source], coded[j, m], 8, reduction)
    return coded


@njit(cache=True, nogil=True)
def recode_through_relay(coded_batches, erasure_probability, seed, reduction):
    """Inner code: one relay between the source and the sink, each link erasing packets independently.

    For every batch, the relay receives each of its ``M`` packets with probability
    ``1 - erasure_probability``, sends ``M`` random ``GF(2^8)`` combinations of what it received
    (random linear network coding on the batch), and the sink receives each of those with
    probability ``1 - erasure_probability``. Every packet carries its header, the coefficient
    vector over the batch's ``M`` original packets.

    Returns
    -------
    headers : ndarray of uint8, shape (n_batches, M, M)
        Rows ``0..received[j]-1`` of ``headers[j]`` are the transfer matrix ``H_j``.
    payloads : ndarray of uint8, shape (n_batches, M, T)
        Rows ``0..received[j]-1`` are ``Y_j = H_j X_j``.
    received : ndarray of int64, shape (n_batches,)
        ``r_j``, the packets of batch ``j`` that reached the sink.
    """
    np.random.seed(seed)
    n_batches, batch_size, width = coded_batches.shape
    headers = np.zeros((n_batches, batch_size, batch_size), dtype=np.uint8)
    payloads = np.zeros((n_batches, batch_size, width), dtype=np.uint8)
    received = np.zeros(n_batches, dtype=np.int64)
    at_relay = np.empty(batch_size, dtype=np.int64)
    for j in range(n_batches):
        n_relay = 0
        for m in range(batch_size):
            if np.random.random() >= erasure_probability:
                at_relay[n_relay] = m
                n_relay += 1
        count = 0
        for _ in range(batch_size):
            if np.random.random() < erasure_probability:
                continue
            for t in range(n_relay):
                coefficient = np.random.randint(0, 256)
                if coefficient != 0:
                    headers[j, count, at_relay[t]] = coefficient  # the relay holds original packets
                    gf2m_region_multiply_add(coefficient, coded_batches[j, at_relay[t]], payloads[j, count], 8,
                                             reduction)
            count += 1
        received[j] = count
    return headers, payloads, received


@njit(cache=True, nogil=True)
def source_transfer_matrices(batch_indptr, generator, headers, received, exp, log):
    """``A_j = H_j G_j^T`` stored edge by edge: ``out[e, r]`` is the coefficient of edge ``e``'s
    source in batch ``j``'s received packet ``r`` (``r < received[j]``; zero beyond)."""
    n_batches = batch_indptr.shape[0] - 1
    batch_size = generator.shape[1]
    out = np.zeros(generator.shape, dtype=np.uint8)
    for j in range(n_batches):
        for e in range(batch_indptr[j], batch_indptr[j + 1]):
            for r in range(received[j]):
                total = 0
                for m in range(batch_size):
                    total ^= exp[log[headers[j, r, m]] + log[generator[e, m]]]
                out[e, r] = total
    return out


@njit(cache=True, nogil=True)
def _unknown_rank(transfer, batch_indptr, batch, known, batch_sources, n_received, exp, log):
    """Rank of batch ``batch``'s received system restricted to its unknown sources (coefficients only)."""
    start = batch_indptr[batch]
    n_unknown = 0
    for e in range(start, batch_indptr[batch + 1]):
        if not known[batch_sources[e]]:
            n_unknown += 1
    work = np.empty((n_received, n_unknown), dtype=np.uint8)
    column = 0
    for e in range(start, batch_indptr[batch + 1]):
        if not known[batch_sources[e]]:
            for r in range(n_received):
                work[r, column] = transfer[e, r]
            column += 1
    rank = 0
    for c in range(n_unknown):
        pivot = -1
        for r in range(rank, n_received):
            if work[r, c] != 0:
                pivot = r
                break
        if pivot < 0:
            continue
        for cc in range(n_unknown):
            work[rank, cc], work[pivot, cc] = work[pivot, cc], work[rank, cc]
        inverse = gf2m_inverse(work[rank, c], exp, log)
        for r in range(rank + 1, n_received):
            if work[r, c] != 0:
                factor = exp[log[work[r, c]] + log[inverse]]
                for cc in range(c, n_unknown):
                    work[r, cc] ^= exp[log[factor] + log[work[rank, cc]]]
        rank += 1
    return rank, n_unknown


@njit(cache=True, nogil=True)
def _solve_batch(transfer, batch_indptr, batch, known, batch_sources, n_received, payloads, sources,
                 exp, log, reduction):
    """Gauss–Jordan on batch ``batch``'s reduced system (full rank checked before); writes its
    unknown sources into ``sources``, marks them known and returns their ids."""
    start = batch_indptr[batch]
    stop = batch_indptr[batch + 1]
    unknown = np.empty(stop - start, dtype=np.int64)
    n_unknown = 0
    for e in range(start, stop):
        if not known[batch_sources[e]]:
            unknown[n_unknown] = e
            n_unknown += 1
    work = np.empty((n_received, n_unknown), dtype=np.uint8)
    for c in range(n_unknown):
        for r in range(n_received):
            work[r, c] = transfer[unknown[c], r]
    rhs = payloads[batch, :n_received].copy()
    for c in range(n_unknown):
        pivot = c
        while work[pivot, c] == 0:
            pivot += 1
        if pivot != c:
            for cc in range(n_unknown):
                work[c, cc], work[pivot, cc] = work[pivot, cc], work[c, cc]
            for b in range(rhs.shape[1]):
                rhs[c, b], rhs[pivot, b] = rhs[pivot, b], rhs[c, b]
        inverse = gf2m_inverse(work[c, c], exp, log)
        for cc in range(n_unknown):
            work[c, cc] = exp[log[work[c, cc]] + log[inverse]]
        scaled = np.zeros(rhs.shape[1], dtype=np.uint8)
        gf2m_region_multiply_add(inverse, rhs[c], scaled, 8, reduction)
        rhs[c] = scaled
        for r in range(n_received):
            factor = work[r, c]
            if r != c and factor != 0:
                for cc in range(n_unknown):
                    work[r, cc] ^= exp[log[factor] + log[work[c, cc]]]
                gf2m_region_multiply_add(factor, rhs[c], rhs[r], 8, reduction)
    solved = np.empty(n_unknown, dtype=np.int64)
    for c in range(n_unknown):
        source = batch_sources[unknown[c]]
        sources[source] = rhs[c]
        known[source] = True
        solved[c] = source
    return solved


@njit(cache=True, nogil=True)
def bats_bp_decode(batch_indptr, batch_sources, transfer, received, payloads, n_sources, exp, log, reduction):
    """Belief propagation over batches (peeling over batches) at the sink.

    A batch is decodable when the rank of its received system restricted to its still
    unknown sources equals their number; it is then solved by Gauss–Jordan elimination, and
    each released source is subtracted from the received packets of every other batch that
    contains it (``Y_j -= A_j[e] s``), lowering those batches' unknown counts; a batch is
    (re)examined whenever its unknown count drops to at most its received count. Decoding
    stops when no examined batch is decodable.

    Parameters
    ----------
    batch_indptr, batch_sources : ndarray of int64
        Outer code (CSR, see the module notes).
    transfer : ndarray of uint8, shape (edges, M)
        ``A_j`` edge by edge (:func:`source_transfer_matrices`).
    received : ndarray of int64, shape (n_batches,)
        ``r_j``.
    payloads : ndarray of uint8, shape (n_batches, M, T)
        Received packets ``Y_j``; updated in place by the substitutions.
    n_sources : int
        ``K``.

    Returns
    -------
    sources : ndarray of uint8, shape (K, T)
        Recovered packets (rows of unknown sources are zero).
    known : ndarray of bool, shape (K,)
    """
    n_batches = batch_indptr.shape[0] - 1
    n_edges = batch_sources.shape[0]
    width = payloads.shape[2]
    # transpose: the edges (hence batches) of every source
    source_indptr = np.zeros(n_sources + 1, dtype=np.int64)
    for e in range(n_edges):
        source_indptr[batch_sources[e] + 1] += 1
    for s in range(n_sources):
        source_indptr[s + 1] += source_indptr[s]
    fill = source_indptr[:-1].copy()
    source_edges = np.empty(n_edges, dtype=np.int64)
    edge_batch = np.empty(n_edges, dtype=np.int64)
    for j in range(n_batches):
        for e in range(batch_indptr[j], batch_indptr[j + 1]):
            edge_batch[e] = j
            source_edges[fill[batch_sources[e]]] = e
            fill[batch_sources[e]] += 1
    known = np.zeros(n_sources, dtype=np.bool_)
    sources = np.zeros((n_sources, width), dtype=np.uint8)
    n_unknown = np.empty(n_batches, dtype=np.int64)
    queued = np.zeros(n_batches, dtype=np.bool_)
    queue = np.empty(n_batches, dtype=np.int64)
    head = 0
    tail = 0
    for j in range(n_batches):
        n_unknown[j] = batch_indptr[j + 1] - batch_indptr[j]
        if 0 < n_unknown[j] <= received[j]:
            queue[tail % n_batches] = j
            tail += 1
            queued[j] = True
    while head < tail:
        batch = queue[head % n_batches]
        head += 1
        queued[batch] = False
        if n_unknown[batch] == 0:
            continue
        rank, unknowns = _unknown_rank(transfer, batch_indptr, batch, known, batch_sources, received[batch],
                                       exp, log)
        if rank < unknowns:
            continue
        solved = _solve_batch(transfer, batch_indptr, batch, known, batch_sources, received[batch], payloads,
                              sources, exp, log, reduction)
        n_unknown[batch] = 0
        for t in range(solved.shape[0]):
            source = solved[t]
            for ptr in range(source_indptr[source], source_indptr[source + 1]):
                e = source_edges[ptr]
                other = edge_batch[e]
                if other == batch or n_unknown[other] == 0:
                    continue
                for r in range(received[other]):
                    if transfer[e, r] != 0:
                        gf2m_region_multiply_add(transfer[e, r], sources[source], payloads[other, r], 8, reduction)
                n_unknown[other] -= 1
                if n_unknown[other] <= received[other] and not queued[other]:
                    queue[tail % n_batches] = other
                    tail += 1
                    queued[other] = True
    return sources, known
