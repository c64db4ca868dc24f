"""Coded gradient descent on a LocalCluster of worker processes: the cost of an iteration, and the speed-up.

``IterationOverhead``: seconds per iteration with no emulated delay (Dask's scheduling, the tasks'
gradients, encoding, the master's decoding and step), for uncoded, cyclic repetition (exact, one
message) and CPGC (multi-message), at n = 6 and 32 worker processes (one coded worker each).
``StragglerSpeedUp``: uncoded seconds per iteration over coded ones under the emulated heterogeneous
shifted-exponential times of ``codedml distributed`` (``mu_w ~ U(10, 40)`` 1/s, ``alpha_w ~
U(0.04, 0.08)`` s per computation) with two workers per iteration slowed by 0.3 s per computation.
Each setup starts its own cluster (32 processes take tens of seconds on 2 cores) and runs one
warm-up iteration; ``track_`` results come from one run of :data:`ITERATIONS` iterations.
"""

import numpy as np

from codedml.cluster import coded_gradient_descent, connect
from codedml.experiments import distributed
from codedml.learn.models import SoftmaxRegression, load_digits_data, partition_data

ITERATIONS = 10
STRAGGLERS = 2


class _Cluster:
    """A LocalCluster of ``n`` worker processes and the digits problem in ``n`` partitions."""

    def __init__(self, n):
        self.n = n
        self.client = connect(n_workers=n, processes=True, timeout=60.0)
        self.client.wait_for_workers(n, timeout=120)
        features, labels = load_digits_data()
        self.data = partition_data(features, labels, n, np.random.default_rng(0))
        self.model = SoftmaxRegression(self.data.n_features, self.data.n_classes)

    def seconds_per_iteration(self, code, iterations, delays=None):
        run = coded_gradient_descent(self.client, code, self.model, self.data, iterations, 1.0, delays=delays, seed=0)
        return float(run.wall_seconds.mean())

    def close(self):
        self.client.close()
        self.client.cluster.close()


class IterationOverhead:
    """Seconds per iteration with no emulated delay, worker processes."""

    params = ([6, 32], ["uncoded", "cyclic-repetition", "cpgc"])
    param_names = ["n", "scheme"]
    number = 1
    repeat = 1
    timeout = 600

    def setup(self, n, scheme):
        self.cluster = _Cluster(n)
        self.code = distributed.build_codes([scheme], n, STRAGGLERS, seed=0)[scheme]
        self.cluster.seconds_per_iteration(self.code, 1)  # warm-up: imports and kernels in every worker

    def teardown(self, n, scheme):
        self.cluster.close()

    def track_seconds_per_iteration(self, n, scheme):
        return self.cluster.seconds_per_iteration(self.code, ITERATIONS)

    track_seconds_per_iteration.unit = "seconds"


class StragglerSpeedUp:
    """Uncoded over coded seconds per iteration under emulated heterogeneous stragglers, n = 6 processes."""

    params = ["cyclic-repetition", "polynomial-gfp", "cpgc", "mcc"]
    param_names = ["scheme"]
    number = 1
    repeat = 1
    timeout = 600

    def setup(self, scheme):
        self.cluster = _Cluster(6)
        rng = np.random.default_rng(0)
        workers = distributed.worker_model(6, seed=rng)
        self.delays = (workers.unit_times(ITERATIONS, 6, rng)
                       + distributed.emulated_delays(ITERATIONS, 6, 2, 0.3, rng))
        codes = distributed.build_codes(["uncoded", scheme], 6, STRAGGLERS, seed=0)
        self.uncoded, self.code = codes["uncoded"], codes[scheme]
        self.cluster.seconds_per_iteration(self.code, 1)

    def teardown(self, scheme):
        self.cluster.close()

    def track_speed_up(self, scheme):
        return (self.cluster.seconds_per_iteration(self.uncoded, ITERATIONS, self.delays)
                / self.cluster.seconds_per_iteration(self.code, ITERATIONS, self.delays))

    track_speed_up.unit = "times"
