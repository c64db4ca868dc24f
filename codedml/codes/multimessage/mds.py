"""MDS-coded computation with one or many messages per worker (MCC, Lee et al.; seed cpgc section 2)."""

from __future__ import annotations

from codedml import _validation as check
from codedml.codes.multimessage.base import MessageSchedule, MultiMessageCode
from codedml.codes.real_generators import chebyshev_vandermonde


class MDSCodedComputationMMC(MultiMessageCode):
    """MDS-coded computation (MCC, Lee et al.; seed cpgc section 2), real field.

    ``W`` is split into ``M`` submatrices, encoded into ``K r`` coded submatrices by a real
    ``(M, K r)`` MDS code (Chebyshev-basis Vandermonde at Chebyshev points: any ``M`` rows
    are invertible in exact arithmetic; numerically, decoding stays within 1e-6 only up to about
    22 rows, see :class:`~codedml.codes.MDSCodedComputation`; decodability, and so the
    simulator, uses the exact MDS threshold, while :meth:`decode` checks its residual and
    raises :class:`~codedml.errors.DecodingAccuracyError` where the rows are too
    ill-conditioned); worker ``j``
    computes coded submatrices ``j r .. j r + r - 1``. With ``multi_message=False`` it sends
    all ``r`` results in one message after its last computation (the seed's MCC);
    otherwise one message per computation.

    Parameters
    ----------
    n_workers : int
        Workers (the seed's ``K``), ``>= 1``.
    n_partitions : int
        Submatrices (the seed's ``M``), ``1 <= M <= K r``.
    computation_load : int
        ``r``, coded submatrices per worker, ``>= 1``.
    multi_message : bool
        One message per computation instead of one per worker.
    target : {"product", "sum"}
        ``"product"``: every ``W_j theta`` (the seed's MCC); ``"sum"``: ``sum_j g_j`` of ``M``
        partial gradients coded the same way.

    Notes
    -----
    Decodability follows the MDS rule, every submatrix (or the sum) from ``M`` coded rows or
    nothing: ``required`` (partial mode) below ``M`` does not lower the threshold, and a partial
    decode covers all ``M`` partitions. (The real Chebyshev rows at symmetric points ``x``,
    ``-x`` happen to determine some single partitions from fewer rows; the rule does not use
    that, so it is conservative, never wrong.)

    Examples
    --------
    >>> code = MDSCodedComputationMMC(4, 4, 2)
    >>> code.is_decodable(code.received_after([2, 2, 0, 0]))   # two workers, four coded rows
    True
    """

    def __init__(self, n_workers: int, n_partitions: int, computation_load: int, multi_message: bool = False,
                 target: str = "product"):
        K = check.integer(n_workers, "n_workers", minimum=1)
        r = check.integer(computation_load, "computation_load", minimum=1)
        M = check.integer(n_partitions, "n_partitions", minimum=1, maximum=K * r)
        multi_message = check.flag(multi_message, "multi_message")
        target = check.choice(target, "target", ("product", "sum"))
        check.array_size(2 * K * r * M, f"the (K r) x M = {K * r} x {M} MCC generator and coefficient rows "
                         f"(n_workers={K}, n_partitions={M}, computation_load={r})")
        generator = chebyshev_vandermonde(K * r, M)
        if multi_message:
            messages = [(w, t + 1, generator[w * r + t], 1.0 / M) for w in range(K) for t in range(r)]
            needed = M
        else:
            messages = [(w, r, generator[w * r:(w + 1) * r], r / M) for w in range(K)]
            needed = -(-M // r)
        # MDS: any M coded rows decode, so a threshold on distinct messages decides
        super().__init__(K, M, r, target, MessageSchedule.from_messages(messages), [needed])
        self.generator = generator
