"""What the cluster tests share: a LocalCluster client that is always closed, and a small softmax problem."""

import contextlib

import numpy as np

from codedml.cluster import connect
from codedml.learn.models import SoftmaxRegression, partition_data


@contextlib.contextmanager
def local_client(n_workers: int, processes: bool):
    """A client of a new LocalCluster; the client, then the cluster, closed on exit."""
    client = connect(n_workers=n_workers, processes=processes)
    try:
        yield client
    finally:
        client.close()
        client.cluster.close()


def softmax_problem(n_partitions: int, n_samples: int = 120, n_features: int = 5, n_classes: int = 3):
    """``(model, data, initial parameters)``: seeded Gaussian features, random labels, ``n_partitions`` parts."""
    rng = np.random.default_rng(0)
    data = partition_data(rng.normal(size=(n_samples, n_features)), rng.integers(0, n_classes, n_samples),
                          n_partitions, rng)
    model = SoftmaxRegression(n_features, n_classes)
    return model, data, model.initial_parameters(np.random.default_rng(1))
