"""Shared helpers of the parity tests: one program run in autogradviz and in real PyTorch on
tensors built from the same NumPy arrays, and the comparisons of what comes out.

- data: ``make`` (seeded arrays of every dtype, with NaN/infinities, ties, no zeros ... on
  request), ``arr`` and ``seeded_arrays`` (plain seeded arrays), ``pair`` and ``tensors`` (the
  same arrays as tensors of each library);
- running: ``run`` (warnings silenced), ``raised`` (the exception it must raise), ``attempt``
  (the result or the exception, and every warning's message);
- comparing: ``assert_same`` (autogradviz's result against torch's: dtype, shape, values bit
  for bit or within a tolerance family of ``TOLERANCES``, ``repr``, named tuples),
  ``assert_same_tensor`` (torch's result against autogradviz's: values, contiguity, strides,
  storage offset), ``assert_same_exception``, ``parity`` (a whole expression: result, warnings,
  errors, and the inputs afterwards), ``summary``/``summarised``/``assert_parity`` (results as
  comparable data, floats as raw bytes).

The gradient tests' graph comparisons are in ``_grad_harness``.
"""

import os

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import math
import operator
import warnings

import numpy as np
import pytest
import torch

import autogradviz

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
FLOATS = ["float16", "float32", "float64"]
INTS = ["uint8", "int8", "int16", "int32", "int64"]
# (rtol, atol) by tolerance family and result dtype; "exact" is bit-identical. The families are
# explained in the docstrings of test_parity_elementwise ("ulp") and test_parity_reduction.
TOLERANCES = {
    "ulp": {"float16": (1e-3, 1e-5), "float32": (1e-6, 1e-7), "float64": (1e-12, 1e-14)},
    "sum": {"float16": (1e-3, 1e-3), "float32": (1e-6, 1e-6), "float64": (1e-12, 1e-12)},
}


# ---------------------------------------------------------------------- data
def make(dtype, shape, seed=0, *, special=(), shuffle=False, ties=False, nonzero=False,
         positive=False):
    """A seeded NumPy array of ``dtype``: bools, integers in [-9, 10), floats ``3 * N(0, 1)``.

    ``special``: values (NaN, infinities, signed zeros ...) written over floats at random places,
    in order or (``shuffle``) in random order; ``ties``: numbers drawn from a few values, so that
    equal elements are common; ``nonzero``: zeros replaced by 3; ``positive``: no negatives.
    """
    rng = np.random.default_rng(seed)
    n = math.prod(shape)
    if dtype == "bool":
        x = rng.integers(0, 2, n).astype(bool)
    elif ties:
        x = rng.integers(-2, 3, n).astype(dtype) if dtype != "uint8" else rng.integers(
            0, 4, n).astype(dtype)
    elif dtype in FLOATS:
        x = rng.standard_normal(n) * 3
        if len(special) and n:
            k = min(n, len(special))
            pos = rng.choice(n, k, replace=False)
            x[pos] = (rng.permutation(special) if shuffle else np.asarray(special))[:k]
        x = x.astype(dtype)
    else:
        lo = 0 if dtype == "uint8" or positive else -9
        x = rng.integers(lo, 10, n).astype(dtype)
    if positive and dtype in FLOATS:
        x = np.abs(x)
    if nonzero:
        x[x == 0] = 3
    return x.reshape(shape)


def arr(shape, dtype="float32", seed=0):
    """A seeded NumPy array; both libraries get a copy of the same one."""
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return np.asarray(rng.random(shape) < 0.5)
    if dtype.startswith(("int", "uint")):
        return rng.integers(0 if dtype == "uint8" else -9, 10, shape).astype(dtype)
    return np.asarray(rng.standard_normal(shape), dtype)


def seeded_arrays(shapes, dtype="float32"):
    """``arr`` of each shape with seeds 0, 1, ...; ``dtype`` is one name or a name per shape."""
    dtypes = [dtype] * len(shapes) if isinstance(dtype, str) else dtype
    return [arr(s, d, seed=i) for i, (s, d) in enumerate(zip(shapes, dtypes, strict=True))]


def tensors(lib, arrays):
    """``lib``'s tensors holding copies of ``arrays``."""
    return [lib.from_numpy(a.copy()) for a in arrays]


def pair(a):
    return torch.from_numpy(a.copy()), autogradviz.from_numpy(a.copy())


def as_list(r):
    return list(r) if isinstance(r, tuple | list) else [r]


# ---------------------------------------------------------------------- running
def run(fn, lib, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(lib, *args)


def raised(fn, lib, *args):
    """The exception ``fn(lib, *args)`` raises (it must raise one)."""
    with pytest.raises(Exception) as info:
        run(fn, lib, *args)
    return info.value


def attempt(fn, *args, category=Warning):
    """``fn(*args)``'s result, or the exception it raised, and the messages of the warnings of
    ``category`` it gave (every one, whatever the filters)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = fn(*args)
        except Exception as err:  # whatever it is, it is compared with PyTorch's
            result = err
    return result, [str(w.message) for w in caught if issubclass(w.category, category)]


def _run_with_warnings(fn, m, tensors):
    """``fn``'s result and the warnings a user would see (the default filters apply)."""
    with warnings.catch_warnings(record=True) as caught:
        result = fn(m, *tensors)
    return result, [(w.category, str(w.message)) for w in caught]


# ---------------------------------------------------------------------- comparing
def assert_same_exception(theirs, ours):
    """``ours`` is an exception of exactly ``theirs``'s type, with the same message."""
    same = type(ours) is type(theirs) and str(ours) == str(theirs)
    assert same, f"raised {ours!r}, torch raised {theirs!r}"


def _identical(ours, theirs):
    """Bit-identical up to NaN payloads: same NaN positions, values and zero signs."""
    nan_o, nan_t = np.isnan(ours), np.isnan(theirs)
    if not np.array_equal(nan_o, nan_t):
        return False
    o, t = ours[~nan_o], theirs[~nan_t]
    return np.array_equal(o, t) and np.array_equal(np.signbit(o), np.signbit(t))


def _all_identical(ours, theirs):
    return all(_identical(np.asarray(o.numpy()), t.numpy())
               for o, t in zip(ours, theirs, strict=True))


def _same_array(ours, theirs, tol, dtype):
    """Compare values; True when they are identical (then their reprs must be too)."""
    if _identical(ours, theirs):
        return True
    if tol == "exact" or dtype not in FLOATS:
        raise AssertionError(f"values differ:\n{ours!r}\n{theirs!r}")
    rtol, atol = TOLERANCES[tol][dtype]
    np.testing.assert_allclose(ours.astype(np.float64), theirs.astype(np.float64),
                               rtol=rtol, atol=atol, equal_nan=True)
    return False


def assert_same(ours, theirs, tol="exact", check_repr=True):
    """``ours`` (autogradviz) matches ``theirs`` (torch): type, dtype, shape, values, repr (of
    identical values, unless not ``check_repr``), named-tuple fields."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, autogradviz.Tensor), f"expected a tensor, got {ours!r}"
        assert str(ours.dtype) == str(theirs.dtype)
        assert tuple(ours.shape) == tuple(theirs.shape)
        assert isinstance(ours.shape, autogradviz.Size)
        identical = _same_array(np.asarray(ours.numpy()), theirs.numpy(), tol,
                                str(theirs.dtype)[6:])
        if check_repr and identical:
            assert repr(ours) == repr(theirs)
    elif isinstance(theirs, tuple | list):
        assert type(ours).__name__ == type(theirs).__name__
        assert len(ours) == len(theirs)
        returned = type(theirs).__module__ == "torch.return_types"
        if hasattr(theirs, "_fields") or returned:
            assert [f for f in dir(type(ours)) if f in ("values", "indices")] == [
                f for f in dir(type(theirs)) if f in ("values", "indices")]
        for o, t in zip(ours, theirs, strict=True):
            assert_same(o, t, tol, check_repr)
        if check_repr and returned and _all_identical(ours, theirs):
            assert repr(ours) == repr(theirs)
    else:
        assert type(ours) is type(theirs)
        assert ours == theirs or (ours != ours and theirs != theirs)


def parity(fn, *arrays, tol="exact", check_repr=True):
    """Run ``fn(lib, *tensors)`` in both libraries on tensors of ``arrays`` and compare: the
    results (``assert_same``) and warnings, or the exceptions (a failed call must change
    nothing); then the inputs (in-place forms wrote the same values, and return their input
    exactly when torch's does)."""
    theirs_in, ours_in = tensors(torch, arrays), tensors(autogradviz, arrays)
    try:
        expected, expected_warnings = _run_with_warnings(fn, torch, theirs_in)
    except Exception as error:
        theirs_error = error
    else:
        theirs_error = None
    if theirs_error is not None:
        assert_same_exception(theirs_error, raised(fn, autogradviz, *ours_in))
        for o, a in zip(ours_in, arrays, strict=True):  # a failed call changes nothing
            assert o.dtype is getattr(autogradviz, str(a.dtype))
            _same_array(o.numpy(), a, "exact", None)
        return None
    result, result_warnings = _run_with_warnings(fn, autogradviz, ours_in)
    assert result_warnings == expected_warnings
    assert_same(result, expected, tol, check_repr)
    for o, t, ti in zip(ours_in, theirs_in, range(len(arrays)), strict=True):
        assert_same(o, t, tol, check_repr=False)  # in-place forms wrote the same values
        assert (result is o) == (expected is t), f"operand {ti}: in-place result identity"
    return result


def assert_same_tensor(theirs, ours, *, layout=True, rtol=None):
    """The same kind of result; for tensors the same shape, dtype and values, and (``layout``)
    contiguity, strides and storage offset. Values are equal, or with ``rtol`` (by dtype name)
    close relative to the largest magnitude in the result (a sum that cancels to nearly zero has
    no correct relative digits to compare)."""
    if isinstance(theirs, tuple | list):
        assert isinstance(ours, tuple | list) and len(ours) == len(theirs)
        for t, o in zip(theirs, ours, strict=True):
            assert_same_tensor(t, o, layout=layout, rtol=rtol)
        return
    assert isinstance(ours, autogradviz.Tensor), type(ours)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype) == str(theirs.dtype)
    expected, got = theirs.numpy(), ours.numpy()
    name = str(theirs.dtype).removeprefix("torch.")
    if rtol and name in rtol:
        scale = max(float(np.abs(expected).max(initial=0)), 1.0)
        np.testing.assert_allclose(got, expected, rtol=rtol[name], atol=rtol[name] * scale)
    else:
        np.testing.assert_array_equal(got, expected)
    if layout:
        assert ours.is_contiguous() == theirs.is_contiguous()
        if theirs.numel():  # NumPy keeps no strides for empty arrays: see
            # test_parity_views.test_empty_view_layout_differs
            assert ours.stride() == theirs.stride()
            assert ours.storage_offset() == theirs.storage_offset()


# ---------------------------------------------------------------------- results as data
def summary(x):
    """A comparable description of a result: a tensor's dtype, shape, strides, requires_grad and
    raw bytes (floats compare bit for bit); an array's dtype, shape and bytes; the type and repr
    of anything else."""
    if isinstance(x, torch.Tensor | autogradviz.Tensor):
        data = np.array(x.detach().numpy(), order="C")
        return ("tensor", str(x.dtype), tuple(x.shape), x.stride(), x.requires_grad,
                data.tobytes())
    if isinstance(x, np.ndarray):
        return ("ndarray", x.dtype.str, x.shape, x.tobytes())
    if isinstance(x, list | tuple) and not isinstance(x, torch.Size | autogradviz.Size):
        return type(x).__name__, [summary(v) for v in x]
    return type(x).__name__, repr(x)


def summarised(lib, fn):
    """``fn(lib)``'s result summary, or the type and message of what it raised, and the messages
    of the UserWarnings it gave."""
    result, messages = attempt(lambda: summary(fn(lib)), category=UserWarning)
    if isinstance(result, Exception):
        result = ("raised", type(result).__name__, str(result))
    return result, messages


def assert_parity(fn, *, check_warnings=True):
    """``fn(lib)`` gives the same summarised result (or error) in both libraries, and (if
    ``check_warnings``) the same UserWarnings."""
    ours, theirs = summarised(autogradviz, fn), summarised(torch, fn)
    if not check_warnings:
        ours, theirs = ours[0], theirs[0]
    assert ours == theirs


def evaluate(expr):
    """``expr`` as a function of the library, which it calls ``torch``."""
    return lambda lib: eval(expr, {"torch": lib, "np": np, "operator": operator})
