"""``codedml distributed``: every scheme family on a cluster, the trace file, and the loop with the simulator.

The E[T] pipeline is pinned on synthetic records (known model, known Dask overhead) and, on a thread
LocalCluster, for its structure and finiteness only: no timing assertions.
"""

import json

import numpy as np
import pytest

from codedml.cli import main
from codedml.codes import CPGC, CyclicRepetition, FractionalRepetition, UncodedScheme
from codedml.errors import ParameterError
from codedml.experiments import distributed
from codedml.experiments.cluster_timing import (
    completion_times,
    format_table,
    message_overhead,
    observed_unit_times,
    simulator_check,
)
from codedml.sim import HeterogeneousShiftedExponential, read_trace
from tests.cluster.local import local_client


def synthetic_records(code, model, n_iterations, overhead, seed=0):
    """Records of a run where message m of worker w arrives at ``overhead + steps[m] tau[t, w]`` and the master
    stops at the first decodable set (the rest cancelled)."""
    rng = np.random.default_rng(seed)
    taus = model.unit_times(n_iterations, code.n_workers, rng)
    steps, senders = np.asarray(code.message_steps), np.asarray(code.message_workers)
    records = []
    for t in range(n_iterations):
        busy = steps * taus[t, senders]
        arrivals = overhead + busy
        stop, _ = code.first_decodable(arrivals[None, :])
        for m in range(senders.size):
            used = arrivals[m] <= stop[0]
            records.append({"scheme": "x", "iteration": t, "worker": int(senders[m]), "message": m,
                            "computations": int(steps[m]), "submitted": 0.0,
                            "started": overhead / 2 if used else None,
                            "finished": overhead / 2 + busy[m] if used else None,
                            "arrived": float(arrivals[m]) if used else None,
                            "status": "used" if used else "cancelled"})
    return records


MODEL = HeterogeneousShiftedExponential([10.0, 20.0, 30.0, 40.0], [0.05, 0.04, 0.06, 0.05])


def test_the_overhead_is_the_mean_arrival_beyond_the_time_a_task_was_busy():
    records = synthetic_records(CyclicRepetition(4, 1, seed=0), MODEL, 20, overhead=0.03)
    assert message_overhead(records) == pytest.approx(0.03)


def test_an_exact_code_completes_at_its_last_used_arrival_and_an_approximate_one_at_the_deadline_if_one_is_missing():
    records = [{"iteration": 0, "status": "used", "arrived": 0.2}, {"iteration": 0, "status": "used", "arrived": 0.5},
               {"iteration": 1, "status": "used", "arrived": 0.1}, {"iteration": 1, "status": "cancelled",
                                                                  "arrived": None}]
    np.testing.assert_array_equal(completion_times(records, 2), [0.5, 0.1])
    np.testing.assert_array_equal(completion_times(records, 2, deadline=0.4), [0.4, 0.4])


def test_unit_times_take_the_first_message_less_the_overhead_and_censor_the_cancelled_at_the_stop():
    code = CPGC(4, 2, seed=0, target="sum")
    records = synthetic_records(code, MODEL, 5, overhead=0.02)
    stops = completion_times(records, 5)
    times, bounds = observed_unit_times(records, 5, 4, 0.02, stops)
    first = {(r["iteration"], r["worker"]): r for r in records if r["computations"] == 1}
    for (t, w), record in first.items():
        if record["status"] == "used":
            assert times[t, w] == pytest.approx(record["arrived"] - 0.02) and np.isinf(bounds[t, w])
        else:
            assert np.isinf(times[t, w]) and bounds[t, w] == pytest.approx(stops[t] - 0.02)


@pytest.mark.parametrize("code", [UncodedScheme(4), CyclicRepetition(4, 1, seed=0), CPGC(4, 2, seed=0, target="sum")],
                         ids=["uncoded", "cyclic", "cpgc"])
def test_the_simulated_completion_time_fitted_on_records_with_a_dask_overhead_matches_the_measured_one(code):
    records = synthetic_records(code, MODEL, 400, overhead=0.03)
    row = simulator_check(records, code, 400, samples=20_000, seed=1)
    assert row["error"] is None and row["overhead"] == pytest.approx(0.03)
    assert abs(row["relative_error"]) < 0.05, row


def test_a_worker_never_observed_is_simulated_as_never_answering():
    code = FractionalRepetition(4, 1)
    model = HeterogeneousShiftedExponential([40.0] * 4, [0.05, 0.05, 0.5, 0.5])  # 2 and 3 always after 0 and 1
    records = synthetic_records(code, model, 30, overhead=0.01)
    row = simulator_check(records, code, 30, samples=2000, seed=1)
    assert row["never_observed"] == [2, 3] and row["mu"][2] is None and row["simulated"] is not None
    assert abs(row["relative_error"]) < 0.05
    assert "never observed: [2, 3]" in format_table({"fractional": row})


def test_a_worker_observed_once_leaves_the_scheme_unsimulated_with_the_reason():
    code = UncodedScheme(4)
    row = simulator_check(synthetic_records(code, MODEL, 1, overhead=0.01), code, 1, samples=100)
    assert row["simulated"] is None and "at least 2" in row["error"]
    assert "not simulated" in format_table({"uncoded": row})


@pytest.mark.parametrize("options, name", [
    ({"schemes": ["nope"]}, "schemes"), ({"schemes": "uncoded"}, "schemes"),
    ({"schemes": ["uncoded", "uncoded"]}, "schemes"), ({"schemes": ["osgc"]}, "deadline"),
    ({"schemes": ["uncoded"], "deadline": 1.0}, "deadline"), ({"n_workers": 5, "schemes": ["cpgc"]}, "cpgc"),
    ({"mu_range": (5.0, 1.0)}, "mu_range"), ({"alpha_range": (-1.0, 1.0)}, "alpha_range"),
    ({"check_simulator": "yes"}, "check_simulator"), ({"tolerance": 1.0}, "tolerance"),
    ({"schemes": ["uncoded"], "tolerance": 0.25}, "tolerance"), ({"schemes": ["uncoded"], "bits": 4}, "bits"),
    ({"schemes": ["osgc"], "deadline": 0.1, "bits": 1}, "bits")])
def test_run_names_a_bad_argument_before_using_the_client(options, name):
    with pytest.raises(ParameterError, match=name):
        distributed.run(None, **({"n_workers": 4, "n_stragglers": 1} | options))


@pytest.fixture(scope="module")
def client():
    with local_client(4, processes=False) as client:
        yield client


def test_every_family_runs_and_the_timing_table_is_finite(client, tmp_path):
    schemes = ["uncoded", "cyclic-repetition", "polynomial-gfp", "uc-mmc", "mcc", "osgc"]
    results = distributed.run(client, 4, 1, 4, learning_rate=1.0, schemes=schemes, mu_range=(100.0, 200.0),
                              alpha_range=(0.005, 0.01), deadline=0.1, bits=8, check_simulator=True,
                              trace=str(tmp_path / "run.jsonl"), simulator_samples=200)
    assert list(results["schemes"]) == schemes
    for row in results["schemes"].values():
        assert row["error"] is None and len(row["loss"]) == len(row["wall_clock"]) == 5
        assert np.all(np.isfinite(row["loss"])) and np.all(np.diff(row["wall_clock"]) > 0)
        timing = row["timing"]
        assert np.isfinite(timing["measured"]) and timing["overhead"] >= 0
        assert (timing["simulated"] is not None and np.isfinite(timing["relative_error"])) or timing["error"]
    assert results["schemes"]["uncoded"]["timing"]["simulated"] is not None  # it observes every worker
    table = distributed.format_table(results).splitlines()
    assert any(line.startswith("E[T]") for line in table) and sum(line.startswith(tuple(schemes)) for line in table) \
        == 2 * len(schemes)
    assert read_trace(tmp_path / "run.jsonl").schemes == tuple(schemes)
    json.dumps(results, allow_nan=False)


def test_the_command_writes_the_trace_table_plot_and_figures(tmp_path, capsys):
    trace, figure = tmp_path / "trace.jsonl", tmp_path / "loss.png"
    assert main(["distributed", "--threads", "-n", "4", "-s", "1", "--iterations", "2", "--schemes", "uncoded,cpgc",
                 "--mu-low", "100", "--mu-high", "200", "--alpha-low", "0.001", "--alpha-high", "0.005",
                 "--trace", str(trace), "--plot", str(figure), "-q"]) == 0
    out = capsys.readouterr().out
    assert "cpgc" in out and "multi-message" in out and str(trace) in out
    assert read_trace(trace).schemes == ("uncoded", "cpgc") and figure.stat().st_size > 0
    figures = json.loads(figure.with_suffix(".json").read_text())
    assert list(figures["schemes"]) == ["uncoded", "cpgc"]


def test_a_tolerance_reaches_the_multi_message_runs_and_their_simulation(client):
    results = distributed.run(client, 4, 1, 3, learning_rate=1.0, schemes=["uncoded", "uc-mmc"],
                              mu_range=(100.0, 200.0), alpha_range=(0.005, 0.01), tolerance=0.25,
                              check_simulator=True, simulator_samples=200)
    assert results["settings"]["tolerance"] == 0.25
    for row in results["schemes"].values():
        assert row["error"] is None and np.all(np.isfinite(row["loss"]))
        assert row["timing"]["simulated"] is not None or row["timing"]["error"]


def test_emulated_delays_hit_the_requested_number_of_workers():
    delays = distributed.emulated_delays(50, 6, 2, 0.3, np.random.default_rng(0))
    assert np.all((delays > 0).sum(axis=1) == 2) and set(np.unique(delays)) == {0.0, 0.3}
