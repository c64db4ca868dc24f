"""Exact completion time of multi-message codes from their score vectors (seed cpgc section 2.1).

Enumerate the score vectors ``C`` (computations each
worker finished), group them by cumulative type ``N = (N_r, ..., N_0)``, and integrate
``Pr(T <= t) = sum_C decodable prod_w P_{c_w}(t)`` under the shifted exponential model.
"""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
from scipy import integrate

from codedml import _validation as check
from codedml.codes.multimessage.base import MultiMessageCode
from codedml.errors import ParameterError, SizeError

#: Score-vector enumeration is refused above this many vectors ((r + 1)^K).
MAX_SCORE_VECTORS = 2_000_000


def _check_code(code) -> None:
    if not isinstance(code, MultiMessageCode):
        raise ParameterError(f"code must be a MultiMessageCode, got {type(code).__name__}")


def decodable_score_vectors(code: MultiMessageCode, required: int | None = None) -> np.ndarray:
    """Every score vector ``C in {0..r}^K`` from which the target is decodable, one per row.

    Raises :class:`~codedml.errors.SizeError` above ``MAX_SCORE_VECTORS`` vectors.
    """
    _check_code(code)
    required = code._required(required)
    r, K = code.computation_load, code.n_workers
    if (r + 1) ** K > MAX_SCORE_VECTORS:
        raise SizeError(f"(r + 1)^K = {(r + 1) ** K} score vectors (r={r}, K={K}) exceed the enumeration "
                        f"limit MAX_SCORE_VECTORS = {MAX_SCORE_VECTORS}")
    vectors = np.array(list(itertools.product(range(r + 1), repeat=K)), dtype=np.int64)
    received = vectors[:, code.schedule.worker] >= code.schedule.step
    order = np.where(received, np.arange(code.n_messages), code.n_messages)
    order = np.sort(order, axis=1)
    order[order == code.n_messages] = -1
    return vectors[code._prefix(order, required) > 0]  # a valid order by construction


def score_type_counts(code: MultiMessageCode, required: int | None = None) -> Counter:
    """Number of decodable score vectors of each cumulative type ``(N_r, ..., N_0)`` (seed cpgc Tables 1-2)."""
    vectors = decodable_score_vectors(code, required)
    r = code.computation_load
    counts = Counter()
    for vector in vectors:
        histogram = np.bincount(vector, minlength=r + 1)
        counts[tuple(int(histogram[s]) for s in range(r, -1, -1))] += 1
    return counts


def exact_expected_completion_time(code: MultiMessageCode, mu: float, alpha: float,
                                   required: int | None = None) -> float:
    """``E[T] = int_0^inf (1 - Pr(T <= t)) dt`` from the score-vector enumeration (shifted exponential).

    ``mu > 0`` is the rate and ``alpha >= 0`` the shift of one computation's time.
    """
    mu = check.real(mu, "mu", minimum=0.0, open_minimum=True)
    alpha = check.real(alpha, "alpha", minimum=0.0)
    vectors = decodable_score_vectors(code, required)
    r = code.computation_load

    def at_least(s: int, t: float) -> float:  # F_s(t): probability of >= s computations by t
        if s == 0:
            return 1.0
        if s > r:
            return 0.0
        return max(0.0, -np.expm1(-mu * (t / s - alpha)))

    def cdf(t: float) -> float:
        exactly = np.array([at_least(s, t) - at_least(s + 1, t) for s in range(r + 1)])
        return float(np.sum(np.prod(exactly[vectors], axis=1)))

    horizon = r * (alpha + 50.0 / mu)
    breakpoints = sorted({s * alpha for s in range(1, r + 1)})
    value, _ = integrate.quad(lambda t: 1.0 - cdf(t), 0.0, horizon, points=breakpoints, limit=400)
    return float(value)
