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
from codedml.codes.multimessage.base import MessageSchedule, MultiMessageCode
from codedml.codes.gradient.repetition import CyclicRepetition
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
    points = np.cos(np.pi * (np.arange(n_contents) + 0.5) / n_contents)
    differences = points[:, None] - points[None, :]
    rows = np.zeros(mask.shape)
    for k in range(mask.shape[1]):
        vanishing = np.flatnonzero(~mask[:, k])
        rows[:, k] = np.prod(differences[:, vanishing], axis=1)
    rows /= np.abs(rows).max(axis=1, keepdims=True)
    return rows, int(zeros[0])


class GCMMC(MultiMessageCode):
    """GC-MMC: use :meth:`correlated` or :meth:`uncorrelated` (see the module notes)."""

    def __init__(self, K: int, r: int, clusters: int, messages: list, thresholds: list, groups: list,
                 design: str, orders: tuple[int, ...], hybrid: bool):
        K, r, clusters, size = self._check(K, r, clusters)
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
    def _check(K, r, clusters, messages_per_worker=None) -> tuple[int, int, int, int]:
        """Validated ``(K, r, clusters, K / clusters)``; refuses schedules too large for memory.

        ``messages_per_worker`` (default ``r``) bounds the rows of ``K`` columns each worker sends.
        """
        K = check.integer(K, "K", minimum=1)
        r = check.integer(r, "r (computation load)", minimum=1)
        clusters = check.integer(clusters, "clusters", minimum=1, maximum=K)
        if K % clusters:
            raise ParameterError(f"K={K} workers must split into clusters={clusters} equal clusters "
                                 f"(clusters must divide K)")
        size = K // clusters
        if r > size:
            raise ParameterError(f"computation load r={r} must lie in [1, K/P={size}]")
        per_worker = r if messages_per_worker is None else min(r, messages_per_worker)
        check.array_size(K * per_worker * K,
                         f"the GC-MMC coefficient rows (K={K}, r={r}, clusters={clusters})")
        return K, r, clusters, size

    @classmethod
    def correlated(cls, K: int, r: int, m: int, clusters: int = 1, seed=0, hybrid: bool = False) -> GCMMC:
        """Correlated design of order ``m`` (``1 <= m <= r``); ``clusters = P``; ``hybrid`` as in the notes.

        ``seed`` (None, int >= 0 or numpy.random.Generator) draws the cyclic repetition rows.
        """
        K, r, clusters, size = cls._check(K, r, clusters)
        m = check.integer(m, "m (order)", minimum=1, maximum=r)
        hybrid = check.flag(hybrid, "hybrid")
        local = CyclicRepetition(size, m - 1, seed=check.rng(seed)).encoding_matrix.toarray()
        messages, groups = [], []
        for p in range(clusters):
            base = p * size
            for j in range(size):
                groups.append(p)
            for u in range(size):
                for t in range(r - m + 1):
                    j = (u + t) % size
                    row = np.zeros(K)
                    row[base:base + size] = local[j]
                    messages.append((base + u, m + t, row, 1.0, p * size + j))
        return cls(K, r, clusters, messages, [size - m + 1] * clusters, groups, "correlated", (m,), hybrid)

    @classmethod
    def uncorrelated(cls, K: int, r: int, orders, clusters: int = 1, hybrid: bool = False) -> GCMMC:
        """Uncorrelated design with order vector ``[m_0, ..., m_{l-1}]`` (distinct, each in ``[1, r]``)."""
        orders = check.integer_array(orders, "orders", ndim=1)
        if orders.size == 0:
            raise ParameterError("orders must hold at least one order, got none")
        K, r, clusters, size = cls._check(K, r, clusters, orders.size)
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


class LagrangeCompletionModel(MultiMessageCode):
    """Completion-time model of Lagrange coded computing (Yu et al.) for the gc-mmc comparison.

    One message per worker (default): the data set is split into ``k = K / r`` blocks,
    Lagrange-encoded so that each worker holds one coded block (computation load ``r``
    partitions); for a gradient that is a polynomial of degree ``degree`` in the data (2 for
    linear regression) any ``(k - 1) degree + 1`` workers decode. Multi-message
    (``multi_message=True``): the data is split into ``k = K`` blocks encoded at ``K r``
    points, worker ``w`` computes ``r`` of them and sends each as soon as it is done; any
    ``(K - 1) degree + 1`` evaluations decode.

    LCC's messages are evaluations of a polynomial of the *data*, not linear combinations of
    partial gradients, so this class models timing only (``encode``/``decode`` raise): the
    encoder and decoder are :class:`~codedml.codes.computation.lagrange.LagrangeCodedComputing`.
    """

    def __init__(self, K: int, r: int, degree: int = 2, multi_message: bool = False):
        K = check.integer(K, "K", minimum=1)
        r = check.integer(r, "r (computation load)", minimum=1)
        degree = check.integer(degree, "degree", minimum=1)
        multi_message = check.flag(multi_message, "multi_message")
        if multi_message:
            check.array_size(K * r * K, f"the LCC timing schedule (K={K}, r={r})")
            threshold = (K - 1) * degree + 1
            messages = [(w, t + 1, np.zeros(K), 1.0) for w in range(K) for t in range(r)]
        else:
            if K % r:
                raise ParameterError(f"one-message LCC here needs r to divide K; got K={K}, r={r}")
            check.array_size(K * K, f"the LCC timing schedule (K={K})")
            threshold = (K // r - 1) * degree + 1
            messages = [(w, r, np.zeros(K), 1.0) for w in range(K)]
        if threshold > len(messages):
            raise ParameterError(f"LCC needs {threshold} evaluations but the schedule has {len(messages)}")
        self.recovery_threshold = threshold
        super().__init__(K, K, r, "sum", MessageSchedule.from_messages(messages), [threshold])

    def encode(self, partials):
        raise ParameterError("LagrangeCompletionModel models completion time only; use LagrangeCodedComputing")

    def decode(self, received, coded_rows):
        raise ParameterError("LagrangeCompletionModel models completion time only; use LagrangeCodedComputing")
