"""Unit tests of the validation layer, codedml._validation."""

import numpy as np
import pytest

from codedml import _validation as v
from codedml.errors import NonFiniteError, ParameterError, ShapeError, SizeError


@pytest.mark.parametrize("value, expected",
                         [(4, 4), (np.int32(4), 4), (4.0, 4), (np.float64(-2.0), -2), (2**70, 2**70)])
def test_integer_accepts_integers_and_integral_floats(value, expected):
    result = v.integer(value, "n")
    assert result == expected and type(result) is int


@pytest.mark.parametrize("value", [None, True, np.bool_(False), np.nan, np.inf, -np.inf, 2.5, "3", [3], 1j])
def test_integer_refuses_none_bool_non_finite_fractional_and_strings(value):
    with pytest.raises(ParameterError, match="n_workers must be an integer"):
        v.integer(value, "n_workers")


def test_integer_range_is_named_in_the_message():
    with pytest.raises(ParameterError, match=r"s must be an integer in \[0, 4\], got 5"):
        v.integer(5, "s", minimum=0, maximum=4)
    with pytest.raises(ParameterError, match="n must be an integer >= 1, got 0"):
        v.integer(0, "n", minimum=1)
    assert v.optional_integer(None, "n") is None


@pytest.mark.parametrize("value", [None, "1", np.nan, np.inf, True, 1j, 10**400])
def test_real_refuses_non_numbers_non_finite_and_out_of_float_range(value):
    with pytest.raises(ParameterError, match="tol must be a finite real number"):
        v.real(value, "tol")


def test_real_and_probability_intervals():
    assert v.real(3, "x") == 3.0
    with pytest.raises(ParameterError, match=r"mu must be a finite real number in \(0, inf\), got 0.0"):
        v.real(0, "mu", minimum=0.0, open_minimum=True)
    with pytest.raises(ParameterError, match=r"p must be a finite real number in \[0, 1\]"):
        v.probability(1.5, "p")
    with pytest.raises(ParameterError, match=r"in \[0, 1\)"):
        v.probability(1.0, "p", open_maximum=True)


def test_choice_and_flag():
    assert v.choice("a", "kind", ("a", "b")) == "a"
    for bad in ("c", None, ["a"]):
        with pytest.raises(ParameterError, match="kind must be one of 'a', 'b'"):
            v.choice(bad, "kind", ("a", "b"))
    assert v.flag(np.bool_(True), "f") is True
    with pytest.raises(ParameterError, match="f must be True or False"):
        v.flag(1, "f")


def test_rng_takes_none_seed_or_generator_and_names_the_argument():
    generator = np.random.default_rng(0)
    assert v.rng(generator) is generator
    assert v.rng(3).random() == np.random.default_rng(3).random()
    assert isinstance(v.rng(None), np.random.Generator)
    for bad in ("x", -1, 1.5, np.random.RandomState(0)):
        with pytest.raises(ParameterError, match="seed must be None, an integer >= 0 or a numpy.random.Generator"):
            v.rng(bad)
    assert v.seed_integer(None) is None and v.seed_integer(7) == 7
    assert 0 <= v.seed_integer(np.random.default_rng(0)) < 2**62
    with pytest.raises(ParameterError, match="my_seed must be None"):
        v.seed_integer(-1, "my_seed")


def test_array_size_refuses_above_the_limit_naming_the_array():
    v.array_size(10, "small")
    with pytest.raises(SizeError, match="the n x n matrix \\(n=10\\^6\\) would need 7.45e\\+03 GiB"):
        v.array_size(10**12, "the n x n matrix (n=10^6)")
    with pytest.raises(SizeError, match="limit"):
        v.array_size(100, "tiny", limit=10)


def test_real_array_converts_and_refuses_complex_strings_ragged_and_non_finite():
    result = v.real_array([[1, 2], [3, 4]], "m", ndim=2)
    assert result.dtype == np.float64 and result.flags.c_contiguous
    assert v.real_array(np.ones((4, 4))[:, ::2], "m").flags.c_contiguous
    assert v.real_array(2.0, "x").shape == ()  # 0-d stays 0-d
    with pytest.raises(ParameterError, match="m must be real; got complex"):
        v.real_array([1j], "m")
    with pytest.raises(ParameterError, match="m must be numeric"):
        v.real_array(["a"], "m")
    with pytest.raises(ParameterError, match="m must be numeric"):
        v.real_array([1, None], "m")
    with pytest.raises(ShapeError, match="m must be a rectangular numeric array"):
        v.real_array([[1, 2], [3]], "m")
    with pytest.raises(ParameterError, match="m must be an array, got None"):
        v.real_array(None, "m")
    with pytest.raises(NonFiniteError, match="m holds 2 NaN or infinite"):
        v.real_array([np.nan, 1.0, np.inf], "m")
    assert np.isnan(v.real_array([np.nan], "m", finite=False)[0])


def test_real_array_shape_checks_name_the_wanted_shape():
    with pytest.raises(ShapeError, match=r"m must have 2 dimension\(s\), got shape \(3,\)"):
        v.real_array([1, 2, 3], "m", ndim=2)
    with pytest.raises(ShapeError, match=r"m must have shape \(any, 3\), got \(2, 2\)"):
        v.real_array(np.zeros((2, 2)), "m", shape=(None, 3))
    assert v.real_array(np.zeros((5, 3)), "m", shape=(None, 3)).shape == (5, 3)


def test_integer_array_refuses_fractions_bools_and_values_beyond_int64():
    assert v.integer_array([1.0, 2.0], "ids").dtype == np.int64
    with pytest.raises(ParameterError, match="ids must hold integers; got non-integral"):
        v.integer_array([1.5], "ids")
    with pytest.raises(ParameterError, match="ids must hold integers; got non-integral or non-finite"):
        v.integer_array([np.nan], "ids")
    with pytest.raises(ParameterError, match="ids must hold integers, got dtype bool"):
        v.integer_array([True], "ids")
    with pytest.raises(ParameterError,
                       match=r"ids must hold integers in \[-9223372036854775808, 9223372036854775807\]"):
        v.integer_array(np.array([2**64 - 1], dtype=np.uint64), "ids")
    with pytest.raises(ParameterError, match="ids must hold integers in"):
        v.integer_array([1e30], "ids")
    with pytest.raises(ParameterError, match=r"ids must hold integers in \[0, 4\]; got values from -1 to 2"):
        v.integer_array([-1, 2], "ids", minimum=0, maximum=4)


def test_field_elements_are_integers_below_the_order():
    assert v.field_elements([0, 6], "x", 7).tolist() == [0, 6]
    for bad in ([7], [-1], [1j]):
        with pytest.raises(ParameterError, match="x must hold integers"):
            v.field_elements(bad, "x", 7)
    for bad in ([1.5], [2.0]):  # floats are refused even when integral: quantize first
        with pytest.raises(ParameterError, match=r"x must hold field elements: integers in \[0, 6\]"):
            v.field_elements(bad, "x", 7)


def test_ids_keep_the_given_order_and_refuse_duplicates_out_of_range_and_bad_masks():
    assert v.ids([3, 0, 2], "received", 4).tolist() == [3, 0, 2]
    assert v.ids(np.array([True, False, True, True]), "received", 4).tolist() == [0, 2, 3]
    assert v.ids([], "received", 4).size == 0
    with pytest.raises(ParameterError, match="received holds an id more than once"):
        v.ids([1, 1], "received", 4)
    assert v.ids([1, 1], "workers", 4, unique=False).tolist() == [1, 1]
    with pytest.raises(ParameterError, match=r"received must hold integers in \[0, 3\]"):
        v.ids([4], "received", 4)
    with pytest.raises(ShapeError, match=r"received as a boolean mask must have shape \(4,\)"):
        v.ids(np.ones(3, dtype=bool), "received", 4)
    with pytest.raises(ParameterError, match="must be an integer id array, got a boolean array"):
        v.ids(np.ones(4, dtype=bool), "order", 4, mask=False)
    with pytest.raises(ShapeError, match="received must be a 1-D array of ids"):
        v.ids([[0, 1]], "received", 4)
    assert v.received_ids([2, 1], 3).tolist() == [2, 1]


def test_id_rows_end_a_row_with_minus_one_only():
    assert v.id_rows([[0, 2, -1]], "orders", 3).tolist() == [[0, 2, -1]]
    with pytest.raises(ParameterError, match="orders: -1 ends a row; no id may follow it"):
        v.id_rows([[0, -1, 2]], "orders", 3)
    with pytest.raises(ParameterError, match=r"orders must hold integers in \[-1, 2\]"):
        v.id_rows([[3]], "orders", 3)


def test_arrival_times_allow_plus_infinity_and_refuse_nan_and_minus_infinity():
    times = v.arrival_times([[0.5, np.inf]], "finish_times", 2)
    assert times.dtype == np.float64 and times[0, 1] == np.inf
    for bad in (np.nan, -np.inf):
        with pytest.raises(NonFiniteError, match="finish_times holds NaN or -inf"):
            v.arrival_times([[0.5, bad]], "finish_times", 2)
    with pytest.raises(ShapeError, match=r"finish_times must have shape \(any, 2\)"):
        v.arrival_times([[0.5, 1.0, 2.0]], "finish_times", 2)
    with pytest.raises(ShapeError, match="finish_times must have 2 dimension"):
        v.arrival_times([0.5, 1.0], "finish_times", 2)


def test_instance_names_the_expected_class():
    assert v.instance(3, "x", int) == 3
    with pytest.raises(ParameterError, match="model must be a int or float, got NoneType"):
        v.instance(None, "model", (int, float))


def test_received_rows_pairs_rows_with_received_or_takes_them_by_id():
    order = np.array([3, 0, 2])
    assert v.received_rows(3, order, 5, "messages") is None
    np.testing.assert_array_equal(v.received_rows(5, order, 5, "messages"), order)
    with pytest.raises(ShapeError, match="messages must have one row per received message"):
        v.received_rows(4, order, 5, "messages")
    # every id received: row i belongs to received[i], whatever the order
    assert v.received_rows(3, np.array([2, 0, 1]), 3, "messages") is None
