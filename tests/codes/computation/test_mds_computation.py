"""MDSCodedComputation: the seed cpgc A_m example and recovery from any M / r workers."""

import itertools

import numpy as np
import pytest

from codedml.codes.computation.mds import MDSCodedComputation
from codedml.errors import FieldTooSmallError, NotDecodableError


def test_seed_example_codes_w1_plus_c_w3_and_w2_plus_c_w4():
    code = MDSCodedComputation.seed_example()
    W = np.random.default_rng(0).normal(size=(4, 3))
    coded = code.encode(W)
    for worker, c in enumerate((1, 2, 4, 8)):
        assert np.allclose(coded[worker, 0, 0], W[0] + c * W[2])
        assert np.allclose(coded[worker, 1, 0], W[1] + c * W[3])


@pytest.mark.parametrize("field", ["real", "gfp"])
def test_seed_example_any_two_of_four_workers_recover_w_theta(field):
    code = MDSCodedComputation.seed_example(field=field)
    rng = np.random.default_rng(1)
    W, theta = rng.normal(size=(8, 5)), rng.normal(size=5)
    results = code.worker_products(code.encode(W), theta)
    if field == "real":
        expected, tolerance = W @ theta, 1e-12
    else:
        scale = code.quantizer.scale
        expected, tolerance = np.rint(W * scale) @ np.rint(theta * scale) / scale**2, 0.0
    for pair in itertools.combinations(range(4), 2):
        assert np.abs(code.decode(list(pair), results[list(pair)]) - expected).max() <= tolerance
    with pytest.raises(NotDecodableError):
        code.decode([2], results[[2]])


def test_gfp_code_recovers_exact_fixed_point_product_from_any_m_workers():
    code = MDSCodedComputation(9, 5, field="gfp")
    rng = np.random.default_rng(2)
    W, theta = rng.normal(size=(10, 6)), rng.normal(size=6)
    results = code.worker_products(code.encode(W), theta)
    scale = code.quantizer.scale
    expected = np.rint(W * scale) @ np.rint(theta * scale) / scale**2
    for subset in itertools.combinations(range(9), 5):
        assert np.array_equal(code.decode(list(subset), results), expected)


def test_gfp_products_that_could_wrap_are_refused():
    code = MDSCodedComputation(4, 2, field=65537, scale=16.0)
    coded = code.encode(np.full((2, 8), 4.0))
    with pytest.raises(FieldTooSmallError):
        code.worker_products(coded, np.full(8, 5.0))
