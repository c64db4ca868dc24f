"""BATS code (GF(2^8) batches, one recoding relay, belief propagation) over source counts ``K``, against
``raptorq`` (RaptorQ, RFC 6330, Rust) on the same object.

``K`` source packets of 256 bytes, batches of ``M = 16`` packets, robust-soliton batch degrees, 10%
erasures on each of the two links. BATS here has no precode, so belief propagation needs every
source covered by a batch (a coupon collector): ``setup`` takes the fewest batches, in steps of
``K / 8``, from ``5 K / 8`` up, whose received headers decode, and reports that redundancy
(``track_batches_per_source``). ``K`` is swept to 65,536 (decoding in seconds).

The anchor encodes the same ``K x 256``-byte object with RaptorQ (25% repair symbols), drops 10% of
the packets and decodes; ratios are codedml time / raptorq time (below 1: codedml faster). BATS
encodes about ``10 K`` packets where RaptorQ encodes ``1.25 K``, so the encode ratio compares whole
objects, not packets. ``setup`` runs every path once (numba compiled, output checked).
"""

import numpy as np

from codedml.codes.erasure.bats import BATSCode

from .timing import best_seconds

try:
    import raptorq
except ImportError:  # bench extra not installed
    raptorq = None

PACKET_BYTES = 256
BATCH_SIZE = 16
ERASURE_PROBABILITY = 0.1
RAPTORQ_REPAIR = 0.25


def decodable_bats(K, data):
    """The BATS code with the fewest batches (steps of ``K / 8``) whose transmission decodes, and that transmission."""
    for eighths in range(5, 41):
        code = BATSCode(K, max(1, eighths * K // 8), "robust", batch_size=BATCH_SIZE, seed=1)
        coded = code.encode(data)
        received, packets, headers = code.transmit(coded, ERASURE_PROBABILITY, seed=2)
        if code.is_decodable(received, headers):
            return code, received, packets, headers
    raise RuntimeError(f"no BATS code with up to 5 K batches decodes at K={K}")


class BATS:
    """BATS encode and belief-propagation decode against RaptorQ on the same object."""

    params = [1024, 4096, 16384, 65536]
    param_names = ["K"]
    timeout = 600

    def setup(self, K):
        self.data = np.random.default_rng(K).integers(0, 256, (K, PACKET_BYTES), dtype=np.uint8)
        self.code, self.received, self.packets, self.headers = decodable_bats(K, self.data)
        assert np.array_equal(self.code.decode(self.received, self.packets, self.headers), self.data)
        if raptorq is None:
            return
        self.object = self.data.tobytes()
        encoded = self.raptorq_encode()
        lost = np.random.default_rng(3).random(len(encoded)) < ERASURE_PROBABILITY
        self.raptorq_kept = [packet for packet, gone in zip(encoded, lost) if not gone]
        assert self.raptorq_decode() == self.object

    def raptorq_encode(self):
        encoder = raptorq.Encoder.with_defaults(self.object, PACKET_BYTES)
        return encoder.get_encoded_packets(int(RAPTORQ_REPAIR * self.code.n_sources))

    def raptorq_decode(self):
        decoder = raptorq.Decoder.with_defaults(len(self.object), PACKET_BYTES)
        for packet in self.raptorq_kept:
            result = decoder.decode(packet)
            if result is not None:
                return result
        raise RuntimeError("raptorq did not decode")

    def time_encode(self, K):
        self.code.encode(self.data)

    def time_decode(self, K):
        self.code.decode(self.received, self.packets, self.headers)

    def track_batches_per_source(self, K):
        return self.code.n_batches / K

    track_batches_per_source.unit = "batches/source"

    def track_encode_ratio_to_raptorq(self, K):
        if raptorq is None:
            raise NotImplementedError("raptorq is not installed")
        return best_seconds(lambda: self.code.encode(self.data), 3) / best_seconds(self.raptorq_encode, 3)

    track_encode_ratio_to_raptorq.unit = "x"

    def track_decode_ratio_to_raptorq(self, K):
        if raptorq is None:
            raise NotImplementedError("raptorq is not installed")
        ours = best_seconds(lambda: self.code.decode(self.received, self.packets, self.headers), 3)
        return ours / best_seconds(self.raptorq_decode, 3)

    track_decode_ratio_to_raptorq.unit = "x"
