#!/usr/bin/env python3
"""Print the README's speed tables and sentences from one asv results file.

    python bench/readme_figures.py [RESULTS_JSON] [--machine MACHINE_JSON] [--benchmarks BENCHMARKS_JSON]

Every speed figure that ``README.md`` and ``docs/limits.rst`` quote comes from one asv run, whose results
file is committed in ``bench/results/`` (with asv's ``machine.json`` and ``benchmarks.json`` of that run).
Each function below returns one block of the documentation (a Markdown table or sentence, or the
reStructuredText of ``docs/limits.rst``) computed from that file alone: times as stored, ratios and growth
exponents (least squares on log-log) derived from the stored times. ``tests/bench/test_readme_figures.py``
regenerates every block and checks that the documentation contains it, so a figure cannot drift from the run.

asv stores ``null`` for a benchmark that failed and ``NaN`` for one that was skipped (``NotImplementedError``
in its setup, or a ``track_`` that returns NaN where the reference does not run); the blocks print
"failed" and "skipped" there. This module is not named ``bench_*`` and defines no ``time_``/``track_``
names, so asv collects nothing from it.
"""

import argparse
import datetime
import itertools
import json
import math
import sys
from pathlib import Path

import numpy as np

RESULTS_DIR = Path(__file__).resolve().parent / "results"
#: The command that produced the committed results.
COMMAND = "bench/dashboard --commits 1 --slow"


class Run:
    """One commit's asv results: values by benchmark name and parameter values, and the run's metadata."""

    def __init__(self, results, machine, benchmarks):
        self.commit = results["commit_hash"]
        self.python = results.get("python", "")
        self.machine = machine
        self.benchmarks = {name: spec for name, spec in benchmarks.items() if name != "version"}
        columns = results["result_columns"]
        self._values = {}
        starts, ends = [], []
        for name, row in results["results"].items():
            entry = dict(zip(columns, row))
            self._values[name] = (entry["result"], entry.get("params") or [])
            if entry.get("started_at") is not None:
                starts.append(entry["started_at"] / 1000.0)
                ends.append(entry["started_at"] / 1000.0 + (entry.get("duration") or 0.0))
        self.started = datetime.datetime.fromtimestamp(min(starts), datetime.timezone.utc) if starts else None
        self.minutes = (max(ends) - min(starts)) / 60.0 if starts else math.nan

    def value(self, name, *params):
        """The stored value of ``name`` at ``params`` (Python values): a float, NaN (skipped) or None (failed)."""
        if name not in self.benchmarks:
            raise KeyError(f"no benchmark {name} in this run's benchmarks.json")
        if name not in self._values:
            return None
        result, param_lists = self._values[name]
        if not param_lists:
            value = result[0] if isinstance(result, list) else result
        else:
            if result is None:
                return None
            key = tuple(repr(p) if isinstance(p, str) else str(p) for p in params)
            combinations = list(itertools.product(*param_lists))
            if key not in combinations:
                raise KeyError(f"{name} has no parameters {params} in this run")
            value = result[combinations.index(key)]
        return None if value is None else float(value)

    def outcomes(self):
        """Counts of (measured, skipped, failed) values, and the failed benchmarks with their parameters."""
        measured = skipped = 0
        failed = []
        for name in sorted(self.benchmarks):
            result, param_lists = self._values.get(name, (None, []))
            combinations = list(itertools.product(*param_lists)) if param_lists else [()]
            values = result if isinstance(result, list) else [result] * len(combinations)
            for combination, value in zip(combinations, values):
                if value is None:
                    failed.append(f"{name}({', '.join(combination)})" if combination else name)
                elif math.isnan(value):
                    skipped += 1
                else:
                    measured += 1
        return measured, skipped, failed


def load(results=None, machine=None, benchmarks=None):
    """The run stored in ``results`` (default: the one JSON results file in ``bench/results/``)."""
    if results is None:
        candidates = sorted(RESULTS_DIR.glob("*-*.json"))
        if len(candidates) != 1:
            raise FileNotFoundError(f"expected one asv results file in {RESULTS_DIR}, found {len(candidates)}")
        results = candidates[0]
    folder = Path(results).parent
    machine = Path(machine) if machine else folder / "machine.json"
    benchmarks = Path(benchmarks) if benchmarks else folder / "benchmarks.json"
    return Run(json.loads(Path(results).read_text()), json.loads(machine.read_text()),
               json.loads(benchmarks.read_text()))


# ---------------------------------------------------------------------------------------------- formatting


def _missing(value):
    if value is None:
        return "failed"
    if math.isnan(value):
        return "skipped"
    return None


def _significant(value, digits=3):
    """``value`` to ``digits`` significant figures, trailing zeros kept, no exponent."""
    if value == 0:
        return "0"
    if abs(value) >= 10 ** digits:
        return f"{value:.0f}"
    if abs(value) < 1e-3:
        return f"{value:.{digits - 1}e}"
    return f"{value:#.{digits}g}".rstrip(".")


def seconds(value):
    """A time with its unit: us, ms or s, three significant figures."""
    if _missing(value):
        return _missing(value)
    if value < 1e-3:
        return f"{_significant(value * 1e6)} us"
    if value < 1.0:
        return f"{_significant(value * 1e3)} ms"
    return f"{_significant(value)} s"


def times(value):
    """A ratio, ``1.09x``."""
    return _missing(value) or f"{_significant(value)}x"


def plain(value, digits=3):
    return _missing(value) or _significant(value, digits)


def megabytes_per_second(value):
    return _missing(value) or f"{value:.0f}"


def throughput(megabytes):
    """A throughput in MB/s or GB/s."""
    if _missing(megabytes):
        return _missing(megabytes)
    return f"{_significant(megabytes / 1e3)} GB/s" if megabytes >= 1e3 else f"{_significant(megabytes)} MB/s"


def memory(value):
    return _missing(value) or f"{value / 1e6:.0f} MB"


def growth_exponent(sizes, values):
    """Least-squares slope of log(value) on log(size) over the measured points (None below two points)."""
    points = [(s, v) for s, v in zip(sizes, values) if v is not None and math.isfinite(v) and v > 0]
    if len(points) < 2:
        return None
    x, y = np.log([p[0] for p in points]), np.log([p[1] for p in points])
    return float(np.polyfit(x, y, 1)[0])


def exponent(value):
    return "--" if value is None else f"{value:.2f}"


def ratio_range(values):
    """``0.43-0.80x`` over the measured values."""
    measured = [v for v in values if v is not None and math.isfinite(v)]
    if not measured:
        return "failed"
    low, high = min(measured), max(measured)
    return times(low) if _significant(low) == _significant(high) else f"{_significant(low)}-{_significant(high)}x"


def table(header, rows):
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def met(values, bound, above):
    measured = [v for v in values if v is not None and math.isfinite(v)]
    if len(measured) < len(values):
        return "not measured"
    return "yes" if all((v >= bound) if above else (v <= bound) for v in measured) else "no"


def _count(number):
    return f"{number:,}"


# ---------------------------------------------------------------------------------------------- provenance


def provenance(run):
    """The sentence that names the run every speed figure comes from."""
    machine = run.machine
    ram = float(machine.get("ram", "nan")) / 1e9
    started = run.started.strftime("%Y-%m-%d %H:%M UTC") if run.started else "unknown date"
    measured, skipped, failed = run.outcomes()
    failures = "none failed" if not failed else f"{len(failed)} failed: " + ", ".join(f"`{f}`" for f in failed)
    return (
        f"**Every speed figure in this README and in `docs/limits.rst` comes from one asv run**: commit "
        f"`{run.commit[:8]}`, `{COMMAND}` (asv `--quick`: a single sample per benchmark; the `track_` ratios "
        f"take the best of 3-5 calls of each side inside the benchmark), started {started}, "
        f"{run.minutes:.0f} min of benchmarks, on this machine ({machine.get('cpu', '?')}, "
        f"{machine.get('num_cpu', '?')} cores of a shared VM, {ram:.0f} GB, {machine.get('os', '?')}, "
        f"Python {run.python}, `bench` extra installed). {len(run.benchmarks)} benchmarks, {measured} values "
        f"measured, {skipped} skipped by design (sizes a code or an anchor does not reach), {failures}. "
        f"The results are committed in `bench/results/`; `python bench/readme_figures.py` prints every speed "
        f"table and sentence below from them, and `tests/bench/test_readme_figures.py` checks that the README "
        f"quotes exactly those.")


# ---------------------------------------------------------------------------------------------- issue 14

FAST_RS_SIZES = [1024, 2048, 4096, 8192, 16384]


def acceptance(run):
    """Issue 14's acceptance checks, from the run."""
    growth = run.value("bench_fast_reed_solomon.DecodeGrowth.track_decode_exponent")
    fitted = growth_exponent(FAST_RS_SIZES, [run.value("bench_fast_reed_solomon.FastReedSolomonCodec.time_decode", k)
                                             for k in FAST_RS_SIZES])
    lt = [run.value("bench_fast_reed_solomon.FastReedSolomonCodec.track_decode_ratio_to_lt_peeling", k)
          for k in (FAST_RS_SIZES[0], FAST_RS_SIZES[-1])]
    flint = {threads: [run.value("bench_gf.PrimeFieldSolveVersusFlint.track_speedup_over_flint", n, threads)
                       for n in (1024, 2048)] for threads in ("1", "default")}
    isal = [run.value("bench_gf.ReedSolomonVersusZfec.track_speedup", "pyeclib_isa_l", op)
            for op in ("encode", "decode")]
    zfec = [run.value("bench_gf.ReedSolomonVersusZfec.track_speedup", "zfec", op) for op in ("encode", "decode")]
    poly_time = run.value("bench_polynomial.PolynomialGCFast.time_encode_decode", 65536)
    poly_memory = run.value("bench_polynomial.PolynomialGCFast.peakmem_encode_decode", 65536)
    flint_met = met(flint["1"], 1.0, above=True)
    default_met = met(flint["default"], 1.0, above=True)
    rows = [
        ["`FastReedSolomon` decode growth, k = 1024 .. 16,384 (n = 2k, all data shards lost, 64-byte shards)",
         f"exponent {exponent(growth)} (`DecodeGrowth`, end points; least squares over the 5 sizes of "
         f"`time_decode`: {exponent(fitted)})", "<= 1.3",
         met([growth, fitted], 1.3, above=False)],
        ["`FastReedSolomon` decode / LT peeling of the same k symbols",
         f"{times(lt[0])} (k = 1024) .. {times(lt[1])} (k = 16,384)", "within 5x", met(lt, 5.0, above=False)],
        ["GF(2^31 - 1) solve, python-flint `nmod_mat.solve` time / ours, n = 1024 / 2048",
         f"{times(flint['1'][0])} / {times(flint['1'][1])} (one BLAS thread), "
         f"{times(flint['default'][0])} / {times(flint['default'][1])} (OpenBLAS default threads)", ">= 1.0x",
         flint_met if flint_met == default_met else f"{flint_met} (one thread), {default_met} (default)"],
        ["RS(14, 10) GF(2^8) 1 MiB shards, ours / pyeclib ISA-L throughput",
         f"encode {times(isal[0])}, decode {times(isal[1])} (ours / zfec: {times(zfec[0])}, {times(zfec[1])})",
         ">= 0.5x", met(isal, 0.5, above=True)],
        ["`PolynomialGC` GF(p), n = 65,536, s = 1,000, encode + decode",
         f"{seconds(poly_time)}, peakmem {memory(poly_memory)}", "< 10 s, < 1 GB",
         "not measured" if _missing(poly_time) or _missing(poly_memory)
         else ("yes" if poly_time < 10.0 and poly_memory < 1e9 else "no")],
    ]
    return table(["check", "this run", "target", "met"], rows)


# ---------------------------------------------------------------------------------------------- fountain vs MDS


def fast_reed_solomon_versus_lt(run):
    """O(n log n) Reed–Solomon against LT peeling of the same k 64-byte symbols."""
    rows = []
    for k in FAST_RS_SIZES:
        rows.append([_count(k),
                     seconds(run.value("bench_fast_reed_solomon.FastReedSolomonCodec.time_decode", k)),
                     seconds(run.value("bench_fast_reed_solomon.LTPeelingAnchor.time_peel", k)),
                     times(run.value("bench_fast_reed_solomon.FastReedSolomonCodec.track_decode_ratio_to_lt_peeling",
                                     k)),
                     seconds(run.value("bench_fast_reed_solomon.FastReedSolomonCodec.time_encode", k))])
    return table(["k", "fast RS decode", "LT peeling", "fast RS / LT decode (best of 3 each)", "fast RS encode"],
                 rows)


def fast_reed_solomon_summary(run):
    """Growth exponents and where LT still wins, from the run."""
    decode = [run.value("bench_fast_reed_solomon.FastReedSolomonCodec.time_decode", k) for k in FAST_RS_SIZES]
    encode = [run.value("bench_fast_reed_solomon.FastReedSolomonCodec.time_encode", k) for k in FAST_RS_SIZES]
    peel = [run.value("bench_fast_reed_solomon.LTPeelingAnchor.time_peel", k) for k in FAST_RS_SIZES]
    ratios = [run.value("bench_fast_reed_solomon.FastReedSolomonCodec.track_decode_ratio_to_lt_peeling", k)
              for k in FAST_RS_SIZES]
    measured = [(k, r) for k, r in zip(FAST_RS_SIZES, ratios) if r is not None and math.isfinite(r)]
    slower = [k for k, r in measured if r > 1.0]
    if not measured:
        verdict = "The decode ratio to LT was not measured."
    elif len(slower) == len(measured):
        verdict = (f"LT peeling still decodes faster at every k measured: fast RS takes "
                   f"{ratio_range([r for _, r in measured])} LT's time (LT needs more than k symbols for it, "
                   f"RS exactly k).")
    elif not slower:
        verdict = (f"Fast RS decodes the worst case faster than LT peels at every k measured "
                   f"({ratio_range([r for _, r in measured])} LT's time), with no reception overhead.")
    else:
        verdict = ("LT peeling decodes faster at k = " + ", ".join(_count(k) for k in slower)
                   + "; fast RS at k = " + ", ".join(_count(k) for k, _ in measured if k not in slower) + ".")
    slopes = [exponent(growth_exponent(FAST_RS_SIZES, values)) for values in (decode, encode, peel)]
    return (f"Growth from k = 1024 to 16,384 (least squares on log-log): fast RS decode {slopes[0]}, encode "
            f"{slopes[1]}, LT peeling {slopes[2]}. {verdict}")


CAUCHY_SIZES = [256, 1024, 4096]  # n; k = n / 2
REAL_MDS_WORKERS = [16, 256, 1024, 2048]  # K; k = K / 2


def quadratic_codes(run):
    """The Cauchy Reed–Solomon and real MDS decoders of the same run, and their growth."""
    cauchy = [run.value("bench_gf.ReedSolomonWorstCaseRecovery.time_recover", n) for n in CAUCHY_SIZES]
    real = [run.value("bench_mcc.RealMCC.time_decode", K) for K in REAL_MDS_WORKERS]
    lapack = [run.value("bench_mcc.RealMCC.track_decode_ratio_to_lapack_solve", K) for K in REAL_MDS_WORKERS]
    rows = [
        ["Cauchy RS(2k, k) GF(2^16), worst case, 64-byte shards (`ReedSolomonWorstCaseRecovery`)",
         ", ".join(f"{seconds(t)} (k = {_count(n // 2)})" for n, t in zip(CAUCHY_SIZES, cauchy)),
         exponent(growth_exponent([n // 2 for n in CAUCHY_SIZES], cauchy))],
        ["real MDS, k = K/2 partitions of 8 x 64 values, one BLAS thread (`RealMCC`)",
         ", ".join(f"{seconds(t)} (k = {_count(K // 2)})" for K, t in zip(REAL_MDS_WORKERS, real))
         + f"; {ratio_range(lapack)} a LAPACK solve of the same rows",
         exponent(growth_exponent([K // 2 for K in REAL_MDS_WORKERS], real))],
    ]
    return table(["decoder (same run)", "decode time", "growth exponent"], rows)


# ---------------------------------------------------------------------------------------------- LT and rateless


def lt_graph_construction(run):
    return (f"Graph construction (generator and transpose) at k = 100,000: "
            f"{seconds(run.value('bench_lt.GraphConstruction.time_generator_and_transpose', 100_000))} "
            f"(`GraphConstruction`).")


def lt_object_transfer(run):
    lt = run.value("bench_lt.ObjectTransfer.track_lt_mb_per_s")
    raptorq = run.value("bench_lt.ObjectTransfer.track_raptorq_mb_per_s")
    package = run.value("bench_lt.ObjectTransfer.track_lt_code_package_mb_per_s")
    return (f"10 MiB object, 1280-byte symbols, 25% repair, 10% lost (`ObjectTransfer`): LT decodes at "
            f"{throughput(lt)}, {times(run.value('bench_lt.ObjectTransfer.track_lt_ratio_to_raptorq'))} `raptorq` "
            f"({throughput(raptorq)}) and "
            f"{times(run.value('bench_lt.ObjectTransfer.track_lt_ratio_to_lt_code_package'))} the pure-Python "
            f"`lt-code` ({throughput(package)}); each ratio measures both sides again.")


def lt_peeling(run):
    def at(k):
        return (run.value("bench_lt.Peeling.track_peel_mb_per_s", k),
                run.value("bench_lt.Peeling.track_bitwise_xor_mb_per_s", k),
                run.value("bench_lt.Peeling.track_peel_ratio_to_bitwise_xor", k),
                run.value("bench_lt.Peeling.time_peel", k),
                run.value("bench_lt.RandomRowGather.track_gather_ratio_to_bitwise_xor", k),
                run.value("bench_lt.RandomRowGather.time_gather", k))

    peel, xor, ratio, peel_time, gather, gather_time = at(100_000)
    _, _, ratio_10k, _, gather_10k, _ = at(10_000)
    target = "met" if ratio is not None and math.isfinite(ratio) and ratio >= 0.5 else "not met"
    return (f"Peeling k = 100,000, 1 KiB payloads (`Peeling`): {throughput(peel)} = **{times(ratio)}** "
            f"`numpy.bitwise_xor` ({throughput(xor)} on the same bytes touched), {seconds(peel_time)} a decode; "
            f"the target 0.5x is {target}. `RandomRowGather`, which only reads the rows peeling reads, in the same "
            f"order, into one cache-resident row (no writes, no graph bookkeeping), reaches {times(gather)} "
            f"({seconds(gather_time)}). At k = 10,000 (rows mostly in L3) peeling runs at {times(ratio_10k)}, "
            f"the gather at {times(gather_10k)}.")


def rateless_decode(run):
    parts = []
    for M in (500, 2000):
        parts.append(f"M = {_count(M)}: {seconds(run.value('bench_rateless.Decode.time_peel', M))} against "
                     f"{seconds(run.value('bench_rateless.Decode.time_numpy_lstsq', M))} "
                     f"(`numpy.linalg.lstsq`; best of 3 each: "
                     f"{times(run.value('bench_rateless.Decode.track_speedup_over_numpy_lstsq', M))})")
    return "peeling decode of " + "; ".join(parts) + "."


# ---------------------------------------------------------------------------------------------- finite fields


def reed_solomon_throughput(run):
    """RS(14, 10), 1 MiB shards: MB/s of data, and the same-run ratios."""
    rows = []
    for operation in ("encode", "decode"):
        name = f"bench_gf.ReedSolomon{operation.title()}.track_{operation}_mb_per_s"
        galois = (megabytes_per_second(run.value(name, "galois")) if operation == "encode"
                  else "-- (errors only)")
        rows.append([operation if operation == "encode" else "decode (4 data shards lost)",
                     megabytes_per_second(run.value(name, "codedml")),
                     megabytes_per_second(run.value(name, "pyeclib_isa_l")),
                     megabytes_per_second(run.value(name, "zfec")), galois,
                     times(run.value("bench_gf.ReedSolomonVersusZfec.track_speedup", "pyeclib_isa_l", operation)),
                     times(run.value("bench_gf.ReedSolomonVersusZfec.track_speedup", "zfec", operation))])
    return table(["MB/s of data", "codedml", "pyeclib ISA-L", "zfec", "galois", "codedml / ISA-L",
                  "codedml / zfec"], rows)


def prime_field_solve(run):
    """GF(2^31 - 1) dense solve: times of each library, and flint's time over ours."""
    rows = []
    for n in (256, 1024, 2048):
        row = [_count(n)] + [seconds(run.value("bench_gf.PrimeFieldSolve.time_solve", library, n))
                             for library in ("codedml", "codedml_unblocked", "flint")]
        for threads in ("1", "default"):
            row.append(times(run.value("bench_gf.PrimeFieldSolveVersusFlint.track_speedup_over_flint", n, threads))
                       if n >= 1024 else "--")
        rows.append(row)
    return table(["n", "codedml (blocked)", "codedml unblocked", "python-flint", "flint / ours, one BLAS thread",
                  "flint / ours, default threads"], rows)


def dense_solve_versus_galois(run):
    rows = []
    for n in (64, 256, 1024, 2048):
        row = [_count(n)]
        for field in ("gfp", "gf2^16"):
            row += [seconds(run.value("bench_gf.DenseSolve.time_codedml_solve", field, n)),
                    times(run.value("bench_gf.DenseSolve.track_speedup_over_galois", field, n))]
        rows.append(row)
    return table(["n", "GF(2^31 - 1) blocked solve", "galois / ours", "GF(2^16) solve", "galois / ours"], rows)


def binary_field_blocked(run):
    rows = []
    for degree in (8, 16):
        for n in (256, 1024, 2048):
            rows.append([f"GF(2^{degree}) solve", _count(n),
                         seconds(run.value("bench_gf.BinaryFieldBlockedSolve.time_blocked_solve", degree, n)),
                         times(run.value("bench_gf.BinaryFieldBlockedSolve.track_unblocked_ratio", degree, n))])
    return table(["field", "n", "blocked", "unblocked / blocked (best of 2 each)"], rows)


def worst_case_recovery(run):
    return (f"RS(4096, 2048) over GF(2^16) recovers from the worst erasure pattern in "
            f"{seconds(run.value('bench_gf.ReedSolomonWorstCaseRecovery.time_recover', 4096))} with the Cauchy "
            f"code (closed-form inverse, 64-byte shards; `ReedSolomonWorstCaseRecovery`)")


POLYNOMIAL_SIZES = [1024, 4096, 16384, 65536]


def polynomial_gc(run):
    rows = [[_count(n), seconds(run.value("bench_polynomial.PolynomialGCFast.time_encode_decode", n)),
             memory(run.value("bench_polynomial.PolynomialGCFast.peakmem_encode_decode", n)),
             times(run.value("bench_polynomial.PolynomialGCFast.track_dense_ratio", n))]
            for n in POLYNOMIAL_SIZES]
    return table(["n", "encode + decode (NTT path)", "peak memory", "dense path / NTT path"], rows)


LCC_SIZES = [1024, 4096, 16384, 65536, 262144]


def lagrange_fast(run):
    rows = [[_count(K), seconds(run.value("bench_lcc.LCCFast.time_encode_decode", K)),
             memory(run.value("bench_lcc.LCCFast.peakmem_encode_decode", K)),
             times(run.value("bench_lcc.LCCFast.track_dense_ratio", K))]
            for K in LCC_SIZES]
    return table(["K", "construct + encode + decode (NTT path)", "peak memory", "dense path / NTT path"], rows)


# ---------------------------------------------------------------------------------------------- other families

SIMULATED_SCHEMES = ["GC", "GC-MMC-1", "UC-MMC", "CPGC", "MCC", "LCC"]
SIMULATED_WORKERS = [20, 40, 200, 1000]


def multimessage_simulator(run):
    rows = [[scheme] + [seconds(run.value("bench_multimessage.Simulate.time_simulate_10000_iterations", scheme, K))
                        for K in SIMULATED_WORKERS] for scheme in SIMULATED_SCHEMES]
    return table(["10,000 iterations of `simulate`"] + [f"K = {_count(K)}" for K in SIMULATED_WORKERS], rows)


def union_find_rule(run):
    parts = [f"{seconds(run.value('bench_multimessage.FastRuleVersusSpan.time_union_find_rule', K))} against "
             f"{seconds(run.value('bench_multimessage.FastRuleVersusSpan.time_span_kernel', K))} (K = {K})"
             for K in (20, 40)]
    return "CPGC decodability of 2000 random arrival orders (`FastRuleVersusSpan`): union-find rule " + \
        ", ".join(parts) + " for the span kernel."


def bit_allocation(run):
    methods = ["dp", "low-complexity", "greedy", "relaxation"]
    names = {"dp": "DP", "low-complexity": "low-complexity", "greedy": "greedy", "relaxation": "relaxation"}
    speed = ", ".join(f"{names[m]} {seconds(run.value('bench_bits.Allocate.time_allocate', m, 200, False))}"
                      for m in methods)
    ratios = ", ".join(f"{times(run.value('bench_bits.LowComplexityVersusDP.track_speedup_over_dp', n))} (n = {n})"
                       for n in (10, 50, 200))
    return (f"Speed (seed's problem, n = 200, B = 8n, `Allocate`): {speed}; DP's time over the low-complexity "
            f"algorithm's (`LowComplexityVersusDP`): {ratios}.")


CLUSTER_SCHEMES = {"uncoded": "uncoded", "cyclic-repetition": "cyclic-repetition (s = 2)",
                   "cpgc": "cpgc (r = 3, 3 messages a worker)"}


def cluster_overhead(run):
    rows = [[label] + [_missing(v) or f"{v:.3f}" for v in
                       (run.value("bench_cluster.IterationOverhead.track_seconds_per_iteration", n, scheme)
                        for n in (6, 32))]
            for scheme, label in CLUSTER_SCHEMES.items()]
    return table(["seconds per iteration, no emulated delay", "n = 6 processes", "n = 32 processes"], rows)


def cluster_extra_cost(run):
    def at(scheme):
        return run.value("bench_cluster.IterationOverhead.track_seconds_per_iteration", 6, scheme)

    base = at("uncoded")
    parts = []
    for scheme in ("cyclic-repetition", "cpgc"):
        value = at(scheme)
        parts.append(f"{scheme} {_missing(value) or _missing(base) or f'{value - base:+.3f} s'}")
    return "At n = 6 the coded iteration costs, against uncoded: " + ", ".join(parts) + "."


def cluster_speed_up(run):
    parts = [f"{scheme} {plain(run.value('bench_cluster.StragglerSpeedUp.track_speed_up', scheme))}"
             for scheme in ("cyclic-repetition", "polynomial-gfp", "cpgc", "mcc")]
    return ("Speed-up over uncoded (uncoded s/iteration over coded, `StragglerSpeedUp`) with emulated stragglers "
            "(the default worker model plus 2 random workers per iteration slowed 0.3 s per computation), n = 6, "
            "s = 2: " + ", ".join(parts) + ".")


REPETITION_SIZES = [10, 100, 1000, 4000, 16000]


def repetition_tables(run):
    rows = []
    for code, label in (("fractional", "decoding vector, fractional repetition"),
                        ("cyclic-mds", "decoding vector, cyclic-MDS (closed form + residual check)"),
                        ("cyclic-perturbed-dft", "decoding vector, perturbed-DFT (dense LSQ <= 128, banded above)")):
        rows.append([label] + [seconds(run.value("bench_repetition.DecodingVector.time_decoding_vector", code, n))
                               for n in REPETITION_SIZES])
    for code, label in (("fractional", "encode 256-dim partials, fractional (CSR kernel)"),
                        ("cyclic-mds", "encode 256-dim partials, cyclic-MDS (CSR kernel)")):
        rows.append([label] + [seconds(run.value("bench_repetition.Encode.time_encode", code, n))
                               for n in REPETITION_SIZES])
    return table(["what", "n = 10", "100", "1000", "4000", "16000"], rows)


def repetition_encode_growth(run):
    ratios = []
    for code in ("fractional", "cyclic-mds"):
        small, large = (run.value("bench_repetition.Encode.time_encode", code, n) for n in (4000, 16000))
        ratios.append(times(None if _missing(small) or _missing(large) else large / small) + f" ({code})")
    return ("Encoding does `n (s + 1) d` multiply-adds, 16x more from n = 4000 to 16,000 (where s grows 4x); its "
            "time grows " + ", ".join(ratios) + " there.")


def repetition_versus_lstsq(run):
    lstsq = [run.value("bench_repetition.DecodingVersusLstsq.time_lstsq_reference", n) for n in (1000, 4000)]
    speedup = [run.value("bench_repetition.DecodingVersusLstsq.track_speedup_over_lstsq", n) for n in (1000, 4000)]
    cold = run.value("bench_repetition.timeraw_cold_decode")
    return (f"Reference in the same run (`DecodingVersusLstsq`): dense `numpy.linalg.lstsq` on the same `B_I` took "
            f"{seconds(lstsq[0])} at `n = 1000` and {seconds(lstsq[1])} at `n = 4000, s = 40`; the default "
            f"`CyclicRepetition` decoding vector was **{times(speedup[0])}** and **{times(speedup[1])}** faster "
            f"(`track_speedup_over_lstsq`), with residual <= 1e-8. Cold start (import, cached-kernel load, first "
            f"decode at n = 1000; `timeraw_cold_decode`): {seconds(cold)}.")


# ---------------------------------------------------------------------------------------------- docs/limits.rst


def _rst_table(header, rows):
    lines = [".. list-table::", "   :header-rows: 1", ""]
    for row in [header] + rows:
        lines.append("   * - " + row[0])
        lines += [f"     - {cell}" for cell in row[1:]]
    return "\n".join(lines)


def limits_rst(run):
    """The speed figures of ``docs/limits.rst`` (reStructuredText), from the same run."""
    fast = [[_count(k), seconds(run.value("bench_fast_reed_solomon.FastReedSolomonCodec.time_decode", k)),
             seconds(run.value("bench_fast_reed_solomon.LTPeelingAnchor.time_peel", k)),
             times(run.value("bench_fast_reed_solomon.FastReedSolomonCodec.track_decode_ratio_to_lt_peeling", k))]
            for k in FAST_RS_SIZES]
    decode = [run.value("bench_fast_reed_solomon.FastReedSolomonCodec.time_decode", k) for k in FAST_RS_SIZES]
    peel = [run.value("bench_fast_reed_solomon.LTPeelingAnchor.time_peel", k) for k in FAST_RS_SIZES]
    rs = []
    for operation in ("encode", "decode"):
        name = f"bench_gf.ReedSolomon{operation.title()}.track_{operation}_mb_per_s"
        rs.append([operation if operation == "encode" else "decode (4 data shards lost)"]
                  + [megabytes_per_second(run.value(name, library)) for library in ("codedml", "zfec", "pyeclib_isa_l")]
                  + [megabytes_per_second(run.value(name, "galois")) if operation == "encode" else "--"])
    galois = {field: (run.value("bench_gf.DenseSolve.time_codedml_solve", field, 1024),
                      run.value("bench_gf.DenseSolve.track_speedup_over_galois", field, 1024))
              for field in ("gfp", "gf2^16")}
    lt = run.value("bench_lt.ObjectTransfer.track_lt_mb_per_s")
    speedup = [run.value("bench_repetition.DecodingVersusLstsq.track_speedup_over_lstsq", n) for n in (1000, 4000)]
    allocation = ", ".join(
        f"{label} {seconds(run.value('bench_bits.Allocate.time_allocate', method, 200, False))}"
        for method, label in (("dp", "dynamic programming"), ("low-complexity", "low-complexity"),
                              ("greedy", "greedy"), ("relaxation", "relaxation")))
    simulate = seconds(run.value("bench_multimessage.Simulate.time_simulate_10000_iterations", "GC", 40))
    blocks = [
        "**Erasure decoding, MDS against fountain** (RS(2k, k) over GF(2^16), every data shard lost, 64-byte "
        "shards, against LT peeling of the same ``k`` symbols; ``bench_fast_reed_solomon``):",
        _rst_table(["k", "fast RS decode", "LT peeling", "fast RS / LT"], fast),
        f"Growth (least squares on log-log): fast RS {exponent(growth_exponent(FAST_RS_SIZES, decode))}, LT peeling "
        f"{exponent(growth_exponent(FAST_RS_SIZES, peel))}.",
        "**Reed-Solomon** RS(14, 10), 1 MiB shards, GF(2^8), MB/s of data (``bench_gf``):",
        _rst_table(["operation", "codedml", "zfec", "pyeclib ISA-L", "galois"], rs),
        f"Dense solve against galois ``np.linalg.solve`` at ``n = 1024``: GF(2^31 - 1) {seconds(galois['gfp'][0])} "
        f"({times(galois['gfp'][1])} faster), GF(2^16) {seconds(galois['gf2^16'][0])} "
        f"({times(galois['gf2^16'][1])}). RS(4096, 2048) over GF(2^16) recovers from the worst erasure pattern in "
        f"{seconds(run.value('bench_gf.ReedSolomonWorstCaseRecovery.time_recover', 4096))}.",
        f"**LT codes**: LT decodes a 10 MiB object (1280-byte symbols, 25% repair, 10% lost) at {throughput(lt)}, "
        f"{times(run.value('bench_lt.ObjectTransfer.track_lt_ratio_to_raptorq'))} ``raptorq`` and "
        f"{times(run.value('bench_lt.ObjectTransfer.track_lt_ratio_to_lt_code_package'))} the pure-Python "
        f"``lt-code``; peeling ``k = 100,000`` 1 KiB payloads runs at "
        f"{times(run.value('bench_lt.Peeling.track_peel_ratio_to_bitwise_xor', 100_000))} ``numpy.bitwise_xor``.",
        f"**Repetition codes** (``bench_repetition``): the default ``CyclicRepetition`` decoding vector is "
        f"{times(speedup[0])} (``n = 1000``) and {times(speedup[1])} (``n = 4000, s = 40``) faster than dense "
        f"``numpy.linalg.lstsq`` on the same rows, with residual ``<= 1e-8``. Simulator: 10,000 iterations of "
        f"gradient coding at ``K = 40`` in {simulate}.",
        f"**Bit allocation** (the paper's problem, every ``b_i >= 2``, at most 32) at ``n = 200``, ``B = 8n``: "
        f"{allocation}.",
    ]
    return "\n\n".join(blocks)


#: The README's blocks, in reading order (the test checks each one).
README_BLOCKS = [
    provenance, multimessage_simulator, union_find_rule, fast_reed_solomon_versus_lt, fast_reed_solomon_summary,
    quadratic_codes, lt_graph_construction, lt_object_transfer, lt_peeling, rateless_decode, acceptance,
    reed_solomon_throughput, prime_field_solve, dense_solve_versus_galois, polynomial_gc, lagrange_fast,
    binary_field_blocked, worst_case_recovery, bit_allocation, cluster_overhead, cluster_extra_cost,
    cluster_speed_up, repetition_tables, repetition_encode_growth, repetition_versus_lstsq,
]
#: The blocks of ``docs/limits.rst``.
LIMITS_BLOCKS = [limits_rst]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="bench/readme_figures.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("results", nargs="?", help="asv results JSON (default: the one in bench/results/)")
    parser.add_argument("--machine", help="asv machine.json (default: beside the results)")
    parser.add_argument("--benchmarks", help="asv benchmarks.json (default: beside the results)")
    args = parser.parse_args(argv)
    run = load(args.results, args.machine, args.benchmarks)
    print(f"<!-- asv run of commit {run.commit}, {COMMAND}, machine {run.machine.get('machine', '?')} -->\n")
    for block in README_BLOCKS + LIMITS_BLOCKS:
        print(f"<!-- {block.__name__} -->")
        print(block(run))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
