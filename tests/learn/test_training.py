import itertools
import json

import numpy as np
import pytest

from codedml.cli import main
from codedml.codes.gradient.approximate import ErasureHeadGC, IgnoreStragglersSGD, OptimallyStructuredGC, StochasticGC
from codedml.errors import ParameterError, ShapeError
from codedml.experiments import allocate, train
from codedml.learn.models import (
    OneHiddenLayerMLP,
    SoftmaxRegression,
    load_digits_data,
    partition_data,
    synthetic_classification,
)
from codedml.learn.quantize import message_bits
from codedml.learn.training import second_moment_decoder, train_centralized, train_coded


def small_problem(n_partitions=4, seed=0):
    rng = np.random.default_rng(seed)
    features, labels = synthetic_classification(120, 6, 3, rng)
    return partition_data(features, labels, n_partitions, rng), rng


@pytest.mark.parametrize("model", [SoftmaxRegression(6, 3, l2=0.01), OneHiddenLayerMLP(6, 5, 3, l2=0.01)],
                         ids=["softmax", "mlp"])
def test_partition_gradients_sum_to_the_finite_difference_gradient_of_the_loss(model):
    data, rng = small_problem()
    theta = model.initial_parameters(rng) + 0.3 * rng.standard_normal(model.n_parameters)
    gradient = model.partition_gradients(theta, data).sum(axis=0)
    step = 1e-6
    basis = np.eye(model.n_parameters)
    numeric = np.array([(model.loss(theta + step * e, data) - model.loss(theta - step * e, data)) / (2 * step)
                        for e in basis])
    np.testing.assert_allclose(gradient, numeric, atol=1e-8)


def test_each_partition_gradient_is_the_gradient_of_its_own_samples():
    data, rng = small_problem()
    model = SoftmaxRegression(6, 3)
    theta = rng.standard_normal(model.n_parameters)
    gradients = model.partition_gradients(theta, data)
    only_first = partition_data(data.features[0][data.weights[0] > 0], np.argmax(data.targets[0], axis=1)
                                [data.weights[0] > 0], 1)
    share = data.weights[0].sum()
    np.testing.assert_allclose(gradients[0], share * model.partition_gradients(theta, only_first)[0], atol=1e-12)


def test_partitioning_keeps_every_sample_once_with_unit_total_weight():
    features, labels = load_digits_data()
    data = partition_data(features, labels, 20, np.random.default_rng(0))
    assert data.features.shape == (20, 90, 64) and data.n_classes == 10
    assert data.weights.sum() == pytest.approx(1.0)
    assert np.count_nonzero(data.weights) == 1797
    assert np.all(data.targets.sum(axis=2) == (data.weights > 0))


def test_coded_sgd_decreases_the_loss_on_a_small_problem():
    data, rng = small_problem()
    code = StochasticGC([0.2, 0.3, 0.4, 0.1], replication=2)
    result = train_coded(SoftmaxRegression(6, 3), data, code, [4, 4, 4, 4], 100, 0.5, rng)
    assert result.loss[-1] < 0.6 * result.loss[0]
    assert not result.diverged


def test_transmitted_bits_are_the_wire_count_of_the_workers_that_answered():
    data, rng = small_problem()
    model = SoftmaxRegression(6, 3)
    bits = np.array([2, 0, 5, 3])
    code = OptimallyStructuredGC([0.3, 0.5, 0.6, 0.2], bits, omega_scale=2.0)
    result = train_coded(model, data, code, bits, 40, 0.1, rng)
    per_iteration = np.diff(result.transmitted_bits)
    assert result.transmitted_bits[0] == 0
    # every increment is the sum of 32 + D b_i over the answering subset of the active workers {0, 2, 3}
    sizes = {worker: message_bits(model.n_parameters, int(bits[worker])) for worker in (0, 2, 3)}
    totals = {sum(sizes[w] for w in subset): len(subset)
              for size in range(4) for subset in itertools.combinations(sizes, size)}
    assert len(totals) == 8  # distinct sums: each increment names its subset
    assert all(totals.get(int(step)) == count for step, count in zip(per_iteration, result.answered))
    assert result.answered.max() <= 3


def test_equal_bits_count_is_answered_times_message_size():
    data, rng = small_problem()
    model = SoftmaxRegression(6, 3)
    code = IgnoreStragglersSGD([0.5, 0.5, 0.5, 0.5])
    result = train_coded(model, data, code, [3, 3, 3, 3], 60, 0.1, rng)
    np.testing.assert_array_equal(np.diff(result.transmitted_bits), result.answered * (32 + 3 * model.n_parameters))
    assert 0 < result.answered.sum() < 4 * 60


def test_second_moment_decoder_minimises_the_weighted_bias_variance_objective():
    p = np.array([0.2, 0.5, 0.7, 0.4, 0.6])
    bits = np.array([3, 2, 4, 0, 3])
    code = OptimallyStructuredGC(p, bits, omega_scale=4.0)
    decoder = second_moment_decoder(code, bits, 4.0, bias_weight=2.0)
    matrix = code.encoding_matrix.toarray()
    noise = np.where(bits > 0, 4.0 / (2.0 ** (np.maximum(bits, 2) - 1) - 1) ** 2, 0.0)

    def objective(v):
        bias = matrix.T @ ((1 - p) * v) - 1
        return 2.0 * bias @ bias + np.sum(v**2 * (1 - p) * (p + noise) * (matrix**2).sum(axis=1))

    assert decoder[3] == 0.0  # idle worker
    best = objective(decoder)
    rng = np.random.default_rng(0)
    for _ in range(200):
        trial = decoder + 0.05 * rng.standard_normal(5) * (bits > 0)
        assert objective(trial) >= best - 1e-12


def test_second_moment_decoder_closed_form_for_ignore_stragglers():
    p = np.array([0.2, 0.6])
    decoder = second_moment_decoder(IgnoreStragglersSGD(p), np.array([3, 2]), 9.0, bias_weight=1.0)
    noise = np.array([9.0 / 9.0, 9.0 / 1.0])
    np.testing.assert_allclose(decoder, 1 / ((1 - p) + (p + noise)))


def test_second_moment_decoder_refuses_survivor_dependent_codes():
    with pytest.raises(ParameterError, match="fixed-weight"):
        second_moment_decoder(ErasureHeadGC([0.2, 0.3], replication=2))


def test_adam_with_two_track_decoding_runs_and_decreases_the_loss():
    data, rng = small_problem()
    p = np.array([0.3, 0.5, 0.6, 0.2])
    bits = np.array([3, 2, 4, 3])
    code = OptimallyStructuredGC(p, bits, omega_scale=2.0)
    second = second_moment_decoder(code, bits, 2.0)
    result = train_coded(SoftmaxRegression(6, 3), data, code, bits, 80, 0.05, rng, optimizer="adam",
                         second_moment=second)
    assert np.all(np.isfinite(result.loss)) and result.loss[-1] < 0.6 * result.loss[0]


def test_error_feedback_runs_and_centralized_sgd_sends_nothing():
    data, rng = small_problem()
    model = SoftmaxRegression(6, 3)
    code = StochasticGC([0.2, 0.3, 0.4, 0.1], replication=2)
    result = train_coded(model, data, code, [5, 5, 5, 5], 50, 0.3, rng, error_feedback=True)
    assert result.loss[-1] < result.loss[0]
    central = train_centralized(model, data, 50, 0.5, rng)
    assert central.loss[-1] < result.loss[0] and central.transmitted_bits[-1] == 0


def test_bad_training_inputs_raise_clear_errors():
    data, rng = small_problem()
    model = SoftmaxRegression(6, 3)
    code = IgnoreStragglersSGD([0.2, 0.3, 0.4, 0.1])
    with pytest.raises(ParameterError, match="b >= 2"):
        train_coded(model, data, code, [1, 3, 3, 3], 5, 0.1, rng)
    with pytest.raises(ParameterError, match="learning_rate"):
        train_coded(model, data, code, [3, 3, 3, 3], 5, -1.0, rng)
    with pytest.raises(ParameterError, match="optimizer='adam'"):
        train_coded(model, data, code, [3, 3, 3, 3], 5, 0.1, rng, second_moment=np.ones(4))
    with pytest.raises(ParameterError, match="partitions"):
        train_coded(model, partition_data(*synthetic_classification(30, 6, 3, rng), 3), code, [3] * 4, 5, 0.1, rng)
    with pytest.raises(ShapeError, match="parameters"):
        model.loss(np.zeros(3), data)


def test_allocate_run_low_complexity_matches_dp_and_dp_beats_greedy_and_relaxation():
    results = allocate.run(n_workers=[10, 50], max_factor=4.0, factor_step=1.0)
    assert list(results["curves"]) == [10, 50]
    for n, curve in results["curves"].items():
        assert curve["budgets"] == [2 * n, 3 * n, 4 * n]
        objective = curve["objective"]
        assert set(objective) == {"dp", "low-complexity", "greedy", "relaxation"}
        for index in range(3):
            assert objective["low-complexity"][index] / objective["dp"][index] >= 0.995
            assert objective["dp"][index] >= max(objective["greedy"][index], objective["relaxation"][index]) - 1e-9


def test_allocate_command_smoke_prints_the_table_and_writes_the_plot(capsys, tmp_path):
    plot = tmp_path / "allocate.png"
    assert main(["allocate", "-n", "10", "--max-factor", "4", "--factor-step", "1", "--plot", str(plot)]) == 0
    output = capsys.readouterr().out
    assert "low-cx/DP" in output and len([line for line in output.splitlines() if line.startswith("  10")]) == 3
    assert plot.stat().st_size > 1000


def test_train_run_returns_every_scheme_with_error_feedback_on_a_tiny_setting(tmp_path):
    results = train.run(n_workers=4, budget=12, iterations=5, seeds=[0, 1], dataset="synthetic", model="mlp",
                        hidden=4, optimizer="adam", learning_rate=0.01, error_feedback=True)
    assert set(results["curves"]) >= {"sgd", "joint", "osgc-equal", "is-sgd", "bgc", "sgc", "ehd", "od", "sgc+ef",
                                      "od+ef"}
    assert "joint+ef" not in results["curves"]
    joint = results["curves"]["joint"]
    assert len(joint["loss"]) == 2 and all(len(curve) == 6 for curve in joint["loss"])
    assert joint["bits"][0][0] == 0 and joint["bits"][0][-1] > 0
    assert all(bits == 0 for bits in results["curves"]["sgd"]["bits"][0])
    assert sum(results["seeds"][0]["joint_bits"]) == 12
    train.plot(results, tmp_path / "train.png")
    assert (tmp_path / "train.png").stat().st_size > 1000


def test_train_command_smoke_writes_plot_and_json(capsys, tmp_path):
    plot, curves = tmp_path / "train.png", tmp_path / "train.json"
    assert main(["train", "-n", "4", "-B", "12", "--iterations", "5", "--seeds", "2", "--dataset", "synthetic",
                 "--plot", str(plot), "--json", str(curves)]) == 0
    assert "joint" in capsys.readouterr().out
    payload = json.loads(curves.read_text())
    assert len(payload["schemes"]["joint"]["loss_mean"]) == 6 and len(payload["schemes"]["joint"]["final_loss"]) == 2
    assert payload["settings"]["workers"] == 4 and payload["settings"]["budget"] == 12
    assert plot.stat().st_size > 1000


def test_train_command_refuses_a_budget_below_two_bits_per_worker(capsys):
    assert main(["train", "-n", "20", "-B", "30", "--iterations", "1", "--seeds", "1"]) == 2
    assert "below 2 n" in capsys.readouterr().err


def test_training_schemes_refuse_a_budget_below_two_bits_per_worker():
    with pytest.raises(ParameterError, match="below 2 n"):
        train.training_schemes(np.full(20, 0.3), 30, 1.0, 0)


def test_joint_design_beats_osgc_with_equal_bits_and_is_sgd_on_digits():
    """Acceptance: digits, n = 20, B = 3n, mean final training loss over 5 seeds (defaults of ``codedml train``)."""
    outcome = train.run(n_workers=20, budget=60, seeds=range(5), schemes=("joint", "osgc-equal", "is-sgd"),
                        centralized=False)
    final = {name: np.asarray(curve["loss"])[:, -1] for name, curve in outcome["curves"].items()}
    assert np.all(np.isfinite(np.concatenate(list(final.values()))))
    assert final["joint"].mean() < final["osgc-equal"].mean()
    assert final["joint"].mean() < final["is-sgd"].mean()
