"""Arithmetic in ``GF(2^m)`` (``m = 8`` or ``16``): tables, region operations, linear algebra.

Elements are ``uint8`` (``m = 8``) or ``uint16`` (``m = 16``) integers whose bits are polynomial
coefficients (see :mod:`codedml.fields.galois_fields`); addition is XOR. Two families of kernels:

Table kernels (``exp``, ``log`` from :class:`~codedml.fields.galois_fields.BinaryExtensionField`)
    Scalar and element-wise products ``exp[log[a] + log[b]]``, inverses, Gaussian elimination
    (:func:`gf2m_solve`, :func:`gf2m_inverse_matrix`), Vandermonde and Cauchy matrices and the
    ``O(n^2)`` closed-form inverse of a Cauchy matrix.

Bit-sliced region kernels (``degree`` ``m`` and ``reduction``, the irreducible polynomial without
its ``x^m`` term)
    Multiplying by a constant ``c`` is linear over ``GF(2)``:
    ``c x = XOR_{b : c_b = 1} alpha^b x``, and ``alpha x`` (``xtime``) is a shift plus a
    conditional XOR of ``reduction``. Eight ``GF(2^8)`` symbols (four ``GF(2^16)`` symbols) are
    packed in a ``uint64`` word and doubled together with shifts and masks (SWAR); the loop
    over the ``m`` bits has a literal count, so LLVM unrolls it and vectorises the loop over
    words (no table gather per byte). :func:`gf2m_region_multiply_add` is the single-buffer
    operation ``target += c * source``; :func:`gf2m_matrix_times_buffers_add` (the inner loop
    of every encoder) applies it block by block to every (target, buffer) pair.

Split-nibble shuffles (``GF(2^8)`` on x86 hosts with AVX2 or AVX-512BW)
    Both region operations hand ``GF(2^8)`` work to
    :func:`~codedml.kernels.gf2m_nibble.gf2m_nibble_matrix_times_buffers_add` (two 16-entry
    tables per constant, one byte shuffle each per vector), several times faster; the
    bit-sliced kernels remain for ``GF(2^16)``, for other hosts and for regions shorter than
    ``SHUFFLE_MIN_BYTES``.

All kernels take the tables or constants as arguments (never as numba globals).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from codedml.kernels.elimination import first_nonzero_row, swap_rows
from codedml.kernels.gf2m_nibble import SHUFFLES, gf2m_nibble_matrix_times_buffers_add

#: uint64 words per cache block of the region kernels (4 KiB).
BLOCK_WORDS = 512
#: Bytes from which a ``GF(2^8)`` region multiply-add builds split-nibble tables and shuffles.
SHUFFLE_MIN_BYTES = 1024


@njit(cache=True, nogil=True)
def gf2m_multiply(a, b, exp, log):
    """``a * b`` in ``GF(2^m)`` by ``exp[log[a] + log[b]]`` (zero handled by the table sentinel)."""
    return exp[log[a] + log[b]]


@njit(cache=True, nogil=True)
def gf2m_inverse(a, exp, log):
    """``a^{-1}`` in ``GF(2^m)`` for ``a != 0``: ``alpha^{(q - 1) - log a}``.

    Raises ``ZeroDivisionError`` for ``a = 0``.
    """
    if a == 0:
        raise ZeroDivisionError("0 has no inverse in GF(2^m)")
    order_minus_one = log.shape[0] - 1
    return exp[order_minus_one - log[a]]


@njit(cache=True, nogil=True)
def gf2m_elementwise_multiply(left, right, exp, log):
    """Element-wise product of two equal-length 1-D arrays of ``GF(2^m)`` symbols."""
    out = np.empty_like(left)
    for i in range(left.shape[0]):
        out[i] = exp[log[left[i]] + log[right[i]]]
    return out


@njit(cache=True, nogil=True)
def gf2m_matmul(left, right, exp, log):
    """Matrix product ``left @ right`` over ``GF(2^m)`` (tables; for small matrices)."""
    n_rows, inner = left.shape
    n_cols = right.shape[1]
    out = np.zeros((n_rows, n_cols), dtype=left.dtype)
    for i in range(n_rows):
        for t in range(inner):
            log_factor = log[left[i, t]]
            if left[i, t] != 0:
                for j in range(n_cols):
                    out[i, j] ^= exp[log_factor + log[right[t, j]]]
    return out


# ---- bit-sliced region operations -------------------------------------------------------------
@njit(cache=True, nogil=True)
def _swar_constants(degree, reduction):
    """Per-lane masks of a uint64 holding ``64 / m`` symbols: lane high bits, reduction in every lane."""
    low_bits = np.uint64(0)
    for lane in range(64 // degree):
        low_bits |= np.uint64(1) << np.uint64(lane * degree)
    high_bits = low_bits << np.uint64(degree - 1)
    reductions = low_bits * np.uint64(reduction)
    return high_bits, reductions


@njit(cache=True, nogil=True, inline="always")
def _xtime(word, high_bits, reductions, shift_top, degree):
    """``alpha * x`` for every symbol ``x`` packed in ``word``: shift left, reduce the lanes that overflowed."""
    top = (word & high_bits) >> shift_top
    lane_masks = (top << degree) - top  # all ones in every lane whose top bit was set
    return ((word & ~high_bits) << np.uint64(1)) ^ (lane_masks & reductions)


@njit(cache=True, nogil=True)
def _multiply_symbol(a, b, degree, reduction):
    """``a * b`` by shift-and-add (no tables); for the few symbols that do not fill a word."""
    result = np.int64(0)
    shifted = np.int64(a)
    bits = np.int64(b)
    top = np.int64(1) << (degree - 1)
    full = (np.int64(1) << degree) - 1
    for _ in range(degree):
        if bits & 1:
            result ^= shifted
        bits >>= 1
        carry = shifted & top
        shifted = (shifted << 1) & full
        if carry:
            shifted ^= reduction
    return result


@njit(cache=True, nogil=True, inline="always")
def _multiply_word(word, bit_masks, high_bits, reductions, shift_top, shift_degree, degree):
    """``c * x`` for the symbols ``x`` packed in ``word``: ``XOR_b (alpha^b x) & bit_masks[b]``.

    ``bit_masks[b]`` is all ones where bit ``b`` of ``c`` is set. The loop count is a literal per
    field so that LLVM unrolls it and vectorises the caller's loop over words.
    """
    product = np.uint64(0)
    if degree == 8:
        for bit in range(8):
            product ^= word & bit_masks[bit]
            word = _xtime(word, high_bits, reductions, shift_top, shift_degree)
    else:
        for bit in range(16):
            product ^= word & bit_masks[bit]
            word = _xtime(word, high_bits, reductions, shift_top, shift_degree)
    return product


@njit(cache=True, nogil=True)
def _coefficient_bit_masks(coefficient, degree):
    """``bit_masks[b]`` = all ones if bit ``b`` of ``coefficient`` is set, else zero."""
    bit_masks = np.zeros(16, dtype=np.uint64)
    for bit in range(degree):
        if (np.int64(coefficient) >> bit) & 1:
            bit_masks[bit] = ~np.uint64(0)
    return bit_masks


@njit(cache=True, nogil=True)
def _region_words_add(coefficient, source_words, target_words, degree, reduction):
    """``target_words += coefficient * source_words`` on packed words (whole arrays: with an offset
    range LLVM's alias checks defeat vectorisation, so callers pass slices)."""
    high_bits, reductions = _swar_constants(degree, reduction)
    shift_top = np.uint64(degree - 1)
    shift_degree = np.uint64(degree)
    bit_masks = _coefficient_bit_masks(coefficient, degree)
    for w in range(source_words.shape[0]):
        target_words[w] ^= _multiply_word(source_words[w], bit_masks, high_bits, reductions, shift_top,
                                          shift_degree, degree)


@njit(cache=True, nogil=True)
def gf2m_region_multiply_add(coefficient, source, target, degree, reduction):
    """``target += coefficient * source`` over ``GF(2^m)``, in place (the region operation).

    ``64 / m`` symbols are packed in a uint64 word and multiplied together by ``m`` masked XORs
    and ``m`` word-wide doublings (see the module notes); symbols that do not fill a last word
    are multiplied one by one.

    Parameters
    ----------
    coefficient : int
        ``c``, an element of ``GF(2^m)``.
    source, target : ndarray of uint8 (``m = 8``) or uint16 (``m = 16``), shape (length,)
        Contiguous symbol buffers; ``target`` is updated.
    degree : int
        ``m`` (8 or 16).
    reduction : int
        The irreducible polynomial without its ``x^m`` term (``field.reduction``).
    """
    length = source.shape[0]
    if degree == 8 and SHUFFLES and length >= SHUFFLE_MIN_BYTES:
        coefficients = np.full((1, 1), coefficient, dtype=np.uint8)
        gf2m_nibble_matrix_times_buffers_add(coefficients, source.reshape(1, length), target.reshape(1, length),
                                             reduction)
        return
    per_word = 64 // degree
    full = (length // per_word) * per_word
    _region_words_add(np.int64(coefficient), source[:full].view(np.uint64), target[:full].view(np.uint64),
                      degree, reduction)
    for i in range(full, length):
        target[i] ^= _multiply_symbol(source[i], coefficient, degree, reduction)


@njit(cache=True, nogil=True)
def _matrix_times_words_add(matrix, source_words, target_words, degree, reduction):
    """``target_words += matrix @ source_words`` on buffers packed as uint64 words (see below)."""
    n_targets, n_sources = matrix.shape
    n_words = source_words.shape[1]
    for start in range(0, n_words, BLOCK_WORDS):
        stop = min(start + BLOCK_WORDS, n_words)
        for r in range(n_targets):
            for j in range(n_sources):
                if matrix[r, j] != 0:
                    _region_words_add(np.int64(matrix[r, j]), source_words[j, start:stop],
                                      target_words[r, start:stop], degree, reduction)


@njit(cache=True, nogil=True)
def gf2m_matrix_times_buffers_add(matrix, buffers, targets, degree, reduction):
    """``targets += matrix @ buffers`` over ``GF(2^m)``, in place: the encoder's inner loop.

    Row ``r`` of ``targets`` receives ``sum_j matrix[r, j] * buffers[j]``, computed block by
    block (``BLOCK_WORDS`` words, so a target block stays in cache while every buffer is added
    into it) with the packed-word product of :func:`gf2m_region_multiply_add`. Symbols that do
    not fill a last word are multiplied one by one.

    Parameters
    ----------
    matrix : ndarray of uint8 or uint16, shape (n_targets, n_buffers)
        E.g. the parity rows of a generator matrix.
    buffers : ndarray of uint8 (``m = 8``) or uint16 (``m = 16``), shape (n_buffers, length)
        Source symbols, one buffer (shard) per row; C-contiguous.
    targets : ndarray of the same dtype, shape (n_targets, length)
        Accumulators (pass zeros for a plain product); C-contiguous.
    degree, reduction : int
        ``m`` and the irreducible polynomial without ``x^m`` (``field.reduction``).
    """
    length = buffers.shape[1]
    if degree == 8 and SHUFFLES:
        gf2m_nibble_matrix_times_buffers_add(matrix, buffers, targets, reduction)
        return
    per_word = 64 // degree
    n_words = length // per_word
    if length == n_words * per_word:
        _matrix_times_words_add(matrix, buffers.view(np.uint64), targets.view(np.uint64), degree, reduction)
        return
    full = n_words * per_word
    packed_targets = np.ascontiguousarray(targets[:, :full])
    _matrix_times_words_add(matrix, np.ascontiguousarray(buffers[:, :full]).view(np.uint64),
                            packed_targets.view(np.uint64), degree, reduction)
    targets[:, :full] = packed_targets
    for r in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            coefficient = matrix[r, j]
            if coefficient != 0:
                for i in range(full, length):
                    targets[r, i] ^= _multiply_symbol(buffers[j, i], coefficient, degree, reduction)


# ---- linear algebra -----------------------------------------------------------------------------
@njit(cache=True, nogil=True)
def _eliminate(work, rhs, exp, log):
    """Gauss-Jordan elimination of ``work`` (n x n) applied to ``rhs`` (n x r), in place.

    Returns ``False`` if ``work`` is singular. Row operations are table look-ups with the
    logarithms of the pivot row computed once per step.
    """
    n = work.shape[0]
    n_rhs = rhs.shape[1]
    order_minus_one = log.shape[0] - 1
    pivot_logs = np.empty(n, dtype=np.int64)
    rhs_logs = np.empty(n_rhs, dtype=np.int64)
    for k in range(n):
        pivot = first_nonzero_row(work, k, k)
        if pivot < 0:
            return False
        if pivot != k:
            swap_rows(work, k, pivot, k)
            swap_rows(rhs, k, pivot, 0)
        # scale the pivot row to a unit pivot
        log_scale = order_minus_one - log[work[k, k]]
        for c in range(k, n):
            work[k, c] = exp[log_scale + log[work[k, c]]]
        for c in range(n_rhs):
            rhs[k, c] = exp[log_scale + log[rhs[k, c]]]
        for c in range(k, n):
            pivot_logs[c] = log[work[k, c]]
        for c in range(n_rhs):
            rhs_logs[c] = log[rhs[k, c]]
        for r in range(k + 1, n):
            factor = work[r, k]
            if factor != 0:
                log_factor = log[factor]
                for c in range(k, n):
                    work[r, c] ^= exp[log_factor + pivot_logs[c]]
                for c in range(n_rhs):
                    rhs[r, c] ^= exp[log_factor + rhs_logs[c]]
    # back substitution: the unit upper-triangular part, column by column
    for k in range(n - 1, 0, -1):
        for c in range(n_rhs):
            rhs_logs[c] = log[rhs[k, c]]
        for r in range(k):
            factor = work[r, k]
            if factor != 0:
                log_factor = log[factor]
                for c in range(n_rhs):
                    rhs[r, c] ^= exp[log_factor + rhs_logs[c]]
    return True


@njit(cache=True, nogil=True)
def gf2m_solve(matrix, rhs, exp, log):
    """Solve ``matrix @ x = rhs`` over ``GF(2^m)`` by Gaussian elimination.

    Parameters
    ----------
    matrix : ndarray of uint8 or uint16, shape (n, n)
    rhs : ndarray of the same dtype, shape (n, r)
        One or more right-hand sides (a vector must be passed as ``rhs[:, None]``).
    exp, log : ndarray
        The field's tables.

    Returns
    -------
    solution : ndarray, shape (n, r)
        Meaningless when ``nonsingular`` is false.
    nonsingular : bool
    """
    work = matrix.copy()
    solution = rhs.copy()
    nonsingular = _eliminate(work, solution, exp, log)
    return solution, nonsingular


@njit(cache=True, nogil=True)
def gf2m_inverse_matrix(matrix, exp, log):
    """Inverse of a square matrix over ``GF(2^m)``; returns ``(inverse, nonsingular)``."""
    n = matrix.shape[0]
    inverse = np.zeros((n, n), dtype=matrix.dtype)
    for i in range(n):
        inverse[i, i] = 1
    work = matrix.copy()
    nonsingular = _eliminate(work, inverse, exp, log)
    return inverse, nonsingular


@njit(cache=True, nogil=True)
def gf2m_vandermonde(points, n_columns, exp, log):
    """Vandermonde matrix ``V[i, j] = points[i]^j`` (``n_points x n_columns``) over ``GF(2^m)``."""
    n_points = points.shape[0]
    out = np.zeros((n_points, n_columns), dtype=exp.dtype)
    for i in range(n_points):
        value = exp[0]  # alpha^0 = 1
        log_point = log[points[i]]
        for j in range(n_columns):
            out[i, j] = value
            value = exp[log_point + log[value]]
    return out


@njit(cache=True, nogil=True)
def gf2m_cauchy(row_points, column_points, exp, log):
    """Cauchy matrix ``C[i, j] = 1 / (x_i + y_j)`` over ``GF(2^m)``.

    Every square submatrix of a Cauchy matrix is nonsingular, so ``[I; C]`` generates a
    systematic MDS code. Needs ``x_i != y_j`` for all ``i, j`` (``ZeroDivisionError`` otherwise).

    Parameters
    ----------
    row_points : ndarray, shape (n_rows,)
        ``x_i``.
    column_points : ndarray, shape (n_columns,)
        ``y_j``.
    """
    order_minus_one = log.shape[0] - 1
    out = np.empty((row_points.shape[0], column_points.shape[0]), dtype=exp.dtype)
    for i in range(row_points.shape[0]):
        for j in range(column_points.shape[0]):
            total = row_points[i] ^ column_points[j]
            if total == 0:
                raise ZeroDivisionError("Cauchy matrix needs x_i != y_j")
            out[i, j] = exp[order_minus_one - log[total]]
    return out


@njit(cache=True, nogil=True)
def gf2m_cauchy_inverse(row_points, column_points, exp, log):
    """Inverse of the square Cauchy matrix ``C[i, j] = 1 / (x_i + y_j)`` in ``O(n^2)``.

    Over any field, with ``a_j = prod_k (x_j - y_k)``, ``b_i = prod_k (x_k - y_i)``,
    ``d_j = prod_{k != j} (x_j - x_k)`` and ``e_i = prod_{k != i} (y_k - y_i)``,
    ``(C^{-1})[i, j] = a_j b_i / ((x_j - y_i) d_j e_i)``; in characteristic 2 every minus is XOR.
    Products are sums of logarithms modulo ``q - 1``.

    Parameters
    ----------
    row_points : ndarray, shape (n,)
        ``x_i``, distinct.
    column_points : ndarray, shape (n,)
        ``y_j``, distinct and disjoint from the ``x_i`` (not checked: the result is then wrong).

    Returns
    -------
    ndarray, shape (n, n)
    """
    n = row_points.shape[0]
    order_minus_one = log.shape[0] - 1
    log_row = np.zeros(n, dtype=np.int64)  # log(a_j / d_j), indexed by the row point j
    log_column = np.zeros(n, dtype=np.int64)  # log(b_i / e_i), indexed by the column point i
    for j in range(n):
        total = 0
        for k in range(n):
            total += log[row_points[j] ^ column_points[k]]
            if k != j:
                total -= log[row_points[j] ^ row_points[k]]
        log_row[j] = total % order_minus_one
    for i in range(n):
        total = 0
        for k in range(n):
            total += log[row_points[k] ^ column_points[i]]
            if k != i:
                total -= log[column_points[k] ^ column_points[i]]
        log_column[i] = total % order_minus_one
    out = np.empty((n, n), dtype=exp.dtype)
    for i in range(n):
        for j in range(n):
            value = log_row[j] + log_column[i] - log[row_points[j] ^ column_points[i]]
            out[i, j] = exp[value % order_minus_one]
    return out
