"""Sparse (CSR) products and transposes: the inner loop of every encoder.

Over the reals (:func:`csr_matmul`, :func:`csr_rows_left_multiply`) and over ``GF(2)`` on rows of
unsigned words (:func:`xor_of_rows`); :func:`csr_transpose` gives the column view of a pattern.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def csr_matmul(indptr, indices, data, dense):
    """Return ``B @ dense`` for ``B`` given in CSR form.

    Parameters
    ----------
    indptr, indices, data : ndarray
        CSR arrays of ``B`` (``n_rows + 1``, ``nnz``, ``nnz``).
    dense : ndarray, shape (n_cols, d)
        Right-hand factor, one row per partition.

    Returns
    -------
    ndarray, shape (n_rows, d)
    """
    n_rows = indptr.shape[0] - 1
    d = dense.shape[1]
    out = np.zeros((n_rows, d), dtype=dense.dtype)
    for row in range(n_rows):
        for ptr in range(indptr[row], indptr[row + 1]):
            col = indices[ptr]
            weight = data[ptr]
            for t in range(d):
                out[row, t] += weight * dense[col, t]
    return out


@njit(cache=True, nogil=True)
def csr_rows_left_multiply(indptr, indices, data, rows, coefficients, n_cols):
    """Return ``coefficients @ B[rows]`` (a combination of selected CSR rows).

    Parameters
    ----------
    indptr, indices, data : ndarray
        CSR arrays of ``B``.
    rows : ndarray of int64
        Selected row indices.
    coefficients : ndarray of float64
        One coefficient per selected row.
    n_cols : int
        Number of columns of ``B``.
    """
    out = np.zeros(n_cols)
    for t in range(rows.shape[0]):
        row = rows[t]
        c = coefficients[t]
        for ptr in range(indptr[row], indptr[row + 1]):
            out[indices[ptr]] += c * data[ptr]
    return out


@njit(cache=True, nogil=True)
def csr_transpose(indptr, indices, n_cols):
    """Transpose a CSR pattern: for each column, the rows that contain it (for an LT generator: for
    each source symbol, the coded symbols that list it).

    Parameters
    ----------
    indptr, indices : ndarray of int64
        CSR pattern of an ``n_rows x n_cols`` matrix.
    n_cols : int
        Number of columns.

    Returns
    -------
    t_indptr : ndarray of int64, shape (n_cols + 1,)
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
