"""Indexing: ``t[key]``, ``t[key] = value`` and index_select / gather / scatter / masked_fill /
index_put_ / take / nonzero, following PyTorch's algorithm step by step.

``t[key]`` is read as PyTorch reads it (``python_variable_indexing.cpp``): integers, slices,
``None`` and ``...`` are applied one after the other as views (select / slice / unsqueeze); any
tensor indices left ("advanced" indexing) then gather a copy laid out as PyTorch's TensorIterator
lays it out. Every check runs before anything is written, so a failed write changes nothing.
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import dtypes as _dt
from .._tensor import Tensor, _contiguous_strides, _view_of, _wrap, wrap_dim
from ..autograd.grad_mode import no_grad
from ..autograd.graph import derivative, rule_helper
from ..autograd.inplace import refresh_view
from ._common import (
    broadcast_error,
    cast,
    check_inplace,
    commit_inplace,
    inplace_node,
    scalar_as,
    tracked,
    write_out,
)
from .elementwise import CopyBackwards, FillBackward3, checked_scalar
from .shape import (
    INT64_MAX,
    _empty_strided,
    _iter_strides,
    check_out_grad,
    compute_view_strides,
    expand,
    slice_tensor,
    unsqueeze,
    view,
)
from .shape import _select as _select_view

_MASK_TYPES = (_dt.bool, _dt.uint8)
_INDEX_TYPES = (_dt.int64, _dt.int32, _dt.uint8, _dt.bool)
_TYPE_NAMES = _dt.SCALAR_TYPE_NAMES
# The C++ type names PyTorch prints for a mask's dtype.
_CPP_TYPE_NAMES = {
    _dt.bool: "bool", _dt.uint8: "unsigned char", _dt.int8: "signed char",
    _dt.int16: "short int", _dt.int32: "int", _dt.int64: "long int",
    _dt.float16: "c10::Half", _dt.float32: "float", _dt.float64: "double",
}
_OVERLAP_MSG = (
    "unsupported operation: more than one element of the written-to tensor refers to a single "
    "memory location. Please clone() the tensor before performing the operation."
)


# ---------------------------------------------------------------------- layout helpers
def _fresh(arr):
    """``arr`` copied into a new C-contiguous array (PyTorch's strides, also on size-1 dims)."""
    out = np.empty(arr.shape, arr.dtype)
    out[...] = arr
    return out


def _expandable(shape, target):
    """PyTorch's ``is_expandable_to``."""
    if len(shape) > len(target):
        return False
    return all(s in (1, t) for s, t in zip(reversed(shape), reversed(target), strict=False))


def _strip_leading_ones(t, always=False):
    """``t`` viewed without its leading size-1 dims (PyTorch's ``slicePrefix1sSize`` for
    assigned values; a recorded ``view``, made even when nothing is stripped if ``always``)."""
    shape = t._data.shape
    k = 0
    while k < len(shape) and shape[k] == 1:
        k += 1
    return view(t, shape[k:]) if k or always else t


# ---------------------------------------------------------------------- t[key]: the basic part
def _is_int(v):
    return isinstance(v, int | np.integer) and not isinstance(v, bool)


def _items(key):
    """The key as PyTorch's tuple of entries: a short list holding a slice, ``None``, ``...``,
    a tensor or a sequence is read as a tuple (NumPy's legacy rule)."""
    if isinstance(key, tuple):
        return key
    if isinstance(key, list) and len(key) < 32 and any(
        isinstance(v, Tensor | list | tuple | range | np.ndarray | slice)
        or v is None
        or v is Ellipsis
        for v in key
    ):
        return tuple(key)
    return (key,)


def _specified_dims(items):
    n = 0
    for v in items:
        if isinstance(v, Tensor):
            n += v._data.ndim if v._dtype in _MASK_TYPES else 1
        elif v is not None and v is not Ellipsis and not isinstance(v, bool):
            n += 1
    return n


def _select(t, dim, index, real_dim):
    """``t`` at ``index`` along ``dim``, a view; ``real_dim`` is the entry's place in the key."""
    shape = t._data.shape
    if index == 0 and dim == 0 and not shape:
        raise IndexError(
            "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
            "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number"
        )
    size = shape[dim] if dim < len(shape) else 0
    if not -size <= index < size:
        raise IndexError(
            f"index {index} is out of bounds for dimension {real_dim} with size {size}"
        )
    return _select_view(t, dim, index)


def _slice(t, dim, s, in_tuple=False):
    """``t[s]`` along ``dim`` (SliceBackward0). Inside a tuple key PyTorch skips a slice that
    keeps the whole dim (``x[:, 0:3]`` of 3 columns is ``x`` itself)."""
    start, stop, step = (v.item() if isinstance(v, Tensor) else v
                         for v in (s.start, s.stop, s.step))
    if step == 0:
        raise ValueError("slice step cannot be zero")
    if t._data.ndim == 0:
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    if step is not None and step < 0:
        raise ValueError("step must be greater than zero")
    start = 0 if start is None else start
    stop = INT64_MAX if stop is None else stop
    step = 1 if step is None else step
    if in_tuple and start == 0 and step == 1 and stop >= t._data.shape[dim]:
        return t
    return slice_tensor(t, dim, start, stop, step)


def _bool_index(value):
    """A Python ``True``/``False`` entry: index [0] or [] into a new size-1 dim."""
    return _wrap(np.zeros(int(bool(value)), np.int64), _dt.int64)


def _sequence_index(seq):
    """A list entry becomes a bool mask if it holds only bools, else an int64 index."""
    arr = np.asarray([v.item() if isinstance(v, Tensor) else v for v in seq]
                     if isinstance(seq, list | tuple) else seq)
    if arr.dtype == bool:
        return _wrap(arr, _dt.bool)
    return _wrap(arr.astype(np.int64), _dt.int64)


def _apply_slicing(self, items):
    """Apply the basic entries as views; return the view and the tensor indices per its dims."""
    nd = self._data.ndim
    specified = _specified_dims(items)
    if specified > nd:
        raise IndexError(f"too many indices for tensor of dimension {nd}")
    r, dim, indices = self, 0, []

    def record(index):
        nonlocal dim
        indices.extend([None] * (dim + 1 - len(indices)))
        indices[dim] = index
        dim += 1

    for real_dim, v in enumerate(items):
        if _is_int(v):
            r = _select(r, dim, int(v), real_dim)
        elif isinstance(v, slice):
            r = _slice(r, dim, v, in_tuple=True)
            dim += 1
        elif v is Ellipsis:
            dim += nd - specified
        elif v is None:
            r = unsqueeze(r, dim)
            dim += 1
        elif isinstance(v, bool):
            r = unsqueeze(r, dim)
            record(_bool_index(v))
        elif isinstance(v, Tensor):
            if v._data.ndim == 0 and v._dtype in _MASK_TYPES:
                r = unsqueeze(r, dim)
                record(_bool_index(v._data))
            elif v._data.ndim == 0 and v._dtype.category == _dt._INT:
                r = _select(r, dim, int(v._data), real_dim)
            else:
                record(v)
        elif isinstance(v, list | tuple | range | np.ndarray):
            record(_sequence_index(v))
        elif isinstance(v, str):
            raise TypeError("new(): invalid data type 'str'")
        else:
            raise IndexError(
                "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
                f"are valid indices (got {type(v).__name__})"
            )
    return r, indices


# ---------------------------------------------------------------------- tensor indices
class _Advanced:
    """PyTorch's ``make_info`` for ``src[indices]``: checked, masks turned into integer
    indices, broadcast; with the result's shape (and, on demand, its strides)."""

    def __init__(self, src, indices):
        x = src._data
        nd = x.ndim
        for idx in indices:
            if idx is not None and idx._dtype not in _INDEX_TYPES:
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        # Each entry: None (a whole dim) or (int64 array, the index tensor or None for a mask's
        # coordinates, whose strides are (1,)).
        entries = []
        for idx in indices:
            if idx is None:
                entries.append(None)
            elif idx._dtype in _MASK_TYPES:
                if idx._dtype is _dt.uint8:
                    warnings.warn(
                        "indexing with dtype torch.uint8 is now deprecated, please use a dtype "
                        "torch.bool instead. (Triggered internally at "
                        "/__w/pytorch/pytorch/aten/src/ATen/native/IndexingUtils.h:37.)",
                        UserWarning,
                        stacklevel=4,
                    )
                mask = idx._data
                for j, s in enumerate(mask.shape):
                    d = wrap_dim(len(entries) + j, nd)
                    if s != x.shape[d]:
                        raise IndexError(
                            f"The shape of the mask {list(mask.shape)} at index {j} does not "
                            f"match the shape of the indexed tensor {list(x.shape)} at index {d}"
                        )
                entries += [(c, None) for c in np.nonzero(mask)] if mask.ndim else []
            else:
                entries.append((idx._data.astype(np.int64, copy=False), idx))
        defined = [e for e in entries if e is not None]
        if not defined:  # only 0-d masks, which pick no dim (PyTorch fails an internal assert)
            raise RuntimeError("a 0-dim boolean index can only fill with a one-element value")
        shapes = [a.shape for a, _ in defined]
        if shapes.count(shapes[0]) == len(shapes):  # all alike (the usual case): no broadcast
            bshape = shapes[0]
        else:
            try:
                bshape = np.broadcast_shapes(*shapes)
            except ValueError:
                shapes = ", ".join(str(list(a.shape)) for a, _ in defined)
                raise IndexError(
                    f"shape mismatch: indexing tensors could not be broadcast together with "
                    f"shapes {shapes}"
                ) from None
        entries += [None] * (nd - len(entries))
        pos = [d for d, e in enumerate(entries) if e is not None]
        if pos[-1] - pos[0] == len(pos) - 1:  # adjacent
            before, after = list(range(pos[0])), list(range(pos[-1] + 1, nd))
        else:  # indices apart: their dims go first (PyTorch's transposeToFront, NumPy's rule)
            before, after = [], [d for d in range(nd) if entries[d] is None]
        self.key = tuple(slice(None) if e is None else e[0] for e in entries)
        self.arrays = [a if a.shape == bshape else np.broadcast_to(a, bshape)
                       for a, _ in defined]
        self.sizes = [x.shape[d] for d in pos]
        self.shape = (tuple(x.shape[d] for d in before) + tuple(bshape)
                      + tuple(x.shape[d] for d in after))
        self._layout = (src, defined, bshape, before, after)

    def strides(self):
        """The result's strides: TensorIterator's order of its operands, which are the source
        with the indexed dims restrided to 0, then each index broadcast and viewed as
        (1,) * before + index shape + (1,) * after."""
        src, defined, bshape, before, after = self._layout
        src_strides = src.stride()
        k = len(bshape)
        operands = [[src_strides[d] for d in before] + [0] * k + [src_strides[d] for d in after]]
        view_shape = (1,) * len(before) + tuple(bshape) + (1,) * len(after)
        for a, idx in defined:
            strides = (1,) if idx is None else idx.stride()
            lead = k - a.ndim
            expanded = [0] * lead + [st if n == b else 0
                                     for st, n, b in zip(strides, a.shape, bshape[lead:],
                                                         strict=True)]
            view = compute_view_strides(bshape, expanded, view_shape)
            if view is None:
                view = _contiguous_strides(view_shape)
            operands.append([0 if v == 1 and n != 1 else st
                             for v, n, st in zip(view_shape, self.shape, view, strict=True)])
        return _iter_strides(self.shape, operands)

    def check_bounds(self):
        """PyTorch's kernel check, reporting the first bad element in iteration order."""
        if not all(self.shape) or not self.arrays:
            return
        if all(-s <= a.min() and a.max() < s for a, s in zip(self.arrays, self.sizes,
                                                              strict=True)):
            return
        bad = [(a < -s) | (a >= s) for a, s in zip(self.arrays, self.sizes, strict=True)]
        first = np.logical_or.reduce(bad).reshape(-1)
        if first.any():
            i = int(np.argmax(first))
            j = next(j for j, b in enumerate(bad) if b.reshape(-1)[i])
            if self.sizes[j] == 0:  # PyTorch's check for an empty dim names no numbers
                raise IndexError("index is out of bounds for dimension with size 0")
            raise IndexError(
                f"index {self.arrays[j].reshape(-1)[i]} is out of bounds for dimension {j} with "
                f"size {self.sizes[j]}"
            )


IndexBackward0 = derivative(
    "IndexBackward0", inputs=("self",), saves=("indices", "self_sym_sizes"),
    self="index_backward(grad, self_sym_sizes, indices)",
)
AliasBackward0 = derivative("AliasBackward0", inputs=("self",), self="grad")


def index(src, indices):
    """``src[indices]`` for tensor indices (None: a whole dim): a new tensor with PyTorch's
    layout, recorded as IndexBackward0."""
    indices = tuple(indices)
    info = _Advanced(src, indices)
    info.check_bounds()
    strides = info.strides()
    item = src._data.itemsize
    gathered = src._data[info.key] if all(info.shape) else None
    if (gathered is not None and gathered.base is None
            and gathered.strides == tuple(st * item for st in strides)):
        out = gathered  # NumPy's result already has PyTorch's layout: no second copy
    else:
        out = _empty_strided(info.shape, strides, src._data.dtype)
        if out.size:
            out[...] = gathered
    saved = {"indices": indices, "self_sym_sizes": src._data.shape}
    return tracked(_wrap(out, src._dtype), IndexBackward0, (src,), saved)


def _alias(self):
    return tracked(_view_of(self, self._data.view()), AliasBackward0, (self,))


def getitem(self, key):
    if type(key) is int:
        # The common case t[i], kept short: a view, recorded only when grad is needed.
        x = self._data
        if x.ndim and -x.shape[0] <= key < x.shape[0] and not self._requires_grad:
            return _view_of(self, x[key, ...])
    if key is None:
        return unsqueeze(self, 0)
    if key is Ellipsis:
        return _alias(self)
    if _is_int(key):
        return _select(self, 0, int(key), 0)
    if isinstance(key, slice):
        return _slice(self, 0, key)
    r, indices = _apply_slicing(self, _items(key))
    if not any(i is not None for i in indices):
        return _alias(self) if r is self else r
    return index(r, indices)


# ---------------------------------------------------------------------- t[key] = value
def _value_tensor(self, value):
    if isinstance(value, Tensor):
        return value
    if isinstance(value, bool | int | float | np.generic):
        # PyTorch's scalarToTensor converts with Scalar.to<T>(): overflow is an error
        return _wrap(np.asarray(checked_scalar(value, self._dtype)), self._dtype)
    kind = type(value)
    name = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"
    raise TypeError(f"can't assign a {name} to a {_dt.LEGACY_TYPE_NAMES[self._dtype]}")


def _copy_to(dst, src):
    """PyTorch's ``copy_to``: same shapes copy (``copy_``), a 0-d value fills (``fill_``), other
    values are viewed without leading 1s and expanded first."""
    fill = src._data.ndim == 0 and dst._data.shape != ()
    if dst._data.shape != src._data.shape and not fill:
        src = _strip_leading_ones(src, always=True)
        if src._data.shape != dst._data.shape:
            src = expand(src, dst._data.shape)
    check_inplace(dst, dst._dtype, dst._data.shape)
    # copy_ refuses to write where elements share memory; fill_ (a 0-d value) does not care.
    if src._data.ndim and any(
        s == 0 and n > 1 for s, n in zip(dst.stride(), dst._data.shape, strict=True)
    ):
        raise RuntimeError(_OVERLAP_MSG)
    node = inplace_node(FillBackward3 if fill else CopyBackwards, (dst, src)) if (
        dst._dtype.is_floating_point) else None  # (an integer tensor cannot require grad)
    dst._data[...] = cast(np.asarray(src._data), dst._dtype)
    dst._bump_version()
    commit_inplace(dst, node)


def setitem(self, key, value):
    value = _value_tensor(self, value)
    if key is False:
        return
    _setitem(self, key, value)
    if self._base is not None and self._requires_grad:
        refresh_view(self)  # written through a view of it: its history is made again now


def _setitem(self, key, value):
    if key is Ellipsis:
        _copy_to(self, value)
    elif key is None or key is True:
        _copy_to(unsqueeze(self, 0), value)
    elif _is_int(key):
        _copy_to(_select(self, 0, int(key), 0), value)
    elif isinstance(key, slice):
        _copy_to(_slice(self, 0, key, in_tuple=True), value)  # a whole-dim slice is ``self``
    else:
        r, indices = _apply_slicing(self, _items(key))
        if any(i is not None for i in indices):
            _index_put(r, indices, _strip_leading_ones(value), accumulate=False)
        else:
            _copy_to(r, value)


def _mask_fill_target(self, indices, value):
    """PyTorch's ``canDispatchToMaskedFill``: one mask and a one-element value fill in place."""
    if value._data.size != 1:
        return None
    mask, dims = None, 0
    for idx in indices:
        if idx is None:
            dims += 1
        elif idx._dtype not in _MASK_TYPES or mask is not None:
            return None
        else:
            mask = idx
            for j, s in enumerate(idx._data.shape):
                if s != self._data.shape[dims + j]:
                    raise IndexError(
                        f"The shape of the mask {list(idx._data.shape)} at index {j} does not "
                        f"match the shape of the indexed tensor {list(self._data.shape)} at index "
                        f"{dims + j}"
                    )
            dims += idx._data.ndim
    if mask is None or dims >= self._data.ndim:
        return mask
    # Trailing dims the mask does not cover: size 1, so it broadcasts over them.
    return _wrap(mask._data.reshape(mask._data.shape + (1,) * (self._data.ndim - dims)),
                 mask._dtype)


_EXPANDED_WARNING = (
    "Use of {} on expanded tensors is deprecated. Please clone() the tensor before performing "
    "this operation. This also applies to advanced indexing e.g. {} (Triggered internally at "
    "/__w/pytorch/pytorch/aten/src/ATen/native/TensorAdvancedIndexing.cpp:{}.)"
)


def _warn_if_expanded(self, masked, stacklevel=4):
    """PyTorch's deprecation warning for writing into a tensor whose elements share memory."""
    if any(s == 0 and n > 1 for s, n in zip(self.stride(), self._data.shape, strict=True)):
        text = (_EXPANDED_WARNING.format("masked_fill_", "tensor[mask] = scalar", 2450) if masked
                else _EXPANDED_WARNING.format("index_put_", "tensor[indices] = tensor", 976))
        warnings.warn(text, UserWarning, stacklevel=stacklevel)


def _index_put(self, indices, value, accumulate):
    """``self[indices] = value`` (or ``+=`` with ``accumulate``), recorded as PyTorch's
    IndexPutBackward0 (also where it fills through a mask, as PyTorch does below autograd)."""
    check_inplace(self, self._dtype, self._data.shape)
    mask = None if accumulate else _mask_fill_target(self, indices, value)
    _warn_if_expanded(self, masked=False)
    if mask is not None:  # PyTorch's index_put_ goes on to masked_fill_, which warns again
        _warn_if_expanded(self, masked=True)
    if mask is not None:
        where, fill = _masked_fill_args(self, mask, _view_of(value, value._data.reshape(())))
    else:
        info = _Advanced(self, indices)
        if not _expandable(value._data.shape, info.shape):
            raise RuntimeError(
                f"shape mismatch: value tensor of shape {list(value._data.shape)} cannot be "
                f"broadcast to indexing result of shape {list(info.shape)}"
            )
        if 0 in info.sizes:  # PyTorch refuses an index into an empty dim before the dtypes
            info.check_bounds()
        if value._dtype is not self._dtype:
            raise RuntimeError(
                f"Index put requires the source and destination dtypes match, got "
                f"{_TYPE_NAMES[self._dtype]} for the destination and {_TYPE_NAMES[value._dtype]} "
                "for the source."
            )
        info.check_bounds()
    saved = {"accumulate": bool(accumulate), "indices": tuple(indices)}
    node = inplace_node(IndexPutBackward0, (self, value), saved)
    if mask is not None:
        self._data[where] = fill
    elif accumulate:
        np.add.at(self._data, info.key, value._data)
    else:
        self._data[info.key] = value._data
    self._bump_version()
    commit_inplace(self, node)


def index_put_(self, indices, values, accumulate=False):
    if not isinstance(values, Tensor):
        raise TypeError(
            f"index_put_(): argument 'values' (position 2) must be Tensor, not "
            f"{type(values).__name__}"
        )
    indices = list(indices)
    for i, idx in enumerate(indices):
        if not isinstance(idx, Tensor):
            raise TypeError(
                f"expected Tensor as element {i} in argument 0, but got {type(idx).__name__}"
            )
    nd = self._data.ndim
    if len(indices) > nd:
        raise IndexError(f"too many indices for tensor of dimension {nd} (got {len(indices)})")
    _index_put(self, indices, values, accumulate)
    return self


_INDEX_PUT_RULES = {
    "self": "grad if accumulate else index_put_impl(grad, indices, zeros((), grad))",
    "values": "index(grad, indices)",
}
IndexPutBackward0 = derivative(
    "IndexPutBackward0", inputs=("self", "values"), saves=("accumulate", "indices"),
    **_INDEX_PUT_RULES,
)
IndexPutImplBackward0 = derivative(
    "IndexPutImplBackward0", inputs=("self", "values"), saves=("accumulate", "indices"),
    **_INDEX_PUT_RULES,
)


def index_put(input, indices, values, accumulate=False):
    out = _wrap(input._data.copy(order="K"), input._dtype)
    with no_grad():
        index_put_(out, indices, values, accumulate)
    saved = {"accumulate": bool(accumulate), "indices": tuple(indices)}
    return tracked(out, IndexPutBackward0, (input, values), saved)


def index_put_impl(input, indices, values, accumulate=False):
    """PyTorch's ``_index_put_impl_`` on a copy: indices may be None (a whole dim)."""
    out = _wrap(input._data.copy(order="K"), input._dtype)
    with no_grad():
        _index_put(out, list(indices), values, accumulate)
    saved = {"accumulate": bool(accumulate), "indices": tuple(indices)}
    return tracked(out, IndexPutImplBackward0, (input, values), saved)


# ---------------------------------------------------------------------- gather / scatter
def _check_index_dtype(index, name):
    if index._data.size and index._dtype not in (_dt.int64, _dt.int32):
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")


def _nonempty(arr):
    """PyTorch's ``ensure_nonempty``: a 0-d operand acts as a 1-element 1-D one."""
    return arr.reshape(1) if arr.ndim == 0 else arr


def _check_dim_bounds(idx, d, size):
    """Gather/scatter kernels: no negative indices; the first bad one along ``d`` is named."""
    bad = (idx < 0) | (idx >= size)
    if bad.any():
        order = np.moveaxis(idx, d, -1).reshape(-1)
        v = order[np.argmax(np.moveaxis(bad, d, -1).reshape(-1))]
        raise RuntimeError(f"index {v} is out of bounds for dimension {d} with size {size}")


GatherBackward0 = derivative(
    "GatherBackward0", inputs=("self",), saves=("dim", "index", "self", "sparse_grad"),
    int64=("dim",), self="gather_backward(grad, self, dim, index)",
)


def gather(input, dim, index, *, sparse_grad=False, out=None):
    check_out_grad("gather", out, input)
    x = _nonempty(input._data)
    d = wrap_dim(dim, input._data.ndim)
    _check_index_dtype(index, "gather")
    idx = _nonempty(index._data)
    if idx.ndim != x.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for k in range(x.ndim if idx.size else 0):  # (an empty index is not checked)
        if k != d and idx.shape[k] > x.shape[k]:
            raise RuntimeError(
                f"Size does not match at dimension {k} expected index {list(index.shape)} to be "
                f"no larger than self {list(input.shape)} apart from dimension {d}"
            )
    _check_dim_bounds(idx, d, x.shape[d])
    part = x[tuple(slice(None) if k == d else slice(0, n) for k, n in enumerate(idx.shape))]
    arr = _fresh(np.take_along_axis(part, idx.astype(np.int64), axis=d).reshape(index.shape))
    if out is not None:
        return write_out(out, arr, input._dtype)
    saved = {"dim": int(dim), "index": index, "self": input, "sparse_grad": bool(sparse_grad)}
    return tracked(_wrap(arr, input._dtype), GatherBackward0, (input,), saved)


def _scatter_args(self, dim, index, src):
    """PyTorch's scatter checks; returns the write positions and the values to write."""
    x = _nonempty(self._data)
    d = wrap_dim(dim, self._data.ndim)
    _check_index_dtype(index, "scatter")
    if isinstance(src, Tensor) and src._dtype is not self._dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    idx = _nonempty(index._data)
    if idx.size:
        if idx.ndim != x.ndim:
            raise RuntimeError(
                "Index tensor must have the same number of dimensions as self tensor"
            )
        wrong = any(idx.shape[k] > x.shape[k] for k in range(x.ndim) if k != d)
        if isinstance(src, Tensor):
            s = _nonempty(src._data)
            wrong = wrong or any(idx.shape[k] > s.shape[k] for k in range(x.ndim))
            if wrong:
                raise RuntimeError(
                    f"Expected index {list(index.shape)} to be no larger than self "
                    f"{list(self.shape)} apart from dimension {d} and to be no larger size than "
                    f"src {list(src.shape)}"
                )
        elif wrong:
            raise RuntimeError(
                f"Expected index {list(index.shape)} to be no larger than self "
                f"{list(self.shape)} apart from dimension {d}"
            )
        _check_dim_bounds(idx, d, x.shape[d])
    if isinstance(src, Tensor):
        values = _nonempty(src._data)[tuple(slice(0, n) for n in idx.shape)]
    else:
        values = scalar_as(src, self._dtype)
    grids = list(np.indices(idx.shape, sparse=True))
    grids[d] = idx.astype(np.int64)
    return x, tuple(grids), values


_SCATTER_REDUCE_WARNED = []


def _scatter_into(self, dim, index, src, reduce, name):
    """scatter_/scatter_add_ into ``self``, recorded as PyTorch records them."""
    x, pos, values = _scatter_args(self, dim, index, src)
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError("reduce argument must be either add or multiply.")
        if isinstance(src, Tensor) and name == "scatter" and not _SCATTER_REDUCE_WARNED:
            _SCATTER_REDUCE_WARNED.append(True)  # PyTorch warns once per process
            warnings.warn(
                "The reduce argument of torch.scatter with Tensor src is deprecated and will be "
                "removed in a future PyTorch release. Use torch.scatter_reduce instead for more "
                "reduction options. (Triggered internally at "
                "/__w/pytorch/pytorch/aten/src/ATen/native/TensorAdvancedIndexing.cpp:225.)",
                UserWarning,
                stacklevel=3,  # the caller of scatter/scatter_
            )
    check_inplace(self, self._dtype, self._data.shape)
    node = _scatter_node(self, dim, index, src, reduce, name)
    if reduce == "add":
        np.add.at(x, pos, values)
    elif reduce == "multiply":
        np.multiply.at(x, pos, values)
    else:
        x[pos] = values
    self._bump_version()
    return commit_inplace(self, node)


def _scatter_node(self, dim, index, src, reduce, name):
    tensor_src = src if isinstance(src, Tensor) else None
    saved = {"dim": int(dim), "index": index}
    if name == "scatter_add":
        return inplace_node(ScatterAddBackward0, (self, src), saved)
    if reduce is not None:  # PyTorch has no derivative for scatter with ``reduce=``
        if tensor_src is None:
            return inplace_node(_NoScatterValueReduce, (self,))
        return inplace_node(_NoScatterReduce, (self, tensor_src))
    if tensor_src is None:
        return inplace_node(ScatterBackward1, (self,), saved)
    return inplace_node(ScatterBackward0, (self, tensor_src), saved)


ScatterBackward0 = derivative(
    "ScatterBackward0", inputs=("self", "src"), saves=("dim", "index"), int64=("dim",),
    self="grad.scatter(dim, index, 0)", src="grad.gather(dim, index)",
)
ScatterBackward1 = derivative(
    "ScatterBackward1", inputs=("self",), saves=("dim", "index"), int64=("dim",),
    self="grad.scatter(dim, index, 0)",
)
ScatterAddBackward0 = derivative(
    "ScatterAddBackward0", inputs=("self", "src"), saves=("dim", "index"), int64=("dim",),
    self="grad", src="grad.gather(dim, index)",
)
# PyTorch has no derivative for scatter with ``reduce=``: backward raises.
_NoScatterReduce = derivative(
    "NotImplemented", inputs=("self", "src"),
    self="not_implemented('scatter')", src="not_implemented('scatter')",
)
_NoScatterValueReduce = derivative(
    "NotImplemented", inputs=("self",), self="not_implemented('scatter')"
)


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    out = _wrap(input._data.copy(), input._dtype)
    source = value if src is None else src
    with no_grad():
        _scatter_into(out, dim, index, source, reduce, "scatter")
    tensor_src = source if isinstance(source, Tensor) else None
    if reduce is not None and tensor_src is None:
        return tracked(out, _NoScatterValueReduce, (input,))
    if reduce is not None:
        return tracked(out, _NoScatterReduce, (input, tensor_src))
    saved = {"dim": int(dim), "index": index}
    if tensor_src is None:
        return tracked(out, ScatterBackward1, (input,), saved)
    return tracked(out, ScatterBackward0, (input, tensor_src), saved)


def scatter_(self, dim, index, src=None, *, value=None, reduce=None):
    return _scatter_into(self, dim, index, value if src is None else src, reduce, "scatter")


def scatter_add(input, dim, index, src):
    out = _wrap(input._data.copy(), input._dtype)
    with no_grad():
        _scatter_into(out, dim, index, src, "add", "scatter_add")
    saved = {"dim": int(dim), "index": index}
    return tracked(out, ScatterAddBackward0, (input, src), saved)


def scatter_add_(self, dim, index, src):
    return _scatter_into(self, dim, index, src, "add", "scatter_add")


# ---------------------------------------------------------------------- masks
MaskedFillBackward0 = derivative(
    "MaskedFillBackward0", inputs=("self",), saves=("mask",), self="grad.masked_fill(mask, 0)"
)
MaskedFillBackward1 = derivative(
    "MaskedFillBackward1", inputs=("self", "value"), saves=("mask",),
    self="grad.masked_fill(mask, 0)", value="grad.masked_select(mask).sum()",
)


def masked_fill(input, mask, value):
    try:
        shape = np.broadcast_shapes(mask._data.shape, input._data.shape)
    except ValueError:
        raise broadcast_error(mask._data.shape, input._data.shape) from None
    out = _wrap(_fresh(np.broadcast_to(input._data, shape)), input._dtype)
    with no_grad():
        masked_fill_(out, mask, value)
    if isinstance(value, Tensor):
        return tracked(out, MaskedFillBackward1, (input, value), {"mask": mask})
    return tracked(out, MaskedFillBackward0, (input,), {"mask": mask})


def _masked_fill_args(self, mask, value):
    """masked_fill_'s checks (after ``check_inplace``): the positions and the value to write."""
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(
                "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value._data.ndim} dimension(s)."
            )
        value = value.item()
    if mask._dtype is not _dt.bool:
        raise RuntimeError(
            "masked_fill_ only supports boolean masks, but got mask with dtype "
            f"{_CPP_TYPE_NAMES[mask._dtype]}"
        )
    try:
        shape = np.broadcast_shapes(self._data.shape, mask._data.shape)
    except ValueError:
        raise broadcast_error(self._data.shape, mask._data.shape) from None
    if shape != self._data.shape:
        raise RuntimeError(
            f"output with shape {list(self._data.shape)} doesn't match the broadcast shape "
            f"{list(shape)}"
        )
    return np.broadcast_to(mask._data, shape), checked_scalar(value, self._dtype)


def masked_fill_(self, mask, value):
    check_inplace(self, self._dtype, self._data.shape)
    where, fill = _masked_fill_args(self, mask, value)
    _warn_if_expanded(self, masked=True, stacklevel=3)
    if isinstance(value, Tensor):
        node = inplace_node(MaskedFillBackward1, (self, value), {"mask": mask})
    else:
        node = inplace_node(MaskedFillBackward0, (self,), {"mask": mask})
    self._data[where] = fill
    self._bump_version()
    return commit_inplace(self, node)


MaskedSelectBackward0 = derivative(
    "MaskedSelectBackward0", inputs=("self",), saves=("mask", "self"),
    self="masked_select_backward(grad, self, mask)",
)


def masked_select(input, mask):
    m = np.broadcast_to(mask._data, np.broadcast_shapes(mask._data.shape, input._data.shape))
    x = np.broadcast_to(input._data, m.shape)
    out = _wrap(x[m], input._dtype)
    return tracked(out, MaskedSelectBackward0, (input,), {"mask": mask, "self": input})


MaskedScatterBackward0 = derivative(
    "MaskedScatterBackward0", inputs=("self", "source"), saves=("mask", "source_sym_sizes"),
    self="grad.masked_fill(mask, 0)",
    source="masked_scatter_backward(grad, mask, source_sym_sizes)",
)


@rule_helper
def masked_scatter_backward(grad, mask, sizes):
    """The selected gradient, padded with zeros to the source's size."""
    from .._creation import zeros
    from .shape import cat

    picked = masked_select(grad, mask)
    numel = int(np.prod(sizes, dtype=np.int64))
    if numel > picked._data.size:
        picked = cat([picked, zeros(numel - picked._data.size, dtype=grad._dtype)])
    return picked.view(tuple(sizes))


def masked_scatter_(self, mask, source):
    m = np.broadcast_to(mask._data, self._data.shape)
    n = int(m.sum())
    check_inplace(self, self._dtype, self._data.shape)
    saved = {"mask": mask, "source_sym_sizes": source._data.shape}
    node = inplace_node(MaskedScatterBackward0, (self, source), saved)
    self._data[m] = cast(source._data.reshape(-1)[:n], self._dtype)
    self._bump_version()
    return commit_inplace(self, node)


# ---------------------------------------------------------------------- by position
IndexSelectBackward0 = derivative(
    "IndexSelectBackward0", inputs=("self",), saves=("dim", "index", "self_sym_sizes"),
    int64=("dim",), self="index_select_backward(grad, self_sym_sizes, dim, index)",
)


def index_select(input, dim, index, *, out=None):
    check_out_grad("index_select", out, input)
    x = input._data
    d = wrap_dim(dim, x.ndim)
    if index._data.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    n = index._data.size
    if x.ndim == 0 and n != 1:
        raise RuntimeError(
            f"index_select(): Index to scalar can have only 1 value, got {n} value(s)"
        )
    if index._dtype not in (_dt.int64, _dt.int32):
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    idx = index._data.reshape(-1)
    size = x.shape[d] if x.ndim else 1
    if size == 0 and n and x.ndim > 1:  # (a vector's kernel says "index out of range")
        raise RuntimeError("index_select(): self indexing axis dim should be positive")
    bad = (idx < 0) | (idx >= size)
    if bad.any():
        # The kernels differ: along dim 0 PyTorch checks each row, elsewhere a gather kernel.
        if x.ndim > 1 and d > 0:
            raise RuntimeError(
                f"INDICES element is out of DATA bounds, id={idx[np.argmax(bad)]} axis_dim={size}"
            )
        raise IndexError("index out of range in self")
    arr = x.copy() if x.ndim == 0 else _fresh(np.take(x, idx, axis=d))
    if out is not None:
        return write_out(out, arr, input._dtype)
    saved = {"dim": int(dim), "index": index, "self_sym_sizes": x.shape}
    return tracked(_wrap(arr, input._dtype), IndexSelectBackward0, (input,), saved)


def _index_add_saved(dim, index, source, alpha):
    """IndexAddBackward0's saved values: the index and source only when source needs grad."""
    needed = source._requires_grad
    return {"alpha": alpha, "dim": int(dim), "index": index if needed else None,
            "source": source if needed else None, "source_dim": source._data.ndim}


def index_add_(self, dim, index, source, *, alpha=1):
    d = wrap_dim(dim, self._data.ndim)
    check_inplace(self, self._dtype, self._data.shape)
    pre = (slice(None),) * d
    src = cast(source._data, self._dtype) * scalar_as(alpha, self._dtype)
    node = inplace_node(IndexAddBackward0, (self, source),
                        _index_add_saved(dim, index, source, alpha))
    np.add.at(_nonempty(self._data), (*pre, index._data.reshape(-1)), src)
    self._bump_version()
    return commit_inplace(self, node)


IndexAddBackward0 = derivative(
    "IndexAddBackward0", inputs=("self", "source"),
    saves=("alpha", "dim", "index", "source", "source_dim"), int64=("dim",),
    self="grad",
    source="maybe_multiply(index_add_source_backward(grad, dim, index, source), alpha)",
)


def index_add(input, dim, index, source, *, alpha=1):
    out = _wrap(input._data.copy(), input._dtype)
    with no_grad():
        index_add_(out, dim, index, source, alpha=alpha)
    return tracked(out, IndexAddBackward0, (input, source),
                   _index_add_saved(dim, index, source, alpha))


def index_fill_(self, dim, index, value):
    d = wrap_dim(dim, self._data.ndim)
    check_inplace(self, self._dtype, self._data.shape)
    fill = scalar_as(value, self._dtype)
    saved = {"dim": int(dim), "index": index}
    if isinstance(value, Tensor):
        node = inplace_node(IndexFillBackward1, (self, value), saved)
    else:
        node = inplace_node(IndexFillBackward0, (self,), saved)
    self._data[(slice(None),) * d + (index._data,)] = fill
    self._bump_version()
    return commit_inplace(self, node)


IndexFillBackward0 = derivative(
    "IndexFillBackward0", inputs=("self",), saves=("dim", "index"), int64=("dim",),
    self="grad.index_fill(dim, index, 0)",
)
IndexFillBackward1 = derivative(
    "IndexFillBackward1", inputs=("self", "value"), saves=("dim", "index"), int64=("dim",),
    self="grad.index_fill(dim, index, 0)", value="grad.index_select(dim, index.unique()).sum()",
)


def index_fill(input, dim, index, value):
    out = _wrap(input._data.copy(), input._dtype)
    with no_grad():
        index_fill_(out, dim, index, value)
    saved = {"dim": int(dim), "index": index}
    if isinstance(value, Tensor):
        return tracked(out, IndexFillBackward1, (input, value), saved)
    return tracked(out, IndexFillBackward0, (input,), saved)


TakeBackward0 = derivative(
    "TakeBackward0", inputs=("self",), saves=("index", "self"),
    self="take_backward(grad, self, index)",
)


def take(input, index):
    if index._dtype is not _dt.int64:
        raise RuntimeError(
            f"take(): Expected a long tensor for index, but got {_TYPE_NAMES[index._dtype]}"
        )
    flat = input._data.reshape(-1)
    idx = index._data
    n = flat.size
    if idx.size and n == 0:
        raise IndexError("take(): tried to take from an empty tensor")
    bad = (idx < -n) | (idx >= n)
    if bad.any():
        raise IndexError(
            f"out of range: tried to access index {idx[bad].flat[0]} on a tensor of {n} elements."
        )
    out = _wrap(_fresh(flat[idx]), input._dtype)
    return tracked(out, TakeBackward0, (input,), {"index": index, "self": input})


def take_along_dim(input, indices, dim=None):
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    x, idx = input._data, indices._data
    d = wrap_dim(dim, x.ndim)
    # Broadcast every dim but ``dim`` (PyTorch expands both, even to their own shape),
    # then gather along it.
    rest = np.broadcast_shapes((*x.shape[:d], 1, *x.shape[d + 1:]),
                               (*idx.shape[:d], 1, *idx.shape[d + 1:]))
    xs = expand(input, rest[:d] + x.shape[d:d + 1] + rest[d + 1:])
    ids = expand(indices, rest[:d] + idx.shape[d:d + 1] + rest[d + 1:])
    return gather(xs, d, ids)


def nonzero(input, *, as_tuple=False):
    x = input._data
    flat = x.reshape(1) if x.ndim == 0 and as_tuple else x
    found = np.nonzero(flat) if flat.ndim else ((np.zeros(int(bool(flat)), np.int64)),)
    n = len(found[0])
    # PyTorch fills an (ndim, n) buffer and returns its transpose: strides (1, n).
    buf = np.empty((flat.ndim, n), np.int64)
    for k, col in enumerate(found[: flat.ndim]):
        buf[k] = col
    result = _wrap(buf.T, _dt.int64)
    if as_tuple:
        return tuple(_view_of(result, buf[k]) for k in range(flat.ndim))
    return result


def argwhere(input):
    return nonzero(input)
