"""``codedml allocate``: every method on the same instance and budgets, the seed's problem by default."""

import pytest

from codedml.cli import main
from codedml.errors import ParameterError
from codedml.experiments import allocate


def test_allocate_run_solves_the_seed_problem_by_default_with_low_complexity_at_dp():
    results = allocate.run(n_workers=[10], max_factor=4.0, factor_step=0.5)
    assert results["settings"]["allow_idle"] is False
    curve = results["curves"][10]
    assert curve["budgets"] == [20, 25, 30, 35, 40]
    assert all(count == 0 for counts in curve["idle"].values() for count in counts)
    objective = curve["objective"]
    assert objective["low-complexity"] == pytest.approx(objective["dp"], rel=1e-12)
    assert len({values[0] for values in objective.values()}) == 1  # B = 2n: every method gives all workers 2 bits
    for method in ("greedy", "relaxation"):
        assert all(value <= optimum * (1 + 1e-12) for value, optimum in zip(objective[method], objective["dp"]))
        assert min(value / optimum for value, optimum in zip(objective[method], objective["dp"])) < 0.99


def test_allocate_run_with_idle_workers_allowed_reaches_more_and_idles_workers_at_budget_2n():
    seed_problem, idle_allowed = (allocate.run(n_workers=[10], max_factor=4.0, factor_step=1.0, allow_idle=idle)
                                  for idle in (False, True))
    ours, theirs = seed_problem["curves"][10], idle_allowed["curves"][10]
    assert theirs["idle"]["dp"][0] > 0
    assert theirs["objective"]["dp"][0] > 10 * ours["objective"]["dp"][0]
    assert all(idle >= seed * (1 - 1e-12) for idle, seed in zip(theirs["objective"]["dp"], ours["objective"]["dp"]))


def test_allocate_run_refuses_a_non_boolean_allow_idle():
    with pytest.raises(ParameterError, match="allow_idle must be True or False"):
        allocate.run(n_workers=[4], max_factor=3.0, allow_idle="yes")


def test_allocate_command_with_allow_idle_prints_the_problem_and_the_idle_column(capsys, tmp_path):
    plot = tmp_path / "allocate.png"
    assert main(["allocate", "-n", "6", "--max-factor", "3", "--factor-step", "1", "--allow-idle", "-q",
                 "--plot", str(plot)]) == 0
    output = capsys.readouterr().out
    assert "idle workers allowed" in output and "idle(DP)" in output and "greedy/DP" in output
    assert len([line for line in output.splitlines() if line.startswith("   6")]) == 2
    assert plot.stat().st_size > 1000


def test_allocate_command_states_the_seed_problem_by_default(capsys):
    assert main(["allocate", "-n", "6", "--max-factor", "3", "--factor-step", "1", "-q"]) == 0
    output = capsys.readouterr().out
    assert "every b_i in [2, 32] (seed's problem)" in output and "idle(DP)" not in output
