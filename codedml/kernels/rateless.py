"""Rateless (LT) coded matrix-vector multiplication: arrival times and the master's stopping point.

Time model (Mallick, Chaudhari and Joshi 2018, in the straggler notation of
:mod:`codedml.sim.stragglers`): worker ``w`` draws a unit time ``tau_w`` per iteration and
computes its coded row-products one after another, sending each as soon as it is done;
``rows_per_unit`` row-products take one unit time, so the ``j``-th (``j = 1, 2, ...``) row-product
of worker ``w`` arrives at ``j * tau_w / rows_per_unit``. ``tau_w = inf`` means the worker never
answers. The master peels the LT graph as row-products arrive and stops at the first arrival
after which every one of the ``k`` source rows is released.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from codedml.kernels.peeling import peeling_completion_count


@njit(cache=True, nogil=True)
def coded_row_arrival_times(worker_of, position, unit_times, rows_per_unit):
    """Arrival time of every coded row-product in one iteration.

    Parameters
    ----------
    worker_of : ndarray of int64, shape (Q,)
        Worker that computes coded row ``i``.
    position : ndarray of int64, shape (Q,)
        ``j``: coded row ``i`` is its worker's ``j``-th row-product (``j >= 1``).
    unit_times : ndarray of float64, shape (n_workers,)
        ``tau_w`` of this iteration (``inf``: never answers).
    rows_per_unit : float
        Row-products a worker computes in one unit time.

    Returns
    -------
    ndarray of float64, shape (Q,)
        ``position[i] * unit_times[worker_of[i]] / rows_per_unit``.
    """
    n_coded = worker_of.shape[0]
    arrivals = np.empty(n_coded)
    for row in range(n_coded):
        arrivals[row] = position[row] * unit_times[worker_of[row]] / rows_per_unit
    return arrivals


@njit(cache=True, nogil=True)
def rateless_completion(indptr, indices, t_indptr, t_indices, k, worker_of, position, unit_times, rows_per_unit):
    """Completion time and row-products received, per iteration, of LT-coded computation.

    For each iteration the coded row-products are sorted by arrival time (stable, so ties
    keep coded-row order) and fed one by one to the peeling decoder
    (:func:`codedml.kernels.peeling.peeling_completion_count`); the master stops at the first
    arrival after which all ``k`` source rows are released. Rows that never arrive
    (infinite time) are left out.

    Parameters
    ----------
    indptr, indices, t_indptr, t_indices : ndarray of int64
        The ``Q x k`` LT generator in CSR form and its transpose.
    k : int
        ``M``: number of source rows (or row blocks) of ``W``.
    worker_of, position : ndarray of int64, shape (Q,)
        Worker assignment and in-worker order (1-based) of each coded row.
    unit_times : ndarray of float64, shape (n_iterations, n_workers)
        ``tau_w`` per iteration.
    rows_per_unit : float
        Row-products per unit time.

    Returns
    -------
    times : ndarray of float64, shape (n_iterations,)
        Completion time (``inf`` if the arrived rows never peel completely).
    received : ndarray of int64, shape (n_iterations,)
        Row-products received up to the completion time (0 if never complete).
    """
    n_iterations = unit_times.shape[0]
    times = np.full(n_iterations, np.inf)
    received = np.zeros(n_iterations, dtype=np.int64)
    for it in range(n_iterations):
        arrivals = coded_row_arrival_times(worker_of, position, unit_times[it], rows_per_unit)
        order = np.argsort(arrivals, kind="mergesort")
        n_finite = 0
        while n_finite < order.shape[0] and np.isfinite(arrivals[order[n_finite]]):
            n_finite += 1
        needed = peeling_completion_count(indptr, indices, t_indptr, t_indices, k, order[:n_finite])
        if needed > 0:
            times[it] = arrivals[order[needed - 1]]
            received[it] = needed
    return times, received
