"""Bit allocation for the joint design of coding and quantization (seed section III-B).

Maximise ``U(b) = sum_i c_i(b_i)``, ``c_i(b) = (1 - p_i) / (p_i + omega(b))``,
``omega(b) = omega_scale / (2^(b-1) - 1)^2``, subject to ``sum_i b_i = B`` (``budget``) and
``b_i <= 32`` (:data:`codedml.learn.quantize.MAX_BITS`, what a quantized message can carry), over one
of two feasible sets:

- the seed's problem (b-SP1), the default: every worker gets ``b_i >= 2`` bits (a sign bit and at
  least one magnitude bit), i.e. ``b_i = 2 + r_i`` with residual bits ``r_i >= 0`` summing to the
  residual budget ``B - 2n``; every worker participates;
- ``allow_idle=True``: ``b_i in {0, 2, 3, ...}``; a worker given ``b_i = 0`` is idle (``c_i = 0``: the
  optimal structure gives it no data). Its optimum is at least the seed's (a larger feasible set) and
  much larger at small budgets, where concentrating bits on the most reliable workers pays (the convex
  regime of ``c_i``), but the idle workers' data is then never used.

``omega_scale`` is the QSGD constant ``D / 4`` (:func:`codedml.learn.quantize.omega_scale`) or any
rescaling of it (seed section V-B). The residual error of the joint design is ``G^2 k^2 / U(b)`` (see
:class:`codedml.codes.gradient.approximate.OptimallyStructuredGC`; the weights ``c_i`` are
:func:`codedml.codes.gradient.design.design_weights`).

Methods (compiled kernels in :mod:`codedml.kernels.bit_allocation`), each solving the chosen problem:

- ``"dp"``: dynamic programming over residual bits (seed eq. 25), optimal, ``O(n B min(B, 32))``;
- ``"low-complexity"``: Algorithm 1 (nested active sets of the most reliable workers, those given
  residual bits, or any bits when idling is allowed; Lagrangian relaxation + rounding vs. equal
  allocation, then one-bit swaps);
- ``"greedy"``: every worker at 2 bits, then one bit at a time to the largest marginal gain;
- ``"relaxation"``: the continuous relaxation over all workers, rounded to the budget.

With idling allowed, greedy and relaxation run on each set of the ``K`` most reliable workers and keep
the best (an optimal allocation idles the least reliable workers first: see the kernel module).
"""

from __future__ import annotations

import numpy as np

from codedml import _validation as validation
from codedml.codes.gradient.design import check_bits, check_omega_scale, check_probabilities
from codedml.errors import ParameterError
from codedml.kernels.bit_allocation import (
    allocation_utility,
    dynamic_programming_allocation,
    greedy_allocation,
    low_complexity_allocation,
    relaxation_allocation,
)
from codedml.learn.quantize import MAX_BITS

ALLOCATION_METHODS = {
    "dp": dynamic_programming_allocation,
    "low-complexity": low_complexity_allocation,
    "greedy": greedy_allocation,
    "relaxation": relaxation_allocation,
}


def allocation_objective(probabilities, bits, omega_scale: float) -> float:
    """``U(b) = sum_i c_i(b_i)``, the quantity every allocation method maximises (``c_i(0) = 0``)."""
    probabilities = check_probabilities(probabilities)
    bits = check_bits(bits, probabilities.size)
    return float(allocation_utility(probabilities, bits, check_omega_scale(omega_scale)))


def allocate_bits(probabilities, budget: int, omega_scale: float, method: str = "low-complexity",
                  allow_idle: bool = False) -> np.ndarray:
    """Bits per coordinate for each worker under a total budget ``B``.

    Parameters
    ----------
    probabilities : array_like, shape (n,)
        ``p_i``, each in ``(0, 1)``.
    budget : int
        ``B``, total bits per coordinate over all workers: ``2 n <= B <= 32 n`` (``2 <= B <= 32 n`` when
        ``allow_idle``); no worker gets more than :data:`codedml.learn.quantize.MAX_BITS` = 32.
    omega_scale : float
        ``s`` in ``omega(b) = s / (2^(b-1) - 1)^2`` (``D / 4`` for QSGD on ``D`` coordinates).
    method : {"dp", "low-complexity", "greedy", "relaxation"}
        See the module docstring.
    allow_idle : bool
        ``False`` (default): the seed's problem, every ``b_i >= 2``. ``True``: a worker may get
        ``b_i = 0`` and sit idle.

    Returns
    -------
    ndarray of int64, shape (n,)
        ``b_i``, summing to ``budget``: each in ``[2, 32]``, or 0 (idle) when ``allow_idle``.

    Examples
    --------
    >>> allocate_bits([0.1, 0.2, 0.3], 9, omega_scale=1.0, method="dp").tolist()
    [4, 3, 2]
    >>> allocate_bits([0.1, 0.2, 0.3], 9, omega_scale=1.0, method="dp", allow_idle=True).tolist()
    [5, 4, 0]

    At this small budget the least reliable worker is better left idle (the convex regime), if idling
    is allowed.
    """
    probabilities = check_probabilities(probabilities)
    method = validation.choice(method, "allocation method", ALLOCATION_METHODS)
    allow_idle = validation.flag(allow_idle, "allow_idle")
    n = probabilities.size
    budget = validation.integer(budget, "budget (an integer number of bits)")
    if allow_idle and budget < 2:
        raise ParameterError(f"budget B={budget} is below 2: an active worker needs at least 2 bits")
    if not allow_idle and budget < 2 * n:
        raise ParameterError(f"budget B={budget} is below 2 n = {2 * n}: every worker needs at least 2 bits "
                             f"(allow_idle=True lets workers sit idle)")
    if budget > MAX_BITS * n:
        raise ParameterError(f"budget B={budget} is above {MAX_BITS} n = {MAX_BITS * n}: a quantized message "
                             f"carries at most {MAX_BITS} bits per coordinate")
    omega_scale = check_omega_scale(omega_scale)
    if method == "dp":
        free = budget - (0 if allow_idle else 2 * n)
        validation.array_size(n * (free + 1), f"the n x (R + 1) table of the dynamic programme over R = {free} "
                              f"free bits (n={n}, B={budget})", itemsize=4)
    return ALLOCATION_METHODS[method](probabilities, budget, omega_scale, MAX_BITS, allow_idle)
