"""Polynomial codes over GF(p): PolynomialGC's NTT path (issue 14) against its dense path, and LCC.

PolynomialGC over ``NTT_PRIME = 15 * 2^27 + 1`` with ``s = 1000`` stragglers (``s = n/2`` below
``n = 2000``), ``d = 8`` gradient coordinates at scale ``2^8``: encode all ``n`` messages, then
decode the exact sum from a random set of ``n - s`` of them (a fresh code, so the decoding weights
are computed, not read from the cache). Acceptance: encode + decode under 10 s and peak memory under
1 GB at ``n = 65,536``. The dense path (``n x n`` matrix) is the reference where it fits
(``n <= 4096``): ``track_dense_ratio`` is its encode + decode time over the fast path's.
``setup`` runs each path once at a small size so that numba compilation stays out of the figures.
"""

import numpy as np

from codedml.codes.computation.lagrange import LagrangeCodedComputing
from codedml.codes.gradient.polynomial import PolynomialGC
from codedml.kernels.ntt import NTT_PRIME

from .timing import best_seconds

WORKER_COUNTS = [1024, 4096, 16384, 65536]
STRAGGLERS = 1000
DIMENSION = 8
SCALE = 2.0**8
DENSE_LIMIT = 4096


def stragglers(n):
    return STRAGGLERS if STRAGGLERS < n // 2 else n // 2


def encode_decode(n, algorithm, partials, survivors):
    """Build the code, encode, decode from ``survivors``; check the exact fixed-point sum."""
    code = PolynomialGC(n, stragglers(n), field=NTT_PRIME, scale=SCALE, algorithm=algorithm)
    messages = code.encode(partials)
    decoded = code.decode_integers(survivors, messages[survivors])
    return decoded


def warm_up():
    for algorithm in ("fast", "dense"):
        partials = np.ones((64, 1))
        encode_decode(64, algorithm, partials, np.arange(40))


class PolynomialGCFast:
    """PolynomialGC GF(p), NTT path: encode + decode at n workers, s = 1000."""

    params = WORKER_COUNTS
    param_names = ["n"]
    timeout = 300

    def setup(self, n):
        warm_up()
        rng = np.random.default_rng(n)
        self.partials = rng.normal(size=(n, DIMENSION))
        self.survivors = np.sort(rng.permutation(n)[: n - stragglers(n)])
        expected = np.rint(self.partials * SCALE).astype(np.int64).sum(axis=0)
        assert np.array_equal(encode_decode(n, "fast", self.partials, self.survivors), expected)

    def time_encode_decode(self, n):
        encode_decode(n, "fast", self.partials, self.survivors)

    def peakmem_encode_decode(self, n):
        encode_decode(n, "fast", self.partials, self.survivors)

    def track_dense_ratio(self, n):
        if n > DENSE_LIMIT:
            return float("nan")
        fast = best_seconds(lambda: encode_decode(n, "fast", self.partials, self.survivors))
        dense = best_seconds(lambda: encode_decode(n, "dense", self.partials, self.survivors), repeats=1)
        return dense / fast

    track_dense_ratio.unit = "dense / fast"


class LagrangeCoded:
    """LCC GF(2^31 - 1), f of degree 2: encode + decode with K workers and k = K / 4 blocks of 8 values."""

    params = [256, 1024, 2048]
    param_names = ["n_workers"]
    timeout = 300

    def setup(self, n_workers):
        self.k = n_workers // 4
        self.code = LagrangeCodedComputing(n_workers, self.k, 2)
        self.blocks = np.random.default_rng(n_workers).integers(0, self.code.p, (self.k, 8))
        self.received = np.arange(n_workers - self.code.recovery_threshold, n_workers)
        self.results = np.ascontiguousarray(self.code.encode(self.blocks)[self.received])  # stand-ins for f(u)
        LagrangeCodedComputing(16, 4, 2).decode(np.arange(16), np.zeros((16, 2), dtype=np.int64))

    def time_encode(self, n_workers):
        self.code.encode(self.blocks)

    def time_decode(self, n_workers):
        self.code.decode(self.received, self.results)
