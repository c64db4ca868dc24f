"""Multi-message codes: workers send a coded message after computations, not one at the end.

A :class:`MessageSchedule` lists every message: which worker sends it, after how many of
its computations (``step``), which coded rows (linear combinations of the ``M`` partitions
or submatrices) it carries, and its size in units of one full result. Message ids index
this list, so ``received`` works as for one-message codes; a one-message code is the
special case of one message per worker at ``step = r``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from codedml.codes.base import DEFAULT_RESIDUAL_TOLERANCE, check_finite, received_ids
from codedml.errors import DecodingAccuracyError, NotDecodableError, ParameterError, ShapeError
from codedml.kernels.real import dense_decoding_vector
from codedml.kernels.span import TARGET_PRODUCT, TARGET_SUM, first_decodable_prefix, first_threshold_prefix

#: Entries of a reduced coefficient row below this are treated as zero.
SPAN_TOLERANCE = 1e-9


@dataclass(frozen=True)
class MessageSchedule:
    """Every message of one iteration, in worker order.

    Attributes
    ----------
    worker : ndarray of int64, shape (n_messages,)
        Sender of each message.
    step : ndarray of int64, shape (n_messages,)
        Number of computations its sender has finished when it is sent (``1..r``).
    rows : ndarray, shape (n_rows, n_partitions)
        Coefficient rows over the partitions, grouped by message.
    row_offsets : ndarray of int64, shape (n_messages + 1,)
        Message ``m`` carries ``rows[row_offsets[m]:row_offsets[m + 1]]``.
    size : ndarray, shape (n_messages,)
        Size of each message, normalised so that one full result is 1.
    content : ndarray of int64, shape (n_messages,)
        Which distinct coded message each message carries (equal ids: the same coded
        message sent by different workers, as in GC-MMC's correlated design).
    """

    worker: np.ndarray
    step: np.ndarray
    rows: np.ndarray
    row_offsets: np.ndarray
    size: np.ndarray
    content: np.ndarray

    @classmethod
    def from_messages(cls, messages: list[tuple]) -> MessageSchedule:
        """Build from ``(worker, step, rows, size[, content])`` tuples (``rows``: 1-D or 2-D coefficients).

        Without a content id every message is distinct.
        """
        ordered = sorted(range(len(messages)), key=lambda i: (messages[i][0], messages[i][1]))
        blocks = [np.atleast_2d(np.asarray(messages[i][2], dtype=np.float64)) for i in ordered]
        offsets = np.concatenate([[0], np.cumsum([b.shape[0] for b in blocks])]).astype(np.int64)
        content = [messages[i][4] if len(messages[i]) > 4 else i for i in ordered]
        return cls(np.array([messages[i][0] for i in ordered], dtype=np.int64),
                   np.array([messages[i][1] for i in ordered], dtype=np.int64), np.vstack(blocks), offsets,
                   np.array([messages[i][3] for i in ordered], dtype=np.float64),
                   np.unique(content, return_inverse=True)[1].astype(np.int64))

    @property
    def n_messages(self) -> int:
        return int(self.worker.size)

    def worker_messages(self, worker: int) -> list[tuple[int, int, np.ndarray]]:
        """Ordered ``(message id, step, coefficient rows)`` of one worker."""
        ids = np.flatnonzero(self.worker == worker)
        return [(int(m), int(self.step[m]), self.rows[self.row_offsets[m]:self.row_offsets[m + 1]]) for m in ids]


class MultiMessageCode:
    """Base of codes whose workers may send several messages per iteration.

    Attributes
    ----------
    n_workers : int
        ``K``: number of workers.
    n_partitions : int
        ``M``: number of partitions (gradient coding) or submatrices (coded computation).
    computation_load : int
        ``r``: computations per worker.
    target : {"sum", "product"}
        ``"sum"``: the master needs ``sum_j g_j`` (gradient coding); ``"product"``: it needs
        every ``W_j theta`` (coded matrix-vector multiplication), or ``M'`` of them in
        partial mode.
    schedule : MessageSchedule
    group_thresholds : ndarray or None
        For polynomial (Reed–Solomon) gradient codes: the target is decodable once every
        group (cluster) has this many distinct contents (``schedule.content``); ``None``
        for codes decided by the span of their coefficient rows.
    field : str
        ``"real"``.
    """

    field = "real"

    #: Threshold codes whose contents are single partitions: partial mode lowers the threshold to ``M'``.
    threshold_counts_partitions = False

    def __init__(self, n_workers: int, n_partitions: int, computation_load: int, target: str,
                 schedule: MessageSchedule, group_thresholds=None, content_groups=None):
        if target not in ("sum", "product"):
            raise ParameterError(f"target must be 'sum' or 'product', got {target!r}")
        self.n_workers = int(n_workers)
        self.n_partitions = int(n_partitions)
        self.computation_load = int(computation_load)
        self.target = target
        self.schedule = schedule
        self.group_thresholds = None if group_thresholds is None else np.asarray(group_thresholds, dtype=np.int64)
        n_contents = int(schedule.content.max()) + 1
        self.completes = np.zeros(schedule.n_messages, dtype=np.bool_)
        self.content_groups = (np.zeros(n_contents, dtype=np.int64) if content_groups is None
                               else np.asarray(content_groups, dtype=np.int64))

    def first_decodable_prefix(self, arrival_order: np.ndarray, required: int | None = None) -> np.ndarray:
        """Shortest decodable prefix of each row of message ids (``-1`` ends a row), 0 if none.

        Threshold codes count distinct contents; every other code runs the incremental span
        kernel on its coefficient rows (:meth:`span_prefix`).
        """
        if self.group_thresholds is not None:
            thresholds = self.group_thresholds
            if self.threshold_counts_partitions and required is not None:
                thresholds = np.array([self._required(required)], dtype=np.int64)
            return first_threshold_prefix(self.schedule.content, self.content_groups, thresholds, self.completes,
                                          arrival_order)
        return self.span_prefix(arrival_order, required)

    def span_prefix(self, arrival_order: np.ndarray, required: int | None = None) -> np.ndarray:
        """The general rule: incremental reduced row echelon form of the received coefficient rows."""
        return first_decodable_prefix(self.schedule.rows, self.schedule.row_offsets, arrival_order,
                                      self._target_code(), self._required(required), SPAN_TOLERANCE)

    @property
    def n_messages(self) -> int:
        return self.schedule.n_messages

    @property
    def assignment(self) -> np.ndarray:
        """Boolean ``K x M``: the partitions each worker's computations involve."""
        support = np.zeros((self.n_workers, self.n_partitions), dtype=bool)
        rows_of = np.repeat(self.schedule.worker, np.diff(self.schedule.row_offsets))
        np.logical_or.at(support, rows_of, self.schedule.rows != 0)
        return support

    def _required(self, required: int | None) -> int:
        if self.target == "sum":
            return 0
        if required is None:
            return self.n_partitions
        if not 1 <= required <= self.n_partitions:
            raise ParameterError(f"required must lie in [1, {self.n_partitions}], got {required}")
        return int(required)

    def messages_received(self, received) -> np.ndarray:
        """Normalise ``received`` (message ids or a boolean mask over messages) to sorted ids."""
        return received_ids(received, self.n_messages)

    def received_after(self, completed: np.ndarray) -> np.ndarray:
        """Message ids sent once worker ``w`` has finished ``completed[w]`` computations (a score vector)."""
        completed = np.asarray(completed, dtype=np.int64)
        return np.flatnonzero(self.schedule.step <= completed[self.schedule.worker]).astype(np.int64)

    def is_decodable(self, received, required: int | None = None) -> bool:
        """Whether the received messages give the target (``required`` partitions in product mode)."""
        ids = self.messages_received(received)
        order = np.full((1, max(ids.size, 1)), -1, dtype=np.int64)
        order[0, :ids.size] = ids
        return bool(self.first_decodable_prefix(order, required)[0])

    def _target_code(self) -> int:
        return TARGET_SUM if self.target == "sum" else TARGET_PRODUCT

    def encode(self, partials: np.ndarray) -> np.ndarray:
        """Every coded row: ``schedule.rows @ partials`` (rows grouped by message, see ``row_offsets``)."""
        partials = np.asarray(partials, dtype=np.float64)
        if partials.ndim != 2 or partials.shape[0] != self.n_partitions:
            raise ShapeError(f"partials must have shape ({self.n_partitions}, d); got {partials.shape}")
        check_finite(partials, "partials")
        return self.schedule.rows @ partials

    def decode(self, received, coded_rows: np.ndarray) -> np.ndarray:
        """The target from the received messages.

        Parameters
        ----------
        received : message ids or boolean mask
        coded_rows : ndarray
            The coded rows of the received messages (in id order), or all coded rows.

        Returns
        -------
        ndarray
            ``sum_j g_j`` (shape ``(d,)``) for ``target = "sum"``; every partition's result
            (shape ``(M, d)``) for ``target = "product"``.
        """
        ids = self.messages_received(received)
        row_ids = np.concatenate([np.arange(self.schedule.row_offsets[m], self.schedule.row_offsets[m + 1])
                                  for m in ids]) if ids.size else np.zeros(0, dtype=np.int64)
        coded_rows = np.asarray(coded_rows, dtype=np.float64)
        if coded_rows.ndim != 2 or coded_rows.shape[0] not in (row_ids.size, self.schedule.rows.shape[0]):
            raise ShapeError(f"coded_rows must have one row per received coded row ({row_ids.size}) or per "
                             f"coded row of the schedule ({self.schedule.rows.shape[0]}); got {coded_rows.shape}")
        if coded_rows.shape[0] != row_ids.size:
            coded_rows = coded_rows[row_ids]
        check_finite(coded_rows, "coded_rows")
        if not self.is_decodable(ids):
            raise NotDecodableError(f"the {ids.size} received messages do not determine the target",
                                    received=int(ids.size))
        coefficients = self.schedule.rows[row_ids]
        if self.target == "sum":
            weights, residual = dense_decoding_vector(coefficients)
            if residual > DEFAULT_RESIDUAL_TOLERANCE:
                raise DecodingAccuracyError(f"decoding residual {residual:.3g} exceeds {DEFAULT_RESIDUAL_TOLERANCE:.1g}",
                                            received=int(ids.size))
            return weights @ coded_rows
        return np.linalg.lstsq(coefficients, coded_rows, rcond=None)[0]


def uncoded_mmc_schedule(n_workers: int, computation_load: int) -> MessageSchedule:
    """UC-MMC's cyclically shifted schedule ``A_u``: worker ``j`` computes ``j, j+1, ..., j+r-1 (mod K)``."""
    eye = np.eye(n_workers)
    return MessageSchedule.from_messages([
        (w, t + 1, eye[(w + t) % n_workers], 1.0 / n_workers, (w + t) % n_workers)
        for w in range(n_workers) for t in range(computation_load)])


class UncodedMMC(MultiMessageCode):
    """Uncoded computation with multi-message communication (UC-MMC, seed cpgc ``A_u``).

    Parameters
    ----------
    K : int
        Workers (and submatrices ``M = K``).
    r : int
        Computation load: each worker computes ``r`` cyclically consecutive submatrices and
        sends each result as soon as it is done.
    target : {"product", "sum"}
        ``"product"`` (matrix-vector, seed cpgc) or ``"sum"`` (gradients, seed gc-mmc).

    Examples
    --------
    >>> code = UncodedMMC(4, 2)
    >>> code.is_decodable(code.received_after([1, 1, 1, 1]))   # every worker did one task
    True
    """

    threshold_counts_partitions = True

    def __init__(self, K: int, r: int, target: str = "product"):
        if not 1 <= r <= K:
            raise ParameterError(f"computation load r must lie in [1, K={K}], got {r}")
        # a message's content is the partition it carries: decodable once all K (or M') are in
        super().__init__(K, K, r, target, uncoded_mmc_schedule(K, r), [K])


def chebyshev_vandermonde(n_rows: int, n_cols: int) -> np.ndarray:
    """Real MDS generator: Vandermonde in the Chebyshev basis at Chebyshev points (any ``n_cols`` rows invertible)."""
    points = np.cos(np.pi * (np.arange(n_rows) + 0.5) / n_rows)
    return np.polynomial.chebyshev.chebvander(points, n_cols - 1)


class MDSCodedComputationMMC(MultiMessageCode):
    """MDS-coded computation (MCC, Lee et al.; seed cpgc section 2), real field.

    ``W`` is split into ``M`` submatrices, encoded into ``K r`` coded submatrices by a real
    ``(M, K r)`` MDS code (Chebyshev-basis Vandermonde at Chebyshev points: any ``M`` rows
    are invertible in exact arithmetic; numerically, decoding stays within 1e-6 only up to about
    22 rows, see :class:`~codedml.codes.MDSCodedComputation`; decodability, and so the
    simulator, uses the exact MDS threshold); worker ``j``
    computes coded submatrices ``j r .. j r + r - 1``. With ``multi_message=False`` it sends
    all ``r`` results in one message after its last computation (the seed's MCC);
    otherwise one message per computation.

    Parameters
    ----------
    K : int
        Workers.
    M : int
        Submatrices; ``M <= K r``.
    r : int
        Computation load.
    multi_message : bool
        One message per computation instead of one per worker.
    """

    def __init__(self, K: int, M: int, r: int, multi_message: bool = False):
        if M > K * r:
            raise ParameterError(f"MCC needs M <= K r coded results; got M={M}, K r={K * r}")
        generator = chebyshev_vandermonde(K * r, M)
        if multi_message:
            messages = [(w, t + 1, generator[w * r + t], 1.0 / M) for w in range(K) for t in range(r)]
            needed = M
        else:
            messages = [(w, r, generator[w * r:(w + 1) * r], r / M) for w in range(K)]
            needed = -(-M // r)
        # MDS: any M coded rows decode, so a threshold on distinct messages decides
        super().__init__(K, M, r, "product", MessageSchedule.from_messages(messages), [needed])
        self.generator = generator
