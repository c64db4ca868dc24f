"""Fixed-point quantisation of real arrays into the prime field ``GF(p)``.

Exact codes over ``GF(p)`` (polynomial gradient codes, MDS and Lagrange coded computation)
compute on integers. A real ``x`` becomes the integer ``v = round(x * scale)``, stored as the
field element ``v mod p`` (a negative ``v`` as ``p - |v|``). A field element above ``p / 2``
reads back as negative. Sums and products of such integers are computed exactly mod ``p``;
the decoded result is the true integer result as long as that integer lies in
``(-p/2, p/2)``: :meth:`Quantizer.check_no_overflow` proves this from a bound on the inputs
before anything is encoded, and raises otherwise.

A product of ``degree`` quantised factors carries the scale ``scale^degree``;
:meth:`Quantizer.dequantize` takes that degree.
"""

from __future__ import annotations

import math

import numpy as np

from codedml.codes.base import check_finite
from codedml.errors import FieldTooSmallError, ParameterError, ShapeError
from codedml.fields import DEFAULT_PRIME, PrimeField, get_field

#: Default fixed-point scale: 16 fractional bits.
DEFAULT_SCALE = 2.0**16


class Quantizer:
    """Real arrays to ``GF(p)`` fixed-point integers and back.

    Parameters
    ----------
    scale : float
        Fixed-point scale: ``x`` is stored as ``round(x * scale)``; a power of two keeps
        ``x * scale`` exact.
    p : int or str or PrimeField
        The prime ``p < 2^31`` (default ``2^31 - 1``) or anything :func:`codedml.fields.get_field`
        resolves to a prime field.

    Examples
    --------
    >>> import numpy as np
    >>> from codedml.codes.fixed_point import Quantizer
    >>> quantizer = Quantizer(4.0, 101)
    >>> quantizer.quantize(np.array([1.25, -0.5]))
    array([ 5, 99])
    >>> quantizer.dequantize(np.array([5, 99]))
    array([ 1.25, -0.5 ])
    """

    def __init__(self, scale: float = DEFAULT_SCALE, p=DEFAULT_PRIME):
        if not (isinstance(scale, (int, float, np.integer, np.floating)) and math.isfinite(scale) and scale > 0):
            raise ParameterError(f"the fixed-point scale must be a positive finite number, got {scale!r}")
        field = get_field(p)
        if not isinstance(field, PrimeField):
            raise ParameterError(f"fixed-point quantisation needs a prime field GF(p), got {field.name}")
        self.scale = float(scale)
        self.field = field
        self.p = field.characteristic

    @property
    def largest_integer(self) -> int:
        """``(p - 1) / 2``: the largest magnitude a decoded integer may have."""
        return (self.p - 1) // 2

    def integer_bound(self, bound: float, degree: int = 1) -> int:
        """Largest ``|round(x_1 scale) ... round(x_degree scale)|`` for ``|x_t| <= bound`` (exact Python int)."""
        if not (math.isfinite(bound) and bound >= 0):
            raise ParameterError(f"the coefficient bound must be a finite non-negative number, got {bound!r}")
        return math.floor(bound * self.scale + 0.5) ** int(degree)

    def check_no_overflow(self, n_summands: int, bound: float, degree: int = 1) -> None:
        """Prove that a sum of ``n_summands`` products of ``degree`` quantised values cannot wrap around ``p``.

        Each factor is a real of magnitude at most ``bound``, so each quantised product has
        magnitude at most ``integer_bound(bound, degree)`` and the sum at most ``n_summands`` times
        that. Decoding is exact iff this stays at most ``(p - 1) / 2``.

        Raises
        ------
        FieldTooSmallError
            If the worst-case sum reaches ``p / 2``; the message names the bound, the sum and ``p``.
        """
        if int(n_summands) != n_summands or n_summands < 0:
            raise ParameterError(f"n_summands must be a non-negative integer, got {n_summands!r}")
        worst = int(n_summands) * self.integer_bound(bound, degree)
        if worst > self.largest_integer:
            raise FieldTooSmallError(
                f"fixed-point sums can wrap around p={self.p}: {n_summands} summands of degree {degree} with "
                f"|value| <= {bound:.6g} at scale {self.scale:.6g} reach {worst}, above (p - 1)/2 = "
                f"{self.largest_integer}; lower the scale or the bound, or use fewer summands")

    def quantize(self, values: np.ndarray, scale_power: int = 1) -> np.ndarray:
        """``round(values * scale^scale_power) mod p`` as int64 field elements.

        Raises
        ------
        NonFiniteError
            If ``values`` holds NaN or inf.
        FieldTooSmallError
            If a single quantised value already reaches ``p / 2``.
        """
        values = np.asarray(values, dtype=np.float64)
        check_finite(values, "values to quantise")
        scaled = np.rint(values * self.scale**scale_power)
        if scaled.size and float(np.abs(scaled).max()) > self.largest_integer:
            raise FieldTooSmallError(
                f"a quantised value {float(np.abs(scaled).max()):.6g} is not below p/2 (p={self.p}); "
                "lower the scale")
        return scaled.astype(np.int64) % self.p

    def to_signed(self, elements: np.ndarray) -> np.ndarray:
        """Field elements in ``[0, p)`` as signed integers in ``(-p/2, p/2)``."""
        elements = np.asarray(elements)
        if not np.issubdtype(elements.dtype, np.integer):
            raise ShapeError(f"field elements must be an integer array, got dtype {elements.dtype}")
        elements = elements.astype(np.int64)
        if elements.size and (elements.min() < 0 or elements.max() >= self.p):
            raise ParameterError(f"field elements must lie in [0, p) = [0, {self.p})")
        return np.where(elements > self.largest_integer, elements - self.p, elements)

    def dequantize(self, elements: np.ndarray, scale_power: int = 1) -> np.ndarray:
        """Real values of field elements carrying the scale ``scale^scale_power``."""
        return self.to_signed(elements) / self.scale**scale_power

    def __repr__(self) -> str:
        return f"Quantizer(scale={self.scale!r}, p={self.p})"
