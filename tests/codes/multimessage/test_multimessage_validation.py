"""Multi-message codes and their simulator: bad input raises a named error, valid input keeps its answer."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from codedml.analysis import LagrangeCompletionModel
from codedml.codes import (
    CPGC,
    GCMMC,
    MDSCodedComputationMMC,
    UncodedMMC,
)
from codedml.codes.multimessage.base import SPAN_TOLERANCE, MessageSchedule, MultiMessageCode
from codedml.errors import (
    DecodingAccuracyError,
    NonFiniteError,
    NotDecodableError,
    ParameterError,
    ShapeError,
    SizeError,
)
from codedml.kernels import pair_peeling, span
from codedml.sim import (
    ShiftedExponential,
    exact_expected_completion_time,
    simulate,
)
from codedml.sim.montecarlo import message_arrivals
from codedml.sim.score_vectors import decodable_score_vectors

CODES = {
    "uc-mmc": lambda: UncodedMMC(6, 3),
    "uc-mmc-sum": lambda: UncodedMMC(6, 2, target="sum"),
    "mcc": lambda: MDSCodedComputationMMC(5, 6, 2),
    "mcc-multi": lambda: MDSCodedComputationMMC(4, 5, 2, multi_message=True),
    "cpgc": lambda: CPGC(8, 3, seed=0),
    "gc-mmc-correlated": lambda: GCMMC.correlated(6, 3, 2, clusters=2, seed=0),
    "gc-mmc-uncorrelated": lambda: GCMMC.uncorrelated(6, 3, (3, 2)),
    "gc-mmc-hybrid": lambda: GCMMC.uncorrelated(6, 6, (6, 4), hybrid=True),
    "lcc": lambda: LagrangeCompletionModel(8, 2, multi_message=True),
}
MODEL = ShiftedExponential(10.0, 0.01)


@pytest.fixture(scope="module", params=list(CODES), ids=list(CODES))
def code(request):
    return CODES[request.param]()


def kernel_prefix(code, order, required=None):
    """The kernels called directly with a valid order: what ``decodable_prefix`` returned before validation."""
    if isinstance(code, CPGC):
        return pair_peeling.first_pair_recovery_prefix(code._first, code._second, code.schedule.row_offsets, order,
                                                       code._required(required), code.target == "sum")
    if code.group_thresholds is not None:
        weights, needed = code._group_weights(code._required(required))
        return span.first_threshold_prefix(code.schedule.content, code.content_groups, code.group_thresholds,
                                           weights, code.completes, order, needed)
    return span.first_decodable_prefix(code.schedule.rows, code.schedule.row_offsets, order, code._target_code(),
                                       code._required(required), SPAN_TOLERANCE)


# ---- arrival orders --------------------------------------------------------------------------------
@given(data=st.data())
def test_random_valid_arrival_orders_give_the_kernels_prefix(code, data):
    n = code.n_messages
    rows = data.draw(st.integers(1, 4))
    order = np.full((rows, n), -1, dtype=np.int64)
    for i in range(rows):
        permutation = data.draw(st.permutations(range(n)))
        arrived = data.draw(st.integers(0, n))
        order[i, :arrived] = permutation[:arrived]
    required = None
    if hasattr(code, "_required"):
        required = data.draw(st.one_of(st.none(), st.integers(1, code.n_partitions)))
    expected = kernel_prefix(code, order, required)
    np.testing.assert_array_equal(code.decodable_prefix(order, required), expected)
    np.testing.assert_array_equal(code.decodable_prefix(order.astype(float), required), expected)


@given(data=st.data())
def test_random_out_of_range_arrival_orders_raise_parameter_error(code, data):
    n = code.n_messages
    width = data.draw(st.integers(1, n + 2))
    values = data.draw(st.lists(st.integers(-10**12, 10**12), min_size=width, max_size=width))
    position = data.draw(st.integers(0, width - 1))
    bad = data.draw(st.one_of(st.integers(n, 10**15), st.integers(-10**15, -2)))
    values[position] = bad
    with pytest.raises(ParameterError, match="arrival_order"):
        code.decodable_prefix(np.array([values]))
    with pytest.raises(ParameterError, match="arrival_order"):
        code.span_prefix(np.array([values]))


@pytest.mark.parametrize("order, error, text", [
    ([[0, 0]], ParameterError, "more than once"),
    ([[1, -1, 0]], ParameterError, "-1 ends a row"),
    ([[0.5, 1]], ParameterError, "integers"),
    ([[np.nan]], ParameterError, "integers"),
    ([[True, False]], ParameterError, "dtype bool"),
    ([[1j]], ParameterError, "complex"),
    ([["0"]], ParameterError, "numeric"),
    (None, ParameterError, "None"),
    ([0, 1], ShapeError, "dimension"),
    ([[0, 1], [2]], ShapeError, "rectangular"),
], ids=["repeat", "after-end", "fraction", "nan", "bool", "complex", "string", "none", "one-d", "ragged"])
def test_malformed_arrival_orders_raise_named_errors(code, order, error, text):
    with pytest.raises(error, match="arrival_order") as raised:
        code.decodable_prefix(order)
    assert text in str(raised.value) or text == "complex" and "integers" in str(raised.value)


def test_integral_float_arrival_orders_are_accepted():
    code = UncodedMMC(4, 2)
    order = np.argsort(np.random.default_rng(0).random((5, code.n_messages)), axis=1)
    np.testing.assert_array_equal(code.decodable_prefix(order.astype(np.float32)),
                                  code.decodable_prefix(order))


@pytest.mark.parametrize("required", [0, -1, 7, 2.5, True, np.nan, "3"])
def test_required_outside_one_to_m_is_refused(required):
    code = UncodedMMC(6, 2)
    with pytest.raises(ParameterError, match="required"):
        code.decodable_prefix([[0, 1]], required)
    with pytest.raises(ParameterError, match="required"):
        code.is_decodable([0, 1], required)


def test_required_on_a_sum_code_counts_the_partitions_of_the_partial_sum():
    code = UncodedMMC(6, 2, target="sum")
    assert code.is_decodable([0], required=1) and not code.is_decodable([0], required=2)
    product = UncodedMMC(6, 2)  # the same rule: distinct partitions received
    for required in (3, 6):
        assert simulate(code, MODEL, 200, seed=0, required=required) == \
            simulate(product, MODEL, 200, seed=0, required=required)


# ---- schedules, groups and thresholds -------------------------------------------------------------------
def one_hot_schedule(**changes):
    fields = {"worker": [0, 1], "step": [1, 1], "rows": np.eye(2), "row_offsets": [0, 1, 2], "size": [0.5, 0.5],
                  "content": [0, 1]}
    fields.update(changes)
    return MessageSchedule(**fields)


@pytest.mark.parametrize("changes, error, name", [
    ({"worker": [0, -1]}, ParameterError, "schedule.worker"),
    ({"worker": []}, ShapeError, "schedule.worker"),
    ({"step": [0, 1]}, ParameterError, "schedule.step"),
    ({"step": [1]}, ShapeError, "schedule.step"),
    ({"rows": [[1.0, np.nan], [0.0, 1.0]]}, NonFiniteError, "schedule.rows"),
    ({"rows": [[1j, 0], [0, 1]]}, ParameterError, "schedule.rows"),
    ({"row_offsets": [0, 2, 1]}, ParameterError, "schedule.row_offsets"),
    ({"row_offsets": [0, 1, 3]}, ParameterError, "schedule.row_offsets"),
    ({"row_offsets": [1, 1, 2]}, ParameterError, "schedule.row_offsets"),
    ({"size": [0.5, -1.0]}, ParameterError, "schedule.size"),
    ({"size": [0.5, np.inf]}, NonFiniteError, "schedule.size"),
    ({"content": [0, -3]}, ParameterError, "schedule.content"),
], ids=["worker-negative", "no-message", "step-zero", "step-length", "rows-nan", "rows-complex", "offsets-decrease",
        "offsets-past-rows", "offsets-start", "size-negative", "size-inf", "content-negative"])
def test_malformed_schedules_raise_named_errors(changes, error, name):
    with pytest.raises(error, match=name):
        one_hot_schedule(**changes)


@pytest.mark.parametrize("changes, error, name", [
    ({"worker": [0, 2]}, ParameterError, "schedule.worker"),
    ({"step": [1, 3]}, ParameterError, "schedule.step"),
    ({"rows": np.eye(2)[:, :1]}, ShapeError, "n_partitions"),
], ids=["worker-beyond-K", "step-beyond-r", "rows-width"])
def test_schedules_that_do_not_fit_the_code_raise_named_errors(changes, error, name):
    with pytest.raises(error, match=name):
        MultiMessageCode(2, 2, 2, "sum", one_hot_schedule(**changes))


@pytest.mark.parametrize("groups, thresholds, error, name", [
    ([0, 5], [1], ParameterError, "content_groups"),
    ([0, -1], [1, 1], ParameterError, "content_groups"),
    ([0], [1], ShapeError, "content_groups"),
    ([0, 1], None, ParameterError, "content_groups"),
    ([0, 0], [-1], ParameterError, "group_thresholds"),
    ([0, 0], [0], ParameterError, "group_thresholds"),
    ([0, 0], [], ShapeError, "group_thresholds"),
    ([0, 0], [[1]], ShapeError, "group_thresholds"),
], ids=["group-beyond", "group-negative", "length", "no-thresholds", "threshold-negative", "threshold-zero",
        "no-threshold", "2-d"])
def test_content_groups_and_thresholds_are_checked_before_any_kernel(groups, thresholds, error, name):
    with pytest.raises(error, match=name):
        MultiMessageCode(2, 2, 1, "sum", one_hot_schedule(), thresholds, groups)


def test_valid_content_groups_count_distinct_contents_per_group():
    code = MultiMessageCode(2, 2, 1, "sum", one_hot_schedule(), [1, 1], [0, 1])
    assert code.is_decodable([1, 0]) and not code.is_decodable([1])


@pytest.mark.parametrize("messages, error, text", [
    ([], ParameterError, "non-empty"),
    ([(0, 1, [1.0, 0.0])], ParameterError, "length 4 or 5"),
    ([(0, 1, [1.0, 0.0], 1.0), (1, 1, [1.0], 1.0)], ShapeError, "width"),
    ([(0, 1, [1.0, 0.0], 1.0, 0), (1, 1, [0.0, 1.0], 1.0)], ParameterError, "content id"),
    ([(None, 1, [1.0], 1.0)], ParameterError, "worker"),
    ([(0, 0, [1.0], 1.0)], ParameterError, "step"),
    ([(0, 1, [1.0], -1.0)], ParameterError, "size"),
    ([(0, 1, [1.0], 1.0, 1.5)], ParameterError, "content"),
    ([(0, 1, ["a"], 1.0)], ParameterError, "rows of message 0"),
], ids=["empty", "short", "widths", "mixed-content", "worker-none", "step-zero", "size", "content", "rows"])
def test_from_messages_refuses_malformed_tuples(messages, error, text):
    with pytest.raises(error, match=text):
        MessageSchedule.from_messages(messages)


# ---- constructors ------------------------------------------------------------------------------------------
BAD_CONSTRUCTORS = [
    (UncodedMMC, {"n_workers": 0, "computation_load": 1}, "n_workers"),
    (UncodedMMC, {"n_workers": None, "computation_load": 1}, "n_workers"),
    (UncodedMMC, {"n_workers": 4.5, "computation_load": 1}, "n_workers"),
    (UncodedMMC, {"n_workers": True, "computation_load": 1}, "n_workers"),
    (UncodedMMC, {"n_workers": 4, "computation_load": 5}, "computation_load"),
    (UncodedMMC, {"n_workers": 4, "computation_load": np.nan}, "computation_load"),
    (UncodedMMC, {"n_workers": 4, "computation_load": 2, "target": "products"}, "target"),
    (UncodedMMC, {"n_workers": 10**6, "computation_load": 2}, "UC-MMC"),
    (MDSCodedComputationMMC, {"n_workers": 4, "n_partitions": 9, "computation_load": 2}, "n_partitions"),
    (MDSCodedComputationMMC, {"n_workers": 4, "n_partitions": 0, "computation_load": 2}, "n_partitions"),
    (MDSCodedComputationMMC, {"n_workers": 4, "n_partitions": 4, "computation_load": 0}, "computation_load"),
    (MDSCodedComputationMMC, {"n_workers": -1, "n_partitions": 4, "computation_load": 2}, "n_workers"),
    (MDSCodedComputationMMC, {"n_workers": 4, "n_partitions": 4, "computation_load": 2, "multi_message": "yes"},
     "multi_message"),
    (MDSCodedComputationMMC, {"n_workers": 10**6, "n_partitions": 10**5, "computation_load": 10}, "generator"),
    (CPGC, {"n_workers": 7, "computation_load": 2}, "even"),
    (CPGC, {"n_workers": 0, "computation_load": 1}, "n_workers"),
    (CPGC, {"n_workers": 8, "computation_load": 5}, "computation_load"),
    (CPGC, {"n_workers": 8, "computation_load": 0}, "computation_load"),
    (CPGC, {"n_workers": 8, "computation_load": 2.5}, "computation_load"),
    (CPGC, {"n_workers": 8, "computation_load": 2, "seed": -1}, "seed"),
    (CPGC, {"n_workers": 8, "computation_load": 2, "seed": "x"}, "seed"),
    (CPGC, {"n_workers": 10**6, "computation_load": 2}, "CPGC"),
    (GCMMC.correlated, {"n_workers": 6, "computation_load": 3, "order": 4}, "order"),
    (GCMMC.correlated, {"n_workers": 6, "computation_load": 3, "order": 0}, "order"),
    (GCMMC.correlated, {"n_workers": 6, "computation_load": 3, "order": 2, "clusters": 4}, "clusters"),
    (GCMMC.correlated, {"n_workers": 6, "computation_load": 3, "order": 2, "clusters": 0}, "clusters"),
    (GCMMC.correlated, {"n_workers": 6, "computation_load": 4, "order": 2, "clusters": 2}, "computation_load"),
    (GCMMC.correlated, {"n_workers": 6, "computation_load": 3, "order": 2, "seed": 2.5}, "seed"),
    (GCMMC.correlated, {"n_workers": 6, "computation_load": 3, "order": 2, "hybrid": None}, "hybrid"),
    (GCMMC.correlated, {"n_workers": 10**6, "computation_load": 3, "order": 2}, "GC-MMC"),
    (GCMMC.uncorrelated, {"n_workers": 6, "computation_load": 3, "orders": (3, 3)}, "orders"),
    (GCMMC.uncorrelated, {"n_workers": 6, "computation_load": 3, "orders": (4,)}, "orders"),
    (GCMMC.uncorrelated, {"n_workers": 6, "computation_load": 3, "orders": ()}, "orders"),
    (GCMMC.uncorrelated, {"n_workers": 6, "computation_load": 3, "orders": (1.5,)}, "orders"),
    (GCMMC.uncorrelated, {"n_workers": 6, "computation_load": 3, "orders": (3,), "hybrid": 1}, "hybrid"),
    (LagrangeCompletionModel, {"n_workers": 8, "computation_load": 3}, "computation_load to divide n_workers"),
    (LagrangeCompletionModel, {"n_workers": 8, "computation_load": 0}, "computation_load"),
    (LagrangeCompletionModel, {"n_workers": 8, "computation_load": 2, "degree": 0}, "degree"),
    (LagrangeCompletionModel, {"n_workers": 8, "computation_load": 2, "degree": None}, "degree"),
    (LagrangeCompletionModel, {"n_workers": 8, "computation_load": 2, "multi_message": None}, "multi_message"),
    (LagrangeCompletionModel, {"n_workers": 10**6, "computation_load": 4, "multi_message": True}, "LCC"),
]


@pytest.mark.parametrize("constructor, kwargs, name", BAD_CONSTRUCTORS,
                         ids=[f"{c.__qualname__}-{'-'.join(f'{k}={v}' for k, v in kw.items())}"
                              for c, kw, _ in BAD_CONSTRUCTORS])
def test_bad_constructor_arguments_raise_parameter_errors_naming_them(constructor, kwargs, name):
    with pytest.raises(ParameterError, match=name):
        constructor(**kwargs)


def test_orders_must_be_a_list():
    with pytest.raises(ShapeError, match="orders"):
        GCMMC.uncorrelated(6, 3, 3)


def test_oversized_schedules_raise_size_error():
    with pytest.raises(SizeError):
        UncodedMMC(10**6, 2)
    with pytest.raises(SizeError):
        MDSCodedComputationMMC(10**6, 10**5, 10)


def test_seeds_may_be_generators_and_integral_floats_are_integers():
    assert CPGC(12, 4, seed=np.random.default_rng(5)).tasks == CPGC(12, 4, seed=5).tasks
    np.testing.assert_array_equal(UncodedMMC(6.0, 2.0).schedule.rows, UncodedMMC(6, 2).schedule.rows)


# ---- decoding: received in any order ------------------------------------------------------------------
def received_rows(code, received, coded):
    """The coded rows of ``received``, message by message in the given order."""
    offsets = code.schedule.row_offsets
    return np.vstack([coded[offsets[m]:offsets[m + 1]] for m in received])


@given(seed=st.integers(0, 2**32 - 1))
def test_decode_reads_received_in_any_order(seed):
    rng = np.random.default_rng(seed)
    cases = [(GCMMC.correlated(6, 3, 2, seed=0), 6, "sum"), (CPGC(8, 3, seed=0), 8, "product"),
             (MDSCodedComputationMMC(4, 4, 2), 4, "product")]  # MCC: two rows per message
    for code, M, target in cases:
        partials = rng.standard_normal((M, 2))
        coded = code.encode(partials)
        expected = partials.sum(axis=0) if target == "sum" else partials
        received = rng.permutation(code.n_messages)[:rng.integers(1, code.n_messages + 1)]
        if not code.is_decodable(received):
            with pytest.raises(NotDecodableError):
                code.decode(received, received_rows(code, received, coded))
            continue
        np.testing.assert_allclose(code.decode(received, received_rows(code, received, coded)), expected,
                                   atol=1e-9)
        mask = np.zeros(code.n_messages, dtype=bool)
        mask[received] = True
        np.testing.assert_allclose(code.decode(mask, received_rows(code, np.flatnonzero(mask), coded)), expected,
                                   atol=1e-9)
        if received.size < code.n_messages:  # every coded row: row k is coded row k whatever the order
            np.testing.assert_allclose(code.decode(received, coded), expected, atol=1e-9)


def test_all_messages_in_a_permuted_order_read_the_rows_in_that_order():
    code = MDSCodedComputationMMC(4, 4, 2)
    partials = np.random.default_rng(3).standard_normal((4, 3))
    coded = code.encode(partials)
    received = [3, 1, 0, 2]
    np.testing.assert_allclose(code.decode(received, received_rows(code, received, coded)), partials, atol=1e-10)


def test_decode_refuses_bad_coded_rows():
    code = GCMMC.correlated(6, 3, 2, seed=0)
    coded = code.encode(np.ones((6, 2)))
    with pytest.raises(ShapeError, match="coded_rows"):
        code.decode([0, 1, 3, 5, 7], coded[:4])
    with pytest.raises(ShapeError, match="coded_rows"):
        code.decode([0, 1, 3, 5, 7], coded[[0, 1, 3, 5, 7], 0])
    bad = coded[[0, 1, 3, 5, 7]].copy()
    bad[2, 0] = np.nan
    with pytest.raises(NonFiniteError, match="coded_rows"):
        code.decode([0, 1, 3, 5, 7], bad)
    with pytest.raises(ParameterError, match="coded_rows"):
        code.decode([0, 1, 3, 5, 7], coded[[0, 1, 3, 5, 7]] * 1j)
    with pytest.raises(ParameterError, match="received"):
        code.decode([0, 0, 3, 5, 7], coded[[0, 0, 3, 5, 7]])
    with pytest.raises(ParameterError, match="received"):
        code.decode([0, 1, 3, 5, code.n_messages], coded)


def test_non_finite_rows_of_messages_that_did_not_arrive_are_ignored():
    code = GCMMC.correlated(6, 3, 2, seed=0)
    partials = np.random.default_rng(0).standard_normal((6, 2))
    coded = code.encode(partials)
    coded[2] = np.nan
    np.testing.assert_allclose(code.decode([0, 1, 3, 5, 7], coded), partials.sum(axis=0), atol=1e-10)


def test_product_decoding_refuses_ill_conditioned_rows_instead_of_a_wrong_product():
    code = MDSCodedComputationMMC(40, 40, 2, multi_message=True)
    partials = np.random.default_rng(0).standard_normal((40, 3))
    coded = code.encode(partials)
    ids = np.arange(40)  # 40 neighbouring Chebyshev points: condition number far beyond 1e8
    assert code.is_decodable(ids)
    with pytest.raises(DecodingAccuracyError, match="residual"):
        code.decode(ids, coded[ids])


def test_product_decoding_is_accurate_whenever_it_answers():
    code = MDSCodedComputationMMC(40, 40, 2, multi_message=True)
    rng = np.random.default_rng(1)
    partials = rng.standard_normal((40, 3))
    coded = code.encode(partials)
    answered = 0
    for _ in range(20):
        ids = rng.choice(code.n_messages, 40, replace=False)
        try:
            decoded = code.decode(ids, coded[ids])
        except DecodingAccuracyError:
            continue
        answered += 1
        np.testing.assert_allclose(decoded, partials, atol=1e-6)
    assert answered > 0


@pytest.mark.parametrize("partials, error", [
    (np.ones((6, 2)) * 1j, ParameterError), (np.ones((5, 2)), ShapeError), (np.ones(6), ShapeError),
    (np.full((6, 2), np.inf), NonFiniteError), ("abc", ParameterError), (None, ParameterError),
], ids=["complex", "rows", "one-d", "inf", "string", "none"])
def test_encode_refuses_bad_partials(partials, error):
    with pytest.raises(error, match="partials"):
        GCMMC.correlated(6, 3, 2, seed=0).encode(partials)


@pytest.mark.parametrize("completed, error", [
    ([1, 1, 1], ShapeError), ([1, 1, 1, -1], ParameterError), ([1, 1, 1, 0.5], ParameterError),
    (None, ParameterError)], ids=["length", "negative", "fraction", "none"])
def test_received_after_refuses_bad_score_vectors(completed, error):
    with pytest.raises(error, match="completed"):
        UncodedMMC(4, 2).received_after(completed)


# ---- simulator ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, name", [
    ({"n_iterations": 1}, "n_iterations"), ({"n_iterations": None}, "n_iterations"),
    ({"n_iterations": 2.5}, "n_iterations"), ({"n_iterations": True}, "n_iterations"),
    ({"seed": -1}, "seed"), ({"seed": "x"}, "seed"), ({"batch_size": 0}, "batch_size"),
    ({"required": 0}, "required"), ({"required": np.inf}, "required"),
    ({"model": "exp"}, "model"), ({"code": object()}, "code"),
], ids=lambda value: repr(value) if not isinstance(value, dict) else "-".join(f"{k}={v!r}" for k, v in value.items()))
def test_simulate_multi_message_refuses_bad_arguments(kwargs, name):
    arguments = {"code": UncodedMMC(4, 2), "model": MODEL, "n_iterations": 10, "seed": 0}
    arguments.update(kwargs)
    with pytest.raises(ParameterError, match=name):
        simulate(**arguments)


def test_simulate_multi_message_gives_the_same_figures_with_integral_float_arguments():
    code = CPGC(8, 3, seed=0)
    first = simulate(code, MODEL, 300, seed=4, required=6)
    second = simulate(code, MODEL, 300.0, seed=np.random.default_rng(4), required=6.0, batch_size=100.0)
    assert first == second


def test_exact_mode_refuses_bad_rates_and_oversized_enumerations():
    code = UncodedMMC(4, 2)
    for mu in (0.0, -1.0, np.nan, None):
        with pytest.raises(ParameterError, match="mu"):
            exact_expected_completion_time(code, mu, 0.01)
    with pytest.raises(ParameterError, match="alpha"):
        exact_expected_completion_time(code, 10.0, -0.1)
    with pytest.raises(SizeError, match="MAX_SCORE_VECTORS"):
        decodable_score_vectors(UncodedMMC(20, 3))


def test_message_arrivals_refuses_nan_and_wrong_widths():
    code = UncodedMMC(4, 2)
    with pytest.raises(ParameterError, match="unit_times"):
        message_arrivals(code, np.array([[1.0, np.nan, 1.0, 1.0]]))
    with pytest.raises(ShapeError, match="unit_times"):
        message_arrivals(code, np.ones((2, 3)))
    arrivals = message_arrivals(code, np.array([[1.0, np.inf, 2.0, 1.0]]))
    assert np.isinf(arrivals[0, code.schedule.worker == 1]).all()


@pytest.mark.parametrize("call", ["encode", "decode", "decode_partial"])
def test_lagrange_completion_model_refuses_to_compute(call):
    model = LagrangeCompletionModel(8, 2, multi_message=True)
    arguments = {"encode": (np.ones((8, 2)),), "decode": ([0, 1], np.ones((2, 2))),
                 "decode_partial": ([0, 1], np.ones((2, 2)))}[call]
    with pytest.raises(ParameterError, match="completion time only"):
        getattr(model, call)(*arguments)
