"""The ``admm`` command's Figure 9 sweep over the maximum ECN delay epsilon (survey section 5.4)."""

import json

import numpy as np
import pytest

from codedml.errors import CodedMLError
from codedml.experiments import admm

SMALL = {"n_agents": 3, "iterations": 40, "runs": 2, "straggler_counts": (0, 1)}


@pytest.fixture(scope="module")
def sweep():
    return admm.run(**SMALL, max_delays=[0.01, 0.2, 0.0, 0.05])


def test_sweep_runs_every_scheme_at_every_max_delay_from_the_largest_down(sweep):
    assert [point["max_delay"] for point in sweep["figure9"]] == [0.2, 0.05, 0.01, 0.0]
    assert sweep["settings"]["max_delays"] == [0.2, 0.05, 0.01, 0.0]
    assert all(set(point["schemes"]) == {"uncoded", "fractional", "cyclic"} for point in sweep["figure9"])
    assert set(sweep["figure10"]) == {"0", "1"}


def test_every_scheme_and_delay_shares_the_iterates_and_differs_in_time_only(sweep):
    rows = [row for point in sweep["figure9"] for row in point["schemes"].values()]
    for row in rows[1:]:
        np.testing.assert_allclose(row["accuracy"], rows[0]["accuracy"], rtol=1e-9)
        assert row["final_test_mse"] == pytest.approx(rows[0]["final_test_mse"], rel=1e-9)
        assert len(row["time"]) == SMALL["iterations"] + 1


def test_running_time_never_grows_as_the_maximum_delay_shrinks(sweep):
    # the same draws serve every epsilon (a delay is epsilon U(0, 1)), so each finish time is monotone in epsilon
    for name in ("uncoded", "fractional", "cyclic"):
        times = np.array([point["schemes"][name]["time"] for point in sweep["figure9"]])
        assert np.all(np.diff(times, axis=0) <= 1e-12), name
    uncoded = [point["schemes"]["uncoded"]["seconds_per_iteration"] for point in sweep["figure9"]]
    assert uncoded == sorted(uncoded, reverse=True) and len(set(uncoded)) == len(uncoded)


def test_coding_pays_off_only_while_the_delays_exceed_its_extra_computation(sweep):
    largest, smallest = sweep["figure9"][0]["schemes"], sweep["figure9"][-1]["schemes"]
    for coded in ("fractional", "cyclic"):
        assert largest[coded]["seconds_per_iteration"] < largest["uncoded"]["seconds_per_iteration"]
        assert smallest[coded]["seconds_per_iteration"] > smallest["uncoded"]["seconds_per_iteration"]


def test_table_has_one_line_per_delay_and_scheme_then_figure_10(sweep):
    lines = admm.format_table(sweep).splitlines()
    assert len(lines) == 1 + 4 * 3 + 2
    assert lines[1].split()[:2] == ["0.2", "uncoded"] and lines[-1].split()[:3] == ["0.2", "cyclic", "1"]


@pytest.mark.parametrize("max_delays", [[], [-0.1], [0.1, 0.1], [[0.1]], "a", [np.nan], None])
def test_run_names_bad_max_delays(max_delays):
    with pytest.raises(CodedMLError, match="max_delays"):
        admm.run(**SMALL, max_delays=max_delays)


@pytest.mark.parametrize("value", ["-1", "0.1,0.1", "0.1,x", "0.1,", "nan", "0.1,inf"])
def test_command_refuses_bad_max_delays_on_one_line(capsys, value):
    from codedml.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["admm", "--max-delays", value])
    lines = capsys.readouterr().err.splitlines()
    assert stop.value.code == 2 and len(lines) == 1 and lines[0].startswith("codedml: error: argument --max-delays:")


def test_command_sweeps_the_given_delays_into_table_plot_and_json(tmp_path, capsys):
    from codedml.cli import main

    plot = tmp_path / "admm.png"
    assert main(["admm", "--agents", "3", "--iterations", "30", "--runs", "1", "--max-delays", "0.02,0.3", "-q",
                 "--plot", str(plot)]) == 0
    out = capsys.readouterr().out
    assert "0.3  uncoded" in out and "0.02  cyclic" in out and plot.stat().st_size > 0
    figures = json.loads(plot.with_suffix(".json").read_text())
    assert [point["max_delay"] for point in figures["figure9"]] == [0.3, 0.02]
