"""Unbiased approximate gradient codes for heterogeneous stragglers (seed ``quantized-approximate-gc``).

Worker ``i`` answers with probability ``1 - p_i``, independently (indicator ``I_i``); it sends
``m_i = sum_j a_ij g_j`` and the master returns ``g_hat = sum_i I_i w_i m_i``. Every code here is
*unbiased*: ``E[g_hat] = sum_j g_j`` for every gradient realisation, i.e. (Theorem 1)
``sum_i (1 - p_i) w_i a_ij = 1`` for every partition ``j``. ``decode`` therefore never refuses:
it returns the estimate from whichever workers answered (the zero vector when none did, which
is the estimator's value on that event), and ``is_decodable`` is true as soon as one answered.

Quantization is *not* applied by ``encode``: a training loop that models it passes the
messages through :func:`codedml.learn.quantize.quantize_messages` with each worker's bits
``b_i`` before ``decode``. Since ``Q_b`` is unbiased and independent of the stragglers, the
estimate stays unbiased.

=========================  ========================================================================
class                      idea
=========================  ========================================================================
``OptimallyStructuredGC``  optimal row sums ``Y_i = k c_i / sum c`` (OSGC, or the joint design with
                           bits), contiguous-segment sparse structure, at most ``n + k - 1`` nonzeros
                           (or graph-sparsified, eq. 34, or dense)
``IgnoreStragglersSGD``    disjoint partitions, ``w_i = 1 / (1 - p_i)``
``BernoulliGC``            random ``Bernoulli(d / n)`` support, fixed decoding ``w_i = 1``
``StochasticGC``           each partition on ``d`` cyclically consecutive workers,
                           ``a_ij = 1 / ((1 - p_i) d)``
``ErasureHeadGC``          fractional repetition; one message per answering group, rescaled
``OptimalDecodingGC``      random ``d``-regular support, least-squares decoding per iteration,
                           encoding calibrated so the estimate is unbiased
=========================  ========================================================================
"""

from __future__ import annotations

import itertools

import numpy as np
import scipy.sparse

from codedml._validation import array_size, choice, integer, optional_integer, real_array
from codedml._validation import rng as validated_rng
from codedml.codes.gradient.base import (
    DEFAULT_CACHE_SIZE,
    LinearGradientCode,
    validated_encoding_matrix,
    validated_partials,
)
from codedml.codes.gradient.design import check_bits, check_omega_scale, check_probabilities, design_weights
from codedml.codes.gradient.sparsification import contiguous_segment_structure, graph_sparse_structure
from codedml.errors import ParameterError, ShapeError

#: Workers up to which :class:`OptimalDecodingGC` calibrates by enumerating all ``2^n`` survivor sets.
MAX_EXACT_CALIBRATION_WORKERS = 12

#: Monte Carlo survivor sets used to calibrate :class:`OptimalDecodingGC` above that size.
DEFAULT_CALIBRATION_DRAWS = 20_000

#: Most Monte Carlo calibration draws accepted (relative standard error ~ 1 / sqrt(draws), ~3e-4 here).
MAX_CALIBRATION_DRAWS = 10**7

#: The realisations of the optimal structure :class:`OptimallyStructuredGC` offers.
STRUCTURES = ("segments", "graph", "dense")

#: Most workers whose ``2^n`` survivor sets :meth:`ApproximateGradientCode.expected_error` sums over.
MAX_ENUMERATED_WORKERS = 20

#: Bytes of the ``(draws, k, n)`` stack of survivor systems :class:`OptimalDecodingGC` solves at once.
CALIBRATION_CHUNK_BYTES = 2**27


def _check_replication(replication: int, n_workers: int, what: str) -> int:
    try:
        return integer(replication, f"{what} d", minimum=1, maximum=n_workers)
    except ParameterError:
        raise ParameterError(f"{what} d must be an integer in [1, n={n_workers}], got {replication!r}") from None


def _check_dense_size(n: int, what: str) -> None:
    array_size(n * n, f"the dense n x n support of {what} (n={n})")


class ApproximateGradientCode(LinearGradientCode):
    """Shared machinery: straggler probabilities, fixed decoding weights, never-refusing decoding.

    Parameters
    ----------
    encoding_matrix : scipy.sparse matrix, shape (n, k)
        ``a_ij``.
    probabilities : ndarray, shape (n,)
        ``p_i`` in ``(0, 1)``.
    decoding_weights : ndarray, shape (n,)
        ``w_i``: the master returns ``sum_{i answered} w_i m_i``.
    """

    exact = False
    decodable_iff_count = True

    #: An estimate exists from the first message, so "decodable" is no stopping rule: the simulator
    #: (:func:`codedml.sim.simulate`) needs a deadline, and the master decodes what arrived by then.
    needs_deadline = True

    def __init__(self, encoding_matrix, probabilities: np.ndarray, decoding_weights: np.ndarray,
                 cache_size: int = DEFAULT_CACHE_SIZE):
        super().__init__(validated_encoding_matrix(encoding_matrix), cache_size=cache_size)
        self.probabilities = check_probabilities(probabilities)
        self.decoding_weights = real_array(decoding_weights, "decoding_weights", shape=(self.n_workers,))
        if self.probabilities.size != self.n_workers:
            raise ShapeError(f"probabilities must have one entry per worker ({self.n_workers}), "
                             f"got {self.probabilities.size}")
        self.decoding_weights.setflags(write=False)

    @property
    def recovery_threshold(self) -> int:
        """One message suffices for an estimate."""
        return 1

    def is_decodable(self, received) -> bool:
        """``True`` as soon as any worker answered."""
        return self.survivors(received).size > 0

    def _decoding_vector(self, survivors: np.ndarray) -> np.ndarray:
        vector = np.zeros(self.n_workers)
        vector[survivors] = self.decoding_weights[survivors]
        return vector

    def decoding_vectors(self, survivor_masks) -> np.ndarray:
        """The decoding vector of every row of a boolean ``(draws, n)`` survivor mask, at once.

        Row ``s`` equals ``decoding_vector(survivor_masks[s])``; the simulator uses it to decode
        every iteration without a Python loop.

        Examples
        --------
        >>> IgnoreStragglersSGD([0.5, 0.2]).decoding_vectors([[True, False], [True, True]]).tolist()
        [[2.0, 0.0], [2.0, 1.25]]
        """
        return self._decoding_vectors(self._survivor_masks(survivor_masks))

    def _survivor_masks(self, survivor_masks) -> np.ndarray:
        masks = np.asarray(survivor_masks)
        if masks.dtype != np.bool_ or masks.ndim != 2 or masks.shape[1] != self.n_workers:
            raise ShapeError(f"survivor_masks must be a boolean array of shape (draws, {self.n_workers}), "
                             f"got dtype {masks.dtype} and shape {masks.shape}")
        return masks

    def _decoding_vectors(self, masks: np.ndarray) -> np.ndarray:
        return masks * self.decoding_weights

    def expected_error(self, partials=None, probabilities=None) -> float:
        """``E||g_hat - g||^2`` over independent stragglers, exactly (no quantization).

        With ``m_i = sum_j a_ij g_j`` and ``g_hat = sum_i I_i w_i m_i``, ``P(I_i = 0) = p_i``:
        ``E||g_hat - g||^2 = ||sum_i (1 - p_i) w_i m_i - g||^2 + sum_i p_i (1 - p_i) w_i^2 ||m_i||^2``
        (bias, zero at the design ``p``, plus variance); :class:`ErasureHeadGC` and
        :class:`OptimalDecodingGC` use their own decoders' expectations.

        Parameters
        ----------
        partials : array_like, shape (k, d), optional
            ``g_1..g_k``. ``None``: the identity, i.e. the expectation of the error for i.i.d.
            partial gradients with identity covariance and zero mean, per coordinate:
            ``E||A^T w_S - 1||^2``.
        probabilities : array_like, shape (n,), optional
            The straggling probabilities ``p_i`` in ``[0, 1]`` actually met, e.g. from a deadline
            (:func:`codedml.sim.straggler_probabilities`); default the design's.

        Returns
        -------
        float

        Examples
        --------
        >>> code = OptimallyStructuredGC([0.5, 0.5])  # Y = (1, 1): IS-SGD, error sum_i delta_i = 2
        >>> code.expected_error()
        2.0
        """
        gram = self._gram(partials)
        probabilities = self._met_probabilities(probabilities)
        return self._expected_error(gram, probabilities)

    def _gram(self, partials) -> np.ndarray | None:
        """``G G^T`` (``k x k``) of validated partials, ``None`` for the identity."""
        if partials is None:
            return None
        partials, _ = validated_partials(partials, self.n_partitions)
        array_size(self.n_partitions**2, f"the k x k Gram matrix of the partials (k={self.n_partitions})")
        return partials @ partials.T

    def _met_probabilities(self, probabilities) -> np.ndarray:
        if probabilities is None:
            return self.probabilities
        array = real_array(probabilities, "probabilities", shape=(self.n_workers,))
        if np.any(array < 0) or np.any(array > 1):
            raise ParameterError(f"probabilities must lie in [0, 1], got {array[(array < 0) | (array > 1)][:5]}")
        return array

    def _expected_error(self, gram: np.ndarray | None, probabilities: np.ndarray) -> float:
        matrix = self.encoding_matrix
        mean = matrix.T @ ((1.0 - probabilities) * self.decoding_weights) - 1.0
        spread = probabilities * (1.0 - probabilities) * self.decoding_weights**2
        return float(quadratic_forms(mean[None, :], gram)[0] + spread @ quadratic_forms(matrix, gram))

    def _enumerated_error(self, gram: np.ndarray | None, probabilities: np.ndarray) -> float:
        """The expectation by summing over all ``2^n`` survivor sets (``n <= 20``)."""
        n = self.n_workers
        if n > MAX_ENUMERATED_WORKERS:
            raise ParameterError(f"the expected error of {type(self).__name__} sums over 2^n survivor sets; "
                                 f"n={n} is too many (at most {MAX_ENUMERATED_WORKERS})")
        matrix = self.encoding_matrix
        chunk = max(1, min(4096, CALIBRATION_CHUNK_BYTES // (8 * n * max(n, self.n_partitions))))
        total = 0.0
        for start in range(0, 1 << n, chunk):
            codes = np.arange(start, min(start + chunk, 1 << n))
            masks = (codes[:, None] >> np.arange(n)) & 1 == 1
            chances = np.prod(np.where(masks, 1.0 - probabilities, probabilities), axis=1)
            residuals = np.asarray(matrix.T @ self._decoding_vectors(masks).T).T - 1.0
            total += float(chances @ quadratic_forms(residuals, gram))
        return total


def quadratic_forms(rows, gram: np.ndarray | None) -> np.ndarray:
    """``||r_s G||^2 = r_s (G G^T) r_s^T`` per row ``r_s`` of ``rows`` (``gram`` ``None``: the identity)."""
    if scipy.sparse.issparse(rows):
        rows = scipy.sparse.csr_array(rows)
        if gram is None:
            return np.asarray((rows * rows).sum(axis=1)).ravel()
        return np.asarray((rows @ gram * rows.toarray()).sum(axis=1)).ravel()
    if gram is None:
        return np.einsum("sk,sk->s", rows, rows)
    return np.einsum("sk,sk->s", rows @ gram, rows)


class OptimallyStructuredGC(ApproximateGradientCode):
    """Optimally structured gradient code: OSGC, or the joint design with quantization bits.

    With ``c_i = (1 - p_i) / p_i = delta_i^{-1}`` (OSGC, ``bits=None``) or
    ``c_i = (1 - p_i) / (p_i + omega(b_i))`` (joint design; ``c_i = 0`` for ``b_i = 0``), the
    effective weights ``alpha_ij = (1 - p_i) w_i a_ij`` have row sums
    ``Y_i = k c_i / sum_l c_l`` and unit column sums, realised by ``structure``. Decoding weights
    are ``w_i = 1 / (1 - p_i)``, so ``a = alpha``.

    Derivation of the optimum: with ``E||Q_b(x) - x||^2 <= omega(b) ||x||^2`` and independent
    stragglers, ``E||g_hat - g||^2 <= sum_i (1 / c_i) ||sum_j alpha_ij g_j||^2 <= G^2 sum_i Y_i^2 / c_i``
    for ``||g_j|| <= G`` and ``alpha >= 0``; minimising over ``sum_i Y_i = k`` gives the row sums
    above and the bound ``G^2 k^2 / sum_l c_l`` (:attr:`error_bound`, in units of ``G^2``).

    Parameters
    ----------
    probabilities : array_like, shape (n,)
        ``p_i`` in ``(0, 1)``.
    bits : array_like of int, shape (n,), optional
        ``b_i`` (0 or ``>= 2``); ``None`` for OSGC without quantization.
    n_partitions : int, optional
        ``k`` (default ``n``).
    omega_scale : float, optional
        ``s`` in ``omega(b) = s / (2^(b-1) - 1)^2``; required with ``bits``.
    structure : {"segments", "graph", "dense"}
        How ``alpha`` meets the row and column sums, all equally optimal for the bound:
        ``"segments"`` (seed section III-A, :func:`contiguous_segment_structure`, at most
        ``n + k - 1`` nonzeros), ``"graph"`` (section V-C, :func:`graph_sparse_structure`,
        ``n + k - L`` nonzeros for the most integer-sum worker groups ``L``, eq. 34) or
        ``"dense"`` (``alpha_ij = Y_i / k``: every worker computes every partition, ``n k``
        nonzeros, the smallest error when partial gradients are uncorrelated).

    Examples
    --------
    >>> import numpy as np
    >>> code = OptimallyStructuredGC([0.1, 0.5, 0.2])
    >>> code.row_sums.round(3).tolist()  # k c_i / sum c with c = (1 - p) / p = (9, 1, 4)
    [1.929, 0.214, 0.857]
    >>> code.encoding_matrix.sum(axis=0).round(12).tolist()  # alpha's column sums
    [1.0, 1.0, 1.0]
    >>> code.decode([0, 2], code.encode(np.ones((3, 1))))  # workers 0 and 2 answered
    array([3.21428571])
    """

    def __init__(self, probabilities, bits=None, n_partitions: int | None = None, omega_scale: float | None = None,
                 structure: str = "segments", cache_size: int = DEFAULT_CACHE_SIZE):
        probabilities = check_probabilities(probabilities)
        n = probabilities.size
        k = n if n_partitions is None else integer(n_partitions, "n_partitions", minimum=1)
        self.structure = choice(structure, "structure", STRUCTURES)
        if bits is None:
            self.bits = None
            weights = (1.0 - probabilities) / probabilities
        else:
            if omega_scale is None:
                raise ParameterError("the joint design (bits given) needs omega_scale for omega(b)")
            self.bits = check_bits(bits, n)
            self.omega_scale = check_omega_scale(omega_scale)
            weights = design_weights(probabilities, self.bits, self.omega_scale)
        self.design_weights = weights
        self.row_sums = k * weights / weights.sum()
        if self.structure == "dense":
            array_size(n * k, f"the dense n x k structure (n={n}, k={k})")
            alpha = np.repeat(self.row_sums[:, None] / k, k, axis=1)
        elif self.structure == "graph":
            alpha = graph_sparse_structure(self.row_sums, k)
        else:
            alpha = contiguous_segment_structure(self.row_sums, k)
        super().__init__(alpha, probabilities, 1.0 / (1.0 - probabilities), cache_size)

    @property
    def error_bound(self) -> float:
        """``k^2 / sum_l c_l``: the bound on ``E||g_hat - g||^2`` in units of ``max_j ||g_j||^2``."""
        return self.n_partitions**2 / float(self.design_weights.sum())


class IgnoreStragglersSGD(ApproximateGradientCode):
    """IS-SGD: partition ``i`` on worker ``i`` only; answers are rescaled by ``w_i = 1 / (1 - p_i)``.

    The rescaling makes the estimate unbiased (the seed's IS-SGD simply ignores stragglers).

    Examples
    --------
    >>> code = IgnoreStragglersSGD([0.5, 0.5])
    >>> float(code.decode([1], [[1.0], [3.0]])[0])
    6.0
    """

    def __init__(self, probabilities, cache_size: int = DEFAULT_CACHE_SIZE):
        probabilities = check_probabilities(probabilities)
        identity = scipy.sparse.identity(probabilities.size, format="csr")
        super().__init__(identity, probabilities, 1.0 / (1.0 - probabilities), cache_size)


class BernoulliGC(ApproximateGradientCode):
    """Bernoulli gradient coding (Charles et al.): random support ``Bernoulli(d / n)``, fixed ``w_i = 1``.

    Partition ``j`` is held by the workers ``N_j`` of its column (a column left empty by the draw
    gets one uniformly random worker) with ``a_ij = 1 / sum_{l in N_j} (1 - p_l)``, which makes
    ``sum_i (1 - p_i) a_ij = 1``: unbiased with the fixed decoding.

    Parameters
    ----------
    probabilities : array_like, shape (n,)
    replication : int
        ``d``, the expected number of workers per partition (``k = n``).
    seed : int or numpy.random.Generator, optional

    Examples
    --------
    >>> import numpy as np
    >>> p = np.array([0.2, 0.3, 0.4, 0.5])
    >>> code = BernoulliGC(p, replication=2, seed=0)
    >>> np.allclose((1 - p) @ code.encoding_matrix, 1.0)  # Theorem 1 with w = 1
    True
    """

    def __init__(self, probabilities, replication: int = 2, seed=None, cache_size: int = DEFAULT_CACHE_SIZE):
        probabilities = check_probabilities(probabilities)
        n = probabilities.size
        self.replication = _check_replication(replication, n, "replication")
        rng = validated_rng(seed)
        _check_dense_size(n, "BernoulliGC")
        support = rng.random((n, n)) < self.replication / n
        empty = np.flatnonzero(~support.any(axis=0))
        support[rng.integers(0, n, size=empty.size), empty] = True
        coverage = (1.0 - probabilities) @ support
        matrix = scipy.sparse.csr_array(support / coverage)
        super().__init__(matrix, probabilities, np.ones(n), cache_size)


class StochasticGC(ApproximateGradientCode):
    """Stochastic gradient coding (Bitar et al.): partition ``j`` on ``d`` workers, ``a_ij = 1 / ((1 - p_i) d)``.

    The ``d`` holders of partition ``j`` are the cyclically consecutive workers ``j, ..., j + d - 1``
    (mod ``n``, ``k = n``), so every worker computes ``d`` partitions. Decoding ``w_i = 1``.

    Examples
    --------
    >>> StochasticGC([0.2, 0.3, 0.4], replication=2).worker_loads.tolist()
    [2, 2, 2]
    """

    def __init__(self, probabilities, replication: int = 2, cache_size: int = DEFAULT_CACHE_SIZE):
        probabilities = check_probabilities(probabilities)
        n = probabilities.size
        self.replication = _check_replication(replication, n, "replication")
        partitions = np.repeat(np.arange(n), self.replication)
        workers = (partitions + np.tile(np.arange(self.replication), n)) % n
        values = 1.0 / ((1.0 - probabilities[workers]) * self.replication)
        matrix = scipy.sparse.csr_array((values, (workers, partitions)), shape=(n, n))
        super().__init__(matrix, probabilities, np.ones(n), cache_size)


class ErasureHeadGC(ApproximateGradientCode):
    """ErasureHead (Wang et al.): fractional repetition, one message per answering group, rescaled.

    The ``n`` workers form ``n / d`` groups of ``d`` consecutive workers; group ``t`` holds
    partitions ``t d .. t d + d - 1`` and each of its workers sends their sum. The master takes
    the message of the first answering worker of each group, weighted by
    ``1 / (1 - prod_{i in group} p_i)`` (the probability that the group answers), which
    makes the estimate unbiased (ErasureHead itself uses weight 1).

    Examples
    --------
    >>> code = ErasureHeadGC([0.5, 0.5, 0.2, 0.2], replication=2)
    >>> code.decoding_vector([1, 2, 3]).round(4).tolist()
    [0.0, 1.3333, 1.0417, 0.0]
    """

    def __init__(self, probabilities, replication: int = 2, cache_size: int = DEFAULT_CACHE_SIZE):
        probabilities = check_probabilities(probabilities)
        n = probabilities.size
        self.replication = _check_replication(replication, n, "replication")
        if n % self.replication:
            raise ParameterError(f"ErasureHead needs d | n for its groups; got n={n}, d={self.replication}")
        self.groups = np.arange(n) // self.replication
        group_answers = 1.0 - np.prod(probabilities.reshape(-1, self.replication), axis=1)
        matrix = scipy.sparse.csr_array(
            (np.ones(n * self.replication), (np.repeat(np.arange(n), self.replication),
                                             (self.groups[:, None] * self.replication
                                              + np.arange(self.replication)).ravel())), shape=(n, n))
        super().__init__(matrix, probabilities, 1.0 / group_answers[self.groups], cache_size)

    def _decoding_vector(self, survivors: np.ndarray) -> np.ndarray:
        vector = np.zeros(self.n_workers)
        _, first = np.unique(self.groups[survivors], return_index=True)
        chosen = survivors[first]
        vector[chosen] = self.decoding_weights[chosen]
        return vector

    def _decoding_vectors(self, masks: np.ndarray) -> np.ndarray:
        grouped = masks.reshape(masks.shape[0], -1, self.replication)
        first = np.argmax(grouped, axis=2)
        chosen = np.zeros_like(grouped)
        np.put_along_axis(chosen, first[:, :, None], grouped.any(axis=2)[:, :, None], axis=2)
        return chosen.reshape(masks.shape) * self.decoding_weights

    def _expected_error(self, gram: np.ndarray | None, probabilities: np.ndarray) -> float:
        """Group ``t`` answers with ``q_t = 1 - prod_{i in t} p_i`` and sends ``M_t`` with weight ``w_t``."""
        heads = np.arange(0, self.n_workers, self.replication)
        answers = 1.0 - np.prod(probabilities.reshape(-1, self.replication), axis=1)
        weights = self.decoding_weights[heads]
        rows = self.encoding_matrix[heads]
        mean = rows.T @ (answers * weights) - 1.0
        spread = answers * (1.0 - answers) * weights**2
        return float(quadratic_forms(mean[None, :], gram)[0] + spread @ quadratic_forms(rows, gram))


def _random_regular_support(n: int, replication: int, rng: np.random.Generator) -> np.ndarray:
    """Union of ``d`` random permutation matrices with no shared entry: a random ``d``-regular support."""
    support = np.zeros((n, n), dtype=np.bool_)
    rows = np.arange(n)
    for _ in range(replication):
        for _attempt in range(1000):
            permutation = rng.permutation(n)
            if not support[rows, permutation].any():
                break
        else:
            raise ParameterError(f"could not draw a {replication}-regular support on {n} workers")
        support[rows, permutation] = True
    return support


def _least_squares_coverage(support: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """``A^T w_S`` with ``w_S = pinv(A_S^T) 1`` (minimum norm) for each survivor mask ``S`` (rows of ``masks``)."""
    systems = support.T[None, :, :] * masks[:, None, :]  # (draws, k, n): A_S^T with stragglers' columns zeroed
    weights = np.linalg.pinv(systems) @ np.ones(support.shape[1])
    return np.einsum("skn,sn->sk", systems, weights)


class OptimalDecodingGC(ApproximateGradientCode):
    """Optimal decoding (Glasgow & Wootters): random ``d``-regular support, least-squares decoding.

    In each iteration the master solves ``w_S = pinv(A_S^T) 1`` over the survivors ``S``
    (``A`` the 0/1 support, ``k = n``), so ``A^T w_S`` is the projection of the all-ones vector
    on what the survivors span. That alone is biased; here worker ``i`` sends
    ``sum_j a_ij g_j / e_j`` with ``e_j = E_S[(A^T w_S)_j]``, which makes
    ``E[g_hat] = sum_j g_j``. ``e`` is computed exactly by enumerating the ``2^n`` survivor
    sets when ``n <= 12`` (or ``calibration_draws=0``) and estimated from
    ``calibration_draws`` random survivor sets otherwise; :attr:`calibration_error` is the
    largest relative standard error of that estimate (0 when exact), the size of the
    remaining bias.

    Parameters
    ----------
    probabilities : array_like, shape (n,)
    replication : int
        ``d``, partitions per worker and workers per partition.
    seed : int or numpy.random.Generator, optional
        Draws the support and the calibration survivor sets.
    calibration_draws : int, optional
        ``None``: exact for ``n <= 12``, else 20,000 draws. ``0``: exact (``n <= 20``). ``> 0``:
        Monte Carlo, at most ``10^7`` draws.

    Examples
    --------
    >>> code = OptimalDecodingGC([0.2, 0.3, 0.4, 0.5], seed=0)
    >>> code.calibration_error
    0.0
    """

    def __init__(self, probabilities, replication: int = 2, seed=None, calibration_draws: int | None = None,
                 cache_size: int = DEFAULT_CACHE_SIZE):
        probabilities = check_probabilities(probabilities)
        n = probabilities.size
        self.replication = _check_replication(replication, n, "replication")
        rng = validated_rng(seed)
        calibration_draws = optional_integer(calibration_draws, "calibration_draws", minimum=0,
                                             maximum=MAX_CALIBRATION_DRAWS)
        if calibration_draws is None:
            calibration_draws = 0 if n <= MAX_EXACT_CALIBRATION_WORKERS else DEFAULT_CALIBRATION_DRAWS
        if calibration_draws == 0 and n > 20:
            raise ParameterError(f"exact calibration (calibration_draws=0) enumerates 2^n survivor sets; "
                                 f"n={n} is too many (at most 20)")
        _check_dense_size(n, "OptimalDecodingGC")
        self.support = _random_regular_support(n, self.replication, rng)
        chunk = max(1, min(4096, CALIBRATION_CHUNK_BYTES // (8 * n * n)))
        if calibration_draws == 0:
            masks = np.array(list(itertools.product((False, True), repeat=n)), dtype=np.float64)
            chances = np.prod(np.where(masks > 0, 1.0 - probabilities, probabilities), axis=1)
            self.coverage = sum(chances[start:start + chunk] @ _least_squares_coverage(
                self.support, masks[start:start + chunk]) for start in range(0, masks.shape[0], chunk))
            self.calibration_error = 0.0
        else:
            total = np.zeros(n)
            squares = np.zeros(n)
            for start in range(0, calibration_draws, chunk):
                size = min(chunk, calibration_draws - start)
                masks = (rng.random((size, n)) >= probabilities).astype(np.float64)
                coverage = _least_squares_coverage(self.support, masks)
                total += coverage.sum(axis=0)
                squares += (coverage**2).sum(axis=0)
            self.coverage = total / calibration_draws
            spread = np.sqrt(np.maximum(squares / calibration_draws - self.coverage**2, 0.0) / calibration_draws)
            self.calibration_error = float(np.max(spread / np.maximum(self.coverage, 1e-300)))
        if np.any(self.coverage <= 1e-12):
            raise ParameterError("a partition is (almost) never recovered: raise d or lower p")
        matrix = scipy.sparse.csr_array(self.support / self.coverage)
        super().__init__(matrix, probabilities, np.zeros(n), cache_size)

    def _decoding_vector(self, survivors: np.ndarray) -> np.ndarray:
        vector = np.zeros(self.n_workers)
        if survivors.size:
            vector[survivors] = np.linalg.pinv(self.support[survivors].T.astype(np.float64)) @ np.ones(self.n_workers)
        return vector

    def _decoding_vectors(self, masks: np.ndarray) -> np.ndarray:
        n = self.n_workers
        chunk = max(1, CALIBRATION_CHUNK_BYTES // (8 * n * n))
        vectors = np.empty(masks.shape)
        for start in range(0, masks.shape[0], chunk):
            systems = self.support.T[None, :, :] * masks[start:start + chunk, None, :]
            vectors[start:start + chunk] = np.linalg.pinv(systems) @ np.ones(n)
        return vectors

    def _expected_error(self, gram: np.ndarray | None, probabilities: np.ndarray) -> float:
        """Least-squares decoding depends on the survivor set: summed over all ``2^n`` of them (``n <= 20``)."""
        return self._enumerated_error(gram, probabilities)
