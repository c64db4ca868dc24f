"""LT (Luby transform) fountain code on payload arrays (survey section 4).

:class:`LTCode` holds one sampled generator; :class:`LTDecoder` is the master's view,
accepting coded symbols as they arrive and peeling incrementally. All loops over symbols,
edges and bytes run in :mod:`codedml.kernels.soliton`, :mod:`codedml.kernels.lt_encoding`,
:mod:`codedml.kernels.peeling` and :mod:`codedml.kernels.elimination`.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse

from codedml import _validation as check
from codedml._validation import kernel_seed
from codedml.codes.erasure.base import ErasureCode
from codedml.errors import (
    DecodingAccuracyError,
    NotDecodableError,
    ParameterError,
    ShapeError,
)
from codedml.kernels.elimination import gf2_solve_residual, real_solve_residual
from codedml.kernels.lt_encoding import encode_sum, encode_xor, lt_generator
from codedml.kernels.peeling import peel_arrivals, resolve_sum, resolve_xor
from codedml.kernels.soliton import ideal_soliton, robust_soliton
from codedml.kernels.sparse import csr_transpose

#: Largest residual ``|G_I x - c|``, relative to ``max(1, max|c|)``, accepted from the real elimination finish.
REAL_RESIDUAL_TOLERANCE = 1e-8

#: Pivot threshold of the real elimination finish (residual coefficients start at 0 or 1).
DEFAULT_PIVOT_TOLERANCE = 1e-9

_NO_IDS = np.empty(0, dtype=np.int64)
#: Source ids share a 64-bit peeling-state word with a degree count (kernels/peeling.py).
MAX_SOURCE_SYMBOLS = 2**31


def degree_distribution(n_sources: int, distribution="robust", c: float = 0.03, delta: float = 0.5) -> np.ndarray:
    """The degree distribution ``Omega`` as ``probabilities[d]``, ``d = 0..D`` (entry 0 is zero).

    Parameters
    ----------
    n_sources : int
        ``k``: number of source symbols.
    distribution : {"robust", "ideal"} or array_like
        Robust soliton ``(c, delta)``, ideal soliton, or a user-given vector
        ``p[d - 1] = P(degree = d)`` for ``d = 1..len(p)`` (``len(p) <= k``, non-negative,
        normalised here if it sums to a positive number).
    c, delta : float
        Robust-soliton parameters (Luby 2002): ``c > 0``, ``0 < delta < 1``.
    """
    k = check.integer(n_sources, "n_sources", minimum=1, maximum=MAX_SOURCE_SYMBOLS - 1)
    if isinstance(distribution, str):
        if distribution not in ("robust", "ideal"):
            raise ParameterError(f"distribution must be 'robust', 'ideal' or a probability vector, "
                                 f"got {distribution!r}")
        check.array_size(k + 1, f"the degree distribution over n_sources={k} degrees")
        if distribution == "ideal":
            return ideal_soliton(k)
        c = check.real(c, "c", minimum=0.0, open_minimum=True)
        delta = check.probability(delta, "delta", open_minimum=True, open_maximum=True)
        probabilities = robust_soliton(k, c, delta)
        if not np.all(np.isfinite(probabilities)):
            raise ParameterError(f"the robust soliton with c={c!r} and delta={delta!r} overflows at n_sources={k}; "
                                 f"choose a smaller c or a larger delta")
        return probabilities
    vector = check.real_array(distribution, "distribution", ndim=1)
    if vector.size == 0:
        raise ParameterError("distribution must be a non-empty vector of degree probabilities, got an empty one")
    if vector.size > k:
        raise ParameterError(f"degree distribution has {vector.size} degrees but there are only n_sources={k} "
                             f"source symbols")
    with np.errstate(over="ignore"):
        total = vector.sum()
    if np.any(vector < 0) or not 0 < total < np.inf:
        raise ParameterError("degree probabilities must be finite, non-negative and not all zero, with a finite sum")
    return np.concatenate(([0.0], vector / total))


def _payload_words(payloads: np.ndarray) -> np.ndarray:
    """Byte rows as ``uint64`` words when the width allows (zero copy), else as ``uint8``."""
    payloads = np.ascontiguousarray(payloads)
    if payloads.shape[1] % 8 == 0:
        return payloads.view(np.uint64)
    return payloads


def _check_payloads(payloads, rows: int | None, name: str) -> np.ndarray:
    """Payload rows: ``uint8`` bytes (GF(2)) as given, or finite real values as float64.

    Refuses ``None``, ragged input, strings, complex values, other integer dtypes (bytes must be
    ``uint8``), NaN and infinity, and a row count other than ``rows``.
    """
    array = check.numeric_array(payloads, name)
    if array.dtype.kind == "c":
        raise ParameterError(f"{name} must be real or bytes; got complex values (dtype {array.dtype})")
    if array.ndim != 2:
        raise ShapeError(f"{name} must be 2-D (symbols x payload), got shape {array.shape}")
    if rows is not None and array.shape[0] != rows:
        raise ShapeError(f"{name} must have {rows} rows, got {array.shape[0]}")
    if array.dtype == np.uint8:
        return array
    if array.dtype.kind != "f":
        raise ShapeError(f"{name} must be uint8 (bytes, GF(2)) or float (real) payloads, got dtype {array.dtype}")
    array = array.astype(np.float64, copy=False)
    check.check_finite(array, name)
    return array


def _received_rows(ids: np.ndarray, payloads: np.ndarray, n_coded: int, name: str) -> np.ndarray:
    """The payload rows of ``ids``: row ``i`` for ``ids[i]``, or row ``j`` for id ``j`` of a ``Q``-row array."""
    rows = check.received_rows(payloads.shape[0], ids, n_coded, name)
    return payloads if rows is None else payloads[rows]


class LTCode(ErasureCode):
    """LT fountain code: ``Q = ceil((1 + eta) k)`` coded symbols, each the XOR (bytes) or sum
    (floats) of ``d ~ Omega`` distinct source symbols.

    Parameters
    ----------
    n_sources : int
        ``k`` (survey ``|D_f|``): number of source symbols.
    eta : float
        ``eta`` (survey ``eta_f >= 0``): redundancy; ``n_coded = ceil((1 + eta) k)``.
    distribution : {"robust", "ideal"} or array_like
        Degree distribution ``Omega`` (see :func:`degree_distribution`).
    c, delta : float
        Robust-soliton parameters.
    seed : int, numpy.random.Generator or None
        Makes the generator reproducible (mapped to numba's 32-bit seed by
        :func:`kernel_seed`).

    Examples
    --------
    >>> import numpy as np
    >>> from codedml.codes.erasure.lt import LTCode
    >>> code = LTCode(200, 0.5, seed=1)
    >>> data = np.random.default_rng(0).integers(0, 256, (200, 16), dtype=np.uint8)
    >>> coded = code.encode(data)
    >>> keep = np.random.default_rng(1).permutation(code.n_coded)[:250]
    >>> bool(np.array_equal(code.decode(keep, coded[keep]), data))
    True
    """

    field = None

    def __init__(self, n_sources: int, eta: float, distribution="robust", c: float = 0.03, delta: float = 0.5,
                 seed=None):
        k = check.integer(n_sources, "n_sources", minimum=1)
        if k >= MAX_SOURCE_SYMBOLS:
            raise ParameterError(f"n_sources must be below {MAX_SOURCE_SYMBOLS} (source ids are packed in 32 bits of "
                                 f"the peeling state), got {k}")
        self.n_sources = k
        self.eta = check.real(eta, "eta", minimum=0.0)
        n_coded = (1.0 + self.eta) * self.n_sources
        if not math.isfinite(n_coded):
            raise ParameterError(f"eta={self.eta!r} gives an infinite number of coded symbols "
                                 f"(n_sources={self.n_sources})")
        self.n_coded = math.ceil(n_coded)
        check.array_size(4 * (self.n_coded + self.n_sources),
                         f"the decoder state of n_coded={self.n_coded} coded symbols "
                         f"(n_sources={self.n_sources}, eta={self.eta!r})")
        self.degree_probabilities = degree_distribution(self.n_sources, distribution, c, delta)
        mean_degree = float(np.arange(self.degree_probabilities.size) @ self.degree_probabilities)
        check.array_size(2 * self.n_coded * max(mean_degree, 1.0),
                         f"the generator's edges (n_coded={self.n_coded}, mean degree {mean_degree:.3g})")
        self.seed = kernel_seed(seed)
        self.indptr, self.indices = lt_generator(self.n_sources, self.n_coded, self.degree_probabilities, self.seed)
        self.t_indptr, self.t_indices = csr_transpose(self.indptr, self.indices, self.n_sources)

    @property
    def generator(self) -> scipy.sparse.csr_array:
        """The ``Q x k`` generator (0/1 entries): coded symbol ``i`` combines the sources of row ``i``."""
        data = np.ones(self.indices.size, dtype=np.uint8)
        return scipy.sparse.csr_array((data, self.indices, self.indptr), shape=(self.n_coded, self.n_sources))

    def encode(self, payloads) -> np.ndarray:
        """The ``Q`` coded payloads of ``k`` source payloads (``k x bytes`` uint8 or ``k x d`` float)."""
        payloads = _check_payloads(payloads, self.n_sources, "source payloads")
        check.array_size(self.n_coded * payloads.shape[1], f"the {self.n_coded} coded payloads of "
                         f"{payloads.shape[1]} entries", itemsize=payloads.itemsize)
        if payloads.dtype == np.uint8:
            return encode_xor(self.indptr, self.indices, _payload_words(payloads)).view(np.uint8)
        return encode_sum(self.indptr, self.indices, np.ascontiguousarray(payloads))

    def decoder(self) -> LTDecoder:
        """A fresh incremental decoder for this generator."""
        return LTDecoder(self)

    def decode(self, received, coded_payloads, inactivation: bool = True) -> np.ndarray:
        """Recover the ``k`` source payloads from received coded symbols.

        Parameters
        ----------
        received : array_like of int or bool
            Ids (``0..Q-1``) of the received coded symbols, in any order, each at most once, or a
            boolean mask over the ``Q`` coded symbols.
        coded_payloads : ndarray, shape (len(received), bytes or d) or (Q, bytes or d)
            Their payloads, uint8 (XOR) or finite float (sum): row ``i`` for ``received[i]``
            (for a mask, the ``i``-th received id in increasing order), or row ``j`` for coded
            symbol ``j``.
        inactivation : bool
            Finish what peeling leaves by Gaussian elimination (success whenever the
            received generator has full rank); ``False``: peeling only.

        Raises
        ------
        NotDecodableError
            Naming how many source symbols are still missing.
        """
        inactivation = check.flag(inactivation, "inactivation")
        decoder = LTDecoder(self)
        decoder.add(received, coded_payloads)
        if inactivation and not decoder.is_complete:
            decoder.finish()
        return decoder.sources(copy=False)

    def is_decodable(self, received, inactivation: bool = True, real: bool = False) -> bool:
        """Whether :meth:`decode` recovers every source from ``received`` (the generator alone decides).

        Parameters
        ----------
        received : array_like of int or bool
            As in :meth:`decode`.
        inactivation : bool
            As in :meth:`decode`.
        real : bool
            Decide for float payloads (real elimination, pivot threshold
            :data:`DEFAULT_PIVOT_TOLERANCE`) instead of byte payloads (``GF(2)`` elimination).
            Peeling decides alike for both.
        """
        real = check.flag(real, "real")
        ids = self._received_ids(received)
        decoder = LTDecoder(self)
        decoder.add(ids, np.zeros((ids.size, 0), dtype=np.float64 if real else np.uint8))
        if check.flag(inactivation, "inactivation") and not decoder.is_complete:
            decoder.finish()
        return decoder.is_complete


class LTDecoder:
    """Incremental LT decoder: the master adds coded symbols as they arrive and peels at once.

    Payloads are stored by coded id (a ``Q``-row buffer allocated at the first arrival,
    whose dtype and width fix the payload kind). :meth:`finish` runs the elimination finish
    on demand; arrivals after it keep peeling.

    Examples
    --------
    >>> import numpy as np
    >>> from codedml.codes.erasure.lt import LTCode
    >>> code = LTCode(50, 1.0, seed=3)
    >>> x = np.arange(100.0).reshape(50, 2)
    >>> coded = code.encode(x)
    >>> decoder = code.decoder()
    >>> for i in range(code.n_coded):
    ...     if decoder.add(i, coded[i]):
    ...         break
    >>> bool(np.allclose(decoder.sources(), x)), decoder.n_received < code.n_coded
    (True, True)
    """

    def __init__(self, code: LTCode):
        if not isinstance(code, LTCode):
            raise ParameterError(f"code must be an LTCode, got {type(code).__name__}")
        self.code = code
        q, k = code.n_coded, code.n_sources
        self._slot = np.full(q, -1, dtype=np.int64)
        self._peel_state = np.full(q, -1, dtype=np.int64)
        self._recovered = np.zeros(k, dtype=np.bool_)
        self._released_by = np.full(k, -1, dtype=np.int64)
        self._release_order = np.empty(k, dtype=np.int64)
        self._n_released = 0
        self._coded = None  # (Q, w) buffer (or the caller's array for a single batch), by slot
        self._sources = None
        self._eliminated = False  # the real elimination finish solved sources: check the residual

    @property
    def n_received(self) -> int:
        """Number of distinct coded symbols received so far."""
        return int(np.count_nonzero(self._peel_state >= 0))

    @property
    def n_recovered(self) -> int:
        """Number of source symbols known so far."""
        return int(np.count_nonzero(self._recovered))

    @property
    def recovered_mask(self) -> np.ndarray:
        """Boolean mask over the ``k`` sources (a copy)."""
        return self._recovered.copy()

    @property
    def released_by(self) -> np.ndarray:
        """For each source, the coded symbol whose release recovered it (``-1``: elimination or unknown)."""
        return self._released_by.copy()

    @property
    def release_order(self) -> np.ndarray:
        """The sources peeling has released so far, in release order (a copy)."""
        return self._release_order[:self._n_released].copy()

    @property
    def is_complete(self) -> bool:
        """``True`` once all ``k`` source symbols are known."""
        return self.n_recovered == self.code.n_sources

    def add(self, ids, payloads) -> bool:
        """Admit coded symbols, peel, and return :attr:`is_complete`.

        ``ids`` is one id (with a 1-D payload) or, as ``received`` of :meth:`LTCode.decode`,
        ids in any order (each at most once per call) or a boolean mask over the ``Q`` symbols,
        with payload rows paired the same way. Ids received in an earlier call are ignored.
        """
        n_coded = self.code.n_coded
        if np.ndim(ids) == 0:
            ids = np.array([check.integer(ids, "received", minimum=0, maximum=n_coded - 1)], dtype=np.int64)
            if payloads is not None and np.ndim(payloads) <= 1:
                payloads = np.reshape(payloads, (1, -1))
            payloads = _check_payloads(payloads, 1, "coded payloads")
        else:
            ids = check.ids(ids, "received", n_coded)
            payloads = _received_rows(ids, _check_payloads(payloads, None, "coded payloads"), n_coded,
                                      "coded payloads")
        if self._coded is None:
            if ids.size == 0:
                return False
            self._start(payloads)
            slots = np.arange(ids.size, dtype=np.int64)
        else:
            self._store(payloads, ids)
            slots = ids
        self._peel(ids, slots, _NO_IDS)
        return self.is_complete

    def _start(self, payloads):
        """First batch: keep a single batch without copying (slot = position in it)."""
        if payloads.dtype == np.uint8:
            self._coded = _payload_words(payloads)
        else:
            self._coded = np.ascontiguousarray(payloads)
        self._batch_only = True
        self._sources = np.zeros((self.code.n_sources, self._coded.shape[1]), dtype=self._coded.dtype)

    def _store(self, payloads, ids):
        """Later arrivals: move to a ``Q``-row buffer indexed by coded id."""
        words = _payload_words(payloads) if payloads.dtype == np.uint8 else payloads
        if words.dtype != self._coded.dtype or words.shape[1] != self._coded.shape[1]:
            raise ShapeError(f"coded payloads must match the first arrival ({self._coded.dtype}, "
                             f"width {self._coded.shape[1]}), got ({words.dtype}, width {words.shape[1]})")
        if self._batch_only:
            check.array_size(self.code.n_coded * self._coded.shape[1], f"the decoder's buffer of "
                             f"{self.code.n_coded} coded payloads", itemsize=self._coded.itemsize)
            buffer = np.zeros((self.code.n_coded, self._coded.shape[1]), dtype=self._coded.dtype)
            received = np.flatnonzero(self._slot >= 0)
            buffer[received] = self._coded[self._slot[received]]
            self._slot[received] = received
            self._coded = buffer
            self._batch_only = False
        fresh = self._peel_state[ids] < 0
        self._coded[ids[fresh]] = words[fresh]

    def _peel(self, ids, slots, solved):
        code = self.code
        start = self._n_released
        self._n_released = peel_arrivals(
            code.indptr, code.indices, code.t_indptr, code.t_indices, ids, slots, solved, self._slot,
            self._peel_state, self._recovered, self._released_by,
            self._release_order, self._n_released)
        fresh = self._release_order[start:self._n_released]
        resolve = resolve_xor if self._coded.dtype != np.float64 else resolve_sum
        resolve(code.indptr, code.indices, self._released_by, fresh, self._slot, self._coded, self._sources)

    def finish(self, tolerance: float = DEFAULT_PIVOT_TOLERANCE) -> int:
        """Gaussian-elimination finish of what peeling left; return how many sources are still missing.

        ``GF(2)`` elimination on bit-packed rows for byte payloads, real elimination with
        partial pivoting (pivot threshold ``tolerance``) for float payloads.
        """
        tolerance = check.real(tolerance, "tolerance", minimum=0.0)
        if self._coded is None or self.is_complete:
            return self.code.n_sources - self.n_recovered
        code = self.code
        if self._coded.dtype == np.float64:
            solved = real_solve_residual(code.indptr, code.indices, self._slot, self._coded, self._peel_state,
                                         self._recovered, self._sources, float(tolerance))
        else:
            solved = gf2_solve_residual(code.indptr, code.indices, self._slot, self._coded, self._peel_state,
                                        self._recovered, self._sources)
        self._eliminated |= self._coded.dtype == np.float64 and solved.size > 0
        self._peel(_NO_IDS, _NO_IDS, solved)
        return self.code.n_sources - self.n_recovered

    def sources(self, copy: bool = True) -> np.ndarray:
        """The ``k`` source payloads (uint8 bytes or float64), or :class:`NotDecodableError`.

        ``copy=False`` returns the decoder's own array (valid until the next :meth:`add`).
        """
        copy = check.flag(copy, "copy")
        missing = self.code.n_sources - self.n_recovered
        if missing:
            raise NotDecodableError(
                f"{missing} of {self.code.n_sources} source symbols are still missing after {self.n_received} "
                f"received coded symbols", received=self.n_received, needed=self.code.n_sources)
        if self._eliminated:
            self._check_residual()
        sources = self._sources if self._sources.dtype == np.float64 else self._sources.view(np.uint8)
        return sources.copy() if copy else sources

    def _check_residual(self) -> None:
        """Refuse real sources that the received coded symbols do not reproduce (ill-conditioned finish)."""
        code = self.code
        received = np.flatnonzero(self._peel_state >= 0)
        generator = scipy.sparse.csr_array((np.ones(code.indices.size), code.indices, code.indptr),
                                           shape=(code.n_coded, code.n_sources))
        coded = self._coded[self._slot[received]]
        residual = np.max(np.abs(generator[received] @ self._sources - coded), initial=0.0)
        bound = REAL_RESIDUAL_TOLERANCE * max(1.0, float(np.max(np.abs(coded), initial=0.0)))
        if not residual <= bound:
            raise DecodingAccuracyError(
                f"the real elimination finish reproduces the received coded symbols only to {residual:.3g} "
                f"(> {bound:.3g}): the received generator is numerically rank deficient",
                received=self.n_received, needed=code.n_sources)
