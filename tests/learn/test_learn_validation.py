"""The learn layer (quantizer, models, training, ADMM) refuses bad input with a named error."""

import numpy as np
import pytest

from codedml.codes import UncodedScheme
from codedml.codes.gradient.approximate import IgnoreStragglersSGD
from codedml.errors import NonFiniteError, ParameterError, ShapeError, SizeError
from codedml.learn.admm import (
    incremental_admm,
    random_connected_graph,
    synthetic_least_squares,
    token_cycle,
)
from codedml.learn.models import OneHiddenLayerMLP, SoftmaxRegression, partition_data, synthetic_classification
from codedml.learn.quantize import dequantize, message_bits, omega_scale, pack, quantize, quantize_messages, unpack
from codedml.learn.training import second_moment_decoder, train_centralized, train_coded
from codedml.sim import ShiftedExponential

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("x, error, match", [
    (None, ParameterError, "x must be an array, got None"),
    ("abc", ParameterError, "x must be numeric"),
    (np.array([1.0 + 1j, 2.0]), ParameterError, "x must be real"),
    (np.array([1.0, np.nan]), NonFiniteError, "x holds"),
    (np.ones((2, 2)), ShapeError, "x must have 1"),
    (np.ones(0), ShapeError, "non-empty"),
])
def test_quantize_refuses_bad_vectors_naming_them(x, error, match):
    with pytest.raises(error, match=match):
        quantize(x, 3, RNG)
    with pytest.raises(error, match=match):
        pack(x, 3, RNG)


@pytest.mark.parametrize("bits", [None, float("nan"), "3", True])
def test_quantize_refuses_bad_bits_naming_them(bits):
    with pytest.raises(ParameterError, match="bits per coordinate"):
        quantize(np.ones(3), bits, RNG)


def test_quantizer_helpers_refuse_bad_arguments_naming_them():
    with pytest.raises(ParameterError, match="messages"):
        quantize_messages(None, [2], RNG)
    with pytest.raises(NonFiniteError, match="messages"):
        quantize_messages(np.array([[np.inf, 1.0]]), [2], RNG)
    with pytest.raises(ParameterError, match="bits per coordinate"):
        quantize_messages(np.ones((2, 3)), [2.5, 2], RNG)
    with pytest.raises(ParameterError, match="rng"):
        quantize(np.ones(3), 3, "rng")
    with pytest.raises(ParameterError, match="dimension"):
        omega_scale(None)
    with pytest.raises(ParameterError, match="dimension"):
        message_bits(float("nan"), 3)
    with pytest.raises(ParameterError, match="dimension"):
        unpack(b"\x00" * 6, 2, None)
    with pytest.raises(ParameterError, match="payload"):
        unpack(None, 2, 8)
    with pytest.raises(ParameterError, match="norm"):
        dequantize([0], [1], float("nan"), 3)
    with pytest.raises(ParameterError, match="level"):
        dequantize([0], [7], 1.0, 3)


def test_models_and_data_refuse_bad_arguments_naming_them():
    features, labels = synthetic_classification(20, 3, 2, np.random.default_rng(1))
    with pytest.raises(NonFiniteError, match="features"):
        partition_data(np.where(features > 1, np.nan, features), labels, 2)
    with pytest.raises(ParameterError, match="labels"):
        partition_data(features, labels - 1, 2)
    with pytest.raises(ShapeError, match="labels"):
        partition_data(features, labels[:5], 2)
    with pytest.raises(ParameterError, match="n_partitions"):
        partition_data(features, labels, None)
    with pytest.raises(ParameterError, match="features must be real"):
        partition_data(features + 1j, labels, 2)
    with pytest.raises(ParameterError, match="n_samples"):
        synthetic_classification(None, 3, 2, RNG)
    with pytest.raises(SizeError, match="n_samples"):
        synthetic_classification(10**9, 10**4, 2, RNG)
    with pytest.raises(ParameterError, match="n_features"):
        SoftmaxRegression(float("nan"), 2)
    with pytest.raises(ParameterError, match="l2"):
        SoftmaxRegression(3, 2, l2=-1.0)
    with pytest.raises(ParameterError, match="n_hidden"):
        OneHiddenLayerMLP(3, 0, 2)
    data = partition_data(features, labels, 2)
    with pytest.raises(NonFiniteError, match="parameters"):
        SoftmaxRegression(3, 2).loss(np.full(8, np.nan), data)
    with pytest.raises(ParameterError, match="data must be a PartitionedData"):
        SoftmaxRegression(3, 2).loss(np.zeros(8), None)


def test_training_refuses_bad_arguments_naming_them():
    rng = np.random.default_rng(2)
    data = partition_data(*synthetic_classification(40, 3, 2, rng), 2, rng)
    model, code = SoftmaxRegression(3, 2), IgnoreStragglersSGD([0.1, 0.2])
    for kwargs, error, match in [
        ({"iterations": None}, ParameterError, "iterations"),
        ({"iterations": 2.5}, ParameterError, "iterations"),
        ({"learning_rate": float("nan")}, ParameterError, "learning_rate"),
        ({"optimizer": "rmsprop"}, ParameterError, "optimizer"),
        ({"rng": "x"}, ParameterError, "rng"),
        ({"initial_parameters": np.full(8, np.inf)}, NonFiniteError, "initial_parameters"),
        ({"initial_parameters": np.zeros(3)}, ShapeError, "initial_parameters"),
    ]:
        arguments = {"iterations": 3, "learning_rate": 0.1, "rng": rng} | kwargs
        with pytest.raises(error, match=match):
            train_coded(model, data, code, [3, 3], **arguments)
        with pytest.raises(error, match=match):
            train_centralized(model, data, **arguments)
    with pytest.raises(ParameterError, match="data"):
        train_centralized(model, None, 3, 0.1, rng)
    with pytest.raises(ParameterError, match="code"):
        train_coded(model, data, None, [3, 3], 3, 0.1, rng)
    with pytest.raises(ParameterError, match="error_feedback"):
        train_coded(model, data, code, [3, 3], 3, 0.1, rng, error_feedback="yes")
    with pytest.raises(ParameterError, match="bias_weight"):
        second_moment_decoder(code, bias_weight=float("nan"))
    with pytest.raises(ParameterError, match="omega_scale"):
        second_moment_decoder(code, [3, 3], omega_scale=-1.0)


def test_admm_refuses_bad_arguments_naming_them():
    rng = np.random.default_rng(3)
    problem = synthetic_least_squares(3, 12, 2, 0.1, rng)
    graph = random_connected_graph(3, 1.0, rng)
    ecns = ShiftedExponential(10, 0.01)
    with pytest.raises(ParameterError, match="n_agents"):
        synthetic_least_squares(None, 12, 2, 0.1, rng)
    with pytest.raises(ParameterError, match="noise"):
        synthetic_least_squares(3, 12, 2, float("nan"), rng)
    with pytest.raises(ParameterError, match="connectivity"):
        random_connected_graph(3, float("nan"), rng)
    with pytest.raises(ParameterError, match="adjacency"):
        token_cycle(np.full((3, 3), "a"))
    with pytest.raises(ShapeError, match="adjacency"):
        token_cycle(np.zeros(3, dtype=bool))
    for kwargs, match in [({"iterations": None}, "iterations"), ({"batch_size": 2.5}, "batch_size"),
                          ({"rho": float("nan")}, "rho"), ({"tau": 0.0}, "tau"), ({"gamma": None}, "gamma"),
                          ({"seed": -1}, "seed"), ({"tolerances": (float("nan"), 1.0)}, "eps_pri")]:
        arguments = {"iterations": 5, "batch_size": 3} | kwargs
        with pytest.raises(ParameterError, match=match):
            incremental_admm(problem, graph, UncodedScheme(3), ecns, **arguments)
    with pytest.raises(ParameterError, match="problem"):
        incremental_admm(None, graph, UncodedScheme(3), ecns, 5, 3)
    with pytest.raises(ParameterError, match="straggler_model"):
        incremental_admm(problem, graph, UncodedScheme(3), None, 5, 3)
