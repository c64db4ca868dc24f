import json

import numpy as np
import pytest

from codedml.cli import main
from codedml.codes import CPGC, GCMMC, MDSCodedComputationMMC, UncodedMMC
from codedml.codes.multimessage.cpgc import seed_pairings
from codedml.errors import NotDecodableError, ParameterError
from codedml.experiments import presets, tables
from codedml.sim import ShiftedExponential, exact_expected_completion_time, simulate
from tests.naive import harmonic

# Seed cpgc Table 1 (full gradient) with the last row fixed to (0, 4, 0), and Table 2 (3 of 4).
SEED_TABLE_1 = {  # (N2, N1, N0): (MCC, UC-MMC, CPGC)
    (4, 0, 0): (1, 1, 1), (3, 1, 0): (4, 4, 4), (3, 0, 1): (4, 4, 4), (2, 2, 0): (6, 6, 6), (2, 1, 1): (12, 8, 12),
    (2, 0, 2): (6, 2, 6), (1, 3, 0): (0, 4, 4), (1, 2, 1): (0, 4, 8), (0, 4, 0): (0, 1, 1),
}
SEED_TABLE_2 = {
    (4, 0, 0): (1, 1, 1), (3, 1, 0): (4, 4, 4), (3, 0, 1): (4, 4, 4), (2, 2, 0): (6, 6, 6), (2, 1, 1): (12, 12, 12),
    (2, 0, 2): (6, 6, 6), (1, 3, 0): (0, 4, 4), (1, 2, 1): (0, 12, 12), (1, 1, 2): (0, 8, 8), (0, 4, 0): (0, 1, 1),
    (0, 3, 1): (0, 4, 4),
}
MODEL = ShiftedExponential(10.0, 0.01)


@pytest.mark.parametrize("table, expected", [("table1", SEED_TABLE_1), ("table2", SEED_TABLE_2)])
def test_score_vector_counts_reproduce_the_seed_cpgc_tables(table, expected):
    rows = tables.run()[table]
    computed = {tuple(row["type"]): (row["MCC"], row["UC-MMC"], row["CPGC"]) for row in rows}
    assert computed == expected


def test_tables_command_prints_both_tables(capsys):
    assert main(["tables", "cpgc"]) == 0
    output = capsys.readouterr().out
    assert "Table 1" in output and "Table 2" in output
    assert "N2=2, N1=1, N0=1        12       8    12" in output


@pytest.mark.parametrize("code", list(tables.cpgc_example_schemes().values()), ids=["MCC", "UC-MMC", "CPGC"])
def test_exact_score_vector_mode_agrees_with_monte_carlo(code):
    result = simulate(code, MODEL, 20_000, seed=3)
    assert abs(result.mean_time - exact_expected_completion_time(code, 10.0, 0.01)) <= result.ci95


@pytest.mark.parametrize("code", [CPGC(20, 3, seed=0), CPGC(8, 3, seed=2), UncodedMMC(12, 3),
                                  MDSCodedComputationMMC(10, 10, 3),
                                  MDSCodedComputationMMC(6, 5, 2, multi_message=True)],
                         ids=["cpgc-20", "cpgc-8", "uc-mmc", "mcc", "mcc-multi"])
def test_fast_decodability_rules_equal_the_incremental_span_kernel(code):
    order = np.argsort(np.random.default_rng(0).random((300, code.n_messages)), axis=1)
    partial = [code.n_partitions, code.n_partitions - 2] if not isinstance(code, MDSCodedComputationMMC) else [None]
    for required in partial:
        np.testing.assert_array_equal(code.decodable_prefix(order, required), code.span_prefix(order, required))


@pytest.mark.parametrize("K, r", [(20, 3), (8, 3), (6, 3), (20, 5), (40, 10)])
def test_cpgc_never_gives_a_worker_the_same_submatrix_twice(K, r):
    code = CPGC(K, r, seed=0)
    for worker in range(K):
        held = [p for row in code.tasks for p in row[worker]]
        assert len(held) == len(set(held)) == 2 * r - 1


def test_cpgc_row_two_is_the_seeds_shifted_pairings():
    code = CPGC(20, 3, seed=0)
    v1, v2 = seed_pairings(20)[:2]
    assert code.tasks[1] == v1[1:] + v1[:1] + v2[1:] + v2[:1]
    assert code.tasks[0] == [(w,) for w in range(20)]


def test_cpgc_decodes_the_exact_product_from_uncoded_and_paired_results():
    code = CPGC(8, 3, seed=0)
    rng = np.random.default_rng(1)
    products = rng.standard_normal((8, 5))
    coded = code.encode(products)
    received = code.received_after(np.array([1, 1, 1, 1, 0, 2, 3, 0]))
    if code.is_decodable(received):
        np.testing.assert_allclose(code.decode(received, coded), products, atol=1e-10)
    everything = np.arange(code.n_messages)
    np.testing.assert_allclose(code.decode(everything, coded), products, atol=1e-10)


def test_gc_mmc_correlated_and_uncorrelated_decode_the_gradient_sum():
    rng = np.random.default_rng(2)
    partials = rng.standard_normal((6, 3))
    correlated = GCMMC.correlated(6, 3, 2, seed=0)  # seed gc-mmc Example 1
    rows = correlated.encode(partials)
    assert correlated.group_thresholds.tolist() == [5]
    ids = [0, 1, 3, 5, 7]  # five distinct coded messages
    np.testing.assert_allclose(correlated.decode(ids, rows[ids]), partials.sum(axis=0), atol=1e-10)
    with pytest.raises(NotDecodableError):
        correlated.decode([0, 1, 2, 3, 6], rows[[0, 1, 2, 3, 6]])  # c_1 twice: only four distinct
    uncorrelated = GCMMC.uncorrelated(6, 3, (3, 2))  # Example 1 continued: any 8 of 12 messages
    assert uncorrelated.group_thresholds.tolist() == [8]
    rows = uncorrelated.encode(partials)
    ids = rng.choice(12, 8, replace=False)
    np.testing.assert_allclose(uncorrelated.decode(ids, rows[ids]), partials.sum(axis=0), atol=1e-9)  # row i: ids[i]


def test_bad_multi_message_parameters_raise():
    with pytest.raises(ParameterError):
        GCMMC.correlated(40, 10, 11, seed=0)
    with pytest.raises(ParameterError):
        GCMMC.correlated(40, 10, 6, clusters=3, seed=0)
    with pytest.raises(ParameterError):
        CPGC(7, 3, seed=0)
    with pytest.raises(ParameterError, match="required"):
        UncodedMMC(4, 2).is_decodable([0], required=5)


@pytest.fixture(scope="module")
def gc_mmc():
    return presets.gc_mmc_figure(n_iterations=10_000, seed=0)["schemes"]


def test_gc_entry_of_the_gc_mmc_preset_matches_the_closed_form(gc_mmc):
    closed_form = 10 * (0.01 + (harmonic(40) - harmonic(9)) / 10)
    assert abs(gc_mmc["GC"]["mean_time"] - closed_form) <= gc_mmc["GC"]["ci95"]


def test_gc_mmc_preset_shows_the_papers_ordering(gc_mmc):
    assert max(gc_mmc, key=lambda s: gc_mmc[s]["mean_time"]) == "GC"
    assert max(gc_mmc, key=lambda s: gc_mmc[s]["load"]) == "UC-MMC"
    # GC-MMC-2 (with the hybrid rule) reaches about LCC's completion time with about one message per worker
    assert abs(gc_mmc["GC-MMC-2"]["mean_time"] / gc_mmc["LCC"]["mean_time"] - 1) < 0.1
    assert gc_mmc["GC-MMC-2"]["load"] / 40 <= 1.0
    assert abs(gc_mmc["GC-MMC-1"]["mean_time"] / gc_mmc["LCC"]["mean_time"] - 1) < 0.1


def test_hybrid_rule_lets_one_full_cluster_sum_decode_its_cluster():
    code = GCMMC.uncorrelated(6, 6, (6, 4), hybrid=True)
    partials = np.random.default_rng(4).standard_normal((6, 2))
    rows = code.encode(partials)
    full = np.flatnonzero(code.completes)[:1]
    assert code.is_decodable(full)
    np.testing.assert_allclose(code.decode(full, rows[full]), partials.sum(axis=0), atol=1e-12)
    assert not GCMMC.uncorrelated(6, 6, (6, 4)).is_decodable(full)


def test_cpgc_preset_shows_the_papers_gains(tmp_path, capsys):
    plot = tmp_path / "cpgc.png"
    assert main(["compare", "--preset", "cpgc", "--iterations", "5000", "--plot", str(plot)]) == 0
    data = json.loads((tmp_path / "cpgc.json").read_text())["curves"]
    at_5_percent = {name: points[1] for name, points in data.items()}
    assert at_5_percent["CPGC"]["tolerance_ratio"] == 0.05
    assert at_5_percent["CPGC"]["mean_time"] < 0.85 * at_5_percent["MCC"]["mean_time"]
    assert at_5_percent["CPGC"]["mean_time"] < 0.85 * at_5_percent["UC-MMC"]["mean_time"]
    assert 1.7 <= data["UC-MMC"][0]["volume"] <= 1.95
    assert 1.4 <= data["CPGC"][0]["volume"] <= 1.6
    assert plot.stat().st_size > 1000


def test_lcc_timing_model_thresholds_for_one_and_many_messages():
    from codedml.analysis import LagrangeCompletionModel

    one = LagrangeCompletionModel(40, 10, degree=2)
    many = LagrangeCompletionModel(40, 10, degree=2, multi_message=True)
    assert one.recovery_threshold == 7 and one.n_messages == 40
    assert many.recovery_threshold == 79 and many.n_messages == 400
    assert one.is_decodable(np.arange(7)) and not one.is_decodable(np.arange(6))
    with pytest.raises(ParameterError, match="completion time only"):
        one.encode(np.zeros((40, 2)))
