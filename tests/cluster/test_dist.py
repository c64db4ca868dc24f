"""The Dask backend on a thread LocalCluster: exact steps, stragglers, stop events, bad input."""

import time

import numpy as np
import pytest

from codedml.cluster import coded_gradient_descent, connect
from codedml.cluster.tasks import RealRows, compute_and_send
from codedml.codes import CyclicRepetition, FractionalRepetition, IgnoreStragglers, UncodedScheme
from codedml.errors import ClusterError, CodedMLError, NotDecodableError, ParameterError, ShapeError
from codedml.learn.models import SoftmaxRegression
from tests.cluster.local import local_client, softmax_problem


@pytest.fixture(scope="module")
def client():
    with local_client(4, processes=False) as client:
        yield client


@pytest.fixture(scope="module")
def problem():
    model, data, _ = softmax_problem(4)
    return model, data


def centralised_descent(model, data, iterations, learning_rate, parameters):
    for _ in range(iterations):
        parameters = parameters - learning_rate * model.partition_gradients(parameters, data).sum(axis=0)
    return parameters


@pytest.mark.parametrize("code", [UncodedScheme(4), CyclicRepetition(4, 1, seed=0), FractionalRepetition(4, 1)],
                         ids=["uncoded", "cyclic", "fractional"])
def test_coded_descent_on_a_cluster_takes_the_centralised_steps(client, problem, code):
    model, data = problem
    start = model.initial_parameters(np.random.default_rng(1))
    run = coded_gradient_descent(client, code, model, data, 5, 0.5, initial_parameters=start)
    np.testing.assert_allclose(run.parameters, centralised_descent(model, data, 5, 0.5, start), rtol=1e-9, atol=1e-12)
    assert run.loss[-1] < run.loss[0] and run.loss[0] == pytest.approx(model.loss(start, data))


def test_master_decodes_without_a_worker_that_never_answers(client, problem):
    model, data = problem
    delays = np.zeros((3, 4))
    delays[:, 2] = np.inf
    run = coded_gradient_descent(client, CyclicRepetition(4, 1, seed=0), model, data, 3, 0.5, delays=delays, seed=0)
    assert np.all(run.messages_used == 3)
    with pytest.raises(NotDecodableError):
        coded_gradient_descent(client, UncodedScheme(4), model, data, 3, 0.5, delays=delays, seed=0)


def test_master_stops_waiting_for_a_delayed_worker_once_it_can_decode(client, problem):
    model, data = problem
    delays = np.zeros((3, 4))
    delays[:, 1] = 1e6  # the run would not end if the master waited for worker 1
    start = model.initial_parameters(np.random.default_rng(1))
    run = coded_gradient_descent(client, CyclicRepetition(4, 1, seed=0), model, data, 3, 0.5, delays=delays,
                                 initial_parameters=start)
    assert np.all(run.messages_used == 3)  # decoded from the three others, not waiting for the fourth
    np.testing.assert_allclose(run.parameters, centralised_descent(model, data, 3, 0.5, start), rtol=1e-9, atol=1e-12)


def test_a_delayed_task_returns_nothing_once_its_stop_event_is_set(client, problem):
    from distributed import Event

    model, data = problem
    parameters = model.initial_parameters(np.random.default_rng(0))
    event = Event("codedml-test-stop", client=client)
    future = client.submit(compute_and_send, model, parameters, data, RealRows(np.ones((1, data.n_partitions)), True),
                           1e6, "codedml-test-stop", pure=False)
    event.set()
    try:
        # only the event can end a wait of 1e6 s; the timeout merely bounds a broken run
        assert future.result(timeout=600).payload is None
        undelayed = client.submit(compute_and_send, model, parameters, data,
                                  RealRows(np.ones((1, data.n_partitions)), True), 0.0, "codedml-test-stop", pure=False)
        np.testing.assert_allclose(undelayed.result().payload, model.partition_gradients(parameters, data).sum(axis=0))
    finally:
        event.clear()


def test_a_scheduler_address_connects_to_a_running_cluster(client, problem):
    model, data = problem
    other = connect(client.scheduler.address)
    try:
        run = coded_gradient_descent(other, FractionalRepetition(4, 1), model, data, 2, 0.5, seed=0)
        assert run.loss.shape == (3,)
    finally:
        other.close()


class _NaNModel(SoftmaxRegression):
    def partition_gradients(self, parameters, data):
        return np.full((data.n_partitions, parameters.size), np.nan)


def test_a_run_leaves_no_stop_events_on_the_scheduler(client, problem):
    model, data = problem
    delays = np.zeros((4, 4))
    delays[:, 3] = 5.0
    coded_gradient_descent(client, CyclicRepetition(4, 1, seed=0), model, data, 4, 0.5, delays=delays, seed=0)
    # the scheduler drops a cleared event when its last waiter leaves, asynchronously (a delayed task that had
    # not started waiting yet waits out its 5 s); poll for that, the bound only keeps a broken run finite
    events = client.cluster.scheduler.extensions["events"]._events
    for _ in range(600):
        if not events:
            break
        time.sleep(0.1)
    assert not events


def test_bad_inputs_and_non_finite_gradients_are_named(client, problem):
    model, data = problem
    with pytest.raises(ParameterError, match="approximate.*deadline"):
        coded_gradient_descent(client, IgnoreStragglers(4, 1), model, data, 1, 0.5)
    with pytest.raises(ParameterError, match="deadline"):
        coded_gradient_descent(client, UncodedScheme(4), model, data, 1, 0.5, deadline=1.0)
    with pytest.raises(ShapeError, match="partitions"):
        coded_gradient_descent(client, UncodedScheme(5), model, data, 1, 0.5)
    with pytest.raises(ShapeError, match="delays"):
        coded_gradient_descent(client, UncodedScheme(4), model, data, 2, 0.5, delays=np.zeros((1, 4)))
    with pytest.raises(CodedMLError, match="NaN|finite"):
        coded_gradient_descent(client, UncodedScheme(4), _NaNModel(5, 3), data, 1, 0.5, seed=0)


@pytest.mark.parametrize("address", ["foo", "tcp://", "tcp://localhost:notaport", "http://localhost:8786",
                                     "tcp://localhost:99999", "inproc://x", "", 8786])
def test_a_malformed_scheduler_address_is_a_parameter_error(address):
    with pytest.raises(ParameterError, match="scheduler_address"):
        connect(address)


def test_an_unreachable_scheduler_is_a_cluster_error_naming_the_address():
    with pytest.raises(ClusterError, match="127.0.0.1:1"):
        connect("tcp://127.0.0.1:1", timeout=0.5)


@pytest.mark.parametrize("options, match", [
    ({"timeout": 0}, "timeout"), ({"timeout": float("nan")}, "timeout"), ({"n_workers": 0}, "n_workers"),
    ({"threads_per_worker": 1.5}, "threads_per_worker"), ({"processes": "yes"}, "processes")])
def test_connect_refuses_bad_options(options, match):
    with pytest.raises(ParameterError, match=match):
        connect(**options)


@pytest.mark.parametrize("arguments, error, match", [
    ({"iterations": 0}, ParameterError, "iterations"),
    ({"iterations": 2.5}, ParameterError, "iterations"),
    ({"iterations": None}, ParameterError, "iterations"),
    ({"iterations": True}, ParameterError, "iterations"),
    ({"learning_rate": 0.0}, ParameterError, "learning_rate"),
    ({"learning_rate": float("nan")}, ParameterError, "learning_rate"),
    ({"learning_rate": "0.5"}, ParameterError, "learning_rate"),
    ({"delays": np.full((2, 4), np.nan)}, ParameterError, "delays"),
    ({"delays": -np.ones((2, 4))}, ParameterError, "delays"),
    ({"delays": np.zeros((2, 4), dtype=complex)}, ParameterError, "delays"),
    ({"delays": np.zeros(8)}, ShapeError, "delays"),
    ({"delays": "soon"}, ParameterError, "delays"),
    ({"initial_parameters": np.zeros(3)}, ShapeError, "parameters"),
    ({"initial_parameters": np.full(18, np.inf)}, CodedMLError, "initial_parameters"),
    ({"seed": -1}, ParameterError, "seed"),
    ({"seed": "x"}, ParameterError, "seed"),
    ({"code": "cyclic"}, ParameterError, "code"),
    ({"data": np.zeros((4, 3))}, ParameterError, "data"),
    ({"model": object()}, ParameterError, "model"),
])
def test_bad_arguments_of_coded_descent_are_refused_before_any_task(client, problem, arguments, error, match):
    model, data = problem
    call = {"code": UncodedScheme(4), "model": model, "data": data, "iterations": 2, "learning_rate": 0.5} | arguments
    with pytest.raises(error, match=match):
        coded_gradient_descent(client, call.pop("code"), call.pop("model"), call.pop("data"), **call)


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:8786", None])
def test_any_failure_of_dasks_start_is_a_cluster_error_naming_the_cause(monkeypatch, address):
    import distributed

    def failing_start(*args, **kwargs):
        raise AssertionError("the IO loop did not start")

    monkeypatch.setattr(distributed, "Client", failing_start)
    monkeypatch.setattr(distributed, "LocalCluster", failing_start)
    with pytest.raises(ClusterError, match="AssertionError: the IO loop did not start"):
        connect(address, n_workers=1, processes=False)


def test_no_garbage_collection_runs_while_dask_starts_a_client(monkeypatch):
    import gc

    import distributed

    seen = []

    def recording_start(*args, **kwargs):
        seen.append(gc.isenabled())  # a collection here could run a garbage Client's close under Dask's lock
        return "client"

    monkeypatch.setattr(distributed, "Client", recording_start)
    assert connect("tcp://127.0.0.1:8786") == "client"
    assert seen == [False] and gc.isenabled()
