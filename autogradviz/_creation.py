"""Tensor creation: ``tensor``/``as_tensor``/``from_numpy``, the filled and ranged factories,
the ``*_like`` family, and the random factories on top of ``_generator``.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from . import _generator as _gen
from . import dtypes as _dt
from ._tensor import Size, Tensor, _wrap, device

_FLOAT = _dt._FLOAT


def _check_device(dev):
    if dev is not None:
        device(dev)


def _finish(t, requires_grad):
    if requires_grad:
        t.requires_grad_(True)
    return t


def _size_arg(size, name="size"):
    """Accept f(2, 3), f((2, 3)), f([2, 3]) and f(torch.Size([2, 3]))."""
    if len(size) == 1 and isinstance(size[0], tuple | list | Size):
        size = tuple(size[0])
    out = []
    for i, s in enumerate(size):
        if isinstance(s, Tensor):
            s = s.item()
        if isinstance(s, bool) or not isinstance(s, int | np.integer):
            raise TypeError(
                f"{name}(): argument 'size' (position 1) must be tuple of ints, but found element "
                f"of type {type(s).__name__} at pos {i}"
            )
        if s < 0:
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {s}: {[int(v) for v in size]}"
            )
        out.append(int(s))
    return tuple(out)


def _dtype_arg(dtype):
    if dtype is None:
        return None
    return _dt.to_dtype(dtype)


# ---------------------------------------------------------------------- from data
def _ragged_error(data):
    """PyTorch's message for nested sequences whose lengths do not agree."""

    def walk(seq, dim):
        if not isinstance(seq, list | tuple):
            return None
        lengths = [len(s) if isinstance(s, list | tuple) else None for s in seq]
        first = lengths[0] if lengths else None
        for n in lengths[1:]:
            if n != first:
                if first is None or n is None:
                    return TypeError(f"not a sequence") if n is None else ValueError(
                        f"expected sequence of length {first} at dim {dim + 1} (got {n})")
                return ValueError(f"expected sequence of length {first} at dim {dim + 1} (got {n})")
        for s in seq:
            err = walk(s, dim + 1)
            if err is not None:
                return err
        return None

    return walk(data, 0)


def _infer_array(data):
    """NumPy array and PyTorch dtype inferred from nested Python data."""
    if isinstance(data, Tensor):
        return data._data, data._dtype
    if isinstance(data, np.ndarray):
        return data, _dt.from_numpy_dtype(data.dtype)
    if isinstance(data, np.generic):
        arr = np.asarray(data)
        return arr, _dt.from_numpy_dtype(arr.dtype)
    if isinstance(data, bool):
        return np.asarray(data), _dt.bool
    if isinstance(data, numbers.Integral):
        if not -(2**63) <= data < 2**64:
            raise RuntimeError("Overflow when unpacking long")
        return np.asarray(data, dtype=np.int64 if data < 2**63 else np.uint64), _dt.int64
    if isinstance(data, numbers.Real):
        return np.asarray(float(data)), _dt.get_default_dtype()
    if isinstance(data, str):
        raise TypeError("new(): invalid data type 'str'")
    if not isinstance(data, list | tuple):
        try:
            data = list(data)
        except TypeError:
            raise TypeError(
                f"Could not infer dtype of {type(data).__name__}"
            ) from None
    tensors = _contains_tensor(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", np.exceptions.VisibleDeprecationWarning)
            arr = np.array(data)
    except (ValueError, np.exceptions.VisibleDeprecationWarning):
        err = _ragged_error(data)
        if err is not None:
            raise err from None
        raise
    kind = arr.dtype.kind
    if kind == "b":
        return arr, _dt.bool
    if kind in "iu":
        return arr, _dt.int64
    if kind == "f":
        if tensors is not None:
            return arr, tensors
        return arr, _dt.get_default_dtype()
    if kind in "US":
        raise TypeError("new(): invalid data type 'str'")
    if kind == "O":
        err = _ragged_error(data)
        if err is not None:
            raise err
        raise TypeError(f"Could not infer dtype of {type(arr.flat[0]).__name__}")
    raise TypeError(f"Could not infer dtype of {arr.dtype}")


def _contains_tensor(data):
    """The promoted dtype of tensors inside ``data`` (PyTorch keeps their dtype), or None."""
    found = None
    stack = [data]
    while stack:
        s = stack.pop()
        if isinstance(s, Tensor):
            found = s._dtype if found is None else _dt.promote_types(found, s._dtype)
        elif isinstance(s, list | tuple) and len(s) < 10000:
            stack.extend(s)
    return found


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    _check_device(device)
    dtype = _dtype_arg(dtype)
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use "
            "sourceTensor.detach().clone() or sourceTensor.detach().clone().requires_grad_(True),"
            " rather than torch.tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
    arr, inferred = _infer_array(data)
    dt = dtype or inferred
    out = _convert_array(arr, dt, copy=True)
    return _finish(_wrap(out, dt), requires_grad)


def _convert_array(arr, dt, copy):
    if dt is _dt.bool and arr.dtype != np.bool_:
        return arr != 0
    if arr.dtype == dt.np:
        return np.array(arr, copy=True) if copy else arr
    with np.errstate(invalid="ignore", over="ignore"):
        return np.asarray(arr).astype(dt.np)


def _scalar_tensor(value, dtype=None):
    arr, dt = _infer_array(value)
    dt = dtype or dt
    return _wrap(_convert_array(arr, dt, copy=False), dt)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    dtype = _dtype_arg(dtype) or _dt.get_default_dtype()
    return _finish(_wrap(np.asarray(s, dtype=dtype.np), dtype), requires_grad)


def as_tensor(data, dtype=None, device=None):
    _check_device(device)
    dtype = _dtype_arg(dtype)
    if isinstance(data, Tensor):
        return data if dtype is None or dtype is data._dtype else data.to(dtype)
    if isinstance(data, np.ndarray):
        dt = dtype or _dt.from_numpy_dtype(data.dtype)
        if dt.np == data.dtype:
            return from_numpy(data)
        return _wrap(_convert_array(data, dt, copy=False), dt)
    arr, inferred = _infer_array(data)
    dt = dtype or inferred
    return _wrap(_convert_array(arr, dt, copy=True), dt)


asarray = as_tensor


def from_numpy(ndarray):
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    dt = _dt.from_numpy_dtype(ndarray.dtype)
    if any(s < 0 for s in ndarray.strides):
        raise ValueError(
            "At least one stride in the given numpy array is negative, and tensors with negative "
            "strides are not currently supported. (You can probably work around this by making a "
            "copy of your array  with array.copy().) "
        )
    if not ndarray.dtype.isnative:
        ndarray = ndarray.astype(ndarray.dtype.newbyteorder("="))
    return _wrap(ndarray, dt)


# ---------------------------------------------------------------------- filled factories
def _factory(fill):
    def make(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False, memory_format=None):
        _check_device(device)
        dt = _dtype_arg(dtype) or _dt.get_default_dtype()
        shape = _size_arg(size, make.__name__)
        arr = fill(shape, dt.np)
        if out is not None:
            out._data = arr
            out._dtype = dt
            return out
        return _finish(_wrap(arr, dt), requires_grad)

    return make


zeros = _factory(np.zeros)
zeros.__name__ = "zeros"
ones = _factory(np.ones)
ones.__name__ = "ones"
empty = _factory(np.zeros)  # deterministic: PyTorch's empty is uninitialised memory
empty.__name__ = "empty"


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False):
    _check_device(device)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    dt = _dtype_arg(dtype) or _dt.scalar_dtype(fill_value)
    shape = _size_arg((size,) if not isinstance(size, int) else (size,), "full")
    return _finish(_wrap(np.full(shape, _fill_scalar(fill_value, dt), dt.np), dt), requires_grad)


def _fill_scalar(v, dt):
    from .ops._common import scalar_as

    return scalar_as(v, dt)


def empty_strided(size, stride, *, dtype=None, device=None, requires_grad=False):
    t = zeros(*size, dtype=dtype, requires_grad=requires_grad)
    return t


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    _check_device(device)
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m is not None and m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    dt = _dtype_arg(dtype) or _dt.get_default_dtype()
    return _finish(_wrap(np.eye(n, n if m is None else m, dtype=dt.np), dt), requires_grad)


def _like(maker):
    def make(input, *, dtype=None, layout=None, device=None, requires_grad=False,
             memory_format=None):
        dt = _dtype_arg(dtype) or input._dtype
        return maker(input.shape, dtype=dt, requires_grad=requires_grad)

    return make


zeros_like = _like(zeros)
ones_like = _like(ones)
empty_like = _like(empty)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    dt = _dtype_arg(dtype) or input._dtype
    return full(input.shape, fill_value, dtype=dt, requires_grad=requires_grad)


# ---------------------------------------------------------------------- ranges
def _fma(a, b, c):
    """Correctly rounded a*b + c in float64 (PyTorch's kernels are compiled with FMA)."""
    p = a * b
    split = 134217729.0  # 2**27 + 1: Dekker's splitting constant
    ca = split * a
    a_hi = ca - (ca - a)
    a_lo = a - a_hi
    cb = split * b
    b_hi = cb - (cb - b)
    b_lo = b - b_hi
    err = ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    s = p + c
    bb = s - p
    t = (p - (s - bb)) + (c - bb)
    return s + (t + err)


def _is_float_arg(*values):
    return any(isinstance(v, float) or (isinstance(v, Tensor) and v.is_floating_point())
               for v in values)


def _num(v):
    return v.item() if isinstance(v, Tensor) else v


def arange(start, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    _check_device(device)
    if end is None:
        start, end = 0, start
    start, end, step = _num(start), _num(end), _num(step)
    dt = _dtype_arg(dtype) or (
        _dt.get_default_dtype() if _is_float_arg(start, end, step) else _dt.int64
    )
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    n = int(np.ceil((float(end) - float(start)) / float(step)))
    i = np.arange(max(n, 0), dtype=np.float64)
    if dt.category == _FLOAT or _is_float_arg(start, end, step):
        values = float(start) + float(step) * i
    else:
        values = start + step * np.arange(max(n, 0), dtype=np.int64)
    with np.errstate(invalid="ignore", over="ignore"):
        arr = values.astype(dt.np)
    return _finish(_wrap(arr, dt), requires_grad)


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
    dt = _dtype_arg(dtype) or _dt.get_default_dtype()
    n = int(np.floor((end - start) / step)) + 1
    return _finish(_wrap((start + step * np.arange(n, dtype=np.float64)).astype(dt.np), dt),
                   requires_grad)


def _linspace_values(start, end, steps, dt):
    """PyTorch's linspace kernel: the first half counts up from start, the rest down from end."""
    idx = np.arange(steps, dtype=np.float64)
    half = steps // 2
    if dt.category == _FLOAT and dt is not _dt.float64:
        # step and the arithmetic in the tensor's float type, fused multiply-add, one rounding.
        s = np.float32(start)
        e = np.float32(end)
        step = np.float32((e - s) / np.float32(steps - 1)) if steps > 1 else np.float32(0)
        up = np.float64(s) + np.float64(step) * idx
        down = np.float64(e) - np.float64(step) * (steps - idx - 1)
        # A float32 product is exact in float64; the float64 sum rarely lands on a float32
        # midpoint, where rounding twice could differ: compare, then nudge those few.
        vals = np.where(idx < half, up, down)
        return _round_f64_to_f32_exact(vals, idx < half, s, e, step, steps, idx).astype(dt.np)
    if dt.category == _FLOAT:
        s, e = float(start), float(end)
        step = (e - s) / (steps - 1) if steps > 1 else 0.0
        n = np.full(steps, step)
        up = _fma(n, idx, np.full(steps, s))
        down = _fma(-n, steps - idx - 1, np.full(steps, e))
        return np.where(idx < half, up, down)
    # Integer dtypes: start and end in the dtype, the step in double, results truncated.
    s, e = int(start), int(end)
    step = (float(e) - float(s)) / (steps - 1) if steps > 1 else 0.0
    vals = np.where(idx < half, s + step * idx, e - step * (steps - idx - 1))
    return np.trunc(vals).astype(dt.np)


def _round_f64_to_f32_exact(vals, lower, s, e, step, steps, idx):
    out = vals.astype(np.float32)
    # Detect double-rounding: where the float64 sum was inexact and landed on a tie.
    back = out.astype(np.float64)
    nxt = np.nextafter(out, np.float32(np.inf)).astype(np.float64)
    prv = np.nextafter(out, np.float32(-np.inf)).astype(np.float64)
    tie = (vals - back == (nxt - back) / 2) | (back - vals == (back - prv) / 2)
    if tie.any():
        for k in np.flatnonzero(tie):
            i = idx[k]
            a, b, c = (float(step), i, float(s)) if lower[k] else (-float(step),
                                                                   steps - i - 1, float(e))
            exact = _exact_fma_to_f32(a, b, c)
            out[k] = exact
    return out


def _exact_fma_to_f32(a, b, c):
    from fractions import Fraction

    v = Fraction(a) * Fraction(b) + Fraction(c)
    f = np.float32(float(v))
    # float(v) is correctly rounded to double; pick the float32 neighbour nearest to v.
    cands = [f, np.nextafter(f, np.float32(np.inf)), np.nextafter(f, np.float32(-np.inf))]
    best = min(cands, key=lambda x: (abs(Fraction(float(x)) - v),
                                     int(np.asarray(x).view(np.uint32)) & 1))
    return best


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    _check_device(device)
    start, end = _num(start), _num(end)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dt = _dtype_arg(dtype) or _dt.get_default_dtype()
    if steps == 0:
        return _finish(_wrap(np.zeros(0, dt.np), dt), requires_grad)
    if steps == 1:
        return _finish(_wrap(np.asarray([start], dtype=dt.np), dt), requires_grad)
    return _finish(_wrap(_linspace_values(start, end, steps, dt), dt), requires_grad)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    _check_device(device)
    dt = _dtype_arg(dtype) or _dt.get_default_dtype()
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    idx = np.arange(steps, dtype=np.float64)
    half = steps // 2
    s, e = float(_num(start)), float(_num(end))
    step = (e - s) / (steps - 1) if steps > 1 else 0.0
    exps = np.where(idx < half, s + step * idx, e - step * (steps - idx - 1))
    if steps == 1:
        exps = np.asarray([s])
    with np.errstate(over="ignore"):
        return _finish(_wrap(np.power(float(base), exps).astype(dt.np), dt), requires_grad)


# ---------------------------------------------------------------------- random factories
def _generator(generator):
    return _gen.default_generator if generator is None else generator


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
    dt = _float_dtype(dtype, "check_uniform_bounds")
    shape = _size_arg(size, "rand")
    n = int(np.prod(shape, dtype=np.int64))
    arr = _gen.uniform(_generator(generator), n, dt.np).reshape(shape)
    return _finish(_wrap(arr, dt), requires_grad)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False):
    _check_device(device)
    dt = _float_dtype(dtype, "normal_kernel_cpu")
    shape = _size_arg(size, "randn")
    n = int(np.prod(shape, dtype=np.int64))
    arr = _gen.normal(_generator(generator), n, dt.np).reshape(shape)
    return _finish(_wrap(arr, dt), requires_grad)


def randint(*args, size=None, generator=None, dtype=None, layout=None, device=None,
            requires_grad=False, out=None):
    _check_device(device)
    args = list(args)
    if size is None and args and isinstance(args[-1], tuple | list | Size):
        size = args.pop()
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
    dt = _dtype_arg(dtype) or _dt.int64
    shape = _size_arg((size,), "randint")
    n = int(np.prod(shape, dtype=np.int64))
    arr = _gen.randint(_generator(generator), n, low, high, dt.np).reshape(shape)
    return _finish(_wrap(arr, dt), requires_grad)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    _check_device(device)
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    dt = _dtype_arg(dtype) or _dt.int64
    return _finish(_wrap(_gen.randperm(_generator(generator), n, dt.np), dt), requires_grad)


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None, generator=None):
    return rand(input.shape, dtype=dtype or input._dtype, requires_grad=requires_grad,
                generator=generator)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None, generator=None):
    return randn(input.shape, dtype=dtype or input._dtype, requires_grad=requires_grad,
                 generator=generator)


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
            f'"bernoulli_tensor_cpu_p_" not implemented for \'{_dt.SCALAR_TYPE_NAMES[input._dtype]}\''
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
def _fill_random(self, arr):
    from .ops._common import check_inplace, inplace_store

    check_inplace(self, self._dtype, self._data.shape)
    return inplace_store(self, arr.reshape(self._data.shape))


def uniform_(self, from_=0.0, to=1.0, *, generator=None, **kwargs):
    from_ = kwargs.pop("from", from_)
    _float_dtype(self._dtype, "check_uniform_bounds")
    if from_ > to:
        raise RuntimeError(
            f"uniform_ expects to return a [from, to) range, but found from={from_} > to={to}"
        )
    arr = _gen.uniform(_generator(generator), self._data.size, self._dtype.np, from_, to)
    return _fill_random(self, arr)


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    _float_dtype(self._dtype, "normal_kernel_cpu")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    contiguous = self.is_contiguous()
    arr = _gen.normal(_generator(generator), self._data.size, self._dtype.np, float(mean),
                      float(std), contiguous=contiguous)
    return _fill_random(self, arr)


def random_(self, from_=None, to=None, *, generator=None, **kwargs):
    from_ = kwargs.pop("from", from_)
    if from_ is not None and to is None:
        from_, to = 0, from_
    arr = _gen.random_(_generator(generator), self._data.size, self._dtype.np, from_, to)
    return _fill_random(self, arr)


def bernoulli_(self, p=0.5, *, generator=None):
    gen = _generator(generator)
    if isinstance(p, Tensor):
        probs = np.broadcast_to(p._data, self._data.shape)
        arr = _gen.bernoulli_tensor(gen, np.ascontiguousarray(probs)).astype(self._dtype.np)
    else:
        arr = _gen.bernoulli_scalar(gen, self._data.size, float(p), self._dtype.np)
    return _fill_random(self, arr)


def exponential_(self, lambd=1.0, *, generator=None):
    _float_dtype(self._dtype, "exponential_cpu")
    arr = _gen.exponential(_generator(generator), self._data.size, self._dtype.np, lambd)
    return _fill_random(self, arr)


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
