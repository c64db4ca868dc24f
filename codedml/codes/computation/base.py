"""The coded-computation family: ``n_workers`` compute on coded data, the master decodes their results.

:class:`ComputationCode` fixes the shape MDS-coded computation, Lagrange coded computing and
rateless coded computation share: the number of workers, the recovery threshold, ``encode``,
``decode(received, results)`` and ``is_decodable(received)``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from codedml._validation import received_ids


class ComputationCode(ABC):
    """Abstract coded computation: ``n_workers`` workers, results decodable from ``recovery_threshold``.

    Attributes
    ----------
    n_workers : int
        ``K`` (seed cpgc, gc-mmc), ``p`` (Mallick et al.): the number of workers.
    recovery_threshold : int
        The fewest results that ever decode (MDS and Lagrange: any that many do).
    """

    n_workers: int
    recovery_threshold: int

    @property
    def n_results(self) -> int:
        """How many results the ids of ``received`` range over: one per worker (rateless: per coded row)."""
        return self.n_workers

    @abstractmethod
    def encode(self, data) -> np.ndarray:
        """The coded data the workers compute on."""

    @abstractmethod
    def decode(self, received, results) -> np.ndarray:
        """The computation's result from the received results, or :class:`~codedml.errors.NotDecodableError`."""

    def is_decodable(self, received) -> bool:
        """Any ``recovery_threshold`` distinct results decode (MDS and Lagrange codes)."""
        return self.survivors(received).size >= self.recovery_threshold

    def survivors(self, received) -> np.ndarray:
        """Sorted unique result ids from an index array (any order) or boolean mask."""
        return np.sort(received_ids(received, self.n_results))
