"""The ``codedml distributed`` command: every scheme family on a Dask cluster, with faults, traces and the simulator.

Softmax regression on scikit-learn's digits, ``n`` coded workers over ``n`` partitions, one
Dask worker each (:func:`codedml.cluster.coded_gradient_descent`). Stragglers are emulated:
coded worker ``w`` takes ``tau[t, w] = alpha_w + Exp(mu_w)`` seconds per partial computation
(a :class:`~codedml.sim.HeterogeneousShiftedExponential` with ``mu_w ~ U(mu-low, mu-high)`` and
``alpha_w ~ U(alpha-low, alpha-high)`` drawn once), plus ``delay`` seconds per computation for
``delayed`` random workers per iteration; message ``m`` is sent ``message_steps[m] tau[t, w]``
seconds after the worker starts. Every scheme sees the same times. Schemes (:data:`SCHEMES`,
``s`` stragglers, computation load ``r = s + 1`` for the multi-message codes):

- exact one-message codes (uncoded, cyclic and fractional repetition, polynomial GC over GF(p)
  with fixed-point gradients): the master stops at the first decodable set;
- multi-message codes (UC-MMC, CPGC, GC-MMC, MCC): a message after each partial computation;
- OSGC, an approximate code: the master decodes what arrived by ``deadline``.

Faults (``faults = {iteration: [Dask worker index, ...]}``, positions in the sorted addresses of
the workers live when a scheme's run starts) SIGKILL Dask worker processes right after that
iteration's tasks are submitted, in every scheme's run; before each run the command waits for a
local cluster's nannies to bring the killed workers back. With ``check_simulator`` each
scheme's trace is fitted and its simulated ``E[T]`` set against the measured one
(:mod:`codedml.experiments.cluster_timing`).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import time

import numpy as np

from codedml import _validation as validation
from codedml.errors import ClusterError, NotDecodableError, ParameterError
from codedml.experiments.allocate import MAX_BITS
from codedml.experiments.options import (
    add_quiet_option,
    check_plot_output,
    check_size,
    fill_defaults,
    integer_option,
    output_file,
    plot_file,
    real_option,
    refuse_options,
)
from codedml.experiments.plotting import pyplot, write_figures_json
from codedml.experiments.progress import prepare_kernels, progress_bar

#: Seconds to wait for a scheduler (:data:`codedml.cluster.connection.DEFAULT_CONNECT_TIMEOUT`; not imported,
#: so the parser is built without loading Dask; a test checks they agree).
DEFAULT_CONNECT_TIMEOUT = 5.0

#: Seconds to wait for replacements of lost workers (:data:`codedml.cluster.coded_descent.DEFAULT_REPLACEMENT_TIMEOUT`).
DEFAULT_REPLACEMENT_TIMEOUT = 30.0

#: Scheme names of ``--schemes``, with what they run.
SCHEMES = {
    "uncoded": "UncodedScheme(n): waits for every worker",
    "cyclic-repetition": "CyclicRepetition(n, s)",
    "fractional": "FractionalRepetition(n, s), (s + 1) divides n",
    "polynomial-gfp": "PolynomialGC(n, s, field='gfp'): exact over GF(p), fixed-point gradients",
    "uc-mmc": "UncodedMMC(n, s + 1, target='sum'): multi-message",
    "cpgc": "CPGC(n, s + 1, target='sum'): multi-message, even n",
    "gc-mmc": "GCMMC.correlated(n, s + 1, order 1): multi-message",
    "mcc": "MDSCodedComputationMMC(n, n, s + 1, multi_message=True): multi-message",
    "osgc": "OptimallyStructuredGC(p): approximate, decodes what arrived by --deadline",
}

#: ``--schemes`` default.
DEFAULT_SCHEMES = ("uncoded", "cyclic-repetition", "polynomial-gfp", "uc-mmc", "cpgc")

#: The schemes that stop at partial recovery with ``--tolerance``.
MULTI_MESSAGE_SCHEMES = ("uc-mmc", "cpgc", "gc-mmc", "mcc")

#: Straggling probabilities the OSGC design may take (it needs ``0 < p_i < 1``).
PROBABILITY_RANGE = (0.01, 0.99)


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


def worker_model(n_workers: int, mu_range=(10.0, 40.0), alpha_range=(0.04, 0.08), seed=None):
    """The emulated per-computation times: ``mu_w ~ U(mu_range)``, ``alpha_w ~ U(alpha_range)`` (1/s and s)."""
    from codedml.sim import HeterogeneousShiftedExponential

    n_workers = validation.integer(n_workers, "n_workers", minimum=1)
    mu_range, alpha_range = _range(mu_range, "mu_range", 0.0), _range(alpha_range, "alpha_range", 0.0, closed=True)
    rng = validation.rng(seed)
    return HeterogeneousShiftedExponential(rng.uniform(*mu_range, n_workers), rng.uniform(*alpha_range, n_workers))


def build_codes(schemes, n_workers: int, n_stragglers: int, model=None, deadline: float | None = None,
                seed: int = 0) -> dict:
    """The codes of ``schemes`` (names of :data:`SCHEMES`), each named in any ParameterError it raises.

    OSGC's ``p_i`` are ``P(T_i > deadline)`` under ``model`` at its own loads (two fixed-point rounds from
    load 1), kept within :data:`PROBABILITY_RANGE`.
    """
    from codedml.codes import (
        CPGC,
        GCMMC,
        CyclicRepetition,
        FractionalRepetition,
        MDSCodedComputationMMC,
        OptimallyStructuredGC,
        PolynomialGC,
        UncodedMMC,
        UncodedScheme,
    )

    n, s = n_workers, n_stragglers
    builders = {
        "uncoded": lambda: UncodedScheme(n),
        "cyclic-repetition": lambda: CyclicRepetition(n, s, seed=seed),
        "fractional": lambda: FractionalRepetition(n, s),
        "polynomial-gfp": lambda: PolynomialGC(n, s, field="gfp"),
        "uc-mmc": lambda: UncodedMMC(n, s + 1, target="sum"),
        "cpgc": lambda: CPGC(n, s + 1, seed=seed, target="sum"),
        "gc-mmc": lambda: GCMMC.correlated(n, s + 1, 1, seed=seed),
        "mcc": lambda: MDSCodedComputationMMC(n, n, s + 1, multi_message=True),
        "osgc": lambda: _osgc(OptimallyStructuredGC, model, deadline, n),
    }
    codes = {}
    for name in schemes:
        validation.choice(name, "scheme", tuple(SCHEMES))
        try:
            codes[name] = builders[name]()
        except ParameterError as error:
            raise ParameterError(f"scheme {name!r}: {error}") from None
    return codes


def _osgc(design, model, deadline, n_workers: int):
    from codedml.sim import deadline_straggling_probabilities

    if model is None or deadline is None:
        raise ParameterError("osgc is approximate: it needs a deadline and the worker model")
    loads = np.ones(n_workers)
    for _ in range(2):
        probabilities = np.clip(deadline_straggling_probabilities(model, loads, deadline), *PROBABILITY_RANGE)
        code = design(probabilities)
        loads = np.asarray(code.message_steps, dtype=float)
    return code


def run(client, n_workers: int = 6, n_stragglers: int = 2, iterations: int = 20, delayed: int = 0,
        delay: float = 0.3, learning_rate: float = 4.0, seed: int = 0, progress: bool = False, *,
        schemes=DEFAULT_SCHEMES, mu_range=(10.0, 40.0), alpha_range=(0.04, 0.08), deadline: float | None = None,
        faults: dict | None = None, trace: str | None = None, check_simulator: bool = False,
        replacement_timeout: float = DEFAULT_REPLACEMENT_TIMEOUT, simulator_samples: int = 20_000,
        tolerance: float = 0.0, bits: int | None = None) -> dict:
    """Run every scheme on ``client``'s cluster with the same emulated times and faults.

    Parameters
    ----------
    client : distributed.Client
        The cluster (:func:`codedml.cluster.connect`).
    n_workers, n_stragglers : int
        Coded workers ``n`` (= partitions) and stragglers tolerated ``s < n``.
    iterations : int
        Gradient steps.
    delayed : int
        Workers whose unit time grows by ``delay`` per iteration, at most ``n``.
    delay : float
        Their extra seconds per computation.
    learning_rate : float
        Step size.
    seed : int
        Seeds the data partition, the worker model, the times and the codes.
    progress : bool
        Show a progress bar on stderr (on a terminal).
    schemes : sequence of str
        Names of :data:`SCHEMES`, in the order they run.
    mu_range, alpha_range : (float, float)
        Ranges of the workers' ``mu_w`` (1/s) and ``alpha_w`` (s) per computation.
    deadline : float, optional
        Seconds; required with ``osgc``, refused without.
    faults : dict, optional
        ``{iteration: [Dask worker index, ...]}`` SIGKILLed in every scheme's run (worker processes only).
    trace : str, optional
        Write every scheme's trace records to this JSON-lines file (replaced).
    check_simulator : bool
        Fit each scheme's trace and compare simulated with measured ``E[T]``.
    replacement_timeout : float
        Seconds to wait for replacements of lost workers.
    simulator_samples : int
        Monte Carlo iterations of each simulated ``E[T]``.
    tolerance : float
        Tolerance ratio ``(M - M') / M`` in ``[0, 1)`` of the multi-message schemes: their master stops once
        the messages cover ``M' = M - floor(tolerance M)`` partitions and steps along the partial gradient
        sum it recovered (partial recovery, seed cpgc section 4.2); refused unless a multi-message scheme runs.
    bits : int, optional
        Bits per coordinate (2 to 32) of every ``osgc`` worker's quantised message (the wire format of
        :func:`codedml.learn.quantize.pack`); default unquantised; refused without ``osgc``.

    Returns
    -------
    dict
        ``{"settings", "workers": {"mu", "alpha"}, "schemes": {name: row}}``; a row has ``family``,
        ``stragglers``, ``seconds_per_iteration``, ``messages_per_iteration``, ``final_loss``, ``loss`` and
        ``wall_clock`` (per iteration, from 0), ``lost`` (coded workers lost, summed over iterations),
        ``error`` (None, or why the run stopped) and with ``check_simulator`` ``timing``
        (:func:`codedml.experiments.cluster_timing.simulator_check`).
    """
    from codedml.cluster import coded_gradient_descent
    from codedml.experiments.cluster_timing import simulator_check
    from codedml.learn.models import SoftmaxRegression, load_digits_data, partition_data

    n_workers = validation.integer(n_workers, "n_workers", minimum=1)
    n_stragglers = validation.integer(n_stragglers, "n_stragglers", minimum=0, maximum=n_workers - 1)
    seed = validation.integer(seed, "seed", minimum=0)
    progress = validation.flag(progress, "progress")
    check_simulator = validation.flag(check_simulator, "check_simulator")
    schemes = _scheme_names(schemes)
    if deadline is not None:
        deadline = validation.real(deadline, "deadline", minimum=0.0, open_minimum=True)
    if ("osgc" in schemes) != (deadline is not None):
        raise ParameterError("deadline: give it exactly when the schemes include the approximate 'osgc'")
    tolerance = validation.real(tolerance, "tolerance", minimum=0.0, maximum=1.0, open_maximum=True)
    if bits is not None:
        bits = validation.integer(bits, "bits", minimum=2, maximum=MAX_BITS)
        if "osgc" not in schemes:
            raise ParameterError("bits: quantised messages apply to the approximate 'osgc' scheme only")
    if tolerance > 0 and not set(schemes) & set(MULTI_MESSAGE_SCHEMES):
        raise ParameterError(f"tolerance: partial recovery applies to the multi-message schemes "
                             f"({', '.join(MULTI_MESSAGE_SCHEMES)}); none of {', '.join(schemes)} is one")
    rng = np.random.default_rng(seed)
    workers = worker_model(n_workers, mu_range, alpha_range, rng)
    codes = build_codes(schemes, n_workers, n_stragglers, workers, deadline, seed)
    extra = emulated_delays(iterations, n_workers, delayed, delay, rng)
    times = workers.unit_times(iterations, n_workers, rng) + extra
    features, labels = load_digits_data()
    data = partition_data(features, labels, n_workers, rng)
    model = SoftmaxRegression(data.n_features, data.n_classes)
    start = model.initial_parameters(np.random.default_rng(seed))
    if trace is not None:
        open(trace, "w").close()
    rows = {}
    with progress_bar(len(codes), "schemes", progress) as bar:
        for name, code in codes.items():
            if faults:
                _wait_for_workers(client, replacement_timeout)
            options = {"deadline": deadline} if name == "osgc" else {}
            if name == "osgc" and bits is not None:
                options["bits"] = np.full(code.n_workers, bits)
            required = None
            if name in MULTI_MESSAGE_SCHEMES and tolerance > 0:
                options["tolerance"] = tolerance
                required = code.n_partitions - int(np.floor(tolerance * code.n_partitions))
            row = {"family": _family(code), "stragglers": 0 if name == "uncoded" else n_stragglers, "error": None}
            try:
                outcome = coded_gradient_descent(client, code, model, data, iterations, learning_rate, delays=times,
                                                 replacement_timeout=replacement_timeout, trace=trace,
                                                 scheme_name=name, faults=faults, initial_parameters=start,
                                                 seed=seed, **options)
            except NotDecodableError as error:
                rows[name] = row | {"error": " ".join(str(error).split())}
                bar.update()
                continue
            row |= {"seconds_per_iteration": float(outcome.wall_seconds.mean()),
                    "messages_per_iteration": float(outcome.messages_used.mean()),
                    "final_loss": float(outcome.loss[-1]), "loss": outcome.loss.tolist(),
                    "wall_clock": np.concatenate([[0.0], np.cumsum(outcome.wall_seconds)]).tolist(),
                    "lost": int(sum(len(lost) for lost in outcome.lost))}
            if check_simulator:
                row["timing"] = simulator_check(outcome.records, code, iterations, options.get("deadline"),
                                                simulator_samples, seed, required=required)
            rows[name] = row
            bar.update()
    settings = {"n_workers": n_workers, "n_stragglers": n_stragglers, "iterations": iterations, "delayed": delayed,
                "delay": delay, "learning_rate": learning_rate, "seed": seed, "schemes": list(schemes),
                "mu_range": list(mu_range), "alpha_range": list(alpha_range), "deadline": deadline,
                "tolerance": tolerance, "bits": bits,
                "faults": {str(k): list(v) for k, v in (faults or {}).items()}}
    return {"settings": settings, "workers": {"mu": workers.mu.tolist(), "alpha": workers.alpha.tolist()},
            "schemes": rows}


def _scheme_names(schemes) -> tuple[str, ...]:
    if isinstance(schemes, str) or not schemes:
        raise ParameterError(f"schemes must be a non-empty sequence of names from {', '.join(SCHEMES)}, "
                             f"got {schemes!r}")
    names = tuple(validation.choice(name, "schemes", tuple(SCHEMES)) for name in schemes)
    if len(set(names)) != len(names):
        raise ParameterError(f"schemes must be distinct, got {list(schemes)}")
    return names


def _range(value, name: str, minimum: float, closed: bool = False) -> tuple[float, float]:
    low, high = validation.real_array(value, name, shape=(2,))
    validation.real(low, f"{name}[0]", minimum=minimum, open_minimum=not closed)
    if high < low:
        raise ParameterError(f"{name} must be (low, high) with low <= high, got {tuple(value)}")
    return float(low), float(high)


def _family(code) -> str:
    from codedml.codes import MultiMessageCode

    if isinstance(code, MultiMessageCode):
        return "multi-message"
    return "exact" if code.exact else "approximate"


def _wait_for_workers(client, timeout: float) -> None:
    """Wait up to ``timeout`` s for the local cluster's killed workers to be back (nanny restarts)."""
    expected = len(getattr(client.cluster, "workers", ())) if getattr(client, "cluster", None) else 0
    if expected:
        try:
            client.wait_for_workers(expected, timeout=timeout)
        except TimeoutError:
            pass  # the run goes on with the workers there are: lost workers are erasures


def format_table(results: dict) -> str:
    """One row per scheme: family, stragglers, messages and wall seconds per iteration, lost workers, final loss;
    then, if checked, measured against simulated ``E[T]``."""
    from codedml.experiments import cluster_timing

    lines = [f"{'scheme':<18}{'family':<15}{'S':>3}{'messages':>10}{'s/iter':>9}{'lost':>6}{'final loss':>12}"]
    for name, row in results["schemes"].items():
        head = f"{name:<18}{row['family']:<15}{row['stragglers']:>3}"
        if row["error"] is not None:
            lines.append(f"{head}   stopped: {row['error']}")
            continue
        lines.append(f"{head}{row['messages_per_iteration']:>10.2f}{row['seconds_per_iteration']:>9.3f}"
                     f"{row['lost']:>6}{row['final_loss']:>12.6f}")
    checks = {name: row["timing"] for name, row in results["schemes"].items() if "timing" in row}
    if checks:
        lines += ["", "E[T]: measured on the cluster vs simulated on the shifted exponential fitted to its trace",
                  cluster_timing.format_table(checks)]
    return "\n".join(lines)


def plot(results: dict, path: str) -> None:
    """Loss against wall-clock seconds per scheme; measured and simulated ``E[T]`` (if checked, else wall seconds
    per iteration) per scheme."""
    plt = pyplot()
    settings = results["settings"]
    rows = {name: row for name, row in results["schemes"].items() if row["error"] is None}
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
    for name, row in rows.items():
        left.plot(row["wall_clock"], row["loss"], marker=".", label=name)
    left.set_xlabel("wall-clock time [s]")
    left.set_ylabel("training loss (cross-entropy)")
    left.legend(fontsize=8)
    names = list(rows)
    positions = np.arange(len(names))
    timings = [rows[name].get("timing") for name in names]
    if any(timing is not None for timing in timings):
        right.bar(positions - 0.2, [np.nan if t is None else t["measured"] for t in timings], 0.4,
                  label="E[T] measured (last message used)")
        right.bar(positions + 0.2, [np.nan if t is None or t["simulated"] is None else t["simulated"]
                                    for t in timings], 0.4, label="E[T] simulated on the fit to the trace")
    else:
        right.bar(positions, [rows[name]["seconds_per_iteration"] for name in names], 0.6,
                  label="wall time per iteration")
    right.set_xticks(positions, names, rotation=30, ha="right", fontsize=8)
    right.set_ylabel("seconds per iteration [s]")
    right.legend(fontsize=8)
    faults = settings["faults"]
    killed = (", killed Dask workers " + "; ".join(f"{', '.join(map(str, v))} at iteration {k}"
                                                    for k, v in faults.items())) if faults else ""
    mu, alpha = settings["mu_range"], settings["alpha_range"]
    fig.suptitle(f"coded gradient descent on Dask: n = {settings['n_workers']} workers, s = "
                 f"{settings['n_stragglers']}, {settings['iterations']} iterations, learning rate "
                 f"{settings['learning_rate']:g}\ntime per computation alpha_w + Exp(mu_w), mu_w in "
                 f"[{mu[0]:g}, {mu[1]:g}] 1/s, alpha_w in [{alpha[0]:g}, {alpha[1]:g}] s{killed}"
                 + (f"; osgc deadline {settings['deadline']:g} s" if settings["deadline"] else ""), fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def check_options(args: argparse.Namespace) -> None:
    """Refuse combinations of ``distributed`` options before connecting (each names the option)."""
    if args.scheduler is None:
        refuse_options(args, {"timeout": "--timeout"}, "without --scheduler (a LocalCluster starts in this process)")
    else:
        refuse_options(args, {"threads": "--threads"}, "with --scheduler (the cluster's workers are what they are)")
    fill_defaults(args, {"timeout": DEFAULT_CONNECT_TIMEOUT, "schemes": list(DEFAULT_SCHEMES)})
    if args.stragglers >= args.workers:
        raise ParameterError(f"argument -s/--stragglers: must be < -n/--workers = {args.workers}, "
                             f"got {args.stragglers}")
    if args.delayed > args.workers:
        raise ParameterError(f"argument --delayed: at most -n/--workers = {args.workers}, got {args.delayed}")
    for low, high in (("mu_low", "mu_high"), ("alpha_low", "alpha_high")):
        if getattr(args, low) > getattr(args, high):
            raise ParameterError(f"argument --{low.replace('_', '-')}: must be <= --{high.replace('_', '-')} = "
                                 f"{getattr(args, high):g}, got {getattr(args, low):g}")
    if "osgc" in args.schemes and args.deadline is None:
        raise ParameterError("argument --schemes: osgc is an approximate code: give --deadline SECONDS")
    if "osgc" not in args.schemes and args.deadline is not None:
        raise ParameterError("argument --deadline: applies to the approximate scheme osgc only (add it to --schemes)")
    check_size("--iterations", args.iterations * args.workers, f"the delays of {args.iterations} iterations")
    if args.kill_workers:
        if args.threads:
            raise ParameterError("argument --kill-workers: not allowed with --threads (a SIGKILL would end this "
                                 "process: the workers must be processes)")
        _check_faults(args.kill_workers, args.iterations, None if args.scheduler else args.workers)
    if args.bits is not None and "osgc" not in args.schemes:
        raise ParameterError("argument --bits: quantised messages apply to the approximate 'osgc' scheme only")
    if args.tolerance > 0 and not set(args.schemes) & set(MULTI_MESSAGE_SCHEMES):
        raise ParameterError(f"argument --tolerance: partial recovery applies to the multi-message schemes "
                             f"({', '.join(MULTI_MESSAGE_SCHEMES)}); none of --schemes is one")
    if args.plot:
        check_plot_output("--plot", args.plot, figures_json=True)
    try:
        model = worker_model(args.workers, (args.mu_low, args.mu_high), (args.alpha_low, args.alpha_high), 0)
        build_codes(args.schemes, args.workers, args.stragglers, model, args.deadline, args.seed)
    except ParameterError as error:
        raise ParameterError(f"argument --schemes: {error}") from None


def _check_faults(faults: dict, iterations: int, n_dask_workers: int | None) -> None:
    """Refuse a ``--kill-workers`` iteration past the run or a worker index past the cluster's workers."""
    for iteration, indices in faults.items():
        if iteration >= iterations:
            raise ParameterError(f"argument --kill-workers: iteration {iteration} is past the run's last iteration "
                                 f"{iterations - 1} (iterations are numbered from 0)")
        if n_dask_workers is not None and max(indices) >= n_dask_workers:
            raise ParameterError(f"argument --kill-workers: Dask worker {max(indices)} does not exist: the cluster "
                                 f"has {n_dask_workers} (numbered from 0)")


def scheduler_option(text: str) -> str:
    """An argparse ``type``: a Dask scheduler address
    (:func:`~codedml.cluster.connection.scheduler_address_text`)."""
    from codedml.cluster.connection import scheduler_address_text

    try:
        return scheduler_address_text(text)
    except ParameterError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def schemes_option(text: str) -> list[str]:
    """An argparse ``type``: comma-separated distinct names of :data:`SCHEMES`."""
    names = [name.strip() for name in text.split(",")]
    unknown = [name for name in names if name not in SCHEMES]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown scheme {unknown[0]!r}; choose from {', '.join(SCHEMES)}")
    if len(set(names)) != len(names):
        raise argparse.ArgumentTypeError(f"schemes must be distinct, got {text!r}")
    return names


def fault_option(text: str) -> tuple[int, list[int]]:
    """An argparse ``type``: ``ITERATION:I[,J...]``, an iteration and distinct Dask worker indices (>= 0)."""
    iteration, colon, indices = text.partition(":")
    try:
        if not colon:
            raise ValueError
        at = int(iteration)
        victims = [int(index) for index in indices.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be ITERATION:WORKER[,WORKER...] (e.g. 3:1,4), got {text!r}") from None
    if at < 0 or min(victims) < 0 or len(set(victims)) != len(victims):
        raise argparse.ArgumentTypeError(f"the iteration and the Dask worker indices must be >= 0 and the indices "
                                         f"distinct, got {text!r}")
    return at, victims


class FaultsAction(argparse.Action):
    """Collects repeated ``--kill-workers`` values into ``{iteration: [indices]}``, one entry an iteration."""

    def __call__(self, parser, namespace, values, option_string=None):
        faults = dict(getattr(namespace, self.dest) or {})
        iteration, victims = values
        if iteration in faults:
            parser.error(f"argument --kill-workers: iteration {iteration} is given twice (list its workers once: "
                         f"{iteration}:I,J)")
        faults[iteration] = victims
        setattr(namespace, self.dest, faults)


#: What Dask logs when a worker process dies (scheduler, nanny): expected here, since the master keeps every
#: partition, places it again and counts the loss as an erasure (the table's ``lost`` column).
EXPECTED_LOSS_LOGS = ("caused the cluster to lose scattered data", "caused the cluster to lose already computed",
                      "Restarting worker")


class ExpectedLossFilter(logging.Filter):
    """Drops the Dask log records of :data:`EXPECTED_LOSS_LOGS`; everything else passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not any(text in message for text in EXPECTED_LOSS_LOGS)


@contextlib.contextmanager
def expected_losses_quiet():
    """Within the block, the scheduler's and nannies' records of lost workers are not printed."""
    loggers = [logging.getLogger(name) for name in ("distributed.scheduler", "distributed.nanny")]
    quiet = ExpectedLossFilter()
    for logger in loggers:
        logger.addFilter(quiet)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(quiet)


def command(args: argparse.Namespace) -> int:
    """``codedml distributed``: connect (or start a LocalCluster), run, print the tables, plot if asked."""
    check_options(args)
    with expected_losses_quiet():
        return _command(args)


def _command(args: argparse.Namespace) -> int:
    from codedml.cluster import connect, live_workers

    try:
        client = connect(args.scheduler, n_workers=args.workers, processes=not args.threads, timeout=args.timeout)
    except ClusterError as error:
        raise ClusterError(f"argument --scheduler: {error}") from None
    started = time.perf_counter()
    try:
        if args.kill_workers and args.scheduler:
            _check_faults(args.kill_workers, args.iterations, len(live_workers(client)))
        prepare_kernels(args.quiet)
        results = run(client, args.workers, args.stragglers, args.iterations, args.delayed, args.delay,
                      args.learning_rate, args.seed, progress=not args.quiet, schemes=args.schemes,
                      mu_range=(args.mu_low, args.mu_high), alpha_range=(args.alpha_low, args.alpha_high),
                      deadline=args.deadline, faults=args.kill_workers, trace=args.trace,
                      check_simulator=args.check_simulator, replacement_timeout=args.replacement_timeout,
                      tolerance=args.tolerance, bits=args.bits)
    finally:
        client.close()
        if args.scheduler is None:
            client.cluster.close()
    where = args.scheduler or f"a LocalCluster of {args.workers} worker {'threads' if args.threads else 'processes'}"
    print(f"coded gradient descent on {where}: n = {args.workers}, s = {args.stragglers}, {args.iterations} "
          f"iterations, time per computation alpha_w + Exp(mu_w) s with mu_w ~ U({args.mu_low:g}, {args.mu_high:g}) "
          f"1/s, alpha_w ~ U({args.alpha_low:g}, {args.alpha_high:g}) s ({time.perf_counter() - started:.0f} s)")
    print(format_table(results))
    if args.trace:
        print(f"trace written to {args.trace}")
    if args.plot:
        plot(results, args.plot)
        print(f"plot written to {args.plot}, figures to {write_figures_json(args.plot, results)}")
    return 1 if any(row["error"] for row in results["schemes"].values()) else 0


def add_parser(subparsers) -> None:
    """Add the ``distributed`` subcommand to an argparse ``subparsers`` object."""
    positive = real_option(minimum=0.0, open_minimum=True)
    command_parser = subparsers.add_parser(
        "distributed", help="every scheme family on a Dask cluster (LocalCluster by default), faults, traces",
        description="Softmax regression on the digits data with n coded workers as Dask tasks under emulated "
                    "heterogeneous shifted-exponential times per computation; the master decodes from the first "
                    "decodable messages (approximate codes: what arrived by the deadline). Schemes: "
                    + "; ".join(f"{name} = {what}" for name, what in SCHEMES.items()) + ".")
    command_parser.add_argument("--scheduler", metavar="ADDRESS", type=scheduler_option,
                                help="Dask scheduler address [scheme://]host:port (default: start a LocalCluster of "
                                     "n worker processes, one thread each)")
    command_parser.add_argument("--timeout", type=positive,
                                help=f"seconds to wait for the scheduler at --scheduler "
                                     f"(default {DEFAULT_CONNECT_TIMEOUT:g})")
    command_parser.add_argument("--threads", action="store_true",
                                help="LocalCluster workers as threads of this process (starts faster; no "
                                     "--kill-workers)")
    command_parser.add_argument("--schemes", type=schemes_option,
                                help=f"comma-separated, from {', '.join(SCHEMES)} "
                                     f"(default {','.join(DEFAULT_SCHEMES)})")
    command_parser.add_argument("-n", "--workers", type=integer_option(minimum=1), default=6,
                                help="coded workers n = partitions = Dask workers of the LocalCluster (default 6)")
    command_parser.add_argument("-s", "--stragglers", type=integer_option(minimum=0), default=2,
                                help="stragglers tolerated s < n; computation load s + 1 (default 2)")
    command_parser.add_argument("--iterations", type=integer_option(minimum=1), default=20,
                                help="gradient steps (default 20)")
    command_parser.add_argument("--mu-low", type=positive, default=10.0,
                                help="mu_w ~ U(mu-low, mu-high) 1/s per computation (default 10)")
    command_parser.add_argument("--mu-high", type=positive, default=40.0, help="(default 40)")
    command_parser.add_argument("--alpha-low", type=real_option(minimum=0.0), default=0.04,
                                help="alpha_w ~ U(alpha-low, alpha-high) s per computation (default 0.04)")
    command_parser.add_argument("--alpha-high", type=real_option(minimum=0.0), default=0.08, help="(default 0.08)")
    command_parser.add_argument("--delayed", type=integer_option(minimum=0), default=0,
                                help="random workers per iteration slowed by --delay, at most n (default 0)")
    command_parser.add_argument("--delay", type=real_option(minimum=0.0), default=0.3,
                                help="their extra seconds per computation (default 0.3)")
    command_parser.add_argument("--deadline", type=positive,
                                help="seconds after which the master decodes what arrived (osgc only; required "
                                     "with it)")
    command_parser.add_argument("--bits", type=integer_option(minimum=2, maximum=MAX_BITS),
                                help=f"bits per coordinate (2 to {MAX_BITS}) of every osgc worker's quantised message "
                                     "(default: unquantised)")
    command_parser.add_argument("--tolerance", type=real_option(minimum=0.0, maximum=1.0, open_maximum=True),
                                default=0.0,
                                help="tolerance ratio (M - M')/M of the multi-message schemes: stop at partial "
                                     "recovery of M' = M - floor(tolerance M) partitions (default 0: all)")
    command_parser.add_argument("--kill-workers", metavar="ITER:I[,J...]", type=fault_option, action=FaultsAction,
                                help="SIGKILL Dask workers I, J (positions in the sorted addresses of the workers "
                                     "live when each scheme's run starts; one already killed is skipped) right after "
                                     "iteration ITER is submitted, in every scheme's run; repeatable")
    command_parser.add_argument("--replacement-timeout", type=real_option(minimum=0.0),
                                default=DEFAULT_REPLACEMENT_TIMEOUT,
                                help="seconds to wait for replacements of lost workers when the survivors cannot "
                                     f"decode (default {DEFAULT_REPLACEMENT_TIMEOUT:g})")
    command_parser.add_argument("--learning-rate", "--lr", type=positive, default=4.0, help="step size (default 4)")
    command_parser.add_argument("--seed", type=integer_option(minimum=0), default=0, help="random seed (default 0)")
    command_parser.add_argument("--trace", metavar="FILE.jsonl", type=output_file,
                                help="write every scheme's timing trace (JSON lines, codedml.sim.traces format)")
    command_parser.add_argument("--check-simulator", action="store_true",
                                help="fit a per-worker shifted exponential to each scheme's trace and compare the "
                                     "simulated E[T] with the measured one")
    command_parser.add_argument("--plot", metavar="FILE.png", type=plot_file,
                                help="save loss against wall-clock time and seconds per iteration (and FILE.json)")
    add_quiet_option(command_parser)
    command_parser.set_defaults(handler=command)
