"""Slow, obviously-correct fog-node references: set unions, indicator enumeration, protocol simulation."""

from __future__ import annotations

import itertools
import math
import random


def data_sets(holdings) -> list[set[int]]:
    """``D_f`` as Python sets from a boolean ``F x M`` holdings matrix."""
    return [{x for x, held in enumerate(row) if held} for row in holdings]


def brute_force_new_gradients(holdings, node: int, received) -> int:
    """Data that some received other node holds and ``node`` does not: ``|(∪ D_i) \\ D_f|``."""
    sets = data_sets(holdings)
    union: set[int] = set()
    for i, data in enumerate(sets):
        if i != node and received[i]:
            union |= data
    return len(union - sets[node])


def brute_force_overlap(holdings) -> list[list[float]]:
    """``gamma[a][b] = |D_a ∩ D_b| / |D_a|`` by set intersection."""
    sets = data_sets(holdings)
    return [[len(a & b) / len(a) for b in sets] for a in sets]


def enumerated_expected_new_gradients(holdings, node: int, straggling_probability: float) -> float:
    """``E[Delta]`` by summing the brute-force count over all ``2^(F-1)`` straggling patterns."""
    n_nodes = len(holdings)
    others = [i for i in range(n_nodes) if i != node]
    total = 0.0
    for pattern in itertools.product([False, True], repeat=len(others)):
        received = [False] * n_nodes
        probability = 1.0
        for i, arrived in zip(others, pattern):
            received[i] = arrived
            probability *= (1.0 - straggling_probability) if arrived else straggling_probability
        total += probability * brute_force_new_gradients(holdings, node, received)
    return total


def simulated_transmissions(holdings, straggling_probability: float, eta: float, n_runs: int, seed: int):
    """Monte Carlo (mean, standard error) of uncoded and coded broadcast transmissions, by plain loops.

    Uncoded: the lowest-indexed holder of each datum repeats it until every node lacking it
    has received one copy. Coded: the lowest-indexed holder of each datum is responsible for
    it; node ``i`` sends coded symbols until every other node ``f`` has received
    ``ceil((1 + eta) * |responsible_i \\ D_f|)`` of them. Each receiver loses each
    transmission independently with ``straggling_probability``.
    """
    rng = random.Random(seed)
    sets = data_sets(holdings)
    n_nodes = len(sets)
    n_data = len(holdings[0])
    responsible = [set() for _ in range(n_nodes)]
    for x in range(n_data):
        responsible[min(i for i in range(n_nodes) if x in sets[i])].add(x)
    quotas = [[math.ceil((1.0 + eta) * len(responsible[i] - sets[f]) - 1e-9) if f != i else 0
               for f in range(n_nodes)] for i in range(n_nodes)]

    def broadcast_until(needed: list[int]) -> int:
        got = [0] * len(needed)
        sent = 0
        while any(g < q for g, q in zip(got, needed)):
            sent += 1
            for r in range(len(needed)):
                if rng.random() >= straggling_probability:
                    got[r] += 1
        return sent

    uncoded, coded = [], []
    for _ in range(n_runs):
        uncoded.append(sum(broadcast_until([1] * sum(x not in data for data in sets)) for x in range(n_data)))
        coded.append(sum(broadcast_until(quotas[i]) for i in range(n_nodes)))

    def mean_and_error(values):
        mean = sum(values) / len(values)
        variance = sum((v - mean) ** 2 for v in values) / (len(values) - 1)
        return mean, math.sqrt(variance / len(values))

    return mean_and_error(uncoded), mean_and_error(coded)
