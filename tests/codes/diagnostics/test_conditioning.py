"""Stated real-field accuracy limits, each tested at its limit."""

import numpy as np
import pytest

from codedml.codes import CyclicRepetition, FractionalRepetition
from codedml.codes.computation import mds as mds_computation
from codedml.codes.computation.mds import MDSCodedComputation
from codedml.codes.diagnostics.conditioning import decoding_conditioning, survivor_sets
from codedml.codes.gradient import polynomial
from codedml.codes.gradient.polynomial import PolynomialGC
from codedml.errors import ParameterError


def stragglers(n):
    return sorted({1, n // 4, n // 2, 3 * n // 4, n - 2})


def test_polynomial_gc_real_stays_within_1e_6_at_its_stated_limit():
    n = polynomial.REAL_FIELD_LIMIT
    for s in stragglers(n):
        report = decoding_conditioning(PolynomialGC(n, s), seed=0)
        assert report.worst_relative_error <= 1e-6, (s, report)


def test_polynomial_gc_real_exceeds_1e_6_three_points_above_its_limit():
    # n = 25 and 26 sit at 1e-6 (either side, depending on rounding); n = 27 is above 1e-5
    n = polynomial.REAL_FIELD_LIMIT + 3
    assert max(decoding_conditioning(PolynomialGC(n, s), seed=0).worst_relative_error for s in stragglers(n)) > 1e-6


def test_mds_computation_real_stays_within_1e_6_at_its_stated_limit():
    K = mds_computation.REAL_FIELD_LIMIT
    for M in sorted({K // 4, K // 2, 3 * K // 4, K}):
        report = decoding_conditioning(MDSCodedComputation(K, M), seed=0)
        assert report.worst_relative_error <= 1e-6, (M, report)


def test_cyclic_repetition_stays_within_1e_6_at_n_60():
    for s in (1, 15, 30):
        assert decoding_conditioning(CyclicRepetition(60, s, seed=0), n_samples=50).worst_relative_error <= 1e-6


def test_fractional_repetition_is_exact_up_to_rounding_at_n_200():
    report = decoding_conditioning(FractionalRepetition(200, 9), n_samples=20, seed=0)
    assert report.worst_relative_error <= 1e-12
    assert report.worst_condition == pytest.approx(1.0)


def test_survivor_sets_enumerate_all_subsets_when_few():
    sets = survivor_sets(5, 3, 100, np.random.default_rng(0))
    assert len(sets) == 10 and len({tuple(s) for s in sets}) == 10


def test_finite_field_code_is_refused():
    with pytest.raises(ParameterError, match="real-field"):
        decoding_conditioning(PolynomialGC(6, 2, field="gfp"), seed=0)
