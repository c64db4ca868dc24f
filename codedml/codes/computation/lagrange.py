"""Lagrange coded computing (LCC, Yu et al.; compared in seed gc-mmc) over ``GF(p)``.

The data set is split into ``k`` blocks ``X_1..X_k``. With distinct points ``beta_1..beta_k``
(here ``1..k``) and ``alpha_1..alpha_K`` (here ``k+1..k+K``), the Lagrange polynomial
``u(z) = sum_j X_j l_j(z)`` has ``u(beta_j) = X_j``; worker ``i`` stores ``u(alpha_i)`` and
computes ``f(u(alpha_i))`` for a polynomial ``f`` of degree ``deg f``. ``f(u(z))`` has degree
``(k - 1) deg f``, so any ``(k - 1) deg f + 1`` results determine it; the master evaluates it at
every ``beta_j`` and adds: ``sum_j f(X_j)``. Everything is exact mod ``p``; real data enter as
fixed-point integers (:class:`~codedml.fields.fixed_point.Quantizer`).

Over an NTT-friendly prime (:data:`~codedml.kernels.ntt.NTT_PRIME` ``= 15 * 2^27 + 1``) the code takes
the fast path (``algorithm="fast"``, the default there): at the consecutive points ``1..k+K`` the
Lagrange basis is a ratio of factorials times ``1 / (z - j)``, so encoding is one number-theoretic
convolution per data column and the decoding coefficients one subproduct tree and one convolution
(:mod:`codedml.kernels.consecutive_lagrange`), ``O((k + K) log^2 (k + K))`` with no ``K x k`` matrix;
encoded blocks and decoded sums equal the dense path's.

Linear regression: with ``A_j = [X_j, y_j]`` and ``theta' = (theta, -1)``,
``f(A_j) = X_j^T (A_j theta')`` is the block's gradient ``X_j^T (X_j theta - y_j)``, degree 2
in the data; in fixed point it carries ``scale^3``.
"""

from __future__ import annotations

import numpy as np

from codedml._validation import (
    array_size,
    choice,
    field_elements,
    integer,
    real_array,
    received_ids,
)
from codedml.codes._received import received_field_elements
from codedml.codes.computation.base import ComputationCode
from codedml.errors import NotDecodableError, ParameterError, ShapeError
from codedml.fields.fixed_point import Quantizer
from codedml.fields.galois_fields import DEFAULT_PRIME, check_field_size
from codedml.kernels.consecutive_lagrange import consecutive_lagrange_encode, consecutive_lagrange_sum_coefficients
from codedml.kernels.gfp import (
    gfp_elementwise_multiply,
    gfp_lagrange_basis,
    gfp_matmul,
    gfp_matvec,
)
from codedml.kernels.ntt import max_transform_length

#: Default fixed-point scale: regression gradients carry ``scale^3``.
DEFAULT_LCC_SCALE = 2.0**6


class LagrangeCodedComputing(ComputationCode):
    """LCC for polynomial computations, recovery threshold ``(k - 1) * degree + 1``.

    Parameters
    ----------
    n_workers : int
        ``K``: workers.
    n_partitions : int
        ``k``: blocks the data set is split into.
    degree : int
        ``deg f`` (2 for the linear-regression gradient).
    field : {"gfp"} or prime-field name
        Only prime fields are offered (the code is exact there).
    p : int
        The prime of ``"gfp"`` (default ``2^31 - 1``).
    scale : float
        Fixed-point scale for :meth:`encode_regression`.
    algorithm : {"auto", "dense", "fast"}
        ``"dense"`` stores the ``K x k`` encoding matrix, encodes in ``O(K k)`` per data column and
        decodes with a ``k x ((k - 1) deg f + 1)`` basis; ``"fast"`` encodes and decodes by
        number-theoretic transforms in ``O((k + K) log^2 (k + K))`` and ``O(k + K)`` memory, and needs a
        prime whose ``p - 1`` is divisible by ``4 (k + K)`` rounded up to a power of two
        (:data:`~codedml.kernels.ntt.NTT_PRIME` reaches ``k + K = 2^25``); ``"auto"`` takes ``"fast"``
        whenever the prime allows it.

    Examples
    --------
    >>> import numpy as np
    >>> from codedml.codes.computation.lagrange import LagrangeCodedComputing
    >>> code = LagrangeCodedComputing(6, 2, 2)
    >>> code.recovery_threshold
    3
    >>> X, y, theta = np.eye(4)[:, :2], np.ones(4), np.array([0.5, -1.0])
    >>> results = code.regression_worker_results(code.encode_regression(X, y), theta)
    >>> code.decode_regression([0, 4, 5], results[[0, 4, 5]])
    array([-0.5, -2. ])
    >>> from codedml.kernels.ntt import NTT_PRIME
    >>> fast = LagrangeCodedComputing(6, 2, 2, p=NTT_PRIME)
    >>> fast.algorithm
    'fast'
    >>> fast.decode([1, 2, 5], fast.encode(np.array([[3], [4]]))[[1, 2, 5]])  # f = identity here
    array([7])
    """

    def __init__(self, n_workers: int, n_partitions: int, degree: int, field="gfp", p: int = DEFAULT_PRIME,
                 scale: float = DEFAULT_LCC_SCALE, algorithm: str = "auto"):
        self.n_workers = integer(n_workers, "n_workers", minimum=1)
        self.n_partitions = integer(n_partitions, "n_partitions", minimum=1)
        self.degree = integer(degree, "degree", minimum=1)
        algorithm = choice(algorithm, "algorithm", ("auto", "dense", "fast"))
        self.recovery_threshold = (self.n_partitions - 1) * self.degree + 1
        if self.recovery_threshold > self.n_workers:
            raise ParameterError(f"LCC needs n_workers >= (n_partitions - 1) degree + 1 = {self.recovery_threshold}, "
                                 f"got n_workers={self.n_workers}")
        if isinstance(field, str) and field.strip().lower() == "real":
            raise ParameterError("LagrangeCodedComputing is offered over GF(p) only (field='gfp')")
        self.quantizer = Quantizer(scale, p if isinstance(field, str) and field.strip().lower() == "gfp" else field)
        self.field = self.quantizer.field.name
        self.p = self.quantizer.p
        check_field_size(self.quantizer.field, self.n_partitions + self.n_workers,
                         f"interpolation points (n_partitions + n_workers = {self.n_partitions} + {self.n_workers})")
        count = self.n_partitions + self.n_workers
        transform = 4 << max(count - 1, 0).bit_length()
        supported = max_transform_length(self.p) >= transform
        if algorithm == "fast" and not supported:
            raise ParameterError(
                f"algorithm='fast' needs a prime p whose p - 1 is divisible by {transform} "
                f"(n_workers={self.n_workers}, n_partitions={self.n_partitions}); use p=NTT_PRIME (15 * 2^27 + 1) "
                "or algorithm='dense'")
        #: ``"dense"`` or ``"fast"``: the algorithm this code encodes and decodes with.
        self.algorithm = "fast" if algorithm == "fast" or (algorithm == "auto" and supported) else "dense"
        if self.algorithm == "fast":
            array_size(transform, f"the transforms of length {transform} (n_workers={self.n_workers}, "
                       f"n_partitions={self.n_partitions})")
        else:
            array_size(self.n_workers * self.n_partitions, self._matrix_name)
        self.data_points = np.arange(1, self.n_partitions + 1, dtype=np.int64)
        self.worker_points = np.arange(self.n_partitions + 1, count + 1, dtype=np.int64)
        self._matrix = None
        if self.algorithm == "dense":
            self._matrix = self._dense_matrix()
        self.data_bound: float | None = None
        self._rows: int | None = None

    decodable_iff_count = True

    @property
    def _matrix_name(self) -> str:
        return f"the K x k encoding matrix (n_workers={self.n_workers}, n_partitions={self.n_partitions})"

    def _dense_matrix(self) -> np.ndarray:
        array_size(self.n_workers * self.n_partitions, self._matrix_name)
        matrix = gfp_lagrange_basis(self.data_points, self.worker_points, self.p)
        matrix.setflags(write=False)
        return matrix

    @property
    def encoding_matrix(self) -> np.ndarray:
        """``G[i, j] = l_j(alpha_i)``, shape ``(K, k)``: stored by the dense path, built on request by the fast one."""
        return self._matrix if self._matrix is not None else self._dense_matrix()

    # ---- generic polynomial computations ------------------------------------------------------------
    def encode(self, blocks: np.ndarray) -> np.ndarray:
        """``u(alpha_i)`` for every worker from field-element blocks (integers in ``[0, p)``) of shape ``(k, ...)``."""
        blocks = field_elements(blocks, "blocks", self.p)
        if blocks.ndim < 1 or blocks.shape[0] != self.n_partitions:
            raise ShapeError(f"blocks must have shape (n_partitions={self.n_partitions}, ...), got {blocks.shape}")
        array_size(self.n_workers * (blocks.size // self.n_partitions),
                   f"the encoded blocks (n_workers={self.n_workers} times a block of shape {blocks.shape[1:]})")
        flat = blocks.reshape(self.n_partitions, -1)
        if self._matrix is None:
            encoded = consecutive_lagrange_encode(np.ascontiguousarray(flat), self.n_workers, self.p,
                                                  self.quantizer.field.primitive_element)
        else:
            encoded = gfp_matmul(self._matrix, flat, self.p)
        return encoded.reshape((self.n_workers,) + blocks.shape[1:])

    def decoding_coefficients(self, received) -> np.ndarray:
        """``c`` with ``sum_j f(X_j) = sum_{i in used} c_i f(u(alpha_i))``.

        ``used`` is the ``(n_partitions - 1) degree + 1`` lowest received worker ids; ``c`` is in
        that (increasing) order.
        """
        survivors = self.survivors(received)
        needed = self.recovery_threshold
        if survivors.size < needed:
            raise NotDecodableError(f"{survivors.size} worker results received, LCC needs any {needed} = "
                                    f"(n_partitions - 1) degree + 1", received=survivors.size, needed=needed)
        used = survivors[:needed]
        if self._matrix is None:
            unused = np.ones(self.n_workers, dtype=bool)
            unused[used] = False
            return consecutive_lagrange_sum_coefficients(used, np.flatnonzero(unused), self.n_partitions, self.p,
                                                         self.quantizer.field.primitive_element)
        basis = gfp_lagrange_basis(self.worker_points[used], self.data_points, self.p)
        return basis.sum(axis=0) % self.p

    def decode(self, received, results) -> np.ndarray:
        """``sum_j f(X_j)`` as field elements.

        Parameters
        ----------
        received : index array or boolean mask
            Which workers' results arrived, in any order.
        results : ndarray of field elements, shape (len(received), ...) or (K, ...)
            Row ``i`` for worker ``received[i]`` (for a boolean mask, the ``i``-th received worker
            in increasing order), or one row per worker; integers in ``[0, p)``.
        """
        order = received_ids(received, self.n_workers)
        coefficients = self.decoding_coefficients(order)
        results = received_field_elements(order, results, self.n_workers, self.p, "results")
        chosen = np.argsort(order, kind="stable")[: self.recovery_threshold]  # rows of the lowest ids, increasing
        used = results[chosen].reshape(self.recovery_threshold, -1)
        total = gfp_matvec(np.ascontiguousarray(used.T), coefficients, self.p)
        return total.reshape(results.shape[1:])

    # ---- linear regression ----------------------------------------------------------------------------
    def encode_regression(self, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Quantise ``A = [X, y]``, split its ``N`` rows into ``k`` blocks and encode: shape ``(K, N / k, L + 1)``."""
        X = real_array(X, "X", ndim=2)
        y = real_array(y, "y", shape=(X.shape[0],))
        if X.shape[0] % self.n_partitions:
            raise ShapeError(f"the N={X.shape[0]} rows must split evenly into n_partitions={self.n_partitions}")
        array_size(self.n_workers * (X.shape[0] // self.n_partitions) * (X.shape[1] + 1),
                   f"the encoded data (n_workers={self.n_workers} blocks of shape ({X.shape[0] // self.n_partitions}, "
                   f"{X.shape[1] + 1}))")
        augmented = np.column_stack([X, y])
        self.data_bound = float(np.abs(augmented).max()) if augmented.size else 0.0
        self._rows = X.shape[0]
        blocks = self.quantizer.quantize(augmented).reshape(self.n_partitions, -1, augmented.shape[1])
        return self.encode(blocks)

    def regression_worker_results(self, encoded: np.ndarray, theta: np.ndarray) -> np.ndarray:
        """Every worker's ``f(u(alpha_i)) = X~_i^T (A~_i theta')`` mod ``p``, shape ``(K, L)``."""
        encoded = field_elements(encoded, "encoded", self.p, shape=(self.n_workers, None, None))
        if encoded.shape[2] < 1:
            raise ShapeError(f"encoded must have shape (n_workers={self.n_workers}, N/k, L+1), got {encoded.shape}")
        n_features = encoded.shape[2] - 1
        theta = real_array(theta, "theta", shape=(n_features,))
        if self.data_bound is None or self._rows is None:
            raise ParameterError("encode the data with encode_regression before computing gradients")
        bound = max(self.data_bound, float(np.abs(theta).max()) if theta.size else 0.0, 1.0)
        self.quantizer.check_no_overflow(self._rows * (n_features + 1), bound, degree=3)
        extended = np.append(self.quantizer.quantize(theta), self.quantizer.quantize(-1.0))
        residuals = gfp_matvec(np.ascontiguousarray(encoded.reshape(-1, n_features + 1)), extended, self.p)
        features = np.ascontiguousarray(encoded[:, :, :n_features]).reshape(-1)
        weights = np.repeat(residuals, n_features)
        products = gfp_elementwise_multiply(features, weights, self.p).reshape(self.n_workers, -1, n_features)
        return products.sum(axis=1) % self.p

    def decode_regression(self, received, results: np.ndarray) -> np.ndarray:
        """The gradient ``X^T (X theta - y)`` of the quantised data (exact fixed point), from any threshold-many
        workers."""
        return self.quantizer.dequantize(self.decode(received, results), scale_power=3)
