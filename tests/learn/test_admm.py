"""Stochastic incremental ADMM (sI-ADMM) and its coded version (csI-ADMM), survey section 5."""

import numpy as np
import pytest

from codedml.codes import CyclicRepetition, FractionalRepetition, IgnoreStragglers, UncodedScheme
from codedml.errors import NonFiniteError, ParameterError, ShapeError
from codedml.experiments import admm
from codedml.learn.admm import (
    incremental_admm,
    random_connected_graph,
    synthetic_least_squares,
    token_cycle,
)
from codedml.sim import InjectedDelays, ShiftedExponential

ECNS = InjectedDelays(ShiftedExponential(1000.0, 0.01), n_delayed=2, max_delay=0.1)


@pytest.fixture(scope="module")
def setting():
    rng = np.random.default_rng(3)
    return synthetic_least_squares(6, 240, 8, 0.1, rng), random_connected_graph(6, 0.5, rng)


def test_full_batch_admm_converges_to_the_least_squares_optimum_and_stops(setting):
    problem, graph = setting
    result = incremental_admm(problem, graph, UncodedScheme(6), ECNS, iterations=3000, batch_size=240,
                              tolerances=(1e-9, 1e-9), seed=0)
    assert result.stopped_at is not None and result.stopped_at < 3000
    assert result.accuracy[-1] < 1e-8
    assert result.test_mse[-1] == pytest.approx(problem.test_mse(problem.optimum()), rel=1e-6)


@pytest.mark.parametrize("code", [FractionalRepetition(6, 2), CyclicRepetition(6, 2, seed=1),
                                  CyclicRepetition(6, 1, seed=2)], ids=["fractional", "cyclic-2", "cyclic-1"])
def test_exact_codes_take_the_uncoded_iterates_and_finish_sooner_under_delays(setting, code):
    problem, graph = setting
    uncoded = incremental_admm(problem, graph, UncodedScheme(6), ECNS, iterations=300, batch_size=24, seed=5)
    coded = incremental_admm(problem, graph, code, ECNS, iterations=300, batch_size=24, seed=5)
    np.testing.assert_allclose(coded.accuracy, uncoded.accuracy, rtol=1e-9)
    np.testing.assert_allclose(coded.test_mse, uncoded.test_mse, rtol=1e-9)
    assert coded.time[-1] < uncoded.time[-1]
    assert np.all(uncoded.ecn_messages[1:] == 6) and np.all(coded.ecn_messages[1:] <= 6)
    if isinstance(code, CyclicRepetition):  # any n - s decode, fewer never do
        assert np.all(coded.ecn_messages[1:] >= 6 - code.n_stragglers)


def test_smaller_mini_batches_from_more_stragglers_converge_to_a_higher_noise_floor():
    result = admm.run(n_agents=4, n_ecns=12, samples_per_agent=720, n_features=8, iterations=400, runs=3,
                      straggler_counts=(0, 1, 3), max_delays=(0.1,))
    floors = [np.mean(result["figure10"][str(count)]["accuracy"][-100:]) for count in (0, 1, 3)]
    assert floors[0] < floors[1] < floors[2]
    times = {name: row["seconds_per_iteration"] for name, row in result["figure9"][0]["schemes"].items()}
    assert times["fractional"] < times["uncoded"] and times["cyclic"] < times["uncoded"]


def test_token_cycle_is_hamiltonian_when_one_exists_else_walks_shortest_paths():
    for seed in range(5):
        adjacency = random_connected_graph(8, 0.6, np.random.default_rng(seed))
        order, hops = token_cycle(adjacency)
        if all(h == 1 for h in hops):
            assert sorted(order) == list(range(8))
            assert all(adjacency[order[t], order[(t + 1) % 8]] for t in range(8))
    star = np.zeros((4, 4), dtype=bool)
    star[0, 1:] = star[1:, 0] = True  # no Hamiltonian cycle
    order, hops = token_cycle(star)
    assert order == [0, 1, 2, 3] and hops == [1, 2, 2, 1]


def test_token_cycle_gives_up_the_exponential_search_on_two_cliques_joined_by_a_bridge():
    adjacency = np.zeros((16, 16), dtype=bool)
    adjacency[:8, :8] = adjacency[8:, 8:] = True
    np.fill_diagonal(adjacency, False)
    adjacency[7, 8] = adjacency[8, 7] = True  # no Hamiltonian cycle; about 7!^2 paths to refute it
    order, hops = token_cycle(adjacency)
    assert order == list(range(16)) and hops[-1] == 3 and sum(hops) == 18


def test_random_graph_is_connected_with_the_requested_links():
    adjacency = random_connected_graph(10, 0.3, np.random.default_rng(0))
    assert np.array_equal(adjacency, adjacency.T) and not adjacency.diagonal().any()
    assert adjacency.sum() // 2 == round(0.3 * 45)
    assert token_cycle(adjacency)  # connected (token_cycle refuses a disconnected graph)


def test_injected_delays_hit_exactly_n_workers_once_each():
    rng = np.random.default_rng(0)
    model = InjectedDelays(ShiftedExponential(1e9, 1.0), n_delayed=3, max_delay=0.5)
    finish = model.finish_times(np.array([1, 2, 3, 1, 1, 1]), 1000, rng)
    base = np.array([1, 2, 3, 1, 1, 1], dtype=float)
    extra = finish - base
    assert np.all((extra > 1e-6).sum(axis=1) == 3) and extra.max() <= 0.5 + 1e-6
    with pytest.raises(ParameterError, match="finish_times"):
        model.unit_times(1, 6, rng)
    with pytest.raises(ParameterError, match="cannot delay"):
        InjectedDelays(ShiftedExponential(), 7, 0.1).finish_times(np.ones(6), 1, rng)


def test_bad_settings_are_named(setting):
    problem, graph = setting
    with pytest.raises(ParameterError, match="approximate"):
        incremental_admm(problem, graph, IgnoreStragglers(6, 1), ECNS, 10, 24)
    with pytest.raises(ParameterError, match="divide"):
        incremental_admm(problem, graph, UncodedScheme(7), ECNS, 10, 28)
    with pytest.raises(ParameterError, match="batch size"):
        incremental_admm(problem, graph, UncodedScheme(6), ECNS, 10, 25)
    with pytest.raises(ShapeError, match="adjacency"):
        incremental_admm(problem, graph[:5, :5], UncodedScheme(6), ECNS, 10, 24)
    disconnected = np.zeros((6, 6), dtype=bool)
    with pytest.raises(ParameterError, match="not connected"):
        token_cycle(disconnected)
    with pytest.raises(NonFiniteError, match="NaN"):
        synthetic = synthetic_least_squares(2, 4, 2, 0.1, np.random.default_rng(0))
        synthetic.features[0, 0, 0] = np.nan
        type(synthetic)(synthetic.features, synthetic.targets, synthetic.test_features, synthetic.test_targets)


def test_admm_run_skips_fractional_repetition_when_s_plus_one_does_not_divide_k():
    result = admm.run(n_agents=3, n_ecns=12, n_stragglers=4, iterations=20, runs=1, max_delays=(0.1,))
    schemes = result["figure9"][0]["schemes"]
    assert set(schemes) == {"uncoded", "cyclic"} and "fractional" in result["settings"]["skipped"]
    assert all(len(row["accuracy"]) == 21 for row in schemes.values())
    assert [result["figure10"][key]["batch_size"] for key in ("0", "1", "2", "3")] == [144, 72, 48, 36]
