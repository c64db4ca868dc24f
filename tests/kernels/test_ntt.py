"""NTT polynomial arithmetic over GF(p): against schoolbook references in Python integers and galois."""

import galois
import numpy as np
import pytest

from codedml.kernels.ntt import (
    NTT_PRIME,
    NTT_PRIME_ROOT,
    factorial_tables,
    interpolate,
    max_transform_length,
    multipoint_evaluate,
    ntt,
    poly_from_roots,
    poly_inverse_series,
    poly_multiply,
    poly_remainder,
)
from tests.naive import interpolation_mod, polynomial_product_mod, polynomial_values_mod

#: NTT-friendly primes below 2^31 with a primitive root each: 15 2^27 + 1, 119 2^23 + 1, 7 2^26 + 1, 2^16 + 1.
PRIMES = [(NTT_PRIME, NTT_PRIME_ROOT), (998244353, 3), (469762049, 3), (65537, 3)]


def test_constants_are_an_ntt_prime_and_its_primitive_root():
    field = galois.GF(NTT_PRIME)
    assert NTT_PRIME == 15 * 2**27 + 1 < 2**31 and max_transform_length(NTT_PRIME) == 2**27
    assert int(field.primitive_element) == NTT_PRIME_ROOT
    for p, root in PRIMES:
        assert galois.is_primitive_root(root, p)


@pytest.mark.parametrize(("p", "root"), PRIMES)
def test_transform_is_the_dft_at_powers_of_the_root_and_inverts(p, root):
    rng = np.random.default_rng(p % 1000)
    values = rng.integers(0, p, 64)
    w = pow(root, (p - 1) // 64, p)
    expected = polynomial_values_mod(values, [pow(w, k, p) for k in range(64)], p)
    transformed = values.copy()
    ntt(transformed, False, p, root)
    assert np.array_equal(transformed, expected)
    ntt(transformed, True, p, root)
    assert np.array_equal(transformed, values)


def test_transform_refuses_lengths_the_prime_cannot_carry():
    with pytest.raises(ValueError, match="power of two"):
        ntt(np.zeros(12, dtype=np.int64), False, NTT_PRIME, NTT_PRIME_ROOT)
    with pytest.raises(ValueError, match="power of two"):
        ntt(np.zeros(2**17, dtype=np.int64), False, 65537, 3)


@pytest.mark.parametrize(("p", "root"), PRIMES)
@pytest.mark.parametrize(("na", "nb"), [(1, 1), (3, 90), (47, 48), (130, 200)])
def test_multiplication_matches_schoolbook(p, root, na, nb):
    rng = np.random.default_rng(na * nb)
    a, b = rng.integers(0, p, na), rng.integers(0, p, nb)
    assert np.array_equal(poly_multiply(a, b, p, root), polynomial_product_mod(a, b, p))


def test_multiplication_matches_galois():
    field = galois.GF(NTT_PRIME)
    rng = np.random.default_rng(1)
    a, b = rng.integers(0, NTT_PRIME, 300), rng.integers(1, NTT_PRIME, 257)
    product = galois.Poly(field(a[::-1])) * galois.Poly(field(b[::-1]))
    assert np.array_equal(poly_multiply(a, b, NTT_PRIME, NTT_PRIME_ROOT), np.asarray(product.coeffs)[::-1])


@pytest.mark.parametrize(("p", "root"), PRIMES)
def test_series_inverse_and_remainder(p, root):
    rng = np.random.default_rng(2)
    a = rng.integers(1, p, 150)
    inverse = poly_inverse_series(a, 120, p, root)
    unit = polynomial_product_mod(a[:120], inverse, p)[:120]
    assert unit[0] == 1 and not unit[1:].any()
    for na, nb in [(300, 101), (60, 50), (40, 41)]:
        dividend = rng.integers(0, p, na)
        divisor = np.append(rng.integers(0, p, nb - 1), 1)
        field = galois.GF(p)
        expected = galois.Poly(field(dividend[::-1])) % galois.Poly(field(divisor[::-1]))
        remainder = np.zeros(nb - 1, dtype=np.int64)
        remainder[: expected.degree + 1] = np.asarray(expected.coeffs)[::-1]
        assert np.array_equal(poly_remainder(dividend, divisor, p, root), remainder)


def test_series_inverse_and_remainder_far_beyond_the_divisor_length():
    rng = np.random.default_rng(3)
    a = rng.integers(1, NTT_PRIME, 65)
    inverse = poly_inverse_series(a, 236, NTT_PRIME, NTT_PRIME_ROOT)  # Newton steps past twice len(a)
    unit = polynomial_product_mod(a, inverse, NTT_PRIME)[:236]
    assert unit[0] == 1 and not unit[1:].any()
    coefficients, points = rng.integers(0, NTT_PRIME, 300), rng.integers(0, NTT_PRIME, 64)
    assert np.array_equal(multipoint_evaluate(coefficients, points, NTT_PRIME, NTT_PRIME_ROOT),
                          polynomial_values_mod(coefficients, points, NTT_PRIME))


@pytest.mark.parametrize(("p", "root"), PRIMES)
@pytest.mark.parametrize(("m", "degree"), [(1, 0), (1, 40), (7, 3), (33, 32), (100, 99), (150, 400), (500, 60)])
def test_multipoint_evaluation_matches_term_by_term(p, root, m, degree):
    rng = np.random.default_rng(m + degree)
    points = rng.integers(0, p, m)
    coefficients = rng.integers(0, p, degree + 1)
    assert np.array_equal(multipoint_evaluate(coefficients, points, p, root),
                          polynomial_values_mod(coefficients, points, p))


@pytest.mark.parametrize(("p", "root"), PRIMES)
@pytest.mark.parametrize("m", [1, 2, 31, 64, 97, 200])
def test_interpolation_matches_lagrange(p, root, m):
    rng = np.random.default_rng(m)
    points = rng.choice(np.arange(1, 10**5), m, replace=False)
    values = rng.integers(0, p, m)
    coefficients = interpolate(points, values, p, root)
    assert np.array_equal(coefficients, interpolation_mod(points, values, p))


def test_interpolation_and_evaluation_round_trip_at_4096_points():
    rng = np.random.default_rng(3)
    points = rng.choice(NTT_PRIME, 4096, replace=False)
    values = rng.integers(0, NTT_PRIME, 4096)
    coefficients = interpolate(points, values, NTT_PRIME, NTT_PRIME_ROOT)
    assert np.array_equal(multipoint_evaluate(coefficients, points, NTT_PRIME, NTT_PRIME_ROOT), values)


def test_repeated_interpolation_points_raise():
    with pytest.raises(ZeroDivisionError):
        interpolate(np.array([1, 5, 1]), np.array([1, 2, 3]), NTT_PRIME, NTT_PRIME_ROOT)


def test_product_of_roots_vanishes_there_and_factorials_invert():
    roots = np.arange(3, 300, 3)
    product = poly_from_roots(roots, NTT_PRIME, NTT_PRIME_ROOT)
    assert product.shape == (roots.size + 1,) and product[-1] == 1
    assert not polynomial_values_mod(product, roots, NTT_PRIME).any()
    assert np.array_equal(poly_from_roots(roots[:0], NTT_PRIME, NTT_PRIME_ROOT), [1])
    factorials, inverses = factorial_tables(50, 101)
    assert factorials[5] == 120 % 101 and np.all(factorials * inverses % 101 == 1)
