"""Reaching a Dask cluster: :func:`connect` to a scheduler address or a new ``LocalCluster``.

Workers of a real cluster need codedml installed (tasks are pickled by reference to its modules).
"""

from __future__ import annotations

import contextlib
import gc

from codedml import _validation as validation
from codedml.errors import ClusterError, ParameterError

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
        If no scheduler answers at ``scheduler_address`` within ``timeout`` seconds, or Dask fails to start
        the client or the local cluster (the cause is named).
    """
    from distributed import Client, LocalCluster

    timeout = validation.real(timeout, "timeout", minimum=0.0, open_minimum=True)
    if scheduler_address is not None:
        address = scheduler_address_text(scheduler_address)
        try:
            with _no_collection():
                return Client(address, timeout=timeout)
        except OSError as error:  # includes TimeoutError and refused connections
            raise ClusterError(f"no Dask scheduler answered at {address!r} within {timeout:g} s ({error})") from None
        except ValueError as error:
            raise ParameterError(f"scheduler_address {address!r} is not a Dask address: {error}") from None
        except Exception as error:  # noqa: BLE001 - any other failure of Dask's client start is named, not leaked
            raise ClusterError(f"could not start a Dask client for {address!r} "
                               f"({type(error).__name__}: {error})") from None
    n_workers = validation.integer(n_workers, "n_workers", minimum=1)
    threads_per_worker = validation.integer(threads_per_worker, "threads_per_worker", minimum=1)
    processes = validation.flag(processes, "processes")
    cluster = None
    try:
        with _no_collection():
            cluster = LocalCluster(n_workers=n_workers, threads_per_worker=threads_per_worker,
                                   processes=processes, dashboard_address=":0")
            return Client(cluster)
    except Exception as error:  # noqa: BLE001 - a failed start of Dask's LocalCluster is named, not leaked
        if cluster is not None:
            cluster.close()
        raise ClusterError(f"could not start a LocalCluster of {n_workers} workers "
                           f"({type(error).__name__}: {error})") from None


@contextlib.contextmanager
def _no_collection():
    """No garbage collection while Dask starts a client (its pending garbage is collected first).

    Dask's ``LoopRunner.start`` holds a lock that ``Client.close`` also takes; a garbage ``Client``
    (e.g. of a failed connection) whose ``__del__`` the collector runs inside that section closes
    itself and waits for the lock forever (seen in CI: a hang, or Dask's IO loop failing to start).
    """
    if not gc.isenabled():
        yield
        return
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


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
