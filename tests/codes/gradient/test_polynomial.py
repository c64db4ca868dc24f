"""PolynomialGC: exact fixed-point decoding over GF(p), threshold n - s, overflow refusal."""

import itertools

import numpy as np
import pytest

from codedml.codes.gradient.polynomial import PolynomialGC
from codedml.errors import FieldTooSmallError, NotDecodableError
from codedml.fields.fixed_point import Quantizer


def test_gfp_decodes_exact_fixed_point_sum_at_n_1000_s_100():
    code = PolynomialGC(1000, 100, field="gfp")
    rng = np.random.default_rng(3)
    partials = rng.normal(size=(1000, 2))
    messages = code.encode(partials)
    expected = np.rint(partials * code.quantizer.scale).astype(np.int64).sum(axis=0)
    for survivors in (np.arange(100, 1000), np.sort(rng.choice(1000, 900, replace=False))):
        assert np.array_equal(code.decode_integers(survivors, messages[survivors]), expected)
        assert np.array_equal(code.decode(survivors, messages), expected / code.quantizer.scale)


def test_every_survivor_set_of_threshold_size_decodes_in_both_fields():
    rng = np.random.default_rng(0)
    partials = rng.normal(size=(7, 3))
    for field in ("real", "gfp"):
        code = PolynomialGC(7, 3, field=field)
        messages = code.encode(partials)
        for subset in itertools.combinations(range(7), 4):
            decoded = code.decode(list(subset), messages[list(subset)])
            assert np.allclose(decoded, partials.sum(axis=0), atol=1e-4)


def test_mask_is_cyclic_with_s_plus_one_partitions_per_worker():
    code = PolynomialGC(8, 2, field="gfp")
    expected = np.zeros((8, 8), dtype=bool)
    for i in range(8):
        expected[i, [(i + t) % 8 for t in range(3)]] = True
    assert np.array_equal(code.assignment, expected)
    assert code.recovery_threshold == 6


def test_fewer_than_threshold_raise_not_decodable():
    code = PolynomialGC(6, 2, field="gfp")
    messages = code.encode(np.ones((6, 1)))
    assert not code.is_decodable([0, 1, 2])
    with pytest.raises(NotDecodableError) as info:
        code.decode([0, 1, 2], messages[[0, 1, 2]])
    assert info.value.needed == 4


def test_encoding_refuses_partials_that_could_wrap_around_p():
    code = PolynomialGC(10, 2, field=101, scale=1.0)
    with pytest.raises(FieldTooSmallError, match="wrap around"):
        code.encode(np.full((10, 1), 6.0))


def test_quantizer_round_trips_and_maps_negatives_to_p_minus_value():
    quantizer = Quantizer(8.0, 97)
    assert quantizer.quantize(np.array([-0.25]))[0] == 95
    values = np.array([-3.0, -0.125, 0.0, 2.5])
    assert np.array_equal(quantizer.dequantize(quantizer.quantize(values)), values)
    quantizer.check_no_overflow(3, 2.0)  # 3 * 16 = 48 <= 48
    with pytest.raises(FieldTooSmallError, match="bound|<= 2"):
        quantizer.check_no_overflow(4, 2.0)


def _direct_window_products(points, s, modulus):
    """``f_{i+t}(x_i)`` as the plain product over the ``n - s - 1`` workers missing partition ``i + t``."""
    n = len(points)
    values = np.ones((n, s + 1), dtype=object)
    for i in range(n):
        for t in range(s + 1):
            product = 1
            for u in range(t + 1, t + n - s):
                gap = points[i] - points[(i + u) % n]
                product = (product * gap) % modulus if modulus else product * gap
            values[i, t] = product
    return values


@pytest.mark.parametrize("n", [2, 3, 7, 12])
def test_window_products_equal_the_direct_products_for_every_s(n):
    from codedml.codes.real_generators import chebyshev_points
    from codedml.kernels.window_products import cyclic_window_products

    p = 2**31 - 1
    integer_points = np.random.default_rng(n).choice(p, n, replace=False).astype(np.int64)
    real_points = chebyshev_points(n, half_width=2.0)
    for s in range(n):
        exact = cyclic_window_products(integer_points, s, p)
        assert np.array_equal(exact, _direct_window_products([int(x) for x in integer_points], s, p).astype(np.int64))
        real = cyclic_window_products(real_points, s, 0)
        np.testing.assert_allclose(real, _direct_window_products(list(real_points), s, 0).astype(float), rtol=1e-12)
