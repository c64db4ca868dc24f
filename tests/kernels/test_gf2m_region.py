"""Split-nibble GF(2^8) region kernels (codedml.kernels.gf2m_nibble) against galois and the bit-sliced kernels."""

import galois
import numpy as np
import pytest

from codedml.fields.galois_fields import binary_extension_field
from codedml.kernels import gf2m, gf2m_nibble

FIELD = binary_extension_field(8)
GF = galois.GF(2**8, irreducible_poly=(1 << 8) | FIELD.reduction)


def _random_bytes(seed, shape):
    values = np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)
    flat = values.reshape(-1)
    flat[:4] = np.array([0, 255, 0, 255], dtype=np.uint8)[:flat.size]  # the extremes always present
    return values


@pytest.mark.parametrize("constants, length", [(256, 0), (256, 1), (256, 15), (256, 64), (256, 200),
                                               (4, 2 * gf2m_nibble.BLOCK_BYTES + 77)])
def test_nibble_matrix_times_buffers_equals_galois(constants, length):
    side = int(np.sqrt(constants))
    matrix = np.arange(256, 256 - constants, -1).astype(np.uint8).reshape(side, side)  # 256 -> 0 included
    buffers = _random_bytes(length, (side, length))
    if length:
        buffers[0] = 0
        buffers[1] = 255
    targets = _random_bytes(length + 1, (side, length))
    expected = np.asarray(GF(targets) + GF(matrix) @ GF(buffers))
    gf2m_nibble.gf2m_nibble_matrix_times_buffers_add(matrix, buffers, targets, FIELD.reduction)
    np.testing.assert_array_equal(targets, expected)


def test_nibble_tables_hold_products_in_every_lane():
    matrix = np.array([[0, 1, 2, 29, 255]], dtype=np.uint8)
    tables = gf2m_nibble.gf2m_nibble_tables(matrix, FIELD.reduction).reshape(5, 2, -1)
    width = gf2m_nibble.VECTOR_BYTES
    for entry, constant in enumerate(matrix[0]):
        nibbles = np.tile(np.arange(16, dtype=np.uint8), width // 16)
        np.testing.assert_array_equal(tables[entry, 0], np.asarray(GF(int(constant)) * GF(nibbles)))
        np.testing.assert_array_equal(tables[entry, 1], np.asarray(GF(int(constant)) * GF(nibbles << 4)))


def test_portable_lookup_equals_shuffle_kernel():
    matrix = np.array([[7, 0, 255]], dtype=np.uint8)
    buffers = _random_bytes(3, (3, 256))
    tables = gf2m_nibble.gf2m_nibble_tables(matrix, FIELD.reduction)
    width = gf2m_nibble.VECTOR_BYTES
    target = np.zeros(256, dtype=np.uint8)
    for j in range(3):
        for offset in range(0, 256, 16):
            gf2m_nibble._lookup_multiply_add(tables, 2 * width * j, buffers[j], offset, target, offset)
    expected = np.zeros((1, 256), dtype=np.uint8)
    gf2m_nibble.gf2m_nibble_matrix_times_buffers_add(matrix, buffers, expected, FIELD.reduction)
    np.testing.assert_array_equal(target, expected[0])


@pytest.mark.parametrize("coefficient", [0, 1, 2, 3, 29, 128, 254, 255])
def test_long_region_multiply_add_equals_bit_sliced_short_regions(coefficient):
    length = 4 * gf2m.SHUFFLE_MIN_BYTES + 5
    source = _random_bytes(coefficient, length)
    target = _random_bytes(coefficient + 1, length)
    expected = target.copy()
    for start in range(0, length, gf2m.SHUFFLE_MIN_BYTES - 1):  # below the threshold: the bit-sliced kernel
        stop = min(start + gf2m.SHUFFLE_MIN_BYTES - 1, length)
        gf2m.gf2m_region_multiply_add(coefficient, source[start:stop], expected[start:stop], 8, FIELD.reduction)
    gf2m.gf2m_region_multiply_add(coefficient, source, target, 8, FIELD.reduction)
    np.testing.assert_array_equal(target, expected)
    np.testing.assert_array_equal(expected, np.asarray(GF(_random_bytes(coefficient + 1, length))
                                                       + GF(coefficient) * GF(source)))
