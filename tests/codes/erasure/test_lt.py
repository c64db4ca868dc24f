"""LT code: distributions, generator, encoding, peeling and the elimination finish."""

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codedml.codes.erasure.lt import LTCode, degree_distribution
from codedml.errors import DecodingAccuracyError, NotDecodableError, ParameterError, ShapeError
from codedml.kernels.lt_encoding import lt_generator
from codedml.kernels.peeling import peeling_completion_count
from codedml.kernels.soliton import ideal_soliton, robust_soliton
from codedml.kernels.sparse import csr_transpose
from tests.naive_lt import gf2_determined, naive_peel, naive_peel_payloads, real_determined


def missing_count(error: NotDecodableError) -> int:
    return int(re.match(r"(\d+) of \d+ source symbols are still missing", str(error)).group(1))


def rows_of(code: LTCode, ids) -> list[list[int]]:
    return [[int(j) for j in code.indices[code.indptr[i]:code.indptr[i + 1]]] for i in ids]


# ---- distributions ---------------------------------------------------------------------------
@pytest.mark.parametrize("k", [1, 2, 7, 100, 10_000])
def test_ideal_soliton_matches_formula_and_sums_to_one(k):
    probabilities = ideal_soliton(k)
    expected = np.array([0.0, 1.0 / k] + [1.0 / (d * (d - 1)) for d in range(2, k + 1)])
    np.testing.assert_allclose(probabilities, expected, rtol=1e-14)
    assert math.isclose(probabilities.sum(), 1.0, rel_tol=1e-12)


@pytest.mark.parametrize("k, c, delta", [(100, 0.1, 0.05), (10_000, 0.03, 0.5), (10_000, 0.1, 0.5), (50, 0.5, 0.9)])
def test_robust_soliton_matches_luby_formula_and_sums_to_one(k, c, delta):
    ripple = c * math.log(k / delta) * math.sqrt(k)
    spike = min(max(int(k / ripple), 1), k)
    unnormalised = np.zeros(k + 1)
    for d in range(1, k + 1):
        rho = 1.0 / k if d == 1 else 1.0 / (d * (d - 1))
        tau = ripple / (d * k) if d < spike else (ripple * math.log(ripple / delta) / k if d == spike else 0.0)
        unnormalised[d] = rho + max(tau, 0.0)
    probabilities = robust_soliton(k, c, delta)
    np.testing.assert_allclose(probabilities, unnormalised / unnormalised.sum(), rtol=1e-12)
    assert math.isclose(probabilities.sum(), 1.0, rel_tol=1e-12)


def test_user_distribution_is_normalised_and_validated():
    probabilities = degree_distribution(10, [1.0, 2.0, 1.0])
    np.testing.assert_allclose(probabilities, [0.0, 0.25, 0.5, 0.25])
    with pytest.raises(ParameterError, match="only n_sources=2"):
        degree_distribution(2, [0.2, 0.3, 0.5])
    with pytest.raises(ParameterError, match="non-negative"):
        degree_distribution(5, [0.5, -0.1])
    with pytest.raises(ParameterError, match="delta"):
        degree_distribution(5, "robust", delta=1.5)
    with pytest.raises(ParameterError, match="distribution"):
        LTCode(5, 0.1, distribution="cauchy")


def test_lt_code_refuses_more_source_symbols_than_the_packed_peeling_state_holds():
    with pytest.raises(ParameterError, match="n_sources must be below 2147483648"):
        LTCode(2**31, 0.1)


# ---- generator -------------------------------------------------------------------------------
def test_generator_is_reproducible_with_distinct_sorted_neighbours_and_ceil_rows():
    code = LTCode(300, 0.25, seed=7)
    again = LTCode(300, 0.25, seed=7)
    assert code.n_coded == math.ceil(1.25 * 300)
    np.testing.assert_array_equal(code.indices, again.indices)
    assert code.indptr.dtype == np.int64 and code.indices.dtype == np.int64
    for row in rows_of(code, range(code.n_coded)):
        assert len(row) >= 1 and all(a < b for a, b in zip(row, row[1:]))
    assert not np.array_equal(LTCode(300, 0.25, seed=8).indices[:50], code.indices[:50])
    generator = code.generator
    assert generator.shape == (code.n_coded, 300) and generator.nnz == code.indices.size


def test_generator_degrees_follow_the_distribution():
    probabilities = np.array([0.0, 0.1, 0.5, 0.0, 0.4])
    indptr, _ = lt_generator(8, 20_000, probabilities, 3)
    frequencies = np.bincount(np.diff(indptr), minlength=5) / 20_000
    np.testing.assert_allclose(frequencies, probabilities, atol=0.015)


def test_full_degree_rows_use_every_source_once():
    indptr, indices = lt_generator(9, 5, np.array([0.0] * 9 + [1.0]), 0)
    np.testing.assert_array_equal(indices.reshape(5, 9), np.tile(np.arange(9), (5, 1)))


def test_transpose_lists_the_rows_of_every_column():
    code = LTCode(40, 0.5, seed=2)
    t_indptr, t_indices = csr_transpose(code.indptr, code.indices, code.n_sources)
    dense = code.generator.toarray()
    for j in range(code.n_sources):
        np.testing.assert_array_equal(t_indices[t_indptr[j]:t_indptr[j + 1]], np.flatnonzero(dense[:, j]))


# ---- encoding --------------------------------------------------------------------------------
@pytest.mark.parametrize("symbol_bytes", [8, 13, 1024])
def test_byte_encoding_is_the_xor_of_neighbours(symbol_bytes):
    code = LTCode(60, 0.5, seed=4)
    data = np.random.default_rng(0).integers(0, 256, (60, symbol_bytes), dtype=np.uint8)
    coded = code.encode(data)
    assert coded.dtype == np.uint8 and coded.shape == (code.n_coded, symbol_bytes)
    for i, row in enumerate(rows_of(code, range(code.n_coded))):
        np.testing.assert_array_equal(coded[i], np.bitwise_xor.reduce(data[row], axis=0))


def test_float_encoding_is_the_generator_product():
    code = LTCode(60, 0.5, seed=4)
    data = np.random.default_rng(0).standard_normal((60, 5))
    np.testing.assert_allclose(code.encode(data), code.generator @ data, rtol=1e-12)


def test_encode_rejects_wrong_shapes_and_dtypes():
    code = LTCode(10, 0.5, seed=0)
    with pytest.raises(ShapeError, match="10 rows"):
        code.encode(np.zeros((9, 4), dtype=np.uint8))
    with pytest.raises(ShapeError, match="dtype"):
        code.encode(np.zeros((10, 4), dtype=np.int32))


# ---- decoding against the references ---------------------------------------------------------
graphs = st.fixed_dictionaries({
    "k": st.integers(1, 14),
    "eta": st.floats(0.0, 1.5),
    "seed": st.integers(0, 2**32 - 1),
    "weights": st.lists(st.floats(0.0, 1.0), min_size=1, max_size=6).filter(lambda w: sum(w) > 0),
    "keep": st.floats(0.3, 1.0),
})


def sample(params):
    k = params["k"]
    weights = params["weights"][:k]
    if sum(weights) == 0:
        weights = [1.0]
    code = LTCode(k, params["eta"], distribution=weights, seed=params["seed"])
    rng = np.random.default_rng(params["seed"])
    received = rng.permutation(code.n_coded)[: max(1, int(params["keep"] * code.n_coded))]
    return code, received, rng


@settings(max_examples=150)
@given(graphs)
def test_peeling_recovers_exactly_what_the_reference_peels(params):
    code, received, rng = sample(params)
    data = rng.integers(0, 256, (code.n_sources, 3), dtype=np.uint8)
    coded = code.encode(data)
    rows = rows_of(code, received)
    peelable = naive_peel(rows, code.n_sources)
    decoder = code.decoder()
    decoder.add(received, coded[received])
    np.testing.assert_array_equal(np.flatnonzero(decoder.recovered_mask), sorted(peelable))
    reference = naive_peel_payloads(rows, list(coded[received]), np.bitwise_xor)
    for j in peelable:
        np.testing.assert_array_equal(decoder._sources.view(np.uint8)[j], reference[j])
    if len(peelable) == code.n_sources:
        np.testing.assert_array_equal(code.decode(received, coded[received], inactivation=False), data)
    else:
        with pytest.raises(NotDecodableError) as error:
            code.decode(received, coded[received], inactivation=False)
        assert missing_count(error.value) == code.n_sources - len(peelable)


@settings(max_examples=150)
@given(graphs)
def test_gf2_finish_decodes_iff_full_rank_and_names_the_missing(params):
    code, received, rng = sample(params)
    data = rng.integers(0, 256, (code.n_sources, 16), dtype=np.uint8)
    coded = code.encode(data)
    determined = gf2_determined(rows_of(code, received), code.n_sources)
    decoder = code.decoder()
    decoder.add(received, coded[received])
    assert decoder.finish() == code.n_sources - len(determined)
    np.testing.assert_array_equal(np.flatnonzero(decoder.recovered_mask), sorted(determined))
    for j in determined:
        np.testing.assert_array_equal(decoder._sources.view(np.uint8)[j], data[j])
    if len(determined) == code.n_sources:
        np.testing.assert_array_equal(code.decode(received, coded[received]), data)
    else:
        with pytest.raises(NotDecodableError) as error:
            code.decode(received, coded[received])
        assert missing_count(error.value) == code.n_sources - len(determined)


@settings(max_examples=100)
@given(graphs)
def test_real_payloads_peel_like_the_reference_and_finish_over_the_reals(params):
    code, received, rng = sample(params)
    data = rng.standard_normal((code.n_sources, 2))
    coded = code.encode(data)
    rows = rows_of(code, received)
    peeled = code.decoder()
    peeled.add(received, coded[received])
    assert set(np.flatnonzero(peeled.recovered_mask)) == naive_peel(rows, code.n_sources)
    determined = real_determined(rows, code.n_sources)
    if len(determined) == code.n_sources:
        np.testing.assert_allclose(code.decode(received, coded[received]), data, atol=1e-9)
    else:
        with pytest.raises(NotDecodableError) as error:
            code.decode(received, coded[received])
        assert missing_count(error.value) == code.n_sources - len(determined)


def test_real_finish_solves_what_gf2_cannot():
    # x0+x1, x1+x2, x0+x2: rank 3 over the reals, rank 2 over GF(2)
    code = LTCode(3, 1.0, distribution=[0.0, 1.0], seed=0)
    code.indptr = np.array([0, 2, 4, 6], dtype=np.int64)
    code.indices = np.array([0, 1, 1, 2, 0, 2], dtype=np.int64)
    code.n_coded = 3
    code.t_indptr, code.t_indices = csr_transpose(code.indptr, code.indices, 3)
    x = np.array([[1.0], [2.0], [4.0]])
    np.testing.assert_allclose(code.decode([0, 1, 2], code.encode(x)), x)
    with pytest.raises(NotDecodableError, match="3 of 3"):
        code.decode([0, 1, 2], code.encode(np.array([[1], [2], [4]], dtype=np.uint8)))


# ---- the master's view -----------------------------------------------------------------------
def test_incremental_decoder_completes_when_peeling_first_can():
    code = LTCode(500, 0.6, seed=11)
    data = np.random.default_rng(1).integers(0, 256, (500, 24), dtype=np.uint8)
    coded = code.encode(data)
    order = np.random.default_rng(2).permutation(code.n_coded)
    needed = peeling_completion_count(code.indptr, code.indices, code.t_indptr, code.t_indices, code.n_sources, order)
    assert needed > 0
    decoder = code.decoder()
    decoder.add(order[:10], coded[order[:10]])
    for t in range(10, code.n_coded):
        if decoder.add(int(order[t]), coded[order[t]]):
            break
    assert decoder.n_received == needed
    np.testing.assert_array_equal(decoder.sources(), data)
    # release order: every source once, each released after the other neighbours of its releasing symbol
    released = decoder.release_order
    assert sorted(released) == list(range(500))
    position = np.empty(500, dtype=np.int64)
    position[released] = np.arange(500)
    for source, row in enumerate(decoder.released_by):
        neighbours = code.indices[code.indptr[row]:code.indptr[row + 1]]
        assert np.all(position[neighbours[neighbours != source]] < position[source])


def test_incremental_decoder_keeps_peeling_after_a_partial_finish():
    code = LTCode(300, 1.0, seed=5)
    data = np.random.default_rng(3).standard_normal((300, 3))
    coded = code.encode(data)
    order = np.random.default_rng(4).permutation(code.n_coded)
    decoder = code.decoder()
    decoder.add(order[:200], coded[order[:200]])
    missing = decoder.finish()
    assert missing > 0
    with pytest.raises(NotDecodableError, match=f"{missing} of 300"):
        decoder.sources()
    decoder.add(order[200:], coded[order[200:]])
    assert decoder.finish() == 0
    np.testing.assert_allclose(decoder.sources(), data, atol=1e-9)


def test_decoder_rejects_bad_ids_and_mismatched_payloads():
    code = LTCode(20, 0.5, seed=0)
    decoder = code.decoder()
    with pytest.raises(ParameterError, match="0..29"):
        decoder.add([0, 30], np.zeros((2, 8), dtype=np.uint8))
    decoder.add([0], np.zeros((1, 8), dtype=np.uint8))
    with pytest.raises(ShapeError, match="first arrival"):
        decoder.add([1], np.zeros((1, 8)))
    with pytest.raises(ShapeError, match="2 rows"):
        decoder.add([1, 2], np.zeros((3, 8), dtype=np.uint8))


# ---- robust soliton at k = 10,000 ------------------------------------------------------------
K_LARGE = 10_000


def test_robust_soliton_peels_at_modest_overhead_and_not_at_zero():
    # c = 0.03, delta = 0.5: 300 graphs gave median 4.4%, 99th percentile 11.5%, max 12.9%; the
    # literature range for these parameters is roughly 5-25%. Pin a loose bound: 30%.
    for seed in range(3):
        code = LTCode(K_LARGE, 0.5, c=0.03, delta=0.5, seed=seed)
        order = np.random.default_rng(seed).permutation(code.n_coded)
        needed = peeling_completion_count(code.indptr, code.indices, code.t_indptr, code.t_indices, code.n_sources,
                                          order)
        assert 0 < needed <= 1.30 * K_LARGE
        data = np.random.default_rng(seed).integers(0, 256, (K_LARGE, 8), dtype=np.uint8)
        coded = code.encode(data)
        with pytest.raises(NotDecodableError):
            code.decode(order[:K_LARGE], coded[order[:K_LARGE]], inactivation=False)
        kept = order[: int(1.30 * K_LARGE)]
        np.testing.assert_array_equal(code.decode(kept, coded[kept], inactivation=False), data)


def _prefix_needing_the_real_finish(code, coded):
    """Shortest arrival prefix that peeling alone cannot decode but the elimination finish can."""
    for m in range(code.n_sources, code.n_coded + 1):
        ids = np.arange(m)
        try:
            code.decode(ids, coded[:m], inactivation=False)
        except NotDecodableError:
            try:
                code.decode(ids, coded[:m])
            except NotDecodableError:
                continue
            return ids
        else:
            return None
    return None


def test_real_elimination_finish_refuses_received_symbols_it_cannot_reproduce():
    rng = np.random.default_rng(11)
    for seed in range(20):
        code = LTCode(60, 1.0, seed=seed)
        sources = rng.standard_normal((60, 3))
        coded = code.encode(sources)
        ids = _prefix_needing_the_real_finish(code, coded)
        if ids is None:
            continue
        np.testing.assert_allclose(code.decode(ids, coded[ids]), sources, atol=1e-9)
        noisy = coded[ids] + 1e-3 * rng.standard_normal((ids.size, 3))  # inconsistent: no exact solution
        with pytest.raises(DecodingAccuracyError, match="reproduces the received coded symbols only to"):
            code.decode(ids, noisy)
        return
    pytest.fail("no seed needed the elimination finish")
