"""Repetition codes: decoding-vector time and encode throughput as the node count grows.

Every ``setup`` calls the kernels once so that compilation stays out of ``time_*``;
``timeraw_*`` measures a cold start (import + cached-kernel load + first decode).
"""

import time

import numpy as np

from codedml.codes import CyclicRepetition, FractionalRepetition

NODE_COUNTS = [10, 100, 1000, 4000, 16000]
#: stragglers per node count: cyclic (even, for the cyclic-MDS construction) and fractional ((s + 1) | n)
CYCLIC_STRAGGLERS = {10: 2, 100: 2, 1000: 10, 4000: 40, 16000: 160}
FRACTIONAL_STRAGGLERS = {10: 4, 100: 4, 1000: 9, 4000: 39, 16000: 159}
#: Largest n at which the perturbed-DFT construction decodes within the benchmark's 1e-6 residual
#: (n = 16,000, s = 161: residual 4e-5, refused by the decoder).
PERTURBED_DFT_LIMIT = 4000
DIMENSION = 256


def make_code(family, n):
    if family == "fractional":
        return FractionalRepetition(n, FRACTIONAL_STRAGGLERS[n])
    if family == "cyclic-mds":
        return CyclicRepetition(n, CYCLIC_STRAGGLERS[n], construction="cyclic-mds")
    # banded elimination (odd s); its residual reaches ~2e-8 at n = 4000, above the default refusal
    # threshold: relax it here, since this suite measures time; accuracy is pinned by the tests
    if n > PERTURBED_DFT_LIMIT:
        raise NotImplementedError(f"perturbed-DFT cyclic repetition does not decode accurately at n = {n}")
    return CyclicRepetition(n, CYCLIC_STRAGGLERS[n] + 1, seed=0, construction="perturbed-dft",
                            residual_tolerance=1e-6)


def random_survivors(code, rng):
    return np.sort(rng.choice(code.n_workers, code.recovery_threshold, replace=False))


class DecodingVector:
    """Time to compute one decoding vector for a fresh random survivor set."""

    params = (["fractional", "cyclic-mds", "cyclic-perturbed-dft"], NODE_COUNTS)
    timeout = 300
    param_names = ["code", "n"]

    def setup(self, family, n):
        self.code = make_code(family, n)
        rng = np.random.default_rng(n)
        self.survivors = random_survivors(self.code, rng)
        self.code.decoding_vector(self.survivors)  # compile / load cached kernels

    def time_decoding_vector(self, family, n):
        self.code.clear_cache()
        self.code.decoding_vector(self.survivors)


class Encode:
    """Encode ``n`` partial gradients of dimension 256 (``B @ partials``, CSR kernel)."""

    params = (["fractional", "cyclic-mds"], NODE_COUNTS)
    param_names = ["code", "n"]

    def setup(self, family, n):
        self.code = make_code(family, n)
        self.partials = np.random.default_rng(0).standard_normal((n, DIMENSION))
        self.code.encode(self.partials)

    def time_encode(self, family, n):
        self.code.encode(self.partials)

    def track_encode_throughput_mb_per_s(self, family, n):
        start = time.perf_counter()
        repeats = max(1, 4000 // n)
        for _ in range(repeats):
            self.code.encode(self.partials)
        seconds = (time.perf_counter() - start) / repeats
        return self.partials.nbytes / seconds / 1e6

    track_encode_throughput_mb_per_s.unit = "MB/s"


class DecodingVersusLstsq:
    """The cyclic decoding vector against dense ``numpy.linalg.lstsq`` on the same ``B_I`` (same run)."""

    params = [1000, 4000]
    param_names = ["n"]
    number = 1
    repeat = 1
    timeout = 600

    def setup(self, n):
        self.code = CyclicRepetition(n, CYCLIC_STRAGGLERS[n], seed=0)  # default construction (perturbed-dft)
        self.survivors = random_survivors(self.code, np.random.default_rng(1))
        self.rows_t = self.code.encoding_matrix.toarray()[self.survivors].T.copy()
        self.code.decoding_vector(self.survivors)

    def time_lstsq_reference(self, n):
        np.linalg.lstsq(self.rows_t, np.ones(n), rcond=None)

    def track_speedup_over_lstsq(self, n):
        start = time.perf_counter()
        reference = np.linalg.lstsq(self.rows_t, np.ones(n), rcond=None)[0]
        lstsq_seconds = time.perf_counter() - start
        repeats = 20
        start = time.perf_counter()
        for _ in range(repeats):
            self.code.clear_cache()
            ours = self.code.decoding_vector(self.survivors)[self.survivors]
        ours_seconds = (time.perf_counter() - start) / repeats
        residual = np.max(np.abs(self.rows_t @ ours - 1.0))
        assert residual <= 1e-8 and np.all(np.isfinite(reference))
        return lstsq_seconds / ours_seconds

    track_speedup_over_lstsq.unit = "x"


def timeraw_cold_decode():
    return """
import numpy as np
from codedml.codes import CyclicRepetition
code = CyclicRepetition(1000, 10, construction="cyclic-mds")
code.decoding_vector(np.arange(990))
"""


class DecodeValidationOverhead:
    """Public ``decode`` (validated, cached decoding vector) against the same arithmetic unchecked.

    ``time_decode`` is comparable across commits (asv builds each commit, the benchmark is the same);
    ``track_validation_overhead_percent`` compares both paths in one run.
    """

    params = (["fractional", "cyclic-mds"], [1000, 4000])
    param_names = ["code", "n"]

    def setup(self, family, n):
        self.code = make_code(family, n)
        rng = np.random.default_rng(n)
        self.survivors = random_survivors(self.code, rng)
        self.messages = self.code.encode(rng.standard_normal((n, DIMENSION)))[self.survivors]
        self.vector = self.code.decoding_vector(self.survivors)[self.survivors]
        self.code.decode(self.survivors, self.messages)

    def time_decode(self, family, n):
        self.code.decode(self.survivors, self.messages)

    def time_decode_unvalidated(self, family, n):
        self.vector @ self.messages

    def track_validation_overhead_percent(self, family, n):
        def best(call, repeats=200):
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                call()
                times.append(time.perf_counter() - start)
            return min(times)
        validated = best(lambda: self.code.decode(self.survivors, self.messages))
        unvalidated = best(lambda: self.vector @ self.messages)
        return 100.0 * (validated - unvalidated) / unvalidated

    track_validation_overhead_percent.unit = "%"
