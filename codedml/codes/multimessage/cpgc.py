"""Coded partial gradient computation (CPGC, seed cpgc section 3).

The first task of every worker is an uncoded submatrix ``W_j``; every later task is a
degree-two codeword ``W_a + W_b`` taken from a partition of ``{W_1..W_M}`` into pairs, two
pairings per row of the computation scheduling matrix (one per half of the workers),
circularly shifted so that no worker meets a submatrix twice. Degree one and two keep
decoding to peeling and allow partial recovery (:mod:`codedml.kernels.pair_peeling`).
"""

from __future__ import annotations

import numpy as np

from codedml import _validation as check
from codedml.codes.multimessage.base import MessageSchedule, MultiMessageCode
from codedml.errors import DecodingAccuracyError, ParameterError
from codedml.kernels.pair_peeling import first_pair_recovery_prefix, pair_peeling_decode

#: The seed's example ``A_c`` (K = M = 4, r = 2), 0-based: row t lists each worker's t-th task.
SEED_EXAMPLE_SCHEDULE = [[(0,), (1,), (2,), (3,)], [(2, 3), (0, 2), (1, 3), (0, 1)]]

#: Search nodes allowed per half row when the seed's pairings do not fit.
SEARCH_BUDGET = 200_000

#: Circular shifts the seed uses for the halves of rows 2 and 3 (``circshift(v; d)`` shifts right by d).
SEED_SHIFTS = [(-1, -1), (1, -2)]


def seed_pairings(n_partitions: int) -> list[list[tuple[int, int]]]:
    """The seed's four pairings ``v_1..v_4`` of ``{0..M-1}`` (``M = n_partitions`` divisible by 4), 0-based."""
    M = n_partitions
    half = M // 2
    v1 = [(2 * i, 2 * i + 1) for i in range(half)]
    v2 = [(n, n + 2) for n in range(M) if n % 4 in (0, 1)]
    v3 = [(n, M - 1 - n) for n in range(half)]
    v4 = [(n, half + n) for n in range(half)]
    return [v1, v2, v3, v4]


def _shift(values: list, d: int) -> list:
    d %= len(values)
    return values[-d:] + values[:-d] if d else list(values)


class CPGC(MultiMessageCode):
    """Coded partial gradient computation (seed cpgc), ``K = M`` workers and submatrices.

    Parameters
    ----------
    n_workers : int
        Workers and submatrices (the seed's ``K = M``), even, ``>= 2``.
    computation_load : int
        ``r``, tasks per worker, ``1 <= r <= K / 2`` (every worker needs
        ``2 r - 1`` distinct submatrices).
    seed : None, int >= 0 or numpy.random.Generator, optional
        Randomness of extra pairings when the seed's four do not suffice (``r > 3``, or
        ``K`` not divisible by 4).
    target : {"product", "sum"}
        ``"product"``: every ``W_j theta`` (the seed's CPGC); ``"sum"``: ``sum_j g_j`` of
        partial gradients coded the same way.

    Notes
    -----
    Row ``t >= 2`` of the scheduling matrix places one pairing on workers ``0..K/2-1`` and
    another on ``K/2..K-1``. For ``K`` divisible by 4, rows 2 and 3 use the seed's
    pairings ``v_1..v_4`` (section 4.1) with its shifts ``circshift(v; d)``, ``d = -1, -1,
    1, -2``, wherever those keep a worker's submatrices distinct; taken literally, the
    seed's ``d = 1`` for ``v_3`` puts ``W_15`` twice on worker 7 at ``K = 20`` (``W_15 + W_16``
    in row 2, ``W_6 + W_15`` in row 3), so that half row takes the first valid shift instead
    (``d = 3``). Further rows (``r > 3``, or ``K`` not divisible by 4) are found by a
    seeded depth-first search for a pairing of all ``M`` submatrices over each half that
    gives every worker a pair it does not hold yet. Every worker's ``2 r - 1`` submatrices are
    distinct by construction; the constructor raises if no placement is found.
    :meth:`seed_example` is the seed's hand-made ``K = 4, r = 2`` schedule of Tables 1-2.

    Decoding peels (:func:`~codedml.kernels.pair_peeling.pair_peeling_decode`): no dense solve,
    ``O(rows + M)`` operations on rows of length ``d``. A component of received pairs is
    determined by a received uncoded ``W_a`` or an odd cycle of pairs; for the sum target a
    component without either still gives the sum over equally many partitions from each of
    its two sides, so partial (and full) sums need fewer messages than the product. The
    decoding weights are exact (``0, ±1, ±1/2``); :meth:`decode` checks instead that the
    decoded partitions reproduce every received row to ``residual_tolerance`` relative to the
    data's magnitude, and raises :class:`~codedml.errors.DecodingAccuracyError` otherwise (rows
    that are not one encoding of the partitions).

    Examples
    --------
    >>> code = CPGC(20, 3, seed=0)
    >>> code.is_decodable(code.received_after([1] * 20))
    True
    """

    def __init__(self, n_workers: int, computation_load: int, seed=None, target: str = "product", *,
                 _tasks: list | None = None):
        target = check.choice(target, "target", ("product", "sum"))
        if _tasks is None:
            K = check.integer(n_workers, "n_workers", minimum=2)
            if K % 2:
                raise ParameterError(f"CPGC needs an even number of workers n_workers = K = M >= 2, got {K}")
            r = check.integer(computation_load, "computation_load", minimum=1, maximum=K // 2)
            check.array_size(K * r * K, f"the CPGC coefficient rows (n_workers={K}, computation_load={r})")
            _tasks = self._construct(K, r, check.rng(seed))
        K = len(_tasks[0])
        messages = []
        eye = np.eye(K)
        for t, row in enumerate(_tasks):
            for w, task in enumerate(row):
                messages.append((w, t + 1, eye[list(task)].sum(axis=0), 1.0 / K))
        super().__init__(K, K, len(_tasks), target, MessageSchedule.from_messages(messages))
        self.tasks = _tasks
        by_message = [task for row in _tasks for task in row]
        order = sorted(range(len(by_message)), key=lambda i: (i % K, i // K))  # schedule order: worker, step
        self._first = np.array([by_message[i][0] for i in order], dtype=np.int64)
        self._second = np.array([by_message[i][1] if len(by_message[i]) > 1 else -1 for i in order], dtype=np.int64)

    def _prefix(self, order: np.ndarray, required: int) -> np.ndarray:
        """Union-find with parity over the degree-one and degree-two codewords (exact, near-linear)."""
        return first_pair_recovery_prefix(self._first, self._second, self.schedule.row_offsets, order, required,
                                          self.target == "sum")

    def _peel(self, row_ids: np.ndarray, values: np.ndarray) -> tuple:
        return pair_peeling_decode(self._first[row_ids], self._second[row_ids], values, self.n_partitions,
                                   self.target == "sum")

    def _covered(self, ids: np.ndarray) -> np.ndarray:
        return self._peel(ids, np.zeros((ids.size, 0)))[0]  # one row per message

    def _decode_covered(self, ids: np.ndarray, row_ids: np.ndarray, coded_rows: np.ndarray,
                        covered: np.ndarray) -> np.ndarray:
        _, decoded, total, residual, scale = self._peel(row_ids, coded_rows)
        if not residual <= self.residual_tolerance * scale:
            raise DecodingAccuracyError(
                f"the decoded partitions miss a received coded row by {residual:.3g}, more than "
                f"{self.residual_tolerance:.1g} of the data's magnitude {scale:.3g}: the {ids.size} received "
                f"messages' coded rows are not one encoding of the partitions", received=int(ids.size))
        return total if self.target == "sum" else decoded[covered]

    @classmethod
    def seed_example(cls, target: str = "product") -> CPGC:
        """The seed's ``A_c`` for ``K = M = 4``, ``r = 2`` (section 2), for ``target`` ``"product"`` or ``"sum"``."""
        return cls(4, 2, target=target, _tasks=SEED_EXAMPLE_SCHEDULE)

    @staticmethod
    def _construct(K: int, r: int, rng: np.random.Generator) -> list:
        half = K // 2
        tasks = [[(w,) for w in range(K)]]
        seen = [{w} for w in range(K)]
        seed_pool = seed_pairings(K) if K % 4 == 0 else []
        for row_index in range(1, r):
            preferred = SEED_SHIFTS[row_index - 1] if row_index - 1 < len(SEED_SHIFTS) else (0, 0)
            placed = None
            if len(seed_pool) >= 2 * row_index:
                placed = _place_halves(seed_pool[2 * row_index - 2], seed_pool[2 * row_index - 1], half, seen,
                                       preferred)
            if placed is None:
                left = _search_half(seen[:half], K, rng)
                right = _search_half(seen[half:], K, rng)
                placed = None if left is None or right is None else left + right
            if placed is None:
                raise ParameterError(f"no CPGC placement found for K={K}, r={r}: every worker needs "
                                     f"{2 * r - 1} distinct submatrices out of {K}")
            tasks.append(placed)
            for w, pair in enumerate(placed):
                seen[w].update(pair)
        return tasks


def _place_halves(first, second, half, seen, preferred):
    """Shift each pairing over its half of the workers so no worker meets a submatrix twice."""
    shifts = [preferred[0]] + [d for d in range(-half, half) if d != preferred[0]]
    shifts_second = [preferred[1]] + [d for d in range(-half, half) if d != preferred[1]]
    left = next((_shift(first, d) for d in shifts
                 if all(not (set(p) & seen[w]) for w, p in enumerate(_shift(first, d)))), None)
    right = next((_shift(second, d) for d in shifts_second
                  if all(not (set(p) & seen[half + w]) for w, p in enumerate(_shift(second, d)))), None)
    if left is None or right is None:
        return None
    return left + right


def _search_half(held: list[set], M: int, rng: np.random.Generator) -> list | None:
    """Depth-first search: pair up ``0..M-1`` so worker ``w`` of this half gets a pair disjoint from ``held[w]``."""
    free = set(range(M))
    chosen: list = [None] * len(held)
    budget = [SEARCH_BUDGET]
    order = sorted(range(len(held)), key=lambda w: -len(held[w]))  # most constrained first

    def assign(position: int) -> bool:
        if position == len(order):
            return True
        w = order[position]
        options = [int(x) for x in rng.permutation(sorted(free - held[w]))]
        for i, a in enumerate(options):
            for b in options[i + 1:]:
                budget[0] -= 1
                if budget[0] < 0:
                    return False
                free.difference_update((a, b))
                chosen[w] = (a, b)
                if assign(position + 1):
                    return True
                free.update((a, b))
        return False

    return chosen if assign(0) else None
