"""Approximate gradient codes: encode (``B @ partials``) and decode (one iteration's weighted sum, decoding
vector included) over node counts ``n``, against scipy/numpy doing the same algebra.

Every worker straggles with probability 0.2 (OSGC: ``p`` from 0.1 to 0.4); partial gradients have 16
columns; decoding uses one fixed random survivor set and recomputes its decoding vector each time
(the cache is cleared). Sizes are swept to 10^6 workers for the sparse codes; ``BernoulliGC``
draws a dense ``n x n`` support (stops at 10^4) and ``OptimalDecodingGC`` solves a dense least-squares
problem per survivor set (stops at 1024; calibrated with 8 draws, since its calibration is not
timed).

Anchors run in the same process on the same arrays: scipy's sparse product with the code's own
``B`` (encode) and numpy's dot of the decoding weights with the received messages (decode), or
numpy's ``lstsq`` for ``OptimalDecodingGC``'s least-squares weights (then the dot). Ratios are
codedml time / anchor time: what validation and bookkeeping cost above the bare algebra.
"""

import numpy as np
from threadpoolctl import threadpool_limits

from codedml.codes.gradient.approximate import (
    BernoulliGC,
    ErasureHeadGC,
    IgnoreStragglersSGD,
    OptimalDecodingGC,
    OptimallyStructuredGC,
    StochasticGC,
)

from .timing import best_seconds

COLUMNS = 16
STRAGGLE = 0.2
LARGEST = {"BernoulliGC": 10_000}


def build(name, n):
    p = np.full(n, STRAGGLE)
    if name == "IgnoreStragglersSGD":
        return IgnoreStragglersSGD(p)
    if name == "BernoulliGC":
        return BernoulliGC(p, 3, seed=0)
    if name == "StochasticGC":
        return StochasticGC(p, 3)
    if name == "ErasureHeadGC":
        return ErasureHeadGC(p, 4)
    if name == "OptimallyStructuredGC":
        return OptimallyStructuredGC(np.linspace(0.1, 0.4, n))
    return OptimalDecodingGC(p, 3, seed=0, calibration_draws=8)


class _Codec:
    """One code's encode and fresh decode, and the same algebra done by scipy/numpy."""

    def setup(self, name, n):
        if n > LARGEST.get(name, n):
            raise NotImplementedError(f"{name} stops at n = {LARGEST[name]} (dense support)")
        threadpool_limits(limits=1, user_api="blas")
        self.code = build(name, n)
        rng = np.random.default_rng(n)
        self.partials = rng.standard_normal((self.code.n_partitions, COLUMNS))
        messages = self.code.encode(self.partials)
        self.received = np.flatnonzero(rng.random(n) >= STRAGGLE)
        self.messages = np.ascontiguousarray(messages[self.received])
        self.weights = self.code.decoding_vector(self.received)[self.received]
        assert np.allclose(self.decode(), self.anchor_decode())
        assert np.allclose(messages, self.code.encoding_matrix @ self.partials)

    def decode(self):
        self.code.clear_cache()
        return self.code.decode(self.received, self.messages)

    def anchor_decode(self):
        return self.weights @ self.messages

    def time_encode(self, name, n):
        self.code.encode(self.partials)

    def time_decode(self, name, n):
        self.decode()

    def track_encode_ratio_to_scipy(self, name, n):
        ours = best_seconds(lambda: self.code.encode(self.partials), 3)
        return ours / best_seconds(lambda: self.code.encoding_matrix @ self.partials, 3)

    track_encode_ratio_to_scipy.unit = "x"

    def track_decode_ratio_to_numpy(self, name, n):
        return best_seconds(self.decode, 3) / best_seconds(self.anchor_decode, 3)

    track_decode_ratio_to_numpy.unit = "x"


class SparseApproximateCodes(_Codec):
    """The codes with sparse or fixed decoding weights."""

    params = [["IgnoreStragglersSGD", "StochasticGC", "ErasureHeadGC", "OptimallyStructuredGC", "BernoulliGC"],
              [1000, 10_000, 100_000, 1_000_000]]
    param_names = ["code", "n"]
    timeout = 300


class OptimalDecoding(_Codec):
    """``OptimalDecodingGC``: least-squares decoding weights per survivor set, against numpy ``lstsq``."""

    params = [["OptimalDecodingGC"], [64, 256, 1024]]
    param_names = ["code", "n"]
    timeout = 600

    def anchor_decode(self):
        support = self.code.support[self.received].T.astype(np.float64)
        weights = np.linalg.lstsq(support, np.ones(self.code.n_workers), rcond=None)[0]
        return weights @ self.messages
