"""Multi-message simulator speed: 10,000 iterations of every scheme, over the number of workers K.

Issue target: 10,000 iterations of K = 40, r = 10 for every scheme in under a minute. The
span-kernel reference (the general incremental elimination) is timed in the same run
against the fast rules (thresholds, union-find) on CPGC at K = 20 and 40.
"""

import numpy as np

from codedml.analysis import LagrangeCompletionModel
from codedml.codes import CPGC, GCMMC, MDSCodedComputationMMC, UncodedMMC
from codedml.sim import ShiftedExponential, simulate

WORKERS = [20, 40, 200, 1000]
ITERATIONS = 10_000
MODEL = ShiftedExponential(10.0, 0.01)


def make_scheme(name, K):
    r = 10 if K >= 40 else 4
    if name == "GC":
        return GCMMC.correlated(K, r, r, seed=0)
    if name == "GC-MMC-1":
        return GCMMC.correlated(K, r, max(1, r - 4), clusters=4 if K % 4 == 0 and K // 4 >= r else 1, seed=0)
    if name == "UC-MMC":
        return UncodedMMC(K, r)
    if name == "CPGC":
        return CPGC(K, 3, seed=0)
    if name == "MCC":
        return MDSCodedComputationMMC(K, K, 3)
    return LagrangeCompletionModel(K, r)


class Simulate:
    """Wall time of ``simulate`` for 10,000 iterations."""

    params = (["GC", "GC-MMC-1", "UC-MMC", "CPGC", "MCC", "LCC"], WORKERS)
    param_names = ["scheme", "K"]
    number = 1
    repeat = 1
    timeout = 600

    def setup(self, scheme, K):
        self.code = make_scheme(scheme, K)
        simulate(self.code, MODEL, 10, seed=0)  # compile

    def time_simulate_10000_iterations(self, scheme, K):
        simulate(self.code, MODEL, ITERATIONS, seed=1)


class FastRuleVersusSpan:
    """CPGC decodability: union-find rule against the general span kernel on the same arrivals."""

    params = [20, 40]
    param_names = ["K"]

    def setup(self, K):
        self.code = CPGC(K, 3, seed=0)
        self.order = np.argsort(np.random.default_rng(0).random((2000, self.code.n_messages)), axis=1)
        self.code.decodable_prefix(self.order[:2])
        self.code.span_prefix(self.order[:2])

    def time_union_find_rule(self, K):
        self.code.decodable_prefix(self.order)

    def time_span_kernel(self, K):
        self.code.span_prefix(self.order)
