"""Repetition gradient codes of Tandon et al. (survey section 3): fractional and cyclic."""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse

from codedml.codes.base import DEFAULT_CACHE_SIZE, DEFAULT_RESIDUAL_TOLERANCE, LinearGradientCode, check_parameters
from codedml.errors import DecodingAccuracyError, NotDecodableError, ParameterError
from codedml.kernels.real import (
    cyclic_band_decoding_vector,
    cyclic_band_residual,
    fractional_repetition_decoding_vector,
    symmetric_zero_decoding_vector,
)
from codedml.kernels.repetition import (
    cyclic_band_to_csr,
    cyclic_repetition_band_random,
    fractional_repetition_csr,
    symmetric_zero_generator,
)


def _csr_array(indptr, indices, data, n_cols) -> scipy.sparse.csr_array:
    return scipy.sparse.csr_array((data, indices, indptr), shape=(indptr.size - 1, n_cols))


class FractionalRepetition(LinearGradientCode):
    """Fractional repetition gradient code ``B_frac`` (survey eqs. 4-5).

    The ``n`` workers form ``s + 1`` groups of ``n / (s + 1)`` workers; inside a group the
    ``k = n`` partitions are split disjointly, ``s + 1`` per worker; the groups replicate
    each other. Worker ``i`` holds block ``i mod n/(s+1)``. Decoding needs no solve: the
    first survivor of every block contributes its message with weight one, so the
    result is exact in floating point.

    Parameters
    ----------
    n : int
        ``n``: number of workers (and partitions); a multiple of ``s + 1``.
    s : int
        ``s``: number of stragglers tolerated, ``0 <= s < n``.

    Examples
    --------
    >>> import numpy as np
    >>> from codedml.codes import FractionalRepetition
    >>> code = FractionalRepetition(6, 2)
    >>> g = np.arange(6.0)[:, None]
    >>> float(code.decode([0, 4, 5], code.encode(g)[[0, 4, 5]])[0])
    15.0
    """

    def __init__(self, n: int, s: int, cache_size: int = DEFAULT_CACHE_SIZE):
        check_parameters(n, s)
        if n % (s + 1) != 0:
            raise ParameterError(f"fractional repetition needs n to be a multiple of s + 1; got n={n}, s={s}")
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

    def first_decodable(self, finish_times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        grouped = finish_times.reshape(finish_times.shape[0], self.n_stragglers + 1, self.blocks)
        times = grouped.min(axis=1).max(axis=1)
        used = np.count_nonzero(finish_times <= times[:, None], axis=1)
        return times, np.where(np.isfinite(times), used, 0).astype(np.int64)


def golden_stride(n: int) -> int:
    """Stride ``q`` coprime to ``n`` nearest above ``n / phi``: it spreads ``q, 2q, ...`` evenly mod ``n``."""
    if n <= 2:
        return 1
    stride = max(1, round(n / ((1 + 5 ** 0.5) / 2)))
    while math.gcd(stride, n) != 1:
        stride += 1
    return stride


class CyclicRepetition(LinearGradientCode):
    """Cyclic repetition gradient code ``B_cyc`` (survey Algorithm 2 and eq. 6).

    Row ``i`` of ``B`` is supported on partitions ``i, ..., i + s (mod n)``. Two constructions
    of the ``s + 1`` nonzeros are offered (real field, ``k = n``):

    ``"random"`` (default)
        Survey Algorithm 2: a Gaussian ``H`` (``s x n``, ``H 1 = 0``) and
        ``B(i, j_{2..s+1}) = -H(:, j_{2..s+1})^{-1} H(:, j_1)``. With probability one every
        ``n - s`` rows span ``1`` (survey Theorem 2), but the random ``H`` makes some
        survivor sets ill-conditioned: measured relative decoding error up to 5e-8 at
        ``n <= 60`` (3 of 3000 random instances above 1e-9) and ~2e-8 at
        ``n = 2000, s = 50``. Decoding is banded elimination, ``O(n s^2)``.
    ``"cyclic-mds"`` (even ``s``; for large ``n``)
        After Raviv, Tamo, Tandon and Dimakis (2018): every row is a cyclic shift of the
        real polynomial ``g(x) = prod_{t=1..s/2} (x - w^{t q})(x - w^{-t q})``,
        ``w = exp(2 pi i / n)``, the stride ``q`` (coprime to ``n``, near ``n / phi``)
        spreading the zeros around the circle. The decoding vector has the closed form
        ``a_i ~ prod_{k in S} sin(pi (q i - q k) / n)`` over the stragglers ``S``,
        ``O(n s)``, and is well conditioned: residual ~1e-13 at ``n = 2000, s = 50`` and
        ``n = 4000, s = 40`` on random survivor sets, ``|B| <= 1``. **Caveat**: because
        the zero set skips ``w^0``, the code is not MDS: a straggler set ``S`` whose
        ``e_{s/2}(w^{q S})`` vanishes cannot be decoded (for ``s = 2`` and even ``n``: two
        stragglers ``n/2`` apart in ``q``-position). Such sets are detected and refused
        (:class:`~codedml.errors.DecodingAccuracyError`), never decoded wrongly.

    Every decoding vector is checked by its residual ``max_j |(a^T B_I)_j - 1|`` and refused
    (:class:`~codedml.errors.DecodingAccuracyError`) above ``residual_tolerance``.

    Parameters
    ----------
    n : int
        ``n``: number of workers (and partitions).
    s : int
        ``s``: number of stragglers tolerated, ``0 <= s < n``.
    seed : int or numpy.random.Generator, optional
        Randomness of the ``"random"`` construction (unused by ``"cyclic-mds"``).
    construction : {"random", "cyclic-mds"}
        Which construction (see above).
    residual_tolerance : float
        Largest accepted decoding residual.

    Examples
    --------
    >>> import numpy as np
    >>> from codedml.codes import CyclicRepetition
    >>> code = CyclicRepetition(5, 2, seed=0)
    >>> g = np.arange(5.0)[:, None]
    >>> round(float(code.decode([1, 3, 4], code.encode(g)[[1, 3, 4]])[0]), 9)
    10.0
    """

    def __init__(self, n: int, s: int, seed=None, construction: str = "random",
                 residual_tolerance: float = DEFAULT_RESIDUAL_TOLERANCE, cache_size: int = DEFAULT_CACHE_SIZE):
        check_parameters(n, s)
        if construction == "cyclic-mds":
            if s % 2:
                raise ParameterError(f"the real cyclic-MDS construction needs an even s, got s={s}; "
                                     "use construction='random'")
            self.stride = golden_stride(n)
            generator = symmetric_zero_generator(n, s // 2, self.stride)
            self.band = np.tile(generator, (n, 1))
        elif construction == "random":
            rng = np.random.default_rng(seed)
            parity_check = rng.standard_normal((s, n))
            parity_check[:, -1] = -parity_check[:, :-1].sum(axis=1)
            self.band = cyclic_repetition_band_random(parity_check)
        else:
            raise ParameterError(f"construction must be 'random' or 'cyclic-mds', got {construction!r}")
        self.construction = construction
        indptr, indices, data = cyclic_band_to_csr(self.band)
        super().__init__(_csr_array(indptr, indices, data, n), s, residual_tolerance, cache_size)

    decodable_iff_count = True

    def is_decodable(self, received) -> bool:
        return self.survivors(received).size >= self.recovery_threshold

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
        else:
            coefficients, residual = cyclic_band_decoding_vector(self.band, used)
        if not residual <= self.residual_tolerance:
            raise DecodingAccuracyError(
                f"decoding vector for these {needed} survivors has residual {residual:.3g} > "
                f"{self.residual_tolerance:.1g}: B_I is numerically rank deficient",
                received=survivors.size, needed=needed)
        vector = np.zeros(self.n_workers)
        vector[used] = coefficients
        return vector
