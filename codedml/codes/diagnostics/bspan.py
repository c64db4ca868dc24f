"""The B-span condition (survey Condition 1), checked independently of a code's decoder."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from codedml._validation import array_size, instance, integer, real
from codedml._validation import rng as validated_rng
from codedml.codes.gradient.base import GradientCode
from codedml.errors import ParameterError
from codedml.kernels.real_decoding import span_residuals


@dataclass(frozen=True)
class BSpanReport:
    """Outcome of :func:`check_b_span`.

    Attributes
    ----------
    passed : bool
        Every checked survivor set spans the all-ones vector.
    exhaustive : bool
        All ``C(n, n - s)`` survivor sets were checked (else a random sample).
    n_checked : int
        Number of survivor sets checked.
    worst_residual : float
        Largest least-squares residual ``max_j |(a^T B_I)_j - 1|`` met.
    failing_survivors : tuple of int or None
        A survivor set that does not span ``1``, if one was found.
    """

    passed: bool
    exhaustive: bool
    n_checked: int
    worst_residual: float
    failing_survivors: tuple[int, ...] | None

    def __bool__(self) -> bool:
        return self.passed


def check_b_span(code: GradientCode, exhaustive_limit: int = 20_000, n_samples: int = 200,
                 tolerance: float = 1e-8, seed=None) -> BSpanReport:
    """Check Condition 1: every ``n - s`` rows of ``B`` span the all-ones vector.

    The test solves least squares on each ``B_I`` (a kernel), never the code's own
    decoder, so it also validates decoders.

    Parameters
    ----------
    code : GradientCode
        A code with a ``recovery_threshold`` (``n - s``).
    exhaustive_limit : int
        Enumerate every survivor set when there are at most this many (``C(n, s)``);
        otherwise draw ``n_samples`` uniformly random sets.
    n_samples : int
        Number of random survivor sets above the limit.
    tolerance : float
        Largest residual that counts as spanning.
    seed : int or numpy.random.Generator, optional
        Randomness of the sample.

    Returns
    -------
    BSpanReport
        Truthy when the condition held on every checked set.
    """
    instance(code, "code", GradientCode)
    exhaustive_limit = integer(exhaustive_limit, "exhaustive_limit", minimum=0)
    n_samples = integer(n_samples, "n_samples", minimum=1)
    tolerance = real(tolerance, "tolerance", minimum=0.0)
    rng = validated_rng(seed)
    needed = code.recovery_threshold
    if needed is None:
        raise ParameterError("check_b_span needs a code with a recovery_threshold (n - s)")
    n = code.n_workers
    array_size(n * code.n_partitions, f"the dense encoding matrix (n={n}, k={code.n_partitions})")
    dense = code.encoding_matrix.toarray().astype(np.float64)
    total = math.comb(n, needed)
    exhaustive = total <= exhaustive_limit
    array_size((total if exhaustive else n_samples) * max(needed, n),
               f"the survivor sets to check (n={n}, n - s={needed}, exhaustive_limit={exhaustive_limit}, "
               f"n_samples={n_samples})")
    if exhaustive:
        subsets = np.array(list(itertools.combinations(range(n), needed)), dtype=np.int64).reshape(total, needed)
    else:
        subsets = np.sort(np.argsort(rng.random((n_samples, n)), axis=1)[:, :needed], axis=1).astype(np.int64)
    residuals = span_residuals(np.ascontiguousarray(dense), subsets)
    worst = int(np.argmax(residuals))
    passed = bool(residuals[worst] <= tolerance)
    failing = None if passed else tuple(int(i) for i in subsets[worst])
    return BSpanReport(passed, exhaustive, int(subsets.shape[0]), float(residuals[worst]), failing)
