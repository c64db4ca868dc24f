"""Row operations shared by the Gaussian eliminations over every field."""

from __future__ import annotations

from numba import njit


@njit(cache=True, nogil=True)
def first_nonzero_row(matrix, column, start):
    """Index of the first row ``>= start`` whose entry in ``column`` is nonzero, or -1."""
    for r in range(start, matrix.shape[0]):
        if matrix[r, column] != 0:
            return r
    return -1


@njit(cache=True, nogil=True)
def swap_rows(matrix, first, second, start):
    """Exchange rows ``first`` and ``second`` of ``matrix`` from column ``start`` on, in place."""
    for c in range(start, matrix.shape[1]):
        value = matrix[first, c]
        matrix[first, c] = matrix[second, c]
        matrix[second, c] = value
