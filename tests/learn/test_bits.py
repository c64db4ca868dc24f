import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codedml.codes.gradient.design import design_weights
from codedml.errors import ParameterError
from codedml.kernels.bit_allocation import one_bit_swaps
from codedml.learn.bit_allocation import ALLOCATION_METHODS, allocate_bits, allocation_objective
from tests.naive_bits import naive_best_allocation, naive_feasible, naive_utility

MODES = [pytest.param(False, id="seed-problem"), pytest.param(True, id="idle-allowed")]


def random_instance(rng, n):
    """The seed's setting: p_i = exp(-mu_i (tau - 1)), mu ~ U(0.1, 2), tau in {1.1, 1.5}; scale log-uniform."""
    tau = rng.choice([1.1, 1.5])
    probabilities = np.exp(-rng.uniform(0.1, 2.0, n) * (tau - 1.0))
    budget = int(rng.integers(2 * n, 8 * n + 1))
    omega_scale = float(10 ** rng.uniform(-1, 3))
    return probabilities, budget, omega_scale


def small_instance(rng, n, allow_idle):
    """p_i ~ U(0.02, 0.98), s log-uniform on [0.1, 1000], B from the smallest feasible budget to 2n + 8."""
    probabilities = rng.uniform(0.02, 0.98, n)
    budget = int(rng.integers(2 if allow_idle else 2 * n, 2 * n + 9))
    return probabilities, budget, float(10 ** rng.uniform(-1, 3))


@settings(max_examples=40)
@given(n=st.integers(1, 4), seed=st.integers(0, 2**32 - 1), allow_idle=st.booleans())
def test_dynamic_programming_matches_brute_force(n, seed, allow_idle):
    probabilities, budget, omega_scale = small_instance(np.random.default_rng(seed), n, allow_idle)
    best, _ = naive_best_allocation(probabilities, budget, omega_scale, allow_idle)
    bits = allocate_bits(probabilities, budget, omega_scale, method="dp", allow_idle=allow_idle)
    assert naive_feasible(bits.tolist(), budget, allow_idle)
    assert naive_utility(probabilities, bits, omega_scale) == pytest.approx(best, rel=1e-12)


@pytest.mark.parametrize("allow_idle", MODES)
def test_every_method_is_feasible_and_dp_optimal_against_brute_force_at_five_workers(allow_idle):
    rng = np.random.default_rng(5)
    for _ in range(6):
        probabilities, budget, omega_scale = small_instance(rng, 5, allow_idle)
        best, _ = naive_best_allocation(probabilities, budget, omega_scale, allow_idle)
        for method in ALLOCATION_METHODS:
            bits = allocate_bits(probabilities, budget, omega_scale, method, allow_idle)
            assert naive_feasible(bits.tolist(), budget, allow_idle), method
            value = naive_utility(probabilities, bits, omega_scale)
            assert value <= best * (1 + 1e-12), method
            if method in ("dp", "low-complexity"):
                assert value == pytest.approx(best, rel=1e-12), method


@pytest.mark.parametrize("allow_idle", MODES)
def test_low_complexity_matches_brute_force_on_120_small_instances(allow_idle):
    rng = np.random.default_rng(17)
    for _ in range(120):
        n = int(rng.integers(1, 5))
        probabilities, budget, omega_scale = small_instance(rng, n, allow_idle)
        best, _ = naive_best_allocation(probabilities, budget, omega_scale, allow_idle)
        bits = allocate_bits(probabilities, budget, omega_scale, "low-complexity", allow_idle)
        assert naive_feasible(bits.tolist(), budget, allow_idle)
        assert naive_utility(probabilities, bits, omega_scale) == pytest.approx(best, rel=1e-12)


@pytest.mark.parametrize("allow_idle", MODES)
def test_some_optimum_gives_more_reliable_workers_no_fewer_bits(allow_idle):
    # the nested active sets of Algorithm 1 and of the idle-allowed baselines rest on this exchange argument
    rng = np.random.default_rng(23)
    for _ in range(20):
        probabilities, budget, omega_scale = small_instance(rng, 4, allow_idle)
        best, maximiser = naive_best_allocation(probabilities, budget, omega_scale, allow_idle)
        ordered = np.empty(4, dtype=np.int64)
        ordered[np.argsort(probabilities)] = sorted(maximiser, reverse=True)
        assert naive_utility(probabilities, ordered, omega_scale) == pytest.approx(best, rel=1e-12)


@pytest.mark.parametrize("method", sorted(ALLOCATION_METHODS))
def test_every_method_gives_every_worker_two_bits_at_budget_2n(method):
    probabilities = np.exp(-np.random.default_rng(0).uniform(0.1, 2.0, 10) * 0.5)
    assert allocate_bits(probabilities, 20, 50.0, method).tolist() == [2] * 10


def test_idle_allowed_optimum_at_budget_2n_idles_workers_and_exceeds_the_seed_optimum():
    probabilities = np.exp(-np.random.default_rng(0).uniform(0.1, 2.0, 10) * 0.5)
    seed_bits = allocate_bits(probabilities, 20, 50.0, "dp")
    idle_bits = allocate_bits(probabilities, 20, 50.0, "dp", allow_idle=True)
    assert np.count_nonzero(idle_bits == 0) > 0
    assert allocation_objective(probabilities, idle_bits, 50.0) > 10 * allocation_objective(
        probabilities, seed_bits, 50.0)


@pytest.mark.parametrize("allow_idle", MODES)
def test_low_complexity_matches_dp_on_100_instances_at_n50(allow_idle):
    rng = np.random.default_rng(2024)
    for _ in range(100):
        probabilities, budget, omega_scale = random_instance(rng, 50)
        optimum = allocation_objective(probabilities, allocate_bits(probabilities, budget, omega_scale, "dp",
                                                                    allow_idle), omega_scale)
        bits = allocate_bits(probabilities, budget, omega_scale, "low-complexity", allow_idle)
        assert naive_feasible(bits.tolist(), budget, allow_idle)
        assert allocation_objective(probabilities, bits, omega_scale) == pytest.approx(optimum, rel=1e-12)


@pytest.mark.parametrize("allow_idle", MODES)
@pytest.mark.parametrize("method", sorted(ALLOCATION_METHODS))
def test_every_method_spends_the_budget_within_its_feasible_set_and_never_beats_dp(method, allow_idle):
    rng = np.random.default_rng(7)
    for _ in range(10):
        probabilities, budget, omega_scale = random_instance(rng, 12)
        bits = allocate_bits(probabilities, budget, omega_scale, method, allow_idle)
        assert bits.dtype == np.int64 and bits.shape == (12,)
        assert naive_feasible(bits.tolist(), budget, allow_idle)
        optimum = allocation_objective(probabilities, allocate_bits(probabilities, budget, omega_scale, "dp",
                                                                    allow_idle), omega_scale)
        assert allocation_objective(probabilities, bits, omega_scale) <= optimum * (1 + 1e-12)


def test_seed_problem_never_idles_a_worker_and_idle_allowed_optimum_is_never_smaller():
    rng = np.random.default_rng(29)
    for _ in range(20):
        probabilities, budget, omega_scale = random_instance(rng, 10)
        for method in ALLOCATION_METHODS:
            assert allocate_bits(probabilities, budget, omega_scale, method).min() >= 2
        seed_optimum, idle_optimum = (
            allocation_objective(probabilities, allocate_bits(probabilities, budget, omega_scale, "dp", idle),
                                 omega_scale) for idle in (False, True))
        assert idle_optimum >= seed_optimum * (1 - 1e-12)


@pytest.mark.parametrize("allow_idle", MODES)
@pytest.mark.parametrize("method", sorted(ALLOCATION_METHODS))
def test_budget_of_32_bits_per_worker_gives_every_worker_32_bits(method, allow_idle):
    assert allocate_bits([0.1, 0.5, 0.9], 96, 1.0, method, allow_idle).tolist() == [32, 32, 32]


def test_no_worker_gets_more_than_32_bits_near_the_largest_budget():
    probabilities = np.array([0.01, 0.5, 0.99])
    for method in ALLOCATION_METHODS:
        for allow_idle in (False, True):
            bits = allocate_bits(probabilities, 90, 1e6, method, allow_idle)
            assert bits.sum() == 90 and bits.max() <= 32


def test_low_complexity_beats_greedy_and_relaxation_somewhere_in_the_seed_problem():
    rng = np.random.default_rng(3)
    probabilities, omega_scale = np.exp(-rng.uniform(0.1, 2.0, 10) * 0.5), 300.0
    values = {m: allocation_objective(probabilities, allocate_bits(probabilities, 50, omega_scale, m), omega_scale)
              for m in ALLOCATION_METHODS}
    assert values["low-complexity"] == pytest.approx(values["dp"], rel=1e-12)
    assert values["greedy"] < 0.95 * values["dp"] and values["relaxation"] < 0.99 * values["dp"]


def test_idle_allowed_budget_may_be_below_2n():
    bits = allocate_bits([0.1, 0.2, 0.3, 0.4], 5, 10.0, "dp", allow_idle=True)
    assert bits.tolist() == [5, 0, 0, 0]


def test_one_bit_swaps_reach_a_swap_local_optimum():
    probabilities = np.array([0.1, 0.3, 0.5, 0.7])
    bits = np.array([2, 2, 2, 10], dtype=np.int64)
    one_bit_swaps(probabilities, bits, 5.0, 32)
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


def test_budget_below_two_bits_per_worker_is_refused_unless_idling_is_allowed():
    with pytest.raises(ParameterError, match=r"budget B=5 is below 2 n = 6: .* \(allow_idle=True lets"):
        allocate_bits([0.1, 0.2, 0.3], 5, 1.0)
    with pytest.raises(ParameterError, match="budget B=1 is below 2"):
        allocate_bits([0.1, 0.2, 0.3], 1, 1.0, allow_idle=True)


def test_bad_method_scale_and_bits_are_refused():
    with pytest.raises(ParameterError, match="allocation method must be one of"):
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
    (lambda: allocate_bits([0.1, 0.2], 6, 1.0, method=None), "allocation method must be one of .* got None"),
    (lambda: allocate_bits([0.1, 0.2], 6, 1.0, method=["dp"]), "allocation method must be one of"),
    (lambda: allocate_bits([0.1, 0.2], 6, 1.0, allow_idle="yes"), "allow_idle must be True or False"),
    (lambda: allocate_bits([0.1, 0.2], 6, 1.0, allow_idle=None), "allow_idle must be True or False"),
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
