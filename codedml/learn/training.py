"""Coded distributed training with quantised messages and heterogeneous stragglers (seed section VI).

One iteration of :func:`train_coded`, at parameters ``theta_t``:

1. every partition's gradient ``g_j`` (``model.loss_and_partition_gradients``), which also gives
   the recorded training loss ``L(theta_t)``; with ``batch_size``, ``g_j`` is estimated from a
   fresh random mini-batch of each partition (:func:`~codedml.learn.models.sample_minibatch`,
   unbiased; seed section V-D) and the loss is still the full training loss;
2. every worker's message ``m_i = sum_j a_ij g_j`` (``code.encode``), plus its error-feedback
   residual ``e_i`` when ``error_feedback`` is on;
3. quantisation ``Q_{b_i}`` with the worker's bits (:func:`~codedml.learn.quantize.quantize_messages`);
4. straggler draws: worker ``i`` answers with probability ``1 - p_i`` (``code.probabilities``),
   independently, or, in deadline mode, when its finish time from a straggler model is at most the
   deadline ``tau`` (then ``p_i`` is only the design's belief; periodic re-allocation re-estimates
   it from the observed deadlines and re-designs the code and bits);
5. the code's unbiased estimate ``g_hat`` from the workers that answered (``code.decode``) and,
   for Adam with two-track decoding, the second-moment estimate ``g_tilde = sum_{i answered}
   v_i Q(m_i)`` (:func:`second_moment_decoder`);
6. the SGD step ``theta -= eta g_hat`` or the Adam step with first moment from ``g_hat`` and
   second moment from ``g_tilde ** 2`` (``g_hat ** 2`` without two-track decoding).

A held-out set's accuracy is recorded every ``evaluate_every`` iterations.

Transmitted bits are counted exactly from the quantizer's wire format
(:func:`~codedml.learn.quantize.message_bits`, ``32 + D b_i`` per message) **for the workers
that answered** (what reached the master before the deadline); idle workers (``b_i = 0``)
send nothing. :attr:`TrainingResult.answered` keeps the per-iteration count of answering
workers, so the count over all active workers can be recovered if wanted.

Error feedback (Seide et al.; seed Fig. 3(e)): worker ``i`` sends ``Q(m_i + e_i)`` and keeps
``e_i <- m_i + e_i - Q(m_i + e_i)``. A worker cannot tell whether it beat the deadline, so
every active worker updates its residual every iteration, stragglers included (the stale
residuals the seed blames for EF's instability). EF's guarantees assume a contractive
compressor; ``Q_b`` at few bits is not one (``omega(b) > 1``), so residuals can grow and EF
runs can diverge at low budgets: that is measured, not corrected, here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from codedml import _validation as check
from codedml.codes.gradient.approximate import ApproximateGradientCode, ErasureHeadGC, OptimalDecodingGC
from codedml.codes.gradient.design import check_bits
from codedml.errors import ParameterError
from codedml.learn.models import PartitionedData, sample_minibatch
from codedml.learn.quantize import message_bits, omega, quantize_messages
from codedml.sim.fitting import estimate_straggling_probabilities
from codedml.sim.stragglers import StragglerModel

#: Adam's defaults (Kingma & Ba): first- and second-moment decay and the denominator's epsilon.
ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON = 0.9, 0.999, 1e-8

OPTIMIZERS = ("sgd", "adam")

#: Message entries beyond this magnitude end a run as diverged (the wire format's norm is a float32).
DIVERGENCE_MAGNITUDE = 1e30


@dataclass
class Reallocation:
    """One re-design during training (:func:`train_coded` with ``reallocate_every``).

    Attributes
    ----------
    iteration : int
        The iteration ``t`` whose messages were the first coded with the new design.
    probabilities : ndarray, shape (n,)
        The estimates ``p_hat_i`` the design used.
    bits : ndarray of int64, shape (n,)
        The new ``b_i``.
    """

    iteration: int
    probabilities: np.ndarray
    bits: np.ndarray


@dataclass
class TrainingResult:
    """Curves of one training run.

    Attributes
    ----------
    loss : ndarray, shape (iterations + 1,)
        Training loss (over the whole training set, also with mini-batches) before each iteration
        and after the last (``inf`` from the first non-finite value on, if the run diverged).
    transmitted_bits : ndarray of int64, shape (iterations + 1,)
        Cumulative bits received by the master (answering workers only), starting at 0.
    answered : ndarray of int64, shape (iterations,)
        Workers that answered in each iteration.
    parameters : ndarray
        Final ``theta``.
    evaluated_at : ndarray of int64
        Iterations ``t`` (parameters ``theta_t``) at which the held-out accuracy was measured: every
        ``evaluate_every``-th and the last; empty without a held-out set.
    test_accuracy : ndarray
        Held-out accuracy at ``evaluated_at`` (``nan`` once the run diverged).
    reallocations : list of Reallocation
        The re-designs, in order (empty without ``reallocate_every``).
    """

    loss: np.ndarray
    transmitted_bits: np.ndarray
    answered: np.ndarray
    parameters: np.ndarray
    evaluated_at: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    test_accuracy: np.ndarray = field(default_factory=lambda: np.zeros(0))
    reallocations: list = field(default_factory=list)

    @property
    def diverged(self) -> bool:
        """Whether the loss became non-finite."""
        return not bool(np.isfinite(self.loss[-1]))


def second_moment_decoder(code: ApproximateGradientCode, bits=None, omega_scale: float | None = None,
                          bias_weight: float = 1.0) -> np.ndarray:
    """Two-track decoder ``v`` for Adam's second moment (seed section V-E, eq. 36).

    The estimate ``g_tilde = sum_i I_i v_i Q_{b_i}(m_i)`` reuses the received messages.
    ``v`` minimises ``lambda_b E||bias||^2 + variance`` under this model: the partial
    gradients are uncorrelated with equal energy, ``E[g_j^T g_l] = G^2 delta_jl``; ``I_i ~
    Bernoulli(1 - p_i)`` independent; ``E||Q_b(x) - x||^2 = omega(b) ||x||^2``. Then with
    ``P = diag(1 - p)`` and ``A = (a_ij)``:

    - ``E[g_tilde] - g = sum_j beta_j g_j`` with ``beta = A^T P v - 1``, so
      ``E||bias||^2 = G^2 ||A^T P v - 1||^2``;
    - ``Var(I_i v_i Q(m_i)) = v_i^2 [(1 - p_i)(1 + omega_i) - (1 - p_i)^2] E||m_i||^2
      = v_i^2 (1 - p_i)(p_i + omega_i) G^2 ||a_i||^2``, independent across workers;

    so, in units of ``G^2``, ``J(v) = lambda_b ||A^T P v - 1||^2 + v^T Lambda v`` with
    ``Lambda = diag((1 - p_i)(p_i + omega_i) ||a_i||^2)``. ``J`` is a convex quadratic; setting
    its gradient to zero gives the ridge-regression closed form

        ``(lambda_b P A A^T P + Lambda) v = lambda_b P A 1``.

    Workers with an empty row or ``b_i = 0`` get ``v_i = 0`` (they send nothing). With
    ``lambda_b = 1`` (default) ``J`` is the mean squared error of ``g_tilde``, so ``v`` is the
    linear MMSE decoder; ``lambda_b -> inf`` tends to the minimum-variance unbiased decoder.
    For ``A = I`` (IS-SGD) it reads ``v_i = 1 / ((1 - p_i) + (p_i + omega_i) / lambda_b)``:
    the unbiased ``1 / (1 - p_i)`` shrunk towards 0 as straggling and quantization noise grow.

    Parameters
    ----------
    code : ApproximateGradientCode
        A code whose estimate is ``sum_{i answered} w_i m_i`` with fixed ``w`` (not
        :class:`~codedml.codes.gradient.approximate.ErasureHeadGC` or
        :class:`~codedml.codes.gradient.approximate.OptimalDecodingGC`, which decode per survivor set).
    bits : array_like of int, shape (n,), optional
        ``b_i`` (0 or ``>= 2``); ``None``: no quantization (``omega_i = 0``).
    omega_scale : float, optional
        ``s`` in ``omega(b) = s / (2^(b-1) - 1)^2``; required with ``bits``.
    bias_weight : float
        ``lambda_b > 0``.

    Returns
    -------
    ndarray, shape (n,)

    Examples
    --------
    >>> from codedml.codes.gradient.approximate import IgnoreStragglersSGD
    >>> second_moment_decoder(IgnoreStragglersSGD([0.5, 0.2])).round(4).tolist()  # 1 / (1 - p + p)
    [1.0, 1.0]
    """
    if not isinstance(code, ApproximateGradientCode) or isinstance(code, (ErasureHeadGC, OptimalDecodingGC)):
        raise ParameterError(f"two-track decoding needs a fixed-weight approximate code, got {type(code).__name__}")
    bias_weight = check.real(bias_weight, "bias_weight lambda_b", minimum=0.0, open_minimum=True)
    n = code.n_workers
    p = code.probabilities
    if bits is None:
        noise = np.zeros(n)
        active = np.ones(n, dtype=np.bool_)
    else:
        if omega_scale is None:
            raise ParameterError("second_moment_decoder needs omega_scale with bits")
        omega_scale = check.real(omega_scale, "omega_scale", minimum=0.0, open_minimum=True)
        bits = check_bits(bits, n)
        active = bits > 0
        noise = np.where(active, omega(np.where(active, bits, 2), omega_scale), 0.0)
    matrix = code.encoding_matrix.toarray()
    row_energy = np.einsum("ij,ij->i", matrix, matrix)
    active &= row_energy > 0
    weighted = (1.0 - p[active])[:, None] * matrix[active]  # P A restricted to active workers
    system = bias_weight * weighted @ weighted.T + np.diag((1.0 - p[active]) * (p[active] + noise[active])
                                                           * row_energy[active])
    decoder = np.zeros(n)
    decoder[active] = np.linalg.solve(system, bias_weight * weighted.sum(axis=1))
    return decoder


def _check_training(model, data, iterations, learning_rate, optimizer, initial_parameters, rng):
    """Validated ``(iterations, learning_rate, optimizer, initial parameters or None, rng)``."""
    if not isinstance(data, PartitionedData):
        raise ParameterError(f"data must be a PartitionedData (see partition_data), got {type(data).__name__}")
    if not all(hasattr(model, name) for name in ("n_parameters", "initial_parameters",
                                                  "loss_and_partition_gradients")):
        raise ParameterError(f"model must provide n_parameters, initial_parameters and "
                             f"loss_and_partition_gradients, got {type(model).__name__}")
    iterations = check.integer(iterations, "iterations", minimum=0)
    learning_rate = check.real(learning_rate, "learning_rate", minimum=0.0, open_minimum=True)
    optimizer = check.choice(optimizer, "optimizer", OPTIMIZERS)
    if initial_parameters is not None:
        initial_parameters = check.real_array(initial_parameters, "initial_parameters",
                                              shape=(model.n_parameters,)).copy()
    return iterations, learning_rate, optimizer, initial_parameters, check.rng(rng, "rng")


class _Gradients:
    """The training loss and the partition gradients at ``theta``: full batch, or a fresh mini-batch per call."""

    def __init__(self, model, data: PartitionedData, batch_size):
        self.model, self.data = model, data
        self.batch_size = check.optional_integer(batch_size, "batch_size", minimum=1)

    def __call__(self, parameters: np.ndarray, rng: np.random.Generator, gradients: bool = True):
        if self.batch_size is None:
            return self.model.loss_and_partition_gradients(parameters, self.data)
        loss = self.model.loss(parameters, self.data)
        if not gradients or not np.isfinite(loss):
            return loss, None
        return loss, self.model.partition_gradients(parameters, sample_minibatch(self.data, self.batch_size, rng))


class _Evaluation:
    """Held-out accuracy every ``evaluate_every`` iterations and after the last."""

    def __init__(self, model, held_out, evaluate_every, iterations: int):
        every = check.integer(evaluate_every, "evaluate_every", minimum=1)
        self.model = model
        if held_out is None:
            self.steps = np.zeros(0, dtype=np.int64)
            return
        if not isinstance(held_out, (tuple, list)) or len(held_out) != 2:
            raise ParameterError("held_out must be a pair (features, labels) of held-out samples")
        self.features = check.real_array(held_out[0], "held_out features", shape=(None, model.n_features))
        self.labels = check.integer_array(held_out[1], "held_out labels", shape=(self.features.shape[0],),
                                          minimum=0, maximum=model.n_classes - 1)
        if self.labels.size == 0:
            raise ParameterError("held_out must hold at least one sample")
        self.steps = np.union1d(np.arange(0, iterations + 1, every), [iterations]).astype(np.int64)
        self.accuracy = np.full(self.steps.size, np.nan)

    def record(self, iteration: int, parameters: np.ndarray) -> None:
        if self.steps.size and iteration in self.steps:
            hits = self.model.predict(parameters, self.features) == self.labels
            self.accuracy[np.searchsorted(self.steps, iteration)] = np.count_nonzero(hits) / hits.size

    def results(self) -> dict:
        accuracy = self.accuracy if self.steps.size else np.zeros(0)
        return {"evaluated_at": self.steps, "test_accuracy": accuracy}


class _Optimizer:
    """SGD or Adam on a flat parameter vector."""

    def __init__(self, kind: str, learning_rate: float, size: int):
        self.kind, self.learning_rate = kind, learning_rate
        self.first, self.second, self.steps = np.zeros(size), np.zeros(size), 0

    def step(self, parameters: np.ndarray, gradient: np.ndarray, second_track: np.ndarray) -> np.ndarray:
        if self.kind == "sgd":
            return parameters - self.learning_rate * gradient
        self.steps += 1
        self.first = ADAM_BETA1 * self.first + (1.0 - ADAM_BETA1) * gradient
        self.second = ADAM_BETA2 * self.second + (1.0 - ADAM_BETA2) * second_track**2
        first = self.first / (1.0 - ADAM_BETA1**self.steps)
        second = self.second / (1.0 - ADAM_BETA2**self.steps)
        return parameters - self.learning_rate * first / (np.sqrt(second) + ADAM_EPSILON)


def _checked_design(code, bits, second_moment, n_partitions: int, optimizer: str, n_parameters: int,
                    n_workers: int | None = None):
    """Validated ``(code, bits, second_moment, bits per message)`` of one code design."""
    if not isinstance(code, ApproximateGradientCode):
        raise ParameterError(f"code must be an ApproximateGradientCode, got {type(code).__name__}")
    if n_partitions != code.n_partitions:
        raise ParameterError(f"data has {n_partitions} partitions, the code {code.n_partitions}")
    if n_workers is not None and code.n_workers != n_workers:
        raise ParameterError(f"a re-design must keep the {n_workers} workers, got a code of {code.n_workers}")
    n = code.n_workers
    bits = check_bits(bits, n)
    if second_moment is not None:
        if np.shape(second_moment) != (n,) or optimizer != "adam":
            raise ParameterError("second_moment must be a length-n decoder and needs optimizer='adam'")
        second_moment = check.real_array(second_moment, "second_moment", shape=(n,))
    per_message = np.array([message_bits(n_parameters, b) if b > 0 else 0 for b in bits], dtype=np.int64)
    return code, bits, second_moment, per_message


def _finish_times(stragglers, deadline, iterations: int, n_workers: int, rng: np.random.Generator):
    """``(finish times (iterations, n) or None, deadline or None)``: the deadline mode's draws, made up front."""
    if (stragglers is None) != (deadline is None):
        raise ParameterError("stragglers and deadline go together: give both (deadline mode) or neither")
    if stragglers is None:
        return None, None
    check.instance(stragglers, "stragglers", StragglerModel)
    deadline = check.real(deadline, "deadline tau", minimum=0.0, open_minimum=True)
    return stragglers.unit_times(iterations, n_workers, rng), deadline


def reestimated_probabilities(finish_times: np.ndarray, deadline: float, observed: np.ndarray,
                              previous: np.ndarray) -> np.ndarray:
    """Maximum-likelihood ``p_hat_i`` of Bernoulli straggling over the iterations where worker ``i`` was observed.

    ``p_hat_i = (deadlines missed) / (iterations observed)`` maximises the Bernoulli likelihood
    (:func:`codedml.sim.estimate_straggling_probabilities` on the observed entries). An idle worker
    (``b_i = 0``) sends nothing, so its iterations are not observed. The estimate is clipped to
    ``[1 / (2 c_i), 1 - 1 / (2 c_i)]``, ``c_i`` the worker's observed iterations (half an
    observation from either end), because the designs need ``p`` in the open interval ``(0, 1)``;
    a worker never observed keeps ``previous[i]``.

    Parameters
    ----------
    finish_times : ndarray, shape (iterations, n)
        ``T_i`` per iteration (``inf``: never).
    deadline : float
        ``tau``.
    observed : ndarray of bool, shape (iterations, n)
        Whether the master could see worker ``i`` in iteration ``t`` (the worker was active).
    previous : ndarray, shape (n,)
        The estimates in use.

    Examples
    --------
    >>> times = np.array([[2.0, 0.5], [0.5, 0.5], [2.0, 0.5], [0.5, 0.5]])
    >>> reestimated_probabilities(times, 1.0, np.ones((4, 2), dtype=bool), np.full(2, 0.5)).tolist()
    [0.5, 0.125]
    """
    observed = np.asarray(observed, dtype=np.bool_)
    counts = np.count_nonzero(observed, axis=0)
    # unobserved entries count as met deadlines, so the share times the iterations is the observed misses
    misses = observed.shape[0] * estimate_straggling_probabilities(np.where(observed, finish_times, 0.0), deadline)
    seen = counts > 0
    estimate = np.array(previous, dtype=np.float64)
    floor = 0.5 / np.maximum(counts, 1)
    estimate[seen] = np.clip(np.round(misses[seen]) / counts[seen], floor[seen], 1.0 - floor[seen])
    return estimate


def train_coded(model, data: PartitionedData, code: ApproximateGradientCode, bits, iterations: int,
                learning_rate: float, rng: np.random.Generator, optimizer: str = "sgd",
                second_moment: np.ndarray | None = None, error_feedback: bool = False,
                initial_parameters: np.ndarray | None = None, progress=None, *, batch_size: int | None = None,
                held_out=None, evaluate_every: int = 1, stragglers: StragglerModel | None = None,
                deadline: float | None = None, reallocate_every: int | None = None,
                redesign: Callable[[np.ndarray], tuple] | None = None) -> TrainingResult:
    """Train ``model`` on ``data`` with gradients coded by ``code`` and quantised with ``bits``.

    Straggling has two modes. Without ``stragglers`` (Bernoulli mode) worker ``i`` answers with
    probability ``1 - p_i`` of the code, independently each iteration. In deadline mode (seed
    section V-A) a :class:`~codedml.sim.StragglerModel` draws every worker's finish time ``T_i``
    of every iteration (its unit time: the seed's eq. 37 counts a worker's whole delay, computation
    and communication, whatever its load), all up front, so runs started from equal generators see
    the same straggler realisations; the master decodes what arrived by the deadline
    (``T_i <= tau``). The code's ``p_i`` are then only the design's belief, e.g.
    ``P(T_i > tau)`` from :func:`codedml.sim.straggler_probabilities`.

    Periodic re-allocation (seed section V-A, "maximum likelihood estimation from historical data";
    deadline mode only): before iterations ``t = R, 2R, ...`` (``R = reallocate_every``) the master
    re-estimates ``p_i`` from every deadline it observed so far (:func:`reestimated_probabilities`) and
    calls ``redesign(p_hat)`` for the new code, bits and second-moment decoder.

    Parameters
    ----------
    model : SoftmaxRegression or OneHiddenLayerMLP
        Anything with ``n_parameters``, ``initial_parameters(rng)``, ``loss``,
        ``partition_gradients``, ``loss_and_partition_gradients(theta, data)`` and, with a held-out
        set, ``predict(theta, features)``.
    data : PartitionedData
        ``k = code.n_partitions`` partitions.
    code : ApproximateGradientCode
        Encoding, straggler probabilities ``p_i`` and unbiased decoding.
    bits : array_like of int, shape (n,)
        ``b_i`` per worker (0: idle, else ``2..32``).
    iterations : int
    learning_rate : float
        ``eta``.
    rng : numpy.random.Generator
        Drives the initialisation (MLP), finish times, mini-batches, quantization and straggler draws.
    optimizer : {"sgd", "adam"}
    second_moment : ndarray, shape (n,), optional
        Two-track decoder ``v`` (:func:`second_moment_decoder`) for Adam's second moment;
        ``None`` uses ``g_hat`` for both moments.
    error_feedback : bool
        Workers add their quantization residual to the next message (see the module notes).
    initial_parameters : ndarray, optional
        ``theta_0`` (default ``model.initial_parameters(rng)``).
    progress : object with ``update(int)``, optional
        A progress bar advanced by one per iteration.
    batch_size : int, optional
        Mini-batch SGD: each iteration every partition's gradient ``g_j`` is estimated from
        ``batch_size`` of its samples drawn afresh without replacement (:func:`sample_minibatch`,
        unbiased); ``None``: full partitions. The recorded loss is always the full training loss.
    held_out : (features, labels), optional
        Held-out samples; their accuracy is recorded every ``evaluate_every`` iterations.
    evaluate_every : int
    stragglers : StragglerModel, optional
        Deadline mode: the finish-time model (with ``deadline``).
    deadline : float, optional
        ``tau > 0`` in the model's time unit.
    reallocate_every : int, optional
        ``R``: re-design every ``R`` iterations (needs ``stragglers`` and ``redesign``).
    redesign : callable, optional
        ``redesign(p_hat) -> (code, bits, second_moment or None)`` for the same ``n`` workers and
        ``k`` partitions.

    Returns
    -------
    TrainingResult

    Examples
    --------
    >>> import numpy as np
    >>> from codedml.codes.gradient.approximate import IgnoreStragglersSGD
    >>> from codedml.learn.models import SoftmaxRegression, partition_data, synthetic_classification
    >>> rng = np.random.default_rng(0)
    >>> data = partition_data(*synthetic_classification(200, 5, 3, rng), 4, rng)
    >>> code = IgnoreStragglersSGD([0.1, 0.2, 0.3, 0.4])
    >>> result = train_coded(SoftmaxRegression(5, 3), data, code, [3, 3, 3, 3], 50, 0.3, rng)
    >>> bool(result.loss[-1] < result.loss[0])
    True
    """
    iterations, learning_rate, optimizer, initial_parameters, rng = _check_training(
        model, data, iterations, learning_rate, optimizer, initial_parameters, rng)
    code, bits, second_moment, per_message = _checked_design(code, bits, second_moment, data.n_partitions,
                                                             optimizer, model.n_parameters)
    n = code.n_workers
    error_feedback = check.flag(error_feedback, "error_feedback")
    gradients = _Gradients(model, data, batch_size)
    evaluation = _Evaluation(model, held_out, evaluate_every, iterations)
    reallocate_every = check.optional_integer(reallocate_every, "reallocate_every", minimum=1)
    if (reallocate_every is None) != (redesign is None):
        raise ParameterError("reallocate_every and redesign go together: give both or neither")
    if reallocate_every is not None and (stragglers is None or not callable(redesign)):
        raise ParameterError("reallocate_every needs deadline mode (stragglers and deadline: the master estimates "
                             "p_i from the deadlines it observes) and a callable redesign(p_hat)")
    check.array_size(n * model.n_parameters * (4 if error_feedback else 3), f"the messages of n_workers={n} x "
                     f"n_parameters={model.n_parameters}")
    finish, deadline = _finish_times(stragglers, deadline, iterations, n, rng)
    parameters = model.initial_parameters(rng) if initial_parameters is None else initial_parameters
    step = _Optimizer(optimizer, learning_rate, model.n_parameters)
    residual = np.zeros((n, model.n_parameters)) if error_feedback else None
    loss = np.full(iterations + 1, np.inf)
    transmitted = np.zeros(iterations + 1, dtype=np.int64)
    answered_counts = np.zeros(iterations, dtype=np.int64)
    active = np.zeros((iterations, n), dtype=np.bool_)
    estimates, reallocations = code.probabilities.copy(), []
    for t in range(iterations + 1):
        current, partials = gradients(parameters, rng, gradients=t < iterations)
        if not (np.isfinite(current) and (partials is None or np.all(np.isfinite(partials)))):
            transmitted[t:] = transmitted[t - 1] if t else 0
            break
        loss[t] = current
        evaluation.record(t, parameters)
        if t == iterations:
            break
        if reallocate_every is not None and t > 0 and t % reallocate_every == 0:
            estimates = reestimated_probabilities(finish[:t], deadline, active[:t], estimates)
            code, bits, second_moment, per_message = _checked_design(
                *redesign(estimates.copy()), data.n_partitions, optimizer, model.n_parameters, n)
            reallocations.append(Reallocation(t, estimates.copy(), bits.copy()))
        messages = code.encode(partials)
        if residual is not None:
            messages += residual
        if not np.all(np.abs(messages) < DIVERGENCE_MAGNITUDE):
            transmitted[t + 1:] = transmitted[t]
            loss[t] = np.inf
            break
        quantised = quantize_messages(messages, bits, rng)
        if residual is not None:
            residual = np.where(bits[:, None] > 0, messages - quantised, 0.0)
        active[t] = bits > 0
        arrived = rng.random(n) >= code.probabilities if finish is None else finish[t] <= deadline
        answered = arrived & active[t]
        answered_counts[t] = np.count_nonzero(answered)
        transmitted[t + 1] = transmitted[t] + per_message[answered].sum()
        estimate = code.decode(answered, quantised)
        second_track = estimate if second_moment is None else second_moment[answered] @ quantised[answered]
        parameters = step.step(parameters, estimate, second_track)
        if progress is not None:
            progress.update(1)
    return TrainingResult(loss, transmitted, answered_counts, parameters, **evaluation.results(),
                          reallocations=reallocations)


def train_centralized(model, data: PartitionedData, iterations: int, learning_rate: float,
                      rng: np.random.Generator, optimizer: str = "sgd",
                      initial_parameters: np.ndarray | None = None, progress=None, *,
                      batch_size: int | None = None, held_out=None, evaluate_every: int = 1) -> TrainingResult:
    """The ideal reference: the exact (or mini-batch) gradient every iteration, no stragglers, nothing transmitted.

    ``transmitted_bits`` stays 0 and ``answered`` is 0 (there are no workers). ``batch_size``,
    ``held_out`` and ``evaluate_every`` are those of :func:`train_coded` (the mini-batch gradient
    is the sum of the partitions' mini-batch gradients).
    """
    iterations, learning_rate, optimizer, initial_parameters, rng = _check_training(
        model, data, iterations, learning_rate, optimizer, initial_parameters, rng)
    gradients = _Gradients(model, data, batch_size)
    evaluation = _Evaluation(model, held_out, evaluate_every, iterations)
    parameters = model.initial_parameters(rng) if initial_parameters is None else initial_parameters
    step = _Optimizer(optimizer, learning_rate, model.n_parameters)
    loss = np.full(iterations + 1, np.inf)
    for t in range(iterations + 1):
        current, partials = gradients(parameters, rng, gradients=t < iterations)
        if not np.isfinite(current):
            break
        loss[t] = current
        evaluation.record(t, parameters)
        if t == iterations:
            break
        gradient = partials.sum(axis=0)
        parameters = step.step(parameters, gradient, gradient)
        if progress is not None:
            progress.update(1)
    return TrainingResult(loss, np.zeros(iterations + 1, dtype=np.int64),
                          np.zeros(iterations, dtype=np.int64), parameters, **evaluation.results())
