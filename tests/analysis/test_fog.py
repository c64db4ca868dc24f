"""Fog-node random coding: overlap matrix, Theorem 3's Delta, and the Figure 5 coding gain."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codedml.analysis.fog import (
    FogNodeCoding,
    expected_max_geometric,
    expected_max_negative_binomial,
)
from codedml.errors import ParameterError, ShapeError
from tests.naive_fog import (
    brute_force_new_gradients,
    brute_force_overlap,
    enumerated_expected_new_gradients,
    simulated_transmissions,
)


@st.composite
def fog_instances(draw):
    """A small random instance: holdings, a node, straggling indicators and an order pi."""
    n_nodes = draw(st.integers(2, 6))
    n_data = draw(st.integers(1, 12))
    seed = draw(st.integers(0, 2**32 - 1))
    probability = draw(st.sampled_from([0.15, 0.4, 0.8]))
    fog = FogNodeCoding.random(n_nodes, n_data, probability, seed=seed)
    rng = np.random.default_rng(seed)
    node = int(rng.integers(n_nodes))
    received = rng.random(n_nodes) < draw(st.sampled_from([0.3, 0.7, 1.0]))
    order = rng.permutation([i for i in range(n_nodes) if i != node])
    return fog, node, received, order


@settings(max_examples=300)
@given(fog_instances())
def test_theorem_3_delta_equals_brute_force_count(instance):
    fog, node, received, order = instance
    delta = fog.new_gradient_count(node, received, order)
    expected = brute_force_new_gradients(fog.holdings.tolist(), node, received.tolist())
    assert abs(delta - expected) < 1e-9 * max(1, expected)


def test_delta_with_every_node_received_is_the_requirement_and_order_free():
    fog = FogNodeCoding.random(7, 300, 0.25, seed=4)
    rng = np.random.default_rng(0)
    for node in range(7):
        others = [i for i in range(7) if i != node]
        assert fog.new_gradient_count(node) == pytest.approx(fog.required[node], abs=1e-9)
        received = rng.random(7) < 0.5
        counts = {round(fog.new_gradient_count(node, received, rng.permutation(others)), 9) for _ in range(5)}
        assert len(counts) == 1


def test_overlap_matrix_is_eq_9():
    fog = FogNodeCoding.random(5, 40, 0.4, seed=2)
    np.testing.assert_allclose(fog.overlap, brute_force_overlap(fog.holdings.tolist()), rtol=1e-15)
    assert np.all(np.diag(fog.overlap) == 1.0)


@pytest.mark.parametrize("straggling", [0.0, 0.2, 0.6])
def test_expected_delta_matches_enumeration_over_straggling_patterns(straggling):
    fog = FogNodeCoding.random(5, 15, 0.3, straggling, seed=11)
    for node in range(5):
        expected = enumerated_expected_new_gradients(fog.holdings.tolist(), node, straggling)
        assert fog.expected_new_gradients(node) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_pairwise_estimate_is_close_for_independently_placed_data():
    fog = FogNodeCoding.random(8, 4000, 0.3, seed=5)
    received = np.random.default_rng(1).random(8) < 0.7
    for node in range(8):
        exact = fog.new_gradient_count(node, received)
        assert fog.new_gradient_estimate(node, received) == pytest.approx(exact, rel=0.03)


def test_expected_maxima_match_closed_forms():
    # one receiver: Geometric mean 1/(1 - lambda); NegativeBinomial mean q/(1 - lambda)
    assert expected_max_geometric(np.array([1]), 0.25)[0] == pytest.approx(1 / 0.75, rel=1e-12)
    assert expected_max_negative_binomial(np.array([7]), 0.25) == pytest.approx(7 / 0.75, rel=1e-10)
    # two receivers: E[max] = 2 E[G] - E[min], min ~ Geometric(1 - lambda^2)
    assert expected_max_geometric(np.array([2]), 0.4)[0] == pytest.approx(2 / 0.6 - 1 / (1 - 0.16), rel=1e-12)
    assert expected_max_geometric(np.array([0, 3]), 0.0).tolist() == [0.0, 1.0]


@pytest.mark.parametrize("straggling, eta", [(0.3, 0.0), (0.5, 0.2)])
def test_transmission_counts_match_protocol_simulation(straggling, eta):
    fog = FogNodeCoding.random(4, 10, 0.35, straggling, eta, seed=3)
    (uncoded, uncoded_error), (coded, coded_error) = simulated_transmissions(
        fog.holdings.tolist(), straggling, eta, n_runs=3000, seed=0)
    assert abs(fog.uncoded_transmissions() - uncoded) < 4 * uncoded_error
    assert abs(fog.coded_transmissions() - coded) < 4 * coded_error


def gain(n_nodes, straggling, eta=0.0):
    return FogNodeCoding.random(n_nodes, 600, 0.3, straggling, eta, seed=n_nodes).coding_gain()


@pytest.mark.parametrize("eta", [0.0, 0.1])
def test_coding_gain_grows_with_node_count_figure_5(eta):
    gains = [gain(n_nodes, 0.3, eta) for n_nodes in (2, 4, 8, 16, 32)]
    assert np.all(np.diff(gains) > 0), gains
    assert gains[-1] > 1.5


@pytest.mark.parametrize("n_nodes", [4, 16])
def test_coding_gain_grows_with_straggling_probability_figure_5(n_nodes):
    gains = [gain(n_nodes, straggling) for straggling in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)]
    assert np.all(np.diff(gains) > 0), gains
    assert gains[0] >= 1.0


def test_bad_parameters_are_named():
    with pytest.raises(ParameterError, match="no node"):
        FogNodeCoding(np.array([[1, 0], [1, 0]], dtype=bool))
    with pytest.raises(ParameterError, match="hold none"):
        FogNodeCoding(np.array([[1, 1], [0, 0]], dtype=bool))
    with pytest.raises(ParameterError, match="lambda"):
        FogNodeCoding(np.eye(2, dtype=bool), straggling_probability=1.0)
    with pytest.raises(ShapeError, match="F >= 2"):
        FogNodeCoding(np.ones((1, 3), dtype=bool))
    fog = FogNodeCoding(np.eye(3, dtype=bool))
    with pytest.raises(ParameterError, match="order"):
        fog.new_gradient_count(0, order=[1, 1])
    with pytest.raises(ShapeError, match="indicators"):
        fog.new_gradient_count(0, received=[True])
    with pytest.raises(ParameterError, match="nothing is required"):
        FogNodeCoding(np.ones((3, 4), dtype=bool)).coding_gain()
