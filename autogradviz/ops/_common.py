"""Helpers shared by the operation families: operands, casting, PyTorch's error messages."""

from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from .._stack import user_stacklevel
from .._tensor import Tensor, _wrap, is_scalar, scalar_type_name
from ..autograd.grad_mode import STATE as _GRAD_MODE
from ..autograd.graph import make_node as _make_node
from ..autograd.graph import record as _record
from ..autograd.inplace import check_view as _check_view
from ..autograd.inplace import rebase_history as _rebase_history

_FLOAT = _dt._FLOAT
_INT = _dt._INT
_promote = _dt._PROMOTE
result_type = _dt.result_type


def cast(arr, dtype):
    """``arr`` in ``dtype`` (no copy when it already is)."""
    if arr.dtype is dtype.np or arr.dtype == dtype.np:
        return arr
    if dtype is _dt.bool:
        return arr != 0
    with np.errstate(invalid="ignore", over="ignore"):
        return arr.astype(dtype.np)


def int_scalar(value):
    """A Python int as PyTorch's argument parser takes it: one that fits in 64 bits (signed,
    or unsigned above 2**63), else its OverflowError."""
    if not -(1 << 63) <= value < (1 << 64):
        raise OverflowError("int too big to convert")
    return value


def scalar_as(value, dtype):
    """A Python/NumPy scalar converted the way PyTorch converts a wrapped number to ``dtype``."""
    if isinstance(value, Tensor | np.generic):
        value = value.item()
    elif type(value) is int:
        int_scalar(value)
    if dtype.category == _FLOAT:
        return float(value)
    if dtype is _dt.bool:
        return bool(value)
    if isinstance(value, float):
        # PyTorch truncates toward zero (C cast) when a float lands in an integer result.
        value = int(value) if np.isfinite(value) else 0
    if value >= 1 << 63:  # an unsigned 64-bit value: its bits as int64, as PyTorch keeps them
        value -= 1 << 64
    return np.array(value, dtype=np.int64).astype(dtype.np)[()]


def as_tensor_operand(x):
    """Turn a non-tensor operand (number, NumPy value) into something ``result_type`` reads."""
    if isinstance(x, Tensor) or is_scalar(x):
        return x
    if isinstance(x, np.ndarray):
        return _wrap(np.asarray(x), _dt.from_numpy_dtype(x.dtype))
    return None


def operands(a, b):
    """Arrays (or scalars) of ``a`` and ``b`` cast to their PyTorch result dtype, and that dtype.

    ``a`` is a tensor. ``b`` may be a tensor or a number; a number stays a Python scalar so
    that NumPy treats it weakly, as PyTorch treats wrapped numbers.
    """
    if isinstance(b, Tensor) and b._is_wrapped_number:
        b = b._data.item()  # a saved number operand: promoted as the number it was
    elif a._is_wrapped_number and isinstance(b, Tensor):
        bb, aa, dt = operands(b, a._data.item())
        return aa, bb, dt
    tb = type(b)
    if (tb is float or tb is int) and a._dtype.category == _FLOAT and not a._is_wrapped_number:
        # The most common mixed case, ``t * 0.5``: a number never changes a float tensor's
        # dtype, and PyTorch converts it to that dtype's opmath (a Python float here)
        return a._data, float(int_scalar(b) if tb is int else b), a._dtype
    if isinstance(b, Tensor):
        da, db = a._dtype, b._dtype
        if da is db:
            return a._data, b._data, da
        dt = result_type(a, b)
        return cast(a._data, dt), cast(b._data, dt), dt
    if is_scalar(b):
        dt = result_type(a, b)
        return cast(a._data, dt), scalar_as(b, dt), dt
    bt = as_tensor_operand(b)
    if bt is None:
        raise TypeError(f"unsupported operand type: '{type(b).__name__}'")
    return operands(a, bt)


def broadcast_error(shape_a, shape_b):
    """PyTorch's message for shapes that do not broadcast (it scans from the last dimension)."""
    n = max(len(shape_a), len(shape_b))
    for i in range(n - 1, -1, -1):
        ia = i - (n - len(shape_a))
        ib = i - (n - len(shape_b))
        sa = shape_a[ia] if ia >= 0 else 1
        sb = shape_b[ib] if ib >= 0 else 1
        if sa != sb and sa != 1 and sb != 1:
            return RuntimeError(
                f"The size of tensor a ({sa}) must match the size of tensor b ({sb}) "
                f"at non-singleton dimension {i}"
            )
    return RuntimeError(f"shapes {list(shape_a)} and {list(shape_b)} cannot be broadcast")


def shape_of(x):
    return x.shape if isinstance(x, Tensor | np.ndarray) else ()


def cast_error(result, out):
    return RuntimeError(
        f"result type {scalar_type_name(result)} can't be cast to the desired output type "
        f"{scalar_type_name(out)}"
    )


def not_implemented(kernel, dtype):
    return NotImplementedError(f'"{kernel}" not implemented for \'{scalar_type_name(dtype)}\'')


def write_out(out, arr, dtype):
    """Store a result in ``out=``: PyTorch resizes a mis-shaped ``out`` and checks the dtype."""
    if not isinstance(out, Tensor):
        raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    if not _dt.can_cast(dtype, out._dtype):
        raise cast_error(dtype, out._dtype)
    if out._data.shape != arr.shape:
        if out._data.size:
            import warnings

            warnings.warn(
                f"An output with one or more elements was resized since it had shape "
                f"{list(out._data.shape)}, which does not match the required output shape "
                f"{list(arr.shape)}. This behavior is deprecated, and in a future PyTorch "
                "release outputs will not be resized unless they have zero elements. You can "
                "explicitly reuse an out tensor t by resizing it, inplace, to zero elements with "
                "t.resize_(0). (Triggered internally at "
                "/__w/pytorch/pytorch/aten/src/ATen/native/Resize.cpp:30.)",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
        out._data = cast(np.ascontiguousarray(arr), out._dtype).copy()
    else:
        out._data[...] = cast(arr, out._dtype)
    out._bump_version()
    return out


def check_inplace_grad(t):
    """Autograd's refusals of an in-place write into ``t``, which PyTorch makes before the
    operation looks at its arguments (shapes, dtypes, overlap): in its order, the view's own
    restrictions, a view of a leaf, a leaf."""
    if not _GRAD_MODE.grad_enabled:
        return
    base = t._base
    if base is not None and (base._requires_grad or t._requires_grad):
        _check_view(t)
        if base._requires_grad and base.grad_fn is None:
            raise RuntimeError(
                "a view of a leaf Variable that requires grad is being used in an in-place "
                "operation."
            )
    if t._requires_grad and t.grad_fn is None:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation."
        )


def check_inplace(t, result_dtype, result_shape):
    """PyTorch's checks for writing a result into ``t`` in place; nothing is changed on error."""
    check_inplace_grad(t)
    if tuple(result_shape) != t._data.shape:
        raise RuntimeError(
            f"output with shape {list(t._data.shape)} doesn't match the broadcast shape "
            f"{list(result_shape)}"
        )
    if not _dt.can_cast(result_dtype, t._dtype):
        raise cast_error(result_dtype, t._dtype)
    if not t._data.flags.writeable:
        raise RuntimeError("unsupported operation: the tensor's memory is read-only")


def inplace_store(t, arr):
    """Write ``arr`` into ``t``'s storage (shared with its views) and bump the version."""
    t._data[...] = arr
    t._bump_version()
    return t


# In-place operations record in two steps, around the write (the version bump):
#     node = inplace_node(IndexFillBackward0, (self,), {"dim": dim, "index": index})
#     ... write into self, bump its version ...
#     return commit_inplace(self, node)
# The node is made before the write, so its edges are the inputs' histories before it;
# ``commit_inplace`` then rewrites the history: ``self``'s, or through CopySlices its base's
# when ``self`` is a view (see ``autograd/inplace.py``).
def inplace_node(node_cls, inputs, saved=None):
    """The node recording an in-place operation (``inputs[0]`` is the written tensor), or None
    when grad mode is off or no input requires grad (one check when grad mode is off)."""
    if _GRAD_MODE.grad_enabled:
        for t in inputs:
            if t is not None and t._requires_grad:
                return _make_node(node_cls, inputs, saved)
    return None


def commit_inplace(self, node, result=None):
    """After the write into ``self``: ``node`` (from ``inplace_node``, or the node an
    out-of-place ``result`` was recorded with) becomes the history. Returns ``self``."""
    if node is not None:
        _rebase_history(self, node, result)
    return self


def tracked(out, node_cls, inputs, saved=None, saved_outputs=None):
    """Record ``node_cls`` as the ``grad_fn`` of ``out`` if grad mode is on and an input needs it.

    ``inputs``: the differentiable inputs in the derivative declaration's order (None where
    an argument is not a tensor); ``saved``: values the rules read (tensors are saved with
    their version); ``saved_outputs``: outputs the rules read (e.g. ``result``).
    """
    if _GRAD_MODE.grad_enabled:
        for t in inputs:
            if t is not None and t._requires_grad:
                _record(node_cls, out, inputs, saved, saved_outputs)
                break
    return out
