"""The Dask backend: coded gradient descent on a Dask distributed cluster."""

from codedml.cluster.coded_descent import DistributedRun, coded_gradient_descent, connect

__all__ = ["DistributedRun", "coded_gradient_descent", "connect"]
