"""Rateless (LT) coded computation: decoding ``W theta`` by peeling against a dense numpy solve
of the same received rows (same run), and the simulator's cost per iteration."""


import numpy as np

from codedml.codes.computation.rateless import RatelessCodedComputation
from codedml.sim import ShiftedExponential

from .timing import best_seconds

ETA = 0.3
N_WORKERS = 20


class Decode:
    """Recover ``W theta`` (``M`` row-products) from the first row-products that peel."""

    params = [500, 2000]
    param_names = ["M"]
    timeout = 300

    def setup(self, M):
        self.scheme = RatelessCodedComputation(N_WORKERS, M, ETA, seed=M)
        rng = np.random.default_rng(0)
        W, theta = rng.standard_normal((M, 64)), rng.standard_normal(64)
        self.expected = W @ theta
        products = self.scheme.row_products(self.scheme.encode(W), theta)
        order = np.argsort(self.scheme.arrival_times(rng.exponential(1.0, N_WORKERS)), kind="stable")
        needed = self.scheme.completion_count(order)
        self.received = np.sort(order[:needed])
        self.products = np.ascontiguousarray(products[self.received])
        self.rows = self.scheme.code.generator[self.received].toarray().astype(np.float64)
        assert np.allclose(self.peel(), self.expected)
        assert np.allclose(self.dense(), self.expected)

    def peel(self):
        return self.scheme.decode(self.received, self.products, inactivation=False)

    def dense(self):
        return np.linalg.lstsq(self.rows, self.products[:, 0], rcond=None)[0]

    def time_peel(self, M):
        self.peel()

    def time_numpy_lstsq(self, M):
        self.dense()

    def track_speedup_over_numpy_lstsq(self, M):
        return best_seconds(self.dense) / best_seconds(self.peel)

    track_speedup_over_numpy_lstsq.unit = "x"

    def track_overhead_needed(self, M):
        return self.received.size / M - 1.0

    track_overhead_needed.unit = "fraction"


class Simulate:
    """Monte Carlo completion time: 200 iterations under ShiftedExponential(10, 0.01)."""

    params = [1000, 10_000]
    param_names = ["M"]
    timeout = 300

    def setup(self, M):
        self.scheme = RatelessCodedComputation(N_WORKERS, M, ETA, seed=M)
        self.unit_times = ShiftedExponential(10, 0.01).unit_times(200, N_WORKERS, np.random.default_rng(0))
        self.scheme.completion(self.unit_times[:1])

    def time_completion(self, M):
        self.scheme.completion(self.unit_times)
