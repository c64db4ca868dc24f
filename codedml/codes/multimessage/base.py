"""The multi-message family: a :class:`MessageSchedule` and the :class:`MultiMessageCode` base.

Workers send a coded message after computations, not one at the end.

A :class:`MessageSchedule` lists every message: which worker sends it, after how many of
its computations (``step``), which coded rows (linear combinations of the ``M`` partitions
or submatrices) it carries, and its size in units of one full result. Message ids index
this list, so ``received`` works as for one-message codes; a one-message code is the
special case of one message per worker at ``step = r``.

Partial recovery (seed cpgc section 4.2, tolerance ratio ``(M - M')/M``): every method that
decides decodability takes ``required = M'`` (default ``M``); :meth:`MultiMessageCode.decode_partial`
returns what the received messages give, as a :class:`PartialDecoding`: for ``target="product"``
the partitions recovered individually, for ``target="sum"`` the sum over a set ``S`` of
partitions (the *covered* partitions), with ``S``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from codedml import _validation as check
from codedml.codes.gradient.base import DEFAULT_RESIDUAL_TOLERANCE
from codedml.errors import (
    DecodingAccuracyError,
    NotDecodableError,
    ParameterError,
    ShapeError,
)
from codedml.kernels.span import (
    TARGET_PRODUCT,
    TARGET_SUM,
    first_decodable_prefix,
    first_repeated_id_row,
    first_threshold_prefix,
    received_span_coverage,
)

#: Entries of a reduced coefficient row below this are treated as zero.
SPAN_TOLERANCE = 1e-9


@dataclass(frozen=True)
class PartialDecoding:
    """What :meth:`MultiMessageCode.decode_partial` recovered.

    Attributes
    ----------
    value : ndarray
        ``target="sum"``: ``sum_{j in S} g_j``, shape ``(d,)``, the sum over the covered
        partitions ``S`` only (not a rescaled estimate of the full sum);
        ``target="product"``: shape ``(|S|, d)``, row ``i`` the result of partition
        ``partitions[i]``.
    partitions : ndarray of int64
        ``S``, the covered partitions, increasing.
    n_partitions : int
        ``M``.
    """

    value: np.ndarray
    partitions: np.ndarray
    n_partitions: int

    @property
    def tolerance_ratio(self) -> float:
        """``(M - |S|) / M``: the share of partitions left out (seed cpgc section 4.2)."""
        return (self.n_partitions - self.partitions.size) / self.n_partitions


@dataclass(frozen=True)
class MessageSchedule:
    """Every message of one iteration, in worker order.

    The constructor validates the fields and stores them as C-contiguous arrays (int64 ids,
    float64 rows and sizes); it raises :class:`~codedml.errors.ParameterError` or
    :class:`~codedml.errors.ShapeError` naming the field otherwise.

    Attributes
    ----------
    worker : ndarray of int64, shape (n_messages,)
        Sender of each message (``>= 0``; a code checks ``< K``).
    step : ndarray of int64, shape (n_messages,)
        Number of computations its sender has finished when it is sent (``1..r``).
    rows : ndarray, shape (n_rows, n_partitions)
        Finite coefficient rows over the partitions, grouped by message.
    row_offsets : ndarray of int64, shape (n_messages + 1,)
        Message ``m`` carries ``rows[row_offsets[m]:row_offsets[m + 1]]``: starts at 0,
        never decreases, ends at ``n_rows``.
    size : ndarray, shape (n_messages,)
        Size of each message (finite, ``>= 0``), normalised so that one full result is 1.
    content : ndarray of int64, shape (n_messages,)
        Which distinct coded message each message carries (equal ids: the same coded
        message sent by different workers, as in GC-MMC's correlated design), ``>= 0``.
    """

    worker: np.ndarray
    step: np.ndarray
    rows: np.ndarray
    row_offsets: np.ndarray
    size: np.ndarray
    content: np.ndarray

    def __post_init__(self):
        worker = check.integer_array(self.worker, "schedule.worker", ndim=1, minimum=0)
        n_messages = worker.size
        if n_messages == 0:
            raise ShapeError("schedule.worker must list at least one message, got none")
        step = check.integer_array(self.step, "schedule.step", shape=(n_messages,), minimum=1)
        rows = check.real_array(self.rows, "schedule.rows", ndim=2)
        offsets = check.integer_array(self.row_offsets, "schedule.row_offsets", shape=(n_messages + 1,))
        if offsets[0] != 0 or offsets[-1] != rows.shape[0] or np.any(np.diff(offsets) < 0):
            raise ParameterError(f"schedule.row_offsets must start at 0, never decrease and end at the "
                                 f"{rows.shape[0]} rows of schedule.rows; got {offsets[0]} .. {offsets[-1]}")
        size = check.real_array(self.size, "schedule.size", shape=(n_messages,))
        if np.any(size < 0):
            raise ParameterError(f"schedule.size must be >= 0, got a minimum of {size.min()}")
        content = check.integer_array(self.content, "schedule.content", shape=(n_messages,), minimum=0)
        for name, value in (("worker", worker), ("step", step), ("rows", rows), ("row_offsets", offsets),
                            ("size", size), ("content", content)):
            object.__setattr__(self, name, value)

    @classmethod
    def from_messages(cls, messages: list[tuple]) -> MessageSchedule:
        """Build from ``(worker, step, rows, size[, content])`` tuples (``rows``: 1-D or 2-D coefficients).

        Either every tuple has a content id (an integer ``>= 0``) or none has; without one every
        message is distinct.
        """
        if not isinstance(messages, (list, tuple)) or not messages:
            raise ParameterError(f"messages must be a non-empty list of (worker, step, rows, size[, content]) "
                                 f"tuples, got {type(messages).__name__}")
        if any(not isinstance(m, (list, tuple)) or len(m) not in (4, 5) for m in messages):
            raise ParameterError("messages must hold (worker, step, rows, size[, content]) tuples of length 4 or 5")
        with_content = {len(m) == 5 for m in messages}
        if len(with_content) > 1:
            raise ParameterError("messages: give a content id in every tuple or in none")
        ordered = sorted(range(len(messages)), key=lambda i: (check.integer(messages[i][0], "worker", minimum=0),
                                                              check.integer(messages[i][1], "step", minimum=1)))
        blocks = [np.atleast_2d(check.real_array(messages[i][2], f"rows of message {i}", ndim=(1, 2)))
                  for i in ordered]
        widths = {b.shape[1] for b in blocks}
        if len(widths) > 1:
            raise ShapeError(f"every message's rows must have the same width (n_partitions); "
                             f"got widths {sorted(widths)}")
        offsets = np.concatenate([[0], np.cumsum([b.shape[0] for b in blocks])]).astype(np.int64)
        sizes = [check.real(messages[i][3], "size", minimum=0.0) for i in ordered]
        content = [check.integer(messages[i][4], "content", minimum=0) if len(messages[i]) > 4 else i
                   for i in ordered]
        return cls(np.array([messages[i][0] for i in ordered], dtype=np.int64),
                   np.array([messages[i][1] for i in ordered], dtype=np.int64), np.vstack(blocks), offsets,
                   np.array(sizes, dtype=np.float64), np.unique(content, return_inverse=True)[1].astype(np.int64))

    @property
    def n_messages(self) -> int:
        return int(self.worker.size)

    def worker_messages(self, worker: int) -> list[tuple[int, int, np.ndarray]]:
        """Ordered ``(message id, step, coefficient rows)`` of one worker."""
        worker = check.integer(worker, "worker", minimum=0)
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
        ``"sum"``: the master needs ``sum_j g_j`` (gradient coding), or in partial mode the sum
        over ``M'`` of the partitions; ``"product"``: it needs every ``W_j theta`` (coded
        matrix-vector multiplication), or ``M'`` of them in partial mode.
    schedule : MessageSchedule
        Its workers lie in ``[0, K)``, its steps in ``[1, r]``, its rows have ``M`` columns.
    group_thresholds : ndarray or None
        For polynomial (Reed–Solomon) gradient codes: the target is decodable once every
        group (cluster) has this many distinct contents (``schedule.content``), each ``>= 1``;
        ``None`` for codes decided by the span of their coefficient rows. A satisfied group
        covers the partitions its contents' rows involve; when the groups' partitions are
        disjoint and cover all ``M``, partial mode counts the partitions of the satisfied
        groups, otherwise it needs every group (all or nothing).
    content_groups : ndarray of int64
        Group of each content (``n_contents = schedule.content.max() + 1`` entries in
        ``[0, len(group_thresholds))``); only with ``group_thresholds``.
    field : str
        ``"real"``.
    residual_tolerance : float
        Largest decoding residual accepted by :meth:`decode` (``max |a^T B_I - 1|`` for the
        sum, ``max |D B_I - I|`` for the product) before it raises
        :class:`~codedml.errors.DecodingAccuracyError`.
    """

    field = "real"
    residual_tolerance = DEFAULT_RESIDUAL_TOLERANCE

    def __init__(self, n_workers: int, n_partitions: int, computation_load: int, target: str,
                 schedule: MessageSchedule, group_thresholds=None, content_groups=None):
        self.target = check.choice(target, "target", ("sum", "product"))
        self.n_workers = check.integer(n_workers, "n_workers", minimum=1)
        self.n_partitions = check.integer(n_partitions, "n_partitions", minimum=1)
        self.computation_load = check.integer(computation_load, "computation_load", minimum=1)
        if not isinstance(schedule, MessageSchedule):
            raise ParameterError(f"schedule must be a MessageSchedule, got {type(schedule).__name__}")
        if schedule.worker.max() >= self.n_workers:
            raise ParameterError(f"schedule.worker must hold worker ids in [0, {self.n_workers - 1}] "
                                 f"(n_workers={self.n_workers}); got {schedule.worker.max()}")
        if schedule.step.max() > self.computation_load:
            raise ParameterError(f"schedule.step must lie in [1, {self.computation_load}] (computation_load); "
                                 f"got {schedule.step.max()}")
        if schedule.rows.shape[1] != self.n_partitions:
            raise ShapeError(f"schedule.rows must have n_partitions={self.n_partitions} columns, "
                             f"got shape {schedule.rows.shape}")
        self.schedule = schedule
        n_contents = int(schedule.content.max()) + 1
        self.completes = np.zeros(schedule.n_messages, dtype=np.bool_)
        if group_thresholds is None:
            if content_groups is not None:
                raise ParameterError("content_groups needs group_thresholds (one threshold per group)")
            self.group_thresholds = None
            self.content_groups = np.zeros(n_contents, dtype=np.int64)
            return
        self.group_thresholds = check.integer_array(group_thresholds, "group_thresholds", ndim=1, minimum=1)
        n_groups = self.group_thresholds.size
        if n_groups == 0:
            raise ShapeError("group_thresholds must hold at least one threshold, got none")
        self.content_groups = (np.zeros(n_contents, dtype=np.int64) if content_groups is None
                               else check.integer_array(content_groups, "content_groups", shape=(n_contents,),
                                                        minimum=0, maximum=n_groups - 1))
        row_groups = self.content_groups[np.repeat(schedule.content, np.diff(schedule.row_offsets))]
        self._group_cover = np.zeros((n_groups, self.n_partitions), dtype=bool)
        np.logical_or.at(self._group_cover, row_groups, schedule.rows != 0)
        self._groups_partition = bool(np.all(self._group_cover.sum(axis=0) == 1))

    # ---- simulation --------------------------------------------------------------------------
    @property
    def message_workers(self) -> np.ndarray:
        """Sender of each message (``schedule.worker``), for the simulator."""
        return self.schedule.worker

    @property
    def message_steps(self) -> np.ndarray:
        """Computations its sender has finished when each message is sent (``schedule.step``)."""
        return self.schedule.step

    @property
    def message_sizes(self) -> np.ndarray:
        """Size of each message, one full result being 1 (``schedule.size``): the communication volume."""
        return self.schedule.size

    def first_decodable(self, arrival_times, required: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Completion time and messages used, per iteration, from message arrival times.

        The simulator's protocol, shared with the one-message codes
        (:meth:`codedml.codes.GradientCode.first_decodable`); messages are taken in arrival order
        (ties in id order) and :meth:`decodable_prefix` finds the first decodable prefix.

        Parameters
        ----------
        arrival_times : array_like, shape (n_iterations, n_messages)
            Arrival time of every message (``inf``: it never arrives; NaN and ``-inf`` are refused).
        required : int, optional
            Partial mode: partitions to cover (``M'``), in ``[1, M]`` (default ``M``).

        Returns
        -------
        times : ndarray, shape (n_iterations,)
            First time the arrived messages are decodable (``inf`` if never).
        used : ndarray of int64, shape (n_iterations,)
            Messages received up to then (0 if never).

        Examples
        --------
        >>> from codedml.codes import UncodedMMC
        >>> code = UncodedMMC(2, 1)
        >>> code.first_decodable([[1.0, 3.0], [2.0, float("inf")]])
        (array([ 3., inf]), array([2, 0]))
        """
        arrival_times = check.arrival_times(arrival_times, "arrival_times", self.n_messages)
        required = self._required(required)
        order = np.argsort(arrival_times, axis=1, kind="stable")
        ordered = np.take_along_axis(arrival_times, order, axis=1)
        order[~np.isfinite(ordered)] = -1
        used = self._prefix(order, required)  # a valid order by construction: argsort rows
        last = np.maximum(used - 1, 0)
        times = np.where(used > 0, ordered[np.arange(order.shape[0]), last], np.inf)
        return times, used

    def decodable_prefix(self, arrival_order, required: int | None = None) -> np.ndarray:
        """Shortest decodable prefix of each row of message ids (``-1`` ends a row), 0 if none.

        The arrival-order form behind :meth:`first_decodable` (and the score-vector enumeration).

        Parameters
        ----------
        arrival_order : array_like of int, shape (n_iterations, width)
            Message ids in arrival order per iteration, each in ``[0, n_messages)`` and at most
            once per row; ``-1`` ends a row (no id may follow it). Integral floats are accepted.
        required : int, optional
            Partial mode: partitions to cover (``M'``), in ``[1, M]`` (default ``M``).

        Returns
        -------
        ndarray of int64, shape (n_iterations,)

        Notes
        -----
        Threshold codes count distinct contents; every other code runs the incremental span
        kernel on its coefficient rows (:meth:`span_prefix`) unless it has a faster exact rule
        (CPGC). The prefix length agrees with :meth:`is_decodable` on every prefix.
        """
        return self._prefix(self._arrival_order(arrival_order), self._required(required))

    def span_prefix(self, arrival_order, required: int | None = None) -> np.ndarray:
        """The general rule: incremental reduced row echelon form of the received coefficient rows.

        Arguments as for :meth:`decodable_prefix`. Exact for the product and the full sum; for a
        partial sum it counts the partitions recovered individually (or all ``M`` once the full
        sum is in the span), a lower bound where a combination determines a partial sum
        without its terms.
        """
        return self._span_prefix(self._arrival_order(arrival_order), self._required(required))

    def _prefix(self, order: np.ndarray, required: int) -> np.ndarray:
        """:meth:`decodable_prefix` for a validated order and ``required``."""
        if self.group_thresholds is not None:
            weights, needed = self._group_weights(required)
            return first_threshold_prefix(self.schedule.content, self.content_groups, self.group_thresholds, weights,
                                          self.completes, order, needed)
        return self._span_prefix(order, required)

    def _group_weights(self, required: int) -> tuple[np.ndarray, int]:
        """What each satisfied group counts and the total that decodes (module notes on groups)."""
        if self._groups_partition:
            return self._group_cover.sum(axis=1).astype(np.int64), required
        n_groups = self.group_thresholds.size
        return np.ones(n_groups, dtype=np.int64), n_groups

    def _span_prefix(self, order: np.ndarray, required: int) -> np.ndarray:
        return first_decodable_prefix(self.schedule.rows, self.schedule.row_offsets, order, self._target_code(),
                                      required, SPAN_TOLERANCE)

    def _arrival_order(self, arrival_order) -> np.ndarray:
        """Validated arrival order: 2-D int64 ids in ``[0, n_messages)``, ``-1`` ends a row, no repeats."""
        order = check.id_rows(arrival_order, "arrival_order", self.n_messages)
        repeated = first_repeated_id_row(order, self.n_messages)
        if repeated >= 0:
            raise ParameterError(f"arrival_order row {repeated} holds a message id more than once; "
                                 f"each id in [0, {self.n_messages}) may arrive once per row")
        return order

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
        """``required`` as an int in ``[1, M]`` (``M`` if ``None``)."""
        if required is None:
            return self.n_partitions
        return check.integer(required, "required", minimum=1, maximum=self.n_partitions)

    def messages_received(self, received) -> np.ndarray:
        """Normalise ``received`` (message ids in any order, or a boolean mask) to int64 ids in the given order."""
        return check.received_ids(received, self.n_messages)

    def received_after(self, completed) -> np.ndarray:
        """Message ids sent once worker ``w`` has finished ``completed[w]`` computations (a score vector).

        ``completed`` holds ``n_workers`` integers ``>= 0``; the ids come out increasing.
        """
        completed = check.integer_array(completed, "completed", shape=(self.n_workers,), minimum=0)
        return np.flatnonzero(self.schedule.step <= completed[self.schedule.worker]).astype(np.int64)

    def is_decodable(self, received, required: int | None = None) -> bool:
        """Whether the received messages cover ``required`` partitions (default all ``M``: the full target)."""
        required = self._required(required)
        return int(self._covered(self.messages_received(received)).sum()) >= required

    def covered_partitions(self, received) -> np.ndarray:
        """The partitions :meth:`decode_partial` covers from these messages (int64, increasing).

        ``target="product"``: the partitions recovered individually; ``target="sum"``: a
        set ``S`` whose sum the messages determine. The largest such set for UC-MMC and CPGC;
        threshold codes cover whole groups (MCC: all ``M`` or none, the MDS rule; GC-MMC:
        whole clusters), codes given only by their rows what :meth:`span_prefix` counts.
        """
        return np.flatnonzero(self._covered(self.messages_received(received))).astype(np.int64)

    def _covered(self, ids: np.ndarray) -> np.ndarray:
        """Boolean ``(M,)``: the covered partitions of the validated messages ``ids``."""
        if self.group_thresholds is not None:
            contents = np.unique(self.schedule.content[ids])
            counts = np.bincount(self.content_groups[contents], minlength=self.group_thresholds.size)
            satisfied = counts >= self.group_thresholds
            satisfied[self.content_groups[self.schedule.content[ids[self.completes[ids]]]]] = True
            if not self._groups_partition:
                return np.full(self.n_partitions, bool(satisfied.all()))
            return self._group_cover[satisfied].any(axis=0)
        recovered, ones_in_span = received_span_coverage(self.schedule.rows, self.schedule.row_offsets, ids,
                                                         SPAN_TOLERANCE)
        if self.target == "sum" and ones_in_span:
            return np.ones(self.n_partitions, dtype=bool)
        return recovered

    def _target_code(self) -> int:
        return TARGET_SUM if self.target == "sum" else TARGET_PRODUCT

    def encode(self, partials) -> np.ndarray:
        """Every coded row: ``schedule.rows @ partials`` (rows grouped by message, see ``row_offsets``).

        ``partials`` is a finite real ``(n_partitions, d)`` array.
        """
        partials = check.real_array(partials, "partials", shape=(self.n_partitions, None))
        return self.schedule.rows @ partials

    def decode(self, received, coded_rows) -> np.ndarray:
        """The full target from the received messages.

        Parameters
        ----------
        received : message ids (any order) or boolean mask
        coded_rows : ndarray, shape (n_received_rows, d) or (n_rows, d)
            Either the coded rows of the received messages, message by message in the order
            of ``received`` (for a boolean mask: increasing ids), each message's rows in its
            schedule order (``n_received_rows`` is the total number of rows they carry); or
            every coded row of the schedule (``schedule.rows.shape[0]`` rows, as returned by
            :meth:`encode`), from which the received ones are taken (rows of messages that did
            not arrive are ignored). When both counts are equal the first reading applies.

        Returns
        -------
        ndarray
            ``sum_j g_j`` (shape ``(d,)``) for ``target = "sum"``; every partition's result
            (shape ``(M, d)``) for ``target = "product"``.

        Raises
        ------
        NotDecodableError
            The received messages do not determine the target.
        DecodingAccuracyError
            They do in exact arithmetic, but the decoding residual exceeds
            ``residual_tolerance`` (ill-conditioned coefficient rows).
        """
        return self.decode_partial(received, coded_rows).value

    def decode_partial(self, received, coded_rows, required: int | None = None) -> PartialDecoding:
        """What the received messages give: the target over the partitions they cover.

        Every partition the messages cover is used (:meth:`covered_partitions`), even beyond
        ``required``.

        Parameters
        ----------
        received, coded_rows
            As for :meth:`decode`.
        required : int, optional
            ``M'``: fewest partitions to cover, in ``[1, M]`` (default ``M``, the full target).

        Returns
        -------
        PartialDecoding
            ``value`` (the sum over the covered partitions, or their results) and ``partitions``.

        Raises
        ------
        NotDecodableError
            The messages cover fewer than ``required`` partitions.
        DecodingAccuracyError
            The decoding residual exceeds ``residual_tolerance``.

        Examples
        --------
        >>> import numpy as np
        >>> from codedml.codes import UncodedMMC
        >>> code = UncodedMMC(4, 2, target="sum")
        >>> partials = np.arange(8.0).reshape(4, 2)
        >>> result = code.decode_partial([0, 2, 4], code.encode(partials), required=3)
        >>> result.partitions, result.value, result.tolerance_ratio
        (array([0, 1, 2]), array([6., 9.]), 0.25)
        """
        required = self._required(required)
        ids = self.messages_received(received)
        offsets = self.schedule.row_offsets
        counts = offsets[ids + 1] - offsets[ids]
        row_ids = (np.repeat(offsets[ids] - np.cumsum(counts) + counts, counts)
                   + np.arange(int(counts.sum()), dtype=np.int64))
        coded_rows = check.real_array(coded_rows, "coded_rows", ndim=2, finite=False)
        rows = check.received_rows(coded_rows.shape[0], row_ids, self.schedule.rows.shape[0], "coded_rows")
        if rows is not None:
            coded_rows = coded_rows[rows]
        check.check_finite(coded_rows, "coded_rows")
        covered = self._covered(ids)
        n_covered = int(covered.sum())
        if n_covered < required:
            if required == self.n_partitions:
                message = f"the {ids.size} received messages do not determine the target"
            else:
                message = (f"the {ids.size} received messages cover {n_covered} of the {self.n_partitions} "
                           f"partitions, fewer than required={required}")
            raise NotDecodableError(message, received=int(ids.size))
        value = self._decode_covered(ids, row_ids, coded_rows, covered)
        return PartialDecoding(value, np.flatnonzero(covered).astype(np.int64), self.n_partitions)

    def _decode_covered(self, ids: np.ndarray, row_ids: np.ndarray, coded_rows: np.ndarray,
                        covered: np.ndarray) -> np.ndarray:
        """Least-squares decoding of the covered partitions, with its residual checked."""
        coefficients = self.schedule.rows[row_ids]
        if self.target == "sum":
            goal = covered.astype(np.float64)
            weights = np.linalg.lstsq(coefficients.T, goal, rcond=None)[0]
            residual = float(np.max(np.abs(weights @ coefficients - goal)))
        else:
            weights = np.linalg.pinv(coefficients)[covered]
            residual = float(np.max(np.abs(weights @ coefficients - np.eye(self.n_partitions)[covered]),
                                    initial=0.0))
        if not residual <= self.residual_tolerance:
            raise DecodingAccuracyError(
                f"decoding residual {residual:.3g} exceeds {self.residual_tolerance:.1g}: the {ids.size} received "
                f"messages' coefficient rows are too ill-conditioned to decode accurately", received=int(ids.size))
        return weights @ coded_rows
