import sys
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import scipy.sparse
from hypothesis import given
from hypothesis import strategies as st

from codedml.codes import (
    CyclicRepetition,
    FractionalRepetition,
    IgnoreStragglers,
    LinearGradientCode,
    UncodedScheme,
    check_b_span,
    survey_toy_code,
)
from codedml.errors import DecodingAccuracyError, NotDecodableError
from tests import naive


def relative_error(estimate, exact):
    return np.linalg.norm(estimate - exact) / np.linalg.norm(exact)


@st.composite
def cyclic_case(draw):
    n = draw(st.integers(1, 60))
    s = draw(st.integers(0, n - 1))
    extra = draw(st.integers(0, s))  # survivor sets of size n - s + extra >= n - s
    seed = draw(st.integers(0, 2**32 - 1))
    return n, s, extra, seed


@given(cyclic_case())
def test_cyclic_repetition_decodes_exact_sum_from_any_large_enough_survivor_set(case):
    n, s, extra, seed = case
    rng = np.random.default_rng(seed)
    code = CyclicRepetition(n, s, seed=rng)
    partials = rng.standard_normal((n, 3))
    messages = code.encode(partials)
    survivors = np.sort(rng.choice(n, n - s + extra, replace=False))
    decoded = code.decode(survivors, messages[survivors])
    assert relative_error(decoded, partials.sum(axis=0)) <= 1e-9


@given(cyclic_case())
def test_cyclic_mds_construction_decodes_within_1e_9_or_refuses(case):
    n, s, extra, seed = case
    s -= s % 2
    extra = min(extra, s)
    rng = np.random.default_rng(seed)
    code = CyclicRepetition(n, s, construction="cyclic-mds")
    partials = rng.standard_normal((n, 3))
    survivors = np.sort(rng.choice(n, n - s + extra, replace=False))
    try:
        decoded = code.decode(survivors, code.encode(partials)[survivors])
    except DecodingAccuracyError:
        return  # a straggler pattern the non-MDS construction cannot decode: refused, not wrong
    assert relative_error(decoded, partials.sum(axis=0)) <= 1e-9


def test_cyclic_mds_construction_refuses_antipodal_stragglers_at_composite_n():
    code = CyclicRepetition(12, 2, construction="cyclic-mds")  # stride 7: workers 2 and 8 sit opposite
    survivors = np.setdiff1d(np.arange(12), [2, 8])
    assert not code.is_decodable(survivors)
    with pytest.raises(DecodingAccuracyError):
        code.decoding_vector(survivors)


@pytest.mark.parametrize("n", [5, 7, 11, 13, 17])
def test_cyclic_mds_construction_is_exactly_s_tolerant_at_prime_n(n):
    for s in range(2, n, 2):
        code = CyclicRepetition(n, s)
        assert code.construction == "cyclic-mds"
        assert check_b_span(code, exhaustive_limit=30_000).passed


@st.composite
def fractional_case(draw):
    s = draw(st.integers(0, 14))
    n = (s + 1) * draw(st.integers(1, 60 // (s + 1)))
    extra = draw(st.integers(0, s))
    seed = draw(st.integers(0, 2**32 - 1))
    return n, s, extra, seed


@given(fractional_case())
def test_fractional_repetition_decodes_exact_sum_from_any_large_enough_survivor_set(case):
    n, s, extra, seed = case
    rng = np.random.default_rng(seed)
    code = FractionalRepetition(n, s)
    partials = rng.standard_normal((n, 3))
    survivors = rng.choice(n, n - s + extra, replace=False)
    mask = np.zeros(n, dtype=bool)
    mask[survivors] = True
    decoded = code.decode(mask, code.encode(partials))
    assert relative_error(decoded, partials.sum(axis=0)) <= 1e-9


@pytest.mark.parametrize("n, s", [(12, 3), (9, 2), (20, 4)])
def test_fractional_repetition_matrix_matches_survey_equations_4_and_5(n, s):
    expected = naive.fractional_repetition_matrix(n, s)
    np.testing.assert_array_equal(FractionalRepetition(n, s).encoding_matrix.toarray(), expected)


def test_random_cyclic_construction_matches_survey_algorithm_2():
    n, s = 11, 3
    code = CyclicRepetition(n, s, seed=7, construction="gaussian")
    parity_check = np.random.default_rng(7).standard_normal((s, n))
    parity_check[:, -1] = -parity_check[:, :-1].sum(axis=1)
    np.testing.assert_allclose(code.encoding_matrix.toarray(), naive.cyclic_repetition_matrix(n, s, parity_check),
                               atol=1e-12)


@pytest.mark.parametrize("construction, s", [("cyclic-mds", 4), ("perturbed-dft", 3), ("gaussian", 3)])
def test_cyclic_support_is_the_window_of_s_plus_one_partitions(construction, s):
    n = 13
    support = CyclicRepetition(n, s, seed=1, construction=construction).assignment
    for i in range(n):
        assert set(np.flatnonzero(support[i])) == {(i + t) % n for t in range(s + 1)}


@pytest.mark.parametrize("construction", ["auto", "cyclic-mds"])
def test_cyclic_repetition_at_2000_workers_50_stragglers_decodes_within_1e_8(construction):
    n, s = 2000, 50
    rng = np.random.default_rng(2000)
    code = CyclicRepetition(n, s, seed=1, construction=construction)
    partials = rng.standard_normal((n, 4))
    messages = code.encode(partials)
    for _ in range(20):
        survivors = np.sort(rng.choice(n, n - s, replace=False))
        decoded = code.decode(survivors, messages[survivors])
        assert relative_error(decoded, partials.sum(axis=0)) <= 1e-8


def test_fast_cyclic_decoding_vector_satisfies_the_system_dense_least_squares_solves():
    # B_I is ill-conditioned (~1e10): the two vectors may differ in the 8th digit, so compare what is
    # determined: both solve a^T B_I = 1 and both give the same gradient sum
    n, s = 300, 20
    rng = np.random.default_rng(3)
    code = CyclicRepetition(n, s, construction="cyclic-mds")
    dense = code.encoding_matrix.toarray()
    partials = rng.standard_normal((n, 3))
    messages = dense @ partials
    for _ in range(5):
        survivors = np.sort(rng.choice(n, n - s, replace=False))
        fast, reference = code.decoding_vector(survivors), naive.decoding_vector_lstsq(dense, survivors)
        for vector in (fast, reference):
            assert np.max(np.abs(vector @ dense - 1.0)) <= 1e-9
            assert relative_error(vector @ messages, partials.sum(axis=0)) <= 1e-8


@pytest.mark.parametrize("code", [FractionalRepetition(12, 2), CyclicRepetition(12, 2, seed=3),
                                  CyclicRepetition(12, 3, seed=4), CyclicRepetition(9, 8, seed=5),
                                  CyclicRepetition(13, 4), CyclicRepetition(12, 5, seed=6, construction="gaussian")],
                         ids=["fractional", "cyclic-perturbed-even-s", "cyclic-perturbed-odd-s", "cyclic-s=n-1",
                              "cyclic-mds-n=13", "cyclic-gaussian"])
def test_cyclic_and_fractional_codes_pass_the_b_span_check_exhaustively(code):
    report = check_b_span(code)
    assert report.exhaustive and report.passed


def test_b_span_check_samples_above_the_exhaustive_limit():
    report = check_b_span(CyclicRepetition(60, 10, seed=2), exhaustive_limit=100, n_samples=50, seed=1)
    assert not report.exhaustive and report.n_checked == 50 and report.passed


def test_b_span_check_fails_for_a_broken_encoding_matrix():
    broken = FractionalRepetition(6, 2).encoding_matrix.toarray()
    broken[3:, :] = broken[:3, :]  # second group no longer replicates every block
    report = check_b_span(LinearGradientCode(broken, n_stragglers=2))
    assert not report.passed and report.failing_survivors is not None


def test_fractional_repetition_can_decode_below_the_threshold_when_every_block_survives():
    code = FractionalRepetition(6, 2)  # blocks {0, 2, 4} and {1, 3, 5}
    assert code.is_decodable([0, 1])
    assert not code.is_decodable([0, 2, 4])
    with pytest.raises(NotDecodableError, match="1 of 2 blocks"):
        code.decoding_vector([0, 2, 4])


@pytest.mark.parametrize("code", [CyclicRepetition(10, 4, construction="cyclic-mds"),
                                  CyclicRepetition(10, 3, seed=0)], ids=["cyclic-mds", "cyclic-perturbed"])
def test_cyclic_repetition_with_too_few_survivors_raises_not_decodable(code):
    assert not code.is_decodable(np.arange(5))
    with pytest.raises(NotDecodableError, match="needs [67] of 10 messages, received 5") as info:
        code.decode(np.arange(5), np.zeros((5, 2)))
    assert info.value.received == 5 and info.value.needed == code.recovery_threshold


def test_decoding_vectors_are_cached_per_survivor_set_with_a_bound():
    code = CyclicRepetition(20, 4, seed=0, cache_size=2)
    first = code.decoding_vector(np.arange(16))
    code.decoding_vector(np.arange(1, 17))
    code.decoding_vector(np.arange(2, 18))
    assert len(code._cache) == 2
    np.testing.assert_array_equal(code.decoding_vector(np.arange(16)), first)


@pytest.mark.parametrize("make_code", [
    lambda: CyclicRepetition(10, 2, seed=0, construction="perturbed-dft"),
    lambda: CyclicRepetition(11, 2, construction="cyclic-mds"),
    lambda: CyclicRepetition(10, 3, seed=0, construction="gaussian"),
    lambda: FractionalRepetition(12, 2),
    # an unsorted CSR input: scipy would sort it in place on first use
    lambda: LinearGradientCode(scipy.sparse.csr_array((np.array([2.0, 1.0, 1.0]), np.array([1, 0, 1]),
                                                       np.array([0, 2, 3])), shape=(2, 2))),
], ids=["perturbed-dft", "cyclic-mds", "gaussian", "fractional", "unsorted-csr"])
def test_encoding_is_unchanged_after_reading_the_structure(make_code):
    code = make_code()
    partials = np.random.default_rng(0).normal(size=(code.n_partitions, 3))
    before = code.encode(partials)
    _ = code.assignment, code.worker_loads, code.computation_load, code.encoding_matrix
    np.testing.assert_array_equal(code.encode(partials), before)
    assert isinstance(code.encoding_matrix, scipy.sparse.csr_array)
    dense = code.encoding_matrix.toarray()
    np.testing.assert_allclose(before, dense @ partials, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(code.decode(np.arange(code.n_workers), before), partials.sum(axis=0), rtol=1e-9)


ONE_MESSAGE_CODES = {
    "fractional": lambda: FractionalRepetition(12, 2),
    "cyclic-mds": lambda: CyclicRepetition(11, 2, construction="cyclic-mds"),
    "perturbed-dft": lambda: CyclicRepetition(10, 3, seed=0),
    "gaussian": lambda: CyclicRepetition(10, 3, seed=0, construction="gaussian"),
    "banded": lambda: CyclicRepetition(150, 4, seed=0),  # n > DENSE_DECODING_LIMIT: banded elimination
    "uncoded": lambda: UncodedScheme(7),
    "ignore-stragglers": lambda: IgnoreStragglers(7, 2),
    "toy": survey_toy_code,
    "linear": lambda: LinearGradientCode(np.random.default_rng(0).standard_normal((9, 5)), n_stragglers=4),
}


@pytest.mark.parametrize("name", list(ONE_MESSAGE_CODES))
def test_decode_pairs_row_i_with_received_i_in_any_order(name):
    code = ONE_MESSAGE_CODES[name]()
    rng = np.random.default_rng(1)
    n = code.n_workers
    partials = rng.standard_normal((code.n_partitions, 3))
    messages = code.encode(partials)
    for _ in range(20):
        survivors = rng.choice(n, rng.integers(code.recovery_threshold, n + 1), replace=False)
        ordered = np.sort(survivors)
        permuted = rng.permutation(survivors)
        expected = code.decode(ordered, messages[ordered])
        np.testing.assert_array_equal(code.decoding_vector(permuted), code.decoding_vector(ordered))
        cases = [(permuted, messages[permuted]), (permuted.tolist(), messages[permuted].tolist()),
                 (code._mask(ordered), messages[ordered]), (code._mask(ordered), messages)]
        if survivors.size < n:  # one row per worker (with n rows, row i is received[i])
            cases.append((permuted, messages))
        for received, rows in cases:
            np.testing.assert_allclose(code.decode(received, rows), expected, rtol=1e-12, atol=1e-12)
        target = (code.decoding_vector(ordered) @ code.encoding_matrix) @ partials if not code.exact else \
            partials.sum(axis=0)
        assert relative_error(expected, target) <= 1e-9


class YieldingCache(OrderedDict):
    """The decoding-vector cache, handing the GIL to another thread after every lookup.

    It widens the window between a lookup and what follows it, where the unlocked LRU of
    issue 10 raised ``KeyError`` (``move_to_end`` of a key another thread had just evicted).
    """

    def get(self, key, default=None):
        value = super().get(key, default)
        time.sleep(0)
        return value


@pytest.mark.parametrize("make_code", [
    lambda: CyclicRepetition(10, 3, seed=0, cache_size=2),
    lambda: LinearGradientCode(np.random.default_rng(0).standard_normal((9, 5)), n_stragglers=4, cache_size=2),
    lambda: FractionalRepetition(12, 2, cache_size=2),
], ids=["perturbed-dft", "linear", "fractional"])
def test_decoding_vector_cache_is_safe_under_many_threads_with_a_tiny_cache(make_code):
    code = make_code()
    code._cache = YieldingCache()
    dense = code.encoding_matrix.toarray()
    n = code.n_workers
    partials = np.random.default_rng(2).standard_normal((code.n_partitions, 2))
    messages = code.encode(partials)
    rng = np.random.default_rng(3)
    sets = [rng.choice(n, rng.integers(code.recovery_threshold, n + 1), replace=False) for _ in range(3)]

    def hammer(thread: int) -> int:
        local = np.random.default_rng(100 + thread)
        for _ in range(150):
            survivors = sets[local.integers(len(sets))]
            vector = code.decoding_vector(survivors)
            assert np.all(vector[np.setdiff1d(np.arange(n), survivors)] == 0)
            assert np.max(np.abs(vector @ dense - 1.0)) <= 1e-8  # a^T B_I = 1
            decoded = code.decode(survivors, messages[survivors])
            assert relative_error(decoded, partials.sum(axis=0)) <= 1e-9
        return thread

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            assert sorted(pool.map(hammer, range(8))) == list(range(8))  # re-raises any thread's exception
    finally:
        sys.setswitchinterval(interval)
    assert len(code._cache) <= 2
