"""``codedml train``: held-out accuracy, mini-batches, deadline timing and re-allocation through run() and the CLI."""

import json

import numpy as np
import pytest

from codedml.cli import main
from codedml.errors import ParameterError
from codedml.experiments import train
from codedml.learn.bit_allocation import allocate_bits


def run_cli(argv) -> int:
    try:
        return main(argv)
    except SystemExit as stop:
        return stop.code


@pytest.mark.parametrize("options, option", [
    (["--test-fraction", "1"], "--test-fraction"),
    (["--test-fraction", "-0.1"], "--test-fraction"),
    (["--test-fraction", "0", "--evaluate-every", "5"], "--evaluate-every"),
    (["--evaluate-every", "0"], "--evaluate-every"),
    (["--batch-size", "0"], "--batch-size"),
    (["--timing", "slow"], "--timing"),
    (["--reallocate-every", "10"], "--reallocate-every"),
    (["--timing", "deadline", "--reallocate-every", "0"], "--reallocate-every"),
    (["--timing", "deadline", "--reallocate-every", "200"], "--reallocate-every"),
    (["--prior-p", "0.3"], "--prior-p"),
    (["--timing", "deadline", "--reallocate-every", "5", "--prior-p", "1"], "--prior-p"),
    (["--dataset", "iris", "-n", "122"], "--workers"),  # 150 samples, 30 held out
    (["--dataset", "cifar"], "--dataset"),
])
def test_a_bad_train_option_exits_2_with_one_error_line_naming_it(capsys, options, option):
    assert run_cli(["train", *options]) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("codedml: error: argument ") and option in lines[0], captured.err
    assert captured.out == ""


def test_train_run_with_deadline_timing_reallocates_the_joint_design_from_the_prior():
    results = train.run(n_workers=4, budget=12, iterations=12, seeds=[0], dataset="iris", schemes=("joint", "od"),
                        learning_rate=1.0, timing="deadline", reallocate_every=5, prior_probability=0.4,
                        batch_size=4, evaluate_every=4)
    detail = results["seeds"][0]
    assert detail["joint_bits"] == allocate_bits(np.full(4, 0.4), 12, detail["omega_scale"]).tolist()
    assert [r["iteration"] for r in detail["reallocations"]] == [5, 10]
    for reallocation in detail["reallocations"]:
        assert sum(reallocation["bits"]) == 12
        assert all(0 < p < 1 for p in reallocation["p"])  # clipped inside (0, 1) for the designs
    assert results["evaluated_at"] == [0, 4, 8, 12]
    for curve in results["curves"].values():
        assert len(curve["accuracy"][0]) == 4 and all(0 <= a <= 1 for a in curve["accuracy"][0])
    assert "deadline timing, p re-estimated every 5" in train.format_table(results)


def test_train_run_refuses_reallocation_without_deadline_timing():
    with pytest.raises(ParameterError, match="timing='deadline'"):
        train.run(n_workers=4, iterations=2, seeds=[0], dataset="synthetic", reallocate_every=1)
    with pytest.raises(ParameterError, match="timing"):
        train.run(n_workers=4, iterations=2, seeds=[0], dataset="synthetic", timing="poisson")


def test_train_command_writes_accuracy_curves_and_plot_for_a_bundled_set(capsys, tmp_path):
    plot, curves = tmp_path / "train.png", tmp_path / "train.json"
    assert main(["train", "-n", "4", "-B", "12", "--iterations", "6", "--seeds", "1", "--dataset", "wine",
                 "--batch-size", "8", "--evaluate-every", "3", "--timing", "deadline", "--reallocate-every", "3",
                 "--plot", str(plot), "--json", str(curves), "-q"]) == 0
    output = capsys.readouterr().out
    assert "held-out acc" in output and "wine (0.2 held out)" in output
    payload = json.loads(curves.read_text())
    assert payload["evaluated_at"] == [0, 3, 6]
    assert len(payload["schemes"]["joint"]["accuracy_mean"]) == 3
    assert [r["iteration"] for r in payload["seeds"]["0"]["reallocations"]] == [3]
    assert plot.stat().st_size > 1000


def test_train_command_without_held_out_set_plots_no_accuracy(capsys, tmp_path):
    plot = tmp_path / "train.png"
    assert main(["train", "-n", "4", "-B", "12", "--iterations", "3", "--seeds", "1", "--dataset", "synthetic",
                 "--test-fraction", "0", "--plot", str(plot), "-q"]) == 0
    table = capsys.readouterr().out
    assert "(0 held out)" in table and all(line.split()[5] == "-" for line in table.splitlines()[3:-2])
    assert plot.stat().st_size > 1000
