"""Coded gradient descent on a Dask distributed cluster: the master decodes from the first workers that answer.

Each coded worker ``w`` of a :class:`~codedml.codes.GradientCode` holds the data partitions its row of
the encoding matrix ``B`` touches (scattered to the cluster once). Every iteration the master submits
one task per coded worker; the task computes the partition gradients ``g_j(theta)`` of its shard with
the model and returns its message ``sum_j B[w, j] g_j``. The master takes results as they complete
(``distributed.as_completed``) and stops at the first set the code can decode
(:meth:`~codedml.codes.GradientCode.is_decodable`), decodes the gradient sum, checks it is finite, takes
the gradient step, and signals the iteration's ``distributed.Event`` so that emulated stragglers stop
waiting; queued tasks of the iteration are cancelled.

Stragglers: on a real cluster they are whatever is slow. For experiments on one machine,
``delays[t, w]`` seconds are waited by worker ``w``'s task of iteration ``t`` before it answers
(interrupted as soon as the master has decoded that iteration), e.g. drawn from a straggler model.

:func:`connect` starts the embedded default, a ``LocalCluster``, or connects to a scheduler address.
Workers of a real cluster need codedml installed (tasks are pickled by reference to this module).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from codedml.codes.base import GradientCode, check_finite
from codedml.errors import NotDecodableError, ParameterError, ShapeError
from codedml.learn.models import PartitionedData


def connect(scheduler_address: str | None = None, n_workers: int = 2, threads_per_worker: int = 1,
            processes: bool = True):
    """A ``distributed.Client``: to ``scheduler_address``, or to a new ``LocalCluster`` of ``n_workers``.

    Close the client first, then a local cluster (``client.close(); client.cluster.close()``): closing the
    cluster under a live client makes the scheduler log the loss of data the client still holds.
    """
    from distributed import Client, LocalCluster

    if scheduler_address is not None:
        return Client(scheduler_address)
    cluster = LocalCluster(n_workers=n_workers, threads_per_worker=threads_per_worker, processes=processes,
                           dashboard_address=":0")
    return Client(cluster)


@dataclass
class DistributedRun:
    """Curves of one run, one entry per iteration.

    Attributes
    ----------
    loss : ndarray, shape (iterations + 1,)
        Training loss before each iteration and after the last (computed on the master).
    wall_seconds : ndarray, shape (iterations,)
        Wall-clock time from submitting an iteration's tasks to having its gradient.
    messages_used : ndarray of int64, shape (iterations,)
        Messages received when the code could decode.
    parameters : ndarray
        The final parameters.
    """

    loss: np.ndarray
    wall_seconds: np.ndarray
    messages_used: np.ndarray
    parameters: np.ndarray


def worker_message(model, parameters: np.ndarray, shard: PartitionedData, coefficients: np.ndarray,
                   delay: float, done_event: str) -> np.ndarray | None:
    """One coded worker's message ``sum_j B[w, j] g_j(theta)``, after an emulated delay.

    Returns ``None`` when the master signalled ``done_event`` (it decoded without this worker)
    during the delay.
    """
    if delay > 0:
        from distributed import Event

        if Event(done_event).wait(timeout=delay):
            return None
    return coefficients @ model.partition_gradients(parameters, shard)


def coded_gradient_descent(client, code: GradientCode, model, data: PartitionedData, iterations: int,
                           learning_rate: float, delays: np.ndarray | None = None,
                           initial_parameters: np.ndarray | None = None, seed=None) -> DistributedRun:
    """Run gradient descent with an exact gradient code on the cluster behind ``client``.

    Parameters
    ----------
    client : distributed.Client
        From :func:`connect` (or any client).
    code : GradientCode
        Exact code with ``code.n_partitions == data.n_partitions``.
    model
        A :mod:`codedml.learn.models` model (``partition_gradients``, ``loss``, ``initial_parameters``).
    data : PartitionedData
        The training data in ``k`` partitions.
    iterations : int
    learning_rate : float
        Step size ``eta``: ``theta <- theta - eta sum_j g_j``.
    delays : ndarray, shape (iterations, code.n_workers), optional
        Seconds worker ``w`` waits before answering in iteration ``t`` (``inf``: never answers).
    initial_parameters : ndarray, optional
        Defaults to ``model.initial_parameters(rng)``.
    seed : int or numpy.random.Generator, optional
        For the initial parameters.

    Returns
    -------
    DistributedRun

    Raises
    ------
    NotDecodableError
        If every worker answered (or was never going to) and the code still cannot decode.
    """
    from distributed import Event

    if not code.exact:
        raise ParameterError(f"{type(code).__name__} is approximate; coded gradient descent needs an exact code")
    if code.n_partitions != data.n_partitions:
        raise ShapeError(f"the code has {code.n_partitions} partitions, the data {data.n_partitions}")
    if int(iterations) != iterations or iterations < 1 or not learning_rate > 0:
        raise ParameterError(f"iterations must be a positive integer and learning_rate positive, got "
                             f"{iterations!r}, {learning_rate!r}")
    n_workers = code.n_workers
    delays = np.zeros((iterations, n_workers)) if delays is None else np.asarray(delays, dtype=np.float64)
    if delays.shape != (iterations, n_workers) or np.any(np.isnan(delays)) or np.any(delays < 0):
        raise ShapeError(f"delays must be non-negative, shape ({iterations}, {n_workers}); got {delays.shape}")
    parameters = (model.initial_parameters(np.random.default_rng(seed)) if initial_parameters is None
                  else np.array(initial_parameters, dtype=np.float64))
    matrix = code.encoding_matrix
    matrix = matrix.toarray() if hasattr(matrix, "toarray") else np.asarray(matrix)
    held = [np.flatnonzero(row) for row in code.assignment]
    shards = client.scatter([PartitionedData(data.features[j], data.targets[j], data.weights[j]) for j in held],
                            hash=False)
    model_future = client.scatter(model, broadcast=True, hash=False)
    run_id = f"codedml-{time.time_ns()}"
    loss = np.empty(iterations + 1)
    wall = np.empty(iterations)
    used = np.empty(iterations, dtype=np.int64)
    loss[0] = model.loss(parameters, data)
    stop_events = []
    try:
        for step in range(iterations):
            started = time.perf_counter()
            event_name = f"{run_id}-{step}"
            futures = {}
            for worker in range(n_workers):
                if np.isfinite(delays[step, worker]):
                    future = client.submit(worker_message, model_future, parameters, shards[worker],
                                           matrix[worker, held[worker]], float(delays[step, worker]), event_name,
                                           pure=False)
                    futures[future] = worker
            received, messages = _first_decodable_answers(code, futures)
            stop_events.append(Event(event_name, client=client))
            stop_events[-1].set()
            client.cancel([future for future in futures if not future.done()])
            if not code.is_decodable(received):
                raise NotDecodableError(f"iteration {step}: all {len(received)} answering workers cannot decode",
                                        received=len(received), needed=code.recovery_threshold)
            order = sorted(received)
            gradient = code.decode(order, np.stack([messages[worker] for worker in order]))
            check_finite(gradient, f"the decoded gradient of iteration {step}")
            parameters = parameters - learning_rate * gradient
            wall[step] = time.perf_counter() - started
            used[step] = len(received)
            loss[step + 1] = model.loss(parameters, data)
    finally:
        for event in stop_events:
            event.clear()  # removes it from the scheduler once no task waits on it
        client.cancel([*shards, model_future])  # release the scattered data
    return DistributedRun(loss, wall, used, parameters)


def _first_decodable_answers(code: GradientCode, futures: dict) -> tuple[list[int], dict]:
    """Results in completion order until ``code`` can decode (or every future is done).

    ``futures`` maps each submitted future to its coded worker; returns the answering workers and
    their messages.
    """
    from distributed import as_completed

    received, messages = [], {}
    for future in as_completed(list(futures)):
        worker = futures[future]
        received.append(worker)
        messages[worker] = future.result()
        if code.is_decodable(received):
            break
    return received, messages
