"""Brute-force bit allocation: every vector of per-worker bits in {0, 2, ..., B} summing to B."""

from __future__ import annotations

import itertools


def naive_utility(probabilities, bits, omega_scale):
    """``sum_i (1 - p_i) / (p_i + s / (2^(b_i - 1) - 1)^2)`` over workers with ``b_i > 0``."""
    total = 0.0
    for p, b in zip(probabilities, bits):
        if b > 0:
            total += (1 - p) / (p + omega_scale / (2 ** (b - 1) - 1) ** 2)
    return total


def naive_best_allocation(probabilities, budget, omega_scale):
    """The best objective and one maximiser, by exhaustive enumeration."""
    choices = [0] + list(range(2, budget + 1))
    best_value, best_bits = float("-inf"), None
    for bits in itertools.product(choices, repeat=len(probabilities)):
        if sum(bits) != budget:
            continue
        value = naive_utility(probabilities, bits, omega_scale)
        if value > best_value:
            best_value, best_bits = value, bits
    return best_value, best_bits
