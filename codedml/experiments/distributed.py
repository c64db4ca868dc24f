"""The ``codedml distributed`` command: uncoded vs coded gradient descent on a Dask cluster.

Softmax regression on scikit-learn's digits, ``n`` coded workers over ``n`` partitions; each
iteration ``delayed`` random workers wait ``delay`` seconds before answering (emulated stragglers).
The uncoded scheme waits for them; fractional and cyclic repetition tolerating ``s`` stragglers do
not (fractional only when ``s + 1`` divides ``n``). Exact codes take the same steps, so the losses
agree and the wall-clock time per iteration is the comparison.
"""

from __future__ import annotations

import argparse

import numpy as np

from codedml import _validation as validation
from codedml.errors import ClusterError, ParameterError
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
from codedml.experiments.plotting import pyplot, write_figures_json
from codedml.experiments.progress import prepare_kernels, progress_bar

#: Seconds to wait for a scheduler (:data:`codedml.cluster.coded_descent.DEFAULT_CONNECT_TIMEOUT`; not imported,
#: so the parser is built without loading Dask; a test checks they agree).
DEFAULT_CONNECT_TIMEOUT = 5.0


def emulated_delays(iterations: int, n_workers: int, delayed: int, delay: float,
                    rng: np.random.Generator) -> np.ndarray:
    """``delay`` seconds for ``delayed`` random workers per iteration, zero for the others."""
    from codedml.sim.stragglers import random_worker_subsets

    iterations = validation.integer(iterations, "iterations", minimum=1)
    n_workers = validation.integer(n_workers, "n_workers", minimum=1)
    delayed = validation.integer(delayed, "delayed", minimum=0, maximum=n_workers)
    delay = validation.real(delay, "delay", minimum=0.0)
    rng = validation.rng(rng, "rng")
    validation.array_size(iterations * n_workers, f"the iterations x n_workers delays (iterations={iterations})")
    delays = np.zeros((iterations, n_workers))
    delays[np.arange(iterations)[:, None], random_worker_subsets(iterations, n_workers, delayed, rng)] = delay
    return delays


def run(client, n_workers: int = 6, n_stragglers: int = 2, iterations: int = 20, delayed: int = 2,
        delay: float = 0.3, learning_rate: float = 4.0, seed: int = 0, progress: bool = False) -> dict:
    """Run every scheme on ``client``'s cluster with the same emulated delays.

    Parameters
    ----------
    client : distributed.Client
        The cluster (:func:`codedml.cluster.connect`).
    n_workers, n_stragglers : int
        Coded workers ``n`` (= partitions) and stragglers tolerated ``s < n``.
    iterations : int
        Gradient steps.
    delayed : int
        Workers delayed per iteration, at most ``n``.
    delay : float
        Their delay in seconds.
    learning_rate : float
        Step size.
    seed : int
        Seeds the data partition, the delays and the codes.
    progress : bool
        Show a progress bar on stderr (on a terminal).

    Returns
    -------
    dict
        ``{"settings", "schemes": {name: {"stragglers", "seconds_per_iteration", "messages_per_iteration",
        "final_loss"}}}``.
    """
    from codedml.cluster.coded_descent import coded_gradient_descent
    from codedml.codes import CyclicRepetition, FractionalRepetition, UncodedScheme
    from codedml.learn.models import SoftmaxRegression, load_digits_data, partition_data

    n_workers = validation.integer(n_workers, "n_workers", minimum=1)
    n_stragglers = validation.integer(n_stragglers, "n_stragglers", minimum=0, maximum=n_workers - 1)
    seed = validation.integer(seed, "seed", minimum=0)
    progress = validation.flag(progress, "progress")
    rng = np.random.default_rng(seed)
    features, labels = load_digits_data()
    data = partition_data(features, labels, n_workers, rng)
    model = SoftmaxRegression(data.n_features, data.n_classes)
    delays = emulated_delays(iterations, n_workers, delayed, delay, rng)
    codes = {"uncoded": UncodedScheme(n_workers), "cyclic": CyclicRepetition(n_workers, n_stragglers, seed=seed)}
    if n_workers % (n_stragglers + 1) == 0:
        codes["fractional"] = FractionalRepetition(n_workers, n_stragglers)
    rows = {}
    with progress_bar(len(codes), "schemes", progress) as bar:
        for name, code in codes.items():
            outcome = coded_gradient_descent(client, code, model, data, iterations, learning_rate, delays=delays,
                                             seed=seed)
            rows[name] = {"stragglers": 0 if name == "uncoded" else n_stragglers,
                          "seconds_per_iteration": float(outcome.wall_seconds.mean()),
                          "messages_per_iteration": float(outcome.messages_used.mean()),
                          "final_loss": float(outcome.loss[-1])}
            bar.update()
    settings = {"n_workers": n_workers, "n_stragglers": n_stragglers, "iterations": iterations, "delayed": delayed,
                "delay": delay, "learning_rate": learning_rate, "seed": seed}
    return {"settings": settings, "schemes": rows}


def format_table(results: dict) -> str:
    """One row per scheme: stragglers tolerated, messages and wall seconds per iteration, final loss."""
    lines = [f"{'scheme':<12}{'S':>3}{'messages':>10}{'s/iter':>10}{'final loss':>12}"]
    lines += [f"{name:<12}{row['stragglers']:>3}{row['messages_per_iteration']:>10.2f}"
              f"{row['seconds_per_iteration']:>10.3f}{row['final_loss']:>12.6f}"
              for name, row in results["schemes"].items()]
    return "\n".join(lines)


def plot(results: dict, path: str) -> None:
    """Bars of wall seconds and messages per iteration, one bar per scheme."""
    plt = pyplot()
    settings = results["settings"]
    names = list(results["schemes"])
    rows = list(results["schemes"].values())
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.4))
    left.bar(names, [row["seconds_per_iteration"] for row in rows])
    left.set_ylabel("wall time per iteration [s]")
    right.bar(names, [row["messages_per_iteration"] for row in rows], color="tab:orange")
    right.set_ylabel("messages used per iteration")
    fig.suptitle(f"coded gradient descent on Dask: n = {settings['n_workers']} workers, s = "
                 f"{settings['n_stragglers']} stragglers tolerated, {settings['delayed']} workers delayed "
                 f"{settings['delay']:g} s per iteration, {settings['iterations']} iterations", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def check_options(args: argparse.Namespace) -> None:
    """Refuse combinations of ``distributed`` options before connecting (each names the option)."""
    if args.scheduler is None:
        refuse_options(args, {"timeout": "--timeout"}, "without --scheduler (a LocalCluster starts in this process)")
    fill_defaults(args, {"timeout": DEFAULT_CONNECT_TIMEOUT})
    if args.stragglers >= args.workers:
        raise ParameterError(f"argument -s/--stragglers: must be < -n/--workers = {args.workers}, "
                             f"got {args.stragglers}")
    if args.delayed > args.workers:
        raise ParameterError(f"argument --delayed: at most -n/--workers = {args.workers}, got {args.delayed}")
    check_size("--iterations", args.iterations * args.workers, f"the delays of {args.iterations} iterations")
    if args.plot:
        check_plot_output("--plot", args.plot, figures_json=True)


def scheduler_option(text: str) -> str:
    """An argparse ``type``: a Dask scheduler address
    (:func:`~codedml.cluster.coded_descent.scheduler_address_text`)."""
    from codedml.cluster.coded_descent import scheduler_address_text

    try:
        return scheduler_address_text(text)
    except ParameterError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def command(args: argparse.Namespace) -> int:
    """``codedml distributed``: connect (or start a LocalCluster), run, print the table, plot if asked."""
    from codedml.cluster.coded_descent import connect

    check_options(args)
    try:
        client = connect(args.scheduler, n_workers=args.workers, processes=False, timeout=args.timeout)
    except ClusterError as error:
        raise ClusterError(f"argument --scheduler: {error}") from None
    try:
        prepare_kernels(args.quiet)
        results = run(client, args.workers, args.stragglers, args.iterations, args.delayed, args.delay,
                      args.learning_rate, args.seed, progress=not args.quiet)
    finally:
        client.close()
        if args.scheduler is None:
            client.cluster.close()
    where = args.scheduler or f"a LocalCluster of {args.workers} threads"
    print(f"coded gradient descent on {where}: n = {args.workers}, {args.delayed} workers delayed "
          f"{args.delay:g} s per iteration, {args.iterations} iterations")
    print(format_table(results))
    if args.plot:
        plot(results, args.plot)
        print(f"plot written to {args.plot}, figures to {write_figures_json(args.plot, results)}")
    return 0


def add_parser(subparsers) -> None:
    """Add the ``distributed`` subcommand to an argparse ``subparsers`` object."""
    command_parser = subparsers.add_parser(
        "distributed", help="uncoded vs coded gradient descent on a Dask cluster (LocalCluster by default)",
        description="Softmax regression on the digits data with n coded workers as Dask tasks; each iteration "
                    "some workers are delayed; the master decodes from the first decodable answers.")
    command_parser.add_argument("--scheduler", metavar="ADDRESS", type=scheduler_option,
                                help="Dask scheduler address [scheme://]host:port (default: start a LocalCluster, "
                                     "one thread per worker)")
    command_parser.add_argument("--timeout", type=real_option(minimum=0.0, open_minimum=True),
                                help=f"seconds to wait for the scheduler at --scheduler "
                                     f"(default {DEFAULT_CONNECT_TIMEOUT:g})")
    command_parser.add_argument("-n", "--workers", type=integer_option(minimum=1), default=6,
                                help="coded workers n = partitions (default 6)")
    command_parser.add_argument("-s", "--stragglers", type=integer_option(minimum=0), default=2,
                                help="stragglers tolerated s < n (default 2)")
    command_parser.add_argument("--iterations", type=integer_option(minimum=1), default=20,
                                help="gradient steps (default 20)")
    command_parser.add_argument("--delayed", type=integer_option(minimum=0), default=2,
                                help="workers delayed per iteration, at most n (default 2)")
    command_parser.add_argument("--delay", type=real_option(minimum=0.0), default=0.3,
                                help="their delay in seconds (default 0.3)")
    command_parser.add_argument("--learning-rate", "--lr", type=real_option(minimum=0.0, open_minimum=True),
                                default=4.0, help="step size (default 4)")
    command_parser.add_argument("--seed", type=integer_option(minimum=0), default=0, help="random seed (default 0)")
    command_parser.add_argument("--plot", metavar="FILE.png", type=plot_file,
                                help="save bars of seconds and messages per iteration (and FILE.json)")
    add_quiet_option(command_parser)
    command_parser.set_defaults(handler=command)
