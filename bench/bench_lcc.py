"""Lagrange coded computing (LCC) over GF(2^31 - 1): encode and decode over node counts ``K``.

``K`` workers, ``k = K / 4`` blocks of 64 field elements, ``deg f = 2`` (recovery threshold
``K / 2 - 1``); decoding uses the highest-numbered threshold-many workers and returns
``sum_j f(X_j)`` (here ``f`` is the identity lifted to degree 2, so the sum of the blocks). ``K`` is
swept to 16,384 (a ``16384 x 4096`` encoding matrix, seconds to build and apply).

Anchors run in the same process on the same field elements: the encoding against python-flint's
``nmod_mat`` product (FLINT; galois's product took 20 s at ``K = 4096``), the decoding against
galois computing the same Lagrange coefficients
``c_i = sum_j prod_{t != i} (beta_j - alpha_t) / (alpha_i - alpha_t)`` with galois arrays and applying
them by a galois product. Converting to flint and galois's dense differences are too large at
``K = 16,384``, so the anchors stop at 4096. Ratios are codedml time / anchor time (below 1: codedml
faster). ``setup`` checks the decode (and galois's).

``LCCFast``: the same problem over ``NTT_PRIME = 15 * 2^27 + 1``, where the code takes its NTT path
(issue 14; no ``K x k`` matrix): construction, encoding and decoding from a random received set of
threshold size, timed together and as peak memory, ``K`` to 262,144 (seconds); ``track_dense_ratio`` is
the dense path's time over the fast path's on the same field elements where the dense path fits in
seconds (``K <= 4096``).
"""

import galois
import numpy as np

from codedml.codes.computation.lagrange import LagrangeCodedComputing
from codedml.kernels.ntt import NTT_PRIME

from .timing import best_seconds

COLUMNS = 64
ANCHOR_LARGEST_K = 4096
DENSE_LARGEST_K = 4096

try:
    import flint
except ImportError:  # bench extra not installed
    flint = None


def galois_lcc_decode(field, worker_points, data_points, used):
    """``sum_j f(X_j)`` from the results ``used`` of the workers at ``worker_points``, by galois arrays."""
    alpha, beta = field(worker_points), field(data_points)
    differences = alpha[:, None] - alpha[None, :]
    differences[np.diag_indices(alpha.size)] = 1
    denominators = np.multiply.reduce(differences, axis=1)
    node_values = np.multiply.reduce(beta[:, None] - alpha[None, :], axis=1)  # prod_t (beta_j - alpha_t)
    basis = node_values[None, :] / ((beta[None, :] - alpha[:, None]) * denominators[:, None])  # l_i(beta_j)
    return np.add.reduce(basis, axis=1) @ used


def lcc_problem(K):
    """An LCC code of ``K`` workers, its blocks, the received ids and their results (decode checked)."""
    code = LagrangeCodedComputing(K, K // 4, 2)
    blocks = np.random.default_rng(K).integers(0, code.p, (K // 4, COLUMNS))
    encoded = code.encode(blocks)
    received = np.arange(K - code.recovery_threshold, K)
    results = np.ascontiguousarray(encoded[received])
    assert np.array_equal(code.decode(received, results), blocks.sum(axis=0) % code.p)
    return code, blocks, received, results


class LCC:
    """LCC construction, encode and decode."""

    params = [256, 1024, 4096, 16384]
    param_names = ["K"]
    timeout = 600

    def setup(self, K):
        self.code, self.blocks, self.received, self.results = lcc_problem(K)

    def time_construct(self, K):
        LagrangeCodedComputing(K, K // 4, 2)

    def time_encode(self, K):
        self.code.encode(self.blocks)

    def time_decode(self, K):
        self.code.decode(self.received, self.results)


class LCCAgainstAnchors:
    """LCC encode against python-flint and decode against galois, on the same field elements."""

    params = [256, 1024, ANCHOR_LARGEST_K]
    param_names = ["K"]
    timeout = 600

    def setup(self, K):
        if flint is None:
            raise NotImplementedError("python-flint is not installed")
        self.code, self.blocks, self.received, self.results = lcc_problem(K)
        field = galois.GF(self.code.p)
        used = field(self.results)
        self.galois_decode = lambda: galois_lcc_decode(field, self.code.worker_points[self.received],
                                                       self.code.data_points, used)
        assert np.array_equal(self.galois_decode(), self.code.decode(self.received, self.results))
        self.flint_matrix, self.flint_blocks = (flint.nmod_mat(*array.shape, [int(v) for v in array.ravel()],
                                                               self.code.p)
                                                for array in (self.code.encoding_matrix, self.blocks))

    def track_encode_ratio_to_flint(self, K):
        ours = best_seconds(lambda: self.code.encode(self.blocks), 3)
        return ours / best_seconds(lambda: self.flint_matrix * self.flint_blocks, 3)

    track_encode_ratio_to_flint.unit = "x"

    def track_decode_ratio_to_galois(self, K):
        ours = best_seconds(lambda: self.code.decode(self.received, self.results), 3)
        return ours / best_seconds(self.galois_decode, 1)

    track_decode_ratio_to_galois.unit = "x"


def lcc_encode_decode(K, algorithm, blocks, received):
    """Build the ``NTT_PRIME`` code, encode, decode from ``received`` (the results stand in for ``f(u)``)."""
    code = LagrangeCodedComputing(K, K // 4, 2, p=NTT_PRIME, algorithm=algorithm)
    encoded = code.encode(blocks)
    return code.decode(received, encoded[received])


class LCCFast:
    """LCC over NTT_PRIME, NTT path: construct + encode + decode with K workers, k = K / 4 blocks of 64 values."""

    params = [1024, 4096, 16384, 65536, 262144]
    param_names = ["K"]
    timeout = 600

    def setup(self, K):
        lcc_encode_decode(64, "fast", np.ones((16, 2), dtype=np.int64), np.arange(31))  # compile outside timing
        rng = np.random.default_rng(K)
        self.blocks = rng.integers(0, NTT_PRIME, (K // 4, COLUMNS))
        self.received = rng.permutation(K)[: 2 * (K // 4) - 1]
        decoded = lcc_encode_decode(K, "fast", self.blocks, self.received)
        assert np.array_equal(decoded, self.blocks.sum(axis=0) % NTT_PRIME)

    def time_encode_decode(self, K):
        lcc_encode_decode(K, "fast", self.blocks, self.received)

    def peakmem_encode_decode(self, K):
        lcc_encode_decode(K, "fast", self.blocks, self.received)

    def track_dense_ratio(self, K):
        if K > DENSE_LARGEST_K:
            return float("nan")
        fast = best_seconds(lambda: lcc_encode_decode(K, "fast", self.blocks, self.received))
        dense = best_seconds(lambda: lcc_encode_decode(K, "dense", self.blocks, self.received), repeats=1)
        return dense / fast

    track_dense_ratio.unit = "dense / fast"
