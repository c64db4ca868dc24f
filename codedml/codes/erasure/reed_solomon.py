"""Systematic Reed–Solomon (MDS) erasure code over ``GF(2^8)`` or ``GF(2^16)`` for byte shards."""

from __future__ import annotations

import numpy as np

from codedml._validation import integer
from codedml.codes.erasure.base import ErasureCode
from codedml.errors import ParameterError
from codedml.fields.galois_fields import (
    BinaryExtensionField,
    check_field_size,
    get_field,
)
from codedml.kernels.gf2m import (
    gf2m_cauchy,
    gf2m_cauchy_inverse,
    gf2m_matmul,
    gf2m_matrix_times_buffers_add,
)


class ReedSolomon(ErasureCode):
    """Systematic MDS erasure code: ``k`` data shards, ``n - k`` parity shards, any ``k`` recover.

    The generator is ``G = [I_k; C]`` with the Cauchy matrix ``C[i, j] = 1 / (x_i + y_j)``,
    ``x_i = k + i`` (parity shard ``k + i``) and ``y_j = j`` (data shard ``j``), all ``n`` points
    distinct field elements. Every square submatrix of ``C`` is nonsingular, so ``G`` is MDS.
    Decoding with ``e`` lost data shards uses ``e`` parity shards: the lost data is
    ``C[P, L]^{-1} (p_P + C[P, present] d_present)``, with the ``O(e^2)`` closed-form inverse of
    the ``e x e`` Cauchy submatrix (no Gaussian elimination); the shard work, ``e k`` region
    multiply-adds, is done by :func:`~codedml.kernels.gf2m.gf2m_matrix_times_buffers_add`.

    Parameters
    ----------
    n_coded : int
        ``n``: total number of shards (``n <= 256`` over ``GF(2^8)``, ``n <= 65536`` over ``GF(2^16)``).
    n_sources : int
        ``k``: number of data shards, ``1 <= k <= n``.
    field : str or BinaryExtensionField
        ``"gf2^8"`` (default) or ``"gf2^16"``. Over ``GF(2^16)`` a symbol is two bytes: shards
        hold an even number of bytes, read as native-order ``uint16`` (``shards.view(np.uint16)``),
        or are passed directly as ``uint16`` arrays.

    Notes
    -----
    Shards are ``uint8`` bytes, or symbols: arrays of the field's dtype, or of any other integer
    dtype holding values in ``[0, 2^m)`` (e.g. Python lists), returned in the field's dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from codedml.codes.erasure.reed_solomon import ReedSolomon
    >>> code = ReedSolomon(6, 4)
    >>> data = np.arange(32, dtype=np.uint8).reshape(4, 8)
    >>> shards = code.encode(data)
    >>> received = [1, 3, 4, 5]                       # data shards 0 and 2 lost
    >>> bool(np.array_equal(code.decode(received, shards[received]), data))
    True
    """

    def __init__(self, n_coded: int, n_sources: int, field: str | BinaryExtensionField = "gf2^8"):
        n = integer(n_coded, "n_coded", minimum=1)
        k = integer(n_sources, "n_sources", minimum=1, maximum=n)
        resolved = get_field(field)
        if not isinstance(resolved, BinaryExtensionField):
            raise ParameterError(f"ReedSolomon works over 'gf2^8' or 'gf2^16', got {resolved.name}")
        check_field_size(resolved, n, f"shard evaluation points (n_coded={n}, one per shard)")
        self.n_coded, self.n_sources, self.field = n, k, resolved
        points = np.arange(n).astype(resolved.dtype)
        self._data_points = points[:k]
        self._parity_points = points[k:]
        #: ``C`` ((n - k) x k): parity shard ``k + i`` is ``sum_j C[i, j] data_j``.
        self.parity_matrix = gf2m_cauchy(self._parity_points, self._data_points, resolved.exp, resolved.log)

    @property
    def n_parity(self) -> int:
        """``n - k``: the number of parity shards (erasures tolerated)."""
        return self.n_coded - self.n_sources

    @property
    def generator_matrix(self) -> np.ndarray:
        """``G = [I_k; C]`` (``n x k``): shard ``i`` is ``sum_j G[i, j] data_j``."""
        identity = np.eye(self.n_sources, dtype=self.field.dtype)
        return np.vstack([identity, self.parity_matrix])

    def __repr__(self) -> str:
        return f"ReedSolomon(n_coded={self.n_coded}, n_sources={self.n_sources}, field={self.field.name!r})"

    # ---- encoding ----------------------------------------------------------------------------
    def encode(self, data) -> np.ndarray:
        """All ``n`` shards: the ``k`` data shards followed by the ``n - k`` parity shards.

        Parameters
        ----------
        data : ndarray of uint8, shape (k, shard_bytes)
            (or symbols, shape (k, shard_symbols), see the class notes).

        Returns
        -------
        ndarray of the input dtype, shape (n, shard_bytes)
        """
        k = self.n_sources
        symbols, as_bytes = self._symbols(data, "data", n_rows=k)
        shards = np.zeros((self.n_coded, symbols.shape[1]), dtype=self.field.dtype)
        shards[:k] = symbols
        gf2m_matrix_times_buffers_add(self.parity_matrix, symbols, shards[k:], self.field.degree,
                                      self.field.reduction)
        return self._as_input_dtype(shards, as_bytes)

    # ---- decoding ----------------------------------------------------------------------------
    def is_decodable(self, received) -> bool:
        """Any ``k`` distinct shards decode."""
        return self._received_ids(received).size >= self.n_sources

    def decode(self, received, shards) -> np.ndarray:
        """Recover the ``k`` data shards from any ``k`` (or more) received shards.

        Parameters
        ----------
        received : array_like of int, shape (m,), or boolean mask of shape (n,)
            Which shards were received (any order, no repeats), ``m >= k``.
        shards : ndarray of uint8, shape (m, shard_bytes) or (n, shard_bytes)
            The received shards, row ``t`` being shard ``received[t]`` (for a mask, the ``t``-th
            received shard in increasing order), or every shard, row ``j`` for shard ``j`` (or
            symbols, see the class notes).

        Returns
        -------
        ndarray of the input dtype, shape (k, shard_bytes)

        Raises
        ------
        NotDecodableError
            Fewer than ``k`` shards were received.
        """
        k = self.n_sources
        ids, symbols, as_bytes = self._received_shards(received, shards)
        order = np.argsort(ids, kind="stable")[:k]  # prefer data shards (lowest ids)
        used = ids[order]
        used_symbols = symbols[:k] if np.array_equal(order, np.arange(k)) else symbols[order]
        n_present = int(np.count_nonzero(used < k))
        data = np.empty((k, symbols.shape[1]), dtype=self.field.dtype)
        data[used[:n_present]] = used_symbols[:n_present]
        if n_present < k:
            present, parity_rows = used[:n_present], used[n_present:] - k
            lost = np.setdiff1d(np.arange(k), present)
            in_place = lost[-1] - lost[0] == lost.size - 1  # a range of lost shards: recover into data directly
            if in_place:
                recovered = data[lost[0]:lost[-1] + 1]
                recovered[:] = 0
            else:
                recovered = np.zeros((lost.size, symbols.shape[1]), dtype=self.field.dtype)
            inverse = gf2m_cauchy_inverse(self._parity_points[parity_rows], self._data_points[lost],
                                          self.field.exp, self.field.log)
            if lost.size <= symbols.shape[1]:
                # long shards: fold the two products into one e x k matrix (O(e^2 (k - e)) table work)
                # applied to the received shards in place, saving two copies of the shards
                parity_present = np.ascontiguousarray(self.parity_matrix[np.ix_(parity_rows, present)])
                from_present = gf2m_matmul(inverse, parity_present, self.field.exp, self.field.log)
                decoding = np.ascontiguousarray(np.hstack([from_present, inverse]))
                self._multiply_add(decoding, used_symbols, recovered)
            else:
                # many short shards: syndromes p_P + C[P, present] d_present, then the inverse
                syndromes = np.array(used_symbols[n_present:], order="C")
                self._multiply_add(np.ascontiguousarray(self.parity_matrix[np.ix_(parity_rows, present)]),
                                   np.ascontiguousarray(used_symbols[:n_present]), syndromes)
                self._multiply_add(inverse, syndromes, recovered)
            if not in_place:
                data[lost] = recovered
        return self._as_input_dtype(data, as_bytes)

    def _multiply_add(self, matrix: np.ndarray, buffers: np.ndarray, targets: np.ndarray) -> None:
        gf2m_matrix_times_buffers_add(matrix, buffers, targets, self.field.degree, self.field.reduction)
