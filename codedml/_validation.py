"""The one validation layer: every public constructor and method checks its input here.

Each function takes the value and the public name of the argument, returns the value in the
canonical form the kernels expect (``int``, ``float``, ``numpy.random.Generator``, C-contiguous
arrays of a fixed dtype), and otherwise raises a :mod:`codedml.errors` exception whose message
names the argument and what is allowed. No index reaches an ``@njit`` kernel without passing
through :func:`ids` or :func:`received_ids`.
"""

from __future__ import annotations

import numbers
import operator

import numpy as np

from codedml.errors import NonFiniteError, ParameterError, ShapeError, SizeError

#: Largest array (in bytes) a constructor may allocate before it refuses the size.
MAX_ARRAY_BYTES = 8 * 2**30


# ---- scalars ------------------------------------------------------------------------------------
def integer(value, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """``value`` as a Python ``int`` in ``[minimum, maximum]``.

    Accepts Python and NumPy integers and integral floats (``4.0``); refuses ``None``, ``bool``,
    NaN, infinity, non-integral numbers and strings.
    """
    if isinstance(value, (bool, np.bool_)) or value is None:
        raise ParameterError(f"{name} must be an integer{_range_text(minimum, maximum)}, got {value!r}")
    if isinstance(value, numbers.Integral):
        result = operator.index(value)
    elif isinstance(value, numbers.Real) and np.isfinite(value) and float(value).is_integer():
        result = int(value)
    else:
        raise ParameterError(f"{name} must be an integer{_range_text(minimum, maximum)}, got {value!r}")
    if (minimum is not None and result < minimum) or (maximum is not None and result > maximum):
        raise ParameterError(f"{name} must be an integer{_range_text(minimum, maximum)}, got {result}")
    return result


def optional_integer(value, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
    """``None``, or :func:`integer`."""
    return None if value is None else integer(value, name, minimum=minimum, maximum=maximum)


def real(value, name: str, *, minimum: float | None = None, maximum: float | None = None,
         open_minimum: bool = False, open_maximum: bool = False) -> float:
    """``value`` as a finite Python ``float`` in the stated interval (closed unless ``open_*``)."""
    allowed = _interval_text(minimum, maximum, open_minimum, open_maximum)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ParameterError(f"{name} must be a finite real number{allowed}, got {value!r}")
    try:
        result = float(value)
    except OverflowError:  # an int beyond the float range
        raise ParameterError(f"{name} must be a finite real number{allowed}, got {value!r}") from None
    if not np.isfinite(result):
        raise ParameterError(f"{name} must be a finite real number{allowed}, got {value!r}")
    if minimum is not None and (result < minimum or (open_minimum and result == minimum)):
        raise ParameterError(f"{name} must be a finite real number{allowed}, got {result!r}")
    if maximum is not None and (result > maximum or (open_maximum and result == maximum)):
        raise ParameterError(f"{name} must be a finite real number{allowed}, got {result!r}")
    return result


def probability(value, name: str, *, open_minimum: bool = False, open_maximum: bool = False) -> float:
    """A probability in ``[0, 1]`` (ends excluded on request)."""
    return real(value, name, minimum=0.0, maximum=1.0, open_minimum=open_minimum, open_maximum=open_maximum)


def choice(value, name: str, allowed) -> str:
    """``value`` if it is one of ``allowed`` (compared with ``==``)."""
    allowed = tuple(allowed)
    if not isinstance(value, str) or value not in allowed:
        raise ParameterError(f"{name} must be one of {', '.join(repr(a) for a in allowed)}; got {value!r}")
    return value


def flag(value, name: str) -> bool:
    """A ``bool`` (Python or NumPy)."""
    if not isinstance(value, (bool, np.bool_)):
        raise ParameterError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def rng(seed, name: str = "seed") -> np.random.Generator:
    """A :class:`numpy.random.Generator` from ``None``, a non-negative integer or a Generator."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng()
    return np.random.default_rng(_seed_value(seed, name))


def seed_integer(seed, name: str = "seed") -> int | None:
    """``None`` or a non-negative integer seed (for kernels that take an integer seed)."""
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(0, 2**62))
    return None if seed is None else _seed_value(seed, name)


def kernel_seed(seed, name: str = "seed") -> int:
    """A 32-bit seed for numba's generator from ``None``, an integer or a ``numpy.random.Generator``."""
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(2**32))
    seed = None if seed is None else _seed_value(seed, name)
    return int(np.random.SeedSequence(seed).generate_state(1, dtype=np.uint32)[0])


def _seed_value(seed, name: str) -> int:
    try:
        return integer(seed, name, minimum=0)
    except ParameterError:
        raise ParameterError(f"{name} must be None, an integer >= 0 or a numpy.random.Generator, "
                             f"got {seed!r}") from None


def instance(value, name: str, classes: type | tuple[type, ...]):
    """``value`` if it is an instance of ``classes`` (a class or a tuple of classes)."""
    if not isinstance(value, classes):
        wanted = " or ".join(c.__name__ for c in (classes if isinstance(classes, tuple) else (classes,)))
        raise ParameterError(f"{name} must be a {wanted}, got {type(value).__name__}")
    return value


# ---- sizes ----------------------------------------------------------------------------------------
def array_size(n_elements: int, name: str, *, itemsize: int = 8, limit: int | None = None) -> None:
    """Refuse a size whose array of ``n_elements`` items would exceed ``limit`` bytes.

    ``name`` describes the array and the parameters that set its size, e.g.
    ``"the n_workers x n_partitions encoding matrix (n_workers=100000)"``.
    """
    limit = MAX_ARRAY_BYTES if limit is None else limit
    needed = int(n_elements) * int(itemsize)
    if needed > limit:
        raise SizeError(f"{name} would need {needed / 2**30:.3g} GiB, above the {limit / 2**30:.3g} GiB "
                        f"limit (codedml._validation.MAX_ARRAY_BYTES); choose a smaller size")


# ---- arrays ---------------------------------------------------------------------------------------
def real_array(value, name: str, *, ndim: int | tuple[int, ...] | None = None, shape: tuple | None = None,
               finite: bool = True, dtype=np.float64) -> np.ndarray:
    """``value`` as a C-contiguous float array.

    Refuses strings, objects, complex numbers, wrong dimensions or shapes (``None`` in ``shape``
    matches any length) and, with ``finite``, NaN or infinity. Booleans and integers are converted.
    """
    array = numeric_array(value, name)
    if np.iscomplexobj(array):
        raise ParameterError(f"{name} must be real; got complex values (dtype {array.dtype})")
    _check_shape(array, name, ndim, shape)
    array = np.asarray(array, dtype=dtype, order="C")  # C-contiguous; keeps 0-d input 0-d
    if finite:
        check_finite(array, name)
    return array


def check_finite(array: np.ndarray, name: str) -> None:
    """Raise :class:`NonFiniteError` naming ``name`` if ``array`` holds NaN or infinity."""
    finite = np.isfinite(array)
    if not finite.all():
        bad = int(finite.size - np.count_nonzero(finite))
        raise NonFiniteError(f"{name} holds {bad} NaN or infinite value(s); every value must be finite")


def integer_array(value, name: str, *, ndim: int | tuple[int, ...] | None = None, shape: tuple | None = None,
                  minimum: int | None = None, maximum: int | None = None, dtype=np.int64) -> np.ndarray:
    """``value`` as a C-contiguous integer array with every entry in ``[minimum, maximum]``.

    Integral floats are accepted (``2.0``); non-integral, non-finite, complex, boolean and string
    input is refused.
    """
    array = numeric_array(value, name)
    if array.dtype.kind in "bc":
        raise ParameterError(f"{name} must hold integers, got dtype {array.dtype}")
    _check_shape(array, name, ndim, shape)
    if array.dtype.kind not in "iu":
        if array.size and (not np.all(np.isfinite(array)) or np.any(array != np.round(array))):
            raise ParameterError(f"{name} must hold integers; got non-integral or non-finite values")
    if array.size:
        low, high = array.min(), array.max()
        limits = np.iinfo(dtype)  # the range of the result type bounds every entry too
        minimum = limits.min if minimum is None else max(minimum, limits.min)
        maximum = limits.max if maximum is None else min(maximum, limits.max)
        if low < minimum or high > maximum:
            raise ParameterError(f"{name} must hold integers{_range_text(minimum, maximum)}; "
                                 f"got values from {low} to {high}")
    return np.asarray(array, dtype=dtype, order="C")


def field_elements(value, name: str, order: int, *, ndim: int | tuple[int, ...] | None = None,
                   shape: tuple | None = None, dtype=np.int64) -> np.ndarray:
    """Elements of a field of ``order`` elements: integers in ``[0, order)``, refusing anything else.

    Unlike :func:`integer_array`, floats are refused even when integral: a float array handed to a
    finite-field code is almost always a real-valued result that was meant to be quantized first.
    """
    if numeric_array(value, name).dtype.kind == "f":
        raise ParameterError(f"{name} must hold field elements: integers in [0, {order - 1}] with an integer "
                             f"dtype; got floats (quantize real values first, e.g. with codedml.codes.Quantizer)")
    return integer_array(value, name, ndim=ndim, shape=shape, minimum=0, maximum=order - 1, dtype=dtype)


def ids(value, name: str, count: int, *, unique: bool = True, mask: bool = True) -> np.ndarray:
    """Int64 ids in ``[0, count)``, in the order given, from an index array or a boolean mask.

    A boolean mask (when ``mask``) must have length ``count``; its ids come out increasing.
    With ``unique`` an id may appear once only.
    """
    array = numeric_array(value, name)
    if array.dtype == np.bool_:
        if not mask:
            raise ParameterError(f"{name} must be an integer id array, got a boolean array")
        if array.shape != (count,):
            raise ShapeError(f"{name} as a boolean mask must have shape ({count},), got {array.shape}")
        return np.flatnonzero(array).astype(np.int64)
    if array.size == 0:
        return np.zeros(0, dtype=np.int64)
    if array.ndim != 1:
        raise ShapeError(f"{name} must be a 1-D array of ids{' or a boolean mask' if mask else ''}, "
                         f"got shape {array.shape}")
    result = integer_array(array, name, minimum=0, maximum=count - 1)
    if unique and np.count_nonzero(np.bincount(result, minlength=count) > 1):
        raise ParameterError(f"{name} holds an id more than once; each id in [0, {count}) may appear once")
    return result


def received_ids(received, count: int, name: str = "received") -> np.ndarray:
    """The ids in ``received`` (index array, any order, or boolean mask over ``count``), unique, in given order."""
    return ids(received, name, count)


def received_rows(n_given: int, received_rows: np.ndarray, n_total: int, name: str) -> np.ndarray | None:
    """Which rows of an array ``name`` of ``n_given`` rows belong to the received ids, in received order.

    The one meaning of ``received`` for every code: row ``i`` of ``name`` belongs to ``received[i]``
    (``None`` is returned: take the array as it is). As a convenience, an array of all ``n_total``
    rows in id order is also accepted when fewer rows were received (``received_rows`` is returned:
    take those rows). ``received_rows`` lists, in received order, the row indices the received ids
    own (for one-row messages, the ids themselves). When every id was received, the array is always
    read as row ``i`` for ``received[i]``.
    """
    if n_given == received_rows.size:
        return None
    if n_given == n_total:
        return received_rows
    raise ShapeError(f"{name} must have one row per received message ({received_rows.size} rows, row i for "
                     f"received[i]) or one per id ({n_total}, in id order); got {n_given}")


def id_rows(value, name: str, count: int) -> np.ndarray:
    """A 2-D int64 array of ids in ``[0, count)`` in which ``-1`` ends a row early (arrival orders)."""
    array = integer_array(value, name, ndim=2, minimum=-1, maximum=count - 1)
    ended = array < 0
    if np.any(ended[:, :-1] & ~ended[:, 1:]):
        raise ParameterError(f"{name}: -1 ends a row; no id may follow it")
    return array


def arrival_times(value, name: str, count: int) -> np.ndarray:
    """A 2-D float64 array of arrival times with ``count`` columns: finite, or ``+inf`` for never.

    NaN and ``-inf`` are refused (:class:`NonFiniteError`).
    """
    array = real_array(value, name, ndim=2, shape=(None, count), finite=False)
    if np.isnan(array).any() or np.isneginf(array).any():
        raise NonFiniteError(f"{name} holds NaN or -inf; each time must be finite, or +inf for a message "
                             f"that never arrives")
    return array


def numeric_array(value, name: str) -> np.ndarray:
    """``value`` as a numeric array (bool, integer, float or complex); refuses ``None``, ragged and
    non-numeric input."""
    if value is None:
        raise ParameterError(f"{name} must be an array, got None")
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as error:  # ragged nested sequences
        raise ShapeError(f"{name} must be a rectangular numeric array: {error}") from None
    if array.dtype.kind not in "biufc":
        raise ParameterError(f"{name} must be numeric, got dtype {array.dtype}")
    return array


def _check_shape(array: np.ndarray, name: str, ndim, shape) -> None:
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in allowed:
            raise ShapeError(f"{name} must have {' or '.join(map(str, allowed))} dimension(s), "
                             f"got shape {array.shape}")
    if shape is not None:
        if len(shape) != array.ndim or any(want is not None and want != got for want, got in zip(shape, array.shape)):
            wanted = "(" + ", ".join("any" if want is None else str(want) for want in shape) + ")"
            raise ShapeError(f"{name} must have shape {wanted}, got {array.shape}")


def _range_text(minimum, maximum) -> str:
    if minimum is not None and maximum is not None:
        return f" in [{minimum}, {maximum}]"
    if minimum is not None:
        return f" >= {minimum}"
    if maximum is not None:
        return f" <= {maximum}"
    return ""


def _interval_text(minimum, maximum, open_minimum, open_maximum) -> str:
    if minimum is None and maximum is None:
        return ""
    left = "(" if open_minimum or minimum is None else "["
    right = ")" if open_maximum or maximum is None else "]"
    low = "-inf" if minimum is None else f"{minimum:g}"
    high = "inf" if maximum is None else f"{maximum:g}"
    return f" in {left}{low}, {high}{right}"
