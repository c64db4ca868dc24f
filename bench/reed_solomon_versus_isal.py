"""RS(14, 10) over GF(2^8), 1 MiB shards: codedml against pyeclib (ISA-L) and zfec, best of N in one process.

Run ``python -m bench.reed_solomon_versus_isal [--repeats N]``: the libraries run interleaved on the
same data (so they see the same machine load); the table gives each one's best encode and decode
throughput (data bytes per second, 4 data shards lost for decode), codedml's ratio to ISA-L and the
load average.
"""

from __future__ import annotations

import argparse
import os

import numpy as np

from .bench_gf import ReedSolomonCodec, make_data
from .timing import best_seconds

LIBRARIES = ("codedml", "pyeclib_isa_l", "zfec")


def compare(repeats: int) -> dict[str, dict[str, float]]:
    """``{library: {operation: MB/s}}``, best of ``repeats`` interleaved rounds."""
    data = make_data()
    codecs = {library: ReedSolomonCodec(library, data) for library in LIBRARIES}
    best = {library: {"encode": np.inf, "decode": np.inf} for library in LIBRARIES}
    for _ in range(repeats):
        for library, codec in codecs.items():
            for operation in ("encode", "decode"):
                seconds = best_seconds(getattr(codec, operation), 1)
                best[library][operation] = min(best[library][operation], seconds)
    return {library: {operation: data.nbytes / seconds / 1e6 for operation, seconds in times.items()}
            for library, times in best.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    throughput = compare(args.repeats)
    print(f"RS(14, 10) GF(2^8), 1 MiB shards, best of {args.repeats}; load average {os.getloadavg()[0]:.2f}")
    print(f"{'library':>15} {'encode MB/s':>12} {'decode MB/s':>12}")
    for library, figures in throughput.items():
        print(f"{library:>15} {figures['encode']:12.0f} {figures['decode']:12.0f}")
    isal = throughput["pyeclib_isa_l"]
    ours = throughput["codedml"]
    print(f"{'codedml / ISA-L':>15} {ours['encode'] / isal['encode']:11.2f}x {ours['decode'] / isal['decode']:11.2f}x")


if __name__ == "__main__":
    main()
