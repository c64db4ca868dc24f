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

from codedml.codes import CyclicRepetition, FractionalRepetition, UncodedScheme
from codedml.dist.coded_descent import coded_gradient_descent, connect
from codedml.errors import ParameterError
from codedml.learn.models import SoftmaxRegression, load_digits_data, partition_data
from codedml.sim.stragglers import random_worker_subsets


def emulated_delays(iterations: int, n_workers: int, delayed: int, delay: float,
                    rng: np.random.Generator) -> np.ndarray:
    """``delay`` seconds for ``delayed`` random workers per iteration, zero for the others."""
    if delay < 0:
        raise ParameterError(f"delay must be >= 0, got {delay}")
    delays = np.zeros((iterations, n_workers))
    delays[np.arange(iterations)[:, None], random_worker_subsets(iterations, n_workers, delayed, rng)] = delay
    return delays


def distributed_comparison(client, n_workers: int = 6, stragglers: int = 2, iterations: int = 20,
                           delayed: int = 2, delay: float = 0.3, learning_rate: float = 4.0, seed: int = 0,
                           progress: bool = False) -> dict:
    """Per scheme: mean wall seconds per iteration, mean messages used, final loss (JSON-ready)."""
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


def run_distributed(args: argparse.Namespace) -> int:
    client = connect(args.scheduler, n_workers=args.workers, processes=False)
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
    command = subparsers.add_parser(
        "distributed", help="uncoded vs coded gradient descent on a Dask cluster (LocalCluster by default)",
        description="Softmax regression on the digits data with n coded workers as Dask tasks; each iteration "
                    "some workers are delayed; the master decodes from the first decodable answers.")
    command.add_argument("--scheduler", metavar="ADDRESS",
                         help="Dask scheduler address (default: start a LocalCluster, one thread per worker)")
    command.add_argument("-n", "--workers", type=int, default=6, help="coded workers n = partitions (default 6)")
    command.add_argument("-s", "--stragglers", type=int, default=2, help="stragglers tolerated s (default 2)")
    command.add_argument("--iterations", type=int, default=20, help="gradient steps (default 20)")
    command.add_argument("--delayed", type=int, default=2, help="workers delayed per iteration (default 2)")
    command.add_argument("--delay", type=float, default=0.3, help="their delay in seconds (default 0.3)")
    command.add_argument("--learning-rate", "--lr", type=float, default=4.0, help="step size (default 4)")
    command.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    command.set_defaults(run=run_distributed)
