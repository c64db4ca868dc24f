"""BATS (batched sparse) codes over ``GF(2^8)`` and their communication load (survey section 4, Figures 6–7).

:class:`BATSCode` is the two-layer code of the survey's Figure 6: an outer LT-like code whose
coded units are *batches* of ``M`` packets (each a random ``GF(2^8)`` combination of the
batch's ``d``-many source packets, ``d ~ Psi``), an inner random linear network code applied
by an intermediate node to the packets of each batch, and belief-propagation decoding of
batches at the sink. All loops over batches, packets and bytes run in :mod:`codedml.kernels.bats`.

:func:`communication_loads` is the load model behind the survey's Figure 7 (BATS against
uncoded and deterministic coded computing as the computing load varies). The survey gives only
the figure and its conclusion (BATS is lower "if the computing load is lower than certain
thresholds") and refers to its reference [12] for details; the model's assumptions are ours
and are listed in the function's docstring.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import binom

from codedml.codes.lt import degree_distribution, kernel_seed
from codedml.errors import NotDecodableError, ParameterError, ShapeError
from codedml.fields import get_field
from codedml.kernels.bats import (
    bats_batches,
    bats_bp_decode,
    bats_encode,
    recode_through_relay,
    source_transfer_matrices,
)

#: Field size of the batch coefficients.
FIELD_ORDER = 256


class BATSCode:
    """BATS code: ``n_batches`` batches of ``M`` packets over ``GF(2^8)`` for ``K`` source packets.

    Parameters
    ----------
    n_sources : int
        ``K``: number of source packets.
    n_batches : int
        Number of batches the source emits (the outer code is rateless; this fixes how many).
    distribution : {"robust", "ideal"} or array_like
        Batch degree distribution ``Psi`` (see :func:`codedml.codes.lt.degree_distribution`),
        usually a vector ``p[d - 1] = P(degree = d)``. BATS's degree-optimised distributions
        depend on the channel's rank distribution (:func:`batch_rank_distribution`) and are not
        computed here, so there is no default: the LT solitons ignore that a batch solves up to
        ``rank`` sources at once and need far more batches.
    batch_size : int
        ``M``: packets per batch.
    seed : int, numpy.random.Generator or None
        Makes the batches reproducible.

    Examples
    --------
    >>> import numpy as np
    >>> from codedml.codes.bats import BATSCode
    >>> code = BATSCode(40, 30, batch_size=8, distribution=[0, 0, 0, 0, 1.0], seed=1)
    >>> data = np.random.default_rng(0).integers(0, 256, (40, 16), dtype=np.uint8)
    >>> headers, packets, received = code.transmit(code.encode(data), erasure_probability=0.1, seed=2)
    >>> bool(np.array_equal(code.decode(headers, packets, received), data))
    True
    """

    def __init__(self, n_sources: int, n_batches: int, distribution, batch_size: int = 16, c: float = 0.03,
                 delta: float = 0.5, seed=None):
        for name, value in (("n_sources", n_sources), ("n_batches", n_batches), ("batch_size", batch_size)):
            if int(value) != value or value < 1:
                raise ParameterError(f"{name} must be a positive integer, got {value!r}")
        self.n_sources = int(n_sources)
        self.n_batches = int(n_batches)
        self.batch_size = int(batch_size)
        self.field = get_field("gf2^8")
        self.degree_probabilities = degree_distribution(self.n_sources, distribution, c, delta)
        self.seed = kernel_seed(seed)
        self.batch_indptr, self.batch_sources, self.generator = bats_batches(
            self.n_sources, self.n_batches, self.batch_size, self.degree_probabilities, self.seed)

    @property
    def degrees(self) -> np.ndarray:
        """``d_j``: number of source packets in each batch."""
        return np.diff(self.batch_indptr)

    def encode(self, source_packets) -> np.ndarray:
        """The coded batches ``X_j = G_j^T S_j``, shape ``(n_batches, M, T)``, from ``K x T`` uint8 packets."""
        packets = np.asarray(source_packets)
        if packets.ndim != 2 or packets.shape[0] != self.n_sources or packets.dtype != np.uint8:
            raise ShapeError(f"source packets must be a uint8 array of shape ({self.n_sources}, T), "
                             f"got {packets.dtype} {packets.shape}")
        return bats_encode(self.batch_indptr, self.batch_sources, self.generator, np.ascontiguousarray(packets),
                           self.field.reduction)

    def transmit(self, coded_batches, erasure_probability: float, seed=None):
        """Send the batches through one recoding relay over two erasure links (the inner code).

        Returns ``(headers, packets, received)``: per batch, the ``r_j`` received packets, their
        headers (transfer matrix ``H_j``, ``r_j x M``) in the first ``r_j`` rows, and ``r_j``.
        """
        coded = np.asarray(coded_batches)
        if coded.ndim != 3 or coded.shape[:2] != (self.n_batches, self.batch_size) or coded.dtype != np.uint8:
            raise ShapeError(f"coded batches must be uint8 of shape ({self.n_batches}, {self.batch_size}, T), "
                             f"got {coded.dtype} {coded.shape}")
        if not 0 <= erasure_probability < 1:
            raise ParameterError(f"erasure_probability must lie in [0, 1), got {erasure_probability!r}")
        return recode_through_relay(np.ascontiguousarray(coded), float(erasure_probability), kernel_seed(seed),
                                    self.field.reduction)

    def decode(self, headers, packets, received) -> np.ndarray:
        """Belief-propagation decoding of batches: the ``K x T`` source packets.

        Parameters
        ----------
        headers : ndarray of uint8, shape (n_batches, M, M)
            Row ``r < received[j]`` of ``headers[j]``: received packet ``r``'s coefficients over
            batch ``j``'s ``M`` coded packets.
        packets : ndarray of uint8, shape (n_batches, M, T)
            The received payloads, in the same rows.
        received : array_like of int, shape (n_batches,)
            ``r_j``: received packets per batch (``0 <= r_j <= M``).

        Raises
        ------
        NotDecodableError
            When belief propagation stops with source packets still unknown; names how many.
        """
        headers, packets, received = self._check_received(headers, packets, received)
        transfer = source_transfer_matrices(self.batch_indptr, self.generator, headers, received,
                                            self.field.exp, self.field.log)
        sources, known = bats_bp_decode(self.batch_indptr, self.batch_sources, transfer, received, packets.copy(),
                                        self.n_sources, self.field.exp, self.field.log, self.field.reduction)
        missing = self.n_sources - int(np.count_nonzero(known))
        if missing:
            raise NotDecodableError(
                f"{missing} of {self.n_sources} source packets are still missing after belief propagation over "
                f"{self.n_batches} batches ({int(received.sum())} packets received)",
                received=int(received.sum()), needed=self.n_sources)
        return sources

    def _check_received(self, headers, packets, received):
        headers, packets = np.asarray(headers), np.asarray(packets)
        received = np.asarray(received)
        shape = (self.n_batches, self.batch_size)
        if headers.shape != shape + (self.batch_size,) or headers.dtype != np.uint8:
            raise ShapeError(f"headers must be uint8 of shape {shape + (self.batch_size,)}, "
                             f"got {headers.dtype} {headers.shape}")
        if packets.ndim != 3 or packets.shape[:2] != shape or packets.dtype != np.uint8:
            raise ShapeError(f"packets must be uint8 of shape {shape + ('T',)}, got {packets.dtype} {packets.shape}")
        if received.shape != (self.n_batches,) or not np.issubdtype(received.dtype, np.integer):
            raise ShapeError(f"received must be {self.n_batches} integers, got {received.dtype} {received.shape}")
        if received.min() < 0 or received.max() > self.batch_size:
            raise ParameterError(f"received counts must lie in 0..{self.batch_size}")
        return (np.ascontiguousarray(headers), np.ascontiguousarray(packets),
                received.astype(np.int64))


# ---- Figure 7: communication load ---------------------------------------------------------------
def batch_rank_distribution(batch_size: int, erasure_probability: float, hops: int,
                            field_order: int = FIELD_ORDER) -> np.ndarray:
    """Distribution of the rank of a batch's transfer matrix after ``hops`` erasure links with
    random recoding at every intermediate node: ``p[rho] = P(rank = rho)``, ``rho = 0..M``.

    On each link the receiver gets ``Bin(M, 1 - e)`` of the ``M`` packets the sender makes from
    its ``rho``-dimensional batch subspace (the source's packets are independent; a relay's are
    uniform in its subspace); adding a uniform vector of a ``rho``-dimensional space to ``a``
    independent ones raises the rank with probability ``1 - q^(a - rho)``.
    """
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
    reach = (1.0 - erasure_probability) ** (hops - 1)
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
    if int(n_nodes) != n_nodes or n_nodes < 2:
        raise ParameterError(f"n_nodes must be an integer >= 2, got {n_nodes!r}")
    loads = np.asarray(computing_loads)
    if loads.ndim != 1 or loads.size == 0 or np.any(loads != np.round(loads)) or loads.min() < 1 \
            or loads.max() > n_nodes:
        raise ParameterError(f"computing loads must be integers in 1..{n_nodes}, got {computing_loads!r}")
    if not 0 <= erasure_probability < 1:
        raise ParameterError(f"erasure_probability must lie in [0, 1), got {erasure_probability!r}")
    if int(hops) != hops or hops < 1 or int(batch_size) != batch_size or batch_size < 1 or bats_overhead < 0:
        raise ParameterError(f"need integers hops >= 1 and batch_size >= 1 and bats_overhead >= 0, got "
                             f"{hops!r}, {batch_size!r}, {bats_overhead!r}")
    loads = loads.astype(np.int64)
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
