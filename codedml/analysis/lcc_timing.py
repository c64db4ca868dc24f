"""Completion-time model of Lagrange coded computing (Yu et al.), for the gc-mmc comparison."""

from __future__ import annotations

import numpy as np

from codedml import _validation as check
from codedml.codes.multimessage.base import MessageSchedule, MultiMessageCode
from codedml.errors import ParameterError


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
    The simulator drives it like any multi-message code (:func:`codedml.sim.simulate`).

    Parameters
    ----------
    n_workers : int
        Workers (gc-mmc's ``K``), ``>= 1``.
    computation_load : int
        ``r``, partitions per worker, ``>= 1`` (dividing ``n_workers`` for one message per worker).
    degree : int
        Degree of the gradient as a polynomial in the data, ``>= 1``.
    multi_message : bool
        One message per computation instead of one per worker.

    Examples
    --------
    >>> LagrangeCompletionModel(40, 10).recovery_threshold   # (40 / 10 - 1) 2 + 1
    7
    """

    def __init__(self, n_workers: int, computation_load: int, degree: int = 2, multi_message: bool = False):
        K = check.integer(n_workers, "n_workers", minimum=1)
        r = check.integer(computation_load, "computation_load", minimum=1)
        degree = check.integer(degree, "degree", minimum=1)
        multi_message = check.flag(multi_message, "multi_message")
        if multi_message:
            check.array_size(K * r * K, f"the LCC timing schedule (n_workers={K}, computation_load={r})")
            threshold = (K - 1) * degree + 1
            messages = [(w, t + 1, np.zeros(K), 1.0) for w in range(K) for t in range(r)]
        else:
            if K % r:
                raise ParameterError(f"one-message LCC here needs computation_load to divide n_workers; "
                                     f"got n_workers={K}, computation_load={r}")
            check.array_size(K * K, f"the LCC timing schedule (n_workers={K})")
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

    def decode_partial(self, received, coded_rows, required=None):
        raise ParameterError("LagrangeCompletionModel models completion time only; use LagrangeCodedComputing")
