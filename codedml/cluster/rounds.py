"""One iteration on the cluster: submit the coded workers' tasks, take answers, treat lost workers as erasures.

A :class:`Round` submits, for every coded worker, its tasks pinned to the Dask worker holding its
partitions (:class:`~codedml.cluster.placement.Placement`): one task for a worker with one message,
else a computation task and one task per message, prioritised by step. Answers arrive through done
callbacks into a queue, so the master sees each message as soon as it is received. A task that errs or
is cancelled, or whose Dask worker leaves the scheduler (checked every :data:`POLL_SECONDS` while
waiting), is *lost*: an erasure for this iteration, never an exception. Coded workers lost with their
Dask worker can be submitted again on replacements (:meth:`Round.resubmit`).

:meth:`Round.finish` sets the iteration's stop event (delayed tasks return at once), cancels what is
pending and returns the trace records (format of :mod:`codedml.sim.traces`).
"""

from __future__ import annotations

import queue
import time

import numpy as np

from codedml.cluster.faults import live_workers
from codedml.cluster.tasks import compute_and_send, compute_partials, send_message

#: Seconds between checks that the Dask workers of pending tasks are still alive.
POLL_SECONDS = 0.1


class Round:
    """Iteration ``iteration`` of a run (see the module notes).

    Parameters
    ----------
    client : distributed.Client
    scheme : codedml.cluster.schemes.Scheme
    placement : codedml.cluster.placement.Placement
    model, parameters
        The model and the current ``theta``.
    unit_times : ndarray, shape (n_workers,)
        Emulated seconds per computation of each coded worker (``inf``: it never answers).
    iteration : int
    stop_event : str
        Name of the iteration's ``distributed.Event``.
    scheme_name : str
        The ``scheme`` field of the trace records.
    """

    def __init__(self, client, scheme, placement, model, parameters: np.ndarray, unit_times: np.ndarray,
                 iteration: int, stop_event: str, scheme_name: str):
        self.client, self.scheme, self.placement = client, scheme, placement
        self.model, self.parameters, self.unit_times = model, parameters, unit_times
        self.iteration, self.stop_event, self.scheme_name = iteration, stop_event, scheme_name
        self.submitted = time.time()
        self.arrivals: queue.Queue = queue.Queue()
        self.pending: dict = {}  # future -> (message id, Dask worker address)
        self.states = {m: _state("cancelled") for m in range(scheme.n_messages)}
        self.ids: list[int] = []
        self.payloads: list = []
        self.dead: set[int] = set()  # coded workers lost with their Dask worker, not yet resubmitted
        self.lost: set[int] = set()
        self.errors: list[BaseException] = []
        self.decodable = False

    # ---- submission --------------------------------------------------------------------------
    def submit(self, workers, live: set[str]) -> None:
        """Submit the tasks of coded ``workers`` on their placed Dask workers (``live``: addresses alive now)."""
        steps = self.scheme.message_steps
        for worker in workers:
            unit = float(self.unit_times[worker])
            messages = self.scheme.messages_of(worker)
            if not (np.isfinite(unit) and self.scheme.sends(worker)):
                continue  # an emulated straggler that never answers (or an idle worker): 'cancelled'
            address, shard = self.placement.hosts[worker], self.placement.futures[worker]
            if address not in live or shard.status != "finished":
                for m in messages.tolist():
                    self._lose(m, died=True)
                continue
            options = {"workers": [address], "allow_other_workers": False, "pure": False}
            if messages.size == 1:
                m = int(messages[0])
                self._watch(self.client.submit(compute_and_send, self.model, self.parameters, shard,
                                               self.scheme.encoder(m, self.iteration), steps[m] * unit,
                                               self.stop_event, **options), m, address)
                continue
            computed = self.client.submit(compute_partials, self.model, self.parameters, shard, **options)
            for m in messages.tolist():
                self._watch(self.client.submit(send_message, computed, self.scheme.encoder(m, self.iteration),
                                               steps[m] * unit, self.stop_event, priority=-int(steps[m]),
                                               **options), m, address)

    def _watch(self, future, message: int, address: str) -> None:
        self.pending[future] = (message, address)
        self.states[message] = _state("cancelled")
        future.add_done_callback(self.arrivals.put)

    def resubmit(self, live: list[str]) -> bool:
        """Place the coded workers lost with their Dask worker again and submit their tasks; False if none left."""
        if not self.dead:
            return False
        self.placement.repair(live)
        alive = set(live)
        ready = [w for w in sorted(self.dead) if self.placement.hosts[w] in alive
                 and self.placement.futures[w].status == "finished"]
        self.dead.difference_update(ready)
        self.submit(ready, alive)
        return True

    # ---- collection ----------------------------------------------------------------------------
    def collect(self, stop_at: float | None = None) -> None:
        """Take answers until the scheme can decode, nothing is pending, or ``time.time() >= stop_at``."""
        checked = time.time()
        while self.pending and not self.decodable:
            now = time.time()
            if stop_at is not None and now >= stop_at:
                return
            wait = POLL_SECONDS if stop_at is None else min(POLL_SECONDS, stop_at - now)
            try:
                self._take(self.arrivals.get(timeout=wait))
            except queue.Empty:
                pass
            if time.time() - checked >= POLL_SECONDS:
                self._check_hosts()
                checked = time.time()

    def _take(self, future) -> None:
        entry = self.pending.pop(future, None)
        if entry is None:
            return  # cancelled by the master, or already counted as lost
        message, _ = entry
        if future.status == "error":
            self._lose(message, died=_killed(future.exception()), error=future.exception())
            return
        if future.status != "finished":  # cancelled: the scheduler lost its partitions with their Dask worker
            self._lose(message, died=True)
            return
        try:
            answer = future.result()
        except Exception:  # noqa: BLE001 - the worker died after finishing: an erasure like any other loss
            self._lose(message, died=True)
            return
        if answer.payload is None:
            return
        self.states[message] = self._times("used", answer)
        self.ids.append(message)
        self.payloads.append(answer.payload)
        self.decodable = self.scheme.decodable(self.ids)

    def _check_hosts(self) -> None:
        """Count the pending tasks of Dask workers that left the scheduler as lost."""
        live = set(live_workers(self.client))
        gone = [future for future, (_, address) in self.pending.items() if address not in live]
        for future in gone:
            message, _ = self.pending.pop(future)
            future.cancel()
            self._lose(message, died=True)

    def _lose(self, message: int, died: bool, error: BaseException | None = None) -> None:
        worker = int(self.scheme.message_workers[message])
        self.states[message] = _state("lost")
        self.lost.add(worker)
        if died:
            self.dead.add(worker)
        if error is not None:
            self.errors.append(error)

    # ---- the end of the iteration ----------------------------------------------------------------
    def finish(self) -> list[dict]:
        """Stop the iteration's tasks, cancel what is pending, and return its trace records."""
        from distributed import Event

        Event(self.stop_event, client=self.client).set()
        late = [future for future in self.pending if future.status == "finished"]
        self.client.cancel([future for future in self.pending if future.status != "finished"])
        if late:
            try:
                answers = self.client.gather(late)
            except Exception:  # noqa: BLE001 - a late answer's worker died meanwhile: its times stay unknown
                answers = [None] * len(late)
            for future, answer in zip(late, answers):
                message, _ = self.pending[future]
                if answer is not None and answer.payload is not None:
                    self.states[message] = self._times("late", answer)
        self.pending.clear()
        return [self._record(m) for m in range(self.scheme.n_messages)]

    def _times(self, status: str, answer) -> dict:
        arrived = time.time() - self.submitted
        return {"status": status, "started": answer.started - self.submitted,
                "finished": answer.finished - self.submitted, "arrived": arrived}

    def _record(self, message: int) -> dict:
        return {"scheme": self.scheme_name, "iteration": self.iteration,
                "worker": int(self.scheme.message_workers[message]), "message": message,
                "computations": int(self.scheme.message_steps[message]), "submitted": 0.0,
                **self.states[message]}


def _state(status: str) -> dict:
    return {"status": status, "started": None, "finished": None, "arrived": None}


def _killed(error: BaseException | None) -> bool:
    """Whether a task error means its Dask worker died (``KilledWorker``) rather than the task raising."""
    from distributed import KilledWorker

    return isinstance(error, KilledWorker)
