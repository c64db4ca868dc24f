"""Coded gradient descent on a Dask cluster that survives lost workers, for every code family.

The master holds the data and places each coded worker's partitions on one Dask worker
(:class:`~codedml.cluster.placement.Placement`). Every iteration it submits the coded workers'
tasks (:class:`~codedml.cluster.rounds.Round`), takes messages as they arrive and stops at the first
set the code can decode (for an approximate code: at the deadline), decodes the gradient sum, checks
it is finite and takes the step ``theta <- theta - eta g``. A lost task or Dask worker is an erasure:
the run goes on while the survivors decode, and the lost coded workers are placed again on a
replacement before the next iteration. When the survivors cannot decode, the lost coded workers'
tasks are submitted again on replacements for up to ``replacement_timeout`` seconds; then a
:class:`~codedml.errors.NotDecodableError` names the iteration, the messages that answered and
those needed. Nothing is ever waited for without a bound except an emulated delay the caller chose.

Stragglers: on a real cluster they are whatever is slow. For experiments on one machine,
``delays[t, w]`` is the emulated *unit time* of coded worker ``w`` in iteration ``t``: its message
``m`` is sent ``message_steps[m] * delays[t, w]`` seconds after its computation starts (interrupted as
soon as the master has decoded), e.g. drawn from a straggler model of :mod:`codedml.sim`.

Every message of every iteration is a trace record (:mod:`codedml.sim.traces`), kept in
:attr:`DistributedRun.records` and appended to the ``trace`` file if one is given.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import numpy as np

from codedml import _validation as validation
from codedml.cluster.connection import DEFAULT_CONNECT_TIMEOUT, connect, scheduler_address_text
from codedml.cluster.faults import kill_addresses, live_workers
from codedml.cluster.placement import Placement
from codedml.cluster.rounds import POLL_SECONDS, Round
from codedml.cluster.schemes import Scheme, scheme_for
from codedml.codes.gradient.base import check_finite
from codedml.errors import NotDecodableError, ParameterError, ShapeError
from codedml.learn.models import PartitionedData

__all__ = ["DEFAULT_CONNECT_TIMEOUT", "DEFAULT_REPLACEMENT_TIMEOUT", "DistributedRun", "coded_gradient_descent",
           "connect", "scheduler_address_text"]

#: Seconds the master waits for replacements when the survivors of an iteration cannot decode.
DEFAULT_REPLACEMENT_TIMEOUT = 30.0


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
        Messages received when the master decoded.
    parameters : ndarray
        The final parameters.
    answered : ndarray of int64, shape (iterations,)
        Coded workers with at least one of those messages.
    lost : list of tuple of int
        Per iteration, the coded workers with a task that erred, was cancelled or lost its Dask worker.
    records : list of dict
        The run's trace records (:data:`codedml.sim.traces.TRACE_FIELDS`), one per iteration and message.
    """

    loss: np.ndarray
    wall_seconds: np.ndarray
    messages_used: np.ndarray
    parameters: np.ndarray
    answered: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    lost: list = field(default_factory=list)
    records: list = field(default_factory=list)


def coded_gradient_descent(client, code, model, data: PartitionedData, iterations: int, learning_rate: float, *,
                           delays: np.ndarray | None = None, deadline: float | None = None, tolerance: float = 0.0,
                           bits=None, replacement_timeout: float = DEFAULT_REPLACEMENT_TIMEOUT,
                           trace: str | os.PathLike | None = None, scheme_name: str | None = None,
                           faults: dict | None = None, initial_parameters: np.ndarray | None = None,
                           seed=None) -> DistributedRun:
    """Run gradient descent with ``code`` on the cluster behind ``client``, surviving lost workers.

    Parameters
    ----------
    client : distributed.Client
        From :func:`~codedml.cluster.connect` (or any client).
    code : GradientCode or MultiMessageCode
        An exact one-message code (repetition, ``PolynomialGC`` real or over ``GF(p)`` with fixed-point
        gradients), an approximate gradient code (``code.exact`` False, with ``deadline``) or a
        multi-message code (UC-MMC, CPGC, GC-MMC, MCC); ``code.n_partitions == data.n_partitions``.
    model
        A :mod:`codedml.learn.models` model (``partition_gradients``, ``loss``, ``initial_parameters``).
    data : PartitionedData
        The training data in ``k`` partitions.
    iterations : int
    learning_rate : float
        Step size ``eta``.
    delays : ndarray, shape (iterations, code.n_workers), optional
        Emulated unit times ``tau[t, w]`` in seconds (``inf``: the worker never answers): message ``m`` of
        worker ``w`` is sent ``message_steps[m] * tau[t, w]`` seconds after its task starts. Default 0.
    deadline : float, optional
        Approximate codes only: seconds after submission at which the master decodes what arrived
        (nothing arrived: no step).
    tolerance : float
        Multi-message codes: the largest tolerance ratio ``(M - M') / M`` of partial recovery, in
        ``[0, 1)``: the master stops once the messages cover ``M' = M - floor(tolerance M)`` partitions
        and steps with the gradient sum over the partitions they cover.
    bits : array_like of int, shape (code.n_workers,), optional
        Approximate codes only: bits per coordinate of each worker's quantised message (0: it sends nothing).
    replacement_timeout : float
        Seconds to wait for replacements of lost workers when the survivors cannot decode (0: none).
    trace : str or path, optional
        Append the run's trace records to this JSON-lines file (:func:`codedml.sim.traces.write_trace`),
        also when the run stops with an error.
    scheme_name : str, optional
        The records' ``scheme`` field (default: the code's class name).
    faults : dict, optional
        ``{iteration: [Dask worker index, ...]}``: those Dask workers (positions in the sorted live
        addresses at the start of the run) are SIGKILLed right after that iteration's tasks are
        submitted, unless already gone (:func:`~codedml.cluster.kill_workers`).
    initial_parameters : ndarray, optional
        Defaults to ``model.initial_parameters(rng)``.
    seed : int or numpy.random.Generator, optional
        For the initial parameters and the quantisation.

    Returns
    -------
    DistributedRun

    Raises
    ------
    ParameterError, ShapeError
        If an argument is out of range or of the wrong shape (checked before anything is submitted).
    NotDecodableError
        If the answers of an iteration (with replacements, within ``replacement_timeout``) cannot decode.
    ClusterError
        If the cluster has no worker at the start.
    """
    rng = validation.rng(seed)
    scheme = scheme_for(code, deadline=deadline, tolerance=tolerance, bits=bits, seed=rng)
    _check_data_and_model(code, model, data)
    iterations = validation.integer(iterations, "iterations", minimum=1)
    learning_rate = validation.real(learning_rate, "learning_rate", minimum=0.0, open_minimum=True)
    delays = _unit_times(delays, iterations, code.n_workers)
    if deadline is not None:
        deadline = validation.real(deadline, "deadline", minimum=0.0, open_minimum=True)
    replacement_timeout = validation.real(replacement_timeout, "replacement_timeout", minimum=0.0)
    if trace is not None and not isinstance(trace, (str, os.PathLike)):
        raise ParameterError(f"trace must be a file path, got {type(trace).__name__}")
    scheme_name = type(code).__name__ if scheme_name is None else scheme_name
    if not isinstance(scheme_name, str) or not scheme_name:
        raise ParameterError(f"scheme_name must be a non-empty string, got {scheme_name!r}")
    faults = _faults(faults, iterations, live_workers(client))
    if initial_parameters is None:
        parameters = model.initial_parameters(rng)
    else:
        parameters = validation.real_array(initial_parameters, "initial_parameters", ndim=1).copy()
    loss = np.empty(iterations + 1)
    loss[0] = model.loss(parameters, data)
    wall = np.empty(iterations)
    used = np.empty(iterations, dtype=np.int64)
    answered = np.empty(iterations, dtype=np.int64)
    lost, records, stop_events = [], [], []
    placement = Placement(client, [PartitionedData(data.features[held], data.targets[held], data.weights[held])
                                   for held in scheme.held])
    run_id = f"codedml-{time.time_ns()}"
    try:
        for step in range(iterations):
            started = time.perf_counter()
            live = live_workers(client)
            placement.repair(live)
            stop_events.append(f"{run_id}-{step}")
            current = Round(client, scheme, placement, model, parameters, delays[step], step, stop_events[-1],
                            scheme_name)
            current.submit(range(code.n_workers), set(live))
            if step in faults:
                kill_addresses(client, faults[step])
            try:
                gradient = _decode(current, scheme, deadline, replacement_timeout, parameters.size)
            finally:
                records.extend(current.finish())
                lost.append(tuple(sorted(current.lost)))
            check_finite(gradient, f"the decoded gradient of iteration {step}")
            parameters = parameters - learning_rate * gradient
            wall[step] = time.perf_counter() - started
            used[step] = len(current.ids)
            answered[step] = np.unique(scheme.message_workers[current.ids]).size
            loss[step + 1] = model.loss(parameters, data)
    finally:
        _clear_events(client, stop_events)
        placement.release()
        if trace is not None and records:
            from codedml.sim.traces import write_trace

            write_trace(trace, records, append=True)
    return DistributedRun(loss, wall, used, parameters, answered, lost, records)


def _decode(current: Round, scheme: Scheme, deadline: float | None, replacement_timeout: float,
            dimension: int) -> np.ndarray:
    """The iteration's gradient: collect, replace lost workers if the survivors cannot decode, decode."""
    if scheme.waits_for_deadline:
        current.collect(current.submitted + deadline)
        return scheme.gradient(current.ids, current.payloads, dimension)
    current.collect()
    give_up = time.time() + replacement_timeout
    while not current.decodable and current.dead and time.time() < give_up:
        live = live_workers(current.client)
        if live:
            current.resubmit(live)
        if current.pending:
            current.collect(give_up)
        else:
            time.sleep(POLL_SECONDS)
    if not current.decodable:
        needed = "a decodable set" if scheme.needed is None else f"{scheme.needed}"
        cause = f"; a task failed with {current.errors[-1]!r}" if current.errors else ""
        replaced = (f", and no replacement made it decodable within replacement_timeout={replacement_timeout:g} s"
                    if current.lost else "")
        raise NotDecodableError(
            f"iteration {current.iteration}: {len(current.ids)} messages answered, the code needs {needed} "
            f"({len(current.lost)} coded workers lost{replaced}){cause}",
            received=len(current.ids), needed=scheme.needed)
    return scheme.gradient(current.ids, current.payloads, dimension)


def _check_data_and_model(code, model, data) -> None:
    if not isinstance(data, PartitionedData):
        raise ParameterError(f"data must be a PartitionedData, got {type(data).__name__}")
    if code.n_partitions != data.n_partitions:
        raise ShapeError(f"the code has {code.n_partitions} partitions, the data {data.n_partitions}")
    missing = [name for name in ("partition_gradients", "loss", "initial_parameters") if not hasattr(model, name)]
    if missing:
        raise ParameterError(f"model must have {', '.join(missing)} (a codedml.learn.models model), "
                             f"got {type(model).__name__}")


def _unit_times(delays, iterations: int, n_workers: int) -> np.ndarray:
    validation.array_size(iterations * n_workers, f"the iterations x n_workers delays (iterations={iterations})")
    if delays is None:
        return np.zeros((iterations, n_workers))
    delays = validation.real_array(delays, "delays", shape=(iterations, n_workers), finite=False)
    if np.any(np.isnan(delays)) or np.any(delays < 0):
        raise ParameterError("delays must be >= 0 seconds per computation (inf: the worker never answers); "
                             "got NaN or a negative value")
    return delays


def _faults(faults, iterations: int, live: list[str]) -> dict[int, list[str]]:
    """``faults`` (``{iteration: [distinct indices into live]}``) as ``{iteration: [addresses]}``."""
    if faults is None:
        return {}
    if not isinstance(faults, dict):
        raise ParameterError(f"faults must be a dict {{iteration: [Dask worker index, ...]}}, got "
                             f"{type(faults).__name__}")
    checked = {}
    for iteration, indices in faults.items():
        iteration = validation.integer(iteration, "faults iteration", minimum=0, maximum=iterations - 1)
        if not live:
            raise ParameterError("faults: the cluster has no live worker to kill")
        checked[iteration] = [live[i] for i in validation.ids(indices, f"faults[{iteration}]", len(live), mask=False)]
    return checked


def _clear_events(client, names: list[str]) -> None:
    """Clear the run's stop events (the scheduler drops each once its last waiter leaves)."""
    from distributed import Event

    for name in names:
        Event(name, client=client).clear()
