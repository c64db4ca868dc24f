"""The ``codedml distributed`` command: uncoded vs coded gradient descent on a Dask cluster.

Softmax regression on scikit-learn's digits, ``n`` coded workers over ``n`` partitions; each
iteration ``delayed`` random workers wait ``delay`` seconds before answering (emulated stragglers).
The uncoded scheme waits for them; fractional and cyclic repetition tolerating ``s`` stragglers do
not (fractional only when ``s + 1`` divides ``n``). Exact codes take the same steps, so the losses
agree and the wall-clock time per iteration is the comparison.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from tqdm import tqdm

from codedml import _validation as validation
from codedml.codes import CyclicRepetition, FractionalRepetition, UncodedScheme
from codedml.cluster.coded_descent import DEFAULT_CONNECT_TIMEOUT, coded_gradient_descent, connect, scheduler_address_text
from codedml.errors import ClusterError, ParameterError
from codedml.learn.models import SoftmaxRegression, load_digits_data, partition_data
from codedml.sim.stragglers import random_worker_subsets


def emulated_delays(iterations: int, n_workers: int, delayed: int, delay: float,
                    rng: np.random.Generator) -> np.ndarray:
    """``delay`` seconds for ``delayed`` random workers per iteration, zero for the others."""
    iterations = validation.integer(iterations, "iterations", minimum=1)
    n_workers = validation.integer(n_workers, "n_workers", minimum=1)
    delayed = validation.integer(delayed, "delayed", minimum=0, maximum=n_workers)
    delay = validation.real(delay, "delay", minimum=0.0)
    rng = validation.rng(rng, "rng")
    validation.array_size(iterations * n_workers, f"the iterations x n_workers delays (iterations={iterations})")
    delays = np.zeros((iterations, n_workers))
    delays[np.arange(iterations)[:, None], random_worker_subsets(iterations, n_workers, delayed, rng)] = delay
    return delays


def distributed_comparison(client, n_workers: int = 6, stragglers: int = 2, iterations: int = 20,
                           delayed: int = 2, delay: float = 0.3, learning_rate: float = 4.0, seed: int = 0,
                           progress: bool = False) -> dict:
    """Per scheme: mean wall seconds per iteration, mean messages used, final loss (JSON-ready)."""
    n_workers = validation.integer(n_workers, "n_workers", minimum=1)
    stragglers = validation.integer(stragglers, "stragglers", minimum=0, maximum=n_workers - 1)
    seed = validation.integer(seed, "seed", minimum=0)
    rng = np.random.default_rng(seed)
    features, labels = load_digits_data()
    data = partition_data(features, labels, n_workers, rng)
    model = SoftmaxRegression(data.n_features, data.n_classes)
    delays = emulated_delays(iterations, n_workers, delayed, delay, rng)
    codes = {"uncoded": UncodedScheme(n_workers), "cyclic": CyclicRepetition(n_workers, stragglers, seed=seed)}
    if n_workers % (stragglers + 1) == 0:
        codes["fractional"] = FractionalRepetition(n_workers, stragglers)
    rows = {}
    for name, code in tqdm(codes.items(), desc="schemes", disable=not progress):
        run = coded_gradient_descent(client, code, model, data, iterations, learning_rate, delays=delays,
                                     seed=seed)
        rows[name] = {"stragglers": 0 if name == "uncoded" else stragglers,
                      "seconds_per_iteration": float(run.wall_seconds.mean()),
                      "messages_per_iteration": float(run.messages_used.mean()),
                      "final_loss": float(run.loss[-1])}
    return rows


def check_distributed_options(args: argparse.Namespace) -> None:
    """Refuse combinations of ``distributed`` options before connecting (each names the option)."""
    from codedml.cli import check_size, fill_defaults, refuse_options

    if args.scheduler is None:
        refuse_options(args, {"timeout": "--timeout"}, "without --scheduler (a LocalCluster starts in this process)")
    fill_defaults(args, {"timeout": DEFAULT_CONNECT_TIMEOUT})
    if args.stragglers >= args.workers:
        raise ParameterError(f"argument -s/--stragglers: must be < -n/--workers = {args.workers}, got {args.stragglers}")
    if args.delayed > args.workers:
        raise ParameterError(f"argument --delayed: at most -n/--workers = {args.workers}, got {args.delayed}")
    check_size("--iterations", args.iterations * args.workers, f"the delays of {args.iterations} iterations")


def scheduler_option(text: str) -> str:
    """An argparse ``type``: a Dask scheduler address (:func:`~codedml.cluster.coded_descent.scheduler_address_text`)."""
    try:
        return scheduler_address_text(text)
    except ParameterError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def run_distributed(args: argparse.Namespace) -> int:
    check_distributed_options(args)
    try:
        client = connect(args.scheduler, n_workers=args.workers, processes=False, timeout=args.timeout)
    except ClusterError as error:
        raise ClusterError(f"argument --scheduler: {error}") from None
    try:
        rows = distributed_comparison(client, args.workers, args.stragglers, args.iterations, args.delayed,
                                      args.delay, args.learning_rate, args.seed, progress=sys.stderr.isatty())
    finally:
        client.close()
        if args.scheduler is None:
            client.cluster.close()
    where = args.scheduler or f"a LocalCluster of {args.workers} threads"
    print(f"coded gradient descent on {where}: n = {args.workers}, {args.delayed} workers delayed "
          f"{args.delay:g} s per iteration, {args.iterations} iterations")
    print(f"{'scheme':<12}{'S':>3}{'messages':>10}{'s/iter':>10}{'final loss':>12}")
    for name, row in rows.items():
        print(f"{name:<12}{row['stragglers']:>3}{row['messages_per_iteration']:>10.2f}"
              f"{row['seconds_per_iteration']:>10.3f}{row['final_loss']:>12.6f}")
    return 0


def register_distributed_command(subparsers) -> None:
    """Add the ``distributed`` subcommand to an argparse ``subparsers`` object."""
    from codedml.cli import integer_option, real_option

    command = subparsers.add_parser(
        "distributed", help="uncoded vs coded gradient descent on a Dask cluster (LocalCluster by default)",
        description="Softmax regression on the digits data with n coded workers as Dask tasks; each iteration "
                    "some workers are delayed; the master decodes from the first decodable answers.")
    command.add_argument("--scheduler", metavar="ADDRESS", type=scheduler_option,
                         help="Dask scheduler address [scheme://]host:port (default: start a LocalCluster, one "
                              "thread per worker)")
    command.add_argument("--timeout", type=real_option(minimum=0.0, open_minimum=True),
                         help=f"seconds to wait for the scheduler at --scheduler (default {DEFAULT_CONNECT_TIMEOUT:g})")
    command.add_argument("-n", "--workers", type=integer_option(minimum=1), default=6,
                         help="coded workers n = partitions (default 6)")
    command.add_argument("-s", "--stragglers", type=integer_option(minimum=0), default=2,
                         help="stragglers tolerated s < n (default 2)")
    command.add_argument("--iterations", type=integer_option(minimum=1), default=20, help="gradient steps (default 20)")
    command.add_argument("--delayed", type=integer_option(minimum=0), default=2,
                         help="workers delayed per iteration, at most n (default 2)")
    command.add_argument("--delay", type=real_option(minimum=0.0), default=0.3,
                         help="their delay in seconds (default 0.3)")
    command.add_argument("--learning-rate", "--lr", type=real_option(minimum=0.0, open_minimum=True), default=4.0,
                         help="step size (default 4)")
    command.add_argument("--seed", type=integer_option(minimum=0), default=0, help="random seed (default 0)")
    command.set_defaults(run=run_distributed)
