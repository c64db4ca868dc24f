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

from codedml._validation import (
    array_size,
    check_finite,
    field_elements,
    integer,
    real,
    real_array,
    received_ids,
)
from codedml.codes._received import received_field_elements, received_messages
from codedml.codes.computation.base import ComputationCode
from codedml.codes.real_generators import chebyshev_vandermonde
from codedml.errors import (
    DecodingAccuracyError,
    NonFiniteError,
    NotDecodableError,
    ParameterError,
    ShapeError,
)
from codedml.fields.fixed_point import Quantizer
from codedml.fields.galois_fields import DEFAULT_PRIME, check_field_size
from codedml.kernels.gfp import (
    gfp_batch_inverse,
    gfp_elementwise_multiply,
    gfp_matmul,
    gfp_vandermonde,
)
from codedml.kernels.gfp_blocked import gfp_solve_blocked

#: Largest ``K`` (with ``r = 1`` and every ``M <= K``) for which the real code recovers ``W theta``
#: within ``1e-6`` relative error on every sampled survivor set (see the class notes).
REAL_FIELD_LIMIT = 22

#: Default fixed-point scale of the ``GF(p)`` code: products carry ``scale^2``.
DEFAULT_MCC_SCALE = 2.0**10

#: Default bound on ``eps * cond(G_I)``, the relative error a real decode may have.
DEFAULT_MCC_TOLERANCE = 1e-6


class MDSCodedComputation(ComputationCode):
    """MDS-coded computation of ``W theta`` from any ``M / r`` of ``K`` workers.

    Real field: ``G`` is the Chebyshev-basis Vandermonde matrix at Chebyshev points (any
    ``m`` rows invertible). Measured with
    :func:`~codedml.codes.diagnostics.conditioning.decoding_conditioning` (``r = 1``, ``M`` in
    ``K/4, K/2, 3K/4, K``, all contiguous and 200 random survivor sets) the worst relative error
    stays within ``1e-6`` up to ``K = 22`` (:data:`REAL_FIELD_LIMIT`; ``7e-9`` at ``K = 20``,
    ``1.1e-6`` at ``K = 24``, ``6e-3`` at ``K = 32``, ``1e3`` at ``K = 100``: contiguous
    survivors cluster the Chebyshev points). Every real decode is checked: when
    ``eps * cond(G_I)`` (the relative error a backward-stable solve may have, measured to bound
    the actual error on every sampled set) exceeds ``residual_tolerance``, decoding raises
    :class:`~codedml.errors.DecodingAccuracyError` instead of returning a wrong ``W theta``; no
    sampled set is refused up to ``K = 22``. ``GF(p)``: ``G`` is the
    Vandermonde matrix at ``1..K`` mod ``p``; ``W`` and ``theta`` are quantised
    (:class:`~codedml.fields.fixed_point.Quantizer`) and ``W theta`` is recovered exactly as the
    fixed-point product ``round(W s) round(theta s) / s^2``.

    Parameters
    ----------
    n_workers : int
        ``K``: workers.
    n_partitions : int
        ``M``: submatrices (row blocks of ``W``).
    computation_load : int
        ``r``: coded blocks per worker; must divide ``M``, and ``M / r <= K``.
    field : {"real", "gfp"} or prime-field name
    p : int
        The prime of ``"gfp"`` (default ``2^31 - 1``).
    scale : float
        Fixed-point scale of the ``GF(p)`` code.
    generator : array_like, shape (K, M / r), optional
        A user-given MDS generator (any ``M / r`` rows invertible) instead of the default: finite
        reals, or field elements in ``[0, p)`` over ``GF(p)``. A zero row or (for ``M / r >= 2``)
        two parallel rows make some ``M / r`` rows singular and are refused.
    residual_tolerance : float
        Real field: largest ``eps * cond(G_I)`` accepted at decoding.

    Examples
    --------
    >>> import numpy as np
    >>> from codedml.codes.computation.mds import MDSCodedComputation
    >>> code = MDSCodedComputation.seed_example()
    >>> W, theta = np.arange(16.0).reshape(8, 2), np.array([1.0, -1.0])
    >>> results = code.worker_products(code.encode(W), theta)
    >>> np.allclose(code.decode([1, 3], results[[1, 3]]), W @ theta)
    True
    """

    def __init__(self, n_workers: int, n_partitions: int, computation_load: int = 1, field="real",
                 p: int = DEFAULT_PRIME, scale: float = DEFAULT_MCC_SCALE, generator=None,
                 residual_tolerance: float = DEFAULT_MCC_TOLERANCE):
        K = integer(n_workers, "n_workers", minimum=1)
        M = integer(n_partitions, "n_partitions", minimum=1)
        r = integer(computation_load, "computation_load", minimum=1)
        if M % r:
            raise ParameterError(f"the computation_load r={r} must divide the number of submatrices n_partitions "
                                 f"M={M}")
        if M // r > K:
            raise ParameterError(f"an (M/r, K) MDS code needs n_partitions / computation_load <= n_workers; got "
                                 f"n_partitions={M}, computation_load={r}, n_workers={K}")
        self.n_workers, self.n_partitions, self.computation_load = K, M, r
        self.recovery_threshold = M // r
        self.residual_tolerance = real(residual_tolerance, "residual_tolerance", minimum=0.0, open_minimum=True)
        shape = (self.n_workers, self.recovery_threshold)
        array_size(shape[0] * shape[1], f"the K x M/r generator (n_workers={K}, M/r={shape[1]})")
        if isinstance(field, str) and field.strip().lower() == "real":
            self.field, self.quantizer = "real", None
            if generator is None:
                matrix = chebyshev_vandermonde(*shape)
            else:
                matrix = real_array(generator, "generator", shape=shape).copy()
        else:
            self.quantizer = Quantizer(scale, p if isinstance(field, str) and field.strip().lower() == "gfp"
                                       else field)
            self.field = self.quantizer.field.name
            modulus = self.quantizer.p
            if generator is None:
                check_field_size(self.quantizer.field, self.n_workers,
                                 f"evaluation points (n_workers={self.n_workers}, one per worker)")
                matrix = gfp_vandermonde(np.arange(1, self.n_workers + 1, dtype=np.int64), shape[1], modulus)
            else:
                matrix = field_elements(generator, "generator", modulus, shape=shape).copy()
        if generator is not None:
            _check_no_singular_pair(matrix, self.residual_tolerance, 0 if self.quantizer is None else self.quantizer.p)
        self.generator = matrix
        self.generator.setflags(write=False)
        self.data_bound: float | None = None

    @classmethod
    def seed_example(cls, field="real", **kwargs) -> MDSCodedComputation:
        """The seed's ``A_m``: ``K = M = 4``, ``r = 2``, worker ``j`` computes ``W_1 + c_j W_3`` and
        ``W_2 + c_j W_4`` with ``c = (1, 2, 4, 8)``; any two workers recover ``W theta``."""
        generator = np.array([[1, 1], [1, 2], [1, 4], [1, 8]])
        return cls(4, 4, 2, field=field, generator=generator, **kwargs)

    decodable_iff_count = True

    def _blocks(self, W: np.ndarray) -> np.ndarray:
        if W.shape[0] % self.n_partitions:
            raise ShapeError(f"W must have a row count divisible by n_partitions M={self.n_partitions}, "
                             f"got shape {W.shape}")
        rows = W.shape[0] // self.n_partitions
        # block t + u r sits at [u, t]: stripe t, position u in the code
        return W.reshape(self.recovery_threshold, self.computation_load, rows, W.shape[1])

    def encode(self, W: np.ndarray) -> np.ndarray:
        """Coded submatrices: ``coded[i, t] = sum_u G[i, u] W_{t + u r}``, shape ``(K, r, L / M, L')``.

        Over ``GF(p)`` ``W`` is quantised first (and its bound kept for the overflow check).
        """
        W = real_array(W, "W", ndim=2)
        blocks = self._blocks(W)
        m, r, rows, columns = blocks.shape
        array_size(self.n_workers * r * rows * columns,
                   f"the K x r x L/M x L' coded submatrices (n_workers={self.n_workers}, W of shape {W.shape})")
        if self.quantizer is None:
            coded = self.generator @ blocks.reshape(m, -1)
        else:
            self.data_bound = float(np.abs(W).max()) if W.size else 0.0
            coded = gfp_matmul(self.generator, self.quantizer.quantize(blocks.reshape(m, -1)), self.quantizer.p)
        return coded.reshape(self.n_workers, r, rows, columns)

    def worker_products(self, coded: np.ndarray, theta: np.ndarray) -> np.ndarray:
        """What every worker sends: its ``r`` coded blocks times ``theta``, concatenated (``K x r L / M``).

        ``coded`` is :meth:`encode`'s output: finite reals, or field elements in ``[0, p)`` over ``GF(p)``.
        """
        shape = (self.n_workers, self.computation_load, None, None)
        if self.quantizer is None:
            coded = real_array(coded, "coded", shape=shape)
        else:
            coded = field_elements(coded, "coded", self.quantizer.p, shape=shape)
        theta = real_array(theta, "theta", shape=(coded.shape[3],))
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

    def decoding_matrix(self, received) -> np.ndarray:
        """``G_I``: the generator rows :meth:`decode` inverts for ``received`` (the ``M / r`` lowest ids)."""
        survivors = self.survivors(received)
        if survivors.size < self.recovery_threshold:
            raise NotDecodableError(f"{survivors.size} worker results received, MCC needs any "
                                    f"{self.recovery_threshold} = M / r", received=survivors.size,
                                    needed=self.recovery_threshold)
        return self.generator[survivors[:self.recovery_threshold]]

    def random_results(self, rng: np.random.Generator, dimension: int) -> tuple[np.ndarray, np.ndarray]:
        """Every worker's :meth:`worker_products` for Gaussian ``W`` (``M x dimension``) and ``theta``, and
        ``W theta``."""
        dimension = integer(dimension, "dimension", minimum=1)
        W = rng.standard_normal((self.n_partitions, dimension))
        theta = rng.standard_normal(dimension)
        return self.worker_products(self.encode(W), theta), W @ theta

    def decode(self, received, results: np.ndarray) -> np.ndarray:
        """``W theta`` (length ``L``) from the results of the received workers.

        Parameters
        ----------
        received : index array or boolean mask
            Which workers' results arrived, in any order.
        results : ndarray, shape (len(received), r L / M) or (K, r L / M)
            Rows of :meth:`worker_products`: row ``i`` for worker ``received[i]`` (for a boolean
            mask, the ``i``-th received worker in increasing order), or one row per worker.
            Finite reals, or field elements in ``[0, p)`` over ``GF(p)``.

        Raises
        ------
        NotDecodableError
            Fewer than ``M / r`` workers, or (``GF(p)``, user generator) singular rows.
        DecodingAccuracyError
            Real field: ``eps * cond(G_I)`` exceeds ``residual_tolerance``.
        """
        order = received_ids(received, self.n_workers)
        needed = self.recovery_threshold
        if order.size < needed:
            raise NotDecodableError(f"{order.size} worker results received, MCC needs any {needed} = M / r",
                                    received=order.size, needed=needed)
        if self.quantizer is None:
            results, _ = received_messages(order, results, self.n_workers, "results")
            check_finite(results, "results")
        else:
            results = received_field_elements(order, results, self.n_workers, self.quantizer.p, "results",
                                              ndim=2)
        chosen = np.sort(np.argsort(order, kind="stable")[:needed])  # the needed lowest ids
        used, results = order[chosen], results[chosen]
        rows = np.ascontiguousarray(self.generator[used])
        if self.quantizer is None:
            self._check_accuracy(rows, order.size)
            blocks = np.linalg.solve(rows, results)
            if not np.all(np.isfinite(blocks)):
                raise NonFiniteError("the decoded W theta from results overflowed the float64 range")
        else:
            solution, nonsingular = gfp_solve_blocked(rows, results, self.quantizer.p)
            if not nonsingular:
                raise NotDecodableError("the generator rows of the received workers are singular mod p "
                                        "(the given generator is not MDS)", received=order.size, needed=needed)
            blocks = self.quantizer.dequantize(solution, scale_power=2)
        # blocks[u] holds stripes t = 0..r-1 of block t + u r, in order: a row-major flatten is W theta
        return blocks.reshape(-1)

    def _check_accuracy(self, rows: np.ndarray, n_received: int) -> None:
        """Raise :class:`DecodingAccuracyError` if ``eps * cond(rows)`` exceeds the tolerance."""
        largest, smallest = np.linalg.svd(rows, compute_uv=False)[[0, -1]]
        bound = np.inf if smallest == 0 else np.finfo(np.float64).eps * largest / smallest
        if not bound <= self.residual_tolerance:
            raise DecodingAccuracyError(
                f"the generator rows of the {rows.shape[0]} workers used are too ill-conditioned to decode "
                f"accurately: eps * cond = {bound:.3g} > residual_tolerance {self.residual_tolerance:.3g} "
                f"(the real code is accurate up to K = {REAL_FIELD_LIMIT}; field='gfp' decodes exactly)",
                received=n_received, needed=self.recovery_threshold)


def _check_no_singular_pair(generator: np.ndarray, tolerance: float, p: int = 0) -> None:
    """Refuse a user generator that makes every ``M / r``-subset of some rows undecodable.

    A zero row or column, or (two or more columns) two rows that are parallel: over ``GF(p)``
    (``p > 0``) one a multiple of the other mod ``p``; over the reals (``p = 0``) so close to
    parallel that every square submatrix containing both has ``eps * cond > tolerance`` (the
    condition number of a square set of rows is at least that of any two of them). The real
    pair check runs when ``K^2 M / r <= 5e7``; decoding checks every set anyway.
    """
    n_rows, n_cols = generator.shape
    zero_rows, zero_columns = np.flatnonzero(~generator.any(axis=1)), np.flatnonzero(~generator.any(axis=0))
    if zero_rows.size:
        raise ParameterError(f"generator row {zero_rows[0]} is zero: no set of M/r rows containing it is invertible")
    if zero_columns.size:
        raise ParameterError(f"generator column {zero_columns[0]} is zero: no set of M/r rows is invertible")
    if n_cols < 2:
        return
    if p == 0:
        if n_rows * n_rows * n_cols > 5e7:
            return
        unit = generator / np.linalg.norm(generator, axis=1, keepdims=True)
        cosines = np.abs(unit @ unit.T)
        for first, second in zip(*np.nonzero(np.triu(cosines, 1) >= 1.0 - 1e-12)):
            # ||u -+ v|| = 2 sin(angle / 2), accurate where 1 - |cos| is not; the pair's cond is cot(angle / 2)
            gap = min(np.linalg.norm(unit[first] - unit[second]), np.linalg.norm(unit[first] + unit[second])) / 2
            bound = np.inf if gap == 0 else np.finfo(np.float64).eps * np.sqrt(1.0 - gap * gap) / gap
            if bound > tolerance:
                raise ParameterError(
                    f"generator rows {first} and {second} are parallel (to rounding): every set of M/r rows "
                    f"containing both has eps * cond >= {bound:.3g} > residual_tolerance {tolerance:.3g}")
        return
    leading = generator[np.arange(n_rows), np.argmax(generator != 0, axis=1)]
    inverses = gfp_batch_inverse(np.ascontiguousarray(leading), p)
    normalised = gfp_elementwise_multiply(np.ascontiguousarray(generator.reshape(-1)),
                                          np.repeat(inverses, n_cols), p).reshape(n_rows, n_cols)
    _, first_index, inverse = np.unique(normalised, axis=0, return_index=True, return_inverse=True)
    owner = first_index[inverse.reshape(-1)]
    repeated = np.flatnonzero(owner != np.arange(n_rows))
    if repeated.size:
        raise ParameterError(f"generator rows {owner[repeated[0]]} and {repeated[0]} are multiples of each other "
                             f"mod p: no set of M/r rows containing both is invertible (the generator is not MDS)")
