"""Rateless (LT) coded matrix-vector multiplication: assignment, exact decoding, stopping point."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codedml.codes.computation.rateless import RatelessCodedComputation
from codedml.errors import NotDecodableError, ParameterError, ShapeError
from codedml.sim import PersistentStragglers, ShiftedExponential, simulate
from tests.naive_lt import naive_peel


def integer_matrix(rng, shape):
    """Small integers as floats: every sum and product is exact in float64."""
    return rng.integers(-9, 10, shape).astype(np.float64)


def reference_completion(scheme: RatelessCodedComputation, unit_times):
    """Plain-Python master: arrival times by loops, then the shortest arrival prefix that peels."""
    rows = [[int(j) for j in scheme.code.indices[scheme.code.indptr[i]:scheme.code.indptr[i + 1]]]
            for i in range(scheme.n_coded)]
    arrivals = []
    for worker in range(scheme.n_workers):
        for j, row in enumerate(scheme.rows_of_worker(worker), start=1):
            arrivals.append((j * unit_times[worker] / scheme.rows_per_unit, int(row)))
    arrivals.sort()  # ties broken by coded-row id, as the kernel's stable sort does
    arrivals = [(t, row) for t, row in arrivals if math.isfinite(t)]
    for count in range(1, len(arrivals) + 1):
        if len(naive_peel([rows[row] for _, row in arrivals[:count]], scheme.n_partitions)) == scheme.n_partitions:
            return arrivals[count - 1][0], count
    return math.inf, 0


def test_coded_rows_are_split_contiguously_in_sending_order():
    scheme = RatelessCodedComputation(7, 50, 0.3, seed=0)
    assert scheme.n_coded == 65
    assert scheme.rows_per_worker.tolist() == [10, 10, 9, 9, 9, 9, 9]
    assert np.array_equal(np.concatenate([scheme.rows_of_worker(w) for w in range(7)]), np.arange(65))
    for w in range(7):
        rows = scheme.rows_of_worker(w)
        assert np.all(scheme.worker_of[rows] == w)
        assert scheme.position[rows].tolist() == list(range(1, rows.size + 1))
    coded = scheme.encode(np.ones((100, 3)))
    assert np.array_equal(np.vstack(scheme.worker_matrices(coded)), coded)


def test_encode_sums_the_source_rows_of_each_generator_row():
    scheme = RatelessCodedComputation(4, 40, 0.5, seed=3)
    W = integer_matrix(np.random.default_rng(0), (40, 6))
    generator = scheme.code.generator.toarray().astype(np.float64)
    assert np.array_equal(scheme.encode(W), generator @ W)


@pytest.mark.parametrize("block", [1, 3])
def test_first_rows_that_peel_decode_w_theta_exactly(block):
    rng = np.random.default_rng(block)
    scheme = RatelessCodedComputation(8, 200, 0.4, seed=block)
    W, theta = integer_matrix(rng, (200 * block, 12)), integer_matrix(rng, 12)
    products = scheme.row_products(scheme.encode(W), theta)
    assert products.shape == (scheme.n_coded, block)
    for _ in range(5):
        order = np.argsort(scheme.arrival_times(rng.exponential(1.0, 8)), kind="stable")
        needed = scheme.completion_count(order)
        got = scheme.decode(order[:needed], products[order[:needed]], inactivation=False)
        assert np.array_equal(got, W @ theta)
        with pytest.raises(NotDecodableError, match="still missing"):
            scheme.decode(order[:needed - 1], products[order[:needed - 1]], inactivation=False)


def test_incremental_decoder_completes_exactly_at_the_completion_count():
    rng = np.random.default_rng(7)
    scheme = RatelessCodedComputation(6, 120, 0.5, seed=7)
    W, theta = integer_matrix(rng, (120, 5)), integer_matrix(rng, 5)
    products = scheme.row_products(scheme.encode(W), theta)
    order = np.argsort(scheme.arrival_times(rng.exponential(1.0, 6)), kind="stable")
    decoder = scheme.decoder()
    for count, row in enumerate(order, start=1):  # noqa: B007 (count is read after the loop)
        if decoder.add(int(row), products[row]):
            break
    assert count == scheme.completion_count(order)
    assert np.array_equal(decoder.sources()[:, 0], W @ theta)


@settings(max_examples=25)
@given(n_partitions=st.integers(5, 40), eta=st.sampled_from([0.3, 0.6, 1.0]), n_workers=st.integers(1, 6),
       seed=st.integers(0, 2**16), persistent=st.booleans())
def test_simulated_completion_matches_plain_reference(n_partitions, eta, n_workers, seed, persistent):
    scheme = RatelessCodedComputation(n_workers, n_partitions, eta, distribution="ideal", seed=seed)
    rng = np.random.default_rng(seed)
    unit_times = 0.01 + rng.exponential(0.1, (4, n_workers))
    if persistent and n_workers > 1:
        unit_times[:, 0] = np.inf
    times, received = scheme.completion(unit_times)
    for it in range(unit_times.shape[0]):
        expected_time, expected_count = reference_completion(scheme, unit_times[it])
        assert received[it] == expected_count
        assert times[it] == expected_time


def test_simulation_reports_load_and_beats_waiting_for_the_slowest_worker():
    scheme = RatelessCodedComputation(10, 1000, 0.5, seed=1)
    model = ShiftedExponential(10, 0.01)
    result = simulate(scheme, model, 500, seed=0)
    assert result.failure_rate == 0.0
    assert scheme.n_partitions <= result.mean_messages <= scheme.n_coded
    uncoded = 0.01 + sum(1.0 / i for i in range(1, 11)) / 10  # E[max tau] over 10 workers, load 1
    assert result.mean_time < uncoded
    survivors = simulate(scheme, PersistentStragglers(model, [0]), 50, seed=0)
    assert survivors.failure_rate == 0.0 and survivors.mean_time > result.mean_time


def test_bad_parameters_and_shapes_are_named():
    with pytest.raises(ParameterError, match="n_workers"):
        RatelessCodedComputation(13, 10, 0.2)
    with pytest.raises(ParameterError, match="rows_per_unit"):
        RatelessCodedComputation(2, 10, 0.2, rows_per_unit=0.0)
    scheme = RatelessCodedComputation(3, 10, 0.5, seed=0)
    with pytest.raises(ShapeError, match="multiple of n_partitions=10"):
        scheme.encode(np.ones((15, 2)))
    with pytest.raises(ShapeError, match="theta"):
        scheme.row_products(scheme.encode(np.ones((10, 2))), np.ones(3))
    with pytest.raises(ShapeError, match="unit_times"):
        scheme.completion(np.ones((2, 4)))
    with pytest.raises(ParameterError, match="positive"):
        scheme.completion(np.zeros(3))
    with pytest.raises(NotDecodableError, match="do not peel"):
        scheme.completion_count(np.array([0], dtype=np.int64))
    with pytest.raises(ParameterError, match="worker"):
        scheme.rows_of_worker(3)


def test_first_decodable_of_the_arrival_model_matches_the_completion_kernel():
    scheme = RatelessCodedComputation(5, 60, 0.5, seed=4)
    rng = np.random.default_rng(4)
    unit_times = 0.01 + rng.exponential(0.1, (6, 5))
    unit_times[0, 2] = np.inf
    arrivals = np.stack([scheme.arrival_times(row) for row in unit_times])
    times, used = scheme.first_decodable(arrivals)
    expected_times, expected_used = scheme.completion(unit_times)
    np.testing.assert_array_equal(used, expected_used)
    np.testing.assert_array_equal(times, expected_times)
    with pytest.raises(ParameterError, match="required"):
        scheme.first_decodable(arrivals, required=3)
