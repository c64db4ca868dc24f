"""Data placement that follows the code: each coded worker's partitions live on the Dask worker that runs it.

Coded worker ``w`` is placed on a Dask worker (round robin over the sorted live addresses at the
start) and its partitions are scattered there only (``workers=[address]``). The master keeps the
data, so when that Dask worker is lost, :meth:`Placement.repair` scatters the partitions again on a
replacement: preferably a live Dask worker that runs no coded worker (a nanny-restarted process, a
newly joined one), else the live worker running the fewest.
"""

from __future__ import annotations

from collections import Counter

from codedml.cluster.faults import live_workers
from codedml.errors import ClusterError
from codedml.learn.models import PartitionedData


class Placement:
    """Where each coded worker runs, and the future of its scattered partitions.

    Parameters
    ----------
    client : distributed.Client
    shards : list of PartitionedData
        The partitions each coded worker holds.

    Raises
    ------
    ClusterError
        If the cluster has no worker.
    """

    def __init__(self, client, shards: list[PartitionedData]):
        self.client = client
        self.shards = shards
        self.hosts: list[str | None] = [None] * len(shards)
        self.futures: list = [None] * len(shards)
        addresses = live_workers(client)
        if not addresses:
            raise ClusterError("the Dask cluster has no worker to place the coded workers on")
        for worker in range(len(shards)):
            self.place(worker, addresses[worker % len(addresses)])

    def place(self, worker: int, address: str) -> None:
        """Scatter coded ``worker``'s partitions to the Dask worker at ``address`` (releasing the old copy)."""
        old = self.futures[worker]
        self.futures[worker] = self.client.scatter(self.shards[worker], workers=[address], hash=False)
        self.hosts[worker] = address
        if old is not None:
            old.release()

    def misplaced(self, live: list[str]) -> list[int]:
        """Coded workers whose Dask worker is not in ``live`` or whose partitions were lost."""
        alive = set(live)
        return [w for w, (host, future) in enumerate(zip(self.hosts, self.futures))
                if host not in alive or future.status != "finished"]

    def repair(self, live: list[str]) -> list[int]:
        """Place every misplaced coded worker again on a live replacement; returns those moved.

        Does nothing when ``live`` is empty (the caller waits for workers to return).
        """
        moved = self.misplaced(live)
        if not live:
            return []
        alive = set(live)
        load = Counter({address: 0 for address in live})
        load.update(host for w, host in enumerate(self.hosts) if host in alive and w not in moved)
        for worker in moved:
            address = min(live, key=lambda a: (load[a], a))
            try:
                self.place(worker, address)
            except (OSError, ValueError, KeyError, RuntimeError):  # the replacement died meanwhile: next repair
                continue
            load[address] += 1
        return moved

    def release(self) -> None:
        """Drop the scattered partitions from the cluster (released, not cancelled: tasks may still read them)."""
        for future in self.futures:
            if future is not None:
                future.release()
