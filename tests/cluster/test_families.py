"""Every code family on a thread LocalCluster: multi-message, GF(p) fixed-point, approximate with a deadline; traces."""

import numpy as np
import pytest

from codedml.cluster import coded_gradient_descent
from codedml.codes import CPGC, GCMMC, CyclicRepetition, OptimallyStructuredGC, PolynomialGC, UncodedMMC
from codedml.errors import ParameterError
from codedml.sim.traces import TRACE_FIELDS, read_trace
from tests.cluster.local import local_client, softmax_problem


@pytest.fixture(scope="module")
def client():
    with local_client(4, processes=False) as client:
        yield client


@pytest.fixture(scope="module")
def problem():
    return softmax_problem(4)


def centralised_descent(model, data, iterations, learning_rate, parameters, rounding=None):
    for _ in range(iterations):
        partials = model.partition_gradients(parameters, data)
        if rounding is not None:
            partials = np.round(partials * rounding) / rounding
        parameters = parameters - learning_rate * partials.sum(axis=0)
    return parameters


@pytest.mark.parametrize("code", [UncodedMMC(4, 1, target="sum"), CPGC(4, 2, seed=0),
                                  GCMMC.correlated(4, 2, 1, seed=0)], ids=["uc-mmc", "cpgc", "gc-mmc"])
def test_a_multi_message_code_takes_the_centralised_steps_from_its_first_decodable_messages(client, problem, code):
    model, data, start = problem
    delays = np.full((3, 4), 0.01)
    delays[:, 3] = 0.3  # the last worker is slow: its later messages are not needed
    run = coded_gradient_descent(client, code, model, data, 3, 0.5, delays=delays, initial_parameters=start)
    np.testing.assert_allclose(run.parameters, centralised_descent(model, data, 3, 0.5, start), rtol=1e-9, atol=1e-12)
    assert len(run.records) == 3 * code.n_messages
    used = [[r["message"] for r in run.records if r["iteration"] == t and r["status"] == "used"] for t in range(3)]
    assert all(code.is_decodable(ids) for ids in used) and list(run.messages_used) == [len(ids) for ids in used]


def test_partial_recovery_steps_with_the_sum_over_the_covered_partitions(client, problem):
    model, data, start = problem
    code = CPGC(4, 2, seed=0)
    delays = np.zeros((1, 4))
    delays[0, 1] = np.inf  # a worker that never answers: at tolerance 1/4 the master needs 3 of 4 partitions
    run = coded_gradient_descent(client, code, model, data, 1, 0.5, delays=delays, tolerance=0.25,
                                 initial_parameters=start)
    used = [r["message"] for r in run.records if r["status"] == "used"]
    assert code.is_decodable(used, required=3)
    partial = code.decode_partial(used, code.encode(model.partition_gradients(start, data)), required=3)
    np.testing.assert_allclose(run.parameters, start - 0.5 * partial.value.sum(axis=0), rtol=1e-9, atol=1e-12)


def test_a_field_code_takes_the_exact_fixed_point_steps(client, problem):
    model, data, start = problem
    code = PolynomialGC(4, 1, field="gfp")
    delays = np.zeros((3, 4))
    delays[:, 1] = np.inf
    run = coded_gradient_descent(client, code, model, data, 3, 0.5, delays=delays, initial_parameters=start)
    expected = centralised_descent(model, data, 3, 0.5, start, rounding=code.quantizer.scale)
    np.testing.assert_allclose(run.parameters, expected, rtol=1e-12, atol=1e-15)
    assert np.all(run.messages_used == 3) and run.lost == [(), (), ()]


def test_an_approximate_code_decodes_what_arrived_by_the_deadline(client, problem):
    model, data, start = problem
    code = OptimallyStructuredGC([0.2, 0.3, 0.2, 0.3])
    delays = np.zeros((1, 4))
    delays[0, 2] = np.inf  # never answers: the master decodes without it at the deadline
    run = coded_gradient_descent(client, code, model, data, 1, 0.5, delays=delays, deadline=0.5,
                                 initial_parameters=start)
    used = [r["message"] for r in run.records if r["status"] == "used"]
    assert 2 not in used and run.messages_used[0] == len(used)
    messages = code.encode(model.partition_gradients(start, data))
    estimate = code.decode(used, messages[used]) if used else np.zeros(start.size)
    np.testing.assert_allclose(run.parameters, start - 0.5 * estimate, rtol=1e-9, atol=1e-12)


def test_quantised_approximate_messages_travel_in_the_wire_format(client, problem):
    model, data, start = problem
    code = OptimallyStructuredGC([0.2, 0.3, 0.2, 0.3], bits=[8, 8, 0, 8], omega_scale=18 / 4)
    run = coded_gradient_descent(client, code, model, data, 3, 0.5, deadline=1.0, bits=[8, 8, 0, 8],
                                 initial_parameters=start, seed=0)
    assert {r["status"] for r in run.records if r["worker"] == 2} == {"cancelled"}  # 0 bits: it sends nothing
    assert np.all(np.isfinite(run.loss)) and run.loss[-1] < run.loss[0]


def test_the_trace_file_holds_one_record_per_iteration_and_message(client, problem, tmp_path):
    model, data, start = problem
    path = tmp_path / "run.jsonl"
    delays = np.full((2, 4), 0.01)
    delays[:, 0] = np.inf
    coded_gradient_descent(client, CyclicRepetition(4, 1, seed=0), model, data, 2, 0.5, delays=delays,
                           initial_parameters=start, trace=path, scheme_name="cyclic")
    coded_gradient_descent(client, CPGC(4, 2, seed=0), model, data, 2, 0.5, initial_parameters=start, trace=path,
                           scheme_name="cpgc")
    trace = read_trace(path)
    assert sorted(trace.schemes) == ["cpgc", "cyclic"] and len(trace.records) == 2 * 4 + 2 * 8
    assert all(set(r) == set(TRACE_FIELDS) for r in trace.records)
    cyclic = [r for r in trace.records if r["scheme"] == "cyclic"]
    assert {r["status"] for r in cyclic if r["worker"] == 0} == {"cancelled"}
    assert all(r["started"] <= r["finished"] <= r["arrived"] for r in cyclic if r["status"] == "used")
    assert np.all(np.isinf(trace.arrival_times("cyclic")[:, 0]))


@pytest.mark.parametrize("arguments, match", [
    ({"code": CyclicRepetition(4, 1), "tolerance": 0.25}, "tolerance"),
    ({"code": CPGC(4, 2, seed=0), "tolerance": 1.0}, "tolerance"),
    ({"code": CPGC(4, 2, seed=0), "deadline": 1.0}, "deadline"),
    ({"code": CyclicRepetition(4, 1), "bits": [8] * 4}, "bits"),
    ({"code": OptimallyStructuredGC([0.2] * 4), "deadline": 0.0}, "deadline"),
    ({"code": OptimallyStructuredGC([0.2] * 4), "deadline": 1.0, "bits": [8, 1, 8, 8]}, "bits"),
    ({"code": CyclicRepetition(4, 1), "replacement_timeout": -1}, "replacement_timeout"),
    ({"code": CyclicRepetition(4, 1), "trace": 3}, "trace"),
    ({"code": CyclicRepetition(4, 1), "scheme_name": ""}, "scheme_name"),
    ({"code": CyclicRepetition(4, 1), "faults": [0]}, "faults"),
    ({"code": CyclicRepetition(4, 1), "faults": {2: [0]}}, "faults iteration"),
    ({"code": CyclicRepetition(4, 1), "faults": {0: [9]}}, "faults"),
    ({"code": CyclicRepetition(4, 1), "faults": {0: [1, 1]}}, "faults"),
])
def test_options_that_do_not_fit_the_code_or_the_cluster_are_refused(client, problem, arguments, match):
    model, data, start = problem
    call = {"initial_parameters": start} | arguments
    with pytest.raises(ParameterError, match=match):
        coded_gradient_descent(client, call.pop("code"), model, data, 2, 0.5, **call)
