"""The ``codedml admm`` command: coded vs uncoded stochastic incremental ADMM (survey Figs. 9-10).

Figure 9: accuracy (eq. 19) against simulated running time for sI-ADMM (uncoded ECNs) and
csI-ADMM with fractional and cyclic repetition tolerating ``S`` stragglers, when each iteration
``n_delayed`` random ECNs answer up to ``epsilon`` late, for several maximum delays
``epsilon_1 > epsilon_2 > ...`` (the survey's ``epsilon_i``, section 5.4) in one run. Exact codes
decode the same gradient, so every run of one problem shares its iterates: schemes and delays differ
in time only. The same straggler draws (seeds) serve every ``epsilon``: only the delays' scale changes.

Figure 10: accuracy against iterations for cyclic-repetition csI-ADMM with ``S = 0, 1, 2, 3`` at a
fixed per-ECN budget of ``b`` samples per iteration: the total mini-batch ``M = b K / (S + 1)``
shrinks as ``S`` grows, so convergence slows (timed under the largest ``epsilon``).

Curves are averaged over ``runs`` independent problems, graphs and straggler draws (survey: 10).
"""

from __future__ import annotations

import argparse

import numpy as np

from codedml import _validation as validation
from codedml.errors import ParameterError
from codedml.experiments.options import (
    add_quiet_option,
    check_plot_output,
    check_size,
    integer_option,
    plot_file,
    real_option,
)
from codedml.experiments.plotting import pyplot, write_figures_json
from codedml.experiments.progress import prepare_kernels, progress_bar

#: Accuracy level at which "time to accuracy" is reported.
TARGET_ACCURACY = 0.05

#: Settings the ``admm`` command does not expose: samples per agent, features, Figure 9's mini-batch ``M``,
#: Figure 10's per-ECN budget ``b`` and straggler counts ``S``.
SAMPLES_PER_AGENT = 720
N_FEATURES = 20
BATCH_SIZE = 60
PER_ECN_BATCH = 12
FIGURE10_STRAGGLERS = (0, 1, 2, 3)

#: Figure 9's maximum delays ``epsilon_1 > epsilon_2 > epsilon_3`` in seconds: above, near and below the delay at
#: which cyclic repetition's threefold computation stops paying off with the defaults.
MAX_DELAYS = (0.2, 0.05, 0.01)


def ecn_code(scheme: str, n_ecns: int, n_stragglers: int):
    """The ECN code of a scheme name: ``uncoded``, ``fractional`` or ``cyclic`` repetition."""
    from codedml.codes import CyclicRepetition, FractionalRepetition, UncodedScheme

    if scheme == "uncoded" or n_stragglers == 0:
        return UncodedScheme(n_ecns)
    if scheme == "fractional":
        return FractionalRepetition(n_ecns, n_stragglers)
    if scheme == "cyclic":
        return CyclicRepetition(n_ecns, n_stragglers, seed=0)
    raise ParameterError(f"scheme must be 'uncoded', 'fractional' or 'cyclic', got {scheme!r}")


def run(n_agents: int = 10, n_ecns: int = 12, n_stragglers: int = 2,
        samples_per_agent: int = SAMPLES_PER_AGENT, n_features: int = N_FEATURES, noise: float = 0.1,
        connectivity: float = 0.3, batch_size: int = BATCH_SIZE, per_ecn_batch: int = PER_ECN_BATCH,
        straggler_counts=FIGURE10_STRAGGLERS, iterations: int = 400, runs: int = 10, n_delayed: int = 2,
        max_delays=MAX_DELAYS, tau: float = 2.0, seed: int = 0, progress: bool = False) -> dict:
    """Figure 9's sweep over the maximum delays and Figure 10's curves, averaged over ``runs``; JSON-ready.

    Base ECN times are ``ShiftedExponential(mu=1000, alpha=0.01)`` per partition mini-batch (ECNs of equal
    computing power, 10 +- 1 ms each), plus :class:`~codedml.sim.InjectedDelays` of up to ``epsilon``
    for each ``epsilon`` of ``max_delays`` (distinct, ``>= 0``, in seconds; swept from the largest down).

    Returns
    -------
    dict
        ``{"settings", "figure9": [{"max_delay": epsilon, "schemes": {scheme: row}}, ...],
        "figure10": {S: row}}``; a row holds the mean ``time`` and ``accuracy`` per iteration, the
        mean seconds per iteration, the mean time to reach :data:`TARGET_ACCURACY` and the final
        accuracy and test MSE (Figure 10's rows also their mini-batch ``batch_size``). ``n_stragglers``
        is Figure 9's ``S``; ``progress`` shows a bar on stderr (on a terminal).
    """
    from codedml.learn.admm import incremental_admm, random_connected_graph, synthetic_least_squares
    from codedml.sim.stragglers import InjectedDelays, ShiftedExponential

    n_agents = validation.integer(n_agents, "n_agents", minimum=2)
    n_ecns = validation.integer(n_ecns, "n_ecns", minimum=1)
    n_stragglers = validation.integer(n_stragglers, "n_stragglers", minimum=0, maximum=n_ecns - 1)
    straggler_counts = [int(count) for count in validation.integer_array(straggler_counts, "straggler_counts", ndim=1,
                                                                         minimum=0, maximum=n_ecns - 1)]
    per_ecn_batch = validation.integer(per_ecn_batch, "per_ecn_batch", minimum=1)
    iterations = validation.integer(iterations, "iterations", minimum=1)
    runs = validation.integer(runs, "runs", minimum=1)
    n_delayed = validation.integer(n_delayed, "n_delayed", minimum=0, maximum=n_ecns)
    max_delays = checked_max_delays(max_delays)
    seed = validation.integer(seed, "seed", minimum=0)
    progress = validation.flag(progress, "progress")
    schemes = ["uncoded", "fractional", "cyclic"]
    skipped = {}
    if n_ecns % (n_stragglers + 1):
        schemes.remove("fractional")
        skipped["fractional"] = f"S + 1 = {n_stragglers + 1} does not divide K = {n_ecns}"
    budgets = {}
    for count in straggler_counts:
        total = per_ecn_batch * n_ecns
        if total % (count + 1) or (total // (count + 1)) % n_ecns:
            raise ParameterError(f"per-ECN batch {per_ecn_batch} with S = {count}: M = b K / (S + 1) must be a "
                                 f"multiple of K = {n_ecns}")
        budgets[count] = total // (count + 1)
    models = [InjectedDelays(ShiftedExponential(1000.0, 0.01), n_delayed, delay) for delay in max_delays]
    figure9 = [{name: [] for name in schemes} for _ in max_delays]
    figure10 = {count: [] for count in straggler_counts}
    with progress_bar(runs * (len(schemes) * len(max_delays) + len(straggler_counts)), "admm runs", progress) as bar:
        for index in range(runs):
            rng = np.random.default_rng([seed, index])
            problem = synthetic_least_squares(n_agents, samples_per_agent, n_features, noise, rng)
            graph = random_connected_graph(n_agents, connectivity, rng)
            for model, sweep in zip(models, figure9):
                for name in schemes:
                    sweep[name].append(incremental_admm(problem, graph, ecn_code(name, n_ecns, n_stragglers), model,
                                                        iterations, batch_size, tau=tau, seed=[seed, index, 1]))
                    bar.update()
            for count in straggler_counts:
                figure10[count].append(incremental_admm(problem, graph, ecn_code("cyclic", n_ecns, count), models[0],
                                                        iterations, budgets[count], tau=tau, seed=[seed, index, 2]))
                bar.update()
    settings = {"n_agents": n_agents, "n_ecns": n_ecns, "n_stragglers": n_stragglers, "samples_per_agent":
                samples_per_agent, "n_features": n_features, "noise": noise, "connectivity": connectivity,
                "batch_size": batch_size, "per_ecn_batch": per_ecn_batch, "iterations": iterations, "runs": runs,
                "n_delayed": n_delayed, "max_delays": max_delays, "tau": tau, "seed": seed,
                "target_accuracy": TARGET_ACCURACY, "skipped": skipped}
    return {"settings": settings,
            "figure9": [{"max_delay": delay, "schemes": {name: _summary(results) for name, results in sweep.items()}}
                        for delay, sweep in zip(max_delays, figure9)],
            "figure10": {str(count): dict(_summary(results), batch_size=budgets[count])
                         for count, results in figure10.items()}}


def checked_max_delays(max_delays) -> list[float]:
    """Figure 9's maximum delays ``epsilon_i`` as a list from the largest down: distinct, finite, ``>= 0``."""
    delays = validation.real_array(max_delays, "max_delays", ndim=1)
    if delays.size == 0 or np.any(delays < 0) or np.unique(delays).size != delays.size:
        raise ParameterError(f"max_delays must hold one or more distinct delays >= 0 (seconds), got "
                             f"{delays.tolist()}")
    return sorted(delays.tolist(), reverse=True)


def _summary(results) -> dict:
    time = np.mean([result.time for result in results], axis=0)
    accuracy = np.mean([result.accuracy for result in results], axis=0)
    reached = [result.time[np.argmax(result.accuracy <= TARGET_ACCURACY)] if np.any(result.accuracy <= TARGET_ACCURACY)
               else np.inf for result in results]
    return {"time": time.tolist(), "accuracy": accuracy.tolist(),
            "seconds_per_iteration": float(time[-1] / (time.size - 1)),
            "time_to_target": float(np.mean(reached)),
            "final_accuracy": float(accuracy[-1]),
            "final_test_mse": float(np.mean([result.test_mse[-1] for result in results]))}


def format_table(result: dict) -> str:
    """Figure 9's schemes at each maximum delay, then Figure 10's straggler counts, one line each."""
    settings = result["settings"]
    target = settings["target_accuracy"]
    header = (f"{'max delay [s]':>13}  {'scheme':<12}{'S':>3}{'M':>6}{'s/iter':>10}{f'time to {target:g} [s]':>20}"
              f"{'accuracy':>11}{'test MSE':>10}")
    lines = [header]

    def line(delay: float, name: str, stragglers: int, batch: int, row: dict) -> str:
        return (f"{delay:>13g}  {name:<12}{stragglers:>3}{batch:>6}{row['seconds_per_iteration']:>10.4f}"
                f"{row['time_to_target']:>20.3f}{row['final_accuracy']:>11.2e}{row['final_test_mse']:>10.4f}")

    for point in result["figure9"]:
        for name, row in point["schemes"].items():
            stragglers = 0 if name == "uncoded" else settings["n_stragglers"]
            lines.append(line(point["max_delay"], name, stragglers, settings["batch_size"], row))
    for count, row in result["figure10"].items():
        lines.append(line(settings["max_delays"][0], "cyclic", int(count), row["batch_size"], row))
    for name, reason in settings["skipped"].items():
        lines.append(f"skipped {name}: {reason}")
    return "\n".join(lines)


#: Line styles of Figure 9's maximum delays, largest first (cycled beyond four).
DELAY_STYLES = ("-", "--", ":", "-.")


def plot(result: dict, path: str) -> None:
    """Accuracy vs running time per scheme and maximum delay (left), time to the target accuracy vs the
    maximum delay (middle), accuracy vs iterations per straggler count (right)."""
    plt = pyplot()
    settings = result["settings"]
    fig, (curves, points, right) = plt.subplots(1, 3, figsize=(15, 4.8))
    colours = {name: f"C{index}" for index, name in enumerate(("uncoded", "fractional", "cyclic"))}
    for index, point in enumerate(result["figure9"]):
        for name, row in point["schemes"].items():
            curves.semilogy(row["time"], row["accuracy"], color=colours[name],
                            linestyle=DELAY_STYLES[index % len(DELAY_STYLES)],
                            label=f"{name}, \u03b5 = {point['max_delay']:g} s")
    reached = [row["time_to_target"] for point in result["figure9"] for row in point["schemes"].values()
               if np.isfinite(row["time_to_target"])]
    if reached:  # the slowest curve's tail past twice its time to the target would squeeze the others
        curves.set_xlim(0.0, min(2 * max(reached), max(row["time"][-1] for point in result["figure9"]
                                                        for row in point["schemes"].values())))
    curves.set_xlabel("simulated running time [s]")
    curves.set_ylabel("accuracy (eq. 19)")
    curves.set_title(f"Fig. 9: S = {settings['n_stragglers']}, {settings['n_delayed']} ECNs delayed "
                     f"U(0, \u03b5) per iteration", fontsize=9)
    curves.grid(True, which="both", alpha=0.3)
    curves.legend(fontsize=7)
    delays = [point["max_delay"] for point in result["figure9"]]
    for name in result["figure9"][0]["schemes"]:
        points.plot(delays, [point["schemes"][name]["time_to_target"] for point in result["figure9"]], "o-",
                    color=colours[name], label=name)
    points.set_xlabel("maximum delay \u03b5 [s]")
    points.set_ylabel(f"time to accuracy {settings['target_accuracy']:g} [s]")
    points.set_title(f"Fig. 9 sweep: mean time to accuracy {settings['target_accuracy']:g}", fontsize=9)
    points.grid(True, alpha=0.3)
    points.legend()
    for count, row in result["figure10"].items():
        right.semilogy(row["accuracy"], label=f"S = {count} (M = {row['batch_size']})")
    right.set_xlabel("iteration")
    right.set_ylabel("accuracy (eq. 19)")
    right.set_title(f"Fig. 10: cyclic csI-ADMM, {settings['per_ecn_batch']} samples per ECN", fontsize=9)
    right.grid(True, which="both", alpha=0.3)
    right.legend()
    fig.suptitle(f"coded stochastic incremental ADMM (survey Figs. 9-10): N = {settings['n_agents']} agents, "
                 f"K = {settings['n_ecns']} ECNs each, mini-batch M = {settings['batch_size']}, "
                 f"{settings['iterations']} iterations; mean of {settings['runs']} runs", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def ecn_count_fits(n_ecns: int) -> bool:
    """Whether the command's fixed settings work with ``K = n_ecns``: ``K`` divides the samples per agent
    and Figure 9's mini-batch ``M`` (each ECN gets ``M / K`` samples of its partition), Figure 10's
    mini-batches ``b K / (S + 1)`` are multiples of ``K`` dividing the same way, and ``K > max S``."""
    if n_ecns <= max(FIGURE10_STRAGGLERS) or SAMPLES_PER_AGENT % n_ecns:
        return False
    partition = SAMPLES_PER_AGENT // n_ecns
    batches = [BATCH_SIZE] + [PER_ECN_BATCH * n_ecns // (s + 1) for s in FIGURE10_STRAGGLERS
                              if PER_ECN_BATCH * n_ecns % (s + 1) == 0]
    return len(batches) == len(FIGURE10_STRAGGLERS) + 1 and all(
        batch % n_ecns == 0 and partition % (batch // n_ecns) == 0 for batch in batches)


def max_delays_option(text: str) -> list[float]:
    """An argparse ``type``: Figure 9's maximum delays, comma-separated (:func:`checked_max_delays`)."""
    delay = real_option(minimum=0.0)
    try:
        return checked_max_delays([delay(item.strip()) for item in text.split(",")])
    except ParameterError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def check_options(args: argparse.Namespace) -> None:
    """Refuse combinations of ``admm`` options before any run starts (each names the option)."""
    if not ecn_count_fits(args.ecns):
        allowed = [k for k in range(1, SAMPLES_PER_AGENT + 1) if ecn_count_fits(k)]
        raise ParameterError(f"argument --ecns: must be one of {', '.join(map(str, allowed))} (K > "
                             f"{max(FIGURE10_STRAGGLERS)} for Figure 10's S, K divides the mini-batch M = {BATCH_SIZE} "
                             f"and the {SAMPLES_PER_AGENT} samples per agent), got {args.ecns}")
    if args.stragglers >= args.ecns:
        raise ParameterError(f"argument -s/--stragglers: must be < --ecns K = {args.ecns}, got {args.stragglers}")
    if args.delayed > args.ecns:
        raise ParameterError(f"argument --delayed: at most --ecns K = {args.ecns} ECNs, got {args.delayed}")
    check_size("--agents", args.agents * SAMPLES_PER_AGENT * N_FEATURES,
               f"the samples of {args.agents} agents ({SAMPLES_PER_AGENT} x {N_FEATURES} each)")
    check_size("--iterations", args.iterations * args.ecns, f"the finish times of {args.iterations} iterations")
    if args.plot:
        check_plot_output("--plot", args.plot, figures_json=True)


def command(args: argparse.Namespace) -> int:
    """``codedml admm``: print the table; write the plot and its figures as JSON if asked."""
    check_options(args)
    prepare_kernels(args.quiet)
    result = run(n_agents=args.agents, n_ecns=args.ecns, n_stragglers=args.stragglers, iterations=args.iterations,
                 runs=args.runs, n_delayed=args.delayed, max_delays=args.max_delays, seed=args.seed,
                 progress=not args.quiet)
    print(format_table(result))
    if args.plot:
        plot(result, args.plot)
        print(f"plot written to {args.plot}, figures to {write_figures_json(args.plot, result)}")
    return 0


def add_parser(subparsers) -> None:
    """Add the ``admm`` subcommand to an argparse ``subparsers`` object."""
    admm = subparsers.add_parser(
        "admm", help="coded vs uncoded stochastic incremental ADMM (survey Figs. 9-10)",
        description="Survey section 5.4 in spirit: N agents on a random graph pass a token; each agent's gradient "
                    "comes from K edge computing nodes coded by fractional or cyclic repetition (csI-ADMM) or "
                    "uncoded (sI-ADMM), with ECN delays of up to epsilon; accuracy (eq. 19) against running time "
                    "for each epsilon of --max-delays (Fig. 9) and against iterations for S = 0..3 stragglers at a "
                    "fixed per-ECN mini-batch (Fig. 10).")
    admm.add_argument("--agents", type=integer_option(minimum=2), default=10, help="agents N >= 2 (default 10)")
    admm.add_argument("--ecns", type=integer_option(minimum=1), default=12,
                      help=f"ECNs per agent K, dividing {BATCH_SIZE} and > {max(FIGURE10_STRAGGLERS)} (default 12)")
    admm.add_argument("-s", "--stragglers", type=integer_option(minimum=0), default=2,
                      help="stragglers S < K tolerated in Fig. 9 (default 2)")
    admm.add_argument("--iterations", type=integer_option(minimum=1), default=400,
                      help="token iterations (default 400)")
    admm.add_argument("--runs", type=integer_option(minimum=1), default=10,
                      help="independent runs averaged (default 10)")
    admm.add_argument("--delayed", type=integer_option(minimum=0), default=2,
                      help="ECNs delayed per iteration, at most K (default 2)")
    admm.add_argument("--max-delays", metavar="EPS1,EPS2,...", type=max_delays_option, default=list(MAX_DELAYS),
                      help="Fig. 9's maximum injected delays epsilon in s, comma-separated, distinct, >= 0 "
                           f"(default {','.join(map(str, MAX_DELAYS))})")
    admm.add_argument("--seed", type=integer_option(minimum=0), default=0, help="random seed (default 0)")
    admm.add_argument("--plot", metavar="FILE.png", type=plot_file, help="save the three-panel plot (and FILE.json)")
    add_quiet_option(admm)
    admm.set_defaults(handler=command)
