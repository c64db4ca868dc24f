"""The joint design of coding and quantization (seed ``quantized-approximate-gc`` section III): its inputs and weights.

Worker ``i`` straggles with probability ``p_i`` and quantizes its message with ``b_i`` bits per
coordinate (``omega(b) = omega_scale / (2^(b-1) - 1)^2``, the QSGD variance bound). The design
weights ``c_i`` set :class:`~codedml.codes.gradient.approximate.OptimallyStructuredGC`'s row sums;
:mod:`codedml.learn.bit_allocation` chooses the ``b_i`` that maximise ``sum_i c_i``.
"""

from __future__ import annotations

import numpy as np

from codedml._validation import integer_array, real, real_array
from codedml.errors import ParameterError


def check_probabilities(probabilities, name: str = "probabilities") -> np.ndarray:
    """``p`` as a non-empty 1-D float64 array, every entry in the open interval ``(0, 1)``.

    NaN counts as outside the interval (:class:`~codedml.errors.ParameterError`).
    """
    array = real_array(probabilities, f"straggler {name}", finite=False)
    if array.ndim != 1 or array.size < 1:
        raise ParameterError(f"straggler {name} must be a non-empty 1-D array, got shape {array.shape}")
    inside = (array > 0.0) & (array < 1.0)  # False for NaN
    if not inside.all():
        raise ParameterError(f"straggler {name} must lie in the open interval (0, 1); got {array[~inside][:5]}")
    return array


def check_omega_scale(omega_scale) -> float:
    """``omega_scale`` as a positive finite float."""
    return real(omega_scale, "omega_scale", minimum=0.0, open_minimum=True)


def check_bits(bits, n_workers: int) -> np.ndarray:
    """Per-worker bits as int64, each 0 (not participating) or at least 2."""
    array = integer_array(bits, "bits")
    if array.shape != (n_workers,):
        raise ParameterError(f"bits must have one entry per worker ({n_workers}), got shape {array.shape}")
    if np.any(array < 0) or np.any(array == 1):
        raise ParameterError(
            f"each worker needs 0 bits (not participating) or b >= 2 bits per coordinate, got {array[(array < 2)]}")
    if not np.any(array > 0):
        raise ParameterError("at least one worker must be given bits")
    return array


def design_weights(probabilities, bits, omega_scale: float) -> np.ndarray:
    """``c_i = (1 - p_i) / (p_i + omega(b_i))``, ``0`` for ``b_i = 0`` (seed's joint design).

    Examples
    --------
    >>> design_weights([0.5, 0.5], [2, 0], omega_scale=0.5).tolist()
    [0.5, 0.0]
    """
    probabilities = check_probabilities(probabilities)
    bits = check_bits(bits, probabilities.size)
    scale = check_omega_scale(omega_scale)
    levels = np.exp2(np.maximum(bits, 2) - 1.0) - 1.0
    weights = (1.0 - probabilities) / (probabilities + scale / levels**2)
    return np.where(bits > 0, weights, 0.0)
