"""Exceptions raised by codedml.

Every error names what is wrong and, where it helps, what was expected. Parameter,
shape and non-finite errors subclass :class:`ValueError` so that generic callers can
catch them as such.
"""

from __future__ import annotations


class CodedMLError(Exception):
    """Base class of every codedml exception."""


class NotDecodableError(CodedMLError):
    """The received messages do not determine the target.

    Parameters
    ----------
    message : str
        What went wrong.
    received : int, optional
        How many messages arrived.
    needed : int, optional
        How many messages the code needs (its recovery threshold), where one exists.
    """

    def __init__(self, message: str, received: int | None = None, needed: int | None = None):
        super().__init__(message)
        self.received = received
        self.needed = needed


class DecodingAccuracyError(NotDecodableError):
    """A real-field decoding vector was found but fails its residual check.

    Raised instead of returning a gradient that would be silently wrong because the
    survivors' encoding rows are numerically (not exactly) rank deficient.
    """


class ParameterError(CodedMLError, ValueError):
    """A code, model or command was given parameters outside its domain (e.g. ``s >= n``)."""


class FieldTooSmallError(ParameterError):
    """A finite field has fewer elements than the code needs (e.g. more workers than points)."""


class SizeError(ParameterError):
    """A size whose arrays would not fit in memory (the message names the size and the limit)."""


class ShapeError(CodedMLError, ValueError):
    """An array has the wrong shape for the code it is given to."""


class NonFiniteError(CodedMLError, ValueError):
    """An input array holds NaN or infinity."""


class ClusterError(CodedMLError):
    """A Dask cluster could not be reached or used (e.g. no scheduler answers at the address)."""
