"""Every bad option of every ``codedml`` command: exit status 2, one stderr line naming the option, no work done."""

import subprocess
import sys

import pytest

from codedml.cli import main

CASES = {
    "compare": [
        (["--decode-samples", "0"], "--decode-samples"),
        (["--decode-samples", "-1"], "--decode-samples"),
        (["--plot", "/nonexistent/x.png"], "--plot"),
        (["--plot", "figure.unknownformat"], "--plot"),
        (["--iterations", "0"], "--iterations"),
        (["--iterations", "1.5"], "--iterations"),
        (["--dimension", "0"], "--dimension"),
        (["--dimension", "1e12"], "--dimension"),
        (["-K", "0"], "--workers"),
        (["-K", "ten"], "--workers"),
        (["-K", "5", "-s", "5"], "--stragglers"),
        (["-s", "-1"], "--stragglers"),
        (["--mu", "0"], "--mu"),
        (["--mu", "nan"], "--mu"),
        (["--alpha", "-1"], "--alpha"),
        (["--alpha", "inf"], "--alpha"),
        (["--seed", "-1"], "--seed"),
        (["--preset", "nope"], "--preset"),
        (["--preset", "cpgc", "-K", "10"], "--workers"),
        (["--preset", "gc-mmc", "-s", "3"], "--stragglers"),
        (["--preset", "cpgc", "--dimension", "10"], "--dimension"),
        (["--preset", "cpgc", "--decode-samples", "10"], "--decode-samples"),
        (["--preset", "cpgc", "--no-hybrid"], "--no-hybrid"),
        (["--preset", "cpgc", "--complexity"], "--complexity"),
        (["--complexity", "-K", "10"], "--workers"),
        (["--complexity", "--iterations", "10"], "--iterations"),
        (["--complexity", "--mu", "3"], "--mu"),
        (["--no-hybrid"], "--no-hybrid"),
    ],
    "tables": [
        (["nope"], "paper"),
    ],
    "allocate": [
        (["--factor-step", "0"], "--factor-step"),
        (["--factor-step", "1e-12"], "--factor-step"),
        (["-n", "-3"], "--workers"),
        (["-n", "10,,50"], "--workers"),
        (["-n", "10,10"], "--workers"),
        (["--max-factor", "1"], "--max-factor"),
        (["--max-factor", "33"], "--max-factor"),
        (["--omega-scale", "0"], "--omega-scale"),
        (["--tau", "1"], "--tau"),
        (["--mu-low", "0"], "--mu-low"),
        (["--mu-low", "3"], "--mu-low"),
        (["--mu-high", "-1"], "--mu-high"),
        (["--seed", "-1"], "--seed"),
        (["--plot", "/nonexistent/x.png"], "--plot"),
    ],
    "train": [
        (["-n", "-5"], "--workers"),
        (["-n", "3"], "--workers"),
        (["-n", "2000"], "--workers"),
        (["-B", "0"], "--budget"),
        (["-B", "30"], "--budget"),
        (["-B", "50"], "--budget"),
        (["-B", "1000"], "--budget"),
        (["--iterations", "0"], "--iterations"),
        (["--seeds", "0"], "--seeds"),
        (["--seed", "-1"], "--seed"),
        (["--dataset", "mnist"], "--dataset"),
        (["--model", "svm"], "--model"),
        (["--hidden", "8"], "--hidden"),
        (["--model", "mlp", "--hidden", "0"], "--hidden"),
        (["--l2", "-1"], "--l2"),
        (["--optimizer", "rmsprop"], "--optimizer"),
        (["--lr", "0"], "--learning-rate"),
        (["--tau", "0.5"], "--tau"),
        (["--mu-low", "0"], "--mu-low"),
        (["--mu-low", "3"], "--mu-low"),
        (["--omega-scale", "huge"], "--omega-scale"),
        (["--omega-scale", "-1"], "--omega-scale"),
        (["--no-two-track"], "--no-two-track"),
        (["--bias-weight", "2"], "--bias-weight"),
        (["--optimizer", "adam", "--bias-weight", "0"], "--bias-weight"),
        (["--optimizer", "adam", "--no-two-track", "--bias-weight", "2"], "--bias-weight"),
        (["--plot", "/nonexistent/x.png"], "--plot"),
        (["--json", "/nonexistent/x.json"], "--json"),
    ],
    "admm": [
        (["--ecns", "0"], "--ecns"),
        (["--ecns", "7"], "--ecns"),
        (["--ecns", "3"], "--ecns"),
        (["--runs", "0"], "--runs"),
        (["--agents", "1"], "--agents"),
        (["-s", "-1"], "--stragglers"),
        (["-s", "12"], "--stragglers"),
        (["--iterations", "0"], "--iterations"),
        (["--delayed", "-1"], "--delayed"),
        (["--delayed", "13"], "--delayed"),
        (["--max-delay", "-1"], "--max-delay"),
        (["--seed", "-1"], "--seed"),
        (["--plot", "/nonexistent/x.png"], "--plot"),
    ],
    "distributed": [
        (["--scheduler", "not an address"], "--scheduler"),
        (["--scheduler", "http://localhost:8786"], "--scheduler"),
        (["--scheduler", "tcp://localhost:99999"], "--scheduler"),
        (["--scheduler", "tcp://127.0.0.1:1", "--timeout", "0.5"], "--scheduler"),
        (["--timeout", "0"], "--timeout"),
        (["--timeout", "3"], "--timeout"),
        (["-n", "0"], "--workers"),
        (["-s", "6"], "--stragglers"),
        (["--iterations", "0"], "--iterations"),
        (["--delayed", "7"], "--delayed"),
        (["--delay", "-1"], "--delay"),
        (["--lr", "0"], "--learning-rate"),
        (["--seed", "-1"], "--seed"),
        (["--schemes", "nope"], "--schemes"),
        (["--schemes", "uncoded,uncoded"], "--schemes"),
        (["--schemes", "cpgc", "-n", "5"], "--schemes"),
        (["--schemes", "fractional", "-n", "5"], "--schemes"),
        (["--schemes", "osgc"], "--schemes"),
        (["--deadline", "0.5"], "--deadline"),
        (["--schemes", "osgc", "--deadline", "0"], "--deadline"),
        (["--kill-workers", "3"], "--kill-workers"),
        (["--kill-workers", "3:a"], "--kill-workers"),
        (["--kill-workers", "3:1,1"], "--kill-workers"),
        (["--kill-workers", "-1:0"], "--kill-workers"),
        (["--kill-workers", "20:0"], "--kill-workers"),
        (["--kill-workers", "3:6"], "--kill-workers"),
        (["--kill-workers", "3:0", "--kill-workers", "3:1"], "--kill-workers"),
        (["--kill-workers", "3:0", "--threads"], "--kill-workers"),
        (["--threads", "--scheduler", "tcp://127.0.0.1:1"], "--threads"),
        (["--replacement-timeout", "-1"], "--replacement-timeout"),
        (["--bits", "1"], "--bits"),
        (["--bits", "33"], "--bits"),
        (["--bits", "4", "--schemes", "uncoded"], "--bits"),
        (["--tolerance", "1"], "--tolerance"),
        (["--tolerance", "-0.1"], "--tolerance"),
        (["--tolerance", "0.2", "--schemes", "uncoded,cyclic-repetition"], "--tolerance"),
        (["--mu-low", "50"], "--mu-low"),
        (["--mu-high", "0"], "--mu-high"),
        (["--alpha-low", "0.5", "--alpha-high", "0.1"], "--alpha-low"),
        (["--trace", "/nonexistent/t.jsonl"], "--trace"),
        (["--plot", "/nonexistent/x.png"], "--plot"),
    ],
}


def run(argv) -> int:
    try:
        return main(argv)
    except SystemExit as stop:
        return stop.code


@pytest.mark.parametrize("command, options, option", [(command, options, option) for command, cases in CASES.items()
                                                      for options, option in cases],
                         ids=[f"{command} {' '.join(options)}" for command, cases in CASES.items()
                              for options, _ in cases])
def test_a_bad_option_exits_2_with_one_error_line_naming_it_before_any_work(capsys, command, options, option):
    assert run([command, *options]) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("codedml: error: argument "), captured.err
    assert option in lines[0]
    assert captured.out == ""


def test_a_plot_path_that_is_a_directory_is_refused(capsys, tmp_path):
    assert run(["compare", "--plot", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("codedml: error: argument --plot:")


def test_the_installed_command_prints_no_traceback():
    done = subprocess.run([sys.executable, "-m", "codedml.cli", "compare", "--decode-samples", "0"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == ["codedml: error: argument --decode-samples: value must be an integer >= 1, "
                                        "got 0"]
