import numpy as np
import pytest

from codedml.codes import CyclicRepetition, FractionalRepetition, IgnoreStragglers, LinearGradientCode, UncodedScheme
from codedml.errors import NonFiniteError, NotDecodableError, ParameterError, ShapeError
from codedml.sim import HeterogeneousShiftedExponential, ShiftedExponential


@pytest.mark.parametrize("factory", [
    lambda: CyclicRepetition(5, 5), lambda: FractionalRepetition(4, 4), lambda: IgnoreStragglers(3, 7),
    lambda: CyclicRepetition(5, -1), lambda: UncodedScheme(0),
])
def test_s_at_least_n_or_negative_raises_parameter_error(factory):
    with pytest.raises(ParameterError, match="n_stragglers|n_workers"):
        factory()


def test_fractional_repetition_needs_n_multiple_of_s_plus_one():
    with pytest.raises(ParameterError, match="multiple of s \\+ 1"):
        FractionalRepetition(10, 3)


def test_unknown_cyclic_construction_and_odd_s_cyclic_mds_raise():
    with pytest.raises(ParameterError, match="construction"):
        CyclicRepetition(10, 2, construction="magic")
    with pytest.raises(ParameterError, match="even s"):
        CyclicRepetition(10, 3, construction="cyclic-mds")


def test_partials_with_the_wrong_number_of_rows_raise_shape_error():
    with pytest.raises(ShapeError, match="one row per partition"):
        CyclicRepetition(6, 2, seed=0).encode(np.zeros((5, 3)))


def test_messages_with_the_wrong_number_of_rows_raise_shape_error():
    code = CyclicRepetition(6, 2, seed=0)
    with pytest.raises(ShapeError, match="one row per received message"):
        code.decode([0, 1, 2, 3], np.zeros((3, 2)))


def test_mask_of_wrong_length_and_out_of_range_ids_are_rejected():
    code = UncodedScheme(4)
    with pytest.raises(ShapeError, match="received as a boolean mask"):
        code.is_decodable(np.ones(5, dtype=bool))
    with pytest.raises(ParameterError, match=r"received must hold integers in \[0, 3\]"):
        code.is_decodable([0, 4])
    with pytest.raises(ParameterError, match="more than once"):
        code.is_decodable([1, 1])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_partials_and_messages_raise(bad):
    code = CyclicRepetition(6, 2, seed=0)
    partials = np.ones((6, 2))
    partials[3, 1] = bad
    with pytest.raises(NonFiniteError, match="partials holds 1 NaN or infinite"):
        code.encode(partials)
    messages = np.ones((4, 2))
    messages[0, 0] = bad
    with pytest.raises(NonFiniteError, match="messages"):
        code.decode([0, 1, 2, 3], messages)


def test_not_decodable_error_says_how_many_arrived_and_are_needed():
    with pytest.raises(NotDecodableError, match="needs all 5 messages, received 3") as info:
        UncodedScheme(5).decode([0, 1, 2], np.zeros(3))
    assert (info.value.received, info.value.needed) == (3, 5)


def test_linear_code_refuses_survivors_that_do_not_span_ones():
    code = LinearGradientCode(np.eye(3))
    with pytest.raises(NotDecodableError, match="do not span"):
        code.decoding_vector([0, 1])


def test_straggler_model_parameters_are_validated():
    with pytest.raises(ParameterError, match="mu"):
        ShiftedExponential(mu=0)
    with pytest.raises(ParameterError, match="alpha"):
        ShiftedExponential(alpha=-1)
    with pytest.raises(ParameterError, match="rates for 3 workers"):
        HeterogeneousShiftedExponential([1, 2, 3]).unit_times(2, 4, np.random.default_rng(0))
