"""Polynomial (Reed-Solomon) gradient code of Halbawi et al. and Kiani et al. (seed gc-mmc section 3.2).

Cyclic mask: worker ``i`` holds partitions ``i, i+1, ..., i+s (mod n)`` (``k = n``), so
partition ``j`` is held by workers ``j-s, ..., j`` and missing at the ``h = n - s - 1``
workers ``j+1, ..., j+n-s-1``. Each worker ``i`` has an evaluation point ``x_i``; partition ``j``
is embedded in the monic polynomial

    ``f_j(x) = prod_{m missing j} (x - x_m)``   (degree ``h``),

which vanishes exactly at the workers that do not hold ``g_j``. Worker ``i`` sends
``F(x_i) = sum_j f_j(x_i) g_j`` (only its own partitions contribute), i.e.
``B[i, j] = f_j(x_i)``. ``F`` has degree ``h`` and leading coefficient ``sum_j g_j``; the
master interpolates it from any ``h + 1 = n - s`` evaluations ``I``: the leading coefficient
is ``sum_{i in I} w_i F(x_i)`` with the barycentric weights
``w_i = 1 / prod_{j in I, j != i} (x_i - x_j)`` -- the decoding vector, ``O((n - s)^2)``.

Over an NTT-friendly prime (e.g. :data:`~codedml.kernels.ntt.NTT_PRIME`, ``p = 15 * 2^27 + 1``) the
``GF(p)`` code takes the fast path (``algorithm="fast"``, the default there): at the points
``x_i = i + 1`` encoding is three number-theoretic convolutions and the weights one multipoint
evaluation of ``prod_{m not in I} (x - x_m)`` (:mod:`codedml.kernels.window_products`),
``O(n log^2 n)`` with no ``n x n`` matrix; messages and decoded sums equal the dense path's.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse

from codedml._validation import array_size, choice, real, received_ids
from codedml.codes._received import received_field_elements
from codedml.codes.gradient.base import DEFAULT_CACHE_SIZE, GradientCode, check_parameters, validated_partials
from codedml.codes.real_generators import chebyshev_points
from codedml.errors import DecodingAccuracyError, NotDecodableError, ParameterError
from codedml.fields.fixed_point import DEFAULT_SCALE, Quantizer
from codedml.fields.galois_fields import DEFAULT_PRIME, check_field_size
from codedml.kernels.gfp import gfp_barycentric_weights, gfp_matmul, gfp_matvec
from codedml.kernels.ntt import max_transform_length
from codedml.kernels.window_products import (
    consecutive_decoding_weights,
    consecutive_window_encode,
    cyclic_window_products,
)

#: Largest ``n`` for which the real-field code decodes within ``1e-6`` relative error on every
#: sampled survivor set, for every ``s`` (measured with
#: :func:`codedml.codes.diagnostics.conditioning.decoding_conditioning`).
REAL_FIELD_LIMIT = 24

#: Default bound on the real code's decoding residual (see :meth:`PolynomialGC.decoding_residual`).
DEFAULT_POLYNOMIAL_TOLERANCE = 1e-5


class PolynomialGC(GradientCode):
    """Reed-Solomon / polynomial-interpolation gradient code, recovery threshold ``n - s``.

    Over the reals the points are Chebyshev nodes on ``[-2, 2]`` and decoding is a
    barycentric (Vandermonde) interpolation, ill-conditioned as ``n`` grows: measured with
    :func:`~codedml.codes.diagnostics.conditioning.decoding_conditioning` (all contiguous and 200 random
    survivor sets, ``s`` in ``1, n/4, n/2, 3n/4, n-2``), the worst relative decoding error
    stays within ``1e-6`` up to ``n = 24`` (:data:`REAL_FIELD_LIMIT`; about ``2e-7`` there,
    ``1e-6`` at ``n = 25`` and ``26``, ``1e-5`` at ``27``, ``4e-3`` at ``32``, ``1e2`` at ``40``). Every
    real decode is checked (:meth:`decoding_residual`): a survivor set whose residual exceeds
    ``residual_tolerance`` raises :class:`~codedml.errors.DecodingAccuracyError` instead of returning
    a wrong sum. No sampled set is refused up to ``n = 24``; beyond, the code stays constructible
    but refuses the sets it cannot decode accurately (about half of them at ``n = 60``): use
    ``field="gfp"`` there. Over ``GF(p)`` the gradients are quantised
    to fixed-point integers (:class:`~codedml.fields.fixed_point.Quantizer`), encoding and
    decoding are exact mod ``p``, and the fixed-point sum is recovered exactly for any ``n < p``
    (tested at ``n = 1000, s = 100``).

    Parameters
    ----------
    n_workers : int
        The survey's ``n`` (gc-mmc's ``K``): workers, and partitions (``k = n``).
    n_stragglers : int
        The survey's ``s``: stragglers tolerated, ``0 <= s < n``; each worker computes ``s + 1`` partitions.
    field : {"real", "gfp"} or prime-field name
        ``"real"``, or ``"gfp"`` / ``"gf(p)"`` / an integer prime for the exact field code.
    p : int
        The prime when ``field="gfp"`` (default ``2^31 - 1``).
    scale : float
        Fixed-point scale of the ``GF(p)`` code.
    residual_tolerance : float
        Real field: largest decoding residual accepted (:meth:`decoding_residual`); Gaussian
        partial gradients then decode within about this relative error.
    cache_size : int
        Survivor sets whose decoding vectors are kept.
    algorithm : {"auto", "dense", "fast"}
        ``GF(p)`` only: ``"dense"`` stores ``B`` (``n x n``) and decodes in ``O((n - s)^2)``;
        ``"fast"`` encodes and decodes by NTTs in ``O(n log^2 n)`` and needs a prime whose ``p - 1``
        is divisible by a power of two at least ``2 (n + 2s)`` (``NTT_PRIME`` reaches ``n`` of
        about ``6.7e7``); ``"auto"`` takes ``"fast"`` whenever the prime allows it.

    Attributes
    ----------
    points : ndarray
        ``x_i``: Chebyshev nodes (real) or ``1..n`` (``GF(p)``).
    quantizer : Quantizer or None
        The ``GF(p)`` code's fixed-point map.

    Notes
    -----
    Over ``GF(p)``, :meth:`encode` takes real partial gradients and returns field elements
    (``int64``); :meth:`decode` takes field elements and returns the real fixed-point sum,
    ``sum_j round(g_j scale) / scale``. Encoding refuses (``FieldTooSmallError``) when
    ``n * round(max |g| * scale)`` could reach ``p / 2``.

    Examples
    --------
    >>> import numpy as np
    >>> from codedml.codes.gradient.polynomial import PolynomialGC
    >>> g = np.arange(6.0)[:, None] / 4
    >>> code = PolynomialGC(6, 2, field="gfp")
    >>> float(code.decode([0, 2, 3, 5], code.encode(g)[[0, 2, 3, 5]])[0])
    3.75
    >>> real = PolynomialGC(6, 2)
    >>> round(float(real.decode([1, 2, 3, 4], real.encode(g)[[1, 2, 3, 4]])[0]), 9)
    3.75
    """

    def __init__(self, n_workers: int, n_stragglers: int, field="real", p: int = DEFAULT_PRIME,
                 scale: float = DEFAULT_SCALE, cache_size: int = DEFAULT_CACHE_SIZE,
                 residual_tolerance: float = DEFAULT_POLYNOMIAL_TOLERANCE, algorithm: str = "auto"):
        n, s = check_parameters(n_workers, n_stragglers)
        algorithm = choice(algorithm, "algorithm", ("auto", "dense", "fast"))
        super().__init__(n, n, cache_size)
        self.n_stragglers = s
        self.residual_tolerance = real(residual_tolerance, "residual_tolerance", minimum=0.0, open_minimum=True)
        if isinstance(field, str) and field.strip().lower() == "real":
            self.field = "real"
            self.quantizer = None
            array_size(n * n, f"the n x n encoding matrix (n_workers={n})")
            self.points = chebyshev_points(self.n_workers, half_width=2.0)  # capacity one: products stay near 1
            modulus = 0
        else:
            self.quantizer = Quantizer(scale, p if isinstance(field, str) and field.strip().lower() == "gfp"
                                       else field)
            self.field = self.quantizer.field.name
            check_field_size(self.quantizer.field, self.n_workers, f"evaluation points (n={n}, one per worker)")
            array_size(n, f"the evaluation points (n_workers={n})")
            self.points = np.arange(1, self.n_workers + 1, dtype=np.int64)
            modulus = self.quantizer.p
        supported = self.quantizer is not None and max_transform_length(modulus) >= 4 * _power_of_two(n + 2 * s)
        if algorithm == "fast" and not supported:
            raise ParameterError(
                f"algorithm='fast' needs field='gfp' with a prime p whose p - 1 is divisible by "
                f"{4 * _power_of_two(n + 2 * s)} (n={n}, s={s}); use p=NTT_PRIME (15 * 2^27 + 1) or algorithm='dense'")
        #: ``"dense"`` or ``"fast"``: the algorithm this code encodes and decodes with.
        self.algorithm = "fast" if algorithm == "fast" or (algorithm == "auto" and supported) else "dense"
        self._modulus = modulus
        self._matrix = None
        if self.algorithm == "dense":
            array_size(n * n, f"the n x n encoding matrix (n_workers={n}); algorithm='fast' with p=NTT_PRIME "
                       "needs none")
            self._matrix = self._dense_matrix()

    def _dense_matrix(self) -> np.ndarray:
        """``B`` as a dense read-only array from the window products."""
        values = cyclic_window_products(self.points, self.n_stragglers, self._modulus)
        rows = np.repeat(np.arange(self.n_workers), self.n_stragglers + 1)
        columns = (rows + np.tile(np.arange(self.n_stragglers + 1), self.n_workers)) % self.n_workers
        matrix = np.zeros((self.n_workers, self.n_workers), dtype=values.dtype)
        matrix[rows, columns] = values.ravel()
        matrix.setflags(write=False)
        return matrix

    def _sparse_matrix(self) -> scipy.sparse.csr_array:
        """``B`` in CSR form from the window products (``n (s + 1)`` stored entries)."""
        n, width = self.n_workers, self.n_stragglers + 1
        array_size(n * width, f"the n x (s + 1) window products (n_workers={n}, n_stragglers={width - 1})")
        values = cyclic_window_products(self.points, self.n_stragglers, self._modulus)
        columns = (np.arange(n)[:, None] + np.arange(width)[None, :]) % n
        return scipy.sparse.csr_array((values.ravel(), columns.ravel(), np.arange(0, n * width + 1, width)),
                                      shape=(n, n))

    @property
    def recovery_threshold(self) -> int:
        return self.n_workers - self.n_stragglers

    @property
    def decodable_iff_count(self) -> bool:
        """``True`` over ``GF(p)``, and over the reals up to :data:`REAL_FIELD_LIMIT` (beyond, the
        residual check may refuse a set of ``n - s`` messages)."""
        return self.quantizer is not None or self.n_workers <= REAL_FIELD_LIMIT

    @property
    def encoding_matrix(self) -> scipy.sparse.csr_array:
        """``B[i, j] = f_j(x_i)`` (float64, or int64 field elements over ``GF(p)``)."""
        if self._matrix is None:
            return self._sparse_matrix()
        return scipy.sparse.csr_array(self._matrix)

    @property
    def assignment(self) -> np.ndarray:
        if self._matrix is not None:
            return self._matrix != 0
        n = self.n_workers
        array_size(n * n, f"the dense n x n assignment (n_workers={n})", itemsize=1)
        offsets = (np.arange(n)[None, :] - np.arange(n)[:, None]) % n
        return offsets <= self.n_stragglers

    @property
    def computation_load(self) -> int:
        return self.n_stragglers + 1

    @property
    def worker_loads(self) -> np.ndarray:
        return np.full(self.n_workers, self.n_stragglers + 1, dtype=np.int64)

    # ---- encoding ----------------------------------------------------------------------------
    def _encode(self, partials: np.ndarray) -> np.ndarray:
        return self._matrix @ partials

    def encode(self, partials: np.ndarray) -> np.ndarray:
        """Messages of all workers, ``B @ partials`` (over ``GF(p)``: of the quantised partials, mod ``p``)."""
        if self.quantizer is None:
            return super().encode(partials)
        partials, flat = validated_partials(partials, self.n_partitions)
        bound = float(np.abs(partials).max()) if partials.size else 0.0
        self.quantizer.check_no_overflow(self.n_partitions, bound)
        quantized = self.quantizer.quantize(partials)
        if self._matrix is None:
            messages = consecutive_window_encode(quantized, self.n_stragglers, self.quantizer.p,
                                                 self.quantizer.field.primitive_element)
        else:
            messages = gfp_matmul(self._matrix, quantized, self.quantizer.p)
        return messages[:, 0] if flat else messages

    # ---- decoding ----------------------------------------------------------------------------
    def _decoding_vector(self, survivors: np.ndarray) -> np.ndarray:
        needed = self.recovery_threshold
        if survivors.size < needed:
            raise NotDecodableError(
                f"{survivors.size} messages received, the polynomial code needs any {needed} = n - s",
                received=survivors.size, needed=needed)
        used = survivors[:needed]
        points = self.points[used]
        if self.quantizer is None:
            gaps = points[:, None] - points[None, :]
            np.fill_diagonal(gaps, 1.0)
            with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
                weights = 1.0 / np.prod(gaps, axis=1)
            residual = self.decoding_residual(used, weights)
            if not residual <= self.residual_tolerance:
                raise DecodingAccuracyError(
                    f"the real polynomial code (n={self.n_workers}, s={self.n_stragglers}) cannot decode these "
                    f"{survivors.size} messages accurately: decoding residual {residual:.3g} > residual_tolerance "
                    f"{self.residual_tolerance:.3g} (interpolation is ill-conditioned beyond n = {REAL_FIELD_LIMIT}; "
                    f"field='gfp' decodes exactly)", received=survivors.size, needed=needed)
            vector = np.zeros(self.n_workers)
        elif self._matrix is None:
            missing = np.setdiff1d(np.arange(self.n_workers), used)
            weights = consecutive_decoding_weights(used, missing, self.n_workers, self.quantizer.p,
                                                   self.quantizer.field.primitive_element)
            vector = np.zeros(self.n_workers, dtype=np.int64)
        else:
            weights = gfp_barycentric_weights(points, self.quantizer.p)
            vector = np.zeros(self.n_workers, dtype=np.int64)
        vector[used] = weights
        return vector

    def decoding_residual(self, used: np.ndarray, weights: np.ndarray) -> float:
        """Accuracy bound of real decoding with ``weights`` on the rows ``used``.

        ``max_j |(a^T B_I)_j - 1| + eps max_j (|a|^T |B_I|)_j``: the computed residual of the
        decoding system ``a^T B_I = 1^T`` plus the rounding bound of that computation (which
        also bounds the rounding of encoding and decoding). The decoded sum is
        ``sum_j (1 + e_j) g_j`` with ``|e_j|`` about this value; ``inf`` for non-finite weights.
        """
        rows = self._matrix[used]
        with np.errstate(over="ignore", invalid="ignore"):
            residual = float(np.max(np.abs(weights @ rows - 1.0)))
            rounding = float(np.finfo(np.float64).eps * np.max(np.abs(weights) @ np.abs(rows)))
        total = residual + rounding
        return total if np.isfinite(total) else np.inf

    def decode_integers(self, received, messages: np.ndarray) -> np.ndarray:
        """``GF(p)`` only: the fixed-point sum ``sum_j round(g_j scale)`` as signed int64 (exact).

        ``received`` and ``messages`` are read as in :meth:`GradientCode.decode` (row ``i`` of
        ``messages`` belongs to ``received[i]``, any order); the messages must be field elements,
        integers in ``[0, p)``.
        """
        if self.quantizer is None:
            raise ParameterError("decode_integers is defined for the GF(p) code only; use decode")
        order = received_ids(received, self.n_workers)
        messages = received_field_elements(order, messages, self.n_workers, self.quantizer.p, ndim=(1, 2))
        flat = messages.ndim == 1
        if flat:
            messages = messages[:, None]
        coefficients = self._cached_vector(np.sort(order))[order]
        total = gfp_matvec(np.ascontiguousarray(messages.T), coefficients, self.quantizer.p)
        signed = self.quantizer.to_signed(total)
        return signed[0] if flat else signed

    def decode(self, received, messages: np.ndarray) -> np.ndarray:
        """The gradient sum (over ``GF(p)``: the exact fixed-point sum, dequantised)."""
        if self.quantizer is None:
            return super().decode(received, messages)
        return self.decode_integers(received, messages) / self.quantizer.scale


def _power_of_two(length: int) -> int:
    """The smallest power of two ``>= length``."""
    return 1 << max(int(length) - 1, 0).bit_length()
