"""Blocked GF(p) solve and inverse equal galois and the unblocked elimination, pivot swaps and edge values included."""

import galois
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codedml.fields.galois_fields import DEFAULT_PRIME
from codedml.kernels import gfp, gfp_blocked

from .test_gf_kernels import nonsingular, prime_elements

PRIMES = [DEFAULT_PRIME, 65537, 7]


def permuted_triangular(p, rng, n, zero_fraction=0.3):
    """Rows of an upper-triangular matrix (nonzero diagonal) shuffled, with zeros sprinkled: pivots off the diagonal."""
    matrix = np.triu(rng.integers(1, p, (n, n)))
    matrix[np.triu(rng.random((n, n)) < zero_fraction, 1)] = 0
    return matrix[rng.permutation(n)]


def solve(matrix, rhs, p, block, inner):
    """The blocked solve with small tiles, so that small systems take every code path."""
    return gfp_blocked._solve_with_blocks(matrix, rhs, p, block, inner)


def inverse(matrix, p, block, inner):
    return solve(matrix, np.eye(matrix.shape[0], dtype=np.int64), p, block, inner)


def assert_same_as_unblocked(matrix, rhs, p, block, inner):
    solution, ok = solve(matrix, rhs, p, block, inner)
    reference, reference_ok = gfp.gfp_solve(matrix, rhs, p)
    inverse_matrix, inverse_ok = inverse(matrix, p, block, inner)
    reference_inverse, _ = gfp.gfp_inverse_matrix(matrix, p)
    assert ok == reference_ok == inverse_ok
    if ok:
        assert np.array_equal(solution, reference)
        assert np.array_equal(inverse_matrix, reference_inverse)
    return ok


@pytest.mark.parametrize("p", PRIMES)
@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 24), n_rhs=st.integers(1, 3),
       block=st.integers(1, 9), inner=st.integers(1, 4))
def test_blocked_solve_and_inverse_equal_galois(p, seed, n, n_rhs, block, inner):
    gf = galois.GF(p)
    rng = np.random.default_rng(seed)
    matrix = nonsingular(gf, rng, n, lambda r, shape: prime_elements(p, r, shape))
    rhs = prime_elements(p, rng, (n, n_rhs))
    solution, ok = solve(matrix, rhs, p, block, inner)
    assert ok and np.array_equal(solution, np.asarray(np.linalg.solve(gf(matrix), gf(rhs))))
    inverse_matrix, ok = inverse(matrix, p, block, inner)
    assert ok and np.array_equal(inverse_matrix, np.asarray(np.linalg.inv(gf(matrix))))


@pytest.mark.parametrize("p", PRIMES)
@pytest.mark.parametrize(("n", "block", "inner"), [(40, 8, 3), (70, 16, 16), (97, 32, 5)])
def test_pivot_swaps_equal_the_unblocked_elimination(p, n, block, inner):
    rng = np.random.default_rng(n + p)
    matrix = permuted_triangular(p, rng, n)
    assert assert_same_as_unblocked(matrix, prime_elements(p, rng, (n, 2)), p, block, inner)


@pytest.mark.parametrize("p", PRIMES)
def test_maximal_entries_equal_galois(p):
    n = 45  # I - J, every off-diagonal entry p - 1: nonsingular unless n = 1 mod p
    matrix = np.full((n, n), p - 1, dtype=np.int64)
    np.fill_diagonal(matrix, 0)
    rhs = np.full((n, 3), p - 1, dtype=np.int64)
    gf = galois.GF(p)
    solution, ok = solve(matrix, rhs, p, 8, 3)
    assert ok and np.array_equal(solution, np.asarray(np.linalg.solve(gf(matrix), gf(rhs))))
    assert assert_same_as_unblocked(matrix, rhs, p, 8, 3)


def test_default_blocking_equals_the_unblocked_elimination():
    p = DEFAULT_PRIME
    rng = np.random.default_rng(7)
    n = gfp_blocked.BLOCK + 2 * gfp_blocked.INNER + 3  # two tiles, partial last blocks
    matrix = rng.integers(0, p, (n, n))
    matrix[: n // 2, : n // 2] = 0  # early pivots come from far below
    rhs = rng.integers(0, p, (n, 2))
    solution, ok = gfp_blocked.gfp_solve_blocked(matrix, rhs, p)
    reference, reference_ok = gfp.gfp_solve(matrix, rhs, p)
    assert ok and reference_ok and np.array_equal(solution, reference)
    inverse_matrix, ok = gfp_blocked.gfp_inverse_blocked(matrix, p)
    assert ok and np.array_equal(gfp.gfp_matmul(matrix, inverse_matrix, p), np.eye(n, dtype=np.int64))


@pytest.mark.parametrize("p", PRIMES)
@pytest.mark.parametrize("dependent", [0, 17, 39])
def test_singular_matrices_are_reported(p, dependent):
    rng = np.random.default_rng(dependent)
    n = 40
    matrix = prime_elements(p, rng, (n, n))
    matrix[dependent] = (3 * matrix[(dependent + 1) % n] + 5 * matrix[(dependent + 2) % n]) % p
    assert not solve(matrix, np.ones((n, 1), dtype=np.int64), p, 8, 3)[1]
    assert not inverse(matrix, p, 8, 3)[1]
    assert not gfp_blocked.gfp_solve_blocked(matrix, np.ones((n, 1), dtype=np.int64), p)[1]
    assert not gfp_blocked.gfp_inverse_blocked(matrix, p)[1]
    assert not solve(np.full((n, n), p - 1), np.ones((n, 1), dtype=np.int64), p, 8, 3)[1]


def test_empty_systems():
    p = DEFAULT_PRIME
    solution, ok = gfp_blocked.gfp_solve_blocked(np.zeros((0, 0), dtype=np.int64), np.zeros((0, 2), dtype=np.int64), p)
    assert ok and solution.shape == (0, 2)
    matrix = np.array([[2, 1], [1, 1]], dtype=np.int64)
    solution, ok = gfp_blocked.gfp_solve_blocked(matrix, np.zeros((2, 0), dtype=np.int64), p)
    assert ok and solution.shape == (2, 0)


def test_entries_of_largest_symmetric_size_stay_exact():
    """Entries (p -+ 1) / 2 make every float64 partial sum of a CHUNK-long product as large as it gets."""
    p = DEFAULT_PRIME
    rng = np.random.default_rng(3)
    n = gfp_blocked.CHUNK + 44
    matrix = np.where(rng.random((n, n)) < 0.5, p // 2, p // 2 + 1)
    np.fill_diagonal(matrix, rng.integers(0, p, n))
    rhs = np.where(rng.random((n, 2)) < 0.5, p // 2, p // 2 + 1)
    assert assert_same_as_unblocked(matrix, rhs, p, gfp_blocked.CHUNK, gfp_blocked.INNER)
