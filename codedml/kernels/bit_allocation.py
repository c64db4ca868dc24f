"""Bit allocation across heterogeneous workers (seed section III-B), as compiled kernels.

Notation (seed / spec ``approximate-gc.md`` -> argument names): ``p_i`` -> ``probabilities[i]``
(worker ``i`` straggles with probability ``p_i``), ``B`` -> ``budget`` (total bits per coordinate),
``b_i`` -> ``bits[i]``, the scale of ``omega(b) = s / (2^(b-1) - 1)^2`` -> ``omega_scale``.

The objective every kernel maximises is

    ``U(b) = sum_i u_i(b_i)``,  ``u_i(0) = 0``,  ``u_i(b) = (1 - p_i) / (p_i + omega(b))`` for ``b >= 2``,

subject to ``sum_i b_i = budget`` and ``b_i in {0, 2, 3, ...}`` (``b_i = 1`` is forbidden: a
QSGD quantizer needs a sign bit and at least one magnitude bit). ``u_i(b_i) = c_i`` is the
weight of worker ``i`` in the optimal structure; a worker with ``b_i = 0`` does not
participate (``c_i = 0``). The residual error of the joint design is proportional to
``k^2 / U(b)``, so maximising ``U`` minimises it.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

#: Relative gain below which a one-bit swap is not taken (stops on floating-point noise).
SWAP_TOLERANCE = 1e-13


@njit(cache=True, nogil=True)
def worker_utility(probability, bits, omega_scale):
    """``u(b) = (1 - p) / (p + s / (2^(b-1) - 1)^2)``, ``0`` for ``b = 0`` and ``-inf`` for ``b = 1``."""
    if bits == 0:
        return 0.0
    if bits == 1:
        return -np.inf
    levels = 2.0 ** (bits - 1) - 1.0
    return (1.0 - probability) / (probability + omega_scale / (levels * levels))


@njit(cache=True, nogil=True)
def allocation_utility(probabilities, bits, omega_scale):
    """``U(b) = sum_i u_i(b_i)``."""
    total = 0.0
    for i in range(probabilities.shape[0]):
        total += worker_utility(probabilities[i], bits[i], omega_scale)
    return total


@njit(cache=True, nogil=True)
def dynamic_programming_allocation(probabilities, budget, omega_scale):
    """Optimal allocation by the Bellman recursion over residual bits (seed eq. 25).

    ``F(m, beta) = max_{x in {0, 2..beta}} F(m - 1, beta - x) + u_m(x)`` with ``F(0, 0) = 0``
    and ``F(0, beta > 0) = -inf`` (the whole budget is spent); the maximiser of every state is
    kept and the allocation is read back from ``F(n, budget)``. ``O(n B^2)`` time,
    ``O(n B)`` memory.

    Returns
    -------
    bits : ndarray of int64, shape (n,)
    """
    n = probabilities.shape[0]
    utility = np.empty(budget + 1)
    best = np.full(budget + 1, -np.inf)
    best[0] = 0.0
    previous = np.empty(budget + 1)
    choice = np.zeros((n, budget + 1), dtype=np.int32)
    for m in range(n):
        for x in range(budget + 1):
            utility[x] = worker_utility(probabilities[m], x, omega_scale)
        previous[:] = best
        for residual in range(budget + 1):
            value = previous[residual]  # x = 0: worker m idle
            arg = 0
            for x in range(2, residual + 1):
                candidate = previous[residual - x] + utility[x]
                if candidate > value:
                    value = candidate
                    arg = x
            best[residual] = value
            choice[m, residual] = arg
    bits = np.zeros(n, dtype=np.int64)
    residual = budget
    for m in range(n - 1, -1, -1):
        bits[m] = choice[m, residual]
        residual -= bits[m]
    return bits


@njit(cache=True, nogil=True)
def relaxed_bits(probability, multiplier, omega_scale):
    """Stationary point of the continuous relaxation for one worker at multiplier ``lambda``.

    The relaxation uses the smooth surrogate ``u(b) = (1 - p) / (p + s 4^(1 - b))`` (``2^(b-1)``
    levels instead of ``2^(b-1) - 1``). With ``y = 4^(b-1)`` its derivative is
    ``u'(b) = C y / (p y + s)^2``, ``C = 2 ln 2 (1 - p) s``, so ``u'(b) = lambda`` is the quadratic
    ``lambda p^2 y^2 + (2 lambda p s - C) y + lambda s^2 = 0``; the larger root is the concave
    branch. When ``lambda`` exceeds the largest slope ``C / (4 p s)`` the worker stays at 2 bits.
    """
    scale = 2.0 * math.log(2.0) * (1.0 - probability) * omega_scale
    discriminant = scale * (scale - 4.0 * multiplier * probability * omega_scale)
    if discriminant <= 0.0:
        return 2.0
    y = (scale - 2.0 * multiplier * probability * omega_scale + math.sqrt(discriminant)) / (
        2.0 * multiplier * probability * probability)
    return max(2.0, 1.0 + 0.5 * math.log2(y))


@njit(cache=True, nogil=True)
def repair_to_budget(probabilities, bits, budget, omega_scale):
    """Make ``sum(bits) == budget`` in place, one bit at a time, keeping every ``bits >= 2``.

    Adds a bit where it gains most while the sum is short, removes one where it costs least
    (among workers above 2 bits) while the sum exceeds the budget.
    """
    total = 0
    for i in range(bits.shape[0]):
        total += bits[i]
    while total != budget:
        best = -1
        best_change = -np.inf if total < budget else np.inf
        for i in range(bits.shape[0]):
            if total < budget:
                change = (worker_utility(probabilities[i], bits[i] + 1, omega_scale)
                          - worker_utility(probabilities[i], bits[i], omega_scale))
                if change > best_change:
                    best_change, best = change, i
            elif bits[i] > 2:
                change = (worker_utility(probabilities[i], bits[i], omega_scale)
                          - worker_utility(probabilities[i], bits[i] - 1, omega_scale))
                if change < best_change:
                    best_change, best = change, i
        if total < budget:
            bits[best] += 1
            total += 1
        else:
            bits[best] -= 1
            total -= 1


@njit(cache=True, nogil=True)
def rounded_relaxation(probabilities, budget, omega_scale):
    """Continuous relaxation over all given workers (each ``>= 2`` bits), rounded and repaired.

    Bisection on ``log lambda`` until the relaxed bits sum to ``budget`` within 0.01 bit, then
    nearest-integer rounding and :func:`repair_to_budget`. Needs ``budget >= 2 len(probabilities)``.
    """
    n = probabilities.shape[0]
    bits = np.full(n, 2, dtype=np.int64)
    if budget == 2 * n:
        return bits
    # lambda at and above which every worker sits at 2 bits: the largest slope C / (4 p s)
    high = 0.0
    for i in range(n):
        high = max(high, 2.0 * math.log(2.0) * (1.0 - probabilities[i]) / (4.0 * probabilities[i]))
    log_high = math.log(high)
    log_low = log_high - 200.0
    continuous = np.empty(n)
    for _ in range(200):
        log_mid = 0.5 * (log_low + log_high)
        multiplier = math.exp(log_mid)
        total = 0.0
        for i in range(n):
            continuous[i] = relaxed_bits(probabilities[i], multiplier, omega_scale)
            total += continuous[i]
        if abs(total - budget) < 0.01:
            break
        if total > budget:
            log_low = log_mid
        else:
            log_high = log_mid
    for i in range(n):
        bits[i] = max(2, math.floor(continuous[i] + 0.5))
    repair_to_budget(probabilities, bits, budget, omega_scale)
    return bits


@njit(cache=True, nogil=True)
def equal_allocation(n_active, budget):
    """``budget`` split over ``n_active`` workers, sizes differing by at most one (extras first)."""
    bits = np.full(n_active, budget // n_active, dtype=np.int64)
    bits[: budget % n_active] += 1
    return bits


@njit(cache=True, nogil=True)
def one_bit_swaps(probabilities, bits, omega_scale):
    """Local search in place: move one bit from ``i`` to ``j`` while the best such move gains.

    The best move takes the largest gain ``u_j(b_j + 1) - u_j(b_j)`` and the smallest loss
    ``u_i(b_i) - u_i(b_i - 1)`` over ``i != j`` with ``b_i > 2``; ``O(n)`` per move.
    """
    n = bits.shape[0]
    gains = np.empty(n)
    losses = np.empty(n)
    for i in range(n):
        current = worker_utility(probabilities[i], bits[i], omega_scale)
        gains[i] = worker_utility(probabilities[i], bits[i] + 1, omega_scale) - current
        losses[i] = current - worker_utility(probabilities[i], bits[i] - 1, omega_scale) if bits[i] > 2 else np.inf
    objective = allocation_utility(probabilities, bits, omega_scale)
    while True:
        first = -1
        second = -1
        for j in range(n):  # the two largest gains, so that a receiver other than the donor exists
            if first < 0 or gains[j] > gains[first]:
                second = first
                first = j
            elif second < 0 or gains[j] > gains[second]:
                second = j
        donor = -1
        for i in range(n):
            if donor < 0 or losses[i] < losses[donor]:
                donor = i
        receiver = first if first != donor else second
        if receiver < 0 or not gains[receiver] - losses[donor] > SWAP_TOLERANCE * abs(objective):
            return
        objective += gains[receiver] - losses[donor]
        bits[receiver] += 1
        bits[donor] -= 1
        for i in (receiver, donor):
            current = worker_utility(probabilities[i], bits[i], omega_scale)
            gains[i] = worker_utility(probabilities[i], bits[i] + 1, omega_scale) - current
            losses[i] = (current - worker_utility(probabilities[i], bits[i] - 1, omega_scale)
                         if bits[i] > 2 else np.inf)


@njit(cache=True, nogil=True)
def low_complexity_allocation(probabilities, budget, omega_scale):
    """Algorithm 1 of the seed: best over nested active sets of the most reliable workers.

    Workers are sorted by ``p`` ascending. For each active-set size ``K' = 1..min(n, B // 2)``
    the ``K'`` most reliable workers get (1) the rounded Lagrangian relaxation
    (:func:`rounded_relaxation`) and (2) the equal allocation; (3) the better of the two
    under ``U`` is (4) refined by :func:`one_bit_swaps`. The best refined allocation over
    ``K'`` is returned (in the original worker order; inactive workers get 0 bits).
    """
    n = probabilities.shape[0]
    order = np.argsort(probabilities, kind="mergesort")
    sorted_probabilities = probabilities[order]
    best_bits = np.zeros(n, dtype=np.int64)
    best_value = -np.inf
    for n_active in range(1, min(n, budget // 2) + 1):
        active = sorted_probabilities[:n_active]
        relaxed = rounded_relaxation(active, budget, omega_scale)
        equal = equal_allocation(n_active, budget)
        if allocation_utility(active, relaxed, omega_scale) >= allocation_utility(active, equal, omega_scale):
            candidate = relaxed
        else:
            candidate = equal
        one_bit_swaps(active, candidate, omega_scale)
        value = allocation_utility(active, candidate, omega_scale)
        if value > best_value:
            best_value = value
            best_bits[:] = 0
            best_bits[order[:n_active]] = candidate
    return best_bits


@njit(cache=True, nogil=True)
def greedy_allocation(probabilities, budget, omega_scale):
    """Every worker starts at 2 bits; each further bit goes to the largest marginal gain."""
    n = probabilities.shape[0]
    bits = np.full(n, 2, dtype=np.int64)
    gains = np.empty(n)
    for i in range(n):
        gains[i] = worker_utility(probabilities[i], 3, omega_scale) - worker_utility(probabilities[i], 2, omega_scale)
    for _ in range(budget - 2 * n):
        best = 0
        for i in range(1, n):
            if gains[i] > gains[best]:
                best = i
        bits[best] += 1
        gains[best] = (worker_utility(probabilities[best], bits[best] + 1, omega_scale)
                       - worker_utility(probabilities[best], bits[best], omega_scale))
    return bits
