"""The ``codedml`` command."""

from __future__ import annotations

import argparse
import math
import sys
import time

import numpy as np
from tqdm import tqdm

from codedml.codes import CyclicRepetition, FractionalRepetition, GradientCode, IgnoreStragglers, UncodedScheme
from codedml.errors import CodedMLError
from codedml.sim import ShiftedExponential, StragglerModel, simulate


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


def run_compare(args: argparse.Namespace) -> int:
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
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="codedml", description="Coded computing for straggler-tolerant ML.")
    commands = parser.add_subparsers(dest="command", required=True)
    compare = commands.add_parser(
        "compare", help="compare one-message gradient codes under a straggler model",
        description="Monte Carlo completion time, messages and decoding time of the uncoded, "
                    "ignore-stragglers, fractional and cyclic repetition schemes under the shifted "
                    "exponential model (worker w finishes its r tasks at r (alpha + X_w), X_w ~ Exp(mu)).")
    compare.add_argument("-K", "--workers", type=int, default=40, help="number of workers K = n (default 40)")
    compare.add_argument("-s", "--stragglers", type=int, default=9,
                         help="stragglers tolerated s; computation load r = s + 1 (default 9)")
    compare.add_argument("--mu", type=float, default=10.0, help="straggling rate mu of Exp(mu) (default 10)")
    compare.add_argument("--alpha", type=float, default=0.01, help="shift alpha: minimum time per task (default 0.01)")
    compare.add_argument("--iterations", type=int, default=20_000, help="Monte Carlo iterations (default 20000)")
    compare.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    compare.add_argument("--dimension", type=int, default=1000,
                         help="gradient dimension d used to time decoding (default 1000)")
    compare.add_argument("--decode-samples", type=int, default=200,
                         help="iterations whose decoding is timed (default 200)")
    compare.add_argument("--plot", metavar="FILE.png", help="save a bar chart of E[T] and messages")
    compare.set_defaults(run=run_compare)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except CodedMLError as error:
        print(f"codedml: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
