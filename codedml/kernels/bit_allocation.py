"""Bit allocation across heterogeneous workers (seed section III-B), as compiled kernels.

Notation (seed / spec ``approximate-gc.md`` -> argument names): ``p_i`` -> ``probabilities[i]``
(worker ``i`` straggles with probability ``p_i``), ``B`` -> ``budget`` (total bits per coordinate),
``b_i`` -> ``bits[i]``, the scale of ``omega(b) = s / (2^(b-1) - 1)^2`` -> ``omega_scale``, the
quantizer's largest bits per coordinate -> ``max_bits``.

Every kernel maximises ``U(b) = sum_i u_i(b_i)`` with ``u_i(b) = (1 - p_i) / (p_i + omega(b))`` for
``b >= 2`` (``b = 1`` is infeasible: a QSGD quantizer needs a sign bit and a magnitude bit) subject to
``sum_i b_i = budget`` and ``b_i <= max_bits``, over one of two feasible sets chosen by ``allow_idle``:

- ``allow_idle=False``, the seed's problem (b-SP1): every ``b_i >= 2``, i.e. ``b_i = 2 + r_i`` with the
  residual bits ``r_i >= 0`` summing to ``B - 2n``;
- ``allow_idle=True``: ``b_i in {0, 2, 3, ...}``; ``u_i(0) = 0`` (an idle worker gets no data in the
  optimal structure).

``u_i(b_i) = c_i`` is the weight of worker ``i`` in the optimal structure; the residual error of the
joint design is proportional to ``k^2 / U(b)``, so maximising ``U`` minimises it.

Nested active sets. For fixed ``b``, ``u(b)`` and every increment ``u(b') - u(b)`` (``b' > b``) strictly
decrease in ``p``, so exchanging the bits of a more and a less reliable worker never hurts when the
more reliable one ends up with more: some optimal allocation gives bits in non-increasing order of
reliability. Hence the workers above the base allocation (``b_i > 2``, or ``b_i > 0`` when idling is
allowed) can be taken to be the ``K`` most reliable for some ``K``; Algorithm 1 searches these nested
sets, and so do the greedy and relaxation baselines when idling is allowed.
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
def dynamic_programming_allocation(probabilities, budget, omega_scale, max_bits, allow_idle):
    """Optimal allocation by the Bellman recursion over residual bits (seed eq. 25).

    Every worker starts at the base ``beta_0`` (2 bits, or 0 when ``allow_idle``) and the free budget
    ``R = B - beta_0 n`` is shared: ``F(m, rho) = max_x F(m - 1, rho - x) + u_m(beta_0 + x)`` over the
    feasible extras ``x`` (``0 <= x <= max_bits - 2`` in the seed's problem; ``x = 0`` or
    ``2 <= x <= max_bits`` when idling is allowed), ``F(0, 0) = 0``, ``F(0, rho > 0) = -inf``. The
    maximiser of every state is kept and the allocation is read back from ``F(n, R)``.
    ``O(n R min(R, max_bits))`` time, ``O(n R)`` memory. Needs a feasible budget.

    Returns
    -------
    bits : ndarray of int64, shape (n,)
    """
    n = probabilities.shape[0]
    base = 0 if allow_idle else 2
    free = budget - base * n
    largest = max_bits - base
    utility = np.empty(largest + 1)
    best = np.full(free + 1, -np.inf)
    best[0] = 0.0
    previous = np.empty(free + 1)
    choice = np.zeros((n, free + 1), dtype=np.int32)
    for m in range(n):
        for x in range(largest + 1):
            utility[x] = worker_utility(probabilities[m], base + x, omega_scale)  # -inf at b = 1
        previous[:] = best
        for residual in range(free + 1):
            value = -np.inf
            arg = 0
            for x in range(min(largest, residual) + 1):
                candidate = previous[residual - x] + utility[x]
                if candidate > value:
                    value = candidate
                    arg = x
            best[residual] = value
            choice[m, residual] = arg
    bits = np.full(n, base, dtype=np.int64)
    residual = free
    for m in range(n - 1, -1, -1):
        bits[m] += choice[m, residual]
        residual -= choice[m, residual]
    return bits


@njit(cache=True, nogil=True)
def marginal_gain(probability, bits, omega_scale, max_bits):
    """``u(b + 1) - u(b)``, ``-inf`` at ``b = max_bits`` (no further bit)."""
    if bits >= max_bits:
        return -np.inf
    return worker_utility(probability, bits + 1, omega_scale) - worker_utility(probability, bits, omega_scale)


@njit(cache=True, nogil=True)
def marginal_loss(probability, bits, omega_scale):
    """``u(b) - u(b - 1)``, ``inf`` at ``b <= 2`` (no bit can be taken)."""
    if bits <= 2:
        return np.inf
    return worker_utility(probability, bits, omega_scale) - worker_utility(probability, bits - 1, omega_scale)


@njit(cache=True, nogil=True)
def relaxed_bits(probability, multiplier, omega_scale, max_bits):
    """Stationary point of the continuous relaxation for one worker at multiplier ``lambda``.

    The relaxation uses the smooth surrogate ``u(b) = (1 - p) / (p + s 4^(1 - b))`` (``2^(b-1)``
    levels instead of ``2^(b-1) - 1``). With ``y = 4^(b-1)`` its derivative is
    ``u'(b) = C y / (p y + s)^2``, ``C = 2 ln 2 (1 - p) s``, so ``u'(b) = lambda`` is the quadratic
    ``lambda p^2 y^2 + (2 lambda p s - C) y + lambda s^2 = 0``; the larger root is the concave
    branch. When ``lambda`` exceeds the largest slope ``C / (4 p s)`` the worker stays at 2 bits;
    the result is clipped to ``[2, max_bits]``.
    """
    scale = 2.0 * math.log(2.0) * (1.0 - probability) * omega_scale
    discriminant = scale * (scale - 4.0 * multiplier * probability * omega_scale)
    if discriminant <= 0.0:
        return 2.0
    y = (scale - 2.0 * multiplier * probability * omega_scale + math.sqrt(discriminant)) / (
        2.0 * multiplier * probability * probability)
    return min(float(max_bits), max(2.0, 1.0 + 0.5 * math.log2(y)))


@njit(cache=True, nogil=True)
def repair_to_budget(probabilities, bits, budget, omega_scale, max_bits):
    """Make ``sum(bits) == budget`` in place, one bit at a time, keeping ``2 <= bits <= max_bits``.

    Adds a bit where it gains most while the sum is short, removes one where it costs least
    while the sum exceeds the budget.
    """
    total = 0
    for i in range(bits.shape[0]):
        total += bits[i]
    while total != budget:
        best = 0
        for i in range(1, bits.shape[0]):
            if total < budget:
                if (marginal_gain(probabilities[i], bits[i], omega_scale, max_bits)
                        > marginal_gain(probabilities[best], bits[best], omega_scale, max_bits)):
                    best = i
            elif marginal_loss(probabilities[i], bits[i], omega_scale) < marginal_loss(
                    probabilities[best], bits[best], omega_scale):
                best = i
        step = 1 if total < budget else -1
        bits[best] += step
        total += step


@njit(cache=True, nogil=True)
def rounded_relaxation(probabilities, budget, omega_scale, max_bits):
    """Continuous relaxation over all given workers (each in ``[2, max_bits]``), rounded and repaired.

    Bisection on ``log lambda`` until the relaxed bits sum to ``budget`` within 0.01 bit, then
    nearest-integer rounding and :func:`repair_to_budget`. Needs
    ``2 len(probabilities) <= budget <= max_bits len(probabilities)``.
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
            continuous[i] = relaxed_bits(probabilities[i], multiplier, omega_scale, max_bits)
            total += continuous[i]
        if abs(total - budget) < 0.01:
            break
        if total > budget:
            log_low = log_mid
        else:
            log_high = log_mid
    for i in range(n):
        bits[i] = min(max_bits, max(2, math.floor(continuous[i] + 0.5)))
    repair_to_budget(probabilities, bits, budget, omega_scale, max_bits)
    return bits


@njit(cache=True, nogil=True)
def greedy_fill(probabilities, budget, omega_scale, max_bits):
    """Every given worker starts at 2 bits; each further bit goes to the largest marginal gain."""
    n = probabilities.shape[0]
    bits = np.full(n, 2, dtype=np.int64)
    gains = np.empty(n)
    for i in range(n):
        gains[i] = marginal_gain(probabilities[i], 2, omega_scale, max_bits)
    for _ in range(budget - 2 * n):
        best = 0
        for i in range(1, n):
            if gains[i] > gains[best]:
                best = i
        bits[best] += 1
        gains[best] = marginal_gain(probabilities[best], bits[best], omega_scale, max_bits)
    return bits


@njit(cache=True, nogil=True)
def best_nested_active_set(probabilities, budget, omega_scale, max_bits, rounded):
    """A fixed-set baseline with idling allowed: the best of its allocations over nested active sets.

    For every ``K`` with ``2 K <= B <= max_bits K``, the ``K`` most reliable workers share the whole
    budget (:func:`rounded_relaxation` if ``rounded``, else :func:`greedy_fill`) and the rest are idle;
    the allocation with the largest ``U`` is returned (see the module docstring for why the nested
    sets suffice).
    """
    n = probabilities.shape[0]
    order = np.argsort(probabilities, kind="mergesort")
    ordered = probabilities[order]
    best_bits = np.zeros(n, dtype=np.int64)
    best_value = -np.inf
    for n_active in range(1, min(n, budget // 2) + 1):
        if budget > max_bits * n_active:
            continue
        active = ordered[:n_active]
        if rounded:
            candidate = rounded_relaxation(active, budget, omega_scale, max_bits)
        else:
            candidate = greedy_fill(active, budget, omega_scale, max_bits)
        value = allocation_utility(active, candidate, omega_scale)
        if value > best_value:
            best_value = value
            best_bits[:] = 0
            best_bits[order[:n_active]] = candidate
    return best_bits


@njit(cache=True, nogil=True)
def greedy_allocation(probabilities, budget, omega_scale, max_bits, allow_idle):
    """Greedy baseline: :func:`greedy_fill` over every worker, or over nested active sets if ``allow_idle``."""
    if allow_idle:
        return best_nested_active_set(probabilities, budget, omega_scale, max_bits, False)
    return greedy_fill(probabilities, budget, omega_scale, max_bits)


@njit(cache=True, nogil=True)
def relaxation_allocation(probabilities, budget, omega_scale, max_bits, allow_idle):
    """Relaxation baseline: :func:`rounded_relaxation` over every worker, or over nested active sets."""
    if allow_idle:
        return best_nested_active_set(probabilities, budget, omega_scale, max_bits, True)
    return rounded_relaxation(probabilities, budget, omega_scale, max_bits)


@njit(cache=True, nogil=True)
def equal_allocation(n_active, budget):
    """``budget`` split over ``n_active`` workers, sizes differing by at most one (extras first)."""
    bits = np.full(n_active, budget // n_active, dtype=np.int64)
    bits[: budget % n_active] += 1
    return bits


@njit(cache=True, nogil=True)
def one_bit_swaps(probabilities, bits, omega_scale, max_bits):
    """Local search in place: move one bit from ``i`` to ``j`` while the best such move gains.

    The best move maximises ``[u_j(b_j + 1) - u_j(b_j)] - [u_i(b_i) - u_i(b_i - 1)]`` over pairs
    ``i != j`` with ``b_i > 2`` and ``b_j < max_bits``: for each receiver ``j`` the donor is the
    smallest loss among the other workers (the two smallest losses are kept), ``O(n)`` per move.
    On return no single one-bit move gains.
    """
    n = bits.shape[0]
    gains = np.empty(n)
    losses = np.empty(n)
    for i in range(n):
        gains[i] = marginal_gain(probabilities[i], bits[i], omega_scale, max_bits)
        losses[i] = marginal_loss(probabilities[i], bits[i], omega_scale)
    objective = allocation_utility(probabilities, bits, omega_scale)
    while True:
        first = -1
        second = -1
        for i in range(n):  # the two smallest losses, so that every receiver has a donor other than itself
            if first < 0 or losses[i] < losses[first]:
                second = first
                first = i
            elif second < 0 or losses[i] < losses[second]:
                second = i
        receiver = -1
        donor = -1
        change = -np.inf
        for j in range(n):
            i = first if first != j else second
            if i >= 0 and gains[j] - losses[i] > change:
                change = gains[j] - losses[i]
                receiver = j
                donor = i
        if receiver < 0 or not change > SWAP_TOLERANCE * abs(objective):
            return
        objective += change
        bits[receiver] += 1
        bits[donor] -= 1
        for i in (receiver, donor):
            gains[i] = marginal_gain(probabilities[i], bits[i], omega_scale, max_bits)
            losses[i] = marginal_loss(probabilities[i], bits[i], omega_scale)


@njit(cache=True, nogil=True)
def low_complexity_allocation(probabilities, budget, omega_scale, max_bits, allow_idle):
    """Algorithm 1 of the seed: best over nested active sets of the most reliable workers.

    Workers are sorted by ``p`` ascending; the inactive ones stay at the base (2 bits, or 0 when
    ``allow_idle``). For each active-set size ``K'`` whose share ``B - base (n - K')`` fits in
    ``[2 K', max_bits K']``, the ``K'`` most reliable workers get (1) the rounded Lagrangian
    relaxation (:func:`rounded_relaxation`) and (2) the equal allocation of that share; (3) the better
    of the two under ``U`` is (4) refined by :func:`one_bit_swaps` within the active set. The best
    refined allocation over ``K'`` is returned in the original worker order. In the seed's problem the
    active workers are those given residual bits ``r_i > 0``; with idling allowed, those given any bits.
    """
    n = probabilities.shape[0]
    base = 0 if allow_idle else 2
    order = np.argsort(probabilities, kind="mergesort")
    ordered = probabilities[order]
    best_bits = np.full(n, base, dtype=np.int64)
    best_value = -np.inf
    candidate_bits = np.empty(n, dtype=np.int64)
    for n_active in range(1, n + 1):
        share = budget - base * (n - n_active)
        if share < 2 * n_active or share > max_bits * n_active:
            continue
        active = ordered[:n_active]
        relaxed = rounded_relaxation(active, share, omega_scale, max_bits)
        equal = equal_allocation(n_active, share)
        if allocation_utility(active, relaxed, omega_scale) >= allocation_utility(active, equal, omega_scale):
            candidate = relaxed
        else:
            candidate = equal
        one_bit_swaps(active, candidate, omega_scale, max_bits)
        candidate_bits[:] = base
        candidate_bits[order[:n_active]] = candidate
        value = allocation_utility(probabilities, candidate_bits, omega_scale)
        if value > best_value:
            best_value = value
            best_bits[:] = candidate_bits
    return best_bits
