"""Stochastic QSGD-style quantizer ``Q_b`` (Alistarh et al.; seed section II-B) and its wire format.

``Q_b(x)`` sends ``||x||_2`` and, per coordinate, a sign and a magnitude level in
``{0..M}``, ``M = 2^(b-1) - 1`` (``b >= 2`` bits per coordinate). The level of coordinate
``j`` is ``r_j = M |x_j| / ||x||`` rounded up with probability ``r_j - floor(r_j)`` and down
otherwise, so ``E[Q_b(x)] = x`` and

    ``E||Q_b(x) - x||^2 = ||x||^2 / M^2 * sum_j f_j (1 - f_j) <= omega(b) ||x||^2``,
    ``omega(b) = (D / 4) / M^2``  (``f_j`` the fractional part of ``r_j``),

which is the variance factor of the joint design with ``omega_scale = D / 4``.

Wire format (:func:`pack` / :func:`unpack`): the norm as a little-endian float32, then
``D`` fields of ``b`` bits each, most significant bit first: the sign bit (1 = negative)
followed by the level in ``b - 1`` bits. One message is exactly ``32 + D b`` bits
(:func:`message_bits`), padded with zero bits to ``4 + ceil(D b / 8)`` bytes. The norm is
rounded *up* to float32 before the levels are drawn, so what is sent is exactly unbiased.
"""

from __future__ import annotations

import numpy as np

from codedml import _validation as check
from codedml.errors import ParameterError, ShapeError

#: Largest bits per coordinate the wire format supports (a float32 already costs 32).
MAX_BITS = 32

#: Bits of the norm that heads every message (one float32).
NORM_BITS = 32

#: Largest ``b`` of :func:`omega` (``2^(b-1)`` stays a finite float64).
MAX_OMEGA_BITS = 1024


def _check_bits(bits) -> int:
    """``b`` as an ``int`` in ``[2, 32]`` (a sign and at least one magnitude bit)."""
    return check.integer(bits, "bits per coordinate", minimum=2, maximum=MAX_BITS)


def levels(bits: int) -> int:
    """``M = 2^(b-1) - 1``, the largest magnitude level with ``b`` bits per coordinate."""
    return (1 << (_check_bits(bits) - 1)) - 1


def omega_scale(dimension: int) -> float:
    """``D / 4``: the QSGD constant with ``E||Q_b(x) - x||^2 <= (D / 4) / M^2 ||x||^2``."""
    return check.integer(dimension, "dimension", minimum=1) / 4.0


def omega(bits, scale: float) -> np.ndarray | float:
    """Variance factor ``omega(b) = scale / (2^(b-1) - 1)^2`` (array or scalar ``b >= 2``).

    Examples
    --------
    >>> float(omega(3, scale=9.0))
    1.0
    """
    array = check.integer_array(bits, "bits b", minimum=2, maximum=MAX_OMEGA_BITS)
    scale = check.real(scale, "scale", minimum=0.0)
    value = scale / (np.exp2(array - 1.0) - 1.0) ** 2
    return float(value) if np.ndim(value) == 0 else value


def message_bits(dimension: int, bits: int) -> int:
    """Bits of one quantised message on the wire: ``32 + D b`` (float32 norm + ``b`` per coordinate)."""
    return NORM_BITS + check.integer(dimension, "dimension", minimum=1) * _check_bits(bits)


def _norm_up(x: np.ndarray) -> np.ndarray:
    """Row norms rounded up to the next float32 (so that ``r_j <= M``), as float64."""
    norm = np.sqrt(np.einsum("...j,...j->...", x, x))
    if np.any(norm > np.finfo(np.float32).max):
        raise ParameterError("a vector's norm exceeds the float32 range of the wire format")
    rounded = norm.astype(np.float32)
    rounded = np.where(rounded.astype(np.float64) < norm, np.nextafter(rounded, np.float32(np.inf)), rounded)
    return rounded.astype(np.float64)


def _levels_and_norm(x: np.ndarray, top: np.ndarray, rng: np.random.Generator):
    """Stochastic levels of the rows of ``x`` (``top`` = ``M`` per row), and the float32 norms."""
    norm = _norm_up(x)
    safe = np.where(norm > 0.0, norm, 1.0)
    scaled = np.abs(x) * (top / safe)[..., None]
    lower = np.floor(scaled)
    level = lower + (rng.random(x.shape) < scaled - lower)
    return np.minimum(level, top[..., None]), norm


def quantize(x, bits: int, rng: np.random.Generator) -> np.ndarray:
    """``Q_b(x)``: the value the receiver reconstructs, ``sign(x_j) ||x|| level_j / M``.

    Parameters
    ----------
    x : array_like, shape (D,)
        The vector to send.
    bits : int
        ``b``, bits per coordinate, ``2 <= b <= 32``.
    rng : numpy.random.Generator
        Source of the rounding randomness.

    Examples
    --------
    >>> import numpy as np
    >>> quantize(np.array([3.0, -4.0]), 2, np.random.default_rng(0)).tolist()
    [0.0, -5.0]
    """
    x = _check_vector(x)
    top = np.asarray(float(levels(bits)))
    level, norm = _levels_and_norm(x, top, _check_rng(rng))
    return np.sign(x) * level * (norm / top)


def quantize_messages(messages, bits, rng: np.random.Generator) -> np.ndarray:
    """Quantise worker ``i``'s message (row ``i``) with its own ``b_i`` bits; ``b_i = 0`` sends nothing.

    The codes' ``encode`` returns exact messages; a training loop that models quantization
    passes them through this helper before ``decode``.

    Parameters
    ----------
    messages : array_like, shape (n, D)
        One message per worker.
    bits : array_like of int, shape (n,)
        ``b_i``: 0 (idle worker, its row becomes zero) or ``2..32``.
    rng : numpy.random.Generator

    Returns
    -------
    ndarray, shape (n, D)
    """
    messages = check.real_array(messages, "messages", ndim=2)
    if np.shape(bits) != (messages.shape[0],):
        raise ShapeError(f"bits must have one entry per message row ({messages.shape[0]}), got shape "
                         f"{np.shape(bits)}")
    bits = check.integer_array(bits, "bits per coordinate", minimum=0, maximum=MAX_BITS)
    active = bits != 0
    if np.any(bits == 1):
        raise ParameterError(f"bits per coordinate must be 0 (idle worker) or in [2, {MAX_BITS}]; got 1")
    top = np.exp2(np.where(active, bits, 2) - 1.0) - 1.0
    level, norm = _levels_and_norm(messages, top, _check_rng(rng))
    return np.where(active[:, None], np.sign(messages) * level * (norm / top)[:, None], 0.0)


def pack(x, bits: int, rng: np.random.Generator) -> bytes:
    """Quantise ``x`` and serialise it: ``4 + ceil(D b / 8)`` bytes carrying ``32 + D b`` bits.

    Examples
    --------
    >>> import numpy as np
    >>> len(pack(np.ones(10), 3, np.random.default_rng(0)))
    8
    """
    x = _check_vector(x)
    bits = _check_bits(bits)
    level, norm = _levels_and_norm(x, np.asarray(float(levels(bits))), _check_rng(rng))
    fields = (np.signbit(x) & (level > 0)).astype(np.uint64) << np.uint64(bits - 1) | level.astype(np.uint64)
    shifts = np.arange(bits - 1, -1, -1, dtype=np.uint64)
    stream = ((fields[:, None] >> shifts) & np.uint64(1)).astype(np.uint8).reshape(-1)
    return np.float32(norm).astype("<f4").tobytes() + np.packbits(stream).tobytes()


def unpack(payload: bytes, bits: int, dimension: int) -> np.ndarray:
    """Inverse of :func:`pack`: the reconstructed ``Q_b(x)`` of length ``dimension``."""
    bits = _check_bits(bits)
    dimension = check.integer(dimension, "dimension", minimum=1)
    if not isinstance(payload, (bytes, bytearray, memoryview)):
        raise ParameterError(f"payload must be bytes, got {type(payload).__name__}")
    expected = 4 + -(-dimension * bits // 8)
    if len(payload) != expected:
        raise ShapeError(f"a {dimension}-coordinate message with b={bits} takes {expected} bytes, got {len(payload)}")
    norm = float(np.frombuffer(payload[:4], dtype="<f4")[0])
    stream = np.unpackbits(np.frombuffer(payload[4:], dtype=np.uint8))[: dimension * bits]
    weights = np.left_shift(np.uint64(1), np.arange(bits - 1, -1, -1, dtype=np.uint64))
    fields = stream.reshape(dimension, bits).astype(np.uint64) @ weights
    return dequantize(fields >> np.uint64(bits - 1), fields & np.uint64(levels(bits)), norm, bits)


def dequantize(negative, level, norm: float, bits: int) -> np.ndarray:
    """``(-1)^negative * norm * level / M``, the receiver's reconstruction from sign bits and levels."""
    top = float(levels(bits))
    norm = check.real(norm, "norm", minimum=0.0)
    level = check.integer_array(level, "level", minimum=0, maximum=int(top))
    negative = check.integer_array(negative, "negative", shape=level.shape, minimum=0, maximum=1)
    magnitude = level * (norm / top)
    return np.where(negative != 0, -magnitude, magnitude)


def _check_vector(x) -> np.ndarray:
    x = check.real_array(x, "x", ndim=1)
    if x.size < 1:
        raise ShapeError(f"x must be a non-empty 1-D vector, got shape {x.shape}")
    return x


def _check_rng(rng) -> np.random.Generator:
    """The rounding randomness: a ``numpy.random.Generator`` (or a seed, as :func:`codedml._validation.rng`)."""
    return check.rng(rng, "rng")
