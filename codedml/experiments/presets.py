"""The papers' multi-message experiments, as data (tables, curves) ready to print, plot or save.

- :func:`cpgc_tables`: seed cpgc Tables 1 and 2 (``K = 4``, ``r = 2``), counted by the
  library's decodability predicates over all score vectors.
- :func:`cpgc_figure`: seed cpgc Figure 1 (``K = M = 20``, ``r = 3``): completion time,
  communication load and volume against the tolerance ratio for UC-MMC, CPGC and MCC.
- :func:`gc_mmc_figure`: seed gc-mmc Figure 1 (``K = 40``, ``r = 10``): GC, LCC, UC-MMC,
  GC-MMC-1 and GC-MMC-2.
"""

from __future__ import annotations

import numpy as np

from codedml import _validation as validation
from codedml.codes.multimessage.cpgc import CPGC
from codedml.codes.multimessage.gcmmc import GCMMC, LagrangeCompletionModel
from codedml.codes.multimessage.base import MDSCodedComputationMMC, MultiMessageCode, UncodedMMC
from codedml.errors import ParameterError
from codedml.sim.multimessage import score_type_counts, simulate_messages
from codedml.sim.stragglers import ShiftedExponential


def cpgc_example_schemes() -> dict[str, MultiMessageCode]:
    """MCC, UC-MMC and CPGC of seed cpgc section 2 (``K = M = 4``, ``r = 2``)."""
    return {"MCC": MDSCodedComputationMMC(4, 4, 2), "UC-MMC": UncodedMMC(4, 2), "CPGC": CPGC.seed_example()}


def cpgc_tables() -> dict[str, list[dict]]:
    """Seed cpgc Tables 1 (full gradient) and 2 (3 of 4 partitions).

    Returns
    -------
    dict
        ``{"table1": rows, "table2": rows}``; each row has ``"type"`` ``(N_2, N_1, N_0)`` and
        one count per scheme. Rows are the types with a nonzero count for some scheme, in
        decreasing lexicographic order (the seed's order).
    """
    schemes = cpgc_example_schemes()
    tables = {}
    for name, required in (("table1", 4), ("table2", 3)):
        counts = {scheme: score_type_counts(code, required) for scheme, code in schemes.items()}
        types = sorted(set().union(*counts.values()), reverse=True)
        tables[name] = [{"type": list(t), **{scheme: counts[scheme].get(t, 0) for scheme in schemes}}
                        for t in types]
    return tables


def cpgc_figure(n_iterations: int = 10_000, seed: int = 0, mu: float = 10.0, alpha: float = 0.01,
                tolerance_ratios=(0.0, 0.05, 0.1, 0.15, 0.2)) -> dict:
    """Seed cpgc Figure 1: ``E[T]``, load and volume against the tolerance ratio ``(M - M')/M``.

    ``tolerance_ratios`` lie in ``[0, 1)`` and leave at least one partition required.
    """
    K = M = 20
    n_iterations = validation.integer(n_iterations, "n_iterations", minimum=1)
    seed = validation.seed_integer(seed)
    ratios = validation.real_array(tolerance_ratios, "tolerance_ratios", ndim=1)
    if ratios.size == 0 or np.any(ratios < 0) or np.any(M - np.round(ratios * M) < 1):
        raise ParameterError(f"tolerance_ratios must be a non-empty list of ratios in [0, 1) leaving at least one "
                             f"of the M = {M} partitions required, got {list(tolerance_ratios)}")
    schemes = {"UC-MMC": UncodedMMC(K, 3), "CPGC": CPGC(K, 3), "MCC": MDSCodedComputationMMC(K, M, 3)}
    model = ShiftedExponential(mu, alpha)
    curves = {}
    for name, code in schemes.items():
        points = []
        for ratio in tolerance_ratios:
            required = M - round(ratio * M)
            if name == "MCC":
                required = M  # MDS decoding recovers everything or nothing
            result = simulate_messages(code, model, n_iterations, seed=seed, required=required)
            points.append({"tolerance_ratio": ratio, "required": required, "mean_time": result.mean_time,
                           "ci95": result.ci95, "load": result.mean_messages, "volume": result.mean_volume})
        curves[name] = points
    return {"K": K, "M": M, "r": 3, "mu": mu, "alpha": alpha, "iterations": n_iterations, "seed": seed,
            "curves": curves}


def gc_mmc_figure(n_iterations: int = 10_000, seed: int = 0, mu: float = 10.0, alpha: float = 0.01,
                  hybrid: bool = True) -> dict:
    """Seed gc-mmc Figure 1: average completion time and communication load of five schemes.

    With ``hybrid`` (default) GC-MMC-1/2 use section 3.4's hybrid rule: a worker that finishes
    all ``r = K/P = 10`` tasks of its cluster sends the plain cluster sum.
    """
    K, r = 40, 10
    n_iterations = validation.integer(n_iterations, "n_iterations", minimum=1)
    seed = validation.seed_integer(seed)
    hybrid = validation.flag(hybrid, "hybrid")
    schemes = {
        "GC": GCMMC.correlated(K, r, r),
        "LCC": LagrangeCompletionModel(K, r, degree=2),
        "UC-MMC": UncodedMMC(K, r, target="sum"),
        "GC-MMC-1": GCMMC.correlated(K, r, 6, clusters=4, hybrid=hybrid),
        "GC-MMC-2": GCMMC.uncorrelated(K, r, (6, 8, 10), clusters=4, hybrid=hybrid),
    }
    model = ShiftedExponential(mu, alpha)
    results = {}
    for name, code in schemes.items():
        result = simulate_messages(code, model, n_iterations, seed=seed)
        results[name] = {"mean_time": result.mean_time, "ci95": result.ci95, "load": result.mean_messages,
                         "volume": result.mean_volume}
    return {"K": K, "r": r, "mu": mu, "alpha": alpha, "iterations": n_iterations, "seed": seed,
            "hybrid": hybrid, "schemes": results}
