"""Slow, obviously-correct references for the sparse structures of the approximate codes (seed section V-C)."""

from fractions import Fraction

import numpy as np


def components(matrix) -> list[tuple[set, set]]:
    """Connected components ``(workers, partitions)`` of the bipartite graph of ``matrix``'s nonzeros, by search."""
    dense = np.asarray(matrix.toarray() if hasattr(matrix, "toarray") else matrix)
    n, k = dense.shape
    unseen = {("w", i) for i in range(n)} | {("p", j) for j in range(k)}
    found = []
    while unseen:
        start = min(unseen)
        stack, part = [start], {start}
        unseen.discard(start)
        while stack:
            side, index = stack.pop()
            if side == "w":
                neighbours = [("p", j) for j in range(k) if dense[index, j] != 0]
            else:
                neighbours = [("w", i) for i in range(n) if dense[i, index] != 0]
            for vertex in neighbours:
                if vertex in unseen:
                    unseen.discard(vertex)
                    part.add(vertex)
                    stack.append(vertex)
        found.append(({i for s, i in part if s == "w"}, {j for s, j in part if s == "p"}))
    return found


def eq34_load(matrix) -> float:
    """Eq. 34: ``(1 / n) sum_l (|R_l| + |C_l| - 1)`` over the components."""
    n = matrix.shape[0]
    return sum(len(rows) + len(cols) - 1 for rows, cols in components(matrix)) / n


def set_partitions(items: list):
    """Every partition of ``items`` into non-empty blocks."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for partition in set_partitions(rest):
        yield [[first]] + partition
        for b in range(len(partition)):
            yield partition[:b] + [[first] + partition[b]] + partition[b + 1:]


def most_integer_groups(row_sums: list[Fraction]) -> int:
    """The most blocks of a partition of the workers in which every block's row sum is an integer (exact)."""
    return max(len(partition) for partition in set_partitions(list(range(len(row_sums))))
               if all(sum(row_sums[i] for i in block).denominator == 1 for block in partition))
