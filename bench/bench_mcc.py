"""MDS-coded computation (MCC, Lee et al.): encode ``W`` and decode ``W theta`` over node counts ``K``.

``K`` workers, ``M = K / 2`` partitions, ``r = 1`` (any ``K / 2`` workers decode), ``W`` with 8 rows a
partition and 64 columns; decoding uses the upper half of the workers (the lower half straggles).
Anchors run in the same process on the same matrices:

- real field: numpy's BLAS product (encode) and LAPACK ``solve`` of the same ``K/2 x K/2`` rows
  (decode), one BLAS thread for both sides. The default Chebyshev generator decodes within
  ``1e-6`` only up to ``K = 22`` (``REAL_FIELD_LIMIT``), so larger ``K`` use a seeded Gaussian
  generator (any ``K/2`` rows invertible with probability one, well conditioned);
- ``GF(2^31 - 1)``: python-flint's ``nmod_mat`` product and ``solve`` (FLINT) of the same field
  elements; ``K = 2048`` (a ``1024 x 1024`` solve) is the largest size decoded in about a second.

``MMC`` is the multi-message form (:class:`~codedml.codes.MDSCodedComputationMMC`, real Chebyshev
generator, ``r = 2``, ``M = K``) decoding from every other worker, the pattern that keeps its
Chebyshev rows well conditioned (the upper half fails its ``1e-8`` residual check from ``K = 10``),
against LAPACK ``solve`` of the received coefficient rows.
Ratios are codedml time / anchor time (below 1: codedml faster). ``setup`` runs every path once
(numba compiled, results checked).
"""

import numpy as np
from threadpoolctl import threadpool_limits

from codedml.codes.computation.mds import REAL_FIELD_LIMIT, MDSCodedComputation
from codedml.codes.multimessage.mds import MDSCodedComputationMMC

from .timing import best_seconds

try:
    import flint
except ImportError:  # bench extra not installed
    flint = None

ROWS_PER_PARTITION = 8
COLUMNS = 64


def mcc_problem(K, field):
    """An MCC code of ``K`` workers over ``field``, its ``W``, ``theta``, the received ids and their results."""
    rng = np.random.default_rng(K)
    M = K // 2
    generator = None if field != "real" or K <= REAL_FIELD_LIMIT else rng.standard_normal((K, M))
    code = MDSCodedComputation(K, M, 1, field=field, generator=generator)
    W = rng.uniform(-1.0, 1.0, (M * ROWS_PER_PARTITION, COLUMNS))
    theta = rng.uniform(-1.0, 1.0, COLUMNS)
    received = np.arange(K - M, K)
    results = np.ascontiguousarray(code.worker_products(code.encode(W), theta)[received])
    return code, W, theta, received, results


class RealMCC:
    """Real-field MCC encode and decode against BLAS/LAPACK on the same matrices."""

    params = [16, 256, 1024, 2048]
    param_names = ["K"]
    timeout = 300

    def setup(self, K):
        threadpool_limits(limits=1, user_api="blas")
        self.code, self.W, theta, self.received, self.results = mcc_problem(K, "real")
        self.blocks = self.W.reshape(K // 2, -1)
        self.rows = np.ascontiguousarray(self.code.generator[self.received])
        decoded = self.code.decode(self.received, self.results)
        assert np.allclose(decoded, self.W @ theta, atol=1e-6)

    def time_encode(self, K):
        self.code.encode(self.W)

    def time_decode(self, K):
        self.code.decode(self.received, self.results)

    def track_encode_ratio_to_blas(self, K):
        ours = best_seconds(lambda: self.code.encode(self.W), 3)
        return ours / best_seconds(lambda: self.code.generator @ self.blocks, 3)

    track_encode_ratio_to_blas.unit = "x"

    def track_decode_ratio_to_lapack_solve(self, K):
        ours = best_seconds(lambda: self.code.decode(self.received, self.results), 3)
        return ours / best_seconds(lambda: np.linalg.solve(self.rows, self.results), 3)

    track_decode_ratio_to_lapack_solve.unit = "x"


def _nmod_mat(array, p):
    return flint.nmod_mat(array.shape[0], array.shape[1], [int(v) for v in array.ravel()], p)


class PrimeFieldMCC:
    """MCC over GF(2^31 - 1) (exact, fixed point) against python-flint ``nmod_mat`` on the same elements."""

    params = [256, 1024, 2048]
    param_names = ["K"]
    timeout = 600

    def setup(self, K):
        self.code, self.W, theta, self.received, self.results = mcc_problem(K, "gfp")
        decoded = self.code.decode(self.received, self.results)
        scale = self.code.quantizer.scale
        expected = np.round(self.W * scale) @ np.round(theta * scale) / scale**2
        assert np.array_equal(decoded, expected)
        if flint is None:
            return
        p = self.code.quantizer.p
        blocks = self.code.quantizer.quantize(self.W.reshape(K // 2, -1))
        self.flint_generator, self.flint_blocks = _nmod_mat(self.code.generator, p), _nmod_mat(blocks, p)
        self.flint_rows = _nmod_mat(self.code.generator[self.received], p)
        self.flint_results = _nmod_mat(self.results, p)

    def time_encode(self, K):
        self.code.encode(self.W)

    def time_decode(self, K):
        self.code.decode(self.received, self.results)

    def track_encode_ratio_to_flint(self, K):
        if flint is None:
            raise NotImplementedError("python-flint is not installed")
        ours = best_seconds(lambda: self.code.encode(self.W), 3)
        return ours / best_seconds(lambda: self.flint_generator * self.flint_blocks, 3)

    track_encode_ratio_to_flint.unit = "x"

    def track_decode_ratio_to_flint_solve(self, K):
        if flint is None:
            raise NotImplementedError("python-flint is not installed")
        ours = best_seconds(lambda: self.code.decode(self.received, self.results), 3)
        return ours / best_seconds(lambda: self.flint_rows.solve(self.flint_results), 3)

    track_decode_ratio_to_flint_solve.unit = "x"


class MMC:
    """Multi-message MCC (one message per worker, ``r = 2``, ``M = K``) against LAPACK on the received rows."""

    params = [8, 32, 128, 512, 1024]
    param_names = ["K"]
    timeout = 120

    def setup(self, K):
        threadpool_limits(limits=1, user_api="blas")
        self.code = MDSCodedComputationMMC(K, K, 2)
        rng = np.random.default_rng(K)
        self.partials = rng.standard_normal((K, COLUMNS))
        coded = self.code.encode(self.partials)
        self.received = np.arange(0, K, 2)  # every other worker: 2 rows each, M rows
        offsets = self.code.schedule.row_offsets
        rows = np.concatenate([np.arange(offsets[i], offsets[i + 1]) for i in self.received])
        self.coded_rows = np.ascontiguousarray(coded[rows])
        self.coefficients = np.ascontiguousarray(self.code.schedule.rows[rows])
        assert np.allclose(self.code.decode(self.received, self.coded_rows), self.partials, atol=1e-6)

    def time_encode(self, K):
        self.code.encode(self.partials)

    def time_decode(self, K):
        self.code.decode(self.received, self.coded_rows)

    def track_decode_ratio_to_lapack_solve(self, K):
        ours = best_seconds(lambda: self.code.decode(self.received, self.coded_rows), 3)
        return ours / best_seconds(lambda: np.linalg.solve(self.coefficients, self.coded_rows), 3)

    track_decode_ratio_to_lapack_solve.unit = "x"
