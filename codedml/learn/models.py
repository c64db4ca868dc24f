"""Models with a numpy gradient per data partition, and the data they train on.

The coded training loop needs ``g_j``, the gradient of the loss restricted to partition ``j``,
for all ``k`` partitions at once. :class:`PartitionedData` stores the samples as
``(k, m, ...)`` blocks (partitions padded to a common size ``m`` with zero-weight samples), so
each model computes every ``g_j`` with one batched matrix product and no Python loop over
partitions. Sample weights are normalised over the whole data set, so that
``sum_j g_j`` is the gradient of the mean training loss (the target ``g`` of the codes).

Models: :class:`SoftmaxRegression` (multinomial logistic regression) and
:class:`OneHiddenLayerMLP` (``tanh`` hidden layer, softmax output); both minimise the mean
cross-entropy plus an optional ``l2 / 2 ||theta||^2`` (carried by the partitions in proportion
to their sample weight). Parameters are one flat float64 vector ``theta`` of length
``n_parameters`` (the ``D`` of the quantizer).

Data: :func:`load_bundled_dataset` (scikit-learn's bundled digits, breast cancer, wine and iris
sets, no download; :func:`load_digits_data` for the digits alone), :func:`synthetic_classification`
(Gaussian class clusters), a seeded held-out split (:func:`held_out_split`) with the training set's
standardisation (:func:`standardize`), and per-iteration mini-batches (:func:`sample_minibatch`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from codedml import _validation as check
from codedml.errors import ParameterError, ShapeError


@dataclass(frozen=True)
class PartitionedData:
    """Samples split into ``k`` partitions of (padded) size ``m``.

    Attributes
    ----------
    features : ndarray, shape (k, m, f)
        Feature vectors; padding rows are zero.
    targets : ndarray, shape (k, m, c)
        One-hot labels; padding rows are zero.
    weights : ndarray, shape (k, m)
        ``1 / N`` for each of the ``N`` real samples, ``0`` for padding, so weights sum to 1.
    """

    features: np.ndarray
    targets: np.ndarray
    weights: np.ndarray

    @property
    def n_partitions(self) -> int:
        """``k``."""
        return self.features.shape[0]

    @property
    def n_features(self) -> int:
        """``f``."""
        return self.features.shape[2]

    @property
    def n_classes(self) -> int:
        """``c``."""
        return self.targets.shape[2]


def partition_data(features, labels, n_partitions: int, rng: np.random.Generator | None = None) -> PartitionedData:
    """Shuffle (if ``rng`` is given) and split labelled samples into ``n_partitions`` near-equal parts.

    Parameters
    ----------
    features : array_like, shape (N, f)
    labels : array_like of int, shape (N,)
        Class ids ``0..c-1``.
    n_partitions : int
        ``k``, at most ``N``.
    rng : numpy.random.Generator, optional
        Shuffles the samples before splitting.

    Examples
    --------
    >>> data = partition_data([[0.0], [1.0], [2.0]], [0, 1, 1], 2)
    >>> data.features.shape, data.weights.sum().round(12)
    ((2, 2, 1), np.float64(1.0))
    """
    features = check.real_array(features, "features", ndim=2)
    labels = check.integer_array(labels, "labels (non-negative integer class ids)", minimum=0)
    if labels.shape != (features.shape[0],):
        raise ShapeError(f"features must be (N, f) and labels (N,); got {features.shape} and {labels.shape}")
    n_samples = features.shape[0]
    if n_samples == 0:
        raise ParameterError("labels must be non-negative integer class ids; got no samples")
    k = check.integer(n_partitions, "n_partitions", minimum=1, maximum=n_samples)
    n_classes = int(labels.max()) + 1
    check.array_size(n_samples * (features.shape[1] + n_classes + 1) + k * n_classes,
                     f"the partitioned data (N={n_samples}, f={features.shape[1]}, classes={n_classes})")
    order = check.rng(rng, "rng").permutation(n_samples) if rng is not None else np.arange(n_samples)
    size = -(-n_samples // k)
    padded = np.full(k * size, -1, dtype=np.int64)
    # sample s goes to partition s % k, slot s // k: partition sizes differ by at most one
    slots = np.arange(n_samples)
    padded[(slots % k) * size + slots // k] = order
    real = padded >= 0
    source = np.where(real, padded, 0)
    blocked_features = np.where(real[:, None], features[source], 0.0).reshape(k, size, -1)
    targets = np.zeros((k * size, n_classes))
    targets[np.flatnonzero(real), labels[padded[real]]] = 1.0
    weights = real.astype(np.float64).reshape(k, size) / n_samples
    return PartitionedData(blocked_features, targets.reshape(k, size, n_classes), weights)


#: scikit-learn's bundled classification sets: name -> (loader name, samples, whether to standardise the features).
BUNDLED_DATASETS = {
    "digits": ("load_digits", 1797, False),
    "breast_cancer": ("load_breast_cancer", 569, True),
    "wine": ("load_wine", 178, True),
    "iris": ("load_iris", 150, True),
}


def load_bundled_dataset(name: str) -> tuple[np.ndarray, np.ndarray]:
    """One of scikit-learn's bundled classification sets (no download), as ``(features, labels)``.

    ``"digits"``: 1797 8x8 images, 64 pixels scaled to ``[0, 1]``, 10 classes;
    ``"breast_cancer"``: 569 samples, 30 features, 2 classes; ``"wine"``: 178 samples, 13 features,
    3 classes; ``"iris"``: 150 samples, 4 features, 3 classes. The last three are returned unscaled:
    their features span several orders of magnitude, so standardise them with the training set's
    statistics (:func:`standardize`; ``BUNDLED_DATASETS[name][2]`` says which sets need it).

    Examples
    --------
    >>> features, labels = load_bundled_dataset("iris")
    >>> features.shape, sorted(set(labels.tolist()))
    ((150, 4), [0, 1, 2])
    """
    name = check.choice(name, "dataset", tuple(BUNDLED_DATASETS))
    try:
        from sklearn import datasets
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ParameterError(f"the {name} data set needs scikit-learn: pip install 'codedml[learn]'") from error
    bundle = getattr(datasets, BUNDLED_DATASETS[name][0])()
    features = bundle.data.astype(np.float64)
    return (features / 16.0 if name == "digits" else features), bundle.target.astype(np.int64)


def held_out_split(features, labels, test_fraction: float, rng: np.random.Generator):
    """A seeded random split into training and held-out samples.

    Parameters
    ----------
    features : array_like, shape (N, f)
    labels : array_like of int, shape (N,)
    test_fraction : float
        Share of the samples held out, in ``[0, 1)``; ``round(test_fraction N)`` samples are held
        out (0 gives an empty held-out set).
    rng : numpy.random.Generator
        Draws the permutation.

    Returns
    -------
    train_features, train_labels, test_features, test_labels : ndarray

    Examples
    --------
    >>> x, y = np.arange(20.0).reshape(10, 2), np.arange(10) % 2
    >>> parts = held_out_split(x, y, 0.3, np.random.default_rng(0))
    >>> [part.shape[0] for part in parts]
    [7, 7, 3, 3]
    """
    features = check.real_array(features, "features", ndim=2)
    labels = check.integer_array(labels, "labels (non-negative integer class ids)", minimum=0)
    if labels.shape != (features.shape[0],):
        raise ShapeError(f"features must be (N, f) and labels (N,); got {features.shape} and {labels.shape}")
    test_fraction = check.real(test_fraction, "test_fraction", minimum=0.0, maximum=1.0, open_maximum=True)
    order = check.rng(rng, "rng").permutation(labels.size)
    held = int(round(test_fraction * labels.size))
    train, test = order[held:], order[:held]
    return features[train], labels[train], features[test], labels[test]


def standardize(train_features, *other_features) -> tuple[np.ndarray, ...]:
    """Centre and scale every feature by the training set's mean and standard deviation.

    Constant training features are only centred. The same affine map applies to ``other_features``
    (held-out sets), so no statistic of theirs leaks into training.

    Examples
    --------
    >>> train, test = standardize([[0.0, 1.0], [2.0, 1.0]], [[4.0, 3.0]])
    >>> train.tolist(), test.tolist()
    ([[-1.0, 0.0], [1.0, 0.0]], [[3.0, 2.0]])
    """
    train_features = check.real_array(train_features, "train_features", ndim=2)
    if train_features.shape[0] == 0:
        raise ShapeError("train_features must hold at least one sample")
    mean = train_features.mean(axis=0)
    spread = train_features.std(axis=0)
    spread = np.where(spread > 0, spread, 1.0)
    others = [check.real_array(other, "other_features", shape=(None, train_features.shape[1]))
              for other in other_features]
    return tuple((array - mean) / spread for array in (train_features, *others))


def load_digits_data() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled handwritten digits: 1797 samples, 64 pixel features scaled to ``[0, 1]``, 10 classes.

    The data ship inside scikit-learn (no download).

    Returns
    -------
    features : ndarray, shape (1797, 64)
    labels : ndarray of int64, shape (1797,)
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ParameterError("the digits data set needs scikit-learn: pip install 'codedml[learn]'") from error
    digits = load_digits()
    return digits.data.astype(np.float64) / 16.0, digits.target.astype(np.int64)


def sample_minibatch(data: PartitionedData, batch_size: int, rng: np.random.Generator) -> PartitionedData:
    """A random mini-batch of every partition: ``min(batch_size, N_j)`` of its ``N_j`` samples, without replacement.

    Each drawn sample of partition ``j`` weighs ``w_j / b_j`` (``w_j``: the partition's total weight,
    ``N_j / N``; ``b_j = min(batch_size, N_j)``), so the partition keeps its weight and a model's
    mini-batch gradient of partition ``j`` is an unbiased estimate of its full gradient ``g_j`` (the
    mean of a sample drawn without replacement is unbiased). Partitions draw independently; one
    call draws one iteration's batches with one vectorised ``argsort`` of random keys.

    Parameters
    ----------
    data : PartitionedData
    batch_size : int
        Samples per partition, ``>= 1`` (a partition with fewer samples uses all of them).
    rng : numpy.random.Generator

    Returns
    -------
    PartitionedData
        ``k`` partitions of ``min(batch_size, m)`` slots.

    Examples
    --------
    >>> data = partition_data(np.arange(12.0)[:, None], np.arange(12) % 2, 3)
    >>> batch = sample_minibatch(data, 2, np.random.default_rng(0))
    >>> batch.features.shape, batch.weights.sum(axis=1).round(12).tolist()
    ((3, 2, 1), [0.333333333333, 0.333333333333, 0.333333333333])
    """
    if not isinstance(data, PartitionedData):
        raise ParameterError(f"data must be a PartitionedData (see partition_data), got {type(data).__name__}")
    batch_size = check.integer(batch_size, "batch_size", minimum=1)
    rng = check.rng(rng, "rng")
    k, m = data.weights.shape
    size = min(batch_size, m)
    real = data.weights > 0
    keys = np.where(real, rng.random((k, m)), np.inf)  # padding sorts last
    chosen = np.argsort(keys, axis=1, kind="stable")[:, :size]
    rows = np.arange(k)[:, None]
    drawn = np.minimum(np.count_nonzero(real, axis=1), size)
    scale = np.divide(data.weights.sum(axis=1), drawn, out=np.zeros(k), where=drawn > 0)
    weights = np.where(real[rows, chosen], scale[:, None], 0.0)
    return PartitionedData(data.features[rows, chosen], data.targets[rows, chosen], weights)


def synthetic_classification(n_samples: int, n_features: int, n_classes: int, rng: np.random.Generator,
                             separation: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clusters: class ``y`` is ``N(mu_y, I)`` with centres ``mu_y ~ N(0, separation^2 I / f)``.

    Examples
    --------
    >>> x, y = synthetic_classification(100, 5, 3, np.random.default_rng(0))
    >>> x.shape, sorted(set(y.tolist()))
    ((100, 5), [0, 1, 2])
    """
    n_samples = check.integer(n_samples, "n_samples", minimum=1)
    n_features = check.integer(n_features, "n_features", minimum=1)
    n_classes = check.integer(n_classes, "n_classes", minimum=2)
    separation = check.real(separation, "separation", minimum=0.0)
    check.array_size((n_samples + n_classes) * n_features, f"the n_samples x n_features features "
                     f"(n_samples={n_samples}, n_features={n_features})")
    rng = check.rng(rng, "rng")
    centres = rng.standard_normal((n_classes, n_features)) * (separation / np.sqrt(n_features))
    labels = np.arange(n_samples) % n_classes
    rng.shuffle(labels)
    features = centres[labels] + rng.standard_normal((n_samples, n_features))
    return features, labels.astype(np.int64)


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exponentials = np.exp(shifted)
    return exponentials / exponentials.sum(axis=-1, keepdims=True)


def _cross_entropy(logits: np.ndarray, targets: np.ndarray, weights: np.ndarray) -> float:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return float(-np.sum(weights * np.sum(targets * log_probabilities, axis=-1)))


class _Model:
    """Shared validation and the ``l2`` term; subclasses define the forward and backward passes."""

    n_parameters: int

    def __init__(self, l2: float):
        self.l2 = check.real(l2, "l2", minimum=0.0)

    def _check(self, parameters, data: PartitionedData) -> np.ndarray:
        parameters = check.real_array(parameters, "parameters", shape=(self.n_parameters,))
        if not isinstance(data, PartitionedData):
            raise ParameterError(f"data must be a PartitionedData (see partition_data), got {type(data).__name__}")
        if data.n_features != self.n_features or data.n_classes > self.n_classes:
            raise ShapeError(f"model expects {self.n_features} features and <= {self.n_classes} classes; data has "
                             f"{data.n_features} and {data.n_classes}")
        return parameters

    def _targets(self, data: PartitionedData) -> np.ndarray:
        missing = self.n_classes - data.n_classes
        return data.targets if missing == 0 else np.pad(data.targets, ((0, 0), (0, 0), (0, missing)))

    def loss(self, parameters, data: PartitionedData) -> float:
        """Mean cross-entropy over the real samples, plus ``l2 / 2 ||theta||^2``."""
        parameters = self._check(parameters, data)
        logits = self._logits(parameters, data.features)[0]
        return self._loss(parameters, logits, data)

    def partition_gradients(self, parameters, data: PartitionedData) -> np.ndarray:
        """``g_j`` for every partition, shape ``(k, n_parameters)``; their sum is the loss gradient."""
        return self.loss_and_partition_gradients(parameters, data)[1]

    def loss_and_partition_gradients(self, parameters, data: PartitionedData) -> tuple[float, np.ndarray]:
        """:meth:`loss` and :meth:`partition_gradients` from one forward pass."""
        parameters = self._check(parameters, data)
        logits, cache = self._logits(parameters, data.features)
        residual = (_softmax(logits) - self._targets(data)) * data.weights[..., None]
        gradients = self._backward(parameters, data.features, residual, cache)
        share = data.weights.sum(axis=1)
        return self._loss(parameters, logits, data), gradients + self.l2 * share[:, None] * parameters[None, :]

    def _loss(self, parameters: np.ndarray, logits: np.ndarray, data: PartitionedData) -> float:
        penalty = 0.5 * self.l2 * float(parameters @ parameters)
        return _cross_entropy(logits, self._targets(data), data.weights) + penalty

    def accuracy(self, parameters, data: PartitionedData) -> float:
        """Fraction of real samples whose largest logit is their label."""
        parameters = self._check(parameters, data)
        logits = self._logits(parameters, data.features)[0]
        real = data.weights > 0
        hits = np.argmax(logits, axis=-1) == np.argmax(self._targets(data), axis=-1)
        return float(np.count_nonzero(hits & real) / np.count_nonzero(real))

    def predict(self, parameters, features) -> np.ndarray:
        """Class ids (the largest logit, the first on ties) of the rows of ``features``, shape ``(N,)``."""
        parameters = check.real_array(parameters, "parameters", shape=(self.n_parameters,))
        features = check.real_array(features, "features", shape=(None, self.n_features))
        return np.argmax(self._logits(parameters, features)[0], axis=-1)


class SoftmaxRegression(_Model):
    """Multinomial logistic regression: ``logits = x W + b``, ``theta = (W (f x c) row-major, b (c))``.

    Parameters
    ----------
    n_features : int
        ``f``.
    n_classes : int
        ``c``.
    l2 : float
        Weight of ``l2 / 2 ||theta||^2``.

    Examples
    --------
    >>> import numpy as np
    >>> data = partition_data(np.eye(4), [0, 1, 0, 1], 2)
    >>> model = SoftmaxRegression(4, 2)
    >>> theta = np.zeros(model.n_parameters)
    >>> round(model.loss(theta, data), 4)  # log 2 at theta = 0
    0.6931
    >>> model.partition_gradients(theta, data).shape
    (2, 10)
    """

    def __init__(self, n_features: int, n_classes: int, l2: float = 0.0):
        super().__init__(l2)
        self.n_features = check.integer(n_features, "n_features", minimum=1)
        self.n_classes = check.integer(n_classes, "n_classes", minimum=1)
        check.array_size((self.n_features + 1) * self.n_classes, f"the parameters (n_features={self.n_features}, "
                         f"n_classes={self.n_classes})")
        self.n_parameters = (self.n_features + 1) * self.n_classes

    def initial_parameters(self, rng: np.random.Generator) -> np.ndarray:
        """Zeros (the loss is convex; ``rng`` is accepted for a uniform interface)."""
        return np.zeros(self.n_parameters)

    def _split(self, parameters: np.ndarray):
        f, c = self.n_features, self.n_classes
        return parameters[: f * c].reshape(f, c), parameters[f * c:]

    def _logits(self, parameters, features):
        weights, bias = self._split(parameters)
        return features @ weights + bias, None

    def _backward(self, parameters, features, residual, cache):
        weight_gradients = np.matmul(features.transpose(0, 2, 1), residual)  # (k, f, c)
        return np.concatenate((weight_gradients.reshape(features.shape[0], -1), residual.sum(axis=1)), axis=1)


class OneHiddenLayerMLP(_Model):
    """``logits = tanh(x W1 + b1) W2 + b2``; ``theta = (W1, b1, W2, b2)`` flattened row-major.

    Parameters
    ----------
    n_features : int
    n_hidden : int
        Width ``h`` of the hidden layer.
    n_classes : int
    l2 : float

    Examples
    --------
    >>> import numpy as np
    >>> model = OneHiddenLayerMLP(64, 16, 10)
    >>> model.n_parameters  # 64*16 + 16 + 16*10 + 10
    1210
    """

    def __init__(self, n_features: int, n_hidden: int, n_classes: int, l2: float = 0.0):
        super().__init__(l2)
        self.n_features = check.integer(n_features, "n_features", minimum=1)
        self.n_hidden = check.integer(n_hidden, "n_hidden", minimum=1)
        self.n_classes = check.integer(n_classes, "n_classes", minimum=1)
        check.array_size((self.n_features + 1 + self.n_classes) * self.n_hidden + self.n_classes,
                         f"the parameters (n_features={self.n_features}, n_hidden={self.n_hidden}, "
                         f"n_classes={self.n_classes})")
        f, h, c = self.n_features, self.n_hidden, self.n_classes
        self._sizes = np.cumsum([f * h, h, h * c, c])
        self.n_parameters = int(self._sizes[-1])

    def initial_parameters(self, rng: np.random.Generator) -> np.ndarray:
        """Glorot-uniform weights, zero biases."""
        rng = check.rng(rng, "rng")
        f, h, c = self.n_features, self.n_hidden, self.n_classes
        first = rng.uniform(-1, 1, f * h) * np.sqrt(6.0 / (f + h))
        second = rng.uniform(-1, 1, h * c) * np.sqrt(6.0 / (h + c))
        return np.concatenate((first, np.zeros(h), second, np.zeros(c)))

    def _split(self, parameters: np.ndarray):
        f, h, c = self.n_features, self.n_hidden, self.n_classes
        first, first_bias, second, second_bias = np.split(parameters, self._sizes[:-1])
        return first.reshape(f, h), first_bias, second.reshape(h, c), second_bias

    def _logits(self, parameters, features):
        first, first_bias, second, second_bias = self._split(parameters)
        hidden = np.tanh(features @ first + first_bias)
        return hidden @ second + second_bias, hidden

    def _backward(self, parameters, features, residual, hidden):
        _, _, second, _ = self._split(parameters)
        k = features.shape[0]
        second_gradients = np.matmul(hidden.transpose(0, 2, 1), residual)  # (k, h, c)
        hidden_residual = (residual @ second.T) * (1.0 - hidden**2)  # (k, m, h)
        first_gradients = np.matmul(features.transpose(0, 2, 1), hidden_residual)  # (k, f, h)
        return np.concatenate((first_gradients.reshape(k, -1), hidden_residual.sum(axis=1),
                               second_gradients.reshape(k, -1), residual.sum(axis=1)), axis=1)
