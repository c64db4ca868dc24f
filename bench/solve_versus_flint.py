"""GF(2^31 - 1) dense solve, codedml's blocked elimination against python-flint, best of N in one process.

Run ``python -m bench.solve_versus_flint [--repeats N] [--sizes 1024 2048]``: for each size and each
BLAS thread setting (OpenBLAS's default, then one thread) both solvers run interleaved, so they
see the same machine load, and the table gives the best times, their ratio and the load average.
"""

from __future__ import annotations

import argparse
import os

import numpy as np
from threadpoolctl import threadpool_limits

from .bench_gf import PrimeFieldSolver
from .timing import best_seconds


def compare(n: int, repeats: int) -> list[tuple[str, float, float]]:
    """``(blas_threads, codedml seconds, flint seconds)`` for OpenBLAS's default threads and one thread."""
    ours, flint = PrimeFieldSolver("codedml", n), PrimeFieldSolver("flint", n)
    assert np.array_equal(ours.solution(), flint.solution())
    rows = []
    for threads in (None, 1):
        with threadpool_limits(limits=threads, user_api="blas"):
            ours_best, flint_best = np.inf, np.inf
            for _ in range(repeats):
                ours_best = min(ours_best, best_seconds(ours.solve, 1))
                flint_best = min(flint_best, best_seconds(flint.solve, 1))
        rows.append(("default" if threads is None else str(threads), ours_best, flint_best))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1024, 2048])
    args = parser.parse_args()
    print(f"{'n':>6} {'BLAS threads':>12} {'codedml s':>10} {'flint s':>9} {'flint/codedml':>14} {'load (1 min)':>13}")
    for n in args.sizes:
        for threads, ours, flint in compare(n, args.repeats):
            load = os.getloadavg()[0]
            print(f"{n:>6} {threads:>12} {ours:>10.3f} {flint:>9.3f} {flint / ours:>13.2f}x {load:>13.2f}")


if __name__ == "__main__":
    main()
