"""Gradient coding with multi-message communication (GC-MMC, seed gc-mmc section 3).

Workers are split into ``P`` clusters of ``K / P`` workers and ``K / P`` partitions (section
3.3; ``P = 1``: no clustering); in its cluster, worker ``u`` computes partitions
``u, u + 1, ..., u + r - 1`` (mod ``K / P``) in that order. Coded messages:

- *correlated* design of order ``m`` (section 3.1): the cluster's coded gradients are a
  gradient code with load ``m`` (``c_j`` combines partitions ``j..j+m-1``, a
  :class:`~codedml.codes.CyclicRepetition` row); worker ``u`` sends ``c_u, ..., c_{u+r-m}``
  after ``m, ..., r`` computations. Two workers may send the same ``c_j``; any
  ``K/P - m + 1`` distinct ones decode the cluster. ``m = r`` is plain GC, ``m = 1`` UC-MMC.
- *uncorrelated* design with order vector ``[m_0, ..., m_{l-1}]`` (section 3.2): worker
  ``u`` acts as ``l`` (virtual) workers, the ``t``-th sending a combination of its first
  ``m_t`` partitions after ``m_t`` computations. Every column of the extended mask has
  ``h = (K/P) l - sum(m)`` zeros, and the polynomial (Reed–Solomon) code of Halbawi et al.
  decodes from any ``h + 1`` of the cluster's messages.

*Hybrid* rule (section 3.4, ``hybrid=True``): when a worker holds every partition of its
cluster (``r = K/P``), its message after all ``r`` computations is the plain cluster sum
(fractional repetition) instead of a coded one, and decodes the cluster on its own.

Decodability (and so the simulator) follows these thresholds exactly. The real-field
coefficient rows used by ``encode``/``decode`` are the cyclic repetition rows (correlated)
and the polynomial construction at Chebyshev points (uncorrelated), whose conditioning
limits exact decoding to small clusters (``decode`` checks its residual and refuses).
"""

from __future__ import annotations

import numpy as np

from codedml import _validation as check
from codedml.codes.gradient.repetition import CyclicRepetition
from codedml.codes.multimessage.base import MessageSchedule, MultiMessageCode
from codedml.codes.real_generators import chebyshev_points
from codedml.errors import ParameterError


def polynomial_gc_rows(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """Real polynomial gradient code for a mask whose columns all have ``h`` zeros.

    Content ``c`` evaluates at the Chebyshev point ``x_c``; partition ``k`` enters through
    the monic ``f_k(x) = prod_{c: mask[c, k] = 0} (x - x_c)``, so ``B[c, k] = f_k(x_c)`` and
    ``sum_k f_k g_k`` has degree ``h`` with leading coefficient ``sum_k g_k``: any ``h + 1``
    evaluations determine it.

    Returns
    -------
    rows : ndarray, shape mask.shape
    h : int
    """
    mask = np.asarray(mask)
    if mask.dtype != np.bool_ or mask.ndim != 2 or 0 in mask.shape:
        raise ParameterError(f"mask must be a non-empty 2-D boolean array, got dtype {mask.dtype}, shape {mask.shape}")
    n_contents = mask.shape[0]
    check.array_size(n_contents * max(n_contents, mask.shape[1]), f"the polynomial code of a {mask.shape} mask")
    zeros = (~mask).sum(axis=0)
    if np.any(zeros != zeros[0]):
        raise ParameterError("the polynomial construction here needs the same number of zeros in every column")
    points = chebyshev_points(n_contents)
    differences = points[:, None] - points[None, :]
    rows = np.zeros(mask.shape)
    for k in range(mask.shape[1]):
        vanishing = np.flatnonzero(~mask[:, k])
        rows[:, k] = np.prod(differences[:, vanishing], axis=1)
    rows /= np.abs(rows).max(axis=1, keepdims=True)
    return rows, int(zeros[0])


class GCMMC(MultiMessageCode):
    """GC-MMC: use :meth:`correlated` or :meth:`uncorrelated` (see the module notes).

    ``n_workers`` is gc-mmc's ``K``, ``computation_load`` its ``r`` and ``clusters`` its ``P``.

    Examples
    --------
    >>> code = GCMMC.correlated(6, 3, 2, seed=0)
    >>> code.is_decodable(code.received_after([2, 2, 2, 2, 2, 0]))
    True
    """

    def __init__(self, n_workers: int, computation_load: int, clusters: int, messages: list, thresholds: list,
                 groups: list, design: str, orders: tuple[int, ...], hybrid: bool):
        K, r, clusters, size = self._check(n_workers, computation_load, clusters)
        design = check.choice(design, "design", ("correlated", "uncorrelated"))
        hybrid = check.flag(hybrid, "hybrid")
        schedule = MessageSchedule.from_messages(messages)
        hybrid = bool(hybrid and r == size)  # only a worker holding its whole cluster can send the plain sum
        final = schedule.step == r
        if hybrid:
            rows = schedule.rows.copy()
            for m in np.flatnonzero(final):  # every GC-MMC message carries one row
                cluster = schedule.worker[m] // size
                rows[m] = 0.0
                rows[m, cluster * size:(cluster + 1) * size] = 1.0
            schedule = MessageSchedule(schedule.worker, schedule.step, rows, schedule.row_offsets, schedule.size,
                                       schedule.content)
        super().__init__(K, K, r, "sum", schedule, thresholds, groups)
        if hybrid:
            self.completes = final
        self.clusters = clusters
        self.design = design
        self.orders = orders
        self.hybrid = hybrid

    @staticmethod
    def _check(n_workers, computation_load, clusters, messages_per_worker=None) -> tuple[int, int, int, int]:
        """Validated ``(K, r, clusters, K / clusters)``; refuses schedules too large for memory.

        ``messages_per_worker`` (default ``r``) bounds the rows of ``K`` columns each worker sends.
        """
        K = check.integer(n_workers, "n_workers", minimum=1)
        r = check.integer(computation_load, "computation_load", minimum=1)
        clusters = check.integer(clusters, "clusters", minimum=1, maximum=K)
        if K % clusters:
            raise ParameterError(f"n_workers={K} workers must split into clusters={clusters} equal clusters "
                                 f"(clusters must divide n_workers)")
        size = K // clusters
        if r > size:
            raise ParameterError(f"computation_load r={r} must lie in [1, n_workers / clusters = {size}]")
        per_worker = r if messages_per_worker is None else min(r, messages_per_worker)
        check.array_size(K * per_worker * K,
                         f"the GC-MMC coefficient rows (n_workers={K}, computation_load={r}, clusters={clusters})")
        return K, r, clusters, size

    @classmethod
    def correlated(cls, n_workers: int, computation_load: int, order: int, clusters: int = 1, seed=None,
                   hybrid: bool = False) -> GCMMC:
        """Correlated design of order ``m`` (``order``, ``1 <= m <= r``); ``clusters = P``; ``hybrid`` as in the notes.

        ``seed`` (None, int >= 0 or numpy.random.Generator) draws the cyclic repetition rows.
        """
        K, r, clusters, size = cls._check(n_workers, computation_load, clusters)
        m = check.integer(order, "order", minimum=1, maximum=r)
        hybrid = check.flag(hybrid, "hybrid")
        local = CyclicRepetition(size, m - 1, seed=check.rng(seed)).encoding_matrix.toarray()
        messages, groups = [], []
        for p in range(clusters):
            base = p * size
            for _ in range(size):
                groups.append(p)
            for u in range(size):
                for t in range(r - m + 1):
                    j = (u + t) % size
                    row = np.zeros(K)
                    row[base:base + size] = local[j]
                    messages.append((base + u, m + t, row, 1.0, p * size + j))
        return cls(K, r, clusters, messages, [size - m + 1] * clusters, groups, "correlated", (m,), hybrid)

    @classmethod
    def uncorrelated(cls, n_workers: int, computation_load: int, orders, clusters: int = 1,
                     hybrid: bool = False) -> GCMMC:
        """Uncorrelated design with order vector ``[m_0, ..., m_{l-1}]`` (distinct, each in ``[1, r]``)."""
        orders = check.integer_array(orders, "orders", ndim=1)
        if orders.size == 0:
            raise ParameterError("orders must hold at least one order, got none")
        K, r, clusters, size = cls._check(n_workers, computation_load, clusters, orders.size)
        orders = tuple(int(m) for m in orders)
        if len(set(orders)) != len(orders) or not all(1 <= m <= r for m in orders):
            raise ParameterError(f"orders must be distinct and lie in [1, r={r}], got {orders}")
        hybrid = check.flag(hybrid, "hybrid")
        mask = np.zeros((size * len(orders), size), dtype=bool)
        for u in range(size):
            for t, m in enumerate(orders):
                mask[u * len(orders) + t, (u + np.arange(m)) % size] = True
        local, h = polynomial_gc_rows(mask)
        messages, groups = [], []
        for p in range(clusters):
            base = p * size
            for u in range(size):
                for t, m in enumerate(orders):
                    content = u * len(orders) + t
                    row = np.zeros(K)
                    row[base:base + size] = local[content]
                    messages.append((base + u, m, row, 1.0, p * mask.shape[0] + content))
                    groups.append(p)
        return cls(K, r, clusters, messages, [h + 1] * clusters, groups, "uncorrelated", orders, hybrid)
