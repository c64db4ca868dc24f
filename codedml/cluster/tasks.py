"""What runs on a Dask worker: a coded worker's partial gradients, and its messages after emulated delays.

A coded worker computes the gradients of the partitions it holds (:func:`compute_partials`), then
sends each of its messages (:func:`send_message`): the message's coefficient rows applied to those
gradients, encoded for the wire by an encoder (:class:`RealRows`, :class:`FieldRows`,
:class:`QuantisedRows`). A message due ``send_after`` seconds after the computation started
waits out the rest of that time (emulated stragglers) in a seceded thread, so that several coded
workers placed on one Dask worker wait concurrently; it returns early, without a payload, once the
master sets the iteration's stop event. Times are the worker's ``time.time()``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from codedml.learn.models import PartitionedData


@dataclass(frozen=True)
class Computed:
    """A coded worker's partition gradients (``(held partitions, d)``) and when it started computing them."""

    started: float
    partials: np.ndarray


@dataclass(frozen=True)
class Message:
    """One message as the master receives it: worker start and send times, and the payload.

    ``payload`` and ``finished`` are ``None`` when the master stopped the iteration before it was sent.
    """

    started: float
    finished: float | None
    payload: object


@dataclass(frozen=True)
class RealRows:
    """Real messages: ``rows @ partials`` (shape ``(n_rows, d)``, or ``(d,)`` with ``flat``)."""

    rows: np.ndarray
    flat: bool = False

    def __call__(self, partials: np.ndarray):
        coded = self.rows @ partials
        return coded[0] if self.flat else coded


@dataclass(frozen=True)
class FieldRows:
    """``GF(p)`` messages of a fixed-point code: ``(rows @ quantize(partials) mod p, max |partials|)``.

    The bound lets the master prove the decoded fixed-point sum cannot wrap around ``p``.
    """

    rows: np.ndarray
    quantizer: object

    def __call__(self, partials: np.ndarray):
        from codedml.kernels.gfp import gfp_matmul

        quantized = self.quantizer.quantize(partials)
        bound = float(np.abs(partials).max()) if partials.size else 0.0
        return gfp_matmul(self.rows, np.ascontiguousarray(quantized), self.quantizer.p)[0], bound


@dataclass(frozen=True)
class QuantisedRows:
    """A one-row message quantised to ``bits`` per coordinate (wire format of :func:`codedml.learn.quantize.pack`).

    ``seed`` (a ``numpy.random.SeedSequence`` entropy tuple) drives the stochastic rounding.
    """

    rows: np.ndarray
    bits: int
    seed: tuple

    def __call__(self, partials: np.ndarray) -> bytes:
        from codedml.learn.quantize import pack

        return pack(self.rows[0] @ partials, self.bits, np.random.default_rng(self.seed))


def compute_partials(model, parameters: np.ndarray, shard: PartitionedData) -> Computed:
    """The gradients ``g_j(theta)`` of the partitions in ``shard`` (one row each)."""
    started = time.time()
    return Computed(started, model.partition_gradients(parameters, shard))


def send_message(computed: Computed, encoder, send_after: float, stop_event: str) -> Message:
    """Encode the message, then send it ``send_after`` seconds after ``computed.started`` unless stopped."""
    payload = encoder(computed.partials)
    remaining = computed.started + send_after - time.time()
    if remaining > 0:
        from distributed import Event, secede

        secede()  # free the worker's thread for the other coded workers placed here
        if Event(stop_event).wait(timeout=remaining):
            return Message(computed.started, None, None)
    return Message(computed.started, time.time(), payload)


def compute_and_send(model, parameters: np.ndarray, shard: PartitionedData, encoder, send_after: float,
                     stop_event: str) -> Message:
    """:func:`compute_partials` then :func:`send_message` in one task (a coded worker with one message)."""
    return send_message(compute_partials(model, parameters, shard), encoder, send_after, stop_event)
