"""``codedml compare --preset cpgc|gc-mmc``: the papers' multi-message figures, as data, a table and a plot.

- :func:`cpgc_figure`: seed cpgc Figure 1 (``K = M = 20``, ``r = 3``): completion time,
  communication load and volume against the tolerance ratio for UC-MMC, CPGC and MCC.
- :func:`gc_mmc_figure`: seed gc-mmc Figure 1 (``K = 40``, ``r = 10``): GC, LCC, UC-MMC,
  GC-MMC-1 and GC-MMC-2.

Times are in the shifted exponential model's time unit (``alpha`` is the minimum time of one
computation); the load counts messages per iteration and the volume their size in gradients.
"""

from __future__ import annotations

import argparse

from codedml import _validation as validation
from codedml.errors import ParameterError
from codedml.experiments.plotting import pyplot, write_figures_json
from codedml.experiments.progress import progress_bar

#: The figures ``run`` reproduces.
PRESETS = ("cpgc", "gc-mmc")


def cpgc_figure(n_iterations: int = 10_000, seed: int = 0, mu: float = 10.0, alpha: float = 0.01,
                tolerance_ratios=(0.0, 0.05, 0.1, 0.15, 0.2), progress: bool = False) -> dict:
    """Seed cpgc Figure 1: ``E[T]``, load and volume against the tolerance ratio ``(M - M')/M``.

    ``tolerance_ratios`` lie in ``[0, 1)`` and leave at least one partition required; ``progress``
    shows a bar on stderr (on a terminal).
    """
    import numpy as np

    from codedml.codes.multimessage.cpgc import CPGC
    from codedml.codes.multimessage.mds import MDSCodedComputationMMC
    from codedml.codes.multimessage.uncoded import UncodedMMC
    from codedml.sim.montecarlo import simulate
    from codedml.sim.stragglers import ShiftedExponential

    n_workers = n_partitions = 20  # the paper's K = M
    n_iterations = validation.integer(n_iterations, "n_iterations", minimum=1)
    seed = validation.seed_integer(seed)
    progress = validation.flag(progress, "progress")
    ratios = validation.real_array(tolerance_ratios, "tolerance_ratios", ndim=1)
    if ratios.size == 0 or np.any(ratios < 0) or np.any(n_partitions - np.round(ratios * n_partitions) < 1):
        raise ParameterError(f"tolerance_ratios must be a non-empty list of ratios in [0, 1) leaving at least one "
                             f"of the M = {n_partitions} partitions required, got {list(tolerance_ratios)}")
    schemes = {"UC-MMC": UncodedMMC(n_workers, 3), "CPGC": CPGC(n_workers, 3, seed=0),
               "MCC": MDSCodedComputationMMC(n_workers, n_partitions, 3)}
    model = ShiftedExponential(mu, alpha)
    curves = {}
    with progress_bar(len(schemes) * len(tolerance_ratios), "cpgc figure", progress) as bar:
        for name, code in schemes.items():
            points = []
            for ratio in tolerance_ratios:
                required = n_partitions - round(ratio * n_partitions)
                if name == "MCC":
                    required = n_partitions  # MDS decoding recovers everything or nothing
                result = simulate(code, model, n_iterations, seed=seed, required=required)
                points.append({"tolerance_ratio": ratio, "required": required, "mean_time": result.mean_time,
                               "ci95": result.ci95, "load": result.mean_messages, "volume": result.mean_volume})
                bar.update()
            curves[name] = points
    return {"preset": "cpgc", "K": n_workers, "M": n_partitions, "r": 3, "mu": mu, "alpha": alpha,
            "iterations": n_iterations, "seed": seed, "curves": curves}


def gc_mmc_figure(n_iterations: int = 10_000, seed: int = 0, mu: float = 10.0, alpha: float = 0.01,
                  hybrid: bool = True, progress: bool = False) -> dict:
    """Seed gc-mmc Figure 1: average completion time and communication load of five schemes.

    With ``hybrid`` (default) GC-MMC-1/2 use section 3.4's hybrid rule: a worker that finishes
    all ``r = K/P = 10`` tasks of its cluster sends the plain cluster sum. ``progress`` shows a
    bar on stderr (on a terminal).
    """
    from codedml.analysis.lcc_timing import LagrangeCompletionModel
    from codedml.codes.multimessage.gcmmc import GCMMC
    from codedml.codes.multimessage.uncoded import UncodedMMC
    from codedml.sim.montecarlo import simulate
    from codedml.sim.stragglers import ShiftedExponential

    n_workers, load = 40, 10  # the paper's K, r
    n_iterations = validation.integer(n_iterations, "n_iterations", minimum=1)
    seed = validation.seed_integer(seed)
    hybrid = validation.flag(hybrid, "hybrid")
    progress = validation.flag(progress, "progress")
    schemes = {
        "GC": GCMMC.correlated(n_workers, load, load, seed=0),
        "LCC": LagrangeCompletionModel(n_workers, load, degree=2),
        "UC-MMC": UncodedMMC(n_workers, load, target="sum"),
        "GC-MMC-1": GCMMC.correlated(n_workers, load, 6, clusters=4, seed=0, hybrid=hybrid),
        "GC-MMC-2": GCMMC.uncorrelated(n_workers, load, (6, 8, 10), clusters=4, hybrid=hybrid),
    }
    model = ShiftedExponential(mu, alpha)
    results = {}
    with progress_bar(len(schemes), "gc-mmc figure", progress) as bar:
        for name, code in schemes.items():
            result = simulate(code, model, n_iterations, seed=seed)
            results[name] = {"mean_time": result.mean_time, "ci95": result.ci95, "load": result.mean_messages,
                             "volume": result.mean_volume}
            bar.update()
    return {"preset": "gc-mmc", "K": n_workers, "r": load, "mu": mu, "alpha": alpha, "iterations": n_iterations,
            "seed": seed, "hybrid": hybrid, "schemes": results}


def run(preset: str = "cpgc", n_iterations: int = 10_000, seed: int = 0, mu: float = 10.0, alpha: float = 0.01,
        hybrid: bool = True, progress: bool = False) -> dict:
    """The figure named ``preset`` (:data:`PRESETS`): :func:`cpgc_figure` or :func:`gc_mmc_figure`.

    ``hybrid`` applies to ``gc-mmc`` only.
    """
    if preset == "cpgc":
        return cpgc_figure(n_iterations, seed, mu, alpha, progress=progress)
    if preset == "gc-mmc":
        return gc_mmc_figure(n_iterations, seed, mu, alpha, hybrid=hybrid, progress=progress)
    raise ParameterError(f"preset must be one of {', '.join(PRESETS)}, got {preset!r}")


def format_table(results: dict) -> str:
    """The figure's settings line and one row per point (cpgc) or scheme (gc-mmc)."""
    if results["preset"] == "cpgc":
        lines = [f"seed cpgc Figure 1: K = M = 20, r = 3, mu={results['mu']}, alpha={results['alpha']}, "
                 f"{results['iterations']} iterations",
                 f"{'scheme':<8}{'tolerance':>10}{'M_prime':>8}{'E[T]':>9}{'+-CI':>8}{'load':>8}{'volume':>8}"]
        for name, points in results["curves"].items():
            lines += [f"{name:<8}{p['tolerance_ratio']:>10.2f}{p['required']:>8d}{p['mean_time']:>9.4f}"
                      f"{p['ci95']:>8.4f}{p['load']:>8.2f}{p['volume']:>8.3f}" for p in points]
        return "\n".join(lines)
    lines = [f"seed gc-mmc Figure 1: K = 40, r = 10, mu={results['mu']}, alpha={results['alpha']}, "
             f"{results['iterations']} iterations, hybrid rule {'on' if results['hybrid'] else 'off'}",
             f"{'scheme':<10}{'E[T]':>9}{'+-CI':>8}{'load':>9}"]
    lines += [f"{name:<10}{p['mean_time']:>9.4f}{p['ci95']:>8.4f}{p['load']:>9.2f}"
              for name, p in results["schemes"].items()]
    return "\n".join(lines)


def plot(results: dict, path: str) -> None:
    """cpgc: three panels against the tolerance ratio (E[T], load, volume); gc-mmc: bars of E[T] and load."""
    plt = pyplot()
    if results["preset"] == "cpgc":
        fig, axes = plt.subplots(1, 3, figsize=(14, 4.4))
        for name, points in results["curves"].items():
            ratios = [p["tolerance_ratio"] for p in points]
            for axis, key in zip(axes, ("mean_time", "load", "volume")):
                axis.plot(ratios, [p[key] for p in points], marker="o", label=name)
        for axis, label in zip(axes, ("average completion time E[T] [model time units]",
                                      "communication load [messages / iteration]",
                                      "communication volume [gradients / iteration]")):
            axis.set_xlabel("tolerance ratio (M - M')/M")
            axis.set_ylabel(label)
            axis.legend(fontsize=8)
        title = (f"seed cpgc Figure 1: K = M = {results['K']}, r = {results['r']}; shifted exponential "
                 f"mu = {results['mu']:g}, alpha = {results['alpha']:g} per computation; "
                 f"{results['iterations']} iterations")
    else:
        names = list(results["schemes"])
        values = list(results["schemes"].values())
        fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.6))
        left.bar(names, [v["mean_time"] for v in values], yerr=[v["ci95"] for v in values], capsize=4)
        left.set_ylabel("average completion time E[T] [model time units]")
        right.bar(names, [v["load"] for v in values], color="tab:orange")
        right.set_ylabel("communication load [messages / iteration]")
        for axis in (left, right):
            axis.tick_params(axis="x", rotation=25)
        title = (f"seed gc-mmc Figure 1: K = {results['K']}, r = {results['r']}, hybrid rule "
                 f"{'on' if results['hybrid'] else 'off'}; shifted exponential mu = {results['mu']:g}, "
                 f"alpha = {results['alpha']:g} per computation; {results['iterations']} iterations")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def command(args: argparse.Namespace) -> int:
    """``codedml compare --preset``: the figure as a table, a plot and a JSON file (options checked by compare)."""
    results = run(args.preset, args.iterations or 10_000, args.seed, args.mu, args.alpha, hybrid=not args.no_hybrid,
                  progress=not args.quiet)
    print(format_table(results))
    path = args.plot or f"{args.preset}.png"
    plot(results, path)
    print(f"plot written to {path}, figures to {write_figures_json(path, results)}")
    return 0
