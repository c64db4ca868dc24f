"""Learning with approximate gradient codes: quantization and bit allocation."""

from codedml.codes.gradient.design import design_weights
from codedml.learn.bit_allocation import ALLOCATION_METHODS, allocate_bits, allocation_objective
from codedml.learn.quantize import (
    dequantize,
    message_bits,
    omega,
    omega_scale,
    pack,
    quantize,
    quantize_messages,
    unpack,
)

__all__ = [
    "ALLOCATION_METHODS",
    "allocate_bits",
    "allocation_objective",
    "dequantize",
    "design_weights",
    "message_bits",
    "omega",
    "omega_scale",
    "pack",
    "quantize",
    "quantize_messages",
    "unpack",
]
