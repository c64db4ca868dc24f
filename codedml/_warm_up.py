"""Compile every kernel once, up front (what pynndescent's ``prepare`` does).

Kernels are ``@njit(cache=True)``: the first call in a fresh environment compiles them (tens of
seconds in all), later processes load them from numba's on-disk cache in milliseconds.
:func:`warm_up` moves that first cost to a moment the caller chooses and says whether it was paid.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numba import config, typeof
from numba.core import event

from codedml.kernels import (
    additive_fft,
    bats,
    bit_allocation,
    consecutive_lagrange,
    elimination,
    gf2m,
    gf2m_blocked,
    gf2m_nibble,
    gfp,
    gfp_blocked,
    lt_encoding,
    ntt,
    pair_peeling,
    peeling,
    rateless,
    real_decoding,
    repetition,
    soliton,
    span,
    sparse,
    window_products,
)


class _CompileCounter(event.Listener):
    """Counts compilations of codedml kernels (a cache load is none); calls ``on_compile`` before the first."""

    def __init__(self, on_compile: Callable[[], None] | None):
        self.count = 0
        self.on_compile = on_compile

    def on_start(self, compile_event) -> None:
        # numba compiles some of its own overloads on the way: they are not codedml kernels
        if not compile_event.data["dispatcher"].py_func.__module__.startswith("codedml."):
            return
        if self.count == 0 and self.on_compile is not None:
            self.on_compile()
        self.count += 1

    def on_end(self, _event) -> None:
        pass


def _read_only(array: np.ndarray) -> np.ndarray:
    """``array``, flagged read-only (numba compiles read-only arrays separately)."""
    array.flags.writeable = False
    return array


def _field_tables(degree: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Stand-ins of the ``exp``/``log`` tables and ``reduction`` of
    :func:`codedml.fields.galois_fields.binary_extension_field` (same types; building the real
    tables takes seconds)."""
    dtype = np.uint8 if degree == 8 else np.uint16
    return _read_only(np.zeros(4 << degree, dtype=dtype)), _read_only(np.zeros(1 << degree, dtype=np.int32)), 0


def _kernel_arguments() -> list[tuple[Callable, tuple]]:
    """Every kernel with small arguments of the types the library passes (only their types matter)."""

    def zeros(dtype, *shape):
        return np.zeros(shape, dtype=dtype)

    i64, f64, u8, u64, boolean = np.int64, np.float64, np.uint8, np.uint64, np.bool_
    index = zeros(i64, 2)
    order = zeros(i64, 2, 2)
    calls = [
        (soliton.ideal_soliton, (2,)),
        (soliton.robust_soliton, (2, 0.03, 0.5)),
        (lt_encoding.lt_generator, (2, 2, zeros(f64, 3), 0)),
        (sparse.csr_matmul, (index, index, zeros(f64, 2), zeros(f64, 2, 2))),
        (sparse.csr_rows_left_multiply, (index, index, zeros(f64, 2), index, zeros(f64, 2), 2)),
        (sparse.csr_transpose, (index, index, 2)),
        (peeling.peeling_completion_count, (index, index, index, index, 2, index)),
        (elimination.first_nonzero_row, (zeros(u8, 2, 2), 0, 0)),
        (elimination.swap_rows, (zeros(u8, 2, 2), 0, 1, 0)),
        (elimination.residual_system, (index, index, zeros(boolean, 2))),
        (rateless.coded_row_arrival_times, (index, index, zeros(f64, 2), 1.0)),
        (rateless.rateless_completion, (index, index, index, index, 2, index, index, zeros(f64, 2, 2), 1.0)),
    ]
    slot, peel_state, released_by = index, index, index
    recovered = zeros(boolean, 2)
    for dtype in (u64, u8, f64):  # LT payloads: byte rows as uint64 words (or as bytes when too short), real rows
        rows = zeros(dtype, 2, 2)
        calls.append((peeling.peel_arrivals, (index,) * 7 + (slot, peel_state, recovered, released_by, index, 0)))
        if dtype == f64:
            calls += [
                (lt_encoding.encode_sum, (index, index, rows)),
                (peeling.resolve_sum, (index, index, released_by, index, slot, rows, rows)),
                (elimination.real_solve_residual, (index, index, slot, rows, peel_state, recovered, rows, 1e-9)),
            ]
        else:
            calls += [
                (sparse.xor_of_rows, (rows[0], rows[0], rows, index)),
                (lt_encoding.encode_xor, (index, index, rows)),
                (peeling.resolve_xor, (index, index, released_by, index, slot, rows, rows)),
                (elimination.gf2_solve_residual, (index, index, slot, rows, peel_state, recovered, rows)),
            ]
    for degree in (8, 16):
        dtype = np.dtype(u8 if degree == 8 else np.uint16)
        exp, log, reduction = _field_tables(degree)
        symbols, square, vector = zeros(dtype, 2, 8), zeros(dtype, 2, 2), zeros(dtype, 2)
        skew, log_walsh = _read_only(zeros(dtype, 4)), _read_only(zeros(i64, 4))  # FastReedSolomon's tables
        words = zeros(u64, 4, 2)
        calls += [
            (gf2m.gf2m_multiply, (dtype.type(1), dtype.type(1), exp, log)),
            (gf2m.gf2m_inverse, (dtype.type(1), exp, log)),
            (gf2m.gf2m_elementwise_multiply, (vector, vector, exp, log)),
            (gf2m.gf2m_matmul, (square, symbols, exp, log)),
            (gf2m.gf2m_region_multiply_add, (1, symbols[0], symbols[1], degree, reduction)),
            (gf2m.gf2m_matrix_times_buffers_add, (square, symbols, symbols, degree, reduction)),
            (gf2m.gf2m_solve, (square, square, exp, log)),
            (gf2m.gf2m_inverse_matrix, (square, exp, log)),
            (gf2m_blocked.gf2m_solve_blocked, (square, square, exp, log, degree, reduction)),
            (gf2m_blocked.gf2m_inverse_blocked, (square, exp, log, degree, reduction)),
            (gf2m.gf2m_vandermonde, (vector, 2, exp, log)),
            (gf2m.gf2m_cauchy, (vector, vector, exp, log)),
            (gf2m.gf2m_cauchy_inverse, (vector, vector, exp, log)),
            (additive_fft.lane_low_bits, (degree,)),
            (additive_fft.coefficient_products, (1, degree, reduction, zeros(u64, 16))),
            (additive_fft.scale_rows, (words, zeros(dtype, 4), degree, reduction)),
            (additive_fft.additive_fft, (words, skew, 0, 0, 4, degree, reduction)),
            (additive_fft.additive_ifft, (words, skew, 0, 0, 4, degree, reduction)),
            (additive_fft.formal_derivative, (words,)),
            (additive_fft.walsh_hadamard, (zeros(i64, 4),)),
            (additive_fft.log_walsh_table, (zeros(i64, 4), degree)),
            (additive_fft.error_locator_logs, (zeros(boolean, 4), log_walsh, degree)),
            (additive_fft.erasure_decode, (words, zeros(boolean, 4), 4, 0, 2, log_walsh, skew, exp, degree,
                                           reduction)),
            (additive_fft.chunked_encode, (words, 2, 4, 2, skew, degree, reduction)),
        ]
    exp, log, reduction = _field_tables(8)
    generator, packets = zeros(u8, 2, 2), zeros(u8, 2, 2, 4)
    calls += [
        (gf2m_nibble.gf2m_nibble_tables, (generator, reduction)),
        (gf2m_nibble.gf2m_nibble_matrix_times_buffers_add, (generator, generator, generator, reduction)),
        (bats.bats_batches, (2, 2, 2, zeros(f64, 3), 0)),
        (bats.bats_encode, (index, index, generator, zeros(u8, 2, 4), reduction)),
        (bats.recode_through_relay, (packets, 0.1, 0, reduction)),
        (bats.source_transfer_matrices, (index, generator, zeros(u8, 2, 2, 2), index, exp, log)),
        (bats.bats_bp_decode, (index, index, generator, index, packets, 2, exp, log, reduction)),
    ]
    p = 2**31 - 1
    matrix, column = zeros(i64, 2, 2), zeros(i64, 2)
    calls += [
        (gfp.multiply_mod, (1, 1, p, 1.0 / p)),
        (gfp.gfp_multiply, (1, 1, p)),
        (gfp.gfp_inverse, (1, p)),
        (gfp.gfp_batch_inverse, (column, p)),
        (gfp.gfp_elementwise_multiply, (column, column, p)),
        (gfp.gfp_matvec, (matrix, column, p)),
        (gfp.gfp_matmul, (matrix, matrix, p)),
        (gfp.gfp_solve, (matrix, matrix, p)),
        (gfp.gfp_inverse_matrix, (matrix, p)),
        (gfp_blocked.gfp_solve_blocked, (matrix, matrix, p)),
        (gfp_blocked.gfp_inverse_blocked, (matrix, p)),
        (gfp.gfp_vandermonde, (column, 2, p)),
        (gfp.gfp_polynomial_evaluate, (column, column, p)),
        (gfp.gfp_interpolate, (column, column, p)),
        (gfp.gfp_barycentric_weights, (column, p)),
        (gfp.gfp_lagrange_basis, (column, column, p)),
        (window_products.cyclic_window_products, (zeros(f64, 3), 1, 0)),
        (window_products.cyclic_window_products, (column, 1, p)),
    ]
    q, root, ones, pair = ntt.NTT_PRIME, ntt.NTT_PRIME_ROOT, np.ones(2, dtype=i64), np.array([1, 2], dtype=i64)
    tree, offsets = np.array([q - 1, 1, q - 2, 1, 2, q - 3, 1], dtype=i64), np.array([0, 4, 7], dtype=i64)
    calls += [
        (ntt.power_mod, (2, 3, q)),
        (ntt.ntt, (zeros(i64, 2), False, q, root)),
        (ntt.poly_multiply, (column, column, q, root)),
        (ntt.poly_inverse_series, (ones, 2, q, root)),
        (ntt.poly_remainder, (column, ones, q, root)),
        (ntt.product_tree, (pair, q, root)),
        (ntt.evaluate_on_tree, (column, pair, tree, offsets, q, root)),
        (ntt.multipoint_evaluate, (column, column, q, root)),
        (ntt.poly_from_roots, (column, q, root)),
        (ntt.combine_on_tree, (column, tree, offsets, q, root)),
        (ntt.interpolate, (pair, column, q, root)),
        (ntt.factorial_tables, (3, q)),
        (window_products.consecutive_window_encode, (zeros(i64, 3, 1), 1, q, root)),
        (window_products.consecutive_decoding_weights, (np.array([0, 1], dtype=i64), np.array([2], dtype=i64), 3,
                                                        q, root)),
        (consecutive_lagrange.consecutive_lagrange_encode, (zeros(i64, 2, 1), 3, q, root)),
        (consecutive_lagrange.consecutive_lagrange_sum_coefficients, (np.array([0, 2], dtype=i64),
                                                                      np.array([1], dtype=i64), 2, q, root)),
    ]
    band, probabilities, bits = zeros(f64, 2, 2), zeros(f64, 2), zeros(i64, 2)
    calls += [
        (real_decoding.dense_decoding_vector, (band,)),
        (real_decoding.cyclic_band_residual, (band, index, zeros(f64, 2))),
        (real_decoding.cyclic_band_decoding_vector, (band, index)),
        (real_decoding.symmetric_zero_decoding_vector, (2, 1, 1.0, index, index)),
        (real_decoding.fractional_repetition_decoding_vector, (zeros(boolean, 2), 1)),
        (real_decoding.span_residuals, (band, order)),
        (repetition.fractional_repetition_csr, (2, 1)),
        (repetition.cyclic_band_to_csr, (band,)),
        (repetition.cyclic_repetition_band_random, (zeros(f64, 1, 2),)),
        (repetition.symmetric_zero_generator, (2, 1, 1)),
        (repetition.dft_parity_check, (2, 1, 1)),
        (span.first_repeated_id_row, (order, 2)),
        (span.first_decodable_prefix, (band, zeros(i64, 3), order, 0, 1, 1e-9)),
        (span.first_threshold_prefix, (index, index, index, index, zeros(boolean, 2), order, 1)),
        (span.received_span_coverage, (band, zeros(i64, 3), index, 1e-9)),
        (pair_peeling.first_pair_recovery_prefix, (index, index, zeros(i64, 3), order, 1, False)),
        (pair_peeling.pair_peeling_decode, (index, index, band, 2, False)),
        (bit_allocation.worker_utility, (0.1, 2, 1.0)),
        (bit_allocation.allocation_utility, (probabilities, bits, 1.0)),
        (bit_allocation.dynamic_programming_allocation, (probabilities, 4, 1.0, 32, False)),
        (bit_allocation.marginal_gain, (0.1, 2, 1.0, 32)),
        (bit_allocation.marginal_loss, (0.1, 2, 1.0)),
        (bit_allocation.relaxed_bits, (0.1, 1.0, 1.0, 32)),
        (bit_allocation.repair_to_budget, (probabilities, bits, 4, 1.0, 32)),
        (bit_allocation.rounded_relaxation, (probabilities, 4, 1.0, 32)),
        (bit_allocation.greedy_fill, (probabilities, 4, 1.0, 32)),
        (bit_allocation.best_nested_active_set, (probabilities, 4, 1.0, 32, False)),
        (bit_allocation.greedy_allocation, (probabilities, 4, 1.0, 32, False)),
        (bit_allocation.relaxation_allocation, (probabilities, 4, 1.0, 32, False)),
        (bit_allocation.equal_allocation, (2, 4)),
        (bit_allocation.one_bit_swaps, (probabilities, bits, 1.0, 32)),
        (bit_allocation.low_complexity_allocation, (probabilities, 4, 1.0, 32, False)),
    ]
    return calls


def warm_up(on_compile: Callable[[], None] | None = None) -> int:
    """Compile every kernel once, or load it from numba's on-disk cache.

    Each kernel is compiled for the argument types the library passes it (small arrays stand in
    for real data; nothing runs). In a fresh environment this takes tens of seconds; afterwards
    every kernel loads from the cache and the call returns within a second or two.

    Parameters
    ----------
    on_compile : callable, optional
        Called with no argument just before the first kernel that has to be compiled (not
        loaded from the cache), e.g. to tell the user that the first run is slow; not called
        when the cache is warm.

    Returns
    -------
    int
        The number of kernel compilations (callees included); ``0`` when every kernel came from
        the cache, was already loaded in this process, or ``NUMBA_DISABLE_JIT=1`` is set.

    Examples
    --------
    >>> import codedml
    >>> codedml.warm_up() >= 0
    True
    >>> codedml.warm_up()  # already loaded in this process
    0
    """
    if config.DISABLE_JIT:
        return 0
    counter = _CompileCounter(on_compile)
    with event.install_listener("numba:compile", counter):
        for kernel, arguments in _kernel_arguments():
            kernel.compile(tuple(typeof(argument) for argument in arguments))
    return counter.count
