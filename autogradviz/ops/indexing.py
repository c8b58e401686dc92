"""Indexing: ``t[...]`` (basic indices give views, advanced ones copies), ``t[...] = v``, and
index_select / gather / scatter / masked_fill / index_put_ / take / nonzero.
"""

from __future__ import annotations

import re

import numpy as np

from .. import dtypes as _dt
from .._tensor import Tensor, _view_of, _wrap, wrap_dim
from ._common import cast, check_inplace, inplace_store, scalar_as

_AXIS_MSG = re.compile(r"index (-?\d+) is out of bounds for axis (\d+) with size (\d+)")


def _index_error(err):
    m = _AXIS_MSG.search(str(err))
    if m:
        return IndexError(
            f"index {m.group(1)} is out of bounds for dimension {m.group(2)} with size "
            f"{m.group(3)}"
        )
    return IndexError(str(err))


def _convert_index(idx):
    """One index entry for NumPy; returns (entry, is_basic)."""
    if idx is None or idx is Ellipsis:
        return idx, True
    if isinstance(idx, bool):
        return idx, False
    if isinstance(idx, int | np.integer):
        return int(idx), True
    if isinstance(idx, slice):
        if idx.step is not None:
            step = idx.step.item() if isinstance(idx.step, Tensor) else idx.step
            if step <= 0:
                raise ValueError("step must be greater than zero")
        return slice(*(v.item() if isinstance(v, Tensor) else v
                       for v in (idx.start, idx.stop, idx.step))), True
    if isinstance(idx, Tensor):
        if idx._dtype is _dt.bool or idx._dtype is _dt.uint8:
            return idx._data.astype(bool), False
        if idx._dtype.category != _dt._INT:
            raise IndexError(
                "tensors used as indices must be long, int, byte or bool tensors"
            )
        return idx._data, False
    if isinstance(idx, list | tuple | np.ndarray):
        arr = np.asarray([v.item() if isinstance(v, Tensor) else v for v in idx]
                         if isinstance(idx, list | tuple) else idx)
        if arr.dtype.kind == "f":
            raise IndexError(
                "tensors used as indices must be long, int, byte or bool tensors"
            )
        return arr, False
    raise IndexError(
        "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
        "valid indices (got " + type(idx).__name__ + ")"
    )


def _check_masks(x, entries):
    """PyTorch's error for a boolean mask whose shape does not match the indexed dims."""
    dim = 0
    for e in entries:
        if isinstance(e, np.ndarray) and e.dtype == bool:
            for k, s in enumerate(e.shape):
                if dim + k < x.ndim and x.shape[dim + k] != s:
                    raise IndexError(
                        f"The shape of the mask {list(e.shape)} at index {k} does not match the "
                        f"shape of the indexed tensor {list(x.shape)} at index {dim + k}"
                    )
            dim += max(e.ndim, 1)
        elif e is None:
            continue
        elif e is Ellipsis:
            dim = x.ndim - sum(
                (v.ndim if isinstance(v, np.ndarray) and v.dtype == bool else 1)
                for v in entries[entries.index(Ellipsis) + 1 :]
                if v is not None
            )
        else:
            dim += 1


def convert_key(key):
    if not isinstance(key, tuple):
        key = (key,)
    entries = []
    basic = True
    for k in key:
        e, b = _convert_index(k)
        entries.append(e)
        basic = basic and b
    return tuple(entries), basic


def getitem(self, key):
    x = self._data
    entries, basic = convert_key(key)
    if basic:
        if Ellipsis not in entries:
            entries = entries + (Ellipsis,)  # keeps integer indexing a 0-d view, not a scalar
        try:
            arr = x[entries]
        except IndexError as err:
            raise _index_error(err) from None
        if None in entries:
            return _fix_new_axes(self, arr, entries)
        return _view_of(self, arr)
    _check_masks(x, entries)
    try:
        arr = x[entries]
    except IndexError as err:
        raise _index_error(err) from None
    return _wrap(np.ascontiguousarray(arr), self._dtype)


def _fix_new_axes(self, arr, entries):
    """Give axes made by ``None`` PyTorch's stride (unsqueeze's rule), not NumPy's 0."""
    item = arr.itemsize
    strides = [s // item for s in arr.strides]
    shape = arr.shape
    # Walk the result's dims; a None-made dim takes size*stride of the dim after it, or 1.
    pos = 0
    new_dims = []
    n_ellipsis_dims = arr.ndim - sum(
        1 for e in entries if e is not None and e is not Ellipsis and not isinstance(e, int)
    ) - sum(1 for e in entries if e is None)
    for e in entries:
        if e is None:
            new_dims.append(pos)
            pos += 1
        elif e is Ellipsis:
            pos += n_ellipsis_dims
        elif isinstance(e, int):
            continue
        else:
            pos += 1
    for d in reversed(new_dims):
        strides[d] = shape[d + 1] * strides[d + 1] if d + 1 < len(shape) else 1
    arr = np.lib.stride_tricks.as_strided(arr, shape=shape, strides=[s * item for s in strides])
    return _view_of(self, arr)


def setitem(self, key, value):
    x = self._data
    entries, _ = convert_key(key)
    if isinstance(value, Tensor):
        v = cast(value._data, self._dtype)
    elif isinstance(value, int | float | bool | np.generic):
        v = scalar_as(value, self._dtype)
    else:
        v = cast(np.asarray(value), self._dtype)
    check_inplace(self, self._dtype, x.shape)
    _check_masks(x, entries)
    try:
        target_shape = x[entries].shape if not isinstance(v, np.ndarray) or v.ndim else None
        if isinstance(v, np.ndarray) and target_shape is not None:
            np.broadcast_shapes(v.shape, target_shape)
            if np.broadcast_shapes(v.shape, target_shape) != target_shape:
                raise ValueError
        x[entries] = v
    except IndexError as err:
        raise _index_error(err) from None
    except ValueError:
        raise RuntimeError(
            f"shape mismatch: value tensor of shape {list(np.shape(v))} cannot be broadcast to "
            f"indexing result of shape {list(target_shape)}"
        ) from None
    self._bump_version()


def index_select(input, dim, index, *, out=None):
    d = wrap_dim(dim, input._data.ndim)
    if index._dtype not in (_dt.int64, _dt.int32):
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    if index._data.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    idx = index._data.reshape(-1)
    size = input._data.shape[d] if input._data.ndim else 1
    bad = (idx >= size) | (idx < -size)
    if bad.any():
        raise IndexError(f"index out of range in self")
    x = input._data if input._data.ndim else input._data.reshape(1)
    r = np.take(x, idx, axis=d)
    if input._data.ndim == 0:
        r = r.reshape(())
    return _wrap(r, input._dtype)


def _check_gather_index(index, name):
    if index._dtype is not _dt.int64:
        raise RuntimeError(f"{name}(): Expected dtype int64 for index")


def gather(input, dim, index, *, sparse_grad=False, out=None):
    _check_gather_index(index, "gather")
    x = input._data
    d = wrap_dim(dim, x.ndim)
    idx = index._data
    if idx.ndim != x.ndim and not (x.ndim == 0 and idx.ndim <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for k in range(idx.ndim):
        if k != d and idx.shape[k] > x.shape[k]:
            raise RuntimeError(
                f"Size does not match at dimension {k} expected index {list(idx.shape)} to be "
                f"no larger than self {list(x.shape)} apart from dimension {d}"
            )
    size = x.shape[d] if x.ndim else 1
    if idx.size and (idx.min() < -size or idx.max() >= size):
        bad = idx[(idx < -size) | (idx >= size)].flat[0]
        raise RuntimeError(
            f"index {bad} is out of bounds for dimension {d} with size {size}"
        )
    xs = x[tuple(slice(0, s) if k != d else slice(None) for k, s in enumerate(idx.shape))]
    return _wrap(np.take_along_axis(xs, idx, axis=d), input._dtype)


def _scatter_args(self, dim, index, src, value, name):
    _check_gather_index(index, name)
    x = self._data
    d = wrap_dim(dim, x.ndim)
    idx = index._data
    if src is None:
        src = value
    if isinstance(src, Tensor):
        s = cast(src._data, self._dtype)
        s = s[tuple(slice(0, n) for n in idx.shape)]
    else:
        s = np.full(idx.shape, scalar_as(src, self._dtype), self._dtype.np)
    size = x.shape[d] if x.ndim else 1
    if idx.size and (idx.min() < -size or idx.max() >= size):
        bad = idx[(idx < -size) | (idx >= size)].flat[0]
        raise RuntimeError(f"index {bad} is out of bounds for dimension {d} with size {size}")
    return d, idx, s


def _scatter_positions(x, d, idx):
    grids = list(np.indices(idx.shape, sparse=True))
    grids[d] = idx
    return tuple(grids)


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    out = _wrap(input._data.copy(), input._dtype)
    return scatter_(out, dim, index, src, value=value, reduce=reduce, _check=False)


def scatter_(self, dim, index, src=None, *, value=None, reduce=None, _check=True):
    d, idx, s = _scatter_args(self, dim, index, src, value, "scatter")
    if _check:
        check_inplace(self, self._dtype, self._data.shape)
    pos = _scatter_positions(self._data, d, idx)
    if reduce is None:
        self._data[pos] = s
    elif reduce == "add":
        np.add.at(self._data, pos, s)
    elif reduce == "multiply":
        np.multiply.at(self._data, pos, s)
    else:
        raise RuntimeError(f"reduce argument must be either add or multiply. Got {reduce}")
    self._bump_version()
    return self


def scatter_add(input, dim, index, src):
    out = _wrap(input._data.copy(), input._dtype)
    return scatter_add_(out, dim, index, src, _check=False)


def scatter_add_(self, dim, index, src, _check=True):
    d, idx, s = _scatter_args(self, dim, index, src, None, "scatter_add")
    if _check:
        check_inplace(self, self._dtype, self._data.shape)
    np.add.at(self._data, _scatter_positions(self._data, d, idx), s)
    self._bump_version()
    return self


def masked_fill(input, mask, value):
    out = _wrap(input._data.copy(), input._dtype)
    return masked_fill_(out, mask, value, _check=False)


def masked_fill_(self, mask, value, _check=True):
    if not isinstance(mask, Tensor) or mask._dtype is not _dt.bool:
        raise RuntimeError(
            "masked_fill_ only supports boolean masks, but got mask with dtype "
            f"{mask.dtype if isinstance(mask, Tensor) else type(mask).__name__}"
        )
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(
                "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value._data.ndim} dimension(s)."
            )
        value = value.item()
    try:
        m = np.broadcast_to(mask._data, self._data.shape)
    except ValueError:
        from ._common import broadcast_error

        raise broadcast_error(self._data.shape, mask._data.shape) from None
    if _check:
        check_inplace(self, self._dtype, self._data.shape)
    self._data[m] = scalar_as(value, self._dtype)
    self._bump_version()
    return self


def masked_select(input, mask):
    m = np.broadcast_to(mask._data, np.broadcast_shapes(mask._data.shape, input._data.shape))
    x = np.broadcast_to(input._data, m.shape)
    return _wrap(x[m], input._dtype)


def masked_scatter_(self, mask, source):
    m = np.broadcast_to(mask._data, self._data.shape)
    n = int(m.sum())
    check_inplace(self, self._dtype, self._data.shape)
    self._data[m] = cast(source._data.reshape(-1)[:n], self._dtype)
    self._bump_version()
    return self


def index_put_(self, indices, values, accumulate=False):
    entries = tuple(_convert_index(i)[0] for i in indices)
    v = cast(values._data, self._dtype) if isinstance(values, Tensor) else scalar_as(
        values, self._dtype)
    check_inplace(self, self._dtype, self._data.shape)
    try:
        if accumulate:
            np.add.at(self._data, entries, v)
        else:
            self._data[entries] = v
    except IndexError as err:
        raise _index_error(err) from None
    self._bump_version()
    return self


def index_put(input, indices, values, accumulate=False):
    out = _wrap(input._data.copy(), input._dtype)
    return index_put_(out, indices, values, accumulate)


def index_add_(self, dim, index, source, *, alpha=1):
    d = wrap_dim(dim, self._data.ndim)
    check_inplace(self, self._dtype, self._data.shape)
    pre = (slice(None),) * d
    src = cast(source._data, self._dtype) * scalar_as(alpha, self._dtype)
    np.add.at(self._data, pre + (index._data,), src)
    self._bump_version()
    return self


def index_add(input, dim, index, source, *, alpha=1):
    out = _wrap(input._data.copy(), input._dtype)
    return index_add_(out, dim, index, source, alpha=alpha)


def index_fill_(self, dim, index, value):
    d = wrap_dim(dim, self._data.ndim)
    check_inplace(self, self._dtype, self._data.shape)
    self._data[(slice(None),) * d + (index._data,)] = scalar_as(value, self._dtype)
    self._bump_version()
    return self


def index_fill(input, dim, index, value):
    out = _wrap(input._data.copy(), input._dtype)
    return index_fill_(out, dim, index, value)


def take(input, index):
    flat = input._data.reshape(-1)
    idx = index._data
    n = flat.size
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx[(idx < -n) | (idx >= n)].flat[0]
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    return _wrap(flat[idx], input._dtype)


def take_along_dim(input, indices, dim=None):
    if dim is None:
        return take(input, indices.reshape(-1) if indices._data.ndim else indices)
    d = wrap_dim(dim, input._data.ndim)
    x, i = np.broadcast_arrays(input._data, indices._data) if False else (input._data,
                                                                          indices._data)
    return _wrap(np.take_along_axis(x, i, axis=d), input._dtype)


def nonzero(input, *, as_tuple=False):
    idx = np.nonzero(input._data if input._data.ndim else input._data.reshape(1))
    if as_tuple:
        if input._data.ndim == 0:
            return (_wrap(idx[0].astype(np.int64), _dt.int64),)
        return tuple(_wrap(i.astype(np.int64), _dt.int64) for i in idx)
    if input._data.ndim == 0:
        return _wrap(np.zeros((int(bool(input._data)), 0), np.int64), _dt.int64)
    return _wrap(np.stack(idx, axis=1).astype(np.int64), _dt.int64)


def argwhere(input):
    return nonzero(input)


def inplace_masked(self, arr):
    return inplace_store(self, arr)
