from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from codedml.codes import OptimallyStructuredGC
from codedml.codes.gradient.sparsification import (
    MAX_EXACT_GROUPING_STATES,
    component_computation_load,
    contiguous_segment_structure,
    graph_sparse_structure,
    support_components,
)
from codedml.errors import NonFiniteError, ParameterError
from tests.naive_sparsification import components, eq34_load, most_integer_groups


@st.composite
def rational_row_sums(draw, max_workers=7):
    """Row sums ``q_i / d`` (small denominators, so groups with integer sums exist) adding up to an integer ``k``."""
    denominator = draw(st.sampled_from([1, 2, 3, 4, 6]))
    numerators = draw(st.lists(st.integers(0, 3 * denominator), min_size=1, max_size=max_workers))
    numerators[-1] += -sum(numerators) % denominator
    if sum(numerators) == 0:
        numerators[-1] = denominator
    return [Fraction(q, denominator) for q in numerators]


def assert_optimal_structure(alpha, row_sums, k):
    assert np.allclose(alpha.sum(axis=1), row_sums, rtol=0, atol=1e-12)
    assert np.allclose(alpha.sum(axis=0), 1.0, rtol=0, atol=1e-12)
    assert np.all(alpha.data > 0)


@given(rational_row_sums())
def test_graph_structure_has_n_plus_k_minus_the_most_integer_groups_nonzeros(fractions):
    row_sums = np.array([float(y) for y in fractions])
    n, k = row_sums.size, int(sum(fractions))
    alpha = graph_sparse_structure(row_sums, k)
    assert_optimal_structure(alpha, row_sums, k)
    assert alpha.nnz == n + k - most_integer_groups(fractions)
    assert support_components(alpha) == len(components(alpha))
    assert component_computation_load(alpha) == pytest.approx(eq34_load(alpha), abs=1e-15)
    assert alpha.nnz / n == pytest.approx(eq34_load(alpha), abs=1e-15)  # every component is a tree


@given(rational_row_sums())
def test_segments_meet_eq_34_for_the_components_their_order_induces(fractions):
    row_sums = np.array([float(y) for y in fractions])
    alpha = contiguous_segment_structure(row_sums, int(sum(fractions)))
    assert alpha.nnz / row_sums.size == pytest.approx(eq34_load(alpha), abs=1e-15)
    assert graph_sparse_structure(row_sums, int(sum(fractions))).nnz <= alpha.nnz


def test_graph_structure_splits_into_singletons_and_pairs_in_the_documented_example():
    alpha = graph_sparse_structure([0.5, 1.0, 0.5, 1.0], 3)
    assert sorted(map(sorted, (rows for rows, _ in components(alpha)))) == [[0, 2], [1], [3]]


@pytest.mark.parametrize("n_per_class", [6, 200])
def test_two_machine_classes_pair_up_into_n_over_2_components(n_per_class):
    probabilities = np.repeat([0.1, 0.4], n_per_class)  # c = 9 and 1.5: Y = 12/7 and 2/7, a pair sums to 2
    segments = OptimallyStructuredGC(probabilities)
    graph = OptimallyStructuredGC(probabilities, structure="graph")
    n = k = 2 * n_per_class
    assert segments.encoding_matrix.nnz == n + k - support_components(segments.encoding_matrix) > n + k - n_per_class
    assert graph.encoding_matrix.nnz == n + k - n_per_class
    assert_optimal_structure(graph.encoding_matrix, graph.row_sums, k)


def test_many_distinct_row_sums_fall_back_to_the_pair_heuristic():
    low = 0.1 + 0.01 * np.arange(11)
    row_sums = np.concatenate((low, 1.0 - low))  # 22 distinct values: 2^22 states, more than the exact limit
    assert 2**22 > MAX_EXACT_GROUPING_STATES
    alpha = graph_sparse_structure(row_sums, 11)
    assert_optimal_structure(alpha, row_sums, 11)
    assert alpha.nnz == 22 + 11 - 11


def test_heuristic_never_gives_a_denser_structure_than_the_given_order():
    first = 0.05 + 0.01 * np.arange(8)
    triples = np.column_stack((first, first + 0.3, 1.0 - 2 * first - 0.3))  # the pair heuristic finds fewer groups
    row_sums = triples.ravel()  # in this order every third cumulative sum is an integer
    alpha = graph_sparse_structure(row_sums, 8)
    assert alpha.nnz == contiguous_segment_structure(row_sums, 8).nnz == 24 + 8 - 8


def test_generic_reliabilities_leave_no_integer_group():
    probabilities = np.random.default_rng(0).uniform(0.05, 0.9, 12)
    graph = OptimallyStructuredGC(probabilities, structure="graph")
    assert graph.encoding_matrix.nnz == 12 + 12 - 1 == OptimallyStructuredGC(probabilities).encoding_matrix.nnz


def test_idle_workers_are_components_of_their_own():
    probabilities = np.array([0.1, 0.1, 0.4, 0.4, 0.3])
    code = OptimallyStructuredGC(probabilities, bits=[4, 4, 3, 3, 0], omega_scale=1.0, structure="graph")
    assert code.worker_loads[4] == 0
    assert component_computation_load(code.encoding_matrix) == pytest.approx(eq34_load(code.encoding_matrix))


def test_structures_share_the_row_sums_and_order_their_error_on_uncorrelated_gradients():
    probabilities = np.repeat([0.1, 0.4, 0.25], 3)
    codes = {name: OptimallyStructuredGC(probabilities, structure=name) for name in ("segments", "graph", "dense")}
    for code in codes.values():
        assert_optimal_structure(code.encoding_matrix, codes["dense"].row_sums, 9)
    errors = {name: code.expected_error() for name, code in codes.items()}
    assert errors["dense"] < min(errors["segments"], errors["graph"])
    shared = np.ones((9, 2))  # identical partial gradients: every optimal structure has the same error
    assert np.ptp([code.expected_error(shared) for code in codes.values()]) < 1e-12
    assert codes["dense"].encoding_matrix.nnz == 81


@pytest.mark.parametrize("call, message", [
    (lambda: OptimallyStructuredGC([0.5, 0.5], structure="tree"), "structure must be one of 'segments'"),
    (lambda: OptimallyStructuredGC([0.5, 0.5], structure=None), "structure must be one of"),
    (lambda: graph_sparse_structure([1.0, 2.0], 2), "add up to k=2"),
    (lambda: graph_sparse_structure([1.0], 0), "n_partitions must be an integer >= 1"),
    (lambda: graph_sparse_structure([-1.0, 2.0], 1), "row sums must be non-negative"),
    (lambda: support_components("x"), "matrix must be numeric"),
])
def test_bad_parameters_raise_a_named_error(call, message):
    with pytest.raises(ParameterError, match=message):
        call()


def test_non_finite_row_sums_raise_non_finite_error():
    with pytest.raises(NonFiniteError):
        graph_sparse_structure([1.0, np.inf], 2)
