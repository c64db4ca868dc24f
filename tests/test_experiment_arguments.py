"""The experiment functions behind the commands refuse bad arguments with a named error before any work."""

import numpy as np
import pytest

from codedml.experiments.distributed import distributed_comparison, emulated_delays
from codedml.errors import CodedMLError
from codedml.experiments.admm import admm_experiment
from codedml.experiments.learning import training_experiment


@pytest.mark.parametrize("options, name", [
    ({"n_agents": 1}, "n_agents"), ({"n_ecns": 0}, "n_ecns"), ({"stragglers": 12}, "stragglers"),
    ({"stragglers": -1}, "stragglers"), ({"straggler_counts": (0, 12)}, "straggler_counts"),
    ({"straggler_counts": (0.5,)}, "straggler_counts"), ({"iterations": 0}, "iterations"), ({"runs": 0}, "runs"),
    ({"runs": None}, "runs"), ({"n_delayed": 13}, "n_delayed"), ({"seed": -1}, "seed"),
    ({"per_ecn_batch": 0}, "per_ecn_batch")])
def test_admm_experiment_names_a_bad_argument(options, name):
    with pytest.raises(CodedMLError, match=name):
        admm_experiment(**({"runs": 1, "iterations": 2} | options))


@pytest.mark.parametrize("options, name", [
    ({"n_workers": 0}, "n_workers"), ({"budget": 0}, "budget"), ({"iterations": 0}, "iterations"),
    ({"iterations": 1.5}, "iterations"), ({"seeds": [-1]}, "seeds"), ({"seeds": 3}, "seeds"),
    ({"seeds": ["a"]}, "seeds")])
def test_training_experiment_names_a_bad_argument(options, name):
    with pytest.raises(CodedMLError, match=name):
        training_experiment(**({"n_workers": 4, "iterations": 1, "seeds": [0]} | options))


@pytest.mark.parametrize("arguments, name", [
    ((0, 4, 1, 0.1), "iterations"), ((5, 0, 0, 0.1), "n_workers"), ((5, 4, 5, 0.1), "delayed"),
    ((5, 4, 1, -0.1), "delay"), ((5, 4, 1, float("nan")), "delay"), ((5, 4, 1.5, 0.1), "delayed")])
def test_emulated_delays_name_a_bad_argument(arguments, name):
    with pytest.raises(CodedMLError, match=name):
        emulated_delays(*arguments, np.random.default_rng(0))


@pytest.mark.parametrize("options, name", [
    ({"n_workers": 0}, "n_workers"), ({"stragglers": 4}, "stragglers"), ({"seed": -1}, "seed")])
def test_distributed_comparison_names_a_bad_argument_before_using_the_client(options, name):
    with pytest.raises(CodedMLError, match=name):
        distributed_comparison(None, **({"n_workers": 4} | options))
