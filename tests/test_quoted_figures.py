"""Figures that cannot drift: every seeded, deterministic figure the documentation quotes is recomputed from the
commands' ``run()`` and must equal, to the quoted precision, a line of each quoting file (timings are not tested).

A quoted row passes when one line of the file contains its label and all its figures, so the check holds for
reStructuredText tables, Markdown tables and fixed-width command output alike.
"""

from pathlib import Path

import pytest

from codedml.experiments import allocate, compare, presets, tables
from codedml.sim import exact_expected_completion_time, mds_coded_computation_expected_completion_time

ROOT = Path(__file__).resolve().parents[1]
#: Files whose quoted figures must match the commands.
QUOTING_FILES = [ROOT / "docs" / "limits.rst", ROOT / "README.md"]


def _compare_rows() -> list[tuple[str, ...]]:
    # E[T] and its CI do not depend on the decode-timing settings (own random stream), so time as little as possible
    results = compare.run(decode_samples=1, dimension=8)
    rows = [(name, f"{row['mean_time']:.4f}", f"{row['ci95']:.4f}", f"{row['mean_messages']:.2f}")
            for name, row in results["schemes"].items()]
    closed = results["closed_forms"]
    rows.append(("uncoded alpha + H_K/mu", f"= {closed['uncoded']:.4f}"))
    rows.append(("cyclic r (alpha + (H_K - H_s)/mu)", f"= {closed['cyclic-repetition']:.4f}"))
    return rows


def _cpgc_rows() -> list[tuple[str, ...]]:
    curves = presets.run("cpgc")["curves"]
    rows = []
    for index, ratio in enumerate(("0 ", "0.05", "0.10")):
        points = [curves[name][index] for name in ("UC-MMC", "CPGC", "MCC")]
        rows.append((ratio, *(f"{p['mean_time']:.4f}" for p in points), *(f"{p['volume']:.2f}" for p in points)))
    return rows


def _gc_mmc_rows() -> list[tuple[str, ...]]:
    schemes = presets.run("gc-mmc")["schemes"]
    return [(f"{name} ", f"{row['mean_time']:.4f}", f"{row['ci95']:.4f}", f"{row['load']:.1f}")
            for name, row in schemes.items()]


def _exact_rows() -> list[tuple[str, ...]]:
    times = {name: exact_expected_completion_time(code, 10.0, 0.01)
             for name, code in tables.cpgc_example_schemes().items()}
    return [(f"UC-MMC {times['UC-MMC']:.4f}, MCC {times['MCC']:.4f}, CPGC {times['CPGC']:.4f}",)]


#: Budgets per worker (B / n) the README's allocation table quotes, per n.
ALLOCATION_FACTORS = {10: (2.0, 3.0, 4.0, 5.0, 8.0), 50: (2.0, 2.5, 3.0, 4.0, 8.0)}


def _allocate_rows() -> list[tuple[str, ...]]:
    curves = allocate.run()["curves"]
    rows = []
    for n, factors in ALLOCATION_FACTORS.items():
        curve = curves[n]
        for factor in factors:
            index = curve["budgets"].index(round(factor * n))
            optimum = curve["objective"]["dp"][index]
            ratios = [curve["objective"][method][index] / optimum
                      for method in ("low-complexity", "greedy", "relaxation")]
            rows.append((f"| {n} | {factor:.1f} |", f"{optimum:.5f}", *(f"{ratio:.5f}" for ratio in ratios)))
    return rows


def _closed_form_rows() -> list[tuple[str, ...]]:
    return [("MCC's closed form is", f"{mds_coded_computation_expected_completion_time(20, 20, 3, 10.0, 0.01):.4f}")]


SOURCES = {"compare": _compare_rows, "preset cpgc": _cpgc_rows, "preset gc-mmc": _gc_mmc_rows,
           "exact E[T]": _exact_rows, "allocate": _allocate_rows, "closed forms": _closed_form_rows}

#: Sources that only the README quotes (docs/limits.rst quotes every other source too).
README_ONLY = {"allocate", "closed forms"}


@pytest.fixture(scope="module", params=list(SOURCES))
def quoted(request) -> tuple[str, list[tuple[str, ...]]]:
    return request.param, SOURCES[request.param]()


def _line_has(line: str, row: tuple[str, ...]) -> bool:
    if row[0] not in line:
        return False
    rest = line[line.index(row[0]) + len(row[0]):]
    for figure in row[1:]:  # in order, each after the previous one
        if figure not in rest:
            return False
        rest = rest[rest.index(figure) + len(figure):]
    return True


def test_quoted_figures_equal_the_commands_output(quoted):
    name, rows = quoted
    files = [ROOT / "README.md"] if name in README_ONLY else QUOTING_FILES
    for path in files:
        lines = path.read_text(encoding="utf-8").splitlines()
        missing = [row for row in rows if not any(_line_has(line, row) for line in lines)]
        assert not missing, f"{path.name} does not quote the current {name} figures (label, figures...): {missing}"
