"""``codedml compare --complexity``: MDS versus fountain encoding and decoding complexity, the survey's
central claim measured (section 4).

For each number of source symbols ``k`` on a log grid, one run measures the encoding and the decoding
wall time of

- **fast Reed–Solomon over GF(2^16)** (:class:`~codedml.codes.erasure.fast_reed_solomon.FastReedSolomon`,
  ``n = 2k``): the additive FFT in the Lin–Chung–Han basis, ``O(n log n)``;
- **Cauchy Reed–Solomon over GF(2^16)** (:class:`~codedml.codes.erasure.reed_solomon.ReedSolomon`,
  ``n = 2k``): ``k (n - k)`` region multiply-adds to encode; to decode a closed-form ``k x k`` Cauchy
  inverse plus ``k^2`` multiply-adds: quadratic in ``k``;
- **real-field MDS**: a Gaussian ``k x k`` parity generator (MDS with probability one); encoding is
  the matrix product (BLAS ``gemv``, ``O(k^2)``), decoding the dense solve (LAPACK ``gesv``,
  ``O(k^3)``), on one BLAS thread like the single-threaded numba codecs (numpy and scipy each load
  an OpenBLAS pool; on a busy 2-core machine their threads oversubscribe the cores and a
  ``100 x 100`` solve took 0.13 s instead of 0.1 ms);
- **LT** (:class:`~codedml.codes.erasure.lt.LTCode`, robust soliton ``(c, delta)``): encoding ``2k``
  coded symbols (as many as the MDS codes' shards), decoding by peeling only, on the shortest prefix
  of a random arrival order that peels; its overhead ``received / k - 1`` is averaged over several
  generators and arrival orders.

Every MDS decode is from the worst erasure pattern: all ``k`` data shards are lost and the ``k``
parity shards decode. Payloads are small (``payload_bytes``, default 8: one uint64 word, four
GF(2^16) symbols or one float64) so the times measure coding work, not memory traffic. A size is
skipped when it does not fit (``2k > 65536`` shards for GF(2^16); a real generator over
:data:`REAL_MDS_MAX_BYTES`) or when the time predicted from the measured growth (the log-log slope of
the last two measured sizes, or an assumed exponent before two sizes are measured) exceeds
``max_seconds``; the result says which sizes were skipped and why. Every operation is checked:
encodings by recomputing sampled parity rows (or, for the fast code, decoding them), decodings
against the data (the Cauchy code by re-encoding sampled received rows, ``O(k)`` each), the real
solve by its residual.

Examples
--------
>>> from codedml.experiments import complexity
>>> result = complexity.run(sizes=(64, 128), lt_trials=2, min_timing_seconds=0.0)
>>> sorted(result["codes"])
['fast_reed_solomon', 'lt', 'real_mds', 'reed_solomon']
>>> [row["k"] for row in result["codes"]["fast_reed_solomon"]["decode"]["rows"]]
[64, 128]
>>> result["fast_rs_to_lt_decode"]["k"]
128
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

#: The default log grid of ``k`` (powers of two, the fast code's natural sizes).
DEFAULT_SIZES = (128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536)
#: The default per-point limit of ``compare --complexity`` (predicted single-run seconds).
DEFAULT_MAX_SECONDS = 60.0
#: Largest number of shards of a Reed–Solomon code over GF(2^16).
GF2_16_MAX_SHARDS = 65536
#: Largest real-field generator (bytes of the ``k x k`` float64 matrix) measured.
REAL_MDS_MAX_BYTES = 4 * 2**30
#: The codes, in table and plot order, and the two operations timed for each.
CODES = ("fast_reed_solomon", "reed_solomon", "real_mds", "lt")
OPERATIONS = ("encode", "decode")
LABELS = {"fast_reed_solomon": "fast RS GF(2^16) (additive FFT)", "reed_solomon": "Cauchy RS GF(2^16)",
          "real_mds": "real-field MDS (BLAS/LAPACK)", "lt": "LT (robust soliton, peeling)"}
SHORT_LABELS = {"fast_reed_solomon": "FastRS", "reed_solomon": "CauchyRS", "real_mds": "real MDS", "lt": "LT"}
#: Growth exponents assumed for the first prediction, before two sizes are measured.
ASSUMED_EXPONENT = {("fast_reed_solomon", "encode"): 1.2, ("fast_reed_solomon", "decode"): 1.2,
                    ("reed_solomon", "encode"): 2.0, ("reed_solomon", "decode"): 2.0,
                    ("real_mds", "encode"): 2.0, ("real_mds", "decode"): 3.0,
                    ("lt", "encode"): 1.2, ("lt", "decode"): 1.3}
#: Parity rows recomputed from the data to check a Reed–Solomon encode or decode.
RS_CHECK_ROWS = 4
#: Relative residual above which a real-field solve counts as wrong.
REAL_RESIDUAL_TOLERANCE = 1e-6


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


def _random_symbols(k: int, payload_bytes: int, rng: np.random.Generator) -> np.ndarray:
    return rng.integers(0, 2**16, (k, payload_bytes // 2), dtype=np.uint16)


def _cauchy_rows_match(code, data: np.ndarray, parity: np.ndarray) -> bool:
    """Whether :data:`RS_CHECK_ROWS` sampled parity rows of the Cauchy code equal ``parity``'s."""
    from codedml.kernels.gf2m import gf2m_matrix_times_buffers_add

    k = code.n_sources
    check = np.linspace(0, k - 1, min(RS_CHECK_ROWS, k)).astype(np.int64)
    recomputed = np.zeros((check.size, data.shape[1]), dtype=np.uint16)
    gf2m_matrix_times_buffers_add(np.ascontiguousarray(code.parity_matrix[check]), data, recomputed,
                                  code.field.degree, code.field.reduction)
    return bool(np.array_equal(recomputed, parity[check]))


def fast_reed_solomon_seconds(operation: str, k: int, payload_bytes: int, rng: np.random.Generator,
                              min_timing_seconds: float) -> dict:
    """Encode (all ``n`` shards) or worst-case decode (every data shard lost) time of the fast RS(``2k``, ``k``).

    Both are checked exactly: the encode by decoding the data from its parity, the decode against the data.
    """
    from codedml.codes.erasure.fast_reed_solomon import FastReedSolomon

    code = FastReedSolomon(2 * k, k, field="gf2^16")
    data = _random_symbols(k, payload_bytes, rng)
    parity_ids = np.arange(k, 2 * k)
    if operation == "encode":
        seconds, repeats, shards = _best_seconds(lambda: code.encode(data), min_timing_seconds)
        decoded = code.decode(parity_ids, shards[k:])
    else:
        parity = np.ascontiguousarray(code.encode(data)[k:])
        seconds, repeats, decoded = _best_seconds(lambda: code.decode(parity_ids, parity), min_timing_seconds)
    if not np.array_equal(decoded, data):
        raise AssertionError(f"fast Reed-Solomon {operation} at k={k} does not round-trip the data")
    return {"k": k, "seconds": seconds, "repeats": repeats, "n": 2 * k, "erasures": k}


def reed_solomon_seconds(operation: str, k: int, payload_bytes: int, rng: np.random.Generator,
                         min_timing_seconds: float) -> dict:
    """Encode or worst-case decode (every data shard lost) time of the Cauchy RS(``2k``, ``k``) over GF(2^16).

    The decode reads random parity symbols (its work does not depend on the values), so the quadratic
    encoder is not run twice; both are checked by recomputing :data:`RS_CHECK_ROWS` parity rows.
    """
    from codedml.codes.erasure.reed_solomon import ReedSolomon

    code = ReedSolomon(2 * k, k, field="gf2^16")
    if operation == "encode":
        data = _random_symbols(k, payload_bytes, rng)
        seconds, repeats, shards = _best_seconds(lambda: code.encode(data), min_timing_seconds)
        parity = shards[k:]
    else:
        parity = _random_symbols(k, payload_bytes, rng)
        parity_ids = np.arange(k, 2 * k)
        seconds, repeats, data = _best_seconds(lambda: code.decode(parity_ids, parity), min_timing_seconds)
    if not _cauchy_rows_match(code, data, parity):
        raise AssertionError(f"Cauchy Reed-Solomon {operation} at k={k} does not match its parity rows")
    return {"k": k, "seconds": seconds, "repeats": repeats, "n": 2 * k, "erasures": k}


def real_mds_seconds(operation: str, k: int, payload_bytes: int, rng: np.random.Generator,
                     min_timing_seconds: float) -> dict:
    """Parity product (encode) or dense LAPACK solve from the ``k`` parity rows (decode) of a Gaussian ``k x k``
    parity generator, on one BLAS thread; the decode is checked by its residual."""
    from threadpoolctl import threadpool_limits

    columns = payload_bytes // 8
    generator = rng.standard_normal((k, k))
    data = rng.standard_normal((k, columns))
    with threadpool_limits(limits=1, user_api="blas"):
        if operation == "encode":
            seconds, repeats, parity = _best_seconds(lambda: generator @ data, min_timing_seconds)
            check = np.linspace(0, k - 1, min(RS_CHECK_ROWS, k)).astype(np.int64)
            residual = float(np.abs(np.einsum("ij,jc->ic", generator[check], data) - parity[check]).max()
                             / np.abs(parity[check]).max())
        else:
            parity = generator @ data
            seconds, repeats, solution = _best_seconds(lambda: np.linalg.solve(generator, parity),
                                                       min_timing_seconds)
            residual = float(np.linalg.norm(generator @ solution - parity) / np.linalg.norm(parity))
    if not residual <= REAL_RESIDUAL_TOLERANCE:
        raise AssertionError(f"real-field MDS {operation} at k={k} has relative residual {residual:.2e}")
    return {"k": k, "seconds": seconds, "repeats": repeats, "relative_residual": residual}


def lt_seconds(operation: str, k: int, payload_bytes: int, rng: np.random.Generator, min_timing_seconds: float,
               trials: int, eta: float, c: float, delta: float) -> dict:
    """LT encode time of ``2k`` coded symbols, or peeling time and overhead with ``(1 + eta) k`` available.

    For the decode, each of ``trials`` draws a fresh generator and a random arrival order; its overhead
    ``received / k - 1`` is the shortest prefix that peels
    (:func:`~codedml.kernels.peeling.peeling_completion_count`), and a draw whose ``(1 + eta) k``
    symbols do not peel counts as a failure. The decode of the first successful draw is timed.
    """
    from codedml.codes.erasure.lt import LTCode
    from codedml.kernels.peeling import peeling_completion_count

    sources = rng.integers(0, 256, (k, payload_bytes), dtype=np.uint8)
    if operation == "encode":
        code = LTCode(k, 1.0, c=c, delta=delta, seed=rng)
        seconds, repeats, coded = _best_seconds(lambda: code.encode(sources), min_timing_seconds)
        for row in np.linspace(0, code.n_coded - 1, min(RS_CHECK_ROWS, code.n_coded)).astype(np.int64):
            expected = np.bitwise_xor.reduce(sources[code.indices[code.indptr[row]:code.indptr[row + 1]]], axis=0)
            if not np.array_equal(coded[row], expected):
                raise AssertionError(f"LT encode at k={k} returned a wrong coded symbol {row}")
        return {"k": k, "seconds": seconds, "repeats": repeats, "n": int(code.n_coded),
                "edges": int(code.indices.size)}
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


def run(sizes=DEFAULT_SIZES, payload_bytes: int = 8, max_seconds: float = DEFAULT_MAX_SECONDS,
        lt_trials: int = 10, lt_eta: float = 1.5, lt_c: float = 0.03, lt_delta: float = 0.5,
        slope_from: int = 1000, min_timing_seconds: float = 0.2, seed: int = 0, progress: bool = False) -> dict:
    """Measure encoding and decoding time (and LT overhead) of fast RS, Cauchy RS, real-field MDS and LT.

    Parameters
    ----------
    sizes : sequence of int
        The grid of ``k`` (source symbols; the MDS dimension), increasing, each ``>= 2``.
    payload_bytes : int
        Bytes per symbol (a multiple of 8): small, so coding work dominates.
    max_seconds : float
        A size whose predicted single-run time (of one code's encode or decode) exceeds this is skipped,
        with every larger size of that code and operation.
    lt_trials : int
        LT generators (each with a random arrival order) over which the overhead is averaged.
    lt_eta, lt_c, lt_delta : float
        LT redundancy ``eta`` (coded symbols ``(1 + eta) k`` available to the decoder) and robust-soliton
        ``(c, delta)``.
    slope_from : int
        Slopes are fitted on measured sizes ``k >= slope_from`` (all sizes if fewer than two).
    min_timing_seconds : float
        Repeat an operation (taking the minimum) until this much time is spent; one run at least.
    seed : int
        Seeds every random draw.
    progress : bool
        Show a progress bar on stderr (on a terminal), one step per size of each code and operation.

    Returns
    -------
    dict
        JSON-ready: ``"settings"``; ``"codes"``: ``{name: {"label", "encode", "decode"}}``, each operation
        ``{"rows", "skipped", "slope", "slope_sizes"}`` (LT also ``"edge_slope"``); ``"slopes"``:
        ``{name: {operation: slope}}``; ``"ratios"``: per ``k`` measured by both, fast RS time over LT
        time for each operation; ``"fast_rs_to_lt_decode"``: that decode ratio at the largest such ``k``.
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
    streams = np.random.SeedSequence(seed).spawn(len(CODES) * len(OPERATIONS))
    rngs = {(name, operation): np.random.default_rng(streams.pop(0)) for name in CODES for operation in OPERATIONS}
    lt_options = (lt_trials, lt_eta, lt_c, lt_delta)
    _warm_up()
    codes = {name: {"label": LABELS[name]} for name in CODES}
    with progress_bar(len(CODES) * len(OPERATIONS) * len(sizes), "coding times", progress) as bar:
        for name in ("lt", "fast_reed_solomon", "reed_solomon", "real_mds"):
            for operation in OPERATIONS:
                codes[name][operation] = _measure_series(
                    name, operation, sizes, max_seconds, slope_from, bar,
                    lambda k, name=name, operation=operation: _measure(
                        name, operation, k, payload_bytes, rngs[name, operation], min_timing_seconds, lt_options))
    lt_decode = codes["lt"]["decode"]
    lt_fit = [r for r in lt_decode["rows"] if r["k"] in lt_decode["slope_sizes"]]
    lt_decode["edge_slope"] = loglog_slope([r["k"] for r in lt_fit], [r["edges"] for r in lt_fit])
    ratios = _fast_to_lt_ratios(codes)
    decoded_by_both = [row for row in ratios if "decode" in row]
    settings = {"sizes": sizes, "payload_bytes": payload_bytes, "max_seconds": max_seconds,
                "lt_trials": lt_trials, "lt_eta": lt_eta, "lt_c": lt_c, "lt_delta": lt_delta,
                "slope_from": slope_from, "seed": seed}
    return {"settings": settings, "codes": codes,
            "slopes": {name: {op: codes[name][op]["slope"] for op in OPERATIONS} for name in CODES},
            "ratios": ratios,
            "fast_rs_to_lt_decode": ({"k": decoded_by_both[-1]["k"], "ratio": decoded_by_both[-1]["decode"]}
                                     if decoded_by_both else {"k": None, "ratio": math.nan})}


def _measure(name: str, operation: str, k: int, payload_bytes: int, rng: np.random.Generator,
             min_timing_seconds: float, lt_options: tuple) -> dict:
    if name == "lt":
        return lt_seconds(operation, k, payload_bytes, rng, min_timing_seconds, *lt_options)
    measure = {"fast_reed_solomon": fast_reed_solomon_seconds, "reed_solomon": reed_solomon_seconds,
               "real_mds": real_mds_seconds}[name]
    return measure(operation, k, payload_bytes, rng, min_timing_seconds)


def _size_limit(name: str, k: int) -> str:
    """Why ``k`` does not fit ``name`` at all (empty if it does)."""
    if name in ("fast_reed_solomon", "reed_solomon") and 2 * k > GF2_16_MAX_SHARDS:
        return f"n = 2k = {2 * k} shards exceed GF(2^16)'s {GF2_16_MAX_SHARDS} points"
    if name == "real_mds" and 8 * k * k > REAL_MDS_MAX_BYTES:
        return (f"the {k} x {k} float64 generator ({8 * k * k / 2**30:.0f} GiB) exceeds "
                f"{REAL_MDS_MAX_BYTES / 2**30:.0f} GiB")
    return ""


def _measure_series(name: str, operation: str, sizes: list[int], max_seconds: float, slope_from: int, bar,
                    measure) -> dict:
    """Rows and skips of one code's operation over ``sizes``, and the log-log slope of its times."""
    rows, skipped = [], []
    for k in sizes:
        reason = _size_limit(name, k) or ("a smaller size was skipped" if skipped else "")
        if not reason:
            predicted, why = _predicted_seconds((name, operation), rows, k)
            if predicted > max_seconds:
                reason = why
        if reason:
            skipped.append({"k": k, "reason": reason})
            bar.set_postfix_str(f"{name} {operation} k={k}: skipped")
            bar.update()
            continue
        start = time.perf_counter()
        row = measure(k)
        row["wall_seconds"] = time.perf_counter() - start
        rows.append(row)
        bar.set_postfix_str(f"{name} {operation} k={k}: {row['seconds']:.4g} s")
        bar.update()
    fit = [r for r in rows if r["k"] >= slope_from]
    fit = fit if len(fit) >= 2 else rows
    return {"rows": rows, "skipped": skipped, "slope_sizes": [r["k"] for r in fit],
            "slope": loglog_slope([r["k"] for r in fit], [r["seconds"] for r in fit])}


def _predicted_seconds(series: tuple[str, str], rows: list[dict], k: int) -> tuple[float, str]:
    """Single-run time predicted at ``k`` from the measured growth, and the reason if it is too long."""
    if not rows:
        return 0.0, ""
    last = rows[-1]
    if len(rows) >= 2:
        exponent = max(1.0, loglog_slope([rows[-2]["k"], last["k"]], [rows[-2]["seconds"], last["seconds"]]))
        how = f"measured growth k^{exponent:.2f}"
    else:
        exponent = ASSUMED_EXPONENT[series]
        how = f"assumed growth k^{exponent:g}"
    predicted = last["seconds"] * (k / last["k"]) ** exponent
    return predicted, f"predicted {predicted:.0f} s from {last['seconds']:.2f} s at k={last['k']} ({how})"


def _fast_to_lt_ratios(codes: dict) -> list[dict]:
    """Per ``k`` (increasing), fast RS time over LT time for each operation both measured."""
    ratios = {}
    for operation in OPERATIONS:
        lt = {row["k"]: row["seconds"] for row in codes["lt"][operation]["rows"]}
        for row in codes["fast_reed_solomon"][operation]["rows"]:
            if row["k"] in lt:
                ratios.setdefault(row["k"], {"k": row["k"]})[operation] = row["seconds"] / lt[row["k"]]
    return [ratios[k] for k in sorted(ratios)]


def _warm_up() -> None:
    """Compile (or load from cache) every kernel on tiny inputs so no timing pays for it."""
    rng = np.random.default_rng(0)
    for name in CODES:
        for operation in OPERATIONS:
            _measure(name, operation, 20, 8, rng, 0.0, (1, 3.0, 0.03, 0.5))


def _cell(row: dict | None, key: str = "seconds", spec: str = ".3g") -> str:
    return format(row[key], spec) if row else "-"


def format_table(result: dict) -> str:
    """The measured seconds as a fixed-width text table (one row per ``k``), then slopes, ratios and skips."""
    codes = result["codes"]
    by_k = {(name, op): {row["k"]: row for row in codes[name][op]["rows"]} for name in CODES for op in OPERATIONS}
    ratios = {row["k"]: row for row in result["ratios"]}
    columns = [f"{SHORT_LABELS[name]} {op[:3]}" for name in CODES for op in OPERATIONS]
    header = f"{'k':>7}" + "".join(f"{column:>13}" for column in columns) + f"{'LT overhead':>13}" \
        + f"{'FastRS/LT enc':>15}{'FastRS/LT dec':>15}"
    lines = ["seconds (best of repeats); '-' = skipped (reasons below)", header, "-" * len(header)]
    for k in result["settings"]["sizes"]:
        ratio = ratios.get(k, {})
        lines.append(f"{k:>7d}" + "".join(f"{_cell(by_k[name, op].get(k)):>13}" for name in CODES for op in OPERATIONS)
                     + f"{_cell(by_k['lt', 'decode'].get(k), 'mean_overhead', '.3f'):>13}"
                     + "".join(f"{(format(ratio[op], '.2f') if op in ratio else '-'):>15}" for op in OPERATIONS))
    for op in OPERATIONS:
        lines.append(f"log-log slopes of {op} time vs k: " + ", ".join(
            f"{SHORT_LABELS[name]} {codes[name][op]['slope']:.2f} (k {_span(codes[name][op]['slope_sizes'])})"
            for name in CODES))
    headline = result["fast_rs_to_lt_decode"]
    if headline["k"] is not None:
        lines.append(f"fast RS / LT decode time at the largest k both decode (k={headline['k']}): "
                     f"{headline['ratio']:.2f}x")
    lt = codes["lt"]["decode"]
    lt_rows = [row for row in lt["rows"] if row["k"] in lt["slope_sizes"]]
    lines.append(f"LT peeling work: graph edges grow as k^{lt['edge_slope']:.2f}; time per edge "
                 + ", ".join(f"{row['seconds'] / row['edges'] * 1e9:.1f} ns (k={row['k']})" for row in lt_rows))
    for name in CODES:
        for op in OPERATIONS:
            for skip in codes[name][op]["skipped"]:
                lines.append(f"skipped {LABELS[name]} {op} at k={skip['k']}: {skip['reason']}")
    return "\n".join(lines)


def _span(sizes: list[int]) -> str:
    return f"{sizes[0]}..{sizes[-1]}" if sizes else "none"


def plot(result: dict, path: str) -> None:
    """Log-log encode and decode time vs ``k`` for the four codes, and the LT overhead vs ``k``; the
    legends sit below the axes, clear of the data."""
    plt = pyplot()
    settings = result["settings"]
    fig, axes = plt.subplots(1, 3, figsize=(17, 6.5), layout="constrained",
                             gridspec_kw={"width_ratios": [1.2, 1.2, 0.8]})
    colours = dict(zip(CODES, ("tab:red", "tab:orange", "tab:purple", "tab:green")))
    for axis, operation in zip(axes[:2], OPERATIONS):
        for name in CODES:
            series = result["codes"][name][operation]
            axis.loglog([row["k"] for row in series["rows"]], [row["seconds"] for row in series["rows"]],
                        marker="o", color=colours[name], label=f"{LABELS[name]} (slope {series['slope']:.2f})")
        for name, power, style in (("lt", 1, ":"), ("reed_solomon", 2, "--")):
            _draw_growth_guide(axis, result["codes"][name][operation], LABELS[name], power, style)
        axis.set_xlabel("k (source symbols; MDS codes n = 2k)")
        axis.set_ylabel(f"{operation} time [s]")
        what = ("all n = 2k shards (LT: 2k coded symbols)" if operation == "encode"
                else "every data shard lost (LT: peeling)")
        axis.set_title(f"{operation}: {what}, {settings['payload_bytes']}-byte symbols", fontsize=10)
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.13))
    right = axes[2]
    lt_rows = result["codes"]["lt"]["decode"]["rows"]
    right.semilogx([row["k"] for row in lt_rows], [row["mean_overhead"] for row in lt_rows], marker="o",
                   color="tab:green", label="mean")
    right.semilogx([row["k"] for row in lt_rows], [row["max_overhead"] for row in lt_rows], marker="x",
                   linestyle="--", color="tab:green", label="max")
    right.set_xlabel("k (source symbols)")
    right.set_ylabel("LT overhead received/k - 1")
    right.set_title(f"LT peeling overhead (c={settings['lt_c']}, delta={settings['lt_delta']}, "
                    f"eta={settings['lt_eta']})", fontsize=10)
    right.grid(True, which="both", alpha=0.3)
    right.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2)
    headline = result["fast_rs_to_lt_decode"]
    ratio_text = (f"; fast RS / LT decode {headline['ratio']:.2f}x at k={headline['k']}"
                  if headline["k"] is not None else "")
    fig.suptitle(f"coding complexity, MDS vs fountain: k = {settings['sizes'][0]}..{settings['sizes'][-1]}, "
                 f"GF(2^16) RS, best of repeats, one thread{ratio_text}; sizes predicted over "
                 f"{settings['max_seconds']:g} s skipped; LT overhead over {settings['lt_trials']} generators, "
                 f"seed {settings['seed']}", fontsize=10)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _draw_growth_guide(axes, series: dict, label: str, power: int, style: str) -> None:
    """A grey ``k^power`` line through the first fitted point of ``series``, across its measured range."""
    rows = [row for row in series["rows"] if row["k"] in series["slope_sizes"]]
    if not rows:
        return
    anchor = rows[0]
    ks = np.array([row["k"] for row in series["rows"]], dtype=np.float64)
    axes.loglog(ks, anchor["seconds"] * (ks / anchor["k"]) ** power, linestyle=style, color="grey",
                linewidth=1, label=f"k^{power} through {label.split(' (')[0]} at k={anchor['k']}")


def command(args: argparse.Namespace) -> int:
    """``codedml compare --complexity`` (options checked by compare): measure on :data:`DEFAULT_SIZES`, print
    the table, write the plot and a JSON beside it."""
    plot_path = args.plot or "complexity.png"
    print(f"coding complexity: fast RS GF(2^16) (additive FFT), Cauchy RS GF(2^16), real-field MDS, LT; encode "
          f"and worst-case decode; k in {list(DEFAULT_SIZES)}; sizes predicted to exceed "
          f"{DEFAULT_MAX_SECONDS:g} s are skipped")
    started = time.perf_counter()
    result = run(sizes=DEFAULT_SIZES, max_seconds=DEFAULT_MAX_SECONDS, seed=args.seed, progress=not args.quiet)
    result["total_seconds"] = time.perf_counter() - started
    print(format_table(result))
    plot(result, plot_path)
    json_path = write_figures_json(plot_path, result)
    print(f"total {result['total_seconds']:.1f} s; plot written to {plot_path}, figures to {json_path}")
    return 0
