"""Blocked GF(2^m) elimination: the same solutions and inverses as the unblocked kernel and galois."""

import galois
import numpy as np
import pytest

from codedml.fields.galois_fields import binary_extension_field
from codedml.kernels.gf2m import gf2m_inverse_matrix, gf2m_solve
from codedml.kernels.gf2m_blocked import PANEL, gf2m_inverse_blocked, gf2m_solve_blocked


def random_symbols(rng, degree, shape):
    return rng.integers(0, 2**degree, shape).astype(np.uint8 if degree == 8 else np.uint16)


@pytest.mark.parametrize("degree", [8, 16])
@pytest.mark.parametrize("n", [0, 1, 5, PANEL - 1, PANEL, PANEL + 1, 2 * PANEL + 3])
@pytest.mark.parametrize("n_rhs", [0, 1, 3, 70])
def test_solve_equals_the_unblocked_elimination_across_panel_boundaries(degree, n, n_rhs):
    field = binary_extension_field(degree)
    rng = np.random.default_rng(n * 100 + n_rhs)
    matrix, rhs = random_symbols(rng, degree, (n, n)), random_symbols(rng, degree, (n, n_rhs))
    expected, expected_ok = gf2m_solve(matrix, rhs, field.exp, field.log)
    solution, ok = gf2m_solve_blocked(matrix, rhs, field.exp, field.log, field.degree, field.reduction)
    assert ok == expected_ok and (not ok or np.array_equal(solution, expected))


@pytest.mark.parametrize("degree", [8, 16])
def test_inverse_equals_the_unblocked_inverse_and_galois(degree):
    field = binary_extension_field(degree)
    rng = np.random.default_rng(degree)
    matrix = random_symbols(rng, degree, (PANEL + 9, PANEL + 9))
    inverse, ok = gf2m_inverse_blocked(matrix, field.exp, field.log, field.degree, field.reduction)
    assert ok and np.array_equal(inverse, gf2m_inverse_matrix(matrix, field.exp, field.log)[0])
    small = random_symbols(rng, degree, (12, 12))
    reference = galois.GF(2**degree)
    assert np.array_equal(gf2m_inverse_blocked(small, field.exp, field.log, field.degree, field.reduction)[0],
                          np.linalg.inv(reference(small)))


@pytest.mark.parametrize("degree", [8, 16])
@pytest.mark.parametrize("repeated", [3, PANEL + 5])
def test_singular_matrix_is_reported_in_any_panel(degree, repeated):
    field = binary_extension_field(degree)
    matrix = random_symbols(np.random.default_rng(repeated), degree, (2 * PANEL, 2 * PANEL))
    matrix[:, repeated] = matrix[:, 1]
    solution, ok = gf2m_solve_blocked(matrix, matrix[:, :2].copy(), field.exp, field.log, field.degree,
                                      field.reduction)
    assert not ok and not solution.any()
