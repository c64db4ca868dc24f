"""Sparse realisations of the optimal structure (seed ``quantized-approximate-gc`` sections III-A and V-C).

Theorem 1 fixes only the row sums ``Y_i`` and the unit column sums of the effective weights
``alpha`` (``n x k``); any non-negative ``alpha`` with them is optimal, and its number of nonzeros
is the total computation load. View ``alpha`` as a bipartite graph between workers and
partitions. A connected component with worker set ``R_l`` and partition set ``C_l`` must carry the
row sums of ``R_l`` onto whole columns, so ``sum_{i in R_l} Y_i = |C_l|`` is an integer, and it
needs at least ``|R_l| + |C_l| - 1`` edges (a spanning tree). A decomposition into ``L``
components therefore needs at least ``n + k - L`` nonzeros: eq. 34,
``(1 / n) sum_l (|R_l| + |C_l| - 1) = (n + k - L) / n`` per worker (:func:`component_computation_load`).

- :func:`contiguous_segment_structure` (section III-A) lays the workers' segments ``[S_{i-1}, S_i)``
  end to end in the given order: a component ends wherever a cumulative sum ``S_i`` is an integer,
  and each component is a path, so it meets eq. 34 for the decomposition that order induces.
- :func:`graph_sparse_structure` (section V-C) first orders the workers to *maximise* ``L``: the
  most disjoint groups whose row sums are integers, placed consecutively, so every group closes on an
  integer. For generic real ``Y`` no proper group sums to an integer and both constructions give
  ``n + k - 1`` nonzeros; the gain comes with repeated reliabilities (classes of identical machines)
  or integer ``Y_i``.

Maximising ``L`` contains subset-sum (NP-hard). ``L`` is the most prefixes with an integer sum over
all worker orders, and only how many workers of each distinct row sum (each *class*) a prefix holds
matters, so dynamic programming over those counts solves it exactly in ``O(C prod_c (m_c + 1))`` for
``C`` classes of sizes ``m_c``: ``O(n 2^n)`` for distinct row sums, polynomial for a few classes of
identical machines (up to :data:`MAX_EXACT_GROUPING_STATES` states). Above, a heuristic takes integer
singletons, then pairs whose fractional parts add up to 1, and keeps the result only if it is
sparser than the given order. The seed defers its own recursive
partitioning to Appendix C.3 of the authors' NeurIPS 2025 paper, which we did not have; this
module is our derivation.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse
from scipy.sparse.csgraph import connected_components

from codedml._validation import array_size, integer, real_array
from codedml.errors import ParameterError

#: Distance to an integer (times ``max(k, 1)``) below which a cumulative row sum is snapped onto it.
SEGMENT_SNAP = 1e-12

#: Most states ``prod_c (m_c + 1)`` (``m_c`` workers with the ``c``-th distinct row sum) for which
#: :func:`graph_sparse_structure` maximises the number of components exactly: any 20 workers, or any
#: number of workers in a few classes of identical machines.
MAX_EXACT_GROUPING_STATES = 2**20


def _checked_row_sums(row_sums, n_partitions: int) -> tuple[np.ndarray, int]:
    row_sums = real_array(row_sums, "row_sums", ndim=1)
    k = integer(n_partitions, "n_partitions", minimum=1)
    array_size(row_sums.size + k + 2, f"the segment breakpoints (n={row_sums.size}, k={k})", itemsize=32)
    if row_sums.size < 1 or np.any(row_sums < 0) or not np.isclose(row_sums.sum(), k, rtol=1e-9):
        raise ParameterError(f"row sums must be non-negative and add up to k={k}, got sum {row_sums.sum()!r}")
    return row_sums, k


def _segments(row_sums: np.ndarray, k: int) -> scipy.sparse.csr_array:
    """The segment construction for validated row sums, in their order."""
    n = row_sums.size
    cumulative = np.concatenate(([0.0], np.cumsum(row_sums)))
    nearest = np.round(cumulative)
    cumulative = np.where(np.abs(cumulative - nearest) < SEGMENT_SNAP * max(k, 1), nearest, cumulative)
    cumulative[-1] = k
    cumulative = np.maximum.accumulate(cumulative)
    breakpoints = np.union1d(cumulative, np.arange(k + 1, dtype=np.float64))
    starts, lengths = breakpoints[:-1], np.diff(breakpoints)
    keep = lengths > 0
    starts, lengths = starts[keep], lengths[keep]
    workers = np.searchsorted(cumulative, starts, side="right") - 1
    partitions = np.minimum(np.floor(starts).astype(np.int64), k - 1)
    return scipy.sparse.csr_array((lengths, (workers, partitions)), shape=(n, k))


def contiguous_segment_structure(row_sums, n_partitions: int) -> scipy.sparse.csr_array:
    """Sparse ``alpha`` with the given row sums and unit column sums (seed section III-A).

    Worker ``i`` owns the segment ``[S_{i-1}, S_i)`` of the partition axis, ``S_i = Y_1 + ... + Y_i``;
    partition ``j`` owns ``[j, j + 1)``; ``alpha_ij`` is the length of their overlap. The
    breakpoints are the ``n + 1`` cumulative sums and the ``k + 1`` integers, sharing 0 and
    ``k``, so there are at most ``n + k - 1`` nonzero overlaps.

    Parameters
    ----------
    row_sums : array_like, shape (n,)
        ``Y_i >= 0`` with ``sum_i Y_i = k``.
    n_partitions : int
        ``k``.

    Returns
    -------
    scipy.sparse.csr_array, shape (n, k)

    Examples
    --------
    >>> contiguous_segment_structure([1.5, 0.5, 1.0], 3).toarray().tolist()
    [[1.0, 0.5, 0.0], [0.0, 0.5, 0.0], [0.0, 0.0, 1.0]]
    """
    return _segments(*_checked_row_sums(row_sums, n_partitions))


def _integral(sums: np.ndarray, k: int) -> np.ndarray:
    return np.abs(sums - np.round(sums)) < SEGMENT_SNAP * max(k, 1)


def _classes(row_sums: np.ndarray, k: int) -> np.ndarray:
    """Class label of each worker: row sums equal within the snapping tolerance share a class."""
    order = np.argsort(row_sums, kind="stable")
    starts = np.concatenate(([True], np.diff(row_sums[order]) >= SEGMENT_SNAP * max(k, 1)))
    labels = np.empty(row_sums.size, dtype=np.int64)
    labels[order] = np.cumsum(starts) - 1
    return labels


def _exact_group_order(row_sums: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Worker order with the most integer prefix sums, by dynamic programming over the multisets of classes.

    A state counts how many workers of each class are placed; ``best(v) = [sum_c v_c Y_c integer] +
    max_{c: v_c > 0} best(v - e_c)`` over the ``prod_c (m_c + 1)`` states, ``m_c`` the class sizes.
    """
    n_classes = int(labels.max()) + 1
    sizes = np.bincount(labels, minlength=n_classes)
    fractions = np.array([row_sums[labels == c][0] for c in range(n_classes)])
    fractions -= np.floor(fractions)
    strides = np.concatenate(([1], np.cumprod(sizes[:-1] + 1)))
    states = np.arange(int(strides[-1] * (sizes[-1] + 1)))
    placed = np.zeros(states.size, dtype=np.int64)
    sums = np.zeros(states.size)
    for c in range(n_classes):
        digit = (states // strides[c]) % (sizes[c] + 1)
        placed += digit
        sums += digit * fractions[c]
    closes = _integral(sums, k).astype(np.int32)
    by_size = np.argsort(placed, kind="stable")
    bounds = np.concatenate(([0], np.cumsum(np.bincount(placed, minlength=labels.size + 1))))
    best = np.zeros(states.size, dtype=np.int32)
    last = np.zeros(states.size, dtype=np.int8 if n_classes <= 127 else np.int64)
    for total in range(1, labels.size + 1):
        layer = by_size[bounds[total]:bounds[total + 1]]
        top = np.full(layer.size, -1, dtype=np.int32)
        for c in range(n_classes):
            has = (layer // strides[c]) % (sizes[c] + 1) > 0
            candidate = np.where(has, best[np.where(has, layer - strides[c], 0)], -1)
            better = candidate > top
            top = np.where(better, candidate, top)
            last[layer[better]] = c
        best[layer] = top + closes[layer]
    members = [list(np.flatnonzero(labels == c)) for c in range(n_classes)]
    order = np.empty(labels.size, dtype=np.int64)
    state = states[-1]
    for position in range(labels.size - 1, -1, -1):
        c = int(last[state])
        order[position] = members[c].pop()
        state -= strides[c]
    return order


def _heuristic_group_order(fractions: np.ndarray, k: int) -> np.ndarray:
    """Integer singletons first, then pairs with fractional parts adding up to 1, then the rest in order."""
    singles = np.flatnonzero(_integral(fractions, k))
    rest = np.setdiff1d(np.arange(fractions.size), singles)
    ranked = rest[np.argsort(fractions[rest], kind="stable")]
    pairs, low, high = [], 0, ranked.size - 1
    while low < high:
        total = fractions[ranked[low]] + fractions[ranked[high]]
        if _integral(np.array([total]), k)[0]:
            pairs += [ranked[low], ranked[high]]
            low, high = low + 1, high - 1
        elif total < 1.0:
            low += 1
        else:
            high -= 1
    paired = np.array(pairs, dtype=np.int64)
    return np.concatenate((singles, paired, np.setdiff1d(rest, paired))).astype(np.int64)


def graph_sparse_structure(row_sums, n_partitions: int) -> scipy.sparse.csr_array:
    """Sparse ``alpha`` with the given row sums and unit column sums and the fewest components' edges (section V-C).

    Orders the workers so that the most disjoint groups have integer row sums (exactly up to
    :data:`MAX_EXACT_GROUPING_STATES` class-count states, heuristically above), then lays their segments end to
    end (:func:`contiguous_segment_structure`); each group becomes one path-shaped component, so
    ``alpha`` has ``n + k - L`` nonzeros for ``L`` groups (eq. 34). Never denser than the segment
    construction in the given order.

    Parameters
    ----------
    row_sums : array_like, shape (n,)
        ``Y_i >= 0`` with ``sum_i Y_i = k``.
    n_partitions : int
        ``k``.

    Returns
    -------
    scipy.sparse.csr_array, shape (n, k)

    Examples
    --------
    >>> rows = [0.5, 1.0, 0.5, 1.0]  # segments in this order: 5 nonzeros; graph: {1}, {3}, {0, 2}
    >>> contiguous_segment_structure(rows, 3).nnz, graph_sparse_structure(rows, 3).nnz
    (5, 4)
    """
    row_sums, k = _checked_row_sums(row_sums, n_partitions)
    n = row_sums.size
    labels = _classes(row_sums, k)
    states = np.prod(np.bincount(labels).astype(np.float64) + 1.0)
    if states <= MAX_EXACT_GROUPING_STATES:
        order = _exact_group_order(row_sums, labels, k)
    else:
        order = _heuristic_group_order(row_sums - np.floor(row_sums), k)
    grouped = _segments(row_sums[order], k)
    inverse = np.empty(n, dtype=np.int64)
    inverse[order] = np.arange(n)
    grouped = scipy.sparse.csr_array(grouped[inverse])
    plain = _segments(row_sums, k)
    return grouped if grouped.nnz < plain.nnz else plain


def support_components(matrix) -> int:
    """``L``: connected components of the bipartite worker-partition graph of ``matrix``'s nonzeros.

    An isolated worker (an empty row) or partition (an empty column) counts as a component.

    Examples
    --------
    >>> support_components([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    3
    """
    matrix = scipy.sparse.csr_array(matrix if scipy.sparse.issparse(matrix) else real_array(matrix, "matrix", ndim=2))
    matrix.eliminate_zeros()
    n, k = matrix.shape
    support = scipy.sparse.csr_array((np.ones(matrix.nnz), matrix.indices, matrix.indptr), shape=(n, k))
    graph = scipy.sparse.block_array([[None, support], [support.T, None]], format="csr")
    return int(connected_components(graph, directed=False)[0])


def component_computation_load(matrix) -> float:
    """Eq. 34: ``(1 / n) sum_l (|R_l| + |C_l| - 1) = (n + k - L) / n`` for ``matrix``'s components.

    The average computation load of the sparsest matrix with the same component decomposition;
    ``matrix.nnz / n`` equals it exactly when every component is a tree (as in both constructions).

    Examples
    --------
    >>> component_computation_load(graph_sparse_structure([0.5, 1.0, 0.5, 1.0], 3))
    1.0
    """
    matrix = scipy.sparse.csr_array(matrix if scipy.sparse.issparse(matrix) else real_array(matrix, "matrix", ndim=2))
    n, k = matrix.shape
    return (n + k - support_components(matrix)) / n
