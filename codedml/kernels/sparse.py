"""Sparse (CSR) products: the inner loop of every encoder."""

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
