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
from codedml.codes.computation.base import ComputationCode
from codedml.codes.erasure.lt import LTCode, LTDecoder
from codedml.errors import NotDecodableError, ParameterError, ShapeError
from codedml.kernels.peeling import peeling_completion_count
from codedml.kernels.rateless import coded_row_arrival_times, rateless_completion


class RatelessCodedComputation(ComputationCode):
    """LT-coded ``W theta`` with row-by-row streaming from the workers.

    Parameters
    ----------
    n_workers : int
        ``p`` (Mallick), ``K`` (seed cpgc): number of workers, ``1 <= n_workers <= Q``.
    n_partitions : int
        ``m`` (Mallick et al.), ``M`` (seed cpgc): number of source rows or row blocks of ``W``
        (the LT source symbols).
    eta : float
        Redundancy ``eta >= 0`` (Mallick's ``alpha = 1 + eta``): ``Q = ceil((1 + eta) M)`` coded rows.
    distribution : {"robust", "ideal"} or array_like
        LT degree distribution (see :func:`codedml.codes.erasure.lt.degree_distribution`).
    c, delta : float
        Robust-soliton parameters.
    seed : int, numpy.random.Generator or None
        Makes the LT graph reproducible.
    rows_per_unit : float, optional
        Row-products a worker computes in one unit time ``tau_w`` of the straggler model.
        Default ``n_partitions / n_workers``: one unit time is the time an uncoded worker needs for its
        ``M / n_workers`` rows, so times compare directly with one-message codes of load 1.

    Attributes
    ----------
    code : LTCode
        The row code (``n_sources = M``, ``Q`` coded symbols).
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
    >>> scheme = RatelessCodedComputation(10, 100, 0.5, seed=2)
    >>> rng = np.random.default_rng(0)
    >>> W, theta = rng.integers(-5, 6, (100, 8)).astype(float), rng.integers(-5, 6, 8).astype(float)
    >>> products = scheme.row_products(scheme.encode(W), theta)
    >>> order = np.argsort(scheme.arrival_times(rng.exponential(1.0, 10)), kind="stable")
    >>> needed = scheme.completion_count(order)
    >>> bool(np.array_equal(scheme.decode(order[:needed], products[order[:needed]]), W @ theta))
    True
    """

    def __init__(self, n_workers: int, n_partitions: int, eta: float, distribution="robust", c: float = 0.03,
                 delta: float = 0.5, seed=None, rows_per_unit: float | None = None):
        n_partitions = check.integer(n_partitions, "n_partitions", minimum=1)
        self.code = LTCode(n_partitions, eta, distribution, c, delta, seed)
        self.n_partitions = self.code.n_sources
        self.eta = self.code.eta
        # every worker gets at least one coded row
        self.n_workers = check.integer(n_workers, "n_workers", minimum=1, maximum=self.code.n_coded)
        if rows_per_unit is None:
            rows_per_unit = self.n_partitions / self.n_workers
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

    @property
    def n_results(self) -> int:
        """Received ids name coded row-products: ``Q`` of them."""
        return self.n_coded

    @property
    def recovery_threshold(self) -> int:
        """``M``: fewer row-products never determine the ``M`` source row-products."""
        return self.n_partitions

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
        if W.shape[0] == 0 or W.shape[0] % self.n_partitions:
            raise ShapeError(f"W must be 2-D with a positive multiple of n_partitions={self.n_partitions} rows, "
                             f"got shape {W.shape}")
        block, width = W.shape[0] // self.n_partitions, W.shape[1]
        check.array_size(self.n_coded * block * width, f"the coded matrix of Q={self.n_coded} blocks of "
                         f"{block} x {width}")
        coded = self.code.encode(np.ascontiguousarray(W).reshape(self.n_partitions, block * width))
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

    def is_decodable(self, received, inactivation: bool = True) -> bool:
        """Whether :meth:`decode` recovers ``W theta`` from the coded row-products ``received`` (real elimination)."""
        return self.code.is_decodable(received, inactivation, real=True)

    def decode(self, received, products, inactivation: bool = True) -> np.ndarray:
        """``W theta`` from received coded row-products.

        Parameters
        ----------
        received : array_like of int or bool
            Coded row ids (``0..Q-1``) that arrived, in any order, each once (or a boolean mask
            over the ``Q`` coded rows).
        products : array_like, shape (len(received), b) or (len(received),)
            Their row-products: row ``i`` for ``received[i]`` (for a mask, the ``i``-th
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
        ids = check.received_ids(received, self.n_coded, "received")
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
        needed = peeling_completion_count(code.indptr, code.indices, code.t_indptr, code.t_indices, code.n_sources,
                                          order)
        if needed < 0:
            raise NotDecodableError(f"the {order.size} row-products in arrival_order do not peel all "
                                    f"n_partitions={self.n_partitions} sources", received=int(order.size),
                                    needed=self.n_partitions)
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
        return rateless_completion(code.indptr, code.indices, code.t_indptr, code.t_indices, code.n_sources,
                                   self.worker_of, self.position, unit_times, self.rows_per_unit)

    # ---- the simulator's protocol (codedml.sim.simulate) -------------------------------------------
    @property
    def message_workers(self) -> np.ndarray:
        """The worker that sends each coded row-product (:attr:`worker_of`)."""
        return self.worker_of

    @property
    def message_steps(self) -> np.ndarray:
        """Unit times worked before each row-product is sent: ``position / rows_per_unit``."""
        return self.position / self.rows_per_unit

    def first_decodable(self, arrival_times, required: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """First time the arrived row-products peel completely, and how many arrived by then.

        Parameters
        ----------
        arrival_times : array_like, shape (n_iterations, Q)
            Arrival time of each coded row-product (``inf``: never); ties arrive in coded-row order.
        required : None
            Rateless computation has no partial mode.

        Returns
        -------
        times : ndarray of float64, shape (n_iterations,)
            ``inf`` for an iteration whose arrivals never peel completely.
        used : ndarray of int64, shape (n_iterations,)
            Row-products received up to then (0 if never).
        """
        if required is not None:
            raise ParameterError("required: rateless coded computation has no partial mode; pass None")
        arrival_times = check.arrival_times(arrival_times, "arrival_times", self.n_coded)
        code = self.code
        times = np.full(arrival_times.shape[0], np.inf)
        used = np.zeros(arrival_times.shape[0], dtype=np.int64)
        for it, arrivals in enumerate(arrival_times):
            order = np.argsort(arrivals, kind="stable")
            n_finite = int(np.count_nonzero(np.isfinite(arrivals)))
            needed = peeling_completion_count(code.indptr, code.indices, code.t_indptr, code.t_indices,
                                              code.n_sources, order[:n_finite])
            if needed > 0:
                times[it], used[it] = arrivals[order[needed - 1]], needed
        return times, used

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
