"""Compiled kernels: ``@njit`` functions only, arrays in and arrays out.

Modules
-------
sparse
    CSR products used by every encoder.
real
    Real-field decoding vectors (dense least squares, banded elimination, the
    closed form of the cyclic-MDS construction) and their residual checks.
repetition
    Generators of the repetition gradient codes.
span
    Incremental span tests used by the simulator for arbitrary linear codes.
"""
