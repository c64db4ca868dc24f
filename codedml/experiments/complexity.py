"""``codedml compare --complexity``: MDS versus fountain decoding complexity, the survey's central claim
measured (section 4).

For each number of source symbols ``k`` on a log grid, one run measures the decoding wall time of

- **Reed–Solomon over GF(2^16)** (:class:`~codedml.codes.erasure.reed_solomon.ReedSolomon`,
  ``n = 2k``), decoding from the worst erasure pattern: all ``k`` data shards are lost and
  the ``k`` parity shards decode (closed-form ``k x k`` Cauchy inverse plus ``k^2`` region
  multiply-adds: quadratic in ``k``); sizes with ``2k > 65536`` do not fit GF(2^16) and are
  skipped;
- **real-field MDS**: the dense solve (numpy's LAPACK ``gesv``) of the ``k x k`` system given by
  ``k`` surviving rows of a Gaussian generator (MDS with probability one; every erasure pattern
  costs the same ``O(k^3)``), on one BLAS thread like the single-threaded numba decoders (numpy
  and scipy each load an OpenBLAS pool; on a busy 2-core machine their threads oversubscribe the
  cores and a ``100 x 100`` solve took 0.13 s instead of 0.1 ms);
- **LT peeling** (:class:`~codedml.codes.erasure.lt.LTCode`, robust soliton ``(c, delta)``), peeling
  only, on the shortest prefix of a random arrival order that peels; its overhead
  ``received / k - 1`` is averaged over several generators and arrival orders.

Payloads are small (``payload_bytes``, default 8: one uint64 word, four GF(2^16) symbols or
one float64) so the times measure decoding work, not memory traffic. An MDS size is skipped
when the time predicted from the measured growth (the log-log slope of the last two measured
sizes, or an assumed exponent before two sizes are measured) exceeds ``max_seconds``; the
result says which sizes were skipped and why. Every decode is checked: RS by re-encoding
received parity rows from the decoded data (``O(k)`` per row), the real solve by its
residual, LT against the source payloads.

Examples
--------
>>> from codedml.experiments import complexity
>>> result = complexity.run(sizes=(100, 200), lt_trials=2, min_timing_seconds=0.0)
>>> sorted(result["codes"])
['lt', 'real_mds', 'reed_solomon']
>>> [row["k"] for row in result["codes"]["lt"]["rows"]]
[100, 200]
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from codedml import _validation as validation
from codedml.errors import ParameterError
from codedml.experiments.plotting import pyplot, write_figures_json
from codedml.experiments.progress import progress_bar

#: The default log grid of ``k``.
DEFAULT_SIZES = (100, 300, 1000, 3000, 10000, 30000, 50000)
#: Largest number of shards of a Reed–Solomon code over GF(2^16).
GF2_16_MAX_SHARDS = 65536
#: Growth exponents assumed for the first prediction, before two sizes are measured.
ASSUMED_EXPONENT = {"reed_solomon": 2.0, "real_mds": 3.0}
#: Parity rows re-encoded from the decoded data to check a Reed–Solomon decode.
RS_CHECK_ROWS = 4
#: Relative residual above which a real-field solve counts as wrong.
REAL_RESIDUAL_TOLERANCE = 1e-6

LABELS = {"reed_solomon": "Reed-Solomon GF(2^16)", "real_mds": "real-field MDS (LAPACK solve)",
          "lt": "LT peeling (robust soliton)"}


def _best_seconds(run, min_timing_seconds: float, max_repeats: int = 25):
    """Minimum wall time of ``run()`` over repeats until ``min_timing_seconds`` is spent (at least
    one), the number of repeats, and the last result (checked by the caller, not recomputed)."""
    best, spent, repeats = math.inf, 0.0, 0
    while repeats < max_repeats and (repeats == 0 or spent < min_timing_seconds):
        start = time.perf_counter()
        result = run()
        elapsed = time.perf_counter() - start
        best, spent, repeats = min(best, elapsed), spent + elapsed, repeats + 1
    return best, repeats, result


def reed_solomon_decode_seconds(k: int, payload_bytes: int, rng: np.random.Generator,
                                min_timing_seconds: float) -> dict:
    """Decode time of RS(``2k``, ``k``) over GF(2^16) from its worst erasure pattern (all data lost).

    The received shards are random symbols (decoding work does not depend on the values), so
    the ``O(k (n - k))`` encoder is never run; the decode is checked by re-encoding
    :data:`RS_CHECK_ROWS` received parity rows from the decoded data.
    """
    from codedml.codes.erasure.reed_solomon import ReedSolomon
    from codedml.kernels.gf2m import gf2m_matrix_times_buffers_add

    code = ReedSolomon(2 * k, k, field="gf2^16")
    symbols = max(1, payload_bytes // 2)
    parity_ids = np.arange(k, 2 * k)
    received = rng.integers(0, 2**16, (k, symbols), dtype=np.uint16)
    seconds, repeats, data = _best_seconds(lambda: code.decode(parity_ids, received), min_timing_seconds)
    check = np.linspace(0, k - 1, min(RS_CHECK_ROWS, k)).astype(np.int64)
    reencoded = np.zeros((check.size, symbols), dtype=np.uint16)
    gf2m_matrix_times_buffers_add(np.ascontiguousarray(code.parity_matrix[check]), data, reencoded,
                                  code.field.degree, code.field.reduction)
    if not np.array_equal(reencoded, received[check]):
        raise AssertionError(f"Reed-Solomon decode at k={k} does not reproduce its received parity shards")
    return {"k": k, "seconds": seconds, "repeats": repeats, "n": 2 * k, "erasures": k}


def real_mds_decode_seconds(k: int, payload_bytes: int, rng: np.random.Generator,
                            min_timing_seconds: float) -> dict:
    """Dense LAPACK solve of ``k`` surviving rows of a Gaussian ``n x k`` generator."""
    from threadpoolctl import threadpool_limits

    columns = max(1, payload_bytes // 8)
    survivors = rng.standard_normal((k, k))
    received = rng.standard_normal((k, columns))
    with threadpool_limits(limits=1, user_api="blas"):
        seconds, repeats, solution = _best_seconds(lambda: np.linalg.solve(survivors, received),
                                                   min_timing_seconds)
    residual = float(np.linalg.norm(survivors @ solution - received) / np.linalg.norm(received))
    if not residual <= REAL_RESIDUAL_TOLERANCE:
        raise AssertionError(f"real-field MDS solve at k={k} has relative residual {residual:.2e}")
    return {"k": k, "seconds": seconds, "repeats": repeats, "relative_residual": residual}


def lt_decode_seconds(k: int, payload_bytes: int, rng: np.random.Generator, min_timing_seconds: float,
                      trials: int, eta: float, c: float, delta: float) -> dict:
    """Peeling time and overhead of an LT code with ``Q = (1 + eta) k`` coded symbols.

    Each of ``trials`` draws a fresh generator and a random arrival order; its overhead
    ``received / k - 1`` is the shortest prefix that peels
    (:func:`~codedml.kernels.peeling.peeling_completion_count`), and a draw whose ``Q`` symbols do not
    peel counts as a failure. The decode of the first successful draw is timed.
    """
    from codedml.codes.erasure.lt import LTCode
    from codedml.kernels.peeling import peeling_completion_count

    sources = rng.integers(0, 256, (k, payload_bytes), dtype=np.uint8)
    counts, timed = [], None
    for _ in range(trials):
        code = LTCode(k, eta, c=c, delta=delta, seed=rng)
        order = rng.permutation(code.n_coded).astype(np.int64)
        count = peeling_completion_count(code.indptr, code.indices, code.t_indptr, code.t_indices, k, order)
        if count > 0:
            counts.append(count)
            if timed is None:
                timed = code, order[:count]
    if timed is None:
        raise AssertionError(f"no LT arrival order peeled at k={k} with eta={eta}")
    code, timed_order = timed
    coded = code.encode(sources)
    timed_payloads = np.ascontiguousarray(coded[timed_order])
    seconds, repeats, decoded = _best_seconds(
        lambda: code.decode(timed_order, timed_payloads, inactivation=False), min_timing_seconds)
    if not np.array_equal(decoded, sources):
        raise AssertionError(f"LT peeling at k={k} returned wrong source payloads")
    overheads = np.asarray(counts) / k - 1.0
    return {"k": k, "seconds": seconds, "repeats": repeats, "mean_overhead": float(overheads.mean()),
            "max_overhead": float(overheads.max()), "peeled_orders": len(counts), "trials": trials,
            "edges": int(code.indices.size)}


def loglog_slope(sizes, seconds) -> float:
    """Least-squares slope of ``log(seconds)`` against ``log(k)``."""
    x, y = np.log(np.asarray(sizes, dtype=np.float64)), np.log(np.asarray(seconds, dtype=np.float64))
    if x.size < 2:
        return math.nan
    return float(np.polyfit(x, y, 1)[0])


def run(sizes=DEFAULT_SIZES, payload_bytes: int = 8, max_seconds: float = 60.0, lt_trials: int = 10,
        lt_eta: float = 1.5, lt_c: float = 0.03, lt_delta: float = 0.5, slope_from: int = 1000,
        min_timing_seconds: float = 0.2, seed: int = 0, progress: bool = False) -> dict:
    """Measure decoding time (and LT overhead) of RS GF(2^16), real-field MDS and LT peeling.

    Parameters
    ----------
    sizes : sequence of int
        The grid of ``k`` (source symbols; the MDS dimension), increasing, each ``>= 2``.
    payload_bytes : int
        Bytes per symbol (a multiple of 8): small, so decoding work dominates.
    max_seconds : float
        An MDS size whose predicted single-decode time exceeds this is skipped, with every
        larger size of that code.
    lt_trials : int
        LT generators (each with a random arrival order) over which the overhead is averaged.
    lt_eta, lt_c, lt_delta : float
        LT redundancy ``eta`` (coded symbols ``(1 + eta) k`` available) and robust-soliton ``(c, delta)``.
    slope_from : int
        Slopes are fitted on measured sizes ``k >= slope_from`` (all sizes if fewer than two).
    min_timing_seconds : float
        Repeat a decode (taking the minimum) until this much time is spent; one run at least.
    seed : int
        Seeds every random draw.
    progress : bool
        Show a progress bar on stderr (on a terminal), one step per size of each code.

    Returns
    -------
    dict
        ``{"settings": ..., "codes": {name: {"label", "rows", "skipped", "slope"}}}``, JSON-ready.
    """
    sizes = [int(k) for k in validation.integer_array(sizes, "sizes", ndim=1, minimum=2)]
    if not sizes or sorted(set(sizes)) != sizes:
        raise ParameterError(f"sizes must be increasing distinct integers >= 2, got {sizes}")
    payload_bytes = validation.integer(payload_bytes, "payload_bytes", minimum=8)
    if payload_bytes % 8:
        raise ParameterError(f"payload_bytes must be a positive multiple of 8, got {payload_bytes!r}")
    max_seconds = validation.real(max_seconds, "max_seconds", minimum=0.0, open_minimum=True)
    lt_trials = validation.integer(lt_trials, "lt_trials", minimum=1)
    lt_eta = validation.real(lt_eta, "lt_eta", minimum=0.0)
    lt_c = validation.real(lt_c, "lt_c", minimum=0.0, open_minimum=True)
    lt_delta = validation.probability(lt_delta, "lt_delta", open_minimum=True, open_maximum=True)
    slope_from = validation.integer(slope_from, "slope_from", minimum=0)
    min_timing_seconds = validation.real(min_timing_seconds, "min_timing_seconds", minimum=0.0)
    seed = validation.integer(seed, "seed", minimum=0)
    progress = validation.flag(progress, "progress")
    rngs = dict(zip(("reed_solomon", "real_mds", "lt"),
                    (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3))))
    _warm_up()
    codes = {name: {"label": LABELS[name], "rows": [], "skipped": []} for name in LABELS}
    measure = {
        "reed_solomon": lambda k: reed_solomon_decode_seconds(k, payload_bytes, rngs["reed_solomon"],
                                                              min_timing_seconds),
        "real_mds": lambda k: real_mds_decode_seconds(k, payload_bytes, rngs["real_mds"], min_timing_seconds),
        "lt": lambda k: lt_decode_seconds(k, payload_bytes, rngs["lt"], min_timing_seconds, lt_trials, lt_eta,
                                          lt_c, lt_delta),
    }
    with progress_bar(len(LABELS) * len(sizes), "decoding times", progress) as bar:
        for name in ("lt", "reed_solomon", "real_mds"):
            rows, skipped = codes[name]["rows"], codes[name]["skipped"]
            for k in sizes:
                if name == "reed_solomon" and 2 * k > GF2_16_MAX_SHARDS:
                    skipped.append({"k": k, "predicted_seconds": math.nan,
                                    "reason": f"n = 2k = {2 * k} shards exceed GF(2^16)'s {GF2_16_MAX_SHARDS} points"})
                elif name != "lt":
                    predicted, reason = _predicted_seconds(name, rows, k)
                    if skipped or predicted > max_seconds:
                        skipped.append({"k": k, "predicted_seconds": predicted,
                                        "reason": reason if not skipped else "a smaller size was skipped"})
                if skipped and skipped[-1]["k"] == k:
                    bar.set_postfix_str(f"{name} k={k}: skipped")
                    bar.update()
                    continue
                start = time.perf_counter()
                row = measure[name](k)
                row["wall_seconds"] = time.perf_counter() - start
                rows.append(row)
                bar.set_postfix_str(f"{name} k={k}: {row['seconds']:.4g} s")
                bar.update()
                if name != "lt" and row["seconds"] > max_seconds:
                    max_seconds_hit = f"k={k} took {row['seconds']:.1f} s > {max_seconds:g} s"
                    later = [size for size in sizes if size > k]
                    skipped.extend({"k": size, "predicted_seconds": math.nan, "reason": max_seconds_hit}
                                   for size in later)
                    bar.update(len(later))
                    break
            fit = [r for r in rows if r["k"] >= slope_from]
            fit = fit if len(fit) >= 2 else rows
            codes[name]["slope"] = loglog_slope([r["k"] for r in fit], [r["seconds"] for r in fit])
            codes[name]["slope_sizes"] = [r["k"] for r in fit]
    lt_fit = [r for r in codes["lt"]["rows"] if r["k"] in codes["lt"]["slope_sizes"]]
    codes["lt"]["edge_slope"] = loglog_slope([r["k"] for r in lt_fit], [r["edges"] for r in lt_fit])
    settings = {"sizes": sizes, "payload_bytes": payload_bytes, "max_seconds": max_seconds,
                "lt_trials": lt_trials, "lt_eta": lt_eta, "lt_c": lt_c, "lt_delta": lt_delta,
                "slope_from": slope_from, "seed": seed}
    return {"settings": settings, "codes": codes}


def _predicted_seconds(name: str, rows: list[dict], k: int) -> tuple[float, str]:
    """Single-decode time predicted at ``k`` from the measured growth, and the reason if it is too long."""
    if not rows:
        return 0.0, ""
    last = rows[-1]
    if len(rows) >= 2:
        exponent = max(1.0, loglog_slope([rows[-2]["k"], last["k"]], [rows[-2]["seconds"], last["seconds"]]))
        how = f"measured growth k^{exponent:.2f}"
    else:
        exponent = ASSUMED_EXPONENT[name]
        how = f"assumed growth k^{exponent:.0f}"
    predicted = last["seconds"] * (k / last["k"]) ** exponent
    return predicted, f"predicted {predicted:.0f} s from {last['seconds']:.2f} s at k={last['k']} ({how})"


def _warm_up() -> None:
    """Compile (or load from cache) every kernel on tiny inputs so no timing pays for it."""
    rng = np.random.default_rng(0)
    reed_solomon_decode_seconds(4, 8, rng, 0.0)
    lt_decode_seconds(20, 8, rng, 0.0, 1, 3.0, 0.03, 0.5)
    real_mds_decode_seconds(4, 8, rng, 0.0)


def format_table(result: dict) -> str:
    """The measured figures as a fixed-width text table (one row per ``k``), then slopes and skips."""
    codes = result["codes"]
    by_k = {name: {row["k"]: row for row in codes[name]["rows"]} for name in codes}
    header = f"{'k':>7}{'RS GF(2^16) s':>15}{'erasures':>10}{'real MDS s':>13}{'LT peel s':>12}{'LT overhead':>13}"
    lines = [header, "-" * len(header)]
    for k in result["settings"]["sizes"]:
        rs, real, lt = by_k["reed_solomon"].get(k), by_k["real_mds"].get(k), by_k["lt"].get(k)
        lines.append(f"{k:>7d}"
                     f"{(format(rs['seconds'], '.4g') if rs else 'skipped'):>15}"
                     f"{(str(rs['erasures']) if rs else '-'):>10}"
                     f"{(format(real['seconds'], '.4g') if real else 'skipped'):>13}"
                     f"{(format(lt['seconds'], '.4g') if lt else '-'):>12}"
                     f"{(format(lt['mean_overhead'], '.3f') if lt else '-'):>13}")
    lines.append("log-log slopes of decode time vs k: " + ", ".join(
        f"{codes[name]['label']} {codes[name]['slope']:.2f} (k in {codes[name]['slope_sizes']})" for name in codes))
    lt_rows = [row for row in codes["lt"]["rows"] if row["k"] in codes["lt"]["slope_sizes"]]
    lines.append(f"LT peeling work: graph edges grow as k^{codes['lt']['edge_slope']:.2f}; time per edge "
                 + ", ".join(f"{row['seconds'] / row['edges'] * 1e9:.1f} ns (k={row['k']})" for row in lt_rows)
                 + " (random access over a growing graph)")
    for name in codes:
        for skip in codes[name]["skipped"]:
            lines.append(f"skipped {codes[name]['label']} at k={skip['k']}: {skip['reason']}")
    return "\n".join(lines)


def plot(result: dict, path: str) -> None:
    """Log-log decode time vs ``k`` for the three codes (left) and the LT overhead vs ``k`` (right); the
    legends sit below the axes, clear of the data."""
    plt = pyplot()
    settings = result["settings"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 6), layout="constrained")
    for code in result["codes"].values():
        ks = [row["k"] for row in code["rows"]]
        left.loglog(ks, [row["seconds"] for row in code["rows"]], marker="o",
                    label=f"{code['label']} (slope {code['slope']:.2f})")
    for name, power, style in (("lt", 1, ":"), ("reed_solomon", 2, "--")):
        _draw_growth_guide(left, result["codes"][name], power, style)
    left.set_xlabel("k (source symbols)")
    left.set_ylabel("decode time [s]")
    left.set_title(f"decoding time, {settings['payload_bytes']}-byte symbols", fontsize=10)
    left.grid(True, which="both", alpha=0.3)
    left.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14))
    lt_rows = result["codes"]["lt"]["rows"]
    right.semilogx([row["k"] for row in lt_rows], [row["mean_overhead"] for row in lt_rows], marker="o",
                   color="tab:green", label="mean")
    right.semilogx([row["k"] for row in lt_rows], [row["max_overhead"] for row in lt_rows], marker="x",
                   linestyle="--", color="tab:green", label="max")
    right.set_xlabel("k (source symbols)")
    right.set_ylabel("LT overhead received/k - 1")
    right.set_title(f"LT peeling overhead, robust soliton c={settings['lt_c']}, delta={settings['lt_delta']}, "
                    f"eta={settings['lt_eta']}", fontsize=10)
    right.grid(True, which="both", alpha=0.3)
    right.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2)
    fig.suptitle(f"decoding complexity, MDS vs fountain: k = {settings['sizes'][0]}..{settings['sizes'][-1]}; "
                 f"best of repeats, one BLAS thread; LT overhead over {settings['lt_trials']} generators, seed "
                 f"{settings['seed']}", fontsize=10)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _draw_growth_guide(axes, code: dict, power: int, style: str) -> None:
    """A grey ``k^power`` line through the first fitted point of ``code``, across its measured range."""
    rows = [row for row in code["rows"] if row["k"] in code["slope_sizes"]]
    if not rows:
        return
    anchor = rows[0]
    ks = np.array([row["k"] for row in code["rows"]], dtype=np.float64)
    axes.loglog(ks, anchor["seconds"] * (ks / anchor["k"]) ** power, linestyle=style, color="grey",
                linewidth=1, label=f"k^{power} through {code['label'].split(' (')[0]} at k={anchor['k']}")


def command(args: argparse.Namespace) -> int:
    """``codedml compare --complexity`` (options checked by compare): measure on :data:`DEFAULT_SIZES`, print
    the table, write the plot and a JSON beside it."""
    plot_path = args.plot or "complexity.png"
    max_seconds = 60.0
    print(f"decoding complexity: Reed-Solomon GF(2^16) (worst erasures), real-field MDS (LAPACK solve), "
          f"LT peeling; k in {list(DEFAULT_SIZES)}; MDS sizes predicted to exceed {max_seconds:g} s are skipped")
    started = time.perf_counter()
    result = run(sizes=DEFAULT_SIZES, max_seconds=max_seconds, seed=args.seed, progress=not args.quiet)
    result["total_seconds"] = time.perf_counter() - started
    print(format_table(result))
    plot(result, plot_path)
    json_path = write_figures_json(plot_path, result)
    print(f"total {result['total_seconds']:.1f} s; plot written to {plot_path}, figures to {json_path}")
    return 0
