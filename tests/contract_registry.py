"""Registry of every public code class for the contract test (``tests/test_contract.py``).

Each :class:`Entry` is one small but nontrivial instance of a code together with the
:class:`Family` adapter that drives it: it makes random valid input, encodes, draws received
sets, decodes, and computes the true target independently of the code (naive numpy sums and
products, exact integer arithmetic mod ``p``, or the original shards). Classes that do not
encode or decode are listed in :data:`EXEMPT` with the reason.

A new public class in ``codedml.codes`` must join :data:`ENTRIES` or :data:`EXEMPT`:
``test_every_public_code_class_is_registered_or_exempt`` fails otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import scipy.sparse

from codedml.analysis import FogNodeCoding
from codedml.codes import (
    CPGC,
    GCMMC,
    SURVEY_TOY_ENCODING,
    BATSCode,
    BernoulliGC,
    CyclicRepetition,
    ErasureHeadGC,
    FractionalRepetition,
    IgnoreStragglers,
    IgnoreStragglersSGD,
    LagrangeCodedComputing,
    LinearGradientCode,
    LTCode,
    MDSCodedComputation,
    MDSCodedComputationMMC,
    OptimalDecodingGC,
    OptimallyStructuredGC,
    PolynomialGC,
    RatelessCodedComputation,
    ReedSolomon,
    StochasticGC,
    UncodedMMC,
    UncodedScheme,
    survey_toy_code,
)
from codedml.codes.erasure.fast_reed_solomon import FastReedSolomon
from codedml.codes.gradient.approximate import ApproximateGradientCode
from codedml.kernels.ntt import NTT_PRIME

#: Relative error (to the size of the input data) a real-field decoder may make on a registered instance.
REAL_TOLERANCE = 1e-8

#: Largest ``max_j |(a^T B_I)_j - 1|`` accepted of an exact real linear gradient code's decoding vector.
DECODING_VECTOR_TOLERANCE = 1e-9

#: Least-squares residuals below / above these make the independent oracle say decodable / not decodable.
ORACLE_SPAN = 1e-9
ORACLE_NO_SPAN = 1e-5

# ---- classes that need no contract of their own ---------------------------------------------------
EXEMPT = {
    "GradientCode": "abstract base; every concrete subclass is registered",
    "ErasureCode": "abstract base of the erasure codes; every concrete subclass is registered",
    "ComputationCode": "abstract base of the coded computations; every concrete subclass is registered",
    "MultiMessageCode": "base of the multi-message codes; every subclass is registered or exempt",
    "ApproximateGradientCode": "base of the approximate codes; every subclass is registered",
    "MessageSchedule": "data record of a multi-message schedule, no encoding or decoding",
    "PartialDecoding": "result record of MultiMessageCode.decode_partial, no encoding or decoding",
    "LTDecoder": "incremental decoder of LTCode; LTCode.decode runs it (and the monotonicity test uses it)",
    "BSpanReport": "report record of check_b_span",
    "ConditioningReport": "report record of decoding_conditioning",
}


# ---- independent references -------------------------------------------------------------------------
def least_squares_residual(rows: np.ndarray, target: np.ndarray) -> float:
    """``min_a max |rows^T a - target|`` by numpy least squares (``inf`` for no rows)."""
    if rows.shape[0] == 0:
        return math.inf
    coefficients = np.linalg.lstsq(rows.T, target, rcond=None)[0]
    return float(np.max(np.abs(rows.T @ coefficients - target)))


def span_verdict(residual: float) -> bool | None:
    """Decodable (``True``), not (``False``) or too close to call (``None``) from a least-squares residual."""
    if residual <= ORACLE_SPAN:
        return True
    if residual >= ORACLE_NO_SPAN:
        return False
    return None


def gf2_rank(rows: np.ndarray) -> int:
    """Rank over ``GF(2)`` of a 0/1 matrix (plain elimination)."""
    matrix = (np.asarray(rows) % 2).astype(np.uint8)
    rank = 0
    for column in range(matrix.shape[1]):
        pivots = np.flatnonzero(matrix[rank:, column]) + rank
        if pivots.size == 0:
            continue
        pivot = pivots[0]
        matrix[[rank, pivot]] = matrix[[pivot, rank]]
        others = np.flatnonzero(matrix[:, column])
        others = others[others != rank]
        matrix[others] ^= matrix[rank]
        rank += 1
        if rank == matrix.shape[0]:
            break
    return rank


def real_full_column_rank(rows: np.ndarray, columns: int) -> bool | None:
    """Whether ``rows`` has rank ``columns``, or ``None`` when its conditioning makes that unclear."""
    if rows.shape[0] < columns:
        return False
    singular = np.linalg.svd(rows, compute_uv=False)
    ratio = singular[columns - 1] / singular[0]
    if ratio > 1e-8:
        return True
    if ratio < 1e-12:
        return False
    return None


def relative_error(decoded, target, scale: float) -> float:
    decoded = np.asarray(decoded, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    if decoded.shape != target.shape:
        return math.inf
    return float(np.linalg.norm(decoded - target) / max(scale, 1e-300))


def mod_power(values: np.ndarray, degree: int, p: int) -> np.ndarray:
    """``values ** degree mod p`` elementwise for int64 field elements (``p < 2^31``: no overflow)."""
    result = np.ones_like(values)
    for _ in range(degree):
        result = (result * values) % p
    return result


# ---- families ----------------------------------------------------------------------------------------
class Family:
    """How the contract drives one kind of code.

    ``received`` objects are id arrays in arrival order for ``received_kind == "ids"``; other
    kinds (BATS's per-batch packets, the fog model's indicators) are family specific.
    """

    received_kind = "ids"
    #: Public names (aliases accepted) the error message of each argument must contain.
    received_names: tuple = ("received",)
    messages_names: tuple = ("messages",)
    input_names: tuple = ("partials",)
    #: ``messages`` may hold one row per id (row ``j`` for id ``j``) instead of one per received id.
    full_rows = False
    #: Values are field elements (compared exactly, bad-input table adds field cases).
    finite_field = False
    def threshold(self, code) -> int | None:
        """The recovery threshold the code states (any set below it is not decodable), if any."""
        return None

    def n_ids(self, code) -> int:
        raise NotImplementedError

    def refuses_undecodable(self, code) -> bool:
        """Whether ``decode`` raises ``NotDecodableError`` on a set ``is_decodable`` calls undecodable."""
        return True

    def verdict_is_exact(self, code) -> bool:
        """Whether ``is_decodable`` must say ``True`` for every set the oracle can decode (not only be sound)."""
        return True

    def make_input(self, code, rng):
        raise NotImplementedError

    def encode(self, code, data):
        raise NotImplementedError

    def rows_for(self, code, encoded, order) -> np.ndarray:
        """The received messages, row ``i`` for ``order[i]``."""
        return encoded[np.asarray(order, dtype=np.int64)]

    def decode(self, code, received, messages):
        raise NotImplementedError

    def decode_received(self, code, received, encoded):
        return self.decode(code, received, self.rows_for(code, encoded, received))

    def target(self, code, data, received, encoded):
        raise NotImplementedError

    def matches(self, code, decoded, target, data) -> tuple[bool, str]:
        if self.finite_field:
            ok = np.asarray(decoded).shape == np.asarray(target).shape and np.array_equal(decoded, target)
            return ok, "" if ok else "decoded value differs from the exact target"
        error = relative_error(decoded, target, self.scale(data))
        return error <= REAL_TOLERANCE, f"relative error {error:.3g} > {REAL_TOLERANCE:g}"

    def scale(self, data) -> float:
        return float(np.linalg.norm(np.asarray(data, dtype=np.float64)))

    def is_decodable(self, code, received) -> bool | None:
        """The code's own verdict (``None``: it has no such method)."""
        method = getattr(code, "is_decodable", None)
        return None if method is None else bool(method(received))

    def oracle(self, code, received) -> bool | None:
        """Independent verdict: decodable, not, or unknown."""
        needed = self.threshold(code)
        return None if needed is None else len(received) >= needed

    def draw_received(self, code, rng, encoded):
        n = self.n_ids(code)
        size = int(rng.integers(0, n + 1))
        return rng.permutation(n)[:size].astype(np.int64)

    def below_threshold_sets(self, code, rng, count: int) -> list:
        """Received sets that no decoder may decode: the empty set and sets below the threshold."""
        sets = [np.zeros(0, dtype=np.int64)]
        needed = self.threshold(code)
        if needed is not None:
            n = self.n_ids(code)
            for _ in range(count):
                size = int(rng.integers(0, needed))
                sets.append(rng.permutation(n)[:size].astype(np.int64))
        return sets

    def prefixes(self, code, received):
        return [received[:t] for t in range(len(received) + 1)]

    def all_ids(self, code):
        return np.arange(self.n_ids(code), dtype=np.int64)


class GradientFamily(Family):
    """One-message gradient codes (:class:`~codedml.codes.GradientCode`): target ``sum_j g_j``."""

    full_rows = True
    dimension = 3

    def n_ids(self, code):
        return code.n_workers

    def make_input(self, code, rng):
        return rng.standard_normal((code.n_partitions, self.dimension))

    def encode(self, code, data):
        return code.encode(data)

    def decode(self, code, received, messages):
        return code.decode(received, messages)

    def target(self, code, data, received, encoded):
        quantizer = getattr(code, "quantizer", None)
        if quantizer is not None:  # GF(p): the exact fixed-point sum
            return np.round(data * quantizer.scale).astype(np.int64).sum(axis=0) / quantizer.scale
        if code.exact:
            return data.sum(axis=0)
        # approximate: the estimator sum_{i received} a_i m_i with the rows in worker order
        survivors = np.sort(np.asarray(received, dtype=np.int64))
        return code.decoding_vector(survivors)[survivors] @ encoded[survivors]

    def oracle(self, code, received):
        if code.decodable_iff_count and code.recovery_threshold is not None:
            return len(received) >= code.recovery_threshold
        matrix = code.encoding_matrix.toarray().astype(np.float64)
        rows = matrix[np.sort(np.asarray(received, dtype=np.int64))]
        return span_verdict(least_squares_residual(rows, np.ones(code.n_partitions)))

    def refuses_undecodable(self, code):
        # the approximate codes document that decode never refuses: no answer estimates zero
        return not isinstance(code, ApproximateGradientCode)

    def below_threshold_sets(self, code, rng, count):
        """The empty set, sets below the threshold of a count-decided code, or sets the oracle refuses."""
        sets = [np.zeros(0, dtype=np.int64)]
        needed = code.recovery_threshold
        for _ in range(20 * count):
            if len(sets) > count:
                break
            if code.decodable_iff_count:
                if needed <= 1:
                    break
                sets.append(rng.permutation(code.n_workers)[:int(rng.integers(0, needed))].astype(np.int64))
                continue
            received = rng.permutation(code.n_workers)[:int(rng.integers(0, code.n_workers))].astype(np.int64)
            if self.oracle(code, received) is False:
                sets.append(received)
        return sets


class FieldGradientFamily(GradientFamily):
    """:class:`PolynomialGC` over ``GF(p)``: field-element messages, exact fixed-point sum."""

    finite_field = True

    def matches(self, code, decoded, target, data):
        ok = np.asarray(decoded).shape == target.shape and np.array_equal(decoded, target)
        return ok, "" if ok else "decoded fixed-point sum differs from the exact one"

    def oracle(self, code, received):
        return len(received) >= code.recovery_threshold


class MultiMessageFamily(Family):
    """Multi-message codes: ids are messages; a message carries one or more coded rows."""

    full_rows = True
    messages_names = ("coded_rows", "messages")

    def n_ids(self, code):
        return code.n_messages

    def make_input(self, code, rng):
        return rng.standard_normal((code.n_partitions, 3))

    def encode(self, code, data):
        return code.encode(data)

    def row_ids(self, code, order):
        offsets = code.schedule.row_offsets
        pieces = [np.arange(offsets[m], offsets[m + 1]) for m in np.asarray(order, dtype=np.int64)]
        return np.concatenate(pieces).astype(np.int64) if pieces else np.zeros(0, dtype=np.int64)

    def rows_for(self, code, encoded, order):
        return encoded[self.row_ids(code, order)]

    def decode(self, code, received, messages):
        return code.decode(received, messages)

    def target(self, code, data, received, encoded):
        return data.sum(axis=0) if code.target == "sum" else data

    def oracle(self, code, received):
        rows = code.schedule.rows[self.row_ids(code, received)]
        if code.target == "sum":
            return span_verdict(least_squares_residual(rows, np.ones(code.n_partitions)))
        return real_full_column_rank(rows, code.n_partitions)

    def verdict_is_exact(self, code):
        # threshold-modelled codes (distinct contents per group) follow their paper's threshold, which
        # may be conservative for the real rows used by decode: soundness only
        return code.group_thresholds is None

    def below_threshold_sets(self, code, rng, count):
        return [np.zeros(0, dtype=np.int64)]


class ReedSolomonFamily(Family):
    """:class:`ReedSolomon`: byte (or uint16) shards, exact recovery of the data shards."""

    finite_field = True
    received_names = ("received",)
    messages_names = ("shards",)
    input_names = ("data",)

    def threshold(self, code):
        return code.n_sources

    def n_ids(self, code):
        return code.n_coded

    def make_input(self, code, rng):
        if code.field.degree == 16:
            return rng.integers(0, 2**16, (code.n_sources, 6), dtype=np.uint16)
        return rng.integers(0, 256, (code.n_sources, 12), dtype=np.uint8)

    def encode(self, code, data):
        return code.encode(data)

    def decode(self, code, received, messages):
        return code.decode(received, messages)

    def target(self, code, data, received, encoded):
        return data

    def matches(self, code, decoded, target, data):
        ok = np.asarray(decoded).dtype == target.dtype and np.array_equal(decoded, target)
        return ok, "" if ok else "recovered shards differ from the data shards"


class LTFamily(Family):
    """:class:`LTCode`: byte payloads (XOR, exact) or float payloads (sums, real elimination)."""

    received_names = ("received",)
    messages_names = ("coded_payloads", "coded payloads")
    input_names = ("payloads", "source payloads")

    def __init__(self, payload: str):
        self.payload = payload
        self.finite_field = payload == "bytes"

    def n_ids(self, code):
        return code.n_coded

    def make_input(self, code, rng):
        if self.payload == "bytes":
            return rng.integers(0, 256, (code.n_sources, 8), dtype=np.uint8)
        return rng.standard_normal((code.n_sources, 3))

    def encode(self, code, data):
        return code.encode(data)

    def decode(self, code, received, messages):
        return code.decode(received, messages)

    def target(self, code, data, received, encoded):
        return data

    def is_decodable(self, code, received):
        return code.is_decodable(received, real=self.payload == "float")

    def oracle(self, code, received):
        rows = code.generator.toarray()[np.asarray(received, dtype=np.int64)]
        if self.payload == "bytes":
            return gf2_rank(rows) == code.n_sources if rows.size else False
        return real_full_column_rank(rows.astype(np.float64), code.n_sources)

    def threshold(self, code):  # fewer than k coded symbols never determine k sources
        return code.n_sources

    def below_threshold_sets(self, code, rng, count):
        return [rng.permutation(code.n_coded)[:int(rng.integers(0, code.n_sources))].astype(np.int64)
                for _ in range(count)] + [np.zeros(0, dtype=np.int64)]


class RatelessFamily(Family):
    """:class:`RatelessCodedComputation`: ``W theta`` from LT-coded row-products."""

    received_names = ("received",)
    messages_names = ("products",)
    input_names = ("W",)

    def n_ids(self, code):
        return code.n_coded

    def make_input(self, code, rng):
        return rng.standard_normal((code.n_partitions, 4)), rng.standard_normal(4)

    def encode(self, code, data):
        W, theta = data
        return code.row_products(code.encode(W), theta)

    def decode(self, code, received, messages):
        return code.decode(received, messages)

    def target(self, code, data, received, encoded):
        W, theta = data
        return W @ theta

    def scale(self, data):
        W, theta = data
        return float(np.linalg.norm(W) * np.linalg.norm(theta))

    def oracle(self, code, received):
        rows = code.code.generator.toarray()[np.asarray(received, dtype=np.int64)]
        return real_full_column_rank(rows.astype(np.float64), code.n_partitions)

    def threshold(self, code):
        return code.n_partitions

    def below_threshold_sets(self, code, rng, count):
        return [rng.permutation(code.n_coded)[:int(rng.integers(0, code.n_partitions))].astype(np.int64)
                for _ in range(count)] + [np.zeros(0, dtype=np.int64)]


class MDSComputationFamily(Family):
    """:class:`MDSCodedComputation`: ``W theta`` from any ``M / r`` workers (real, or exact fixed point)."""

    full_rows = True
    messages_names = ("results",)
    input_names = ("W",)
    rows_per_block = 2

    def __init__(self, finite_field: bool):
        self.finite_field = finite_field

    def threshold(self, code):
        return code.recovery_threshold

    def n_ids(self, code):
        return code.n_workers

    def make_input(self, code, rng):
        shape = (code.n_partitions * self.rows_per_block, 3)
        if self.finite_field:  # multiples of 1/8: exact in the fixed point of scale 2^10
            return rng.integers(-64, 65, shape) / 8.0, rng.integers(-64, 65, 3) / 8.0
        return rng.standard_normal(shape), rng.standard_normal(3)

    def encode(self, code, data):
        W, theta = data
        return code.worker_products(code.encode(W), theta)

    def decode(self, code, received, messages):
        return code.decode(received, messages)

    def target(self, code, data, received, encoded):
        W, theta = data
        if self.finite_field:
            scale = code.quantizer.scale
            product = np.round(W * scale).astype(np.int64) @ np.round(theta * scale).astype(np.int64)
            return product / scale**2
        return W @ theta

    def scale(self, data):
        W, theta = data
        return float(np.linalg.norm(W) * np.linalg.norm(theta))


class LagrangeFamily(Family):
    """:class:`LagrangeCodedComputing`: ``sum_j f(X_j)`` mod ``p`` for ``f(x) = x^degree`` elementwise."""

    full_rows = True
    finite_field = True
    messages_names = ("results",)
    input_names = ("blocks",)

    def threshold(self, code):
        return code.recovery_threshold

    def n_ids(self, code):
        return code.n_workers

    def make_input(self, code, rng):
        return rng.integers(0, code.p, (code.n_partitions, 4), dtype=np.int64)

    def encode(self, code, data):
        return mod_power(code.encode(data), code.degree, code.p)

    def decode(self, code, received, messages):
        return code.decode(received, messages)

    def target(self, code, data, received, encoded):
        total = [sum(int(x) ** code.degree for x in column) % code.p for column in data.T]
        return np.array(total, dtype=np.int64)


class BATSFamily(Family):
    """:class:`BATSCode`: received packets per batch through one recoding relay; BP decoding."""

    received_kind = "batches"
    finite_field = True
    received_names = ("received",)
    messages_names = ("packets", "headers")
    input_names = ("source_packets", "source packets")

    def n_ids(self, code):
        return code.n_batches

    def make_input(self, code, rng):
        return rng.integers(0, 256, (code.n_sources, 8), dtype=np.uint8)

    def encode(self, code, data):
        return code.encode(data)

    def draw_received(self, code, rng, encoded):
        """Packets of one transmission, each batch's received rows shuffled (row pairing kept)."""
        counts, packets, headers = code.transmit(encoded, float(rng.uniform(0.0, 0.6)),
                                                 seed=int(rng.integers(2**31)))
        headers, packets = headers.copy(), packets.copy()
        for j, count in enumerate(counts):
            order = rng.permutation(int(count))
            headers[j, :count] = headers[j, order]
            packets[j, :count] = packets[j, order]
        return headers, packets, np.asarray(counts, dtype=np.int64)

    def decode_received(self, code, received, encoded):
        headers, packets, counts = received
        return code.decode(counts, packets, headers)

    def target(self, code, data, received, encoded):
        return data

    def is_decodable(self, code, received):
        headers, _, counts = received
        return code.is_decodable(counts, headers)

    def oracle(self, code, received):
        return None

    def below_threshold_sets(self, code, rng, count):
        shape = (code.n_batches, code.batch_size)
        headers = np.zeros(shape + (code.batch_size,), dtype=np.uint8)
        packets = np.zeros(shape + (8,), dtype=np.uint8)
        return [(headers, packets, np.zeros(code.n_batches, dtype=np.int64))]

    def prefixes(self, code, received):
        headers, packets, counts = received
        return [(headers, packets, np.minimum(counts, t)) for t in range(code.batch_size + 1)]


class FogFamily(Family):
    """:class:`FogNodeCoding` (a model, no payloads): Theorem 3's ``Delta`` against a brute-force union count."""

    received_kind = "indicators"
    received_names = ("received",)

    def n_ids(self, code):
        return code.n_nodes

    def make_input(self, code, rng):
        return None

    def encode(self, code, data):
        return None

    def draw_received(self, code, rng, encoded):
        node = int(rng.integers(code.n_nodes))
        others = np.array([i for i in range(code.n_nodes) if i != node], dtype=np.int64)
        return node, rng.random(code.n_nodes) < 0.6, rng.permutation(others)

    def decode_received(self, code, received, encoded):
        node, indicators, order = received
        return code.new_gradient_count(node, received=indicators, order=order)

    def target(self, code, data, received, encoded):
        node, indicators, _ = received
        sources = indicators.copy()
        sources[node] = False
        known = code.holdings[sources].any(axis=0)
        return float(np.count_nonzero(known & ~code.holdings[node]))

    def matches(self, code, decoded, target, data):
        ok = abs(decoded - target) <= 1e-9 * max(1.0, target)
        return ok, f"Delta {decoded!r} != brute-force count {target!r}"

    def is_decodable(self, code, received):
        return None

    def oracle(self, code, received):
        return True

    def below_threshold_sets(self, code, rng, count):
        return []


# ---- registry ---------------------------------------------------------------------------------------
@dataclass
class Entry:
    """One registered instance: ``name`` (test id), the class, a factory and its family adapter."""

    name: str
    cls: type
    make: Callable[[], Any]
    family: Family

    @cached_property
    def code(self):
        return self.make()

    @property
    def exact_linear(self) -> bool:
        """An exact gradient code with a decoding vector (``a^T B_I = 1`` applies)."""
        return isinstance(self.family, GradientFamily) and getattr(self.code, "exact", False)

    def __repr__(self) -> str:
        return self.name


P5 = np.array([0.1, 0.3, 0.2, 0.4, 0.25])
P6 = np.array([0.1, 0.3, 0.2, 0.4, 0.25, 0.35])
RANDOM_B = np.random.default_rng(7).standard_normal((6, 4))
SPARSE_B = scipy.sparse.csr_array(np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1], [1, 0, 0, 1],
                                            [1, 0, 1, 0], [0, 1, 0, 1]], dtype=np.float64))
HOLDINGS = np.random.default_rng(3).random((5, 12)) < 0.35
HOLDINGS[np.arange(5), np.arange(5)] = True
HOLDINGS[np.arange(12) % 5, np.arange(12)] = True

ENTRIES = [
    # one-message gradient codes
    Entry("UncodedScheme-5", UncodedScheme, lambda: UncodedScheme(5), GradientFamily()),
    Entry("IgnoreStragglers-6-2", IgnoreStragglers, lambda: IgnoreStragglers(6, 2), GradientFamily()),
    Entry("FractionalRepetition-6-2", FractionalRepetition, lambda: FractionalRepetition(6, 2), GradientFamily()),
    Entry("FractionalRepetition-8-1", FractionalRepetition, lambda: FractionalRepetition(8, 1), GradientFamily()),
    Entry("CyclicRepetition-7-2-mds", CyclicRepetition, lambda: CyclicRepetition(7, 2), GradientFamily()),
    Entry("CyclicRepetition-9-2-mds-composite", CyclicRepetition,
          lambda: CyclicRepetition(9, 2, construction="cyclic-mds"), GradientFamily()),
    Entry("CyclicRepetition-8-3-dft", CyclicRepetition, lambda: CyclicRepetition(8, 3, seed=0), GradientFamily()),
    Entry("CyclicRepetition-6-2-gaussian", CyclicRepetition,
          lambda: CyclicRepetition(6, 2, seed=1, construction="gaussian"), GradientFamily()),
    Entry("LinearGradientCode-toy", LinearGradientCode, survey_toy_code, GradientFamily()),
    Entry("LinearGradientCode-random-6x4", LinearGradientCode,
          lambda: LinearGradientCode(RANDOM_B, n_stragglers=2), GradientFamily()),
    Entry("LinearGradientCode-sparse-6x4", LinearGradientCode, lambda: LinearGradientCode(SPARSE_B), GradientFamily()),
    Entry("PolynomialGC-8-3-real", PolynomialGC, lambda: PolynomialGC(8, 3), GradientFamily()),
    Entry("PolynomialGC-8-3-gfp", PolynomialGC, lambda: PolynomialGC(8, 3, field="gfp"), FieldGradientFamily()),
    Entry("PolynomialGC-9-3-ntt", PolynomialGC, lambda: PolynomialGC(9, 3, field=NTT_PRIME, scale=2.0**8),
          FieldGradientFamily()),
    Entry("PolynomialGC-7-2-gf65537", PolynomialGC, lambda: PolynomialGC(7, 2, field=65537, scale=2.0**8),
          FieldGradientFamily()),
    Entry("OptimallyStructuredGC-5", OptimallyStructuredGC, lambda: OptimallyStructuredGC(P5), GradientFamily()),
    Entry("OptimallyStructuredGC-6-graph", OptimallyStructuredGC,
          lambda: OptimallyStructuredGC([0.1, 0.1, 0.1, 0.4, 0.4, 0.4], structure="graph"), GradientFamily()),
    Entry("IgnoreStragglersSGD-5", IgnoreStragglersSGD, lambda: IgnoreStragglersSGD(P5), GradientFamily()),
    Entry("BernoulliGC-5", BernoulliGC, lambda: BernoulliGC(P5, replication=2, seed=0), GradientFamily()),
    Entry("StochasticGC-5", StochasticGC, lambda: StochasticGC(P5, replication=2), GradientFamily()),
    Entry("ErasureHeadGC-6", ErasureHeadGC, lambda: ErasureHeadGC(P6, replication=2), GradientFamily()),
    Entry("OptimalDecodingGC-5", OptimalDecodingGC, lambda: OptimalDecodingGC(P5, replication=2, seed=0),
          GradientFamily()),
    # multi-message codes
    Entry("UncodedMMC-4-2-product", UncodedMMC, lambda: UncodedMMC(4, 2), MultiMessageFamily()),
    Entry("UncodedMMC-5-3-sum", UncodedMMC, lambda: UncodedMMC(5, 3, target="sum"), MultiMessageFamily()),
    Entry("MDSCodedComputationMMC-4-4-2", MDSCodedComputationMMC, lambda: MDSCodedComputationMMC(4, 4, 2),
          MultiMessageFamily()),
    Entry("MDSCodedComputationMMC-4-4-2-multi", MDSCodedComputationMMC,
          lambda: MDSCodedComputationMMC(4, 4, 2, multi_message=True), MultiMessageFamily()),
    Entry("MDSCodedComputationMMC-4-4-2-sum", MDSCodedComputationMMC,
          lambda: MDSCodedComputationMMC(4, 4, 2, target="sum"), MultiMessageFamily()),
    Entry("CPGC-seed-example", CPGC, CPGC.seed_example, MultiMessageFamily()),
    Entry("CPGC-8-3", CPGC, lambda: CPGC(8, 3, seed=0), MultiMessageFamily()),
    Entry("CPGC-8-3-sum", CPGC, lambda: CPGC(8, 3, seed=0, target="sum"), MultiMessageFamily()),
    Entry("GCMMC-correlated-6-3-2", GCMMC, lambda: GCMMC.correlated(6, 3, 2, seed=0), MultiMessageFamily()),
    Entry("GCMMC-correlated-6-3-3-hybrid", GCMMC, lambda: GCMMC.correlated(6, 3, 3, hybrid=True, seed=0),
          MultiMessageFamily()),
    Entry("GCMMC-correlated-8-2-2-clusters", GCMMC, lambda: GCMMC.correlated(8, 2, 2, clusters=2, seed=0),
          MultiMessageFamily()),
    Entry("GCMMC-uncorrelated-6-3-1-3", GCMMC, lambda: GCMMC.uncorrelated(6, 3, (1, 3)), MultiMessageFamily()),
    # erasure codes
    Entry("ReedSolomon-8-5-gf2^8", ReedSolomon, lambda: ReedSolomon(8, 5), ReedSolomonFamily()),
    Entry("ReedSolomon-7-3-gf2^16", ReedSolomon, lambda: ReedSolomon(7, 3, field="gf2^16"), ReedSolomonFamily()),
    Entry("FastReedSolomon-10-6-gf2^16", FastReedSolomon, lambda: FastReedSolomon(10, 6), ReedSolomonFamily()),
    Entry("FastReedSolomon-9-4-gf2^8", FastReedSolomon, lambda: FastReedSolomon(9, 4, field="gf2^8"),
          ReedSolomonFamily()),
    Entry("LTCode-30-bytes", LTCode, lambda: LTCode(30, 0.8, seed=1), LTFamily("bytes")),
    Entry("LTCode-24-float", LTCode, lambda: LTCode(24, 0.6, seed=2), LTFamily("float")),
    Entry("BATSCode-40-30-8", BATSCode,
          lambda: BATSCode(40, 30, batch_size=8, distribution=[0, 0, 0, 0, 1.0], seed=1), BATSFamily()),
    # coded computation
    Entry("MDSCodedComputation-6-4-2-real", MDSCodedComputation, lambda: MDSCodedComputation(6, 4, 2),
          MDSComputationFamily(False)),
    Entry("MDSCodedComputation-seed-example", MDSCodedComputation, MDSCodedComputation.seed_example,
          MDSComputationFamily(False)),
    Entry("MDSCodedComputation-5-3-1-gfp", MDSCodedComputation, lambda: MDSCodedComputation(5, 3, 1, field="gfp"),
          MDSComputationFamily(True)),
    Entry("LagrangeCodedComputing-7-3-2", LagrangeCodedComputing, lambda: LagrangeCodedComputing(7, 3, 2),
          LagrangeFamily()),
    Entry("LagrangeCodedComputing-5-2-3-p65537", LagrangeCodedComputing,
          lambda: LagrangeCodedComputing(5, 2, 3, field=65537), LagrangeFamily()),
    Entry("RatelessCodedComputation-30-5", RatelessCodedComputation,
          lambda: RatelessCodedComputation(5, 30, 0.5, seed=2), RatelessFamily()),
    # model
    Entry("FogNodeCoding-5x12", FogNodeCoding, lambda: FogNodeCoding(HOLDINGS, 0.2), FogFamily()),
]

ENTRY_BY_NAME = {entry.name: entry for entry in ENTRIES}


def entries(predicate: Callable[[Entry], bool] = lambda entry: True) -> list:
    return [entry for entry in ENTRIES if predicate(entry)]


# ---- constructor parameters -------------------------------------------------------------------------
#: Bad values per parameter kind: (id, value). ``huge`` sizes must be refused quickly, without allocating.
HUGE = 10**12
BAD_VALUES = {
    "int": [("None", None), ("nan", math.nan), ("inf", math.inf), ("True", True), ("-1", -1), ("2.5", 2.5),
            ("str", "3"), ("huge", HUGE)],
    "optional_int": [("nan", math.nan), ("inf", math.inf), ("True", True), ("-1", -1), ("2.5", 2.5),
                     ("str", "3"), ("huge", HUGE)],
    "seed": [("nan", math.nan), ("inf", math.inf), ("True", True), ("-1", -1), ("2.5", 2.5), ("str", "3")],
    "real": [("None", None), ("nan", math.nan), ("inf", math.inf), ("True", True), ("-1", -1), ("str", "3"),
             ("complex", 1j)],
    "size_real": [("None", None), ("nan", math.nan), ("inf", math.inf), ("True", True), ("-1", -1),
                  ("str", "3"), ("complex", 1j), ("huge", 1e12)],
    "optional_real": [("nan", math.nan), ("inf", math.inf), ("True", True), ("-1", -1), ("str", "3"),
                      ("complex", 1j)],
    "prime": [("None", None), ("nan", math.nan), ("True", True), ("-1", -1), ("2.5", 2.5), ("str-number", "3x"),
              ("composite", 2**31 - 2), ("huge", 2**61 - 1)],
    "choice": [("None", None), ("unknown", "magic"), ("int", 3)],
    # an integer names a prime field (3 is GF(3)), so the bad values of a field are of other types
    "field": [("None", None), ("unknown", "magic"), ("float", 2.5), ("True", True)],
    "flag": [("None", None), ("str", "yes"), ("int", 2)],
    "int_list": [("None", None), ("nan", [math.nan]), ("2.5", [2.5]), ("-1", [-1]), ("str", "3"), ("True", [True])],
}


def bad_arrays(valid: np.ndarray) -> list:
    """Bad versions of a valid real array: NaN, inf, complex, strings, ragged, None, wrong ndim."""
    valid = np.asarray(valid, dtype=np.float64)
    nan, inf = valid.copy(), valid.copy()
    nan.flat[0], inf.flat[-1] = math.nan, math.inf
    ragged = [list(row) for row in np.atleast_2d(valid)]
    ragged[0] = ragged[0] + [1.0]
    return [("nan", nan), ("inf", inf), ("complex", valid + 1j), ("strings", np.full(valid.shape, "a")),
            ("ragged", ragged), ("None", None), ("3d", valid[None, None])]


@dataclass
class Constructor:
    """One class's constructor: a factory taking keyword overrides, its parameters' kinds and accepted names."""

    name: str
    make: Callable[..., Any]
    params: dict = field(default_factory=dict)  # name -> (kind or list of (id, value), accepted names)

    def cases(self) -> list:
        result = []
        for param, (kind, names) in self.params.items():
            values = BAD_VALUES[kind] if isinstance(kind, str) else kind
            for value_id, value in values:
                result.append((f"{self.name}-{param}-{value_id}", param, value, names))
        return result


def _kw(factory, **defaults):
    return lambda **overrides: factory(**{**defaults, **overrides})


PROBABILITY_CASES = [("None", None), ("nan", [math.nan, 0.5, 0.5]), ("inf", [math.inf, 0.5, 0.5]),
                     ("1.5", [1.5, 0.5, 0.5]), ("negative", [-0.1, 0.5, 0.5]), ("strings", ["a", "b", "c"]),
                     ("2d", [[0.5, 0.5], [0.5, 0.5]]), ("complex", [0.5j, 0.5, 0.5]), ("empty", []),
                     ("ragged", [[0.5], [0.5, 0.5]])]
PROBABILITY = (PROBABILITY_CASES, ("probabilities", "straggler probabilities"))
N = ("n_workers",)
S = ("n_stragglers",)
R = ("computation_load",)
SEED = ("seed",)

CONSTRUCTORS = [
    Constructor("UncodedScheme", _kw(UncodedScheme, n_workers=5), {"n_workers": ("int", N)}),
    Constructor("IgnoreStragglers", _kw(IgnoreStragglers, n_workers=6, n_stragglers=2),
                {"n_workers": ("int", N), "n_stragglers": ("int", S)}),
    Constructor("FractionalRepetition", _kw(FractionalRepetition, n_workers=6, n_stragglers=2),
                {"n_workers": ("int", N), "n_stragglers": ("int", S)}),
    Constructor("CyclicRepetition", _kw(CyclicRepetition, n_workers=7, n_stragglers=2, seed=0),
                {"n_workers": ("int", N), "n_stragglers": ("int", S), "seed": ("seed", SEED),
                 "construction": ("choice", ("construction",)),
                 "residual_tolerance": ("real", ("residual_tolerance",))}),
    Constructor("LinearGradientCode", _kw(LinearGradientCode, encoding_matrix=SURVEY_TOY_ENCODING, n_stragglers=1),
                {"encoding_matrix": (bad_arrays(SURVEY_TOY_ENCODING), ("encoding_matrix",)),
                 "n_stragglers": ("optional_int", ("n_stragglers", "s")),
                 "residual_tolerance": ("real", ("residual_tolerance",))}),
    Constructor("PolynomialGC", _kw(PolynomialGC, n_workers=8, n_stragglers=3),
                {"n_workers": ("int", N), "n_stragglers": ("int", S), "field": ("field", ("field",))}),
    Constructor("PolynomialGC-gfp", _kw(PolynomialGC, n_workers=8, n_stragglers=3, field="gfp"),
                {"p": ("prime", ("p", "prime")), "scale": ("real", ("scale",))}),
    Constructor("OptimallyStructuredGC", _kw(OptimallyStructuredGC, probabilities=P5),
                {"probabilities": PROBABILITY, "n_partitions": ("optional_int", ("n_partitions", "k")),
                 "structure": ("choice", ("structure",))}),
    Constructor("IgnoreStragglersSGD", _kw(IgnoreStragglersSGD, probabilities=P5), {"probabilities": PROBABILITY}),
    Constructor("BernoulliGC", _kw(BernoulliGC, probabilities=P5, replication=2, seed=0),
                {"probabilities": PROBABILITY, "replication": ("int", ("replication", "d")), "seed": ("seed", SEED)}),
    Constructor("StochasticGC", _kw(StochasticGC, probabilities=P5, replication=2),
                {"probabilities": PROBABILITY, "replication": ("int", ("replication", "d"))}),
    Constructor("ErasureHeadGC", _kw(ErasureHeadGC, probabilities=P6, replication=2),
                {"probabilities": PROBABILITY, "replication": ("int", ("replication", "d"))}),
    Constructor("OptimalDecodingGC", _kw(OptimalDecodingGC, probabilities=P5, replication=2, seed=0),
                {"probabilities": PROBABILITY, "replication": ("int", ("replication", "d")), "seed": ("seed", SEED),
                 "calibration_draws": ("optional_int", ("calibration_draws",))}),
    Constructor("UncodedMMC", _kw(UncodedMMC, n_workers=4, computation_load=2),
                {"n_workers": ("int", N), "computation_load": ("int", R), "target": ("choice", ("target",))}),
    Constructor("MDSCodedComputationMMC", _kw(MDSCodedComputationMMC, n_workers=4, n_partitions=4, computation_load=2),
                {"n_workers": ("int", N), "n_partitions": ("int", ("n_partitions",)), "computation_load": ("int", R),
                 "multi_message": ("flag", ("multi_message",)), "target": ("choice", ("target",))}),
    Constructor("CPGC", _kw(CPGC, n_workers=4, computation_load=2, seed=0),
                {"n_workers": ("int", N), "computation_load": ("int", R), "seed": ("seed", SEED),
                 "target": ("choice", ("target",))}),
    Constructor("GCMMC-correlated", _kw(GCMMC.correlated, n_workers=6, computation_load=3, order=2, seed=0),
                {"n_workers": ("int", N), "computation_load": ("int", R), "order": ("int", ("order",)),
                 "clusters": ("int", ("clusters", "P")), "seed": ("seed", SEED), "hybrid": ("flag", ("hybrid",))}),
    Constructor("GCMMC-uncorrelated", _kw(GCMMC.uncorrelated, n_workers=6, computation_load=3, orders=(1, 3)),
                {"n_workers": ("int", N), "computation_load": ("int", R), "orders": ("int_list", ("orders",)),
                 "clusters": ("int", ("clusters", "P"))}),
    Constructor("ReedSolomon", _kw(ReedSolomon, n_coded=8, n_sources=5),
                {"n_coded": ("int", ("n_coded",)), "n_sources": ("int", ("n_sources",)),
                 "field": ("field", ("field",))}),
    Constructor("FastReedSolomon", _kw(FastReedSolomon, n_coded=10, n_sources=6),
                {"n_coded": ("int", ("n_coded",)), "n_sources": ("int", ("n_sources",)),
                 "field": ("field", ("field",))}),
    Constructor("LTCode", _kw(LTCode, n_sources=30, eta=0.5, seed=1),
                {"n_sources": ("int", ("n_sources",)), "eta": ("size_real", ("eta",)), "c": ("real", ("c",)),
                 "delta": ("real", ("delta",)), "seed": ("seed", SEED), "distribution": ("choice", ("distribution",))}),
    Constructor("BATSCode", _kw(BATSCode, n_sources=40, n_batches=30, distribution=[0, 0, 0, 0, 1.0], batch_size=8,
                                seed=1),
                {"n_sources": ("int", ("n_sources",)), "n_batches": ("int", ("n_batches",)),
                 "batch_size": ("int", ("batch_size",)), "seed": ("seed", SEED)}),
    Constructor("MDSCodedComputation", _kw(MDSCodedComputation, n_workers=6, n_partitions=4, computation_load=2),
                {"n_workers": ("int", ("n_workers",)), "n_partitions": ("int", ("n_partitions",)),
                 "computation_load": ("int", ("computation_load",)), "field": ("field", ("field",)),
                 "generator": (bad_arrays(np.ones((6, 2)))[:5] + bad_arrays(np.ones((6, 2)))[6:], ("generator",))}),
    Constructor("MDSCodedComputation-gfp", _kw(MDSCodedComputation, n_workers=5, n_partitions=3, field="gfp"),
                {"p": ("prime", ("p", "prime")), "scale": ("real", ("scale",))}),
    Constructor("LagrangeCodedComputing", _kw(LagrangeCodedComputing, n_workers=7, n_partitions=3, degree=2),
                {"n_workers": ("int", ("n_workers",)), "n_partitions": ("int", ("n_partitions",)),
                 "degree": ("int", ("degree",)),
                 "p": ("prime", ("p", "prime")), "scale": ("real", ("scale",)), "field": ("field", ("field",))}),
    Constructor("RatelessCodedComputation", _kw(RatelessCodedComputation, n_workers=5, n_partitions=30, eta=0.5,
                                                seed=2),
                {"n_partitions": ("int", ("n_partitions", "n_sources")), "eta": ("size_real", ("eta",)),
                 "n_workers": ("int", ("n_workers",)),
                 "seed": ("seed", SEED), "rows_per_unit": ("optional_real", ("rows_per_unit",))}),
    Constructor("FogNodeCoding", _kw(FogNodeCoding, holdings=HOLDINGS, straggling_probability=0.2),
                {"holdings": ([("None", None), ("nan", np.where(HOLDINGS, 1.0, math.nan)),
                               ("strings", np.full(HOLDINGS.shape, "a")), ("3d", HOLDINGS[None]),
                               ("ragged", [[True], [True, False]]), ("two", HOLDINGS * 2)], ("holdings",)),
                 "straggling_probability": ("real", ("straggling_probability", "lambda")),
                 "eta": ("real", ("eta",))}),
]

