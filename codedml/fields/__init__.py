"""Finite fields and the fixed-point encoding of reals into ``GF(p)``.

galois constructs the fields (:mod:`~codedml.fields.galois_fields`); codedml's kernels do the
arithmetic on the tables it provides. :mod:`~codedml.fields.fixed_point` maps real gradients to
field elements and back with an overflow check.
"""

from codedml.fields.fixed_point import DEFAULT_SCALE, Quantizer
from codedml.fields.galois_fields import (
    DEFAULT_PRIME,
    BinaryExtensionField,
    PrimeField,
    binary_extension_field,
    check_field_size,
    get_field,
    prime_field,
)

__all__ = [
    "DEFAULT_PRIME",
    "DEFAULT_SCALE",
    "BinaryExtensionField",
    "PrimeField",
    "Quantizer",
    "binary_extension_field",
    "check_field_size",
    "get_field",
    "prime_field",
]
