"""Bit allocation: dynamic programming (optimal) against the seed's low-complexity algorithm, greedy and relaxation.

Every method solves the seed's problem (``b_i >= 2``, ``sum b_i = B``, ``b_i <= 32``; with the per-worker cap
the DP is ``O(n B)`` in practice) or, with ``allow_idle``, the variant with idle workers. All are compiled
kernels, so the race is fair. ``setup`` runs every kernel once so that
compilation stays out of ``time_*``. Instances follow the seed: ``p_i = exp(-mu_i (tau - 1))``,
``mu ~ U(0.1, 2)``, ``tau = 1.5``, budget ``B = 8 n``.
"""

import time

import numpy as np

from codedml.learn.bit_allocation import allocate_bits, allocation_objective

OMEGA_SCALE = 100.0


def instance(n):
    rng = np.random.default_rng(n)
    return np.exp(-rng.uniform(0.1, 2.0, n) * 0.5), 8 * n


class Allocate:
    """Time of one allocation per method and problem, ``B = 8 n``."""

    params = (["dp", "low-complexity", "greedy", "relaxation"], [10, 50, 200], [False, True])
    param_names = ["method", "n", "allow_idle"]

    def setup(self, method, n, allow_idle):
        self.probabilities, self.budget = instance(n)
        allocate_bits(self.probabilities, self.budget, OMEGA_SCALE, method, allow_idle=allow_idle)

    def time_allocate(self, method, n, allow_idle):
        allocate_bits(self.probabilities, self.budget, OMEGA_SCALE, method, allow_idle=allow_idle)

    def track_objective_relative_to_dp(self, method, n, allow_idle):
        optimum = allocation_objective(
            self.probabilities,
            allocate_bits(self.probabilities, self.budget, OMEGA_SCALE, "dp", allow_idle=allow_idle), OMEGA_SCALE)
        bits = allocate_bits(self.probabilities, self.budget, OMEGA_SCALE, method, allow_idle=allow_idle)
        return allocation_objective(self.probabilities, bits, OMEGA_SCALE) / optimum


class LowComplexityVersusDP:
    """Time of DP over the low-complexity algorithm's, same run, seed's problem (``B = 8 n``).

    Since the per-worker cap of 32 bits the DP no longer grows as ``B^2`` and is the faster of the two (the
    ratio is below 1); the benchmark keeps the comparison in the dashboard.
    """

    params = [10, 50, 200]
    param_names = ["n"]
    number = 1
    repeat = 1

    def setup(self, n):
        self.probabilities, self.budget = instance(n)
        for method in ("dp", "low-complexity"):
            allocate_bits(self.probabilities, self.budget, OMEGA_SCALE, method)

    def _seconds(self, method, repeats):
        start = time.perf_counter()
        for _ in range(repeats):
            allocate_bits(self.probabilities, self.budget, OMEGA_SCALE, method)
        return (time.perf_counter() - start) / repeats

    def track_speedup_over_dp(self, n):
        repeats = max(1, 2000 // n)
        return self._seconds("dp", max(1, repeats // 10)) / self._seconds("low-complexity", repeats)

    track_speedup_over_dp.unit = "x"
