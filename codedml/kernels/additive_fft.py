"""Additive FFT over ``GF(2^m)`` in the Lin–Han–Chung novel polynomial basis, on shard rows.

Notation (Lin, Chung and Han, FOCS 2014; Lin, Al-Naffouri and Han, IEEE Trans. IT 2016)
    ``v_0, ..., v_{m-1}``, a basis of ``GF(2^m)`` over ``GF(2)``; ``omega_i = sum_t i_t v_t`` (the
    bits of ``i`` pick basis elements, so ``omega_i + omega_j = omega_{i XOR j}``);
    ``W_j(x) = prod_{a in span(v_0..v_{j-1})} (x - a)``, a linearised polynomial, and its
    normalisation ``What_j = W_j / W_j(v_j)``; the novel basis ``X_i = prod_{t : i_t = 1} What_t``
    (``deg X_i = i``). With a *Cantor* basis (``v_0 = 1``, ``v_t^2 + v_t = v_{t-1}``) every
    ``W_j(v_j) = 1`` and the ``x`` coefficient of every ``What_j`` is 1, so the formal derivative
    ``X_i' = sum_{t : i_t = 1} X_{i - 2^t}`` needs no multiplication.

Transforms (``size`` a power of two, ``position`` a multiple of ``size``)
    :func:`additive_fft` maps the coefficients ``d_i`` of ``D = sum_{i < size} d_i X_i`` to the
    values ``D(omega_{position + i})``; :func:`additive_ifft` is its inverse. One level splits
    ``D = D_0 + What_j D_1`` and, since ``What_j`` is linear and vanishes on ``span(v_0..v_{j-1})``,
    is the butterfly ``low += c * high; high += low`` with the twiddle
    ``c = What_j(omega_{position + start})``, ``start`` the block's first row. All twiddles come from
    one table, ``skew[u] = What_j(omega_{u - 2^j})`` with ``2^j`` the lowest set bit of ``u``.

Rows
    Every transform acts on the rows of a ``uint64`` array, one row per point: a shard's
    symbols packed ``64 / m`` to a word. A product by a constant ``c`` is linear over ``GF(2)``:
    ``c x = XOR_b x_b (c alpha^b)``; with the ``m`` words ``c alpha^b`` (copied into every lane)
    computed once per butterfly block, each bit costs a shift, a mask, a lane fill and an XOR,
    and the loop over words vectorises. Levels narrower than a cache block run block by block.

Erasure decoding (:func:`erasure_decode`)
    If the values ``c_i = C(omega_i)`` of a polynomial with ``deg C + |erased| < size`` are known
    off an erasure set, ``E(x) = prod_{e erased} (x - omega_e)`` makes ``E C`` a polynomial of degree
    ``< size`` known at every point (zero on the erasures); IFFT, formal derivative and FFT give
    ``(E C)'`` there, and ``c_e = (E C)'(omega_e) / E'(omega_e)``. The logarithms of ``E(omega_i)`` (and of
    ``E'(omega_e)`` at the erasures) are one XOR convolution of the erasure indicator with
    ``log omega_j``, computed by a fast Walsh–Hadamard transform modulo ``2^m - 1``.

Tables (``skew``, ``log_walsh``, ``exp``) are built by :mod:`codedml.codes.erasure.fast_reed_solomon` and
passed as arguments, never read as globals.
"""

from __future__ import annotations

import numpy as np
from numba import njit


# ---- bit-sliced multiplication of packed words ----------------------------------------------
@njit(cache=True, nogil=True)
def lane_low_bits(degree):
    """The lowest bit of every ``degree``-bit lane of a uint64."""
    low_bits = np.uint64(0)
    for lane in range(64 // degree):
        low_bits |= np.uint64(1) << np.uint64(lane * degree)
    return low_bits


@njit(cache=True, nogil=True)
def coefficient_products(coefficient, degree, reduction, products):
    """``products[b] = c * alpha^b`` copied into every lane of a uint64, for ``b < degree``.

    ``c x = XOR_b x_b (c alpha^b)`` over the bits ``x_b`` of ``x``, so these ``m`` words are all a
    product by ``c`` needs (``products`` has 16 entries).
    """
    low_bits = lane_low_bits(degree)
    top = np.int64(1) << (degree - 1)
    full = (np.int64(1) << degree) - 1
    value = np.int64(coefficient)
    for bit in range(degree):
        products[bit] = np.uint64(value) * low_bits  # no carries: value < 2^degree
        carry = value & top
        value = (value << 1) & full
        if carry:
            value ^= reduction


@njit(cache=True, nogil=True, inline="always")
def _times_constant(word, products, low_bits, shift_degree, degree):
    """``c * x`` for every symbol ``x`` packed in ``word``; ``products`` from :func:`coefficient_products`.

    For each bit ``b``, ``(t << m) - t`` with ``t = (x >> b) & low_bits`` is all ones in the lanes
    whose bit ``b`` is set; the loop count is a literal per field so that LLVM unrolls it and
    vectorises the caller's loop over words.
    """
    product = np.uint64(0)
    if degree == 8:
        for bit in range(8):
            t = (word >> np.uint64(bit)) & low_bits
            product ^= ((t << shift_degree) - t) & products[bit]
    else:
        for bit in range(16):
            t = (word >> np.uint64(bit)) & low_bits
            product ^= ((t << shift_degree) - t) & products[bit]
    return product


@njit(cache=True, nogil=True)
def scale_rows(rows, coefficients, degree, reduction):
    """``rows[i] *= coefficients[i]`` in place (``rows`` uint64, shape (n_rows, n_words))."""
    low_bits, shift_degree = lane_low_bits(degree), np.uint64(degree)
    products = np.zeros(16, dtype=np.uint64)
    for i in range(rows.shape[0]):
        coefficient = coefficients[i]
        row = rows[i]
        if coefficient == 0:
            row[:] = 0
        elif coefficient != 1:
            coefficient_products(coefficient, degree, reduction, products)
            for w in range(row.shape[0]):
                row[w] = _times_constant(row[w], products, low_bits, shift_degree, degree)


# ---- transforms -------------------------------------------------------------------------------
#: uint64 words per cache block of the transforms (256 KiB): the levels whose butterflies stay inside
#: such a block run block by block (depth first), the wider ones as whole passes.
CACHE_BLOCK_WORDS = 32768


@njit(cache=True, nogil=True)
def _block_rows(size, n_words):
    """Rows per cache block: the largest power of two of at most ``CACHE_BLOCK_WORDS`` words, ``<= size``."""
    rows = 2
    while rows < size and 2 * rows * max(n_words, 1) <= CACHE_BLOCK_WORDS:
        rows *= 2
    return min(rows, size)


@njit(cache=True, nogil=True)
def _fft_level(rows, skew, position, half, row_start, row_stop, keep_start, keep_stop, products, degree, reduction):
    """One FFT level (butterflies ``half`` rows apart) on the blocks of ``[row_start, row_stop)`` that
    meet ``[keep_start, keep_stop)``: ``low += c * high; high += low``."""
    n_words = rows.shape[1]
    low_bits, shift_degree = lane_low_bits(degree), np.uint64(degree)
    for start in range(row_start, row_stop, 2 * half):
        if start + 2 * half <= keep_start or start >= keep_stop:
            continue
        coefficient = skew[position + start + half]
        if coefficient == 0:
            for i in range(start, start + half):
                low, high = rows[i], rows[i + half]
                for w in range(n_words):
                    high[w] ^= low[w]
        else:
            coefficient_products(coefficient, degree, reduction, products)
            for i in range(start, start + half):
                low, high = rows[i], rows[i + half]
                for w in range(n_words):
                    value = low[w] ^ _times_constant(high[w], products, low_bits, shift_degree, degree)
                    low[w] = value
                    high[w] ^= value


@njit(cache=True, nogil=True)
def _ifft_level(rows, skew, position, half, row_start, row_stop, keep_start, keep_stop, products, degree, reduction):
    """One IFFT level on the blocks of ``[row_start, row_stop)`` that meet ``[keep_start, keep_stop)``:
    ``high += low; low += c * high``."""
    n_words = rows.shape[1]
    low_bits, shift_degree = lane_low_bits(degree), np.uint64(degree)
    for start in range(row_start, row_stop, 2 * half):
        if start + 2 * half <= keep_start or start >= keep_stop:
            continue
        coefficient = skew[position + start + half]
        if coefficient == 0:
            for i in range(start, start + half):
                low, high = rows[i], rows[i + half]
                for w in range(n_words):
                    high[w] ^= low[w]
        else:
            coefficient_products(coefficient, degree, reduction, products)
            for i in range(start, start + half):
                low, high = rows[i], rows[i + half]
                for w in range(n_words):
                    value = high[w] ^ low[w]
                    high[w] = value
                    low[w] ^= _times_constant(value, products, low_bits, shift_degree, degree)


@njit(cache=True, nogil=True)
def additive_fft(rows, skew, position, output_start, output_stop, degree, reduction):
    """Novel-basis coefficients to values, in place: row ``i`` becomes ``D(omega_{position + i})``.

    Levels wider than a cache block (:data:`CACHE_BLOCK_WORDS`) are whole passes; the rest run
    block by block, every remaining level of one block before the next block.

    Parameters
    ----------
    rows : ndarray of uint64, shape (size, n_words)
        ``size`` a power of two; row ``i`` holds the coefficient of ``X_i`` (packed symbols).
    skew : ndarray, shape (>= position + size,)
        ``skew[u] = What_j(omega_{u - 2^j})``, ``2^j`` the lowest set bit of ``u``.
    position : int
        A multiple of ``size``: the transform evaluates on ``omega_position + span(v_0..)``.
    output_start, output_stop : int
        Only rows in ``[output_start, output_stop)`` need be correct on return (blocks that
        feed no such row are skipped).
    degree, reduction : int
        ``m`` and the irreducible polynomial without ``x^m``.
    """
    size = rows.shape[0]
    block = _block_rows(size, rows.shape[1])
    products = np.zeros(16, dtype=np.uint64)
    half = size >> 1
    while half >= 1 and 2 * half > block:
        _fft_level(rows, skew, position, half, 0, size, output_start, output_stop, products, degree, reduction)
        half >>= 1
    if half == 0:
        return
    for block_start in range(0, size, block):
        if block_start + block <= output_start or block_start >= output_stop:
            continue
        inner = half
        while inner >= 1:
            _fft_level(rows, skew, position, inner, block_start, block_start + block, output_start, output_stop,
                       products, degree, reduction)
            inner >>= 1


@njit(cache=True, nogil=True)
def additive_ifft(rows, skew, position, input_start, input_stop, degree, reduction):
    """Values to novel-basis coefficients, in place: the inverse of :func:`additive_fft`.

    Rows outside ``[input_start, input_stop)`` must be zero on entry (blocks of zeros are skipped).
    """
    size = rows.shape[0]
    if size < 2:
        return
    block = _block_rows(size, rows.shape[1])
    products = np.zeros(16, dtype=np.uint64)
    for block_start in range(0, size, block):
        if block_start + block <= input_start or block_start >= input_stop:
            continue
        half = 1
        while 2 * half <= block:
            _ifft_level(rows, skew, position, half, block_start, block_start + block, input_start, input_stop,
                        products, degree, reduction)
            half <<= 1
    half = block
    while half < size:
        _ifft_level(rows, skew, position, half, 0, size, input_start, input_stop, products, degree, reduction)
        half <<= 1


@njit(cache=True, nogil=True)
def formal_derivative(rows):
    """Novel-basis coefficients of ``D + D'`` from those of ``D``, in place (Cantor basis).

    ``X_i' = sum_{t : i_t = 1} X_{i - 2^t}``: coefficient ``i`` is added to coefficient
    ``i - 2^t`` for every set bit ``t`` of ``i`` (keeping ``D`` costs nothing: the decoder reads
    ``(E C) + (E C)'`` only where ``E C`` vanishes). Visiting ``i`` in increasing order and adding
    rows ``[i, i + w)`` into ``[i - w, i)`` (``w`` the lowest set bit of ``i``) reads every row
    before it is written.
    """
    size = rows.shape[0]
    n_words = rows.shape[1]
    for i in range(1, size):
        width = i & -i
        for t in range(width):
            target, source = rows[i - width + t], rows[i + t]
            for w in range(n_words):
                target[w] ^= source[w]


# ---- error locator ------------------------------------------------------------------------------
@njit(cache=True, nogil=True)
def walsh_hadamard(values):
    """Unnormalised fast Walsh–Hadamard transform of int64 ``values`` (length a power of two), in place."""
    size = values.shape[0]
    half = 1
    while half < size:
        for start in range(0, size, 2 * half):
            for i in range(start, start + half):
                a, b = values[i], values[i + half]
                values[i] = a + b
                values[i + half] = a - b
        half <<= 1


@njit(cache=True, nogil=True)
def log_walsh_table(log_omega, degree):
    """``FWHT(L) mod (2^m - 1)``, with ``L[j] = log omega_j`` for ``j >= 1`` and ``L[0] = 0``.

    ``log_omega`` has a power-of-two length ``size``: the table serves transforms of that size.
    """
    modulus = (1 << degree) - 1
    values = log_omega.astype(np.int64)
    values[0] = 0
    walsh_hadamard(values)
    for i in range(values.shape[0]):
        values[i] %= modulus
    return values


@njit(cache=True, nogil=True)
def error_locator_logs(erased, log_walsh, degree):
    """Discrete logarithms of ``E(omega_i)`` off the erasures and of ``E'(omega_i)`` on them.

    ``log E(omega_i) = sum_{e erased} log omega_{i XOR e}`` is the XOR convolution of the erasure
    indicator with ``L`` (``L[0] = 0``, so at an erasure the sum skips ``e = i`` and gives
    ``log prod_{e != i} (omega_i - omega_e) = log E'(omega_i)``). Computed as
    ``FWHT(FWHT(indicator) * FWHT(L)) / size`` modulo ``2^m - 1``, where ``1 / size = 2^{m - log2 size}``.

    Parameters
    ----------
    erased : ndarray of bool or uint8, shape (size,)
    log_walsh : ndarray of int64, shape (size,)
        :func:`log_walsh_table` of the same size.
    degree : int

    Returns
    -------
    ndarray of int64, shape (size,), entries in ``[0, 2^m - 1)``.
    """
    size = erased.shape[0]
    modulus = (1 << degree) - 1
    values = np.zeros(size, dtype=np.int64)
    for i in range(size):
        if erased[i]:
            values[i] = 1
    walsh_hadamard(values)
    for i in range(size):
        values[i] = (values[i] % modulus) * log_walsh[i] % modulus
    walsh_hadamard(values)
    log_size = 0
    while (1 << log_size) < size:
        log_size += 1
    inverse_size = np.int64(1) << (degree - log_size)
    for i in range(size):
        values[i] = (values[i] % modulus) * inverse_size % modulus
    return values


# ---- codec steps ----------------------------------------------------------------------------------
@njit(cache=True, nogil=True)
def erasure_decode(rows, erased, input_stop, output_start, output_stop, log_walsh, skew, exp, degree, reduction):
    """Recover the erased rows in ``[output_start, output_stop)`` of a shortened Reed–Solomon word.

    The word is the values ``C(omega_i)``, ``i < size``, of a polynomial with
    ``deg C + |erased| < size``; rows at and above ``input_stop`` are known to be zero.

    Parameters
    ----------
    rows : ndarray of uint64, shape (size, n_words)
        Row ``i`` holds ``C(omega_i)`` (packed symbols) where ``erased[i]`` is false and
        ``i < input_stop``; the rest is ignored. Overwritten: on return the erased rows in the
        output range hold the recovered values, every other row is garbage.
    erased : ndarray of bool or uint8, shape (size,)
        The erasures, all below ``input_stop``.
    input_stop, output_start, output_stop : int
    log_walsh : ndarray of int64, shape (size,)
        :func:`log_walsh_table` for this size.
    skew : ndarray
        Twiddles (see :func:`additive_fft`), at least ``size`` entries.
    exp : ndarray
        The field's antilogarithm table (``alpha^i`` for ``0 <= i < 2(2^m - 1)``).
    degree, reduction : int
    """
    size = rows.shape[0]
    modulus = (1 << degree) - 1
    logs = error_locator_logs(erased, log_walsh, degree)
    factors = np.zeros(size, dtype=np.int64)
    first, last = size, -1
    for i in range(min(input_stop, size)):
        if not erased[i]:
            factors[i] = exp[logs[i]]
            first = min(first, i)
            last = i
    scale_rows(rows, factors, degree, reduction)
    if last < 0:
        rows[:] = 0
        return
    additive_ifft(rows, skew, 0, first, last + 1, degree, reduction)
    formal_derivative(rows)
    additive_fft(rows, skew, 0, output_start, output_stop, degree, reduction)
    for i in range(size):
        factors[i] = 0
    for i in range(output_start, output_stop):
        if erased[i]:
            factors[i] = exp[modulus - logs[i]]
    scale_rows(rows[output_start:output_stop], factors[output_start:output_stop], degree, reduction)


@njit(cache=True, nogil=True)
def chunked_encode(rows, chunk_size, data_stop, parity_count, skew, degree, reduction):
    """Parity of the shortened code with ``chunk_size`` parity points, in place.

    Rows ``[chunk_size, data_stop)`` hold the data (points ``omega_{chunk_size}, ...``), rows from
    ``data_stop`` on are zero, and the row count is a multiple of the power of two
    ``chunk_size``. The codeword is a polynomial of degree ``< size - chunk_size`` for any
    power-of-two ``size >= data_stop``: each data chunk is interpolated (IFFT on its coset), the
    coefficient vectors summed, and the sum evaluated on ``span(v_0..)`` (FFT) gives the parity.
    On return rows ``[0, parity_count)`` hold the parity; data rows are overwritten.
    """
    n_words = rows.shape[1]
    accumulator = rows[:chunk_size]
    accumulator[:] = 0
    for start in range(chunk_size, rows.shape[0], chunk_size):
        if start >= data_stop:
            break
        chunk = rows[start:start + chunk_size]
        additive_ifft(chunk, skew, start, 0, min(chunk_size, data_stop - start), degree, reduction)
        for i in range(chunk_size):
            target, source = accumulator[i], chunk[i]
            for w in range(n_words):
                target[w] ^= source[w]
    additive_fft(accumulator, skew, 0, 0, parity_count, degree, reduction)
