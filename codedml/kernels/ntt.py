"""Number-theoretic transforms and fast polynomial arithmetic over an NTT-friendly prime ``GF(p)``.

A prime ``p = c 2^e + 1 < 2^31`` has primitive ``2^k``-th roots of unity for every ``k <= e``, so
polynomials whose product has fewer than ``2^e`` coefficients multiply by a radix-2 transform in
``O(n log n)`` (:data:`NTT_PRIME` ``= 15 * 2^27 + 1`` with primitive root 31 reaches ``2^27``). On
top of it: series inversion (Newton), division with remainder, the subproduct tree of a point set,
multipoint evaluation down the remainder tree and interpolation up the tree, each ``O(n log^2 n)``
(von zur Gathen and Gerhard, *Modern Computer Algebra*, chapters 8-10). Below
:data:`SCHOOLBOOK_LENGTH` coefficients the quadratic algorithms are faster and are used instead.

Coefficients are ``int64`` in ``[0, p)``, lowest degree first; ``root`` is a primitive root of
``p`` (a generator of its multiplicative group, e.g. :attr:`codedml.fields.galois_fields.PrimeField.primitive_element`).
A transform longer than ``p - 1``'s power of two raises ``ValueError``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from codedml.kernels.gfp import gfp_batch_inverse, gfp_inverse, multiply_mod

#: ``15 * 2^27 + 1``: the largest prime below ``2^31`` with a ``2^27``-th root of unity.
NTT_PRIME = 15 * 2**27 + 1

#: A primitive root of :data:`NTT_PRIME`.
NTT_PRIME_ROOT = 31

#: Operands shorter than this multiply (and divide) by the schoolbook method.
SCHOOLBOOK_LENGTH = 48

#: Remainders of at most this degree are evaluated at their points by Horner's rule.
HORNER_LENGTH = 32


def max_transform_length(p: int) -> int:
    """The longest radix-2 transform over ``GF(p)``: the largest power of two dividing ``p - 1``."""
    return (p - 1) & -(p - 1)


@njit(cache=True, nogil=True)
def power_mod(base, exponent, p):
    """``base^exponent mod p`` by square and multiply (``exponent >= 0``)."""
    p_inverse = 1.0 / p
    result = np.int64(1)
    b = np.int64(base) % p
    e = np.int64(exponent)
    while e > 0:
        if e & 1:
            result = multiply_mod(result, b, p, p_inverse)
        b = multiply_mod(b, b, p, p_inverse)
        e >>= 1
    return result


@njit(cache=True, nogil=True)
def ntt(values, inverse, p, root):
    """In-place radix-2 transform of ``values`` (length a power of two), or its inverse.

    Forward: ``values[k] <- sum_j values[j] w^{jk}`` with ``w = root^((p - 1) / n)``; the inverse
    uses ``w^{-1}`` and divides by ``n``.
    """
    n = values.shape[0]
    if n & (n - 1) or (p - 1) % n:
        raise ValueError("transform length must be a power of two dividing p - 1")
    if n == 1:
        return
    p_inverse = 1.0 / p
    w = power_mod(root, (p - 1) // n, p)
    if inverse:
        w = gfp_inverse(w, p)
    half_n = n // 2
    twiddles = np.empty(half_n, dtype=np.int64)
    twiddles[0] = 1
    for k in range(1, half_n):
        twiddles[k] = multiply_mod(twiddles[k - 1], w, p, p_inverse)
    j = 0
    for i in range(1, n):  # bit reversal
        bit = n >> 1
        while j & bit:
            j ^= bit
            bit >>= 1
        j |= bit
        if i < j:
            values[i], values[j] = values[j], values[i]
    length = 2
    while length <= n:
        half = length // 2
        stride = n // length
        for start in range(0, n, length):
            for k in range(half):
                u = values[start + k]
                v = multiply_mod(values[start + k + half], twiddles[k * stride], p, p_inverse)
                total = u + v
                values[start + k] = total - p if total >= p else total
                difference = u - v
                values[start + k + half] = difference + p if difference < 0 else difference
        length *= 2
    if inverse:
        scale = gfp_inverse(n, p)
        for i in range(n):
            values[i] = multiply_mod(values[i], scale, p, p_inverse)


@njit(cache=True, nogil=True)
def _transform_length(length):
    size = 1
    while size < length:
        size *= 2
    return size


@njit(cache=True, nogil=True)
def poly_multiply(a, b, p, root):
    """Coefficients of ``a(x) b(x)`` (length ``len(a) + len(b) - 1``; empty if either is empty)."""
    na = a.shape[0]
    nb = b.shape[0]
    if na == 0 or nb == 0:
        return np.zeros(0, dtype=np.int64)
    out_length = na + nb - 1
    p_inverse = 1.0 / p
    if min(na, nb) < SCHOOLBOOK_LENGTH:
        out = np.zeros(out_length, dtype=np.int64)
        if na < nb:
            a, b, na, nb = b, a, nb, na
        for j in range(nb):  # b is the short one: at most SCHOOLBOOK_LENGTH reduced terms per sum
            factor = b[j]
            if factor != 0:
                for i in range(na):
                    out[i + j] += multiply_mod(a[i], factor, p, p_inverse)
        for i in range(out_length):
            out[i] %= p
        return out
    size = _transform_length(out_length)
    fa = np.zeros(size, dtype=np.int64)
    fb = np.zeros(size, dtype=np.int64)
    fa[:na] = a
    fb[:nb] = b
    ntt(fa, False, p, root)
    ntt(fb, False, p, root)
    for i in range(size):
        fa[i] = multiply_mod(fa[i], fb[i], p, p_inverse)
    ntt(fa, True, p, root)
    return fa[:out_length].copy()


@njit(cache=True, nogil=True)
def poly_inverse_series(a, length, p, root):
    """``b`` with ``a(x) b(x) = 1 mod x^length`` (``a[0] != 0``), by Newton iteration ``b <- b (2 - a b)``."""
    b = np.zeros(1, dtype=np.int64)
    b[0] = gfp_inverse(a[0], p)
    current = 1
    while current < length:
        current = min(2 * current, length)
        product = poly_multiply(a[:current], b, p, root)  # may be shorter than current: the rest is zero
        correction = np.zeros(current, dtype=np.int64)
        for i in range(min(current, product.shape[0])):
            correction[i] = (p - product[i]) if product[i] != 0 else 0
        correction[0] = (correction[0] + 2) % p
        b = poly_multiply(b, correction, p, root)[:current]
    return b


@njit(cache=True, nogil=True)
def poly_remainder(a, b, p, root):
    """``a mod b`` for a monic ``b`` of degree ``m = len(b) - 1 >= 1``: ``m`` coefficients."""
    m = b.shape[0] - 1
    na = a.shape[0]
    out = np.zeros(m, dtype=np.int64)
    if na <= m:
        out[:na] = a
        return out
    quotient_length = na - m
    p_inverse = 1.0 / p
    if min(quotient_length, m) < SCHOOLBOOK_LENGTH:
        work = a.copy()
        for k in range(na - 1, m - 1, -1):
            factor = work[k] % p
            if factor != 0:
                for j in range(m):
                    work[k - m + j] -= multiply_mod(factor, b[j], p, p_inverse)
                    if work[k - m + j] < 0:
                        work[k - m + j] += p
        out[:] = work[:m]
        return out
    reversed_a = a[::-1][:quotient_length].copy()
    reversed_b = b[::-1].copy()
    inverse = poly_inverse_series(reversed_b, quotient_length, p, root)
    quotient = poly_multiply(reversed_a, inverse, p, root)[:quotient_length][::-1].copy()
    product = poly_multiply(quotient, b[:m].copy(), p, root)  # b's leading 1 only touches degrees >= m
    for i in range(m):
        value = a[i] - product[i]
        out[i] = value + p if value < 0 else value
    return out


@njit(cache=True, nogil=True)
def product_tree(points, p, root):
    """Subproduct tree of ``m >= 1`` points: ``(data, offsets)``.

    Level ``l`` (``0 .. L``, ``2^L >= m``) has ``ceil(m / 2^l)`` nodes; node ``i`` is the monic
    ``prod (x - x_t)`` over points ``t`` in ``[i 2^l, min((i + 1) 2^l, m))``, stored in
    ``data[offsets[l] + i (2^l + 1) :][: 2^l + 1]`` (its degree is the number of its points;
    the slots above it are zero). The top level's single node is ``prod_t (x - x_t)``.
    """
    m = points.shape[0]
    levels = 1
    while (1 << (levels - 1)) < m:
        levels += 1
    offsets = np.zeros(levels + 1, dtype=np.int64)
    for level in range(levels):
        width = (1 << level) + 1
        offsets[level + 1] = offsets[level] + ((m + (1 << level) - 1) >> level) * width
    data = np.zeros(offsets[levels], dtype=np.int64)
    for t in range(m):
        data[2 * t] = (p - np.int64(points[t]) % p) % p
        data[2 * t + 1] = 1
    for level in range(1, levels):
        size = 1 << level
        child = size // 2
        for i in range((m + size - 1) >> level):
            start = offsets[level] + i * (size + 1)
            left = 2 * i
            left_start = offsets[level - 1] + left * (child + 1)
            left_degree = min(child, m - left * child)
            if (left + 1) * child >= m:  # no right child: copy
                data[start: start + left_degree + 1] = data[left_start: left_start + left_degree + 1]
                continue
            right_start = left_start + child + 1
            right_degree = min(child, m - (left + 1) * child)
            product = poly_multiply(data[left_start: left_start + left_degree + 1],
                                    data[right_start: right_start + right_degree + 1], p, root)
            data[start: start + product.shape[0]] = product
    return data, offsets


@njit(cache=True, nogil=True)
def _node(data, offsets, m, level, i):
    """Coefficients of node ``i`` of ``level`` (a view, degree + 1 entries)."""
    size = 1 << level
    start = offsets[level] + i * (size + 1)
    return data[start: start + min(size, m - i * size) + 1]


@njit(cache=True, nogil=True)
def _horner(coefficients, x, p, p_inverse):
    total = np.int64(0)
    for k in range(coefficients.shape[0] - 1, -1, -1):
        total = multiply_mod(total, x, p, p_inverse) + coefficients[k]
        if total >= p:
            total -= p
    return total


@njit(cache=True, nogil=True)
def evaluate_on_tree(coefficients, points, data, offsets, p, root):
    """``f(x_t)`` for every point of a subproduct tree (:func:`product_tree` of ``points``).

    ``f mod`` each node, from the root down to nodes of at most :data:`HORNER_LENGTH` points,
    whose (short) remainders are evaluated by Horner's rule.
    """
    m = points.shape[0]
    levels = offsets.shape[0] - 1
    p_inverse = 1.0 / p
    values = np.empty(m, dtype=np.int64)
    stop = 0
    while (1 << stop) < HORNER_LENGTH and stop < levels - 1:
        stop += 1
    top = levels - 1
    remainders = np.zeros((1, (1 << top)), dtype=np.int64)
    reduced = poly_remainder(coefficients, _node(data, offsets, m, top, 0), p, root)
    remainders[0, :reduced.shape[0]] = reduced
    for level in range(top - 1, stop - 1, -1):
        size = 1 << level
        count = (m + size - 1) >> level
        below = np.zeros((count, size), dtype=np.int64)
        for i in range(count):
            node = _node(data, offsets, m, level, i)
            parent_degree = min(2 * size, m - (i // 2) * 2 * size)
            reduced = poly_remainder(remainders[i // 2, :parent_degree], node, p, root)
            below[i, :reduced.shape[0]] = reduced
        remainders = below
    size = 1 << stop
    for i in range(remainders.shape[0]):
        for t in range(i * size, min((i + 1) * size, m)):
            values[t] = _horner(remainders[i], np.int64(points[t]) % p, p, p_inverse)
    return values


@njit(cache=True, nogil=True)
def multipoint_evaluate(coefficients, points, p, root):
    """``f(x_t)`` for all ``points`` (any, repeats allowed), ``O(m log^2 m)`` for ``m`` points.

    For ``deg f < m`` the points are taken in chunks of the smallest power of two above ``deg f``
    (``O(m log^2 deg f)``); at most :data:`HORNER_LENGTH` coefficients, Horner's rule.
    """
    m = points.shape[0]
    values = np.empty(m, dtype=np.int64)
    n_coefficients = coefficients.shape[0]
    p_inverse = 1.0 / p
    if n_coefficients <= HORNER_LENGTH:
        for t in range(m):
            values[t] = _horner(coefficients, np.int64(points[t]) % p, p, p_inverse)
        return values
    chunk = max(_transform_length(n_coefficients), m) if n_coefficients >= m else _transform_length(n_coefficients)
    for start in range(0, m, chunk):
        part = points[start: min(start + chunk, m)]
        data, offsets = product_tree(part, p, root)
        values[start: start + part.shape[0]] = evaluate_on_tree(coefficients, part, data, offsets, p, root)
    return values


@njit(cache=True, nogil=True)
def poly_from_roots(points, p, root):
    """Coefficients of ``prod_t (x - x_t)`` (length ``m + 1``; ``[1]`` for no points)."""
    if points.shape[0] == 0:
        return np.ones(1, dtype=np.int64)
    data, offsets = product_tree(points, p, root)
    return _node(data, offsets, points.shape[0], offsets.shape[0] - 2, 0).copy()


@njit(cache=True, nogil=True)
def combine_on_tree(weights, data, offsets, p, root):
    """``sum_t c_t prod_{u != t} (x - x_u)`` up a subproduct tree: ``m`` coefficients.

    Node numerators combine as ``N = N_left M_right + N_right M_left``.
    """
    m = weights.shape[0]
    levels = offsets.shape[0] - 1
    numerators = np.empty((m, 1), dtype=np.int64)
    numerators[:, 0] = weights
    for level in range(1, levels):
        size = 1 << level
        child = size // 2
        count = (m + size - 1) >> level
        above = np.zeros((count, size), dtype=np.int64)
        for i in range(count):
            left = 2 * i
            left_degree = min(child, m - left * child)
            if (left + 1) * child >= m:
                above[i, :left_degree] = numerators[left, :left_degree]
                continue
            right_degree = min(child, m - (left + 1) * child)
            first = poly_multiply(numerators[left, :left_degree].copy(),
                                  _node(data, offsets, m, level - 1, left + 1), p, root)
            second = poly_multiply(numerators[left + 1, :right_degree].copy(),
                                   _node(data, offsets, m, level - 1, left), p, root)
            for k in range(left_degree + right_degree):
                total = first[k] + second[k]
                above[i, k] = total - p if total >= p else total
        numerators = above
    return numerators[0, :m].copy()


@njit(cache=True, nogil=True)
def interpolate(points, values, p, root):
    """Coefficients (``m`` of them) of the polynomial of degree ``< m`` through ``(x_t, y_t)``, distinct ``x_t``.

    Lagrange: ``f = sum_t y_t / M'(x_t) prod_{u != t} (x - x_u)`` with ``M = prod_t (x - x_t)``;
    ``M'`` is evaluated down the subproduct tree and the sum is combined up it, ``O(m log^2 m)``.
    Repeated points raise ``ZeroDivisionError``.
    """
    m = points.shape[0]
    data, offsets = product_tree(points, p, root)
    top = _node(data, offsets, m, offsets.shape[0] - 2, 0)
    derivative = np.empty(m, dtype=np.int64)
    p_inverse = 1.0 / p
    for k in range(m):
        derivative[k] = multiply_mod(top[k + 1], np.int64(k + 1) % p, p, p_inverse)
    slopes = evaluate_on_tree(derivative, points, data, offsets, p, root)
    for t in range(m):
        if slopes[t] == 0:
            raise ZeroDivisionError("interpolation points must be distinct")
    inverses = gfp_batch_inverse(slopes, p)
    weights = np.empty(m, dtype=np.int64)
    for t in range(m):
        weights[t] = multiply_mod(np.int64(values[t]) % p, inverses[t], p, p_inverse)
    return combine_on_tree(weights, data, offsets, p, root)


@njit(cache=True, nogil=True)
def factorial_tables(count, p):
    """``(t! mod p, (t!)^{-1} mod p)`` for ``t = 0 .. count - 1`` (``count <= p``)."""
    p_inverse = 1.0 / p
    factorials = np.ones(max(count, 1), dtype=np.int64)
    for t in range(1, count):
        factorials[t] = multiply_mod(factorials[t - 1], np.int64(t), p, p_inverse)
    inverses = np.ones(max(count, 1), dtype=np.int64)
    inverses[count - 1] = gfp_inverse(factorials[count - 1], p)
    for t in range(count - 1, 0, -1):
        inverses[t - 1] = multiply_mod(inverses[t], np.int64(t), p, p_inverse)
    return factorials[:count], inverses[:count]
