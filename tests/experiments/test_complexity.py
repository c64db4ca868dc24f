import json

import numpy as np
import pytest

from codedml.cli import main
from codedml.errors import ParameterError
from codedml.experiments import complexity


@pytest.fixture(scope="module")
def small_grid():
    return complexity.run(sizes=(1000, 2000, 4000), lt_trials=3, slope_from=1000, min_timing_seconds=0.05)


def test_each_code_reports_the_log_log_slope_of_its_measured_times(small_grid):
    # timings themselves are compared in `codedml compare --complexity` and the README, not asserted here
    for name, code in small_grid["codes"].items():
        fit = [row for row in code["rows"] if row["k"] in code["slope_sizes"]]
        assert len(fit) >= 2 and all(row["seconds"] > 0 for row in fit), name
        expected = np.polyfit(np.log([r["k"] for r in fit]), np.log([r["seconds"] for r in fit]), 1)[0]
        assert code["slope"] == pytest.approx(expected), name


def test_lt_peeling_work_is_near_linear_with_small_overhead(small_grid):
    lt = small_grid["codes"]["lt"]
    assert lt["edge_slope"] < 1.2
    for row in lt["rows"]:
        assert row["peeled_orders"] == row["trials"]
        assert 0 < row["mean_overhead"] < 0.3


def test_reed_solomon_decodes_its_worst_erasure_pattern(small_grid):
    for row in small_grid["codes"]["reed_solomon"]["rows"]:
        assert row["erasures"] == row["k"] and row["n"] == 2 * row["k"]


def test_mds_sizes_beyond_the_time_limit_are_skipped_and_named():
    # no decode takes under 1e-12 s, so every MDS code measures its first size and skips the rest
    result = complexity.run(sizes=(200, 400, 800, 1600), max_seconds=1e-12, lt_trials=1, min_timing_seconds=0.0)
    for name in ("reed_solomon", "real_mds"):
        measured = [row["k"] for row in result["codes"][name]["rows"]]
        skipped = [entry["k"] for entry in result["codes"][name]["skipped"]]
        assert measured and sorted(measured + skipped) == [200, 400, 800, 1600]
        assert skipped and all(entry["reason"] for entry in result["codes"][name]["skipped"])
    assert len(result["codes"]["lt"]["rows"]) == 4
    assert "skipped Reed-Solomon" in complexity.format_table(result)


def test_format_table_and_plot(small_grid, tmp_path):
    table = complexity.format_table(small_grid)
    assert table.splitlines()[0].split()[:2] == ["k", "RS"] and "log-log slopes" in table
    complexity.plot(small_grid, tmp_path / "cx.png")
    assert (tmp_path / "cx.png").stat().st_size > 1000


def test_complexity_command_smoke_writes_plot_table_and_json(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(complexity, "DEFAULT_SIZES", (100, 200, 400))
    plot = tmp_path / "cx.png"
    assert main(["compare", "--complexity", "--plot", str(plot)]) == 0
    output = capsys.readouterr().out
    assert "LT overhead" in output and "log-log slopes" in output
    assert plot.stat().st_size > 1000
    figures = json.loads((tmp_path / "cx.json").read_text())
    assert [row["k"] for row in figures["codes"]["lt"]["rows"]] == [100, 200, 400]


def test_bad_sizes_are_rejected():
    with pytest.raises(ParameterError, match="sizes"):
        complexity.run(sizes=(300, 100))
    with pytest.raises(ParameterError, match="payload_bytes"):
        complexity.run(sizes=(100,), payload_bytes=12)


@pytest.mark.parametrize("options, name", [
    ({"sizes": ()}, "sizes"), ({"sizes": (100, None)}, "sizes"), ({"sizes": (1.5, 3)}, "sizes"),
    ({"sizes": "100"}, "sizes"), ({"payload_bytes": 0}, "payload_bytes"), ({"payload_bytes": 8.5}, "payload_bytes"),
    ({"max_seconds": 0}, "max_seconds"), ({"max_seconds": float("nan")}, "max_seconds"),
    ({"lt_trials": 0}, "lt_trials"), ({"lt_trials": None}, "lt_trials"), ({"lt_eta": -1}, "lt_eta"),
    ({"lt_c": 0}, "lt_c"), ({"lt_delta": 1.0}, "lt_delta"), ({"slope_from": -1}, "slope_from"),
    ({"min_timing_seconds": float("inf")}, "min_timing_seconds"), ({"seed": -1}, "seed"),
    ({"progress": "yes"}, "progress")])
def test_every_bad_argument_is_a_parameter_error_naming_it(options, name):
    with pytest.raises(ParameterError, match=name):
        complexity.run(**({"sizes": (100,)} | options))
