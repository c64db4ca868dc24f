import numpy as np
import scipy.sparse
from hypothesis import given
from hypothesis import strategies as st

from codedml.kernels.real_decoding import cyclic_band_decoding_vector, dense_decoding_vector
from codedml.kernels.repetition import symmetric_zero_generator
from codedml.kernels.sparse import csr_matmul, csr_rows_left_multiply


@given(st.integers(1, 30), st.integers(1, 30), st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_csr_matmul_equals_scipy_product(rows, cols, d, seed):
    rng = np.random.default_rng(seed)
    matrix = scipy.sparse.random(rows, cols, density=0.3, random_state=rng, format="csr")
    dense = rng.standard_normal((cols, d))
    out = csr_matmul(matrix.indptr.astype(np.int64), matrix.indices.astype(np.int64), matrix.data, dense)
    np.testing.assert_allclose(out, matrix @ dense, atol=1e-12)


def test_csr_rows_left_multiply_equals_dense_combination():
    rng = np.random.default_rng(0)
    matrix = scipy.sparse.random(8, 6, density=0.5, random_state=rng, format="csr")
    rows = np.array([1, 4, 6], dtype=np.int64)
    coefficients = rng.standard_normal(3)
    out = csr_rows_left_multiply(matrix.indptr.astype(np.int64), matrix.indices.astype(np.int64), matrix.data,
                                 rows, coefficients, 6)
    np.testing.assert_allclose(out, coefficients @ matrix.toarray()[rows], atol=1e-12)


def test_symmetric_zero_generator_vanishes_at_its_roots_of_unity():
    n, m, q = 17, 3, 5
    g = symmetric_zero_generator(n, m, q)
    for t in range(1, m + 1):
        for sign in (1, -1):
            root = np.exp(2j * np.pi * sign * t * q / n)
            assert abs(np.polyval(g[::-1], root)) < 1e-12
    assert np.max(np.abs(g)) == 1.0


def test_banded_elimination_equals_dense_least_squares_on_a_random_band():
    rng = np.random.default_rng(1)
    n, s = 40, 5
    band = rng.standard_normal((n, s + 1))
    dense = np.zeros((n, n))
    for i in range(n):
        dense[i, (i + np.arange(s + 1)) % n] = band[i]
    dense[:, 0] = 1.0 - (dense[:, 1:].sum(axis=1))  # make every row sum to one so 1 is reachable
    band = np.array([dense[i, (i + np.arange(s + 1)) % n] for i in range(n)])
    survivors = np.sort(rng.choice(n, n - s, replace=False))
    banded, _ = cyclic_band_decoding_vector(band, survivors)
    reference, _ = dense_decoding_vector(dense[survivors])
    # both solve the same consistent square system restricted to coordinates s..n-1
    np.testing.assert_allclose(dense[survivors][:, s:].T @ banded, np.ones(n - s), atol=1e-9)
    assert reference.shape == banded.shape
