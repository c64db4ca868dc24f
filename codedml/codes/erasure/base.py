"""The erasure-code family: ``n_sources`` source units coded into ``n_coded`` units over a field.

:class:`ErasureCode` fixes the shape every erasure code shares (Reed–Solomon shards, LT
symbols, BATS batches): the sizes, the field, the recovery threshold, ``encode``, ``decode``
and ``is_decodable``, and the one conversion of shards to field symbols used by the codes over
``GF(2^m)``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from codedml import _validation as check
from codedml.errors import NotDecodableError, ParameterError, ShapeError
from codedml.fields.galois_fields import BinaryExtensionField, PrimeField


class ErasureCode(ABC):
    """Abstract erasure code: ``n_sources`` source units, ``n_coded`` coded units.

    Attributes
    ----------
    n_sources : int
        ``k``: source units (data shards, source symbols, source packets).
    n_coded : int
        ``n`` (Reed–Solomon), ``Q`` (LT): coded units (shards, coded symbols, batches).
    field : BinaryExtensionField, PrimeField or None
        The field of the coefficients (``None``: LT, whose payloads are bytes under XOR or reals).
    """

    n_sources: int
    n_coded: int
    field: BinaryExtensionField | PrimeField | None

    @property
    def recovery_threshold(self) -> int:
        """``k``: no fewer received units (or, for BATS, packets) ever decode; an MDS code needs no more."""
        return self.n_sources

    @abstractmethod
    def encode(self, sources) -> np.ndarray:
        """The coded units of the ``n_sources`` source units."""

    @abstractmethod
    def decode(self, received, coded) -> np.ndarray:
        """The source units from the received coded units, or :class:`~codedml.errors.NotDecodableError`."""

    @abstractmethod
    def is_decodable(self, received) -> bool:
        """Whether :meth:`decode` recovers every source unit from ``received``."""

    def _received_ids(self, received, name: str = "received") -> np.ndarray:
        """Coded-unit ids from an index array (any order, no repeats) or a boolean mask over ``n_coded``."""
        return check.received_ids(received, self.n_coded, name)

    # ---- shards <-> GF(2^m) symbols -------------------------------------------------------------------
    def _received_shards(self, received, shards) -> tuple[np.ndarray, np.ndarray, bool]:
        """Received ids, their shards' symbols paired with them, and whether the shards were bytes.

        Refuses fewer than ``n_sources`` shards with :class:`NotDecodableError` (MDS codes need that many).
        """
        ids = self._received_ids(received)
        symbols, as_bytes = self._symbols(shards, "shards")
        rows = check.received_rows(symbols.shape[0], ids, self.n_coded, "shards")
        if rows is not None:
            symbols = symbols[rows]
        if ids.size < self.n_sources:
            raise NotDecodableError(
                f"Reed-Solomon ({self.n_coded}, {self.n_sources}) needs {self.n_sources} shards, received "
                f"{ids.size}", received=int(ids.size), needed=self.n_sources)
        return ids, symbols, as_bytes

    def _symbols(self, shards, what: str, n_rows: int | None = None) -> tuple[np.ndarray, bool]:
        """2-D C-contiguous field symbols from shards, and whether the shards were bytes.

        ``uint8`` shards over ``GF(2^16)`` hold whole two-byte symbols, read as native-order
        ``uint16``; arrays of the field's dtype are taken as they are; any other integer dtype
        must hold symbols in ``[0, 2^m)`` (e.g. Python lists). Ragged or non-2-D input is a
        :class:`ShapeError`, a non-integer dtype a :class:`ParameterError`.
        """
        field = self.field
        if not isinstance(shards, np.ndarray):
            try:
                shards = np.asarray(shards)
            except (ValueError, TypeError):
                raise ShapeError(f"{what} must be a 2-D array of equal-length shards") from None
        if shards.ndim != 2:
            raise ShapeError(f"{what} must be a 2-D array (one shard per row), got shape {shards.shape}")
        if n_rows is not None and shards.shape[0] != n_rows:
            raise ShapeError(f"{what} must have {n_rows} rows (one shard each), got {shards.shape[0]}")
        if shards.dtype == np.uint8 and field.dtype != np.uint8:
            if shards.shape[1] % field.dtype.itemsize:
                raise ShapeError(f"{what}: over {field.name} a shard holds whole {field.dtype.itemsize}-byte "
                                 f"symbols, got {shards.shape[1]} bytes")
            return np.ascontiguousarray(shards).view(field.dtype), True
        if shards.dtype == field.dtype:
            return np.ascontiguousarray(shards), shards.dtype == np.uint8
        if shards.dtype.kind not in "iu" or shards.dtype == np.bool_:
            raise ParameterError(f"{what} must be uint8 bytes or {field.name} symbols (integers in "
                                 f"[0, {field.order})), got dtype {shards.dtype}")
        return check.field_elements(shards, what, field.order, dtype=field.dtype), False

    @staticmethod
    def _as_input_dtype(symbols: np.ndarray, as_bytes: bool) -> np.ndarray:
        """Symbols back in the caller's form: bytes if the shards were bytes."""
        return symbols.view(np.uint8) if as_bytes else symbols
