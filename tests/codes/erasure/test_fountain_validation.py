"""LT, rateless, BATS and fog codes refuse bad input with a named error; LT decodes received in any order."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codedml.analysis.bats_load import batch_rank_distribution, communication_loads, multicast_rounds
from codedml.analysis.fog import FogNodeCoding, expected_max_geometric, expected_max_negative_binomial
from codedml.codes.computation.rateless import RatelessCodedComputation
from codedml.codes.erasure.bats import BATSCode
from codedml.codes.erasure.lt import LTCode, degree_distribution
from codedml.errors import NonFiniteError, NotDecodableError, ParameterError, ShapeError, SizeError
from codedml.sim import ShiftedExponential, simulate

BAD_INTEGERS = [None, float("nan"), float("inf"), True, 2.5, "3"]


# ---- LT: received in any order -----------------------------------------------------------------
@settings(max_examples=60)
@given(k=st.integers(1, 60), eta=st.sampled_from([0.3, 0.8, 1.5]), seed=st.integers(0, 2**32 - 1),
       keep=st.floats(0.5, 1.0), real=st.booleans())
def test_lt_decoding_a_permuted_received_order_gives_the_same_result(k, eta, seed, keep, real):
    code = LTCode(k, eta, seed=seed)
    rng = np.random.default_rng(seed)
    data = rng.standard_normal((k, 3)) if real else rng.integers(0, 256, (k, 9), dtype=np.uint8)
    coded = code.encode(data)
    received = np.sort(rng.permutation(code.n_coded)[:max(1, int(keep * code.n_coded))])
    permuted = rng.permutation(received)
    mask = np.zeros(code.n_coded, dtype=bool)
    mask[received] = True
    cases = [(permuted, coded[permuted]), (mask, coded[received]), (mask, coded)]
    if received.size < code.n_coded:  # else the rows are read as row i for permuted[i]
        cases.append((permuted, coded))
    try:
        expected = code.decode(received, coded[received])
    except NotDecodableError as error:
        for ids, payloads in cases:
            with pytest.raises(NotDecodableError) as again:
                code.decode(ids, payloads)
            assert str(again.value) == str(error)
        return
    for ids, payloads in cases:
        decoded = code.decode(ids, payloads)
        if real:
            np.testing.assert_allclose(decoded, data, atol=1e-9)
        else:
            np.testing.assert_array_equal(decoded, expected)


def test_lt_decoder_pairs_each_row_with_its_id_across_batches():
    code = LTCode(80, 1.0, seed=3)
    data = np.random.default_rng(0).standard_normal((80, 2))
    coded = code.encode(data)
    order = np.random.default_rng(1).permutation(code.n_coded)
    decoder = code.decoder()
    decoder.add(order[:50], coded[order[:50]])
    decoder.add(int(order[50]), coded[order[50]])
    decoder.add(order[51:], coded)  # one row per coded symbol: row j for id j
    decoder.finish()
    np.testing.assert_allclose(decoder.sources(), data, atol=1e-9)


# ---- LT: bad input -------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", BAD_INTEGERS + [0, -3])
def test_lt_refuses_a_bad_n_sources_naming_it(bad):
    with pytest.raises(ParameterError, match="n_sources must be"):
        LTCode(bad, 0.5)


@pytest.mark.parametrize("bad", [None, float("nan"), float("inf"), -0.1, "1", 1e308, 1j])
def test_lt_refuses_a_bad_eta_naming_it(bad):
    with pytest.raises(ParameterError, match="eta"):
        LTCode(10, bad)


@pytest.mark.parametrize("name, value", [("c", 0.0), ("c", float("nan")), ("c", None), ("c", 1e308),
                                         ("delta", 0.0), ("delta", 1.0), ("delta", float("inf")), ("delta", "x")])
def test_lt_refuses_bad_robust_soliton_parameters_naming_them(name, value):
    with pytest.raises(ParameterError, match=name):
        LTCode(100, 0.5, **{name: value})


def test_lt_refuses_bad_distribution_vectors_naming_them():
    with pytest.raises(NonFiniteError, match="distribution"):
        degree_distribution(5, [0.5, float("nan")])
    with pytest.raises(ShapeError, match="distribution"):
        degree_distribution(5, [[0.5, 0.5]])
    with pytest.raises(ParameterError, match="distribution"):
        degree_distribution(5, [])
    with pytest.raises(ParameterError, match="distribution"):
        degree_distribution(5, [1.0, 1j])
    with pytest.raises(ParameterError, match="finite sum"):
        degree_distribution(5, [1e308, 1e308])
    with pytest.raises(ParameterError, match="distribution"):
        degree_distribution(5, None)


@pytest.mark.parametrize("bad", [-1, "7", 1.5, float("nan")])
def test_lt_refuses_a_bad_seed_naming_it(bad):
    with pytest.raises(ParameterError, match="seed"):
        LTCode(10, 0.5, seed=bad)


def test_lt_refuses_sizes_that_would_not_fit_in_memory():
    with pytest.raises(SizeError, match="n_coded"):
        LTCode(2**30, 1.0)
    with pytest.raises(SizeError, match="n_coded"):
        LTCode(10, 1e300)


@pytest.mark.parametrize("payloads, error, match", [
    (np.array([[1.0, np.nan]] * 10), NonFiniteError, "source payloads"),
    (np.array([[1.0, np.inf]] * 10), NonFiniteError, "source payloads"),
    (np.ones((10, 2), dtype=complex), ParameterError, "complex"),
    (np.full((10, 2), "a"), ParameterError, "source payloads"),
    (None, ParameterError, "source payloads"),
    ([[1.0], [1.0, 2.0]], ShapeError, "source payloads"),
    (np.ones(10), ShapeError, "2-D"),
    (np.ones((10, 2), dtype=np.int64), ShapeError, "uint8"),
    (np.ones((10, 2), dtype=bool), ShapeError, "uint8"),
])
def test_lt_encode_refuses_bad_payloads_naming_them(payloads, error, match):
    with pytest.raises(error, match=match):
        LTCode(10, 0.5, seed=0).encode(payloads)


@pytest.mark.parametrize("ids, error, match", [
    ([0, 15], ParameterError, r"received must hold integers in \[0, 14\]"),
    ([-1, 2], ParameterError, "received"),
    ([3, 3], ParameterError, "more than once"),
    ([0.5, 2.0], ParameterError, "received"),
    ([[0, 1]], ShapeError, "received"),
    (np.ones(4, dtype=bool), ShapeError, "mask"),
    (["a", "b"], ParameterError, "received"),
    (None, ParameterError, "received"),
])
def test_lt_decode_refuses_bad_received_ids_naming_them(ids, error, match):
    code = LTCode(10, 0.5, seed=0)
    with pytest.raises(error, match=match):
        code.decode(ids, np.zeros((2, 4)))


def test_lt_decode_refuses_non_finite_and_mismatched_coded_payloads():
    code = LTCode(10, 0.5, seed=0)
    coded = code.encode(np.ones((10, 2)))
    coded[3, 1] = np.nan
    with pytest.raises(NonFiniteError, match="coded payloads"):
        code.decode(np.arange(15), coded)
    with pytest.raises(NonFiniteError, match="coded payloads"):
        code.decoder().add(3, coded[3])
    with pytest.raises(ShapeError, match=r"coded payloads must have one row per received message \(4 rows"):
        code.decode([0, 1, 2, 4], np.ones((5, 2)))
    with pytest.raises(ShapeError, match="1 rows"):
        code.decoder().add(3, np.ones((2, 2)))
    with pytest.raises(ParameterError, match="received"):
        code.decoder().add(15, np.ones(2))
    with pytest.raises(ParameterError, match="received"):
        code.decoder().add(None, np.ones(2))
    with pytest.raises(ParameterError, match="tolerance"):
        code.decoder().finish(float("nan"))
    with pytest.raises(ParameterError, match="inactivation"):
        code.decode([0], np.ones((1, 2)), inactivation="yes")
    with pytest.raises(ParameterError, match="code must be an LTCode"):
        type(code.decoder())(None)


# ---- rateless ------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, error, match", [
    ({"n_workers": None}, ParameterError, "n_workers"),
    ({"n_workers": 2.5}, ParameterError, "n_workers"),
    ({"n_workers": 0}, ParameterError, "n_workers"),
    ({"rows_per_unit": float("nan")}, ParameterError, "rows_per_unit"),
    ({"rows_per_unit": -1.0}, ParameterError, "rows_per_unit"),
    ({"seed": -2}, ParameterError, "seed"),
    ({"n_partitions": None}, ParameterError, "n_partitions must be"),
])
def test_rateless_refuses_bad_parameters_naming_them(kwargs, error, match):
    arguments = {"n_workers": 3, "n_partitions": 10, "eta": 0.5} | kwargs
    with pytest.raises(error, match=match):
        RatelessCodedComputation(**arguments)


def test_rateless_refuses_bad_arrays_naming_them():
    scheme = RatelessCodedComputation(3, 10, 0.5, seed=0)
    W = np.ones((10, 2))
    with pytest.raises(NonFiniteError, match="W"):
        scheme.encode(np.where(np.eye(10, 2) > 0, np.nan, 1.0))
    with pytest.raises(ParameterError, match="W must be real"):
        scheme.encode(W + 1j)
    with pytest.raises(ParameterError, match="W"):
        scheme.encode(None)
    coded = scheme.encode(W)
    with pytest.raises(NonFiniteError, match="theta"):
        scheme.row_products(coded, [1.0, np.inf])
    with pytest.raises(ParameterError, match="theta"):
        scheme.row_products(coded, [1.0, 1j])
    with pytest.raises(ShapeError, match="coded"):
        scheme.worker_matrices(np.ones(4))
    products = scheme.row_products(coded, np.ones(2))
    products[0] = np.nan
    with pytest.raises(NonFiniteError, match="products"):
        scheme.decode(np.arange(scheme.n_coded), products)
    with pytest.raises(ParameterError, match="arrival_order"):
        scheme.completion_count([0.5, 1.0])
    with pytest.raises(ParameterError, match="more than once"):
        scheme.completion_count([1, 1])
    with pytest.raises(ParameterError, match="arrival_order"):
        scheme.completion_count(np.ones(scheme.n_coded, dtype=bool))
    with pytest.raises(ParameterError, match="unit_times"):
        scheme.completion(np.ones(3) * 1j)
    with pytest.raises(ParameterError, match="positive"):
        scheme.completion([1.0, np.nan, 1.0])
    with pytest.raises(ParameterError, match="worker"):
        scheme.rows_of_worker(None)
    with pytest.raises(ParameterError, match="n_iterations"):
        simulate(scheme, ShiftedExponential(10, 0.01), None)
    with pytest.raises(ParameterError, match="seed"):
        simulate(scheme, ShiftedExponential(10, 0.01), 10, seed="x")
    with pytest.raises(ParameterError, match="model"):
        simulate(scheme, None, 10)


def test_rateless_decodes_received_in_any_order():
    rng = np.random.default_rng(5)
    scheme = RatelessCodedComputation(4, 40, 1.0, seed=5)
    W, theta = rng.integers(-9, 10, (40, 3)).astype(float), rng.integers(-9, 10, 3).astype(float)
    products = scheme.row_products(scheme.encode(W), theta)
    order = rng.permutation(scheme.n_coded)[:-5]
    np.testing.assert_allclose(scheme.decode(order, products[order]), W @ theta, atol=1e-9)
    np.testing.assert_allclose(scheme.decode(order, products), W @ theta, atol=1e-9)  # row j for coded row j


# ---- BATS ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, error, match", [
    ({"n_sources": None}, ParameterError, "n_sources"),
    ({"n_batches": 2.5}, ParameterError, "n_batches"),
    ({"batch_size": float("nan")}, ParameterError, "batch_size"),
    ({"seed": -1}, ParameterError, "seed"),
    ({"distribution": [1.0, np.nan]}, NonFiniteError, "distribution"),
    ({"n_batches": 10**9, "batch_size": 64}, SizeError, "n_batches"),
])
def test_bats_refuses_bad_parameters_naming_them(kwargs, error, match):
    arguments = {"n_sources": 10, "n_batches": 5, "distribution": [1.0], "batch_size": 4} | kwargs
    with pytest.raises(error, match=match):
        BATSCode(**arguments)


def test_bats_refuses_bad_arrays_naming_them():
    code = BATSCode(10, 5, [0.5, 0.5], batch_size=4, seed=0)
    with pytest.raises(ParameterError, match="complex"):
        code.encode(np.ones((10, 3), dtype=complex))
    with pytest.raises(ShapeError, match="uint8"):
        code.encode(np.ones((10, 3)))
    with pytest.raises(ParameterError, match="source packets"):
        code.encode(None)
    coded = code.encode(np.ones((10, 3), dtype=np.uint8))
    with pytest.raises(ParameterError, match="erasure_probability"):
        code.transmit(coded, float("nan"))
    with pytest.raises(ParameterError, match="seed"):
        code.transmit(coded, 0.1, seed="s")
    received, packets, headers = code.transmit(coded, 0.0, seed=1)
    with pytest.raises(ShapeError, match="headers"):
        code.decode(received, packets, headers.astype(np.int64))
    with pytest.raises(ParameterError, match="received"):
        code.decode(np.full(5, 5), packets, headers)
    with pytest.raises(ParameterError, match="received"):
        code.decode(np.full(5, 1.5), packets, headers)


def test_bats_load_model_refuses_bad_parameters_and_unbounded_work():
    with pytest.raises(ParameterError, match="batch_size"):
        batch_rank_distribution(10**6, 0.1, 3)
    with pytest.raises(ParameterError, match="erasure_probability"):
        batch_rank_distribution(8, float("nan"), 3)
    with pytest.raises(ParameterError, match="too close to 1"):
        multicast_rounds(5, 0.99, 3)
    with pytest.raises(ParameterError, match="n_receivers"):
        multicast_rounds(None, 0.1, 3)
    with pytest.raises(ParameterError, match="computing loads"):
        communication_loads(10, [1.5], 0.1)
    with pytest.raises(ParameterError, match="bats_overhead"):
        communication_loads(10, [1, 2], 0.1, bats_overhead=float("nan"))
    with pytest.raises(ParameterError, match="n_nodes"):
        communication_loads(None, [1], 0.1)


# ---- fog -----------------------------------------------------------------------------------------
def test_fog_refuses_bad_parameters_naming_them():
    holdings = np.eye(3, dtype=bool)
    with pytest.raises(ParameterError, match="holdings"):
        FogNodeCoding(np.full((3, 3), "a"))
    with pytest.raises(ParameterError, match="holdings"):
        FogNodeCoding(np.eye(3) * 0.5)
    with pytest.raises(ParameterError, match="holdings"):
        FogNodeCoding(None)
    with pytest.raises(ParameterError, match="lambda"):
        FogNodeCoding(holdings, float("nan"))
    with pytest.raises(ParameterError, match="eta"):
        FogNodeCoding(holdings, 0.1, eta=None)
    with pytest.raises(ParameterError, match="seed"):
        FogNodeCoding.random(3, 5, 0.5, seed=-1)
    with pytest.raises(ParameterError, match="n_nodes"):
        FogNodeCoding.random(None, 5, 0.5)
    with pytest.raises(SizeError, match="n_nodes"):
        FogNodeCoding.random(10**6, 10**6, 0.5)
    fog = FogNodeCoding(holdings)
    with pytest.raises(ParameterError, match="node"):
        fog.new_gradient_count(3)
    with pytest.raises(ParameterError, match="node"):
        fog.expected_new_gradients(None)
    with pytest.raises(ParameterError, match="order pi"):
        fog.new_gradient_count(0, order=[0, 1])
    with pytest.raises(ParameterError, match="order pi"):
        fog.new_gradient_count(0, order=[1.5, 2])
    with pytest.raises(ParameterError, match="received"):
        fog.new_gradient_count(0, received=[5])
    with pytest.raises(ParameterError, match="receivers"):
        expected_max_geometric([-1, 2], 0.1)
    with pytest.raises(ParameterError, match="lambda"):
        expected_max_negative_binomial([1, 2], 1.0)


def test_fog_received_node_ids_in_any_order_equal_the_mask():
    fog = FogNodeCoding.random(6, 40, 0.3, seed=3)
    mask = np.array([True, False, True, True, False, True])
    expected = fog.new_gradient_count(0, mask)
    assert fog.new_gradient_count(0, [5, 2, 3, 0]) == pytest.approx(expected, abs=1e-12)
    assert fog.new_gradient_estimate(0, [3, 5, 2]) == pytest.approx(fog.new_gradient_estimate(0, mask), abs=1e-12)
