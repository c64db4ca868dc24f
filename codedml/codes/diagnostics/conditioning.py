"""Numerical honesty of real-field codes: condition numbers and decoding errors over survivor sets.

Any code with a ``recovery_threshold`` that provides two methods can be measured:
``random_results(rng, dimension)`` (every worker's result for Gaussian data, and the exact target)
and ``decoding_matrix(received)`` (the rows the decoder inverts for a survivor set). For a
:class:`~codedml.codes.gradient.base.GradientCode` the matrix is ``B_J``, the encoding rows the
decoder actually uses (``J`` = support of the decoding vector ``a``), and the relative error is
``||a^T B g - sum_j g_j|| / ||sum_j g_j||``; for an
:class:`~codedml.codes.computation.mds.MDSCodedComputation` it is the generator rows ``G_I`` and the
error that of the recovered ``W theta``. The condition number is the ratio of the extreme singular
values. A set the code refuses (:class:`~codedml.errors.NotDecodableError`) counts as infinite.

Survivor sets of the recovery-threshold size ``t``: all ``C(n, t)`` when there are at most
``n_samples``, else every cyclically contiguous window (the worst case of interpolation codes:
clustered points) plus ``n_samples`` uniformly random sets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from codedml._validation import array_size, integer
from codedml._validation import rng as validated_rng
from codedml.errors import NotDecodableError, ParameterError

#: What :func:`decoding_conditioning` needs of a code (besides ``field``, ``n_workers``, ``recovery_threshold``).
CONDITIONING_PROTOCOL = ("decode", "decoding_matrix", "random_results")


@dataclass(frozen=True)
class ConditioningReport:
    """Worst case over the sampled survivor sets.

    Attributes
    ----------
    n_sets : int
        Survivor sets examined.
    worst_condition : float
        Largest condition number of ``B_J`` (or ``G_I``).
    worst_relative_error : float
        Largest relative decoding error.
    worst_survivors : ndarray
        The survivor set with the largest error.
    """

    n_sets: int
    worst_condition: float
    worst_relative_error: float
    worst_survivors: np.ndarray


def survivor_sets(n_workers: int, size: int, n_samples: int, rng: np.random.Generator) -> list[np.ndarray]:
    """All size-``size`` subsets of ``range(n_workers)`` if at most ``n_samples``, else windows plus random sets."""
    n = integer(n_workers, "n_workers", minimum=1)
    size = integer(size, "size", minimum=0, maximum=n)
    n_samples = integer(n_samples, "n_samples", minimum=0)
    rng = validated_rng(rng, "rng")
    array_size(min(math.comb(n, size), n + n_samples) * size,
               f"the survivor sets (n={n}, size={size}, n_samples={n_samples})")
    if math.comb(n, size) <= n_samples:
        return [np.array(subset, dtype=np.int64) for subset in combinations(range(n), size)]
    windows = [np.sort((np.arange(size) + start) % n) for start in range(n)]
    return windows + [np.sort(rng.choice(n, size, replace=False)) for _ in range(n_samples)]


def decoding_conditioning(code, n_samples: int = 200, seed=None, dimension: int = 4) -> ConditioningReport:
    """Worst condition number and relative decoding error of a real-field code.

    Parameters
    ----------
    code : GradientCode, MDSCodedComputation or any code with the methods of the module notes
        A real-field code with a ``recovery_threshold``.
    n_samples : int
        Random survivor sets (besides the contiguous windows) when enumeration is too large.
    seed : None, int >= 0 or numpy.random.Generator, optional
        Seed of the survivor sets and of the test data.
    dimension : int
        ``d``: columns of the random partial gradients (or of ``W``).

    Examples
    --------
    >>> from codedml.codes import FractionalRepetition
    >>> from codedml.codes.diagnostics.conditioning import decoding_conditioning
    >>> report = decoding_conditioning(FractionalRepetition(4, 1), seed=0)
    >>> round(report.worst_condition, 12), report.worst_relative_error < 1e-15
    (1.0, True)
    """
    missing = [name for name in CONDITIONING_PROTOCOL if not callable(getattr(code, name, None))]
    if missing:
        raise ParameterError(f"code must provide {', '.join(CONDITIONING_PROTOCOL)} (a GradientCode or "
                             f"MDSCodedComputation does); {type(code).__name__} lacks {', '.join(missing)}")
    n_samples = integer(n_samples, "n_samples", minimum=0)
    dimension = integer(dimension, "dimension", minimum=1)
    if code.field != "real":
        raise ParameterError(f"conditioning is measured for real-field codes, got field {code.field!r}")
    threshold = code.recovery_threshold
    if threshold is None:
        raise ParameterError("the code has no recovery threshold to size the survivor sets")
    rng = validated_rng(seed)
    sets = survivor_sets(code.n_workers, threshold, n_samples, rng)
    results, target = code.random_results(rng, dimension)
    worst_condition, worst_error, worst_set = 0.0, 0.0, sets[0]
    for survivors in sets:
        try:
            decoded = code.decode(survivors, results[survivors])
            condition = float(np.linalg.cond(code.decoding_matrix(survivors)))
            error = float(np.linalg.norm(decoded - target) / np.linalg.norm(target))
        except NotDecodableError:
            condition, error = math.inf, math.inf
        worst_condition = max(worst_condition, condition)
        if error >= worst_error:
            worst_error, worst_set = error, survivors
    return ConditioningReport(len(sets), worst_condition, worst_error, worst_set)
