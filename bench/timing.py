"""Timing helper shared by the benchmarks that compute their own throughputs and ratios."""

import time

import numpy as np


def best_seconds(function, repeats=3):
    """Fastest of ``repeats`` wall-clock runs of ``function()``."""
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best
