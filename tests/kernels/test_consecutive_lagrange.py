"""Lagrange interpolation between consecutive points by convolution, against the dense Lagrange basis."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codedml.kernels.consecutive_lagrange import consecutive_lagrange_encode, consecutive_lagrange_sum_coefficients
from codedml.kernels.gfp import gfp_lagrange_basis, gfp_matmul
from codedml.kernels.ntt import NTT_PRIME, NTT_PRIME_ROOT

#: NTT-friendly primes with a primitive root each: 15 2^27 + 1, 119 2^23 + 1, 2^16 + 1.
PRIMES = [(NTT_PRIME, NTT_PRIME_ROOT), (998244353, 3), (65537, 3)]


def points(k, n_workers):
    return np.arange(1, k + 1, dtype=np.int64), np.arange(k + 1, k + n_workers + 1, dtype=np.int64)


@pytest.mark.parametrize(("p", "root"), PRIMES)
@pytest.mark.parametrize(("k", "n_workers"), [(1, 1), (1, 6), (4, 1), (3, 7), (48, 48), (100, 29), (130, 400)])
def test_encode_equals_the_dense_lagrange_basis(p, root, k, n_workers):
    blocks = np.random.default_rng(k * n_workers).integers(0, p, (k, 3))
    data, workers = points(k, n_workers)
    expected = gfp_matmul(gfp_lagrange_basis(data, workers, p), blocks, p)
    assert np.array_equal(consecutive_lagrange_encode(blocks, n_workers, p, root), expected)


@given(k=st.integers(1, 70), n_workers=st.integers(1, 150), data=st.data())
@settings(max_examples=40)
def test_sum_coefficients_equal_the_summed_dense_basis_for_any_worker_set(k, n_workers, data):
    n_used = data.draw(st.integers(1, n_workers))
    order = np.random.default_rng(data.draw(st.integers(0, 2**16))).permutation(n_workers)
    used, missing = np.sort(order[:n_used]), np.sort(order[n_used:])
    data_points, worker_points = points(k, n_workers)
    expected = gfp_lagrange_basis(worker_points[used], data_points, NTT_PRIME).sum(axis=0) % NTT_PRIME
    assert np.array_equal(consecutive_lagrange_sum_coefficients(used, missing, k, NTT_PRIME, NTT_PRIME_ROOT),
                          expected)


@pytest.mark.parametrize(("p", "root"), PRIMES)
def test_sum_coefficients_recover_the_sum_over_the_data_points(p, root):
    rng = np.random.default_rng(7)
    k, n_workers, n_used = 300, 900, 599  # more used workers than data points, more missing than twice used
    coefficients = rng.integers(0, p, n_used)  # g of degree < n_used
    used = np.sort(rng.permutation(n_workers)[:n_used])
    missing = np.setdiff1d(np.arange(n_workers), used)
    data_points, worker_points = points(k, n_workers)
    values = [sum(int(c) * pow(int(x), e, p) for e, c in enumerate(coefficients)) % p
              for x in np.concatenate([worker_points[used], data_points])]
    weights = consecutive_lagrange_sum_coefficients(used, missing, k, p, root)
    assert sum(int(w) * v for w, v in zip(weights, values[:n_used])) % p == sum(values[n_used:]) % p
