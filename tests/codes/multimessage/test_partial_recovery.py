"""Partial recovery (seed cpgc section 4.2) against exhaustive dense search: what is covered, decoded, simulated."""

import itertools
from collections import Counter

import numpy as np
import pytest

from codedml.codes import CPGC, GCMMC, MDSCodedComputationMMC, UncodedMMC
from codedml.codes.multimessage.base import PartialDecoding
from codedml.errors import DecodingAccuracyError, NotDecodableError, ParameterError
from codedml.kernels.pair_peeling import pair_peeling_decode
from codedml.sim import ShiftedExponential, simulate
from codedml.sim.score_vectors import score_type_counts
from tests.codes.multimessage.naive_partial import dense_partial_decode, naive_covered, row_space_residuals
from tests.codes.multimessage.test_multimessage import SEED_TABLE_1, SEED_TABLE_2

MODEL = ShiftedExponential(10.0, 0.01)
SMALL = {  # at most 8 messages: every received set is enumerated
    "cpgc-product": lambda: CPGC.seed_example(),
    "cpgc-sum": lambda: CPGC.seed_example("sum"),
    "uc-mmc-product": lambda: UncodedMMC(4, 2),
    "uc-mmc-sum": lambda: UncodedMMC(4, 2, target="sum"),
    "mcc-product": lambda: MDSCodedComputationMMC(4, 4, 2),
    "mcc-sum": lambda: MDSCodedComputationMMC(4, 4, 2, target="sum"),
    "mcc-multi-sum": lambda: MDSCodedComputationMMC(4, 4, 2, multi_message=True, target="sum"),
    "mcc-multi-product": lambda: MDSCodedComputationMMC(4, 3, 2, multi_message=True),
}
#: MCC follows the MDS threshold (all or nothing): sound, but its Chebyshev rows at symmetric points
#: x, -x also determine single partitions (their difference is odd Chebyshev terms only).
CONSERVATIVE = {"mcc-product", "mcc-sum", "mcc-multi-sum", "mcc-multi-product"}


def message_rows(code, ids):
    offsets = code.schedule.row_offsets
    return np.concatenate([np.arange(offsets[m], offsets[m + 1]) for m in ids] + [np.zeros(0, dtype=np.int64)])


def all_received_sets(code):
    return [np.array(ids, dtype=np.int64) for size in range(code.n_messages + 1)
            for ids in itertools.combinations(range(code.n_messages), size)]


def naive_sizes(code):
    """Naive covered-set size of every received set, indexed by its bit mask."""
    sizes = np.zeros(2 ** code.n_messages, dtype=np.int64)
    for ids in all_received_sets(code):
        sizes[np.sum(1 << ids)] = naive_covered(code.schedule.rows[message_rows(code, ids)], code.target)[0]
    return sizes


@pytest.fixture(scope="module", params=list(SMALL), ids=list(SMALL))
def small(request):
    code = SMALL[request.param]()
    covered = np.zeros(2 ** code.n_messages, dtype=np.int64)
    for ids in all_received_sets(code):
        covered[np.sum(1 << ids)] = code.covered_partitions(ids).size
    return code, covered, naive_sizes(code), request.param in CONSERVATIVE


def test_covered_partitions_are_a_largest_set_the_received_rows_determine(small):
    code, sizes, naive, conservative = small
    assert np.all(sizes <= naive) and (conservative or np.array_equal(sizes, naive))
    for ids in all_received_sets(code):
        rows = code.schedule.rows[message_rows(code, ids)]
        covered = code.covered_partitions(ids)
        if code.target == "sum" and covered.size:
            indicator = np.zeros(code.n_partitions)
            indicator[covered] = 1.0
            assert row_space_residuals(rows, indicator[:, None])[0] <= 1e-7, ids
        elif code.target == "product":
            assert set(covered) <= set(naive_covered(rows, "product")[1][0]), ids


def test_is_decodable_at_every_tolerance_ratio_counts_the_covered_partitions(small):
    code, sizes, _, _ = small
    for ids in all_received_sets(code):
        for required in range(1, code.n_partitions + 1):
            assert code.is_decodable(ids, required) == (sizes[np.sum(1 << ids)] >= required), (ids, required)


def test_partial_decode_is_the_sum_or_the_results_of_the_covered_true_partitions(small):
    code, sizes, _, _ = small
    partials = np.random.default_rng(0).standard_normal((code.n_partitions, 3))
    coded = code.encode(partials)
    for ids in all_received_sets(code):
        if not sizes[np.sum(1 << ids)]:
            with pytest.raises(NotDecodableError, match="required=1"):
                code.decode_partial(ids, coded, required=1)
            continue
        permuted = ids[::-1]  # rows given in the order of `received`
        result = code.decode_partial(permuted, coded[message_rows(code, permuted)], required=1)
        expected = partials[result.partitions]
        np.testing.assert_allclose(result.value, expected.sum(axis=0) if code.target == "sum" else expected,
                                   atol=1e-9)
        assert result.tolerance_ratio == (code.n_partitions - result.partitions.size) / code.n_partitions


def test_every_arrival_order_stops_at_the_first_covering_prefix(small):
    code, sizes, _, _ = small
    orders = np.array(list(itertools.permutations(range(code.n_messages))), dtype=np.int64)
    masks = np.cumsum(1 << orders, axis=1)
    for required in range(1, code.n_partitions + 1):
        ok = sizes[masks] >= required
        expected = np.where(ok.any(axis=1), ok.argmax(axis=1) + 1, 0)
        np.testing.assert_array_equal(code.decodable_prefix(orders, required), expected)


@pytest.mark.parametrize("target", ["product", "sum"])
def test_score_vector_counts_equal_the_exhaustive_search_and_the_seed_tables(target):
    schemes = {"MCC": MDSCodedComputationMMC(4, 4, 2, target=target), "UC-MMC": UncodedMMC(4, 2, target=target),
               "CPGC": CPGC.seed_example(target)}
    vectors = list(itertools.product(range(3), repeat=4))
    for required, seed_table in ((4, SEED_TABLE_1), (3, SEED_TABLE_2)):
        naive = {}
        for name, code in schemes.items():
            counts = Counter()
            for vector in vectors:
                ids = code.received_after(vector)
                if naive_covered(code.schedule.rows[message_rows(code, ids)], target)[0] >= required:
                    counts[tuple(int(np.count_nonzero(np.array(vector) == s)) for s in (2, 1, 0))] += 1
            assert score_type_counts(code, required) == counts
            naive[name] = counts
        if target == "product":  # the seed's Tables 1 and 2 count the product (W theta) recovery
            types = set().union(*naive.values())
            assert {t: tuple(naive[s][t] for s in schemes) for t in types} == seed_table


def test_cpgc_sum_needs_fewer_messages_than_the_product():
    # W_3 + W_4 and W_1 + W_2 alone: no partition, but the full sum (seed example, messages 1 and 7)
    product, total = CPGC.seed_example(), CPGC.seed_example("sum")
    ids = [1, 7]
    assert not product.is_decodable(ids, 1) and total.is_decodable(ids)
    partials = np.random.default_rng(1).standard_normal((4, 2))
    np.testing.assert_allclose(total.decode(ids, total.encode(partials)), partials.sum(axis=0), atol=1e-12)


@pytest.mark.parametrize("K, r", [(8, 3), (12, 3), (16, 4), (20, 3)])
@pytest.mark.parametrize("target", ["product", "sum"])
def test_cpgc_peeling_equals_dense_least_squares_on_random_received_sets(K, r, target):
    code = CPGC(K, r, seed=1, target=target)
    rng = np.random.default_rng(K + r)
    partials = rng.standard_normal((K, 4))
    coded = code.encode(partials)
    for _ in range(25):
        ids = code.received_after(rng.integers(0, r + 1, K))
        covered = np.zeros(K, dtype=bool)
        covered[code.covered_partitions(ids)] = True
        rows = code.schedule.rows[ids]
        if target == "product" or K <= 12:  # exhaustive search over 2^M sets is for small M only
            assert covered.sum() == naive_covered(rows, target)[0]
        if not covered.any():
            continue
        result = code.decode_partial(ids, coded, required=1)
        np.testing.assert_allclose(result.value, dense_partial_decode(rows, coded[ids], covered, target),
                                   atol=1e-10)


@pytest.mark.parametrize("name, code", [
    ("cpgc-sum", CPGC(12, 3, seed=0, target="sum")), ("cpgc", CPGC(12, 3, seed=0)),
    ("uc-mmc-sum", UncodedMMC(8, 3, target="sum")), ("mcc-sum", MDSCodedComputationMMC(6, 6, 2, target="sum")),
    ("gc-mmc-clusters", GCMMC.correlated(8, 2, 2, clusters=2, seed=0)),
    ("gc-mmc-hybrid", GCMMC.correlated(6, 6, 3, hybrid=True, seed=0)),
], ids=lambda value: value if isinstance(value, str) else "")
def test_first_decodable_stops_at_the_first_prefix_that_is_decodable(name, code):
    rng = np.random.default_rng(5)
    arrivals = rng.random((40, code.n_messages))
    order = np.argsort(arrivals, axis=1)
    for required in (1, code.n_partitions // 2, code.n_partitions):
        _, used = code.first_decodable(arrivals, required)
        for row, count in zip(order, used):
            assert code.is_decodable(row[:count], required) == (count > 0)
            if count:
                assert not code.is_decodable(row[:count - 1], required)


def test_cpgc_sum_completes_no_later_than_the_product_on_the_same_arrivals():
    product, total = CPGC(20, 3, seed=0), CPGC(20, 3, seed=0, target="sum")
    arrivals = MODEL.finish_times(product.message_steps, 2000, np.random.default_rng(0))
    for required in (20, 19, 17):
        product_times, _ = product.first_decodable(arrivals, required)
        sum_times, _ = total.first_decodable(arrivals, required)
        assert np.all(sum_times <= product_times)


def test_simulate_accepts_a_tolerance_ratio_for_sum_targets():
    full = simulate(CPGC(20, 3, seed=0, target="sum"), MODEL, 2000, seed=0)
    partial = simulate(CPGC(20, 3, seed=0, target="sum"), MODEL, 2000, seed=0, required=19)
    assert partial.mean_time < full.mean_time and partial.failure_rate == full.failure_rate == 0.0


def test_gc_mmc_partial_sum_covers_the_decoded_clusters():
    code = GCMMC.correlated(8, 2, 2, clusters=2, seed=0)  # clusters {0..3}, {4..7}, each needs 3 contents
    partials = np.random.default_rng(2).standard_normal((8, 2))
    coded = code.encode(partials)
    first_cluster = np.flatnonzero(code.schedule.worker < 4)
    assert code.is_decodable(first_cluster, required=4) and not code.is_decodable(first_cluster)
    result = code.decode_partial(first_cluster, coded, required=4)
    np.testing.assert_array_equal(result.partitions, np.arange(4))
    np.testing.assert_allclose(result.value, partials[:4].sum(axis=0), atol=1e-10)


def test_hybrid_plain_cluster_sum_decodes_even_after_its_content_arrived_coded():
    code = GCMMC.correlated(6, 6, 3, hybrid=True, seed=0)
    final = np.flatnonzero(code.completes)[0]
    twin = next(m for m in range(code.n_messages)
                if m != final and code.schedule.content[m] == code.schedule.content[final])
    assert code.is_decodable([twin, final])
    np.testing.assert_array_equal(code.decodable_prefix([[twin, final]]), [2])


def test_cpgc_refuses_coded_rows_that_are_not_one_encoding():
    code = CPGC(8, 3, seed=0, target="sum")
    partials = np.random.default_rng(3).standard_normal((8, 2))
    coded = code.encode(partials)
    everything = np.arange(code.n_messages)
    np.testing.assert_allclose(code.decode(everything, coded), partials.sum(axis=0), atol=1e-12)
    coded[-1] += 1e-3
    with pytest.raises(DecodingAccuracyError, match="not one encoding"):
        code.decode(everything, coded)
    with pytest.raises(DecodingAccuracyError):
        code.decode_partial(everything, coded, required=1)


def test_ill_conditioned_mcc_partial_decoding_raises_rather_than_answer():
    code = MDSCodedComputationMMC(40, 30, 1)  # 30 Chebyshev rows at clustered points: residual ~1e-2
    coded = code.encode(np.ones((30, 2)))
    with pytest.raises(DecodingAccuracyError, match="residual"):
        code.decode_partial(np.arange(30), coded, required=28)


@pytest.mark.parametrize("required", [0, 5, 2.5, True, None, "3"])
def test_decode_partial_validates_required(required):
    code = UncodedMMC(4, 2, target="sum")
    coded = code.encode(np.zeros((4, 1)))
    if required is None:
        assert isinstance(code.decode_partial(np.arange(8), coded, required), PartialDecoding)
        return
    with pytest.raises(ParameterError, match="required"):
        code.decode_partial(np.arange(8), coded, required)


def test_partial_decode_names_what_it_covered_when_too_little_arrived():
    code = CPGC.seed_example()
    coded = code.encode(np.eye(4))
    with pytest.raises(NotDecodableError, match="cover 1 of the 4 partitions, fewer than required=3"):
        code.decode_partial([0], coded, required=3)
    with pytest.raises(NotDecodableError, match="do not determine the target"):
        code.decode([0], coded)


def test_peeling_kernel_refuses_partitions_out_of_range():
    values = np.zeros((1, 1))
    for first, second in ((4, -1), (-1, -1), (0, 4), (0, 0), (0, -2)):
        with pytest.raises(ValueError, match="out of range"):
            pair_peeling_decode(np.array([first]), np.array([second]), values, 4, False)
