import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codedml.codes.gradient.design import design_weights
from codedml.errors import ParameterError
from codedml.kernels.bit_allocation import one_bit_swaps
from codedml.learn.bit_allocation import ALLOCATION_METHODS, allocate_bits, allocation_objective
from tests.naive_bits import naive_best_allocation, naive_utility


def random_instance(rng, n):
    """The seed's setting: p_i = exp(-mu_i (tau - 1)), mu ~ U(0.1, 2), tau in {1.1, 1.5}; scale log-uniform."""
    tau = rng.choice([1.1, 1.5])
    probabilities = np.exp(-rng.uniform(0.1, 2.0, n) * (tau - 1.0))
    budget = int(rng.integers(2 * n, 8 * n + 1))
    omega_scale = float(10 ** rng.uniform(-1, 3))
    return probabilities, budget, omega_scale


@settings(max_examples=40)
@given(n=st.integers(1, 4), extra=st.integers(0, 6), seed=st.integers(0, 2**32 - 1))
def test_dynamic_programming_matches_brute_force(n, extra, seed):
    rng = np.random.default_rng(seed)
    probabilities = rng.uniform(0.02, 0.98, n)
    budget = 2 * n + extra
    omega_scale = float(10 ** rng.uniform(-1, 3))
    best, _ = naive_best_allocation(probabilities, budget, omega_scale)
    bits = allocate_bits(probabilities, budget, omega_scale, method="dp")
    assert bits.sum() == budget
    assert naive_utility(probabilities, bits, omega_scale) == pytest.approx(best, rel=1e-12)


def test_dynamic_programming_matches_brute_force_at_five_workers():
    rng = np.random.default_rng(5)
    for _ in range(3):
        probabilities = rng.uniform(0.05, 0.95, 5)
        omega_scale = float(10 ** rng.uniform(0, 2))
        best, _ = naive_best_allocation(probabilities, 14, omega_scale)
        bits = allocate_bits(probabilities, 14, omega_scale, method="dp")
        assert naive_utility(probabilities, bits, omega_scale) == pytest.approx(best, rel=1e-12)


def test_low_complexity_reaches_995_permille_of_dp_on_100_instances_at_n50():
    rng = np.random.default_rng(2024)
    ratios = []
    for _ in range(100):
        probabilities, budget, omega_scale = random_instance(rng, 50)
        optimum = allocation_objective(probabilities, allocate_bits(probabilities, budget, omega_scale, "dp"),
                                       omega_scale)
        bits = allocate_bits(probabilities, budget, omega_scale, "low-complexity")
        assert bits.sum() == budget and np.all((bits == 0) | (bits >= 2))
        ratios.append(allocation_objective(probabilities, bits, omega_scale) / optimum)
    assert min(ratios) >= 0.995


@pytest.mark.parametrize("method", sorted(ALLOCATION_METHODS))
def test_every_method_spends_the_budget_with_zero_or_at_least_two_bits(method):
    rng = np.random.default_rng(7)
    for _ in range(10):
        probabilities, budget, omega_scale = random_instance(rng, 12)
        bits = allocate_bits(probabilities, budget, omega_scale, method)
        assert bits.dtype == np.int64 and bits.shape == (12,)
        assert bits.sum() == budget and np.all((bits == 0) | (bits >= 2))


@pytest.mark.parametrize("method", ["greedy", "relaxation", "low-complexity"])
def test_no_method_beats_dynamic_programming(method):
    rng = np.random.default_rng(11)
    for _ in range(10):
        probabilities, budget, omega_scale = random_instance(rng, 15)
        optimum = allocation_objective(probabilities, allocate_bits(probabilities, budget, omega_scale, "dp"),
                                       omega_scale)
        value = allocation_objective(probabilities, allocate_bits(probabilities, budget, omega_scale, method),
                                     omega_scale)
        assert value <= optimum * (1 + 1e-12)


def test_low_complexity_beats_greedy_and_relaxation_somewhere_in_the_convex_regime():
    rng = np.random.default_rng(3)
    probabilities, omega_scale = np.exp(-rng.uniform(0.1, 2.0, 10) * 0.5), 300.0
    values = {m: allocation_objective(probabilities, allocate_bits(probabilities, 30, omega_scale, m), omega_scale)
              for m in ALLOCATION_METHODS}
    assert values["low-complexity"] == pytest.approx(values["dp"], rel=1e-12)
    assert values["greedy"] < values["dp"] and values["relaxation"] < values["dp"]


def test_one_bit_swaps_reach_a_swap_local_optimum():
    probabilities = np.array([0.1, 0.3, 0.5, 0.7])
    bits = np.array([2, 2, 2, 10], dtype=np.int64)
    one_bit_swaps(probabilities, bits, 5.0)
    assert bits.sum() == 16 and np.all(bits >= 2)
    value = naive_utility(probabilities, bits, 5.0)
    for donor in range(4):
        for receiver in range(4):
            if donor != receiver and bits[donor] > 2:
                moved = bits.copy()
                moved[donor] -= 1
                moved[receiver] += 1
                assert naive_utility(probabilities, moved, 5.0) <= value * (1 + 1e-12)


def test_design_weights_are_zero_for_idle_workers_and_match_the_formula():
    weights = design_weights([0.2, 0.4, 0.6], [3, 0, 4], omega_scale=2.0)
    assert weights.tolist() == pytest.approx([0.8 / (0.2 + 2 / 9), 0.0, 0.4 / (0.6 + 2 / 49)])


@pytest.mark.parametrize("probabilities", [[0.0, 0.5], [0.5, 1.0], [0.5, -0.1], [0.5, np.nan], []])
def test_probabilities_outside_the_open_unit_interval_are_refused(probabilities):
    with pytest.raises(ParameterError, match="probabilities"):
        allocate_bits(probabilities, 10, 1.0)


def test_budget_below_two_bits_per_worker_is_refused():
    with pytest.raises(ParameterError, match="budget B=5 is below 2 n = 6"):
        allocate_bits([0.1, 0.2, 0.3], 5, 1.0)


def test_bad_method_scale_and_bits_are_refused():
    with pytest.raises(ParameterError, match="unknown allocation method"):
        allocate_bits([0.1, 0.2], 6, 1.0, method="simplex")
    with pytest.raises(ParameterError, match="omega_scale"):
        allocate_bits([0.1, 0.2], 6, 0.0)
    with pytest.raises(ParameterError, match="integer"):
        allocate_bits([0.1, 0.2], 6.5, 1.0)
    with pytest.raises(ParameterError, match="b >= 2"):
        design_weights([0.1, 0.2], [1, 3], 1.0)
    with pytest.raises(ParameterError, match="one entry per worker"):
        allocation_objective([0.1, 0.2], [3], 1.0)


@pytest.mark.parametrize("call, message", [
    (lambda: allocate_bits([0.1, 0.2], None, 1.0), "budget .* must be an integer, got None"),
    (lambda: allocate_bits([0.1, 0.2], np.nan, 1.0), "budget .* must be an integer, got nan"),
    (lambda: allocate_bits([0.1, 0.2], "6", 1.0), "budget .* must be an integer"),
    (lambda: allocate_bits([0.1, 0.2], 10**12, 1.0, method="dp"), "budget B=1000000000000 is above 32 n = 64"),
    (lambda: allocate_bits([0.1, 0.2], 6, 1.0, method=None), "unknown allocation method None"),
    (lambda: allocate_bits([0.1, 0.2], 6, 1.0, method=["dp"]), "unknown allocation method"),
    (lambda: allocate_bits([0.1, 0.2], 6, None), r"omega_scale must be a finite real number in \(0, inf\)"),
    (lambda: allocate_bits([0.1, 0.2], 6, np.inf), "omega_scale must be a finite real number"),
    (lambda: allocate_bits(None, 6, 1.0), "probabilities must be an array"),
    (lambda: allocate_bits(["a"], 6, 1.0), "probabilities must be numeric"),
    (lambda: allocate_bits([0.1 + 1j], 6, 1.0), "probabilities must be real"),
    (lambda: design_weights([0.5], None, 1.0), "bits must be an array, got None"),
    (lambda: design_weights([0.5], ["a"], 1.0), "bits must be numeric"),
    (lambda: design_weights([0.5], [2.5], 1.0), "bits must hold integers"),
    (lambda: design_weights([0.5], [np.nan], 1.0), "bits must hold integers"),
    (lambda: design_weights([0.5, 0.5], [-1, 2], 1.0), "b >= 2"),
    (lambda: allocation_objective([0.5], [[2]], 1.0), "bits must have one entry per worker"),
])
def test_bad_allocation_arguments_raise_parameter_error_naming_them(call, message):
    with pytest.raises(ParameterError, match=message):
        call()


def test_budget_of_32_bits_per_worker_is_accepted():
    bits = allocate_bits([0.1, 0.2], 64, 1.0, method="dp")
    assert bits.sum() == 64
