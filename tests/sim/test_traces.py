"""The JSON-lines trace format: round trip, timing arrays computed by hand, named errors for bad lines."""

import io
import json

import numpy as np
import pytest

from codedml.errors import ParameterError
from codedml.sim import TRACE_FIELDS, Trace, read_trace, write_trace

INF = np.inf


def record(iteration=0, worker=0, message=None, computations=1, arrived=0.5, status="used", scheme="s", **extra):
    """One valid record (message defaults to the worker: one-message codes)."""
    values = dict(scheme=scheme, iteration=iteration, worker=worker, message=worker if message is None else message,
                  computations=computations, submitted=0.0, started=0.0 if arrived is not None else None,
                  finished=arrived, arrived=arrived, status=status)
    values.update(extra)
    return values


def two_message_trace():
    """Two workers, two messages each (after 1 and 2 computations), two iterations.

    Iteration 0: worker 0 sends at 0.2 and 0.4 (both used); worker 1's first message at 0.3 is used,
    its second is cancelled. Iteration 1: worker 0's first message is cancelled (the master
    decoded at 0.6 from worker 1's two messages) and its second is cancelled; worker 1 at 0.3
    and 0.6.
    """
    return [
        record(0, 0, 0, 1, 0.2), record(0, 0, 1, 2, 0.4), record(0, 1, 2, 1, 0.3),
        record(0, 1, 3, 2, None, "cancelled"),
        record(1, 0, 0, 1, None, "cancelled"), record(1, 0, 1, 2, None, "cancelled"),
        record(1, 1, 2, 1, 0.3), record(1, 1, 3, 2, 0.6),
    ]


def test_round_trip_through_a_path_keeps_every_record(tmp_path):
    path = tmp_path / "trace.jsonl"
    records = two_message_trace()
    write_trace(path, records[:3])
    write_trace(path, records[3:], append=True)
    trace = read_trace(path)
    assert trace.records == records
    assert trace.schemes == ("s",)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(records) and list(json.loads(lines[0])) == list(TRACE_FIELDS)


def test_round_trip_through_file_objects_text_and_binary():
    buffer = io.StringIO()
    write_trace(buffer, two_message_trace())
    assert read_trace(io.StringIO(buffer.getvalue())).records == two_message_trace()
    assert read_trace(io.BytesIO(buffer.getvalue().encode())).records == two_message_trace()


def test_write_without_append_replaces_the_file(tmp_path):
    path = tmp_path / "trace.jsonl"
    write_trace(path, two_message_trace())
    write_trace(path, [record()])
    assert read_trace(path).records == [record()]


def test_timing_arrays_match_the_records_by_hand():
    trace = Trace(two_message_trace())
    np.testing.assert_array_equal(trace.iterations("s"), [0, 1])
    np.testing.assert_array_equal(trace.arrival_times("s"), [[0.2, 0.4, 0.3, INF], [INF, INF, 0.3, 0.6]])
    # first message of each worker over its computations (1 each)
    np.testing.assert_array_equal(trace.unit_times("s"), [[0.2, 0.3], [INF, 0.3]])
    # last message of each worker: messages 1 and 3
    np.testing.assert_array_equal(trace.finish_times("s"), [[0.4, INF], [INF, 0.6]])
    np.testing.assert_array_equal(trace.completion_times("s"), [0.4, 0.6])
    # worker 0's first message was cancelled in iteration 1, when the master stopped at 0.6
    np.testing.assert_array_equal(trace.censoring_times("s"), [[INF, INF], [0.6, INF]])


def test_unit_times_divide_by_the_computations_of_the_first_message():
    trace = Trace([record(0, 0, 0, 4, 2.0), record(0, 1, 1, 2, None, "lost"), record(1, 0, 0, 4, 1.0),
                   record(1, 1, 1, 2, 3.0, "late")])
    np.testing.assert_array_equal(trace.unit_times("s"), [[0.5, INF], [0.25, 1.5]])
    # a lost message is a failure, not a censored time
    np.testing.assert_array_equal(trace.censoring_times("s"), [[INF, INF], [INF, INF]])


def test_schemes_are_kept_apart():
    trace = Trace([record(scheme="a", arrived=1.0), record(scheme="b", arrived=2.0), record(scheme="a", iteration=1)])
    assert trace.schemes == ("a", "b")
    np.testing.assert_array_equal(trace.arrival_times("a"), [[1.0], [0.5]])
    np.testing.assert_array_equal(trace.arrival_times("b"), [[2.0]])
    with pytest.raises(ParameterError, match="scheme must be one of"):
        trace.unit_times("c")


def test_worker_clock_times_may_be_negative_from_clock_skew():
    skewed = record(started=-0.02, finished=-0.01, arrived=0.01)
    assert Trace([skewed]).records == [skewed]


def test_blank_lines_are_skipped():
    text = "\n" + json.dumps(record()) + "\n\n"
    assert read_trace(io.StringIO(text)).records == [record()]


BAD_RECORDS = [
    (dict(record(), iteration=-1), "'iteration'"),
    (dict(record(), iteration=1.5), "'iteration'"),
    (dict(record(), worker=True), "'worker'"),
    (dict(record(), message="0"), "'message'"),
    (dict(record(), computations=None), "'computations'"),
    (dict(record(), scheme=""), "'scheme'"),
    (dict(record(), scheme=3), "'scheme'"),
    (dict(record(), submitted=0.5), "'submitted'"),
    (dict(record(), arrived=-0.1), "'arrived'"),
    (dict(record(), started=float("-inf")), "'started'"),
    (dict(record(), finished="late"), "'finished'"),
    (dict(record(), arrived=float("inf")), "'arrived'"),
    (dict(record(), arrived=float("nan")), "'arrived'"),
    (dict(record(), status="done"), "'status'"),
    (dict(record(), arrived=None), "'arrived'"),
    (record(arrived=0.3, status="cancelled"), "'arrived'"),
    (dict(record(), extra=1), "'extra'"),
    ({key: value for key, value in record().items() if key != "status"}, "'status'"),
]


@pytest.mark.parametrize(("bad", "field"), BAD_RECORDS)
def test_a_malformed_line_raises_parameter_error_naming_line_and_field(bad, field):
    text = json.dumps(record(worker=1)) + "\n\n" + json.dumps(bad) + "\n"
    with pytest.raises(ParameterError, match=f"^line 3: field {field}"):
        read_trace(io.StringIO(text))


@pytest.mark.parametrize(("text", "match"), [
    ("{not json}\n", "line 1: not a JSON object"),
    ("[1, 2]\n", "line 1: a trace record must be a JSON object"),
    ('"scheme"\n', "line 1: a trace record must be a JSON object"),
])
def test_a_line_that_is_not_a_record_is_named(text, match):
    with pytest.raises(ParameterError, match=match):
        read_trace(io.StringIO(text))


def test_a_line_that_is_not_utf8_is_named():
    data = json.dumps(record()).encode() + b"\n\xff\xfe\n"
    with pytest.raises(ParameterError, match="line 2: not UTF-8"):
        read_trace(io.BytesIO(data))


def test_a_repeated_message_is_refused_naming_both_lines():
    text = "".join(json.dumps(r) + "\n" for r in (record(), record(worker=1), record(arrived=0.7)))
    with pytest.raises(ParameterError, match="line 3: field 'message'.* already recorded at line 1"):
        read_trace(io.StringIO(text))


@pytest.mark.parametrize("field", ["worker", "computations"])
def test_a_message_whose_sender_or_load_changes_is_refused(field):
    changed = {"worker": 1, "computations": 2}[field]
    text = "".join(json.dumps(r) + "\n" for r in (record(), record(iteration=1, message=0, **{field: changed})))
    with pytest.raises(ParameterError, match=f"line 2: field '{field}' .* is {changed}, but line 1 gives"):
        read_trace(io.StringIO(text))


def test_a_worker_without_a_computation_has_no_unit_time():
    trace = Trace([record(computations=0)])
    with pytest.raises(ParameterError, match="worker 0 has no recorded message with computations >= 1"):
        trace.unit_times("s")


def test_write_refuses_a_bad_record_and_leaves_the_file_unchanged(tmp_path):
    path = tmp_path / "trace.jsonl"
    write_trace(path, [record()])
    before = path.read_text(encoding="utf-8")
    with pytest.raises(ParameterError, match="record 1: field 'status'"):
        write_trace(path, [record(worker=1), record(worker=2, status="ok")], append=True)
    assert path.read_text(encoding="utf-8") == before


@pytest.mark.parametrize(("call", "match"), [
    (lambda path: write_trace(path, record()), "records must be an iterable of dicts"),
    (lambda path: write_trace(path, 3), "records must be an iterable"),
    (lambda path: write_trace(path, [record()], append="yes"), "append"),
    (lambda path: write_trace(3.5, [record()]), "path_or_file"),
    (lambda path: write_trace(path / "missing" / "t.jsonl", [record()]), "cannot write the trace file"),
    (lambda path: read_trace(path / "missing.jsonl"), "cannot read the trace file"),
    (lambda path: read_trace(None), "path_or_file"),
])
def test_bad_arguments_raise_named_errors(tmp_path, call, match):
    with pytest.raises(ParameterError, match=match):
        call(tmp_path)
