"""Finite-field codes: Reed–Solomon throughput against zfec, pyeclib (ISA-L) and galois; dense solves against
galois and python-flint (FLINT's ``nmod_mat.solve``).

References run in the same process on the same data. ``setup`` calls every kernel once so that
compilation stays out of the measurements. Throughput is data bytes (``k`` shards) per second.
"""

import time

import galois
import numpy as np
from threadpoolctl import threadpool_limits

from codedml.codes.erasure.reed_solomon import ReedSolomon
from codedml.fields.galois_fields import binary_extension_field, prime_field
from codedml.kernels.gf2m import gf2m_solve
from codedml.kernels.gf2m_blocked import gf2m_solve_blocked
from codedml.kernels.gfp import gfp_solve
from codedml.kernels.gfp_blocked import gfp_solve_blocked

from .timing import best_seconds

try:
    import zfec
except ImportError:  # bench extra not installed
    zfec = None
try:
    from pyeclib.ec_iface import ECDriver
except ImportError:
    ECDriver = None
try:
    import flint
except ImportError:
    flint = None

DATA_SHARDS = 10
PARITY_SHARDS = 4
SHARD_BYTES = 1 << 20
LOST_DATA = list(range(PARITY_SHARDS))  # the worst case: as many data shards lost as there are parities


class ReedSolomonCodec:
    """One library's RS(14, 10) encoder and decoder on 1 MiB shards, warmed up."""

    def __init__(self, library, data):
        k, n = DATA_SHARDS, DATA_SHARDS + PARITY_SHARDS
        self.data = data
        survivors = [i for i in range(n) if i not in LOST_DATA]
        if library == "codedml":
            code = ReedSolomon(n, k)
            shards = code.encode(data)
            self.encode = lambda: code.encode(data)
            self.decode = lambda: code.decode(survivors, shards[survivors])
            self.check = lambda: np.array_equal(self.decode(), data)
        elif library == "zfec":
            if zfec is None:
                raise NotImplementedError("zfec is not installed")
            blocks = [row.tobytes() for row in data]
            encoder, decoder = zfec.Encoder(k, n), zfec.Decoder(k, n)
            shards = encoder.encode(blocks)
            received = [shards[i] for i in survivors[:k]]
            self.encode = lambda: encoder.encode(blocks)
            self.decode = lambda: decoder.decode(received, survivors[:k])
            self.check = lambda: b"".join(self.decode()) == data.tobytes()
        elif library == "pyeclib_isa_l":
            if ECDriver is None:
                raise NotImplementedError("pyeclib is not installed")
            driver = ECDriver(k=k, m=PARITY_SHARDS, ec_type="isa_l_rs_vand")
            payload = data.tobytes()
            fragments = driver.encode(payload)
            received = [fragments[i] for i in survivors]
            self.encode = lambda: driver.encode(payload)
            self.decode = lambda: driver.decode(received)
            self.check = lambda: self.decode() == payload
        elif library == "galois":
            # RS(255, 251) over GF(2^8) shortened to (14, 10); one codeword per byte column
            code = galois.ReedSolomon(255, 255 - PARITY_SHARDS, field=galois.GF(2**8))
            messages = code.field(np.ascontiguousarray(data.T))
            self.encode = lambda: code.encode(messages)
            self.decode = None  # galois decodes errors, not erasures
            self.check = lambda: np.array_equal(np.asarray(self.encode())[:, :k], data.T)
        else:
            raise ValueError(library)
        assert self.check()


def make_data():
    return np.random.default_rng(0).integers(0, 256, (DATA_SHARDS, SHARD_BYTES), dtype=np.uint8)


class ReedSolomonEncode:
    """RS(14, 10) over GF(2^8), 1 MiB shards: encode throughput of each library."""

    params = ["codedml", "zfec", "pyeclib_isa_l", "galois"]
    param_names = ["library"]
    timeout = 300

    def setup(self, library):
        self.codec = ReedSolomonCodec(library, make_data())

    def track_encode_mb_per_s(self, library):
        return self.codec.data.nbytes / best_seconds(self.codec.encode, 1 if library == "galois" else 5) / 1e6

    track_encode_mb_per_s.unit = "MB/s"


class ReedSolomonDecode:
    """RS(14, 10) over GF(2^8), 1 MiB shards, data shards 0-3 lost: decode throughput.

    galois is absent: its ReedSolomon decodes errors, not erasures.
    """

    params = ["codedml", "zfec", "pyeclib_isa_l"]
    param_names = ["library"]
    timeout = 300

    def setup(self, library):
        self.codec = ReedSolomonCodec(library, make_data())

    def track_decode_mb_per_s(self, library):
        return self.codec.data.nbytes / best_seconds(self.codec.decode, 5) / 1e6

    track_decode_mb_per_s.unit = "MB/s"


class ReedSolomonVersusZfec:
    """codedml's RS(14, 10) throughput divided by zfec's and by pyeclib ISA-L's (same data, same run)."""

    params = [["zfec", "pyeclib_isa_l"], ["encode", "decode"]]
    param_names = ["reference", "operation"]
    timeout = 300

    def setup(self, reference, operation):
        data = make_data()
        self.ours = ReedSolomonCodec("codedml", data)
        self.reference = ReedSolomonCodec(reference, data)

    def track_speedup(self, reference, operation):
        ours = best_seconds(getattr(self.ours, operation), 5)
        theirs = best_seconds(getattr(self.reference, operation), 5)
        return theirs / ours

    track_speedup.unit = "x"


class DenseSolve:
    """Solve one dense random ``n x n`` system over GF(2^31 - 1) or GF(2^16) against galois's ``np.linalg.solve``.

    ``gfp`` is codedml's blocked solve (:func:`~codedml.kernels.gfp_blocked.gfp_solve_blocked`).
    """

    params = [["gfp", "gf2^16"], [64, 256, 1024, 2048]]
    param_names = ["field", "n"]
    number = 1
    repeat = 1
    timeout = 1800  # galois needs minutes at n = 2048

    def setup(self, field, n):
        rng = np.random.default_rng(n)
        if field == "gfp":
            p = prime_field().characteristic
            self.matrix = rng.integers(0, p, (n, n))
            self.rhs = rng.integers(0, p, (n, 1))
            self.gf = galois.GF(p)
            self.solve = lambda: gfp_solve_blocked(self.matrix, self.rhs, p)
        else:
            gf16 = binary_extension_field(16)
            self.matrix = rng.integers(0, 2**16, (n, n)).astype(np.uint16)
            self.rhs = rng.integers(0, 2**16, (n, 1)).astype(np.uint16)
            self.gf = galois.GF(2**16)
            self.solve = lambda: gf2m_solve(self.matrix, self.rhs, gf16.exp, gf16.log)
        assert self.solve()[1]

    def time_codedml_solve(self, field, n):
        self.solve()

    def track_speedup_over_galois(self, field, n):
        matrix, rhs = self.gf(self.matrix), self.gf(self.rhs)
        np.linalg.solve(matrix[:2, :2] + self.gf.Identity(2), rhs[:2])  # galois compiles its kernels once
        start = time.perf_counter()
        reference = np.linalg.solve(matrix, rhs)
        galois_seconds = time.perf_counter() - start
        ours_seconds = best_seconds(self.solve, 1)
        assert np.array_equal(np.asarray(reference), self.solve()[0])
        return galois_seconds / ours_seconds

    track_speedup_over_galois.unit = "x"


class PrimeFieldSolver:
    """One library's solve of a dense random system over GF(2^31 - 1) (one right-hand side), warmed up.

    ``codedml``: the blocked solve (float64 BLAS trailing updates); ``codedml_unblocked``: the
    scalar Gaussian elimination :func:`~codedml.kernels.gfp.gfp_solve`; ``flint``: python-flint's
    ``nmod_mat.solve`` (FLINT), timed without the conversion of the arrays to ``nmod_mat``.
    """

    def __init__(self, library, n):
        p = prime_field().characteristic
        rng = np.random.default_rng(n)
        self.matrix, self.rhs = rng.integers(0, p, (n, n)), rng.integers(0, p, (n, 1))
        if library == "codedml":
            self.solve = lambda: gfp_solve_blocked(self.matrix, self.rhs, p)[0]
        elif library == "codedml_unblocked":
            self.solve = lambda: gfp_solve(self.matrix, self.rhs, p)[0]
        elif library == "flint":
            if flint is None:
                raise NotImplementedError("python-flint is not installed")
            matrix, rhs = flint.nmod_mat(self.matrix.tolist(), p), flint.nmod_mat(self.rhs.tolist(), p)
            self.solve = lambda: matrix.solve(rhs)
        else:
            raise ValueError(library)
        self.solve()

    def solution(self):
        """The solution as an int64 column."""
        result = self.solve()
        if isinstance(result, np.ndarray):
            return result
        return np.array([int(value) for value in result.entries()], dtype=np.int64).reshape(-1, 1)


class PrimeFieldSolve:
    """GF(2^31 - 1) dense solve time: codedml blocked, codedml unblocked (n <= 1024) and python-flint."""

    params = [["codedml", "codedml_unblocked", "flint"], [256, 1024, 2048]]
    param_names = ["library", "n"]
    number = 1
    repeat = 3
    timeout = 300

    def setup(self, library, n):
        if library == "codedml_unblocked" and n > 1024:
            raise NotImplementedError("the scalar elimination needs ~10 s a solve at n = 2048")
        self.solver = PrimeFieldSolver(library, n)

    def time_solve(self, library, n):
        self.solver.solve()


class PrimeFieldSolveVersusFlint:
    """python-flint's ``nmod_mat.solve`` time over codedml's blocked solve (same system, same run, best of 3 each).

    ``blas_threads``: ``default`` leaves OpenBLAS its thread count, ``1`` pins it to one thread
    (FLINT runs on one thread unless told otherwise).
    """

    params = [[1024, 2048], ["default", "1"]]
    param_names = ["n", "blas_threads"]
    timeout = 300

    def setup(self, n, blas_threads):
        self.ours = PrimeFieldSolver("codedml", n)
        self.flint = PrimeFieldSolver("flint", n)
        assert np.array_equal(self.ours.solution(), self.flint.solution())

    def track_speedup_over_flint(self, n, blas_threads):
        with threadpool_limits(limits=None if blas_threads == "default" else 1, user_api="blas"):
            ours, theirs = np.inf, np.inf
            for _ in range(3):  # interleaved: both see the same load
                ours = min(ours, best_seconds(self.ours.solve, 1))
                theirs = min(theirs, best_seconds(self.flint.solve, 1))
        return theirs / ours

    track_speedup_over_flint.unit = "x"


class ReedSolomonWorstCaseRecovery:
    """RS(n, n/2) over GF(2^16), 64-byte shards: recover after the first n - k data shards are lost."""

    params = [256, 1024, 4096]
    param_names = ["n"]
    timeout = 300

    def setup(self, n):
        k = n // 2
        self.code = ReedSolomon(n, k, field="gf2^16")
        self.data = np.random.default_rng(n).integers(0, 256, (k, 64), dtype=np.uint8)
        shards = self.code.encode(self.data)
        self.received = np.arange(n - k, n)
        self.shards = shards[self.received]
        assert np.array_equal(self.code.decode(self.received, self.shards), self.data)

    def time_recover(self, n):
        self.code.decode(self.received, self.shards)


class BinaryFieldBlockedSolve:
    """GF(2^m) dense solve (one right-hand side): the blocked elimination (region multiply-adds per panel)
    against the unblocked table elimination, on the same random system; ``track_unblocked_ratio`` is the
    unblocked time over the blocked time (above 1: blocking pays)."""

    params = [[8, 16], [256, 1024, 2048]]
    param_names = ["degree", "n"]
    number = 1
    repeat = 3
    timeout = 600

    def setup(self, degree, n):
        self.field = binary_extension_field(degree)
        rng = np.random.default_rng(n)
        dtype = np.uint8 if degree == 8 else np.uint16
        self.matrix = rng.integers(0, 2**degree, (n, n)).astype(dtype)
        self.rhs = rng.integers(0, 2**degree, (n, 1)).astype(dtype)
        solution, nonsingular = self.blocked()
        assert nonsingular and np.array_equal(solution, self.unblocked()[0])

    def blocked(self):
        field = self.field
        return gf2m_solve_blocked(self.matrix, self.rhs, field.exp, field.log, field.degree, field.reduction)

    def unblocked(self):
        return gf2m_solve(self.matrix, self.rhs, self.field.exp, self.field.log)

    def time_blocked_solve(self, degree, n):
        self.blocked()

    def track_unblocked_ratio(self, degree, n):
        return best_seconds(self.unblocked, 2) / best_seconds(self.blocked, 2)

    track_unblocked_ratio.unit = "unblocked / blocked"
