"""Reductions (sum, mean, max ...), scans (cumsum), and sorting-based functions.

``dim`` may be an int or a tuple of ints; functions that return values and indices return
PyTorch's named tuples (``torch.return_types.max(values=..., indices=...)``).

Where several elements are equal, which index PyTorch reports depends on the C++ algorithm it
runs: ``std::sort`` and ``std::nth_element`` (sort, topk, mode) and Sedgewick's quickselect
(kthvalue). Those algorithms are replayed step by step in Python (the C++ ones by
``autogradviz._stdlib_sort``) for the rows that have ties and at most ``_REPLAY_LIMIT``
elements; longer rows take a stable order instead (replaying them would take seconds). Float
sums and means add in PyTorch's order (``_cascade_sum``): they agree with PyTorch's to the bit.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .. import _creation
from .. import _stdlib_sort as _cxx
from .. import dtypes as _dt
from .._tensor import Tensor, _contiguous_strides, _wrap, wrap_dim, wrap_dims
from ..autograd.grad_mode import STATE as _GRAD_MODE
from ..autograd.graph import derivative, rule_helper
from ._backward import zeros_like
from ._cascade_sum import cascade_sum, small_order, sum_all
from ._common import _FLOAT, cast, not_implemented, tracked
from .elementwise import (
    _check_out,
    _finish,
    _needs_grad,
    div,
    maximum,
    minimum,
    quiet,
    via_double,
    where,
)

_BOOL = _dt.bool
_F16 = _dt.float16
_I64 = _dt.int64


class _ReturnType(tuple):
    """A PyTorch ``torch.return_types.*`` named tuple."""

    __slots__ = ()
    _fields = ("values", "indices")
    _name = ""

    def __new__(cls, *values):
        return tuple.__new__(cls, values)

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
    nanmedian = _return_type("nanmedian")
    mode = _return_type("mode")
    sort = _return_type("sort")
    topk = _return_type("topk")
    kthvalue = _return_type("kthvalue")
    aminmax = _return_type("aminmax", ("min", "max"))
    cummax = _return_type("cummax")
    cummin = _return_type("cummin")


def _axes(input, dim):
    """NumPy axes for ``dim`` (None or () means every dimension)."""
    nd = input._data.ndim
    if dim is None or (isinstance(dim, tuple | list) and len(dim) == 0):
        return None
    dims = wrap_dims(dim, nd)
    if nd == 0:
        return None
    return dims


def _pair(name, values, indices, input_dtype):
    # PyTorch's kernels write new contiguous outputs (NumPy's results may be transposed).
    return getattr(return_types, name)(_wrap(_contiguous(values), input_dtype),
                                       _wrap(_contiguous(indices, np.int64), _I64))


def _contiguous(arr, dtype=None):
    """A C-ordered array with PyTorch's contiguous strides (size-1 dims' strides included)."""
    arr = np.asarray(arr, dtype)
    if arr.flags.c_contiguous and (arr.ndim < 2 or 1 not in arr.shape or arr.strides == tuple(
            s * arr.itemsize for s in _contiguous_strides(arr.shape))):
        return arr
    return np.array(arr, order="C")


def _laid_out_like(input, arr):
    """``arr`` in the layout of PyTorch's ``empty_like(input)``: ``input``'s strides if they
    are dense, else dense in ``input``'s order (sort's outputs)."""
    from .shape import _empty_strided, _iter_strides, _non_overlapping_and_dense

    shape, strides = input._data.shape, input.stride()
    if not _non_overlapping_and_dense(shape, strides):
        strides = _iter_strides(shape, [strides])
    out = _empty_strided(shape, strides, arr.dtype)
    out[...] = arr
    return out


def _empty_reduction_error(name, dim, long_message=True):
    if dim is not None:
        return IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size.")
    message = f"{name}(): Expected reduction dim to be specified for input.numel() == 0."
    if long_message:
        message += " Specify the reduction dim with the 'dim' argument."
        return RuntimeError(message)
    return IndexError(message)


def _check_nonempty_dims(name, x, dims):
    for d in dims:
        if x.shape[wrap_dim(d, x.ndim)] == 0:
            raise _empty_reduction_error(name, d)


# ---------------------------------------------------------------------- autograd helpers
_UNSET = object()  # an argument not given (PyTorch's overloads tell dim=None from no dim)

# Each reduction records PyTorch's node for the same call; the rules below are PyTorch's
# backward formulas (FunctionsManual.cpp), written with autogradviz's differentiable operations
# so that second derivatives work. Saved ``dim`` values are PyTorch's: a tuple for the reductions
# that take several dims (sum, mean, amax, std, logsumexp, norm), an int for the others.
def _dims_tuple(dim):
    if isinstance(dim, int | np.integer):
        return (int(dim),)
    return tuple(int(d) for d in dim)


def _wrapped_dims(dim, nd):
    """``dim`` (None: every dimension) as sorted non-negative ints."""
    if dim is None:
        return tuple(range(nd))
    return tuple(sorted(wrap_dim(d, nd or 1) for d in _dims_tuple(dim)))


@rule_helper
def unsqueeze_multiple(t, dim, n):
    """Put back the reduced dims ``dim`` of an ``n``-d input (none for a full reduction: the
    0-d result broadcasts as it is)."""
    if dim is None or (not isinstance(dim, int) and len(dim) == 0):
        return t
    for d in _wrapped_dims(dim, n):
        t = t.unsqueeze(d)
    return t


@rule_helper
def sum_backward(grad, sizes, dim, keepdim):
    """The gradient of a sum: ``grad`` broadcast back over the summed dims."""
    if not keepdim and len(sizes) > 0:
        grad = unsqueeze_multiple(grad, dim, len(sizes))
    return grad.expand(sizes)


@rule_helper
def mean_backward(grad, sizes, dim, numel, keepdim):
    all_reduce = dim is None or len(dim) == 0 or not sizes  # (a 0-d input: its one element)
    n = numel if all_reduce else math.prod(sizes[d] for d in _wrapped_dims(dim, len(sizes)))
    return sum_backward(grad, sizes, dim, keepdim) / n


@rule_helper
def nansum_backward(grad, self, dim, keepdim):
    return sum_backward(grad, self.shape, dim, keepdim) * self.isnan().logical_not()


@rule_helper
def prod_backward(grad, self, result, dim=None, keepdim=False):
    """grad * result / self, computed without dividing when ``self`` holds zeros."""
    if self.dim() == 0:
        return grad
    self = self.to(grad.dtype)
    if dim is None:
        if not (self == 0).any():
            return grad * (result / self)
        return prod_safe_zeros_backward(grad, self.reshape(-1), 0).view(self.shape)
    d = wrap_dim(dim, self.dim())
    if not keepdim:
        grad, result = grad.unsqueeze(d), result.unsqueeze(d)
    if not (self == 0).any():
        return grad * (result / self)
    return prod_safe_zeros_backward(grad, self, d)


@rule_helper
def prod_safe_zeros_backward(grad, inp, dim):
    """grad times the product of all the other elements along ``dim`` (exclusive cumprods)."""
    from .._creation import ones
    from .shape import cat

    n = inp.shape[dim]
    if inp.numel() == 0:
        return grad.expand_as(inp)
    ones_size = list(inp.shape)
    ones_size[dim] = 1
    one = ones(ones_size, dtype=grad.dtype)
    exclusive_normal = cat([one, inp.narrow(dim, 0, n - 1)], dim).cumprod(dim)
    narrow_reverse = inp.narrow(dim, 1, n - 1).flip(dim)
    exclusive_reverse = cat([one, narrow_reverse], dim).cumprod(dim).flip(dim)
    return grad * (exclusive_normal * exclusive_reverse)


@rule_helper
def evenly_distribute_backward(grad, self, value):
    """``grad`` shared evenly among the elements equal to ``value`` (all NaNs if it is NaN)."""
    mask = self.isnan() if bool(value.isnan()) else self == value
    return where(mask, grad / mask.sum(), 0)


@rule_helper
def value_selecting_reduction_backward(grad, dim, indices, sizes, keepdim):
    """``grad`` scattered to the positions ``indices`` picked along ``dim``; zeros elsewhere."""
    from .._creation import zeros

    if len(sizes) == 0:
        return grad
    if not keepdim:
        grad, indices = grad.unsqueeze(dim), indices.unsqueeze(dim)
    return zeros(sizes, dtype=grad.dtype).scatter(dim, indices, grad)


@rule_helper
def restore_reduced_dims(output, dim, keepdim):
    """``output`` of a reduction over ``dim`` reshaped with its reduced dims back as size 1."""
    if keepdim:
        return output
    total = output.dim() + len(dim)
    shape = [0] * total
    for d in dim:
        shape[d % total] = 1
    sizes = iter(output.shape)
    shape = [1 if s == 1 else next(sizes) for s in shape]
    return output.reshape(shape)


@rule_helper
def scale_grad_by_count(grad, mask, dim):
    """``grad`` split evenly among the positions of ``mask`` (the ties of amax/amin)."""
    return (grad / mask.sum(dim, True)) * mask


@rule_helper
def var_backward(grad, self, dim, correction, keepdim):
    """2 (x - mean) / (n - correction), broadcast back over the reduced dims."""
    correction = 1 if correction is None else correction
    if self.dim() == 0 or dim is None:
        dof = self.numel() - correction
        if dof <= 0:
            return grad * where(self == self.mean(), math.nan, math.inf)
        return (2.0 / dof) * grad * (self - self.mean())
    n = math.prod(self.shape[d] for d in _wrapped_dims(dim, self.dim()))
    if not keepdim and self.dim() > 1:
        grad = unsqueeze_multiple(grad, dim, self.dim())
    dof = n - correction
    scale = 2.0 / dof if dof else math.copysign(math.inf, 2.0)
    return scale * grad * (self - self.mean(dim, True))


@rule_helper
def std_backward(result, grad, self, dim, correction, keepdim):
    grad_var = where(result == 0, 0, grad / (result * 2))
    return var_backward(grad_var, self, dim, correction, keepdim)


@rule_helper
def var_mean_backward(grads, self, dim, correction, keepdim):
    grad = var_backward(grads[0], self, dim, correction, keepdim)
    return grad + mean_backward(grads[1], self.shape, dim, self.numel(), keepdim)


@rule_helper
def std_mean_backward(grads, self, std, dim, correction, keepdim):
    grad = std_backward(std, grads[0], self, dim, correction, keepdim)
    return grad + mean_backward(grads[1], self.shape, dim, self.numel(), keepdim)


@rule_helper
def linalg_vector_norm_backward(grad, self, ord, norm, dim, keepdim):
    """The gradient of ``||self||_ord`` (None, i.e. no gradient, for ord 0)."""
    p = float(ord)
    dim = () if dim is None else dim
    if not keepdim and self.dim() != 0:
        grad = unsqueeze_multiple(grad, dim, self.dim())
        norm = unsqueeze_multiple(norm, dim, self.dim())
    if p == 0.0:
        return None
    if p == 1.0:
        return self.sgn() * grad
    if p == 2.0:
        return grad * where(norm == 0, 0, self / norm)
    if math.isinf(p):
        # amax(abs(self)) (amin for -inf), the gradient shared among the ties and NaNs
        self_abs = self.abs()
        mask = self_abs.eq(norm).logical_or(self_abs.isnan())
        return self.sgn() * ((grad / mask.sum(dim, True)) * mask)
    if p < 1.0:
        self_scaled = self.sgn() * where(self == 0, 0, self.abs().pow(p - 1))
        return self_scaled * grad * norm.pow(1 - p)
    if p < 2.0:
        self_scaled = self.sgn() * self.abs().pow(p - 1)
    else:
        self_scaled = self * self.abs().pow(p - 2)
    return self_scaled * where(norm == 0, 0, grad / norm.pow(p - 1))


@rule_helper
def logsumexp_backward(grad, self, result, dim, keepdim):
    if not keepdim and self.dim() != 0:
        grad = unsqueeze_multiple(grad, dim, self.dim())
        result = unsqueeze_multiple(result, dim, self.dim())
    return grad * (self - result).exp()


@rule_helper
def reversed_cumsum(t, dim):
    return t.flip(dim).cumsum(dim).flip(dim)


@rule_helper
def cumsum_backward(grad, dim):
    if grad.numel() <= 1 or grad.shape[dim] == 1:
        return grad
    return reversed_cumsum(grad, dim)


@rule_helper
def cumprod_backward(grad, self, dim, result):
    """sum_{j >= k} grad_j * result_j / self_k, computed without dividing by zeros."""
    from .._creation import ones
    from .shape import cat

    if self.numel() <= 1:
        return grad
    d = wrap_dim(dim, self.dim())
    n = self.shape[d]
    if n == 1:
        return grad
    if not (self == 0).any():
        return reversed_cumsum(result * grad, d) / self
    # With zeros: the product of the other elements, k by k (PyTorch's O(n^2) form).
    ones_size = list(self.shape)
    ones_size[d] = 1
    one = ones(ones_size, dtype=grad.dtype)
    pieces = []
    for k in range(n):
        if k == 0:
            omitted = cat([one, self.narrow(d, 1, n - 1).cumprod(d)], d)
        elif k == n - 1:
            omitted = self.narrow(d, 0, k).prod(d, True)
        else:
            until_k = self.narrow(d, 0, k).prod(d, True)
            from_k = self.narrow(d, k + 1, n - k - 1).cumprod(d)
            omitted = cat([until_k, until_k * from_k], d)
        pieces.append((grad.narrow(d, k, n - k) * omitted).sum(d, True))
    return cat(pieces, d)


@rule_helper
def cummaxmin_backward(grad, self, indices, dim):
    if self.numel() == 0:
        return self
    return zeros_like(self).scatter_add(dim, indices, grad)


@rule_helper
def not_implemented_error(name):
    raise NotImplementedError(f"the derivative for '{name}' is not implemented.")


def _track_values(pair, node, input, saved):
    """Record ``node`` on the values of a (values, indices) result; the indices are saved."""
    if _needs_grad(input):
        values, indices = pair
        tracked(values, node, (input,), saved, {"indices": indices})
    return pair


# ---------------------------------------------------------------------- sums and means
def _sum_dtype(input, dtype):
    if dtype is not None:
        return dtype
    return input._dtype if input._dtype.category == _FLOAT else _I64


_add_reduce = np.add.reduce
_SCALAR_ORDERS = {}


def _scalar_order(n, dt):
    """The indices of a contiguous row of ``n < 8`` elements in PyTorch's order of addition
    (``small_order``), as a tuple, and a zero of the row's dtype."""
    key = (n, dt)
    found = _SCALAR_ORDERS.get(key)
    if found is None:
        perm = small_order(n, 8 if dt is _dt.float32 else 4) if n >= 4 else None
        order = tuple(range(n)) if perm is None else tuple(perm.tolist())
        found = _SCALAR_ORDERS[key] = (order, dt.np.type(0))
    return found


def _add_scalars(v, order, zero):
    """``0 + v[order[0]] + v[order[1]] + ...`` in v's dtype, one NumPy scalar addition at a
    time (each rounds to v's dtype, as PyTorch's loop does)."""
    acc = zero
    for i in order:
        acc = acc + v[i]
    return acc


def _sum(x, axes, keepdim, dt):
    if dt.category == _FLOAT:
        # PyTorch's cascade sum, added in its order (float16 accumulates in float32)
        return quiet.run(cascade_sum, x, axes, keepdim, _creation.get_num_threads())
    r = quiet.run(np.sum, x, axis=axes, keepdims=keepdim)
    if isinstance(r, np.ndarray):
        r = _contiguous(r)  # PyTorch's reductions return contiguous results whatever the input
    return r


SumBackward0 = derivative(
    "SumBackward0", inputs=("self",), saves=("self_sym_sizes",),
    self="grad.expand(self_sym_sizes)",
)
SumBackward1 = derivative(
    "SumBackward1", inputs=("self",), saves=("dim", "keepdim", "self_sym_sizes"), int64=("dim",),
    self="sum_backward(grad, self_sym_sizes, dim, keepdim)",
)
NansumBackward0 = derivative(
    "NansumBackward0", inputs=("self",), saves=("dim", "keepdim", "self"), int64=("dim",),
    self="nansum_backward(grad, self, dim, keepdim)",
)
MeanBackward0 = derivative(
    "MeanBackward0", inputs=("self",), saves=("self_sym_numel", "self_sym_sizes"),
    self="grad.expand(self_sym_sizes) / self_sym_numel",
)
MeanBackward1 = derivative(
    "MeanBackward1", inputs=("self",),
    saves=("dim", "keepdim", "self_sym_numel", "self_sym_sizes"), int64=("dim",),
    self="mean_backward(grad, self_sym_sizes, dim, self_sym_numel, keepdim)",
)
ProdBackward0 = derivative(
    "ProdBackward0", inputs=("self",), saves=("result", "self"),
    self="prod_backward(grad, self, result)",
)
ProdBackward1 = derivative(
    "ProdBackward1", inputs=("self",), saves=("dim", "keepdim", "result", "self"), int64=("dim",),
    self="prod_backward(grad, self, result, dim, keepdim)",
)


def sum(input, dim=_UNSET, keepdim=False, *, dtype=None, out=None):  # noqa: A001
    # ``sum(x)`` is PyTorch's sum (SumBackward0); any ``dim``, None too, is sum.dim_IntList.
    if dim is _UNSET and dtype is None and out is None and not keepdim:
        dt = input._dtype
        if dt.category == _FLOAT and dt is not _dt.float16:  # the common case, kept short
            x = input._data
            if x.ndim == 1 and x.size < 8 and (x.size < 4 or x.flags.c_contiguous):
                # a few NumPy scalar additions cost less than one reduction call
                r = quiet.run(_add_scalars, x, *_scalar_order(x.size, dt))
            elif x.size < 4:  # PyTorch adds them in order: 0 + x0 + x1 + x2
                r = quiet.run(_add_reduce, x, None, None, None, False, 0.0)
            elif not x.flags.c_contiguous:
                r = _sum(x, None, False, dt)
            elif x.size < 8:  # in an order of its own
                order = small_order(x.size, 8 if dt is _dt.float32 else 4)
                y = x if order is None else x.reshape(-1)[order]
                r = quiet.run(_add_reduce, y, None, None, None, False, 0.0)
            else:  # PyTorch's cascade sum, added in its order
                r = quiet.run(sum_all, x, _creation.get_num_threads())
            result = _wrap(r, dt)
            if input._requires_grad and _GRAD_MODE.grad_enabled:
                tracked(result, SumBackward0, (input,), {"self_sym_sizes": input._data.shape})
            return result
    if out is not None:
        _check_out("sum", out, input)
    given, dim = dim is not _UNSET, None if dim is _UNSET else dim
    dt = _sum_dtype(input, dtype)
    result = _finish(_sum(cast(input._data, dt), _axes(input, dim), keepdim, dt), dt, out)
    if _needs_grad(input):
        sizes = input._data.shape
        if not given and not keepdim:
            tracked(result, SumBackward0, (input,), {"self_sym_sizes": sizes})
        else:
            saved = {"dim": None if dim is None else _dims_tuple(dim), "keepdim": keepdim,
                     "self_sym_sizes": sizes}
            tracked(result, SumBackward1, (input,), saved)
    return result


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    dt = _sum_dtype(input, dtype)
    x = cast(input._data, dt)
    if dt.category == _FLOAT:
        x = np.where(np.isnan(x), x.dtype.type(0), x)
    result = _finish(_sum(x, _axes(input, dim), keepdim, dt), dt)
    if _needs_grad(input):
        saved = {"dim": None if dim is None else _dims_tuple(dim), "keepdim": keepdim,
                 "self": input}
        tracked(result, NansumBackward0, (input,), saved)
    return result


def _mean_dtype(input, dtype, name="mean"):
    dt = dtype or input._dtype
    if dt.category != _FLOAT:
        which = "Input" if dtype is None else "Optional"
        raise RuntimeError(
            f"{name}(): could not infer output dtype. {which} dtype must be either a floating "
            f"point or complex dtype. Got: {_dt.SCALAR_TYPE_NAMES[dt]}"
        )
    return dt


def _count(x, axes):
    """How many elements each output element reduces."""
    return x.size if axes is None else math.prod(x.shape[a] for a in axes)


def mean(input, dim=_UNSET, keepdim=False, *, dtype=None, out=None):
    # As for sum: a ``dim`` argument, None too, selects MeanBackward1.
    if out is not None:
        _check_out("mean", out, input)
    given, dim = dim is not _UNSET, None if dim is _UNSET else dim
    dt = _mean_dtype(input, dtype)
    # PyTorch: sum (rounded to the dtype), then divide; float16 sums and divides in float32
    # (the input converted to float32) and rounds the quotient.
    acc = _dt.float32 if dt is _F16 else dt
    x = cast(input._data, acc)
    axes = _axes(input, dim)
    total = np.asarray(_sum(x, axes, keepdim, acc))
    quotient = quiet.run(np.true_divide, total, acc.np.type(_count(x, axes)))
    result = _finish(cast(quotient, dt), dt, out)
    if _needs_grad(input):
        saved = {"self_sym_numel": input._data.size, "self_sym_sizes": input._data.shape}
        if not given and not keepdim:
            tracked(result, MeanBackward0, (input,), saved)
        else:
            saved.update(dim=None if dim is None else _dims_tuple(dim), keepdim=keepdim)
            tracked(result, MeanBackward1, (input,), saved)
    return result


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    dt = _mean_dtype(input, dtype, "nanmean")
    x = cast(input._data, dt)
    axes = _axes(input, dim)
    count = np.sum(~np.isnan(x), axis=axes, keepdims=keepdim)
    if _needs_grad(input):
        # PyTorch's composite: nansum(input) / (number of non-NaN elements).
        return div(nansum(input, dim, keepdim, dtype=dtype), _wrap(np.asarray(count), _I64))
    total = cast(np.asarray(_sum(np.where(np.isnan(x), x.dtype.type(0), x), axes, keepdim, dt)),
                 dt)
    return _finish(quiet.run(np.true_divide, total, count.astype(dt.np)), dt)


def prod(input, dim=None, keepdim=False, *, dtype=None):
    dt = _sum_dtype(input, dtype)
    x = cast(input._data, dt)
    axis = None if dim is None else wrap_dim(dim, x.ndim)
    axis = None if x.ndim == 0 else axis
    # float16 multiplies in float16.
    result = _finish(
        _contiguous(quiet.run(np.prod, x, axis=axis, keepdims=keepdim and dim is not None)), dt)
    if _needs_grad(input):
        if dim is None:
            tracked(result, ProdBackward0, (input,), {"self": input}, {"result": result})
        else:
            saved = {"dim": int(dim), "keepdim": keepdim, "self": input}
            tracked(result, ProdBackward1, (input,), saved, {"result": result})
    return result


# ---------------------------------------------------------------------- max, min, argmax
def _check_keepdim(name, keepdim):
    if not isinstance(keepdim, bool | np.bool_):
        raise TypeError(f"{name}(): argument 'keepdim' must be bool, not {type(keepdim).__name__}")


def _nan_first_arg(np_arg):
    """NumPy's argmax/argmin (first extreme), except that the first NaN wins, as in PyTorch."""

    def arg(x, axis):
        i = np_arg(x, axis=axis, keepdims=True)
        if x.dtype.kind == "f":
            nan = np.isnan(x)
            if nan.any():
                return np.where(nan.any(axis=axis, keepdims=True),
                                np.argmax(nan, axis=axis, keepdims=True), i)
        return i

    return arg


_argmax = _nan_first_arg(np.argmax)
_argmin = _nan_first_arg(np.argmin)


def _value_index(name, np_arg, input, dim, keepdim):
    """max(dim)/min(dim): the extreme values and the index where each sits."""
    _check_keepdim(name, keepdim)
    x = input._data
    nd = x.ndim
    d = wrap_dim(dim, nd)
    if nd == 0:
        return x.copy(), np.zeros((), np.int64)
    if x.shape[d] == 0:
        raise _empty_reduction_error(name, d)
    idx = np_arg(x, d)
    vals = np.take_along_axis(x, idx, axis=d)
    if not keepdim:
        idx, vals = np.squeeze(idx, d), np.squeeze(vals, d)
    return vals, idx


def _selection_nodes(stem, saves_keepdim=True, number=0):
    """The node of a reduction that picks one element per output (max(dim), sort, ...): the
    gradient goes back to the picked positions (``indices``). sort and topk keep the reduced
    dimension, so they save no ``keepdim``."""
    saves = ("dim", "indices", "keepdim", "self_sym_sizes") if saves_keepdim else (
        "dim", "indices", "self_sym_sizes")
    rule = ("value_selecting_reduction_backward(grad, dim, indices, self_sym_sizes, "
            f"{'keepdim' if saves_keepdim else 'True'})")
    return derivative(f"{stem}Backward{number}", inputs=("self",), saves=saves, int64=("dim",),
                      self=rule)


def _evenly_node(stem, number=1):
    """The node of a full max/min/median: the gradient is shared among the tied elements."""
    return derivative(f"{stem}Backward{number}", inputs=("self",), saves=("result", "self"),
                      self="evenly_distribute_backward(grad, self, result)")


MaxBackward0 = _selection_nodes("Max")
MinBackward0 = _selection_nodes("Min")
MaxBackward1 = _evenly_node("Max")
MinBackward1 = _evenly_node("Min")


def _max_min(name, np_red, np_arg, elementwise, nodes):
    by_dim, full = nodes

    def op(input, dim=None, keepdim=False):
        if isinstance(dim, Tensor):
            return elementwise(input, dim)
        if dim is None:
            if input._data.size == 0:
                raise _empty_reduction_error(name, None)
            result = _wrap(np.asarray(np_red(input._data)), input._dtype)
            if _needs_grad(input):
                tracked(result, full, (input,), {"self": input}, {"result": result})
            return result
        pair = _pair(name, *_value_index(name, np_arg, input, dim, keepdim), input._dtype)
        saved = {"dim": int(dim), "keepdim": keepdim, "self_sym_sizes": input._data.shape}
        return _track_values(pair, by_dim, input, saved)

    op.__name__ = name
    return op


max = _max_min("max", np.max, _argmax, maximum, (MaxBackward0, MaxBackward1))  # noqa: A001
min = _max_min("min", np.min, _argmin, minimum, (MinBackward0, MinBackward1))  # noqa: A001

# The gradient is shared evenly among the elements equal to the extreme.
AmaxBackward0 = derivative(
    "AmaxBackward0", inputs=("self",), saves=("dim", "keepdim", "result", "self"),
    int64=("dim",),
    self="scale_grad_by_count(restore_reduced_dims(grad, dim, keepdim), "
         "restore_reduced_dims(result, dim, keepdim) == self, dim)",
)
AminBackward0 = derivative(
    "AminBackward0", inputs=("self",), saves=("dim", "keepdim", "result", "self"),
    int64=("dim",),
    self="scale_grad_by_count(restore_reduced_dims(grad, dim, keepdim), "
         "restore_reduced_dims(result, dim, keepdim) == self, dim)",
)
AminmaxBackward0 = derivative(
    "AminmaxBackward0", inputs=("self",), saves=("dim", "keepdim", "max", "min", "self"),
    int64=("dim",), outputs=2,
    self="aminmax_backward(grads, self, dim, keepdim, min, max)",
)


@rule_helper
def aminmax_backward(grads, self, dim, keepdim, min, max):
    dims = () if dim is None else (dim,)
    low, high = (
        scale_grad_by_count(restore_reduced_dims(g, dims, keepdim),
                            restore_reduced_dims(value, dims, keepdim) == self, dims)
        for g, value in zip(grads, (min, max), strict=True)
    )
    return low + high


def _extreme(name, np_red, input, dim, keepdim):
    x = input._data
    axes = _axes(input, dim)
    if x.size == 0:
        if axes is None:
            raise _empty_reduction_error(name, None)
        # amax/amin name the dim as given (max/min/median name it wrapped)
        given = [dim] if isinstance(dim, int | np.integer) else list(dim)
        _check_nonempty_dims(name, x, given)
    return _wrap(_contiguous(np_red(x, axis=axes, keepdims=keepdim)), input._dtype)


def _amax_amin(name, np_red, node):
    def op(input, dim=(), keepdim=False):
        result = _extreme(name, np_red, input, dim, keepdim)
        if _needs_grad(input):
            saved = {"dim": _dims_tuple(dim), "keepdim": keepdim, "self": input}
            tracked(result, node, (input,), saved, {"result": result})
        return result

    op.__name__ = name
    return op


amax = _amax_amin("amax", np.max, AmaxBackward0)
amin = _amax_amin("amin", np.min, AminBackward0)


def aminmax(input, *, dim=None, keepdim=False):
    d = () if dim is None else dim
    low = _extreme("amin", np.min, input, d, keepdim)
    high = _extreme("amax", np.max, input, d, keepdim)
    result = return_types.aminmax(low, high)
    if _needs_grad(input):
        saved = {"dim": dim, "keepdim": keepdim, "self": input}
        tracked(result, AminmaxBackward0, (input,), saved, {"max": high, "min": low})
    return result


def _arg_extreme(name, np_arg):
    def op(input, dim=None, keepdim=False):
        x = input._data
        if input._dtype is _BOOL:
            raise RuntimeError(f"{name}(): does not support bool input")
        if dim is None:
            if x.size == 0:
                raise _empty_reduction_error(name, None, long_message=False)
            i = np_arg(x.reshape(-1), 0).reshape((1,) * x.ndim if keepdim else ())
            return _wrap(i.astype(np.int64), _I64)
        return _wrap(np.asarray(_value_index(name, np_arg, input, dim, keepdim)[1], np.int64),
                     _I64)

    op.__name__ = name
    return op


argmax = _arg_extreme("argmax", _argmax)
argmin = _arg_extreme("argmin", _argmin)


# ---------------------------------------------------------------------- variance and norms
def _var_args(dim, unbiased, correction):
    """(dim, the correction to apply, the correction PyTorch saves) from the call's arguments.

    PyTorch picks among three signatures: ``var(dim, unbiased=True, keepdim)``,
    ``var(dim=None, *, correction=None, keepdim)`` and ``var(unbiased=True)``; only the second
    leaves ``correction`` unset (None) when it is not given.
    """
    if isinstance(dim, bool):  # the legacy var(input, unbiased)
        unbiased, dim = dim, _UNSET
    if correction is not _UNSET:
        shown = correction
    elif unbiased is not None:
        shown = int(bool(unbiased))
    else:
        shown = 1 if dim is not _UNSET else None
    return (None if dim is _UNSET else dim), (1 if shown is None else shown), shown


VarBackward0 = derivative(
    "VarBackward0", inputs=("self",), saves=("correction", "dim", "keepdim", "self"),
    int64=("dim",), self="var_backward(grad, self, dim, correction, keepdim)",
)
StdBackward0 = derivative(
    "StdBackward0", inputs=("self",), saves=("correction", "dim", "keepdim", "result", "self"),
    int64=("dim",), self="std_backward(result, grad, self, dim, correction, keepdim)",
)
VarMeanBackward0 = derivative(
    "VarMeanBackward0", inputs=("self",), saves=("correction", "dim", "keepdim", "self"),
    int64=("dim",), outputs=2, self="var_mean_backward(grads, self, dim, correction, keepdim)",
)
StdMeanBackward0 = derivative(
    "StdMeanBackward0", inputs=("self",),
    saves=("correction", "dim", "keepdim", "result0", "self"), int64=("dim",), outputs=2,
    self="std_mean_backward(grads, self, result0, dim, correction, keepdim)",
)


def _track_variance(result, node, input, dim, shown, keepdim, outputs=None):
    if _needs_grad(input):
        saved = {"correction": shown, "dim": None if dim is None else _dims_tuple(dim),
                 "keepdim": keepdim, "self": input}
        tracked(result, node, (input,), saved, outputs)
    return result


def _variance(name, input, dim, correction, keepdim):
    dt = input._dtype
    if dt.category != _FLOAT:
        raise RuntimeError(f"{name} only support floating point and complex dtypes"
                           if name.endswith("_mean") else
                           "std and var only support floating point and complex dtypes")
    axes = _axes(input, dim)
    x = input._data
    out_numel = math.prod(n for a, n in enumerate(x.shape) if axes is not None and a not in axes)
    reduced = x.size // out_numel if out_numel else 0
    acc = np.float32 if dt is _F16 else None
    if reduced - correction > 0:
        return _contiguous(quiet.run(np.var, x, axis=axes, ddof=correction, keepdims=keepdim,
                                     dtype=acc)), dt
    warnings.warn(
        f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
        "reduction factor (input numel divided by output numel). (Triggered internally at "
        "/__w/pytorch/pytorch/aten/src/ATen/native/ReduceOps.cpp:1861.)",
        UserWarning,
        stacklevel=3,
    )
    with warnings.catch_warnings():  # NumPy's own degrees-of-freedom warning is not PyTorch's
        warnings.simplefilter("ignore", RuntimeWarning)
        return _contiguous(quiet.run(np.var, x, axis=axes, ddof=correction, keepdims=keepdim,
                                     dtype=acc)), dt


def var(input, dim=_UNSET, unbiased=None, keepdim=False, *, correction=_UNSET, out=None):
    if out is not None:
        _check_out("var", out, input)
    dim, correction, shown = _var_args(dim, unbiased, correction)
    r, dt = _variance("var", input, dim, correction, keepdim)
    return _track_variance(_finish(r, dt, out), VarBackward0, input, dim, shown, keepdim)


def std(input, dim=_UNSET, unbiased=None, keepdim=False, *, correction=_UNSET, out=None):
    if out is not None:
        _check_out("std", out, input)
    dim, correction, shown = _var_args(dim, unbiased, correction)
    r, dt = _variance("std", input, dim, correction, keepdim)
    result = _finish(np.sqrt(r), dt, out)
    return _track_variance(result, StdBackward0, input, dim, shown, keepdim, {"result": result})


def _plain_mean(input, dim, keepdim):
    from ..autograd.grad_mode import no_grad

    with no_grad():
        return mean(input, dim, keepdim)


def var_mean(input, dim=_UNSET, unbiased=None, keepdim=False, *, correction=_UNSET):
    dim, correction, shown = _var_args(dim, unbiased, correction)
    r, dt = _variance("var_mean", input, dim, correction, keepdim)
    result = (_finish(r, dt), _plain_mean(input, dim, keepdim))
    return _track_variance(result, VarMeanBackward0, input, dim, shown, keepdim)


def std_mean(input, dim=_UNSET, unbiased=None, keepdim=False, *, correction=_UNSET):
    dim, correction, shown = _var_args(dim, unbiased, correction)
    r, dt = _variance("std_mean", input, dim, correction, keepdim)
    result = (_finish(np.sqrt(r), dt), _plain_mean(input, dim, keepdim))
    return _track_variance(result, StdMeanBackward0, input, dim, shown, keepdim,
                           {"result0": result[0]})


LinalgVectorNormBackward0 = derivative(
    "LinalgVectorNormBackward0", inputs=("self",),
    saves=("dim", "keepdim", "ord", "result", "self"), int64=("dim",),
    self="linalg_vector_norm_backward(grad, self, ord, result, dim, keepdim)",
)
LogsumexpBackward0 = derivative(
    "LogsumexpBackward0", inputs=("self",), saves=("dim", "keepdim", "result", "self"),
    int64=("dim",), self="logsumexp_backward(grad, self, result, dim, keepdim)",
)


def _check_norm_identity(p, x, dim):
    """Negative and infinite norms have no identity: PyTorch refuses empty reductions."""
    start = f"linalg.vector_norm cannot compute the {p:g} norm on "
    if dim is None:
        if x.size == 0:
            raise RuntimeError(start + "an empty tensor because the operation does not have an "
                             "identity")
        return
    for d in [dim] if isinstance(dim, int | np.integer) else dim:
        if x.shape[wrap_dim(d, x.ndim)] == 0:
            raise RuntimeError(start + f"the dimension {d}because this dimension is empty and the "
                             "operation does not have an identity")


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    dt = dtype or input._dtype
    if dt.category != _FLOAT:
        raise RuntimeError(
            f"linalg.vector_norm: Expected a floating point or complex tensor as input. "
            f"Got {_dt.SCALAR_TYPE_NAMES[dt]}"
        )
    x = np.abs(cast(input._data, dt))
    if dt is _F16:
        x = x.astype(np.float32)
    axes = _axes(input, dim)
    if not isinstance(p, str) and p is not None and (p < 0 or p == float("inf")):
        _check_norm_identity(p, x, dim)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
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
            r = np.sum(x ** p, axis=axes, keepdims=keepdim) ** (1.0 / p)
    result = _finish(r, dt)
    if _needs_grad(input):
        saved = {"dim": None if dim is None else _dims_tuple(dim), "keepdim": keepdim,
                 "ord": 2 if p is None or p == "fro" else p, "self": input}
        tracked(result, LinalgVectorNormBackward0, (input,), saved, {"result": result})
    return result


def logsumexp(input, dim=_UNSET, keepdim=False):
    if dim is _UNSET:
        raise TypeError('logsumexp() missing 1 required positional arguments: "dim"')
    x = input._data
    if isinstance(dim, tuple | list) and not dim and not keepdim and x.ndim and x.size:
        # PyTorch's logsumexp does not handle an empty dim list without keepdim.
        raise RuntimeError(f"output with shape [] doesn't match the broadcast shape "
                           f"{[1] * x.ndim}")
    dt = input._dtype if input._dtype.category == _FLOAT else _dt.get_default_dtype()
    x = cast(x, dt)
    if dt is _F16:
        x = x.astype(np.float32)
    axes = _axes(input, dim)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        if x.size == 0:  # (-inf, recorded as any other result)
            s = np.log(np.sum(np.exp(x), axis=axes, keepdims=keepdim))
        else:
            # PyTorch: log(sum(exp(x - m))) + m, with infinite maxima replaced by 0.
            m = np.max(x, axis=axes, keepdims=True)
            m = np.where(np.isinf(m), m.dtype.type(0), m)
            s = via_double(np.log, np.sum(via_double(np.exp, x - m), axis=axes,
                                          keepdims=True)) + m
            if not keepdim:
                s = s.reshape(np.sum(x, axis=axes).shape)
    result = _finish(s, dt)
    if _needs_grad(input):
        saved = {"dim": _dims_tuple(dim), "keepdim": keepdim, "self": input}
        tracked(result, LogsumexpBackward0, (input,), saved, {"result": result})
    return result


# ---------------------------------------------------------------------- scans
CumsumBackward0 = derivative(
    "CumsumBackward0", inputs=("self",), saves=("dim",), int64=("dim",),
    self="cumsum_backward(grad, dim)",
)
CumprodBackward0 = derivative(
    "CumprodBackward0", inputs=("self",), saves=("dim", "result", "self"), int64=("dim",),
    self="cumprod_backward(grad, self, dim, result)",
)


def _scan(name, np_scan, node):
    def op(input, dim, *, dtype=None, out=None):
        if out is not None:
            _check_out(name, out, input)
        dt = _sum_dtype(input, dtype)
        if dt is _BOOL:
            raise not_implemented(f"{name}_out_cpu", dt)
        d = wrap_dim(dim, input._data.ndim)
        x = cast(input._data, dt)
        # PyTorch's CPU kernel accumulates in acc_type: float32 for float16, float64 for float32.
        acc = np.float32 if dt is _F16 else np.float64 if dt is _dt.float32 else None
        with np.errstate(over="ignore", invalid="ignore"):
            r = np_scan(x, axis=d, dtype=acc) if x.ndim else x.copy()
            if np_scan is np.cumsum and r.dtype.kind == "f" and x.ndim:
                r += 0.0  # PyTorch's sums start from +0: no partial sum is -0
        result = _finish(r, dt, out)
        if _needs_grad(input):
            if node is CumsumBackward0:
                tracked(result, node, (input,), {"dim": int(dim)})
            else:
                tracked(result, node, (input,), {"dim": int(dim), "self": input},
                        {"result": result})
        return result

    op.__name__ = name
    return op


cumsum = _scan("cumsum", np.cumsum, CumsumBackward0)
cumprod = _scan("cumprod", np.cumprod, CumprodBackward0)


def cumsum_(self, dim, *, dtype=None):
    """``cumsum`` in the tensor's own dtype, written into it (CumsumBackward0)."""
    from ..autograd.grad_mode import no_grad
    from ._common import check_inplace, commit_inplace, inplace_node, inplace_store
    from .linalg import _CPP_NAMES

    if dtype is not None and dtype is not self._dtype:
        raise RuntimeError(f"Bad in-place call: input tensor dtype {_CPP_NAMES[self._dtype]} and "
                           f"output tensor dtype {_CPP_NAMES[dtype]} should match")
    with no_grad():
        result = cumsum(self, dim, dtype=self._dtype)
    check_inplace(self, self._dtype, self._data.shape)
    node = inplace_node(CumsumBackward0, (self,), {"dim": int(dim)})
    inplace_store(self, result._data)
    return commit_inplace(self, node)

# The gradient of each output goes to the element it copied (scatter-added: one element can
# be the running extreme of several outputs).
CummaxBackward0 = derivative(
    "CummaxBackward0", inputs=("self",), saves=("dim", "indices", "self"), int64=("dim",),
    self="cummaxmin_backward(grad, self, indices, dim)",
)
CumminBackward0 = derivative(
    "CumminBackward0", inputs=("self",), saves=("dim", "indices", "self"), int64=("dim",),
    self="cummaxmin_backward(grad, self, indices, dim)",
)


def _cumulative_extreme(name, better, node):
    """cummax/cummin: a NaN, or an element at least as good, takes over (the later index)."""

    def op(input, dim):
        x = input._data
        if x.size == 0 and x.ndim:  # PyTorch returns empty results before it checks the dim
            pair = _pair(name, x.copy(), np.zeros(x.shape, np.int64), input._dtype)
            return _track_values(pair, node, input, {"dim": int(dim), "self": input})
        if x.ndim == 0 and dim not in (0, -1):
            raise IndexError(f"{name}(): Expected reduction dim -1 or 0 for scalar but got {dim}")
        d = wrap_dim(dim, x.ndim)
        if x.ndim == 0:
            pair = _pair(name, x.copy(), np.zeros((), np.int64), input._dtype)
            return _track_values(pair, node, input, {"dim": int(dim), "self": input})
        xs = np.moveaxis(x, d, 0)
        vals = np.empty_like(xs)
        idx = np.zeros(xs.shape, np.int64)
        if xs.shape[0]:
            best, where = xs[0].copy(), np.zeros(xs.shape[1:], np.int64)
            for i in range(xs.shape[0]):
                cur = xs[i]
                with np.errstate(invalid="ignore"):
                    take = (cur != cur) | ((best == best) & better(cur, best))
                best = np.where(take, cur, best)
                where = np.where(take, i, where)
                vals[i], idx[i] = best, where
        pair = _pair(name, np.moveaxis(vals, 0, d), np.moveaxis(idx, 0, d), input._dtype)
        return _track_values(pair, node, input, {"dim": int(dim), "self": input})

    op.__name__ = name
    return op


cummax = _cumulative_extreme("cummax", np.greater_equal, CummaxBackward0)
cummin = _cumulative_extreme("cummin", np.less_equal, CumminBackward0)


# ---------------------------------------------------------------------- logical reductions
def _all_any(name, np_red):
    def op(input, dim=None, keepdim=False, *, out=None):
        dt = _dt.uint8 if input._dtype is _dt.uint8 else _BOOL
        # Unlike sum, an empty dim list reduces nothing.
        axes = () if isinstance(dim, tuple | list) and not dim else _axes(input, dim)
        r = np_red(input._data != 0, axis=axes, keepdims=keepdim)
        return _finish(_contiguous(r), dt, out)

    op.__name__ = name
    return op


all = _all_any("all", np.all)  # noqa: A001
any = _all_any("any", np.any)  # noqa: A001


def count_nonzero(input, dim=None):
    return _wrap(
        np.asarray(np.count_nonzero(input._data, axis=_axes(input, dim))).astype(np.int64), _I64
    )


# ---------------------------------------------------------------------- ties
# PyTorch's CPU kernels order equal elements the way libstdc++'s std::sort, std::nth_element and
# std::partial_sort leave them; ``_cxx`` (autogradviz._stdlib_sort) replays those on a list
# ``v`` of (key, index) pairs, and ``_less``/``_greater`` compare the keys.
_REPLAY_LIMIT = 4096


def _quick_select(v, k, greater):
    """Sedgewick's quickselect as PyTorch's kthvalue runs it."""
    lo, hi = 0, len(v) - 1
    while True:
        if hi <= lo:
            return
        if hi == lo + 1:
            if greater(v[lo], v[hi]):
                v[lo], v[hi] = v[hi], v[lo]
            return
        p = (lo + hi) >> 1
        v[p], v[lo + 1] = v[lo + 1], v[p]
        if greater(v[lo + 1], v[hi]):
            v[lo + 1], v[hi] = v[hi], v[lo + 1]
        if greater(v[lo], v[hi]):
            v[lo], v[hi] = v[hi], v[lo]
        if greater(v[lo + 1], v[lo]):
            v[lo + 1], v[lo] = v[lo], v[lo + 1]
        i, j = lo + 1, hi
        pivot = v[lo]
        while True:
            i += 1
            while greater(pivot, v[i]):
                i += 1
            j -= 1
            while greater(v[j], pivot):
                j -= 1
            if j < i:
                break
            v[i], v[j] = v[j], v[i]
        v[lo], v[j] = v[j], v[lo]
        if j <= k:
            lo = i
        if j >= k:
            hi = j - 1


def _keyed(row):
    """``row`` as a list of (key, index) pairs whose integer keys order it as PyTorch's
    comparators do: NaN above everything, all NaNs equal, -0.0 equal to 0.0."""
    order = np.argsort(row, kind="stable")
    s = row[order]
    new = s[1:] != s[:-1]
    if row.dtype.kind == "f":
        new &= ~(np.isnan(s[1:]) & np.isnan(s[:-1]))
    keys = np.empty(row.size, np.int64)
    keys[order] = np.concatenate([[0], np.cumsum(new)])
    return list(zip(keys.tolist(), range(row.size), strict=True))


def _tie_rows(rows):
    """The rows of a 2-D array to replay: those holding elements PyTorch's comparators call
    equal (none if the rows are longer than ``_REPLAY_LIMIT``)."""
    if rows.shape[1] > _REPLAY_LIMIT:
        return np.zeros(len(rows), bool)
    s = np.sort(rows, axis=1)
    same = s[:, 1:] == s[:, :-1]
    if rows.dtype.kind == "f":
        same |= np.isnan(s[:, 1:]) & np.isnan(s[:, :-1])
    return same.any(axis=1)


def _rows(x, d):
    """``x`` with dimension ``d`` moved last and the others flattened, and a function that
    undoes it for a result whose last dimension may have a new length."""
    moved = np.moveaxis(x, d, -1)
    lead = moved.shape[:-1]

    def restore(r):
        return np.moveaxis(r.reshape(*lead, r.shape[-1]), -1, d)

    return moved.reshape(math.prod(lead), moved.shape[-1]), restore  # (-1 fails when empty)


def _less(a, b):
    return a[0] < b[0]


def _greater(a, b):
    return a[0] > b[0]


# ---------------------------------------------------------------------- selection
def _lower_median_index(x, axis, ignore_nan=False):
    """Index along ``axis`` of the lower median; the comparator breaks ties by index.

    ``torch.median`` reports the first NaN if there is one; ``nanmedian`` skips NaNs.
    """
    order = np.argsort(x, axis=axis, kind="stable")  # NaN last, ties by index
    n = x.shape[axis]
    if x.dtype.kind != "f":
        return np.take(order, [(n - 1) // 2], axis=axis)
    nan = np.isnan(x)
    count = np.sum(nan, axis=axis, keepdims=True)
    if ignore_nan:
        pos = np.maximum(n - count - 1, 0) // 2
        return np.take_along_axis(order, pos, axis=axis)
    first_nan = np.argmax(nan, axis=axis, keepdims=True)
    return np.where(count > 0, first_nan, np.take(order, [(n - 1) // 2], axis=axis))


def _median(name, input, dim, keepdim, ignore_nan):
    x = input._data
    if dim is None:
        if input._dtype is _BOOL and x.size:  # (an empty one gives NaN cast to bool: True)
            raise not_implemented("median_cpu", _BOOL)
        if x.size == 0:
            with np.errstate(invalid="ignore"):  # NaN cast to an integer, as in C++
                return _wrap(np.asarray(np.nan).astype(x.dtype), input._dtype)
        flat = x.reshape(-1)
        return _wrap(flat[_lower_median_index(flat, 0, ignore_nan)].reshape(()), input._dtype)
    nd = x.ndim
    d = wrap_dim(dim, nd)  # PyTorch checks the dim before the dtype
    if input._dtype is _BOOL:
        raise not_implemented("median_out", _BOOL)
    if nd == 0:
        return _pair(name, x.copy(), np.zeros((), np.int64), input._dtype)
    if x.shape[d] == 0:
        raise _empty_reduction_error(name, d)
    i = _lower_median_index(x, d, ignore_nan)
    v = np.take_along_axis(x, i, axis=d)
    if not keepdim:
        i, v = np.squeeze(i, d), np.squeeze(v, d)
    return _pair(name, v, i, input._dtype)


MedianBackward0 = _evenly_node("Median", 0)
MedianBackward1 = _selection_nodes("Median", number=1)
NanmedianBackward0 = _evenly_node("Nanmedian", 0)
NanmedianBackward1 = _selection_nodes("Nanmedian", number=1)
ModeBackward0 = _selection_nodes("Mode")
KthvalueBackward0 = _selection_nodes("Kthvalue")
SortBackward0 = _selection_nodes("Sort", saves_keepdim=False)
SortBackward1 = _selection_nodes("Sort", saves_keepdim=False, number=1)
TopkBackward0 = _selection_nodes("Topk", saves_keepdim=False)


def _track_median(result, input, dim, keepdim, nodes):
    if dim is None:
        if _needs_grad(input):
            tracked(result, nodes[0], (input,), {"self": input}, {"result": result})
        return result
    saved = {"dim": int(dim), "keepdim": keepdim, "self_sym_sizes": input._data.shape}
    return _track_values(result, nodes[1], input, saved)


def median(input, dim=None, keepdim=False):
    result = _median("median", input, dim, keepdim, ignore_nan=False)
    return _track_median(result, input, dim, keepdim, (MedianBackward0, MedianBackward1))


def nanmedian(input, dim=None, keepdim=False):
    result = _median("nanmedian", input, dim, keepdim, ignore_nan=True)
    return _track_median(result, input, dim, keepdim, (NanmedianBackward0, NanmedianBackward1))


def _selected(pair, node, input, dim, keepdim=None):
    saved = {"dim": int(dim), "self_sym_sizes": input._data.shape}
    if keepdim is not None:
        saved["keepdim"] = keepdim
    return _track_values(pair, node, input, saved)


def mode(input, dim=-1, keepdim=False):
    return _selected(_mode(input, dim, keepdim), ModeBackward0, input, dim, keepdim)


def kthvalue(input, k, dim=-1, keepdim=False):
    return _selected(_kthvalue(input, k, dim, keepdim), KthvalueBackward0, input, dim, keepdim)


def _mode(input, dim, keepdim):
    """The most frequent value (the smallest on a tie) and the index PyTorch reports for it:
    where its last copy ends up after ``std::sort`` by value."""
    x = input._data
    nd = x.ndim
    d = wrap_dim(dim, nd)
    if nd == 0:
        return _pair("mode", x.copy(), np.zeros((), np.int64), input._dtype)
    if x.shape[d] == 0:
        raise _empty_reduction_error("mode", d)
    rows, restore = _rows(x, d)
    vals = np.empty((rows.shape[0], 1), x.dtype)
    idx = np.empty((rows.shape[0], 1), np.int64)
    for r, row in enumerate(rows):
        if row.size > _REPLAY_LIMIT:  # a stable sort keeps the last copy last
            uniq, counts = np.unique(row, return_counts=True)
            vals[r, 0] = uniq[np.argmax(counts)]
            idx[r, 0] = np.flatnonzero(row == vals[r, 0])[-1]
            continue
        v = list(zip(row.tolist(), range(row.size), strict=True))  # raw values: NaN as in C++
        _cxx.sort(v, 0, len(v), _less)
        best, run = 0, 0
        for i in range(len(v)):
            run += 1
            if i == len(v) - 1 or v[i][0] != v[i + 1][0]:
                if run > best:
                    vals[r, 0], idx[r, 0], best = v[i][0], v[i][1], run
                run = 0
    vals, idx = restore(vals), restore(idx)
    if not keepdim:
        vals, idx = np.squeeze(vals, d), np.squeeze(idx, d)
    return _pair("mode", vals, idx, input._dtype)


def _kthvalue(input, k, dim, keepdim):
    x = input._data
    nd = x.ndim
    d = wrap_dim(dim, nd)
    if input._dtype is _BOOL:
        raise not_implemented("kthvalue_cpu", _BOOL)
    if nd and x.shape[d] == 0:
        raise _empty_reduction_error("kthvalue", d)
    size = x.shape[d] if nd else 1
    if not 1 <= k <= size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    if nd == 0:
        return _pair("kthvalue", x.copy(), np.zeros((), np.int64), input._dtype)
    rows, restore = _rows(x, d)
    idx = np.argsort(rows, axis=1, kind="stable")[:, k - 1:k]  # the answer without ties
    for r in np.flatnonzero(_tie_rows(rows)):
        v = _keyed(rows[r])
        _quick_select(v, k - 1, _greater)
        idx[r, 0] = v[k - 1][1]
    vals, idx = restore(np.take_along_axis(rows, idx, axis=1)), restore(idx)
    if not keepdim:
        vals, idx = np.squeeze(vals, d), np.squeeze(idx, d)
    return _pair("kthvalue", vals, idx, input._dtype)


# ---------------------------------------------------------------------- sorting
def _stable_argsort(x, axis, descending):
    if not descending:
        return np.argsort(x, axis=axis, kind="stable")
    # Stable descending order: sort the reversed array ascending, then reverse back.
    n = x.shape[axis]
    order = np.argsort(np.flip(x, axis=axis), axis=axis, kind="stable")
    return n - 1 - np.flip(order, axis=axis)


def _sort_order(x, d, descending, stable):
    """The permutation PyTorch's sort produces along ``d``.

    ``std::stable_sort`` is NumPy's stable sort. ``std::sort`` is too for up to 16 elements
    (insertion sort), and for rows without ties; other rows replay libstdc++'s introsort.
    """
    order = _stable_argsort(x, d, descending)
    if stable or x.shape[d] <= _cxx.THRESHOLD:
        return order
    rows, restore = _rows(x, d)
    out = _rows(order, d)[0].copy()
    less = _greater if descending else _less
    for r in np.flatnonzero(_tie_rows(rows)):
        v = _keyed(rows[r])
        _cxx.sort(v, 0, len(v), less)
        out[r] = [i for _, i in v]
    return restore(out)


def sort(input, dim=-1, descending=False, stable=None, *, out=None):
    if out is not None:
        _check_out("sort", out, input)
    if isinstance(dim, bool):  # sort(input, stable, dim=..., descending=...)
        dim = -1
    x = input._data
    nd = x.ndim
    d = wrap_dim(dim, nd)
    if nd == 0:
        pair = _pair("sort", x.copy(), np.zeros((), np.int64), input._dtype)
    else:
        order = _sort_order(x, d, descending, stable)
        pair = return_types.sort(
            _wrap(_laid_out_like(input, np.take_along_axis(x, order, axis=d)), input._dtype),
            _wrap(_laid_out_like(input, order.astype(np.int64, copy=False)), _I64))
    # ``stable=`` selects PyTorch's other overload (sort.stable).
    return _selected(pair, SortBackward0 if stable is None else SortBackward1, input, dim)


def argsort(input, dim=-1, descending=False, stable=False):
    return sort(input, dim, descending, stable)[1]


def msort(input):
    return sort(input, 0)[0]


def topk(input, k, dim=-1, largest=True, sorted=True):
    return _selected(_topk(input, k, dim, largest, sorted), TopkBackward0, input, dim)


def _topk(input, k, dim, largest, sorted):
    """The k largest (or smallest) elements, placed as PyTorch's ``std::nth_element`` (or, for
    small k, ``std::partial_sort``) and ``std::sort`` leave them."""
    x = input._data
    nd = x.ndim
    d = wrap_dim(dim, nd)
    n = x.shape[d] if nd else 1
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    if input._dtype is _BOOL:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    if nd == 0:
        return _pair("topk", x.copy(), np.zeros((), np.int64), input._dtype)
    rows, restore = _rows(x, d)
    idx = _stable_argsort(rows, 1, largest)[:, :k]  # the answer for sorted rows without ties
    replay = _tie_rows(rows) if sorted else np.ones(len(rows), bool)
    less = _greater if largest else _less
    for r in np.flatnonzero(replay) if k else ():
        v = _keyed(rows[r])
        _cxx.topk(v, k, less, sorted)
        idx[r] = [i for _, i in v[:k]]
    idx = restore(idx)
    return _pair("topk", np.take_along_axis(x, idx, axis=d), idx, input._dtype)


# PyTorch declares no derivative for these: backward through their node raises.
Unique2Backward0 = derivative("Unique2Backward0", inputs=("self",),
                              self="not_implemented_error('_unique2')")
UniqueDimBackward0 = derivative("UniqueDimBackward0", inputs=("self",),
                                self="not_implemented_error('unique_dim')")
UniqueConsecutiveBackward0 = derivative("UniqueConsecutiveBackward0", inputs=("self",),
                                        self="not_implemented_error('unique_consecutive')")


def _track_first(result, node, input):
    if _needs_grad(input):
        tracked(result[0] if isinstance(result, tuple) else result, node, (input,))
    return result


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    result = _unique(input, return_inverse, return_counts, dim)
    return _track_first(result, Unique2Backward0 if dim is None else UniqueDimBackward0, input)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    result = _unique_consecutive(input, return_inverse, return_counts)
    return _track_first(result, UniqueConsecutiveBackward0, input)


def _unique(input, return_inverse, return_counts, dim):
    x = input._data
    if dim is None:
        res = np.unique(x.reshape(-1), return_inverse=return_inverse,
                        return_counts=return_counts, equal_nan=False)  # NaNs stay distinct
    else:
        d = wrap_dim(dim, x.ndim)
        res = np.unique(x, return_inverse=return_inverse, return_counts=return_counts, axis=d)
    if not (return_inverse or return_counts):
        return _wrap(res, input._dtype)
    out = [_wrap(res[0], input._dtype)]
    i = 1
    if return_inverse:
        inv = res[i].reshape(x.shape if dim is None else (x.shape[wrap_dim(dim, x.ndim)],))
        out.append(_wrap(inv.astype(np.int64), _I64))
        i += 1
    if return_counts:
        out.append(_wrap(res[i].astype(np.int64), _I64))
    return tuple(out)


def _unique_consecutive(input, return_inverse, return_counts):
    x = input._data.reshape(-1)
    if x.size == 0:
        return _wrap(x.copy(), input._dtype)
    keep = np.concatenate([[True], x[1:] != x[:-1]])
    out = [_wrap(x[keep], input._dtype)]
    if return_inverse:
        out.append(_wrap((np.cumsum(keep) - 1).reshape(input._data.shape), _I64))
    if return_counts:
        starts = np.flatnonzero(keep)
        out.append(_wrap(np.diff(np.append(starts, x.size)).astype(np.int64), _I64))
    return out[0] if len(out) == 1 else tuple(out)


# ---------------------------------------------------------------------- softmax
def _softmax_input(name, input, dim, dtype):
    x = input._data if dtype is None else cast(input._data, dtype)
    dt = input._dtype if dtype is None else dtype
    if dim is None:
        dim = 0 if x.ndim in (0, 1, 3) else 1
    d = wrap_dim(dim, x.ndim)
    if dt.category != _FLOAT:
        lastdim = x.ndim <= 1 or d == x.ndim - 1
        raise not_implemented(f"{name}{'_lastdim' if lastdim else ''}_kernel_impl", dt)
    # float16 runs in float32 (PyTorch's opmath), rounding once.
    return (x.astype(np.float32) if dt is _F16 else x), d, dt


SoftmaxBackward0 = derivative(
    "SoftmaxBackward0", inputs=("self",), saves=("dim", "result"), int64=("dim",),
    self="softmax_backward_data(grad, result, dim)",
)
LogSoftmaxBackward0 = derivative(
    "LogSoftmaxBackward0", inputs=("self",), saves=("dim", "result"), int64=("dim",),
    self="log_softmax_backward_data(grad, result, dim)",
)


def _softmax_family(name, kernel, node):
    def op(input, dim=None, dtype=None, *, _stacklevel=3):
        source = input
        if dtype is not None and dtype is not input._dtype and _needs_grad(input):
            source, dtype = input.to(dtype), None  # PyTorch casts first (ToCopyBackward0)
        x, d, dt = _softmax_input(name, source, dim, dtype)
        result = kernel(_contiguous(x), d, dt)  # PyTorch's kernels write contiguous outputs
        if _needs_grad(source):
            saved = {"dim": int(dim) if dim is not None else (0 if x.ndim in (0, 1, 3) else 1)}
            tracked(result, node, (source,), saved, {"result": result})
        return result

    op.__name__ = name
    return op


def _softmax(x, d, dt):
    if x.ndim == 0:  # one element: 1, or NaN where it is not finite (inf - inf)
        return _wrap(_softmax(x.reshape(1), 0, dt)._data.reshape(()), dt)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        e = via_double(np.exp, x - np.max(x, axis=d, keepdims=True)) if x.size else x
        s = np.sum(e, axis=d, keepdims=True)
        # PyTorch's last-dimension kernel multiplies by the reciprocal of the sum.
        r = e * (1 / s) if d == x.ndim - 1 else e / s
    return _finish(r, dt)


def _log_softmax(x, d, dt):
    if x.ndim == 0:  # one element: 0, or NaN where it is not finite
        return _wrap(_log_softmax(x.reshape(1), 0, dt)._data.reshape(()), dt)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        shifted = x - np.max(x, axis=d, keepdims=True) if x.size else x
        s = np.sum(via_double(np.exp, shifted), axis=d, keepdims=True)
        r = shifted - via_double(np.log, s)
    return _finish(r, dt)


softmax = _softmax_family("softmax", _softmax, SoftmaxBackward0)
log_softmax = _softmax_family("log_softmax", _log_softmax, LogSoftmaxBackward0)
