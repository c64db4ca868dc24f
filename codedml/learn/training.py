"""Coded distributed training with quantised messages and heterogeneous stragglers (seed section VI).

One iteration of :func:`train_coded`, at parameters ``theta_t``:

1. every partition's gradient ``g_j`` (``model.loss_and_partition_gradients``), which also gives
   the recorded training loss ``L(theta_t)``;
2. every worker's message ``m_i = sum_j a_ij g_j`` (``code.encode``), plus its error-feedback
   residual ``e_i`` when ``error_feedback`` is on;
3. quantisation ``Q_{b_i}`` with the worker's bits (:func:`~codedml.learn.quantize.quantize_messages`);
4. straggler draws: worker ``i`` answers with probability ``1 - p_i`` (``code.probabilities``),
   independently;
5. the code's unbiased estimate ``g_hat`` from the workers that answered (``code.decode``) and,
   for Adam with two-track decoding, the second-moment estimate ``g_tilde = sum_{i answered}
   v_i Q(m_i)`` (:func:`second_moment_decoder`);
6. the SGD step ``theta -= eta g_hat`` or the Adam step with first moment from ``g_hat`` and
   second moment from ``g_tilde ** 2`` (``g_hat ** 2`` without two-track decoding).

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

from dataclasses import dataclass

import numpy as np

from codedml import _validation as check
from codedml.codes.gradient.approximate import ApproximateGradientCode, ErasureHeadGC, OptimalDecodingGC
from codedml.codes.gradient.design import check_bits
from codedml.errors import ParameterError
from codedml.learn.models import PartitionedData
from codedml.learn.quantize import message_bits, omega, quantize_messages

#: Adam's defaults (Kingma & Ba): first- and second-moment decay and the denominator's epsilon.
ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON = 0.9, 0.999, 1e-8

OPTIMIZERS = ("sgd", "adam")

#: Message entries beyond this magnitude end a run as diverged (the wire format's norm is a float32).
DIVERGENCE_MAGNITUDE = 1e30


@dataclass
class TrainingResult:
    """Curves of one training run.

    Attributes
    ----------
    loss : ndarray, shape (iterations + 1,)
        Training loss before each iteration and after the last (``inf`` from the first
        non-finite value on, if the run diverged).
    transmitted_bits : ndarray of int64, shape (iterations + 1,)
        Cumulative bits received by the master (answering workers only), starting at 0.
    answered : ndarray of int64, shape (iterations,)
        Workers that answered in each iteration.
    parameters : ndarray
        Final ``theta``.
    """

    loss: np.ndarray
    transmitted_bits: np.ndarray
    answered: np.ndarray
    parameters: np.ndarray

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


def train_coded(model, data: PartitionedData, code: ApproximateGradientCode, bits, iterations: int,
                learning_rate: float, rng: np.random.Generator, optimizer: str = "sgd",
                second_moment: np.ndarray | None = None, error_feedback: bool = False,
                initial_parameters: np.ndarray | None = None, progress=None) -> TrainingResult:
    """Train ``model`` on ``data`` with gradients coded by ``code`` and quantised with ``bits``.

    Parameters
    ----------
    model : SoftmaxRegression or OneHiddenLayerMLP
        Anything with ``n_parameters``, ``initial_parameters(rng)`` and
        ``loss_and_partition_gradients(theta, data)``.
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
        Drives the initialisation (MLP), quantization and straggler draws.
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
    if not isinstance(code, ApproximateGradientCode):
        raise ParameterError(f"code must be an ApproximateGradientCode, got {type(code).__name__}")
    if data.n_partitions != code.n_partitions:
        raise ParameterError(f"data has {data.n_partitions} partitions, the code {code.n_partitions}")
    n = code.n_workers
    bits = check_bits(bits, n)
    error_feedback = check.flag(error_feedback, "error_feedback")
    if second_moment is not None:
        if np.shape(second_moment) != (n,) or optimizer != "adam":
            raise ParameterError("second_moment must be a length-n decoder and needs optimizer='adam'")
        second_moment = check.real_array(second_moment, "second_moment", shape=(n,))
    check.array_size(n * model.n_parameters * (4 if error_feedback else 3), f"the messages of n_workers={n} x "
                     f"n_parameters={model.n_parameters}")
    per_message = np.array([message_bits(model.n_parameters, b) if b > 0 else 0 for b in bits], dtype=np.int64)
    parameters = model.initial_parameters(rng) if initial_parameters is None else initial_parameters
    step = _Optimizer(optimizer, learning_rate, model.n_parameters)
    residual = np.zeros((n, model.n_parameters)) if error_feedback else None
    loss = np.full(iterations + 1, np.inf)
    transmitted = np.zeros(iterations + 1, dtype=np.int64)
    answered_counts = np.zeros(iterations, dtype=np.int64)
    for t in range(iterations + 1):
        current, partials = model.loss_and_partition_gradients(parameters, data)
        if not (np.isfinite(current) and np.all(np.isfinite(partials))):
            transmitted[t:] = transmitted[t - 1] if t else 0
            break
        loss[t] = current
        if t == iterations:
            break
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
        answered = (rng.random(n) >= code.probabilities) & (bits > 0)
        answered_counts[t] = np.count_nonzero(answered)
        transmitted[t + 1] = transmitted[t] + per_message[answered].sum()
        estimate = code.decode(answered, quantised)
        second_track = estimate if second_moment is None else second_moment[answered] @ quantised[answered]
        parameters = step.step(parameters, estimate, second_track)
        if progress is not None:
            progress.update(1)
    return TrainingResult(loss, transmitted, answered_counts, parameters)


def train_centralized(model, data: PartitionedData, iterations: int, learning_rate: float,
                      rng: np.random.Generator, optimizer: str = "sgd",
                      initial_parameters: np.ndarray | None = None, progress=None) -> TrainingResult:
    """The ideal reference: the exact full gradient every iteration, no stragglers, nothing transmitted.

    ``transmitted_bits`` stays 0 and ``answered`` is 0 (there are no workers).
    """
    iterations, learning_rate, optimizer, initial_parameters, rng = _check_training(
        model, data, iterations, learning_rate, optimizer, initial_parameters, rng)
    parameters = model.initial_parameters(rng) if initial_parameters is None else initial_parameters
    step = _Optimizer(optimizer, learning_rate, model.n_parameters)
    loss = np.full(iterations + 1, np.inf)
    for t in range(iterations + 1):
        current, partials = model.loss_and_partition_gradients(parameters, data)
        if not np.isfinite(current):
            break
        loss[t] = current
        if t == iterations:
            break
        gradient = partials.sum(axis=0)
        parameters = step.step(parameters, gradient, gradient)
        if progress is not None:
            progress.update(1)
    return TrainingResult(loss, np.zeros(iterations + 1, dtype=np.int64),
                          np.zeros(iterations, dtype=np.int64), parameters)
