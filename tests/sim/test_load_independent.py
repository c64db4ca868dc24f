"""LoadIndependent: the seed's response-time model T_i = 1 + Exp(mu_i), whatever a worker's load."""

import numpy as np
import pytest

from codedml.codes import OptimallyStructuredGC
from codedml.errors import ParameterError
from codedml.sim import (
    HeterogeneousShiftedExponential,
    LoadIndependent,
    ShiftedExponential,
    expected_deadline_error,
    exponential_straggler_probabilities,
    simulate,
    straggler_probabilities,
)


def test_finish_times_do_not_depend_on_the_load():
    model = LoadIndependent(ShiftedExponential(mu=2.0, alpha=1.0))
    light = model.finish_times(np.ones(4), 50, np.random.default_rng(3))
    heavy = model.finish_times(np.array([1.0, 7.0, 0.5, 30.0]), 50, np.random.default_rng(3))
    np.testing.assert_array_equal(light, heavy)


def test_unit_times_are_refused_with_the_reason():
    with pytest.raises(ParameterError, match="one time per answer"):
        LoadIndependent(ShiftedExponential()).unit_times(2, 3, np.random.default_rng(0))


def test_straggler_probabilities_are_the_seeds_eq_37_for_any_load():
    mu = np.array([0.1, 0.7, 1.3, 2.0])
    model = LoadIndependent(HeterogeneousShiftedExponential(mu, alpha=1.0))
    probabilities = straggler_probabilities(model, 1.5, 4, loads=[1.0, 3.0, 0.5, 9.0])
    np.testing.assert_allclose(probabilities, exponential_straggler_probabilities(mu, 1.5), rtol=1e-15)


def test_a_code_designed_for_the_seeds_probabilities_meets_its_design_error():
    rates = np.random.default_rng(5).uniform(0.1, 2.0, 20)
    deadline = 1.5
    design = exponential_straggler_probabilities(rates, deadline)
    code = OptimallyStructuredGC(design)
    model = LoadIndependent(HeterogeneousShiftedExponential(rates, alpha=1.0))
    designed = code.expected_error(None, design) / code.n_partitions
    assert expected_deadline_error(code, model, deadline) == pytest.approx(designed, rel=1e-12)
    result = simulate(code, model, 20_000, seed=11, deadline=deadline)
    assert abs(result.mean_error - designed) < 3.3 * result.error_ci95  # 99.9% interval
