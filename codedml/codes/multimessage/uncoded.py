"""Uncoded computation with multi-message communication (UC-MMC, seed cpgc ``A_u``)."""

from __future__ import annotations

import numpy as np

from codedml import _validation as check
from codedml.codes.multimessage.base import MessageSchedule, MultiMessageCode


def uncoded_mmc_schedule(n_workers: int, computation_load: int) -> MessageSchedule:
    """UC-MMC's cyclically shifted schedule ``A_u``: worker ``j`` computes ``j, j+1, ..., j+r-1 (mod K)``."""
    n_workers = check.integer(n_workers, "n_workers", minimum=1)
    computation_load = check.integer(computation_load, "computation_load", minimum=1, maximum=n_workers)
    check.array_size(n_workers * (computation_load + 1) * n_workers,
                     f"the UC-MMC coefficient rows (n_workers={n_workers}, computation_load={computation_load})")
    eye = np.eye(n_workers)
    return MessageSchedule.from_messages([
        (w, t + 1, eye[(w + t) % n_workers], 1.0 / n_workers, (w + t) % n_workers)
        for w in range(n_workers) for t in range(computation_load)])


class UncodedMMC(MultiMessageCode):
    """Uncoded computation with multi-message communication (UC-MMC, seed cpgc ``A_u``).

    Parameters
    ----------
    n_workers : int
        Workers (the seeds' ``K``), and submatrices (``M = K``), ``>= 1``.
    computation_load : int
        ``r``, in ``[1, n_workers]``: each worker computes ``r`` cyclically consecutive
        submatrices and sends each result as soon as it is done.
    target : {"product", "sum"}
        ``"product"`` (matrix-vector, seed cpgc) or ``"sum"`` (gradients, seed gc-mmc). Either
        way ``M'`` distinct partitions received cover ``M'`` (partial mode).

    Examples
    --------
    >>> code = UncodedMMC(4, 2)
    >>> code.is_decodable(code.received_after([1, 1, 1, 1]))   # every worker did one task
    True
    """

    def __init__(self, n_workers: int, computation_load: int, target: str = "product"):
        n_workers = check.integer(n_workers, "n_workers", minimum=1)
        computation_load = check.integer(computation_load, "computation_load", minimum=1, maximum=n_workers)
        target = check.choice(target, "target", ("product", "sum"))
        # a message's content is the partition it carries, one group per partition: M' distinct ones cover M'
        super().__init__(n_workers, n_workers, computation_load, target,
                         uncoded_mmc_schedule(n_workers, computation_load), np.ones(n_workers, dtype=np.int64),
                         np.arange(n_workers))
