"""A cluster started with Dask's own ``dask scheduler`` and ``dask worker`` commands on 127.0.0.1 (no nanny)."""

import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from codedml.cluster import coded_gradient_descent, connect
from codedml.codes import CyclicRepetition
from codedml.errors import NotDecodableError
from tests.cluster.local import softmax_problem

DASK = str(Path(sys.executable).with_name("dask"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def address():
    address = f"tcp://127.0.0.1:{free_port()}"
    port = address.rsplit(":", 1)[1]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    processes = [subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port", port,
                                   "--dashboard-address", ":0"], **quiet)]
    try:
        processes += [subprocess.Popen([DASK, "worker", address, "--nthreads", "1", "--no-nanny", "--host",
                                        "127.0.0.1", "--no-dashboard"], **quiet) for _ in range(3)]
        yield address
    finally:
        for process in reversed(processes):
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def client(address):
    client = connect(address, timeout=60)  # the bound only ends a broken start
    client.wait_for_workers(3, timeout=120)
    yield client
    client.close()


@pytest.fixture(scope="module")
def problem():
    return softmax_problem(3, n_samples=60, n_features=4, n_classes=2)


def test_coded_descent_runs_through_the_scheduler_address(client, problem):
    model, data, start = problem
    run = coded_gradient_descent(client, CyclicRepetition(3, 1, seed=0), model, data, 4, 0.5, initial_parameters=start)
    parameters = start
    for _ in range(4):
        parameters = parameters - 0.5 * model.partition_gradients(parameters, data).sum(axis=0)
    np.testing.assert_allclose(run.parameters, parameters, rtol=1e-9, atol=1e-12)


def test_losing_every_worker_without_a_nanny_is_a_named_not_decodable_error(client, problem):
    model, data, start = problem  # runs last: it kills the module's workers for good
    delays = np.full((3, 3), 0.05)
    with pytest.raises(NotDecodableError, match=r"iteration 1: \d messages answered, the code needs 2") as error:
        coded_gradient_descent(client, CyclicRepetition(3, 1, seed=0), model, data, 3, 0.5, delays=delays,
                               faults={1: [0, 1, 2]}, replacement_timeout=1.0, initial_parameters=start)
    assert error.value.needed == 2 and error.value.received < 2
