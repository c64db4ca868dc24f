import json

import numpy as np
import pytest

from codedml.cli import main
from codedml.errors import ParameterError
from codedml.experiments import complexity


@pytest.fixture(scope="module")
def small_grid():
    return complexity.run(sizes=(128, 256, 512), lt_trials=3, slope_from=128, min_timing_seconds=0.0)


def test_every_code_and_operation_reports_the_log_log_slope_of_its_measured_times(small_grid):
    # timings themselves are compared in `codedml compare --complexity` and the README, not asserted here
    assert set(small_grid["codes"]) == set(complexity.CODES)
    for name in complexity.CODES:
        for operation in complexity.OPERATIONS:
            series = small_grid["codes"][name][operation]
            fit = [row for row in series["rows"] if row["k"] in series["slope_sizes"]]
            assert len(fit) >= 2 and all(row["seconds"] > 0 for row in fit), (name, operation)
            expected = np.polyfit(np.log([r["k"] for r in fit]), np.log([r["seconds"] for r in fit]), 1)[0]
            assert series["slope"] == pytest.approx(expected), (name, operation)
            assert small_grid["slopes"][name][operation] == series["slope"]


def test_fast_rs_to_lt_ratios_are_quotients_of_the_measured_times(small_grid):
    codes = small_grid["codes"]
    assert [row["k"] for row in small_grid["ratios"]] == [128, 256, 512]
    for row in small_grid["ratios"]:
        for operation in complexity.OPERATIONS:
            fast = {r["k"]: r["seconds"] for r in codes["fast_reed_solomon"][operation]["rows"]}[row["k"]]
            lt = {r["k"]: r["seconds"] for r in codes["lt"][operation]["rows"]}[row["k"]]
            assert row[operation] == pytest.approx(fast / lt)
    assert small_grid["fast_rs_to_lt_decode"] == {"k": 512, "ratio": small_grid["ratios"][-1]["decode"]}


def test_lt_peeling_work_is_near_linear_with_small_overhead(small_grid):
    lt = small_grid["codes"]["lt"]["decode"]
    assert lt["edge_slope"] < 1.5  # k^1 times the robust soliton's log k mean degree
    for row in lt["rows"]:
        assert row["peeled_orders"] == row["trials"]
        assert 0 < row["mean_overhead"] < 1.0
    assert all(row["n"] == 2 * row["k"] for row in small_grid["codes"]["lt"]["encode"]["rows"])


def test_reed_solomon_codes_decode_their_worst_erasure_pattern(small_grid):
    for name in ("fast_reed_solomon", "reed_solomon"):
        for row in small_grid["codes"][name]["decode"]["rows"]:
            assert row["erasures"] == row["k"] and row["n"] == 2 * row["k"]


def test_sizes_beyond_the_time_limit_are_skipped_and_named():
    # no operation takes under 1e-12 s, so every series measures its first size and skips the rest
    result = complexity.run(sizes=(32, 64, 128), max_seconds=1e-12, lt_trials=1, min_timing_seconds=0.0)
    for name in complexity.CODES:
        for operation in complexity.OPERATIONS:
            series = result["codes"][name][operation]
            assert [row["k"] for row in series["rows"]] == [32]
            assert [entry["k"] for entry in series["skipped"]] == [64, 128]
            assert all(entry["reason"] for entry in series["skipped"])
    assert "skipped Cauchy RS GF(2^16) decode at k=64: predicted" in complexity.format_table(result)


def test_sizes_that_do_not_fit_are_skipped_without_measuring():
    assert "exceed GF(2^16)'s 65536 points" in complexity._size_limit("fast_reed_solomon", 32769)
    assert complexity._size_limit("fast_reed_solomon", 32768) == ""
    assert "GiB" in complexity._size_limit("real_mds", 65536)
    assert complexity._size_limit("lt", 10**6) == ""


def test_format_table_and_plot(small_grid, tmp_path):
    table = complexity.format_table(small_grid)
    assert table.splitlines()[1].split()[:3] == ["k", "FastRS", "enc"] and "log-log slopes of decode" in table
    assert "fast RS / LT decode time at the largest k both decode (k=512)" in table
    complexity.plot(small_grid, tmp_path / "cx.png")
    assert (tmp_path / "cx.png").stat().st_size > 1000


def test_complexity_command_smoke_writes_plot_table_and_json(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(complexity, "DEFAULT_SIZES", (64, 128))
    plot = tmp_path / "cx.png"
    assert main(["compare", "--complexity", "--plot", str(plot)]) == 0
    output = capsys.readouterr().out
    assert "LT overhead" in output and "log-log slopes" in output
    assert plot.stat().st_size > 1000
    figures = json.loads((tmp_path / "cx.json").read_text())
    assert [row["k"] for row in figures["codes"]["lt"]["decode"]["rows"]] == [64, 128]
    assert figures["fast_rs_to_lt_decode"]["k"] == 128


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
