"""Uncoded baselines: the naive scheme and ignoring stragglers (survey Figure 3)."""

from __future__ import annotations

import numpy as np
import scipy.sparse

from codedml._validation import array_size
from codedml.codes.gradient.base import DEFAULT_CACHE_SIZE, LinearGradientCode, check_parameters
from codedml.errors import NotDecodableError


class UncodedScheme(LinearGradientCode):
    """Naive scheme: partition ``i`` on worker ``i`` only (``B = I``); wait for all ``n``.

    Parameters
    ----------
    n_workers : int
        The survey's ``n`` (gc-mmc's ``K``): workers, and partitions.
    """

    decodable_iff_count = True

    def __init__(self, n_workers: int, cache_size: int = DEFAULT_CACHE_SIZE):
        n, _ = check_parameters(n_workers, 0)
        array_size(n, f"the n x n identity encoding matrix (n_workers={n})", itemsize=32)
        super().__init__(scipy.sparse.identity(n, format="csr"), n_stragglers=0, cache_size=cache_size)

    def is_decodable(self, received) -> bool:
        return self.survivors(received).size >= self.recovery_threshold

    def _decoding_vector(self, survivors: np.ndarray) -> np.ndarray:
        if survivors.size < self.recovery_threshold:
            raise NotDecodableError(
                f"the uncoded scheme needs all {self.n_workers} messages, received {survivors.size}",
                received=survivors.size, needed=self.recovery_threshold)
        return np.ones(self.n_workers)


class IgnoreStragglers(UncodedScheme):
    """Uncoded, but stop after ``n - s`` messages and return the partial sum (approximate).

    ``decode`` returns ``sum_{i in I} g_i`` over the received partitions, not the full
    sum: ``exact`` is ``False``.

    Parameters
    ----------
    n_workers : int
        The survey's ``n``: workers, and partitions.
    n_stragglers : int
        The survey's ``s``: stragglers ignored, ``0 <= s < n``.
    """

    exact = False

    def __init__(self, n_workers: int, n_stragglers: int, cache_size: int = DEFAULT_CACHE_SIZE):
        n, s = check_parameters(n_workers, n_stragglers)
        super().__init__(n, cache_size=cache_size)
        self.n_stragglers = s

    def _decoding_vector(self, survivors: np.ndarray) -> np.ndarray:
        if survivors.size < self.recovery_threshold:
            raise NotDecodableError(
                f"ignore-stragglers waits for {self.recovery_threshold} of {self.n_workers} messages, "
                f"received {survivors.size}", received=survivors.size, needed=self.recovery_threshold)
        vector = np.zeros(self.n_workers)
        vector[survivors] = 1.0
        return vector
