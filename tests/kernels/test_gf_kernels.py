"""Finite-field kernels equal galois on random inputs and edge values (0, 1, p - 1, q - 1)."""

import galois
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codedml.errors import FieldTooSmallError, ParameterError
from codedml.fields.galois_fields import DEFAULT_PRIME, binary_extension_field, check_field_size, get_field, prime_field
from codedml.kernels import gf2m, gfp

BINARY_DEGREES = [8, 16]
PRIMES = [DEFAULT_PRIME, 65537, 7]

#: hypothesis examples per test: galois (the oracle) is slow on small inputs
EXAMPLES = settings(max_examples=20)


def binary_symbols(field, rng, shape):
    """Random symbols with the edge values 0, 1 and q - 1 planted."""
    values = rng.integers(0, field.order, shape).astype(field.dtype)
    flat = values.reshape(-1)
    flat[: min(3, flat.size)] = [0, 1, field.order - 1][: min(3, flat.size)]
    return values


def prime_elements(p, rng, shape):
    values = rng.integers(0, p, shape)
    flat = values.reshape(-1)
    flat[: min(3, flat.size)] = [0, 1, p - 1][: min(3, flat.size)]
    return values


def distinct_elements(p, rng, n):
    """``n`` distinct elements of ``GF(p)`` (``rng.choice(p, replace=False)`` would permute all of ``p``)."""
    while True:
        values = rng.integers(0, p, n)
        if np.unique(values).size == n:
            return values


def nonsingular(gf, rng, n, make):
    """A nonsingular matrix from ``make`` (edge values planted), or plain random if ``make`` keeps failing."""
    for attempt in range(50):
        matrix = make(rng, (n, n)) if attempt < 10 else rng.integers(1, min(gf.order, 2**31 - 1), (n, n))
        if np.linalg.matrix_rank(gf(matrix.astype(make(rng, (1, 1)).dtype))) == n:
            return matrix.astype(make(rng, (1, 1)).dtype)
    raise AssertionError("no nonsingular matrix found")


# ---- fields ---------------------------------------------------------------------------------
def test_binary_tables_agree_with_galois():
    for degree in BINARY_DEGREES:
        field = binary_extension_field(degree)
        gf = field.galois_field
        q = field.order
        assert field.irreducible_poly == int(gf.irreducible_poly)
        assert np.array_equal(field.exp[: q - 1], np.asarray(gf.primitive_element ** np.arange(q - 1)))
        assert np.all(field.exp[2 * (q - 1):] == 0) and field.log[0] == 2 * (q - 1)
        nonzero = np.arange(1, q)
        assert np.array_equal(field.exp[field.log[nonzero]], nonzero)


def test_field_names_and_size_check():
    assert get_field("gf2^8") is binary_extension_field(8)
    assert get_field("GF(2^16)") is binary_extension_field(16)
    assert get_field("gfp").characteristic == DEFAULT_PRIME
    assert get_field("gf(65537)").characteristic == 65537 and get_field(7).order == 7
    with pytest.raises(ParameterError):
        get_field("gf2^12")
    with pytest.raises(ParameterError):
        prime_field(2**31 + 11)
    with pytest.raises(ParameterError):
        prime_field(91)
    check_field_size(binary_extension_field(8), 256)
    with pytest.raises(FieldTooSmallError):
        check_field_size(binary_extension_field(8), 257)
    with pytest.raises(FieldTooSmallError):
        check_field_size(prime_field(7), 8)


# ---- GF(2^m) ----------------------------------------------------------------------------------
@pytest.mark.parametrize("degree", BINARY_DEGREES)
@EXAMPLES
@given(seed=st.integers(0, 2**32 - 1), length=st.integers(1, 300))
def test_gf2m_products_and_inverses_equal_galois(degree, seed, length):
    field = binary_extension_field(degree)
    gf = field.galois_field
    rng = np.random.default_rng(seed)
    left, right = binary_symbols(field, rng, length), binary_symbols(field, rng, length)[::-1].copy()
    expected = np.asarray(gf(left) * gf(right))
    assert np.array_equal(gf2m.gf2m_elementwise_multiply(left, right, field.exp, field.log), expected)
    assert gf2m.gf2m_multiply(left[-1], right[-1], field.exp, field.log) == expected[-1]
    for value in [1, field.order - 1, int(left[-1]) or 1]:
        assert gf2m.gf2m_inverse(value, field.exp, field.log) == int(gf(value) ** -1)
    with pytest.raises(ZeroDivisionError):
        gf2m.gf2m_inverse(0, field.exp, field.log)


@pytest.mark.parametrize("degree", BINARY_DEGREES)
@EXAMPLES
@given(seed=st.integers(0, 2**32 - 1), length=st.integers(0, 200), coefficient=st.integers(0, 2**16 - 1))
def test_gf2m_region_multiply_add_equals_galois(degree, seed, length, coefficient):
    field = binary_extension_field(degree)
    gf = field.galois_field
    coefficient %= field.order
    rng = np.random.default_rng(seed)
    source, target = binary_symbols(field, rng, length), binary_symbols(field, rng, length)
    expected = np.asarray(gf(target) + gf(coefficient) * gf(source))
    gf2m.gf2m_region_multiply_add(coefficient, source, target, field.degree, field.reduction)
    assert np.array_equal(target, expected)


@pytest.mark.parametrize("degree", BINARY_DEGREES)
@EXAMPLES
@given(seed=st.integers(0, 2**32 - 1), rows=st.integers(1, 6), buffers=st.integers(1, 6), length=st.integers(0, 150))
def test_gf2m_matrix_times_buffers_add_equals_galois(degree, seed, rows, buffers, length):
    field = binary_extension_field(degree)
    gf = field.galois_field
    rng = np.random.default_rng(seed)
    matrix = binary_symbols(field, rng, (rows, buffers))
    sources = binary_symbols(field, rng, (buffers, length))
    targets = binary_symbols(field, rng, (rows, length))
    expected = np.asarray(gf(targets) + gf(matrix) @ gf(sources))
    gf2m.gf2m_matrix_times_buffers_add(matrix, sources, targets, field.degree, field.reduction)
    assert np.array_equal(targets, expected)
    assert np.array_equal(gf2m.gf2m_matmul(matrix, sources, field.exp, field.log), np.asarray(gf(matrix) @ gf(sources)))


@pytest.mark.parametrize("degree", BINARY_DEGREES)
@EXAMPLES
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 12), n_rhs=st.integers(1, 3))
def test_gf2m_solve_and_inverse_equal_galois_and_round_trip(degree, seed, n, n_rhs):
    field = binary_extension_field(degree)
    gf = field.galois_field
    rng = np.random.default_rng(seed)
    matrix = nonsingular(gf, rng, n, lambda r, shape: binary_symbols(field, r, shape))
    rhs = binary_symbols(field, rng, (n, n_rhs))
    solution, ok = gf2m.gf2m_solve(matrix, rhs, field.exp, field.log)
    assert ok and np.array_equal(solution, np.asarray(np.linalg.solve(gf(matrix), gf(rhs))))
    assert np.array_equal(gf2m.gf2m_matmul(matrix, solution, field.exp, field.log), rhs)
    inverse, ok = gf2m.gf2m_inverse_matrix(matrix, field.exp, field.log)
    assert ok and np.array_equal(inverse, np.asarray(np.linalg.inv(gf(matrix))))
    assert np.array_equal(gf2m.gf2m_matmul(inverse, matrix, field.exp, field.log), np.eye(n, dtype=field.dtype))


def test_gf2m_solve_reports_singular_matrices():
    field = binary_extension_field(8)
    matrix = np.array([[1, 2, 3], [2, 4, 6], [7, 0, 1]], dtype=np.uint8)
    matrix[1] = np.asarray(field.galois_field(2) * field.galois_field(matrix[0]))
    _, ok = gf2m.gf2m_solve(matrix, np.ones((3, 1), dtype=np.uint8), field.exp, field.log)
    assert not ok
    assert not gf2m.gf2m_inverse_matrix(np.zeros((2, 2), dtype=np.uint8), field.exp, field.log)[1]


@pytest.mark.parametrize("degree", BINARY_DEGREES)
@EXAMPLES
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 10), columns=st.integers(1, 10))
def test_gf2m_vandermonde_and_cauchy_equal_galois(degree, seed, n, columns):
    field = binary_extension_field(degree)
    gf = field.galois_field
    rng = np.random.default_rng(seed)
    points = binary_symbols(field, rng, n)
    powers = gf(points)[:, None] ** np.arange(columns)[None, :]
    assert np.array_equal(gf2m.gf2m_vandermonde(points, columns, field.exp, field.log), np.asarray(powers))
    distinct = rng.choice(field.order, 2 * n, replace=False).astype(field.dtype)
    x, y = distinct[:n], distinct[n:]
    cauchy = gf2m.gf2m_cauchy(x, y, field.exp, field.log)
    assert np.array_equal(cauchy, np.asarray((gf(x)[:, None] + gf(y)[None, :]) ** -1))
    assert np.array_equal(gf2m.gf2m_cauchy_inverse(x, y, field.exp, field.log), np.asarray(np.linalg.inv(gf(cauchy))))


def test_gf2m_cauchy_refuses_coincident_points():
    field = binary_extension_field(8)
    with pytest.raises(ZeroDivisionError):
        gf2m.gf2m_cauchy(np.array([3], dtype=np.uint8), np.array([3], dtype=np.uint8), field.exp, field.log)


# ---- GF(p) ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("p", PRIMES)
@EXAMPLES
@given(seed=st.integers(0, 2**32 - 1), length=st.integers(1, 200))
def test_gfp_products_and_inverses_equal_galois(p, seed, length):
    gf = galois.GF(p)
    rng = np.random.default_rng(seed)
    left, right = prime_elements(p, rng, length), prime_elements(p, rng, length)[::-1].copy()
    expected = np.asarray(gf(left) * gf(right))
    assert np.array_equal(gfp.gfp_elementwise_multiply(left, right, p), expected)
    assert gfp.gfp_multiply(left[-1], right[-1], p) == expected[-1]
    nonzero = np.where(left == 0, 1, left)
    assert np.array_equal(gfp.gfp_batch_inverse(nonzero, p), np.asarray(gf(nonzero) ** -1))
    assert gfp.gfp_inverse(p - 1, p) == p - 1 and gfp.gfp_inverse(1, p) == 1
    with pytest.raises(ZeroDivisionError):
        gfp.gfp_inverse(0, p)


@pytest.mark.parametrize("p", PRIMES)
@EXAMPLES
@given(seed=st.integers(0, 2**32 - 1), rows=st.integers(1, 8), inner=st.integers(1, 8), cols=st.integers(1, 8))
def test_gfp_matvec_and_matmul_equal_galois(p, seed, rows, inner, cols):
    gf = galois.GF(p)
    rng = np.random.default_rng(seed)
    left, right = prime_elements(p, rng, (rows, inner)), prime_elements(p, rng, (inner, cols))
    assert np.array_equal(gfp.gfp_matmul(left, right, p), np.asarray(gf(left) @ gf(right)))
    assert np.array_equal(gfp.gfp_matvec(left, right[:, 0].copy(), p), np.asarray(gf(left) @ gf(right[:, 0])))


def test_gfp_matmul_of_all_maximal_entries_does_not_overflow():
    p = DEFAULT_PRIME
    ones = np.full((300, 300), p - 1, dtype=np.int64)
    assert np.array_equal(gfp.gfp_matmul(ones, ones, p), np.asarray(galois.GF(p)(ones) @ galois.GF(p)(ones)))


@pytest.mark.parametrize("p", PRIMES)
@EXAMPLES
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 12), n_rhs=st.integers(1, 3))
def test_gfp_solve_and_inverse_equal_galois_and_round_trip(p, seed, n, n_rhs):
    gf = galois.GF(p)
    rng = np.random.default_rng(seed)
    matrix = nonsingular(gf, rng, n, lambda r, shape: prime_elements(p, r, shape))
    rhs = prime_elements(p, rng, (n, n_rhs))
    solution, ok = gfp.gfp_solve(matrix, rhs, p)
    assert ok and np.array_equal(solution, np.asarray(np.linalg.solve(gf(matrix), gf(rhs))))
    assert np.array_equal(gfp.gfp_matmul(matrix, solution, p), rhs)
    inverse, ok = gfp.gfp_inverse_matrix(matrix, p)
    assert ok and np.array_equal(inverse, np.asarray(np.linalg.inv(gf(matrix))))


def test_gfp_solve_reports_singular_matrices():
    p = DEFAULT_PRIME
    matrix = np.array([[1, 2], [2, 4]], dtype=np.int64)
    assert not gfp.gfp_solve(matrix, np.ones((2, 1), dtype=np.int64), p)[1]
    assert not gfp.gfp_inverse_matrix(matrix, p)[1]


@pytest.mark.parametrize("p", PRIMES)
@EXAMPLES
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 7), columns=st.integers(1, 9))
def test_gfp_vandermonde_and_polynomials_equal_galois(p, seed, n, columns):
    gf = galois.GF(p)
    rng = np.random.default_rng(seed)
    n = min(n, p - 1)
    points = distinct_elements(p - 1, rng, n)
    points[0] = p - 1  # distinct from the others, all below p - 1
    powers = np.asarray(gf(points)[:, None] ** np.arange(columns))
    assert np.array_equal(gfp.gfp_vandermonde(points, columns, p), powers)
    coefficients = prime_elements(p, rng, columns)
    polynomial = galois.Poly(gf(coefficients[::-1]))  # galois lists the highest degree first
    assert np.array_equal(gfp.gfp_polynomial_evaluate(coefficients, points, p), np.asarray(polynomial(gf(points))))
    values = prime_elements(p, rng, n)
    interpolated = gfp.gfp_interpolate(points, values, p)
    reference = galois.lagrange_poly(gf(points), gf(values))
    padded = np.zeros(n, dtype=np.int64)
    padded[: reference.degree + 1] = np.asarray(reference.coeffs)[::-1]
    assert np.array_equal(interpolated, padded)
    targets = prime_elements(p, rng, 4)
    targets[-1] = points[-1]  # a target on a point gives a unit row
    basis = gfp.gfp_lagrange_basis(points, targets, p)
    assert np.array_equal(gfp.gfp_matvec(basis, values, p), np.asarray(reference(gf(targets))))


def test_gfp_interpolation_at_1000_points_round_trips():
    p = DEFAULT_PRIME
    rng = np.random.default_rng(5)
    points = distinct_elements(p, rng, 1000)
    coefficients = prime_elements(p, rng, 1000)
    values = gfp.gfp_polynomial_evaluate(coefficients, points, p)
    assert np.array_equal(gfp.gfp_interpolate(points, values, p), coefficients)
    targets = rng.integers(0, p, 5)
    basis = gfp.gfp_lagrange_basis(points, targets, p)
    assert np.array_equal(gfp.gfp_matvec(basis, values, p), gfp.gfp_polynomial_evaluate(coefficients, targets, p))
