"""Numerical honesty of real-field codes: condition numbers and decoding errors over survivor sets.

For a real-field :class:`~codedml.codes.gradient.base.GradientCode`, a survivor set ``I`` is decoded with
the vector ``a``; the reported condition number is that of ``B_J``, the encoding rows the decoder
actually uses (``J`` = support of ``a``; ratio of the extreme singular values), and the relative
error is ``||a^T B g - sum_j g_j|| / ||sum_j g_j||`` for Gaussian partial gradients ``g``. For an
:class:`~codedml.codes.computation.mds.MDSCodedComputation` the matrix is the generator rows
``G_I`` and the error that of the recovered ``W theta``. A set the code refuses
(:class:`~codedml.errors.NotDecodableError`) counts as infinite.

Survivor sets of the recovery-threshold size ``t``: all ``C(n, t)`` when there are at most
``n_samples``, else every cyclically contiguous window (the worst case of interpolation codes:
clustered points) plus ``n_samples`` uniformly random sets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import scipy.sparse

from codedml._validation import array_size, instance, integer
from codedml._validation import rng as validated_rng
from codedml.codes.gradient.base import GradientCode
from codedml.codes.computation.mds import MDSCodedComputation
from codedml.errors import NotDecodableError, ParameterError


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


def survivor_sets(n: int, size: int, n_samples: int, rng: np.random.Generator) -> list[np.ndarray]:
    """All size-``size`` subsets of ``range(n)`` if at most ``n_samples``, else windows plus random sets."""
    n = integer(n, "n", minimum=1)
    size = integer(size, "size", minimum=0, maximum=n)
    n_samples = integer(n_samples, "n_samples", minimum=0)
    rng = validated_rng(rng, "rng")
    array_size(min(math.comb(n, size), n + n_samples) * size,
               f"the survivor sets (n={n}, size={size}, n_samples={n_samples})")
    if math.comb(n, size) <= n_samples:
        return [np.array(subset, dtype=np.int64) for subset in combinations(range(n), size)]
    windows = [np.sort((np.arange(size) + start) % n) for start in range(n)]
    return windows + [np.sort(rng.choice(n, size, replace=False)) for _ in range(n_samples)]


def decoding_conditioning(code, n_samples: int = 200, seed: int = 0, dimension: int = 4) -> ConditioningReport:
    """Worst condition number and relative decoding error of a real-field code.

    Parameters
    ----------
    code : GradientCode or MDSCodedComputation
        A real-field code with a ``recovery_threshold``.
    n_samples : int
        Random survivor sets (besides the contiguous windows) when enumeration is too large.
    seed : int or numpy.random.Generator
        Seed of the survivor sets and of the test data.
    dimension : int
        ``d``: columns of the random partial gradients (or of ``W``).

    Examples
    --------
    >>> from codedml.codes import FractionalRepetition
    >>> from codedml.codes.diagnostics.conditioning import decoding_conditioning
    >>> report = decoding_conditioning(FractionalRepetition(4, 1))
    >>> round(report.worst_condition, 12), report.worst_relative_error < 1e-15
    (1.0, True)
    """
    instance(code, "code", (GradientCode, MDSCodedComputation))
    n_samples = integer(n_samples, "n_samples", minimum=0)
    dimension = integer(dimension, "dimension", minimum=1)
    if code.field != "real":
        raise ParameterError(f"conditioning is measured for real-field codes, got field {code.field!r}")
    threshold = code.recovery_threshold
    if threshold is None:
        raise ParameterError("the code has no recovery threshold to size the survivor sets")
    rng = validated_rng(seed)
    sets = survivor_sets(code.n_workers, threshold, n_samples, rng)
    if isinstance(code, MDSCodedComputation):
        W = rng.standard_normal((code.n_submatrices, dimension))
        theta = rng.standard_normal(dimension)
        target = W @ theta
        results = code.worker_products(code.encode(W), theta)
    elif isinstance(code, GradientCode):
        partials = rng.standard_normal((code.n_partitions, dimension))
        target = partials.sum(axis=0)
        results = code.encode(partials)
        array_size(code.n_workers * code.n_partitions,
                   f"the dense encoding matrix (n={code.n_workers}, k={code.n_partitions})")
        matrix = code.encoding_matrix
        matrix = matrix.toarray() if scipy.sparse.issparse(matrix) else np.asarray(matrix)
    else:
        raise ParameterError(f"expected a GradientCode or MDSCodedComputation, got {type(code).__name__}")
    worst_condition, worst_error, worst_set = 0.0, 0.0, sets[0]
    for survivors in sets:
        try:
            decoded = code.decode(survivors, results[survivors])
            if isinstance(code, MDSCodedComputation):
                rows = code.generator[survivors[:threshold]]
            else:
                rows = matrix[np.flatnonzero(code.decoding_vector(survivors))]
            condition = float(np.linalg.cond(rows))
            error = float(np.linalg.norm(decoded - target) / np.linalg.norm(target))
        except NotDecodableError:
            condition, error = math.inf, math.inf
        worst_condition = max(worst_condition, condition)
        if error >= worst_error:
            worst_error, worst_set = error, survivors
    return ConditioningReport(len(sets), worst_condition, worst_error, worst_set)
