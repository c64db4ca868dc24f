"""Naive partial recovery: exhaustive search over partition sets by dense linear algebra (small M only).

Independent of the library's rules (thresholds, union-find, peeling, reduced echelon kernels): a
vector ``v`` is determined by coefficient rows ``B`` iff ``v`` lies in their row space, tested by
projecting on an SVD basis of ``B``.
"""

import itertools

import numpy as np

RANK_TOLERANCE = 1e-9
SPAN_TOLERANCE = 1e-7


def row_space_residuals(rows, vectors):
    """``|v - P v|`` for each column ``v`` of ``vectors`` (``P``: projector on the row space of ``rows``)."""
    if rows.shape[0] == 0:
        return np.abs(vectors).max(axis=0)
    _, singular, vt = np.linalg.svd(rows, full_matrices=False)
    basis = vt[singular > RANK_TOLERANCE * max(singular.max(), 1.0)]
    return np.abs(vectors - basis.T @ (basis @ vectors)).max(axis=0)


def subset_indicators(n_partitions):
    """All non-empty subsets of ``range(M)`` as columns of a 0/1 matrix, and their sizes."""
    subsets = np.array(list(itertools.product((0.0, 1.0), repeat=n_partitions))[1:]).T
    return subsets, subsets.sum(axis=0).astype(int)


def naive_covered(rows, target):
    """Largest covered set: every ``e_j`` in the span (product), or a largest ``S`` with ``1_S`` in it (sum).

    Returns ``(size, sets)``: its size and, for the sum, every set of that size in the span.
    """
    n_partitions = rows.shape[1]
    if target == "product":
        inside = row_space_residuals(rows, np.eye(n_partitions)) <= SPAN_TOLERANCE
        return int(inside.sum()), [np.flatnonzero(inside)]
    subsets, sizes = subset_indicators(n_partitions)
    inside = row_space_residuals(rows, subsets) <= SPAN_TOLERANCE
    if not inside.any():
        return 0, [np.zeros(0, dtype=int)]
    best = sizes[inside].max()
    return int(best), [np.flatnonzero(subsets[:, k]) for k in np.flatnonzero(inside & (sizes == best))]


def dense_partial_decode(rows, coded, covered, target):
    """Least-squares decoding of the covered partitions: ``sum_S g`` (sum) or each ``g_j`` (product)."""
    if target == "sum":
        weights = np.linalg.lstsq(rows.T, covered.astype(float), rcond=None)[0]
        return weights @ coded
    return (np.linalg.pinv(rows) @ coded)[covered]
