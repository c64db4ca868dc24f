import numpy as np
import pytest
import scipy.sparse

from codedml.codes import (
    CyclicRepetition,
    FractionalRepetition,
    IgnoreStragglers,
    LinearGradientCode,
    UncodedScheme,
    check_b_span,
    decoding_conditioning,
)
from codedml.codes.gradient.repetition import golden_stride, is_prime
from codedml.errors import NonFiniteError, NotDecodableError, ParameterError, ShapeError, SizeError
from codedml.sim import HeterogeneousShiftedExponential, ShiftedExponential


@pytest.mark.parametrize("factory", [
    lambda: CyclicRepetition(5, 5), lambda: FractionalRepetition(4, 4), lambda: IgnoreStragglers(3, 7),
    lambda: CyclicRepetition(5, -1), lambda: UncodedScheme(0),
])
def test_s_at_least_n_or_negative_raises_parameter_error(factory):
    with pytest.raises(ParameterError, match="n_stragglers|n_workers"):
        factory()


def test_fractional_repetition_needs_n_multiple_of_s_plus_one():
    with pytest.raises(ParameterError, match="multiple of n_stragglers \\+ 1"):
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


@pytest.mark.parametrize("make", [
    lambda n: FractionalRepetition(n, 1), lambda n: CyclicRepetition(n, 1, seed=0), lambda n: UncodedScheme(n),
    lambda n: IgnoreStragglers(n, 1),
], ids=["fractional", "cyclic", "uncoded", "ignore"])
@pytest.mark.parametrize("n", [None, np.nan, np.inf, True, 4.5, "6", [6]])
def test_worker_counts_that_are_not_integers_raise_parameter_error(make, n):
    with pytest.raises(ParameterError, match="n_workers must be an integer >= 1"):
        make(n)


@pytest.mark.parametrize("call", [
    lambda: FractionalRepetition(6, None), lambda: CyclicRepetition(6, 1.5), lambda: IgnoreStragglers(6, np.nan),
    lambda: LinearGradientCode(np.eye(3), n_stragglers="1"),
])
def test_straggler_counts_that_are_not_integers_raise_parameter_error(call):
    with pytest.raises(ParameterError, match="n_stragglers must be an integer >= 0"):
        call()


@pytest.mark.parametrize("call", [
    lambda: FractionalRepetition(10**9, 0), lambda: CyclicRepetition(10**8, 20, seed=0),
    lambda: UncodedScheme(10**12), lambda: IgnoreStragglers(10**12, 1),
], ids=["fractional", "cyclic", "uncoded", "ignore"])
def test_huge_n_raises_size_error_before_allocating(call):
    with pytest.raises(SizeError, match=r"\(n_workers=10+, n_stragglers=\d+\)|\(n_workers=10+\)"):
        call()


@pytest.mark.parametrize("call, message", [
    (lambda: CyclicRepetition(6, 1, seed="x"), "seed must be None, an integer >= 0 or a numpy.random.Generator"),
    (lambda: CyclicRepetition(6, 1, seed=-1), "seed must be None"),
    (lambda: CyclicRepetition(6, 1, construction=None), "construction must be one of 'auto', 'cyclic-mds'"),
    (lambda: CyclicRepetition(6, 1, residual_tolerance=np.nan),
     r"residual_tolerance must be a finite real number in \[0"),
    (lambda: CyclicRepetition(6, 1, residual_tolerance="a"), "residual_tolerance must be a finite real number"),
    (lambda: LinearGradientCode(np.eye(3), residual_tolerance=-1.0), "residual_tolerance must be a finite real"),
    (lambda: FractionalRepetition(6, 1, cache_size=-1), "cache_size must be an integer >= 0"),
    (lambda: UncodedScheme(3, cache_size=None), "cache_size must be an integer >= 0"),
    (lambda: golden_stride(None), "n must be an integer >= 1"),
    (lambda: is_prime(2.5), "n must be an integer"),
])
def test_bad_code_parameters_raise_parameter_error_naming_them(call, message):
    with pytest.raises(ParameterError, match=message):
        call()


@pytest.mark.parametrize("matrix, error, message", [
    (np.eye(3) * 1j, ParameterError, "encoding_matrix must be real; got complex"),
    (scipy.sparse.csr_array(np.eye(3) * 1j), ParameterError, "encoding_matrix must be real; got complex"),
    (np.full((2, 2), np.nan), NonFiniteError, "encoding_matrix holds 4 NaN"),
    (scipy.sparse.csr_array(np.array([[np.inf, 1.0]])), NonFiniteError, "encoding_matrix holds 1 NaN"),
    ([["a", "b"]], ParameterError, "encoding_matrix must be numeric"),
    (np.array([[1, None]], dtype=object), ParameterError, "encoding_matrix must be numeric"),
    ([[1, 2], [3]], ShapeError, "encoding_matrix must be a rectangular numeric array"),
    (None, ParameterError, "encoding_matrix must be an array, got None"),
    (np.ones(3), ShapeError, r"encoding_matrix must have 2 dimension\(s\)"),
    (np.ones((2, 2, 2)), ShapeError, r"encoding_matrix must have 2 dimension\(s\)"),
    (np.zeros((0, 3)), ShapeError, "encoding_matrix must be a non-empty 2-D matrix"),
    (scipy.sparse.csr_array((3, 0)), ShapeError, "encoding_matrix must be a non-empty 2-D matrix"),
])
def test_linear_code_refuses_matrices_that_are_not_finite_real_and_rectangular(matrix, error, message):
    with pytest.raises(error, match=message):
        LinearGradientCode(matrix)


def test_linear_code_accepts_integer_boolean_and_sparse_matrices():
    for matrix in (np.eye(3, dtype=np.int64), np.eye(3, dtype=bool), scipy.sparse.identity(3, format="coo")):
        code = LinearGradientCode(matrix)
        assert float(code.decode([2, 0, 1], np.array([3.0, 1.0, 2.0]))) == 6.0


@pytest.mark.parametrize("survivors, error, message", [
    ([0, 3], ParameterError, r"survivors must hold integers in \[0, 2\]"),
    ([1, 1], ParameterError, "survivors holds an id more than once"),
    ([0.5], ParameterError, "survivors must hold integers"),
    (None, ParameterError, "survivors must be an array"),
])
def test_encoding_rows_validate_the_survivor_ids(survivors, error, message):
    with pytest.raises(error, match=message):
        LinearGradientCode(np.eye(3)).encoding_rows(survivors)


@pytest.mark.parametrize("call, message", [
    (lambda: check_b_span(None), "code must be a GradientCode, got NoneType"),
    (lambda: check_b_span(UncodedScheme(3), exhaustive_limit=None), "exhaustive_limit must be an integer >= 0"),
    (lambda: check_b_span(CyclicRepetition(30, 5, seed=0), exhaustive_limit=1, n_samples=-1),
     "n_samples must be an integer >= 1"),
    (lambda: check_b_span(CyclicRepetition(30, 5, seed=0), exhaustive_limit=1, seed="x"), "seed must be None"),
    (lambda: check_b_span(UncodedScheme(3), tolerance=np.nan), "tolerance must be a finite real number"),
    (lambda: decoding_conditioning(None), r"code must provide decode, decoding_matrix, random_results "
                                          r"\(a GradientCode or MDSCodedComputation does\); NoneType lacks"),
    (lambda: decoding_conditioning(UncodedScheme(3), n_samples=None), "n_samples must be an integer >= 0"),
    (lambda: decoding_conditioning(UncodedScheme(3), dimension=0), "dimension must be an integer >= 1"),
    (lambda: decoding_conditioning(UncodedScheme(3), seed="x"), "seed must be None"),
])
def test_b_span_and_conditioning_checks_refuse_bad_arguments(call, message):
    with pytest.raises(ParameterError, match=message):
        call()


def test_worker_loads_of_a_huge_sparse_code_are_computed_without_a_dense_matrix():
    code = FractionalRepetition(10**6, 1)  # the dense assignment would need 10^12 bytes
    assert code.computation_load == 2 and code.worker_loads.shape == (10**6,)
    with pytest.raises(SizeError, match="assignment"):
        _ = code.assignment
