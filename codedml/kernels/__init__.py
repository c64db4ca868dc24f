"""Compiled kernels: ``@njit`` functions only, arrays in and arrays out.

Every kernel also runs as plain Python under ``NUMBA_DISABLE_JIT=1`` (for coverage);
:func:`codedml.warm_up` compiles them all up front.

Modules
-------
sparse
    CSR products (real and ``GF(2)`` XOR of rows) and the CSR transpose used by every encoder.
elimination
    Row operations of every Gaussian elimination, and the ``GF(2)``/real finish of LT peeling.
prefetch
    Software prefetch (LLVM intrinsic; a no-op when the JIT is disabled).
soliton
    Ideal and robust soliton degree distributions.
lt_encoding
    LT generator sampling and XOR/sum encoding of payload rows.
peeling
    The LT peeling decoder: ripple, payload resolution, completion count of an arrival order.
rateless
    Arrival times and completion of LT-coded (rateless) matrix-vector multiplication.
bats
    BATS codes over ``GF(2^8)``: batches, encoding, relay recoding, belief-propagation decoding.
gf2m
    ``GF(2^m)`` arithmetic: table products, bit-sliced region products, linear algebra, Cauchy matrices.
gf2m_nibble
    ``GF(2^8)`` region multiply-adds by split-nibble tables and byte shuffles (the SIMD formulation).
gf2m_blocked
    Blocked ``GF(2^m)`` solve and inverse whose bulk work is region multiply-adds.
additive_fft
    Additive FFT over ``GF(2^m)`` and the ``O(n log n)`` Reed-Solomon erasure codec built on it.
gfp
    Prime-field ``GF(p)`` arithmetic, linear algebra, polynomial evaluation and interpolation.
gfp_blocked
    Blocked ``GF(p)`` solve and inverse with delayed reduction (float64 BLAS on split operands).
ntt
    Number-theoretic transforms and fast polynomial arithmetic over an NTT-friendly prime.
consecutive_lagrange
    Lagrange interpolation between consecutive integer points by one convolution (LCC's fast path).
window_products
    Products over cyclic windows of point gaps: the polynomial gradient code's encoding matrix.
repetition
    Generators of the repetition gradient codes (fractional, cyclic) and of the cyclic-MDS code.
real_decoding
    Real-field decoding vectors (dense least squares, banded elimination, the closed form of the
    cyclic-MDS construction) and their residual checks.
span
    Shortest decodable arrival prefixes (incremental span and threshold tests) for the simulator.
pair_peeling
    Degree-one and degree-two sum codewords (CPGC): which partitions they determine, and peeling.
bit_allocation
    Bit allocation across heterogeneous workers (dynamic programming, relaxation, greedy).
"""
