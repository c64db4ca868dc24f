"""The Dask backend: coded gradient descent on a (local) Dask cluster."""

import numpy as np
import pytest

from codedml.codes import CyclicRepetition, FractionalRepetition, IgnoreStragglers, UncodedScheme
from codedml.dist import coded_gradient_descent, connect
from codedml.dist.experiment import emulated_delays
from codedml.errors import CodedMLError, NotDecodableError, ParameterError, ShapeError
from codedml.learn.models import SoftmaxRegression, partition_data


@pytest.fixture(scope="module")
def client():
    client = connect(n_workers=4, processes=False)
    yield client
    client.close()
    client.cluster.close()


@pytest.fixture(scope="module")
def problem():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(120, 5))
    labels = rng.integers(0, 3, 120)
    data = partition_data(features, labels, 4, rng)
    return SoftmaxRegression(5, 3), data


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
    delays[:, 1] = 10.0  # the run would take 30 s if the master waited
    run = coded_gradient_descent(client, CyclicRepetition(4, 1, seed=0), model, data, 3, 0.5, delays=delays, seed=0)
    assert np.all(run.messages_used == 3) and run.wall_seconds.max() < 10.0


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
    assert not client.cluster.scheduler.extensions["events"]._events


def test_bad_inputs_and_non_finite_gradients_are_named(client, problem):
    model, data = problem
    with pytest.raises(ParameterError, match="approximate"):
        coded_gradient_descent(client, IgnoreStragglers(4, 1), model, data, 1, 0.5)
    with pytest.raises(ShapeError, match="partitions"):
        coded_gradient_descent(client, UncodedScheme(5), model, data, 1, 0.5)
    with pytest.raises(ShapeError, match="delays"):
        coded_gradient_descent(client, UncodedScheme(4), model, data, 2, 0.5, delays=np.zeros((1, 4)))
    with pytest.raises(CodedMLError, match="NaN|finite"):
        coded_gradient_descent(client, UncodedScheme(4), _NaNModel(5, 3), data, 1, 0.5, seed=0)


def test_emulated_delays_hit_the_requested_number_of_workers():
    delays = emulated_delays(50, 6, 2, 0.3, np.random.default_rng(0))
    assert np.all((delays > 0).sum(axis=1) == 2) and set(np.unique(delays)) == {0.0, 0.3}


def test_cli_distributed_prints_every_scheme_with_equal_losses(capsys):
    from codedml.cli import main

    assert main(["distributed", "--iterations", "2", "--delay", "0.05", "-n", "4", "-s", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    losses = {line.split()[0]: float(line.split()[-1]) for line in lines[2:]}
    assert set(losses) == {"uncoded", "cyclic", "fractional"} and len(set(np.round(list(losses.values()), 9))) == 1


def test_worker_processes_run_the_pickled_tasks_and_honour_the_stop_event(problem):
    model, data = problem
    delays = np.zeros((2, 4))
    delays[:, 0] = 10.0
    client = connect(n_workers=2, threads_per_worker=2, processes=True)
    try:
        run = coded_gradient_descent(client, CyclicRepetition(4, 1, seed=0), model, data, 2, 0.5, delays=delays,
                                     seed=0)
    finally:
        client.close()
        client.cluster.close()
    assert np.all(run.messages_used == 3) and run.wall_seconds.max() < 10.0
