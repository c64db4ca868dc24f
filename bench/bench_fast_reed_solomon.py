"""O(n log n) Reed–Solomon (additive FFT, GF(2^16)) against LT peeling of the same ``k`` symbols.

RS(2k, k) with 64-byte shards; decoding loses every data shard (the worst case: all ``k`` parity
shards are used). The anchor peels ``k`` 64-byte LT symbols (eta = 0.3) from the shortest random
arrival prefix that peels, as in ``bench_lt.Peeling``. Acceptance (issue 14): decode time grows
with exponent <= 1.3 from k = 1024 to 16,384 and is within 5x of LT peeling at k = 16,384.
``setup`` decodes once so that numba compilation stays out of the measurements.
"""

import numpy as np

from codedml.codes.erasure.fast_reed_solomon import FastReedSolomon
from codedml.codes.erasure.lt import LTCode
from codedml.kernels.peeling import peeling_completion_count

from .timing import best_seconds

DATA_SHARD_COUNTS = [1024, 2048, 4096, 8192, 16384]
SHARD_BYTES = 64
LT_ETA = 0.3


def lt_peeling_setup(k):
    """An LT code of ``k`` 64-byte symbols, and the shortest random arrival prefix that peels."""
    code = LTCode(k, LT_ETA, seed=k)
    data = np.random.default_rng(1).integers(0, 256, (k, SHARD_BYTES), dtype=np.uint8)
    coded = code.encode(data)
    order = np.random.default_rng(2).permutation(code.n_coded)
    needed = peeling_completion_count(code.indptr, code.indices, code.t_indptr, code.t_indices, k, order)
    if needed < 0:
        raise RuntimeError(f"LT graph for k={k} does not peel at eta={LT_ETA}; pick another seed")
    received = np.sort(order[:needed])
    payloads = np.ascontiguousarray(coded[received])
    assert np.array_equal(code.decode(received, payloads, inactivation=False), data)
    return code, received, payloads


class FastReedSolomonCodec:
    """RS(2k, k) over GF(2^16), 64-byte shards: encode, and decode with every data shard lost."""

    params = DATA_SHARD_COUNTS
    param_names = ["k"]
    timeout = 300

    def setup(self, k):
        self.code = FastReedSolomon(2 * k, k, field="gf2^16")
        self.data = np.random.default_rng(k).integers(0, 256, (k, SHARD_BYTES), dtype=np.uint8)
        shards = self.code.encode(self.data)
        self.received = np.arange(k, 2 * k)  # parity only
        self.parity = np.ascontiguousarray(shards[self.received])
        assert np.array_equal(self.code.decode(self.received, self.parity), self.data)

    def time_encode(self, k):
        self.code.encode(self.data)

    def time_decode(self, k):
        self.code.decode(self.received, self.parity)

    def track_decode_ratio_to_lt_peeling(self, k):
        lt_code, received, payloads = lt_peeling_setup(k)
        peel = best_seconds(lambda: lt_code.decode(received, payloads, inactivation=False), 3)
        return best_seconds(lambda: self.code.decode(self.received, self.parity), 3) / peel

    track_decode_ratio_to_lt_peeling.unit = "x"


class LTPeelingAnchor:
    """LT peeling of the same ``k`` 64-byte symbols (the fountain-code anchor)."""

    params = DATA_SHARD_COUNTS
    param_names = ["k"]
    timeout = 300

    def setup(self, k):
        self.code, self.received, self.payloads = lt_peeling_setup(k)

    def time_peel(self, k):
        self.code.decode(self.received, self.payloads, inactivation=False)


class DecodeGrowth:
    """Exponent of decode time from k = 1024 to 16,384 (log-log slope of the end points, best of 3)."""

    timeout = 600

    def setup(self):
        self.codecs = []
        for k in (DATA_SHARD_COUNTS[0], DATA_SHARD_COUNTS[-1]):
            codec = FastReedSolomonCodec()
            codec.setup(k)
            self.codecs.append(codec)

    def track_decode_exponent(self):
        small, large = (best_seconds(lambda c=c: c.time_decode(c.code.n_sources), 3) for c in self.codecs)
        return float(np.log(large / small) / np.log(DATA_SHARD_COUNTS[-1] / DATA_SHARD_COUNTS[0]))

    track_decode_exponent.unit = "exponent"


class ColdStart:
    """First decode in a fresh process: imports, tables and loading the cached kernels."""

    def timeraw_first_decode(self):
        return """
import numpy as np
from codedml.codes.erasure.fast_reed_solomon import FastReedSolomon
code = FastReedSolomon(2048, 1024)
data = np.zeros((1024, 64), dtype=np.uint8)
shards = code.encode(data)
code.decode(np.arange(1024, 2048), shards[1024:])
"""
