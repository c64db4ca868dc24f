"""FastReedSolomon: the additive FFT (tables, transforms, error locator) against galois, and the code
against the Cauchy ReedSolomon: every k-subset at small n, random subsets at large n, bad input."""

import itertools

import galois
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from codedml.codes.erasure.fast_reed_solomon import (
    FastReedSolomon,
    cantor_basis,
    transform_tables,
)
from codedml.codes.erasure.reed_solomon import ReedSolomon
from codedml.errors import (
    FieldTooSmallError,
    NotDecodableError,
    ParameterError,
    ShapeError,
)
from codedml.fields.galois_fields import binary_extension_field
from codedml.kernels.additive_fft import (
    additive_fft,
    additive_ifft,
    error_locator_logs,
    formal_derivative,
    log_walsh_table,
)

FIELDS = ["gf2^8", "gf2^16"]


# ---- naive references (galois) -------------------------------------------------------------------
def omegas(gf, degree, count):
    """``omega_i = sum_t i_t v_t`` in galois arithmetic."""
    sums = np.zeros(1, dtype=np.int64)
    for v in cantor_basis(degree):
        sums = np.concatenate([sums, sums ^ v])
        if sums.size >= count:
            break
    return gf(sums[:count])


def normalised_subspace(gf, degree, j, x):
    """``What_j(x) = prod_{a in V_j} (x - a) / prod_{a in V_j} (v_j - a)``, ``V_j = span(v_0..v_{j-1})``."""
    subspace = omegas(gf, degree, 1 << j)
    v_j = gf(int(cantor_basis(degree)[j]))
    value, scale = gf(np.ones(x.size, dtype=np.int64)), gf(1)
    for a in subspace:
        value, scale = value * (x - a), scale * (v_j - a)
    return value / scale


def novel_basis(gf, degree, size, x):
    """``basis[i] = X_i(x) = prod_{t : i_t = 1} What_t(x)`` for ``i < size`` (rows), at the points ``x``."""
    factors = [normalised_subspace(gf, degree, t, x) for t in range(max(1, size.bit_length() - 1))]
    basis = gf(np.ones((size, x.size), dtype=np.int64))
    for i in range(size):
        for t, factor in enumerate(factors):
            if i >> t & 1:
                basis[i] *= factor
    return basis


def evaluate(gf, coefficients, basis):
    """``sum_i coefficients[i] X_i`` at the points of ``basis`` (one column of coefficients)."""
    total = gf(np.zeros(basis.shape[1], dtype=np.int64))
    for i, c in enumerate(coefficients):
        total += gf(int(c)) * basis[i]
    return total


def pack(symbols, dtype):
    """(size, 64 / m) symbols per row -> uint64 rows."""
    return np.ascontiguousarray(np.asarray(symbols, dtype=dtype)).view(np.uint64)


# ---- tables ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("degree", [8, 16])
def test_cantor_basis_satisfies_its_recursion_and_spans_the_field(degree):
    gf = galois.GF(2**degree)
    basis = gf(cantor_basis(degree))
    assert basis[0] == 1
    assert np.all(basis[1:] ** 2 + basis[1:] == basis[:-1])
    assert np.unique(omegas(gf, degree, 2**degree)).size == 2**degree  # independent over GF(2)


@pytest.mark.parametrize("degree", [8, 16])
def test_skew_factors_are_normalised_subspace_polynomials_at_block_starts(degree):
    gf = galois.GF(2**degree)
    skew, log_omega = transform_tables(degree)
    points = omegas(gf, degree, 64)
    assert np.array_equal(log_omega[1:64], np.log(points[1:]))
    for j in range(5):
        starts = np.arange(0, 64, 2 << j)
        assert np.array_equal(skew[starts + (1 << j)], normalised_subspace(gf, degree, j, points[starts])), j


# ---- transforms ------------------------------------------------------------------------------------
@pytest.mark.parametrize("degree, size, position", [(8, 16, 0), (8, 8, 24), (16, 16, 0), (16, 16, 48)])
def test_fft_evaluates_novel_basis_polynomials_and_ifft_inverts_it(degree, size, position):
    field = binary_extension_field(degree)
    gf = field.galois_field
    skew, _ = transform_tables(degree)
    lanes = 64 // degree
    coefficients = np.random.default_rng(degree + size).integers(0, field.order, (size, lanes))
    rows = pack(coefficients, field.dtype)
    additive_fft(rows, skew, position, 0, size, degree, field.reduction)
    basis = novel_basis(gf, degree, size, omegas(gf, degree, position + size)[position:])
    for lane in range(lanes):
        assert np.array_equal(rows.view(field.dtype)[:, lane], evaluate(gf, coefficients[:, lane], basis)), lane
    additive_ifft(rows, skew, position, 0, size, degree, field.reduction)
    assert np.array_equal(rows.view(field.dtype), coefficients)


@pytest.mark.parametrize("degree", [8, 16])
def test_formal_derivative_kernel_adds_the_derivative(degree):
    field = binary_extension_field(degree)
    gf = field.galois_field
    skew, _ = transform_tables(degree)
    size, lanes = 16, 64 // degree
    coefficients = np.random.default_rng(5).integers(0, field.order, (size, lanes))
    rows = pack(coefficients, field.dtype)
    formal_derivative(rows)  # D + D' (D vanishes where the decoder reads it)
    additive_fft(rows, skew, 0, 0, size, degree, field.reduction)
    # product rule: X_i' = sum_{t : i_t = 1} c_t X_{i - 2^t}, c_t = What_t'(0) = prod_{a in V_t, a != 0} a / W_t(v_t)
    basis = novel_basis(gf, degree, size, omegas(gf, degree, size))
    slopes = []
    for t in range(4):
        subspace, v_t = omegas(gf, degree, 1 << t), gf(int(cantor_basis(degree)[t]))
        slope = gf(1)
        for a in subspace:
            slope *= (a / (v_t - a)) if a != 0 else gf(1) / v_t
        slopes.append(slope)
    derivative = gf(np.zeros((size, size), dtype=np.int64))
    for i in range(size):
        for t in range(4):
            if i >> t & 1:
                derivative[i] += slopes[t] * basis[i - (1 << t)]
    for lane in range(lanes):
        expected = evaluate(gf, coefficients[:, lane], basis + derivative)
        assert np.array_equal(rows.view(field.dtype)[:, lane], expected), lane


@pytest.mark.parametrize("degree", [8, 16])
def test_error_locator_logs_match_products_of_differences(degree):
    gf = galois.GF(2**degree)
    size = 32
    _, log_omega = transform_tables(degree)
    erased = np.zeros(size, dtype=np.bool_)
    erased[[0, 3, 7, 8, 20, 31]] = True
    logs = error_locator_logs(erased, log_walsh_table(log_omega[:size], degree), degree)
    points = omegas(gf, degree, size)
    for i in range(size):
        others = [e for e in np.flatnonzero(erased) if e != i]
        expected = np.prod(points[i] - points[others])  # E(omega_i), or E'(omega_i) at an erasure
        assert logs[i] == np.log(expected), i


# ---- the code ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("field", FIELDS)
def test_codeword_is_a_low_degree_polynomial_vanishing_at_the_shortened_points(field):
    code = FastReedSolomon(10, 5, field=field)  # r = 5, m = 8, N = 16: degree < 8, zeros at 13..15
    gf = code.field.galois_field
    data = np.random.default_rng(6).integers(0, code.field.order, (5, 1)).astype(code.field.dtype)
    shards = code.encode(data)[:, 0]
    points = omegas(gf, code.field.degree, 16)
    positions = list(range(8, 13)) + list(range(5)) + [13, 14, 15]
    values = gf(np.concatenate([shards[:5], shards[5:], [0, 0, 0]]).astype(np.int64))
    vandermonde = points[positions][:, None] ** np.arange(8)  # 13 x 8: degree < 8
    coefficients = np.linalg.solve(vandermonde[:8], values[:8])
    assert np.array_equal(vandermonde @ coefficients, values)


@pytest.mark.parametrize("field", FIELDS)
def test_encoding_is_linear_over_the_field_as_galois_computes_it(field):
    code = FastReedSolomon(12, 5, field=field)
    gf = code.field.galois_field
    rng = np.random.default_rng(7)
    x, y = (rng.integers(0, code.field.order, (5, 8)).astype(code.field.dtype) for _ in range(2))
    scalar = gf(int(rng.integers(1, code.field.order)))
    combined = np.asarray(scalar * gf(x) + gf(y)).astype(code.field.dtype)
    expected = scalar * gf(code.encode(x)) + gf(code.encode(y))
    assert np.array_equal(code.encode(combined), np.asarray(expected))


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("n, k", [(8, 4), (10, 5)])
def test_every_k_subset_decodes_as_the_cauchy_code_does(field, n, k):
    fast, cauchy = FastReedSolomon(n, k, field=field), ReedSolomon(n, k, field=field)
    data = np.random.default_rng(n).integers(0, 256, (k, 22), dtype=np.uint8)
    shards, cauchy_shards = fast.encode(data), cauchy.encode(data)
    assert np.array_equal(shards[:k], data)
    for subset in itertools.combinations(range(n), k):
        received = np.array(subset)[::-1]  # order of arrival must not matter
        recovered = fast.decode(received, shards[received])
        assert np.array_equal(recovered, cauchy.decode(received, cauchy_shards[received])), subset
        assert np.array_equal(recovered, data), subset


@pytest.mark.parametrize("field, n, k", [("gf2^16", 4096, 2048), ("gf2^16", 3000, 2999), ("gf2^16", 5000, 7),
                                         ("gf2^8", 256, 100), ("gf2^8", 200, 60), ("gf2^8", 256, 255)])
def test_large_codes_recover_from_random_and_worst_case_subsets(field, n, k):
    code = FastReedSolomon(n, k, field=field)
    rng = np.random.default_rng(n + k)
    data = rng.integers(0, 256, (k, 6), dtype=np.uint8)
    shards = code.encode(data)
    if n <= 256:
        assert np.array_equal(shards, ReedSolomon(n, k, field=field).encode(data)[:k].tolist()
                              + shards[k:].tolist())  # systematic
    worst = np.arange(n - k, n)  # the first n - k data shards lost, every parity shard used
    for received in [worst] + [rng.choice(n, k, replace=False) for _ in range(3)]:
        assert np.array_equal(code.decode(received, shards[received]), data)


def test_largest_field_code_uses_every_point_and_matches_cauchy_recovery():
    n, k = 65536, 30000  # m + k would exceed 2^16: parity points not a power of two
    code = FastReedSolomon(n, k)
    assert code.parity_points == n - k and code.transform_size == n
    rng = np.random.default_rng(8)
    data = rng.integers(0, 2**16, (k, 1), dtype=np.uint16)
    shards = code.encode(data)
    received = rng.choice(n, k, replace=False)
    assert np.array_equal(code.decode(received, shards[received]), data)


@given(n_parity=st.integers(0, 9), k=st.integers(1, 20), width=st.integers(0, 21), seed=st.integers(0, 2**32 - 1),
       field=st.sampled_from(FIELDS))
def test_random_codes_recover_from_random_subsets_like_the_cauchy_code(n_parity, k, width, seed, field):
    fast, cauchy = FastReedSolomon(k + n_parity, k, field=field), ReedSolomon(k + n_parity, k, field=field)
    rng = np.random.default_rng(seed)
    data = rng.integers(0, 256, (k, 2 * width), dtype=np.uint8)
    shards, cauchy_shards = fast.encode(data), cauchy.encode(data)
    received = rng.choice(fast.n_coded, k + int(rng.integers(0, n_parity + 1)), replace=False)
    recovered = fast.decode(received, shards[received])
    assert np.array_equal(recovered, cauchy.decode(received, cauchy_shards[received]))
    assert np.array_equal(recovered, data)


def test_uint16_symbols_and_boolean_masks_are_accepted():
    code = FastReedSolomon(9, 4)
    data = np.random.default_rng(9).integers(0, 2**16, (4, 5), dtype=np.uint16)
    shards = code.encode(data)
    assert shards.dtype == np.uint16 and shards.shape == (9, 5)
    mask = np.zeros(9, dtype=bool)
    mask[[1, 5, 6, 8]] = True
    assert np.array_equal(code.decode(mask, shards[mask]), data)


# ---- bad input -----------------------------------------------------------------------------------------
def test_too_few_shards_raise_not_decodable_with_counts():
    code = FastReedSolomon(8, 5)
    shards = code.encode(np.zeros((5, 4), dtype=np.uint8))
    with pytest.raises(NotDecodableError) as info:
        code.decode([0, 6, 7, 2], shards[[0, 6, 7, 2]])
    assert (info.value.received, info.value.needed) == (4, 5)


@pytest.mark.parametrize("n, k, field, error", [
    (4, 5, "gf2^16", ParameterError), (0, 0, "gf2^16", ParameterError), (3.5, 2, "gf2^16", ParameterError),
    (257, 4, "gf2^8", FieldTooSmallError), (65537, 4, "gf2^16", FieldTooSmallError), (8, 4, "gfp", ParameterError),
])
def test_bad_parameters_are_refused(n, k, field, error):
    with pytest.raises(error):
        FastReedSolomon(n, k, field=field)


def test_bad_shards_and_ids_are_refused():
    code = FastReedSolomon(8, 4)
    shards = code.encode(np.zeros((4, 6), dtype=np.uint8))
    with pytest.raises(ShapeError):
        code.encode(np.zeros((3, 6), dtype=np.uint8))
    with pytest.raises(ShapeError):
        code.encode(np.zeros((4, 5), dtype=np.uint8))  # odd bytes over GF(2^16)
    with pytest.raises(ParameterError):
        code.encode(np.zeros((4, 6), dtype=np.float64))
    with pytest.raises(ParameterError):
        code.decode([0, 0, 1, 2], shards[[0, 0, 1, 2]])
    with pytest.raises(ParameterError):
        code.decode([0, 1, 2, 8], shards[:4])
    with pytest.raises(ShapeError):
        code.decode([4, 5, 6, 7], shards[:3])
