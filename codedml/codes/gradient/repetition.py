"""Repetition gradient codes of Tandon et al. (survey section 3): fractional and cyclic."""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse

from codedml._validation import array_size, choice, integer
from codedml._validation import rng as validated_rng
from codedml.codes.gradient.base import (
    DEFAULT_CACHE_SIZE,
    DEFAULT_RESIDUAL_TOLERANCE,
    LinearGradientCode,
    check_parameters,
)
from codedml.errors import DecodingAccuracyError, NotDecodableError, ParameterError
from codedml.kernels.real_decoding import (
    cyclic_band_decoding_vector,
    cyclic_band_residual,
    dense_decoding_vector,
    fractional_repetition_decoding_vector,
    symmetric_zero_decoding_vector,
)
from codedml.kernels.repetition import (
    cyclic_band_to_csr,
    cyclic_repetition_band_random,
    dft_parity_check,
    fractional_repetition_csr,
    symmetric_zero_generator,
)


def _csr_array(indptr, indices, data, n_cols) -> scipy.sparse.csr_array:
    return scipy.sparse.csr_array((data, indices, indptr), shape=(indptr.size - 1, n_cols))


def _check_band_size(n_workers: int, n_stragglers: int) -> None:
    """Refuse ``(n, s)`` whose ``n x (s + 1)`` band (and its CSR copy) would not fit in memory."""
    array_size(n_workers * (n_stragglers + 1), f"the n x (s + 1) nonzeros of the encoding matrix "
               f"(n_workers={n_workers}, n_stragglers={n_stragglers})", itemsize=32)


class FractionalRepetition(LinearGradientCode):
    """Fractional repetition gradient code ``B_frac`` (survey eqs. 4-5).

    The ``n`` workers form ``s + 1`` groups of ``n / (s + 1)`` workers; inside a group the
    ``k = n`` partitions are split disjointly, ``s + 1`` per worker; the groups replicate
    each other. Worker ``i`` holds block ``i mod n/(s+1)``. Decoding needs no solve: the
    first survivor of every block contributes its message with weight one, so the
    result is exact in floating point.

    Parameters
    ----------
    n_workers : int
        The survey's ``n`` (gc-mmc's ``K``): workers, and partitions; a multiple of ``s + 1``.
    n_stragglers : int
        The survey's ``s``: stragglers tolerated, ``0 <= s < n``.

    Examples
    --------
    >>> import numpy as np
    >>> from codedml.codes import FractionalRepetition
    >>> code = FractionalRepetition(6, 2)
    >>> g = np.arange(6.0)[:, None]
    >>> float(code.decode([0, 4, 5], code.encode(g)[[0, 4, 5]])[0])
    15.0
    """

    def __init__(self, n_workers: int, n_stragglers: int, cache_size: int = DEFAULT_CACHE_SIZE):
        n, s = check_parameters(n_workers, n_stragglers)
        _check_band_size(n, s)
        if n % (s + 1) != 0:
            raise ParameterError(f"fractional repetition needs n_workers to be a multiple of n_stragglers + 1; "
                                 f"got n={n}, s={s}")
        self.blocks = n // (s + 1)
        indptr, indices, data = fractional_repetition_csr(n, s)
        super().__init__(_csr_array(indptr, indices, data, n), n_stragglers=s, cache_size=cache_size)

    def is_decodable(self, received) -> bool:
        mask = self._mask(self.survivors(received))
        return bool(mask.reshape(self.n_stragglers + 1, self.blocks).any(axis=0).all())

    def _decoding_vector(self, survivors: np.ndarray) -> np.ndarray:
        vector, missing = fractional_repetition_decoding_vector(self._mask(survivors), self.blocks)
        if missing:
            raise NotDecodableError(
                f"{missing} of {self.blocks} blocks have no surviving replica among the {survivors.size} "
                f"received messages", received=survivors.size, needed=self.recovery_threshold)
        return vector

    def first_decodable(self, arrival_times, required: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Vectorised: the last block to get its first replica decides."""
        arrival_times = self.validated_arrival_times(arrival_times, required)
        grouped = arrival_times.reshape(arrival_times.shape[0], self.n_stragglers + 1, self.blocks)
        times = grouped.min(axis=1).max(axis=1)
        used = np.count_nonzero(arrival_times <= times[:, None], axis=1)
        return times, np.where(np.isfinite(times), used, 0).astype(np.int64)


def golden_stride(n: int) -> int:
    """Stride ``q`` coprime to ``n`` nearest above ``n / phi``: it spreads ``q, 2q, ...`` evenly mod ``n``."""
    n = integer(n, "n", minimum=1)
    if n <= 2:
        return 1
    stride = max(1, round(n / ((1 + 5 ** 0.5) / 2)))
    while math.gcd(stride, n) != 1:
        stride += 1
    return stride


def is_prime(n: int) -> bool:
    """Whether ``n`` is a prime number (trial division; ``n`` is a worker count)."""
    n = integer(n, "n")
    if n < 2:
        return False
    return all(n % d for d in range(2, math.isqrt(n) + 1))


#: Size of the Gaussian perturbation of the DFT parity check, times ``1 / sqrt(n)``.
DFT_PERTURBATION = 1.0

#: Up to this ``n`` the solve-based constructions decode by dense least squares over every survivor.
DENSE_DECODING_LIMIT = 128

#: Above ``DENSE_DECODING_LIMIT``, banded elimination; if its residual fails, dense least squares up to this ``n``.
DENSE_FALLBACK_LIMIT = 2048


class CyclicRepetition(LinearGradientCode):
    """Cyclic repetition gradient code ``B_cyc`` (survey Algorithm 2 and eq. 6), real field.

    Row ``i`` of ``B`` is supported on partitions ``i, ..., i + s (mod n)`` (``k = n``), so
    every worker computes ``s + 1`` partitions and every partition is held by ``s + 1``
    workers. Three constructions of the nonzeros:

    ``"cyclic-mds"`` (the default when ``s`` is even and ``n`` is prime)
        After Raviv, Tamo, Tandon and Dimakis (2018): every row is a cyclic shift of the
        real polynomial ``g(x) = prod_{t=1..s/2} (x - w^{t q})(x - w^{-t q})``,
        ``w = exp(2 pi i / n)``, the stride ``q`` (coprime to ``n``, near ``n / phi``)
        spreading the zeros around the circle. The decoding vector's Fourier transform is
        supported on ``{-s/2 .. s/2} q``, which gives the closed form
        ``a_i ~ prod_{k in S} sin(pi (q i - q k) / n)`` over the stragglers ``S``: ``O(n s)``,
        no solve. It exists iff ``e_{s/2}`` of the points ``w^{q k}, k in S`` is nonzero. For
        prime ``n`` it always is: ``e_{s/2}`` is a sum of ``C(s, s/2)`` ``n``-th roots of
        unity, which vanishes only if ``n`` divides ``C(s, s/2)``, impossible for
        ``n > s``. So the code tolerates any ``s`` stragglers exactly. For composite ``n``
        some straggler sets are not decodable (e.g. ``s = 2``, even ``n``: two stragglers
        ``n/2`` apart in ``q``-position); they are detected (``is_decodable`` is
        ``False``) and refused, never decoded wrongly. Measured on random survivor sets:
        residual ~1e-13 at ``n = 2000, s = 50`` and ~1e-14 at ``n = 4000, s = 40``.
    ``"perturbed-dft"`` (the default otherwise)
        Survey Algorithm 2 with a structured ``H``: the real and imaginary parts of the
        Fourier rows ``w^{+-t q i}`` (plus one Gaussian row for odd ``s``) plus a Gaussian
        perturbation of size ``1 / sqrt(n)``, then ``H 1 = 0``. ``H`` has a density, so
        with probability one every ``n - s`` rows span ``1`` (survey Theorem 2), while the
        Fourier part keeps ``B_I`` far better conditioned than a Gaussian ``H``. Decoding
        is dense least squares over every survivor up to ``n = 128``; above, banded
        elimination in ``O(n s^2)`` (trying up to three choices of the ``s`` equations it
        leaves out), with a dense fallback up to ``n = 2048``. Measured: relative decoding
        error <= 1.3e-11 on 5000 random instances with ``n <= 60``; worst residual over
        20 random survivor sets 9e-11 at ``n = 2000, s = 50``, 3e-9 at ``(2000, 51)``,
        5e-9 at ``(4000, 40)``; at ``(4000, 41)`` an occasional set stays above 1e-8 and is
        refused.
    ``"gaussian"``
        Survey Algorithm 2 verbatim (Gaussian ``H``): exact with probability one, but some
        survivor sets are badly conditioned (3 of 3000 random instances at ``n <= 60``
        above 1e-9, worst 5e-8).

    Every decoding vector is checked by its residual ``max_j |(a^T B_I)_j - 1|`` and
    refused (:class:`~codedml.errors.DecodingAccuracyError`) above ``residual_tolerance``.

    Parameters
    ----------
    n_workers : int
        The survey's ``n`` (gc-mmc's ``K``): workers, and partitions.
    n_stragglers : int
        The survey's ``s``: stragglers tolerated, ``0 <= s < n``.
    seed : None, int >= 0 or numpy.random.Generator, optional
        Randomness of the ``"perturbed-dft"`` and ``"gaussian"`` constructions.
    construction : {"auto", "cyclic-mds", "perturbed-dft", "gaussian"}
        ``"auto"`` takes ``"cyclic-mds"`` for even ``s`` and prime ``n``, else ``"perturbed-dft"``.
    residual_tolerance : float
        Largest accepted decoding residual.

    Examples
    --------
    >>> import numpy as np
    >>> from codedml.codes import CyclicRepetition
    >>> code = CyclicRepetition(5, 2)
    >>> code.construction
    'cyclic-mds'
    >>> g = np.arange(5.0)[:, None]
    >>> round(float(code.decode([1, 3, 4], code.encode(g)[[1, 3, 4]])[0]), 9)
    10.0
    """

    def __init__(self, n_workers: int, n_stragglers: int, seed=None, construction: str = "auto",
                 residual_tolerance: float = DEFAULT_RESIDUAL_TOLERANCE, cache_size: int = DEFAULT_CACHE_SIZE):
        n, s = check_parameters(n_workers, n_stragglers)
        _check_band_size(n, s)
        construction = choice(construction, "construction", ("auto", "cyclic-mds", "perturbed-dft", "gaussian"))
        if construction == "auto":
            construction = "cyclic-mds" if s % 2 == 0 and is_prime(n) else "perturbed-dft"
        rng = validated_rng(seed)
        self.stride = golden_stride(n)
        if construction == "cyclic-mds":
            if s % 2:
                raise ParameterError(f"the real cyclic-MDS construction needs an even s, got s={s}; "
                                     "use construction='perturbed-dft'")
            self.band = np.tile(symmetric_zero_generator(n, s // 2, self.stride), (n, 1))
        elif construction == "perturbed-dft":
            parity_check = dft_parity_check(n, s, self.stride)
            if s % 2:
                parity_check[-1] = rng.standard_normal(n)
            parity_check += DFT_PERTURBATION / np.sqrt(n) * rng.standard_normal((s, n))
            parity_check -= parity_check.mean(axis=1, keepdims=True)
            band = cyclic_repetition_band_random(parity_check)
            self.band = band / np.abs(band).max(axis=1, keepdims=True)
        elif construction == "gaussian":
            parity_check = rng.standard_normal((s, n))
            parity_check[:, -1] = -parity_check[:, :-1].sum(axis=1)
            self.band = cyclic_repetition_band_random(parity_check)
        self.construction = construction
        indptr, indices, data = cyclic_band_to_csr(self.band)
        super().__init__(_csr_array(indptr, indices, data, n), s, residual_tolerance, cache_size)

    @property
    def decodable_iff_count(self) -> bool:
        """False only for the cyclic-MDS construction at composite ``n`` (see the class notes)."""
        return self.construction != "cyclic-mds" or is_prime(self.n_workers) or self.n_stragglers == 0

    def is_decodable(self, received) -> bool:
        survivors = self.survivors(received)
        if survivors.size < self.recovery_threshold:
            return False
        return self.decodable_iff_count or super().is_decodable(survivors)

    def _banded_decoding_vector(self, used: np.ndarray) -> tuple[np.ndarray, float]:
        """Banded elimination, leaving out the equations of ``s`` consecutive coordinates.

        Which ``s`` equations the square system leaves out changes its conditioning: up
        to three rotations of the coordinates are tried until the full residual passes.
        """
        n = self.n_workers
        best = (np.zeros(used.size), np.inf)
        for rotation in (0, n // 3, 2 * n // 3):
            rotated = (used - rotation) % n
            order = np.argsort(rotated)
            coefficients, residual = cyclic_band_decoding_vector(np.roll(self.band, -rotation, axis=0),
                                                                 rotated[order])
            if residual < best[1]:
                unrotated = np.empty_like(coefficients)
                unrotated[order] = coefficients
                best = (unrotated, residual)
            if residual <= self.residual_tolerance:
                break
        return best

    def _decoding_vector(self, survivors: np.ndarray) -> np.ndarray:
        needed = self.recovery_threshold
        if survivors.size < needed:
            raise NotDecodableError(
                f"cyclic repetition needs {needed} of {self.n_workers} messages, received {survivors.size}",
                received=survivors.size, needed=needed)
        used = survivors[:needed]
        if self.construction == "cyclic-mds":
            stragglers = np.setdiff1d(np.arange(self.n_workers), used)
            coefficients, _ = symmetric_zero_decoding_vector(
                self.n_workers, self.stride, float(self.band[0].sum()), used, stragglers)
            residual = cyclic_band_residual(self.band, used, coefficients)
        elif self.n_workers <= DENSE_DECODING_LIMIT:
            used = survivors
            coefficients, residual = dense_decoding_vector(self.encoding_rows(used))
        else:
            coefficients, residual = self._banded_decoding_vector(used)
            if not residual <= self.residual_tolerance and self.n_workers <= DENSE_FALLBACK_LIMIT:
                used = survivors
                coefficients, residual = dense_decoding_vector(self.encoding_rows(used))
        if not residual <= self.residual_tolerance:
            raise DecodingAccuracyError(
                f"decoding vector for these {needed} survivors has residual {residual:.3g} > "
                f"{self.residual_tolerance:.1g}: B_I is numerically rank deficient",
                received=survivors.size, needed=needed)
        vector = np.zeros(self.n_workers)
        vector[used] = coefficients
        return vector
