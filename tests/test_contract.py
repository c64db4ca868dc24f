"""The contract every public code class passes (issue 10, item 5), over ``tests/contract_registry.py``.

- every public class of ``codedml.codes`` is registered or exempt;
- round trip over >= 1,000 random survivor sets per registered code, rows in random arrival
  order (row ``i`` belongs to ``received[i]``): a decodable set decodes to the independently
  computed target (real: relative error <= 1e-8, or ``DecodingAccuracyError``; finite fields:
  exactly), an undecodable one raises ``NotDecodableError``, and ``is_decodable`` agrees with an
  independent oracle wherever that oracle can tell;
- decodability is never lost as messages arrive;
- ``a^T B_I = 1`` for exact linear gradient codes;
- ``NotDecodableError`` for every set below the recovery threshold and the empty set;
- one shared table of bad inputs, applied to every class, raises a ``codedml.errors`` exception
  naming the argument (run in a worker process, so a crash, a hang or a huge allocation is a
  failed case, not a dead test session).
"""

from __future__ import annotations

import functools
import importlib
import inspect
import math
import os
import pathlib
import pickle
import pkgutil
import re
import resource
import select
import struct
import subprocess
import sys
import warnings
from collections import Counter
from itertools import product

import numpy as np
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

import codedml.codes
from codedml.codes.gradient.approximate import ApproximateGradientCode
from codedml.codes.multimessage.base import MultiMessageCode
from codedml.errors import CodedMLError, DecodingAccuracyError, NotDecodableError
from tests.contract_registry import (
    CONSTRUCTORS,
    DECODING_VECTOR_TOLERANCE,
    ENTRIES,
    EXEMPT,
    BATSFamily,
    FieldGradientFamily,
    FogFamily,
    GradientFamily,
    LagrangeFamily,
    LTFamily,
    MDSComputationFamily,
    MultiMessageFamily,
    RatelessFamily,
    ReedSolomonFamily,
    bad_arrays,
    entries,
)

#: Hypothesis examples per code and survivor sets drawn per example: 20 x 50 = 1,000 sets per code.
ROUND_TRIP_EXAMPLES = 20
SETS_PER_EXAMPLE = 50
MINIMUM_SETS = 1000

#: Each hypothesis example draws one seed; shrinking a seed teaches nothing, so it is skipped.
def contract_settings(max_examples: int) -> settings:
    return settings(max_examples=max_examples, derandomize=True, database=None, deadline=None,
                    phases=(Phase.explicit, Phase.generate))

ID_FAMILIES = (GradientFamily, MultiMessageFamily, ReedSolomonFamily, LTFamily, RatelessFamily,
               MDSComputationFamily, LagrangeFamily)


def ids_of(entry) -> str:
    return entry.name


def is_id_family(entry) -> bool:
    return isinstance(entry.family, ID_FAMILIES)


def shown(received) -> str:
    if isinstance(received, np.ndarray):
        return str(received.tolist())
    return repr(received)[:300]


# ---- 2. completeness ----------------------------------------------------------------------------------
def public_code_classes() -> dict[str, type]:
    """Every public class of ``codedml.codes``: in ``__all__`` or defined in a public module of its subpackages."""
    classes = {name: obj for name, obj in vars(codedml.codes).items()
               if name in codedml.codes.__all__ and inspect.isclass(obj)}
    for module_info in pkgutil.walk_packages(codedml.codes.__path__, prefix="codedml.codes."):
        if any(part.startswith("_") for part in module_info.name.split(".")):
            continue
        module = importlib.import_module(module_info.name)
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and obj.__module__ == module.__name__ and not name.startswith("_"):
                classes[name] = obj
    return classes


def test_every_public_code_class_is_registered_or_exempt():
    registered = {entry.cls.__name__ for entry in ENTRIES}
    missing = sorted(set(public_code_classes()) - registered - set(EXEMPT))
    assert not missing, (f"public classes neither in the contract registry nor exempt: {missing}; add an Entry "
                         "to tests/contract_registry.py (or an EXEMPT reason if the class does not encode/decode)")


def test_registry_and_exempt_list_hold_only_public_classes():
    public = public_code_classes()
    assert not set(EXEMPT) & {entry.cls.__name__ for entry in ENTRIES}
    assert set(EXEMPT) <= set(public), f"stale EXEMPT names: {sorted(set(EXEMPT) - set(public))}"
    for entry in ENTRIES:
        assert isinstance(entry.code, entry.cls), entry.name


# ---- 3. round trip ------------------------------------------------------------------------------------
def check_received_set(entry, data, encoded, received, tally: Counter) -> None:
    """One survivor set: right answer, refusal of an undecodable set, and verdicts that agree."""
    code, family = entry.code, entry.family
    verdict = family.oracle(code, received)
    own = family.is_decodable(code, received)
    where = f"{entry.name}: received={shown(received)}"
    if verdict is not None and own is not None:
        assert own == verdict or (verdict and not family.verdict_is_exact(code)), \
            f"{where}: is_decodable says {own}, the independent oracle {verdict}"
    if verdict and own is False:  # a conservative verdict (threshold model): the code's own word counts
        verdict = None
    tally["sets"] += 1
    try:
        decoded = family.decode_received(code, received, encoded)
    except DecodingAccuracyError:
        tally["accuracy_refused"] += 1
        return
    except NotDecodableError as error:
        assert verdict is not True and own is not True, f"{where}: decodable set refused: {error}"
        tally["refused"] += 1
        return
    if family.refuses_undecodable(code):
        assert verdict is not False and own is not False, f"{where}: undecodable set decoded (to {decoded!r})"
    ok, detail = family.matches(code, decoded, family.target(code, data, received, encoded), data)
    assert ok, f"{where}: wrong answer: {detail}"
    tally["decoded"] += 1


@pytest.mark.parametrize("entry", ENTRIES, ids=ids_of)
def test_round_trip_decodes_every_decodable_set_in_any_order(entry):
    code, family = entry.code, entry.family
    tally = Counter()

    @contract_settings(ROUND_TRIP_EXAMPLES)
    @given(st.integers(0, 2**32 - 1))
    def check(seed):
        rng = np.random.default_rng(seed)
        data = family.make_input(code, rng)
        encoded = family.encode(code, data)
        for _ in range(SETS_PER_EXAMPLE):
            check_received_set(entry, data, encoded, family.draw_received(code, rng, encoded), tally)

    check()
    assert tally["sets"] >= MINIMUM_SETS, tally
    assert tally["decoded"] > 0, f"no survivor set decoded: {dict(tally)}"
    attempted = tally["decoded"] + tally["accuracy_refused"]
    assert tally["accuracy_refused"] <= 0.05 * attempted, f"too many accuracy refusals: {dict(tally)}"


def assert_same_answer(family, decoded, expected, where: str) -> None:
    """Two decodings of the same set: equal for field elements, equal to rounding for reals."""
    if family.finite_field:
        np.testing.assert_array_equal(decoded, expected, err_msg=where)
    else:
        np.testing.assert_allclose(decoded, expected, rtol=1e-12, atol=1e-12, err_msg=where)


@pytest.mark.parametrize("entry", entries(lambda e: e.family.full_rows), ids=ids_of)
def test_messages_with_one_row_per_id_decode_like_the_received_rows(entry):
    code, family = entry.code, entry.family
    rng = np.random.default_rng(11)
    data = family.make_input(code, rng)
    encoded = family.encode(code, data)
    n = family.n_ids(code)
    for _ in range(30):  # fewer than n ids: with n, rows are read as row i for received[i]
        received = rng.permutation(n)[:int(rng.integers(1, n))]
        try:
            expected = family.decode(code, received, family.rows_for(code, encoded, received))
        except NotDecodableError:
            with pytest.raises(NotDecodableError):
                family.decode(code, received, encoded)
            continue
        assert_same_answer(family, family.decode(code, received, encoded), expected, f"received={received.tolist()}")


@pytest.mark.parametrize("entry", entries(is_id_family), ids=ids_of)
def test_boolean_mask_means_the_received_ids_in_increasing_order(entry):
    code, family = entry.code, entry.family
    rng = np.random.default_rng(12)
    data = family.make_input(code, rng)
    encoded = family.encode(code, data)
    n = family.n_ids(code)
    for _ in range(30):
        mask = rng.random(n) < rng.uniform(0.5, 1.0)
        ids = np.flatnonzero(mask)
        try:
            expected = family.decode(code, ids, family.rows_for(code, encoded, ids))
        except NotDecodableError:
            with pytest.raises(NotDecodableError):
                family.decode(code, mask, family.rows_for(code, encoded, ids))
            continue
        decoded = family.decode(code, mask, family.rows_for(code, encoded, ids))
        assert_same_answer(family, decoded, expected, f"mask={mask.tolist()}")
        own = family.is_decodable(code, mask)
        assert own is None or own, f"is_decodable(mask) is False for a mask that decodes: {mask.tolist()}"


# ---- 4. decodability is never lost as messages arrive ----------------------------------------------------
def decodes(entry, received, encoded) -> bool:
    try:
        entry.family.decode_received(entry.code, received, encoded)
    except NotDecodableError:
        return False
    return True


def first_true(flags) -> int:
    return next((t for t, flag in enumerate(flags) if flag), 0)


@pytest.mark.parametrize("entry", entries(lambda e: not isinstance(e.family, FogFamily)), ids=ids_of)
def test_decodability_is_never_lost_as_messages_arrive(entry):
    code, family = entry.code, entry.family

    @contract_settings(10)
    @given(st.integers(0, 2**32 - 1))
    def check(seed):
        rng = np.random.default_rng(seed)
        data = family.make_input(code, rng)
        encoded = family.encode(code, data)
        if isinstance(family, BATSFamily):
            received = family.draw_received(code, rng, encoded)
        else:
            received = rng.permutation(family.n_ids(code)).astype(np.int64)
        prefixes = family.prefixes(code, received)
        own = [family.is_decodable(code, prefix) for prefix in prefixes]
        flags = own if own[0] is not None else [decodes(entry, prefix, encoded) for prefix in prefixes]
        lost = [t for t in range(1, len(flags)) if flags[t - 1] and not flags[t]]
        assert not lost, f"{entry.name}: decodable after {lost[0] - 1} arrivals, not after {lost[0]}: {shown(received)}"
        needed = first_true(flags)
        if isinstance(code, MultiMessageCode):
            prefix = int(code.decodable_prefix(received[None, :])[0])
            assert prefix == needed, f"decodable_prefix {prefix} != first decodable prefix {needed}"
        if isinstance(family, GradientFamily):
            finish_times = np.empty((1, code.n_workers))
            finish_times[0, received] = np.arange(1.0, code.n_workers + 1.0)
            times, used = code.first_decodable(finish_times)
            expected_time = float(needed) if needed else math.inf
            assert (times[0], used[0]) == (expected_time, needed), \
                f"first_decodable gives ({times[0]}, {used[0]}), prefixes give ({expected_time}, {needed})"
        if isinstance(family, (LTFamily, RatelessFamily)):
            lt = code if isinstance(family, LTFamily) else code.code
            peels = [decodes_by_peeling(code, prefix, encoded) for prefix in prefixes]
            decoder = lt.decoder()
            incremental = [False] + [decoder.add(int(i), np.asarray(rows)[0])
                                     for i, rows in ((i, family.rows_for(code, encoded, [i])) for i in received)]
            assert incremental == peels, f"{entry.name}: LTDecoder.add and decode(inactivation=False) disagree"
            assert all(flag for flag, peeled in zip(flags, peels) if peeled)
            if isinstance(family, RatelessFamily) and any(peels):
                assert code.completion_count(received) == first_true(peels)

    check()


def decodes_by_peeling(code, received, encoded) -> bool:
    try:
        code.decode(received, encoded[np.asarray(received, dtype=np.int64)], inactivation=False)
    except NotDecodableError:
        return False
    return True


# ---- 5. a^T B_I = 1 ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("entry", entries(lambda e: e.exact_linear), ids=ids_of)
def test_decoding_vector_combines_the_received_rows_into_all_ones(entry):
    code = entry.code
    matrix = code.encoding_matrix.toarray()
    prime = code.quantizer.p if getattr(code, "quantizer", None) is not None else None
    tally = Counter()

    @contract_settings(10)
    @given(st.integers(0, 2**32 - 1))
    def check(seed):
        rng = np.random.default_rng(seed)
        for _ in range(50):
            received = rng.permutation(code.n_workers)[:int(rng.integers(1, code.n_workers + 1))]
            if not code.is_decodable(received):
                with pytest.raises(NotDecodableError):
                    code.decoding_vector(received)
                continue
            try:
                vector = code.decoding_vector(received)
            except DecodingAccuracyError:
                tally["accuracy_refused"] += 1
                continue
            off = np.setdiff1d(np.arange(code.n_workers), received)
            assert vector.shape == (code.n_workers,) and not np.any(vector[off]), f"received={received.tolist()}"
            if prime is None:
                residual = float(np.max(np.abs(vector @ matrix - 1.0)))
                assert residual <= DECODING_VECTOR_TOLERANCE, f"received={received.tolist()}: residual {residual:.3g}"
            else:
                combined = (vector.astype(object) @ matrix.astype(object)) % prime
                assert all(value == 1 for value in combined), f"received={received.tolist()}: a^T B != 1 mod p"
            tally["checked"] += 1

    check()
    assert tally["checked"] > 0


# ---- 6. undecodable sets ------------------------------------------------------------------------------------
@pytest.mark.parametrize("entry", entries(lambda e: not isinstance(e.family, FogFamily)), ids=ids_of)
def test_every_set_below_the_threshold_raises_not_decodable(entry):
    code, family = entry.code, entry.family
    rng = np.random.default_rng(5)
    data = family.make_input(code, rng)
    encoded = family.encode(code, data)
    sets = family.below_threshold_sets(code, rng, 40)
    if isinstance(code, ApproximateGradientCode):  # never refuses: the empty set estimates zero
        np.testing.assert_array_equal(family.decode_received(code, sets[0], encoded), np.zeros(data.shape[1]))
        return
    for received in sets:
        with pytest.raises(NotDecodableError):
            family.decode_received(code, received, encoded)
        assert family.is_decodable(code, received) in (None, False), shown(received)


# ---- unbiased approximate codes ------------------------------------------------------------------------------
@pytest.mark.parametrize("entry", entries(lambda e: isinstance(e.code, ApproximateGradientCode)), ids=ids_of)
def test_approximate_code_estimate_is_unbiased_over_every_survivor_set(entry):
    code = entry.code
    partials = np.random.default_rng(9).standard_normal((code.n_partitions, 2))
    messages = code.encode(partials)
    expectation = np.zeros(2)
    for mask in product((False, True), repeat=code.n_workers):
        mask = np.array(mask)
        chance = np.prod(np.where(mask, 1.0 - code.probabilities, code.probabilities))
        expectation += chance * code.decode(mask, messages)
    np.testing.assert_allclose(expectation, partials.sum(axis=0), rtol=1e-9, atol=1e-12)


# ---- 7. bad inputs, run in a forked child ------------------------------------------------------------------
CASE_TIMEOUT = 10.0
STARTUP_TIMEOUT = 180.0
ROOT = pathlib.Path(__file__).resolve().parents[1]
MEMORY_HEADROOM = 4 * 2**30
INT_ID_CASES = {
    "out-of-range": lambda n: list(range(n - 1)) + [n],
    "negative": lambda n: [-1] + list(range(1, n)),
    "duplicate": lambda n: list(range(n)) + [0],
    "non-integral-float": lambda n: [0.5] + list(range(1, n)),
    "nan": lambda n: [math.nan] + list(range(1, n)),
    "complex": lambda n: np.arange(n) + 1j,
    "mask-wrong-length": lambda n: np.ones(n + 1, dtype=bool),
    "2d": lambda n: np.arange(n)[None, :],
    "None": lambda n: None,
    "string": lambda n: "0 1 2",
    "strings": lambda n: [str(i) for i in range(n)],
}


def names_pattern(names) -> re.Pattern:
    alternatives = []
    for name in names:
        alternatives.append(re.escape(name))
        if "_" in name:
            alternatives.append(re.escape(name.replace("_", " ")))
    return re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(alternatives) + r")(?![A-Za-z0-9_])")


def _outcome(call) -> tuple:
    try:
        result = call()
    except BaseException as error:  # noqa: BLE001 -- classify whatever escapes
        return ("raised", f"{type(error).__module__}.{type(error).__qualname__}", isinstance(error, CodedMLError),
                str(error)[:400])
    return ("returned", type(result).__name__, False, repr(result)[:200])


def serve_cases(fd: int) -> None:
    """Worker process: run the bad-input cases named on stdin, write each outcome to ``fd`` as it finishes."""
    case_ids = pickle.load(sys.stdin.buffer)
    status = pathlib.Path("/proc/self/status").read_text()
    size = int(re.search(r"VmSize:\s+(\d+) kB", status).group(1)) * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = size + MEMORY_HEADROOM
    resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
    warnings.simplefilter("ignore")
    for case_id in case_ids:
        data = pickle.dumps((case_id, _outcome(BAD_INPUT_CASES[case_id][0])))
        data = struct.pack("<I", len(data)) + data
        while data:
            data = data[os.write(fd, data):]


def _read_exactly(fd: int, count: int, timeout: float) -> bytes | None:
    chunks = b""
    while len(chunks) < count:
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            raise TimeoutError
        chunk = os.read(fd, count - len(chunks))
        if not chunk:
            return None
        chunks += chunk
    return chunks


def run_isolated(case_ids: list) -> dict:
    """Outcome of every bad-input case, run in a fresh worker process (restarted after a crash or a hang).

    A fresh interpreter rather than ``fork``: numba's OpenMP layer terminates a forked child that uses it.
    The worker's address space is capped, so a huge allocation fails there instead of exhausting the machine.
    """
    outcomes: dict = {}
    pending = list(case_ids)
    while pending:
        read_fd, write_fd = os.pipe()
        worker = subprocess.Popen(
            [sys.executable, "-c", f"from tests.test_contract import serve_cases; serve_cases({write_fd})"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(write_fd,),
            cwd=ROOT)
        os.close(write_fd)
        worker.stdin.write(pickle.dumps(pending))
        worker.stdin.close()
        hung, timeout = False, STARTUP_TIMEOUT
        try:
            while True:
                header = _read_exactly(read_fd, 4, timeout)
                if header is None:
                    break
                case_id, outcome = pickle.loads(_read_exactly(read_fd, struct.unpack("<I", header)[0], timeout))
                outcomes[case_id] = outcome
                timeout = CASE_TIMEOUT
        except TimeoutError:
            hung = True
            worker.kill()
        finally:
            os.close(read_fd)
        returncode = worker.wait()
        pending = [case_id for case_id in pending if case_id not in outcomes]
        if pending:
            culprit = pending.pop(0)
            if hung:
                outcomes[culprit] = ("hung", f"no answer within {timeout:g} s", False, "")
            else:
                outcomes[culprit] = ("crashed", f"worker exit status {returncode}", False, "")
    return outcomes


def bad_received_cases(entry):
    code, family = entry.code, entry.family
    rng = np.random.default_rng(1)
    data = family.make_input(code, rng)
    encoded = family.encode(code, data)
    cases = []
    if isinstance(family, ID_FAMILIES):
        n = family.n_ids(code)
        methods = [("decode", None)]
        if family.is_decodable(code, np.arange(n)) is not None:
            methods.append(("is_decodable", None))
        if isinstance(family, GradientFamily):
            methods.append(("decoding_vector", None))
        for (case, make), (method, _) in product(INT_ID_CASES.items(), methods):
            received = make(n)
            if isinstance(received, list) or (isinstance(received, np.ndarray) and received.ndim == 1
                                              and received.dtype != bool):
                rows = family.rows_for(code, encoded, np.arange(len(received)) % n)
            else:
                rows = encoded
            if method == "decode":
                call = functools.partial(family.decode, code, received, rows)
            else:
                call = functools.partial(getattr(code, method), received)
            cases.append((f"{method}-received-{case}", call, family.received_names))
    elif isinstance(family, BATSFamily):
        headers, packets, counts = family.draw_received(code, rng, encoded)
        bad_counts = {"negative": np.where(np.arange(code.n_batches) == 0, -1, counts),
                      "above-batch-size": counts + code.batch_size, "float": counts + 0.5,
                      "wrong-length": counts[:-1], "2d": counts[None], "None": None, "string": "1 2",
                      "nan": np.where(np.arange(code.n_batches) == 0, math.nan, counts)}
        for case, value in bad_counts.items():
            cases.append((f"decode-received-{case}", lambda value=value: code.decode(value, packets, headers),
                          family.received_names))
    elif isinstance(family, FogFamily):
        n = code.n_nodes
        bad = {"wrong-length": np.ones(n + 1, dtype=bool), "2d": np.ones((1, n), dtype=bool), "None-node": None,
               "strings": ["a"] * n, "two": np.full(n, 2), "nan": np.full(n, math.nan), "half": np.full(n, 0.5)}
        for case, value in bad.items():
            if case == "None-node":
                cases.append(("new_gradient_count-node-None", lambda: code.new_gradient_count(None), ("node",)))
                continue
            cases.append((f"new_gradient_count-received-{case}",
                          lambda value=value: code.new_gradient_count(0, received=value), family.received_names))
        for case, node in {"negative": -1, "out-of-range": n, "float": 0.5, "str": "0", "bool": True}.items():
            cases.append((f"new_gradient_count-node-{case}", lambda node=node: code.new_gradient_count(node),
                          ("node",)))
    return cases


def field_bad_arrays(valid: np.ndarray, order: int) -> list:
    """Field-element arrays that are not field elements: floats, negatives, ``order`` itself."""
    valid = np.asarray(valid)
    negative = valid.astype(np.int64)
    negative.flat[0] = -1
    too_large = valid.astype(np.int64)
    too_large.flat[0] = order
    return [("float", valid.astype(np.float64) + 0.5), ("negative", negative), ("not-below-order", too_large)]


def field_order(entry) -> int:
    """Number of elements of the field an entry's messages live in."""
    code = entry.code
    if isinstance(entry.family, ReedSolomonFamily):
        return 2**code.field.degree
    if isinstance(entry.family, (LTFamily, BATSFamily)):
        return 256
    if isinstance(entry.family, LagrangeFamily):
        return code.p
    return code.quantizer.p


def bad_messages_cases(entry):
    code, family = entry.code, entry.family
    data = family.make_input(code, np.random.default_rng(2))
    encoded = family.encode(code, data)
    cases = []
    if isinstance(family, ID_FAMILIES):
        received = family.all_ids(code)
        valid = np.asarray(family.rows_for(code, encoded, received))
        bad = bad_arrays(valid.astype(np.float64)) + [("missing-row", valid[:-1])]
        if family.finite_field:
            extra = field_bad_arrays(valid, field_order(entry))
            if isinstance(family, LTFamily):  # float payloads are the real-valued LT mode, not a bad input
                extra = extra[1:]
            bad = [(case, value) for case, value in bad if case != "inf"] + extra
        for case, value in bad:
            cases.append((f"decode-messages-{case}", lambda value=value: family.decode(code, received, value),
                          family.messages_names))
    elif isinstance(family, BATSFamily):
        headers, packets, counts = family.draw_received(code, np.random.default_rng(3), encoded)
        for case, value in bad_arrays(packets.astype(np.float64)) + field_bad_arrays(packets, 256):
            cases.append((f"decode-packets-{case}", lambda value=value: code.decode(counts, value, headers),
                          ("packets",)))
        for case, value in bad_arrays(headers.astype(np.float64)) + field_bad_arrays(headers, 256):
            cases.append((f"decode-headers-{case}", lambda value=value: code.decode(counts, packets, value),
                          ("headers",)))
    return cases


def bad_encode_cases(entry):
    code, family = entry.code, entry.family
    if isinstance(family, FogFamily):
        return []
    data = family.make_input(code, np.random.default_rng(4))
    cases = []
    if isinstance(family, (MDSComputationFamily, RatelessFamily)):
        W, theta = data
        for case, value in bad_arrays(W):
            cases.append((f"encode-W-{case}", lambda value=value: code.encode(value), ("W",)))
        coded = code.encode(W)
        products = code.worker_products if isinstance(family, MDSComputationFamily) else code.row_products
        for case, value in bad_arrays(theta)[:-1] + [("2d", theta[None])]:
            cases.append((f"products-theta-{case}", lambda value=value: products(coded, value), ("theta",)))
        return cases
    bad = bad_arrays(np.asarray(data, dtype=np.float64))
    if family.finite_field and not isinstance(family, (FieldGradientFamily, LTFamily)):
        bad = [(case, value) for case, value in bad if case != "inf"] + field_bad_arrays(data, field_order(entry))
    for case, value in bad:
        cases.append((f"encode-{case}", lambda value=value: family.encode(code, value), family.input_names))
    return cases


def arrival_order_cases(entry):
    code = entry.code
    if isinstance(code, MultiMessageCode):
        n = code.n_messages
        bad = {"out-of-range": [[0, n]], "negative": [[-2, 0]], "id-after-end": [[-1, 0]],
               "non-integral-float": [[0.5, 1.0]], "nan": [[math.nan, 0]], "1d": [0, 1], "None": None,
               "strings": [["0", "1"]], "duplicate": [[0, 0]]}
        return [(f"decodable_prefix-{case}", lambda value=value: code.decodable_prefix(value),
                 ("arrival_order",)) for case, value in bad.items()]
    if isinstance(entry.family, RatelessFamily):
        n = code.n_coded
        bad = {"out-of-range": [0, n], "negative": [-1, 0], "non-integral-float": [0.5, 1.0],
               "nan": [math.nan, 0], "2d": [[0, 1]], "None": None, "strings": ["0", "1"], "duplicate": [0, 0]}
        return [(f"completion_count-{case}", lambda value=value: code.completion_count(value),
                 ("arrival_order",)) for case, value in bad.items()]
    if isinstance(entry.family, GradientFamily):
        n = code.n_workers
        bad = {"nan": np.full((1, n), math.nan), "1d": np.ones(n), "wrong-width": np.ones((1, n + 1)),
               "None": None, "strings": np.full((1, n), "a"), "complex": np.ones((1, n)) + 1j}
        return [(f"first_decodable-{case}", lambda value=value: code.first_decodable(value), ("arrival_times",))
                for case, value in bad.items()]
    return []


def constructor_cases():
    cases = []
    for constructor in CONSTRUCTORS:
        for case_id, param, value, names in constructor.cases():
            cases.append((case_id, lambda constructor=constructor, param=param, value=value:
                          constructor.make(**{param: value}), names))
    return cases


BAD_INPUT_CASES = {}
for _entry in ENTRIES:
    for _builder in (bad_received_cases, bad_messages_cases, bad_encode_cases, arrival_order_cases):
        for _case_id, _call, _names in _builder(_entry):
            BAD_INPUT_CASES[f"{_entry.name}-{_case_id}"] = (_call, _names)
for _case_id, _call, _names in constructor_cases():
    BAD_INPUT_CASES[f"constructor-{_case_id}"] = (_call, _names)

@pytest.fixture(scope="session")
def bad_input_outcomes(request) -> dict:
    """Outcomes of the selected bad-input cases, all run in one worker process."""
    selected = [item.callspec.params["case_id"] for item in request.session.items
                if getattr(item, "originalname", "") == "test_bad_input_raises_a_codedml_error_naming_the_argument"]
    return run_isolated(selected)


@pytest.mark.parametrize("case_id", list(BAD_INPUT_CASES))
def test_bad_input_raises_a_codedml_error_naming_the_argument(case_id, bad_input_outcomes):
    kind, what, is_library_error, message = bad_input_outcomes[case_id]
    names = BAD_INPUT_CASES[case_id][1]
    assert kind == "raised", f"{kind}: {what} {message}".strip()
    assert is_library_error, f"{what} escaped instead of a codedml.errors exception: {message}"
    assert names_pattern(names).search(message), f"{what}: message does not name {' or '.join(names)}: {message!r}"
