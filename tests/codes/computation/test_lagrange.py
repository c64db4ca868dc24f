"""LagrangeCodedComputing: exact linear-regression gradient from any threshold-many workers; NTT path = dense path."""

import itertools

import galois
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codedml.codes.computation.lagrange import LagrangeCodedComputing
from codedml.errors import NotDecodableError, ParameterError, SizeError
from codedml.kernels.ntt import NTT_PRIME, NTT_PRIME_ROOT


def quantised_gradient(X, y, theta, scale):
    xq, yq, tq = np.rint(X * scale), np.rint(y * scale), np.rint(theta * scale)
    return xq.T @ (xq @ tq - scale * yq) / scale**3


def test_regression_gradient_is_exact_from_every_threshold_subset():
    code = LagrangeCodedComputing(8, 3, 2)
    assert code.recovery_threshold == 5
    rng = np.random.default_rng(0)
    X, y, theta = rng.normal(size=(9, 3)), rng.normal(size=9), rng.normal(size=3)
    results = code.regression_worker_results(code.encode_regression(X, y), theta)
    expected = quantised_gradient(X, y, theta, code.quantizer.scale)
    for subset in itertools.combinations(range(8), 5):
        assert np.array_equal(code.decode_regression(list(subset), results), expected)
    assert np.allclose(expected, X.T @ (X @ theta - y), atol=0.2)


def test_fewer_than_threshold_raise_not_decodable():
    code = LagrangeCodedComputing(8, 3, 2)
    X, y = np.ones((6, 2)), np.ones(6)
    results = code.regression_worker_results(code.encode_regression(X, y), np.zeros(2))
    assert not code.is_decodable([0, 1, 2, 3])
    with pytest.raises(NotDecodableError) as info:
        code.decode_regression([0, 1, 2, 3], results[:4])
    assert info.value.needed == 5


def test_generic_degree_one_computation_sums_blocks():
    code = LagrangeCodedComputing(4, 3, 1)
    blocks = np.array([[1, 2], [3, 4], [5, 6]])
    encoded = code.encode(blocks)
    assert np.array_equal(code.decode([0, 2, 3], encoded[[0, 2, 3]]), [9, 12])


def test_too_few_workers_for_threshold_is_a_parameter_error():
    with pytest.raises(ParameterError, match="workers"):
        LagrangeCodedComputing(4, 3, 2)


# ---- the NTT fast path -------------------------------------------------------------------------------
def results_of_degree(code, encoded):
    """``f(u(alpha_i))`` for ``f(x) = x^degree`` elementwise (mod p)."""
    out = np.ones_like(encoded)
    for _ in range(code.degree):
        out = out * encoded % code.p
    return out


@given(n_partitions=st.integers(1, 40), degree=st.integers(1, 3), spare=st.integers(0, 60), data=st.data())
@settings(max_examples=40)
def test_fast_path_encodes_and_decodes_as_the_dense_path(n_partitions, degree, spare, data):
    n_workers = (n_partitions - 1) * degree + 1 + spare
    fast = LagrangeCodedComputing(n_workers, n_partitions, degree, p=NTT_PRIME)
    dense = LagrangeCodedComputing(n_workers, n_partitions, degree, p=NTT_PRIME, algorithm="dense")
    assert (fast.algorithm, dense.algorithm) == ("fast", "dense")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    blocks = rng.integers(0, NTT_PRIME, (n_partitions, 2, 3))
    encoded = fast.encode(blocks)
    assert np.array_equal(encoded, dense.encode(blocks))
    results = results_of_degree(fast, encoded)
    received = rng.permutation(n_workers)[: data.draw(st.integers(fast.recovery_threshold, n_workers))]
    assert np.array_equal(fast.decoding_coefficients(received), dense.decoding_coefficients(received))
    expected = sum(results_of_degree(fast, blocks[j]) for j in range(n_partitions)) % NTT_PRIME
    assert np.array_equal(fast.decode(received, results[received]), expected)


def galois_lagrange_basis(field, points, targets):
    """``L[t, i] = l_i(targets[t])`` in galois arithmetic (targets distinct from the points)."""
    x, z = field(points), field(targets)
    gaps = x[:, None] - x[None, :]
    gaps[np.diag_indices(x.size)] = 1
    to_targets = z[:, None] - x[None, :]
    return np.multiply.reduce(to_targets, axis=1)[:, None] / (to_targets * np.multiply.reduce(gaps, axis=1))


@pytest.mark.parametrize(("n_workers", "n_partitions", "degree"), [(1, 1, 5), (9, 3, 2), (20, 7, 3)])
def test_fast_path_matches_galois_lagrange_interpolation(n_workers, n_partitions, degree):
    code = LagrangeCodedComputing(n_workers, n_partitions, degree, p=NTT_PRIME)
    field = galois.GF(NTT_PRIME, primitive_element=NTT_PRIME_ROOT, verify=False)
    blocks = np.random.default_rng(n_workers).integers(0, NTT_PRIME, (n_partitions, 2))
    encoded = code.encode(blocks)
    assert np.array_equal(encoded, galois_lagrange_basis(field, code.data_points, code.worker_points) @ field(blocks))
    results = results_of_degree(code, encoded)
    received = np.random.default_rng(degree).permutation(n_workers)[: code.recovery_threshold]
    basis = galois_lagrange_basis(field, code.worker_points[received], code.data_points)
    assert np.array_equal(code.decode(received, results[received]), np.add.reduce(basis, axis=0) @ field(
        results[received]))


def test_auto_takes_the_fast_path_over_an_ntt_prime_only():
    assert LagrangeCodedComputing(8, 3, 2).algorithm == "dense"  # 2^31 - 1: p - 1 = 2 (2^30 - 1)
    assert LagrangeCodedComputing(8, 3, 2, field=NTT_PRIME).algorithm == "fast"
    assert LagrangeCodedComputing(8, 3, 2, p=65537).algorithm == "fast"
    assert LagrangeCodedComputing(20000, 3, 2, p=65537).algorithm == "dense"  # 4 (k + K) rounded up: 2^17 > 2^16


@pytest.mark.parametrize("make", [lambda: LagrangeCodedComputing(8, 3, 2, algorithm="fast"),
                                  lambda: LagrangeCodedComputing(20000, 3, 2, p=65537, algorithm="fast")])
def test_fast_path_without_an_ntt_prime_is_a_parameter_error(make):
    with pytest.raises(ParameterError, match="algorithm='fast'.*NTT_PRIME"):
        make()


def test_unknown_algorithm_is_a_parameter_error():
    with pytest.raises(ParameterError, match="algorithm must be one of"):
        LagrangeCodedComputing(8, 3, 2, algorithm="fft")


def test_fast_path_holds_no_workers_by_partitions_array():
    n_workers, n_partitions = 2**16, 2**14 + 1  # a K x k int64 matrix: 8.0 GiB, above the array limit
    with pytest.raises(SizeError, match="K x k encoding matrix"):
        LagrangeCodedComputing(n_workers, n_partitions, 1, p=NTT_PRIME, algorithm="dense")
    code = LagrangeCodedComputing(n_workers, n_partitions, 1, p=NTT_PRIME)
    assert all(value.size <= n_workers + n_partitions for value in vars(code).values()
               if isinstance(value, np.ndarray))
    blocks = np.random.default_rng(0).integers(0, NTT_PRIME, (n_partitions, 1))
    encoded = code.encode(blocks)
    assert encoded.shape == (n_workers, 1)
    received = np.random.default_rng(1).permutation(n_workers)[: code.recovery_threshold]
    assert np.array_equal(code.decode(received, encoded[received]), blocks.sum(axis=0) % NTT_PRIME)
    with pytest.raises(SizeError, match="K x k encoding matrix"):
        code.encoding_matrix  # noqa: B018 -- built on request, refused at this size
