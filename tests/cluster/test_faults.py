"""Lost workers on a LocalCluster of 6 worker processes (nanny-restarted): erasures, re-placement, replacements."""

import numpy as np
import pytest

from codedml.cluster import coded_gradient_descent, live_workers
from codedml.codes import CPGC, CyclicRepetition
from tests.cluster.local import local_client, softmax_problem

ITERATIONS = 6


@pytest.fixture(scope="module")
def client():
    with local_client(6, processes=True) as client:
        yield client


@pytest.fixture(scope="module")
def problem():
    model, data, start = softmax_problem(6)
    parameters = start
    for _ in range(ITERATIONS):
        parameters = parameters - 0.5 * model.partition_gradients(parameters, data).sum(axis=0)
    return model, data, start, parameters


def whole(client):
    client.wait_for_workers(6, timeout=120)  # the nannies restart killed workers; the bound only ends a broken run
    return live_workers(client)


@pytest.mark.parametrize("faults", [{1: [0]}, {2: [3], 4: [5]}, {2: [0, 1, 4]}],
                         ids=["one-victim", "two-victims-two-iterations", "more-than-s-at-once"])
def test_killed_workers_are_erasures_and_the_run_equals_centralised_descent(client, problem, faults):
    model, data, start, expected = problem
    whole(client)
    run = coded_gradient_descent(client, CyclicRepetition(6, 2, seed=0), model, data, ITERATIONS, 0.5,
                                 delays=np.full((ITERATIONS, 6), 0.02), faults=faults, initial_parameters=start)
    np.testing.assert_allclose(run.parameters, expected, rtol=1e-8, atol=1e-10)
    for iteration, victims in faults.items():
        # coded worker w was placed on Dask worker w (round robin over 6), so the victims' coded workers are lost
        assert set(run.lost[iteration]) <= set(victims) and run.lost[iteration], (iteration, run.lost)
    assert all(not lost for t, lost in enumerate(run.lost) if t not in faults)  # re-placed: nothing lost later


def test_a_multi_message_code_survives_a_killed_worker(client, problem):
    model, data, start, expected = problem
    whole(client)
    run = coded_gradient_descent(client, CPGC(6, 2, seed=0), model, data, ITERATIONS, 0.5,
                                 delays=np.full((ITERATIONS, 6), 0.02), faults={1: [2]}, initial_parameters=start)
    np.testing.assert_allclose(run.parameters, expected, rtol=1e-8, atol=1e-10)
    assert run.lost[1] and all(not lost for t, lost in enumerate(run.lost) if t != 1)


def test_worker_processes_stop_waiting_once_the_master_decoded(client, problem):
    model, data, start, expected = problem
    whole(client)
    delays = np.zeros((ITERATIONS, 6))
    delays[:, 0] = 1e6  # only the stop event ends worker 0's waits
    run = coded_gradient_descent(client, CyclicRepetition(6, 2, seed=0), model, data, ITERATIONS, 0.5,
                                 delays=delays, initial_parameters=start)
    np.testing.assert_allclose(run.parameters, expected, rtol=1e-8, atol=1e-10)
    assert {r["status"] for r in run.records if r["worker"] == 0} == {"cancelled"}
