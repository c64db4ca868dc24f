"""Every speed figure the README and ``docs/limits.rst`` quote comes from the committed asv run (``bench/results/``).

``bench/readme_figures.py`` computes each speed table and sentence from that run's results file; each one must
appear in the documentation (whitespace aside, so re-wrapping a paragraph does not matter). No benchmark runs here.
"""

import importlib.util
import json
import math
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_SPEC = importlib.util.spec_from_file_location("readme_figures", ROOT / "bench" / "readme_figures.py")
figures = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(figures)


def _collapsed(text):
    return " ".join(text.split())


@pytest.fixture(scope="module")
def run():
    return figures.load()


@pytest.mark.parametrize("block", figures.README_BLOCKS, ids=lambda block: block.__name__)
def test_readme_quotes_the_committed_run(run, block):
    assert _collapsed(block(run)) in _collapsed((ROOT / "README.md").read_text())


@pytest.mark.parametrize("block", figures.LIMITS_BLOCKS, ids=lambda block: block.__name__)
def test_limits_page_quotes_the_committed_run(run, block):
    assert _collapsed(block(run)) in _collapsed((ROOT / "docs" / "limits.rst").read_text())


def test_committed_results_are_one_run_of_the_whole_suite():
    results = sorted(figures.RESULTS_DIR.glob("*-*.json"))
    assert len(results) == 1
    stored = json.loads(results[0].read_text())
    assert results[0].name.startswith(stored["commit_hash"][:8])
    suite = json.loads((figures.RESULTS_DIR / "benchmarks.json").read_text())
    assert set(stored["results"]) == set(suite) - {"version"}


def test_unknown_benchmark_names_are_refused(run):
    with pytest.raises(KeyError, match="no benchmark"):
        run.value("bench_gf.NoSuchBenchmark.time_nothing")


def test_failed_and_skipped_values_are_named():
    assert figures.seconds(None) == "failed"
    assert figures.seconds(math.nan) == "skipped"
    assert figures.times(None) == "failed"


def test_times_carry_their_unit_and_three_significant_figures():
    assert [figures.seconds(t) for t in (0.000438, 0.00653, 0.247, 1.9, 1234.5)] == \
        ["438 us", "6.53 ms", "247 ms", "1.90 s", "1234 s"]
    assert [figures.times(r) for r in (1.0949, 21.47, 373.2, 1744.4)] == ["1.09x", "21.5x", "373x", "1744x"]


def test_growth_exponent_is_the_log_log_least_squares_slope():
    sizes = [1024, 2048, 4096, 8192]
    assert figures.growth_exponent(sizes, [3e-9 * k**1.5 for k in sizes]) == pytest.approx(1.5)
    assert figures.growth_exponent(sizes, [1.0, None, math.nan, 8.0]) == pytest.approx(1.0)
    assert figures.growth_exponent(sizes, [1.0, None, None, None]) is None
