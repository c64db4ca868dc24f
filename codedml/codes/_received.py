"""The received rows of a message array: one meaning of ``(received, messages)`` for every code family.

``messages`` holds one row per received message, row ``i`` for ``received[i]`` (any order; for a
boolean mask, increasing ids), or one row per id (``count`` rows, row ``j`` for id ``j``), from
which the received rows are taken (:func:`codedml._validation.received_rows`).
"""

from __future__ import annotations

import numpy as np

from codedml._validation import field_elements, real_array, received_rows
from codedml.errors import ShapeError


def received_messages(received_order: np.ndarray, messages, count: int, name: str = "messages"
                      ) -> tuple[np.ndarray, bool]:
    """The received messages as a 2-D float64 array whose row ``i`` belongs to ``received_order[i]``.

    A 1-D array is read as ``d = 1`` (the returned flag says so). Finiteness is not checked here:
    callers check what they compute from the rows
    (:func:`~codedml.codes.gradient.base.finite_result`).
    """
    messages = real_array(messages, name, ndim=(1, 2), finite=False)
    flat = messages.ndim == 1
    if flat:
        messages = messages[:, None]
    rows = received_rows(messages.shape[0], received_order, count, name)
    return (messages if rows is None else messages[rows]), flat


def received_field_elements(received_order: np.ndarray, messages, count: int, p: int, name: str = "messages",
                            ndim: int | tuple[int, ...] | None = None) -> np.ndarray:
    """Received ``GF(p)`` messages as int64 field elements, row ``i`` belonging to ``received_order[i]``.

    The field-element twin of :func:`received_messages`: entries must be integers in ``[0, p)``;
    floats, negatives, values ``>= p`` and complex numbers are refused.
    """
    elements = field_elements(messages, name, p, ndim=ndim)
    if elements.ndim == 0:
        raise ShapeError(f"{name} must have one row per received message, got a scalar")
    rows = received_rows(elements.shape[0], received_order, count, name)
    return elements if rows is None else elements[rows]
