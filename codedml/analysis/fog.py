r"""Fog-node random coding (survey section 4, Figures 4-5, eqs. 8-11, Theorem 3).

``F`` fog nodes ``FN_f`` hold overlapping data sets ``D_f`` drawn from ``M`` distinct data; each
computes one intermediate gradient per datum it holds, fountain-encodes them and exchanges
them with the other nodes. This module answers the survey's two questions about that
exchange: how many *new* intermediate gradients a node receives (Theorem 3's ``Delta``), and
how much the coded exchange saves in communication over the uncoded one (Figure 5).

Theorem 3, as derived here
--------------------------
The extracted statement reads
``Delta = sum_{i=1}^{F-1} 1_{pi_i} (1 - gamma_{pi_i,f}) phi(i, f) |D_{pi_i}|`` with
``phi(1, f) = 1``, ``phi(i, f) = prod_{a=1}^{i-1} (1 - gamma_{pi_i, pi_a | Theta_{a,f}})`` and
``Theta_{1,f} = {f}``, ``Theta_{a,f} = {f, pi_1, ..., pi_{a-1}}``, where ``pi`` orders the other
``F - 1`` nodes and ``1_{pi_i}`` is eq. (8)'s indicator that ``FN_{pi_i}`` did not straggle (the
subscript printed as ``pi_{i - pi_a}`` is an extraction artefact of ``pi_a``). We read the
conditional overlap as

``gamma_{b,a | Theta} = |D_b ∩ D_a \ U_Theta| / |D_b \ U_Theta|``,  ``U_Theta = union of D_t, t in Theta``,

the share of ``b``'s data not already known through ``Theta`` that ``a`` also holds (``1`` when
nothing is left). Then ``(1 - gamma_{b,f}) prod_a (1 - gamma_{b,pi_a|Theta_{a,f}})`` telescopes to
``|D_b \ (D_f ∪ D_{pi_1} ∪ ... ∪ D_{pi_{i-1}})| / |D_b|``: node ``pi_i`` contributes exactly the data
that neither ``f`` nor an earlier node already supplied, and ``Delta`` counts
``|(∪_{received i} D_i) \ D_f|``. That holds only if a straggling node ``pi_a`` supplies nothing to
the later terms, so the ``a``-th factor is ``1 - 1_{pi_a} gamma_{pi_i,pi_a|Theta_{a,f}}`` and
``Theta`` collects received nodes only; with the literal ``Theta`` (all earlier nodes) the
formula undercounts whenever an earlier node straggles. :meth:`FogNodeCoding.new_gradient_count`
evaluates the formula term by term with this reading; ``tests/naive_fog.py`` counts the union
by brute force. When a node only knows the pairwise matrix ``gamma`` (eq. 9),
:meth:`FogNodeCoding.new_gradient_estimate` replaces each conditional overlap by
``gamma_{pi_i,pi_a}`` (exact in expectation when data are placed independently).

Communication load (Figure 5), the model used here
--------------------------------------------------
Nodes share a broadcast medium (Figure 4's wireless fog); eq. (8) is applied to every
transmission on every link: each receiver loses each transmission independently with
probability ``lambda``. Every datum ``x`` is sent by one holder, the lowest-indexed one
(``S_i``: the data node ``i`` is responsible for); node ``f`` needs the ``A_f = M - |D_f|`` data
it does not hold.

- *Uncoded*: the holder repeats ``x`` until all ``m_x`` nodes lacking it have received it:
  ``E[max of m_x Geometric(1 - lambda)] = sum_{t >= 0} 1 - (1 - lambda^t)^{m_x}`` transmissions.
- *Coded* (fountain): node ``i`` broadcasts coded symbols of ``S_i``; receiver ``f``, knowing
  ``S_i ∩ D_f`` already, decodes its ``n_{i,f} = |S_i \ D_f|`` new data from
  ``q_{i,f} = ceil((1 + eta) n_{i,f})`` received symbols (``eta``: the fountain code's reception
  overhead, ``0`` for an ideal code). Node ``i`` stops when every receiver has its quota:
  ``E[max_f NegativeBinomial(q_{i,f}, 1 - lambda)]
  = sum_{t >= 0} 1 - prod_f P(Binomial(t, 1 - lambda) >= q_{i,f})`` transmissions.

The communication load is the survey's ratio "total data transmitted by all fog nodes /
data required at these nodes" (``sum_f A_f``), and the coding gain is uncoded load over
coded load.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.stats

from codedml import _validation as check
from codedml.errors import ParameterError, ShapeError

#: Expected-maximum sums stop once the remaining tail is below this.
TAIL_TOLERANCE = 1e-13


def expected_max_geometric(receivers: np.ndarray, straggling_probability: float) -> np.ndarray:
    """``E[max of m Geometric(1 - lambda)]`` (transmissions until ``m`` receivers all got one datum).

    Parameters
    ----------
    receivers : ndarray of int
        ``m`` per datum (``0`` gives ``0``).
    straggling_probability : float
        ``lambda`` in ``[0, 1)``.
    """
    receivers = check.integer_array(receivers, "receivers", minimum=0)
    straggling_probability = check.probability(straggling_probability, "straggling_probability lambda",
                                               open_maximum=True)
    values, inverse = np.unique(receivers, return_inverse=True)
    largest = max(int(values.max(initial=0)), 1)
    if straggling_probability == 0.0:
        n_terms = 1
    else:
        n_terms = math.ceil(math.log(TAIL_TOLERANCE / largest) / math.log(straggling_probability)) + 1
    loss = straggling_probability ** np.arange(n_terms, dtype=np.float64)
    expectations = (1.0 - (1.0 - loss[:, None]) ** values[None, :]).sum(axis=0)
    return expectations[inverse].reshape(receivers.shape)


def expected_max_negative_binomial(quotas: np.ndarray, straggling_probability: float) -> float:
    """``E[max_f T_f]``, ``T_f`` the transmissions until receiver ``f`` has ``quotas[f]`` of them.

    Receptions are independent across receivers and transmissions, each lost with
    probability ``lambda``; ``sum_{t >= 0} 1 - prod_f P(Binomial(t, 1 - lambda) >= q_f)``.
    """
    quotas = check.integer_array(quotas, "quotas", ndim=1, minimum=0)
    straggling_probability = check.probability(straggling_probability, "straggling_probability lambda",
                                               open_maximum=True)
    quotas = quotas[quotas > 0]
    if quotas.size == 0:
        return 0.0
    success = 1.0 - straggling_probability
    largest = int(quotas.max())
    spread = math.sqrt(largest * straggling_probability) / success
    n_terms = int(largest / success + 12 * spread + 64)
    while True:
        t = np.arange(n_terms, dtype=np.float64)[:, None]
        all_done = np.prod(scipy.stats.binom.sf(quotas[None, :] - 1, t, success), axis=1)
        if 1.0 - all_done[-1] < TAIL_TOLERANCE:
            return float((1.0 - all_done).sum())
        n_terms *= 2


class FogNodeCoding:
    r"""Fog nodes with overlapping data sets exchanging fountain-coded intermediate gradients.

    Parameters
    ----------
    holdings : array_like of bool, shape (F, M)
        ``holdings[f, x]``: datum ``x`` is in ``D_f``. Every node holds at least one datum and
        every datum is held by at least one node (``M``: the distinct data of all nodes).
    straggling_probability : float
        ``lambda`` (eq. 8) in ``[0, 1)``.
    eta : float
        Reception overhead ``eta >= 0`` of the fountain code (survey ``eta_f``): a receiver
        decodes ``n`` new data from ``ceil((1 + eta) n)`` coded symbols.

    Attributes
    ----------
    n_nodes : int
        ``F``.
    n_data : int
        ``M`` (the survey also writes ``N``).
    dataset_sizes : ndarray of int64, shape (F,)
        ``|D_f|``.

    Examples
    --------
    >>> import numpy as np
    >>> from codedml.analysis.fog import FogNodeCoding
    >>> holdings = np.array([[1, 1, 1, 0, 0, 0], [0, 1, 1, 1, 0, 0], [0, 0, 1, 1, 1, 1]], dtype=bool)
    >>> fog = FogNodeCoding(holdings, straggling_probability=0.2)
    >>> fog.overlap[0].tolist()
    [1.0, 0.6666666666666666, 0.3333333333333333]
    >>> round(fog.new_gradient_count(0), 12), round(fog.new_gradient_count(0, received=[True, False, True]), 12)
    (3.0, 3.0)
    >>> round(fog.new_gradient_count(1, received=[True, True, False]), 12)
    1.0
    """

    def __init__(self, holdings, straggling_probability: float = 0.0, eta: float = 0.0):
        if isinstance(holdings, np.ndarray) and holdings.dtype == np.bool_:
            holdings = np.ascontiguousarray(holdings)
        else:  # 0/1 integers (or integral floats); anything else is refused
            try:
                holdings = check.integer_array(holdings, "holdings", minimum=0, maximum=1).astype(np.bool_)
            except ParameterError:
                raise ParameterError("holdings must be boolean (or 0/1): holdings[f, x] says whether D_f holds x"
                                     ) from None
        if holdings.ndim != 2 or holdings.shape[0] < 2 or holdings.shape[1] < 1:
            raise ShapeError(f"holdings must be a 2-D (F >= 2 nodes) x (M >= 1 data) array, got {holdings.shape}")
        sizes = holdings.sum(axis=1)
        if (sizes == 0).any():
            raise ParameterError(f"every fog node must hold data; node(s) {np.flatnonzero(sizes == 0).tolist()} "
                                 f"hold none")
        holders = holdings.sum(axis=0)
        if (holders == 0).any():
            raise ParameterError(f"{int((holders == 0).sum())} datum column(s) are held by no node; M counts "
                                 f"only the distinct data of the F nodes")
        self.straggling_probability = check.probability(straggling_probability, "straggling_probability lambda",
                                                        open_maximum=True)
        self.eta = check.real(eta, "eta", minimum=0.0)
        self.holdings = holdings.copy()
        self.holdings.setflags(write=False)
        self.n_nodes, self.n_data = holdings.shape
        self.dataset_sizes = sizes.astype(np.int64)

    @classmethod
    def random(cls, n_nodes: int, n_data: int, holding_probability: float, straggling_probability: float = 0.0,
               eta: float = 0.0, seed=None) -> FogNodeCoding:
        """Each node holds each datum independently with ``holding_probability``; a datum nobody
        drew goes to one uniformly chosen node, and a node that drew nothing gets one datum."""
        holding_probability = check.probability(holding_probability, "holding_probability", open_minimum=True)
        n_nodes = check.integer(n_nodes, "n_nodes", minimum=2)
        n_data = check.integer(n_data, "n_data", minimum=1)
        check.array_size(n_nodes * n_data, f"the n_nodes x n_data holdings (n_nodes={n_nodes}, n_data={n_data})")
        rng = check.rng(seed)
        holdings = rng.random((n_nodes, n_data)) < holding_probability
        orphans = np.flatnonzero(~holdings.any(axis=0))
        holdings[rng.integers(0, n_nodes, orphans.size), orphans] = True
        empty = np.flatnonzero(~holdings.any(axis=1))
        holdings[empty, rng.integers(0, n_data, empty.size)] = True
        return cls(holdings, straggling_probability, eta)

    # ---- eq. (9) and Theorem 3 ------------------------------------------------------------------
    @property
    def overlap(self) -> np.ndarray:
        """``gamma`` (eq. 9): ``gamma[a, b] = |D_a ∩ D_b| / |D_a|``, ones on the diagonal."""
        shared = self.holdings.astype(np.float64) @ self.holdings.T.astype(np.float64)
        return shared / self.dataset_sizes[:, None]

    @property
    def required(self) -> np.ndarray:
        """``A_f = M - |D_f|``: new intermediate gradients each node needs."""
        return self.n_data - self.dataset_sizes

    def _order_and_indicators(self, node, received, order):
        node = check.integer(node, "node", minimum=0, maximum=self.n_nodes - 1)
        if received is None:
            indicators = np.ones(self.n_nodes, dtype=np.bool_)
        else:
            try:
                received = check.received_ids(received, self.n_nodes)
            except ShapeError as error:
                raise ShapeError(f"received must be {self.n_nodes} indicators 1_i (eq. 8) or node ids: {error}"
                                 ) from None
            indicators = np.zeros(self.n_nodes, dtype=np.bool_)
            indicators[received] = True
        others = np.array([i for i in range(self.n_nodes) if i != node], dtype=np.int64)
        if order is None:
            order = others
        else:
            order = check.ids(order, "order pi", self.n_nodes, mask=False)
            if order.size != others.size or np.any(order == node):
                raise ParameterError(f"order pi must list the other {self.n_nodes - 1} nodes once each, "
                                     f"got {order.tolist()}")
        return node, order, indicators[order]

    def new_gradient_count(self, node: int, received=None, order=None) -> float:
        """Theorem 3's ``Delta`` at ``FN_node`` with the conditional overlaps of the actual data sets.

        Parameters
        ----------
        node : int
            ``f``.
        received : array_like of bool, shape (F,), or array_like of int, optional
            Indicators ``1_i`` (eq. 8) as a boolean mask, or the ids of the nodes whose coded
            gradients reached ``f`` (any order, each once); default: all; node ``f`` is ignored.
        order : array_like of int, optional
            ``pi``: the other ``F - 1`` nodes in the order the sum visits them (default:
            increasing index). ``Delta`` does not depend on it.

        Returns
        -------
        float
            ``Delta``: an integer up to floating-point rounding of the product form.
        """
        node, order, indicators = self._order_and_indicators(node, received, order)
        n_terms = order.size
        check.array_size(self.n_data * (n_terms + 2), f"the stage table of n_data={self.n_data} x "
                         f"n_nodes={self.n_nodes}")
        # stage[x]: 0 if f holds x, a (1-based) if pi_a is the first received node holding x, n_terms + 1 if none
        sources = np.vstack([self.holdings[node:node + 1], self.holdings[order] & indicators[:, None]])
        stage = np.where(sources.any(axis=0), sources.argmax(axis=0), n_terms + 1)
        by_stage = np.zeros((self.n_data, n_terms + 2))
        by_stage[np.arange(self.n_data), stage] = 1.0
        counts = self.holdings[order].astype(np.float64) @ by_stage  # counts[i, s] = #{x in D_{pi_i}: stage s}
        unknown_after = counts[:, ::-1].cumsum(axis=1)[:, ::-1]  # [i, a] = |D_{pi_i} \ U_{Theta_{a,f}}|
        with np.errstate(invalid="ignore", divide="ignore"):
            conditional = np.where(unknown_after > 0, counts / unknown_after, 1.0)  # gamma_{pi_i, pi_a | Theta_a}
        sizes = self.dataset_sizes[order].astype(np.float64)
        gamma_f = counts[:, 0] / sizes  # gamma_{pi_i, f}
        factors = 1.0 - indicators[None, :] * conditional[:, 1:n_terms + 1]
        factors[np.triu_indices(n_terms)] = 1.0  # phi(i, f) multiplies over a < i only
        phi = factors.prod(axis=1)
        return float((indicators * (1.0 - gamma_f) * phi * sizes).sum())

    def new_gradient_estimate(self, node: int, received=None, order=None) -> float:
        """Theorem 3 with pairwise overlaps only: ``gamma_{pi_i,pi_a|Theta}`` replaced by ``gamma_{pi_i,pi_a}``.

        What a node can evaluate from eq. (9) alone; equal to :meth:`new_gradient_count` in
        expectation when data are placed independently at random. Arguments as there.
        """
        node, order, indicators = self._order_and_indicators(node, received, order)
        gamma = self.overlap
        factors = 1.0 - indicators[None, :] * gamma[np.ix_(order, order)]
        factors[np.triu_indices(order.size)] = 1.0
        sizes = self.dataset_sizes[order].astype(np.float64)
        return float((indicators * (1.0 - gamma[order, node]) * factors.prod(axis=1) * sizes).sum())

    def expected_new_gradients(self, node: int) -> float:
        """``E[Delta]`` at ``FN_node`` when each other node straggles independently with ``lambda``:
        ``sum_{x not in D_f} 1 - lambda^{c_x}``, ``c_x`` the other nodes holding ``x``."""
        node = check.integer(node, "node", minimum=0, maximum=self.n_nodes - 1)
        missing = ~self.holdings[node]
        holders = self.holdings[:, missing].sum(axis=0)
        return float((1.0 - self.straggling_probability ** holders).sum())

    # ---- communication load (Figure 5) ----------------------------------------------------------
    @property
    def transmitter(self) -> np.ndarray:
        """The node that sends each datum: its lowest-indexed holder."""
        return self.holdings.argmax(axis=0).astype(np.int64)

    @property
    def new_per_link(self) -> np.ndarray:
        """``n[i, f] = |S_i \\ D_f|``: data node ``i`` sends that node ``f`` lacks (``F x F``)."""
        responsible = np.zeros_like(self.holdings)
        responsible[self.transmitter, np.arange(self.n_data)] = True
        lacking = (~self.holdings).astype(np.int64)
        return responsible.astype(np.int64) @ lacking.T

    def uncoded_transmissions(self) -> float:
        """Expected transmissions of the uncoded exchange (each datum repeated until all lacking nodes have it)."""
        receivers = self.n_nodes - self.holdings.sum(axis=0)
        return float(expected_max_geometric(receivers, self.straggling_probability).sum())

    def coded_transmissions(self) -> float:
        """Expected transmissions of the fountain-coded exchange (each node until every receiver decodes)."""
        quotas = np.ceil((1.0 + self.eta) * self.new_per_link - 1e-9).astype(np.int64)
        return float(sum(expected_max_negative_binomial(quotas[i], self.straggling_probability)
                         for i in range(self.n_nodes)))

    def communication_load(self, coded: bool = True) -> float:
        """Transmitted data over required data ``sum_f A_f`` (survey, Figure 5)."""
        coded = check.flag(coded, "coded")
        required = int(self.required.sum())
        if required == 0:
            raise ParameterError("every node already holds all M data: nothing is required, the load is undefined")
        transmissions = self.coded_transmissions() if coded else self.uncoded_transmissions()
        return transmissions / required

    def coding_gain(self) -> float:
        """Uncoded over coded communication load (Figure 5's ratio; above 1 when coding helps)."""
        return self.communication_load(coded=False) / self.communication_load(coded=True)
