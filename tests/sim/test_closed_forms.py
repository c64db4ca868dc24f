"""The closed-form expected completion times against the naive harmonic sums, exact score-vector integration and
the Monte Carlo simulator."""

import numpy as np
import pytest

from codedml.codes import (
    CyclicRepetition,
    FractionalRepetition,
    MDSCodedComputation,
    MDSCodedComputationMMC,
    UncodedScheme,
)
from codedml.errors import ParameterError
from codedml.sim import (
    ShiftedExponential,
    exact_expected_completion_time,
    gradient_coding_expected_completion_time,
    harmonic_number,
    mds_coded_computation_expected_completion_time,
    mds_recovery_threshold,
    simulate,
    uncoded_expected_completion_time,
)
from tests.naive import harmonic


@pytest.mark.parametrize("m", [0, 1, 2, 9, 40, 1000])
def test_harmonic_number_is_the_naive_sum(m):
    assert harmonic_number(m) == harmonic(m)


def test_closed_forms_are_the_order_statistic_formulas():
    assert uncoded_expected_completion_time(40, 10.0, 0.01) == 0.01 + harmonic(40) / 10.0
    expected = 10 * (0.01 + (harmonic(40) - harmonic(9)) / 10)
    assert gradient_coding_expected_completion_time(40, 9, 10.0, 0.01) == expected
    assert gradient_coding_expected_completion_time(7, 0, 2.0, 0.5) == uncoded_expected_completion_time(7, 2.0, 0.5)


@pytest.mark.parametrize("n_workers, n_partitions, load, threshold", [
    (4, 4, 2, 2), (7, 10, 3, 4), (5, 7, 2, 4), (6, 1, 1, 1), (6, 6, 1, 6), (3, 9, 3, 3)])
def test_mds_recovery_threshold_is_the_fewest_workers_whose_coded_rows_have_full_rank(n_workers, n_partitions, load,
                                                                                     threshold):
    assert mds_recovery_threshold(n_workers, n_partitions, load) == threshold
    rows = MDSCodedComputationMMC(n_workers, n_partitions, load).generator.reshape(n_workers, load, n_partitions)
    ranks = [np.linalg.matrix_rank(rows[:count].reshape(-1, n_partitions)) for count in range(1, n_workers + 1)]
    assert ranks.index(n_partitions) + 1 == threshold
    if n_partitions % load == 0:
        assert MDSCodedComputation(n_workers, n_partitions, load).recovery_threshold == threshold


def test_mds_closed_form_is_the_hand_computed_order_statistic_and_the_exact_score_vector_integral():
    assert mds_recovery_threshold(20, 20, 3) == 7  # seed cpgc Fig. 1 (zero padding: 3 does not divide 20)
    # seed cpgc example: K = M = 4, r = 2, any 2 workers decode: 2 (alpha + (1/4 + 1/3) / mu)
    assert mds_coded_computation_expected_completion_time(4, 4, 2, 10.0, 0.01) == pytest.approx(0.02 + 7 / 60,
                                                                                                 rel=1e-15)
    # K = 5, M = 7, r = 2: 4 workers, 2 (alpha + (1/5 + 1/4 + 1/3 + 1/2) / mu)
    assert mds_coded_computation_expected_completion_time(5, 7, 2, 3.0, 0.1) == pytest.approx(0.2 + 77 / 90,
                                                                                               rel=1e-15)
    for shape, mu, alpha in (((4, 4, 2), 10.0, 0.01), ((5, 7, 2), 3.0, 0.1), ((4, 3, 1), 2.0, 0.0)):
        exact = exact_expected_completion_time(MDSCodedComputationMMC(*shape), mu, alpha)
        assert mds_coded_computation_expected_completion_time(*shape, mu, alpha) == pytest.approx(exact, rel=1e-9)


@pytest.mark.parametrize("code, closed_form", [
    (UncodedScheme(12), uncoded_expected_completion_time(12, 3.0, 0.1)),
    (CyclicRepetition(12, 3, seed=0), gradient_coding_expected_completion_time(12, 3, 3.0, 0.1)),
    (MDSCodedComputationMMC(20, 20, 3), mds_coded_computation_expected_completion_time(20, 20, 3, 3.0, 0.1)),
], ids=["uncoded", "cyclic", "mcc"])
def test_simulated_mean_matches_the_closed_form_within_twice_its_ci(code, closed_form):
    # twice the 95% half-width is ~3.9 standard errors: a correct closed form fails once in 10^4 seeds
    result = simulate(code, ShiftedExponential(3.0, 0.1), 20_000, seed=np.random.default_rng(1))
    assert abs(result.mean_time - closed_form) <= 2 * result.ci95


def test_fractional_repetition_finishes_before_the_any_n_minus_s_closed_form():
    result = simulate(FractionalRepetition(12, 3), ShiftedExponential(3.0, 0.1), 20_000, seed=np.random.default_rng(1))
    assert result.mean_time + result.ci95 < gradient_coding_expected_completion_time(12, 3, 3.0, 0.1)


@pytest.mark.parametrize("call, name", [
    (lambda: harmonic_number(-1), "m"),
    (lambda: uncoded_expected_completion_time(0, 1.0, 0.0), "n_workers"),
    (lambda: uncoded_expected_completion_time(4, 0.0, 0.0), "mu"),
    (lambda: uncoded_expected_completion_time(4, 1.0, -1.0), "alpha"),
    (lambda: gradient_coding_expected_completion_time(4, 4, 1.0, 0.0), "n_stragglers"),
    (lambda: gradient_coding_expected_completion_time(4, 1, float("nan"), 0.0), "mu"),
    (lambda: mds_recovery_threshold(0, 1, 1), "n_workers"),
    (lambda: mds_recovery_threshold(4, 9, 2), "n_partitions"),
    (lambda: mds_recovery_threshold(4, 0, 2), "n_partitions"),
    (lambda: mds_recovery_threshold(4, 4, 1.5), "computation_load"),
    (lambda: mds_coded_computation_expected_completion_time(4, 4, 2, 0.0, 0.01), "mu"),
    (lambda: mds_coded_computation_expected_completion_time(4, 4, 2, 1.0, float("inf")), "alpha"),
])
def test_bad_arguments_are_named(call, name):
    with pytest.raises(ParameterError, match=name):
        call()
