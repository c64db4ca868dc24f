"""Deadline mode and periodic re-allocation of coded training."""

import numpy as np
import pytest

from codedml.codes.gradient.approximate import IgnoreStragglersSGD, OptimallyStructuredGC
from codedml.errors import ParameterError
from codedml.learn.bit_allocation import allocate_bits
from codedml.learn.models import SoftmaxRegression, partition_data, synthetic_classification
from codedml.learn.training import reestimated_probabilities, train_coded
from codedml.sim import HeterogeneousShiftedExponential, straggler_probabilities

DEADLINE = 1.5
RATES = np.array([4.0, 2.0, 0.8, 0.2])  # p_i = exp(-mu_i / 2): 0.135, 0.368, 0.670, 0.905
BUDGET, SCALE = 16, 1.0


def small_problem(seed=0):
    rng = np.random.default_rng(seed)
    features, labels = synthetic_classification(60, 4, 2, rng)
    return partition_data(features, labels, 4, rng)


def joint_design(probabilities):
    bits = allocate_bits(probabilities, BUDGET, SCALE)
    return OptimallyStructuredGC(probabilities, bits, omega_scale=SCALE), bits, None


def test_deadline_mode_answers_exactly_the_workers_that_finished_by_the_deadline():
    data = small_problem()
    stragglers = HeterogeneousShiftedExponential(RATES, alpha=1.0)
    code = IgnoreStragglersSGD(straggler_probabilities(stragglers, DEADLINE, 4))
    result = train_coded(SoftmaxRegression(4, 2), data, code, [3, 3, 3, 3], 50, 0.5, np.random.default_rng(7),
                         stragglers=stragglers, deadline=DEADLINE)
    finish = stragglers.unit_times(50, 4, np.random.default_rng(7))  # the first draw of the run's generator
    np.testing.assert_array_equal(result.answered, np.count_nonzero(finish <= DEADLINE, axis=1))
    assert 0 < result.answered.sum() < 200


def test_reallocation_estimates_by_maximum_likelihood_and_converges_to_the_true_allocation():
    data = small_problem()
    stragglers = HeterogeneousShiftedExponential(RATES, alpha=1.0)
    truth = straggler_probabilities(stragglers, DEADLINE, 4)
    prior = np.full(4, 0.5)
    code, bits, _ = joint_design(prior)
    iterations, every = 1200, 300
    result = train_coded(SoftmaxRegression(4, 2), data, code, bits, iterations, 0.5, np.random.default_rng(3),
                         stragglers=stragglers, deadline=DEADLINE, reallocate_every=every, redesign=joint_design)
    finish = stragglers.unit_times(iterations, 4, np.random.default_rng(3))
    assert [r.iteration for r in result.reallocations] == [300, 600, 900]
    schedule = np.repeat([bits] + [r.bits for r in result.reallocations[:-1]], every, axis=0)  # b_i per iteration
    for reallocation in result.reallocations:
        # the miss share over the iterations in which the worker was active (an idle worker is not observed)
        active = schedule[: reallocation.iteration] > 0
        misses = np.sum((finish[: reallocation.iteration] > DEADLINE) & active, axis=0)
        share = misses / active.sum(axis=0)
        np.testing.assert_allclose(reallocation.probabilities, share, rtol=1e-12)
        np.testing.assert_array_equal(reallocation.bits, allocate_bits(share, BUDGET, SCALE))
    last = result.reallocations[-1]
    assert np.all(np.abs(last.probabilities - truth) < 4 * np.sqrt(truth * (1 - truth) / 900))
    np.testing.assert_array_equal(last.bits, allocate_bits(truth, BUDGET, SCALE))
    assert not np.array_equal(last.bits, bits)  # the prior's allocation was not the true one
    assert not result.diverged


def test_reestimated_probabilities_skip_unobserved_iterations_and_stay_inside_the_open_interval():
    finish = np.array([[2.0, 0.5, 0.5], [0.5, 0.5, 2.0], [np.inf, 0.5, 2.0], [0.5, 0.5, 2.0]])
    observed = np.array([[1, 1, 0], [1, 1, 0], [0, 1, 0], [1, 1, 1]], dtype=bool)
    estimate = reestimated_probabilities(finish, 1.0, observed, np.array([0.3, 0.3, 0.3]))
    np.testing.assert_allclose(estimate, [1 / 3, 1 / 8, 1 - 1 / 2])  # no miss in 4: 1 / (2 * 4); 1 miss in 1: 1/2
    never = reestimated_probabilities(finish, 1.0, np.zeros_like(observed), np.array([0.3, 0.2, 0.1]))
    np.testing.assert_array_equal(never, [0.3, 0.2, 0.1])


def test_deadline_mode_and_reallocation_refuse_incomplete_settings():
    data = small_problem()
    model, rng = SoftmaxRegression(4, 2), np.random.default_rng(0)
    stragglers = HeterogeneousShiftedExponential(RATES, alpha=1.0)
    code, bits, _ = joint_design(np.full(4, 0.5))
    with pytest.raises(ParameterError, match="stragglers and deadline"):
        train_coded(model, data, code, bits, 2, 0.1, rng, stragglers=stragglers)
    with pytest.raises(ParameterError, match="stragglers must be a StragglerModel"):
        train_coded(model, data, code, bits, 2, 0.1, rng, stragglers="slow", deadline=1.5)
    with pytest.raises(ParameterError, match="deadline"):
        train_coded(model, data, code, bits, 2, 0.1, rng, stragglers=stragglers, deadline=0.0)
    with pytest.raises(ParameterError, match="reallocate_every and redesign"):
        train_coded(model, data, code, bits, 2, 0.1, rng, reallocate_every=1)
    with pytest.raises(ParameterError, match="deadline mode"):
        train_coded(model, data, code, bits, 2, 0.1, rng, reallocate_every=1, redesign=joint_design)
    with pytest.raises(ParameterError, match="keep the 4 workers"):
        train_coded(model, data, code, bits, 3, 0.1, rng, stragglers=stragglers, deadline=1.5, reallocate_every=1,
                    redesign=lambda p: (OptimallyStructuredGC(np.full(5, 0.5), n_partitions=4), [3] * 5, None))
