"""The ``codedml allocate`` command: the bit allocation objective against the budget (seed Fig. 1).

The objective ``U(b) = sum_i (1 - p_i) / (p_i + omega(b_i))``, ``omega(b) = s / (2^(b-1) - 1)^2``,
reached by dynamic programming (optimal), the low-complexity algorithm (Algorithm 1), greedy and the
rounded continuous relaxation, on the same instance and the same budgets ``B`` from ``2n`` to
``max_factor * n`` bits per coordinate. Every method solves the same problem: the seed's (every
``b_i >= 2``) by default, or with ``allow_idle`` the variant where a worker may get ``b_i = 0``
(:func:`codedml.learn.bit_allocation.allocate_bits`). Straggler probabilities follow the seed's delay
model ``p_i = exp(-mu_i (tau - 1))``, ``mu_i ~ U(mu_low, mu_high)`` (:func:`draw_straggler_probabilities`,
shared with ``train``).

Examples
--------
>>> from codedml.experiments import allocate
>>> results = allocate.run(n_workers=[4], max_factor=3.0, factor_step=1.0)
>>> results["curves"][4]["budgets"]
[8, 12]
>>> results["curves"][4]["objective"]["dp"] == results["curves"][4]["objective"]["low-complexity"]
True
"""

from __future__ import annotations

import argparse

from codedml import _validation as validation
from codedml.errors import ParameterError
from codedml.experiments.options import (
    add_quiet_option,
    check_size,
    integer_list_option,
    integer_option,
    plot_file,
    real_option,
)
from codedml.experiments.plotting import pyplot
from codedml.experiments.progress import prepare_kernels, progress_bar

#: Largest bits per coordinate a worker sends (:data:`codedml.learn.quantize.MAX_BITS`; not imported, so the
#: parser is built without loading the compiled kernels; a test checks they agree).
MAX_BITS = 32

#: Plot marker of each allocation method.
MARKERS = {"dp": "o", "low-complexity": "x", "greedy": "s", "relaxation": "^"}


def draw_straggler_probabilities(n_workers: int, deadline: float, rate_range: tuple[float, float], rng):
    """``p_i = exp(-mu_i (tau - 1))`` with ``mu_i ~ U(rate_range)`` (the seed's delay model)."""
    from codedml.sim.probabilities import exponential_straggler_probabilities

    low, high = rate_range
    if not 0 < low <= high:
        raise ParameterError(f"the rate range must satisfy 0 < mu_low <= mu_high, got ({low}, {high})")
    return exponential_straggler_probabilities(rng.uniform(low, high, int(n_workers)), deadline)


def run(n_workers=(10, 50), max_factor: float = 8.0, factor_step: float = 0.5, omega_scale: float = 50.0,
        deadline: float = 1.5, rate_range: tuple[float, float] = (0.1, 2.0), seed: int = 0,
        allow_idle: bool = False, progress: bool = False) -> dict:
    """``U(b)`` of every allocation method at each budget, for one draw of ``p`` per worker count.

    Parameters
    ----------
    n_workers : sequence of int
        Worker counts ``n``, one curve set each.
    max_factor, factor_step : float
        Budgets ``B = round(f n)`` for ``f`` from 2 to ``max_factor`` (at most :data:`MAX_BITS`) in steps
        of ``factor_step``.
    omega_scale : float
        ``s > 0`` of ``omega(b)``.
    deadline : float
        ``tau > 1`` of the delay model.
    rate_range : (float, float)
        ``(mu_low, mu_high)``, ``0 < mu_low <= mu_high``.
    seed : int
        Seeds the draw of ``mu`` (the same seed for every ``n``).
    allow_idle : bool
        ``False``: the seed's problem (every ``b_i >= 2``); ``True``: workers may get 0 bits.
    progress : bool
        Show a progress bar on stderr (on a terminal).

    Returns
    -------
    dict
        ``{"settings", "curves": {n: {"budgets": [B, ...], "objective": {method: [U, ...]},
        "idle": {method: [workers with b_i = 0, ...]}}}}``.
    """
    import numpy as np

    from codedml.learn.bit_allocation import ALLOCATION_METHODS, allocate_bits, allocation_objective

    counts = [int(n) for n in validation.integer_array(n_workers, "n_workers", ndim=1, minimum=1)]
    if not counts:
        raise ParameterError("n_workers must name at least one worker count")
    max_factor = validation.real(max_factor, "max_factor", minimum=2.0, maximum=MAX_BITS)
    factor_step = validation.real(factor_step, "factor_step", minimum=0.0, open_minimum=True)
    omega_scale = validation.real(omega_scale, "omega_scale", minimum=0.0, open_minimum=True)
    deadline = validation.real(deadline, "deadline", minimum=1.0, open_minimum=True)
    seed = validation.integer(seed, "seed", minimum=0)
    allow_idle = validation.flag(allow_idle, "allow_idle")
    progress = validation.flag(progress, "progress")
    validation.array_size(int((max_factor - 2.0) / factor_step) + 1,
                          f"the budget grid from 2 to {max_factor:g} in steps of {factor_step:g}")
    factors = np.arange(2.0, max_factor + 1e-9, factor_step)
    curves = {}
    with progress_bar(len(counts) * len(ALLOCATION_METHODS), "allocations", progress) as bar:
        for n in counts:
            budgets = np.unique(np.round(factors * n).astype(np.int64))
            probabilities = draw_straggler_probabilities(n, deadline, rate_range, np.random.default_rng(seed))
            objective, idle = {}, {}
            for method in ALLOCATION_METHODS:
                allocations = [allocate_bits(probabilities, int(budget), omega_scale, method, allow_idle)
                               for budget in budgets]
                objective[method] = [allocation_objective(probabilities, bits, omega_scale) for bits in allocations]
                idle[method] = [int(np.count_nonzero(bits == 0)) for bits in allocations]
                bar.update()
            curves[n] = {"budgets": budgets.tolist(), "objective": objective, "idle": idle}
    settings = {"n_workers": counts, "max_factor": max_factor, "factor_step": factor_step,
                "omega_scale": omega_scale, "deadline": deadline, "rate_range": list(rate_range), "seed": seed,
                "allow_idle": allow_idle}
    return {"settings": settings, "curves": curves}


def problem_text(allow_idle: bool) -> str:
    """The feasible set in words, for the table and the plot."""
    return "b_i in {0, 2, ..., 32} (idle workers allowed)" if allow_idle else "every b_i in [2, 32] (seed's problem)"


def format_table(results: dict) -> str:
    """The problem's settings line, then per ``n`` one row per budget: every method's ``U``, each one's ratio
    to DP, and (idle workers allowed) how many workers DP leaves idle."""
    settings = results["settings"]
    low, high = settings["rate_range"]
    allow_idle = settings["allow_idle"]
    lines = [f"maximise U(b) = sum_i (1 - p_i) / (p_i + s / (2^(b_i - 1) - 1)^2) s.t. sum_i b_i = B, "
             f"{problem_text(allow_idle)}",
             f"s = {settings['omega_scale']}, tau = {settings['deadline']}, mu ~ U({low}, {high}), "
             f"seed = {settings['seed']}"]
    short = {"low-complexity": "low-cx", "relaxation": "relax"}
    for n, curve in results["curves"].items():
        methods = list(curve["objective"])
        others = [m for m in methods if m != "dp"]
        header = (f"{'n':>4}{'B':>6}{'B/n':>6}" + "".join(f"{m:>16}" for m in methods)
                  + "".join(f"{short.get(m, m) + '/DP':>11}" for m in others) + (f"{'idle(DP)':>10}" if allow_idle
                                                                                   else ""))
        lines += [header, "-" * len(header)]
        for index, budget in enumerate(curve["budgets"]):
            optimum = curve["objective"]["dp"][index]
            lines.append(f"{n:>4}{budget:>6}{budget / n:>6.1f}"
                         + "".join(f"{curve['objective'][m][index]:>16.5f}" for m in methods)
                         + "".join(f"{curve['objective'][m][index] / optimum:>11.5f}" for m in others)
                         + (f"{curve['idle']['dp'][index]:>10}" if allow_idle else ""))
    return "\n".join(lines)


def plot(results: dict, path: str) -> None:
    """One column per ``n``: the objective against ``B / n`` for every method (top), its ratio to DP (bottom)."""
    plt = pyplot()
    settings = results["settings"]
    curves = results["curves"]
    fig, axes = plt.subplots(2, len(curves), figsize=(5.5 * len(curves), 7.6), squeeze=False, sharex="col",
                             gridspec_kw={"height_ratios": [3, 2]})
    for column, (n, curve) in enumerate(curves.items()):
        ratios = [budget / n for budget in curve["budgets"]]
        top, bottom = axes[0][column], axes[1][column]
        for method, values in curve["objective"].items():
            style = {"marker": MARKERS.get(method, "."), "fillstyle": "none", "label": method}
            top.plot(ratios, values, **style)
            bottom.plot(ratios, [v / o for v, o in zip(values, curve["objective"]["dp"])], **style)
        top.set_ylabel("objective U(b) [dimensionless]")
        top.set_title(f"n = {n}")
        top.legend(fontsize=8)
        bottom.set_xlabel("bit budget B / n [bits per coordinate per worker]")
        bottom.set_ylabel("U(b) / U(DP)")
    low, high = settings["rate_range"]
    fig.suptitle(f"bit allocation (seed Fig. 1), {problem_text(settings['allow_idle'])}\n"
                 f"s = {settings['omega_scale']:g}, tau = {settings['deadline']:g}, mu ~ U({low:g}, {high:g}), "
                 f"seed {settings['seed']}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def check_options(args: argparse.Namespace) -> None:
    """Refuse option combinations that no single option type can see (before any work)."""
    if args.mu_low > args.mu_high:
        raise ParameterError(f"argument --mu-low: must be <= --mu-high = {args.mu_high:g}, got {args.mu_low:g}")
    check_size("--factor-step", int((args.max_factor - 2.0) / args.factor_step) + 1,
               f"the budget grid from 2 to {args.max_factor:g} in steps of {args.factor_step:g}")


def command(args: argparse.Namespace) -> int:
    """``codedml allocate``: print the table, write the plot if asked."""
    check_options(args)
    prepare_kernels(args.quiet)
    results = run(args.workers, args.max_factor, args.factor_step, args.omega_scale, args.tau,
                  (args.mu_low, args.mu_high), args.seed, allow_idle=args.allow_idle, progress=not args.quiet)
    print(format_table(results))
    if args.plot:
        plot(results, args.plot)
        print(f"plot written to {args.plot}")
    return 0


def add_parser(subparsers) -> None:
    """Add the ``allocate`` subcommand to an argparse ``subparsers`` object."""
    positive = real_option(minimum=0.0, open_minimum=True)
    allocate = subparsers.add_parser(
        "allocate", help="bit allocation objective vs budget: DP, low-complexity, greedy, relaxation",
        description="Seed Fig. 1: the objective U(b) = sum_i (1 - p_i) / (p_i + omega(b_i)) reached by dynamic "
                    "programming (optimal), the low-complexity algorithm, greedy and the rounded continuous "
                    "relaxation on the same instance, for budgets B from 2n to max-factor * n; "
                    "p_i = exp(-mu_i (tau - 1)). Every worker gets at least 2 bits (the seed's problem) unless "
                    "--allow-idle.")
    allocate.add_argument("-n", "--workers", type=integer_list_option(minimum=1), default=[10, 50],
                          help="comma-separated worker counts (default 10,50)")
    allocate.add_argument("--max-factor", type=real_option(minimum=2.0, maximum=MAX_BITS), default=8.0,
                          help=f"largest budget B / n, in [2, {MAX_BITS}] (default 8)")
    allocate.add_argument("--factor-step", type=positive, default=0.5, help="step of B / n (default 0.5)")
    allocate.add_argument("--omega-scale", type=positive, default=50.0,
                          help="s in omega(b) = s / (2^(b-1) - 1)^2 (default 50)")
    allocate.add_argument("--tau", type=real_option(minimum=1.0, open_minimum=True), default=1.5,
                          help="deadline tau > 1 (default 1.5)")
    allocate.add_argument("--mu-low", type=positive, default=0.1, help="mu_i ~ U(mu-low, mu-high) (default 0.1)")
    allocate.add_argument("--mu-high", type=positive, default=2.0, help="(default 2)")
    allocate.add_argument("--seed", type=integer_option(minimum=0), default=0, help="seed of the mu draw (default 0)")
    allocate.add_argument("--allow-idle", action="store_true",
                          help="solve the variant where a worker may get 0 bits and sit idle (default: every "
                               "worker gets at least 2 bits, the seed's problem)")
    allocate.add_argument("--plot", metavar="FILE.png", type=plot_file, help="save the objective-vs-budget plot")
    add_quiet_option(allocate)
    allocate.set_defaults(handler=command)
