"""Quick side-by-side checks with pytest-benchmark: ``pytest bench/ --benchmark-only`` (seconds).

RS(14, 10) over GF(2^8) with 1 MiB shards, encode and decode (data shards 0-3 lost), against
zfec and pyeclib's ISA-L backend; a dense GF(2^31 - 1) solve at n = 512 against galois and
python-flint, BLAS pinned to one thread as FLINT runs on one (on a busy 2-core machine each
multithreaded OpenBLAS call can wait milliseconds for its threads). Each group compares libraries
on the same data in the same process; a library that is not installed is skipped. Every result is
checked before it is timed. The asv suite (``bench/bench_gf.py``) holds the sweeps and the ratios.
"""

import galois
import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from bench.bench_gf import PrimeFieldSolver, ReedSolomonCodec, make_data
from codedml.fields.galois_fields import prime_field

SOLVE_SIZE = 512


@pytest.fixture(scope="module")
def data():
    return make_data()


@pytest.mark.parametrize("library", ["codedml", "zfec", "pyeclib_isa_l"])
@pytest.mark.parametrize("operation", ["encode", "decode"])
def test_reed_solomon_14_10(benchmark, data, library, operation):
    try:
        codec = ReedSolomonCodec(library, data)
    except NotImplementedError as missing:
        pytest.skip(str(missing))
    benchmark.group = f"RS(14, 10) GF(2^8) 1 MiB shards: {operation}"
    benchmark.pedantic(getattr(codec, operation), rounds=5, warmup_rounds=1)


@pytest.mark.parametrize("library", ["codedml", "flint", "galois"])
def test_prime_field_solve(benchmark, library):
    benchmark.group = f"GF(2^31 - 1) dense solve, n = {SOLVE_SIZE}"
    if library == "galois":
        reference = PrimeFieldSolver("codedml", SOLVE_SIZE)
        gf = galois.GF(prime_field().characteristic)
        matrix, rhs = gf(reference.matrix), gf(reference.rhs)
        np.linalg.solve(matrix[:2, :2] + gf.Identity(2), rhs[:2])  # galois compiles its kernels once
        assert np.array_equal(np.asarray(np.linalg.solve(matrix, rhs)), reference.solution())
        benchmark.pedantic(np.linalg.solve, (matrix, rhs), rounds=2)
        return
    try:
        solver = PrimeFieldSolver(library, SOLVE_SIZE)
    except NotImplementedError as missing:
        pytest.skip(str(missing))
    assert np.array_equal(solver.solution(), PrimeFieldSolver("codedml_unblocked", SOLVE_SIZE).solution())
    with threadpool_limits(limits=1, user_api="blas"):
        benchmark.pedantic(solver.solve, rounds=5, warmup_rounds=1)
