"""LagrangeCodedComputing: exact linear-regression gradient from any threshold-many workers."""

import itertools

import numpy as np
import pytest

from codedml.codes.computation.lagrange import LagrangeCodedComputing
from codedml.errors import NotDecodableError, ParameterError


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
