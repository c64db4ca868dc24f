import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from codedml.errors import NonFiniteError, ParameterError, ShapeError
from codedml.learn.quantize import (
    levels,
    message_bits,
    omega,
    omega_scale,
    pack,
    quantize,
    quantize_messages,
    unpack,
)

DRAWS = 10_000


@pytest.mark.parametrize("bits", [2, 3, 4])
def test_mean_of_10000_quantisations_is_within_3_standard_errors_of_x(bits):
    rng = np.random.default_rng(bits)
    x = rng.standard_normal(16)
    draws = quantize_messages(np.tile(x, (DRAWS, 1)), np.full(DRAWS, bits), rng)
    standard_error = draws.std(axis=0, ddof=1) / math.sqrt(DRAWS)
    exact = standard_error == 0  # a coordinate on a level is sent exactly
    assert np.all(np.abs(draws.mean(axis=0) - x)[~exact] <= 3 * standard_error[~exact])
    assert np.allclose(draws.mean(axis=0)[exact], x[exact])


@pytest.mark.parametrize("bits", [2, 3, 5])
def test_empirical_variance_is_below_the_omega_bound(bits):
    rng = np.random.default_rng(10 + bits)
    x = rng.standard_normal(64)
    draws = quantize_messages(np.tile(x, (DRAWS, 1)), np.full(DRAWS, bits), rng)
    error = np.mean(np.sum((draws - x) ** 2, axis=1))
    assert error <= omega(bits, omega_scale(x.size)) * np.dot(x, x)


def test_single_vector_quantizer_agrees_with_the_row_helper():
    x = np.random.default_rng(0).standard_normal(30)
    one = quantize(x, 4, np.random.default_rng(9))
    rows = quantize_messages(x[None, :], np.array([4]), np.random.default_rng(9))
    assert np.array_equal(one, rows[0])


def test_values_lie_on_the_levels_of_the_norm():
    rng = np.random.default_rng(1)
    x = rng.standard_normal(50)
    q = quantize(x, 3, rng)
    steps = np.abs(q) / (np.linalg.norm(x) / levels(3))
    assert np.allclose(steps, np.round(steps), atol=1e-5) and steps.max() <= 3 + 1e-6
    assert np.all((np.sign(q) == np.sign(x)) | (q == 0))


@settings(max_examples=60)
@given(x=arrays(np.float64, st.integers(1, 70), elements=st.floats(-1e6, 1e6, allow_subnormal=False)),
       bits=st.integers(2, 32), seed=st.integers(0, 2**32 - 1))
def test_pack_is_exactly_32_plus_d_b_bits_and_unpack_round_trips(x, bits, seed):
    payload = pack(x, bits, np.random.default_rng(seed))
    assert message_bits(x.size, bits) == 32 + x.size * bits
    assert len(payload) == math.ceil(message_bits(x.size, bits) / 8) == 4 + math.ceil(x.size * bits / 8)
    assert np.array_equal(unpack(payload, bits, x.size), quantize(x, bits, np.random.default_rng(seed)))


def test_zero_vector_quantises_to_zero():
    assert np.array_equal(unpack(pack(np.zeros(5), 2, np.random.default_rng(0)), 2, 5), np.zeros(5))


def test_idle_workers_send_zero_rows():
    rng = np.random.default_rng(2)
    out = quantize_messages(rng.standard_normal((3, 4)), np.array([0, 2, 8]), rng)
    assert np.array_equal(out[0], np.zeros(4)) and np.any(out[2] != 0)


def test_omega_formula():
    assert omega(2, 1.0) == 1.0
    assert omega(np.array([3, 4]), 49.0).tolist() == [49 / 9, 1.0]
    assert omega_scale(8) == 2.0


@pytest.mark.parametrize("bits", [1, 0, 33, 2.5])
def test_bits_outside_2_to_32_are_refused(bits):
    with pytest.raises(ParameterError, match="bits per coordinate"):
        quantize(np.ones(3), bits, np.random.default_rng(0))


def test_bad_inputs_are_refused():
    rng = np.random.default_rng(0)
    with pytest.raises(ParameterError, match=r"bits b must hold integers in \[2, 1024\]"):
        omega(1, 1.0)
    with pytest.raises(ParameterError, match="bits per coordinate"):
        quantize_messages(np.ones((2, 3)), np.array([2, 1]), rng)
    with pytest.raises(ShapeError, match="one entry per message row"):
        quantize_messages(np.ones((2, 3)), np.array([2]), rng)
    with pytest.raises(NonFiniteError):
        quantize(np.array([1.0, np.inf]), 3, rng)
    with pytest.raises(ShapeError, match="takes 6 bytes"):
        unpack(b"\x00" * 5, 2, 8)
