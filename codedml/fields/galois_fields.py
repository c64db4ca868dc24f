"""Finite fields the exact codes compute in: ``GF(2^8)``, ``GF(2^16)`` and ``GF(p)``.

`galois` defines each field (irreducible polynomial, primitive element); this module
turns it into the few plain integers and numpy tables that the kernels in
:mod:`codedml.kernels.gf2m` and :mod:`codedml.kernels.gfp` take as arguments.

Representation
--------------
``GF(2^m)``
    An element is an unsigned integer below ``2^m`` whose bits are the coefficients of a
    polynomial in ``alpha`` (``uint8`` for ``m = 8``, ``uint16`` for ``m = 16``), exactly as
    in `galois`. Addition is XOR. ``log[a]`` is the discrete logarithm of ``a != 0`` to the
    base ``alpha = 2``; ``exp`` holds ``alpha^i`` for ``0 <= i < 2(q - 1)`` so that
    ``exp[log[a] + log[b]]`` needs no modulo, followed by zeros: ``log[0]`` is the sentinel
    ``2(q - 1)``, and any index at or above it reads ``0``, so a product with zero needs no
    branch either (``exp`` has ``4(q - 1) + 1`` entries).
``GF(p)``
    An element is an ``int64`` in ``[0, p)``; ``p < 2^31`` so the product of two elements
    fits in an ``int64`` with room to spare.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import galois
import numpy as np

from codedml._validation import integer
from codedml.errors import FieldTooSmallError, ParameterError

#: Default prime of ``GF(p)``: the Mersenne prime ``2^31 - 1``.
DEFAULT_PRIME = 2**31 - 1

#: Field names accepted by :func:`get_field` for the binary extension fields.
BINARY_FIELD_NAMES = {"gf2^8": 8, "gf(2^8)": 8, "gf256": 8, "gf2^16": 16, "gf(2^16)": 16, "gf65536": 16}


@dataclass(frozen=True, eq=False)
class BinaryExtensionField:
    """``GF(2^m)`` for ``m`` in (8, 16), with the tables the kernels need.

    Attributes
    ----------
    degree : int
        ``m``.
    order : int
        ``q = 2^m``: the number of elements.
    irreducible_poly : int
        The defining (primitive) polynomial as an integer, bit ``i`` = coefficient of ``x^i``
        (``0x11D`` for ``GF(2^8)``, ``0x1002D`` for ``GF(2^16)``, galois's defaults).
    exp : ndarray of uint8 or uint16, shape (4(q - 1) + 1,)
        Antilogarithms ``alpha^i`` for ``i < 2(q - 1)``, zeros after (see the module notes).
    log : ndarray of int32, shape (q,)
        Discrete logarithms, ``log[0] = 2(q - 1)`` (the zero sentinel).
    dtype : numpy.dtype
        ``uint8`` or ``uint16``: the symbol type.
    """

    degree: int
    order: int
    irreducible_poly: int
    exp: np.ndarray
    log: np.ndarray
    dtype: np.dtype

    @property
    def reduction(self) -> int:
        """The irreducible polynomial without its ``x^m`` term: what ``x^m`` reduces to."""
        return self.irreducible_poly ^ self.order

    @property
    def name(self) -> str:
        return f"gf2^{self.degree}"

    @property
    def galois_field(self) -> type[galois.FieldArray]:
        """The same field as a galois class (tests and references only)."""
        return galois.GF(2**self.degree)

    def __repr__(self) -> str:
        return f"BinaryExtensionField(degree={self.degree}, irreducible_poly={self.irreducible_poly:#x})"


@dataclass(frozen=True, eq=False)
class PrimeField:
    """``GF(p)`` for a prime ``p < 2^31``.

    Attributes
    ----------
    characteristic : int
        ``p``.
    primitive_element : int
        A generator of the multiplicative group (galois's choice).
    """

    characteristic: int
    primitive_element: int

    @property
    def order(self) -> int:
        return self.characteristic

    @property
    def name(self) -> str:
        return f"gf{self.characteristic}"

    @property
    def galois_field(self) -> type[galois.FieldArray]:
        return galois.GF(self.characteristic)


def binary_extension_field(degree: int) -> BinaryExtensionField:
    """``GF(2^degree)`` for ``degree`` in (8, 16), its tables built once and cached (read-only)."""
    try:
        checked = integer(degree, "m")
    except ParameterError:
        checked = None
    if checked not in (8, 16):
        raise ParameterError(f"binary extension fields GF(2^m) are offered for m in (8, 16), got m={degree!r}")
    return _binary_extension_field(checked)


@functools.cache
def _binary_extension_field(degree: int) -> BinaryExtensionField:
    reference = galois.GF(2**degree)
    order = 2**degree
    if int(reference.primitive_element) != 2:
        raise ParameterError(f"galois's GF(2^{degree}) has primitive element {reference.primitive_element}, "
                             "the tables assume alpha = x")
    dtype = np.dtype(np.uint8 if degree == 8 else np.uint16)
    powers = np.asarray(reference.primitive_element ** np.arange(order - 1), dtype=np.int64)
    exp = np.zeros(4 * (order - 1) + 1, dtype=dtype)
    exp[: order - 1] = powers
    exp[order - 1: 2 * (order - 1)] = powers
    log = np.empty(order, dtype=np.int32)
    log[powers] = np.arange(order - 1, dtype=np.int32)
    log[0] = 2 * (order - 1)
    exp.flags.writeable = False
    log.flags.writeable = False
    return BinaryExtensionField(degree, order, int(reference.irreducible_poly), exp, log, dtype)


def prime_field(characteristic: int = DEFAULT_PRIME) -> PrimeField:
    """``GF(p)`` for a prime ``2 <= p < 2^31`` (default ``2^31 - 1``)."""
    try:
        characteristic = integer(characteristic, "p", minimum=2, maximum=2**31 - 1)
    except ParameterError:
        raise ParameterError(f"GF(p) needs an integer prime 2 <= p < 2^31, got p={characteristic!r}") from None
    return _prime_field(characteristic)


@functools.cache
def _prime_field(characteristic: int) -> PrimeField:
    if not galois.is_prime(characteristic):
        raise ParameterError(f"GF(p) needs a prime p, got p={characteristic} (not prime)")
    reference = galois.GF(characteristic)
    return PrimeField(characteristic, int(reference.primitive_element))


def get_field(field: str | int | BinaryExtensionField | PrimeField) -> BinaryExtensionField | PrimeField:
    """Resolve a field description.

    Parameters
    ----------
    field : str, int or field object
        ``"gf2^8"`` / ``"gf2^16"`` (also ``"gf(2^8)"``, ``"gf256"``, ...), ``"gfp"`` (the default
        prime ``2^31 - 1``), ``"gf(p)"`` with ``p`` written out (e.g. ``"gf(65537)"``), an integer
        prime ``p``, or an already-built field, returned as is.
    """
    if isinstance(field, (BinaryExtensionField, PrimeField)):
        return field
    if isinstance(field, (int, np.integer)) and not isinstance(field, (bool, np.bool_)):
        return prime_field(int(field))
    if isinstance(field, str):
        key = field.strip().lower().replace(" ", "")
        if key in BINARY_FIELD_NAMES:
            return binary_extension_field(BINARY_FIELD_NAMES[key])
        if key == "gfp":
            return prime_field(DEFAULT_PRIME)
        digits = key.removeprefix("gf").strip("()")
        if digits.isdigit():
            return prime_field(int(digits))
    raise ParameterError(f"unknown field {field!r}: use 'gf2^8', 'gf2^16', 'gfp' or 'gf(p)' with a prime p < 2^31")


def check_field_size(field: BinaryExtensionField | PrimeField, n_points: int, what: str = "evaluation points") -> None:
    """Raise :class:`FieldTooSmallError` unless ``field`` has at least ``n_points`` distinct elements.

    Parameters
    ----------
    field : field object
    n_points : int
        How many distinct elements the code needs (e.g. ``n`` evaluation points).
    what : str
        What the points are, for the message.
    """
    if not isinstance(field, (BinaryExtensionField, PrimeField)):
        raise ParameterError(f"field must be a field object from get_field, got {type(field).__name__}")
    n_points = integer(n_points, "n_points", minimum=0)
    if n_points > field.order:
        raise FieldTooSmallError(
            f"{field.name} has {field.order} elements, fewer than the {n_points} distinct {what} needed")
