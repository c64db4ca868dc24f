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

from codedml._validation import field_elements, integer, real, real_array
from codedml.errors import FieldTooSmallError, ParameterError
from codedml.fields.galois_fields import DEFAULT_PRIME, PrimeField, get_field

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
        The prime ``p < 2^31`` (default ``2^31 - 1``) or anything :func:`codedml.fields.galois_fields.get_field`
        resolves to a prime field.

    Examples
    --------
    >>> import numpy as np
    >>> from codedml.fields.fixed_point import Quantizer
    >>> quantizer = Quantizer(4.0, 101)
    >>> quantizer.quantize(np.array([1.25, -0.5]))
    array([ 5, 99])
    >>> quantizer.dequantize(np.array([5, 99]))
    array([ 1.25, -0.5 ])
    """

    def __init__(self, scale: float = DEFAULT_SCALE, p=DEFAULT_PRIME):
        scale = real(scale, "scale", minimum=0.0, open_minimum=True)
        field = get_field(p)
        if not isinstance(field, PrimeField):
            raise ParameterError(f"fixed-point quantisation needs a prime field GF(p), got {field.name}")
        self.scale = scale
        self.field = field
        self.p = field.characteristic

    @property
    def largest_integer(self) -> int:
        """``(p - 1) / 2``: the largest magnitude a decoded integer may have."""
        return (self.p - 1) // 2

    def integer_bound(self, bound: float, degree: int = 1) -> int:
        """Largest ``|round(x_1 scale) ... round(x_degree scale)|`` for ``|x_t| <= bound`` (exact Python int)."""
        bound = real(bound, "bound", minimum=0.0)
        degree = integer(degree, "degree", minimum=0)
        scaled = bound * self.scale
        if not math.isfinite(scaled):
            raise FieldTooSmallError(f"bound={bound:.6g} times scale={self.scale:.6g} overflows float64; "
                                     f"lower the scale or the bound")
        return math.floor(scaled + 0.5) ** degree

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
        n_summands = integer(n_summands, "n_summands", minimum=0)
        worst = n_summands * self.integer_bound(bound, degree)
        if worst > self.largest_integer:
            raise FieldTooSmallError(
                f"fixed-point sums can wrap around p={self.p}: {n_summands} summands of degree {degree} with "
                f"|value| <= {bound:.6g} at scale {self.scale:.6g} reach {worst}, above (p - 1)/2 = "
                f"{self.largest_integer}; lower the scale or the bound, or use fewer summands")

    def quantize(self, values: np.ndarray, scale_power: int = 1) -> np.ndarray:
        """``round(values * scale^scale_power) mod p`` as int64 field elements.

        Raises
        ------
        ParameterError
            If ``values`` is not a real numeric array (``None``, strings, complex).
        NonFiniteError
            If ``values`` holds NaN or inf.
        FieldTooSmallError
            If a single quantised value already reaches ``p / 2``.
        """
        array = real_array(values, "values")
        if np.ndim(values) == 0:
            array = array.reshape(())
        with np.errstate(over="ignore"):
            scaled = np.rint(array * self._factor(scale_power))
        largest = float(np.abs(scaled).max()) if scaled.size else 0.0
        if not largest <= self.largest_integer:  # also catches an overflow to inf
            raise FieldTooSmallError(
                f"a quantised value {largest:.6g} is not below p/2 (p={self.p}); lower the scale")
        return scaled.astype(np.int64) % self.p

    def to_signed(self, elements: np.ndarray) -> np.ndarray:
        """Field elements in ``[0, p)`` as signed integers in ``(-p/2, p/2)``.

        Raises
        ------
        ParameterError
            If ``elements`` holds anything but integers in ``[0, p)`` (floats, negatives, complex).
        """
        elements = field_elements(elements, "elements", self.p)
        return np.where(elements > self.largest_integer, elements - self.p, elements)

    def dequantize(self, elements: np.ndarray, scale_power: int = 1) -> np.ndarray:
        """Real values of field elements carrying the scale ``scale^scale_power``."""
        return self.to_signed(elements) / self._factor(scale_power)

    def _factor(self, scale_power) -> float:
        """``scale^scale_power`` as a finite float."""
        scale_power = integer(scale_power, "scale_power", minimum=0)
        try:
            factor = self.scale**scale_power
        except OverflowError:
            factor = math.inf
        if not math.isfinite(factor) or factor == 0.0:
            raise ParameterError(f"scale^scale_power = {self.scale:.6g}^{scale_power} is outside the float64 "
                                 f"range; lower the scale")
        return factor

    def __repr__(self) -> str:
        return f"Quantizer(scale={self.scale!r}, p={self.p})"

