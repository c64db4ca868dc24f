"""LT code: peeling and encode throughput against numpy.bitwise_xor, graph construction, and
a 10 MiB object against ``raptorq`` and the pure-Python ``lt-code`` package (same run).

"Bytes touched" counts every payload row a kernel reads or writes: peeling releases each
source from one coded symbol of degree ``d`` (read the coded row and ``d - 1`` known
sources, write one row: ``d + 1`` rows); encoding reads ``d`` rows and writes one. The
reference XORs two arrays into a third of the same total size (two reads, one write).

``RandomRowGather`` bounds what any decoder that reads those rows one after another can reach:
it reads exactly the rows peeling reads, in release order, into one cache-resident row, with
no writes and no graph bookkeeping.
"""

import io
import time

import numpy as np
from numba import njit

from codedml.codes.erasure.lt import LTCode
from codedml.kernels.peeling import peeling_completion_count

from .timing import best_seconds

SOURCE_COUNTS = [1000, 10_000, 100_000]
SYMBOL_BYTES = 1024
ETA = 0.3


def bitwise_xor_mb_per_s(bytes_touched, repeats=3):
    """numpy.bitwise_xor throughput (MB/s) on two inputs and one output totalling ``bytes_touched``."""
    words = max(1, int(bytes_touched // 24))
    left = np.random.default_rng(0).integers(0, 2**63, words, dtype=np.uint64)
    right = left[::-1].copy()
    out = np.empty_like(left)
    np.bitwise_xor(left, right, out=out)
    return 3 * left.nbytes / best_seconds(lambda: np.bitwise_xor(left, right, out=out), repeats) / 1e6


def lt_setup(k):
    """A code, its payloads, and the shortest random arrival prefix that peels."""
    code = LTCode(k, ETA, seed=k)
    data = np.random.default_rng(1).integers(0, 256, (k, SYMBOL_BYTES), dtype=np.uint8)
    coded = code.encode(data)
    order = np.random.default_rng(2).permutation(code.n_coded)
    needed = peeling_completion_count(code.indptr, code.indices, code.t_indptr, code.t_indices, k, order)
    if needed < 0:
        raise RuntimeError(f"LT graph for k={k} does not peel at eta={ETA}; pick another seed")
    received = np.sort(order[:needed])
    return code, data, coded, received, np.ascontiguousarray(coded[received])


def peeled_setup(k):
    """:func:`lt_setup` peeled once by a decoder (checked), and the payload bytes peeling touches."""
    code, data, _, received, payloads = lt_setup(k)
    decoder = code.decoder()
    decoder.add(received, payloads)
    assert np.array_equal(decoder.sources(copy=False), data)
    degrees = np.diff(code.indptr)[decoder.released_by]
    return code, data, received, payloads, decoder, float((degrees + 1).sum() * SYMBOL_BYTES)


class Peeling:
    """Peel ``k`` 1 KiB byte payloads from the shortest random arrival prefix that peels."""

    params = SOURCE_COUNTS
    param_names = ["k"]
    timeout = 300

    def setup(self, k):
        self.code, self.data, self.received, self.payloads, _, self.bytes_touched = peeled_setup(k)

    def decode(self):
        return self.code.decode(self.received, self.payloads, inactivation=False)

    def time_peel(self, k):
        self.decode()

    def track_peel_mb_per_s(self, k):
        return self.bytes_touched / best_seconds(self.decode, 3) / 1e6

    track_peel_mb_per_s.unit = "MB/s"

    def track_bitwise_xor_mb_per_s(self, k):
        return bitwise_xor_mb_per_s(self.bytes_touched)

    track_bitwise_xor_mb_per_s.unit = "MB/s"

    def track_peel_ratio_to_bitwise_xor(self, k):
        return self.track_peel_mb_per_s(k) / self.track_bitwise_xor_mb_per_s(k)

    track_peel_ratio_to_bitwise_xor.unit = "x"

    def track_overhead_needed(self, k):
        return self.received.size / k - 1.0

    track_overhead_needed.unit = "fraction"


@njit(cache=True, nogil=True)
def gather_xor(indptr, indices, released_by, release_order, slot, coded_words, source_words, accumulator):
    """XOR into ``accumulator`` every row peeling reads: per released source ``j``, the coded row
    of ``i = released_by[j]`` and the other neighbours of ``i``, in release order."""
    width = accumulator.shape[0]
    for t in range(release_order.shape[0]):
        source = release_order[t]
        row = released_by[source]
        coded = coded_words[slot[row]]
        for u in range(width):
            accumulator[u] ^= coded[u]
        for ptr in range(indptr[row], indptr[row + 1]):
            other = indices[ptr]
            if other != source:
                known = source_words[other]
                for u in range(width):
                    accumulator[u] ^= known[u]


class RandomRowGather:
    """Ceiling for ``Peeling``: read the same rows in the same order, no writes, no bookkeeping."""

    params = SOURCE_COUNTS
    param_names = ["k"]
    timeout = 300

    def setup(self, k):
        code, data, received, payloads, decoder, self.bytes_touched = peeled_setup(k)
        slot = np.full(code.n_coded, -1, dtype=np.int64)
        slot[received] = np.arange(received.size)
        self.arguments = (code.indptr, code.indices, decoder.released_by, decoder.release_order, slot,
                          payloads.view(np.uint64), data.view(np.uint64), np.zeros(SYMBOL_BYTES // 8, np.uint64))
        gather_xor(*self.arguments)

    def time_gather(self, k):
        gather_xor(*self.arguments)

    def track_gather_ratio_to_bitwise_xor(self, k):
        seconds = best_seconds(lambda: gather_xor(*self.arguments), 3)
        return self.bytes_touched / seconds / 1e6 / bitwise_xor_mb_per_s(self.bytes_touched)

    track_gather_ratio_to_bitwise_xor.unit = "x"


class Encode:
    """Encode ``k`` 1 KiB byte payloads into ``(1 + 0.3) k`` coded symbols."""

    params = SOURCE_COUNTS
    param_names = ["k"]
    timeout = 300

    def setup(self, k):
        self.code = LTCode(k, ETA, seed=k)
        self.data = np.random.default_rng(1).integers(0, 256, (k, SYMBOL_BYTES), dtype=np.uint8)
        self.code.encode(self.data)
        self.bytes_touched = float((self.code.indices.size + self.code.n_coded) * SYMBOL_BYTES)

    def time_encode(self, k):
        self.code.encode(self.data)

    def track_encode_mb_per_s(self, k):
        return self.bytes_touched / best_seconds(lambda: self.code.encode(self.data), 3) / 1e6

    track_encode_mb_per_s.unit = "MB/s"

    def track_encode_ratio_to_bitwise_xor(self, k):
        return self.track_encode_mb_per_s(k) / bitwise_xor_mb_per_s(self.bytes_touched)

    track_encode_ratio_to_bitwise_xor.unit = "x"


class GraphConstruction:
    """Sample the robust-soliton generator and its transpose (target: < 1 s at k = 100,000)."""

    params = [100_000]
    param_names = ["k"]

    def setup(self, k):
        LTCode(100, ETA, seed=0)

    def time_generator_and_transpose(self, k):
        LTCode(k, ETA, seed=1)


OBJECT_BYTES = 10 * 2**20
OBJECT_SYMBOL_BYTES = 1280
REPAIR_FRACTION = 0.25
LOSS_FRACTION = 0.10


class ObjectTransfer:
    """A 10 MiB object, 1280-byte symbols, 25% repair symbols, 10% of all symbols lost.

    LT decodes the received symbols (peeling plus the GF(2) finish: no retransmission
    needed as long as the received generator has full rank); ``raptorq`` decodes the same
    loss pattern of its own packets; ``lt-code`` (pure Python, rateless) consumes its
    stream with 10% loss until its peeling completes. Throughput = object bytes / decode time.
    """

    number = 1
    repeat = 1
    timeout = 600

    def setup(self):
        rng = np.random.default_rng(5)
        self.object = rng.integers(0, 256, OBJECT_BYTES, dtype=np.uint8)
        k = OBJECT_BYTES // OBJECT_SYMBOL_BYTES
        self.code = LTCode(k, REPAIR_FRACTION, seed=3)
        source = self.object.reshape(k, OBJECT_SYMBOL_BYTES)
        coded = self.code.encode(source)
        lost = rng.random(self.code.n_coded) < LOSS_FRACTION
        self.received = np.flatnonzero(~lost)
        self.payloads = np.ascontiguousarray(coded[self.received])
        assert np.array_equal(self.decode_lt(), source)

    def decode_lt(self):
        return self.code.decode(self.received, self.payloads)

    def track_lt_mb_per_s(self):
        return OBJECT_BYTES / best_seconds(self.decode_lt, 3) / 1e6

    track_lt_mb_per_s.unit = "MB/s"

    def track_raptorq_mb_per_s(self):
        import raptorq

        data = self.object.tobytes()
        k = OBJECT_BYTES // OBJECT_SYMBOL_BYTES
        packets = raptorq.Encoder.with_defaults(data, OBJECT_SYMBOL_BYTES).get_encoded_packets(
            int(REPAIR_FRACTION * k))
        lost = np.random.default_rng(6).random(len(packets)) < LOSS_FRACTION
        kept = [packet for packet, gone in zip(packets, lost) if not gone]

        def decode():
            decoder = raptorq.Decoder.with_defaults(len(data), OBJECT_SYMBOL_BYTES)
            for packet in kept:
                result = decoder.decode(packet)
                if result is not None:
                    return result
            raise RuntimeError("raptorq did not decode")

        assert decode() == data
        return OBJECT_BYTES / best_seconds(decode, 3) / 1e6

    track_raptorq_mb_per_s.unit = "MB/s"

    def track_lt_code_package_mb_per_s(self):
        from lt import decode as lt_decode
        from lt import encode as lt_encode

        stream = lt_encode.encoder(io.BytesIO(self.object.tobytes()), OBJECT_SYMBOL_BYTES, seed=7)
        rng = np.random.default_rng(8)
        k = OBJECT_BYTES // OBJECT_SYMBOL_BYTES
        blocks = [next(stream) for _ in range(3 * k)]
        kept = [lt_decode.block_from_bytes(block) for block in blocks if rng.random() >= LOSS_FRACTION]
        decoder = lt_decode.LtDecoder()
        start = time.perf_counter()
        for block in kept:
            if decoder.consume_block(block):
                break
        seconds = time.perf_counter() - start
        assert decoder.is_done() and decoder.bytes_dump() == self.object.tobytes()
        return OBJECT_BYTES / seconds / 1e6

    track_lt_code_package_mb_per_s.unit = "MB/s"

    def track_lt_ratio_to_raptorq(self):
        return self.track_lt_mb_per_s() / self.track_raptorq_mb_per_s()

    track_lt_ratio_to_raptorq.unit = "x"

    def track_lt_ratio_to_lt_code_package(self):
        return self.track_lt_mb_per_s() / self.track_lt_code_package_mb_per_s()

    track_lt_ratio_to_lt_code_package.unit = "x"
