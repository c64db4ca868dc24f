"""The ``codedml compare`` command: one-message gradient codes under the shifted exponential model.

For the uncoded scheme, ignore-stragglers, fractional repetition (when ``s + 1`` divides ``n``) and
cyclic repetition tolerating ``s`` stragglers: the Monte Carlo mean completion time ``E[T]`` (95%
CI), the messages the master uses per iteration and the wall time of one decode, beside the closed
forms of :mod:`codedml.sim.closed_forms`. Worker ``w`` finishes its ``r`` tasks at
``r (alpha + X_w)``, ``X_w ~ Exp(mu)``; times are in the model's time unit (``alpha`` is the
minimum time of one task).

``compare --preset`` reproduces a paper's multi-message figure (:mod:`codedml.experiments.presets`)
and ``compare --complexity`` measures decoding complexity (:mod:`codedml.experiments.complexity`)
instead; this module's parser holds their options and refuses the ones each mode ignores.

Examples
--------
>>> from codedml.experiments import compare
>>> results = compare.run(n_workers=6, n_stragglers=1, n_iterations=200, dimension=4, decode_samples=2)
>>> list(results["schemes"])
['uncoded', 'ignore-stragglers', 'fractional-repetition', 'cyclic-repetition']
>>> results["schemes"]["uncoded"]["mean_messages"]
6.0
"""

from __future__ import annotations

import argparse
import time

from codedml import _validation as validation
from codedml.errors import ParameterError
from codedml.experiments import complexity, presets
from codedml.experiments.options import (
    add_quiet_option,
    check_plot_output,
    check_size,
    fill_defaults,
    integer_option,
    plot_file,
    real_option,
    refuse_options,
)
from codedml.experiments.plotting import pyplot
from codedml.experiments.progress import prepare_kernels, progress_bar

#: Defaults of the ``compare`` options that ``--preset`` or ``--complexity`` may refuse (``None`` means not given).
COMPARE_DEFAULTS = {"workers": 40, "stragglers": 9, "mu": 10.0, "alpha": 0.01, "dimension": 1000,
                    "decode_samples": 200}

#: The ``compare`` options a preset's fixed figure ignores.
PRESET_IGNORED = {"workers": "-K/--workers", "stragglers": "-s/--stragglers", "dimension": "--dimension",
                  "decode_samples": "--decode-samples"}

#: What each preset fixes, for the error naming an option it ignores.
PRESET_FIXES = {"cpgc": "K = M = 20, r = 3", "gc-mmc": "K = 40, r = 10"}


def compare_schemes(n_workers: int, n_stragglers: int) -> dict:
    """The one-message schemes of ``codedml compare``; fractional repetition only when ``s + 1`` divides ``n``."""
    from codedml.codes import CyclicRepetition, FractionalRepetition, IgnoreStragglers, UncodedScheme

    schemes = {"uncoded": UncodedScheme(n_workers), "ignore-stragglers": IgnoreStragglers(n_workers, n_stragglers)}
    if n_workers % (n_stragglers + 1) == 0:
        schemes["fractional-repetition"] = FractionalRepetition(n_workers, n_stragglers)
    schemes["cyclic-repetition"] = CyclicRepetition(n_workers, n_stragglers, seed=0)
    return schemes


def decode_seconds(code, model, dimension: int, samples: int, rng) -> float:
    """Mean wall time of ``code.decode`` on the message sets of ``samples`` simulated iterations.

    Compilation is triggered once before timing; the decoding-vector cache is cleared
    before each call so that every iteration pays for its own decoding vector.
    """
    import numpy as np

    partials = rng.standard_normal((code.n_partitions, dimension))
    messages = code.encode(partials)
    finish = model.finish_times(code.worker_loads, samples, rng)
    times, _ = code.first_decodable(finish)
    received = [np.flatnonzero(row <= t) for row, t in zip(finish, times) if np.isfinite(t)]
    code.decode(received[0], messages[received[0]])
    start = time.perf_counter()
    for ids in received:
        code.clear_cache()
        code.decode(ids, messages[ids])
    return (time.perf_counter() - start) / len(received)


def run(n_workers: int = 40, n_stragglers: int = 9, mu: float = 10.0, alpha: float = 0.01,
        n_iterations: int = 20_000, seed: int = 0, dimension: int = 1000, decode_samples: int = 200,
        progress: bool = False) -> dict:
    """Simulate and time every scheme of :func:`compare_schemes`.

    Parameters
    ----------
    n_workers, n_stragglers : int
        Workers ``n`` (the paper's ``K``) and stragglers tolerated ``s < n``; computation load ``r = s + 1``.
    mu, alpha : float
        Rate ``mu > 0`` and shift ``alpha >= 0`` of the shifted exponential model.
    n_iterations : int
        Monte Carlo iterations per scheme.
    seed : int
        Seeds the simulation and the timing data.
    dimension, decode_samples : int
        Gradient dimension and number of iterations whose decoding is timed.
    progress : bool
        Show a progress bar on stderr (on a terminal).

    Returns
    -------
    dict
        ``{"settings", "schemes": {name: {"computation_load", "mean_time", "ci95", "mean_messages",
        "decode_seconds", "exact"}}, "closed_forms": {"uncoded", "cyclic-repetition"}}``.
    """
    import numpy as np

    from codedml.sim.closed_forms import gradient_coding_expected_completion_time, uncoded_expected_completion_time
    from codedml.sim.montecarlo import simulate
    from codedml.sim.stragglers import ShiftedExponential

    n_workers = validation.integer(n_workers, "n_workers", minimum=1)
    n_stragglers = validation.integer(n_stragglers, "n_stragglers", minimum=0, maximum=n_workers - 1)
    n_iterations = validation.integer(n_iterations, "n_iterations", minimum=1)
    seed = validation.integer(seed, "seed", minimum=0)
    dimension = validation.integer(dimension, "dimension", minimum=1)
    decode_samples = validation.integer(decode_samples, "decode_samples", minimum=1)
    progress = validation.flag(progress, "progress")
    validation.array_size(n_workers * dimension, f"the n_workers x dimension partial gradients (dimension={dimension})")
    validation.array_size(n_workers * decode_samples, f"the finish times of {decode_samples} timed iterations")
    model = ShiftedExponential(mu, alpha)
    schemes = compare_schemes(n_workers, n_stragglers)
    simulation_seeds = np.random.SeedSequence(seed).spawn(len(schemes))
    timing_rng = np.random.default_rng([seed, 1])
    rows = {}
    with progress_bar(len(schemes), "schemes", progress) as bar:
        for (name, code), scheme_seed in zip(schemes.items(), simulation_seeds):
            result = simulate(code, model, n_iterations, seed=np.random.default_rng(scheme_seed))
            rows[name] = {"computation_load": int(code.computation_load), "mean_time": float(result.mean_time),
                          "ci95": float(result.ci95), "mean_messages": float(result.mean_messages),
                          "decode_seconds": decode_seconds(code, model, dimension, decode_samples, timing_rng),
                          "exact": bool(code.exact)}
            bar.update()
    settings = {"n_workers": n_workers, "n_stragglers": n_stragglers, "mu": model.mu, "alpha": model.alpha,
                "n_iterations": n_iterations, "seed": seed, "dimension": dimension, "decode_samples": decode_samples}
    closed_forms = {"uncoded": uncoded_expected_completion_time(n_workers, mu, alpha),
                    "cyclic-repetition": gradient_coding_expected_completion_time(n_workers, n_stragglers, mu, alpha)}
    return {"settings": settings, "schemes": rows, "closed_forms": closed_forms}


def format_table(results: dict) -> str:
    """The settings line, one row per scheme, then the closed forms."""
    settings = results["settings"]
    lines = [f"K={settings['n_workers']} workers, s={settings['n_stragglers']} stragglers "
             f"(r={settings['n_stragglers'] + 1}), shifted exponential mu={settings['mu']}, alpha={settings['alpha']}, "
             f"{settings['n_iterations']} iterations, seed={settings['seed']}"]
    header = f"{'scheme':<24}{'load r':>7}{'E[T]':>10}{'+-95% CI':>11}{'messages':>10}{'decode/iter':>13}  exact"
    lines += [header, "-" * len(header)]
    for name, row in results["schemes"].items():
        lines.append(f"{name:<24}{row['computation_load']:>7d}{row['mean_time']:>10.4f}{row['ci95']:>11.4f}"
                     f"{row['mean_messages']:>10.2f}{row['decode_seconds'] * 1e6:>10.1f} us  "
                     f"{'yes' if row['exact'] else 'no'}")
    closed = results["closed_forms"]
    lines.append(f"closed forms: uncoded alpha + H_K/mu = {closed['uncoded']:.4f}; "
                 f"cyclic r (alpha + (H_K - H_s)/mu) = {closed['cyclic-repetition']:.4f}")
    return "\n".join(lines)


def plot(results: dict, path: str) -> None:
    """Bars of ``E[T]`` (95% CI, closed forms dashed) and of messages per iteration, one bar per scheme."""
    plt = pyplot()
    settings = results["settings"]
    names = list(results["schemes"])
    rows = list(results["schemes"].values())
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.6))
    left.bar(names, [row["mean_time"] for row in rows], yerr=[row["ci95"] for row in rows], capsize=4)
    for name, value in results["closed_forms"].items():
        left.hlines(value, names.index(name) - 0.4, names.index(name) + 0.4, colors="black", linestyles="--",
                    label="closed form" if name == "uncoded" else None)
    left.set_ylabel("average completion time E[T] [model time units]")
    left.legend(loc="upper left", fontsize=8)
    right.bar(names, [row["mean_messages"] for row in rows], color="tab:orange")
    right.set_ylabel("messages received per iteration")
    for axis in (left, right):
        axis.tick_params(axis="x", rotation=25)
    fig.suptitle(f"one-message gradient codes: K = {settings['n_workers']} workers, s = {settings['n_stragglers']} "
                 f"stragglers; shifted exponential mu = {settings['mu']:g}, alpha = {settings['alpha']:g} per task; "
                 f"{settings['n_iterations']} iterations", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def check_options(args: argparse.Namespace) -> None:
    """Refuse options the chosen mode ignores and combinations no mode accepts; fill in the defaults."""
    if args.complexity:
        refuse_options(args, {**PRESET_IGNORED, "mu": "--mu", "alpha": "--alpha", "iterations": "--iterations",
                              "no_hybrid": "--no-hybrid"},
                       "with --complexity (it times decoding on its own grid of k)")
        check_plot_output("--plot", args.plot or "complexity.png", figures_json=True)
    elif args.preset:
        refuse_options(args, PRESET_IGNORED, f"with --preset {args.preset} (it fixes {PRESET_FIXES[args.preset]})")
        if args.preset != "gc-mmc":
            refuse_options(args, {"no_hybrid": "--no-hybrid"}, "with --preset cpgc (only gc-mmc has the hybrid rule)")
        check_plot_output("--plot", args.plot or f"{args.preset}.png", figures_json=True)
    else:
        refuse_options(args, {"no_hybrid": "--no-hybrid"}, "without --preset gc-mmc")
    fill_defaults(args, COMPARE_DEFAULTS)
    if args.complexity or args.preset:
        return
    if args.stragglers >= args.workers:
        raise ParameterError(f"argument -s/--stragglers: n_stragglers must be < K = {args.workers} workers "
                             f"(-K), got {args.stragglers}")
    check_size("--dimension", args.workers * args.dimension,
               f"the K x dimension partial gradients (K={args.workers}, dimension={args.dimension})")
    check_size("--decode-samples", args.workers * args.decode_samples,
               f"the finish times of {args.decode_samples} timed iterations of K={args.workers} workers")


def command(args: argparse.Namespace) -> int:
    """``codedml compare``: check the options, run the chosen mode, print its table, write its plot."""
    check_options(args)
    prepare_kernels(args.quiet)
    if args.complexity:
        return complexity.command(args)
    if args.preset:
        return presets.command(args)
    results = run(n_workers=args.workers, n_stragglers=args.stragglers, mu=args.mu, alpha=args.alpha,
                  n_iterations=args.iterations or 20_000, seed=args.seed, dimension=args.dimension,
                  decode_samples=args.decode_samples, progress=not args.quiet)
    print(format_table(results))
    if args.plot:
        plot(results, args.plot)
        print(f"plot written to {args.plot}")
    return 0


def add_parser(subparsers) -> None:
    """Add the ``compare`` subcommand (with ``--preset`` and ``--complexity``) to an argparse ``subparsers``."""
    compare = subparsers.add_parser(
        "compare", help="compare one-message gradient codes under a straggler model",
        description="Monte Carlo completion time, messages and decoding time of the uncoded, "
                    "ignore-stragglers, fractional and cyclic repetition schemes under the shifted "
                    "exponential model (worker w finishes its r tasks at r (alpha + X_w), X_w ~ Exp(mu)).")
    compare.add_argument("-K", "--workers", type=integer_option(minimum=1),
                         help="number of workers K = n (default 40)")
    compare.add_argument("-s", "--stragglers", type=integer_option(minimum=0),
                         help="stragglers tolerated s < K; computation load r = s + 1 (default 9)")
    compare.add_argument("--mu", type=real_option(minimum=0.0, open_minimum=True),
                         help="straggling rate mu > 0 of Exp(mu) (default 10)")
    compare.add_argument("--alpha", type=real_option(minimum=0.0),
                         help="shift alpha >= 0: minimum time per task (default 0.01)")
    compare.add_argument("--iterations", type=integer_option(minimum=1),
                         help="Monte Carlo iterations (default 20000; 10000 with --preset)")
    compare.add_argument("--seed", type=integer_option(minimum=0), default=0, help="random seed (default 0)")
    compare.add_argument("--dimension", type=integer_option(minimum=1),
                         help="gradient dimension d used to time decoding (default 1000)")
    compare.add_argument("--decode-samples", type=integer_option(minimum=1),
                         help="iterations whose decoding is timed (default 200)")
    compare.add_argument("--plot", metavar="FILE.png", type=plot_file, help="save a bar chart of E[T] and messages")
    mode = compare.add_mutually_exclusive_group()
    mode.add_argument("--preset", choices=list(PRESET_FIXES),
                      help="reproduce a paper's multi-message figure instead (cpgc: seed cpgc Figure 1, "
                           "K = M = 20, r = 3; gc-mmc: seed gc-mmc Figure 1, K = 40, r = 10); writes "
                           "the plot (default PRESET.png) and a JSON file of its figures beside it; "
                           "--iterations defaults to 10000 here; -K, -s, --dimension and --decode-samples "
                           "are refused")
    mode.add_argument("--complexity", action="store_true",
                      help="measure decoding time vs k (100..50000) of Reed-Solomon GF(2^16), real-field MDS "
                           "and LT peeling, plus the LT overhead, instead; MDS sizes predicted to exceed a "
                           "minute are skipped (and named); writes the log-log plot (default "
                           "complexity.png) and a JSON file of its figures beside it; takes --seed and --plot only")
    compare.add_argument("--no-hybrid", action="store_true",
                         help="gc-mmc preset: GC-MMC without the hybrid rule (a worker that finishes its whole "
                              "cluster sends the plain cluster sum)")
    add_quiet_option(compare)
    compare.set_defaults(handler=command)
