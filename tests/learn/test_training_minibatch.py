"""Mini-batch SGD, held-out accuracy and the bundled data sets of coded training."""

import itertools

import numpy as np
import pytest
from sklearn.metrics import accuracy_score

from codedml.codes.gradient.approximate import StochasticGC
from codedml.errors import ParameterError, ShapeError
from codedml.learn.models import (
    BUNDLED_DATASETS,
    OneHiddenLayerMLP,
    SoftmaxRegression,
    held_out_split,
    load_bundled_dataset,
    partition_data,
    sample_minibatch,
    standardize,
    synthetic_classification,
)
from codedml.learn.training import train_centralized, train_coded


def small_problem(n_samples=30, n_partitions=4, seed=0):
    rng = np.random.default_rng(seed)
    features, labels = synthetic_classification(n_samples, 6, 3, rng)
    return features, labels, partition_data(features, labels, n_partitions, rng), rng


def naive_softmax_gradient(theta, features, labels, weights, n_classes):
    """sum_s weights[s] * grad of -log softmax(x_s W + b)[y_s], one sample at a time."""
    n_features = features.shape[1]
    matrix, bias = theta[: n_features * n_classes].reshape(n_features, n_classes), theta[n_features * n_classes:]
    gradient_matrix, gradient_bias = np.zeros_like(matrix), np.zeros_like(bias)
    for x, y, w in zip(features, labels, weights):
        logits = x @ matrix + bias
        probabilities = np.exp(logits - logits.max())
        probabilities /= probabilities.sum()
        probabilities[y] -= 1.0
        gradient_matrix += w * np.outer(x, probabilities)
        gradient_bias += w * probabilities
    return np.concatenate((gradient_matrix.ravel(), gradient_bias))


def test_minibatch_gradient_equals_a_naive_per_sample_computation_on_the_drawn_samples():
    features, labels, data, rng = small_problem()
    model = SoftmaxRegression(6, 3)
    theta = rng.standard_normal(model.n_parameters)
    batch = sample_minibatch(data, 3, rng)
    gradients = model.partition_gradients(theta, batch)
    n_samples = labels.size
    for j in range(data.n_partitions):
        members = data.features[j][data.weights[j] > 0]
        drawn = batch.features[j][batch.weights[j] > 0]
        # the drawn rows are distinct samples of partition j (features are continuous, so rows name samples)
        rows = [int(np.flatnonzero(np.all(features == row, axis=1))[0]) for row in drawn]
        assert len(set(rows)) == 3 and all(any(np.array_equal(row, m) for m in members) for row in drawn)
        weight = members.shape[0] / (3 * n_samples)  # N_j / (b N): the partition keeps its weight N_j / N
        naive = naive_softmax_gradient(theta, features[rows], labels[rows], np.full(3, weight), 3)
        np.testing.assert_allclose(gradients[j], naive, atol=1e-13)


def test_minibatch_estimator_averaged_over_every_subset_is_the_partition_gradient():
    features, labels, data, rng = small_problem(n_samples=20)
    model = SoftmaxRegression(6, 3)
    theta = rng.standard_normal(model.n_parameters)
    full = model.partition_gradients(theta, data)
    members = np.flatnonzero(data.weights[0] > 0)
    size = members.size // 2
    estimates = []
    for subset in itertools.combinations(members, size):
        weights = np.zeros_like(data.weights)
        weights[0, list(subset)] = data.weights[0].sum() / size  # the weights sample_minibatch gives
        estimates.append(model.partition_gradients(theta, type(data)(data.features, data.targets, weights))[0])
    np.testing.assert_allclose(np.mean(estimates, axis=0), full[0], atol=1e-13)


def test_minibatch_draws_every_sample_of_a_partition_equally_often():
    _, _, data, rng = small_problem(n_samples=20)
    counts = np.zeros(data.weights.shape)
    draws = 3000
    for _ in range(draws):
        batch = sample_minibatch(data, 2, rng)
        for j in range(data.n_partitions):
            for row in batch.features[j]:
                counts[j, np.flatnonzero(np.all(data.features[j] == row, axis=1))[0]] += 1
    real = data.weights > 0
    expected = 2 / np.count_nonzero(real, axis=1)  # 2 of 5 samples: 0.4, binomial sd 0.009
    np.testing.assert_allclose((counts / draws)[real], np.broadcast_to(expected[:, None], real.shape)[real], atol=0.04)
    assert np.all(counts[~real] == 0)


def test_a_batch_as_large_as_the_partitions_reproduces_full_batch_training():
    _, _, data, rng = small_problem()
    model = SoftmaxRegression(6, 3)
    full = train_centralized(model, data, 20, 0.5, np.random.default_rng(1))
    batched = train_centralized(model, data, 20, 0.5, np.random.default_rng(1), batch_size=50)
    np.testing.assert_allclose(batched.loss, full.loss, rtol=1e-12)


def test_minibatch_coded_sgd_decreases_the_full_training_loss():
    _, _, data, rng = small_problem(n_samples=200)
    code = StochasticGC([0.2, 0.3, 0.4, 0.1], replication=2)
    result = train_coded(OneHiddenLayerMLP(6, 5, 3), data, code, [5, 5, 5, 5], 150, 0.5, rng, batch_size=8)
    assert result.loss[-1] < 0.7 * result.loss[0] and not result.diverged


def test_held_out_accuracy_equals_sklearn_accuracy_score_of_the_predictions():
    features, labels = synthetic_classification(300, 6, 3, np.random.default_rng(2))
    rng = np.random.default_rng(3)
    train_x, train_y, test_x, test_y = held_out_split(features, labels, 0.25, rng)
    data = partition_data(train_x, train_y, 4, rng)
    model = OneHiddenLayerMLP(6, 4, 3)
    initial = model.initial_parameters(rng)
    code = StochasticGC([0.2, 0.3, 0.4, 0.1], replication=2)
    result = train_coded(model, data, code, [4] * 4, 23, 0.5, rng, initial_parameters=initial,
                         held_out=(test_x, test_y), evaluate_every=5, batch_size=10)
    assert result.evaluated_at.tolist() == [0, 5, 10, 15, 20, 23]
    assert result.test_accuracy[0] == accuracy_score(test_y, model.predict(initial, test_x))
    assert result.test_accuracy[-1] == accuracy_score(test_y, model.predict(result.parameters, test_x))
    central = train_centralized(model, data, 10, 0.5, rng, initial_parameters=initial, held_out=(test_x, test_y))
    assert central.evaluated_at.tolist() == list(range(11))
    assert central.test_accuracy[-1] == accuracy_score(test_y, model.predict(central.parameters, test_x))


def test_predict_is_the_argmax_of_the_logits():
    model = SoftmaxRegression(2, 3)
    theta = np.array([1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.5])  # W = [[1, 0, 0], [0, 1, 0]], b = (0, 0, .5)
    assert model.predict(theta, [[2.0, 0.0], [0.0, 2.0], [0.0, 0.0]]).tolist() == [0, 1, 2]


def test_held_out_split_is_a_seeded_partition_of_the_samples():
    features = np.arange(40.0).reshape(20, 2)
    labels = np.arange(20) % 3
    train_x, train_y, test_x, test_y = held_out_split(features, labels, 0.2, np.random.default_rng(5))
    assert test_x.shape == (4, 2) and train_x.shape == (16, 2)
    assert sorted(np.concatenate((train_x, test_x))[:, 0].tolist()) == features[:, 0].tolist()
    np.testing.assert_array_equal(np.concatenate((train_y, test_y)), np.concatenate((train_x, test_x))[:, 0] // 2 % 3)
    again = held_out_split(features, labels, 0.2, np.random.default_rng(5))
    np.testing.assert_array_equal(again[2], test_x)


@pytest.mark.parametrize("name, shape, classes", [("digits", (1797, 64), 10), ("breast_cancer", (569, 30), 2),
                                                  ("wine", (178, 13), 3), ("iris", (150, 4), 3)])
def test_bundled_datasets_load_with_their_shapes_and_classes(name, shape, classes):
    features, labels = load_bundled_dataset(name)
    assert features.shape == shape and BUNDLED_DATASETS[name][1] == shape[0]
    assert sorted(set(labels.tolist())) == list(range(classes))


def test_standardize_uses_the_training_statistics_only():
    features, _ = load_bundled_dataset("breast_cancer")
    train, test = standardize(features[:400], features[400:])
    np.testing.assert_allclose(train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(train.std(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(test, (features[400:] - features[:400].mean(0)) / features[:400].std(0), rtol=1e-12)


def test_bad_minibatch_and_held_out_inputs_raise_named_errors():
    _, _, data, rng = small_problem()
    model = SoftmaxRegression(6, 3)
    code = StochasticGC([0.2, 0.3, 0.4, 0.1], replication=2)
    with pytest.raises(ParameterError, match="batch_size"):
        train_coded(model, data, code, [3] * 4, 2, 0.1, rng, batch_size=0)
    with pytest.raises(ParameterError, match="evaluate_every"):
        train_coded(model, data, code, [3] * 4, 2, 0.1, rng, held_out=(np.zeros((2, 6)), [0, 1]), evaluate_every=0)
    with pytest.raises(ParameterError, match="held_out labels"):
        train_coded(model, data, code, [3] * 4, 2, 0.1, rng, held_out=(np.zeros((2, 6)), [0, 3]))
    with pytest.raises(ShapeError, match="held_out features"):
        train_centralized(model, data, 2, 0.1, rng, held_out=(np.zeros((2, 5)), [0, 1]))
    with pytest.raises(ParameterError, match="pair"):
        train_centralized(model, data, 2, 0.1, rng, held_out=np.zeros((2, 6)))
    with pytest.raises(ParameterError, match="test_fraction"):
        held_out_split(np.zeros((4, 2)), [0, 1, 0, 1], 1.0, rng)
    with pytest.raises(ParameterError, match="dataset"):
        load_bundled_dataset("mnist")
