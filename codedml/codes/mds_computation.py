"""MDS-coded matrix-vector computation (MCC, Lee et al.; seed cpgc section 2), real field or ``GF(p)``.

``W`` (``L x L'``) is split into ``M`` row blocks ``W_1..W_M``. With computation load ``r``
(``r`` divides ``M``) the blocks form ``r`` stripes of ``m = M / r`` blocks each, stripe
``t`` = ``(W_t, W_{t+r}, ..., W_{t+(m-1)r})``; a ``K x m`` MDS generator ``G`` codes every
stripe, worker ``i`` computing ``sum_u G[i, u] W_{t+ur} theta`` for ``t = 1..r``. Any ``m``
workers recover ``W theta`` (``r = 1``: the plain ``(M, K)`` code, any ``M`` workers). The
seed's ``A_m`` (``K = M = 4``, ``r = 2``, ``G[i] = (1, 2^i)``) is :meth:`MDSCodedComputation.seed_example`.
"""

from __future__ import annotations

import numpy as np

from codedml.codes.base import check_finite, received_ids
from codedml.codes.fixed_point import Quantizer
from codedml.codes.multimessage import chebyshev_vandermonde
from codedml.errors import NotDecodableError, ParameterError, ShapeError
from codedml.fields import DEFAULT_PRIME, check_field_size
from codedml.kernels.gfp import gfp_matmul, gfp_solve, gfp_vandermonde

#: Largest ``K`` (with ``r = 1`` and every ``M <= K``) for which the real code recovers ``W theta``
#: within ``1e-6`` relative error on every sampled survivor set (see the class notes).
REAL_FIELD_LIMIT = 22

#: Default fixed-point scale of the ``GF(p)`` code: products carry ``scale^2``.
DEFAULT_MCC_SCALE = 2.0**10


class MDSCodedComputation:
    """MDS-coded computation of ``W theta`` from any ``M / r`` of ``K`` workers.

    Real field: ``G`` is the Chebyshev-basis Vandermonde matrix at Chebyshev points (any
    ``m`` rows invertible). Measured with
    :func:`~codedml.codes.conditioning.decoding_conditioning` (``r = 1``, ``M`` in
    ``K/4, K/2, 3K/4, K``, all contiguous and 200 random survivor sets) the worst relative error
    stays within ``1e-6`` up to ``K = 22`` (:data:`REAL_FIELD_LIMIT`; ``7e-9`` at ``K = 20``,
    ``1.1e-6`` at ``K = 24``, ``6e-3`` at ``K = 32``, ``1e3`` at ``K = 100``: contiguous
    survivors cluster the Chebyshev points). ``GF(p)``: ``G`` is the
    Vandermonde matrix at ``1..K`` mod ``p``; ``W`` and ``theta`` are quantised
    (:class:`~codedml.codes.fixed_point.Quantizer`) and ``W theta`` is recovered exactly as the
    fixed-point product ``round(W s) round(theta s) / s^2``.

    Parameters
    ----------
    K : int
        Workers.
    M : int
        Submatrices (row blocks of ``W``).
    r : int
        Computation load: coded blocks per worker; must divide ``M``, and ``M / r <= K``.
    field : {"real", "gfp"} or prime-field name
    p : int
        The prime of ``"gfp"`` (default ``2^31 - 1``).
    scale : float
        Fixed-point scale of the ``GF(p)`` code.
    generator : array_like, shape (K, M / r), optional
        A user-given MDS generator (any ``M / r`` rows invertible) instead of the default.

    Examples
    --------
    >>> import numpy as np
    >>> from codedml.codes.mds_computation import MDSCodedComputation
    >>> code = MDSCodedComputation.seed_example()
    >>> W, theta = np.arange(16.0).reshape(8, 2), np.array([1.0, -1.0])
    >>> results = code.worker_products(code.encode(W), theta)
    >>> np.allclose(code.decode([1, 3], results[[1, 3]]), W @ theta)
    True
    """

    def __init__(self, K: int, M: int, r: int = 1, field="real", p: int = DEFAULT_PRIME,
                 scale: float = DEFAULT_MCC_SCALE, generator=None):
        for name, value in (("K", K), ("M", M), ("r", r)):
            if int(value) != value or value < 1:
                raise ParameterError(f"{name} must be a positive integer, got {value!r}")
        if M % r:
            raise ParameterError(f"the computation load r={r} must divide the number of submatrices M={M}")
        if M // r > K:
            raise ParameterError(f"an (M/r, K) MDS code needs M/r <= K; got M/r={M // r}, K={K}")
        self.n_workers, self.n_submatrices, self.load = int(K), int(M), int(r)
        self.recovery_threshold = self.n_submatrices // self.load
        shape = (self.n_workers, self.recovery_threshold)
        if isinstance(field, str) and field.strip().lower() == "real":
            self.field, self.quantizer = "real", None
            matrix = chebyshev_vandermonde(*shape) if generator is None else np.asarray(generator, dtype=np.float64)
        else:
            self.quantizer = Quantizer(scale, p if isinstance(field, str) and field.strip().lower() == "gfp"
                                       else field)
            self.field = self.quantizer.field.name
            modulus = self.quantizer.p
            if generator is None:
                check_field_size(self.quantizer.field, self.n_workers, "evaluation points (one per worker)")
                matrix = gfp_vandermonde(np.arange(1, self.n_workers + 1, dtype=np.int64), shape[1], modulus)
            else:
                matrix = np.asarray(generator, dtype=np.int64) % modulus
        if matrix.shape != shape:
            raise ShapeError(f"the generator must have shape (K, M/r) = {shape}, got {matrix.shape}")
        if self.quantizer is None:
            check_finite(matrix, "generator")
        self.generator = matrix
        self.generator.setflags(write=False)
        self.data_bound: float | None = None

    @classmethod
    def seed_example(cls, field="real", **kwargs) -> MDSCodedComputation:
        """The seed's ``A_m``: ``K = M = 4``, ``r = 2``, worker ``j`` computes ``W_1 + c_j W_3`` and
        ``W_2 + c_j W_4`` with ``c = (1, 2, 4, 8)``; any two workers recover ``W theta``."""
        generator = np.array([[1, 1], [1, 2], [1, 4], [1, 8]])
        return cls(4, 4, 2, field=field, generator=generator, **kwargs)

    @property
    def decodable_iff_count(self) -> bool:
        return True

    def _blocks(self, W: np.ndarray) -> np.ndarray:
        if W.ndim != 2 or W.shape[0] % self.n_submatrices:
            raise ShapeError(f"W must be 2-D with a row count divisible by M={self.n_submatrices}, got {W.shape}")
        rows = W.shape[0] // self.n_submatrices
        # block t + u r sits at [u, t]: stripe t, position u in the code
        return W.reshape(self.recovery_threshold, self.load, rows, W.shape[1])

    def encode(self, W: np.ndarray) -> np.ndarray:
        """Coded submatrices: ``coded[i, t] = sum_u G[i, u] W_{t + u r}``, shape ``(K, r, L / M, L')``.

        Over ``GF(p)`` ``W`` is quantised first (and its bound kept for the overflow check).
        """
        W = np.asarray(W, dtype=np.float64)
        check_finite(W, "W")
        blocks = self._blocks(W)
        m, r, rows, columns = blocks.shape
        if self.quantizer is None:
            coded = self.generator @ blocks.reshape(m, -1)
        else:
            self.data_bound = float(np.abs(W).max()) if W.size else 0.0
            coded = gfp_matmul(self.generator, self.quantizer.quantize(blocks.reshape(m, -1)), self.quantizer.p)
        return coded.reshape(self.n_workers, r, rows, columns)

    def worker_products(self, coded: np.ndarray, theta: np.ndarray) -> np.ndarray:
        """What every worker sends: its ``r`` coded blocks times ``theta``, concatenated (``K x r L / M``)."""
        coded = np.asarray(coded)
        if coded.ndim != 4 or coded.shape[:2] != (self.n_workers, self.load):
            raise ShapeError(f"coded must have shape (K, r, rows, L') = ({self.n_workers}, {self.load}, ., .), "
                             f"got {coded.shape}")
        theta = np.asarray(theta, dtype=np.float64)
        if theta.shape != (coded.shape[3],):
            raise ShapeError(f"theta must have shape ({coded.shape[3]},), got {theta.shape}")
        check_finite(theta, "theta")
        flat = coded.reshape(-1, coded.shape[3])
        if self.quantizer is None:
            products = flat @ theta
        else:
            if self.data_bound is None:
                raise ParameterError("encode W with this code before computing GF(p) products")
            bound = max(self.data_bound, float(np.abs(theta).max()) if theta.size else 0.0)
            self.quantizer.check_no_overflow(coded.shape[3], bound, degree=2)
            products = gfp_matmul(flat, self.quantizer.quantize(theta)[:, None], self.quantizer.p)[:, 0]
        return products.reshape(self.n_workers, -1)

    def survivors(self, received) -> np.ndarray:
        """Sorted unique worker ids from an index array or boolean mask."""
        return received_ids(received, self.n_workers)

    def is_decodable(self, received) -> bool:
        """Any ``M / r`` distinct workers decode (MDS)."""
        return self.survivors(received).size >= self.recovery_threshold

    def decode(self, received, results: np.ndarray) -> np.ndarray:
        """``W theta`` (length ``L``) from the results of the received workers.

        Parameters
        ----------
        received : index array or boolean mask
        results : ndarray, shape (len(received), r L / M) or (K, r L / M)
            Rows of :meth:`worker_products`, in increasing worker order.
        """
        survivors = self.survivors(received)
        needed = self.recovery_threshold
        if survivors.size < needed:
            raise NotDecodableError(f"{survivors.size} worker results received, MCC needs any {needed} = M / r",
                                    received=survivors.size, needed=needed)
        results = np.asarray(results)
        if results.ndim != 2 or results.shape[0] not in (survivors.size, self.n_workers):
            raise ShapeError(f"results must have one row per received worker ({survivors.size}) or per worker "
                             f"({self.n_workers}); got shape {results.shape}")
        if results.shape[0] == self.n_workers and survivors.size != self.n_workers:
            results = results[survivors]
        used = survivors[:needed]
        results = results[:needed]
        if self.quantizer is None:
            results = results.astype(np.float64)
            check_finite(results, "results")
            blocks = np.linalg.solve(self.generator[used], results)
        else:
            solution, nonsingular = gfp_solve(np.ascontiguousarray(self.generator[used]),
                                              np.ascontiguousarray(results, dtype=np.int64), self.quantizer.p)
            if not nonsingular:
                raise NotDecodableError("the generator rows of the received workers are singular mod p "
                                        "(the given generator is not MDS)", received=survivors.size, needed=needed)
            blocks = self.quantizer.dequantize(solution, scale_power=2)
        # blocks[u] holds stripes t = 0..r-1 of block t + u r, in order: a row-major flatten is W theta
        return blocks.reshape(-1)
