"""The ``codedml`` command as a whole (version, help, ``python -m``) and the ``compare`` command's results."""

import subprocess
import sys

import pytest

from codedml import __version__
from codedml.cli import COMMANDS, build_parser, main
from codedml.experiments import compare
from tests.naive import harmonic


@pytest.fixture(scope="module")
def defaults():
    """``codedml compare`` at its defaults (20000 iterations), timing only a few decodes."""
    return compare.run(decode_samples=20)


def test_compare_defaults_match_closed_forms_within_their_ci(defaults):
    cyclic, uncoded = defaults["schemes"]["cyclic-repetition"], defaults["schemes"]["uncoded"]
    assert abs(cyclic["mean_time"] - 10 * (0.01 + (harmonic(40) - harmonic(9)) / 10)) <= cyclic["ci95"]  # 1.549
    assert cyclic["mean_messages"] == 31 and cyclic["computation_load"] == 10 and cyclic["exact"]
    assert abs(uncoded["mean_time"] - (0.01 + harmonic(40) / 10)) <= uncoded["ci95"]
    assert uncoded["mean_messages"] == 40
    assert defaults["closed_forms"] == {"uncoded": pytest.approx(0.01 + harmonic(40) / 10),
                                        "cyclic-repetition": pytest.approx(10 * (0.01 + (harmonic(40) - harmonic(9))
                                                                                 / 10))}
    assert not defaults["schemes"]["ignore-stragglers"]["exact"]
    assert all(row["decode_seconds"] > 0 for row in defaults["schemes"].values())


def test_compare_skips_fractional_repetition_when_s_plus_one_does_not_divide_k():
    results = compare.run(n_workers=10, n_stragglers=2, n_iterations=500, decode_samples=5)
    assert list(results["schemes"]) == ["uncoded", "ignore-stragglers", "cyclic-repetition"]
    assert results["settings"]["n_iterations"] == 500


def test_compare_table_and_plot(defaults, tmp_path):
    table = compare.format_table(defaults)
    assert table.splitlines()[0].startswith("K=40 workers, s=9 stragglers (r=10)")
    assert len(table.splitlines()) == 3 + len(defaults["schemes"]) + 1
    compare.plot(defaults, tmp_path / "compare.png")
    assert (tmp_path / "compare.png").stat().st_size > 1000


def test_compare_command_smoke(capsys, tmp_path):
    plot = tmp_path / "compare.png"
    assert main(["compare", "-K", "6", "-s", "1", "--iterations", "200", "--decode-samples", "2",
                 "--plot", str(plot)]) == 0
    output = capsys.readouterr().out
    assert "cyclic-repetition" in output and "closed forms" in output
    assert plot.stat().st_size > 1000


def test_compare_reports_bad_parameters_as_an_error(capsys):
    assert main(["compare", "-K", "5", "-s", "5", "--iterations", "100"]) == 2
    assert "n_stragglers" in capsys.readouterr().err


def test_compare_help_explains_every_option(capsys):
    with pytest.raises(SystemExit):
        main(["compare", "--help"])
    text = capsys.readouterr().out
    for option in ("--workers", "--stragglers", "--mu", "--alpha", "--iterations", "--seed", "--plot", "--quiet"):
        assert option in text


def test_every_command_module_has_the_command_interface():
    for module in COMMANDS:
        assert all(callable(getattr(module, name)) for name in ("run", "format_table", "add_parser")), module
    names = set(build_parser()._subparsers._group_actions[0].choices)
    assert names == {"compare", "tables", "allocate", "train", "admm", "distributed"}


def test_version_is_printed(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0 and capsys.readouterr().out == f"codedml {__version__}\n"


def test_python_dash_m_codedml_runs_the_command():
    done = subprocess.run([sys.executable, "-m", "codedml", "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout == f"codedml {__version__}\n"


def test_help_imports_no_compiled_kernel_scipy_galois_or_dask():
    script = ("import sys\nfrom codedml.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
              "for command in ('compare', 'tables', 'allocate', 'train', 'admm', 'distributed'):\n"
              "    try:\n        main([command, '--help'])\n    except SystemExit:\n        pass\n"
              "heavy = sorted(name for name in sys.modules if name.split('.')[0] in "
              "('numba', 'scipy', 'galois', 'dask', 'distributed', 'matplotlib', 'tqdm', 'sklearn'))\n"
              "print(heavy, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stderr.strip() == "[]", done.stderr


def test_parser_constants_agree_with_the_library():
    from codedml.cluster.coded_descent import DEFAULT_CONNECT_TIMEOUT
    from codedml.experiments import allocate, distributed, train
    from codedml.learn.models import BUNDLED_DATASETS
    from codedml.learn.quantize import MAX_BITS
    from codedml.learn.training import OPTIMIZERS

    assert allocate.MAX_BITS == MAX_BITS
    assert train.OPTIMIZERS == OPTIMIZERS
    assert {name: train.DATASET_SAMPLES[name] for name in BUNDLED_DATASETS} == {
        name: entry[1] for name, entry in BUNDLED_DATASETS.items()}
    assert set(train.DATASET_SAMPLES) == {*BUNDLED_DATASETS, "synthetic"}
    assert distributed.DEFAULT_CONNECT_TIMEOUT == DEFAULT_CONNECT_TIMEOUT


def _compiling_warm_up(on_compile=None):
    """A stand-in for :func:`codedml.warm_up` on a cold cache: announces, then reports compilations."""
    if on_compile is not None:
        on_compile()
    return 3


@pytest.mark.parametrize("warm_up, options, notice", [
    (_compiling_warm_up, [], True), (_compiling_warm_up, ["--quiet"], False), (lambda on_compile=None: 0, [], False)],
    ids=["cold cache", "cold cache, quiet", "warm cache"])
def test_a_cold_cache_is_announced_on_one_stderr_line_before_the_work(capsys, monkeypatch, warm_up, options, notice):
    import codedml
    from codedml.experiments.progress import COMPILING_NOTICE

    monkeypatch.setattr(codedml, "warm_up", warm_up, raising=False)
    assert main(["tables", "cpgc", *options]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == ([COMPILING_NOTICE] if notice else [])
    assert captured.out.startswith("Table 1")
