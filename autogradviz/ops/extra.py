"""Tensor functions beyond the core families: fused arithmetic (addcmul, addcdiv, addmv,
baddbmm), special functions (logit, xlogy, sinc, logaddexp2, ...), integer functions (gcd, lcm),
differences and grids (diff, meshgrid, cartesian_prod, trapezoid), searching and counting
(isin, searchsorted, bucketize, bincount), index helpers (tril_indices, unravel_index) and a
few composites PyTorch builds from other operations (kron, inner, block_diag, diagflat).

Each follows the family module's conventions (``elementwise``, ``linalg``, ``shape``): PyTorch's
promotion, messages and node; a composite PyTorch builds from other ATen operations is built
here from the same operations, so its graph has PyTorch's nodes.
"""

from __future__ import annotations

import math

import numpy as np

from .. import dtypes as _dt
from .._fma import _fma32, _fma64
from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import no_grad
from ..autograd.graph import derivative, rule_helper
from . import elementwise as ew
from ._backward import mul_scalar
from ._common import broadcast_error, cast, not_implemented, result_type, tracked

_FLOAT = _dt._FLOAT
_BOOL = _dt.bool
_F16 = _dt.float16
_F32 = _dt.float32
_F64 = _dt.float64

__all__ = [
    "addcdiv", "addcmul", "deg2rad", "gcd", "heaviside", "lcm", "ldexp", "logaddexp2", "logit",
    "multiply", "nextafter", "rad2deg", "sinc", "subtract", "xlogy",
]

# ---------------------------------------------------------------------- aliases
subtract = ew.sub
multiply = ew.mul


def _broadcast(arrays, tensors):
    try:
        return np.broadcast_arrays(*arrays)
    except ValueError:
        shapes = [t._data.shape for t in tensors]
        # PyTorch names the first pair that fails, reading the shapes left to right.
        shape = shapes[0]
        for s in shapes[1:]:
            try:
                shape = np.broadcast_shapes(shape, s)
            except ValueError:
                raise broadcast_error(shape, s) from None
        raise


def _check_broadcast(input, other):
    """PyTorch's broadcast error, which comes before a kernel's dtype error."""
    a, b = ew.shape_of(input), ew.shape_of(other)
    try:
        np.broadcast_shapes(a, b)
    except ValueError:
        raise broadcast_error(a, b) from None


def _require_tensor(name, value, arg, position):
    if not isinstance(value, Tensor):
        raise TypeError(f"{name}(): argument '{arg}' (position {position}) must be Tensor, not "
                        f"{type(value).__name__}")


def _opmath(dt):
    """The dtype PyTorch's CPU kernels compute ``dt`` in (float16 in float32)."""
    return np.float32 if dt is _F16 else dt.np.type


def _scalar_in(value, dt):
    """A Scalar argument (``value=``, ``alpha=``) as the kernel reads it for ``dt``."""
    if isinstance(value, Tensor):
        value = value.item()
    if dt is _BOOL:
        return bool(value)
    checked = ew.checked_scalar(value, dt)  # PyTorch's overflow check
    if dt.category == _FLOAT:
        return _opmath(dt)(value)
    return checked


@rule_helper
def scalar_base_pow(base, exponent):
    """C++ ``pow(Scalar, Tensor)`` in a rule (PowBackward2 when recorded)."""
    return ew.pow(base, exponent)


def _shows_saved_value(node_cls):
    """``node_cls`` with its saved Scalar ``value`` shown as ``_saved_value``, as PyTorch shows
    it. The Node base class uses that name for its reader of saved values, so here it is the
    value, and the node's other saved values are read with the base class's reader."""
    read = node_cls._saved_value

    def saved_or_lazy(self, attr):
        if attr.startswith("_saved_") and attr[7:] in self.__dict__.get("_saved", {}):
            return read(self, attr[7:])
        return node_cls.__getattr__(self, attr)

    return type(node_cls.__name__, (node_cls,), {
        "_saved_value": property(lambda self: read(self, "value")),
        "__getattr__": saved_or_lazy,
        "__module__": node_cls.__module__,
    })


# ---------------------------------------------------------------------- addcmul / addcdiv
AddcmulBackward0 = derivative(
    "AddcmulBackward0", inputs=("self", "tensor1", "tensor2"),
    saves=("tensor1", "tensor2", "value"),
    self="grad", tensor1="grad * mul_scalar(tensor2, value)",
    tensor2="grad * mul_scalar(tensor1, value)",
)
AddcdivBackward0 = derivative(
    "AddcdivBackward0", inputs=("self", "tensor1", "tensor2"),
    saves=("tensor1", "tensor2", "value"),
    self="grad", tensor1="grad * mul_scalar(tensor2.reciprocal(), value)",
    tensor2="-grad * (mul_scalar(tensor1, value) / (tensor2 * tensor2))",
)
AddcmulBackward0 = _shows_saved_value(AddcmulBackward0)
AddcdivBackward0 = _shows_saved_value(AddcdivBackward0)


def _addc_operands(name, input, tensor1, tensor2, out):
    for position, (arg, v) in enumerate(
            (("input", input), ("tensor1", tensor1), ("tensor2", tensor2)), 1):
        _require_tensor(name, v, arg, position)
    if out is not None:
        ew._check_out(name, out, input, tensor1, tensor2)
    dt = result_type(input, tensor1, tensor2)
    work = _opmath(dt) if dt.category == _FLOAT else dt.np
    arrays = [cast(t._data, dt).astype(work, copy=False) for t in (input, tensor1, tensor2)]
    return _broadcast(arrays, (input, tensor1, tensor2)), dt


def _if_grad(t, value):
    return value if t._requires_grad else None


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 * tensor2``; float kernels fuse the last step:
    fma(value * tensor1, tensor2, input)."""
    (a, b, c), dt = _addc_operands("addcmul", input, tensor1, tensor2, out)
    if dt is _BOOL:
        raise not_implemented("addcmul_cpu_out", dt)
    v = _scalar_in(value, dt)
    with np.errstate(all="ignore"):
        if dt.category == _FLOAT:
            fma = _fma64 if dt is _F64 else _fma32
            r = fma(np.multiply(v, b), c, a).reshape(a.shape)
        else:
            r = a + v * b * c
    result = ew._finish(r, dt, out)
    if out is None:
        saved = {"tensor1": _if_grad(tensor2, tensor1), "tensor2": _if_grad(tensor1, tensor2),
                 "value": value}
        tracked(result, AddcmulBackward0, (input, tensor1, tensor2), saved)
    return result


_ADDCDIV_INTEGER = (
    "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will "
    "perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be "
    "implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer "
    "inputs and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv "
    "behavior is just the latter implementation: (input + value * tensor1 / tensor2), for all "
    "dtypes."
)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 / tensor2`` (no fused step in PyTorch's kernel)."""
    for position, (arg, v) in enumerate(
            (("input", input), ("tensor1", tensor1), ("tensor2", tensor2)), 1):
        _require_tensor("addcdiv", v, arg, position)
    if tensor1._dtype.category != _FLOAT and tensor2._dtype.category != _FLOAT:
        raise RuntimeError(_ADDCDIV_INTEGER)
    (a, b, c), dt = _addc_operands("addcdiv", input, tensor1, tensor2, out)
    if dt.category != _FLOAT:
        raise not_implemented("addcdiv_cpu_out", dt)
    v = _scalar_in(value, dt)
    with np.errstate(all="ignore"):
        r = a + np.multiply(v, b) / c
    result = ew._finish(r, dt, out)
    if out is None:
        saved = {"tensor1": _if_grad(tensor2, tensor1), "tensor2": tensor2, "value": value}
        tracked(result, AddcdivBackward0, (input, tensor1, tensor2), saved)
    return result


# ---------------------------------------------------------------------- logit / xlogy
LogitBackward0 = derivative(
    "LogitBackward0", inputs=("self",), saves=("eps", "self"),
    self="logit_backward(grad, self, eps)",
)


@rule_helper
def logit_backward(grad, self, eps):
    """grad / (x (1 - x)); outside [0, 1] NaN, or with ``eps`` zero outside [eps, 1 - eps]."""
    slope = grad / (self * (1 - self))
    if eps is None:
        return ew.where((self < 0).logical_or(self > 1), math.nan, slope)
    return ew.where((self < eps).logical_or(self > 1 - eps), 0.0, slope)


def _libm_log(x):
    """log of a float array as the C library computes it (correctly rounded in float64; float32
    and float16 through float64, rounded once): NumPy's SIMD log is not always."""
    x64 = np.asarray(x, np.float64)
    out = np.empty(x64.shape)
    with np.errstate(all="ignore"):
        np.log(x64, out=out)  # zeros, negatives, infinities and NaN as libm gives them
    finite = (x64 > 0) & (x64 < np.inf)
    if finite.any():
        values = x64[finite]
        out[finite] = np.fromiter(map(math.log, values.tolist()), np.float64, values.size)
    return out.astype(x.dtype, copy=False)


def logit(input, eps=None, *, out=None):
    """log(x / (1 - x)), ``x`` first clamped to [eps, 1 - eps] when ``eps`` is given."""
    if out is not None:
        ew._check_out("logit", out, input)
    x, dt = ew._float_input(input)
    work = dt.np.type  # float16 too: each step of PyTorch's Half kernel rounds to half
    x = x.astype(work, copy=False)
    with np.errstate(all="ignore"):
        if eps is not None and eps >= 0:
            lo = work(eps)
            hi = work(1) - lo
            x = np.where(x < lo, lo, np.where(x > hi, hi, x))
        r = _libm_log(x / (work(1) - x))
    result = ew._finish(r, dt, out)
    if out is None:
        tracked(result, LogitBackward0, (input,), {"eps": eps, "self": input})
    return result


XlogyBackward0 = derivative(
    "XlogyBackward0", inputs=("self", "other"), saves=("other", "self"),
    self="xlogy(grad, other).masked_fill((self == 0.0).logical_and(other <= 0.0), 0.0)",
    other="grad * self / other",
)
XlogyBackward1 = derivative(
    "XlogyBackward1", inputs=("other",), saves=("other", "self"), other="grad * self / other",
)
XlogyBackward2 = derivative(
    "XlogyBackward2", inputs=("self",), saves=("other", "self"),
    self="xlogy(grad, other) if other > 0 else xlogy(grad, other).masked_fill(self == 0.0, 0.0)",
)


@rule_helper
def xlogy(input, other, *, out=None):
    """x * log(y), and 0 where x is 0 (unless y is NaN)."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError(
            "xlogy() received an invalid combination of arguments - got "
            f"({type(input).__name__}, {type(other).__name__}), but expected one of:\n"
            " * (Tensor input, Tensor other, *, Tensor out = None)\n"
            " * (Number self, Tensor other, *, Tensor out = None)\n"
            " * (Tensor input, Number other, *, Tensor out = None)\n")
    if out is not None:
        ew._check_out("xlogy", out, input, other)
    xa, xb, dt = ew._float_operands(input, other)
    work = dt.np.type  # float16 too: PyTorch's Half kernel rounds the log to half first
    xa = np.asarray(xa, work)
    xb = np.asarray(xb, work)
    try:
        xa, xb = np.broadcast_arrays(xa, xb)
    except ValueError:
        raise broadcast_error(ew.shape_of(input), ew.shape_of(other)) from None
    with np.errstate(all="ignore"):
        r = np.where((xa == 0) & ~np.isnan(xb), work(0), xa * _libm_log(xb))
    result = ew._finish(r, dt, out)
    if out is None and ew._needs_grad(input, other):
        saved = {"other": other, "self": input}
        if not isinstance(input, Tensor):
            tracked(result, XlogyBackward1, (other,), saved)
        elif not isinstance(other, Tensor):
            tracked(result, XlogyBackward2, (input,), saved)
        else:
            tracked(result, XlogyBackward0, (input, other), saved)
    return result


# ---------------------------------------------------------------------- angle conversions
_DEG2RAD = math.pi / 180
_RAD2DEG = 180 / math.pi
Deg2RadBackward0 = derivative("Deg2RadBackward0", inputs=("self",),
                              self="grad * 0.017453292519943295")
Rad2DegBackward0 = derivative("Rad2DegBackward0", inputs=("self",),
                              self="grad * 57.29577951308232")


def _angle(factor, node, name):
    def op(input, *, out=None):
        if out is not None:
            ew._check_out(name, out, input)
        x, dt = ew._float_input(input)
        with no_grad():  # a multiplication by the constant, as PyTorch's kernel
            r = ew.mul(_wrap(x, dt), factor)
        result = ew._finish(r._data, dt, out)
        if out is None:
            tracked(result, node, (input,))
        return result

    op.__name__ = name
    return op


deg2rad = _angle(_DEG2RAD, Deg2RadBackward0, "deg2rad")
rad2deg = _angle(_RAD2DEG, Rad2DegBackward0, "rad2deg")


# ---------------------------------------------------------------------- logaddexp2 / sinc
Logaddexp2Backward0 = derivative(
    "Logaddexp2Backward0", inputs=("self", "other"), saves=("other", "self"),
    self="grad / (1 + scalar_base_pow(2, other - self))",
    other="grad / (1 + scalar_base_pow(2, self - other))",
)
_INV_LN2 = 1 / math.log(2)


def logaddexp2(input, other, *, out=None):
    """log2(2**a + 2**b) = max + log1p(exp2(-|a - b|)) / ln 2 (equal infinities stay)."""
    _require_tensor("logaddexp2", input, "input", 1)
    _require_tensor("logaddexp2", other, "other", 2)
    if out is not None:
        ew._check_out("logaddexp2", out, input, other)
    xa, xb, dt = ew._pair(input, other)
    _check_broadcast(input, other)
    if dt.category != _FLOAT:
        raise not_implemented("logaddexp2_cpu", dt)
    try:
        a, b = np.broadcast_arrays(np.asarray(xa, np.float64), np.asarray(xb, np.float64))
    except ValueError:
        raise broadcast_error(input.shape, other.shape) from None
    with np.errstate(all="ignore"):
        m = np.maximum(a, b)
        if dt is _F64:
            tail = np.log1p(np.exp2(-np.abs(a - b))) * _INV_LN2 + m
        else:  # float32 steps, the last one an fma as in PyTorch's kernel (float16 in float32)
            f32 = np.float32
            e = np.exp2(-np.abs(a - b).astype(f32).astype(np.float64)).astype(f32)
            log1p = np.log1p(e.astype(np.float64)).astype(f32)
            tail = _fma32(log1p, np.full(log1p.shape, _INV_LN2, f32), m.astype(f32))
            tail = tail.reshape(m.shape)
        r = np.where(np.isinf(a) & (a == b), a, tail)
    result = ew._finish(r, dt, out)
    if out is None:
        tracked(result, Logaddexp2Backward0, (input, other), {"other": other, "self": input})
    return result


SincBackward0 = derivative("SincBackward0", inputs=("self",), saves=("self",),
                           self="sinc_backward(grad, self)")


@rule_helper
def sinc_backward(grad, self):
    """(pi x cos(pi x) - sin(pi x)) / (pi x^2), 0 at x = 0."""
    pi_x = mul_scalar(self, math.pi)
    slope = (pi_x * pi_x.cos() - pi_x.sin()) / (mul_scalar(self, math.pi) * self)
    return slope.masked_fill(self == 0, 0) * grad


def sinc(input, *, out=None):
    """sin(pi x) / (pi x), 1 at 0: the product and quotient in the input's precision (float16
    in float32), the sine through float64 for float32."""
    if out is not None:
        ew._check_out("sinc", out, input)
    x, dt = ew._float_input(input)
    work = _opmath(dt)
    x = x.astype(work, copy=False)
    with np.errstate(all="ignore"):
        product = work(math.pi) * x
        s = np.sin(product.astype(np.float64)).astype(work)
        r = np.where(x == 0, work(1), s / product)
    result = ew._finish(r, dt, out)
    if out is None:
        tracked(result, SincBackward0, (input,), {"self": input})
    return result


# ---------------------------------------------------------------------- heaviside, nextafter
def _heaviside_check(input, values, **_):
    _require_tensor("heaviside", input, "input", 1)
    _require_tensor("heaviside", values, "values", 2)
    if input._dtype is not values._dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")


def heaviside(input, values, *, out=None):
    """0 where input < 0, 1 where input > 0, ``values`` where input == 0."""
    _heaviside_check(input, values)
    if out is not None:
        ew._check_out("heaviside", out, input, values)
    dt = input._dtype
    x, v = input._data, values._data
    try:
        x, v = np.broadcast_arrays(x, v)
    except ValueError:
        raise broadcast_error(input.shape, values.shape) from None
    with np.errstate(all="ignore"):
        r = np.where(x == 0, v, (x > 0).astype(dt.np))
    result = ew._finish(r, dt, out)
    if out is None:
        ew._track_not_implemented(result, "heaviside", input, values)
    return result


NextafterBackward0 = derivative(
    "NextafterBackward0", inputs=("self", "other"), saves=("other", "self"),
    self="grad", other="zeros_like(grad)",
)


def nextafter(input, other, *, out=None):
    _require_tensor("nextafter", input, "input", 1)
    _require_tensor("nextafter", other, "other", 2)
    if out is not None:
        ew._check_out("nextafter", out, input, other)
    xa, xb, dt = ew._pair(input, other)
    _check_broadcast(input, other)
    if dt.category != _FLOAT:
        raise not_implemented("nextafter_cpu", dt)
    r = ew._apply(np.nextafter, input, other, np.asarray(xa, dt.np), np.asarray(xb, dt.np))
    result = ew._finish(r, dt, out)
    if out is None:
        tracked(result, NextafterBackward0, (input, other), {"other": other, "self": input})
    return result


# ---------------------------------------------------------------------- gcd / lcm
def _integer_binary(np_func, name):
    def op(input, other, *, out=None):
        _require_tensor(name, input, "input", 1)
        _require_tensor(name, other, "other", 2)
        if out is not None:
            ew._check_out(name, out, input, other)
        xa, xb, dt = ew._pair(input, other)
        _check_broadcast(input, other)
        if dt.category == _FLOAT or dt is _BOOL:
            raise not_implemented(f"{name}_cpu", dt)
        return ew._finish(ew._apply(np_func, input, other, xa, xb), dt, out)

    op.__name__ = name
    return op


def _lcm(a, b):
    """PyTorch's lcm: |a / gcd(a, b) * b| (0 when the gcd is 0), wrapping on overflow."""
    g = np.gcd(a, b)
    safe = np.where(g == 0, 1, g)
    return np.where(g == 0, 0, np.abs(a // safe * b)).astype(np.result_type(a, b))


gcd = _integer_binary(np.gcd, "gcd")
lcm = _integer_binary(_lcm, "lcm")


# ---------------------------------------------------------------------- ldexp
LdexpBackward0 = derivative(
    "LdexpBackward0", inputs=("self", "other"), saves=("other", "result"),
    self="grad * scalar_base_pow(2.0, other)", other="grad * result * 0.6931471805599453",
)


def ldexp(input, other, *, out=None):
    """``input * 2 ** other``, as PyTorch computes it: a power of 2.0, then a product."""
    _require_tensor("ldexp", input, "input", 1)
    _require_tensor("ldexp", other, "other", 2)
    if out is not None:
        ew._check_out("ldexp", out, input, other)
    with no_grad():
        r = ew.mul(input, ew.pow(2.0, other))
    dt = r._dtype
    if input._dtype.category == _FLOAT and other._dtype.category != _FLOAT:
        dt = input._dtype  # PyTorch keeps a float16 input's dtype with integer exponents
    result = ew._finish(r._data, dt, out)
    if out is None:
        tracked(result, LdexpBackward0, (input, other), {"other": other}, {"result": result})
    return result


# ---------------------------------------------------------------------- Tensor methods
# In-place forms: PyTorch's checks (overlap, broadcast shape, dtype), then the out-of-place
# result written into the tensor, its node becoming the tensor's history (``elementwise``).
INPLACE = {
    "subtract_": ew.INPLACE["sub_"],
    "multiply_": ew.INPLACE["mul_"],
    **{n + "_": ew._inplace(f, ew._promoted) for n, f in (
        ("addcmul", addcmul), ("addcdiv", addcdiv), ("gcd", gcd), ("lcm", lcm),
        ("nextafter", nextafter),
    )},
    "heaviside_": ew._inplace(heaviside, ew._promoted, _heaviside_check),
    **{n + "_": ew._inplace(f, ew._floated) for n, f in (
        ("logit", logit), ("xlogy", xlogy), ("deg2rad", deg2rad), ("rad2deg", rad2deg),
        ("sinc", sinc),
    )},
}
for _name, _method in INPLACE.items():
    _method.__name__ = _name

# The functions above PyTorch also offers as ``Tensor`` methods (``_methods`` attaches them).
METHODS = (
    "addcdiv", "addcmul", "deg2rad", "gcd", "heaviside", "lcm", "ldexp", "logaddexp2", "logit",
    "multiply", "nextafter", "rad2deg", "sinc", "subtract", "xlogy",
)
