import re

import pytest

from codedml.cli import main
from tests.naive import harmonic


def scheme_row(output: str, name: str) -> tuple[float, float, float]:
    match = re.search(rf"^{name}\s+\d+\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", output, re.MULTILINE)
    assert match, output
    return tuple(float(v) for v in match.groups())


def test_compare_defaults_match_closed_forms_within_their_ci(capsys, tmp_path):
    plot = tmp_path / "compare.png"
    assert main(["compare", "--plot", str(plot), "--decode-samples", "20"]) == 0
    output = capsys.readouterr().out
    mean, ci, messages = scheme_row(output, "cyclic-repetition")
    assert abs(mean - 10 * (0.01 + (harmonic(40) - harmonic(9)) / 10)) <= ci  # 1.549
    assert messages == 31
    mean, ci, messages = scheme_row(output, "uncoded")
    assert abs(mean - (0.01 + harmonic(40) / 10)) <= ci
    assert messages == 40
    assert plot.stat().st_size > 1000


def test_compare_skips_fractional_repetition_when_s_plus_one_does_not_divide_k(capsys):
    assert main(["compare", "-K", "10", "-s", "2", "--iterations", "500", "--decode-samples", "5"]) == 0
    output = capsys.readouterr().out
    assert "fractional-repetition" not in output and "cyclic-repetition" in output


def test_compare_reports_bad_parameters_as_an_error(capsys):
    assert main(["compare", "-K", "5", "-s", "5", "--iterations", "100"]) == 2
    assert "n_stragglers" in capsys.readouterr().err


def test_compare_help_explains_every_option(capsys):
    with pytest.raises(SystemExit):
        main(["compare", "--help"])
    text = capsys.readouterr().out
    for option in ("--workers", "--stragglers", "--mu", "--alpha", "--iterations", "--seed", "--plot"):
        assert option in text
