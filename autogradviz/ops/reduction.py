"""Reductions (sum, mean, max ...), scans (cumsum), and sorting-based functions.

``dim`` may be an int or a tuple of ints; functions that return values and indices return
PyTorch's named tuples (``torch.return_types.max(values=..., indices=...)``).
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import dtypes as _dt
from .._tensor import Tensor, _wrap, wrap_dim, wrap_dims
from ._common import _FLOAT, cast, not_implemented, write_out


class _ReturnType(tuple):
    """A PyTorch ``torch.return_types.*`` named tuple."""

    __slots__ = ()
    _fields = ("values", "indices")
    _name = ""

    def __new__(cls, *values):
        return tuple.__new__(cls, values)

    @property
    def values(self):
        return self[0]

    @property
    def indices(self):
        return self[1]

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self, strict=True))
        return f"torch.return_types.{self._name}(\n{body})"


def _return_type(name, fields=("values", "indices")):
    cls = type(name, (_ReturnType,), {"__slots__": (), "_fields": fields, "_name": name})
    for i, f in enumerate(fields):
        setattr(cls, f, property(lambda self, i=i: self[i]))
    return cls


class return_types:  # noqa: N801 - the namespace PyTorch prints
    max = _return_type("max")
    min = _return_type("min")
    median = _return_type("median")
    mode = _return_type("mode")
    sort = _return_type("sort")
    topk = _return_type("topk")
    kthvalue = _return_type("kthvalue")
    aminmax = _return_type("aminmax", ("min", "max"))
    cummax = _return_type("cummax")
    cummin = _return_type("cummin")
    var_mean = None  # plain tuples in PyTorch


def _axes(input, dim):
    """NumPy axes for ``dim`` (None or () means every dimension)."""
    nd = input._data.ndim
    if dim is None or (isinstance(dim, tuple | list) and len(dim) == 0):
        return None
    dims = wrap_dims(dim, nd)
    if nd == 0:
        return None
    return dims


def _sum_dtype(input, dtype):
    if dtype is not None:
        return dtype
    return input._dtype if input._dtype.category == _FLOAT else _dt.int64


def _reduce_out(arr, dt, out):
    arr = np.asarray(arr)
    if arr.dtype != dt.np:
        arr = cast(arr, dt)
    if out is not None:
        return write_out(out, arr, dt)
    return _wrap(arr, dt)


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):  # noqa: A001
    dt = _sum_dtype(input, dtype)
    x = cast(input._data, dt)
    axes = _axes(input, dim)
    if dt is _dt.float16:
        r = np.sum(x, axis=axes, keepdims=keepdim, dtype=np.float32)
    else:
        r = np.sum(x, axis=axes, keepdims=keepdim)
    return _reduce_out(r, dt, out)


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    dt = _sum_dtype(input, dtype)
    return _reduce_out(np.nansum(cast(input._data, dt), axis=_axes(input, dim),
                                 keepdims=keepdim), dt, None)


def _mean_dtype(input, dtype, name="mean"):
    dt = dtype or input._dtype
    if dt.category != _FLOAT:
        raise RuntimeError(
            f"{name}(): could not infer output dtype. Input dtype must be either a floating "
            f"point or complex dtype. Got: {_dt.SCALAR_TYPE_NAMES[dt]}"
        )
    return dt


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    dt = _mean_dtype(input, dtype)
    x = cast(input._data, dt)
    axes = _axes(input, dim)
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        acc = np.float32 if dt is _dt.float16 else None
        r = np.mean(x, axis=axes, keepdims=keepdim, dtype=acc)
    return _reduce_out(r, dt, out)


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    dt = _mean_dtype(input, dtype, "nanmean")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        r = np.nanmean(cast(input._data, dt), axis=_axes(input, dim), keepdims=keepdim)
    return _reduce_out(r, dt, None)


def prod(input, dim=None, keepdim=False, *, dtype=None):
    dt = _sum_dtype(input, dtype)
    if dim is not None:
        dim = wrap_dim(dim, input._data.ndim)
    x = cast(input._data, dt)
    with np.errstate(over="ignore", invalid="ignore"):
        r = np.prod(x, axis=None if input._data.ndim == 0 else dim, keepdims=keepdim)
    return _reduce_out(r, dt, None)


def _empty_reduction_error(name, input, dim):
    if dim is None:
        return RuntimeError(
            f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
            "Specify the reduction dim with the 'dim' argument."
        )
    return IndexError(
        f"{name}(): Expected reduction dim {dim} to have non-zero size."
    )


def _check_bool_arg(name, keepdim):
    if not isinstance(keepdim, bool | np.bool_):
        raise TypeError(f"{name}(): argument 'keepdim' must be bool, not {type(keepdim).__name__}")


def _value_index(name, np_arg, input, dim, keepdim):
    """max(dim)/min(dim): values and the index where they sit (NaN wins, as in PyTorch)."""
    _check_bool_arg(name, keepdim)
    nd = input._data.ndim
    d = wrap_dim(dim, nd)
    x = input._data if nd else input._data.reshape(1)
    if x.shape[d] == 0:
        raise _empty_reduction_error(name, input, d)
    idx = np_arg(x, axis=d, keepdims=True)
    vals = np.take_along_axis(x, idx, axis=d)
    if not keepdim or nd == 0:
        idx = np.squeeze(idx, axis=d) if nd else idx.reshape(())
        vals = np.squeeze(vals, axis=d) if nd else vals.reshape(())
    cls = getattr(return_types, name)
    return cls(_wrap(np.ascontiguousarray(vals), input._dtype),
               _wrap(np.ascontiguousarray(idx).astype(np.int64), _dt.int64))


def _nan_first_arg(np_arg):
    def arg(x, axis, keepdims):
        if x.dtype.kind == "f":
            nan = np.isnan(x)
            if nan.any():
                i = np_arg(x, axis=axis, keepdims=True)
                first_nan = np.argmax(nan, axis=axis, keepdims=True)
                has_nan = np.any(nan, axis=axis, keepdims=True)
                return np.where(has_nan, first_nan, i)
        return np_arg(x, axis=axis, keepdims=True)

    return arg


_argmax = _nan_first_arg(np.argmax)
_argmin = _nan_first_arg(np.argmin)


def _max_min(name, np_red, np_arg, elementwise):
    def op(input, dim=None, keepdim=False, *, out=None):
        if isinstance(dim, Tensor):
            return elementwise(input, dim)
        if dim is None:
            if input._data.size == 0:
                raise _empty_reduction_error(name, input, None)
            return _wrap(np.asarray(np_red(input._data)), input._dtype)
        return _value_index(name, np_arg, input, dim, keepdim)

    op.__name__ = name
    return op


def _maximum(a, b):
    from .elementwise import maximum

    return maximum(a, b)


def _minimum(a, b):
    from .elementwise import minimum

    return minimum(a, b)


max = _max_min("max", np.max, _argmax, _maximum)  # noqa: A001
min = _max_min("min", np.min, _argmin, _minimum)  # noqa: A001


def _amax_amin(name, np_red):
    def op(input, dim=(), keepdim=False):
        axes = _axes(input, dim)
        x = input._data
        if x.size == 0 and (axes is None or any(x.shape[a] == 0 for a in axes)):
            raise _empty_reduction_error(name, input, None if axes is None else axes[0])
        return _wrap(np.asarray(np_red(x, axis=axes, keepdims=keepdim)), input._dtype)

    op.__name__ = name
    return op


amax = _amax_amin("amax", np.max)
amin = _amax_amin("amin", np.min)


def aminmax(input, *, dim=None, keepdim=False):
    return return_types.aminmax(amin(input, () if dim is None else dim, keepdim),
                                amax(input, () if dim is None else dim, keepdim))


def _arg_extreme(name, np_arg):
    def op(input, dim=None, keepdim=False):
        x = input._data
        if dim is None:
            if x.size == 0:
                raise _empty_reduction_error(name, input, None)
            i = np_arg(x.reshape(-1), axis=0, keepdims=True).reshape(())
            if keepdim:
                i = i.reshape((1,) * x.ndim)
            return _wrap(i.astype(np.int64), _dt.int64)
        return _value_index(name, np_arg, input, dim, keepdim)[1]

    op.__name__ = name
    return op


argmax = _arg_extreme("argmax", _argmax)
argmin = _arg_extreme("argmin", _argmin)


def _var_args(dim, unbiased, correction, keepdim):
    # Legacy forms: var(input, unbiased) and var(input, dim, unbiased, keepdim).
    if isinstance(dim, bool):
        unbiased, dim = dim, None
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    return dim, correction, keepdim


def _variance(name, input, dim, correction, keepdim):
    dt = input._dtype
    if dt.category != _FLOAT:
        raise RuntimeError(
            f"{name}(): input dtype should be either floating point or complex. "
            f"Got {_dt.SCALAR_TYPE_NAMES[dt]} instead."
        )
    axes = _axes(input, dim)
    x = input._data
    n = x.size if axes is None else int(np.prod([x.shape[a] for a in axes]))
    if n - correction <= 0:
        warnings.warn(
            f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
            "reduction factor (input numel divided by output numel). (Triggered internally at "
            "/pytorch/aten/src/ATen/native/ReduceOps.cpp:1857.)",
            UserWarning,
            stacklevel=3,
        )
    acc = np.float32 if dt is _dt.float16 else None
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.var(x, axis=axes, ddof=correction, keepdims=keepdim, dtype=acc), dt


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    dim, correction, keepdim = _var_args(dim, unbiased, correction, keepdim)
    r, dt = _variance("var", input, dim, correction, keepdim)
    return _reduce_out(r, dt, out)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    dim, correction, keepdim = _var_args(dim, unbiased, correction, keepdim)
    r, dt = _variance("std", input, dim, correction, keepdim)
    return _reduce_out(np.sqrt(r), dt, out)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return var(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return std(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim)


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    dt = dtype or input._dtype
    if dt.category != _FLOAT:
        raise RuntimeError(
            f"linalg.vector_norm: Expected a floating point or complex tensor as input. "
            f"Got {_dt.SCALAR_TYPE_NAMES[dt]}"
        )
    x = np.abs(cast(input._data, dt))
    axes = _axes(input, dim)
    if p is None or p in ("fro", 2):
        r = np.sqrt(np.sum(x * x, axis=axes, keepdims=keepdim))
    elif p == "nuc":
        raise NotImplementedError("norm(p='nuc') is not supported by autogradviz yet")
    elif p == float("inf"):
        r = np.max(x, axis=axes, keepdims=keepdim)
    elif p == float("-inf"):
        r = np.min(x, axis=axes, keepdims=keepdim)
    elif p == 0:
        r = np.sum(x != 0, axis=axes, keepdims=keepdim).astype(x.dtype)
    elif p == 1:
        r = np.sum(x, axis=axes, keepdims=keepdim)
    else:
        with np.errstate(over="ignore", divide="ignore"):
            r = np.sum(x ** p, axis=axes, keepdims=keepdim) ** (1.0 / p)
    return _reduce_out(r, dt, None)


def logsumexp(input, dim, keepdim=False):
    dt = input._dtype if input._dtype.category == _FLOAT else _dt.get_default_dtype()
    x = cast(input._data, dt)
    axes = _axes(input, dim)
    if x.size == 0:
        return _reduce_out(np.log(np.sum(np.exp(x), axis=axes, keepdims=keepdim)), dt, None)
    m = np.max(x, axis=axes, keepdims=True)
    m = np.where(np.isfinite(m), m, np.zeros((), x.dtype))
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        s = np.log(np.sum(np.exp(x - m), axis=axes, keepdims=True)) + m
    if not keepdim:
        s = s.reshape(np.sum(x, axis=axes, keepdims=False).shape)
    return _reduce_out(s, dt, None)


def _scan(name, np_scan):
    def op(input, dim, *, dtype=None, out=None):
        dt = _sum_dtype(input, dtype)
        d = wrap_dim(dim, input._data.ndim)
        x = cast(input._data, dt)
        with np.errstate(over="ignore", invalid="ignore"):
            r = np_scan(x, axis=d) if x.ndim else x.copy()
        return _reduce_out(r, dt, out)

    op.__name__ = name
    return op


cumsum = _scan("cumsum", np.cumsum)
cumprod = _scan("cumprod", np.cumprod)


def _all_any(name, np_red):
    def op(input, dim=None, keepdim=False, *, out=None):
        dt = _dt.uint8 if input._dtype is _dt.uint8 else _dt.bool
        r = np_red(input._data != 0, axis=_axes(input, dim), keepdims=keepdim)
        return _reduce_out(r, dt, out)

    op.__name__ = name
    return op


all = _all_any("all", np.all)  # noqa: A001
any = _all_any("any", np.any)  # noqa: A001


def count_nonzero(input, dim=None):
    return _wrap(
        np.asarray(np.count_nonzero(input._data, axis=_axes(input, dim))).astype(np.int64),
        _dt.int64,
    )


def _lower_median_index(x, axis):
    """Index along ``axis`` of the lower median, NaN taking precedence (PyTorch's rule)."""
    order = np.argsort(x, axis=axis, kind="stable")
    n = x.shape[axis]
    k = (n - 1) // 2
    if x.dtype.kind == "f":
        nan_count = np.sum(np.isnan(x), axis=axis, keepdims=True)
        # With NaNs present the median is NaN: take the first NaN in sorted order.
        pos = np.where(nan_count > 0, n - nan_count, k)
        return np.take_along_axis(order, pos, axis=axis)
    return np.take(order, [k], axis=axis)


def median(input, dim=None, keepdim=False):
    x = input._data
    if dim is None:
        if x.size == 0:
            return _wrap(np.asarray(np.nan, x.dtype), input._dtype)
        flat = x.reshape(-1)
        i = _lower_median_index(flat, 0)
        return _wrap(flat[i].reshape(()), input._dtype)
    nd = x.ndim
    d = wrap_dim(dim, nd)
    xx = x if nd else x.reshape(1)
    i = _lower_median_index(xx, d)
    v = np.take_along_axis(xx, i, axis=d)
    if not keepdim or nd == 0:
        i, v = (np.squeeze(i, d), np.squeeze(v, d)) if nd else (i.reshape(()), v.reshape(()))
    return return_types.median(_wrap(np.ascontiguousarray(v), input._dtype),
                               _wrap(np.ascontiguousarray(i).astype(np.int64), _dt.int64))


def nanmedian(input, dim=None, keepdim=False):
    raise NotImplementedError("nanmedian is not supported by autogradviz yet")


def mode(input, dim=-1, keepdim=False):
    x = input._data
    nd = x.ndim
    d = wrap_dim(dim, nd)
    xx = np.moveaxis(x if nd else x.reshape(1), d, -1)
    lead = xx.shape[:-1]
    rows = xx.reshape(-1, xx.shape[-1])
    vals = np.empty(rows.shape[0], x.dtype)
    idx = np.empty(rows.shape[0], np.int64)
    for r, row in enumerate(rows):
        uniq, counts = np.unique(row, return_counts=True)
        best = uniq[np.argmax(counts)]  # the smallest of the most frequent values
        vals[r] = best
        idx[r] = np.flatnonzero(row == best)[-1]  # PyTorch reports the last occurrence
    vals = vals.reshape(lead)
    idx = idx.reshape(lead)
    if keepdim and nd:
        vals = np.expand_dims(vals, d)
        idx = np.expand_dims(idx, d)
    return return_types.mode(_wrap(vals, input._dtype), _wrap(idx, _dt.int64))


# ---------------------------------------------------------------------- sorting
def _stable_argsort(x, axis, descending):
    if not descending:
        return np.argsort(x, axis=axis, kind="stable")
    # Stable descending order: sort the reversed array ascending, then reverse back.
    n = x.shape[axis]
    rev = np.flip(x, axis=axis)
    order = np.argsort(rev, axis=axis, kind="stable")
    return n - 1 - np.flip(order, axis=axis)


def sort(input, dim=-1, descending=False, stable=False, *, out=None):
    if isinstance(dim, bool):  # sort(input, stable, dim=..., descending=...)
        dim = -1
    x = input._data
    nd = x.ndim
    d = wrap_dim(dim, nd)
    if nd == 0:
        return return_types.sort(_wrap(x.copy(), input._dtype),
                                 _wrap(np.zeros((), np.int64), _dt.int64))
    order = _stable_argsort(x, d, descending)
    vals = np.take_along_axis(x, order, axis=d)
    return return_types.sort(_wrap(vals, input._dtype), _wrap(order.astype(np.int64), _dt.int64))


def argsort(input, dim=-1, descending=False, stable=False):
    return sort(input, dim, descending)[1]


def msort(input):
    return sort(input, 0)[0]


def topk(input, k, dim=-1, largest=True, sorted=True):  # noqa: A002
    x = input._data
    nd = x.ndim
    d = wrap_dim(dim, nd)
    n = x.shape[d] if nd else 1
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    xx = x if nd else x.reshape(1)
    order = _stable_argsort(xx, d, largest)
    order = np.take(order, np.arange(k), axis=d)
    vals = np.take_along_axis(xx, order, axis=d)
    if nd == 0:
        vals, order = vals.reshape(()), order.reshape(())
    return return_types.topk(_wrap(vals, input._dtype), _wrap(order.astype(np.int64), _dt.int64))


def kthvalue(input, k, dim=-1, keepdim=False):
    x = input._data
    nd = x.ndim
    d = wrap_dim(dim, nd)
    xx = x if nd else x.reshape(1)
    if not 1 <= k <= xx.shape[d]:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    order = np.take(np.argsort(xx, axis=d, kind="stable"), [k - 1], axis=d)
    vals = np.take_along_axis(xx, order, axis=d)
    if not keepdim or nd == 0:
        vals, order = (np.squeeze(vals, d), np.squeeze(order, d)) if nd else (
            vals.reshape(()), order.reshape(()))
    return return_types.kthvalue(_wrap(vals, input._dtype), _wrap(order.astype(np.int64),
                                                                  _dt.int64))


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
    x = input._data
    if dim is None:
        res = np.unique(x.reshape(-1), return_inverse=return_inverse,
                        return_counts=return_counts)
    else:
        d = wrap_dim(dim, x.ndim)
        res = np.unique(x, return_inverse=return_inverse, return_counts=return_counts, axis=d)
    if not (return_inverse or return_counts):
        return _wrap(res, input._dtype)
    out = [_wrap(res[0], input._dtype)]
    i = 1
    if return_inverse:
        inv = res[i].reshape(x.shape if dim is None else (x.shape[wrap_dim(dim, x.ndim)],))
        out.append(_wrap(inv.astype(np.int64), _dt.int64))
        i += 1
    if return_counts:
        out.append(_wrap(res[i].astype(np.int64), _dt.int64))
    return tuple(out)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    x = input._data.reshape(-1)
    if x.size == 0:
        return _wrap(x.copy(), input._dtype)
    keep = np.concatenate([[True], x[1:] != x[:-1]])
    vals = x[keep]
    out = [_wrap(vals, input._dtype)]
    if return_inverse:
        out.append(_wrap((np.cumsum(keep) - 1).reshape(input._data.shape), _dt.int64))
    if return_counts:
        starts = np.flatnonzero(keep)
        out.append(_wrap(np.diff(np.append(starts, x.size)).astype(np.int64), _dt.int64))
    return out[0] if len(out) == 1 else tuple(out)


def check_float_softmax(input, name):
    if input._dtype.category != _FLOAT:
        raise not_implemented(f"{name}_lastdim_kernel_impl", input._dtype)


def softmax(input, dim=None, dtype=None, *, _stacklevel=3):
    x = input._data if dtype is None else cast(input._data, dtype)
    dt = input._dtype if dtype is None else dtype
    if dt.category != _FLOAT:
        raise not_implemented("softmax_lastdim_kernel_impl", dt)
    if dim is None:
        dim = 0 if x.ndim in (0, 1, 3) else 1
    d = wrap_dim(dim, x.ndim)
    if x.ndim == 0:
        return _wrap(np.ones((), x.dtype), dt)
    m = np.max(x, axis=d, keepdims=True) if x.size else x
    with np.errstate(invalid="ignore", over="ignore"):
        e = np.exp(x - m)
        return _wrap(e / np.sum(e, axis=d, keepdims=True), dt)


def log_softmax(input, dim=None, dtype=None, *, _stacklevel=3):
    x = input._data if dtype is None else cast(input._data, dtype)
    dt = input._dtype if dtype is None else dtype
    if dt.category != _FLOAT:
        raise not_implemented("log_softmax_lastdim_kernel_impl", dt)
    if dim is None:
        dim = 0 if x.ndim in (0, 1, 3) else 1
    d = wrap_dim(dim, x.ndim)
    if x.ndim == 0:
        return _wrap(np.zeros((), x.dtype), dt)
    m = np.max(x, axis=d, keepdims=True) if x.size else x
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        shifted = x - m
        return _wrap(shifted - np.log(np.sum(np.exp(shifted), axis=d, keepdims=True)), dt)
