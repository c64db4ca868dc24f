import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codedml.codes.gradient.approximate import (
    BernoulliGC,
    ErasureHeadGC,
    IgnoreStragglersSGD,
    OptimalDecodingGC,
    OptimallyStructuredGC,
    StochasticGC,
    contiguous_segment_structure,
)
from codedml.errors import NonFiniteError, ParameterError, ShapeError, SizeError
from codedml.learn.bit_allocation import allocate_bits
from codedml.learn.quantize import quantize_messages

PROBABILITIES = np.array([0.05, 0.6, 0.3, 0.15, 0.45, 0.8])
BITS = np.array([6, 0, 3, 4, 2, 2])
DRAWS = 20_000


def all_codes(probabilities):
    return {
        "osgc": OptimallyStructuredGC(probabilities),
        "osgc-k4": OptimallyStructuredGC(probabilities, n_partitions=4),
        "joint": OptimallyStructuredGC(probabilities, bits=BITS, omega_scale=3.0),
        "is-sgd": IgnoreStragglersSGD(probabilities),
        "bgc": BernoulliGC(probabilities, replication=2, seed=1),
        "sgc": StochasticGC(probabilities, replication=2),
        "ehd": ErasureHeadGC(probabilities, replication=2),
        "od": OptimalDecodingGC(probabilities, replication=2, seed=3),
    }


@pytest.mark.parametrize("name", list(all_codes(PROBABILITIES)))
def test_monte_carlo_mean_of_decode_is_within_3_standard_errors_of_the_sum(name):
    code = all_codes(PROBABILITIES)[name]
    rng = np.random.default_rng(sum(map(ord, name)))
    partials = rng.standard_normal((code.n_partitions, 3))
    messages = code.encode(partials)
    answered = rng.random((DRAWS, code.n_workers)) >= PROBABILITIES
    estimates = np.array([code.decode(mask, messages) for mask in answered])
    standard_error = estimates.std(axis=0, ddof=1) / math.sqrt(DRAWS)
    assert np.all(np.abs(estimates.mean(axis=0) - partials.sum(axis=0)) <= 3 * standard_error)


@pytest.mark.parametrize("name", list(all_codes(PROBABILITIES)))
def test_expectation_over_every_survivor_set_is_the_sum(name):
    code = all_codes(PROBABILITIES)[name]
    partials = np.random.default_rng(0).standard_normal((code.n_partitions, 2))
    messages = code.encode(partials)
    expectation = np.zeros(2)
    for mask in itertools.product((False, True), repeat=code.n_workers):
        mask = np.array(mask)
        chance = np.prod(np.where(mask, 1 - PROBABILITIES, PROBABILITIES))
        expectation += chance * code.decode(mask, messages)
    assert np.allclose(expectation, partials.sum(axis=0), rtol=1e-10, atol=1e-10)


def test_quantised_messages_keep_the_joint_design_unbiased():
    code = OptimallyStructuredGC(PROBABILITIES, bits=BITS, omega_scale=3.0)
    rng = np.random.default_rng(5)
    partials = rng.standard_normal((code.n_partitions, 2))
    messages = code.encode(partials)
    answered = rng.random((DRAWS, code.n_workers)) >= PROBABILITIES
    estimates = np.array([code.decode(mask, quantize_messages(messages, BITS, rng)) for mask in answered])
    standard_error = estimates.std(axis=0, ddof=1) / math.sqrt(DRAWS)
    assert np.all(np.abs(estimates.mean(axis=0) - partials.sum(axis=0)) <= 3 * standard_error)


@settings(max_examples=50)
@given(n=st.integers(1, 30), k=st.integers(1, 30), seed=st.integers(0, 2**32 - 1), quantised=st.booleans())
def test_structure_has_closed_form_row_sums_unit_column_sums_and_at_most_n_plus_k_minus_1_nonzeros(
        n, k, seed, quantised):
    rng = np.random.default_rng(seed)
    probabilities = rng.uniform(0.01, 0.99, n)
    if quantised:
        bits = allocate_bits(probabilities, 3 * n, omega_scale=10.0, method="dp")
        code = OptimallyStructuredGC(probabilities, bits=bits, n_partitions=k, omega_scale=10.0)
        levels = 2.0 ** (bits - 1) - 1
        weights = np.where(bits > 0, (1 - probabilities) / (probabilities + 10.0 / np.maximum(levels, 1) ** 2), 0)
    else:
        code = OptimallyStructuredGC(probabilities, n_partitions=k)
        weights = (1 - probabilities) / probabilities
    alpha = code.encoding_matrix  # w_i = 1 / (1 - p_i), so a = alpha
    assert np.allclose(code.decoding_weights, 1 / (1 - probabilities))
    assert np.allclose(alpha.sum(axis=1), k * weights / weights.sum(), rtol=1e-9, atol=1e-12)
    assert np.allclose(alpha.sum(axis=0), 1.0, rtol=0, atol=1e-9)
    assert alpha.nnz <= n + k - 1 and np.all(alpha.data > 0)
    assert code.error_bound == pytest.approx(k**2 / weights.sum())


def test_segments_are_contiguous_in_the_partition_axis():
    alpha = contiguous_segment_structure([0.5, 2.0, 0.5], 3).toarray()
    assert alpha.tolist() == [[0.5, 0.0, 0.0], [0.5, 1.0, 0.5], [0.0, 0.0, 0.5]]


def test_idle_workers_of_the_joint_design_compute_nothing():
    code = OptimallyStructuredGC(PROBABILITIES, bits=BITS, omega_scale=3.0)
    assert code.worker_loads[1] == 0 and code.row_sums[1] == 0


def test_decode_never_refuses_and_returns_zero_when_nobody_answered():
    code = StochasticGC(PROBABILITIES)
    messages = code.encode(np.ones((6, 2)))
    assert not code.is_decodable(np.zeros(6, dtype=bool))
    assert code.is_decodable([4])
    assert code.decode(np.zeros(6, dtype=bool), messages).tolist() == [0.0, 0.0]
    times, used = code.first_decodable(np.array([[3.0, 1.0, 2.0, 5.0, 4.0, 6.0]]))
    assert times.tolist() == [1.0] and used.tolist() == [1]
    assert code.exact is False


def test_erasure_head_uses_one_message_per_answering_group():
    code = ErasureHeadGC(PROBABILITIES, replication=3)
    vector = code.decoding_vector([1, 2, 4])
    assert np.count_nonzero(vector) == 2 and vector[1] > 0 and vector[4] > 0


def test_optimal_decoding_uses_least_squares_over_the_survivors():
    code = OptimalDecodingGC(PROBABILITIES, seed=3)
    survivors = np.array([0, 2, 3, 5])
    support = code.support[survivors].astype(float)
    expected = np.linalg.lstsq(support.T, np.ones(6), rcond=None)[0]
    assert np.allclose(code.decoding_vector(survivors)[survivors], expected)
    assert np.all(code.support.sum(axis=0) == 2) and np.all(code.support.sum(axis=1) == 2)


def test_optimal_decoding_monte_carlo_calibration_is_close_to_the_exact_one():
    exact = OptimalDecodingGC(PROBABILITIES, seed=3)
    sampled = OptimalDecodingGC(PROBABILITIES, seed=3, calibration_draws=20_000)
    assert exact.calibration_error == 0.0 and 0 < sampled.calibration_error < 0.02
    assert np.all(np.abs(sampled.coverage / exact.coverage - 1) <= 4 * sampled.calibration_error)


def test_every_code_stores_its_probabilities():
    for code in all_codes(PROBABILITIES).values():
        assert np.array_equal(code.probabilities, PROBABILITIES)


@pytest.mark.parametrize("make", [
    lambda p: OptimallyStructuredGC(p), lambda p: IgnoreStragglersSGD(p), lambda p: BernoulliGC(p),
    lambda p: StochasticGC(p), lambda p: ErasureHeadGC(p), lambda p: OptimalDecodingGC(p),
])
@pytest.mark.parametrize("probabilities", [[0.0, 0.5], [0.5, 1.0], [1.2, 0.5], [0.5, np.nan]])
def test_probabilities_outside_the_open_unit_interval_are_refused(make, probabilities):
    with pytest.raises(ParameterError, match=r"open interval \(0, 1\)"):
        make(probabilities)


def test_bad_parameters_are_refused():
    with pytest.raises(ParameterError, match="needs omega_scale"):
        OptimallyStructuredGC([0.1, 0.2], bits=[2, 2])
    with pytest.raises(ParameterError, match="b >= 2"):
        OptimallyStructuredGC([0.1, 0.2], bits=[1, 3], omega_scale=1.0)
    with pytest.raises(ParameterError, match="n_partitions"):
        OptimallyStructuredGC([0.1, 0.2], n_partitions=0)
    with pytest.raises(ParameterError, match="d | n"):
        ErasureHeadGC([0.1, 0.2, 0.3], replication=2)
    with pytest.raises(ParameterError, match="replication d"):
        StochasticGC([0.1, 0.2], replication=3)
    with pytest.raises(ParameterError, match="calibration_draws"):
        OptimalDecodingGC([0.1, 0.2], calibration_draws=-1)


def test_exponential_straggler_probabilities_follow_the_closed_form():
    from codedml.sim.probabilities import exponential_straggler_probabilities
    assert exponential_straggler_probabilities([0.5, 2.0], 1.1).tolist() == pytest.approx(
        [math.exp(-0.05), math.exp(-0.2)])
    with pytest.raises(ParameterError, match="deadline tau must exceed"):
        exponential_straggler_probabilities([1.0], 1.0)
    with pytest.raises(ParameterError, match="rates mu"):
        exponential_straggler_probabilities([0.0], 1.5)


def test_model_probabilities_match_closed_forms_and_monte_carlo():
    from codedml.sim import (
        HeterogeneousShiftedExponential,
        PersistentStragglers,
        StragglerModel,
    )
    from codedml.sim.probabilities import (
        exponential_straggler_probabilities,
        straggler_probabilities,
    )

    rates = np.array([0.1, 1.0, 2.0])
    model = HeterogeneousShiftedExponential(rates, alpha=1.0)
    closed = straggler_probabilities(model, 1.5, 3)
    assert np.allclose(closed, exponential_straggler_probabilities(rates, 1.5))

    class Opaque(StragglerModel):  # same law, no closed form known to the function: Monte Carlo path
        def unit_times(self, n_iterations, n_workers, rng):
            return model.unit_times(n_iterations, n_workers, rng)

    draws = 100_000
    estimate = straggler_probabilities(Opaque(), 1.5, 3, rng=np.random.default_rng(0), n_draws=draws)
    assert np.all(np.abs(estimate - closed) <= 4 * np.sqrt(closed * (1 - closed) / draws))
    persistent = straggler_probabilities(PersistentStragglers(model, [2]), 1.5, 3, loads=[1.0, 2.0, 1.0])
    assert persistent[2] == 1.0 and persistent[1] == 1.0  # load 2: 2 (1 + X) > 1.5 always
    assert persistent[0] == pytest.approx(closed[0])


@pytest.mark.parametrize("name", list(all_codes(PROBABILITIES)))
def test_decode_pairs_row_i_with_received_i_in_any_order(name):
    code = all_codes(PROBABILITIES)[name]
    rng = np.random.default_rng(5)
    n = code.n_workers
    messages = code.encode(rng.standard_normal((code.n_partitions, 3)))
    for size in [0, 1, 2, 3, 4, 5, 6, 3, 4, 5]:
        survivors = rng.choice(n, size, replace=False)
        ordered = np.sort(survivors)
        permuted = rng.permutation(survivors)
        expected = code.decode(ordered, messages[ordered])
        np.testing.assert_array_equal(code.decoding_vector(permuted), code.decoding_vector(ordered))
        np.testing.assert_allclose(code.decode(permuted, messages[permuted]), expected, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(code.decode(code._mask(ordered), messages[ordered]), expected, rtol=1e-12,
                                   atol=1e-12)
        if size < n:
            np.testing.assert_allclose(code.decode(permuted, messages), expected, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(expected, code.decoding_vector(ordered) @ messages, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", list(all_codes(PROBABILITIES)))
def test_decode_refuses_bad_received_and_messages_naming_them(name):
    code = all_codes(PROBABILITIES)[name]
    messages = np.ones((code.n_workers, 2))
    with pytest.raises(ParameterError, match=r"received must hold integers in \[0, 5\]"):
        code.decode([0, 6], messages)
    with pytest.raises(ParameterError, match="received holds an id more than once"):
        code.decode([1, 1], messages)
    with pytest.raises(ParameterError, match="received must hold integers"):
        code.decode([0.5], messages)
    with pytest.raises(ShapeError, match="messages must have one row per received message"):
        code.decode([0, 1], np.ones((3, 2)))
    with pytest.raises(ParameterError, match="messages must be real"):
        code.decode([0], np.ones((1, 2)) * 1j)
    with pytest.raises(ParameterError, match="messages must be numeric"):
        code.decode([0], [["a", "b"]])
    with pytest.raises(NonFiniteError, match="messages"):
        code.decode([0, 1], [[np.nan, 1.0], [1.0, 1.0]])


@pytest.mark.parametrize("make", [
    lambda p: OptimallyStructuredGC(p), lambda p: IgnoreStragglersSGD(p), lambda p: BernoulliGC(p),
    lambda p: StochasticGC(p), lambda p: ErasureHeadGC(p), lambda p: OptimalDecodingGC(p),
])
@pytest.mark.parametrize("probabilities, error, message", [
    (None, ParameterError, "probabilities must be an array"),
    (["a", "b"], ParameterError, "probabilities must be numeric"),
    ([0.5 + 1j, 0.5], ParameterError, "probabilities must be real"),
    ([[0.5, 0.5]], ParameterError, "non-empty 1-D"),
    ([], ParameterError, "non-empty 1-D"),
    ([[0.5], [0.5, 0.5]], ShapeError, "probabilities must be a rectangular"),
])
def test_probabilities_that_are_not_a_real_vector_are_refused(make, probabilities, error, message):
    with pytest.raises(error, match=message):
        make(probabilities)


@pytest.mark.parametrize("call, message", [
    (lambda: BernoulliGC([0.5, 0.5], replication=None), "replication d must be an integer in \\[1, n=2\\]"),
    (lambda: BernoulliGC([0.5, 0.5], replication=np.nan), "replication d must be an integer"),
    (lambda: StochasticGC([0.5, 0.5], replication="2"), "replication d must be an integer"),
    (lambda: BernoulliGC([0.5, 0.5], seed="x"), "seed must be None, an integer >= 0 or a numpy.random.Generator"),
    (lambda: OptimalDecodingGC([0.5] * 4, seed=-1), "seed must be None"),
    (lambda: OptimalDecodingGC([0.5] * 4, calibration_draws=np.nan), r"calibration_draws must be an integer in \[0"),
    (lambda: OptimalDecodingGC([0.5] * 4, calibration_draws="x"), r"calibration_draws must be an integer in \[0"),
    (lambda: OptimalDecodingGC([0.5] * 21, calibration_draws=0), "n=21 is too many"),
    (lambda: OptimalDecodingGC([0.5] * 4, calibration_draws=10**12), r"calibration_draws must be an integer in \[0"),
    (lambda: OptimallyStructuredGC([0.5, 0.5], n_partitions=np.nan), "n_partitions must be an integer >= 1"),
    (lambda: OptimallyStructuredGC([0.5, 0.5], n_partitions=2.5), "n_partitions must be an integer >= 1"),
    (lambda: OptimallyStructuredGC([0.5, 0.5], bits=[2, 2], omega_scale="x"), "omega_scale must be a finite real"),
    (lambda: OptimallyStructuredGC([0.5, 0.5], bits=[2, 2], omega_scale=-1.0), "omega_scale must be a finite real"),
    (lambda: OptimallyStructuredGC([0.5, 0.5], bits=[-1, 2], omega_scale=1.0), "b >= 2"),
    (lambda: OptimallyStructuredGC([0.5, 0.5], bits=[2.5, 2], omega_scale=1.0), "bits must hold integers"),
    (lambda: OptimallyStructuredGC([0.5, 0.5], bits=["a", 2], omega_scale=1.0), "bits must be numeric"),
    (lambda: OptimallyStructuredGC([0.5, 0.5], bits=[2], omega_scale=1.0), "bits must have one entry per worker"),
    (lambda: contiguous_segment_structure([1.0], None), "n_partitions must be an integer >= 1"),
    (lambda: contiguous_segment_structure(["a"], 1), "row_sums must be numeric"),
    (lambda: contiguous_segment_structure([-1.0, 2.0], 1), "row sums must be non-negative"),
])
def test_bad_parameters_raise_a_named_error(call, message):
    with pytest.raises(ParameterError, match=message):
        call()


def test_non_finite_row_sums_raise_non_finite_error():
    with pytest.raises(NonFiniteError, match="row_sums holds 1 NaN"):
        contiguous_segment_structure([1.0, np.nan], 2)


@pytest.mark.parametrize("call", [
    lambda: BernoulliGC(np.full(100_000, 0.5)),
    lambda: OptimalDecodingGC(np.full(100_000, 0.5)),
    lambda: OptimallyStructuredGC([0.5, 0.5], n_partitions=10**15),
], ids=["bernoulli", "optimal-decoding", "osgc-k"])
def test_huge_sizes_raise_size_error_before_allocating(call):
    with pytest.raises(SizeError, match="GiB"):
        call()


MET = np.array([0.1, 0.7, 0.2, 0.3, 0.5, 0.9])  # straggling met in practice, not the design's


@pytest.mark.parametrize("met", [PROBABILITIES, MET], ids=["design", "other"])
@pytest.mark.parametrize("name", list(all_codes(PROBABILITIES)))
def test_expected_error_is_the_mean_squared_error_over_every_survivor_set(name, met):
    code = all_codes(PROBABILITIES)[name]
    partials = np.random.default_rng(1).standard_normal((code.n_partitions, 2))
    messages = code.encode(partials)
    total = 0.0
    for mask in itertools.product((False, True), repeat=code.n_workers):
        mask = np.array(mask)
        error = code.decode(mask, messages) - partials.sum(axis=0)
        total += np.prod(np.where(mask, 1 - met, met)) * error @ error
    assert code.expected_error(partials, met) == pytest.approx(total, rel=1e-9)
    identity = np.eye(code.n_partitions)
    assert code.expected_error(probabilities=met) == pytest.approx(code.expected_error(identity, met), rel=1e-9)


@pytest.mark.parametrize("name", list(all_codes(PROBABILITIES)))
def test_decoding_vectors_are_the_decoding_vector_of_each_survivor_set(name):
    code = all_codes(PROBABILITIES)[name]
    masks = np.array(list(itertools.product((False, True), repeat=code.n_workers)))
    expected = np.array([code.decoding_vector(mask) for mask in masks])
    np.testing.assert_allclose(code.decoding_vectors(masks), expected, rtol=1e-12, atol=1e-12)
