"""Brute-force bit allocation: every vector of per-worker bits summing to B, in the seed's or the idle-allowed set."""

from __future__ import annotations

import itertools

#: Most bits per coordinate one worker may send (codedml.learn.quantize.MAX_BITS, restated).
NAIVE_MAX_BITS = 32


def naive_utility(probabilities, bits, omega_scale):
    """``sum_i (1 - p_i) / (p_i + s / (2^(b_i - 1) - 1)^2)`` over workers with ``b_i > 0``."""
    total = 0.0
    for p, b in zip(probabilities, bits):
        if b > 0:
            total += (1 - p) / (p + omega_scale / (2 ** (b - 1) - 1) ** 2)
    return total


def naive_feasible(bits, budget, allow_idle):
    """Whether ``bits`` is a feasible allocation: sum ``budget``, each in [2, 32] (or 0 if ``allow_idle``)."""
    return sum(bits) == budget and all(2 <= b <= NAIVE_MAX_BITS or (allow_idle and b == 0) for b in bits)


def naive_best_allocation(probabilities, budget, omega_scale, allow_idle=False):
    """The best objective and one maximiser, by exhaustive enumeration of the first n - 1 workers' bits."""
    choices = ([0] if allow_idle else []) + list(range(2, min(budget, NAIVE_MAX_BITS) + 1))
    best_value, best_bits = float("-inf"), None
    for head in itertools.product(choices, repeat=len(probabilities) - 1):
        bits = (*head, budget - sum(head))
        if not naive_feasible(bits, budget, allow_idle):
            continue
        value = naive_utility(probabilities, bits, omega_scale)
        if value > best_value:
            best_value, best_bits = value, bits
    return best_value, best_bits
