"""The interface every code shares, and the linear-code machinery behind it.

Every code exposes the same few names: ``n_workers``, ``n_partitions``, ``assignment``,
``encoding_matrix`` (always a ``scipy.sparse.csr_array``), ``encode``, ``is_decodable``,
``decoding_vector`` and ``decode``; the simulator (:func:`codedml.sim.simulate`) drives it
through ``message_workers``, ``message_steps`` and ``first_decodable``, and the diagnostics
(:func:`codedml.codes.diagnostics.conditioning.decoding_conditioning`) through
``decoding_matrix`` and ``random_results``. ``received`` is always either an index array of
message ids or a boolean mask over them; a message id is the worker's index.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections import OrderedDict

import numpy as np
import scipy.sparse

from codedml._validation import array_size, check_finite, integer, real, real_array, received_ids
from codedml._validation import arrival_times as check_arrival_times
from codedml.codes._received import received_messages
from codedml.errors import NonFiniteError, NotDecodableError, ParameterError, ShapeError
from codedml.kernels.real_decoding import dense_decoding_vector
from codedml.kernels.sparse import csr_matmul

#: Default number of survivor sets whose decoding vectors a code keeps.
DEFAULT_CACHE_SIZE = 1024

#: Default bound on ``max_j |(a^T B_I)_j - 1|`` above which a real-field decoder refuses.
DEFAULT_RESIDUAL_TOLERANCE = 1e-8


def check_parameters(n_workers, n_stragglers) -> tuple[int, int]:
    """``(n, s)`` as integers with ``n >= 1`` and ``0 <= s < n`` (the survey's ``s(< n)``)."""
    n_workers = integer(n_workers, "n_workers", minimum=1)
    n_stragglers = integer(n_stragglers, "n_stragglers", minimum=0)
    if n_stragglers >= n_workers:
        raise ParameterError(
            f"n_stragglers (s={n_stragglers}) must be smaller than n_workers (n={n_workers}): need n >= s + 1"
        )
    return n_workers, n_stragglers


def validated_partials(partials, n_partitions: int) -> tuple[np.ndarray, bool]:
    """``partials`` as a finite C-contiguous float64 ``(n_partitions, d)`` array, and whether it was 1-D."""
    partials = real_array(partials, "partials", ndim=(1, 2))
    flat = partials.ndim == 1
    if flat:
        partials = partials[:, None]
    if partials.shape[0] != n_partitions:
        raise ShapeError(f"partials must have shape ({n_partitions}, d), one row per partition; got {partials.shape}")
    return partials, flat


def finite_result(result: np.ndarray, messages: np.ndarray, name: str = "messages") -> np.ndarray:
    """``result`` (a linear combination of ``messages``) if finite, else :class:`NonFiniteError`.

    Checking the O(d) result instead of the O(n d) input is sound: a NaN or infinity in a row with
    a non-zero weight makes the combination NaN or infinite, and a finite result never depends on a
    non-finite row.
    """
    if np.all(np.isfinite(result)):
        return result
    check_finite(messages, name)
    raise NonFiniteError(f"the decoded result from {name} overflowed the float64 range")


class GradientCode(ABC):
    """Abstract gradient code: ``n_workers`` messages computed from ``n_partitions`` partial gradients.

    Subclasses define the encoding and the decoding vector; this class validates inputs,
    caches decoding vectors per survivor set (bounded LRU) and combines messages.

    Attributes
    ----------
    n_workers : int
        ``n`` (survey), ``K`` (gc-mmc, cpgc): the number of messages, one per worker.
    n_partitions : int
        ``k``: the number of data partitions / partial gradients.
    exact : bool
        ``True`` when ``decode`` returns the exact sum ``sum_j g_j``; ``False`` for
        approximate schemes such as :class:`~codedml.codes.IgnoreStragglers`.
    field : str
        The field the code computes in (``"real"`` for every code in this module).
    """

    exact: bool = True
    field: str = "real"

    def __init__(self, n_workers: int, n_partitions: int, cache_size: int = DEFAULT_CACHE_SIZE):
        self.n_workers = integer(n_workers, "n_workers", minimum=1)
        self.n_partitions = integer(n_partitions, "n_partitions", minimum=1)
        self._cache: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._cache_size = integer(cache_size, "cache_size", minimum=0)
        self._cache_lock = threading.Lock()

    # ---- structure -------------------------------------------------------------------------
    @property
    @abstractmethod
    def encoding_matrix(self) -> scipy.sparse.csr_array:
        """``B`` (``n_workers x n_partitions``, a copy): worker ``i`` sends ``b_i . g``."""

    @property
    def assignment(self) -> np.ndarray:
        """Boolean ``n_workers x n_partitions`` support: which partitions each worker holds."""
        return self.encoding_matrix.toarray() != 0

    @property
    def computation_load(self) -> int:
        """``r``: the largest number of partitions any worker computes."""
        return int(self.assignment.sum(axis=1).max())

    @property
    def worker_loads(self) -> np.ndarray:
        """Number of partitions each worker computes (its finish time is ``load * unit time``)."""
        return self.assignment.sum(axis=1).astype(np.int64)

    @property
    def recovery_threshold(self) -> int | None:
        """Smallest ``m`` such that *any* ``m`` messages decode, or ``None`` if none is known."""
        return None

    #: ``True`` when a set of messages is decodable exactly when it has at least
    #: ``recovery_threshold`` of them (MDS-like codes); the simulator then uses order statistics.
    decodable_iff_count: bool = False

    # ---- received sets ---------------------------------------------------------------------
    def survivors(self, received) -> np.ndarray:
        """Normalise ``received`` (index array in any order, or boolean mask) to sorted unique int64 ids."""
        return np.sort(received_ids(received, self.n_workers))

    def _mask(self, survivors: np.ndarray) -> np.ndarray:
        mask = np.zeros(self.n_workers, dtype=np.bool_)
        mask[survivors] = True
        return mask

    # ---- encoding ----------------------------------------------------------------------------
    def encode(self, partials: np.ndarray) -> np.ndarray:
        """Messages of all workers: ``B @ partials``.

        Parameters
        ----------
        partials : ndarray, shape (n_partitions, d) or (n_partitions,)
            Partial gradients ``g_1..g_k``, one row per partition.

        Returns
        -------
        ndarray, shape (n_workers, d) (or (n_workers,) for 1-D input)
        """
        partials, flat = validated_partials(partials, self.n_partitions)
        messages = self._encode(partials)
        return messages[:, 0] if flat else messages

    @abstractmethod
    def _encode(self, partials: np.ndarray) -> np.ndarray:
        """``B @ partials`` for validated, C-contiguous 2-D float64 ``partials``."""

    # ---- decoding ----------------------------------------------------------------------------
    def is_decodable(self, received) -> bool:
        """Whether the messages in ``received`` determine the target."""
        survivors = self.survivors(received)
        try:
            self._cached_vector(survivors)
        except NotDecodableError:
            return False
        return True

    def decoding_vector(self, received) -> np.ndarray:
        """Coefficients ``a`` (length ``n_workers``, zero off ``received``) with ``a^T B = 1^T``.

        Raises
        ------
        NotDecodableError
            If the received messages cannot determine the target.
        """
        return self._cached_vector(self.survivors(received)).copy()

    def decode(self, received, messages: np.ndarray) -> np.ndarray:
        """The gradient sum ``sum_j g_j`` from the received messages.

        Parameters
        ----------
        received : index array or boolean mask
            Which messages arrived, in any order.
        messages : ndarray, shape (len(received), d) or (n_workers, d)
            Row ``i`` is the message of worker ``received[i]`` (for a boolean mask: of the
            ``i``-th received worker in increasing order); or every worker's message, row ``j``
            for worker ``j`` (rows of messages that did not arrive are then ignored). 1-D
            arrays are read as ``d = 1``.

        Returns
        -------
        ndarray, shape (d,) (a scalar for 1-D ``messages``)

        Raises
        ------
        NotDecodableError
            The received messages do not determine the sum.
        DecodingAccuracyError
            A real-field decoding vector exists but fails its residual check.
        """
        order = received_ids(received, self.n_workers)
        messages, flat = received_messages(order, messages, self.n_workers)
        coefficients = self._cached_vector(np.sort(order))[order]
        result = finite_result(coefficients @ messages, messages)
        return result[0] if flat else result

    def clear_cache(self) -> None:
        """Forget every cached decoding vector."""
        with self._cache_lock:
            self._cache.clear()

    def _cached_vector(self, survivors: np.ndarray) -> np.ndarray:
        """The decoding vector of sorted ``survivors``, from a bounded LRU cache safe under threads."""
        key = np.packbits(self._mask(survivors)).tobytes()
        with self._cache_lock:
            vector = self._cache.get(key)
            if vector is not None:
                self._cache.move_to_end(key)
                return vector
        vector = self._decoding_vector(survivors)  # outside the lock: threads may compute one set twice
        vector.setflags(write=False)
        with self._cache_lock:
            self._cache[key] = vector
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return vector

    @abstractmethod
    def _decoding_vector(self, survivors: np.ndarray) -> np.ndarray:
        """Full-length decoding vector for sorted survivor ids; raise NotDecodableError if none."""

    # ---- diagnostics ---------------------------------------------------------------------------
    def decoding_matrix(self, received) -> np.ndarray:
        """Dense ``B_J``: the encoding rows the decoder combines for ``received`` (``J`` = support of its vector).

        Its condition number bounds how much decoding amplifies rounding errors.

        Raises
        ------
        NotDecodableError
            The received messages do not determine the sum.
        """
        used = np.flatnonzero(self.decoding_vector(received))
        array_size(used.size * self.n_partitions, f"the dense {used.size} x {self.n_partitions} rows B_J")
        return self.encoding_matrix[used].toarray()

    def random_results(self, rng: np.random.Generator, dimension: int) -> tuple[np.ndarray, np.ndarray]:
        """Every worker's message for Gaussian partial gradients ``(n_partitions, dimension)``, and their sum.

        ``rng`` is a :class:`numpy.random.Generator`; the diagnostics decode the messages and compare.
        """
        partials = rng.standard_normal((self.n_partitions, integer(dimension, "dimension", minimum=1)))
        return self.encode(partials), partials.sum(axis=0)

    # ---- simulation --------------------------------------------------------------------------
    @property
    def message_workers(self) -> np.ndarray:
        """Sender of each message: worker ``i`` sends message ``i`` (the simulator's protocol)."""
        return np.arange(self.n_workers, dtype=np.int64)

    @property
    def message_steps(self) -> np.ndarray:
        """Computations before each message is sent: a worker sends once it has computed all its partitions."""
        return self.worker_loads

    def first_decodable(self, arrival_times, required: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Completion time and messages used, per iteration, from message arrival times.

        The simulator's protocol, shared with the multi-message codes
        (:meth:`codedml.codes.MultiMessageCode.first_decodable`).

        Parameters
        ----------
        arrival_times : ndarray, shape (n_iterations, n_workers)
            Arrival time of each worker's message (``inf`` for a message that never arrives).
        required : None
            Partial recovery applies to product-target codes only; a gradient code refuses it.

        Returns
        -------
        times : ndarray, shape (n_iterations,)
            First time the arrived messages are decodable (``inf`` if never).
        messages : ndarray of int64, shape (n_iterations,)
            Messages that arrived up to that time.

        Notes
        -----
        Codes with ``decodable_iff_count`` finish at the ``recovery_threshold``-th arrival
        (vectorised order statistic). Otherwise this generic version tests prefixes of the
        arrival order with :meth:`is_decodable` and bisection; codes with a known
        structure override it with a vectorised rule.

        Raises
        ------
        ShapeError
            ``arrival_times`` is not 2-D with ``n_workers`` columns.
        NonFiniteError
            ``arrival_times`` holds NaN or ``-inf``.
        ParameterError
            ``required`` is given.
        """
        arrival_times = self.validated_arrival_times(arrival_times, required)
        if self.decodable_iff_count:
            needed = self.recovery_threshold
            times = np.partition(arrival_times, needed - 1, axis=1)[:, needed - 1]
            return times, np.where(np.isfinite(times), needed, 0).astype(np.int64)
        times = np.full(arrival_times.shape[0], np.inf)
        used = np.zeros(arrival_times.shape[0], dtype=np.int64)
        for it, row in enumerate(arrival_times):
            order = np.argsort(row, kind="stable")
            arrived = int(np.count_nonzero(np.isfinite(row)))
            lo, hi = 0, arrived
            if arrived == 0 or not self.is_decodable(order[:arrived]):
                continue
            while lo + 1 < hi:  # decodability is monotone in the prefix length
                mid = (lo + hi) // 2
                if self.is_decodable(order[:mid]):
                    hi = mid
                else:
                    lo = mid
            times[it] = row[order[hi - 1]]
            used[it] = hi
        return times, used

    def validated_arrival_times(self, arrival_times, required: int | None = None) -> np.ndarray:
        """``arrival_times`` as a 2-D float64 array with ``n_workers`` columns, finite or ``+inf``.

        ``required`` must be ``None``: the target of a gradient code is the whole sum.
        """
        if required is not None:
            raise ParameterError(f"required (partial recovery) applies to target='product' codes only; "
                                 f"a gradient code's target is the sum, got required={required!r}")
        return check_arrival_times(arrival_times, "arrival_times", self.n_workers)


def validated_encoding_matrix(encoding_matrix, name: str = "encoding_matrix") -> scipy.sparse.csr_array:
    """A dense or sparse real matrix as a finite, non-empty float64 CSR array (a copy)."""
    if scipy.sparse.issparse(encoding_matrix):
        if encoding_matrix.dtype.kind == "c":
            raise ParameterError(f"{name} must be real; got complex values (dtype {encoding_matrix.dtype})")
        if encoding_matrix.dtype.kind not in "biuf":
            raise ParameterError(f"{name} must be numeric, got dtype {encoding_matrix.dtype}")
        if encoding_matrix.ndim != 2:
            raise ShapeError(f"{name} must be a 2-D matrix, got shape {encoding_matrix.shape}")
        matrix = scipy.sparse.csr_array(encoding_matrix, dtype=np.float64, copy=True)
    else:
        matrix = scipy.sparse.csr_array(real_array(encoding_matrix, name, ndim=2, finite=False))
    if matrix.shape[0] < 1 or matrix.shape[1] < 1:
        raise ShapeError(f"{name} must be a non-empty 2-D matrix, got shape {matrix.shape}")
    check_finite(matrix.data, name)
    return matrix


class LinearGradientCode(GradientCode):
    """A gradient code given by its encoding matrix ``B``, decoded by least squares.

    Parameters
    ----------
    encoding_matrix : array_like or scipy.sparse matrix, shape (n, k)
        ``B``: worker ``i`` sends ``b_i . g``.
    n_stragglers : int, optional
        ``s``, the number of stragglers the matrix is claimed to tolerate; it sets
        ``recovery_threshold = n - s`` (check the claim with :func:`check_b_span`).
    residual_tolerance : float
        Largest ``max_j |(a^T B_I)_j - 1|`` accepted before decoding is refused.

    Examples
    --------
    >>> import numpy as np
    >>> from codedml.codes import LinearGradientCode
    >>> code = LinearGradientCode(np.eye(3))
    >>> float(code.decode([0, 1, 2], np.array([1.0, 2.0, 3.0])))
    6.0
    """

    def __init__(self, encoding_matrix, n_stragglers: int | None = None,
                 residual_tolerance: float = DEFAULT_RESIDUAL_TOLERANCE, cache_size: int = DEFAULT_CACHE_SIZE):
        matrix = validated_encoding_matrix(encoding_matrix)
        # canonical form now: scipy sorts unsorted indices in place on first use (e.g. ``!=``),
        # which would reorder ``data`` under the index copies the encoding kernel reads
        matrix.sum_duplicates()
        super().__init__(matrix.shape[0], matrix.shape[1], cache_size)
        self._csr = matrix
        self._indptr = matrix.indptr.astype(np.int64)
        self._indices = matrix.indices.astype(np.int64)
        self.residual_tolerance = real(residual_tolerance, "residual_tolerance", minimum=0.0)
        if n_stragglers is not None:
            _, n_stragglers = check_parameters(self.n_workers, n_stragglers)
        self.n_stragglers = n_stragglers

    @property
    def recovery_threshold(self) -> int | None:
        return None if self.n_stragglers is None else self.n_workers - self.n_stragglers

    @property
    def encoding_matrix(self) -> scipy.sparse.csr_array:
        return self._csr.copy()

    @property
    def assignment(self) -> np.ndarray:
        array_size(self.n_workers * self.n_partitions, "the dense n_workers x n_partitions assignment "
                   f"(n_workers={self.n_workers}, n_partitions={self.n_partitions})", itemsize=1)
        support = scipy.sparse.csr_array(self._csr != 0)
        return support.toarray()

    @property
    def computation_load(self) -> int:
        return int(self.worker_loads.max())

    @property
    def worker_loads(self) -> np.ndarray:
        rows = np.repeat(np.arange(self.n_workers), np.diff(self._indptr))
        return np.bincount(rows[self._csr.data != 0], minlength=self.n_workers).astype(np.int64)

    def _encode(self, partials: np.ndarray) -> np.ndarray:
        return csr_matmul(self._indptr, self._indices, self._csr.data, partials)

    def encoding_rows(self, survivors) -> np.ndarray:
        """Dense ``B_I``: the encoding rows of the given workers (row ``i`` for ``survivors[i]``, any order)."""
        survivors = received_ids(survivors, self.n_workers, "survivors")
        array_size(survivors.size * self.n_partitions,
                   f"the dense {survivors.size} x {self.n_partitions} system B_I of the survivors")
        return self._csr[survivors].toarray()

    def _decoding_vector(self, survivors: np.ndarray) -> np.ndarray:
        if survivors.size == 0:
            raise NotDecodableError("no message arrived", received=0, needed=self.recovery_threshold)
        coefficients, residual = dense_decoding_vector(self.encoding_rows(survivors))
        if residual > self.residual_tolerance:
            raise NotDecodableError(
                f"the {survivors.size} received messages do not span the all-ones vector "
                f"(least-squares residual {residual:.3g} > {self.residual_tolerance:.1g})",
                received=survivors.size, needed=self.recovery_threshold)
        vector = np.zeros(self.n_workers)
        vector[survivors] = coefficients
        return vector
