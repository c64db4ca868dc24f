"""ReedSolomon: systematic encoding, recovery from every k-subset, large GF(2^16) codes, bad input."""

import itertools

import galois
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from codedml.codes.erasure.reed_solomon import ReedSolomon
from codedml.errors import FieldTooSmallError, NotDecodableError, ParameterError, ShapeError


@pytest.mark.parametrize("field", ["gf2^8", "gf2^16"])
def test_encode_is_systematic_and_parity_equals_galois_generator_product(field):
    code = ReedSolomon(8, 5, field=field)
    data = np.random.default_rng(0).integers(0, 256, (5, 36), dtype=np.uint8)
    shards = code.encode(data)
    assert shards.dtype == np.uint8 and shards.shape == (8, 36)
    assert np.array_equal(shards[:5], data)
    gf = code.field.galois_field
    symbols = data.view(code.field.dtype)
    expected = gf(code.generator_matrix) @ gf(symbols)
    assert np.array_equal(shards.view(code.field.dtype), np.asarray(expected))


@pytest.mark.parametrize("field", ["gf2^8", "gf2^16"])
def test_every_k_subset_of_shards_recovers_the_data(field):
    code = ReedSolomon(8, 5, field=field)
    data = np.random.default_rng(1).integers(0, 256, (5, 22), dtype=np.uint8)
    shards = code.encode(data)
    for subset in itertools.combinations(range(8), 5):
        received = np.array(subset)[::-1]  # order of arrival must not matter
        assert np.array_equal(code.decode(received, shards[received]), data), subset


def test_more_than_k_shards_decode():
    code = ReedSolomon(10, 4)
    data = np.random.default_rng(2).integers(0, 256, (4, 9), dtype=np.uint8)
    shards = code.encode(data)
    received = np.array([9, 0, 7, 3, 5, 6])
    assert np.array_equal(code.decode(received, shards[received]), data)


def test_gf65536_code_with_4096_shards_recovers_from_random_and_worst_case_subsets():
    n, k = 4096, 2048
    code = ReedSolomon(n, k, field="gf2^16")
    rng = np.random.default_rng(3)
    data = rng.integers(0, 2**16, (k, 4), dtype=np.uint16)
    shards = code.encode(data)
    assert shards.dtype == np.uint16
    worst = np.arange(n - k, n)  # the first n - k data shards lost, every parity shard used
    subsets = [worst] + [rng.choice(n, k, replace=False) for _ in range(3)]
    for received in subsets:
        assert np.array_equal(code.decode(received, shards[received]), data)


@given(n_parity=st.integers(0, 6), k=st.integers(1, 12), width=st.integers(0, 40), seed=st.integers(0, 2**32 - 1),
       field=st.sampled_from(["gf2^8", "gf2^16"]))
def test_random_codes_recover_from_random_subsets(n_parity, k, width, seed, field):
    code = ReedSolomon(k + n_parity, k, field=field)
    rng = np.random.default_rng(seed)
    data = rng.integers(0, 256, (k, 2 * width), dtype=np.uint8)
    shards = code.encode(data)
    received = rng.choice(code.n_coded, k + int(rng.integers(0, n_parity + 1)), replace=False)
    assert np.array_equal(code.decode(received, shards[received]), data)


def test_parity_matches_galois_on_edge_symbols():
    code = ReedSolomon(6, 3, field="gf2^16")
    data = np.array([[0, 1, 0xFFFF, 2], [0xFFFF, 0xFFFF, 1, 0], [1, 0, 0x8000, 0xFFFE]], dtype=np.uint16)
    gf = galois.GF(2**16)
    assert np.array_equal(code.encode(data), np.asarray(gf(code.generator_matrix) @ gf(data)))


def test_too_few_shards_raise_not_decodable_with_counts():
    code = ReedSolomon(8, 5)
    shards = code.encode(np.zeros((5, 4), dtype=np.uint8))
    with pytest.raises(NotDecodableError) as info:
        code.decode([0, 6, 7, 2], shards[[0, 6, 7, 2]])
    assert (info.value.received, info.value.needed) == (4, 5)
    with pytest.raises(NotDecodableError):
        code.decode([], np.zeros((0, 4), dtype=np.uint8))


def test_bad_parameters_and_shapes_raise():
    with pytest.raises(FieldTooSmallError):
        ReedSolomon(257, 200)
    with pytest.raises(ParameterError):
        ReedSolomon(4, 5)
    with pytest.raises(ParameterError):
        ReedSolomon(4, 2, field="gfp")
    code = ReedSolomon(6, 3, field="gf2^16")
    with pytest.raises(ShapeError):
        code.encode(np.zeros((3, 5), dtype=np.uint8))  # odd number of bytes over GF(2^16)
    with pytest.raises(ShapeError):
        code.encode(np.zeros((2, 4), dtype=np.uint8))
    shards = code.encode(np.zeros((3, 4), dtype=np.uint8))
    with pytest.raises(ParameterError):
        code.decode([0, 0, 1], shards[[0, 0, 1]])
    with pytest.raises(ParameterError):
        code.decode([0, 1, 6], shards[[0, 1, 2]])
    with pytest.raises(ShapeError):
        code.decode([0, 1, 2], shards[[0, 1]])


def test_largest_gf256_code_has_256_shards():
    code = ReedSolomon(256, 200)
    data = np.random.default_rng(4).integers(0, 256, (200, 8), dtype=np.uint8)
    shards = code.encode(data)
    received = np.arange(56, 256)
    assert np.array_equal(code.decode(received, shards[received]), data)
