"""BATS (batched sparse) codes over ``GF(2^8)`` (survey section 4, Figure 6).

:class:`BATSCode` is the two-layer code of the survey's Figure 6: an outer LT-like code whose
coded units are *batches* of ``M`` packets (each a random ``GF(2^8)`` combination of the
batch's ``d``-many source packets, ``d ~ Psi``), an inner random linear network code applied
by an intermediate node to the packets of each batch, and belief-propagation decoding of
batches at the sink. All loops over batches, packets and bytes run in :mod:`codedml.kernels.bats`.
The load model of the survey's Figure 7 is :mod:`codedml.analysis.bats_load`.
"""

from __future__ import annotations

import numpy as np

from codedml import _validation as check
from codedml._validation import kernel_seed
from codedml.codes.erasure.base import ErasureCode
from codedml.codes.erasure.lt import degree_distribution
from codedml.errors import NotDecodableError, ParameterError, ShapeError
from codedml.fields.galois_fields import get_field
from codedml.kernels.bats import (
    bats_batches,
    bats_bp_decode,
    bats_encode,
    recode_through_relay,
    source_transfer_matrices,
)

#: Field size of the batch coefficients.
FIELD_ORDER = 256


class BATSCode(ErasureCode):
    """BATS code: ``n_batches`` batches of ``M`` packets over ``GF(2^8)`` for ``K`` source packets.

    Parameters
    ----------
    n_sources : int
        ``K``: number of source packets.
    n_batches : int
        Number of batches the source emits (the outer code is rateless; this fixes how many).
    distribution : {"robust", "ideal"} or array_like
        Batch degree distribution ``Psi`` (see :func:`codedml.codes.erasure.lt.degree_distribution`),
        usually a vector ``p[d - 1] = P(degree = d)``. BATS's degree-optimised distributions
        depend on the channel's rank distribution
        (:func:`~codedml.analysis.bats_load.batch_rank_distribution`) and are not
        computed here, so there is no default: the LT solitons ignore that a batch solves up to
        ``rank`` sources at once and need far more batches.
    batch_size : int
        ``M``: packets per batch.
    seed : int, numpy.random.Generator or None
        Makes the batches reproducible.

    Examples
    --------
    >>> import numpy as np
    >>> from codedml.codes.erasure.bats import BATSCode
    >>> code = BATSCode(40, 30, batch_size=8, distribution=[0, 0, 0, 0, 1.0], seed=1)
    >>> data = np.random.default_rng(0).integers(0, 256, (40, 16), dtype=np.uint8)
    >>> received, packets, headers = code.transmit(code.encode(data), erasure_probability=0.1, seed=2)
    >>> bool(np.array_equal(code.decode(received, packets, headers), data))
    True
    """

    def __init__(self, n_sources: int, n_batches: int, distribution, batch_size: int = 16, c: float = 0.03,
                 delta: float = 0.5, seed=None):
        self.n_sources = check.integer(n_sources, "n_sources", minimum=1, maximum=2**31 - 1)
        self.n_batches = check.integer(n_batches, "n_batches", minimum=1)
        self.batch_size = check.integer(batch_size, "batch_size", minimum=1)
        check.array_size(self.n_batches * self.batch_size**2, f"the headers of n_batches={self.n_batches} "
                         f"batches of batch_size={self.batch_size}", itemsize=1)
        self.field = get_field("gf2^8")
        self.degree_probabilities = degree_distribution(self.n_sources, distribution, c, delta)
        mean_degree = float(np.arange(self.degree_probabilities.size) @ self.degree_probabilities)
        check.array_size(self.n_batches * max(mean_degree, 1.0) * (self.batch_size + 8),
                         f"the batch generators (n_batches={self.n_batches}, mean degree {mean_degree:.3g}, "
                         f"batch_size={self.batch_size})", itemsize=1)
        self.seed = kernel_seed(seed)
        self.batch_indptr, self.batch_sources, self.generator = bats_batches(
            self.n_sources, self.n_batches, self.batch_size, self.degree_probabilities, self.seed)

    @property
    def n_coded(self) -> int:
        """The coded units are the ``n_batches`` batches."""
        return self.n_batches

    @property
    def degrees(self) -> np.ndarray:
        """``d_j``: number of source packets in each batch."""
        return np.diff(self.batch_indptr)

    def encode(self, source_packets) -> np.ndarray:
        """The coded batches ``X_j = G_j^T S_j``, shape ``(n_batches, M, T)``, from ``K x T`` uint8 packets."""
        packets = _bytes(source_packets, "source packets", (self.n_sources, None))
        check.array_size(self.n_batches * self.batch_size * packets.shape[1], f"the coded batches "
                         f"({self.n_batches} x {self.batch_size} x {packets.shape[1]} bytes)", itemsize=1)
        return bats_encode(self.batch_indptr, self.batch_sources, self.generator, np.ascontiguousarray(packets),
                           self.field.reduction)

    def transmit(self, coded_batches, erasure_probability: float, seed=None):
        """Send the batches through one recoding relay over two erasure links (the inner code).

        Returns ``(received, packets, headers)``, the arguments of :meth:`decode`: per batch,
        ``r_j`` received packets, their payloads and their headers (transfer matrix ``H_j``,
        ``r_j x M``) in the first ``r_j`` rows.
        """
        coded = _bytes(coded_batches, "coded batches", (self.n_batches, self.batch_size, None))
        erasure_probability = check.probability(erasure_probability, "erasure_probability", open_maximum=True)
        headers, packets, received = recode_through_relay(coded, erasure_probability, kernel_seed(seed),
                                                          self.field.reduction)
        return received, packets, headers

    def decode(self, received, packets, headers) -> np.ndarray:
        """Belief-propagation decoding of batches: the ``K x T`` source packets.

        A batch's received packets are known by their count and their headers (a batch is not
        received or lost as a whole), so BATS takes the headers beside the family's
        ``(received, coded)``.

        Parameters
        ----------
        received : array_like of int, shape (n_batches,)
            ``r_j``: received packets per batch (``0 <= r_j <= M``).
        packets : ndarray of uint8, shape (n_batches, M, T)
            The received payloads: row ``r < received[j]`` of ``packets[j]``.
        headers : ndarray of uint8, shape (n_batches, M, M)
            Row ``r < received[j]`` of ``headers[j]``: received packet ``r``'s coefficients over
            batch ``j``'s ``M`` coded packets.

        Raises
        ------
        NotDecodableError
            When belief propagation stops with source packets still unknown; names how many.
        """
        received = self._check_counts(received)
        packets = _bytes(packets, "packets", (self.n_batches, self.batch_size, None))
        headers = _bytes(headers, "headers", (self.n_batches, self.batch_size, self.batch_size))
        sources, known = self._belief_propagation(received, packets.copy(), headers)
        missing = self.n_sources - int(np.count_nonzero(known))
        if missing:
            raise NotDecodableError(
                f"{missing} of {self.n_sources} source packets are still missing after belief propagation over "
                f"{self.n_batches} batches ({int(received.sum())} packets received)",
                received=int(received.sum()), needed=self.n_sources)
        return sources

    def is_decodable(self, received, headers) -> bool:
        """Whether :meth:`decode` recovers every source packet (the headers alone decide)."""
        received = self._check_counts(received)
        headers = _bytes(headers, "headers", (self.n_batches, self.batch_size, self.batch_size))
        _, known = self._belief_propagation(received, np.zeros((self.n_batches, self.batch_size, 0), np.uint8),
                                            headers)
        return bool(known.all())

    def _belief_propagation(self, received, packets, headers):
        transfer = source_transfer_matrices(self.batch_indptr, self.generator, headers, received,
                                            self.field.exp, self.field.log)
        return bats_bp_decode(self.batch_indptr, self.batch_sources, transfer, received, packets, self.n_sources,
                              self.field.exp, self.field.log, self.field.reduction)

    def _check_counts(self, received) -> np.ndarray:
        return check.integer_array(received, "received", shape=(self.n_batches,), minimum=0,
                                   maximum=self.batch_size)


def _bytes(value, name: str, shape: tuple) -> np.ndarray:
    """A C-contiguous ``uint8`` array of ``shape`` (``None``: any length): ``GF(2^8)`` elements as bytes.

    Only ``uint8`` is accepted, so every value is an element of the field; complex, other dtypes and
    wrong shapes are refused.
    """
    if value is None:
        raise ParameterError(f"{name} must be a uint8 array, got None")
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as error:  # ragged nested sequences
        raise ShapeError(f"{name} must be a rectangular uint8 array: {error}") from None
    if array.dtype.kind == "c":
        raise ParameterError(f"{name} must hold GF(2^8) elements as uint8; got complex values (dtype {array.dtype})")
    wanted = "(" + ", ".join("T" if n is None else str(n) for n in shape) + ")"
    if array.dtype != np.uint8 or array.ndim != len(shape) \
            or any(n is not None and n != got for n, got in zip(shape, array.shape)):
        raise ShapeError(f"{name} must be a uint8 array of shape {wanted}, got {array.dtype} {array.shape}")
    return np.ascontiguousarray(array)
