"""Stochastic incremental ADMM with coded edge computing nodes: sI-ADMM and csI-ADMM (survey section 5).

Problem (survey eqs. 12-13): ``N`` agents on a graph, agent ``i`` holds data ``D_i`` and the local
least-squares loss ``f_i(x) = |D_i|^-1 sum_{l in D_i} (a_l . x - b_l)^2 / 2``; minimise
``sum_i f_i(x_i)`` subject to ``x_i = z``. A token carrying ``z`` walks a cycle through all agents
(:func:`token_cycle`). At iteration ``k`` the agent ``i`` holding it

1. sends ``x_i^k`` to its ``K`` edge computing nodes (ECNs). ECN ``j`` holds the data partitions
   ``xi_{i,p}`` that ``code`` assigns to it (one partition per ECN uncoded; ``S + 1`` with
   fractional or cyclic repetition) and computes, for each, the mean gradient ``g_p`` over the
   partition's current mini-batch of ``M / K`` samples (batch index ``m mod (|xi_{i,p}| K / M)``,
   ``m = floor(k / N)`` the cycle index: eq. 18); it sends the coded message ``sum_p B[j, p] g_p``;
2. waits until the messages received so far are decodable (all ``K`` uncoded, the first ``K - S``
   with a repetition code: the ECN finish times come from a straggler model) and decodes
   ``G_i = K^-1 sum_p g_p`` (eq. 17);
3. ``x_i <- (rho z + tau x_i + y_i - G_i) / (rho + tau)`` (16a),
   ``y_i <- y_i + rho gamma (z - x_i)`` (16b),
   ``z <- z + N^-1 [(x_i^new - x_i^old) - rho^-1 (y_i^new - y_i^old)]`` (15c),
   and passes the token to the next agent of the cycle.

Because every partition's mini-batch depends only on the partition and the cycle index, an exact
code decodes exactly the uncoded ``G_i``: coded and uncoded runs take the same iterates and differ
only in time. Each ECN's finish time is ``(partitions it holds) x (its unit time)`` from the
straggler model, so a repetition code pays ``S + 1`` times the computation per ECN to stop waiting
for the ``S`` slowest. Token hops cost ``U(1e-5, 1e-4)`` seconds each (survey section 5.4);
shortest-path cycles may take several hops between consecutive agents.

Examples
--------
>>> import numpy as np
>>> from codedml.codes import CyclicRepetition, UncodedScheme
>>> from codedml.learn.admm import incremental_admm, random_connected_graph, synthetic_least_squares
>>> from codedml.sim import InjectedDelays, ShiftedExponential
>>> rng = np.random.default_rng(0)
>>> problem = synthetic_least_squares(4, 120, 5, 0.1, rng)
>>> graph = random_connected_graph(4, 0.8, rng)
>>> ecns = InjectedDelays(ShiftedExponential(100, 0.01), n_delayed=2, max_delay=0.5)
>>> runs = [incremental_admm(problem, graph, code, ecns, iterations=400, batch_size=24, seed=1)
...         for code in (UncodedScheme(6), CyclicRepetition(6, 2))]
>>> bool(np.allclose(runs[0].accuracy, runs[1].accuracy)), bool(runs[1].time[-1] < runs[0].time[-1])
(True, True)
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from codedml import _validation as check
from codedml.codes.gradient.base import GradientCode
from codedml.errors import ParameterError, ShapeError
from codedml.sim.stragglers import StragglerModel

#: Token hop time ``U(low, high)`` in seconds (survey section 5.4).
HOP_SECONDS = (1e-5, 1e-4)
#: The Hamiltonian-cycle search gives up (and the token walks shortest paths) after this many path
#: extensions: depth-first search is exponential on graphs without such a cycle.
HAMILTONIAN_SEARCH_STEPS = 100_000


@dataclass
class LeastSquaresAgents:
    """Equal-sized local least-squares data sets: agent ``i`` holds ``features[i] @ x ~ targets[i]``.

    Attributes
    ----------
    features : ndarray, shape (N, m, p)
    targets : ndarray, shape (N, m)
    test_features, test_targets : ndarray, shapes (t, p) and (t,)
        Held-out samples for the test mean-squared error.
    """

    features: np.ndarray
    targets: np.ndarray
    test_features: np.ndarray
    test_targets: np.ndarray

    def __post_init__(self):
        self.features = check.real_array(self.features, "features", ndim=3)
        self.targets = check.real_array(self.targets, "targets")
        self.test_features = check.real_array(self.test_features, "test_features")
        self.test_targets = check.real_array(self.test_targets, "test_targets")
        if self.features.ndim != 3 or self.targets.shape != self.features.shape[:2]:
            raise ShapeError(f"features must be (N, m, p) and targets (N, m), got {self.features.shape} and "
                             f"{self.targets.shape}")
        if self.test_features.ndim != 2 or self.test_features.shape[1] != self.features.shape[2] \
                or self.test_targets.shape != self.test_features.shape[:1]:
            raise ShapeError(f"test features must be (t, {self.features.shape[2]}) and test targets (t,), got "
                             f"{self.test_features.shape} and {self.test_targets.shape}")

    @property
    def n_agents(self) -> int:
        return self.features.shape[0]

    def optimum(self) -> np.ndarray:
        """``x*``: the minimiser of ``sum_i f_i`` (equal local sizes: least squares on all data)."""
        stacked = self.features.reshape(-1, self.features.shape[2])
        return np.linalg.lstsq(stacked, self.targets.reshape(-1), rcond=None)[0]

    def test_mse(self, x: np.ndarray) -> float:
        """Mean squared error ``t^-1 sum (a . x - b)^2`` on the held-out samples."""
        return float(np.mean((self.test_features @ x - self.test_targets) ** 2))


def synthetic_least_squares(n_agents: int, samples_per_agent: int, n_features: int, noise: float,
                            rng: np.random.Generator, test_samples: int = 1000) -> LeastSquaresAgents:
    """Gaussian features, ``b = a @ x_true + noise * N(0, 1)`` with ``x_true ~ N(0, I)``."""
    n_agents = check.integer(n_agents, "n_agents", minimum=1)
    samples_per_agent = check.integer(samples_per_agent, "samples_per_agent", minimum=1)
    n_features = check.integer(n_features, "n_features", minimum=1)
    test_samples = check.integer(test_samples, "test_samples", minimum=1)
    noise = check.real(noise, "noise", minimum=0.0)
    check.array_size((n_agents * samples_per_agent + test_samples) * (n_features + 1),
                     f"the data (n_agents={n_agents}, samples_per_agent={samples_per_agent}, "
                     f"n_features={n_features}, test_samples={test_samples})")
    rng = check.rng(rng, "rng")
    x_true = rng.normal(size=n_features)
    features = rng.normal(size=(n_agents, samples_per_agent, n_features))
    targets = features @ x_true + noise * rng.normal(size=(n_agents, samples_per_agent))
    test_features = rng.normal(size=(test_samples, n_features))
    test_targets = test_features @ x_true + noise * rng.normal(size=test_samples)
    return LeastSquaresAgents(features, targets, test_features, test_targets)


def random_connected_graph(n_agents: int, connectivity: float, rng: np.random.Generator) -> np.ndarray:
    """Boolean adjacency of a connected graph with ``max(N - 1, round(eta N (N - 1) / 2))`` links.

    A random spanning tree (each agent joins a random earlier one, in random order) keeps it
    connected; the remaining links are drawn uniformly from the absent pairs.
    """
    n_agents = check.integer(n_agents, "n_agents", minimum=2)
    connectivity = check.probability(connectivity, "connectivity", open_minimum=True)
    check.array_size(n_agents * n_agents, f"the n_agents x n_agents adjacency (n_agents={n_agents})", itemsize=1)
    rng = check.rng(rng, "rng")
    adjacency = np.zeros((n_agents, n_agents), dtype=np.bool_)
    order = rng.permutation(n_agents)
    for position in range(1, n_agents):
        other = order[rng.integers(position)]
        adjacency[order[position], other] = adjacency[other, order[position]] = True
    links = max(n_agents - 1, round(connectivity * n_agents * (n_agents - 1) / 2))
    absent = np.argwhere(np.triu(~adjacency, k=1))
    extra = absent[rng.choice(len(absent), size=links - (n_agents - 1), replace=False)]
    adjacency[extra[:, 0], extra[:, 1]] = adjacency[extra[:, 1], extra[:, 0]] = True
    return adjacency


def token_cycle(adjacency: np.ndarray) -> tuple[list[int], list[int]]:
    """The agents' activation order and the number of link hops from each to the next.

    A Hamiltonian cycle when depth-first search finds one within :data:`HAMILTONIAN_SEARCH_STEPS`
    path extensions, otherwise agents in index order with the token moving along shortest paths
    (the shortest-path cycle of the survey's section 5.4).
    """
    adjacency = _check_adjacency(adjacency)
    n = adjacency.shape[0]
    hops_between = _hop_distances(adjacency)
    if np.any(hops_between < 0):
        raise ParameterError("the agent graph is not connected")
    cycle = _hamiltonian_cycle(adjacency, HAMILTONIAN_SEARCH_STEPS)
    order = cycle if cycle is not None else list(range(n))
    hops = [int(hops_between[order[t], order[(t + 1) % n]]) for t in range(n)]
    return order, hops


def _seeded_rng(seed) -> np.random.Generator:
    """:func:`codedml._validation.rng`, also taking a list of non-negative integers (SeedSequence entropy)."""
    if isinstance(seed, (list, tuple, np.ndarray)):
        return np.random.default_rng(check.integer_array(seed, "seed", ndim=1, minimum=0))
    return check.rng(seed)


def _check_adjacency(adjacency) -> np.ndarray:
    """A square symmetric boolean (or 0/1) matrix with an empty diagonal."""
    if isinstance(adjacency, np.ndarray) and adjacency.dtype == np.bool_:
        matrix = adjacency
    else:
        matrix = check.integer_array(adjacency, "adjacency", minimum=0, maximum=1).astype(np.bool_)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] < 1:
        raise ShapeError(f"adjacency must be a square matrix, got shape {matrix.shape}")
    if np.any(matrix != matrix.T) or np.any(np.diag(matrix)):
        raise ParameterError("adjacency must be a symmetric boolean matrix with an empty diagonal")
    return matrix


def _hop_distances(adjacency: np.ndarray) -> np.ndarray:
    """All-pairs hop counts by breadth-first search (``-1``: unreachable)."""
    n = adjacency.shape[0]
    distances = np.full((n, n), -1, dtype=np.int64)
    neighbours = [np.flatnonzero(row) for row in adjacency]
    for start in range(n):
        distances[start, start] = 0
        queue = deque([start])
        while queue:
            node = queue.popleft()
            for other in neighbours[node]:
                if distances[start, other] < 0:
                    distances[start, other] = distances[start, node] + 1
                    queue.append(other)
    return distances


def _hamiltonian_cycle(adjacency: np.ndarray, max_steps: int) -> list[int] | None:
    """A Hamiltonian cycle from agent 0 by depth-first search, or ``None`` (none, or not found in time)."""
    n = adjacency.shape[0]
    path, visited = [0], np.zeros(n, dtype=np.bool_)
    visited[0] = True
    steps = 0

    def extend() -> bool:
        nonlocal steps
        if len(path) == n:
            return bool(adjacency[path[-1], 0])
        for other in np.flatnonzero(adjacency[path[-1]] & ~visited):
            steps += 1
            if steps > max_steps:
                return False
            path.append(int(other))
            visited[other] = True
            if extend():
                return True
            visited[other] = False
            path.pop()
        return False

    return path if extend() else None


@dataclass
class ADMMResult:
    """Curves of one run, one entry per token iteration (index 0: before the first).

    Attributes
    ----------
    time : ndarray
        Simulated running time: ECN waits plus token hops.
    accuracy : ndarray
        Eq. 19: ``N^-1 sum_i ||x_i - x*|| / ||x_i^1 - x*||`` (``x_i^1 = 0``).
    test_mse : ndarray
        Test mean-squared error of the token ``z``.
    ecn_messages : ndarray of int64
        Messages the active agent used (decoded from) at each iteration.
    stopped_at : int or None
        Iteration at which the stopping criterion held for every agent, if it did.
    """

    time: np.ndarray
    accuracy: np.ndarray
    test_mse: np.ndarray
    ecn_messages: np.ndarray
    stopped_at: int | None


def incremental_admm(problem: LeastSquaresAgents, adjacency: np.ndarray, code: GradientCode,
                     straggler_model: StragglerModel, iterations: int, batch_size: int, rho: float = 1.0,
                     tau: float = 2.0, gamma: float = 1.0, tolerances: tuple[float, float] | None = None,
                     seed=None) -> ADMMResult:
    """Run sI-ADMM (``code = UncodedScheme(K)``) or csI-ADMM (an exact repetition code over ``K`` ECNs).

    Parameters
    ----------
    problem : LeastSquaresAgents
        ``N`` agents' data; each agent's ``m`` samples are split into ``K = code.n_partitions``
        equal partitions (``K`` must divide ``m``).
    adjacency : ndarray of bool, shape (N, N)
        The agent graph (:func:`random_connected_graph`); the token follows :func:`token_cycle`.
    code : GradientCode
        The ECN code, the same for every agent: ``K`` ECNs (``code.n_workers``) over ``K``
        partitions; it must be exact (``code.exact``).
    straggler_model : StragglerModel
        Unit times of the ECNs (one computation = one partition's mini-batch gradient).
    iterations : int
        Token iterations ``k = 1..iterations``.
    batch_size : int
        ``M``: samples per iteration over all partitions (``M / K`` per partition, a divisor of ``m / K``).
    rho, tau, gamma : float
        ``rho`` (penalty), ``tau`` (proximal weight of the linearised x-update; at least the
        largest eigenvalue of a mini-batch's ``A^T A / M``-type Hessian keeps it stable),
        ``gamma`` (dual step).
    tolerances : (eps_pri, eps_dual) or None
        Stop early once ``||z - x_i|| <= eps_pri`` and ``||G_i - y_i|| <= eps_dual`` for every agent.
    seed : int or numpy.random.Generator, optional
        Straggler draws and hop times.

    Returns
    -------
    ADMMResult
    """
    if not isinstance(problem, LeastSquaresAgents):
        raise ParameterError(f"problem must be a LeastSquaresAgents, got {type(problem).__name__}")
    if not isinstance(code, GradientCode):
        raise ParameterError(f"code must be a GradientCode, got {type(code).__name__}")
    if not isinstance(straggler_model, StragglerModel):
        raise ParameterError(f"straggler_model must be a StragglerModel, got {type(straggler_model).__name__}")
    n_agents, samples, n_features = problem.features.shape
    k = code.n_partitions
    adjacency = _check_adjacency(adjacency)
    if adjacency.shape != (n_agents, n_agents):
        raise ShapeError(f"adjacency must be ({n_agents}, {n_agents}) for {n_agents} agents, got {adjacency.shape}")
    iterations = check.integer(iterations, "iterations", minimum=1)
    batch_size = check.integer(batch_size, "batch_size", minimum=1)
    rho = check.real(rho, "rho", minimum=0.0, open_minimum=True)
    tau = check.real(tau, "tau", minimum=0.0, open_minimum=True)
    gamma = check.real(gamma, "gamma", minimum=0.0, open_minimum=True)
    if tolerances is not None:
        if np.shape(tolerances) != (2,):
            raise ShapeError(f"tolerances must be a pair (eps_pri, eps_dual), got {tolerances!r}")
        tolerances = (check.real(tolerances[0], "tolerances eps_pri", minimum=0.0),
                      check.real(tolerances[1], "tolerances eps_dual", minimum=0.0))
    check.array_size(iterations * (k + 3), f"the per-iteration records (iterations={iterations}, K={k})")
    if not code.exact:
        raise ParameterError(f"{type(code).__name__} is approximate; ADMM's gradient sum needs an exact code")
    if code.n_workers != k:
        raise ParameterError(f"the ECN code must have as many ECNs as partitions, got {code.n_workers} and {k}")
    if samples % k:
        raise ParameterError(f"K = {k} partitions must divide the {samples} samples of each agent")
    partition_size = samples // k
    if batch_size < k or batch_size % k or partition_size % (batch_size // k):
        raise ParameterError(f"batch size M = {batch_size} must be a multiple of K = {k} with M / K dividing the "
                             f"partition size {partition_size}")
    rng = _seeded_rng(seed)
    order, hops = token_cycle(adjacency)
    per_partition = batch_size // k
    batches_per_partition = partition_size // per_partition
    # (agent, partition, batch, sample, feature): a partition's batch is a contiguous block
    features = problem.features.reshape(n_agents, k, batches_per_partition, per_partition, n_features)
    targets = problem.targets.reshape(n_agents, k, batches_per_partition, per_partition)
    optimum = problem.optimum()
    start_distance = max(np.linalg.norm(optimum), np.finfo(float).tiny)
    x = np.zeros((n_agents, n_features))
    y = np.zeros((n_agents, n_features))
    z = np.zeros(n_features)
    last_gradient = np.full((n_agents, n_features), np.inf)
    finish_times = straggler_model.finish_times(code.worker_loads, iterations, rng)
    hop_times = rng.uniform(*HOP_SECONDS, size=(iterations, max(hops)))
    time = np.zeros(iterations + 1)
    accuracy = np.empty(iterations + 1)
    test_mse = np.empty(iterations + 1)
    used = np.zeros(iterations + 1, dtype=np.int64)
    accuracy[0], test_mse[0] = 1.0, problem.test_mse(z)
    waits, messages_used = code.first_decodable(finish_times)
    if not np.all(np.isfinite(waits)):
        raise ParameterError(f"the straggler model left some iterations undecodable by {type(code).__name__}")
    stopped_at = None
    for step in range(iterations):
        position = step % n_agents
        agent = order[position]
        batch = (step // n_agents) % batches_per_partition
        partials = _partition_gradients(features[agent, :, batch], targets[agent, :, batch], x[agent])
        received = np.flatnonzero(finish_times[step] <= waits[step])
        gradient = code.decode(received, code.encode(partials)) / k
        x_new = (rho * z + tau * x[agent] + y[agent] - gradient) / (rho + tau)
        y_new = y[agent] + rho * gamma * (z - x_new)
        z = z + ((x_new - x[agent]) - (y_new - y[agent]) / rho) / n_agents
        x[agent], y[agent], last_gradient[agent] = x_new, y_new, gradient
        time[step + 1] = time[step] + waits[step] + hop_times[step, :hops[position]].sum()
        used[step + 1] = messages_used[step]
        accuracy[step + 1] = np.mean(np.linalg.norm(x - optimum, axis=1)) / start_distance
        test_mse[step + 1] = problem.test_mse(z)
        if tolerances is not None and _converged(x, y, z, last_gradient, tolerances):
            stopped_at = step + 1
            break
    end = iterations + 1 if stopped_at is None else stopped_at + 1
    return ADMMResult(time[:end], accuracy[:end], test_mse[:end], used[:end], stopped_at)


def _partition_gradients(features: np.ndarray, targets: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Mean least-squares gradient over each partition's batch: ``(K, M/K, p), (K, M/K) -> (K, p)``."""
    residuals = features @ x - targets
    return np.einsum("kbp,kb->kp", features, residuals) / features.shape[1]


def _converged(x, y, z, gradients, tolerances) -> bool:
    eps_primal, eps_dual = tolerances
    return bool(np.all(np.linalg.norm(z - x, axis=1) <= eps_primal)
                and np.all(np.linalg.norm(gradients - y, axis=1) <= eps_dual))
