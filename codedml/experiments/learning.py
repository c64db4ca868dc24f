"""The ``codedml allocate`` and ``codedml train`` commands (seed Figs. 1-3 in spirit).

``allocate``: the objective ``U(b) = sum_i (1 - p_i) / (p_i + omega(b_i))`` reached by DP, the
low-complexity algorithm, greedy and the rounded continuous relaxation, against the total
budget ``B``, for ``n`` in {10, 50} (seed Fig. 1).

``train``: training loss against iterations and against cumulative transmitted bits for the
joint design (:class:`~codedml.codes.gradient.approximate.OptimallyStructuredGC` with bits from
:func:`~codedml.learn.bit_allocation.allocate_bits`) and every baseline at equal bits ``B / n``
(OSGC, IS-SGD, BGC, SGC, EHD, OD), plus centralised SGD, on scikit-learn's digits (or the
synthetic generator). Straggler probabilities follow the delay model
``p_i = exp(-mu_i (tau - 1))``, ``mu_i ~ U(mu_low, mu_high)``, drawn per seed.

``omega_scale`` (the ``s`` of ``omega(b) = s / (2^(b-1) - 1)^2``) is either ``"qsgd"``
(``D / 4``, the QSGD worst-case bound), ``"balanced"`` (seed section V-B: ``s`` such that
``omega(B / n) = mean(p)``, i.e. ``s = mean(p) (2^(B/n - 1) - 1)^2``, balancing quantization
against straggling at the equal allocation) or a positive number.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np
from tqdm import tqdm

from codedml import _validation as validation
from codedml.codes.gradient.approximate import (
    BernoulliGC,
    ErasureHeadGC,
    IgnoreStragglersSGD,
    OptimalDecodingGC,
    OptimallyStructuredGC,
    StochasticGC,
)
from codedml.errors import ParameterError
from codedml.learn.bit_allocation import ALLOCATION_METHODS, allocate_bits, allocation_objective
from codedml.learn.models import (
    OneHiddenLayerMLP,
    SoftmaxRegression,
    load_digits_data,
    partition_data,
    synthetic_classification,
)
from codedml.learn.quantize import MAX_BITS
from codedml.learn.quantize import omega_scale as qsgd_omega_scale
from codedml.learn.training import OPTIMIZERS, second_moment_decoder, train_centralized, train_coded
from codedml.experiments.plotting import pyplot
from codedml.sim.probabilities import exponential_straggler_probabilities

#: Computation load of the baselines (seed section VI: "about 2").
BASELINE_REPLICATION = 2

#: Monte Carlo survivor sets calibrating OD's unbiasedness in the train command.
OD_CALIBRATION_DRAWS = 4000

#: Samples of each ``train`` data set (scikit-learn's digits; the synthetic generator's setting).
DATASET_SAMPLES = {"digits": 1797, "synthetic": 2000}

#: Order of the schemes in tables, plots and the JSON.
TRAINING_SCHEMES = ("joint", "osgc-equal", "is-sgd", "bgc", "sgc", "ehd", "od")


def draw_straggler_probabilities(n_workers: int, deadline: float, rate_range: tuple[float, float],
                                 rng: np.random.Generator) -> np.ndarray:
    """``p_i = exp(-mu_i (tau - 1))`` with ``mu_i ~ U(rate_range)`` (the seed's delay model)."""
    low, high = rate_range
    if not 0 < low <= high:
        raise ParameterError(f"the rate range must satisfy 0 < mu_low <= mu_high, got ({low}, {high})")
    return exponential_straggler_probabilities(rng.uniform(low, high, int(n_workers)), deadline)


def resolve_omega_scale(spec, probabilities: np.ndarray, budget: int, dimension: int) -> float:
    """``s`` from ``"qsgd"``, ``"balanced"`` or a positive number (see the module docstring)."""
    if spec == "qsgd":
        return qsgd_omega_scale(dimension)
    if spec == "balanced":
        return float(np.mean(probabilities) * (2.0 ** (budget / probabilities.size - 1.0) - 1.0) ** 2)
    try:
        value = float(spec)
    except (TypeError, ValueError):
        raise ParameterError(f"omega scale must be 'qsgd', 'balanced' or a positive number, got {spec!r}") from None
    if not np.isfinite(value) or value <= 0:
        raise ParameterError(f"omega scale must be positive, got {spec!r}")
    return value


# ---- allocate -------------------------------------------------------------------------------------
def allocation_curves(n_workers: int, budgets, deadline: float, rate_range: tuple[float, float], scale: float,
                      seed: int) -> dict[str, np.ndarray]:
    """``U(b)`` of every allocation method at each budget, for one draw of ``p`` (seed Fig. 1)."""
    probabilities = draw_straggler_probabilities(n_workers, deadline, rate_range, np.random.default_rng(seed))
    return {method: np.array([allocation_objective(probabilities, allocate_bits(probabilities, int(budget), scale,
                                                                                method), scale)
                              for budget in budgets])
            for method in ALLOCATION_METHODS}


def check_allocate_options(args: argparse.Namespace) -> None:
    """Refuse option combinations of ``allocate`` that no single option type can see (before any work)."""
    from codedml.cli import check_size

    if args.mu_low > args.mu_high:
        raise ParameterError(f"argument --mu-low: must be <= --mu-high = {args.mu_high:g}, got {args.mu_low:g}")
    check_size("--factor-step", int((args.max_factor - 2.0) / args.factor_step) + 1,
               f"the budget grid from 2 to {args.max_factor:g} in steps of {args.factor_step:g}")


def run_allocate(args: argparse.Namespace) -> int:
    check_allocate_options(args)
    factors = np.arange(2.0, args.max_factor + 1e-9, args.factor_step)
    results = {}
    for n in args.workers:
        budgets = np.unique(np.round(factors * n).astype(np.int64))
        results[n] = (budgets, allocation_curves(n, budgets, args.tau, (args.mu_low, args.mu_high),
                                                 args.omega_scale, args.seed))
    print(f"objective U(b) = sum_i (1 - p_i) / (p_i + s / (2^(b_i - 1) - 1)^2), s = {args.omega_scale}, "
          f"tau = {args.tau}, mu ~ U({args.mu_low}, {args.mu_high}), seed = {args.seed}")
    methods = list(ALLOCATION_METHODS)
    for n, (budgets, curves) in results.items():
        header = f"{'n':>4}{'B':>6}{'B/n':>6}" + "".join(f"{m:>16}" for m in methods) + f"{'low-cx/DP':>11}"
        print(header)
        print("-" * len(header))
        for index, budget in enumerate(budgets):
            values = [curves[m][index] for m in methods]
            ratio = curves["low-complexity"][index] / curves["dp"][index]
            print(f"{n:>4}{budget:>6}{budget / n:>6.1f}" + "".join(f"{v:>16.5f}" for v in values) + f"{ratio:>11.5f}")
    if args.plot:
        save_allocation_plot(args.plot, results)
        print(f"plot written to {args.plot}")
    return 0


def save_allocation_plot(path: str, results) -> None:
    """One panel per ``n``: objective against ``B / n`` for every method."""
    plt = pyplot()

    fig, axes = plt.subplots(1, len(results), figsize=(5 * len(results), 4), squeeze=False)
    markers = {"dp": "o", "low-complexity": "x", "greedy": "s", "relaxation": "^"}
    for axis, (n, (budgets, curves)) in zip(axes[0], results.items()):
        for method, values in curves.items():
            axis.plot(budgets / n, values, marker=markers.get(method, "."), fillstyle="none", label=method)
        axis.set_xlabel("bit budget B / n")
        axis.set_ylabel("objective U(b)")
        axis.set_title(f"n = {n}")
        axis.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


# ---- train ----------------------------------------------------------------------------------------
def build_model(name: str, n_features: int, n_classes: int, hidden: int, l2: float):
    """``"softmax"`` or ``"mlp"`` (one ``tanh`` hidden layer of width ``hidden``)."""
    if name == "softmax":
        return SoftmaxRegression(n_features, n_classes, l2)
    if name == "mlp":
        return OneHiddenLayerMLP(n_features, hidden, n_classes, l2)
    raise ParameterError(f"unknown model {name!r}; choose 'softmax' or 'mlp'")


def load_dataset(name: str, rng: np.random.Generator):
    """``"digits"`` (scikit-learn's bundled set) or ``"synthetic"`` (2000 samples, 20 features, 5 classes)."""
    if name == "digits":
        return load_digits_data()
    if name == "synthetic":
        return synthetic_classification(DATASET_SAMPLES["synthetic"], 20, 5, rng)
    raise ParameterError(f"unknown dataset {name!r}; choose 'digits' or 'synthetic'")


def training_schemes(probabilities: np.ndarray, budget: int, scale: float, seed: int, schemes=TRAINING_SCHEMES,
                     allocation: str = "dp"):
    """``name -> (code, bits)`` for the joint design and the baselines at equal bits ``B / n``.

    ``B / n`` must be an integer for the equal allocation (every baseline sends the same bits).
    """
    n = probabilities.size
    if budget < 2 * n:
        raise ParameterError(f"budget B={budget} is below 2 n = {2 * n}: every worker needs at least 2 bits")
    if budget % n:
        raise ParameterError(f"the baselines' equal allocation needs n | B; got B={budget}, n={n}")
    equal = np.full(n, budget // n, dtype=np.int64)

    def joint_design():
        bits = allocate_bits(probabilities, budget, scale, allocation)
        return OptimallyStructuredGC(probabilities, bits, omega_scale=scale), bits

    builders = {
        "joint": joint_design,
        "osgc-equal": lambda: (OptimallyStructuredGC(probabilities), equal),
        "is-sgd": lambda: (IgnoreStragglersSGD(probabilities), equal),
        "bgc": lambda: (BernoulliGC(probabilities, BASELINE_REPLICATION, seed=seed), equal),
        "sgc": lambda: (StochasticGC(probabilities, BASELINE_REPLICATION), equal),
        "ehd": lambda: (ErasureHeadGC(probabilities, BASELINE_REPLICATION), equal),
        "od": lambda: (OptimalDecodingGC(probabilities, BASELINE_REPLICATION, seed=seed,
                                         calibration_draws=OD_CALIBRATION_DRAWS), equal),
    }
    unknown = set(schemes) - set(builders)
    if unknown:
        raise ParameterError(f"unknown schemes {sorted(unknown)}; choose from {list(builders)}")
    return {name: builders[name]() for name in schemes}


def training_experiment(n_workers: int = 20, budget: int | None = None, iterations: int = 200, seeds=range(5),
                        model: str = "softmax", hidden: int = 32, optimizer: str = "sgd",
                        learning_rate: float = 8.0, deadline: float = 1.5, rate_range=(0.1, 2.0),
                        omega_scale="balanced", dataset: str = "digits", l2: float = 0.0,
                        schemes=TRAINING_SCHEMES, centralized: bool = True, error_feedback: bool = False,
                        two_track: bool = True, bias_weight: float = 1.0, allocation: str = "dp",
                        progress: bool = False) -> dict:
    """Run every scheme for every seed; return the curves (see :func:`run_train` for the JSON layout).

    Per seed: one draw of ``p`` and of the data partition, one initial ``theta``
    shared by every scheme, and the same random stream for every scheme's quantization and
    straggler draws. With ``error_feedback`` every baseline also runs with EF (``"<name>+ef"``).
    With Adam and ``two_track`` the joint design decodes its second moment with
    :func:`~codedml.learn.training.second_moment_decoder` (``lambda_b = bias_weight``).
    """
    n_workers = validation.integer(n_workers, "n_workers", minimum=1)
    budget = 3 * n_workers if budget is None else validation.integer(budget, "budget", minimum=1)
    iterations = validation.integer(iterations, "iterations", minimum=1)
    seeds = [int(s) for s in validation.integer_array(seeds, "seeds", ndim=1, minimum=0)]
    if not seeds:
        raise ParameterError("give at least one seed")
    names = (["sgd"] if centralized else []) + list(schemes)
    if error_feedback:
        names += [f"{name}+ef" for name in schemes if name != "joint"]
    curves = {name: {"loss": [], "bits": []} for name in names}
    details = {}
    bar = tqdm(total=len(seeds) * len(names) * iterations, desc="train", disable=not (progress and sys.stderr.isatty()))
    for seed in seeds:
        rng = np.random.default_rng(seed)
        probabilities = draw_straggler_probabilities(n_workers, deadline, rate_range, rng)
        features, labels = load_dataset(dataset, rng)
        data = partition_data(features, labels, n_workers, rng)
        net = build_model(model, data.n_features, data.n_classes, hidden, l2)
        scale = resolve_omega_scale(omega_scale, probabilities, budget, net.n_parameters)
        initial = net.initial_parameters(rng)
        codes = training_schemes(probabilities, budget, scale, seed, schemes, allocation)
        details[seed] = {"p": probabilities.tolist(), "omega_scale": scale,
                         "joint_bits": codes["joint"][1].tolist() if "joint" in codes else None}
        for name in names:
            run_rng = np.random.default_rng([seed, 1])
            if name == "sgd":
                result = train_centralized(net, data, iterations, learning_rate, run_rng, optimizer, initial, bar)
            else:
                code, bits = codes[name.removesuffix("+ef")]
                second = None
                if name == "joint" and optimizer == "adam" and two_track:
                    second = second_moment_decoder(code, bits, scale, bias_weight)
                result = train_coded(net, data, code, bits, iterations, learning_rate, run_rng, optimizer, second,
                                     name.endswith("+ef"), initial, bar)
            curves[name]["loss"].append(result.loss)
            curves[name]["bits"].append(result.transmitted_bits)
    bar.close()
    return {"curves": {name: {key: np.array(values) for key, values in curve.items()}
                       for name, curve in curves.items()},
            "seeds": details}


def _finite_or_none(values: np.ndarray) -> list:
    return [float(v) if np.isfinite(v) else None for v in np.asarray(values, dtype=np.float64)]


#: Defaults of the ``train`` options refused where they are ignored (``None`` means not given).
TRAIN_DEFAULTS = {"hidden": 32, "bias_weight": 1.0}


def check_train_options(args: argparse.Namespace) -> None:
    """Refuse options ``train`` would ignore and combinations of options it cannot run; fill in the defaults."""
    from codedml.cli import fill_defaults, refuse_options

    if args.model != "mlp":
        refuse_options(args, {"hidden": "--hidden"}, f"with --model {args.model} (only the MLP has a hidden layer)")
    if args.optimizer != "adam":
        refuse_options(args, {"no_two_track": "--no-two-track", "bias_weight": "--bias-weight"},
                       f"with --optimizer {args.optimizer} (the two-track decoder is Adam's)")
    elif args.no_two_track:
        refuse_options(args, {"bias_weight": "--bias-weight"}, "with --no-two-track (it weighs the two-track decoder)")
    fill_defaults(args, TRAIN_DEFAULTS)
    if args.workers % BASELINE_REPLICATION:
        raise ParameterError(f"argument -n/--workers: the baselines of load {BASELINE_REPLICATION} (ErasureHead "
                             f"groups) need a multiple of {BASELINE_REPLICATION} workers, got {args.workers}")
    samples = DATASET_SAMPLES[args.dataset]
    if args.workers > samples:
        raise ParameterError(f"argument -n/--workers: at most {samples} workers for the {samples} samples of "
                             f"{args.dataset}, got {args.workers}")
    budget = 3 * args.workers if args.budget is None else args.budget
    if budget < 2 * args.workers:
        raise ParameterError(f"argument -B/--budget: B={budget} is below 2 n = {2 * args.workers}: every worker "
                             f"needs at least 2 bits")
    if budget > MAX_BITS * args.workers:
        raise ParameterError(f"argument -B/--budget: B={budget} is above {MAX_BITS} n = {MAX_BITS * args.workers}: "
                             f"a worker sends at most {MAX_BITS} bits per coordinate")
    if budget % args.workers:
        raise ParameterError(f"argument -B/--budget: the baselines' equal allocation needs n | B; got B={budget}, "
                             f"n={args.workers}")
    if args.mu_low > args.mu_high:
        raise ParameterError(f"argument --mu-low: must be <= --mu-high = {args.mu_high:g}, got {args.mu_low:g}")


def run_train(args: argparse.Namespace) -> int:
    check_train_options(args)
    budget = 3 * args.workers if args.budget is None else args.budget
    start = time.perf_counter()
    outcome = training_experiment(
        n_workers=args.workers, budget=budget, iterations=args.iterations,
        seeds=range(args.seed, args.seed + args.seeds),
        model=args.model, hidden=args.hidden, optimizer=args.optimizer, learning_rate=args.learning_rate,
        deadline=args.tau, rate_range=(args.mu_low, args.mu_high), omega_scale=args.omega_scale,
        dataset=args.dataset, l2=args.l2, error_feedback=args.error_feedback, two_track=not args.no_two_track,
        bias_weight=args.bias_weight, progress=True)
    seconds = time.perf_counter() - start
    curves = outcome["curves"]
    print(f"{args.dataset}, {args.model}, {args.optimizer} lr={args.learning_rate}, n={args.workers}, B={budget} "
          f"({budget / args.workers:g} bits/worker), tau={args.tau}, mu ~ U({args.mu_low}, {args.mu_high}), "
          f"omega scale {args.omega_scale}, {args.iterations} iterations, {args.seeds} seeds from {args.seed}")
    header = f"{'scheme':<16}{'final loss':>12}{'std':>10}{'min':>10}{'max':>10}{'Mbit sent':>12}  diverged"
    print(header)
    print("-" * len(header))
    for name, curve in curves.items():
        final = curve["loss"][:, -1]
        finite = final[np.isfinite(final)]
        stats = (np.mean(finite), np.std(finite), np.min(finite), np.max(finite)) if finite.size else (np.inf,) * 4
        print(f"{name:<16}" + "".join(f"{v:>12.5f}" if i == 0 else f"{v:>10.5f}" for i, v in enumerate(stats))
              + f"{np.mean(curve['bits'][:, -1]) / 1e6:>12.3f}  {final.size - finite.size}/{final.size}")
    print(f"{seconds:.1f} s")
    if args.json:
        payload = {
            "settings": {key: value for key, value in vars(args).items() if key not in ("run", "plot", "json")}
            | {"budget": budget, "bits_counted": "answering workers only, 32 + D b_i per message"},
            "seeds": {str(seed): detail for seed, detail in outcome["seeds"].items()},
            "schemes": {name: {"loss_mean": _finite_or_none(np.mean(curve["loss"], axis=0)),
                               "loss_std": _finite_or_none(np.std(curve["loss"], axis=0)),
                               "bits_mean": np.mean(curve["bits"], axis=0).tolist(),
                               "final_loss": _finite_or_none(curve["loss"][:, -1])}
                        for name, curve in curves.items()},
        }
        with open(args.json, "w") as handle:
            json.dump(payload, handle)
        print(f"curves written to {args.json}")
    if args.plot:
        save_training_plot(args.plot, curves)
        print(f"plot written to {args.plot}")
    return 0


def save_training_plot(path: str, curves) -> None:
    """Mean training loss (band: min..max over seeds) against iterations and against transmitted bits."""
    plt = pyplot()

    fig, (by_iteration, by_bits) = plt.subplots(1, 2, figsize=(12, 4.5))
    for name, curve in curves.items():
        with np.errstate(invalid="ignore"):
            mean = np.mean(curve["loss"], axis=0)
        steps = np.arange(mean.size)
        line, = by_iteration.plot(steps, mean, label=name, linestyle="--" if name == "sgd" else "-")
        by_iteration.fill_between(steps, curve["loss"].min(axis=0), curve["loss"].max(axis=0),
                                  color=line.get_color(), alpha=0.15)
        if name != "sgd":
            by_bits.plot(np.mean(curve["bits"], axis=0), mean, label=name, color=line.get_color())
    by_iteration.set_xlabel("iteration")
    by_bits.set_xlabel("transmitted bits (received by the master)")
    for axis in (by_iteration, by_bits):
        axis.set_ylabel("training loss")
        axis.set_yscale("log")
        axis.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def omega_scale_option(text: str):
    """An argparse ``type``: ``balanced``, ``qsgd`` or a positive number."""
    if text in ("balanced", "qsgd"):
        return text
    try:
        resolve_omega_scale(text, np.ones(1), 2, 1)
    except ParameterError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def register_commands(subparsers) -> None:
    """Add the ``allocate`` and ``train`` subcommands to an argparse ``subparsers`` object."""
    from codedml.cli import integer_list_option, integer_option, output_file, plot_file, real_option

    positive = real_option(minimum=0.0, open_minimum=True)
    allocate = subparsers.add_parser(
        "allocate", help="bit allocation objective vs budget: DP, low-complexity, greedy, relaxation",
        description="Seed Fig. 1: the objective U(b) = sum_i (1 - p_i) / (p_i + omega(b_i)) reached by dynamic "
                    "programming (optimal), the low-complexity algorithm, greedy and the rounded continuous "
                    "relaxation, for budgets B from 2n to max-factor * n; p_i = exp(-mu_i (tau - 1)).")
    allocate.add_argument("-n", "--workers", type=integer_list_option(minimum=1), default=[10, 50],
                          help="comma-separated worker counts (default 10,50)")
    allocate.add_argument("--max-factor", type=real_option(minimum=2.0, maximum=MAX_BITS), default=8.0,
                          help=f"largest budget B / n, in [2, {MAX_BITS}] (default 8)")
    allocate.add_argument("--factor-step", type=positive, default=0.5, help="step of B / n (default 0.5)")
    allocate.add_argument("--omega-scale", type=positive, default=50.0,
                          help="s in omega(b) = s / (2^(b-1) - 1)^2 (default 50)")
    allocate.add_argument("--tau", type=real_option(minimum=1.0, open_minimum=True), default=1.5,
                          help="deadline tau > 1 (default 1.5)")
    allocate.add_argument("--mu-low", type=positive, default=0.1, help="mu_i ~ U(mu-low, mu-high) (default 0.1)")
    allocate.add_argument("--mu-high", type=positive, default=2.0, help="(default 2)")
    allocate.add_argument("--seed", type=integer_option(minimum=0), default=0, help="seed of the mu draw (default 0)")
    allocate.add_argument("--plot", metavar="FILE.png", type=plot_file, help="save the objective-vs-budget plot")
    allocate.set_defaults(run=run_allocate)

    train = subparsers.add_parser(
        "train", help="coded training: joint design vs baselines, loss vs iterations and vs transmitted bits",
        description="Seed Figs. 2-3 in spirit: train on scikit-learn's digits with n workers, budget B bits per "
                    "coordinate; the joint design (optimal structure + allocated bits) against OSGC with equal "
                    "bits, IS-SGD, BGC, SGC, EHD, OD (equal bits B/n, load 2) and centralised SGD.")
    train.add_argument("-n", "--workers", type=integer_option(minimum=2), default=20,
                       help="workers n = partitions k, even (default 20)")
    train.add_argument("-B", "--budget", type=integer_option(minimum=1), default=None,
                       help="total bits per coordinate, a multiple of n and >= 2n (default 3n)")
    train.add_argument("--iterations", type=integer_option(minimum=1), default=200, help="iterations (default 200)")
    train.add_argument("--seeds", type=integer_option(minimum=1), default=5,
                       help="number of seeds averaged (default 5)")
    train.add_argument("--seed", type=integer_option(minimum=0), default=0, help="first seed (default 0)")
    train.add_argument("--dataset", choices=("digits", "synthetic"), default="digits", help="(default digits)")
    train.add_argument("--model", choices=("softmax", "mlp"), default="softmax", help="(default softmax)")
    train.add_argument("--hidden", type=integer_option(minimum=1), help="hidden width of the MLP (default 32)")
    train.add_argument("--l2", type=real_option(minimum=0.0), default=0.0, help="l2 regularisation weight (default 0)")
    train.add_argument("--optimizer", choices=OPTIMIZERS, default="sgd", help="(default sgd)")
    train.add_argument("--learning-rate", "--lr", type=positive, default=8.0,
                       help="step size (default 8, for SGD on the mean loss of softmax/digits; ~0.01 for Adam)")
    train.add_argument("--tau", type=real_option(minimum=1.0, open_minimum=True), default=1.5,
                       help="deadline tau > 1; p_i = exp(-mu_i (tau - 1)) (default 1.5)")
    train.add_argument("--mu-low", type=positive, default=0.1, help="mu_i ~ U(mu-low, mu-high) (default 0.1)")
    train.add_argument("--mu-high", type=positive, default=2.0, help="(default 2)")
    train.add_argument("--omega-scale", type=omega_scale_option, default="balanced",
                       help="s of omega(b) for the joint design: 'balanced' (omega(B/n) = mean p, seed V-B), "
                            "'qsgd' (D/4) or a number (default balanced)")
    train.add_argument("--error-feedback", action="store_true", help="also run every baseline with error feedback")
    train.add_argument("--no-two-track", action="store_true",
                       help="Adam: decode the joint design's second moment with the unbiased decoder too")
    train.add_argument("--bias-weight", type=positive,
                       help="Adam: lambda_b of the two-track decoder (default 1: the MMSE decoder)")
    train.add_argument("--plot", metavar="FILE.png", type=plot_file, help="save loss vs iteration and vs bits")
    train.add_argument("--json", metavar="FILE.json", type=output_file, help="save the curves as JSON")
    train.set_defaults(run=run_train)
