"""The master's view of each code family on the cluster: messages, their encoders, when to stop, how to decode.

One :class:`Scheme` per family turns a code into what the runner needs:

- which partitions each coded worker holds (``held``), and for every message its sender, the
  number of computations before it is sent (``message_steps``) and the encoder its task applies
  to the sender's partition gradients (:mod:`codedml.cluster.tasks`);
- ``decodable(ids)``: whether the received message ids suffice (the runner stops there);
- ``gradient(ids, payloads)``: the decoded gradient sum.

Families: :class:`ExactScheme` (one-message real codes, e.g. repetition), :class:`FieldScheme`
(``GF(p)`` codes with fixed-point gradients, e.g. ``PolynomialGC(field="gfp")``),
:class:`ApproximateScheme` (``code.exact`` False: the master decodes what arrived by a deadline,
optionally quantised with ``bits``) and :class:`MultiMessageScheme` (:class:`~codedml.codes.MultiMessageCode`).
"""

from __future__ import annotations

import numpy as np

from codedml import _validation as validation
from codedml.cluster.tasks import FieldRows, QuantisedRows, RealRows
from codedml.codes.gradient.base import GradientCode
from codedml.codes.gradient.design import check_bits
from codedml.codes.multimessage.base import MultiMessageCode
from codedml.errors import ParameterError


class Scheme:
    """Messages of a code on the cluster (see the module notes); subclasses decide and decode.

    Attributes
    ----------
    code : GradientCode or MultiMessageCode
    held : list of ndarray
        Partition indices held by each coded worker.
    message_workers, message_steps : ndarray of int64
        Sender and computations before sending, per message id.
    needed : int or None
        Messages that always suffice (the code's recovery threshold), for error messages.
    waits_for_deadline : bool
        The runner collects until the deadline instead of stopping at the first decodable set.
    """

    waits_for_deadline = False

    def __init__(self, code, rows: list[np.ndarray], held: list[np.ndarray], needed: int | None):
        self.code = code
        self.n_workers = code.n_workers
        self.held = held
        self.message_workers = np.asarray(code.message_workers, dtype=np.int64)
        self.message_steps = np.asarray(code.message_steps, dtype=np.int64)
        self.rows = rows
        self.needed = needed

    @property
    def n_messages(self) -> int:
        return self.message_workers.size

    def messages_of(self, worker: int) -> np.ndarray:
        """Message ids sent by coded ``worker``, in sending order."""
        ids = np.flatnonzero(self.message_workers == worker)
        return ids[np.argsort(self.message_steps[ids], kind="stable")]

    def sends(self, worker: int) -> bool:
        """Whether coded ``worker`` takes part at all."""
        return True

    def encoder(self, message: int, iteration: int):
        """What the sender's task applies to its partition gradients to form ``message``."""
        return RealRows(self.rows[message], flat=True)

    def decodable(self, ids: list[int]) -> bool:
        return bool(ids) and self.code.is_decodable(ids)

    def gradient(self, ids: list[int], payloads: list, dimension: int) -> np.ndarray:
        return self.code.decode(ids, np.stack(payloads))


def _gradient_code_rows(code: GradientCode) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Each worker's held partitions and its one encoding row restricted to them (as a 1 x held matrix)."""
    matrix = code.encoding_matrix.toarray()
    held = [np.flatnonzero(row) for row in matrix != 0]
    return [matrix[w, held[w]][None, :] for w in range(code.n_workers)], held


class ExactScheme(Scheme):
    """An exact real one-message code: stop at the first decodable set of workers."""

    def __init__(self, code: GradientCode):
        rows, held = _gradient_code_rows(code)
        super().__init__(code, rows, held, code.recovery_threshold)


class FieldScheme(Scheme):
    """An exact ``GF(p)`` code with fixed-point gradients (``code.quantizer``): exact decoding mod ``p``.

    Each message carries the largest ``|g_j|`` its sender quantised; before decoding, the master
    proves with the code's quantizer that the fixed-point sum cannot wrap around ``p`` (every
    partition is held by some answering worker, since the answers decode).
    """

    def __init__(self, code: GradientCode):
        rows, held = _gradient_code_rows(code)
        super().__init__(code, [row.astype(np.int64) for row in rows], held, code.recovery_threshold)

    def encoder(self, message: int, iteration: int):
        return FieldRows(self.rows[message], self.code.quantizer)

    def gradient(self, ids: list[int], payloads: list, dimension: int) -> np.ndarray:
        self.code.quantizer.check_no_overflow(self.code.n_partitions, max(bound for _, bound in payloads))
        return self.code.decode(ids, np.stack([message for message, _ in payloads]))


class ApproximateScheme(Scheme):
    """An approximate code (``code.exact`` False): decode whatever arrived by the deadline.

    The code's decoding weights make the estimate from any received set unbiased under its
    straggler model; with nothing received the estimate is the zero vector (no step). With
    ``bits``, worker ``i`` sends its message quantised to ``b_i`` bits per coordinate in the wire
    format of :func:`codedml.learn.quantize.pack` (``b_i = 0``: it sends nothing).
    """

    waits_for_deadline = True

    def __init__(self, code: GradientCode, bits=None, seed=None):
        rows, held = _gradient_code_rows(code)
        super().__init__(code, rows, held, None)
        self.bits = None if bits is None else check_bits(bits, code.n_workers)
        self.entropy = int(validation.rng(seed).integers(2**63))

    def sends(self, worker: int) -> bool:
        return self.bits is None or self.bits[worker] > 0

    def encoder(self, message: int, iteration: int):
        if self.bits is None:
            return super().encoder(message, iteration)
        return QuantisedRows(self.rows[message], int(self.bits[message]), (self.entropy, iteration, message))

    def decodable(self, ids: list[int]) -> bool:
        return False

    def gradient(self, ids: list[int], payloads: list, dimension: int) -> np.ndarray:
        if not ids:
            return np.zeros(dimension)
        if self.bits is not None:
            from codedml.learn.quantize import unpack

            payloads = [unpack(payload, int(self.bits[i]), dimension) for i, payload in zip(ids, payloads)]
        return self.code.decode(ids, np.stack(payloads))


class MultiMessageScheme(Scheme):
    """A multi-message code: every message is sent after its step; stop at the first decodable set.

    With ``required = M' < M`` (tolerance ratio ``(M - M') / M > 0``) the master stops once the
    messages cover ``M'`` partitions (:meth:`~codedml.codes.MultiMessageCode.decode_partial`) and steps
    with the gradient sum over the covered partitions, not rescaled. For ``target="product"`` codes the
    decoded partition gradients are summed.
    """

    def __init__(self, code: MultiMessageCode, required: int):
        support = code.assignment
        held = [np.flatnonzero(row) for row in support]
        offsets = code.schedule.row_offsets
        rows = [code.schedule.rows[offsets[m]:offsets[m + 1], held[w]]
                for m, w in enumerate(code.schedule.worker)]
        super().__init__(code, rows, held, None)
        self.required = required

    def encoder(self, message: int, iteration: int):
        return RealRows(self.rows[message])

    def decodable(self, ids: list[int]) -> bool:
        return bool(ids) and self.code.is_decodable(ids, required=self.required)

    def gradient(self, ids: list[int], payloads: list, dimension: int) -> np.ndarray:
        if self.required < self.code.n_partitions:
            decoded = self.code.decode_partial(ids, np.vstack(payloads), required=self.required).value
        else:
            decoded = self.code.decode(ids, np.vstack(payloads))
        return decoded.sum(axis=0) if self.code.target == "product" else decoded


def scheme_for(code, *, deadline: float | None, tolerance: float, bits, seed) -> Scheme:
    """The :class:`Scheme` of ``code``; refuses options that do not apply to its family (ParameterError)."""
    tolerance = validation.real(tolerance, "tolerance", minimum=0.0, maximum=1.0, open_maximum=True)
    if isinstance(code, MultiMessageCode):
        _refuse(deadline is not None, "deadline", "applies to approximate gradient codes only")
        _refuse(bits is not None, "bits", "applies to approximate gradient codes only")
        return MultiMessageScheme(code, code.n_partitions - int(np.floor(tolerance * code.n_partitions)))
    if not isinstance(code, GradientCode):
        raise ParameterError(f"code must be a GradientCode or a MultiMessageCode, got {type(code).__name__}")
    _refuse(tolerance > 0, "tolerance", "applies to multi-message codes only")
    if not code.exact:
        if deadline is None:
            raise ParameterError(f"{type(code).__name__} is approximate: give a deadline (seconds) at which the "
                                 f"master decodes what arrived")
        return ApproximateScheme(code, bits, seed)
    _refuse(deadline is not None, "deadline", "applies to approximate codes only (an exact code waits until it "
                                              "can decode)")
    _refuse(bits is not None, "bits", "applies to approximate codes only")
    if getattr(code, "quantizer", None) is not None:
        return FieldScheme(code)
    return ExactScheme(code)


def _refuse(given: bool, name: str, why: str) -> None:
    if given:
        raise ParameterError(f"{name} {why}")
