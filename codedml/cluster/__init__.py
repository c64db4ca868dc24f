"""The Dask backend: coded gradient descent on a Dask distributed cluster that survives lost workers."""

from codedml.cluster.coded_descent import DistributedRun, coded_gradient_descent
from codedml.cluster.connection import connect
from codedml.cluster.faults import kill_workers, live_workers

__all__ = ["DistributedRun", "coded_gradient_descent", "connect", "kill_workers", "live_workers"]
