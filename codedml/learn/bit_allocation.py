"""Bit allocation for the joint design of coding and quantization (seed section III-B).

Maximise ``U(b) = sum_i u_i(b_i)`` with ``u_i(0) = 0`` and, for ``b >= 2``,
``u_i(b) = c_i(b) = (1 - p_i) / (p_i + omega(b))``, ``omega(b) = omega_scale / (2^(b-1) - 1)^2``,
subject to ``sum_i b_i = B`` (``budget``) and ``b_i in {0, 2, 3, ...}``. A worker given
``b_i = 0`` does not participate (``c_i = 0``: the optimal structure gives it no data).
``omega_scale`` is the QSGD constant ``D / 4`` (:func:`codedml.learn.quantize.omega_scale`)
or any rescaling of it (seed section V-B). The residual error of the joint design is
``G^2 k^2 / U(b)`` (see :class:`codedml.codes.gradient.approximate.OptimallyStructuredGC`; the weights ``c_i`` are
:func:`codedml.codes.gradient.design.design_weights`).

Methods (all compiled kernels in :mod:`codedml.kernels.bit_allocation`):

- ``"dp"``: dynamic programming over residual bits, optimal, ``O(n B^2)``;
- ``"low-complexity"``: Algorithm 1 (nested active sets of the most reliable workers;
  Lagrangian relaxation + rounding vs. equal allocation, then one-bit swaps);
- ``"greedy"``: every worker at 2 bits, then one bit at a time to the largest marginal gain;
- ``"relaxation"``: the continuous relaxation over all workers, rounded to the budget.
"""

from __future__ import annotations

import numpy as np

from codedml._validation import array_size, integer
from codedml.codes.gradient.design import check_bits, check_omega_scale, check_probabilities
from codedml.errors import ParameterError
from codedml.kernels.bit_allocation import (
    allocation_utility,
    dynamic_programming_allocation,
    greedy_allocation,
    low_complexity_allocation,
    rounded_relaxation,
)
from codedml.learn.quantize import MAX_BITS

ALLOCATION_METHODS = {
    "dp": dynamic_programming_allocation,
    "low-complexity": low_complexity_allocation,
    "greedy": greedy_allocation,
    "relaxation": rounded_relaxation,
}


def allocation_objective(probabilities, bits, omega_scale: float) -> float:
    """``U(b) = sum_i c_i(b_i)``, the quantity every allocation method maximises."""
    probabilities = check_probabilities(probabilities)
    bits = check_bits(bits, probabilities.size)
    return float(allocation_utility(probabilities, bits, check_omega_scale(omega_scale)))


def allocate_bits(probabilities, budget: int, omega_scale: float, method: str = "low-complexity") -> np.ndarray:
    """Bits per coordinate for each worker under a total budget ``B``.

    Parameters
    ----------
    probabilities : array_like, shape (n,)
        ``p_i``, each in ``(0, 1)``.
    budget : int
        ``B``, total bits per coordinate over all workers; ``2 n <= B <= 32 n``
        (:data:`codedml.learn.quantize.MAX_BITS` per worker).
    omega_scale : float
        ``s`` in ``omega(b) = s / (2^(b-1) - 1)^2`` (``D / 4`` for QSGD on ``D`` coordinates).
    method : {"dp", "low-complexity", "greedy", "relaxation"}
        See the module docstring.

    Returns
    -------
    ndarray of int64, shape (n,)
        ``b_i``: 0 (worker idle) or at least 2, summing to ``budget``.

    Examples
    --------
    >>> allocate_bits([0.1, 0.2, 0.3], 9, omega_scale=1.0, method="dp").tolist()
    [5, 4, 0]

    At this small budget the least reliable worker is better left idle (the convex regime).
    """
    probabilities = check_probabilities(probabilities)
    if not isinstance(method, str) or method not in ALLOCATION_METHODS:
        raise ParameterError(f"unknown allocation method {method!r}; choose one of {sorted(ALLOCATION_METHODS)}")
    n = probabilities.size
    budget = integer(budget, "budget (an integer number of bits)")
    if budget < 2 * n:
        raise ParameterError(f"budget B={budget} is below 2 n = {2 * n}: every worker needs at least 2 bits")
    if budget > MAX_BITS * n:
        raise ParameterError(f"budget B={budget} is above {MAX_BITS} n = {MAX_BITS * n}: a quantized message "
                             f"carries at most {MAX_BITS} bits per coordinate")
    omega_scale = check_omega_scale(omega_scale)
    if method == "dp":
        array_size(n * (budget + 1), f"the n x (B + 1) table of the dynamic programme (n={n}, B={budget})",
                   itemsize=4)
    return ALLOCATION_METHODS[method](probabilities, budget, omega_scale)
