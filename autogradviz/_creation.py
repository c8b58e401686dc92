"""Tensor creation: ``tensor``/``as_tensor``/``from_numpy``, the filled and ranged factories,
the ``*_like`` family, and the random factories on top of ``_generator``.

Results match PyTorch's CPU build bit for bit. ``tensor()`` reads nested data the way
``torch/csrc/utils/tensor_new.cpp`` does: the shape from the first items, the dtype from every
item, then each value checked and converted. ``arange``/``linspace`` redo the arithmetic of
ATen's ``RangeFactoriesKernel.cpp``, which is compiled with fused multiply-adds and (for
``arange``) vectorised for AVX2; ``logspace`` redoes ``RangeFactories.cpp``, compiled without.
"""

from __future__ import annotations

import collections.abc
import math
import operator
import os
import warnings

import numpy as np

from . import _generator as _gen
from . import dtypes as _dt
from ._fma import _fma32, _fma64
from ._tensor import Size, Tensor, _contiguous_strides, _wrap, device
from .autograd import grad_mode as _grad_mode

_FLOAT, _INT = _dt._FLOAT, _dt._INT
_builtin_range = range  # this module defines torch.range
_PY_DTYPES = {float: _dt.float64, int: _dt.int64, bool: _dt.bool}
_PLAIN = frozenset(_PY_DTYPES)  # the Python number types NumPy reads as PyTorch does
# Element type names in PyTorch's overflow errors: tensor()'s, and c10's Scalar::to<T>'s.
_STORE_NAMES = {_dt.uint8: "uint8", _dt.int8: "int8", _dt.int16: "int16", _dt.int32: "int32",
                _dt.int64: "int64"}
_C_NAMES = {_dt.float16: "c10::Half", _dt.float32: "float", _dt.float64: "double",
            _dt.uint8: "uint8_t", _dt.int8: "int8_t", _dt.int16: "int16_t", _dt.int32: "int",
            _dt.int64: "int64_t"}
_INT_RANGE = {d: (int(np.iinfo(d.np).min), int(np.iinfo(d.np).max)) for d in _STORE_NAMES}
_FLOAT_MAX = {d: float(np.finfo(d.np).max) for d in (_dt.float16, _dt.float32, _dt.float64)}


# ---------------------------------------------------------------------- arguments
def _check_device(dev):
    if dev is not None:
        device(dev)


def _finish(t, requires_grad):
    if requires_grad:
        if t._dtype.category != _FLOAT:
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients"
            )
        t.requires_grad_()
    return t


def _into(out, arr, dt, requires_grad):
    """The factory's result, or ``arr`` stored in ``out=`` (resized when its shape differs)."""
    if arr.dtype != dt.np:
        arr = _dt.cast(arr, dt)
    if out is None:
        return _finish(_wrap(arr, dt), requires_grad)
    if out._data.shape == arr.shape:
        out._data[...] = _dt.cast(arr, out._dtype)
    else:
        out._data = _dt.cast(arr, out._dtype)
    out._bump_version()
    return out


def _size_arg(size, name="size"):
    """A size given as f(2, 3), f((2, 3)), f([2, 3]) or f(torch.Size([2, 3])), with the errors
    of PyTorch's argument parser."""
    if not size:
        raise TypeError(f'{name}() missing 1 required positional arguments: "size"')
    packed = isinstance(size[0], tuple | list)
    if packed:
        if len(size) > 1:
            raise TypeError(f"{name}() takes 1 positional argument but {len(size)} were given")
        size = size[0]
    out = []
    for i, s in enumerate(size):
        try:
            if isinstance(s, bool):
                raise TypeError
            out.append(operator.index(s))
        except TypeError:
            if len(size) == 1 and not packed:
                raise TypeError(f"{name}(): argument 'size' (position 1) must be tuple of ints, "
                                f"not {type(s).__name__}") from None
            raise TypeError(f"{name}(): argument 'size' failed to unpack the object at pos "
                            f'{i + 1} with error "type must be tuple of ints,but got '
                            f'{type(s).__name__}"') from None
    if any(s < 0 for s in out):
        if name == "zeros":  # zeros checks its sizes itself, with its own message
            raise RuntimeError("zeros: Dimension size must be non-negative.")
        raise RuntimeError(f"Trying to create tensor with negative dimension "
                           f"{min(out)}: {out}")
    return tuple(out)


def _dtype_arg(dtype, name=None):
    """``dtype=`` as PyTorch's parser takes it: a dtype, or Python's float, int or bool."""
    if dtype is None or isinstance(dtype, _dt.dtype):
        return dtype
    try:
        return _PY_DTYPES[dtype]
    except (KeyError, TypeError):
        where = f"{name}(): argument" if name else "argument"
        raise TypeError(f"{where} 'dtype' must be torch.dtype, not {type(dtype).__name__}"
                        ) from None


def _number(value, name, arg, pos):
    """A ``Number`` argument as a Python bool, int or float (0-d tensors and NumPy scalars too)."""
    if isinstance(value, np.bool_):
        value = float(value)  # PyTorch's argument parser reads a NumPy bool as a float
    elif (isinstance(value, Tensor) and value.ndim == 0) or isinstance(value, np.generic):
        value = value.item()
    if not isinstance(value, bool | int | float):
        raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be Number, not "
                        f"{type(value).__name__}")
    return value


def _num(v):
    """A tensor bound of the random factories as a Python number."""
    return v.item() if isinstance(v, Tensor) else v


def _number_dtype(value):
    """The dtype PyTorch gives a Python number: bool, int64, or the default float dtype."""
    if isinstance(value, bool):
        return _dt.bool
    return _dt.int64 if isinstance(value, int) else _dt.get_default_dtype()


def _checked(value, dt, name):
    """``value`` (a Python int or float) for ``dt`` as c10's ``checked_convert`` allows it: an
    overflow is PyTorch's RuntimeError; a float bound for an integer type is truncated."""
    if dt.category == _FLOAT:
        ok = not abs(value) > _FLOAT_MAX[dt] or math.isinf(value)
    else:
        lo, hi = _INT_RANGE[dt]
        # Integers may wrap into an unsigned type from as far below zero as its maximum.
        ok = lo <= value <= hi or (lo == 0 and -hi <= value < 0 and not isinstance(value, float))
    if not ok:
        raise RuntimeError(f"value cannot be converted to type {name} without overflow")
    return int(value) if dt.category == _INT else value


def _scalar_to(value, dt):
    """c10's ``Scalar::to<T>``: a Python number as a NumPy scalar of ``dt``."""
    if dt is _dt.bool:
        return np.bool_(value != 0)
    value = _checked(value, dt, _C_NAMES[dt])
    src = np.float64 if isinstance(value, float) else np.int64
    return _dt.cast(np.asarray(value, src), dt)[()]


# ---------------------------------------------------------------------- from data
def _is_sequence(obj):
    """Python's ``PySequence_Check`` for what tensor data holds (a tensor counts as a value)."""
    return isinstance(obj, collections.abc.Sequence | np.ndarray)


def _data_shape(data):
    """The shape ``tensor()`` reads from nested sequences: the lengths along the first items."""
    shape = []
    seq = data
    while _is_sequence(seq):
        shape.append(len(seq))
        if len(shape) > 64:  # a string's items are strings: PyTorch stops at its MAX_DIMS
            raise ValueError(f"too many dimensions '{type(seq).__name__}'")
        if not shape[-1]:
            break
        seq = seq[0]
    return shape


def _infer(obj):
    """PyTorch's dtype for data (``infer_scalar_type``: every item promoted together), and the
    set of item types when the data is lists and tuples of Python numbers (else None)."""
    if isinstance(obj, np.generic):
        return _dt.from_numpy_dtype(obj.dtype), None
    if type(obj) in _PLAIN:
        return _plain_dtype({type(obj)}), {type(obj)}
    if isinstance(obj, int):  # subclasses of int and float, such as IntEnum
        return _dt.int64, None
    if isinstance(obj, float):
        return _dt.get_default_dtype(), None
    if isinstance(obj, Tensor):
        return obj._dtype, None
    if isinstance(obj, str | bytes):
        raise TypeError(f"new(): invalid data type '{type(obj).__name__}'")
    if isinstance(obj, np.ndarray):
        return _dt.from_numpy_dtype(obj.dtype), None
    if _is_sequence(obj):
        kinds = set(map(type, obj))
        plain = isinstance(obj, list | tuple)
        if plain and kinds <= _PLAIN:
            return _plain_dtype(kinds), kinds
        result, leaves = None, (set() if plain else None)
        for item in obj:
            if item is obj:
                raise TypeError("new(): self-referential lists are incompatible")
            d, sub = _infer(item)
            result = d if result is None else _dt.promote_types(result, d)
            leaves = None if leaves is None or sub is None else leaves | sub
        return result or _dt.get_default_dtype(), leaves
    if isinstance(obj, complex):
        raise TypeError("autogradviz has no complex dtypes")
    raise RuntimeError(f"Could not infer dtype of {type(obj).__name__}")


def _plain_dtype(kinds):
    if float in kinds or not kinds:  # an empty sequence takes the default dtype
        return _dt.get_default_dtype()
    return _dt.int64 if int in kinds else _dt.bool


def _from_data(data, dtype):
    """Array and dtype of ``tensor(data)`` for (nested) Python data."""
    if isinstance(data, str | bytes):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    shape = _data_shape(data)
    try:
        inferred, leaves = _infer(data)
    except (TypeError, RuntimeError):
        if dtype is None:
            raise
        inferred = leaves = None  # PyTorch does not infer: storing reports the bad item
    dt = dtype or inferred
    if not math.prod(shape):
        return np.zeros(shape, dt.np), dt
    arr = None if leaves is None else _plain_values(data, shape, dt, leaves)
    return (_store(data, shape, dt) if arr is None else arr), dt


def _plain_values(data, shape, dt, leaves):
    """Lists of Python numbers converted by NumPy in one go; None where NumPy cannot do it as
    PyTorch does (ragged data, ints beyond int64, ints mixed with floats for an integer type)."""
    integral = dt.category == _INT
    if integral and float in leaves and int in leaves:
        return None
    src = np.int64 if integral and float not in leaves else np.float64
    try:
        arr = np.array(data, dtype=src)
    except (ValueError, OverflowError, TypeError):
        return None
    if arr.shape != tuple(shape):
        return None
    if integral:
        lo, hi = _INT_RANGE[dt]
        if src is np.float64:
            bad = ~((arr >= lo) & (arr <= hi))  # NaN included
        else:
            bad = (arr > hi) | (arr < (-hi if lo == 0 else lo))
        if bad.any():
            raise RuntimeError(
                f"value cannot be converted to type {_STORE_NAMES[dt]} without overflow"
            )
        if src is np.float64:
            arr = np.trunc(arr)
    return _dt.cast(arr, dt)


def _store(data, shape, dt):
    """PyTorch's ``recursive_store``: check each sequence's length against the shape and
    convert each value as ``store_scalar`` does."""
    values = []
    ndim = len(shape)

    def walk(obj, dim):
        if dim == ndim:
            values.append(_store_scalar(obj, dt))
            return
        if isinstance(obj, list | tuple):
            seq = obj
        else:
            try:
                it = iter(obj)
            except TypeError:
                raise TypeError("not a sequence") from None
            seq = list(it)
        if len(seq) != shape[dim]:
            raise ValueError(
                f"expected sequence of length {shape[dim]} at dim {dim} (got {len(seq)})"
            )
        for item in seq:
            if isinstance(item, np.ndarray):
                _warn_once(
                    "Creating a tensor from a list of numpy.ndarrays is extremely slow. Please "
                    "consider converting the list to a single numpy.ndarray with numpy.array() "
                    "before converting to a tensor. (Triggered internally at "
                    "/__w/pytorch/pytorch/torch/csrc/utils/tensor_new.cpp:252.)"
                )
            walk(item, dim + 1)

    walk(data, 0)
    src = np.float64 if dt.category == _FLOAT else np.int64
    return _dt.cast(np.array(values, src).reshape(shape), dt)


def _store_scalar(obj, dt):
    """One value for ``dt`` as PyTorch reads it: floats through ``__float__``, integers through
    ``__index__`` (a Python float is truncated), with the overflow checks."""
    if isinstance(obj, np.bool_):
        obj = bool(obj)
    if dt.category == _FLOAT:
        if not hasattr(type(obj), "__float__") and not hasattr(type(obj), "__index__"):
            raise TypeError(f"must be real number, not {type(obj).__name__}")
        return float(obj)
    if isinstance(obj, float):
        return obj != 0 if dt is _dt.bool else _checked(obj, dt, _STORE_NAMES[dt])
    value = operator.index(obj)
    if dt is _dt.bool:
        return value != 0
    if not -(2**63) <= value < 2**63:
        raise ValueError("Overflow when unpacking long long")
    return _checked(value, dt, _STORE_NAMES[dt])


def _strides(arr):
    return tuple(s // arr.itemsize for s in arr.strides)


def _dense(shape, strides):
    """PyTorch's ``is_non_overlapping_and_dense``: the strides are a permuted contiguous layout."""
    if not shape:
        return True
    if len(shape) == 1:
        return shape[0] < 2 or strides[0] == 1
    # Sizes 0 and 1 go last: their strides do not matter.
    perm = sorted(_builtin_range(len(shape)), key=lambda i: (shape[i] < 2, strides[i]))
    expected = 1
    for i in perm:
        if shape[i] < 2:
            return True
        if strides[i] != expected:
            return False
        expected *= shape[i]
    return True


def _empty_like_array(arr, np_dtype):
    """A zeroed array shaped like ``arr`` with ``arr``'s strides when they are dense and
    non-overlapping, else contiguous: PyTorch's ``empty_like`` (``preserve_format``)."""
    strides = _strides(arr)
    if strides == _contiguous_strides(arr.shape):
        return np.zeros(arr.shape, np_dtype)
    if not _dense(arr.shape, strides):  # dense in the order of ``arr``'s strides
        from .ops.shape import _iter_strides

        strides = _iter_strides(arr.shape, [strides])
        if strides == _contiguous_strides(arr.shape):
            return np.zeros(arr.shape, np_dtype)
    itemsize = np.dtype(np_dtype).itemsize
    return np.lib.stride_tricks.as_strided(
        np.zeros(arr.size, np_dtype), arr.shape, [s * itemsize for s in strides]
    )


def _copy_array(arr, dt):
    """``arr`` copied into ``dt`` keeping its layout as PyTorch's ``to(copy=True)`` does."""
    out = _empty_like_array(arr, dt.np)
    out[...] = _dt.cast(arr, dt)
    return out


def _check_numpy(arr):
    """The dtype of a NumPy array PyTorch's ``tensor_from_numpy`` accepts, or its errors."""
    if any(s < 0 for s in arr.strides):
        raise ValueError(
            "At least one stride in the given numpy array is negative, and tensors with negative "
            "strides are not currently supported. (You can probably work around this by making a "
            "copy of your array  with array.copy().) "
        )
    if not arr.dtype.isnative:
        raise ValueError(
            "given numpy array has byte order different from the native byte order. Conversion "
            "between byte orders is currently not supported."
        )
    return _dt.from_numpy_dtype(arr.dtype)


_warned = set()


def _warn_once(message):
    """A UserWarning PyTorch gives once per process (``TORCH_WARN_ONCE``)."""
    if message not in _warned:
        _warned.add(message)
        warnings.warn(message, UserWarning, stacklevel=4)


def _warn_not_writable(arr):
    if not arr.flags.writeable:
        _warn_once(
            "The given NumPy array is not writable, and PyTorch does not support non-writable "
            "tensors. This means writing to this tensor will result in undefined behavior. You "
            "may want to copy the array to protect its data or make it writable before converting "
            "it to a tensor. This type of warning will be suppressed for the rest of this program."
            " (Triggered internally at /__w/pytorch/pytorch/torch/csrc/utils/tensor_numpy.cpp:"
            "213.)"
        )


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    _check_device(device)
    dtype = _dtype_arg(dtype, "tensor")
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use "
            "sourceTensor.detach().clone() or sourceTensor.detach().clone().requires_grad_(True),"
            " rather than torch.tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
        dt = dtype or data._dtype
        arr = _copy_array(data._data, dt)
    elif isinstance(data, np.ndarray):
        dt = _check_numpy(data)
        dt = dtype or dt
        arr = _copy_array(data, dt)
    else:
        arr, dt = _from_data(data, dtype)
    return _finish(_wrap(arr, dt), requires_grad)


def _scalar_tensor(value, dtype=None):
    """A 0-d tensor for a number operand (``torch.add(2, t)`` has a number first)."""
    dt = dtype or _infer(value)[0]
    return _wrap(_dt.cast(np.asarray(value), dt), dt)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    dt = _dtype_arg(dtype, "scalar_tensor") or _dt.get_default_dtype()
    value = _number(s, "scalar_tensor", "s", 1)
    return _finish(_wrap(np.asarray(_scalar_to(value, dt)), dt), requires_grad)


def as_tensor(data, dtype=None, device=None):
    _check_device(device)
    dtype = _dtype_arg(dtype, "as_tensor")
    if isinstance(data, Tensor):
        return data if dtype is None or dtype is data._dtype else data.to(dtype)
    if isinstance(data, np.ndarray):
        dt = _check_numpy(data)
        if dtype is None or dtype is dt:
            _warn_not_writable(data)
            return _wrap(data, dt)
        return _wrap(_copy_array(data, dtype), dtype)
    arr, dt = _from_data(data, dtype)
    return _wrap(arr, dt)


asarray = as_tensor


def from_numpy(ndarray):
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(
            f"expected np.ndarray (got {type(ndarray).__module__}.{type(ndarray).__name__})"
            if isinstance(ndarray, np.generic)
            else f"expected np.ndarray (got {type(ndarray).__name__})"
        )
    dt = _check_numpy(ndarray)
    _warn_not_writable(ndarray)
    return _wrap(ndarray, dt)


# The element types PyTorch names in the legacy constructors' dtype mismatch error.
_CPP_TYPE_NAMES = {_dt.float16: "c10::Half", _dt.float32: "float", _dt.float64: "double",
                   _dt.uint8: "unsigned char", _dt.int8: "signed char", _dt.int16: "short int",
                   _dt.int32: "int", _dt.int64: "long int", _dt.bool: "bool"}


def _options(dt):
    return (f"TensorOptions(dtype={_CPP_TYPE_NAMES[dt]}, device=cpu, layout=Strided, "
            "requires_grad=false (default), pinned_memory=false (default), "
            "memory_format=(nullopt))")


def legacy_new(dtype, args, kwargs):
    """The legacy constructors: ``torch.FloatTensor(2, 3)`` (a size), ``torch.FloatTensor([1,
    2])`` (data), ``torch.FloatTensor(t)`` (``t`` itself). ``dtype`` is None for ``torch.Tensor``,
    which takes the default dtype and a tensor of any dtype."""
    _check_device(kwargs.pop("device", None))
    if kwargs:
        got = ", ".join([type(a).__name__ for a in args] + [
            f"{k}={'torch.dtype' if isinstance(v, _dt.dtype) else type(v).__name__}"
            for k, v in kwargs.items()
        ])
        raise TypeError(f"new() received an invalid combination of arguments - got ({got})")
    dt = dtype or _dt.get_default_dtype()
    if not args:
        return _wrap(np.zeros(0, dt.np), dt)
    if len(args) > 1 or (isinstance(args[0], int | np.integer) and not isinstance(args[0], bool)):
        return _wrap(np.zeros(_size_arg(args, "new"), dt.np), dt)
    data = args[0]
    if isinstance(data, Tensor):
        if dtype is not None and data._dtype is not dtype:
            raise TypeError(f"expected {_options(dtype)} (got {_options(data._dtype)})")
        return data
    if isinstance(data, Size):
        return _wrap(np.zeros(data, dt.np), dt)
    if not _is_sequence(data):
        raise TypeError(f"new(): data must be a sequence (got {type(data).__name__})")
    return tensor(data, dtype=dt)


# ---------------------------------------------------------------------- filled factories
def _factory(name, fill):
    def make(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False, memory_format=None):
        _check_device(device)
        shape = _size_arg(size, name)
        dt = _dtype_arg(dtype, name) or (out._dtype if out is not None
                                         else _dt.get_default_dtype())
        return _into(out, fill(shape, dt.np), dt, requires_grad)

    make.__name__ = make.__qualname__ = name
    return make


zeros = _factory("zeros", np.zeros)
ones = _factory("ones", np.ones)
empty = _factory("empty", np.zeros)  # deterministic: PyTorch's empty is uninitialised memory


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    _check_device(device)
    if not isinstance(size, tuple | list):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{type(size).__name__}")
    shape = _size_arg((size,), "full")
    value = _number(fill_value, "full", "fill_value", 2)
    dt = _dtype_arg(dtype, "full") or (out._dtype if out is not None else _number_dtype(value))
    return _into(out, np.full(shape, _scalar_to(value, dt), dt.np), dt, requires_grad)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    _check_device(device)
    shape = _size_arg((size,), "empty_strided")
    dt = _dtype_arg(dtype, "empty_strided") or _dt.get_default_dtype()
    storage = 0 if 0 in shape else 1 + sum((d - 1) * s for d, s in zip(shape, stride, strict=True))
    arr = np.lib.stride_tricks.as_strided(
        np.zeros(storage, dt.np), shape, [s * dt.itemsize for s in stride]
    )
    return _finish(_wrap(arr, dt), requires_grad)


def _int_arg(value, name, arg, pos):
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be int, not "
                        f"{type(value).__name__}")
    return int(value)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
        pin_memory=False):
    _check_device(device)
    n = _int_arg(n, "eye", "n", 1)
    m = n if m is None else _int_arg(m, "eye", "m", 2)
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    dt = _dtype_arg(dtype, "eye") or (out._dtype if out is not None
                                      else _dt.get_default_dtype())
    return _into(out, np.eye(n, m, dtype=dt.np), dt, requires_grad)


def _like(name, fill):
    def make(input, *, dtype=None, layout=None, device=None, requires_grad=False,
             memory_format=None):
        _check_device(device)
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                            f"{type(input).__name__}")
        dt = _dtype_arg(dtype, name) or input._dtype
        arr = _empty_like_array(input._data, dt.np)
        arr[...] = fill
        return _finish(_wrap(arr, dt), requires_grad)

    make.__name__ = make.__qualname__ = name
    return make


zeros_like = _like("zeros_like", 0)
ones_like = _like("ones_like", 1)
empty_like = _like("empty_like", 0)


# ---------------------------------------------------------------------- Tensor.new_*
# ``t.new_ones(2, 3)`` & co: the factories, in ``t``'s dtype unless ``dtype`` is given.
def _new_factory(name, factory):
    def make(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
             pin_memory=False):
        return factory(*size, dtype=dtype or self._dtype, device=device,
                       requires_grad=requires_grad)

    make.__name__ = make.__qualname__ = name
    return make


def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False,
             layout=None, pin_memory=False):
    if not isinstance(size, tuple | list | Size):
        raise TypeError(f"new_full(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{type(size).__name__}")
    return full(size, fill_value, dtype=dtype or self._dtype, device=device,
                requires_grad=requires_grad)


def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None,
               pin_memory=False):
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach()."
            "clone() or sourceTensor.detach().clone().requires_grad_(True), rather than "
            "tensor.new_tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
        data = data.detach()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.tensor's own copy-construct warning is not given
        return tensor(data, dtype=dtype or self._dtype, device=device,
                      requires_grad=requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    _check_device(device)
    if not isinstance(input, Tensor):
        raise TypeError(f"full_like(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    dt = _dtype_arg(dtype, "full_like") or input._dtype
    value = _number(fill_value, "full_like", "fill_value", 2)
    arr = _empty_like_array(input._data, dt.np)
    arr[...] = _scalar_to(value, dt)
    return _finish(_wrap(arr, dt), requires_grad)


# ---------------------------------------------------------------------- ranges
def _default_num_threads():
    """PyTorch's default intra-op thread count: OMP_NUM_THREADS or MKL_NUM_THREADS, else the
    number of physical cores."""
    n = 0
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        value = os.environ.get(var, "")
        if value.isdigit() and int(value) > 0:
            n = int(value)
    if n:
        return n
    try:
        with open("/proc/cpuinfo") as f:
            cores, phys = set(), None
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "physical id":
                    phys = value.strip()
                elif key.strip() == "core id":
                    cores.add((phys, value.strip()))
        if cores:
            return len(cores)
    except OSError:
        pass
    return os.cpu_count() or 1


# ATen splits a range over threads in chunks (at::parallel_for, GRAIN_SIZE elements at least);
# arange's vector loop restarts at each chunk, so the chunking shows in the last bits.
_NUM_THREADS = _default_num_threads()
_GRAIN_SIZE = 32768


def _not_for_bool(kernel, dt):
    if dt is _dt.bool:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _c_double(x):
    """A double as C++'s ``operator<<`` prints it (``%g``, six significant digits)."""
    return f"{x:g}"


def arange(start=None, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False, pin_memory=False):
    _check_device(device)
    if start is None and end is not None:  # arange(end=5)
        start, end_pos = 0, 1
    elif end is None:
        start, end, end_pos = 0, start, 1
    else:
        end_pos = 2
    start = _number(start, "arange", "start", 1)
    end = _number(end, "arange", "end", end_pos)
    step = _number(step, "arange", "step", 3)
    if dtype is None and out is not None:
        dtype = out._dtype
    dt = _dtype_arg(dtype, "arange") or (
        _dt.get_default_dtype() if any(isinstance(v, float) for v in (start, end, step))
        else _dt.int64
    )
    _not_for_bool("arange_cpu", dt)
    n = _arange_size(start, end, step, dt)
    if out is not None and out.numel() not in (0, n):
        warnings.warn(
            f"The number of elements in the out tensor of shape {list(out.shape)} is "
            f"{out.numel()} which does not match the computed number of elements {n}. Note that "
            "this may occur as a result of rounding error. The out tensor will be resized to a "
            f"tensor of shape ({n},). (Triggered internally at "
            "/__w/pytorch/pytorch/aten/src/ATen/native/RangeFactories.cpp:199.)",
            UserWarning,
            stacklevel=2,
        )
    if dt.category == _INT:
        # ATen's accumulate type for integers is int64: start + step * i wraps around in it.
        base = _checked(start, _dt.int64, "int64_t")
        stride = _checked(step, _dt.int64, "int64_t")
        values = np.arange(n, dtype=np.int64) * np.int64(stride) + np.int64(base)
    else:
        values = _arange_float(start, step, n, dt)
    return _into(out, values, dt, requires_grad)


def _arange_size(start, end, step, dt):
    """arange's length (ATen's ``compute_arange_size``): bounds checked in double, int64 ranges
    counted in int64 from the truncated bounds, others as ``ceil((end - start) / step)``."""
    ds, de, dstep = float(start), float(end), float(step)
    if not (dstep > 0 or dstep < 0):
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(ds) and math.isfinite(de)):
        raise RuntimeError(f"unsupported range: {_c_double(ds)} -> {_c_double(de)}")
    if not ((dstep > 0 and de >= ds) or (dstep < 0 and de <= ds)):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dt is _dt.int64:
        xs, xe, xstep = (_checked(v, _dt.int64, "int64_t") for v in (start, end, step))
        if xstep == 0:
            raise ValueError("step must be nonzero")
        sign = 1 if xstep > 0 else -1
        # C int64 arithmetic: the sum wraps around, the division truncates towards zero.
        num = (xe - xs + xstep - sign + 2**63) % 2**64 - 2**63
        quotient = abs(num) // abs(xstep)
        size = float(quotient if (num >= 0) == (xstep > 0) else -quotient)
    else:
        with np.errstate(over="ignore", divide="ignore"):
            size = float(np.ceil(np.float64(de - ds) / dstep))
    if not 0 <= size <= 2.0**63:
        raise RuntimeError("invalid size, possible overflow?")
    return int(size)


def _arange_float(start, step, n, dt):
    """Floating arange as ATen's AVX2 kernel computes it, in its accumulate type (double; float
    for float16) with fused multiply-adds. In each thread's chunk, blocks of two vectors take a
    base ``start + step * i`` rounded to the dtype and then lanes ``base + k * step``; the
    elements after the last block are ``start + step * i``."""
    if dt is _dt.float16:
        acc, fma = np.float32, _fma32
        start, step = (_checked(v, _dt.float32, "float") for v in (start, step))
    else:
        acc, fma = np.float64, _fma64
    start, step = acc(start), acc(step)
    lanes = 32 // dt.itemsize
    threads = max(1, min(_NUM_THREADS, -(-n // _GRAIN_SIZE)))
    chunk = max(1, -(-n // threads))
    lane = np.arange(lanes).astype(acc)
    out = np.empty(n, acc)
    with np.errstate(all="ignore"):
        for first in _builtin_range(0, n, chunk):
            last = min(first + chunk, n)
            tail = last - (last - first) % (2 * lanes)
            if tail > first:
                bases = fma(step, np.arange(first, tail, lanes).astype(acc), start)
                bases = bases.astype(dt.np).astype(acc)
                out[first:tail] = fma(lane, step, bases[:, None]).ravel()
            if last > tail:
                out[tail:last] = fma(step, np.arange(tail, last).astype(acc), start)
    return out


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):  # noqa: A001
    warnings.warn(
        "torch.range is deprecated and will be removed in a future release because its behavior "
        "is inconsistent with Python's range builtin. Instead, use torch.arange, which produces "
        "values in [start, end).",
        UserWarning,
        stacklevel=2,
    )
    if end is None:
        start, end = 0, start
    dt = _dtype_arg(dtype, "range") or _dt.get_default_dtype()
    n = int(np.floor((end - start) / step)) + 1
    return _finish(_wrap((start + step * np.arange(n, dtype=np.float64)).astype(dt.np), dt),
                   requires_grad)


def _steps_arg(steps, name):
    if isinstance(steps, Tensor):
        steps = steps.item()
    steps = _int_arg(steps, name, "steps", 3)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return steps


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    _check_device(device)
    start = _number(start, "linspace", "start", 1)
    end = _number(end, "linspace", "end", 2)
    steps = _steps_arg(steps, "linspace")
    dt = _dtype_arg(dtype, "linspace") or (out._dtype if out is not None
                                           else _dt.get_default_dtype())
    if steps <= 1:
        values = np.full(steps, _scalar_to(start, dt) if steps else 0, dt.np)
    else:
        _not_for_bool("linspace_cpu", dt)
        values = _linspace_values(_scalar_to(start, dt), _scalar_to(end, dt), steps, dt)
    return _into(out, values, dt, requires_grad)


def _linspace_values(start, end, steps, dt):
    """ATen's linspace kernel: ``start + step * i`` for the first half, ``end - step * (steps -
    i - 1)`` for the rest, each one fused multiply-add in the dtype (double for integers, which
    are then truncated); float16 rounds after every operation. The index, not the step, is
    negated, so that a NaN step keeps its sign as it does in the hardware's fma."""
    i = np.arange(steps)
    j = steps - 1 - i
    lower = i < steps // 2
    with np.errstate(all="ignore"):
        if dt is _dt.float16:
            step = (end - start) / np.float16(steps - 1)
            return np.where(lower, start + step * i.astype(np.float16),
                            end - step * j.astype(np.float16))
        if dt is _dt.float32:
            step = (end - start) / np.float32(steps - 1)
            return np.where(lower, _fma32(step, i.astype(np.float32), start),
                            _fma32(step, (-j).astype(np.float32), end))
        start, end = float(start), float(end)
        step = (end - start) / (steps - 1)
        values = np.where(lower, _fma64(step, i.astype(np.float64), start),
                          _fma64(step, (-j).astype(np.float64), end))
    return values if dt is _dt.float64 else np.trunc(values)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    _check_device(device)
    start = _number(start, "logspace", "start", 1)
    end = _number(end, "logspace", "end", 2)
    steps = _steps_arg(steps, "logspace")
    base = float(_number(base, "logspace", "base", 4))
    dt = _dtype_arg(dtype, "logspace") or (out._dtype if out is not None
                                           else _dt.get_default_dtype())
    if steps <= 1:
        values = np.full(steps, _scalar_to(_c_pow(base, float(start)), dt) if steps else 0,
                         dt.np)
    else:
        _not_for_bool("logspace_cpu", dt)
        values = _logspace_values(_scalar_to(start, dt), _scalar_to(end, dt), steps, base, dt)
    return _into(out, values, dt, requires_grad)


def _logspace_values(start, end, steps, base, dt):
    """ATen's logspace loop: the exponents in double, ``step`` from ``end - start`` taken in
    the dtype, plain (unfused) arithmetic; then the C library's ``pow`` and a C cast."""
    i = np.arange(steps)
    with np.errstate(over="ignore"):
        span = end - start if dt.category == _FLOAT else np.int64(end) - np.int64(start)
    step = float(span) / (steps - 1)
    exps = np.where(i < steps // 2, float(start) + step * i,
                    float(end) - step * (steps - 1 - i))
    powers = np.fromiter(map(_c_pow, [base] * steps, exps.tolist()), np.float64, steps)
    return _dt.cast(powers, dt)


def _c_pow(x, y):
    """The C library's ``pow`` (Python's ``math.pow`` calls it; NumPy's SIMD ``power`` can differ
    in the last bit), with C's inf and NaN where Python raises."""
    try:
        return math.pow(x, y)
    except (OverflowError, ValueError):
        with np.errstate(all="ignore"):
            return float(np.power(x, y))


# ---------------------------------------------------------------------- random factories
def _generator(generator):
    return _gen.default_generator if generator is None else generator


def _random_out_dtype(name, dtype, out, shape):
    """The dtype a random factory draws in: with ``out=``, the out tensor's (a different
    ``dtype=`` is PyTorch's error); ``dtype`` without it."""
    if out is None:
        return dtype
    if out._requires_grad and _grad_mode.STATE.grad_enabled:
        if out._data.shape != tuple(shape):
            raise RuntimeError("cannot resize variables that require grad")
        raise RuntimeError(f"aten::{name}(): functions with out=... arguments don't support "
                           "automatic differentiation, but one of the arguments requires grad.")
    if dtype is not None and _dtype_arg(dtype) is not out._dtype:
        raise RuntimeError(f"dtype {_dt.SCALAR_TYPE_NAMES[_dtype_arg(dtype)]} does not match "
                           f"dtype of out parameter ({_dt.SCALAR_TYPE_NAMES[out._dtype]})")
    return out._dtype


def _float_dtype(dtype, kernel):
    dt = _dtype_arg(dtype) or _dt.get_default_dtype()
    if dt.category != _FLOAT:
        raise NotImplementedError(
            f'"{kernel}" not implemented for \'{_dt.SCALAR_TYPE_NAMES[dt]}\''
        )
    return dt


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    _check_device(device)
    shape = _size_arg(size, "rand")
    dt = _float_dtype(_random_out_dtype("rand", dtype, out, shape), "check_uniform_bounds")
    n = int(np.prod(shape, dtype=np.int64))
    arr = _gen.uniform(_generator(generator), n, dt.np).reshape(shape)
    return _into(out, arr, dt, requires_grad)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False):
    _check_device(device)
    shape = _size_arg(size, "randn")
    dt = _float_dtype(_random_out_dtype("randn", dtype, out, shape), "normal_kernel_cpu")
    n = int(np.prod(shape, dtype=np.int64))
    arr = _gen.normal(_generator(generator), n, dt.np).reshape(shape)
    if out is not None and out._data.shape != arr.shape:
        out._bump_version()  # PyTorch's randn counts a resized out's version twice (measured)
    return _into(out, arr, dt, requires_grad)


def randint(*args, low=None, high=None, size=None, generator=None, dtype=None, layout=None,
            device=None, requires_grad=False, out=None):
    _check_device(device)
    args = list(args)
    if size is None and args and isinstance(args[-1], tuple | list | Size):
        size = args.pop()
    # ``low``/``high`` may come by keyword: randint(high=10, size=...), randint(2, high=10, ...)
    if high is not None and len(args) + (low is not None) <= 1:
        args = [low if low is not None else (args[0] if args else 0), high]
    elif low is not None and high is None and len(args) == 1:
        args = [low, args[0]]
    elif low is not None or high is not None:
        raise TypeError('randint() missing 2 required positional argument: "high", "size"')
    if len(args) == 1:
        low, high = 0, args[0]
    elif len(args) == 2:
        low, high = args
    else:
        raise TypeError(
            "randint() received an invalid combination of arguments - got "
            f"({', '.join(type(a).__name__ for a in args)})"
        )
    if size is None:
        raise TypeError("randint() missing 1 required positional argument: 'size'")
    low, high = int(_num(low)), int(_num(high))
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    shape = _size_arg((size,), "randint")
    dt = _dtype_arg(_random_out_dtype("randint", dtype, out, shape)) or _dt.int64
    n = int(np.prod(shape, dtype=np.int64))
    arr = _gen.randint(_generator(generator), n, low, high, dt.np).reshape(shape)
    return _into(out, arr, dt, requires_grad)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    _check_device(device)
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    dt = _dtype_arg(dtype) or _dt.int64
    return _finish(_wrap(_gen.randperm(_generator(generator), n, dt.np), dt), requires_grad)


def _random_like(input, dtype, requires_grad, fill):
    """PyTorch's ``empty_like(input).fill()``: ``input``'s layout, numbers in memory order."""
    dt = dtype or input._dtype
    out = _wrap(_empty_like_array(input._data, dt.np), dt)
    fill(out)
    return _finish(out, requires_grad)


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None, generator=None):
    return _random_like(input, dtype, requires_grad,
                        lambda t: uniform_(t, 0.0, 1.0, generator=generator))


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None, generator=None):
    return _random_like(input, dtype, requires_grad,
                        lambda t: normal_(t, 0.0, 1.0, generator=generator))


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None, generator=None):
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=dtype or input._dtype,
                   requires_grad=requires_grad, generator=generator)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, requires_grad=False):
    gen = _generator(generator)
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mt and not st:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments")
        dt = _float_dtype(dtype, "normal_kernel_cpu")
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
        shape = _size_arg((size,), "normal")
        n = int(np.prod(shape, dtype=np.int64))
        arr = _gen.normal(gen, n, dt.np, float(mean), float(std)).reshape(shape)
        return _finish(_wrap(arr, dt), requires_grad)
    if st and (std._data < 0).any():
        raise RuntimeError("normal expects all elements of std >= 0.0")
    dt = (mean if mt else std)._dtype
    if mt and st:
        shape = np.broadcast_shapes(mean._data.shape, std._data.shape)
    else:
        shape = (mean if mt else std)._data.shape
    n = int(np.prod(shape, dtype=np.int64))
    # PyTorch: normal_(0, 1) into the output, then mul_(std), then add_(mean), rounding each.
    z = _gen.normal(gen, n, dt.np).reshape(shape)
    s = std._data if st else np.asarray(std, dt.np)
    m = mean._data if mt else np.asarray(mean, dt.np)
    return _wrap((z * s).astype(dt.np) + m, dt)


def bernoulli(input, p=None, *, generator=None, out=None):
    gen = _generator(generator)
    if p is not None:
        return _wrap(_gen.bernoulli_scalar(gen, input._data.size, float(p), input._dtype.np)
                     .reshape(input._data.shape), input._dtype)
    if input._dtype.category != _FLOAT:
        raise NotImplementedError(
            '"bernoulli_tensor_cpu_p_" not implemented for '
            f"'{_dt.SCALAR_TYPE_NAMES[input._dtype]}'"
        )
    p_arr = np.ascontiguousarray(input._data)
    if ((p_arr < 0) | (p_arr > 1)).any():
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  "
                           "(Could this error message be improved?  If so, please report an "
                           "enhancement request to PyTorch.)")
    return _wrap(_gen.bernoulli_tensor(gen, p_arr), input._dtype)


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    arr = _gen.multinomial(_generator(generator), np.ascontiguousarray(input._data),
                           num_samples, replacement)
    return _wrap(arr, _dt.int64)


def poisson(input, generator=None):
    raise NotImplementedError("poisson is not supported by autogradviz yet")


# ---------------------------------------------------------------------- in-place random fills
_RANDOM_NODES = {}


def _random_node(name):
    """The node PyTorch records for an in-place random fill (a zero gradient), made once."""
    node = _RANDOM_NODES.get(name)
    if node is None:
        from .autograd.graph import derivative

        node = _RANDOM_NODES[name] = derivative(name, inputs=("self",), self="zeros_like(grad)")
    return node


def _in_memory_order(values, shape, strides):
    """``values`` (drawn one after another) as an array of ``shape`` whose elements take them
    in the order they lie in memory (by ``strides``): the order PyTorch's kernels fill a
    non-contiguous tensor in."""
    values = values.reshape(-1)
    if len(shape) < 2 or strides == _contiguous_strides(shape):
        return values.reshape(shape)
    offsets = 0  # (this module's ``range`` is torch.range: no range() here)
    for index, stride in zip(np.indices(shape, sparse=True), strides, strict=True):
        offsets = offsets + index * stride
    order = np.argsort(np.broadcast_to(offsets, shape).reshape(-1), kind="stable")
    out = np.empty(shape, values.dtype)
    out[np.unravel_index(order, shape)] = values
    return out


def _fill_random(self, draw, node_name=None):
    """Write ``draw()``'s numbers into ``self`` in memory order; the checks come first, so
    that a refused call draws nothing from the generator."""
    from .ops._common import check_inplace, commit_inplace, inplace_node, inplace_store

    check_inplace(self, self._dtype, self._data.shape)
    arr = _in_memory_order(draw(), self._data.shape, self.stride())
    node = inplace_node(_random_node(node_name), (self,)) if node_name else None
    inplace_store(self, arr)
    return commit_inplace(self, node)


def uniform_(self, from_=0.0, to=1.0, *, generator=None, **kwargs):
    from_ = kwargs.pop("from", from_)
    _float_dtype(self._dtype, "check_uniform_bounds")
    if from_ > to:
        raise RuntimeError(
            f"uniform_ expects to return a [from, to) range, but found from={from_} > to={to}"
        )
    return _fill_random(self, lambda: _gen.uniform(
        _generator(generator), self._data.size, self._dtype.np, from_, to), "UniformBackward0")


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    _float_dtype(self._dtype, "normal_kernel_cpu")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    contiguous = self.is_contiguous()
    return _fill_random(self, lambda: _gen.normal(
        _generator(generator), self._data.size, self._dtype.np, float(mean), float(std),
        contiguous=contiguous), "NormalBackward0")


def random_(self, from_=None, to=None, *, generator=None, **kwargs):
    from_ = kwargs.pop("from", from_)
    # PyTorch's overloads: random_(from, to), random_(to), random_()
    node_name = f"RandomBackward{2 if from_ is None else 1 if to is None else 0}"
    if from_ is not None and to is None:
        from_, to = 0, from_
    return _fill_random(self, lambda: _gen.random_(
        _generator(generator), self._data.size, self._dtype.np, from_, to), node_name)


def bernoulli_(self, p=0.5, *, generator=None):
    gen = _generator(generator)

    def draw():
        if isinstance(p, Tensor):
            probs = np.broadcast_to(p._data, self._data.shape)
            return _gen.bernoulli_tensor(gen, np.ascontiguousarray(probs)).astype(self._dtype.np)
        return _gen.bernoulli_scalar(gen, self._data.size, float(p), self._dtype.np)

    return _fill_random(self, draw, None if isinstance(p, Tensor) else "BernoulliBackward2")


def exponential_(self, lambd=1.0, *, generator=None):
    _float_dtype(self._dtype, "exponential_cpu")
    return _fill_random(self, lambda: _gen.exponential(
        _generator(generator), self._data.size, self._dtype.np, lambd), "ExponentialBackward0")


RANDOM_INPLACE = {
    "uniform_": uniform_,
    "normal_": normal_,
    "random_": random_,
    "bernoulli_": bernoulli_,
    "exponential_": exponential_,
}


# ---------------------------------------------------------------------- generator state
def manual_seed(seed):
    return _gen.default_generator.manual_seed(seed)


def seed():
    return _gen.default_generator.seed()


def initial_seed():
    return _gen.default_generator.initial_seed()


def get_rng_state():
    return _gen.default_generator.get_state()


def set_rng_state(new_state):
    _gen.default_generator.set_state(new_state)


def get_num_threads():
    """PyTorch's intra-op thread count; here it only shapes how ``arange`` and float sums
    (``ops/_cascade_sum``) split their work, which shows in their last bits."""
    return _NUM_THREADS


def set_num_threads(n):
    global _NUM_THREADS
    if not isinstance(n, int) or n <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    _NUM_THREADS = n


new_ones = _new_factory("new_ones", ones)
new_zeros = _new_factory("new_zeros", zeros)
new_empty = _new_factory("new_empty", empty)
