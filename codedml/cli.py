"""The ``codedml`` command."""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections.abc import Callable
from typing import NoReturn

import numpy as np
from tqdm import tqdm

from codedml import _validation as validation
from codedml.codes import CyclicRepetition, FractionalRepetition, GradientCode, IgnoreStragglers, UncodedScheme
from codedml.errors import CodedMLError, ParameterError
from codedml.experiments.distributed import register_distributed_command
from codedml.experiments.admm import register_admm_command
from codedml.experiments.learning import register_commands as register_learning_commands
from codedml.experiments.plotting import figures_json_path, pyplot, write_figures_json
from codedml.experiments import presets
from codedml.sim import ShiftedExponential, StragglerModel, simulate
from codedml.experiments.complexity import run_complexity


# ---- argument checking ------------------------------------------------------------------------------
# Every command's options are checked here, at parse time: a bad value exits with status 2 and one
# line ``codedml: error: argument OPTION: ...`` before any work starts (the command modules import
# these types when they register their subcommands).
class CommandParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line ``codedml: error: MESSAGE`` on stderr, exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"codedml: error: {' '.join(message.split())}\n")


def integer_option(minimum: int | None = None, maximum: int | None = None) -> Callable[[str], int]:
    """An argparse ``type``: an integer in ``[minimum, maximum]`` (checked by :func:`_validation.integer`)."""

    def integer(text: str) -> int:
        return _checked(validation.integer, _number(text), minimum=minimum, maximum=maximum)

    return integer


def real_option(minimum: float | None = None, maximum: float | None = None, *, open_minimum: bool = False,
                open_maximum: bool = False) -> Callable[[str], float]:
    """An argparse ``type``: a finite real number in the stated interval (:func:`_validation.real`)."""

    def real(text: str) -> float:
        return _checked(validation.real, _number(text), minimum=minimum, maximum=maximum,
                        open_minimum=open_minimum, open_maximum=open_maximum)

    return real


def integer_list_option(minimum: int | None = None) -> Callable[[str], list[int]]:
    """An argparse ``type``: comma-separated distinct integers, each ``>= minimum``."""

    def integer_list(text: str) -> list[int]:
        values = [_checked(validation.integer, _number(item.strip()), minimum=minimum) for item in text.split(",")]
        if len(set(values)) != len(values):
            raise argparse.ArgumentTypeError(f"values must be distinct, got {text!r}")
        return values

    return integer_list


def output_file(text: str) -> str:
    """An argparse ``type``: a file path that can be written (its directory exists and is writable)."""
    _check_writable(text)
    return text


def plot_file(text: str) -> str:
    """An argparse ``type``: a writable figure path whose extension matplotlib can save (or none: PNG)."""
    _check_writable(text)
    extension = os.path.splitext(text)[1].lstrip(".").lower()
    if extension:
        from matplotlib.backend_bases import FigureCanvasBase

        formats = FigureCanvasBase.get_supported_filetypes()
        if extension not in formats:
            raise argparse.ArgumentTypeError(f"cannot save a figure as {extension!r} ({text!r}); "
                                             f"use one of {', '.join(sorted(formats))}")
    return text


def check_plot_output(option: str, path: str, *, figures_json: bool = False) -> None:
    """Raise :class:`ParameterError` naming ``option`` if the figure ``path`` (and, with ``figures_json``,
    the JSON file beside it) cannot be written: for default paths and for files derived from an option."""
    try:
        plot_file(path)
        if figures_json:
            output_file(figures_json_path(path))
    except argparse.ArgumentTypeError as error:
        raise ParameterError(f"argument {option}: {error}") from None


def refuse_options(args: argparse.Namespace, options: dict[str, str], reason: str) -> None:
    """Raise :class:`ParameterError` if an option of ``options`` (``dest -> flag``) was given; ``reason`` says why."""
    for dest, flag in options.items():
        if getattr(args, dest) not in (None, False):
            raise ParameterError(f"argument {flag}: not allowed {reason}")


def check_size(option: str, n_elements: int, what: str) -> None:
    """:func:`_validation.array_size` with the option that sets the size named first."""
    try:
        validation.array_size(n_elements, what)
    except ParameterError as error:
        raise type(error)(f"argument {option}: {error}") from None


def fill_defaults(args: argparse.Namespace, defaults: dict) -> None:
    """Set every option of ``defaults`` that was not given (is ``None``) to its default."""
    for dest, value in defaults.items():
        if getattr(args, dest) is None:
            setattr(args, dest, value)


def _number(text: str):
    """``text`` as an int, else a float, else unchanged (then refused by the check with its value shown)."""
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return text


def _checked(check, value, **limits):
    try:
        return check(value, "value", **limits)
    except ParameterError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _check_writable(path: str) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    if not path or os.path.isdir(path):
        raise argparse.ArgumentTypeError(f"{path!r} is not a file name")
    if not os.path.isdir(directory):
        raise argparse.ArgumentTypeError(f"directory {directory!r} of {path!r} does not exist")
    if not os.access(directory, os.W_OK | os.X_OK) or (os.path.exists(path) and not os.access(path, os.W_OK)):
        raise argparse.ArgumentTypeError(f"cannot write {path!r}: permission denied")


# ---- compare --------------------------------------------------------------------------------------


def compare_schemes(n_workers: int, n_stragglers: int, model: StragglerModel) -> dict[str, GradientCode]:
    """The one-message schemes of ``codedml compare``; fractional repetition only when ``s + 1`` divides ``n``."""
    schemes: dict[str, GradientCode] = {
        "uncoded": UncodedScheme(n_workers),
        "ignore-stragglers": IgnoreStragglers(n_workers, n_stragglers),
    }
    if n_workers % (n_stragglers + 1) == 0:
        schemes["fractional-repetition"] = FractionalRepetition(n_workers, n_stragglers)
    schemes["cyclic-repetition"] = CyclicRepetition(n_workers, n_stragglers, seed=0)
    return schemes


def decode_seconds(code: GradientCode, model: StragglerModel, dimension: int, samples: int,
                   rng: np.random.Generator) -> float:
    """Mean wall time of ``code.decode`` on the message sets of ``samples`` simulated iterations.

    Compilation is triggered once before timing; the decoding-vector cache is cleared
    before each call so that every iteration pays for its own decoding vector.
    """
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


def harmonic_number(m: int) -> float:
    """``H_m = sum_{i=1..m} 1/i``, for the order-statistic closed forms."""
    return math.fsum(1.0 / i for i in range(1, m + 1))


#: Defaults of the ``compare`` options that ``--preset`` or ``--complexity`` may refuse (``None`` means not given).
COMPARE_DEFAULTS = {"workers": 40, "stragglers": 9, "mu": 10.0, "alpha": 0.01, "dimension": 1000,
                    "decode_samples": 200}

#: The ``compare`` options a preset's fixed figure ignores.
PRESET_IGNORED = {"workers": "-K/--workers", "stragglers": "-s/--stragglers", "dimension": "--dimension",
                  "decode_samples": "--decode-samples"}

#: What each preset fixes, for the error naming an option it ignores.
PRESET_FIXES = {"cpgc": "K = M = 20, r = 3", "gc-mmc": "K = 40, r = 10"}


def check_compare_options(args: argparse.Namespace) -> None:
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


def run_compare(args: argparse.Namespace) -> int:
    check_compare_options(args)
    if args.complexity:
        run_complexity(args.plot or "complexity.png", seed=args.seed)
        return 0
    if args.preset:
        return run_preset(args)
    args.iterations = args.iterations or 20_000
    model = ShiftedExponential(args.mu, args.alpha)
    schemes = compare_schemes(args.workers, args.stragglers, model)
    simulation_seeds = np.random.SeedSequence(args.seed).spawn(len(schemes))
    timing_rng = np.random.default_rng([args.seed, 1])
    rows = []
    for (name, code), seed in tqdm(list(zip(schemes.items(), simulation_seeds)), desc="schemes",
                                   disable=not sys.stderr.isatty()):
        result = simulate(code, model, args.iterations, seed=np.random.default_rng(seed))
        seconds = decode_seconds(code, model, args.dimension, args.decode_samples, timing_rng)
        rows.append((name, code, result, seconds))
    print(f"K={args.workers} workers, s={args.stragglers} stragglers (r={args.stragglers + 1}), "
          f"shifted exponential mu={args.mu}, alpha={args.alpha}, {args.iterations} iterations, seed={args.seed}")
    header = f"{'scheme':<24}{'load r':>7}{'E[T]':>10}{'+-95% CI':>11}{'messages':>10}{'decode/iter':>13}  exact"
    print(header)
    print("-" * len(header))
    for name, code, result, seconds in rows:
        print(f"{name:<24}{code.computation_load:>7d}{result.mean_time:>10.4f}{result.ci95:>11.4f}"
              f"{result.mean_messages:>10.2f}{seconds * 1e6:>10.1f} us  {'yes' if code.exact else 'no'}")
    r = args.stragglers + 1
    print(f"closed forms: uncoded alpha + H_K/mu = {args.alpha + harmonic_number(args.workers) / args.mu:.4f}; "
          f"cyclic r (alpha + (H_K - H_s)/mu) = "
          f"{r * (args.alpha + (harmonic_number(args.workers) - harmonic_number(args.stragglers)) / args.mu):.4f}")
    if args.plot:
        save_compare_plot(args.plot, rows)
        print(f"plot written to {args.plot}")
    return 0


def save_compare_plot(path: str, rows) -> None:
    """Bar chart of ``E[T]`` (with 95% CI) and messages per iteration for each scheme."""
    plt = pyplot()

    names = [row[0] for row in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.bar(names, [row[2].mean_time for row in rows], yerr=[row[2].ci95 for row in rows], capsize=4)
    left.set_ylabel("average completion time E[T]")
    right.bar(names, [row[2].mean_messages for row in rows], color="tab:orange")
    right.set_ylabel("messages received per iteration")
    for axis in (left, right):
        axis.tick_params(axis="x", rotation=25)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def run_preset(args: argparse.Namespace) -> int:
    """``codedml compare --preset cpgc|gc-mmc``: a paper's figure as a table, a plot and a JSON file."""
    iterations = args.iterations or 10_000
    if args.preset == "cpgc":
        data = presets.cpgc_figure(iterations, args.seed, args.mu, args.alpha)
        print(f"seed cpgc Figure 1: K = M = 20, r = 3, mu={args.mu}, alpha={args.alpha}, {iterations} iterations")
        print(f"{'scheme':<8}{'tolerance':>10}{'M_prime':>8}{'E[T]':>9}{'+-CI':>8}{'load':>8}{'volume':>8}")
        for name, points in data["curves"].items():
            for p in points:
                print(f"{name:<8}{p['tolerance_ratio']:>10.2f}{p['required']:>8d}{p['mean_time']:>9.4f}"
                      f"{p['ci95']:>8.4f}{p['load']:>8.2f}{p['volume']:>8.3f}")
        plot = save_cpgc_plot
    else:
        data = presets.gc_mmc_figure(iterations, args.seed, args.mu, args.alpha, hybrid=not args.no_hybrid)
        print(f"seed gc-mmc Figure 1: K = 40, r = 10, mu={args.mu}, alpha={args.alpha}, {iterations} iterations, "
              f"hybrid rule {'off' if args.no_hybrid else 'on'}")
        print(f"{'scheme':<10}{'E[T]':>9}{'+-CI':>8}{'load':>9}")
        for name, p in data["schemes"].items():
            print(f"{name:<10}{p['mean_time']:>9.4f}{p['ci95']:>8.4f}{p['load']:>9.2f}")
        plot = save_gc_mmc_plot
    path = args.plot or f"{args.preset}.png"
    plot(path, data)
    print(f"plot written to {path}, figures to {write_figures_json(path, data)}")
    return 0


def save_cpgc_plot(path: str, data: dict) -> None:
    """Three panels against the tolerance ratio: E[T], communication load, communication volume."""
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    for name, points in data["curves"].items():
        ratios = [p["tolerance_ratio"] for p in points]
        for axis, key in zip(axes, ("mean_time", "load", "volume")):
            axis.plot(ratios, [p[key] for p in points], marker="o", label=name)
    for axis, label in zip(axes, ("average completion time E[T]", "communication load (messages)",
                                  "communication volume")):
        axis.set_xlabel("tolerance ratio (M - M')/M")
        axis.set_ylabel(label)
        axis.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def save_gc_mmc_plot(path: str, data: dict) -> None:
    """Bars of E[T] (with 95% CI) and communication load per scheme."""
    plt = pyplot()
    names = list(data["schemes"])
    values = list(data["schemes"].values())
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.bar(names, [v["mean_time"] for v in values], yerr=[v["ci95"] for v in values], capsize=4)
    left.set_ylabel("average completion time E[T]")
    right.bar(names, [v["load"] for v in values], color="tab:orange")
    right.set_ylabel("communication load (messages)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def run_tables(args: argparse.Namespace) -> int:
    """``codedml tables cpgc``: seed cpgc Tables 1 and 2, counted by the library's predicates."""
    tables = presets.cpgc_tables()
    titles = {"table1": "Table 1: score vectors allowing the full gradient (K = 4, r = 2)",
              "table2": "Table 2: score vectors allowing 3 of 4 partial gradients (K = 4, r = 2)"}
    for key, rows in tables.items():
        print(titles[key])
        print(f"{'type (N2, N1, N0)':<20}{'MCC':>6}{'UC-MMC':>8}{'CPGC':>6}")
        for row in rows:
            label = "N2={}, N1={}, N0={}".format(*row["type"])
            print(f"{label:<20}{row['MCC']:>6}{row['UC-MMC']:>8}{row['CPGC']:>6}")
        print()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = CommandParser(prog="codedml", description="Coded computing for straggler-tolerant ML.")
    commands = parser.add_subparsers(dest="command", required=True)
    compare = commands.add_parser(
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
    mode.add_argument("--preset", choices=["cpgc", "gc-mmc"],
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
    compare.set_defaults(run=run_compare)
    tables = commands.add_parser("tables", help="print a paper's tables",
                                 description="cpgc: seed cpgc Tables 1 and 2 (K = 4, r = 2), the number of "
                                             "score vectors of each cumulative type from which MCC, UC-MMC "
                                             "and CPGC recover the full gradient / 3 of 4 partial gradients.")
    tables.add_argument("paper", choices=["cpgc"], help="which paper's tables")
    tables.set_defaults(run=run_tables)
    register_learning_commands(commands)
    register_admm_command(commands)
    register_distributed_command(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``codedml`` command; return its exit status.

    A bad option exits with status 2 at parse time (``SystemExit``); a :class:`CodedMLError` raised
    later (a combination of options, a library check) returns 2. Either way stderr gets one line
    ``codedml: error: MESSAGE``.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except CodedMLError as error:
        message = " ".join(str(error).split())
        print(f"codedml: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
