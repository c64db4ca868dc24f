"""``GF(2^8)`` region multiply-adds by split-nibble tables and byte shuffles (the SIMD formulation).

Multiplying by a constant ``c`` is linear over ``GF(2)``, so
``c x = c (x & 15) ^ c (x & 240) = low_c[x & 15] ^ high_c[x >> 4]`` with two 16-entry tables per
constant. A byte shuffle (x86 ``pshufb``) looks up 16 (AVX2: 32, AVX-512: 64) bytes in a 16-entry
table at once, which is how ISA-L and other SIMD erasure coders run. LLVM does not turn a table
look-up into a shuffle by itself, so :func:`_nibble_multiply_add` emits the shuffle intrinsic
directly (a numba ``@intrinsic``) on one vector of ``VECTOR_BYTES`` bytes: load, split, two
shuffles, XOR into the target, store.

``VECTOR_BYTES`` is 64 on hosts with AVX-512BW, 32 with AVX2, and otherwise (other
architectures, a fixed ``NUMBA_CPU_NAME``, or ``NUMBA_DISABLE_JIT``) 16 with a plain-Python
look-up of the same tables, which is correct but slow: :data:`SHUFFLES` says whether the fast
path exists, and :func:`~codedml.kernels.gf2m.gf2m_matrix_times_buffers_add` uses the
bit-sliced kernel when it does not.

Tables: :func:`gf2m_nibble_tables` lays out, for every matrix entry ``(r, j)``, the low table
repeated once per 16-byte lane followed by the high table repeated likewise (``2 VECTOR_BYTES``
bytes), so a vector load yields the shuffle operand.
"""

from __future__ import annotations

import numpy as np
from llvmlite import binding as llvm
from llvmlite import ir
from numba import config, njit, types
from numba.core import cgutils
from numba.extending import intrinsic

#: Bytes per column block of :func:`gf2m_nibble_matrix_times_buffers_add` (targets stay in L1).
BLOCK_BYTES = 4096


def _shuffle_width() -> int:
    """Bytes a host byte shuffle handles (64 or 32), or 0 without one (see the module notes)."""
    if config.DISABLE_JIT or config.CPU_NAME is not None:
        return 0
    try:
        features = llvm.get_host_cpu_features()
    except RuntimeError:  # features unknown on this architecture
        return 0
    if features.get("avx512bw", False) and features.get("avx512f", False):
        return 64
    if features.get("avx2", False):
        return 32
    return 0


#: Whether :func:`_nibble_multiply_add` is a hardware byte shuffle.
SHUFFLES = _shuffle_width() > 0
#: Bytes processed by one :func:`_nibble_multiply_add`.
VECTOR_BYTES = _shuffle_width() or 16
_SHUFFLE_INTRINSIC = {64: "llvm.x86.avx512.pshuf.b.512", 32: "llvm.x86.avx2.pshuf.b"}


def _shuffle_multiply_add_intrinsic(width: int):
    """``target[t:t+W] ^= low[x & 15] ^ high[x >> 4]`` for ``x = source[s:s+W]``, as ``W``-byte shuffles."""

    @intrinsic
    def shuffle_multiply_add(typingctx, tables, table_offset, source, source_offset, target, target_offset):
        signature = types.void(tables, table_offset, source, source_offset, target, target_offset)

        def codegen(context, builder, sig, args):
            vector = ir.VectorType(ir.IntType(8), width)

            def pointer(index):
                data = context.make_array(sig.args[index])(context, builder, args[index]).data
                return builder.bitcast(builder.gep(data, [args[index + 1]]), vector.as_pointer())

            table_pointer = pointer(0)
            low_table = builder.load(table_pointer, align=1)
            high_table = builder.load(builder.gep(table_pointer, [ir.Constant(ir.IntType(64), 1)]), align=1)
            symbols = builder.load(pointer(2), align=1)
            low = builder.and_(symbols, ir.Constant(vector, [15] * width))
            high = builder.lshr(symbols, ir.Constant(vector, [4] * width))
            shuffle = cgutils.get_or_insert_function(builder.module, ir.FunctionType(vector, [vector, vector]),
                                                     _SHUFFLE_INTRINSIC[width])
            product = builder.xor(builder.call(shuffle, [low_table, low]), builder.call(shuffle, [high_table, high]))
            target_pointer = pointer(4)
            builder.store(builder.xor(builder.load(target_pointer, align=1), product), target_pointer, align=1)
            return context.get_dummy_value()

        return signature, codegen

    return shuffle_multiply_add


@njit(cache=True, nogil=True)
def _lookup_multiply_add(tables, table_offset, source, source_offset, target, target_offset):
    """Portable ``_nibble_multiply_add`` on 16 bytes: table look-ups one byte at a time."""
    for i in range(16):
        x = np.int64(source[source_offset + i])
        target[target_offset + i] ^= tables[table_offset + (x & 15)] ^ tables[table_offset + VECTOR_BYTES + (x >> 4)]


_nibble_multiply_add = _shuffle_multiply_add_intrinsic(VECTOR_BYTES) if SHUFFLES else _lookup_multiply_add


@njit(cache=True, nogil=True)
def _multiply_byte(a, b, reduction):
    """``a * b`` in ``GF(2^8)`` by shift-and-add."""
    result = 0
    for _ in range(8):
        if b & 1:
            result ^= a
        b >>= 1
        a <<= 1
        if a & 256:
            a ^= 256 | reduction
    return result


@njit(cache=True, nogil=True)
def gf2m_nibble_tables(matrix, reduction):
    """Split-nibble tables of every entry of a ``GF(2^8)`` matrix, laid out for the shuffles.

    Parameters
    ----------
    matrix : ndarray of uint8, shape (n_targets, n_buffers)
    reduction : int
        The irreducible polynomial without its ``x^8`` term (``field.reduction``).

    Returns
    -------
    ndarray of uint8, shape (n_targets * n_buffers * 2 * VECTOR_BYTES,)
        Entry ``(r, j)`` at offset ``(r n_buffers + j) 2 VECTOR_BYTES``: ``c * i`` for
        ``i < 16`` in every 16-byte lane, then ``c * (i << 4)`` likewise.
    """
    n_targets, n_buffers = matrix.shape
    width = VECTOR_BYTES
    tables = np.empty(n_targets * n_buffers * 2 * width, dtype=np.uint8)
    for r in range(n_targets):
        for j in range(n_buffers):
            base = (r * n_buffers + j) * 2 * width
            coefficient = np.int64(matrix[r, j])
            for i in range(16):
                low = _multiply_byte(i, coefficient, reduction)
                high = _multiply_byte(i << 4, coefficient, reduction)
                for lane in range(0, width, 16):
                    tables[base + lane + i] = low
                    tables[base + width + lane + i] = high
    return tables


@njit(cache=True, nogil=True)
def gf2m_nibble_matrix_times_buffers_add(matrix, buffers, targets, reduction):
    """``targets += matrix @ buffers`` over ``GF(2^8)`` in place, by split-nibble shuffles.

    Column blocks of ``BLOCK_BYTES`` bytes: every (target, buffer) pair of a block is done
    before the next block, so the target block stays in cache. The last ``length mod
    VECTOR_BYTES`` bytes are multiplied by look-ups one by one.

    Parameters
    ----------
    matrix : ndarray of uint8, shape (n_targets, n_buffers)
    buffers : ndarray of uint8, shape (n_buffers, length)
        C-contiguous rows.
    targets : ndarray of uint8, shape (n_targets, length)
        C-contiguous rows; updated.
    reduction : int
        The irreducible polynomial without its ``x^8`` term.
    """
    n_targets, n_buffers = matrix.shape
    width = VECTOR_BYTES
    tables = gf2m_nibble_tables(matrix, reduction)
    length = buffers.shape[1]
    full = (length // width) * width
    for start in range(0, full, BLOCK_BYTES):
        stop = min(start + BLOCK_BYTES, full)
        for r in range(n_targets):
            target = targets[r]
            for j in range(n_buffers):
                if matrix[r, j] != 0:
                    source = buffers[j]
                    table_offset = (r * n_buffers + j) * 2 * width
                    for offset in range(start, stop, width):
                        _nibble_multiply_add(tables, table_offset, source, offset, target, offset)
    for r in range(n_targets):
        for j in range(n_buffers):
            table_offset = (r * n_buffers + j) * 2 * width
            for i in range(full, length):
                x = np.int64(buffers[j, i])
                targets[r, i] ^= tables[table_offset + (x & 15)] ^ tables[table_offset + width + (x >> 4)]
