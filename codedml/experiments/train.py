"""The ``codedml train`` command: coded training, the joint design against the baselines (seed Figs. 2-3 in spirit).

Training loss against iterations and against cumulative transmitted bits for the joint design
(:class:`~codedml.codes.gradient.approximate.OptimallyStructuredGC` with bits from
:func:`~codedml.learn.bit_allocation.allocate_bits`) and every baseline at equal bits ``B / n``
(OSGC, IS-SGD, BGC, SGC, EHD, OD), plus centralised SGD, on one of scikit-learn's bundled sets
(digits, breast cancer, wine, iris; no download) or the synthetic generator, with a seeded
held-out split whose accuracy is recorded every ``evaluate_every`` iterations, full-batch or
mini-batch SGD. Straggling follows the delay model ``T_i = 1 + Exp(mu_i)``,
``mu_i ~ U(mu_low, mu_high)`` drawn per seed, so ``p_i = P(T_i > tau) = exp(-mu_i (tau - 1))``:
``timing="bernoulli"`` draws who answers from ``p_i``, ``timing="deadline"`` draws every finish
time ``T_i`` and the master decodes what arrived by ``tau`` (the same straggler realisations for
every scheme of a seed). With ``reallocate_every = R`` (deadline timing) the master does not know
``p``: every coded scheme starts from the prior ``p_i = prior_probability`` and is re-designed every
``R`` iterations from the maximum-likelihood estimate of ``p`` (bits, structure and decoding weights).

``omega_scale`` (the ``s`` of ``omega(b) = s / (2^(b-1) - 1)^2``) is either ``"qsgd"``
(``D / 4``, the QSGD worst-case bound), ``"balanced"`` (seed section V-B: ``s`` such that
``omega(B / n) = mean(p)``, i.e. ``s = mean(p) (2^(B/n - 1) - 1)^2``, balancing quantization
against straggling at the equal allocation) or a positive number.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from codedml import _validation as validation
from codedml.errors import ParameterError
from codedml.experiments.allocate import MAX_BITS
from codedml.experiments.options import (
    add_quiet_option,
    fill_defaults,
    integer_option,
    output_file,
    plot_file,
    real_option,
    refuse_options,
)
from codedml.experiments.plotting import pyplot
from codedml.experiments.progress import prepare_kernels, progress_bar

#: Computation load of the baselines (seed section VI: "about 2").
BASELINE_REPLICATION = 2

#: Monte Carlo survivor sets calibrating OD's unbiasedness in the train command.
OD_CALIBRATION_DRAWS = 4000

#: Samples of each ``train`` data set: scikit-learn's bundled sets (:data:`codedml.learn.models.BUNDLED_DATASETS`;
#: not imported, so the parser is built without loading scipy or galois; a test checks they agree) and the
#: synthetic generator's setting.
DATASET_SAMPLES = {"digits": 1797, "breast_cancer": 569, "wine": 178, "iris": 150, "synthetic": 2000}

#: Straggler timings: Bernoulli draws from ``p_i``, or finish times against the deadline.
TIMINGS = ("bernoulli", "deadline")

#: Order of the schemes in tables, plots and the JSON.
TRAINING_SCHEMES = ("joint", "osgc-equal", "is-sgd", "bgc", "sgc", "ehd", "od")

#: The optimizers of :func:`codedml.learn.training.train_coded` (not imported, so the parser is built without
#: loading the compiled kernels; a test checks they agree).
OPTIMIZERS = ("sgd", "adam")

#: Defaults of the ``train`` options refused where they are ignored (``None`` means not given).
TRAIN_DEFAULTS = {"hidden": 32, "bias_weight": 1.0, "evaluate_every": 10, "prior_p": 0.5}


def resolve_omega_scale(spec, probabilities: np.ndarray, budget: int, dimension: int) -> float:
    """``s`` from ``"qsgd"``, ``"balanced"`` or a positive number (see the module docstring)."""
    if spec == "qsgd":
        from codedml.learn.quantize import omega_scale as qsgd_omega_scale

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


def build_model(name: str, n_features: int, n_classes: int, hidden: int, l2: float):
    """``"softmax"`` or ``"mlp"`` (one ``tanh`` hidden layer of width ``hidden``)."""
    from codedml.learn.models import OneHiddenLayerMLP, SoftmaxRegression

    if name == "softmax":
        return SoftmaxRegression(n_features, n_classes, l2)
    if name == "mlp":
        return OneHiddenLayerMLP(n_features, hidden, n_classes, l2)
    raise ParameterError(f"unknown model {name!r}; choose 'softmax' or 'mlp'")


def load_dataset(name: str, rng: np.random.Generator, test_fraction: float = 0.0):
    """``(train_features, train_labels, test_features, test_labels)`` of a bundled set or ``"synthetic"``.

    Bundled: :data:`~codedml.learn.models.BUNDLED_DATASETS`; ``"synthetic"``: 2000 samples, 20
    features, 5 classes. ``test_fraction`` of the samples are held out (seeded by ``rng``); sets
    whose features span several scales are standardised with the training part's statistics.
    """
    from codedml.learn.models import (
        BUNDLED_DATASETS,
        held_out_split,
        load_bundled_dataset,
        standardize,
        synthetic_classification,
    )

    if name == "synthetic":
        features, labels = synthetic_classification(DATASET_SAMPLES["synthetic"], 20, 5, rng)
    elif name in BUNDLED_DATASETS:
        features, labels = load_bundled_dataset(name)
    else:
        raise ParameterError(f"unknown dataset {name!r}; choose one of {sorted(DATASET_SAMPLES)}")
    train_x, train_y, test_x, test_y = held_out_split(features, labels, test_fraction, rng)
    if name in BUNDLED_DATASETS and BUNDLED_DATASETS[name][2]:
        train_x, test_x = standardize(train_x, test_x)
    return train_x, train_y, test_x, test_y


def training_schemes(probabilities: np.ndarray, budget: int, scale: float, seed: int, schemes=TRAINING_SCHEMES,
                     allocation: str = "dp") -> dict:
    """``name -> (code, bits)`` for the joint design and the baselines at equal bits ``B / n``.

    ``B / n`` must be an integer for the equal allocation (every baseline sends the same bits).
    """
    from codedml.codes.gradient.approximate import (
        BernoulliGC,
        ErasureHeadGC,
        IgnoreStragglersSGD,
        OptimalDecodingGC,
        OptimallyStructuredGC,
        StochasticGC,
    )
    from codedml.learn.bit_allocation import allocate_bits

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


def run(n_workers: int = 20, budget: int | None = None, iterations: int = 200, seeds=range(5),
        model: str = "softmax", hidden: int = 32, optimizer: str = "sgd", learning_rate: float = 8.0,
        deadline: float = 1.5, rate_range=(0.1, 2.0), omega_scale="balanced", dataset: str = "digits",
        l2: float = 0.0, schemes=TRAINING_SCHEMES, centralized: bool = True, error_feedback: bool = False,
        two_track: bool = True, bias_weight: float = 1.0, allocation: str = "dp", progress: bool = False, *,
        batch_size: int | None = None, test_fraction: float = 0.2, evaluate_every: int = 10,
        timing: str = "bernoulli", reallocate_every: int | None = None, prior_probability: float = 0.5) -> dict:
    """Train every scheme for every seed.

    Per seed: one draw of the rates ``mu``, of the held-out split and of the data partition, one
    initial ``theta`` shared by every scheme, and the same random stream for every scheme's
    finish times (deadline timing), mini-batches, quantization and straggler draws. With
    ``error_feedback`` every baseline also runs with EF (``"<name>+ef"``). With Adam and
    ``two_track`` the joint design decodes its second moment with
    :func:`~codedml.learn.training.second_moment_decoder` (``lambda_b = bias_weight``).
    ``budget=None`` is ``3 n``; ``progress`` shows a bar on stderr (on a terminal).
    ``batch_size`` (samples per partition and iteration, ``None``: full batch), ``test_fraction``
    (held out; 0: no held-out accuracy), ``evaluate_every``, ``timing``, ``reallocate_every`` and
    ``prior_probability`` are described in the module docstring.

    Returns
    -------
    dict
        ``{"settings", "seeds": {seed: {"p", "omega_scale", "joint_bits", "reallocations"}}, "curves": {name:
        {"loss", "bits", "accuracy"}}, "evaluated_at", "seconds"}``: per scheme the training loss and the
        cumulative transmitted bits (one list of ``iterations + 1`` values per seed) and the held-out accuracy
        at the iterations ``evaluated_at``; ``reallocations`` lists the joint design's re-designs
        (``{"iteration", "p", "bits"}``); ``seconds`` is the wall time.
    """
    from codedml.learn.models import partition_data
    from codedml.learn.training import second_moment_decoder, train_centralized, train_coded
    from codedml.sim.fitting import deadline_straggling_probabilities
    from codedml.sim.probabilities import exponential_straggler_probabilities
    from codedml.sim.stragglers import HeterogeneousShiftedExponential

    n_workers = validation.integer(n_workers, "n_workers", minimum=1)
    budget = 3 * n_workers if budget is None else validation.integer(budget, "budget", minimum=1)
    iterations = validation.integer(iterations, "iterations", minimum=1)
    seeds = [int(s) for s in validation.integer_array(seeds, "seeds", ndim=1, minimum=0)]
    if not seeds:
        raise ParameterError("give at least one seed")
    progress = validation.flag(progress, "progress")
    test_fraction = validation.real(test_fraction, "test_fraction", minimum=0.0, maximum=1.0, open_maximum=True)
    timing = validation.choice(timing, "timing", TIMINGS)
    batch_size = validation.optional_integer(batch_size, "batch_size", minimum=1)
    evaluate_every = validation.integer(evaluate_every, "evaluate_every", minimum=1)
    reallocate_every = validation.optional_integer(reallocate_every, "reallocate_every", minimum=1)
    if reallocate_every is not None and timing != "deadline":
        raise ParameterError("reallocate_every needs timing='deadline' (the master estimates p from the deadlines "
                             "it observes)")
    prior_probability = validation.probability(prior_probability, "prior_probability", open_minimum=True,
                                               open_maximum=True)
    low, high = rate_range
    if not 0 < low <= high:
        raise ParameterError(f"the rate range must satisfy 0 < mu_low <= mu_high, got ({low}, {high})")
    names = (["sgd"] if centralized else []) + list(schemes)
    if error_feedback:
        names += [f"{name}+ef" for name in schemes if name != "joint"]
    curves = {name: {"loss": [], "bits": [], "accuracy": []} for name in names}
    details, evaluated_at = {}, []
    start = time.perf_counter()
    with progress_bar(len(seeds) * len(names) * iterations, "train", progress) as bar:
        for seed in seeds:
            rng = np.random.default_rng(seed)
            rates = rng.uniform(low, high, n_workers)
            probabilities = exponential_straggler_probabilities(rates, deadline)
            stragglers = None
            if timing == "deadline":
                stragglers = HeterogeneousShiftedExponential(rates, alpha=1.0)
                probabilities = deadline_straggling_probabilities(stragglers, 1.0, deadline)
            train_x, train_y, test_x, test_y = load_dataset(dataset, rng, test_fraction)
            held_out = (test_x, test_y) if test_y.size else None
            data = partition_data(train_x, train_y, n_workers, rng)
            net = build_model(model, data.n_features, data.n_classes, hidden, l2)
            initial = net.initial_parameters(rng)

            def design(name, p, seed=seed, dimension=net.n_parameters):
                """``(code, bits, second-moment decoder or None)`` of scheme ``name`` believing ``p``."""
                scale = resolve_omega_scale(omega_scale, p, budget, dimension)
                code, bits = training_schemes(p, budget, scale, seed, (name,), allocation)[name]
                second = None
                if name == "joint" and optimizer == "adam" and two_track:
                    second = second_moment_decoder(code, bits, scale, bias_weight)
                return code, bits, second

            believed = probabilities if reallocate_every is None else np.full(n_workers, prior_probability)
            designs = {name: design(name, believed) for name in schemes}
            details[seed] = {"p": probabilities.tolist(),
                             "omega_scale": resolve_omega_scale(omega_scale, believed, budget, net.n_parameters),
                             "joint_bits": designs["joint"][1].tolist() if "joint" in designs else None,
                             "reallocations": []}
            for name in names:
                run_rng = np.random.default_rng([seed, 1])
                options = {"batch_size": batch_size, "held_out": held_out, "evaluate_every": evaluate_every}
                if name == "sgd":
                    result = train_centralized(net, data, iterations, learning_rate, run_rng, optimizer, initial,
                                               bar, **options)
                else:
                    base = name.removesuffix("+ef")
                    code, bits, second = designs[base]
                    if timing == "deadline":
                        options |= {"stragglers": stragglers, "deadline": deadline}
                    if reallocate_every is not None:
                        options |= {"reallocate_every": reallocate_every,
                                    "redesign": lambda p, base=base: design(base, p)}
                    result = train_coded(net, data, code, bits, iterations, learning_rate, run_rng, optimizer,
                                         second, name.endswith("+ef"), initial, bar, **options)
                    if name == "joint":
                        details[seed]["reallocations"] = [
                            {"iteration": r.iteration, "p": r.probabilities.tolist(), "bits": r.bits.tolist()}
                            for r in result.reallocations]
                curves[name]["loss"].append(result.loss.tolist())
                curves[name]["bits"].append(result.transmitted_bits.tolist())
                curves[name]["accuracy"].append(result.test_accuracy.tolist())
                evaluated_at = result.evaluated_at.tolist()
    settings = {"n_workers": n_workers, "budget": budget, "iterations": iterations, "seeds": seeds, "model": model,
                "hidden": hidden, "optimizer": optimizer, "learning_rate": learning_rate, "deadline": deadline,
                "rate_range": list(rate_range), "omega_scale": omega_scale, "dataset": dataset, "l2": l2,
                "schemes": list(schemes), "centralized": centralized, "error_feedback": error_feedback,
                "two_track": two_track, "bias_weight": bias_weight, "allocation": allocation,
                "batch_size": batch_size, "test_fraction": test_fraction, "evaluate_every": evaluate_every,
                "timing": timing, "reallocate_every": reallocate_every, "prior_probability": prior_probability}
    return {"settings": settings, "seeds": details, "curves": curves, "evaluated_at": evaluated_at,
            "seconds": time.perf_counter() - start}


def _setting_text(settings: dict, separator: str = "; ") -> str:
    """The run's parameters: data and optimiser, then workers and stragglers (table header, plot title)."""
    n, budget = settings["n_workers"], settings["budget"]
    low, high = settings["rate_range"]
    batch = "full batch" if settings["batch_size"] is None else f"batch {settings['batch_size']} per partition"
    timing = "Bernoulli stragglers" if settings["timing"] == "bernoulli" else "deadline timing"
    if settings["reallocate_every"] is not None:
        timing += f", p re-estimated every {settings['reallocate_every']} it. (prior {settings['prior_probability']:g})"
    return (f"{settings['dataset']} ({settings['test_fraction']:g} held out), {settings['model']}, "
            f"{settings['optimizer']} lr = {settings['learning_rate']:g}, {batch}{separator}n = {n}, "
            f"B = {budget} bits per coordinate ({budget / n:g} per worker); tau = {settings['deadline']:g}, "
            f"mu ~ U({low:g}, {high:g}), {timing}; omega scale {settings['omega_scale']}")


def format_table(results: dict) -> str:
    """The settings line, per scheme the final loss over seeds (mean, std, min, max), the final held-out
    accuracy (mean), megabits sent and diverged runs, then the wall time."""
    settings = results["settings"]
    seeds = settings["seeds"]
    lines = [f"{_setting_text(settings)}; {settings['iterations']} iterations, {len(seeds)} seeds from {seeds[0]}"]
    header = (f"{'scheme':<16}{'final loss':>12}{'std':>10}{'min':>10}{'max':>10}{'held-out acc':>14}"
              f"{'Mbit sent':>12}  diverged")
    lines += [header, "-" * len(header)]
    for name, curve in results["curves"].items():
        final = np.asarray(curve["loss"], dtype=np.float64)[:, -1]
        finite = final[np.isfinite(final)]
        stats = (np.mean(finite), np.std(finite), np.min(finite), np.max(finite)) if finite.size else (np.inf,) * 4
        accuracy = np.asarray(curve["accuracy"], dtype=np.float64)
        held_out = "-" if accuracy.size == 0 or np.all(np.isnan(accuracy[:, -1])) else \
            f"{np.nanmean(accuracy[:, -1]):.4f}"
        lines.append(f"{name:<16}" + "".join(f"{v:>12.5f}" if i == 0 else f"{v:>10.5f}" for i, v in enumerate(stats))
                     + f"{held_out:>14}{np.mean(np.asarray(curve['bits'])[:, -1]) / 1e6:>12.3f}  "
                     f"{final.size - finite.size}/{final.size}")
    lines.append(f"{results['seconds']:.1f} s")
    return "\n".join(lines)


def plot(results: dict, path: str) -> None:
    """Mean training loss (band: min..max over seeds) against iterations and against transmitted bits, and the
    mean held-out accuracy against iterations; one legend below the panels, clear of the data (error-feedback
    runs dotted)."""
    plt = pyplot()
    settings = results["settings"]
    fig, (by_iteration, by_bits, accuracy_axis) = plt.subplots(1, 3, figsize=(16, 5.8), layout="constrained")
    colors = {}
    for name, curve in results["curves"].items():
        loss = np.asarray(curve["loss"], dtype=np.float64)
        with np.errstate(invalid="ignore"):
            mean = np.mean(loss, axis=0)
        steps = np.arange(mean.size)
        base = name.removesuffix("+ef")
        style = "--" if name == "sgd" else ":" if name.endswith("+ef") else "-"
        line, = by_iteration.plot(steps, mean, label=name, linestyle=style, color=colors.get(base))
        colors.setdefault(base, line.get_color())
        by_iteration.fill_between(steps, loss.min(axis=0), loss.max(axis=0), color=line.get_color(), alpha=0.1)
        if name != "sgd":
            by_bits.plot(np.mean(np.asarray(curve["bits"]), axis=0), mean, linestyle=style, color=line.get_color())
        accuracy = np.asarray(curve["accuracy"], dtype=np.float64)
        if accuracy.size:
            with np.errstate(invalid="ignore"):
                accuracy_axis.plot(results["evaluated_at"], np.mean(accuracy, axis=0), linestyle=style,
                                   color=line.get_color(), marker=".")
    by_iteration.set_xlabel("iteration")
    by_bits.set_xlabel("transmitted bits (received by the master) [bits]")
    for axis in (by_iteration, by_bits):
        axis.set_ylabel("training loss (cross-entropy)")
        axis.set_yscale("log")
    accuracy_axis.set_xlabel("iteration")
    accuracy_axis.set_ylabel("held-out accuracy [fraction correct]")
    if not results["evaluated_at"]:
        accuracy_axis.text(0.5, 0.5, "no held-out set (test fraction 0)", ha="center",
                           transform=accuracy_axis.transAxes)
    fig.legend(*by_iteration.get_legend_handles_labels(), loc="outside lower center", ncol=10, fontsize=8)
    fig.suptitle(f"coded training on {_setting_text(settings, chr(10))}; mean over {len(settings['seeds'])} seeds",
                 fontsize=10)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _finite_or_none(values) -> list:
    return [float(v) if np.isfinite(v) else None for v in np.asarray(values, dtype=np.float64)]


def check_options(args: argparse.Namespace) -> None:
    """Refuse options ``train`` would ignore and combinations of options it cannot run; fill in the defaults."""
    if args.model != "mlp":
        refuse_options(args, {"hidden": "--hidden"}, f"with --model {args.model} (only the MLP has a hidden layer)")
    if args.optimizer != "adam":
        refuse_options(args, {"no_two_track": "--no-two-track", "bias_weight": "--bias-weight"},
                       f"with --optimizer {args.optimizer} (the two-track decoder is Adam's)")
    elif args.no_two_track:
        refuse_options(args, {"bias_weight": "--bias-weight"}, "with --no-two-track (it weighs the two-track decoder)")
    if args.test_fraction == 0:
        refuse_options(args, {"evaluate_every": "--evaluate-every"}, "with --test-fraction 0 (nothing is held out)")
    if args.reallocate_every is None:
        refuse_options(args, {"prior_p": "--prior-p"}, "without --reallocate-every (the prior is re-allocation's)")
    elif args.timing != "deadline":
        raise ParameterError("argument --reallocate-every: needs --timing deadline (the master estimates p_i from "
                             "the deadlines it observes)")
    fill_defaults(args, TRAIN_DEFAULTS)
    if args.reallocate_every is not None and args.reallocate_every >= args.iterations:
        raise ParameterError(f"argument --reallocate-every: must be below --iterations = {args.iterations} (else no "
                             f"re-allocation happens), got {args.reallocate_every}")
    if args.workers % BASELINE_REPLICATION:
        raise ParameterError(f"argument -n/--workers: the baselines of load {BASELINE_REPLICATION} (ErasureHead "
                             f"groups) need a multiple of {BASELINE_REPLICATION} workers, got {args.workers}")
    samples = DATASET_SAMPLES[args.dataset] - int(round(args.test_fraction * DATASET_SAMPLES[args.dataset]))
    if args.workers > samples:
        raise ParameterError(f"argument -n/--workers: at most {samples} workers for the {samples} training samples "
                             f"of {args.dataset}, got {args.workers}")
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


def command(args: argparse.Namespace) -> int:
    """``codedml train``: print the table; write the plot and the JSON curves if asked."""
    check_options(args)
    prepare_kernels(args.quiet)
    budget = 3 * args.workers if args.budget is None else args.budget
    results = run(n_workers=args.workers, budget=budget, iterations=args.iterations,
                  seeds=range(args.seed, args.seed + args.seeds), model=args.model, hidden=args.hidden,
                  optimizer=args.optimizer, learning_rate=args.learning_rate, deadline=args.tau,
                  rate_range=(args.mu_low, args.mu_high), omega_scale=args.omega_scale, dataset=args.dataset,
                  l2=args.l2, error_feedback=args.error_feedback, two_track=not args.no_two_track,
                  bias_weight=args.bias_weight, progress=not args.quiet, batch_size=args.batch_size,
                  test_fraction=args.test_fraction, evaluate_every=args.evaluate_every, timing=args.timing,
                  reallocate_every=args.reallocate_every, prior_probability=args.prior_p)
    print(format_table(results))
    if args.json:
        options = {key: value for key, value in vars(args).items() if key not in ("handler", "quiet", "plot", "json")}
        payload = {
            "settings": options | {"budget": budget, "bits_counted": "answering workers only, 32 + D b_i per message"},
            "seeds": {str(seed): detail for seed, detail in results["seeds"].items()},
            "schemes": {name: {"loss_mean": _finite_or_none(np.mean(curve["loss"], axis=0)),
                               "loss_std": _finite_or_none(np.std(curve["loss"], axis=0)),
                               "bits_mean": np.mean(curve["bits"], axis=0).tolist(),
                               "final_loss": _finite_or_none(np.asarray(curve["loss"])[:, -1]),
                               "accuracy_mean": _finite_or_none(np.mean(curve["accuracy"], axis=0))
                               if results["evaluated_at"] else []}
                        for name, curve in results["curves"].items()},
            "evaluated_at": results["evaluated_at"],
        }
        with open(args.json, "w") as handle:
            json.dump(payload, handle)
        print(f"curves written to {args.json}")
    if args.plot:
        plot(results, args.plot)
        print(f"plot written to {args.plot}")
    return 0


def omega_scale_option(text: str):
    """An argparse ``type``: ``balanced``, ``qsgd`` or a positive number."""
    if text in ("balanced", "qsgd"):
        return text
    try:
        resolve_omega_scale(text, np.ones(1), 2, 1)
    except ParameterError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def add_parser(subparsers) -> None:
    """Add the ``train`` subcommand to an argparse ``subparsers`` object."""
    positive = real_option(minimum=0.0, open_minimum=True)
    train = subparsers.add_parser(
        "train", help="coded training: joint design vs baselines, loss vs iterations and vs transmitted bits",
        description="Seed Figs. 2-3 in spirit: train on one of scikit-learn's bundled data sets with n workers, "
                    "budget B bits per coordinate; the joint design (optimal structure + allocated bits) against "
                    "OSGC with equal bits, IS-SGD, BGC, SGC, EHD, OD (equal bits B/n, load 2) and centralised SGD; "
                    "training loss and held-out accuracy. Stragglers: Bernoulli draws of p_i or finish times "
                    "T_i = 1 + Exp(mu_i) against the deadline tau, optionally with p_i unknown and re-estimated.")
    train.add_argument("-n", "--workers", type=integer_option(minimum=2), default=20,
                       help="workers n = partitions k, even (default 20)")
    train.add_argument("-B", "--budget", type=integer_option(minimum=1), default=None,
                       help="total bits per coordinate, a multiple of n and >= 2n (default 3n)")
    train.add_argument("--iterations", type=integer_option(minimum=1), default=200, help="iterations (default 200)")
    train.add_argument("--seeds", type=integer_option(minimum=1), default=5,
                       help="number of seeds averaged (default 5)")
    train.add_argument("--seed", type=integer_option(minimum=0), default=0, help="first seed (default 0)")
    train.add_argument("--dataset", choices=tuple(DATASET_SAMPLES), default="digits",
                       help="scikit-learn's bundled sets (no download) or synthetic (default digits)")
    train.add_argument("--test-fraction", type=real_option(minimum=0.0, maximum=0.9), default=0.2,
                       help="share of the samples held out for the accuracy, seeded (default 0.2; 0: none)")
    train.add_argument("--evaluate-every", type=integer_option(minimum=1),
                       help="iterations between held-out evaluations (default 10; also the last iteration)")
    train.add_argument("--batch-size", type=integer_option(minimum=1),
                       help="mini-batch SGD: samples drawn per partition and iteration (default: full batch)")
    train.add_argument("--model", choices=("softmax", "mlp"), default="softmax", help="(default softmax)")
    train.add_argument("--hidden", type=integer_option(minimum=1), help="hidden width of the MLP (default 32)")
    train.add_argument("--l2", type=real_option(minimum=0.0), default=0.0, help="l2 regularisation weight (default 0)")
    train.add_argument("--optimizer", choices=OPTIMIZERS, default="sgd", help="(default sgd)")
    train.add_argument("--learning-rate", "--lr", type=positive, default=8.0,
                       help="step size (default 8, for SGD on the mean loss of softmax/digits; ~0.01 for Adam)")
    train.add_argument("--tau", type=real_option(minimum=1.0, open_minimum=True), default=1.5,
                       help="deadline tau > 1; p_i = exp(-mu_i (tau - 1)) (default 1.5)")
    train.add_argument("--timing", choices=TIMINGS, default="bernoulli",
                       help="bernoulli: worker i answers with probability 1 - p_i; deadline: finish times "
                            "T_i = 1 + Exp(mu_i), the master decodes what arrived by tau (default bernoulli)")
    train.add_argument("--reallocate-every", type=integer_option(minimum=1), metavar="R",
                       help="p_i unknown: start from --prior-p, re-estimate p_i by maximum likelihood from the "
                            "observed deadlines and re-design every R iterations (needs --timing deadline)")
    train.add_argument("--prior-p", type=real_option(minimum=0.0, maximum=1.0, open_minimum=True, open_maximum=True),
                       help="with --reallocate-every: p_i assumed before any observation (default 0.5)")
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
    add_quiet_option(train)
    train.set_defaults(handler=command)
