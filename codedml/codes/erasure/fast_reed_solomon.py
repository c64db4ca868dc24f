"""Systematic Reed–Solomon erasure code in ``O(n log n)``: the additive FFT in the novel polynomial basis.

The code of :class:`~codedml.codes.erasure.reed_solomon.ReedSolomon` (any ``k`` of ``n`` shards recover
the data) with encoding and decoding by the additive FFT of Lin, Chung and Han
(:mod:`codedml.kernels.additive_fft`) instead of Cauchy matrices, so that ``k`` in the tens of
thousands costs milliseconds rather than seconds. Only the algorithm differs: the parity shards
are those of another MDS code, not the Cauchy code's.
"""

from __future__ import annotations

import functools

import numpy as np

from codedml import _validation as check
from codedml.codes.erasure.base import ErasureCode
from codedml.errors import ParameterError
from codedml.fields.galois_fields import (
    BinaryExtensionField,
    check_field_size,
    get_field,
)
from codedml.kernels.additive_fft import chunked_encode, erasure_decode, log_walsh_table


# ---- tables -------------------------------------------------------------------------------------
def _multiply(field: BinaryExtensionField, left, right) -> np.ndarray:
    """Element-wise product by the field's tables (numpy, for table construction only)."""
    return field.exp[field.log[np.asarray(left)].astype(np.int64) + field.log[np.asarray(right)]]


@functools.cache
def cantor_basis(degree: int) -> np.ndarray:
    """A Cantor basis of ``GF(2^m)``: ``v_0 = 1``, ``v_t^2 + v_t = v_{t-1}`` (in galois's representation).

    Of the two roots ``x``, ``x + 1`` of each quadratic the smaller integer is taken. The span of
    ``v_0..v_{2^s - 1}`` is the subfield ``GF(2^{2^s})``, so the ``m`` elements are independent.
    """
    field = get_field(f"gf2^{degree}")
    elements = np.arange(field.order, dtype=np.int64)
    artin_schreier = _multiply(field, elements, elements).astype(np.int64) ^ elements  # x^2 + x
    basis = [1]
    for _ in range(1, degree):
        roots = np.flatnonzero(artin_schreier == basis[-1])
        if roots.size == 0:  # cannot happen for m a power of two
            raise ParameterError(f"no Cantor basis of GF(2^{degree})")
        basis.append(int(roots[0]))
    return np.asarray(basis, dtype=np.int64)


def _subset_sums(values: np.ndarray) -> np.ndarray:
    """``sums[i] = XOR_{t : i_t = 1} values[t]`` for ``i < 2^len(values)``."""
    sums = np.zeros(1, dtype=np.int64)
    for value in values:
        sums = np.concatenate([sums, sums ^ int(value)])
    return sums


@functools.cache
def transform_tables(degree: int) -> tuple[np.ndarray, np.ndarray]:
    """``(skew, log_omega)`` of ``GF(2^m)`` for every transform size up to ``2^m`` (read-only).

    ``skew[u] = What_j(omega_{u - 2^j})`` (``2^j`` the lowest set bit of ``u``, ``skew[0]`` unused),
    ``log_omega[i] = log omega_i`` (``log_omega[0]`` is the field's zero sentinel).
    """
    field = get_field(f"gf2^{degree}")
    basis = cantor_basis(degree)
    # subspace[j, t] = W_j(v_t), by W_j(x) = W_{j-1}(x) (W_{j-1}(x) + W_{j-1}(v_{j-1})), W_0(x) = x
    subspace = np.zeros((degree, degree), dtype=np.int64)
    subspace[0] = basis
    for j in range(1, degree):
        previous = subspace[j - 1]
        subspace[j] = _multiply(field, previous, previous ^ previous[j - 1])
    if not np.all(np.diag(subspace) == 1):  # the Cantor property the formal derivative relies on
        raise ParameterError(f"the basis of GF(2^{degree}) is not a Cantor basis")
    skew = np.zeros(field.order, dtype=np.int64)
    for j in range(degree - 1):
        # blocks start at multiples b of 2^{j+1}; What_j(omega_b) sums What_j(v_t) over the bits t > j of b
        block_values = _subset_sums(subspace[j, j + 1:])
        skew[(np.arange(block_values.size) << (j + 1)) + (1 << j)] = block_values
    skew[1 << (degree - 1)] = 0  # the single top-level block starts at omega_0 = 0
    skew = skew.astype(field.dtype)
    log_omega = field.log[_subset_sums(basis)].astype(np.int64)
    skew.flags.writeable = False
    log_omega.flags.writeable = False
    return skew, log_omega


@functools.cache
def log_walsh(degree: int, size: int) -> np.ndarray:
    """The Walsh–Hadamard transform of ``log omega_j`` (``j < size``) modulo ``2^m - 1`` (read-only)."""
    table = log_walsh_table(transform_tables(degree)[1][:size], degree)
    table.flags.writeable = False
    return table


def _power_of_two_at_least(value: int) -> int:
    return 1 << max(0, int(value) - 1).bit_length()


# ---- the code -------------------------------------------------------------------------------------
class FastReedSolomon(ErasureCode):
    """Systematic MDS erasure code with ``O(n log n)`` encoding and decoding (additive FFT).

    Shard ``j < k`` is data shard ``j``; shard ``k + i`` is parity shard ``i``; any ``k`` shards
    recover the data, as with :class:`~codedml.codes.erasure.reed_solomon.ReedSolomon`.

    Construction (Lin–Chung–Han; the layout of Leopard-RS). Let ``r = n - k`` parity shards,
    ``m`` the smallest power of two ``>= r`` (or ``m = r`` when ``m + k`` would exceed the field
    order) and ``N`` the smallest power of two ``>= m + k``. Points are ``omega_i``, the elements
    whose coordinates in a Cantor basis are the bits of ``i``. A codeword is the values at
    ``omega_0..omega_{N-1}`` of a polynomial of degree ``< N - m`` that vanishes at
    ``omega_{m+k}..omega_{N-1}``: parity ``i`` sits at ``omega_i``, data ``j`` at ``omega_{m+j}``, and
    ``omega_r..omega_{m-1}`` are parity points no shard carries. Encoding interpolates each
    ``m``-point data chunk (IFFT), sums the coefficients and evaluates them on ``omega_0..omega_{m-1}``
    (FFT): ``O((k + m) log m)`` multiply-adds. Decoding treats every missing point as an erasure
    (at most ``m`` of them) and recovers the lost data from the error locator and the formal
    derivative: ``O(N log N)``.

    Parameters
    ----------
    n_coded : int
        ``n``: total number of shards, ``n <= 256`` over ``GF(2^8)``, ``n <= 65536`` over ``GF(2^16)``.
    n_sources : int
        ``k``: number of data shards, ``1 <= k <= n``.
    field : str or BinaryExtensionField
        ``"gf2^16"`` (default) or ``"gf2^8"``. Over ``GF(2^16)`` a symbol is two bytes: byte shards
        hold an even number of bytes, read as native-order ``uint16``, or are passed as ``uint16``.

    Notes
    -----
    Shards follow the rules of :class:`~codedml.codes.erasure.reed_solomon.ReedSolomon`: ``uint8``
    bytes, or symbols of the field's dtype or of any integer dtype holding values in ``[0, 2^m)``.

    Examples
    --------
    >>> import numpy as np
    >>> from codedml.codes.erasure.fast_reed_solomon import FastReedSolomon
    >>> code = FastReedSolomon(6, 4)
    >>> data = np.arange(32, dtype=np.uint8).reshape(4, 8)
    >>> shards = code.encode(data)
    >>> received = [5, 3, 1, 4]                       # data shards 0 and 2 lost, any order
    >>> bool(np.array_equal(code.decode(received, shards[received]), data))
    True
    """

    def __init__(self, n_coded: int, n_sources: int, field: str | BinaryExtensionField = "gf2^16"):
        n = check.integer(n_coded, "n_coded", minimum=1)
        k = check.integer(n_sources, "n_sources", minimum=1, maximum=n)
        resolved = get_field(field)
        if not isinstance(resolved, BinaryExtensionField):
            raise ParameterError(f"FastReedSolomon works over 'gf2^8' or 'gf2^16', got {resolved.name}")
        check_field_size(resolved, n, f"shard evaluation points (n_coded={n}, one per shard)")
        self.n_coded, self.n_sources, self.field = n, k, resolved
        parity = n - k
        chunk = _power_of_two_at_least(parity) if parity else 0
        #: ``m``: parity points; data shard ``j`` is evaluated at ``omega_{m + j}``.
        self.parity_points = chunk if chunk + k <= resolved.order else parity
        #: ``N``: the transform size of decoding.
        self.transform_size = _power_of_two_at_least(self.parity_points + k)
        self._skew, _ = transform_tables(resolved.degree)
        self._log_walsh = log_walsh(resolved.degree, self.transform_size) if parity else None

    @property
    def n_parity(self) -> int:
        """``n - k``: the number of parity shards (erasures tolerated)."""
        return self.n_coded - self.n_sources

    def __repr__(self) -> str:
        return f"FastReedSolomon(n_coded={self.n_coded}, n_sources={self.n_sources}, field={self.field.name!r})"

    # ---- packed rows ---------------------------------------------------------------------------------
    def _rows(self, n_rows: int, n_symbols: int) -> np.ndarray:
        """Zeroed uint64 rows wide enough for ``n_symbols`` symbols (a shard padded to whole words)."""
        n_words = -(-n_symbols * self.field.dtype.itemsize // 8)
        check.array_size(n_rows * n_words, f"the {n_rows} x {n_words}-word transform buffer "
                         f"(n_coded={self.n_coded}, n_sources={self.n_sources})")
        return np.zeros((n_rows, n_words), dtype=np.uint64)

    # ---- encoding --------------------------------------------------------------------------------
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
        width = symbols.shape[1]
        shards = np.empty((self.n_coded, width), dtype=self.field.dtype)
        shards[:k] = symbols
        if self.n_parity and width:
            shards[k:] = self._parity(symbols)
        return self._as_input_dtype(shards, as_bytes)

    def _parity(self, symbols: np.ndarray) -> np.ndarray:
        m, k, width = self.parity_points, self.n_sources, symbols.shape[1]
        degree, reduction = self.field.degree, self.field.reduction
        if m & (m - 1) == 0:  # a power of two: chunked interpolation
            rows = self._rows(m * -(-(m + k) // m), width)
            rows.view(self.field.dtype)[m:m + k, :width] = symbols
            chunked_encode(rows, m, m + k, self.n_parity, self._skew, degree, reduction)
        else:  # n close to the field order: recover the parity points as erasures
            rows = self._rows(self.transform_size, width)
            rows.view(self.field.dtype)[m:m + k, :width] = symbols
            erased = np.zeros(self.transform_size, dtype=np.bool_)
            erased[:m] = True
            erasure_decode(rows, erased, m + k, 0, self.n_parity, self._log_walsh, self._skew, self.field.exp,
                           degree, reduction)
        return rows.view(self.field.dtype)[: self.n_parity, :width]

    # ---- decoding --------------------------------------------------------------------------------
    def is_decodable(self, received) -> bool:
        """Any ``k`` distinct shards decode."""
        return self._received_ids(received).size >= self.n_sources

    def decode(self, received, shards) -> np.ndarray:
        """Recover the ``k`` data shards from any ``k`` (or more) received shards.

        Parameters
        ----------
        received : array_like of int, shape (m,), or boolean mask of length n
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
        width = symbols.shape[1]
        is_data = ids < k
        data = np.empty((k, width), dtype=self.field.dtype)
        data[ids[is_data]] = symbols[is_data]
        if np.count_nonzero(is_data) < k and width:
            m, size = self.parity_points, self.transform_size
            positions = np.where(is_data, ids + m, ids - k)
            rows = self._rows(size, width)
            rows.view(self.field.dtype)[positions, :width] = symbols
            erased = np.ones(size, dtype=np.bool_)
            erased[positions] = False
            erased[m + k:] = False  # the shortened points: known zeros
            erasure_decode(rows, erased, m + k, m, m + k, self._log_walsh, self._skew, self.field.exp,
                           self.field.degree, self.field.reduction)
            lost = np.flatnonzero(erased[m:m + k])
            data[lost] = rows.view(self.field.dtype)[m + lost, :width]
        return self._as_input_dtype(data, as_bytes)
