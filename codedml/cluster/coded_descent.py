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

from codedml import _validation as validation
from codedml.codes.gradient.base import GradientCode, check_finite
from codedml.errors import ClusterError, NotDecodableError, ParameterError, ShapeError
from codedml.learn.models import PartitionedData

#: Seconds :func:`connect` waits for a scheduler address to answer.
DEFAULT_CONNECT_TIMEOUT = 5.0

#: Address schemes of ``distributed`` whose location is ``host:port``.
HOST_PORT_SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")


def connect(scheduler_address: str | None = None, n_workers: int = 2, threads_per_worker: int = 1,
            processes: bool = True, timeout: float = DEFAULT_CONNECT_TIMEOUT):
    """A ``distributed.Client``: to ``scheduler_address``, or to a new ``LocalCluster`` of ``n_workers``.

    Close the client first, then a local cluster (``client.close(); client.cluster.close()``): closing the
    cluster under a live client makes the scheduler log the loss of data the client still holds.

    Parameters
    ----------
    scheduler_address : str, optional
        ``host:port`` or ``scheme://host:port`` (scheme ``tcp``, ``tls``, ``ws``, ``wss`` or ``ucx``), or
        the ``inproc://`` address of a thread-based ``LocalCluster`` in this process.
    n_workers, threads_per_worker : int
        Size of the local cluster (ignored with an address).
    processes : bool
        Local workers as processes (default) or threads.
    timeout : float
        Seconds to wait for the scheduler at ``scheduler_address``.

    Raises
    ------
    ParameterError
        If ``scheduler_address`` is not an address, or another argument is out of range.
    ClusterError
        If no scheduler answers at ``scheduler_address`` within ``timeout`` seconds.
    """
    from distributed import Client, LocalCluster

    timeout = validation.real(timeout, "timeout", minimum=0.0, open_minimum=True)
    if scheduler_address is not None:
        address = scheduler_address_text(scheduler_address)
        try:
            return Client(address, timeout=timeout)
        except OSError as error:  # includes TimeoutError and refused connections
            raise ClusterError(f"no Dask scheduler answered at {address!r} within {timeout:g} s ({error})") from None
        except ValueError as error:
            raise ParameterError(f"scheduler_address {address!r} is not a Dask address: {error}") from None
    n_workers = validation.integer(n_workers, "n_workers", minimum=1)
    threads_per_worker = validation.integer(threads_per_worker, "threads_per_worker", minimum=1)
    processes = validation.flag(processes, "processes")
    cluster = LocalCluster(n_workers=n_workers, threads_per_worker=threads_per_worker, processes=processes,
                           dashboard_address=":0")
    return Client(cluster)


def scheduler_address_text(address) -> str:
    """``address`` if it is a well-formed scheduler address (``[scheme://]host:port``); else ParameterError."""
    from distributed.comm.addressing import parse_address, parse_host_port

    allowed = (f"'host:port' or 'scheme://host:port' with scheme one of {', '.join(HOST_PORT_SCHEMES)} "
               f"(or the inproc:// address of a LocalCluster in this process)")
    if not isinstance(address, str) or not address.strip():
        raise ParameterError(f"scheduler_address must be {allowed}, got {address!r}")
    try:
        scheme, location = parse_address(address.strip(), strict=False)
        if scheme == "inproc" and location:  # a LocalCluster of threads in this process
            return address.strip()
        if scheme not in HOST_PORT_SCHEMES:
            raise ValueError(f"unknown scheme {scheme!r}")
        host, port = parse_host_port(location)
        if not host or not 1 <= int(port) <= 65535:
            raise ValueError("the host must be non-empty and the port in [1, 65535]")
    except (ValueError, TypeError) as error:
        raise ParameterError(f"scheduler_address must be {allowed}, got {address!r} ({error})") from None
    return address.strip()


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
    ParameterError, ShapeError
        If an argument is out of range or of the wrong shape (checked before anything is submitted).
    NotDecodableError
        If every worker answered (or was never going to) and the code still cannot decode.
    """
    from distributed import Event

    if not isinstance(code, GradientCode):
        raise ParameterError(f"code must be a GradientCode, got {type(code).__name__}")
    if not code.exact:
        raise ParameterError(f"{type(code).__name__} is approximate; coded gradient descent needs an exact code")
    if not isinstance(data, PartitionedData):
        raise ParameterError(f"data must be a PartitionedData, got {type(data).__name__}")
    if code.n_partitions != data.n_partitions:
        raise ShapeError(f"the code has {code.n_partitions} partitions, the data {data.n_partitions}")
    missing = [name for name in ("partition_gradients", "loss", "initial_parameters") if not hasattr(model, name)]
    if missing:
        raise ParameterError(f"model must have {', '.join(missing)} (a codedml.learn.models model), "
                             f"got {type(model).__name__}")
    iterations = validation.integer(iterations, "iterations", minimum=1)
    learning_rate = validation.real(learning_rate, "learning_rate", minimum=0.0, open_minimum=True)
    n_workers = code.n_workers
    validation.array_size(iterations * n_workers, f"the iterations x n_workers delays (iterations={iterations})")
    if delays is None:
        delays = np.zeros((iterations, n_workers))
    else:
        delays = validation.real_array(delays, "delays", shape=(iterations, n_workers), finite=False)
        if np.any(np.isnan(delays)) or np.any(delays < 0):
            raise ParameterError("delays must be >= 0 seconds (inf: the worker never answers); got NaN or a "
                                 "negative value")
    if initial_parameters is None:
        parameters = model.initial_parameters(validation.rng(seed))
    else:
        parameters = validation.real_array(initial_parameters, "initial_parameters", ndim=1).copy()
    matrix = code.encoding_matrix.toarray()
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
