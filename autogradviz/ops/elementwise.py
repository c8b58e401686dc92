"""Elementwise operations: arithmetic, comparisons, logic and the unary math functions.

Each binary operation promotes its operands with PyTorch's rules (``_common.operands``), runs
the NumPy kernel, and turns NumPy's broadcasting error into PyTorch's. In-place forms run
PyTorch's checks in PyTorch's order (the operation's own argument checks, memory overlap, the
broadcast shape, the result dtype) before anything is computed, so a failed call changes nothing.

Rounding follows PyTorch's kernels where NumPy's differ:

- float16 arithmetic with a number (or 0-d tensor) as second operand runs in float32 and rounds
  once, as PyTorch's ``opmath`` does for ``*``, ``/`` and ``//``;
- float32 transcendental functions on tensors of up to 16,384 elements are evaluated in float64
  and rounded once: PyTorch's float kernels are within an ulp of the exact result and usually
  the correctly rounded one, which NumPy's float32 SIMD kernels often are not. Longer tensors
  use NumPy's float32 kernels (a third of the time): PyTorch itself switches to SLEEF's
  vectorised kernels on long tensors, so its own last bits depend on the length, and parity
  there is within a few ulp either way.
"""

from __future__ import annotations

import contextvars
import math
import threading

import numpy as np

from .. import _sleef
from .. import dtypes as _dt
from .._fma import _fma32, _fma64
from .._tensor import Tensor, _wrap, is_scalar
from ..autograd.grad_mode import STATE as _GRAD_MODE
from ..autograd.graph import SavedTensor, derivative, rule_helper
from ._backward import mul_scalar, sub_scalar, zeros_like
from ._common import (
    _FLOAT,
    _INT,
    broadcast_error,
    cast,
    check_inplace,
    check_inplace_grad,
    commit_inplace,
    inplace_node,
    inplace_store,
    int_scalar,
    not_implemented,
    operands,
    result_type,
    shape_of,
    tracked,
    write_out,
)

__all__ = [
    "abs", "absolute", "acos", "acosh", "add", "arccos", "arccosh", "arcsin", "arcsinh",
    "arctan", "arctan2", "arctanh", "asin", "asinh", "atan", "atan2", "atanh", "bitwise_and",
    "bitwise_not", "bitwise_or", "bitwise_xor", "ceil", "clamp", "clamp_max", "clamp_min",
    "clip", "copysign", "cos", "cosh", "div", "divide", "eq", "erf", "erfc", "exp", "exp2",
    "expm1", "fix", "float_power", "floor", "floor_divide", "fmax", "fmin", "fmod", "frac",
    "ge", "greater", "greater_equal", "gt", "hypot", "isfinite", "isinf", "isnan", "isneginf",
    "isposinf", "isreal", "le", "lerp", "less", "less_equal", "log", "log1p", "log2", "log10",
    "logaddexp", "logical_and", "logical_not", "logical_or", "logical_xor", "lt", "maximum",
    "minimum", "mul", "nan_to_num", "ne", "neg", "negative", "not_equal", "positive", "pow",
    "reciprocal", "relu", "remainder", "round", "rsqrt", "rsub", "sgn", "sigmoid", "sign",
    "signbit", "sin", "sinh", "sqrt", "square", "sub", "tan", "tanh", "true_divide", "trunc",
    "where",
]

_np_add = np.add
_np_sub = np.subtract
_np_mul = np.multiply
_BOOL = _dt.bool
_F16 = _dt.float16
_F32 = _dt.float32
_F64 = _dt.float64

# The C++ type names PyTorch's scalar-overflow message uses.
_C_TYPE_NAMES = {
    _dt.uint8: "uint8_t", _dt.int8: "int8_t", _dt.int16: "int16_t", _dt.int32: "int",
    _dt.int64: "int64_t", _dt.float16: "c10::Half", _dt.float32: "float", _dt.float64: "double",
}
# The names some PyTorch messages print for a tensor's dtype (caffe2 TypeMeta names).
_META_NAMES = {
    _BOOL: "bool", _dt.uint8: "unsigned char", _dt.int8: "signed char", _dt.int16: "short int",
    _dt.int32: "int", _dt.int64: "long int", _dt.float16: "c10::Half", _dt.float32: "float",
    _dt.float64: "double",
}


class _Quiet(threading.local):
    """Runs a NumPy call with its floating-point warnings off, as PyTorch computes inf - inf or
    0 * inf silently. Entering a prepared context costs ~20 ns where np.errstate costs ~1 us,
    which the fast paths cannot afford; a context is entered by one thread at a time, hence
    one per thread."""

    def __init__(self):
        ctx = contextvars.copy_context()
        ctx.run(np.seterr, all="ignore")
        self.run = ctx.run


quiet = _Quiet()


def _apply(func, a, b, xa, xb):
    """``func(xa, xb)`` quietly, with PyTorch's error for shapes that do not broadcast."""
    try:
        return quiet.run(func, xa, xb)
    except ValueError:
        raise broadcast_error(shape_of(a), shape_of(b)) from None


def _finish(arr, dt, out=None):
    """``arr`` as a new tensor of ``dt``, or written into ``out``."""
    if type(arr) is not np.ndarray:
        arr = np.asarray(arr)
    if arr.dtype != dt.np:
        arr = cast(arr, dt)
    if out is not None:
        return write_out(out, arr, dt)
    return _wrap(arr, dt)


def _as_tensor(x):
    """The tensor operand of a function call (``torch.add(2, t)`` has a number first)."""
    if isinstance(x, Tensor):
        return x
    from .._creation import _scalar_tensor

    return _scalar_tensor(x)


def _pair(input, other):
    """``operands`` for a binary operation whose first operand may be a number."""
    if isinstance(input, Tensor) or not isinstance(other, Tensor):
        return operands(_as_tensor(input), other)
    xb, xa, dt = operands(other, input)
    return xa, xb, dt


def _require_tensors(name, input, other):
    for position, (arg, value) in enumerate((("input", input), ("other", other)), 1):
        if not isinstance(value, Tensor):
            raise TypeError(f"{name}(): argument '{arg}' (position {position}) must be Tensor, "
                            f"not {type(value).__name__}")


def checked_scalar(value, dtype):
    """A number converted to ``dtype`` as PyTorch's ``Scalar.to<T>()``: overflow is an error.

    Used where PyTorch converts a number to the tensor's type itself (``fill_``, ``clamp``,
    ``where``, ``alpha``, integer exponents) rather than wrapping it in a tensor first.
    """
    if isinstance(value, Tensor | np.generic):
        value = value.item()
    if dtype is _BOOL:
        return np.bool_(value)
    if dtype.category == _FLOAT:
        value = float(value)
        if dtype is not _F64 and math.isfinite(value) and math.fabs(value) > float(
                np.finfo(dtype.np).max):
            raise _overflow(dtype)
        return dtype.np.type(value)
    info = np.iinfo(dtype.np)
    if isinstance(value, float):
        if not info.min <= value <= info.max:  # also NaN and infinities
            raise _overflow(dtype)
        value = int(value)
    elif value > info.max or value < (-info.max if info.min == 0 else info.min):
        raise _overflow(dtype)  # unsigned types accept negatives down to -max (two's complement)
    return np.array(value).astype(dtype.np)[()]


def _overflow(dtype):
    return RuntimeError(f"value cannot be converted to type {_C_TYPE_NAMES[dtype]} without "
                        "overflow")


def _f16_opmath(other, xa, xb, dt):
    """PyTorch's float16 ``*``, ``/`` and ``//`` with a number (or 0-d tensor) as second operand
    compute in float32 from the number's exact value, and round once."""
    if dt is _F16 and (not isinstance(other, Tensor) or other._data.ndim == 0):
        value = other.item() if isinstance(other, Tensor) else other
        return np.asarray(xa).astype(np.float32), np.float32(value)
    return xa, xb


# ---------------------------------------------------------------------- autograd helpers
# Each differentiable operation declares its backward node beside its forward (``derivative``)
# and records it with ``tracked`` once the result exists. The saved values are PyTorch's: a
# number operand is saved as the 0-d tensor PyTorch wraps it in (int64, float64 or bool) and
# its edge is (None, 0); a tensor is saved only when a rule that PyTorch runs will read it
# (``_saved_self`` of ``x * c`` is None when ``c`` needs no gradient).
def _needs_grad(*values):
    """Grad mode is on and one of ``values`` is a tensor that requires grad (cheap when not)."""
    if _GRAD_MODE.grad_enabled:
        for v in values:
            if getattr(v, "_requires_grad", False):
                return True
    return False


def _edge(value):
    """The differentiable input ``value`` stands for: the tensor itself, or None for a number."""
    return value if isinstance(value, Tensor) else None


def _needs(value):
    return value is not None and value._requires_grad


def _wrapped(value):
    """A number operand as PyTorch saves it: a 0-d int64, float64 or bool tensor."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, np.ndarray):
        return _wrap(value, _dt.from_numpy_dtype(value.dtype))
    if isinstance(value, bool | np.bool_):
        dt = _BOOL
    elif isinstance(value, int | np.integer):
        dt = _dt.int64
    else:
        dt = _F64
    saved = _wrap(np.asarray(value, dt.np), dt)
    # Still a number to type promotion (PyTorch's "wrapped number"): a backward rule's
    # ``grad * other`` stays in grad's dtype, even when both are 0-d.
    saved._is_wrapped_number = True
    return saved


def _check_out(name, out, *args):
    """PyTorch refuses ``out=`` when autograd would have to record the call."""
    if _GRAD_MODE.grad_enabled and (getattr(out, "_requires_grad", False) or any(
            getattr(a, "_requires_grad", False) for a in args)):
        raise RuntimeError(
            f"{name}(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad."
        )


_NOT_IMPLEMENTED = {}


def _not_implemented_node(aten_name, inputs):
    """PyTorch's ``NotImplemented`` node: backward through it raises."""
    key = (aten_name, inputs)
    node = _NOT_IMPLEMENTED.get(key)
    if node is None:
        rule = f"not_implemented({aten_name!r})"
        node = _NOT_IMPLEMENTED[key] = derivative(
            "NotImplemented", inputs=inputs, **dict.fromkeys(inputs, rule))
        node.name = _cpp_name
    return node


def _cpp_name(node):
    """PyTorch's C++ nodes name themselves with their namespace."""
    return f"torch::autograd::{type(node).__name__}"


def _track_not_implemented(result, aten_name, input, other):
    """Record ``NotImplemented`` with one edge per tensor operand (a number has none)."""
    if _needs_grad(input, other):
        inputs = tuple(v for v in (input, other) if isinstance(v, Tensor))
        names = ("self", "other") if len(inputs) == 2 else ("self",)
        tracked(result, _not_implemented_node(aten_name, names), inputs)
    return result


# ---------------------------------------------------------------------- arithmetic
AddBackward0 = derivative(
    "AddBackward0", inputs=("self", "other"), saves=("alpha",),
    self="grad", other="maybe_multiply(grad, alpha)",
)
SubBackward0 = derivative(
    "SubBackward0", inputs=("self", "other"), saves=("alpha",),
    self="grad", other="maybe_multiply(-grad, alpha)",
)
RsubBackward0 = derivative(
    "RsubBackward0", inputs=("self", "other"), saves=("alpha",),
    self="maybe_multiply(-grad, alpha)", other="grad",
)
RsubBackward1 = derivative(
    "RsubBackward1", inputs=("self",), saves=("alpha",), self="maybe_multiply(-grad, alpha)",
)
MulBackward0 = derivative(
    "MulBackward0", inputs=("self", "other"), saves=("other", "self"),
    self="grad * other", other="grad * self",
)
DivBackward0 = derivative(
    "DivBackward0", inputs=("self", "other"), saves=("other", "self"),
    self="grad / other", other="div_tensor_other_backward(grad, self, other)",
)
# With a rounding mode the result is piecewise constant: its gradient is zero.
DivBackward2 = derivative(
    "DivBackward2", inputs=("self", "other"), saves=("other", "rounding_mode", "self"),
    self="zeros_like(grad)", other="zeros_like(grad)",
)
_ALPHA_1 = {"alpha": 1}


def _number_operand(value):
    """``value`` as the Python float a float tensor's binary operation takes, if it is a
    number (a Python int or float, or a saved wrapped number that is not a bool); else None.
    With a float tensor a number never changes the result's dtype."""
    t = type(value)
    if t is float:
        return value
    if t is int:
        return float(int_scalar(value))
    if t is Tensor and value._is_wrapped_number and value._dtype is not _BOOL:
        return float(value._data.item())
    return None


def _saved_mul(input, other):
    """MulBackward0's saved values: each operand only when the other one's rule needs it."""
    return {"other": _wrapped(other) if _needs(_edge(input)) else None,
            "self": _wrapped(input) if _needs(_edge(other)) else None}


def add(input, other, *, alpha=1, out=None):
    if (type(other) is Tensor and type(input) is Tensor and input._dtype is other._dtype
            and alpha == 1 and alpha is not True and out is None):  # the common case, kept short
        try:
            r = quiet.run(_np_add, input._data, other._data)
        except ValueError:
            raise broadcast_error(input.shape, other.shape) from None
        if input._requires_grad or other._requires_grad:
            return tracked(_wrap(r, input._dtype), AddBackward0, (input, other), _ALPHA_1)
        return _wrap(r, input._dtype)
    if (out is None and type(input) is Tensor and input._dtype in _F32_F64
            and type(alpha) is int and alpha == 1):
        number = _number_operand(other)
        if number is not None:  # ``t + 1.0``: kept short
            result = _finish(quiet.run(_np_add, input._data, number), input._dtype)
            if input._requires_grad:
                tracked(result, AddBackward0, (input, _edge(other)), _ALPHA_1)
            return result
    if out is not None:
        _check_out("add", out, input, other)
    xa, xb, dt = _pair(input, other)
    if type(alpha) is not int or alpha != 1:
        if dt in _F32_F64:
            # PyTorch computes ``input + alpha * other`` as one fused multiply-add.
            result = _finish(_fused_alpha(input, other, xa, xb, alpha, dt), dt, out)
            if _needs_grad(input, other):
                tracked(result, AddBackward0, (_edge(input), _edge(other)), {"alpha": alpha})
            return result
        xb = _times_alpha(xb, alpha, dt, xa)
    if dt is _BOOL:
        return _finish(_apply(np.logical_or, input, other, xa, xb), dt, out)
    result = _finish(_apply(_np_add, input, other, xa, xb), dt, out)
    if _needs_grad(input, other):
        tracked(result, AddBackward0, (_edge(input), _edge(other)), {"alpha": alpha})
    return result


def _fused_alpha(input, other, xa, xb, alpha, dt, sign=1):
    """``xa + sign * alpha * xb`` rounded once, as PyTorch's FMA-compiled kernel does."""
    _times_alpha(np.zeros((), dt.np), alpha, dt)  # PyTorch's checks of ``alpha``
    a = np.asarray(sign * checked_scalar(alpha, dt), dt.np)
    try:
        xa, xb = np.broadcast_arrays(np.asarray(xa, dt.np), np.asarray(xb, dt.np))
    except ValueError:
        raise broadcast_error(shape_of(input), shape_of(other)) from None
    fma = _fma32 if dt is _dt.float32 else _fma64
    return quiet.run(fma, xb, a, xa).reshape(xa.shape)


def _times_alpha(xb, alpha, dt, xa=None):
    """``alpha * other`` in the result dtype, after PyTorch's checks of ``alpha`` (which come
    after its shape check: ``xa``, the other operand, is checked against ``xb`` first)."""
    if xa is not None and (isinstance(alpha, bool) or (
            isinstance(alpha, float) and dt.category != _FLOAT)):
        _check_broadcast(xa, xb)
    if isinstance(alpha, bool) and dt is not _BOOL:
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if isinstance(alpha, float) and dt.category != _FLOAT:
        raise RuntimeError(
            "For integral input tensors, argument alpha must not be a floating point number."
        )
    a = checked_scalar(alpha, dt)
    if dt is _BOOL:
        return np.logical_and(xb, a)
    return quiet.run(np.multiply, np.asarray(xb, dt.np), a)


def _check_sub(input, other):
    def is_bool(x):
        return x._dtype is _BOOL if isinstance(x, Tensor) else isinstance(x, bool | np.bool_)

    if is_bool(input) and is_bool(other):
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` "
            "or `logical_xor()` operator instead."
        )
    if is_bool(input) or is_bool(other):
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
            "trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )


def sub(input, other, *, alpha=1, out=None):
    if (type(other) is Tensor and type(input) is Tensor and input._dtype is other._dtype
            and input._dtype is not _BOOL and alpha == 1 and alpha is not True and out is None):
        try:
            r = quiet.run(_np_sub, input._data, other._data)
        except ValueError:
            raise broadcast_error(input.shape, other.shape) from None
        if input._requires_grad or other._requires_grad:
            return tracked(_wrap(r, input._dtype), SubBackward0, (input, other), _ALPHA_1)
        return _wrap(r, input._dtype)
    if out is not None:
        _check_out("sub", out, input, other)
    _check_sub(input, other)
    xa, xb, dt = _pair(input, other)
    if type(alpha) is not int or alpha != 1:
        if dt in _F32_F64:  # ``input - alpha * other``, one fused multiply-add as in PyTorch
            result = _finish(_fused_alpha(input, other, xa, xb, alpha, dt, -1), dt, out)
            if _needs_grad(input, other):
                tracked(result, SubBackward0, (_edge(input), _edge(other)), {"alpha": alpha})
            return result
        xb = _times_alpha(xb, alpha, dt, xa)
    result = _finish(_apply(_np_sub, input, other, xa, xb), dt, out)
    if _needs_grad(input, other):
        tracked(result, SubBackward0, (_edge(input), _edge(other)), {"alpha": alpha})
    return result


def rsub(input, other, *, alpha=1):
    """``other - alpha * input`` (``2 - x`` is ``x.__rsub__(2)``, PyTorch's ``rsub``)."""
    _check_sub(other, input)
    xa, xb, dt = _pair(input, other)
    if type(alpha) is not int or alpha != 1:
        xa = _times_alpha(xa, alpha, dt, xb)
    result = _finish(_apply(_np_sub, other, input, xb, xa), dt, None)
    if _needs_grad(input, other):
        if isinstance(other, Tensor):
            tracked(result, RsubBackward0, (_edge(input), other), {"alpha": alpha})
        else:
            tracked(result, RsubBackward1, (input,), {"alpha": alpha})
    return result


def mul(input, other, *, out=None):
    if (type(other) is Tensor and type(input) is Tensor and input._dtype is other._dtype
            and out is None):
        try:
            r = quiet.run(_np_mul, input._data, other._data)
        except ValueError:
            raise broadcast_error(input.shape, other.shape) from None
        if input._requires_grad or other._requires_grad:
            saved = {"other": other if input._requires_grad else None,
                     "self": input if other._requires_grad else None}
            return tracked(_wrap(r, input._dtype), MulBackward0, (input, other), saved)
        return _wrap(r, input._dtype)
    if out is None and type(input) is Tensor and input._dtype in _F32_F64:
        number = _number_operand(other)
        if number is not None:  # ``t * 0.5``, and backward rules' saved numbers: kept short
            result = _finish(quiet.run(_np_mul, input._data, number), input._dtype)
            if input._requires_grad:
                tracked(result, MulBackward0, (input, _edge(other)),
                        {"other": _wrapped(other), "self": None})
            return result
    if out is not None:
        _check_out("mul", out, input, other)
    xa, xb, dt = _pair(input, other)
    if dt is _BOOL:
        return _finish(_apply(np.logical_and, input, other, xa, xb), dt, out)
    xa, xb = _f16_opmath(other, xa, xb, dt)
    result = _finish(_apply(_np_mul, input, other, xa, xb), dt, out)
    if _needs_grad(input, other):
        tracked(result, MulBackward0, (_edge(input), _edge(other)), _saved_mul(input, other))
    return result


def _rdiv(input, other):
    """``other / input`` the way PyTorch's ``Tensor.__rtruediv__`` computes it."""
    return mul(reciprocal(input), other)


def _float_operands(input, other):
    """Operands for true division and friends: integer results become the default float."""
    xa, xb, dt = _pair(input, other)
    if dt.category != _FLOAT:
        # Each operand converts to the float directly from its own dtype (-3 stays -3 beside
        # a uint8 tensor, a number or a 0-d int64 tensor alike).
        dt = _dt.get_default_dtype()
        xa = cast(input._data if isinstance(input, Tensor) else xa, dt) if isinstance(
            xa, np.ndarray) else float(input)
        xb = cast(other._data if isinstance(other, Tensor) else xb, dt) if isinstance(
            xb, np.ndarray) else float(other)
    return xa, xb, dt


_F32_F64 = (_dt.float32, _dt.float64)


def div(input, other, *, rounding_mode=None, out=None):
    if (type(other) is Tensor and type(input) is Tensor and input._dtype is other._dtype
            and rounding_mode is None and out is None and input._dtype in _F32_F64
            and not (input._requires_grad or other._requires_grad)):
        # The common case, kept short: float tensors of one dtype, nothing to record.
        try:
            return _wrap(quiet.run(np.true_divide, input._data, other._data), input._dtype)
        except ValueError:
            raise broadcast_error(input.shape, other.shape) from None
    if out is not None:
        _check_out("div", out, input, other)
    if rounding_mode is None:
        xa, xb, dt = _float_operands(input, other)
        xa, xb = _f16_opmath(other, xa, xb, dt)
        result = _finish(_apply(np.true_divide, input, other, xa, xb), dt, out)
        if _needs_grad(input, other):
            saved = {"other": _wrapped(other),
                     "self": _wrapped(input) if _needs(_edge(other)) else None}
            tracked(result, DivBackward0, (_edge(input), _edge(other)), saved)
        return result
    if rounding_mode == "floor":
        result = _floor_divide(input, other, out)
    elif rounding_mode != "trunc":
        raise RuntimeError(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'"
        )
    else:
        result = _trunc_divide(input, other, out)
    if _needs_grad(input, other):
        saved = {"other": _wrapped(other), "rounding_mode": rounding_mode,
                 "self": _wrapped(input) if _needs(_edge(other)) else None}
        tracked(result, DivBackward2, (_edge(input), _edge(other)), saved)
    return result


def _trunc_divide(input, other, out):
    xa, xb, dt = _pair(input, other)
    if dt.category == _FLOAT:
        xa, xb = _f16_opmath(other, xa, xb, dt)
        return _finish(np.trunc(_apply(np.true_divide, input, other, xa, xb)), dt, out)
    if dt is _BOOL:
        raise not_implemented("div_trunc_cpu", dt)
    _check_int_zero(xb, xa)
    q = _apply(np.floor_divide, input, other, xa, xb)
    # NumPy floors; PyTorch truncates: step back toward zero where the signs differ.
    fix = (np.fmod(xa, xb) != 0) & ((np.asarray(xa) < 0) != (np.asarray(xb) < 0))
    return _finish(q + fix.astype(q.dtype), dt, out)


true_divide = divide = div


def _check_broadcast(xa, xb):
    """PyTorch's error when the operands' shapes do not broadcast (before its dtype checks)."""
    _broadcast_shape(np.shape(xa), np.shape(xb))


def _check_int_zero(xb, xa):
    _check_broadcast(xa, xb)
    if np.broadcast(xa, xb).size == 0:
        return  # no element is divided: PyTorch's kernel never sees the zero
    if np.any(np.asarray(xb) == 0):
        raise RuntimeError("ZeroDivisionError")


def _floor_divide(input, other, out):
    xa, xb, dt = _pair(input, other)
    if dt.category != _FLOAT:
        if dt is _BOOL:
            _check_broadcast(xa, xb)
            raise not_implemented("div_floor_cpu", dt)
        _check_int_zero(xb, xa)
    xa, xb = _f16_opmath(other, xa, xb, dt)
    return _finish(_apply(np.floor_divide, input, other, xa, xb), dt, out)


def floor_divide(input, other, *, out=None):
    """``//``: PyTorch declares no derivative for it (a ``NotImplemented`` node)."""
    if out is not None:
        _check_out("floor_divide", out, input, other)
    return _track_not_implemented(_floor_divide(input, other, out), "floor_divide", input, other)


def _floor_divide_inplace(input, other):
    """``floor_divide_``'s computation: its node names the in-place ATen op."""
    return _track_not_implemented(_floor_divide(input, other, None), "floor_divide_", input, other)


_floor_divide_inplace.__name__ = "floor_divide"


def _float_remainder(a, b):
    # PyTorch keeps fmod's zero (sign of a); NumPy's remainder gives a zero the sign of b.
    mod = np.fmod(a, b)
    return np.where((mod != 0) & ((np.asarray(b) < 0) != (mod < 0)), mod + b, mod)


RemainderBackward0 = derivative("RemainderBackward0", inputs=("self",), self="grad")
RemainderBackward1 = derivative(
    "RemainderBackward1", inputs=("self", "other"), saves=("other", "self"),
    self="grad", other="-grad * self.div(other, rounding_mode='floor')",
)
FmodBackward0 = derivative("FmodBackward0", inputs=("self",), self="grad")
FmodBackward1 = derivative(
    "FmodBackward1", inputs=("self", "other"), saves=("other", "self"),
    self="grad", other="-grad * self.div(other, rounding_mode='trunc')",
)


def _track_mod(result, input, other, scalar_node, tensor_node, aten_name):
    """remainder/fmod: a number divisor gives ``*Backward0``, a tensor ``*Backward1`` (which
    saves both operands when the divisor needs a gradient); a number dividend has no
    derivative in PyTorch."""
    if not _needs_grad(input, other):
        return result
    if not isinstance(input, Tensor):
        return _track_not_implemented(result, aten_name, input, other)
    if not isinstance(other, Tensor):
        return tracked(result, scalar_node, (input,))
    keep = other if other._requires_grad else None
    saved = {"other": keep, "self": input if keep is not None else None}
    return tracked(result, tensor_node, (input, other), saved)


def remainder(input, other, *, out=None):
    if out is not None:
        _check_out("remainder", out, input, other)
    xa, xb, dt = _pair(input, other)
    if dt.category != _FLOAT:
        if dt is _BOOL:
            _check_broadcast(xa, xb)
            raise not_implemented("remainder_cpu", dt)
        _check_int_zero(xb, xa)
        return _finish(_apply(np.remainder, input, other, xa, xb), dt, out)
    result = _finish(_apply(_float_remainder, input, other, xa, xb), dt, out)
    return _track_mod(result, input, other, RemainderBackward0, RemainderBackward1, "remainder")


def fmod(input, other, *, out=None):
    if out is not None:
        _check_out("fmod", out, input, other)
    xa, xb, dt = _pair(input, other)
    if dt.category != _FLOAT:
        if dt is _BOOL:
            _check_broadcast(xa, xb)
            raise not_implemented("fmod_cpu", dt)
        _check_int_zero(xb, xa)
    result = _finish(_apply(np.fmod, input, other, xa, xb), dt, out)
    return _track_mod(result, input, other, FmodBackward0, FmodBackward1, "fmod")


def _check_pow(input, exponent):
    if (isinstance(input, Tensor) and input._dtype.category != _FLOAT
            and isinstance(exponent, int | np.integer) and exponent < 0):
        raise RuntimeError("Integers to negative integer powers are not allowed.")


def _pow_scalar_exponent(x, e, dt):
    """``x ** e`` for a number ``e``, with the shortcuts PyTorch's float kernel takes."""
    if dt.category != _FLOAT:
        return np.power(x, checked_scalar(e, dt))
    if dt is _F16:  # PyTorch: powf on the exponent rounded to half, no shortcuts
        return np.power(x, np.float16(e))
    e = float(e)
    if e == 0.5:
        return np.sqrt(x)
    if e == -0.5:
        return 1 / np.sqrt(x)
    if e == -1:
        return 1 / x
    if e == 2:
        return x * x
    if e == 3:
        return x * x * x
    if e == -2:
        return 1 / (x * x)
    if x.dtype == np.float32:  # SLEEF's powf on 16-element blocks, C pow on the rest
        return _sleef.pow_number(x, e, _num_threads())
    return via_double(np.power, x, e)


def _num_threads():
    from .._creation import get_num_threads

    return get_num_threads()


def _int_power(base, exponent):
    """Integer ``base ** exponent``; a negative exponent gives 0 except for bases 1 and -1."""
    negative = exponent < 0
    if not negative.any():
        return np.power(base, exponent)
    r = np.power(base, np.where(negative, 0, exponent))
    odd = (exponent % 2).astype(bool)
    inverse = np.where(base == 1, 1, np.where(base == -1, np.where(odd, -1, 1), 0))
    return np.where(negative, inverse.astype(r.dtype), r)


PowBackward0 = derivative(
    "PowBackward0", inputs=("self",), saves=("exponent", "self"),
    self="pow_backward(grad, self, exponent)",
)
PowBackward1 = derivative(
    "PowBackward1", inputs=("self", "exponent"), saves=("exponent", "result", "self"),
    self="pow_backward_self(grad, self, exponent)",
    exponent="pow_backward_exponent(grad, self, exponent, result)",
)
PowBackward2 = derivative(
    "PowBackward2", inputs=("exponent",), saves=("exponent", "result", "self"),
    exponent="pow_backward_exponent(grad, self, exponent, result)",
)


@rule_helper
def pow_backward(grad, self, exponent):
    """d/dx x**e for a number e (zero when e == 0)."""
    if exponent == 0:
        return zeros_like(self)
    e = float(exponent)  # ATen: grad * (exponent.toDouble() * self.pow(exponent - 1))
    return grad * mul_scalar(self.pow(e - 1), e)


@rule_helper
def pow_backward_self(grad, self, exponent):
    return where(exponent == 0.0, 0, grad * (exponent * self.pow(sub_scalar(exponent, 1))))


@rule_helper
def pow_backward_exponent(grad, self, exponent, result):
    """d/de b**e = b**e * log(b); zero where b == 0 and e >= 0 (``self`` may be a number)."""
    if isinstance(self, Tensor):
        cond = (self == 0).logical_and(exponent >= 0)
        return grad * where(cond, 0, result * self.to(result.dtype).log())
    log_base = float(quiet.run(np.log, np.float64(self)))
    if self == 0:
        return grad * where(exponent >= 0, 0, mul_scalar(result, log_base))
    return grad * mul_scalar(result, log_base)


def _track_pow(result, input, exponent):
    """PowBackward0 (number exponent), 1 (tensor ** tensor) or 2 (number ** tensor)."""
    if not _needs_grad(input, exponent):
        return result
    if not isinstance(exponent, Tensor):
        return tracked(result, PowBackward0, (input,), {"exponent": exponent, "self": input})
    saved = {"exponent": exponent, "self": input}  # a number base is saved as the number
    if not isinstance(input, Tensor):
        return tracked(result, PowBackward2, (exponent,), saved, {"result": result})
    return tracked(result, PowBackward1, (input, exponent), saved, {"result": result})


def pow(input, exponent, *, out=None):  # noqa: A001
    if out is not None:
        _check_out("pow", out, input, exponent)
    if not isinstance(input, Tensor):
        return _track_pow(_scalar_pow(input, exponent, out), input, exponent)
    _check_pow(input, exponent)
    xa, xb, dt = operands(input, exponent)
    if is_scalar(exponent):
        if exponent == 0:
            result = _finish(np.ones(xa.shape, dt.np), dt, out)
        elif exponent == 1:
            result = _finish(xa.copy() if xa is input._data else xa, dt, out)
        else:
            if dt is _BOOL:
                raise not_implemented("pow", dt)
            result = _finish(quiet.run(_pow_scalar_exponent, xa, exponent, dt), dt, out)
        return _track_pow(result, input, exponent)
    return _track_pow(_finish(_tensor_pow(input, exponent, xa, xb, dt), dt, out), input, exponent)


def _tensor_pow(input, exponent, xa, xb, dt):
    if dt is _BOOL:
        raise not_implemented("pow", dt)
    if dt.category == _INT:
        return _apply(_int_power, input, exponent, xa, xb)
    return _apply(lambda a, b: via_double(np.power, a, b), input, exponent, xa, xb)


def _scalar_pow(base, exponent, out):
    """``base ** tensor``: 1 ** anything is 1, otherwise the tensor-tensor kernel."""
    xe, xb, dt = operands(exponent, base)
    if base == 1 and not isinstance(base, bool):
        return _finish(np.ones(xe.shape, dt.np), dt, out)
    return _finish(_tensor_pow(base, exponent, np.asarray(xb, dt.np), xe, dt), dt, out)


def float_power(input, exponent, *, out=None):
    """``pow`` in float64: PyTorch casts the operands (ToCopyBackward0) and calls ``pow``."""
    if out is not None:
        _check_out("float_power", out, input, exponent)
    xa = cast(_as_tensor(input)._data, _F64)
    xe = exponent._data.astype(np.float64) if isinstance(exponent, Tensor) else float(exponent)
    result = _finish(_apply(np.power, input, exponent, xa, xe), _F64, out)
    if _needs_grad(input, exponent):
        def double(v):
            return v.double() if isinstance(v, Tensor) else float(v)

        _track_pow(result, double(input), double(exponent))
    return result


_NP_F32, _NP_F64 = np.dtype(np.float32), np.dtype(np.float64)
_NATIVE_FROM = 16384  # from this many elements, float32 functions use NumPy's float32 kernels


def _unary_via_double(np_func, x):
    """``np_func(x)`` for a float array: short float32/float16 inputs through float64."""
    if x.dtype.char == "d" or x.size >= _NATIVE_FROM:
        return np_func(x)
    return np_func(x.astype(np.float64)).astype(np.float32)


def _float32_via_double(np_func, x):
    """``_unary_via_double`` for a short float32 array."""
    return np_func(x.astype(_NP_F64)).astype(_NP_F32)


# 1-d float32 tensors of up to this many elements go through ``scalar_func`` one Python float at
# a time: from ~11 elements NumPy's three calls cost less than the Python loop
_BY_SCALARS_UP_TO = 8
_fromiter = np.fromiter
_new_tensor = object.__new__


def via_double(np_func, *xs):
    """``np_func`` in float64, rounded to float32: close to PyTorch's float32 libm results."""
    dt = np.result_type(*xs)
    if dt == np.float64:
        return np_func(*xs)
    r = np_func(*(np.asarray(x, np.float64) for x in xs))
    return r.astype(np.float32)


def _binary_float(np_func, name, tensors_only=True, track=None, int_ok=True):
    """A binary function whose integer inputs give the default float dtype (atan2, copysign);
    ``track(result, input, other)`` records its backward node; without ``int_ok`` integer and
    bool operands are refused (PyTorch's kernel has no such dtypes: logaddexp)."""

    def op(input, other, *, out=None):
        if tensors_only:
            _require_tensors(name, input, other)
        if out is not None:
            _check_out(name, out, input, other)
        if not int_ok:
            common = _pair(input, other)[2]
            if common.category != _FLOAT:
                raise not_implemented(f"{name}_cpu", common)
        xa, xb, dt = _float_operands(input, other)
        result = _finish(_apply(lambda a, b: via_double(np_func, a, b), input, other, xa, xb), dt,
                         out)
        if track is not None and _needs_grad(input, other):
            track(result, input, other)
        return result

    op.__name__ = name
    return op


Atan2Backward0 = derivative(
    "Atan2Backward0", inputs=("self", "other"), saves=("other", "self"),
    self="grad * other * (self * self + other * other).reciprocal()",
    other="grad * -self * (self * self + other * other).reciprocal()",
)
CopysignBackward0 = derivative(
    "CopysignBackward0", inputs=("self", "other"), saves=("result", "self"),
    self="copysign_tensor_self_backward(grad, self, result)", other="zeros_like(grad)",
)
CopysignBackward1 = derivative(
    "CopysignBackward1", inputs=("self",), saves=("result", "self"),
    self="copysign_tensor_self_backward(grad, self, result)",
)
LogaddexpBackward0 = derivative(
    "LogaddexpBackward0", inputs=("self", "other"), saves=("other", "self"),
    self="grad / (1 + (other - self).exp())", other="grad / (1 + (self - other).exp())",
)


@rule_helper
def copysign_tensor_self_backward(grad, self, result):
    """grad * (result / self), zero where self is zero."""
    return grad * where(self == 0, 0, result / self)


def _track_both(node):
    """Record ``node`` saving both operands (PyTorch saves them whichever needs a gradient)."""

    def track(result, input, other):
        tracked(result, node, (_edge(input), _edge(other)), {"other": other, "self": input})

    return track


def _track_copysign(result, input, other):
    if not isinstance(input, Tensor):
        return
    keep = input if input._requires_grad else None
    if isinstance(other, Tensor):
        tracked(result, CopysignBackward0, (input, other), {"self": keep}, {"result": result})
    else:
        tracked(result, CopysignBackward1, (input,), {"self": keep}, {"result": result})


atan2 = arctan2 = _binary_float(np.arctan2, "atan2", track=_track_both(Atan2Backward0))
copysign = _binary_float(np.copysign, "copysign", tensors_only=False, track=_track_copysign)
logaddexp = _binary_float(np.logaddexp, "logaddexp", track=_track_both(LogaddexpBackward0),
                          int_ok=False)


def _binary_same(np_func, name, bool_kernel=None, float_ok=True, int_ok=True,
                 tensors_only=False, track=None):
    def op(input, other, *, out=None):
        if tensors_only:
            _require_tensors(name, input, other)
        if out is not None:
            _check_out(name, out, input, other)
        xa, xb, dt = _pair(input, other)
        if dt is _BOOL and bool_kernel is not None:
            return _finish(_apply(bool_kernel, input, other, xa, xb), dt, out)
        if (not float_ok and dt.category == _FLOAT) or (not int_ok and dt.category != _FLOAT):
            _broadcast_shape(shape_of(input), shape_of(other))  # PyTorch's shape error first
            raise not_implemented(f"{name}_cpu", dt)
        result = _finish(_apply(np_func, input, other, xa, xb), dt, out)
        if track is not None and _needs_grad(input, other):
            track(result, input, other)
        return result

    op.__name__ = name
    return op


def _first_on_ties(np_func):
    # Between -0.0 and 0.0 PyTorch's (short-tensor) kernel keeps the first operand; NumPy the
    # second.
    return lambda a, b: np.where(a == b, a, np_func(a, b))


# Where the operands tie, each gets half the gradient.
MaximumBackward0 = derivative(
    "MaximumBackward0", inputs=("self", "other"), saves=("other", "self"),
    self="where(self < other, 0, where(self == other, grad / 2, grad))",
    other="where(self > other, 0, where(self == other, grad / 2, grad))",
)
MinimumBackward0 = derivative(
    "MinimumBackward0", inputs=("self", "other"), saves=("other", "self"),
    self="where(self > other, 0, where(self == other, grad / 2, grad))",
    other="where(self < other, 0, where(self == other, grad / 2, grad))",
)
# fmax/fmin ignore a NaN: the gradient goes to the operand that was taken.
FmaxBackward0 = derivative(
    "FmaxBackward0", inputs=("self", "other"), saves=("other", "self"),
    self="where((self >= other).logical_or(other.isnan()), grad, 0)",
    other="where((self >= other).logical_or(other.isnan()), 0, grad)",
)
FminBackward0 = derivative(
    "FminBackward0", inputs=("self", "other"), saves=("other", "self"),
    self="where((self <= other).logical_or(other.isnan()), grad, 0)",
    other="where((self <= other).logical_or(other.isnan()), 0, grad)",
)
HypotBackward0 = derivative(
    "HypotBackward0", inputs=("self", "other"), saves=("other", "result", "self"),
    self="grad * self / result", other="grad * other / result",
)


def _track_hypot(result, input, other):
    saved = {"other": other if other._requires_grad else None,
             "self": input if input._requires_grad else None}
    tracked(result, HypotBackward0, (input, other), saved, {"result": result})


maximum = _binary_same(_first_on_ties(np.maximum), "maximum", np.logical_or, tensors_only=True,
                       track=_track_both(MaximumBackward0))
minimum = _binary_same(_first_on_ties(np.minimum), "minimum", np.logical_and, tensors_only=True,
                       track=_track_both(MinimumBackward0))
fmax = _binary_same(np.fmax, "fmax", np.logical_or, tensors_only=True,
                    track=_track_both(FmaxBackward0))
fmin = _binary_same(np.fmin, "fmin", np.logical_and, tensors_only=True,
                    track=_track_both(FminBackward0))
hypot = _binary_same(lambda a, b: via_double(np.hypot, a, b), "hypot", int_ok=False,
                     tensors_only=True, track=_track_hypot)
bitwise_and = _binary_same(np.bitwise_and, "bitwise_and", float_ok=False)
bitwise_or = _binary_same(np.bitwise_or, "bitwise_or", float_ok=False)
bitwise_xor = _binary_same(np.bitwise_xor, "bitwise_xor", float_ok=False)


def bitwise_not(input, *, out=None):
    if input._dtype.category == _FLOAT:
        raise not_implemented("bitwise_not_cpu", input._dtype)
    f = np.logical_not if input._dtype is _BOOL else np.invert
    return _finish(f(input._data), input._dtype, out)


def _invert(input):
    """The ``~`` operator (PyTorch checks the dtype before calling ``bitwise_not``)."""
    if input._dtype.category == _FLOAT:
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    return bitwise_not(input)


def _compare(np_func, name):
    def op(input, other, *, out=None):
        if type(other) is Tensor and input._dtype is other._dtype and out is None:
            try:  # the common case, kept short
                return _wrap(quiet.run(np_func, input._data, other._data), _BOOL)
            except ValueError:
                raise broadcast_error(input.shape, other.shape) from None
        xa, xb, _ = operands(input, other)
        return _finish(_apply(np_func, input, other, xa, xb), _BOOL, out)

    op.__name__ = name
    return op


eq = _compare(np.equal, "eq")
ne = not_equal = _compare(np.not_equal, "ne")
lt = less = _compare(np.less, "lt")
le = less_equal = _compare(np.less_equal, "le")
gt = greater = _compare(np.greater, "gt")
ge = greater_equal = _compare(np.greater_equal, "ge")


def _logical(np_func, name):
    def op(input, other, *, out=None):
        _require_tensors(name, input, other)
        return _finish(_apply(np_func, input, other, input._data != 0, other._data != 0), _BOOL,
                       out)

    op.__name__ = name
    return op


logical_and = _logical(np.logical_and, "logical_and")
logical_or = _logical(np.logical_or, "logical_or")
logical_xor = _logical(np.logical_xor, "logical_xor")


def logical_not(input, *, out=None):
    return _finish(input._data == 0, _BOOL, out)


# ---------------------------------------------------------------------- unary functions
def _float_input(input):
    """The input as floats (integers and bools become the default dtype) and that dtype."""
    dt = input._dtype
    if dt.category != _FLOAT:
        dt = _dt.get_default_dtype()
        return cast(input._data, dt), dt
    return input._data, dt


def _unary_node(name, rule, saves=None):
    """The backward node of a one-input function; it saves ``self`` or ``result`` (or none)."""
    return derivative(name, inputs=("self",), saves=(saves,) if saves else (), self=rule)


def _track_unary(result, input, node, saves):
    if input._requires_grad and _GRAD_MODE.grad_enabled:
        if saves == "result":
            tracked(result, node, (input,), None, {"result": result})
        elif saves == "self":
            tracked(result, node, (input,), {"self": input})
        else:
            tracked(result, node, (input,))
    return result


def _unary_float(np_func, name, node, saves, exact=False, scalar_func=None):
    """A function of floats; integer and bool inputs give the default float dtype.

    An ``exact`` function (sqrt, reciprocal) runs in the input's own precision, as PyTorch's;
    the others run in float64 (see the module's docstring). ``node`` is its backward node,
    which saves ``saves`` ("self" or "result"). ``scalar_func``, a function of Python floats
    whose results rounded to float32 are ``np_func``'s, serves float32 tensors of a few elements
    (one call on each costs less than NumPy's three calls).
    """

    by_scalars = scalar_func is not None and not exact

    def op(input, *, out=None):
        if out is None and type(input) is Tensor and input._dtype is _F32:  # the common case
            x = input._data
            n = x.size
            if by_scalars and n <= _BY_SCALARS_UP_TO and x.ndim == 1:
                try:  # the lazy map runs inside fromiter, in the quiet context
                    r = quiet.run(_fromiter, map(scalar_func, x.tolist()), _NP_F32, n)
                except OverflowError:  # math's functions raise where NumPy's give inf
                    r = quiet.run(_float32_via_double, np_func, x)
                result = _new_tensor(Tensor)  # _wrap, inlined: r is a float32 ndarray
                result._data = r
                result._dtype = _F32
            else:
                if exact or n >= _NATIVE_FROM:
                    r = quiet.run(np_func, x)
                else:
                    r = quiet.run(_float32_via_double, np_func, x)
                result = _wrap(r, _F32) if r.dtype == _NP_F32 else _finish(r, _F32)
            if input._requires_grad:
                return _track_unary(result, input, node, saves)
            return result
        if out is not None:
            _check_out(name, out, input)
        x, dt = _float_input(input)
        if exact:
            r = quiet.run(np_func, x)
        else:
            r = quiet.run(_unary_via_double, np_func, x)
        return _track_unary(_finish(r, dt, out), input, node, saves)

    op.__name__ = name
    return op


def _sigmoid(x):
    # PyTorch: 1 / (1 + exp(-x)) in float32 for float16 and float32, with a correctly rounded exp.
    if x.dtype == np.float32:  # SLEEF's expf on 16-element blocks, C expf on the rest
        return _sleef.sigmoid(x, _num_threads())
    if x.dtype == np.float16:
        x = x.astype(np.float32)
    e = via_double(np.exp, -x).astype(x.dtype, copy=False)
    one = x.dtype.type(1)
    return one / (one + e)


def _erf(x):
    # NumPy has no erf; math.erf is correctly rounded in double.
    return np.fromiter(map(math.erf, x.ravel().tolist()), np.float64, x.size).reshape(x.shape)


def _erfc(x):
    return np.fromiter(map(math.erfc, x.ravel()), np.float64, x.size).reshape(x.shape)


# The rules, as PyTorch's derivatives.yaml states them (real inputs), with the same operations:
# a number operand there is a C++ Scalar (``mul_scalar``: MulBackward1 ...) and ``tanh_backward``
# and ``sigmoid_backward`` are operations of their own, so that ``create_graph=True`` builds
# PyTorch's graph. Constants: ln 2, ln 10 and 2 / sqrt(pi).
ExpBackward0 = _unary_node("ExpBackward0", "grad * result", "result")
Exp2Backward0 = _unary_node("Exp2Backward0", "mul_scalar(grad * result, 0.6931471805599453)",
                            "result")
Expm1Backward0 = _unary_node("Expm1Backward0", "grad * add_scalar(result, 1)", "result")
LogBackward0 = _unary_node("LogBackward0", "grad / self", "self")
Log2Backward0 = _unary_node("Log2Backward0", "grad / mul_scalar(self, 0.6931471805599453)",
                            "self")
Log10Backward0 = _unary_node("Log10Backward0", "grad / mul_scalar(self, 2.3025850929940456)",
                             "self")
Log1PBackward0 = _unary_node("Log1PBackward0", "grad / add_scalar(self, 1)", "self")
SinBackward0 = _unary_node("SinBackward0", "grad * self.cos()", "self")
CosBackward0 = _unary_node("CosBackward0", "grad * -self.sin()", "self")
TanBackward0 = _unary_node("TanBackward0", "grad * add_scalar(result.pow(2), 1)", "result")
AsinBackward0 = _unary_node("AsinBackward0", "grad * add_scalar(-self * self, 1).rsqrt()",
                            "self")
AcosBackward0 = _unary_node("AcosBackward0", "grad * -(add_scalar(-self * self, 1).rsqrt())",
                            "self")
AtanBackward0 = _unary_node("AtanBackward0", "grad / add_scalar(self * self, 1)", "self")
SinhBackward0 = _unary_node("SinhBackward0", "grad * self.cosh()", "self")
CoshBackward0 = _unary_node("CoshBackward0", "grad * self.sinh()", "self")
TanhBackward0 = _unary_node("TanhBackward0", "tanh_backward(grad, result)", "result")
AsinhBackward0 = _unary_node("AsinhBackward0", "grad * add_scalar(self.pow(2), 1).rsqrt()",
                             "self")
AcoshBackward0 = _unary_node("AcoshBackward0", "grad * sub_scalar(self * self, 1).rsqrt()",
                             "self")
AtanhBackward0 = _unary_node("AtanhBackward0",
                             "mul_scalar(grad, 1) / rsub_scalar(1, self.pow(2))", "self")
ErfBackward0 = _unary_node(
    "ErfBackward0", "mul_scalar((-self.pow(2)).exp(), 1.1283791670955126) * grad", "self")
ErfcBackward0 = _unary_node(
    "ErfcBackward0", "mul_scalar((-self.pow(2)).exp(), -1.1283791670955126) * grad", "self")
SqrtBackward0 = _unary_node("SqrtBackward0", "grad / mul_scalar(result, 2)", "result")
RsqrtBackward0 = _unary_node("RsqrtBackward0", "rsqrt_backward(grad, result)", "result")
ReciprocalBackward0 = _unary_node("ReciprocalBackward0", "reciprocal_backward(grad, result)",
                                  "result")


# ATen's compiled formulas make the right operand of ``*`` first: with ``create_graph=True``
# the nodes of ``result.pow(3)`` come before those of ``-0.5 * grad``.
@rule_helper
def rsqrt_backward(grad, result):
    """``-0.5 * grad * result.pow(3)``."""
    cube = result.pow(3)
    return mul_scalar(grad, -0.5) * cube


@rule_helper
def reciprocal_backward(grad, result):
    """``-grad * (result * result)``."""
    square = result * result
    return -grad * square


@rule_helper
def div_tensor_other_backward(grad, self, other):
    """``-grad * ((self / other) / other)``."""
    q = (self / other) / other
    return -grad * q
SigmoidBackward0 = _unary_node("SigmoidBackward0", "sigmoid_backward(grad, result)", "result")

# math.exp (glibc's) and NumPy's float64 exp differ in a few last bits, but their results
# rounded to float32 agree for every float32 input (checked exhaustively).
exp = _unary_float(np.exp, "exp", ExpBackward0, "result", scalar_func=math.exp)
exp2 = _unary_float(np.exp2, "exp2", Exp2Backward0, "result")
expm1 = _unary_float(np.expm1, "expm1", Expm1Backward0, "result")
log = _unary_float(np.log, "log", LogBackward0, "self")
log2 = _unary_float(np.log2, "log2", Log2Backward0, "self")
log10 = _unary_float(np.log10, "log10", Log10Backward0, "self")
log1p = _unary_float(np.log1p, "log1p", Log1PBackward0, "self")
sin = _unary_float(np.sin, "sin", SinBackward0, "self")
cos = _unary_float(np.cos, "cos", CosBackward0, "self")
tan = _unary_float(np.tan, "tan", TanBackward0, "result")
asin = arcsin = _unary_float(np.arcsin, "asin", AsinBackward0, "self")
acos = arccos = _unary_float(np.arccos, "acos", AcosBackward0, "self")
atan = arctan = _unary_float(np.arctan, "atan", AtanBackward0, "self")
sinh = _unary_float(np.sinh, "sinh", SinhBackward0, "self")
cosh = _unary_float(np.cosh, "cosh", CoshBackward0, "self")
tanh = _unary_float(np.tanh, "tanh", TanhBackward0, "result")
asinh = arcsinh = _unary_float(np.arcsinh, "asinh", AsinhBackward0, "self")
acosh = arccosh = _unary_float(np.arccosh, "acosh", AcoshBackward0, "self")
atanh = arctanh = _unary_float(np.arctanh, "atanh", AtanhBackward0, "self")
erf = _unary_float(_erf, "erf", ErfBackward0, "self")
erfc = _unary_float(_erfc, "erfc", ErfcBackward0, "self")
sqrt = _unary_float(np.sqrt, "sqrt", SqrtBackward0, "result", exact=True)
rsqrt = _unary_float(lambda x: 1 / np.sqrt(x), "rsqrt", RsqrtBackward0, "result", exact=True)
reciprocal = _unary_float(np.reciprocal, "reciprocal", ReciprocalBackward0, "result", exact=True)
sigmoid = _unary_float(_sigmoid, "sigmoid", SigmoidBackward0, "result", exact=True)


def _unary_same(np_func, name, node, saves=None, kernel=None, int_identity=False, int_ok=True):
    """A function keeping its input's dtype; ``kernel`` names it in PyTorch's dtype errors."""
    kernel = kernel or f"{name}_cpu"

    def op(input, *, out=None):
        if out is not None:
            _check_out(name, out, input)
        dt = input._dtype
        if dt is _BOOL or (not int_ok and dt.category == _INT):
            raise not_implemented(kernel, dt)
        if int_identity and dt.category == _INT:
            return _finish(input._data.copy(), dt, out)
        return _track_unary(_finish(quiet.run(np_func, input._data), dt, out), input, node, saves)

    op.__name__ = name
    return op


AbsBackward0 = _unary_node("AbsBackward0", "grad * self.sgn()", "self")
# Piecewise-constant functions have a zero gradient.
FloorBackward0 = _unary_node("FloorBackward0", "zeros_like(grad)")
CeilBackward0 = _unary_node("CeilBackward0", "zeros_like(grad)")
TruncBackward0 = _unary_node("TruncBackward0", "zeros_like(grad)")
RoundBackward0 = _unary_node("RoundBackward0", "zeros_like(grad)")
RoundBackward1 = _unary_node("RoundBackward1", "zeros_like(grad)")
SignBackward0 = _unary_node("SignBackward0", "zeros_like(grad)")
# sgn's rule (for complex inputs) is zero for real ones; it saves what the complex rule reads.
SgnBackward0 = derivative("SgnBackward0", inputs=("self",), saves=("result", "self"),
                          self="zeros_like(grad)")
FracBackward0 = _unary_node("FracBackward0", "grad")
NegBackward0 = _unary_node("NegBackward0", "-grad")

abs = absolute = _unary_same(np.abs, "abs", AbsBackward0, "self")  # noqa: A001
floor = _unary_same(np.floor, "floor", FloorBackward0, kernel="floor_vml_cpu",
                    int_identity=True)
ceil = _unary_same(np.ceil, "ceil", CeilBackward0, kernel="ceil_vml_cpu", int_identity=True)
trunc = fix = _unary_same(np.trunc, "trunc", TruncBackward0, kernel="trunc_vml_cpu",
                          int_identity=True)
frac = _unary_same(lambda x: x - np.trunc(x), "frac", FracBackward0, int_ok=False)


def neg(input, *, out=None):
    if out is not None:
        _check_out("neg", out, input)
    if input._dtype is _BOOL:
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
            "invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return _track_unary(_finish(np.negative(input._data), input._dtype, out), input,
                        NegBackward0, None)


negative = neg


def positive(input):
    if input._dtype is _BOOL:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def square(input, *, out=None):
    return pow(input, 2, out=out)


def _sign(input, out):
    x = input._data
    if input._dtype is _BOOL:
        return _finish(x.copy(), _BOOL, out)
    # (0 < x) - (x < 0): NaN and both zeros give +0, as in PyTorch.
    return _finish((x > 0).astype(x.dtype) - (x < 0).astype(x.dtype), input._dtype, out)


def sign(input, *, out=None):
    if out is not None:
        _check_out("sign", out, input)
    return _track_unary(_sign(input, out), input, SignBackward0, None)


def sgn(input, *, out=None):
    if out is not None:
        _check_out("sgn", out, input)
    result = _sign(input, out)
    if _needs_grad(input):
        tracked(result, SgnBackward0, (input,), {"self": input}, {"result": result})
    return result


def signbit(input, *, out=None):
    x = input._data
    return _finish(np.signbit(x) if input._dtype.category == _FLOAT else x < 0, _BOOL, out)


def round(input, *, decimals=None, out=None):  # noqa: A001
    if out is not None:
        _check_out("round", out, input)
    dt = input._dtype
    x = input._data
    if dt.category != _FLOAT:
        if decimals is None and dt is not _BOOL:
            return _finish(x.copy(), dt, out)
        raise not_implemented("round_cpu" if decimals else "round_vml_cpu", dt)
    node = RoundBackward0 if decimals is None else RoundBackward1
    if not decimals:
        return _track_unary(_finish(np.round(x), dt, out), input, node, None)
    # PyTorch scales by 10**|decimals| in float32 for float16 and float32, then rounds half-even.
    if dt is _F16:
        x = x.astype(np.float32)
    ten_pow = x.dtype.type(10.0 ** -decimals if decimals < 0 else 10.0 ** decimals)
    with np.errstate(over="ignore", invalid="ignore"):
        r = np.round(x * ten_pow) / ten_pow if decimals > 0 else np.round(x / ten_pow) * ten_pow
    return _track_unary(_finish(r, dt, out), input, node, None)


# relu's gradient passes where the result is positive (PyTorch's threshold_backward).
ReluBackward0 = _unary_node("ReluBackward0", "threshold_backward(grad, result, 0)", "result")


def relu(input):
    if input._dtype is _BOOL:
        raise RuntimeError("Boolean inputs not supported for relu")
    x = input._data
    result = _wrap(np.where(x < 0, x.dtype.type(0), x), input._dtype)  # keeps NaN and -0.0
    return _track_unary(result, input, ReluBackward0, "result")


def _predicate(np_func, non_float):
    def op(input):
        x = input._data
        r = np_func(x) if input._dtype.category == _FLOAT else np.full(x.shape, non_float)
        return _wrap(r, _BOOL)

    op.__name__ = np_func.__name__
    return op


isnan = _predicate(np.isnan, False)
isinf = _predicate(np.isinf, False)
isposinf = _predicate(np.isposinf, False)
isneginf = _predicate(np.isneginf, False)
isfinite = _predicate(np.isfinite, True)
isreal = _predicate(np.isreal, True)


NanToNumBackward0 = _unary_node("NanToNumBackward0", "grad * self.isfinite()", "self")


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    if out is not None:
        _check_out("nan_to_num", out, input)
    dt = input._dtype
    if dt.category != _FLOAT:
        return _finish(input._data.copy(), dt, out)
    info = np.finfo(dt.np)
    with np.errstate(over="ignore"):
        r = np.nan_to_num(
            input._data,
            nan=dt.np.type(nan),
            posinf=info.max if posinf is None else dt.np.type(posinf),
            neginf=info.min if neginf is None else dt.np.type(neginf),
        )
    return _track_unary(_finish(r, dt, out), input, NanToNumBackward0, "self")


def _clamp_check(min, max):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")


# The gradient passes where the input lies within the bounds (the subgradient 1 on a bound);
# a tensor bound gets it where it was taken (min loses to max when min > max).
ClampBackward0 = derivative(
    "ClampBackward0", inputs=("self", "min", "max"), saves=("max", "min", "self"),
    self="clamp_backward(grad, self, min, max)",
    min="clamp_backward_min(grad, self, min, max)",
    max="clamp_backward_max(grad, self, min, max)",
)
ClampBackward1 = derivative(
    "ClampBackward1", inputs=("self",), saves=("max", "min", "self"),
    self="clamp_backward(grad, self, min, max)",
)
ClampMinBackward0 = derivative(
    "ClampMinBackward0", inputs=("self",), saves=("min", "self"),
    self="where(self >= min, grad, 0)",
)
ClampMinBackward1 = derivative(
    "ClampMinBackward1", inputs=("self", "min"), saves=("min", "self"),
    self="where(self >= min, grad, 0)", min="where(self < min, grad, 0)",
)
ClampMaxBackward0 = derivative(
    "ClampMaxBackward0", inputs=("self",), saves=("max", "self"),
    self="where(self <= max, grad, 0)",
)
ClampMaxBackward1 = derivative(
    "ClampMaxBackward1", inputs=("self", "max"), saves=("max", "self"),
    self="where(self <= max, grad, 0)", max="where(self > max, grad, 0)",
)


@rule_helper
def clamp_backward(grad, self, min, max):
    if min is not None and max is not None:
        return where((self >= min).logical_and(self <= max), grad, 0)
    if min is not None:
        return where(self >= min, grad, 0)
    if max is not None:
        return where(self <= max, grad, 0)
    return grad


@rule_helper
def clamp_backward_min(grad, self, min, max):
    if max is not None:
        return where((self < min).logical_and(min < max), grad, 0)
    return where(self < min, grad, 0)


@rule_helper
def clamp_backward_max(grad, self, min, max):
    if min is not None:
        return where((self > max).logical_or(max < min), grad, 0)
    return where(self > max, grad, 0)


def _clamp(input, min, max, out):
    _clamp_check(min, max)
    bounds = [v for v in (min, max) if v is not None]
    dt = result_type(input, *bounds)
    tensor_bounds = any(isinstance(v, Tensor) for v in bounds)
    if dt is _BOOL and (len(bounds) == 2 or not tensor_bounds):
        kernel = "clamp" if len(bounds) == 2 else "clamp_min" if max is None else "clamp_max"
        raise not_implemented(kernel + ("_cpu" if tensor_bounds else "_scalar_cpu"), dt)

    def bound(v):
        return cast(v._data, dt) if isinstance(v, Tensor) else checked_scalar(v, dt)

    lo = None if min is None else bound(min)
    hi = None if max is None else bound(max)
    r = cast(input._data, dt)
    try:
        with np.errstate(invalid="ignore"):
            # PyTorch: min(max(x, lo), hi), where a NaN in x or in a bound wins.
            if dt.category == _FLOAT:
                if lo is not None:
                    r = np.where(np.isnan(r) | (r >= lo), r, lo)
                if hi is not None:
                    r = np.where(np.isnan(r) | (r <= hi), r, hi)
            else:
                if lo is not None:
                    r = np.maximum(r, lo)
                if hi is not None:
                    r = np.minimum(r, hi)
    except ValueError:
        raise broadcast_error(input.shape, shape_of(min if min is not None else max)) from None
    return _finish(r, dt, out)


def clamp(input, min=None, max=None, *, out=None):
    if out is not None:
        _check_out("clamp", out, input, min, max)
    result = _clamp(input, min, max, out)
    if _needs_grad(input, min, max):
        saved = {"max": max, "min": min, "self": input}
        if isinstance(min, Tensor) or isinstance(max, Tensor):
            tracked(result, ClampBackward0, (input, _edge(min), _edge(max)), saved)
        else:
            tracked(result, ClampBackward1, (input,), saved)
    return result


clip = clamp


def clamp_min(input, min):
    result = _clamp(input, min, None, None)
    if _needs_grad(input, min):
        saved = {"min": min, "self": input}
        if isinstance(min, Tensor):
            tracked(result, ClampMinBackward1, (input, min), saved)
        else:
            tracked(result, ClampMinBackward0, (input,), saved)
    return result


def clamp_max(input, max):
    result = _clamp(input, None, max, None)
    if _needs_grad(input, max):
        saved = {"max": max, "self": input}
        if isinstance(max, Tensor):
            tracked(result, ClampMaxBackward1, (input, max), saved)
        else:
            tracked(result, ClampMaxBackward0, (input,), saved)
    return result


def _broadcast_shape(*shapes):
    """The broadcast shape, with PyTorch's error naming the first pair that does not fit."""
    acc = tuple(shapes[0])
    for s in shapes[1:]:
        if tuple(s) != acc:
            try:
                acc = np.broadcast_shapes(acc, tuple(s))
            except ValueError:
                raise broadcast_error(acc, s) from None
    return acc


WhereBackward0 = derivative(
    "WhereBackward0", inputs=("self", "other"), saves=("condition",),
    self="where(condition, grad, 0)", other="where(condition, 0, grad)",
)


@rule_helper
def where(condition, input=None, other=None, *, out=None):
    if input is None and other is None:
        from .indexing import nonzero

        return nonzero(condition, as_tuple=True)
    if not isinstance(condition, Tensor):
        raise TypeError("where(): argument 'condition' must be Tensor")
    if condition._dtype is not _BOOL:
        raise RuntimeError(
            f"where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{_dt.SCALAR_TYPE_NAMES[condition._dtype]}"
        )
    if out is not None:
        _check_out("where", out, input, other)
    dt = result_type(input, other)
    _broadcast_shape(*(shape_of(v) for v in (condition, input, other)))
    xa = cast(input._data, dt) if isinstance(input, Tensor) else checked_scalar(input, dt)
    xb = cast(other._data, dt) if isinstance(other, Tensor) else checked_scalar(other, dt)
    result = _finish(np.where(condition._data, xa, xb), dt, out)
    if _needs_grad(input, other):
        tracked(result, WhereBackward0, (_edge(input), _edge(other)), {"condition": condition})
    return result


def _where_method(self, condition, other):
    """``Tensor.where(condition, y)``: the tensor is the value taken where ``condition`` holds."""
    return where(condition, self, other)


def _lerp_check(input, end, weight):
    for name, v in (("end", end), ("weight", weight)):
        if isinstance(v, Tensor) and v._dtype is not input._dtype:
            raise RuntimeError(f"expected dtype {_META_NAMES[input._dtype]} for `{name}` but got "
                               f"dtype {_META_NAMES[v._dtype]}")


LerpBackward0 = derivative(
    "LerpBackward0", inputs=("self", "end"), saves=("weight",),
    self="grad * (1 - weight)", end="grad * weight",
)
LerpBackward1 = derivative(
    "LerpBackward1", inputs=("self", "end", "weight"), saves=("end", "self", "weight"),
    self="grad * (1 - weight)", end="grad * weight", weight="grad * (end - self)",
)


def lerp(input, end, weight, *, out=None):
    if out is not None:
        _check_out("lerp", out, input, end, weight)
    _lerp_check(input, end, weight)
    dt = input._dtype
    if dt.category != _FLOAT:
        kernel = "lerp_kernel_tensor" if isinstance(weight, Tensor) else "lerp_kernel_scalar"
        raise not_implemented(kernel, dt)
    # float16 runs in float32 (PyTorch's opmath), rounding once.
    work = np.float32 if dt is _F16 else dt.np.type
    s = input._data.astype(work, copy=False)
    e = end._data.astype(work, copy=False)
    w = weight._data.astype(work) if isinstance(weight, Tensor) else work(weight)
    # PyTorch's two-sided formula keeps lerp exact at both ends.
    with np.errstate(invalid="ignore", over="ignore"):
        diff = e - s
        r = np.where(np.abs(w) < 0.5, s + w * diff, e - diff * (1 - w))
    result = _finish(r, dt, out)
    if _needs_grad(input, end, weight):
        if isinstance(weight, Tensor):
            keep = weight._requires_grad
            saved = {"end": end if keep else None, "self": input if keep else None,
                     "weight": weight}
            tracked(result, LerpBackward1, (input, end, weight), saved)
        else:
            tracked(result, LerpBackward0, (input, end), {"weight": weight})
    return result


# ---------------------------------------------------------------------- in-place forms
_OPERAND_KEYWORDS = ("other", "exponent", "min", "max")


def _is_dense(a):
    """PyTorch's ``is_non_overlapping_and_dense``: the elements tile one contiguous block."""
    if a.flags.c_contiguous or a.flags.f_contiguous:
        return True
    expected = a.itemsize
    for stride, size in sorted((s, n) for s, n in zip(a.strides, a.shape, strict=True) if n != 1):
        if stride != expected:
            return False
        expected *= size
    return True


def _check_overlap(self, inputs):
    """PyTorch refuses to write into a tensor whose elements alias each other, or partly alias
    an input (the result would depend on the order of the writes)."""
    a = self._data
    if a.size > 1 and 0 in a.strides and not _is_dense(a) and any(
            st == 0 and n > 1 for st, n in zip(a.strides, a.shape, strict=True)):
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation."
        )
    for t in inputs:
        b = t._data
        if t is self or not a.size or not b.size or not np.may_share_memory(a, b):
            continue
        if not (_is_dense(a) and _is_dense(b)):
            continue  # PyTorch's "too hard to tell" case: allowed
        a0 = a.__array_interface__["data"][0]
        b0 = b.__array_interface__["data"][0]
        if a0 == b0 and a.nbytes == b.nbytes and a.strides == b.strides:
            continue  # the same elements in the same order
        raise RuntimeError(
            "unsupported operation: some elements of the input tensor and the written-to tensor "
            "refer to a single memory location. Please clone() the tensor before performing the "
            "operation."
        )


def _promoted(self, operands_):
    return result_type(self, *operands_)


def _floated(self, operands_):
    dt = result_type(self, *operands_)
    return dt if dt.category == _FLOAT else _dt.get_default_dtype()


def _squared(self, operands_):
    return result_type(self, 2)


def _inplace(op, rule=None, check=None, nodes=None):
    """``x.op_(...)``: PyTorch's checks in PyTorch's order, then ``op``'s result is written.

    ``check`` is the operation's own argument check; ``rule`` gives the dtype the operation
    computes in, which must cast safely to ``x``'s (None: any result fits, as for comparisons).
    The node ``op`` recorded becomes ``x``'s history (``commit_inplace``). ``nodes``:
    the (number, tensor operand) nodes of an operation that records nothing out of place
    (comparisons: their in-place forms have a zero gradient).
    """

    def method(self, *args, **kwargs):
        check_inplace_grad(self)  # autograd refuses before the operation checks anything
        if check is not None:
            check(self, *args, **kwargs)
        operands_ = [*args, *(kwargs[k] for k in _OPERAND_KEYWORDS if k in kwargs)]
        tensors = [v for v in operands_ if isinstance(v, Tensor)]
        _check_overlap(self, tensors)
        shape = _broadcast_shape(self._data.shape, *(t._data.shape for t in tensors))
        dt = self._dtype if rule is None else rule(self, [v for v in operands_
                                                          if isinstance(v, Tensor) or is_scalar(v)])
        check_inplace(self, dt, shape)
        r = op(self, *args, **kwargs)
        node = r.grad_fn if r is not self else None
        if node is not None:
            _save_original(node, self)
        elif nodes is not None:
            node = inplace_node(nodes[1], (self, tensors[0])) if tensors else (
                inplace_node(nodes[0], (self,)))
        inplace_store(self, cast(r._data, self._dtype))
        return commit_inplace(self, node, r)

    method.__name__ = op.__name__ + "_"
    return method


def _save_original(node, self):
    """Before ``self`` is overwritten: a rule that reads ``self`` gets a copy of its old value
    (PyTorch saves ``self.clone()`` for in-place operations; ``x.mul_(x)`` still saves ``x``
    itself as ``other``, which the write then makes stale, as in PyTorch)."""
    saved = node._saved.get("self")
    if type(saved) is SavedTensor and saved.tensor is self and not saved.is_output:
        from .shape import clone

        node._saved["self"] = SavedTensor(clone(self))


def _clamp_inplace_check(self, min=None, max=None):
    """In-place clamp by numbers refuses any promotion, with a message of its own."""
    _clamp_check(min, max)
    bounds = [v for v in (min, max) if v is not None]
    if not any(isinstance(v, Tensor) for v in bounds):
        dt = result_type(self, *bounds)
        if dt is not self._dtype:
            raise RuntimeError(f"result type {_dt.SCALAR_TYPE_NAMES[dt]} can't be cast to the "
                               f"desired output type {_META_NAMES[self._dtype]}")


def _clamp_max_inplace_check(self, max):
    _clamp_inplace_check(self, None, max)


INPLACE = {}
for _name, (_op, _rule, _check) in {
    "add": (add, _promoted, None),
    "sub": (sub, _promoted, lambda self, other, **kw: _check_sub(self, other)),
    "mul": (mul, _promoted, None),
    "floor_divide": (_floor_divide_inplace, _promoted, None),
    "remainder": (remainder, _promoted, None),
    "fmod": (fmod, _promoted, None),
    "pow": (pow, _promoted, _check_pow),
    "square": (square, _squared, None),
    "atan2": (atan2, _floated, None),
    "arctan2": (atan2, _floated, None),
    "hypot": (hypot, _promoted, None),
    "copysign": (copysign, _floated, None),
    # (maximum and minimum have no in-place form in PyTorch)
    "bitwise_and": (bitwise_and, _promoted, None),
    "bitwise_or": (bitwise_or, _promoted, None),
    "bitwise_xor": (bitwise_xor, _promoted, None),
    "bitwise_not": (bitwise_not, None, None),
    "clamp": (clamp, _promoted, _clamp_inplace_check),
    "clip": (clamp, _promoted, _clamp_inplace_check),
    "clamp_min": (clamp_min, _promoted, _clamp_inplace_check),
    "clamp_max": (clamp_max, _promoted, _clamp_max_inplace_check),
    "lerp": (lerp, None, _lerp_check),
    **{n: (f, None, None) for n, f in (
        ("eq", eq), ("ne", ne), ("lt", lt), ("le", le), ("gt", gt), ("ge", ge),
        ("logical_and", logical_and), ("logical_or", logical_or), ("logical_xor", logical_xor),
        ("logical_not", logical_not), ("abs", abs), ("absolute", abs), ("neg", neg),
        ("negative", neg), ("floor", floor), ("ceil", ceil), ("trunc", trunc), ("fix", trunc),
        ("frac", frac), ("sign", sign), ("sgn", sgn), ("round", round), ("relu", relu),
        ("nan_to_num", nan_to_num),
    )},
    **{n: (f, _floated, None) for n, f in (
        ("exp", exp), ("exp2", exp2), ("expm1", expm1), ("log", log), ("log2", log2),
        ("log10", log10), ("log1p", log1p), ("sqrt", sqrt), ("rsqrt", rsqrt), ("sin", sin),
        ("cos", cos), ("tan", tan), ("asin", asin), ("acos", acos), ("atan", atan),
        ("sinh", sinh), ("cosh", cosh), ("tanh", tanh), ("sigmoid", sigmoid), ("erf", erf),
        ("erfc", erfc), ("reciprocal", reciprocal), ("asinh", asinh), ("acosh", acosh),
        ("atanh", atanh), ("arcsin", asin), ("arccos", acos), ("arctan", atan),
        ("arcsinh", asinh), ("arccosh", acosh), ("arctanh", atanh),
    )},
}.items():
    INPLACE[_name + "_"] = _inplace(_op, _rule, _check)
    INPLACE[_name + "_"].__name__ = _name + "_"

# In place, a comparison writes 0s and 1s into a float tensor: a zero gradient for both sides.
for _name in ("eq", "ne", "lt", "le", "gt", "ge"):
    _stem = _name.capitalize()
    _nodes = (
        derivative(f"{_stem}Backward0", inputs=("self",), self="zeros_like(grad)"),
        derivative(f"{_stem}Backward1", inputs=("self", "other"), self="zeros_like(grad)",
                   other="zeros_like(grad)"),
    )
    INPLACE[_name + "_"] = _inplace(globals()[_name], None, None, _nodes)
    INPLACE[_name + "_"].__name__ = _name + "_"


_true_div_ = _inplace(div, _floated)
_rounded_div_ = _inplace(div, _promoted)


def div_(self, other, *, rounding_mode=None):
    if rounding_mode is None:
        return _true_div_(self, other)
    return _rounded_div_(self, other, rounding_mode=rounding_mode)


INPLACE["div_"] = INPLACE["true_divide_"] = INPLACE["divide_"] = div_


ZeroBackward0 = derivative("ZeroBackward0", inputs=("self",), self="zeros_like(grad)")
FillBackward2 = derivative("FillBackward2", inputs=("self",), self="zeros_like(grad)")
FillBackward3 = derivative("FillBackward3", inputs=("self", "value"), self="zeros_like(grad)",
                           value="grad.sum()")
CopyBackwards = derivative("CopyBackwards", inputs=("self", "src"), self="zeros_like(grad)",
                           src="grad")
CopyBackwards.name = _cpp_name


def zero_(self):
    check_inplace(self, self._dtype, self._data.shape)
    node = inplace_node(ZeroBackward0, (self,))
    inplace_store(self, 0)
    return commit_inplace(self, node)


def fill_(self, value):
    if isinstance(value, Tensor) and value._data.ndim != 0:
        raise RuntimeError(
            "fill_ only supports 0-dimension value tensor but got tensor with "
            f"{value._data.ndim} dimensions."
        )
    check_inplace(self, self._dtype, self._data.shape)
    fill = checked_scalar(value, self._dtype)
    if isinstance(value, Tensor):
        node = inplace_node(FillBackward3, (self, value))
    else:
        node = inplace_node(FillBackward2, (self,))
    inplace_store(self, fill)
    return commit_inplace(self, node)


def copy_(self, src, non_blocking=False):
    if isinstance(src, bool | int | float):  # a number is a double/int64/bool, not float32
        src = _wrap(np.asarray(src), _dt.from_numpy_dtype(np.asarray(src).dtype))
    elif is_scalar(src):
        src = _as_tensor(src)
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'other' (position 1) must be Tensor, not "
                        f"{type(src).__name__}")
    check_inplace_grad(self)
    _check_overlap(self, [src])
    shape = _broadcast_shape(self._data.shape, src._data.shape)
    check_inplace(self, self._dtype, shape)
    # an integer or bool tensor cannot require grad: copying a value that does records nothing
    node = inplace_node(CopyBackwards, (self, src)) if self._dtype.is_floating_point else None
    inplace_store(self, cast(src._data, self._dtype))
    return commit_inplace(self, node)


INPLACE.update(zero_=zero_, fill_=fill_, copy_=copy_)
