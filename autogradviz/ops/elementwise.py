"""Elementwise operations: arithmetic, comparisons, logic and the unary math functions.

Each binary operation promotes its operands with PyTorch's rules (``_common.operands``), runs
the NumPy kernel, and turns NumPy's broadcasting error into PyTorch's. In-place forms compute
the whole result first, then check it fits the destination (dtype and shape) before writing, so
a failed call changes nothing.
"""

from __future__ import annotations

import math

import numpy as np

from .. import dtypes as _dt
from .._tensor import Tensor, _wrap, is_scalar
from ._common import (
    _FLOAT,
    _INT,
    broadcast_error,
    cast,
    check_inplace,
    inplace_store,
    not_implemented,
    operands,
    result_type,
    scalar_as,
    shape_of,
    write_out,
)

_np_add = np.add
_np_mul = np.multiply


def _apply(func, a, b, xa, xb):
    try:
        return func(xa, xb)
    except ValueError:
        raise broadcast_error(shape_of(a), shape_of(b)) from None


def _finish(arr, dt, out):
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


# ---------------------------------------------------------------------- arithmetic
def add(input, other, *, alpha=1, out=None):
    if type(other) is Tensor and type(input) is Tensor and alpha == 1 and out is None:
        if input._dtype is other._dtype:  # the common case, kept short
            try:
                r = _np_add(input._data, other._data)
            except ValueError:
                raise broadcast_error(input.shape, other.shape) from None
            return _wrap(r, input._dtype)
    input = _as_tensor(input)
    xa, xb, dt = operands(input, other)
    if alpha != 1:
        _check_alpha(alpha, dt)
        xb = _mul_alpha(xb, alpha, dt)
    if dt is _dt.bool:
        return _finish(_apply(np.logical_or, input, other, xa, xb), dt, out)
    return _finish(_apply(_np_add, input, other, xa, xb), dt, out)


def _check_alpha(alpha, dt):
    if isinstance(alpha, float) and dt.category != _FLOAT:
        raise RuntimeError(
            "For integral input tensors, argument alpha must not be a floating point number."
        )
    if isinstance(alpha, bool) is False and dt is _dt.bool and alpha not in (0, 1):
        raise RuntimeError("Boolean alpha only supported for Boolean results.")


def _mul_alpha(xb, alpha, dt):
    if isinstance(xb, np.ndarray):
        return xb * scalar_as(alpha, dt)
    return scalar_as(xb * alpha, dt) if dt.category == _FLOAT else scalar_as(xb, dt) * alpha


def sub(input, other, *, alpha=1, out=None):
    if type(other) is Tensor and type(input) is Tensor and alpha == 1 and out is None:
        if input._dtype is other._dtype and input._dtype is not _dt.bool:
            try:
                r = np.subtract(input._data, other._data)
            except ValueError:
                raise broadcast_error(input.shape, other.shape) from None
            return _wrap(r, input._dtype)
    input = _as_tensor(input)
    xa, xb, dt = operands(input, other)
    if dt is _dt.bool:
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` "
            "or `logical_xor()` operator instead."
            if isinstance(other, Tensor) and other._dtype is _dt.bool
            else "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
            "trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    if alpha != 1:
        _check_alpha(alpha, dt)
        xb = _mul_alpha(xb, alpha, dt)
    return _finish(_apply(np.subtract, input, other, xa, xb), dt, out)


def rsub(input, other, *, alpha=1):
    return sub(_as_tensor(other) if not isinstance(other, Tensor) else other, input, alpha=alpha)


def mul(input, other, *, out=None):
    if type(other) is Tensor and type(input) is Tensor and out is None:
        if input._dtype is other._dtype:
            try:
                r = _np_mul(input._data, other._data)
            except ValueError:
                raise broadcast_error(input.shape, other.shape) from None
            return _wrap(r, input._dtype)
    input = _as_tensor(input)
    xa, xb, dt = operands(input, other)
    if dt is _dt.bool:
        return _finish(_apply(np.logical_and, input, other, xa, xb), dt, out)
    return _finish(_apply(_np_mul, input, other, xa, xb), dt, out)


def _float_operands(input, other):
    """Operands for true division and friends: integer results become the default float."""
    xa, xb, dt = operands(input, other)
    if dt.category != _FLOAT:
        dt = _dt.get_default_dtype()
        xa = cast(xa, dt)
        xb = cast(xb, dt) if isinstance(xb, np.ndarray) else float(xb)
    return xa, xb, dt


def div(input, other, *, rounding_mode=None, out=None):
    input = _as_tensor(input)
    if rounding_mode is None:
        xa, xb, dt = _float_operands(input, other)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _finish(_apply(np.true_divide, input, other, xa, xb), dt, out)
    if rounding_mode == "trunc":
        xa, xb, dt = operands(input, other)
        if dt.category == _FLOAT:
            with np.errstate(divide="ignore", invalid="ignore"):
                return _finish(np.trunc(_apply(np.true_divide, input, other, xa, xb)), dt, out)
        _check_int_zero(xb)
        q = _apply(np.floor_divide, input, other, xa, xb)
        r = _apply(np.fmod, input, other, xa, xb)
        # Python floors; PyTorch truncates: step back toward zero where the signs differ.
        fix = (r != 0) & ((np.asarray(xa) < 0) != (np.asarray(xb) < 0))
        return _finish(q + fix.astype(q.dtype), dt, out)
    if rounding_mode == "floor":
        return floor_divide(input, other, out=out)
    raise ValueError(
        "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
        f"'{rounding_mode}'"
    )


true_divide = divide = div


def _check_int_zero(xb):
    if np.any(np.asarray(xb) == 0):
        raise RuntimeError("ZeroDivisionError")


def floor_divide(input, other, *, out=None):
    input = _as_tensor(input)
    xa, xb, dt = operands(input, other)
    if dt.category != _FLOAT:
        if dt is _dt.bool:
            raise not_implemented("div_floor_cpu", dt)
        _check_int_zero(xb)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _finish(_apply(np.floor_divide, input, other, xa, xb), dt, out)


def remainder(input, other, *, out=None):
    input = _as_tensor(input)
    xa, xb, dt = operands(input, other)
    if dt.category != _FLOAT:
        _check_int_zero(xb)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _finish(_apply(np.remainder, input, other, xa, xb), dt, out)


def fmod(input, other, *, out=None):
    input = _as_tensor(input)
    xa, xb, dt = operands(input, other)
    if dt.category != _FLOAT:
        _check_int_zero(xb)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _finish(_apply(np.fmod, input, other, xa, xb), dt, out)


def _pow_scalar_exponent(x, e, dt):
    # PyTorch computes these exponents with multiplications and roots, not pow().
    if dt.category == _FLOAT:
        if e == 2:
            return x * x
        if e == 3:
            return x * x * x
        if e == 0.5:
            return np.sqrt(x)
        if e == -0.5:
            return 1 / np.sqrt(x)
        if e == -1:
            return 1 / x
        if e == -2:
            return 1 / (x * x)
    return np.power(x, e)


def pow(input, exponent, *, out=None):  # noqa: A001
    if not isinstance(input, Tensor):
        return _rpow(input, exponent, out)
    xa, xb, dt = operands(input, exponent)
    if dt.category == _INT:
        if (np.asarray(xb) < 0).any():
            raise RuntimeError("Integers to negative integer powers are not allowed.")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if is_scalar(exponent):
            r = _pow_scalar_exponent(xa, xb, dt)
        elif dt is _dt.bool:
            r = np.power(xa.astype(np.uint8), xb.astype(np.uint8)).astype(bool)
        else:
            r = _apply(np.power, input, exponent, xa, xb)
    return _finish(r, dt, out)


def _rpow(base, exponent, out=None):
    exponent = _as_tensor(exponent)
    xe, xb, dt = operands(exponent, base)
    if dt.category == _INT and (np.asarray(xe) < 0).any():
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _finish(np.power(xb, xe), dt, out)


def float_power(input, exponent, *, out=None):
    input = _as_tensor(input)
    xa = cast(input._data, _dt.float64)
    xe = exponent._data.astype(np.float64) if isinstance(exponent, Tensor) else float(exponent)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _finish(_apply(np.power, input, exponent, xa, xe), _dt.float64, out)


def _binary_float(np_func):
    """A binary function whose integer inputs give the default float dtype (atan2, hypot ...)."""

    def op(input, other, *, out=None):
        input = _as_tensor(input)
        xa, xb, dt = _float_operands(input, other)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return _finish(_apply(np_func, input, other, xa, xb), dt, out)

    return op


atan2 = arctan2 = _binary_float(np.arctan2)
hypot = _binary_float(np.hypot)
copysign = _binary_float(np.copysign)
logaddexp = _binary_float(np.logaddexp)


def _binary_same(np_func, name, bool_kernel=None, float_ok=True):
    def op(input, other, *, out=None):
        input = _as_tensor(input)
        xa, xb, dt = operands(input, other)
        if dt is _dt.bool and bool_kernel is not None:
            return _finish(_apply(bool_kernel, input, other, xa, xb), dt, out)
        if not float_ok and dt.category == _FLOAT:
            raise not_implemented(f"{name}_cpu", dt)
        return _finish(_apply(np_func, input, other, xa, xb), dt, out)

    op.__name__ = name
    return op


maximum = _binary_same(np.maximum, "maximum", np.logical_or)
minimum = _binary_same(np.minimum, "minimum", np.logical_and)
fmax = _binary_same(np.fmax, "fmax", np.logical_or)
fmin = _binary_same(np.fmin, "fmin", np.logical_and)
bitwise_and = _binary_same(np.bitwise_and, "bitwise_and", float_ok=False)
bitwise_or = _binary_same(np.bitwise_or, "bitwise_or", float_ok=False)
bitwise_xor = _binary_same(np.bitwise_xor, "bitwise_xor", float_ok=False)


def bitwise_not(input, *, out=None):
    if input._dtype.category == _FLOAT:
        raise not_implemented("bitwise_not_cpu", input._dtype)
    f = np.logical_not if input._dtype is _dt.bool else np.invert
    return _finish(f(input._data), input._dtype, out)


def _compare(np_func, name):
    def op(input, other, *, out=None):
        input = _as_tensor(input)
        xa, xb, _ = operands(input, other)
        with np.errstate(invalid="ignore"):
            return _finish(_apply(np_func, input, other, xa, xb), _dt.bool, out)

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
        input = _as_tensor(input)
        xa = input._data
        xb = other._data if isinstance(other, Tensor) else np.asarray(other)
        return _finish(_apply(np_func, input, other, xa != 0, xb != 0), _dt.bool, out)

    op.__name__ = name
    return op


logical_and = _logical(np.logical_and, "logical_and")
logical_or = _logical(np.logical_or, "logical_or")
logical_xor = _logical(np.logical_xor, "logical_xor")


def logical_not(input, *, out=None):
    return _finish(input._data == 0, _dt.bool, out)


# ---------------------------------------------------------------------- unary functions
def _unary_float(np_func, name):
    """A function of floats; integer and bool inputs give the default float dtype."""

    def op(input, *, out=None):
        dt = input._dtype
        x = input._data
        if dt.category != _FLOAT:
            dt = _dt.get_default_dtype()
            x = cast(x, dt)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            return _finish(np_func(x), dt, out)

    op.__name__ = name
    return op


def _unary_same(np_func, name, bool_error=None, int_identity=False):
    """A function keeping its input's dtype (abs, neg, floor ...)."""

    def op(input, *, out=None):
        dt = input._dtype
        if dt is _dt.bool and bool_error is not None:
            raise bool_error
        if int_identity and dt.category != _FLOAT:
            return _finish(input._data.copy(), dt, out)
        with np.errstate(invalid="ignore", over="ignore"):
            return _finish(np_func(input._data), dt, out)

    op.__name__ = name
    return op


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _rsqrt(x):
    return 1 / np.sqrt(x)


def _erf(x):
    # NumPy has no erf; math.erf is correctly rounded in double, then rounded to the dtype.
    flat = np.fromiter(map(math.erf, x.astype(np.float64).ravel()), np.float64, x.size)
    return flat.reshape(x.shape).astype(x.dtype)


def _erfc(x):
    flat = np.fromiter(map(math.erfc, x.astype(np.float64).ravel()), np.float64, x.size)
    return flat.reshape(x.shape).astype(x.dtype)


def _frac(x):
    return x - np.trunc(x)


exp = _unary_float(np.exp, "exp")
exp2 = _unary_float(np.exp2, "exp2")
expm1 = _unary_float(np.expm1, "expm1")
log = _unary_float(np.log, "log")
log2 = _unary_float(np.log2, "log2")
log10 = _unary_float(np.log10, "log10")
log1p = _unary_float(np.log1p, "log1p")
sqrt = _unary_float(np.sqrt, "sqrt")
rsqrt = _unary_float(_rsqrt, "rsqrt")
sin = _unary_float(np.sin, "sin")
cos = _unary_float(np.cos, "cos")
tan = _unary_float(np.tan, "tan")
asin = arcsin = _unary_float(np.arcsin, "asin")
acos = arccos = _unary_float(np.arccos, "acos")
atan = arctan = _unary_float(np.arctan, "atan")
sinh = _unary_float(np.sinh, "sinh")
cosh = _unary_float(np.cosh, "cosh")
tanh = _unary_float(np.tanh, "tanh")
asinh = arcsinh = _unary_float(np.arcsinh, "asinh")
acosh = arccosh = _unary_float(np.arccosh, "acosh")
atanh = arctanh = _unary_float(np.arctanh, "atanh")
sigmoid = _unary_float(_sigmoid, "sigmoid")
erf = _unary_float(_erf, "erf")
erfc = _unary_float(_erfc, "erfc")
reciprocal = _unary_float(np.reciprocal, "reciprocal")

_NEG_BOOL = RuntimeError(
    "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert "
    "a mask, use the `~` or `logical_not()` operator instead."
)
abs = absolute = _unary_same(np.abs, "abs", int_identity=False)  # noqa: A001
neg = negative = _unary_same(np.negative, "neg", bool_error=_NEG_BOOL)
floor = _unary_same(np.floor, "floor", int_identity=True)
ceil = _unary_same(np.ceil, "ceil", int_identity=True)
trunc = fix = _unary_same(np.trunc, "trunc", int_identity=True)
frac = _unary_same(_frac, "frac")

def square(input, *, out=None):
    if input._dtype is _dt.bool:
        return _finish(input._data.astype(np.int64), _dt.int64, out)
    return _finish(input._data * input._data, input._dtype, out)


def sign(input, *, out=None):
    if input._dtype is _dt.bool:
        return _finish(input._data.copy(), _dt.bool, out)
    return _finish(np.sign(input._data), input._dtype, out)


def sgn(input, *, out=None):
    return sign(input, out=out)


def signbit(input, *, out=None):
    return _finish(np.signbit(input._data), _dt.bool, out)


def round(input, *, decimals=0, out=None):  # noqa: A001
    dt = input._dtype
    x = input._data
    if dt.category != _FLOAT:
        return _finish(x.copy(), dt, out)
    if decimals == 0:
        return _finish(np.round(x), dt, out)
    # PyTorch scales by 10**decimals (or divides for negative decimals) in the tensor's dtype.
    ten_pow = np.asarray(10.0 ** builtins_abs(decimals), dtype=x.dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        if decimals > 0:
            r = np.round(x * ten_pow) / ten_pow
        else:
            r = np.round(x / ten_pow) * ten_pow
    return _finish(r, dt, out)


def builtins_abs(v):
    return v if v >= 0 else -v


def relu(input):
    if input._dtype is _dt.bool:
        raise not_implemented("clamp_min_cpu", input._dtype)
    x = input._data
    return _wrap(np.where(x > 0, x, np.zeros((), x.dtype)) if x.dtype.kind == "f"
                 else np.maximum(x, 0).astype(x.dtype), input._dtype)


def isnan(input):
    return _wrap(np.isnan(input._data) if input._dtype.category == _FLOAT
                 else np.zeros(input._data.shape, bool), _dt.bool)


def isinf(input):
    return _wrap(np.isinf(input._data) if input._dtype.category == _FLOAT
                 else np.zeros(input._data.shape, bool), _dt.bool)


def isposinf(input):
    return _wrap(np.isposinf(input._data) if input._dtype.category == _FLOAT
                 else np.zeros(input._data.shape, bool), _dt.bool)


def isneginf(input):
    return _wrap(np.isneginf(input._data) if input._dtype.category == _FLOAT
                 else np.zeros(input._data.shape, bool), _dt.bool)


def isfinite(input):
    return _wrap(np.isfinite(input._data) if input._dtype.category == _FLOAT
                 else np.ones(input._data.shape, bool), _dt.bool)


def isreal(input):
    return _wrap(np.ones(input._data.shape, bool), _dt.bool)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    dt = input._dtype
    if dt.category != _FLOAT:
        return _finish(input._data.copy(), dt, out)
    info = np.finfo(dt.np)
    r = np.nan_to_num(
        input._data,
        nan=nan,
        posinf=info.max if posinf is None else posinf,
        neginf=info.min if neginf is None else neginf,
    )
    return _finish(r, dt, out)


def clamp(input, min=None, max=None, *, out=None):  # noqa: A002
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    operands_ = [input] + [v for v in (min, max) if v is not None]
    dt = result_type(*operands_)
    if dt is _dt.bool:
        raise not_implemented("clamp_cpu", dt)
    x = cast(input._data, dt)

    def bound(v):
        return cast(v._data, dt) if isinstance(v, Tensor) else scalar_as(v, dt)

    r = x
    try:
        with np.errstate(invalid="ignore"):
            # PyTorch: min(max(x, lo), hi), propagating NaN from x.
            if min is not None:
                lo = bound(min)
                r = np.where(np.isnan(r) | (r >= lo), r, lo) if dt.category == _FLOAT else (
                    np.maximum(r, lo))
            if max is not None:
                hi = bound(max)
                r = np.where(np.isnan(r) | (r <= hi), r, hi) if dt.category == _FLOAT else (
                    np.minimum(r, hi))
    except ValueError:
        raise broadcast_error(input.shape, shape_of(min if min is not None else max)) from None
    return _finish(np.array(r, dtype=dt.np, copy=True) if r is x else r, dt, out)


clip = clamp


def clamp_min(input, min):  # noqa: A002
    return clamp(input, min=min)


def clamp_max(input, max):  # noqa: A002
    return clamp(input, max=max)


def where(condition, input=None, other=None, *, out=None):
    if input is None and other is None:
        from .indexing import nonzero

        return nonzero(condition, as_tuple=True)
    if not isinstance(condition, Tensor):
        raise TypeError("where(): argument 'condition' must be Tensor")
    if condition._dtype is not _dt.bool:
        raise RuntimeError(
            f"where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{_dt.SCALAR_TYPE_NAMES[condition._dtype]}"
        )
    dt = result_type(*(v for v in (input, other)))
    xa = cast(input._data, dt) if isinstance(input, Tensor) else scalar_as(input, dt)
    xb = cast(other._data, dt) if isinstance(other, Tensor) else scalar_as(other, dt)
    try:
        r = np.where(condition._data, xa, xb)
    except ValueError:
        shapes = [shape_of(v) for v in (condition, input, other)]
        raise broadcast_error(shapes[0], shapes[1] if shapes[1] else shapes[2]) from None
    return _finish(r, dt, out)


def lerp(input, end, weight, *, out=None):
    dt = result_type(input, end)
    if dt.category != _FLOAT:
        raise not_implemented("lerp_kernel_scalar", dt)
    s = input._data
    e = cast(end._data, dt) if isinstance(end, Tensor) else scalar_as(end, dt)
    w = cast(weight._data, dt) if isinstance(weight, Tensor) else np.asarray(weight, dt.np)
    # PyTorch's two-sided formula keeps lerp exact at both ends.
    diff = e - s
    with np.errstate(invalid="ignore", over="ignore"):
        r = np.where(np.abs(w) < 0.5, s + w * diff, e - diff * (1 - w))
    return _finish(r, dt, out)


# ---------------------------------------------------------------------- in-place forms
def _inplace(op):
    """``x.op_(...)``: compute ``op`` out of place, check it fits ``x``, then write it."""

    def method(self, *args, **kwargs):
        r = op(self, *args, **kwargs)
        check_inplace(self, r._dtype, r._data.shape)
        return inplace_store(self, cast(r._data, self._dtype))

    method.__name__ = op.__name__ + "_"
    return method


INPLACE = {}
for _name, _op in {
    "add": add, "sub": sub, "mul": mul, "div": div, "true_divide": div,
    "floor_divide": floor_divide, "remainder": remainder, "fmod": fmod, "pow": pow,
    "atan2": atan2, "hypot": hypot, "copysign": copysign, "maximum": maximum,
    "minimum": minimum, "bitwise_and": bitwise_and, "bitwise_or": bitwise_or,
    "bitwise_xor": bitwise_xor, "bitwise_not": bitwise_not, "eq": eq, "ne": ne, "lt": lt,
    "le": le, "gt": gt, "ge": ge, "logical_and": logical_and, "logical_or": logical_or,
    "logical_xor": logical_xor, "logical_not": logical_not, "exp": exp, "exp2": exp2,
    "expm1": expm1, "log": log, "log2": log2, "log10": log10, "log1p": log1p, "sqrt": sqrt,
    "rsqrt": rsqrt, "sin": sin, "cos": cos, "tan": tan, "asin": asin, "acos": acos,
    "atan": atan, "sinh": sinh, "cosh": cosh, "tanh": tanh, "sigmoid": sigmoid, "erf": erf,
    "erfc": erfc, "reciprocal": reciprocal, "abs": abs, "neg": neg, "negative": neg,
    "floor": floor, "ceil": ceil, "trunc": trunc, "frac": frac, "square": square,
    "sign": sign, "round": round, "relu": relu, "nan_to_num": nan_to_num, "clamp": clamp,
    "clip": clamp, "clamp_min": clamp_min, "clamp_max": clamp_max, "lerp": lerp,
    "arctan2": atan2, "absolute": abs, "fix": trunc,
}.items():
    INPLACE[_name + "_"] = _inplace(_op)
    INPLACE[_name + "_"].__name__ = _name + "_"


def zero_(self):
    check_inplace(self, self._dtype, self._data.shape)
    return inplace_store(self, 0)


def fill_(self, value):
    if isinstance(value, Tensor) and value._data.ndim != 0:
        raise RuntimeError(
            "fill_ only supports 0-dimension value tensor but got tensor with "
            f"{value._data.ndim} dimensions."
        )
    check_inplace(self, self._dtype, self._data.shape)
    return inplace_store(self, scalar_as(value, self._dtype))


def copy_(self, src, non_blocking=False):
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'other' (position 1) must be Tensor, not "
                        f"{type(src).__name__}")
    try:
        np.broadcast_shapes(src._data.shape, self._data.shape)
        if np.broadcast_shapes(src._data.shape, self._data.shape) != self._data.shape:
            raise ValueError
    except ValueError:
        raise RuntimeError(
            f"The size of tensor a ({self._data.shape[-1] if self._data.ndim else 1}) must "
            f"match the size of tensor b ({src._data.shape[-1] if src._data.ndim else 1}) at "
            f"non-singleton dimension {max(self._data.ndim - 1, 0)}"
        ) from None
    check_inplace(self, self._dtype, self._data.shape)
    return inplace_store(self, cast(src._data, self._dtype))


INPLACE.update(zero_=zero_, fill_=fill_, copy_=copy_)
