"""The experiment functions behind the commands refuse bad arguments with a named error before any work."""

import numpy as np
import pytest

from codedml.errors import CodedMLError
from codedml.experiments import admm, allocate, compare, distributed, tables, train
from codedml.experiments.distributed import emulated_delays


@pytest.mark.parametrize("options, name", [
    ({"n_agents": 1}, "n_agents"), ({"n_ecns": 0}, "n_ecns"), ({"n_stragglers": 12}, "n_stragglers"),
    ({"n_stragglers": -1}, "n_stragglers"), ({"straggler_counts": (0, 12)}, "straggler_counts"),
    ({"straggler_counts": (0.5,)}, "straggler_counts"), ({"iterations": 0}, "iterations"), ({"runs": 0}, "runs"),
    ({"runs": None}, "runs"), ({"n_delayed": 13}, "n_delayed"), ({"seed": -1}, "seed"),
    ({"per_ecn_batch": 0}, "per_ecn_batch"), ({"progress": "yes"}, "progress")])
def test_admm_run_names_a_bad_argument(options, name):
    with pytest.raises(CodedMLError, match=name):
        admm.run(**({"runs": 1, "iterations": 2} | options))


@pytest.mark.parametrize("options, name", [
    ({"n_workers": 0}, "n_workers"), ({"budget": 0}, "budget"), ({"iterations": 0}, "iterations"),
    ({"iterations": 1.5}, "iterations"), ({"seeds": [-1]}, "seeds"), ({"seeds": 3}, "seeds"),
    ({"seeds": ["a"]}, "seeds"), ({"progress": 1}, "progress")])
def test_train_run_names_a_bad_argument(options, name):
    with pytest.raises(CodedMLError, match=name):
        train.run(**({"n_workers": 4, "iterations": 1, "seeds": [0]} | options))


@pytest.mark.parametrize("arguments, name", [
    ((0, 4, 1, 0.1), "iterations"), ((5, 0, 0, 0.1), "n_workers"), ((5, 4, 5, 0.1), "delayed"),
    ((5, 4, 1, -0.1), "delay"), ((5, 4, 1, float("nan")), "delay"), ((5, 4, 1.5, 0.1), "delayed")])
def test_emulated_delays_name_a_bad_argument(arguments, name):
    with pytest.raises(CodedMLError, match=name):
        emulated_delays(*arguments, np.random.default_rng(0))


@pytest.mark.parametrize("options, name", [
    ({"n_workers": 0}, "n_workers"), ({"n_stragglers": 4}, "n_stragglers"), ({"seed": -1}, "seed")])
def test_distributed_run_names_a_bad_argument_before_using_the_client(options, name):
    with pytest.raises(CodedMLError, match=name):
        distributed.run(None, **({"n_workers": 4} | options))


@pytest.mark.parametrize("options, name", [
    ({"n_workers": 0}, "n_workers"), ({"n_stragglers": 5}, "n_stragglers"), ({"n_stragglers": -1}, "n_stragglers"),
    ({"mu": 0}, "mu"), ({"alpha": float("nan")}, "alpha"), ({"n_iterations": 0}, "n_iterations"),
    ({"seed": -1}, "seed"), ({"dimension": 0}, "dimension"), ({"dimension": 10**12}, "dimension"),
    ({"decode_samples": 0}, "decode_samples"), ({"progress": "no"}, "progress")])
def test_compare_run_names_a_bad_argument(options, name):
    with pytest.raises(CodedMLError, match=name):
        compare.run(**({"n_workers": 5, "n_stragglers": 1, "n_iterations": 10, "decode_samples": 1} | options))


@pytest.mark.parametrize("options, name", [
    ({"n_workers": [0]}, "n_workers"), ({"n_workers": []}, "n_workers"), ({"max_factor": 1.5}, "max_factor"),
    ({"max_factor": 33}, "max_factor"), ({"factor_step": 0}, "factor_step"), ({"factor_step": 1e-12}, "budget grid"),
    ({"omega_scale": -1}, "omega_scale"), ({"deadline": 1.0}, "deadline"), ({"rate_range": (2.0, 1.0)}, "mu_low"),
    ({"seed": -1}, "seed")])
def test_allocate_run_names_a_bad_argument(options, name):
    with pytest.raises(CodedMLError, match=name):
        allocate.run(**({"n_workers": [4], "max_factor": 3.0} | options))


def test_tables_run_names_an_unknown_paper():
    with pytest.raises(CodedMLError, match="paper"):
        tables.run("nope")
