"""The loop with the simulator: fit a cluster run's trace, simulate ``E[T]`` on the fit, compare with the run.

For one scheme's trace records (:mod:`codedml.sim.traces`), :func:`simulator_check` measures the
mean completion time ``E[T]`` of the run, fits a per-worker shifted exponential to the unit times
the trace shows (:func:`codedml.sim.fit_shifted_exponential`, cut-short times right-censored) and
simulates ``E[T]`` of the same code under the fit (:func:`codedml.sim.simulate`).

Dask's own per-task cost is accounted for as an additive offset: a message ``m`` of coded worker
``w`` arrives at ``c + message_steps[m] tau_w``, where ``c`` is the run's mean *overhead* (arrival
minus the time the task spent computing and waiting, ``arrived - (finished - started)``, over the
messages used: dispatch, scheduling and return). The fit sees ``(arrived - c) / message_steps`` and
the prediction is ``c + E[T]`` simulated. Folding ``c`` into the unit time instead is exact for
one-message codes (every message waits ``r`` computations) but charges a multi-message code's
``r``-th message ``r c``.

A worker whose every time was cut short (never observed, e.g. the slower worker of a fractional
repetition group) gets the maximum-likelihood rate ``mu_w = 0`` of censored-only data: in the
simulation it never answers. Answers lost with their worker count as Bernoulli failures of the
fit (:attr:`~codedml.sim.FittedShiftedExponential.loss_probabilities`).

The measured completion time of an iteration is the arrival of the last message used (exact codes);
for an approximate code it is that arrival if every worker's message arrived, else the deadline.
"""

from __future__ import annotations

import numpy as np

from codedml import _validation as validation
from codedml.errors import CodedMLError

#: Monte Carlo samples of the simulated ``E[T]``.
DEFAULT_SIMULATOR_SAMPLES = 20_000


def message_overhead(records: list[dict]) -> float:
    """Mean ``arrived - (finished - started)`` over the used messages of ``records`` (seconds; 0 if none)."""
    gaps = [record["arrived"] - (record["finished"] - record["started"]) for record in records
            if record["status"] == "used" and None not in (record["arrived"], record["finished"], record["started"])]
    return float(np.mean(gaps)) if gaps else 0.0


def completion_times(records: list[dict], n_iterations: int, deadline: float | None = None) -> np.ndarray:
    """Per iteration, when the master stopped: the last used arrival, or ``deadline`` if a message was missing.

    Without a deadline (exact codes) an iteration with no used message has ``inf``.
    """
    last = np.full(n_iterations, -np.inf)
    missing = np.zeros(n_iterations, dtype=bool)
    for record in records:
        iteration = record["iteration"]
        if record["status"] == "used":
            last[iteration] = max(last[iteration], record["arrived"])
        else:
            missing[iteration] = True
    if deadline is not None:
        return np.where(missing | ~np.isfinite(last), deadline, np.minimum(last, deadline))
    return np.where(np.isfinite(last), last, np.inf)


def observed_unit_times(records: list[dict], n_iterations: int, n_workers: int, offset: float,
                        stops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit times ``(arrived - offset) / computations`` of each worker's first message, and censoring bounds.

    A worker's first message (fewest computations >= 1) that was cancelled is censored at
    ``(stops[t] - offset) / computations`` (the master stopped at ``stops[t]`` without it); a lost one is
    ``inf`` without a bound (left out of the fit). Times that come out below 0 are set to 0.

    Returns
    -------
    unit_times, censoring_times : ndarray, shape (n_iterations, n_workers)
        As :func:`codedml.sim.fit_shifted_exponential` takes them.
    """
    first: dict[tuple[int, int], dict] = {}
    for record in records:
        if record["computations"] < 1:
            continue
        key = (record["iteration"], record["worker"])
        if key not in first or record["computations"] < first[key]["computations"]:
            first[key] = record
    times = np.full((n_iterations, n_workers), np.inf)
    bounds = np.full((n_iterations, n_workers), np.inf)
    for (iteration, worker), record in first.items():
        steps = record["computations"]
        if record["status"] in ("used", "late") and record["arrived"] is not None:
            times[iteration, worker] = max(record["arrived"] - offset, 0.0) / steps
        elif record["status"] == "cancelled" and np.isfinite(stops[iteration]):
            bounds[iteration, worker] = max(stops[iteration] - offset, 0.0) / steps
    return times, bounds


def simulator_check(records: list[dict], code, n_iterations: int, deadline: float | None = None,
                    samples: int = DEFAULT_SIMULATOR_SAMPLES, seed=None, required: int | None = None) -> dict:
    """Measured against simulated ``E[T]`` for one scheme's run (see the module notes).

    Parameters
    ----------
    records : list of dict
        The run's trace records (one scheme).
    code : GradientCode or MultiMessageCode
        The code that ran.
    n_iterations : int
        Iterations of the run.
    deadline : float, optional
        The master's deadline (approximate codes).
    samples : int
        Monte Carlo iterations of the simulation.
    seed : None, int or numpy.random.Generator
        For the simulation.
    required : int, optional
        Partitions ``M'`` the master stopped at (partial recovery of a multi-message code).

    Returns
    -------
    dict
        ``measured`` and ``measured_ci`` (mean completion time and its 95% half-width, s), ``overhead``
        ``c`` (s), ``simulated`` and ``simulated_ci``, ``relative_error`` ``(simulated - measured) /
        measured``, ``mu`` and ``alpha`` of the fit (per worker, None where ``never_observed``: the workers
        modelled as never answering); when the fit or the simulation is impossible (e.g. a worker answered
        once only), ``simulated`` is None and ``error`` says why.
    """
    from codedml.sim import BernoulliStragglers, HeterogeneousShiftedExponential, fit_shifted_exponential, simulate

    n_iterations = validation.integer(n_iterations, "n_iterations", minimum=1)
    samples = validation.integer(samples, "samples", minimum=2)
    stops = completion_times(records, n_iterations, deadline)
    measured = stops[np.isfinite(stops)]
    overhead = message_overhead(records)
    row = {"measured": float(measured.mean()) if measured.size else float("inf"),
           "measured_ci": float(1.96 * measured.std(ddof=1) / np.sqrt(measured.size)) if measured.size > 1 else 0.0,
           "overhead": overhead, "simulated": None, "simulated_ci": None, "relative_error": None,
           "mu": None, "alpha": None, "never_observed": [], "error": None}
    try:
        times, bounds = observed_unit_times(records, n_iterations, code.n_workers, overhead, stops)
        never = ~np.isfinite(times).any(axis=0) & np.isfinite(bounds).any(axis=0)
        fit = fit_shifted_exponential(times[:, ~never], bounds[:, ~never])
        mu, alpha, failures = np.ones(code.n_workers), np.zeros(code.n_workers), never.astype(float)
        mu[~never], alpha[~never], failures[~never] = fit.mu, fit.alpha, fit.loss_probabilities
        model = HeterogeneousShiftedExponential(mu, alpha)
        if failures.any():
            model = BernoulliStragglers(failures, base=model)
        options = {} if deadline is None else {"deadline": max(deadline - overhead, 1e-9)}
        if required is not None:
            options["required"] = required
        result = simulate(code, model, samples, seed=seed, **options)
    except CodedMLError as error:
        row["error"] = " ".join(str(error).split())
        return row
    row.update(simulated=overhead + result.mean_time, simulated_ci=result.ci95,
               mu=[None if skip else float(v) for skip, v in zip(never, mu)],
               alpha=[None if skip else float(v) for skip, v in zip(never, alpha)],
               never_observed=np.flatnonzero(never).tolist())
    row["relative_error"] = (row["simulated"] - row["measured"]) / row["measured"]
    return row


def format_table(checks: dict) -> str:
    """One row per scheme: measured and simulated ``E[T]`` (s, with 95% half-widths), relative error, overhead."""
    lines = [f"{'scheme':<18}{'measured E[T] s':>18}{'simulated E[T] s':>19}{'rel. error':>12}{'overhead s':>12}"]
    for name, row in checks.items():
        measured = f"{row['measured']:.4f} ± {row['measured_ci']:.4f}"
        never = f"  never observed: {row['never_observed']}" if row["never_observed"] else ""
        if row["simulated"] is None:
            lines.append(f"{name:<18}{measured:>18}   not simulated: {row['error']}")
            continue
        simulated = f"{row['simulated']:.4f} ± {row['simulated_ci']:.4f}"
        lines.append(f"{name:<18}{measured:>18}{simulated:>19}{row['relative_error']:>+12.1%}"
                     f"{row['overhead']:>12.4f}{never}")
    return "\n".join(lines)
