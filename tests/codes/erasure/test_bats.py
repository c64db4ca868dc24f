import re

import galois
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codedml.analysis.bats_load import batch_rank_distribution, bats_threshold, communication_loads, multicast_rounds
from codedml.codes.erasure.bats import BATSCode
from codedml.errors import NotDecodableError, ParameterError, ShapeError

GF = galois.GF(2**8)


def reference_bp_decode(code, headers, packets, received):
    """Plain belief propagation over batches with galois arithmetic: the set of sources it
    recovers (a unique closure: a batch only gets easier as sources become known) and their values."""
    known = {}
    systems = []
    for j in range(code.n_batches):
        sources = code.batch_sources[code.batch_indptr[j]:code.batch_indptr[j + 1]]
        generator = GF(code.generator[code.batch_indptr[j]:code.batch_indptr[j + 1]])
        transfer = GF(headers[j, :received[j]]) @ generator.T  # r_j x d_j
        systems.append((list(sources), transfer, GF(packets[j, :received[j]])))
    progress = True
    while progress:
        progress = False
        for sources, transfer, payloads in systems:
            unknown = [i for i, s in enumerate(sources) if s not in known]
            if not unknown or len(unknown) > transfer.shape[0]:
                continue
            rhs = payloads.copy()
            for i, s in enumerate(sources):
                if s in known:
                    rhs -= transfer[:, i][:, None] * known[s][None, :]
            reduced = transfer[:, unknown]
            if np.linalg.matrix_rank(reduced) < len(unknown):
                continue
            solution = np.linalg.solve(reduced[_independent_rows(reduced)], rhs[_independent_rows(reduced)])
            for row, i in enumerate(unknown):
                known[sources[i]] = solution[row]
            progress = True
    return known


def _independent_rows(matrix):
    rows = []
    for r in range(matrix.shape[0]):
        if np.linalg.matrix_rank(matrix[rows + [r]]) == len(rows) + 1:
            rows.append(r)
    return rows


def test_encoding_matches_galois():
    code = BATSCode(12, 6, batch_size=5, distribution=[0.2, 0.3, 0.5], seed=4)
    data = np.random.default_rng(1).integers(0, 256, (12, 9), dtype=np.uint8)
    coded = code.encode(data)
    for j in range(code.n_batches):
        span = slice(code.batch_indptr[j], code.batch_indptr[j + 1])
        expected = GF(code.generator[span]).T @ GF(data[code.batch_sources[span]])
        assert np.array_equal(coded[j], expected)


@settings(max_examples=25)
@given(n_sources=st.integers(4, 30), batch_size=st.integers(2, 8), batches_per_source=st.floats(0.2, 1.5),
       erasure=st.sampled_from([0.0, 0.1, 0.3]), seed=st.integers(0, 2**16), width=st.integers(1, 20))
def test_bp_decoder_recovers_exactly_what_reference_bp_recovers(n_sources, batch_size, batches_per_source,
                                                                erasure, seed, width):
    n_batches = max(1, round(batches_per_source * n_sources))
    code = BATSCode(n_sources, n_batches, batch_size=batch_size, distribution=[0.1, 0.3, 0.3, 0.3], seed=seed)
    data = np.random.default_rng(seed).integers(0, 256, (n_sources, width), dtype=np.uint8)
    received, packets, headers = code.transmit(code.encode(data), erasure, seed=seed + 1)
    expected = reference_bp_decode(code, headers, packets, received)
    if len(expected) == n_sources:
        assert np.array_equal(code.decode(received, packets, headers), data)
    else:
        with pytest.raises(NotDecodableError, match=f"^{n_sources - len(expected)} of {n_sources} source"):
            code.decode(received, packets, headers)
    for source, value in expected.items():
        assert np.array_equal(np.asarray(value), data[source])


@pytest.mark.parametrize("erasure", [0.0, 0.2])
def test_decodes_exactly_with_enough_batches(erasure):
    code = BATSCode(100, 100, batch_size=16, distribution=[0, 0, 0] + [1.0] * 9, seed=7)  # degrees 4..12
    data = np.random.default_rng(2).integers(0, 256, (100, 64), dtype=np.uint8)
    received, packets, headers = code.transmit(code.encode(data), erasure, seed=8)
    assert np.array_equal(code.decode(received, packets, headers), data)


def test_too_few_batches_fail_cleanly_naming_the_missing_count():
    code = BATSCode(50, 3, batch_size=8, distribution=[0, 0, 0, 1.0], seed=1)
    data = np.zeros((50, 4), dtype=np.uint8)
    received, packets, headers = code.transmit(code.encode(data), 0.0, seed=2)
    with pytest.raises(NotDecodableError) as error:
        code.decode(received, packets, headers)
    missing = int(re.match(r"(\d+) of 50 source packets are still missing", str(error.value)).group(1))
    assert missing >= 50 - np.unique(code.batch_sources).size >= 38
    assert error.value.needed == 50 and error.value.received == int(received.sum())


def test_bad_input_is_rejected():
    with pytest.raises(ParameterError, match="batch_size"):
        BATSCode(10, 5, [1.0], batch_size=0)
    code = BATSCode(10, 5, [1.0], batch_size=4, seed=0)
    with pytest.raises(ShapeError, match="source packets"):
        code.encode(np.zeros((9, 4), dtype=np.uint8))
    with pytest.raises(ParameterError, match="erasure_probability"):
        code.transmit(code.encode(np.zeros((10, 4), dtype=np.uint8)), 1.0)
    with pytest.raises(ShapeError, match="received"):
        code.decode(np.zeros(4, np.int64), np.zeros((5, 4, 2), np.uint8), np.zeros((5, 4, 4), np.uint8))


def test_rank_distribution_matches_the_simulated_relay():
    code = BATSCode(4, 3000, batch_size=6, distribution=[0, 0, 1.0], seed=5)
    received, _, headers = code.transmit(code.encode(np.zeros((4, 1), dtype=np.uint8)), 0.25, seed=6)
    ranks = np.array([np.linalg.matrix_rank(GF(headers[j, :r])) if r else 0 for j, r in enumerate(received)])
    predicted = batch_rank_distribution(6, 0.25, hops=2)
    assert predicted.sum() == pytest.approx(1.0)
    empirical = np.bincount(ranks, minlength=7) / ranks.size
    assert np.abs(empirical - predicted).max() < 0.03
    assert ranks.mean() == pytest.approx(np.arange(7) @ predicted, abs=4 * ranks.std() / np.sqrt(ranks.size))


def test_multicast_rounds_closed_forms():
    assert multicast_rounds(1, 0.3, hops=2) == pytest.approx(1 / 0.7**2, rel=1e-9)
    assert multicast_rounds(1, 0.0, hops=3) == pytest.approx(1.0)
    # one hop, two receivers: E[max of two Geom(0.5)] = 8/3
    assert multicast_rounds(2, 0.5, hops=1) == pytest.approx(8 / 3, rel=1e-9)


def test_figure7_bats_wins_below_a_computing_load_threshold():
    loads = np.arange(1, 21)
    heavy = communication_loads(20, loads, erasure_probability=0.3, hops=3)
    # every load vanishes at r = K and decreases with r; coded computing equals uncoded at r = 1
    for name in ("uncoded", "coded", "bats"):
        assert heavy[name][-1] == pytest.approx(0.0, abs=1e-12)
        assert np.all(np.diff(heavy[name]) < 0)
    assert heavy["coded"][0] == pytest.approx(heavy["uncoded"][0])
    # with erasures, BATS is below uncoded at every computing load, and below deterministic
    # coded computing only up to a threshold, above which the multicast gain wins
    assert np.all(heavy["bats"][:-1] < heavy["uncoded"][:-1])
    threshold = bats_threshold(heavy)
    assert threshold is not None
    assert np.all(heavy["bats"][loads <= threshold] < heavy["coded"][loads <= threshold])
    above = (loads > threshold) & (loads < 20)
    assert np.all(heavy["bats"][above] > heavy["coded"][above])
    # BATS's advantage over uncoded grows with the erasure probability; without erasures it is overhead only
    ratios = [_bats_over_uncoded(e) for e in (0.0, 0.1, 0.2, 0.3, 0.4)]
    assert np.all(np.diff(ratios) < 0)
    assert ratios[0] == pytest.approx(1.05, rel=1e-2)  # recoding over GF(256) loses a little rank
    assert bats_threshold(communication_loads(20, loads, 0.05, hops=3)) is None


def test_figure7_threshold_grows_with_erasures():
    thresholds = [bats_threshold(communication_loads(20, np.arange(1, 21), e, hops=4)) for e in (0.1, 0.3, 0.5, 0.6)]
    assert np.all(np.diff(thresholds) >= 0) and thresholds[-1] > thresholds[0] >= 1


def _bats_over_uncoded(erasure):
    loads = communication_loads(20, [1], erasure, hops=3)
    return loads["bats"][0] / loads["uncoded"][0]


def test_load_model_rejects_bad_parameters():
    with pytest.raises(ParameterError, match="computing loads"):
        communication_loads(10, [0, 3], 0.1)
    with pytest.raises(ParameterError, match="erasure_probability"):
        communication_loads(10, [1, 3], 1.0)
