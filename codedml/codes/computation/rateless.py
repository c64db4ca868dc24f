"""Rateless (LT) coded matrix-vector multiplication after Mallick, Chaudhari and Joshi (2018).

The ``M`` rows (or row blocks) of ``W`` are LT-encoded into ``Q = ceil((1 + eta) M)`` coded rows,
split into contiguous blocks across the workers. Each worker multiplies its coded rows by
``theta`` one after another and sends every row-product as soon as it is done; the master
peels the LT graph as row-products arrive and stops once every source row-product is
released (seed cpgc reference [9]; spec "Rateless / LT coded computation"). Graph work runs
in :mod:`codedml.kernels.peeling` and :mod:`codedml.kernels.rateless`.
"""

from __future__ import annotations

import numpy as np

from codedml import _validation as check
from codedml.codes.erasure.lt import LTCode, LTDecoder
from codedml.errors import NotDecodableError, ParameterError, ShapeError
from codedml.kernels.peeling import peeling_completion_count
from codedml.kernels.rateless import coded_row_arrival_times, rateless_completion


class RatelessCodedComputation:
    """LT-coded ``W theta`` with row-by-row streaming from the workers.

    Parameters
    ----------
    M : int
        ``m`` (Mallick et al.), ``M`` (seed cpgc): number of source rows or row blocks of ``W``
        (the LT source symbols).
    eta : float
        Redundancy ``eta >= 0`` (Mallick's ``alpha = 1 + eta``): ``Q = ceil((1 + eta) M)`` coded rows.
    n_workers : int
        ``p`` (Mallick), ``K`` (seed cpgc): number of workers, ``1 <= n_workers <= Q``.
    distribution : {"robust", "ideal"} or array_like
        LT degree distribution (see :func:`codedml.codes.erasure.lt.degree_distribution`).
    c, delta : float
        Robust-soliton parameters.
    seed : int, numpy.random.Generator or None
        Makes the LT graph reproducible.
    rows_per_unit : float, optional
        Row-products a worker computes in one unit time ``tau_w`` of the straggler model.
        Default ``M / n_workers``: one unit time is the time an uncoded worker needs for its
        ``M / n_workers`` rows, so times compare directly with one-message codes of load 1.

    Attributes
    ----------
    code : LTCode
        The row code (``k = M``, ``Q`` coded symbols).
    worker_of : ndarray of int64, shape (Q,)
        Worker that computes each coded row (contiguous blocks, sizes differing by at most one).
    position : ndarray of int64, shape (Q,)
        ``j``: coded row ``i`` is the ``j``-th (1-based) row-product its worker sends.

    Notes
    -----
    Time model: worker ``w``'s ``j``-th coded row-product arrives at
    ``j * tau_w / rows_per_unit`` (see :mod:`codedml.kernels.rateless`). Completion is the first
    arrival after which peeling has released all ``M`` sources; with ``inactivation`` the
    decoder may also finish a received set that does not peel, but the simulated master
    stops on peeling, as in Mallick et al.

    Examples
    --------
    >>> import numpy as np
    >>> from codedml.codes.computation.rateless import RatelessCodedComputation
    >>> scheme = RatelessCodedComputation(100, 0.5, 10, seed=2)
    >>> rng = np.random.default_rng(0)
    >>> W, theta = rng.integers(-5, 6, (100, 8)).astype(float), rng.integers(-5, 6, 8).astype(float)
    >>> products = scheme.row_products(scheme.encode(W), theta)
    >>> order = np.argsort(scheme.arrival_times(rng.exponential(1.0, 10)), kind="stable")
    >>> needed = scheme.completion_count(order)
    >>> bool(np.array_equal(scheme.decode(order[:needed], products[order[:needed]]), W @ theta))
    True
    """

    def __init__(self, M: int, eta: float, n_workers: int, distribution="robust", c: float = 0.03,
                 delta: float = 0.5, seed=None, rows_per_unit: float | None = None):
        self.code = LTCode(M, eta, distribution, c, delta, seed)
        self.M = self.code.k
        self.eta = self.code.eta
        # every worker gets at least one coded row
        self.n_workers = check.integer(n_workers, "n_workers", minimum=1, maximum=self.code.n_coded)
        if rows_per_unit is None:
            rows_per_unit = self.M / self.n_workers
        self.rows_per_unit = check.real(rows_per_unit, "rows_per_unit", minimum=0.0, open_minimum=True)
        counts = np.full(self.n_workers, self.n_coded // self.n_workers, dtype=np.int64)
        counts[:self.n_coded % self.n_workers] += 1
        self.rows_per_worker = counts
        self.row_offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        self.worker_of = np.repeat(np.arange(self.n_workers, dtype=np.int64), counts)
        self.position = np.arange(1, self.n_coded + 1, dtype=np.int64) - self.row_offsets[self.worker_of]

    @property
    def n_coded(self) -> int:
        """``Q``: number of coded rows (row blocks)."""
        return self.code.n_coded

    def rows_of_worker(self, worker: int) -> np.ndarray:
        """Coded row ids of ``worker``, in the order it computes and sends them."""
        worker = check.integer(worker, "worker", minimum=0, maximum=self.n_workers - 1)
        return np.arange(self.row_offsets[worker], self.row_offsets[worker + 1], dtype=np.int64)

    # ---- encoding and the workers' computation ---------------------------------------------------
    def encode(self, W) -> np.ndarray:
        """The ``Q`` coded rows (row blocks) of ``W``.

        Parameters
        ----------
        W : array_like, shape (M * b, n)
            The matrix; its ``M * b`` rows form ``M`` blocks of ``b`` consecutive rows (``b = 1``:
            plain rows).

        Returns
        -------
        ndarray of float64, shape (Q * b, n)
            Coded block ``i`` (rows ``i*b .. i*b + b - 1``) is the sum of the source blocks
            listed in row ``i`` of the LT generator.
        """
        W = check.real_array(W, "W", ndim=2)
        if W.shape[0] == 0 or W.shape[0] % self.M:
            raise ShapeError(f"W must be 2-D with a positive multiple of M={self.M} rows, got shape {W.shape}")
        block, width = W.shape[0] // self.M, W.shape[1]
        check.array_size(self.n_coded * block * width, f"the coded matrix of Q={self.n_coded} blocks of "
                         f"{block} x {width}")
        coded = self.code.encode(np.ascontiguousarray(W).reshape(self.M, block * width))
        return coded.reshape(self.n_coded * block, width)

    def worker_matrices(self, coded) -> list[np.ndarray]:
        """Split the coded matrix of :meth:`encode` into each worker's coded rows (views)."""
        coded = self._check_coded(coded)
        block = coded.shape[0] // self.n_coded
        return [coded[self.row_offsets[w] * block:self.row_offsets[w + 1] * block] for w in range(self.n_workers)]

    def row_products(self, coded, theta) -> np.ndarray:
        """Every coded row-product ``coded @ theta``, one row per coded row block.

        Returns
        -------
        ndarray of float64, shape (Q, b)
        """
        coded = self._check_coded(coded)
        theta = check.real_array(theta, "theta", shape=(coded.shape[1],))
        return (coded @ theta).reshape(self.n_coded, -1)

    # ---- decoding ------------------------------------------------------------------------------
    def decoder(self) -> LTDecoder:
        """An incremental decoder: add row-products (``(b,)`` payloads) as they arrive."""
        return self.code.decoder()

    def decode(self, received_ids, products, inactivation: bool = True) -> np.ndarray:
        """``W theta`` from received coded row-products.

        Parameters
        ----------
        received_ids : array_like of int or bool
            Coded row ids (``0..Q-1``) that arrived, in any order, each once (or a boolean mask
            over the ``Q`` coded rows).
        products : array_like, shape (len(received_ids), b) or (len(received_ids),)
            Their row-products: row ``i`` for ``received_ids[i]`` (for a mask, the ``i``-th
            received id in increasing order); or all ``Q`` row-products, row ``j`` for coded row ``j``.
        inactivation : bool
            Finish what peeling leaves by real Gaussian elimination.

        Returns
        -------
        ndarray of float64, shape (M * b,)

        Raises
        ------
        NotDecodableError
            If some source row-products cannot be recovered (the message names how many).
        """
        ids = check.received_ids(received_ids, self.n_coded, "received_ids")
        products = check.real_array(products, "products", ndim=(1, 2))
        if products.ndim == 1:
            products = products[:, None]
        rows = check.received_rows(products.shape[0], ids, self.n_coded, "products")
        return self.code.decode(ids, products if rows is None else products[rows], inactivation).reshape(-1)

    # ---- the master's stopping point -------------------------------------------------------------
    def completion_count(self, arrival_order) -> int:
        """Row-products, taken in ``arrival_order``, that peeling needs to release all ``M`` sources.

        Raises
        ------
        NotDecodableError
            If the whole of ``arrival_order`` does not peel.
        """
        order = check.ids(arrival_order, "arrival_order", self.n_coded, mask=False)
        code = self.code
        needed = peeling_completion_count(code.indptr, code.indices, code.t_indptr, code.t_indices, code.k, order)
        if needed < 0:
            raise NotDecodableError(f"the {order.size} row-products in arrival_order do not peel all M={self.M} "
                                    f"sources", received=int(order.size), needed=self.M)
        return int(needed)

    def arrival_times(self, unit_times) -> np.ndarray:
        """Arrival time of each coded row-product for one draw of ``tau`` (shape ``(n_workers,)``)."""
        unit_times = self._unit_times(unit_times)
        if unit_times.shape[0] != 1:
            raise ShapeError(f"arrival_times takes one iteration's unit times, shape ({self.n_workers},)")
        return coded_row_arrival_times(self.worker_of, self.position, unit_times[0], self.rows_per_unit)

    def completion(self, unit_times) -> tuple[np.ndarray, np.ndarray]:
        """Completion time and row-products received, per iteration.

        Parameters
        ----------
        unit_times : array_like, shape (n_iterations, n_workers) or (n_workers,)
            ``tau_w`` per iteration (``inf``: the worker never answers).

        Returns
        -------
        times : ndarray of float64, shape (n_iterations,)
            First time the arrived row-products peel completely (``inf`` if never).
        received : ndarray of int64, shape (n_iterations,)
            Row-products received up to then (the communication load; 0 if never).
        """
        unit_times = self._unit_times(unit_times)
        code = self.code
        return rateless_completion(code.indptr, code.indices, code.t_indptr, code.t_indices, code.k,
                                   self.worker_of, self.position, unit_times, self.rows_per_unit)

    def simulate(self, model, n_iterations: int = 1000, seed=None):
        """Monte Carlo completion time and communication load under a straggler model.

        Parameters
        ----------
        model : codedml.sim.StragglerModel
            Draws ``tau_w`` per iteration and worker.
        n_iterations : int
            Iterations (at least 2).
        seed : int or numpy.random.Generator, optional

        Returns
        -------
        codedml.sim.SimulationResult
            ``mean_messages`` is the mean number of row-products received up to completion.
        """
        from codedml.sim.montecarlo import (  # codedml.sim imports codedml.codes
            Z_95,
            SimulationResult,
        )

        if not callable(getattr(model, "unit_times", None)):
            raise ParameterError(f"model must be a straggler model with unit_times(), got {type(model).__name__}")
        n_iterations = check.integer(n_iterations, "n_iterations", minimum=2)
        check.array_size(n_iterations * self.n_workers, f"the unit times of n_iterations={n_iterations} x "
                         f"n_workers={self.n_workers}")
        rng = check.rng(seed)
        times, received = self.completion(model.unit_times(n_iterations, self.n_workers, rng))
        ok = np.isfinite(times)
        if not ok.any():
            raise NotDecodableError(f"no iteration of {n_iterations} peeled completely under {model!r}",
                                    received=0, needed=self.M)
        finite = times[ok]
        ci = Z_95 * finite.std(ddof=1) / np.sqrt(finite.size) if finite.size > 1 else np.inf
        return SimulationResult(float(finite.mean()), float(ci), float(received[ok].mean()), int(n_iterations),
                                float(1.0 - ok.mean()))

    def _unit_times(self, unit_times) -> np.ndarray:
        unit_times = check.real_array(unit_times, "unit_times", ndim=(1, 2), finite=False)
        if unit_times.ndim == 1:
            unit_times = unit_times[None, :]
        if unit_times.shape[1] != self.n_workers:
            raise ShapeError(f"unit_times must have shape (n_iterations, {self.n_workers}), got {unit_times.shape}")
        if np.isnan(unit_times).any() or (unit_times <= 0).any():
            raise ParameterError("unit_times must be positive (inf for a worker that never answers), not NaN")
        return unit_times

    def _check_coded(self, coded) -> np.ndarray:
        coded = check.real_array(coded, "coded", ndim=2)
        if coded.shape[0] % self.n_coded:
            raise ShapeError(f"coded must have a multiple of Q={self.n_coded} rows, got shape {coded.shape}")
        return coded
