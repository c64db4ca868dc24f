"""Timing traces of coded runs: one JSON-lines record per iteration and message.

Format
------
A trace is a UTF-8 text file holding one JSON object per line (blank lines are skipped), one
line per ``(scheme, iteration, message)`` of a run, with exactly the keys of
:data:`TRACE_FIELDS`:

``scheme`` (str, non-empty)
    Name of the scheme that ran (several schemes may share a file).
``iteration``, ``worker``, ``message`` (int >= 0)
    Iteration number; coded worker id (row of the code); message id of the code (equal to
    ``worker`` for one-message codes). A message is always sent by the same worker.
``computations`` (int >= 0)
    Partial computations its sender had done when the message was sent (the code's
    ``message_steps[message]``; for one-message codes the worker's load), the same in every
    iteration.
``submitted`` (0.0), ``started``, ``finished``, ``arrived`` (finite float or null)
    Seconds after the master submitted the iteration (so ``submitted`` is always 0).
    ``arrived`` is measured on the master (so ``>= 0``) and is the only time the timing
    arrays below use; ``started``/``finished`` are measured on the worker (its clock minus the
    master's submission time: exact on one host, off by the clock skew across hosts, so they
    may be negative). ``null`` where unknown.
``status``
    ``"used"`` (arrived before the master decoded), ``"late"`` (arrived but not needed),
    ``"cancelled"`` (never sent: the master was done) or ``"lost"`` (the task erred or its
    worker died). Used and late messages have an ``arrived`` time, cancelled and lost ones none.
    A message is recorded in its final state: when the cluster resubmitted a lost coded worker on a
    replacement and the replacement answered, the record is that answer (``arrived`` counts from the
    first submission, so it includes the wait); :attr:`codedml.cluster.DistributedRun.lost` lists every
    loss.

Each ``(scheme, iteration, message)`` appears once: give each run its own scheme name or file.
Every malformed line raises :class:`~codedml.errors.ParameterError` naming the line and field.

Example line::

    {"scheme": "cyclic", "iteration": 0, "worker": 2, "message": 2, "computations": 3,
     "submitted": 0.0, "started": 0.001, "finished": 0.041, "arrived": 0.043, "status": "used"}
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from codedml._validation import choice, flag
from codedml.errors import ParameterError

#: Keys of a trace record, in the order they are written.
TRACE_FIELDS = ("scheme", "iteration", "worker", "message", "computations",
                "submitted", "started", "finished", "arrived", "status")

#: Allowed values of the ``status`` field.
TRACE_STATUSES = ("used", "late", "cancelled", "lost")

_INTEGER_FIELDS = ("iteration", "worker", "message", "computations")
_TIME_FIELDS = ("started", "finished", "arrived")


def _canonical(record, where: str) -> dict:
    """``record`` checked against the format, with ints as ``int`` and times as ``float``."""
    if not isinstance(record, dict):
        raise ParameterError(f"{where}: a trace record must be a JSON object (dict), got {type(record).__name__}")
    missing = [key for key in TRACE_FIELDS if key not in record]
    extra = sorted(str(key) for key in record if key not in TRACE_FIELDS)
    if missing or extra:
        raise ParameterError(f"{where}: field {(missing or extra)[0]!r} is "
                             f"{'missing' if missing else 'not a trace field'}; a record has exactly the fields "
                             f"{', '.join(TRACE_FIELDS)}")
    scheme = record["scheme"]
    if not isinstance(scheme, str) or not scheme:
        raise ParameterError(f"{where}: field 'scheme' must be a non-empty string, got {scheme!r}")
    out = {"scheme": scheme}
    for key in _INTEGER_FIELDS:
        value = record[key]
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ParameterError(f"{where}: field {key!r} must be an integer >= 0, got {value!r}")
        out[key] = int(value)
    if _time(record["submitted"], "submitted", where) != 0.0:
        raise ParameterError(f"{where}: field 'submitted' must be 0.0 (times are relative to the submission), "
                             f"got {record['submitted']!r}")
    out["submitted"] = 0.0
    for key in _TIME_FIELDS:
        out[key] = None if record[key] is None else _time(record[key], key, where, skewed=key != "arrived")
    try:
        out["status"] = choice(record["status"], "status", TRACE_STATUSES)
    except ParameterError:
        raise ParameterError(f"{where}: field 'status' must be one of {', '.join(TRACE_STATUSES)}, "
                             f"got {record['status']!r}") from None
    if (out["arrived"] is None) != (out["status"] in ("cancelled", "lost")):
        raise ParameterError(f"{where}: field 'arrived' must be a time for a used or late message and null for a "
                             f"cancelled or lost one; got arrived={out['arrived']!r} with status "
                             f"{out['status']!r}")
    return out


def _time(value, key: str, where: str, skewed: bool = False) -> float:
    """A finite time in seconds, ``>= 0`` unless measured on another clock (``skewed``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value) or (value < 0 and not skewed):
        allowed = "a finite number of seconds" + ("" if skewed else " >= 0")
        raise ParameterError(f"{where}: field {key!r} must be {allowed} or null, got {value!r}")
    return float(value)


def write_trace(path_or_file, records: Iterable[dict], append: bool = False) -> None:
    """Write trace records as JSON lines (the format of :mod:`codedml.sim.traces`).

    Every record is checked before anything is written, so a bad record leaves the file as it was.

    Parameters
    ----------
    path_or_file : str, os.PathLike or text file object
        Destination; a file object is written at its current position.
    records : iterable of dict
        Records with exactly the keys of :data:`TRACE_FIELDS`.
    append : bool
        Append to an existing file instead of replacing it (paths only).

    Raises
    ------
    ParameterError
        A record breaks the format (the message names the record index and field), or the
        file cannot be opened.

    Examples
    --------
    >>> import io
    >>> record = dict(scheme="cyclic", iteration=0, worker=0, message=0, computations=2, submitted=0.0,
    ...               started=0.0, finished=0.02, arrived=0.021, status="used")
    >>> buffer = io.StringIO()
    >>> write_trace(buffer, [record])
    >>> _ = buffer.seek(0)
    >>> read_trace(buffer).arrival_times("cyclic").tolist()
    [[0.021]]
    """
    append = flag(append, "append")
    if isinstance(records, (dict, str, bytes)):
        raise ParameterError("records must be an iterable of dicts (one per message), not a single "
                             f"{type(records).__name__}")
    try:
        records = list(records)
    except TypeError:
        raise ParameterError(f"records must be an iterable of dicts, got {type(records).__name__}") from None
    checked = Trace(records).records  # also one record per (scheme, iteration, message), consistent senders
    text = "".join(json.dumps(record, allow_nan=False) + "\n" for record in checked)
    if hasattr(path_or_file, "write"):
        path_or_file.write(text)
        return
    try:
        with open(_path(path_or_file), "a" if append else "w", encoding="utf-8") as file:
            file.write(text)
    except OSError as error:
        raise ParameterError(f"cannot write the trace file {path_or_file!r}: {error.strerror}") from None


def read_trace(path_or_file) -> Trace:
    """Read a JSON-lines trace (the format of :mod:`codedml.sim.traces`).

    Parameters
    ----------
    path_or_file : str, os.PathLike or file object (text or binary)

    Returns
    -------
    Trace

    Raises
    ------
    ParameterError
        The file cannot be read, or a line is not UTF-8, not JSON or breaks the format (the
        message names the line number and the field).
    """
    if hasattr(path_or_file, "read"):
        return _parse(path_or_file)
    try:
        with open(_path(path_or_file), "rb") as file:
            return _parse(file)
    except OSError as error:
        raise ParameterError(f"cannot read the trace file {path_or_file!r}: {error.strerror}") from None


def _path(path_or_file):
    if not isinstance(path_or_file, (str, os.PathLike)):
        raise ParameterError(f"path_or_file must be a path or a file object, got {type(path_or_file).__name__}")
    return path_or_file


def _parse(file) -> Trace:
    records, lines = [], []
    for number, line in enumerate(file, start=1):
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError:
                raise ParameterError(f"line {number}: not UTF-8 text") from None
        if not line.strip():
            continue
        try:
            record = json.loads(line)  # NaN and Infinity parse, then fail the field check
        except json.JSONDecodeError as error:
            raise ParameterError(f"line {number}: not a JSON object ({error.msg} at column {error.colno})") from None
        records.append(record)
        lines.append(number)
    return Trace(records, line_numbers=lines)


@dataclass(frozen=True)
class _Scheme:
    """Per-scheme arrays: rows are iterations, columns messages."""

    iterations: np.ndarray
    message_workers: np.ndarray  # -1 for a message id that no record names
    message_steps: np.ndarray
    arrived: np.ndarray  # inf: never arrived or no record
    status: np.ndarray  # index into TRACE_STATUSES, -1: no record


class Trace:
    """Records of one or more runs, with per-scheme timing arrays.

    Parameters
    ----------
    records : iterable of dict
        Records in the format of :mod:`codedml.sim.traces`.
    line_numbers : sequence of int, optional
        Where each record came from, for error messages (:func:`read_trace` passes the file's
        line numbers; default: the record index).

    Attributes
    ----------
    records : list of dict
        The checked records, in the given order.
    schemes : tuple of str
        Scheme names in order of first appearance.
    """

    def __init__(self, records: Iterable[dict], line_numbers: Sequence[int] | None = None):
        raw = list(records)
        where = ([f"record {index}" for index in range(len(raw))] if line_numbers is None
                 else [f"line {number}" for number in line_numbers])
        if len(where) != len(raw):
            raise ParameterError(f"line_numbers must give one number per record ({len(raw)}), got {len(where)}")
        self.records = [_canonical(record, place) for record, place in zip(raw, where)]
        self.schemes = tuple(dict.fromkeys(record["scheme"] for record in self.records))
        self._tables = {scheme: _table(self.records, where, scheme) for scheme in self.schemes}

    def __repr__(self) -> str:
        return f"Trace({len(self.records)} records, schemes={list(self.schemes)})"

    def _scheme(self, scheme: str) -> _Scheme:
        if scheme not in self._tables:
            raise ParameterError(f"scheme must be one of the trace's schemes {list(self.schemes)}, got {scheme!r}")
        return self._tables[scheme]

    def iterations(self, scheme: str) -> np.ndarray:
        """Iteration numbers of ``scheme`` in increasing order: the rows of the timing arrays."""
        return self._scheme(scheme).iterations.copy()

    def arrival_times(self, scheme: str) -> np.ndarray:
        """Arrival time of every message, shape ``(n_iterations, n_messages)``.

        ``inf`` where a message was cancelled, lost or has no record; ``n_messages`` is one
        more than the largest message id.
        """
        return self._scheme(scheme).arrived.copy()

    def completion_times(self, scheme: str) -> np.ndarray:
        """When the master decoded, per iteration: the last arrival of a used message (``inf`` if none)."""
        table = self._scheme(scheme)
        used = np.where(table.status == TRACE_STATUSES.index("used"), table.arrived, -np.inf)
        last = used.max(axis=1, initial=-np.inf)
        return np.where(np.isfinite(last), last, np.inf)

    def unit_times(self, scheme: str) -> np.ndarray:
        """Time of one computation per iteration and worker, shape ``(n_iterations, n_workers)``.

        The arrival of the worker's first message (fewest computations, at least one) divided by
        its ``computations``: the simulator's ``tau[i, w]``; ``inf`` where it did not arrive.
        """
        table = self._scheme(scheme)
        first = _messages_of_workers(table, last=False)
        return table.arrived[:, first] / table.message_steps[first]

    def censoring_times(self, scheme: str) -> np.ndarray:
        """Lower bounds of unit times that were cut short, shape ``(n_iterations, n_workers)``.

        Where a worker's first message was cancelled, its unit time exceeds the iteration's
        :meth:`completion_times` divided by that message's ``computations`` (the master stopped
        no earlier); ``inf`` elsewhere (an observed, lost or unrecorded time).
        """
        table = self._scheme(scheme)
        first = _messages_of_workers(table, last=False)
        cancelled = table.status[:, first] == TRACE_STATUSES.index("cancelled")
        bound = self.completion_times(scheme)[:, None] / table.message_steps[first]
        return np.where(cancelled, bound, np.inf)

    def finish_times(self, scheme: str) -> np.ndarray:
        """When the master had each worker's whole answer, shape ``(n_iterations, n_workers)``.

        The arrival of the worker's last message (most computations); ``inf`` where it did not arrive.
        """
        table = self._scheme(scheme)
        return table.arrived[:, _messages_of_workers(table, last=True)]


def _table(records: list[dict], where: list[str], scheme: str) -> _Scheme:
    """Arrays of one scheme, refusing duplicate messages and senders or loads that change."""
    chosen = [(record, place) for record, place in zip(records, where) if record["scheme"] == scheme]
    iterations = np.unique([record["iteration"] for record, _ in chosen])
    n_messages = 1 + max(record["message"] for record, _ in chosen)
    senders: dict[int, tuple[int, int, str]] = {}
    seen: dict[tuple[int, int], str] = {}
    rows = {iteration: row for row, iteration in enumerate(iterations.tolist())}
    arrived = np.full((iterations.size, n_messages), np.inf)
    status = np.full((iterations.size, n_messages), -1, dtype=np.int8)
    for record, place in chosen:
        message, key = record["message"], (record["iteration"], record["message"])
        if key in seen:
            raise ParameterError(f"{place}: field 'message': scheme {scheme!r} iteration {key[0]} message {message} "
                                 f"is already recorded at {seen[key]} (one record per iteration and message; "
                                 f"give each run its own scheme name or file)")
        seen[key] = place
        sender = senders.setdefault(message, (record["worker"], record["computations"], place))
        for index, field in enumerate(("worker", "computations")):
            if record[field] != sender[index]:
                raise ParameterError(f"{place}: field {field!r} of scheme {scheme!r} message {message} is "
                                     f"{record[field]}, but {sender[2]} gives {sender[index]} (a message has one "
                                     f"sender and one number of computations)")
        row = rows[record["iteration"]]
        status[row, message] = TRACE_STATUSES.index(record["status"])
        if record["arrived"] is not None:
            arrived[row, message] = record["arrived"]
    workers = np.full(n_messages, -1, dtype=np.int64)
    steps = np.zeros(n_messages, dtype=np.int64)
    for message, (worker, computations, _) in senders.items():
        workers[message], steps[message] = worker, computations
    return _Scheme(iterations, workers, steps, arrived, status)


def _messages_of_workers(table: _Scheme, last: bool) -> np.ndarray:
    """Per worker ``0 .. max worker``: its message with the fewest (``last``: most) computations >= 1.

    Raises :class:`ParameterError` naming a worker with no such message.
    """
    n_workers = 1 + int(table.message_workers.max())
    chosen = np.full(n_workers, -1, dtype=np.int64)
    for message in range(table.message_workers.size):
        worker, steps = table.message_workers[message], table.message_steps[message]
        if worker < 0 or steps < 1:
            continue
        current = chosen[worker]
        if current < 0 or (steps > table.message_steps[current] if last else steps < table.message_steps[current]):
            chosen[worker] = message
    if np.any(chosen < 0):
        worker = int(np.flatnonzero(chosen < 0)[0])
        raise ParameterError(f"worker {worker} has no recorded message with computations >= 1, so the trace gives "
                             f"no time per computation for it (workers are numbered 0 to {n_workers - 1})")
    return chosen
