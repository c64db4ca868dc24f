"""Which Dask workers are alive, and fault injection: SIGKILL chosen worker processes.

Dask workers are numbered by their position in the sorted list of live worker addresses
(:func:`live_workers`) at the time of the call.
"""

from __future__ import annotations

import os
import signal

from codedml import _validation as validation
from codedml.errors import ClusterError


def live_workers(client) -> list[str]:
    """Sorted addresses of the workers the scheduler of ``client`` currently knows.

    Asks the scheduler directly: ``client.scheduler_info()`` returns a shared cache that the client's
    periodic refresh overwrites with an empty worker list.
    """
    return sorted(client.sync(client.scheduler.identity, n_workers=-1)["workers"])


def kill_workers(client, worker_indices) -> list[str]:
    """SIGKILL the processes of the Dask workers at ``worker_indices`` (positions in :func:`live_workers`).

    Each chosen worker kills its own process, so this works on remote hosts too. A worker started
    under a nanny (``LocalCluster(processes=True)``, ``dask worker`` without ``--no-nanny``) is restarted
    by its nanny, at a new address; one without a nanny is gone.

    Parameters
    ----------
    client : distributed.Client
    worker_indices : sequence of int
        Distinct positions in the sorted list of live worker addresses.

    Returns
    -------
    list of str
        The addresses that were sent the kill.

    Raises
    ------
    ParameterError
        If an index is not a distinct position in ``[0, number of live workers)``.
    ClusterError
        If the scheduler knows no worker.
    """
    addresses = live_workers(client)
    if not addresses:
        raise ClusterError("the scheduler knows no worker to kill")
    chosen = validation.ids(worker_indices, "worker_indices", len(addresses), mask=False)
    return kill_addresses(client, [addresses[i] for i in chosen])


def kill_addresses(client, addresses: list[str]) -> list[str]:
    """SIGKILL the Dask workers at ``addresses`` that are still alive; returns those sent the kill."""
    alive = set(live_workers(client))
    victims = [address for address in addresses if address in alive]
    if victims:
        client.run(_kill_this_process, workers=victims, wait=False)
    return victims


async def _kill_this_process() -> None:
    """Runs on a Dask worker's event loop: SIGKILL its own process (no cleanup, as a crash)."""
    os.kill(os.getpid(), signal.SIGKILL)
