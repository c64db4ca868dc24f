"""Communication load of uncoded, deterministic coded and BATS-coded shuffling (survey Figure 7).

:func:`communication_loads` is the load model behind the survey's Figure 7 (BATS against
uncoded and deterministic coded computing as the computing load varies). The survey gives only
the figure and its conclusion (BATS is lower "if the computing load is lower than certain
thresholds") and refers to its reference [12] for details; the model's assumptions are ours
and are listed in the function's docstring. The code itself is
:class:`~codedml.codes.erasure.bats.BATSCode`.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import binom

from codedml import _validation as check
from codedml.codes.erasure.bats import FIELD_ORDER
from codedml.errors import ParameterError

#: Largest batch size of the rank model (:func:`batch_rank_distribution` is ``O(hops M^3)`` Python work).
MAX_MODEL_BATCH_SIZE = 256
#: :func:`multicast_rounds` refuses settings whose sum may need more rounds than this (``O(rounds^2)`` work).
MAX_MULTICAST_ROUNDS = 10_000


def batch_rank_distribution(batch_size: int, erasure_probability: float, hops: int,
                            field_order: int = FIELD_ORDER) -> np.ndarray:
    """Distribution of the rank of a batch's transfer matrix after ``hops`` erasure links with
    random recoding at every intermediate node: ``p[rho] = P(rank = rho)``, ``rho = 0..M``.

    On each link the receiver gets ``Bin(M, 1 - e)`` of the ``M`` packets the sender makes from
    its ``rho``-dimensional batch subspace (the source's packets are independent; a relay's are
    uniform in its subspace); adding a uniform vector of a ``rho``-dimensional space to ``a``
    independent ones raises the rank with probability ``1 - q^(a - rho)``.
    """
    batch_size = check.integer(batch_size, "batch_size", minimum=1, maximum=MAX_MODEL_BATCH_SIZE)
    erasure_probability = check.probability(erasure_probability, "erasure_probability")
    hops = check.integer(hops, "hops", minimum=0)
    field_order = check.integer(field_order, "field_order", minimum=2)
    rank = np.zeros(batch_size + 1)
    rank[batch_size] = 1.0
    counts = binom.pmf(np.arange(batch_size + 1), batch_size, 1.0 - erasure_probability)
    for hop in range(hops):
        new = np.zeros(batch_size + 1)
        for rho in range(batch_size + 1):
            if rank[rho] == 0:
                continue
            if hop == 0:  # the source's M packets are independent: rank = number received
                new += rank[rho] * counts
                continue
            state = np.zeros(rho + 1)  # rank after adding received packets one by one
            state[0] = 1.0
            for n_received in range(batch_size + 1):
                new[: rho + 1] += rank[rho] * counts[n_received] * state
                grown = np.zeros(rho + 1)
                for a in range(rho + 1):
                    rise = 1.0 - float(field_order) ** (a - rho) if a < rho else 0.0
                    grown[a] += state[a] * (1.0 - rise)
                    if a < rho:
                        grown[a + 1] += state[a] * rise
                state = grown
        rank = new
    return rank


def multicast_rounds(n_receivers: int, erasure_probability: float, hops: int, tolerance: float = 1e-12) -> float:
    """Expected end-to-end sending rounds until all ``n_receivers`` hold a packet.

    A round sends the packet along ``hops - 1`` unicast links to the last node (each erasing with
    probability ``e``), which broadcasts it once to the receivers (independent erasures ``e``);
    ``E[rounds] = sum_t (1 - E_S[(1 - e^S)^r])``, ``S ~ Bin(t, (1 - e)^(hops - 1))`` the rounds
    that reached the last node.
    """
    n_receivers = check.integer(n_receivers, "n_receivers", minimum=0)
    erasure_probability = check.probability(erasure_probability, "erasure_probability", open_maximum=True)
    hops = check.integer(hops, "hops", minimum=1)
    tolerance = check.real(tolerance, "tolerance", minimum=0.0, maximum=1.0, open_minimum=True)
    if n_receivers == 0:
        return 0.0
    reach = (1.0 - erasure_probability) ** (hops - 1)
    # a receiver still lacks the packet after t rounds with probability (1 - reach (1 - e))^t: by the
    # union bound the sum stops by round ln(r / tolerance) / -ln(1 - reach (1 - e))
    per_round = reach * (1.0 - erasure_probability)
    bound = math.log(n_receivers / tolerance) / -math.log1p(-per_round) if per_round < 1 else 1.0
    if not bound <= MAX_MULTICAST_ROUNDS:
        raise ParameterError(f"multicast_rounds would sum up to {bound:.3g} rounds (limit {MAX_MULTICAST_ROUNDS}): "
                             f"erasure_probability={erasure_probability!r} is too close to 1 for hops={hops}")
    expected, t = 0.0, 0
    while True:
        reached = np.arange(t + 1)
        done = float(np.sum(binom.pmf(reached, t, reach) * (1.0 - erasure_probability ** reached) ** n_receivers))
        expected += 1.0 - done
        if 1.0 - done < tolerance:
            return expected
        t += 1


def communication_loads(n_nodes: int, computing_loads, erasure_probability: float, batch_size: int = 16,
                        hops: int = 3, bats_overhead: float = 0.05) -> dict[str, np.ndarray]:
    """Communication load of uncoded, deterministic coded and BATS-coded shuffling (survey Figure 7).

    Assumed model (ours; the survey shows only the figure):

    - ``K = n_nodes`` fog nodes in a MapReduce-style computation; the computing load ``r`` is the
      number of nodes that map each file (the survey: "involved computing nodes"), so a node
      lacks a fraction ``1 - r/K`` of the intermediate values it reduces. Loads are expected
      packet transmissions, summed over links, per intermediate value (normalised as in coded
      distributed computing by Li et al.).
    - Exchanges cross ``hops`` packet-erasure links (store-and-forward through fog relays), each
      erasing independently with probability ``e = erasure_probability`` (the survey's
      ``e_F``, "corresponds to straggling probability").
    - **Uncoded**: each missing value is unicast and re-sent end to end until it arrives:
      ``L = (1 - r/K) * tx * E[rounds_1]`` with ``tx = sum_{i<hops} (1 - e)^i`` transmissions per
      round (a relay forwards only what it received) and ``E[rounds_1] = 1 / (1 - e)^hops``.
    - **Deterministic coded computing** (Li et al.'s coded multicast, the survey's section 3
      network codes): the ``1/r`` multicast gain, but each coded packet is re-sent until *all*
      ``r`` receivers hold it: ``L = (1/r)(1 - r/K) * tx * E[rounds_r]``
      (:func:`multicast_rounds`).
    - **BATS**: no feedback and no retransmission; every link carries ``M`` packets per batch and
      relays recode, so a batch delivers ``E[rank]`` dimensions (:func:`batch_rank_distribution`),
      and the outer code needs ``1 + bats_overhead`` dimensions per value. Random batch
      combinations are not aligned with the receivers' side information, so BATS has no
      multicast gain: ``L = (1 - r/K) * hops * M / E[rank] * (1 + bats_overhead)``.

    Consequently BATS is below uncoded whenever its per-value cost ``hops M (1 + overhead) /
    E[rank]`` beats end-to-end retransmission (more so with more hops and erasures), and below
    deterministic coded computing only while the computing load ``r`` is below a threshold
    (:func:`bats_threshold`) — the survey's conclusion.

    Returns
    -------
    dict
        ``"computing_load"``, ``"uncoded"``, ``"coded"``, ``"bats"`` (arrays over the loads) and
        ``"expected_rank"``.
    """
    n_nodes = check.integer(n_nodes, "n_nodes", minimum=2)
    loads = check.integer_array(computing_loads, "computing loads", ndim=1, minimum=1, maximum=n_nodes)
    if loads.size == 0:
        raise ParameterError(f"computing loads must be a non-empty list of integers in [1, {n_nodes}]")
    erasure_probability = check.probability(erasure_probability, "erasure_probability", open_maximum=True)
    hops = check.integer(hops, "hops", minimum=1)
    batch_size = check.integer(batch_size, "batch_size", minimum=1, maximum=MAX_MODEL_BATCH_SIZE)
    bats_overhead = check.real(bats_overhead, "bats_overhead", minimum=0.0)
    missing = 1.0 - loads / n_nodes
    per_round = math.fsum((1.0 - erasure_probability) ** i for i in range(hops))
    rounds = np.array([multicast_rounds(int(r), erasure_probability, hops) for r in loads])
    rank = batch_rank_distribution(batch_size, erasure_probability, hops)
    expected_rank = float(np.arange(batch_size + 1) @ rank)
    return {
        "computing_load": loads,
        "uncoded": missing * per_round * multicast_rounds(1, erasure_probability, hops),
        "coded": missing / loads * per_round * rounds,
        "bats": missing * hops * batch_size / expected_rank * (1.0 + bats_overhead),
        "expected_rank": expected_rank,
    }


def bats_threshold(loads: dict[str, np.ndarray]) -> int | None:
    """The largest computing load at which BATS is below deterministic coded computing (``None``: never)."""
    below = loads["computing_load"][loads["bats"] < loads["coded"]]
    return int(below.max()) if below.size else None
