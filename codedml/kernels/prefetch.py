"""Software prefetch: ask the CPU to start loading an array element's cache line now.

Peeling walks a random graph, so the hardware prefetchers cannot guess the next address; the
decoder knows it a few steps ahead (the ripple queue lists the next symbols to release) and
issues the loads early with :func:`prefetch`, which compiles to LLVM's ``llvm.prefetch``
intrinsic (a hint: no fault, no effect on results). With ``NUMBA_DISABLE_JIT=1`` the kernels run
as plain Python and :func:`prefetch` is a no-op, so every kernel can run (and be covered) uncompiled.
"""

from __future__ import annotations

from llvmlite import ir
from numba import config, types
from numba.core import cgutils
from numba.extending import intrinsic


def _prefetch_intrinsic(typingctx, array, index):
    """Prefetch ``array[index]`` (1-D array, read access, keep in all cache levels); returns nothing."""
    if not isinstance(array, types.Array) or array.ndim != 1 or not isinstance(index, types.Integer):
        return None
    signature = types.void(array, index)

    def codegen(context, builder, sig, args):
        array_struct = context.make_array(sig.args[0])(context, builder, args[0])
        pointer = cgutils.get_item_pointer(context, builder, sig.args[0], array_struct, [args[1]])
        byte_pointer = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        # declare_intrinsic mangles the name for this llvmlite's pointer type (llvm.prefetch.p0i8)
        function = builder.module.declare_intrinsic(
            "llvm.prefetch", [byte_pointer], ir.FunctionType(ir.VoidType(), [byte_pointer, i32, i32, i32]))
        # arguments: address, 0 = read, 3 = high temporal locality, 1 = data cache
        builder.call(function, [builder.bitcast(pointer, byte_pointer), ir.Constant(i32, 0), ir.Constant(i32, 3),
                                ir.Constant(i32, 1)])
        return context.get_dummy_value()

    return signature, codegen


def _prefetch_uncompiled(array, index) -> None:
    """Prefetch ``array[index]``: nothing to do when the kernels run as plain Python."""


#: ``prefetch(array, index)``: the LLVM intrinsic in compiled kernels, a no-op with ``NUMBA_DISABLE_JIT=1``.
prefetch = _prefetch_uncompiled if config.DISABLE_JIT else intrinsic(_prefetch_intrinsic)
