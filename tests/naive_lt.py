"""Slow, obviously-correct LT references: set-based peeling and exact rank checks."""

from __future__ import annotations

from fractions import Fraction


def naive_peel(rows: list[list[int]], k: int) -> set[int]:
    """Sources recovered by repeatedly releasing any row with exactly one unknown neighbour."""
    known: set[int] = set()
    progress = True
    while progress:
        progress = False
        for row in rows:
            unknown = set(row) - known
            if len(unknown) == 1:
                known |= unknown
                progress = True
    return known


def naive_peel_payloads(rows, payloads, cancel):
    """Peeled source payloads: ``x_j = cancel(c_i, others)`` for each releasing row, by plain loops."""
    values = {}
    progress = True
    while progress:
        progress = False
        for row, payload in zip(rows, payloads):
            unknown = set(row) - set(values)
            if len(unknown) == 1:
                (j,) = unknown
                value = payload
                for other in row:
                    if other != j:
                        value = cancel(value, values[other])
                values[j] = value
                progress = True
    return values


def _gf2_reduce(basis: dict[int, int], vector: int) -> int:
    while vector:
        top = vector.bit_length() - 1
        if top not in basis:
            return vector
        vector ^= basis[top]
    return 0


def gf2_determined(rows: list[list[int]], k: int) -> set[int]:
    """Sources ``j`` whose unit vector ``e_j`` lies in the GF(2) row space of the rows."""
    basis: dict[int, int] = {}
    for row in rows:
        vector = 0
        for j in row:
            vector ^= 1 << j
        vector = _gf2_reduce(basis, vector)
        if vector:
            basis[vector.bit_length() - 1] = vector
    return {j for j in range(k) if _gf2_reduce(basis, 1 << j) == 0}


def real_determined(rows: list[list[int]], k: int) -> set[int]:
    """Sources ``j`` with ``e_j`` in the real row space of the 0/1 rows (exact, with fractions)."""
    matrix = [[Fraction(int(j in set(row))) for j in range(k)] for row in rows]
    pivots = []
    rank = 0
    for col in range(k):
        pivot = next((r for r in range(rank, len(matrix)) if matrix[r][col] != 0), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        scale = matrix[rank][col]
        matrix[rank] = [value / scale for value in matrix[rank]]
        for r in range(len(matrix)):
            if r != rank and matrix[r][col] != 0:
                factor = matrix[r][col]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[rank])]
        pivots.append(col)
        rank += 1
    free = set(range(k)) - set(pivots)
    return {col for r, col in enumerate(pivots) if all(matrix[r][f] == 0 for f in free)}
