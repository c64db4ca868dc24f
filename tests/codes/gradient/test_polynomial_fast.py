"""PolynomialGC's NTT path (algorithm="fast"): the dense path's messages and sums, exact at n = 4096."""

import itertools

import numpy as np
import pytest

from codedml.codes.gradient.polynomial import PolynomialGC
from codedml.errors import ParameterError
from codedml.kernels.ntt import NTT_PRIME

PRIMES = [NTT_PRIME, 998244353, 469762049, 65537, 7681]


@pytest.mark.parametrize("p", PRIMES)
@pytest.mark.parametrize(("n", "s"), [(1, 0), (5, 0), (6, 2), (7, 3), (6, 5)])
def test_fast_path_equals_dense_path_for_every_survivor_order(p, n, s):
    fast = PolynomialGC(n, s, field=p, scale=8.0, algorithm="fast")
    dense = PolynomialGC(n, s, field=p, scale=8.0, algorithm="dense")
    assert (fast.algorithm, dense.algorithm) == ("fast", "dense")
    partials = np.random.default_rng(n * s).normal(size=(n, 2))
    messages = fast.encode(partials)
    assert np.array_equal(messages, dense.encode(partials))
    assert (fast.encoding_matrix != dense.encoding_matrix).nnz == 0
    assert np.array_equal(fast.assignment, dense.assignment) and fast.computation_load == s + 1
    assert np.array_equal(fast.worker_loads, dense.worker_loads)
    expected = np.rint(partials * 8.0).astype(np.int64).sum(axis=0)
    for size in (n - s, n):
        for order in itertools.permutations(range(n), size):
            survivors = list(order)
            decoded = fast.decode_integers(survivors, messages[survivors])
            assert np.array_equal(decoded, expected)
            assert np.array_equal(decoded, dense.decode_integers(survivors, messages[survivors]))
            assert np.array_equal(fast.decoding_vector(survivors), dense.decoding_vector(survivors))


# s > 2n/3 takes series inverses longer than twice the operand (n = 300, s = 250 was decoded wrongly)
@pytest.mark.parametrize(("n", "s"), [(64, 20), (100, 99), (257, 3), (300, 250), (600, 450)])
def test_fast_path_equals_dense_path_at_moderate_n(n, s):
    fast = PolynomialGC(n, s, field=NTT_PRIME, scale=8.0)
    dense = PolynomialGC(n, s, field=NTT_PRIME, scale=8.0, algorithm="dense")
    assert fast.algorithm == "fast"
    rng = np.random.default_rng(n)
    partials = rng.normal(size=(n, 3))
    messages = fast.encode(partials)
    assert np.array_equal(messages, dense.encode(partials))
    for _ in range(3):
        survivors = rng.permutation(n)[: n - s + rng.integers(0, s + 1)]
        assert np.array_equal(fast.decode(survivors, messages[survivors]), dense.decode(survivors, messages[survivors]))


def test_random_survivor_sets_decode_exactly_at_n_4096():
    code = PolynomialGC(4096, 1000, field=NTT_PRIME, scale=2.0**10)
    rng = np.random.default_rng(4096)
    partials = rng.normal(size=(4096, 2))
    messages = code.encode(partials)
    expected = np.rint(partials * 2.0**10).astype(np.int64).sum(axis=0)
    for _ in range(3):
        survivors = rng.permutation(4096)[: 3096 + rng.integers(0, 50)]
        assert np.array_equal(code.decode_integers(survivors, messages[survivors]), expected)


def test_auto_keeps_the_dense_path_where_the_prime_has_no_long_transform():
    assert PolynomialGC(6, 2, field="gfp").algorithm == "dense"  # 2^31 - 1: p - 1 = 2 * odd
    assert PolynomialGC(6, 2, field=97).algorithm == "dense"  # 96 = 3 * 32 < 4 * 16
    assert PolynomialGC(6, 2, field=65537).algorithm == "fast"
    with pytest.raises(ParameterError, match="algorithm='fast'.*NTT_PRIME"):
        PolynomialGC(6, 2, field="gfp", algorithm="fast")
    with pytest.raises(ParameterError, match="algorithm='fast'"):
        PolynomialGC(6, 2, algorithm="fast")
    with pytest.raises(ParameterError, match="algorithm"):
        PolynomialGC(6, 2, field=NTT_PRIME, algorithm="quick")
