"""Issue 10 for the polynomial, MDS-computation, Lagrange and Reed-Solomon codes and the field layer.

``received`` in any order (row i belongs to received[i]); real decoders never return a wrong
answer (they decode within their tolerance or raise DecodingAccuracyError); bad input raises a
named codedml error whose message names the argument.
"""

import numpy as np
import pytest

from codedml.codes.computation.lagrange import LagrangeCodedComputing
from codedml.codes.computation.mds import MDSCodedComputation
from codedml.codes.diagnostics.conditioning import survivor_sets
from codedml.codes.erasure.reed_solomon import ReedSolomon
from codedml.codes.gradient.polynomial import PolynomialGC
from codedml.errors import (
    DecodingAccuracyError,
    NonFiniteError,
    NotDecodableError,
    ParameterError,
    ShapeError,
    SizeError,
)
from codedml.fields.fixed_point import Quantizer
from codedml.fields.galois_fields import binary_extension_field, check_field_size, get_field, prime_field

P = 2**31 - 1


def permutations(ids, count, seed=0):
    rng = np.random.default_rng(seed)
    return [np.asarray(ids)[rng.permutation(len(ids))] for _ in range(count)]


# ---- received in any order -------------------------------------------------------------------
@pytest.mark.parametrize("field", ["real", "gfp"])
def test_polynomial_gc_decodes_received_in_any_order(field):
    code = PolynomialGC(9, 3, field=field)
    partials = np.random.default_rng(1).normal(size=(9, 2))
    messages = code.encode(partials)
    expected = code.decode(np.arange(6), messages[:6])
    for order in permutations([8, 1, 5, 2, 7, 0], 5):
        np.testing.assert_allclose(code.decode(order, messages[order]), expected, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(code.decode(order, messages), expected, rtol=1e-9, atol=1e-12)
    mask = np.zeros(9, dtype=bool)
    mask[[8, 1, 5, 2, 7, 0]] = True
    np.testing.assert_allclose(code.decode(mask, messages[mask]), expected, rtol=1e-9, atol=1e-12)


def test_polynomial_gc_decode_integers_pairs_row_i_with_received_i():
    code = PolynomialGC(8, 2, field="gfp")
    partials = np.random.default_rng(2).normal(size=(8, 3))
    messages = code.encode(partials)
    expected = np.rint(partials * code.quantizer.scale).astype(np.int64).sum(axis=0)
    for order in permutations([7, 0, 3, 5, 1, 6, 2], 6):
        assert np.array_equal(code.decode_integers(order, messages[order]), expected)
        assert np.array_equal(code.decode_integers(order, messages), expected)
    assert code.decode_integers([5, 0, 3, 1, 6, 2], messages[[5, 0, 3, 1, 6, 2], 0]) == expected[0]


@pytest.mark.parametrize("field", ["real", "gfp"])
def test_mds_computation_decodes_received_in_any_order(field):
    code = MDSCodedComputation(7, 6, 2, field=field)
    rng = np.random.default_rng(3)
    W, theta = rng.normal(size=(12, 4)), rng.normal(size=4)
    results = code.worker_products(code.encode(W), theta)
    expected = code.decode([0, 1, 2], results[:3])
    for order in permutations([6, 2, 4, 0], 6):
        np.testing.assert_allclose(code.decode(order, results[order]), expected, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(code.decode(order, results), expected, rtol=1e-10, atol=1e-12)


def test_lagrange_decodes_received_in_any_order():
    code = LagrangeCodedComputing(8, 3, 2)
    rng = np.random.default_rng(4)
    X, y, theta = rng.normal(size=(9, 3)), rng.normal(size=9), rng.normal(size=3)
    results = code.regression_worker_results(code.encode_regression(X, y), theta)
    expected = code.decode_regression(np.arange(5), results[:5])
    for order in permutations([7, 2, 5, 0, 3, 6], 6):
        assert np.array_equal(code.decode_regression(order, results[order]), expected)
        assert np.array_equal(code.decode_regression(order, results), expected)
        assert np.array_equal(code.decode(order, results[order]), code.decode(np.sort(order), results))


def test_reed_solomon_accepts_a_mask_and_one_row_per_shard():
    code = ReedSolomon(7, 4)
    data = np.random.default_rng(5).integers(0, 256, (4, 10), dtype=np.uint8)
    shards = code.encode(data)
    mask = np.zeros(7, dtype=bool)
    mask[[1, 4, 5, 6]] = True
    assert np.array_equal(code.decode(mask, shards[mask]), data)
    assert np.array_equal(code.decode([6, 1, 5, 4], shards), data)


# ---- real decoders never return a wrong answer --------------------------------------------------
def test_polynomial_gc_at_n_60_never_returns_a_wrong_sum():
    code = PolynomialGC(60, 20)
    rng = np.random.default_rng(6)
    partials = rng.normal(size=(60, 3))
    messages, target = code.encode(partials), partials.sum(axis=0)
    for survivors in survivor_sets(60, 40, 200, rng):
        order = rng.permutation(survivors)
        try:
            decoded = code.decode(order, messages[order])
        except DecodingAccuracyError as error:
            assert error.needed == 40 and "residual" in str(error)
            continue
        assert np.linalg.norm(decoded - target) <= 1e-5 * np.linalg.norm(target)


@pytest.mark.parametrize("s", [2, 6, 13, 19, 24])
def test_polynomial_gc_at_n_26_decodes_within_tolerance_or_raises(s):
    code = PolynomialGC(26, s)
    rng = np.random.default_rng(s)
    partials = rng.normal(size=(26, 3))
    messages, target = code.encode(partials), partials.sum(axis=0)
    for survivors in survivor_sets(26, 26 - s, 200, rng):
        try:
            decoded = code.decode(survivors, messages[survivors])
        except DecodingAccuracyError:
            assert not code.is_decodable(survivors)
            continue
        assert np.linalg.norm(decoded - target) <= 1e-5 * np.linalg.norm(target)


def test_polynomial_gc_beyond_its_limit_is_not_decodable_by_count_alone():
    assert PolynomialGC(24, 4).decodable_iff_count
    assert not PolynomialGC(30, 4).decodable_iff_count
    assert PolynomialGC(30, 4, field="gfp").decodable_iff_count


def test_mds_computation_k_32_m_16_decodes_within_1e_6_or_raises():
    code = MDSCodedComputation(32, 16)
    rng = np.random.default_rng(7)
    W, theta = rng.normal(size=(32, 3)), rng.normal(size=3)
    results, target = code.worker_products(code.encode(W), theta), W @ theta
    refused = 0
    for survivors in survivor_sets(32, 16, 200, rng):
        order = rng.permutation(survivors)
        try:
            decoded = code.decode(order, results[order])
        except DecodingAccuracyError as error:
            assert "cond" in str(error)
            refused += 1
            continue
        assert np.linalg.norm(decoded - target) <= 1e-6 * np.linalg.norm(target)
    assert refused > 0  # contiguous survivors cluster the Chebyshev points


def test_mds_computation_singular_and_near_singular_subsets_raise_accuracy_error():
    exact = np.array([[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1], [1, 2, 3]], dtype=float)
    near = exact.copy()
    near[2, 2] = 1e-13
    for generator in (exact, near):
        code = MDSCodedComputation(5, 3, generator=generator)
        W, theta = np.arange(12.0).reshape(3, 4), np.ones(4)
        results = code.worker_products(code.encode(W), theta)
        with pytest.raises(DecodingAccuracyError, match="ill-conditioned"):
            code.decode([2, 0, 1], results[[2, 0, 1]])
        np.testing.assert_allclose(code.decode([3, 0, 4], results[[3, 0, 4]]), W @ theta)


@pytest.mark.parametrize("generator, message", [
    ([[1.0, 1.0], [0.0, 0.0], [1.0, 3.0]], "row 1 is zero"),
    ([[1.0, 0.0], [2.0, 0.0], [3.0, 0.0]], "column 1 is zero"),
    ([[1.0, 1.0], [2.0, 2.0], [1.0, 3.0]], "rows 0 and 1 are parallel"),
    ([[1.0, 1.0], [1.0, 1.0 + 1e-14], [1.0, 3.0]], "rows 0 and 1 are parallel"),
])
def test_mds_computation_refuses_generators_with_singular_pairs(generator, message):
    with pytest.raises(ParameterError, match=message):
        MDSCodedComputation(3, 2, generator=generator)


def test_mds_computation_gfp_generator_with_proportional_rows_is_refused():
    with pytest.raises(ParameterError, match="rows 1 and 2 are multiples"):
        MDSCodedComputation(3, 2, field=101, generator=[[1, 1], [1, 2], [3, 6]])


# ---- field elements -------------------------------------------------------------------------
FIELD_ELEMENT_CASES = [(2.5, "integers"), (-1, "in \\[0"), (P, "in \\[0"), (1j, "integers"), ("a", "numeric")]


@pytest.mark.parametrize("value, message", FIELD_ELEMENT_CASES)
def test_polynomial_gc_decode_integers_refuses_non_field_elements(value, message):
    code = PolynomialGC(6, 2, field="gfp")
    messages = code.encode(np.ones((6, 1))).astype(object)
    messages[0, 0] = value
    with pytest.raises(ParameterError, match=f"messages.*{message}"):
        code.decode_integers(np.arange(6), np.array(messages.tolist()))


@pytest.mark.parametrize("value, message", FIELD_ELEMENT_CASES)
def test_gfp_mds_and_lagrange_refuse_non_field_elements(value, message):
    mds = MDSCodedComputation(4, 2, field="gfp")
    results = mds.worker_products(mds.encode(np.ones((2, 3))), np.ones(3)).astype(object)
    results[0, 0] = value
    with pytest.raises(ParameterError, match=f"results.*{message}"):
        mds.decode([0, 1], np.array(results[:2].tolist()))
    lcc = LagrangeCodedComputing(4, 2, 1)
    blocks = np.array([[1, 2], [3, 4]], dtype=object)
    blocks[1, 1] = value
    with pytest.raises(ParameterError, match=f"blocks.*{message}"):
        lcc.encode(np.array(blocks.tolist()))
    encoded = lcc.encode(np.array([[1, 2], [3, 4]])).astype(object)
    encoded[0, 0] = value
    with pytest.raises(ParameterError, match=f"results.*{message}"):
        lcc.decode([0, 1], np.array(encoded[:2].tolist()))


def test_gfp_user_generator_must_hold_field_elements():
    with pytest.raises(ParameterError, match="generator.*\\[0, 100\\]"):
        MDSCodedComputation(3, 2, field=101, generator=[[1, 1], [1, -2], [1, 3]])
    with pytest.raises(ParameterError, match="generator.*integers"):
        MDSCodedComputation(3, 2, field=101, generator=[[1, 1], [1, 2.5], [1, 3]])


# ---- parameters ------------------------------------------------------------------------------
@pytest.mark.parametrize("make, error, name", [
    (lambda: PolynomialGC(None, 2), ParameterError, "n_workers"),
    (lambda: PolynomialGC(6, 2.5), ParameterError, "n_stragglers"),
    (lambda: PolynomialGC(6, np.nan), ParameterError, "n_stragglers"),
    (lambda: PolynomialGC(6, 2, field="gf2^8"), ParameterError, "prime field"),
    (lambda: PolynomialGC(6, 2, field="gfp", scale=np.nan), ParameterError, "scale"),
    (lambda: PolynomialGC(6, 2, residual_tolerance=-1.0), ParameterError, "residual_tolerance"),
    (lambda: PolynomialGC(10**6, 2), SizeError, "n_workers=1000000"),
    (lambda: MDSCodedComputation(None, 2), ParameterError, "n_workers"),
    (lambda: MDSCodedComputation(4, 2, computation_load=True), ParameterError, "computation_load"),
    (lambda: MDSCodedComputation(10**6, 10**5), SizeError, "n_workers=1000000"),
    (lambda: MDSCodedComputation(4, 2, generator=np.ones((4, 3))), ShapeError, "generator"),
    (lambda: MDSCodedComputation(4, 2, generator=[[1, np.inf]] * 4), NonFiniteError, "generator"),
    (lambda: MDSCodedComputation(4, 2, generator=[[1, 1j]] * 4), ParameterError, "generator"),
    (lambda: MDSCodedComputation(4, 2, residual_tolerance=np.inf), ParameterError, "residual_tolerance"),
    (lambda: LagrangeCodedComputing(4.5, 2, 1), ParameterError, "n_workers"),
    (lambda: LagrangeCodedComputing(4, "2", 1), ParameterError, "n_partitions"),
    (lambda: LagrangeCodedComputing(10**9, 2, 1), SizeError, "n_workers=1000000000"),
    (lambda: ReedSolomon(None, 2), ParameterError, "n_coded"),
    (lambda: ReedSolomon(6, 7), ParameterError, "n_sources"),
    (lambda: ReedSolomon(6, 2, field=None), ParameterError, "field"),
    (lambda: Quantizer(None), ParameterError, "scale"),
    (lambda: Quantizer(-1.0), ParameterError, "scale"),
    (lambda: Quantizer(1.0, p=None), ParameterError, "field"),
    (lambda: Quantizer(1.0, p=9), ParameterError, "prime"),
    (lambda: prime_field(None), ParameterError, "p="),
    (lambda: prime_field([7]), ParameterError, "p="),
    (lambda: binary_extension_field(np.array([8, 16])), ParameterError, "m="),
    (lambda: get_field(True), ParameterError, "field"),
    (lambda: check_field_size(get_field("gf2^8"), None), ParameterError, "n_points"),
])
def test_bad_parameters_raise_named_errors(make, error, name):
    with pytest.raises(error, match=name):
        make()


# ---- arrays ----------------------------------------------------------------------------------
def test_quantizer_refuses_none_nan_complex_and_strings():
    quantizer = Quantizer(4.0, 101)
    for value, error in ((None, ParameterError), ([1.0, np.nan], NonFiniteError), ([1j], ParameterError),
                         (["a"], ParameterError), ([[1.0], [1.0, 2.0]], ShapeError)):
        with pytest.raises(error, match="values"):
            quantizer.quantize(value)
    for value in (None, [1.5], [-1], [101], [1j]):
        with pytest.raises(ParameterError, match="elements"):
            quantizer.dequantize(value)
    with pytest.raises(ParameterError, match="scale_power"):
        quantizer.quantize([1.0], scale_power=-1)
    with pytest.raises(ParameterError, match="scale"):
        Quantizer(1e300, 101).quantize([1.0], scale_power=2)
    assert quantizer.quantize(-0.25) == 100


def test_real_arrays_are_validated_by_name():
    mds = MDSCodedComputation(4, 2)
    with pytest.raises(ParameterError, match="W"):
        mds.encode(None)
    with pytest.raises(NonFiniteError, match="W"):
        mds.encode(np.full((2, 2), np.nan))
    coded = mds.encode(np.ones((2, 3)))
    with pytest.raises(ShapeError, match="theta"):
        mds.worker_products(coded, np.ones(4))
    with pytest.raises(ParameterError, match="theta"):
        mds.worker_products(coded, np.ones(3) * 1j)
    results = mds.worker_products(coded, np.ones(3))
    with pytest.raises(ShapeError, match="results"):
        mds.decode([0, 1], results[:3])
    with pytest.raises(ParameterError, match="received"):
        mds.decode([0, 7], results[:2])
    lcc = LagrangeCodedComputing(4, 2, 2)
    with pytest.raises(ShapeError, match="y"):
        lcc.encode_regression(np.ones((4, 2)), np.ones(3))
    with pytest.raises(ParameterError, match="X"):
        lcc.encode_regression("data", np.ones(4))
    with pytest.raises(ParameterError, match="encoded"):
        lcc.regression_worker_results(np.full((4, 2, 3), 0.5), np.ones(2))


def test_reed_solomon_refuses_ragged_shards_wrong_dtypes_and_symbols_out_of_range():
    code = ReedSolomon(6, 3)
    shards = code.encode(np.zeros((3, 4), dtype=np.uint8))
    with pytest.raises(ShapeError, match="shards"):
        code.decode([0, 1, 2], [shards[0], shards[1], shards[2][:3]])
    with pytest.raises(ParameterError, match="data"):
        code.encode(np.zeros((3, 4)))
    with pytest.raises(ParameterError, match="data"):
        code.encode(np.full((3, 4), 256, dtype=np.uint16))
    with pytest.raises(ShapeError, match="shards"):
        code.decode([0, 1, 2, 3], shards[:3])
    with pytest.raises(ParameterError, match="received"):
        code.decode([0, 1, 2.5], shards[:3])
    symbols = [[1, 2], [3, 4], [5, 255]]
    encoded = code.encode(symbols)
    assert encoded.dtype == np.uint8
    assert np.array_equal(code.decode([5, 4, 3], encoded[[5, 4, 3]]), symbols)
    wide = ReedSolomon(6, 3, field="gf2^16")
    encoded = wide.encode([[1, 2], [3, 4], [5, 65535]])
    assert encoded.dtype == np.uint16
    with pytest.raises(ParameterError, match="data"):
        wide.encode([[1, 2], [3, 4], [5, 65536]])


def test_fewer_results_than_needed_raise_not_decodable_before_the_arrays():
    mds = MDSCodedComputation(4, 2, field="gfp")
    with pytest.raises(NotDecodableError) as info:
        mds.decode([3], np.zeros((1, 1), dtype=np.int64))
    assert (info.value.received, info.value.needed) == (1, 2)
