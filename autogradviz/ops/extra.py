"""Tensor functions beyond the core families, each with PyTorch's promotion, checks, messages,
node and saved values:

- fused arithmetic: addcmul, addcdiv, addmv, baddbmm (and their in-place forms);
- special functions: logit, xlogy, sinc, logaddexp2, lgamma, digamma, polygamma, erfinv,
  deg2rad, rad2deg, heaviside, nextafter, gcd, lcm, ldexp, logcumsumexp;
- differences, grids, integrals: diff, meshgrid, cartesian_prod, combinations, trapezoid;
- searching and counting: isin, searchsorted, bucketize, bincount, quantile, nanquantile;
- index helpers and scatters of a part: tril/triu_indices, unravel_index, masked_scatter,
  index_copy, select_scatter, slice_scatter, scatter_reduce;
- composites PyTorch builds from other operations (built here from the same operations, so
  the graph has PyTorch's nodes): kron, inner, block_diag, diagflat, hsplit/vsplit/dsplit,
  cov, cdist's matrix-product form, matrix norms, quantile;
- linear algebra: dist, vdot, cdist, renorm, linalg.vector_norm/matrix_norm/norm, slogdet,
  logdet.

Values follow PyTorch's kernels where NumPy can reproduce their order of operations (see the
tolerance table of ``tests/test_parity_extra_ops.py`` for what is bit-identical).
"""

from __future__ import annotations

import itertools
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
from .reduction import linalg_vector_norm_backward

_FLOAT = _dt._FLOAT
_BOOL = _dt.bool
_F16 = _dt.float16
_F32 = _dt.float32
_F64 = _dt.float64

__all__ = [
    "addcdiv", "addcmul", "addmv", "as_strided", "baddbmm", "bincount", "block_diag",
    "bucketize", "cartesian_prod", "cdist", "combinations", "cov", "deg2rad", "diagflat",
    "diff", "digamma", "dist", "dropout", "dsplit", "erfinv", "gcd", "heaviside", "hsplit",
    "index_copy", "inner", "is_nonzero", "isin", "kron", "lcm", "ldexp", "lgamma",
    "logaddexp2", "logcumsumexp", "logdet", "logit", "masked_scatter", "meshgrid", "multiply",
    "nanquantile", "nextafter", "polygamma", "quantile", "rad2deg", "renorm", "scatter_reduce",
    "searchsorted", "select_scatter", "sinc", "slice_scatter", "slogdet", "subtract",
    "trapezoid", "trapz", "tril_indices", "triu_indices", "unravel_index", "vdot", "vsplit",
    "xlogy",
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


_KINDS = {
    "Tensor": lambda v: isinstance(v, Tensor),
    "int": lambda v: isinstance(v, int | np.integer),
    "Number": lambda v: isinstance(v, int | float | np.integer | np.floating),
}


def _require(name, value, arg, kind, position=None):
    """PyTorch's argument-parser TypeError when ``value`` is not of ``kind`` (``position`` is
    named for the arguments one passes by position)."""
    if not _KINDS[kind](value):
        where = f" (position {position})" if position else ""
        raise TypeError(f"{name}(): argument '{arg}'{where} must be {kind}, not "
                        f"{type(value).__name__}")


def _type_name(value):
    return "Tensor" if isinstance(value, Tensor) else type(value).__name__


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
    # (PyTorch's rule takes the integer 2: with integer exponents 2 ** -k is 0, so is the
    # gradient there)
    self="grad * scalar_base_pow(2, other)", other="grad * result * 0.6931471805599453",
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


# ---------------------------------------------------------------------- addmv / baddbmm
AddmvBackward0 = derivative(
    "AddmvBackward0", inputs=("self", "mat", "vec"), saves=("alpha", "beta", "mat", "vec"),
    self="maybe_multiply(grad, beta)", mat="maybe_multiply(grad.outer(vec), alpha)",
    vec="maybe_multiply(mat.t().mv(grad), alpha)",
)
BaddbmmBackward0 = derivative(
    "BaddbmmBackward0", inputs=("self", "batch1", "batch2"),
    saves=("alpha", "batch1", "batch2", "beta"),
    self="maybe_multiply(grad, beta)",
    batch1="maybe_multiply(grad.bmm(batch2.transpose(1, 2)), alpha)",
    batch2="maybe_multiply(batch1.transpose(1, 2).bmm(grad), alpha)",
)


def _beta_alpha_sum(product, input_arr, beta, alpha, dt):
    """``beta * input + alpha * product`` in ``dt``; with beta 0 the input is not read (its NaN
    and infinities do not propagate), as in PyTorch's BLAS calls."""
    b, a = _scalar_in(beta, dt), _scalar_in(alpha, dt)
    with np.errstate(all="ignore"):
        scaled = product if alpha == 1 else a * product
        if beta == 0:
            return np.broadcast_to(scaled, product.shape)
        return scaled + (input_arr if beta == 1 else b * input_arr)


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (mat @ vec)``."""
    from . import linalg as la

    if out is not None:
        ew._check_out("addmv", out, input, mat, vec)
    m, v = mat._data, vec._data
    if m.ndim != 2 or v.ndim != 1 or input._data.ndim > 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input._data.ndim}, {m.ndim}, "
                           f"{v.ndim}")
    n_out = m.shape[0]
    if m.shape[1] != v.shape[0] or input._data.shape not in ((), (1,), (n_out,)):
        size = input._data.shape[0] if input._data.ndim else 1
        raise RuntimeError(f"size mismatch, got input ({size}), mat ({m.shape[0]}x{m.shape[1]}), "
                           f"vec ({v.shape[0]})")
    la._addmv_dtype_check(input._dtype, mat, vec)
    dt = input._dtype
    with no_grad():
        product = la.mv(mat, vec)._data
    r = _beta_alpha_sum(product, input._data, beta, alpha, dt)
    result = ew._finish(r, dt, out)
    if out is None:
        saved = {"alpha": alpha, "beta": beta, "mat": _if_grad(vec, mat),
                 "vec": _if_grad(mat, vec)}
        tracked(result, AddmvBackward0, (input, mat, vec), saved)
    return result


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (batch1 @ batch2)``, batch by batch."""
    from . import linalg as la

    if out is not None:
        ew._check_out("baddbmm", out, input, batch1, batch2)
    b1, b2 = batch1._data, batch2._data
    if b1.ndim >= 2 and b2.ndim >= 3:  # PyTorch expands the input before checking the batches
        _expand_check(input._data.shape, (b1.shape[0], b1.shape[1], b2.shape[2]))
    if b1.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b2.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if b2.shape[0] != b1.shape[0] or b2.shape[1] != b1.shape[2]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{b1.shape[0]}, {b1.shape[2]}] but got: [{b2.shape[0]}, {b2.shape[1]}].")
    if input._dtype is not batch1._dtype or input._dtype is not batch2._dtype:
        if batch1._dtype is not batch2._dtype:
            raise RuntimeError(f"expected scalar type {_dt.SCALAR_TYPE_NAMES[batch1._dtype]} but "
                               f"found {_dt.SCALAR_TYPE_NAMES[batch2._dtype]}")
        raise RuntimeError(
            f"Input dtypes must be the same, got: input {_CPP_TYPE[input._dtype]}, batch1: "
            f"{_CPP_TYPE[batch1._dtype]}, batch2: {_CPP_TYPE[batch2._dtype]}")
    dt = input._dtype
    with no_grad():
        product = la.bmm(batch1, batch2)._data
    r = _beta_alpha_sum(product, input._data, beta, alpha, dt)
    result = ew._finish(r, dt, out)
    if out is None:
        saved = {"alpha": alpha, "batch1": _if_grad(batch2, batch1),
                 "batch2": _if_grad(batch1, batch2), "beta": beta}
        tracked(result, BaddbmmBackward0, (input, batch1, batch2), saved)
    return result


_CPP_TYPE = {_BOOL: "bool", _dt.uint8: "unsigned char", _dt.int8: "signed char",
             _dt.int16: "short", _dt.int32: "int", _dt.int64: "long", _F16: "c10::Half",
             _F32: "float", _F64: "double"}


def _expand_check(shape, target):
    """PyTorch's message when ``shape`` cannot expand to ``target``."""
    lead = len(target) - len(shape)
    ok = lead >= 0 and all(s in (1, t) for s, t in zip(shape, target[lead:], strict=True))
    if ok:
        return
    if lead < 0:
        raise RuntimeError(
            f"expand: the requested shape has too few dimensions! Requested "
            f"{len(target)} dimension(s) but the tensor has {len(shape)} dimension(s).")
    for i in range(len(shape) - 1, -1, -1):
        s, t = shape[i], target[i + lead]
        if s not in (1, t):
            raise RuntimeError(
                f"The expanded size of the tensor ({t}) must match the existing size ({s}) at "
                f"non-singleton dimension {i + lead}.  Target sizes: {list(target)}.  Tensor "
                f"sizes: {list(shape)}")


# ---------------------------------------------------------------------- diff
def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The ``n``-th forward difference along ``dim``: ``x[1:] - x[:-1]`` (``!=`` for bools),
    with ``prepend``/``append`` joined first."""
    from . import shape as sh

    _require("diff", n, "n", "int")
    nd = input._data.ndim
    if nd < 1:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = sh.wrap_dim(dim, nd)
    for name, extra in (("prepend", prepend), ("append", append)):
        if extra is None:
            continue
        if not isinstance(extra, Tensor):
            raise TypeError(f"diff(): argument '{name}' must be Tensor, not "
                            f"{type(extra).__name__}")
        if extra._data.ndim != nd:
            raise RuntimeError(
                "diff expects prepend or append to be the same dimension as input")
        for i in range(nd):
            if i != d and extra._data.shape[i] != input._data.shape[i]:
                raise RuntimeError(
                    "diff expects the shape of tensor to prepend or append to match that of "
                    f"input except along the differencing dimension; input.size({i}) = "
                    f"{input._data.shape[i]}, but got tensor.size({i}) = {extra._data.shape[i]}")
    if n == 0:  # PyTorch returns a copy of the input, without prepend and append
        return sh.clone(input)
    x = input
    if prepend is not None or append is not None:
        parts = [t for t in (prepend, input, append) if t is not None]
        x = sh.cat(parts, dim)
    for _ in range(n):
        length = x._data.shape[d]
        if length == 0:
            break
        later, earlier = sh.narrow(x, dim, 1, length - 1), sh.narrow(x, dim, 0, length - 1)
        x = ew.logical_xor(later, earlier) if x._dtype is _BOOL else ew.sub(later, earlier)
    return x


# ---------------------------------------------------------------------- meshgrid
_MESHGRID_WARNING = (
    "torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument. "
    "(Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/TensorShape.cpp:4215.)"
)


def meshgrid(*tensors, indexing=None):
    """Grids of the 0-d/1-d ``tensors``, each a view expanded over all their sizes; ``xy``
    indexing swaps the roles of the first two."""
    from . import shape as sh

    if len(tensors) == 1 and isinstance(tensors[0], list | tuple):
        tensors = tuple(tensors[0])
    _require_sequence("meshgrid", tensors)
    if indexing is None:
        import warnings

        # PyTorch's warning comes from inside torch/functional.py: one place, so the default
        # filter shows it once per process, not once per calling line
        warnings.warn(_MESHGRID_WARNING, UserWarning, stacklevel=1)
        indexing = "ij"
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError(
                "torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: "
                f"{_legacy_print(t)}")
    if any(t._dtype is not tensors[0]._dtype for t in tensors):
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    if indexing not in ("xy", "ij"):
        raise RuntimeError('torch.meshgrid: indexing must be one of "xy" or "ij", but received: '
                           f"{indexing}")
    swap = indexing == "xy" and len(tensors) >= 2
    order = list(tensors)
    if swap:
        order[0], order[1] = order[1], order[0]
    shape = [t._data.size for t in order]
    grids = []
    for i, t in enumerate(order):
        view_shape = [1] * len(order)
        view_shape[i] = -1
        grids.append(sh.expand(sh.view(t, view_shape), shape))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def _legacy_print(t):
    """ATen's printing of a tensor in a message (``TORCH_CHECK(..., tensor)``)."""
    x = t._data
    rows = x.reshape(x.shape[0], -1) if x.ndim else x.reshape(1, 1)
    width = len(f"{np.max(np.abs(x)) if x.size else 0:g}") + 1  # ATen pads to the widest
    body = "\n".join(" ".join(f"{v:g}".rjust(width) for v in row) for row in rows)
    name = _dt.LEGACY_TYPE_NAMES[t._dtype].split(".")[-1]
    return f"{body}\n[ torch.{name}{{{','.join(map(str, x.shape))}}} ]"


def _require_sequence(name, tensors):
    """PyTorch's message for a tensor list holding something else."""
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")


def cartesian_prod(*tensors):
    """The rows of every combination of the 1-d ``tensors`` (meshgrid, flattened, stacked)."""
    from . import shape as sh

    _require_sequence("cartesian_prod", tensors)
    for t in tensors:
        if t._data.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t._data.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return sh.stack([sh.flatten(g) for g in grids], 1)


# ---------------------------------------------------------------------- hsplit / vsplit / dsplit
def _directional_split(name, min_dims, dim_of):
    # PyTorch's two overloads name the second argument ``sections`` (a number) or ``indices``
    def op(input, sections=None, indices=None):
        from . import shape as sh

        indices_or_sections = indices if sections is None else sections
        nd = input._data.ndim
        if nd < min_dims:
            raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dims} "
                               f"dimension, but got a tensor with {nd} dimensions!")
        d = dim_of(nd)
        if isinstance(indices_or_sections, int):
            size = input._data.shape[d]
            if indices_or_sections == 0 or size % indices_or_sections:
                raise RuntimeError(
                    f"torch.{name} attempted to split along dimension {d}, but the size of the "
                    f"dimension {size} is not divisible by the split_size "
                    f"{indices_or_sections}!")
        return sh.tensor_split(input, indices_or_sections, d)

    op.__name__ = name
    return op


hsplit = _directional_split("hsplit", 1, lambda nd: 0 if nd == 1 else 1)
vsplit = _directional_split("vsplit", 2, lambda nd: 0)
dsplit = _directional_split("dsplit", 3, lambda nd: 2)


# ---------------------------------------------------------------------- trapezoid
def _trapezoid_signature_error(name, args, kwargs):
    given = ", ".join([*(type(a).__name__ if not isinstance(a, Tensor) else "Tensor"
                         for a in args),
                       *(f"{k}={type(v).__name__ if not isinstance(v, Tensor) else 'Tensor'}"
                         for k, v in kwargs.items())])
    with_x = " * (Tensor y, Tensor x, *, int dim = -1)\n"
    if name == "trapz":  # trapz lists its overloads the other way round, dx a float
        overloads = " * (Tensor y, *, float dx = 1, int dim = -1)\n" + with_x
    else:
        overloads = with_x + " * (Tensor y, *, Number dx = 1, int dim = -1)\n"
    return TypeError(f"{name}() received an invalid combination of arguments - got ({given}), "
                     f"but expected one of:\n{overloads}")


def _trapezoid(name, y, x=None, *, dx=None, dim=-1):
    from . import shape as sh
    from ._backward import div_scalar

    if (x is not None and (dx is not None or not isinstance(x, Tensor))):
        kwargs = {"dx": dx} if dx is not None else {}
        raise _trapezoid_signature_error(name, (y, x), kwargs)
    nd = y._data.ndim
    if nd == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = sh.wrap_dim(dim, nd)
    length = y._data.shape[d]
    if x is None:
        spacing = 1.0 if dx is None else float(dx)  # PyTorch reads dx as a double
        if length == 0:
            return _zeros_without(y, d)
        ends = ew.add(sh.select(y, dim, 0), sh.select(y, dim, -1))
        return mul_scalar(ew.sub(y.sum(dim), mul_scalar(ends, 0.5)), spacing)
    if x._data.ndim == 1:
        if x._data.shape[0] != length:
            raise RuntimeError("trapezoid: There must be one `x` value for each sample point")
        x = sh.view(x, [length if i == d else 1 for i in range(nd)])
    if length == 0:
        return _zeros_without(y, d)
    spacing = ew.sub(sh.slice_tensor(x, d, 1, None, 1), sh.slice_tensor(x, d, 0, -1, 1))
    pairs = ew.add(sh.slice_tensor(y, d, 0, -1, 1), sh.slice_tensor(y, d, 1, None, 1))
    return div_scalar(ew.mul(pairs, spacing).sum(d), 2.0)


def _zeros_without(y, d):
    """PyTorch's result for no samples: zeros like ``y`` without ``d``, in ``y``'s dtype."""
    shape = y._data.shape[:d] + y._data.shape[d + 1:]
    return _wrap(np.zeros(shape, y._dtype.np), y._dtype)


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The trapezoidal rule along ``dim``: with sample points ``x`` or a constant spacing."""
    return _trapezoid("trapezoid", y, x, dx=dx, dim=dim)


def trapz(y, x=None, *, dx=None, dim=-1):
    return _trapezoid("trapz", y, x, dx=dx, dim=dim)


# ---------------------------------------------------------------------- block_diag / diagflat
BlockDiagBackward0 = derivative(
    "BlockDiagBackward0", inputs=("tensors",), variadic=True, saves=("sizes",),
    private=("sizes",), tensors="block_diag_backward(grad, sizes)",
)


@rule_helper
def block_diag_backward(grad, sizes):
    """Each input's block of the gradient, in the input's own shape."""
    from . import shape as sh

    grads = []
    row = col = 0
    for shape in sizes:
        rows, cols = (1, 1) if len(shape) == 0 else (1, shape[0]) if len(shape) == 1 else shape
        block = sh.slice_tensor(sh.slice_tensor(grad, 0, row, row + rows, 1), 1, col, col + cols,
                                1)
        grads.append(sh.reshape(block, shape) if len(shape) < 2 else block)
        row, col = row + rows, col + cols
    return grads


def block_diag(*tensors):
    """The tensors (0-d, 1-d as one row, 2-d) as blocks along the diagonal of one matrix."""
    _require_sequence("block_diag", tensors)
    for i, t in enumerate(tensors):
        if t._data.ndim > 2:
            raise RuntimeError("torch.block_diag: Input tensors must have 2 or fewer dimensions. "
                               f"Input {i} has {t._data.ndim} dimensions")
    dt = result_type(*tensors) if tensors else _dt.get_default_dtype()
    blocks = [t._data.reshape(1, -1) if t._data.ndim < 2 else t._data for t in tensors]
    rows = sum(b.shape[0] for b in blocks)
    cols = sum(b.shape[1] for b in blocks)
    out = np.zeros((rows, cols) if tensors else (1, 0), dt.np)
    r = c = 0
    for b in blocks:
        out[r:r + b.shape[0], c:c + b.shape[1]] = cast(b, dt)
        r, c = r + b.shape[0], c + b.shape[1]
    result = _wrap(out, dt)
    if tensors:
        tracked(result, BlockDiagBackward0, tuple(tensors),
                {"sizes": [t._data.shape for t in tensors]})
    return result


def diagflat(input, offset=0):
    """``input`` flattened, on the ``offset`` diagonal of a square matrix."""
    from . import shape as sh

    return sh.diag_embed(sh.view(sh.contiguous(input), -1), offset)


# ---------------------------------------------------------------------- kron / inner / vdot
def kron(input, other):
    """The Kronecker product: sizes interleaved, one broadcast product, one reshape."""
    from . import shape as sh

    _require("kron", input, "input", "Tensor", 1)
    _require("kron", other, "other", "Tensor", 2)
    n = max(input._data.ndim, other._data.ndim)
    pad_a, pad_b = n - input._data.ndim, n - other._data.ndim
    a_shape, b_shape, shape = [], [], []
    for i in range(n):
        sa = input._data.shape[i - pad_a] if i >= pad_a else 1
        sb = other._data.shape[i - pad_b] if i >= pad_b else 1
        a_shape += [sa, 1]
        b_shape += [1, sb]
        shape.append(sa * sb)
    product = ew.mul(sh._unsafe_view(input, a_shape), sh._unsafe_view(other, b_shape))
    return sh._unsafe_view(product, shape)


def inner(input, other, *, out=None):
    """The sum of products over the last dimensions (a product when either is 0-d)."""
    from . import linalg as la

    _require("inner", input, "input", "Tensor", 1)
    _require("inner", other, "other", "Tensor", 2)
    if input._data.ndim == 0 or other._data.ndim == 0:
        return ew.mul(input, other, out=out)
    if input._data.shape[-1] != other._data.shape[-1]:
        raise RuntimeError(
            "inner() the last dimension must match on both input tensors but got shapes "
            f"{list(input._data.shape)} and {list(other._data.shape)}")
    return la.tensordot(input, other, ([-1], [-1]), out=out)


VdotBackward0 = derivative(
    "VdotBackward0", inputs=("self", "other"), saves=("other", "self"),
    self="grad * other", other="grad * self",
)


def vdot(input, other, *, out=None):
    """The dot product of two 1-d tensors (no conjugation to do for real tensors)."""
    from . import linalg as la

    with no_grad():
        result = la.dot(input, other, out=out)
    if out is None:
        saved = {"other": _if_grad(input, other), "self": _if_grad(other, input)}
        tracked(result, VdotBackward0, (input, other), saved)
    return result


# ---------------------------------------------------------------------- dist
DistBackward0 = derivative(
    "DistBackward0", inputs=("self", "other"), saves=("other", "p", "result", "self"),
    self="dist_backward(grad, self - other, p, result)",
    other="-dist_backward(grad, self - other, p, result)",
)


@rule_helper
def dist_backward(grad, difference, p, norm):
    g = linalg_vector_norm_backward(grad, difference, p, norm, None, False)
    return ew.mul(difference, 0) if g is None else g


def dist(input, other, p=2):
    """``norm(input - other, p)``."""
    from . import reduction as rd

    _require("dist", input, "input", "Tensor", 1)
    _require("dist", other, "other", "Tensor", 2)
    _require("dist", p, "p", "Number", 3)
    with no_grad():
        difference = ew.sub(input, other)
        if difference._dtype.category != _FLOAT:
            raise RuntimeError("norm(): input dtype should be either floating point or complex. "
                               f"Got {_dt.SCALAR_TYPE_NAMES[difference._dtype]} instead.")
        result = rd.norm(difference, p)
    tracked(result, DistBackward0, (input, other), {"other": other, "p": p, "self": input},
            {"result": result})
    return result


# ---------------------------------------------------------------------- isin
def isin(elements, test_elements, *, assume_unique=False, invert=False, out=None):
    """Whether each element is among ``test_elements`` (either may be a number)."""
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError(
            "isin() received an invalid combination of arguments - got "
            f"({type(elements).__name__}, {type(test_elements).__name__}), but expected one of:\n"
            " * (Tensor elements, Tensor test_elements, *, bool assume_unique = False, bool "
            "invert = False, Tensor out = None)\n"
            " * (Number element, Tensor test_elements, *, bool assume_unique = False, bool "
            "invert = False, Tensor out = None)\n"
            " * (Tensor elements, Number test_element, *, bool assume_unique = False, bool "
            "invert = False, Tensor out = None)\n")
    dt = result_type(elements, test_elements)
    if dt is _BOOL:
        raise RuntimeError("Unsupported input type encountered for isin(): Bool")
    xa = np.asarray(elements._data if isinstance(elements, Tensor) else elements)
    xb = np.asarray(test_elements._data if isinstance(test_elements, Tensor) else test_elements)
    r = np.isin(cast(xa, dt), cast(xb, dt), invert=invert)
    return ew._finish(r, _BOOL, out)


# ---------------------------------------------------------------------- searchsorted / bucketize
def _search(sequence, values, right, sorter):
    """Row by row lower (or upper, ``right``) bounds of ``values`` in ``sequence``."""
    side = "right" if right else "left"
    if sequence.ndim == 1:
        return np.searchsorted(sequence, values, side=side,
                               sorter=None if sorter is None else sorter)
    seq = sequence.reshape(-1, sequence.shape[-1])
    vals = values.reshape(seq.shape[0], -1)
    order = None if sorter is None else sorter.reshape(seq.shape[0], -1)
    rows = [np.searchsorted(s, v, side=side, sorter=None if order is None else order[i])
            for i, (s, v) in enumerate(zip(seq, vals, strict=True))]
    return np.stack(rows).reshape(values.shape) if rows else np.zeros(values.shape, np.int64)


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
                 sorter=None, out=None):
    """Where ``input``'s values would go in the innermost rows of ``sorted_sequence``."""
    if not isinstance(sorted_sequence, Tensor):
        options = ("*, bool out_int32 = False, bool right = False, str side = None, Tensor "
                   "sorter = None, Tensor out = None)")
        raise TypeError(
            "searchsorted() received an invalid combination of arguments - got "
            f"({_type_name(sorted_sequence)}, {_type_name(input)}), but expected one of:\n"
            f" * (Tensor sorted_sequence, Tensor input, {options}\n"
            f" * (Tensor sorted_sequence, Number self, {options}\n")
    seq = sorted_sequence._data
    if seq.ndim == 0:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should have positive "
                           "dimension, but got 0 dimension")
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError("torch.searchsorted(): side can only be 'left' or 'right' but got "
                               f"{side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, "
                               "got side of left while right was True")
        right = side == "right"
    is_number = not isinstance(input, Tensor)
    values = np.asarray(input) if is_number else input._data
    if seq.ndim > 1 and (is_number or values.shape[:-1] != seq.shape[:-1]):
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            "dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {list(seq.shape)} and input value tensor "
            f"{list(values.shape)}")
    order = None
    if sorter is not None:
        if sorter._data.shape != seq.shape:
            raise RuntimeError(
                "torch.searchsorted(): boundary and sorter must have the same size, but got "
                f"boundary tensor {list(seq.shape)}and got sorter tensor "
                f"{list(sorter._data.shape)}")
        order = sorter._data
    dt = result_type(sorted_sequence, input)
    with np.errstate(all="ignore"):
        r = _search(cast(seq, dt), cast(values, dt), right, order)
    return ew._finish(np.asarray(r), _dt.int32 if out_int32 else _dt.int64, out)


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """The bucket of each value: the lower bound (``right``: upper) in the 1-d ``boundaries``."""
    if boundaries._data.ndim != 1:
        raise RuntimeError(
            f"boundaries tensor must be 1 dimension, but got dim({boundaries._data.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


# ---------------------------------------------------------------------- bincount
def bincount(input, weights=None, minlength=0):
    """How often each non-negative integer occurs (the sum of its ``weights``)."""
    _require("bincount", minlength, "minlength", "int")
    dt = input._dtype
    if dt.category == _FLOAT or dt is _BOOL:
        raise not_implemented("bincount_cpu", dt)
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    x = input._data
    if weights is None:
        out_dt = _dt.int64
    else:
        out_dt = _F32 if weights._dtype is _F32 else _F64
    if x.ndim == 1 and x.size == 0:
        return _wrap(np.zeros(minlength, out_dt.np), out_dt)
    if x.ndim != 1 or x.min() < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is not None and (weights._data.ndim != 1 or weights._data.shape[0] != x.shape[0]):
        raise RuntimeError("weights should be 1-d and have the same length as input")
    length = max(int(x.max()) + 1, minlength)
    idx = x.astype(np.int64)
    if weights is None:
        return _wrap(np.bincount(idx, minlength=length).astype(np.int64), out_dt)
    counts = np.zeros(length, out_dt.np)
    np.add.at(counts, idx, cast(weights._data, out_dt))  # in order, in the output's precision
    return _wrap(counts, out_dt)


# ---------------------------------------------------------------------- tril/triu_indices
def _triangle_indices(name, np_indices):
    def op(row, col, offset=0, *, dtype=None, device=None, layout=None, pin_memory=False):
        for position, (arg, value) in enumerate((("row", row), ("col", col),
                                                 ("offset", offset)), 1):
            _require(name, value, arg, "int", position)
        dt = _dt.int64 if dtype is None else dtype
        if dt.category == _FLOAT or dt is _BOOL:
            raise not_implemented(name, dt)
        if row < 0:
            raise RuntimeError(f"row must be non-negative, got{row}")
        if col < 0:
            raise RuntimeError(f"col must be non-negative, got{col}")
        rows, cols = np_indices(row, offset, col)
        return _wrap(np.stack([rows, cols]).astype(dt.np).reshape(2, -1), dt)

    op.__name__ = name
    return op


tril_indices = _triangle_indices("tril_indices", np.tril_indices)
triu_indices = _triangle_indices("triu_indices", np.triu_indices)


# ---------------------------------------------------------------------- unravel_index
def unravel_index(indices, shape):
    """The coordinates of flat ``indices`` in ``shape`` (wrapping around, as PyTorch's)."""
    from . import shape as sh

    if not isinstance(indices, Tensor):
        raise AttributeError(f"'{type(indices).__name__}' object has no attribute 'is_complex'")
    if indices._dtype.category == _FLOAT or indices._dtype is _BOOL:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    if isinstance(shape, int):
        shape = (shape,)
    shape = tuple(shape)
    if any(s < 0 for s in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {shape}")
    coefs = [math.prod(shape[i + 1:]) for i in range(len(shape))]
    with no_grad():
        steps = _wrap(np.array(coefs, np.int64), _dt.int64)
        sizes = _wrap(np.array(shape, np.int64), _dt.int64)
        coords = ew.remainder(ew.floor_divide(sh.unsqueeze(indices, -1), steps), sizes)
    return sh.unbind(coords, -1)


def is_nonzero(input):
    n = input._data.size
    if n == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if n > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input._data.reshape(()) != 0)


def as_strided(input, size, stride, storage_offset=None):
    from . import shape as sh

    return sh.as_strided(input, size, stride, storage_offset)


# ---------------------------------------------------------------------- cdist
CdistBackward0 = derivative(
    "CdistBackward0", inputs=("x1", "x2"), saves=("p", "result", "x1", "x2"),
    x1="cdist_backward(grad, x1, x2, p, result)",
    x2="cdist_backward(grad.mT, x2, x1, p, result.mT)",
)
EuclideanDistBackward0 = derivative(
    "EuclideanDistBackward0", inputs=("x1", "x2"), saves=("result", "x1", "x2"), order=("x1", "x2"),
    x1="euclidean_dist_backward(grad, x1, x2, result)[0]",
    x2="euclidean_dist_backward(grad, x1, x2, result)[1]",
)


@rule_helper
def cdist_backward(grad, x1, x2, p, result):
    """The gradient for ``x1`` of ``||x1_i - x2_j||_p``, summed over ``j``."""
    diff = ew.sub(x1.unsqueeze(-2), x2.unsqueeze(-3))  # [..., P, R, M]
    g = grad.unsqueeze(-1)
    dist = result.unsqueeze(-1)
    if p == 0:
        return ew.mul(x1, 0)
    if p == 1:
        return (g * diff.sign()).sum(-2)
    if math.isinf(p):
        hit = diff.abs() == dist
        return (g * diff.sign() * hit).sum(-2)
    if p == 2:
        return (g * ew.where(dist == 0, 0.0, diff / dist)).sum(-2)
    scaled = diff * diff.abs().pow(p - 2) if p >= 2 else diff.sign() * diff.abs().pow(p - 1)
    return (g * ew.where(dist == 0, 0.0, scaled / dist.pow(p - 1))).sum(-2)


@rule_helper
def euclidean_dist_backward(grad, x1, x2, result):
    """PyTorch's gradients of the matrix-product form of the Euclidean distances."""
    ratio = ew.where(result == 0, 0.0, grad / result)
    return (x1 * ratio.sum(-1, True) - ratio.matmul(x2),
            x2 * ratio.sum(-2).unsqueeze(-1) - ratio.mT.matmul(x1))


_CDIST_MODES = {None: 0, "use_mm_for_euclid_dist_if_necessary": 0, "use_mm_for_euclid_dist": 1,
                "donot_use_mm_for_euclid_dist": 2}


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """The p-norm distances between the rows of ``x1`` and ``x2`` (batched); for p = 2 and more
    than 25 rows, PyTorch's matrix-product form, as PyTorch."""
    from . import linalg as la
    from . import shape as sh

    if compute_mode not in _CDIST_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    mode = _CDIST_MODES[compute_mode]
    for name, t in (("X1", x1), ("X2", x2)):
        if t._dtype.category != _FLOAT:
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: "
                               f"{_dt.SCALAR_TYPE_NAMES[t._dtype]}")
    for name, t in (("X1", x1), ("X2", x2)):
        if t._data.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: "
                               f"{t._data.ndim}D")
    a, b = x1._data, x2._data
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {a.shape[-1]} "
                           f"X2: {b.shape[-1]}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if x1._dtype is not x2._dtype:
        raise RuntimeError(f"expected scalar type {_dt.SCALAR_TYPE_NAMES[x1._dtype]} but found "
                           f"{_dt.SCALAR_TYPE_NAMES[x2._dtype]}")
    try:
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise broadcast_error(a.shape[:-2], b.shape[:-2]) from None
    r1, r2, cols = a.shape[-2], b.shape[-2], a.shape[-1]
    out_shape = (*batch, r1, r2)
    dt = x1._dtype
    if a.size and b.size and p == 2 and (mode == 1 or (mode == 0 and (r1 > 25 or r2 > 25))):
        n = math.prod(batch)
        if n == 1:
            t1, t2 = x1, x2
        else:
            t1 = sh.view(sh.contiguous(sh.expand(x1, (*batch, r1, cols))), (n, r1, cols))
            t2 = sh.view(sh.contiguous(sh.expand(x2, (*batch, r2, cols))), (n, r2, cols))
        u, v = t1._data, t2._data
        with no_grad(), np.errstate(all="ignore"):
            u_norm = (u * u).sum(-1, keepdims=True)
            v_norm = (v * v).sum(-1, keepdims=True)
            left = np.concatenate([u * dt.np.type(-2), u_norm, np.ones_like(u_norm)], -1)
            right = np.concatenate([v, np.ones_like(v_norm), v_norm], -1)
            product = la.matmul(_wrap(left, dt), _wrap(np.swapaxes(right, -1, -2), dt))._data
            r = np.sqrt(np.maximum(product, dt.np.type(1e-30)))
        dist = _wrap(np.ascontiguousarray(r), dt)
        tracked(dist, EuclideanDistBackward0, (t1, t2), {"x1": t1, "x2": t2}, {"result": dist})
        return sh.view(dist, out_shape)
    with np.errstate(all="ignore"):
        diff = np.abs(a[..., :, None, :].astype(np.float64) - b[..., None, :, :])
        if p == 0:
            r = (diff != 0).sum(-1).astype(np.float64)
        elif p == 1:
            r = diff.sum(-1)
        elif p == 2:
            r = np.sqrt((diff * diff).sum(-1))
        elif math.isinf(p):
            r = diff.max(-1) if cols else np.zeros(diff.shape[:-1])
        else:
            r = (diff ** p).sum(-1) ** (1 / p)
    result = _wrap(np.ascontiguousarray(np.broadcast_to(r, out_shape)).astype(dt.np), dt)
    tracked(result, CdistBackward0, (x1, x2), {"p": float(p), "x1": x1, "x2": x2},
            {"result": result})
    return result


# ---------------------------------------------------------------------- cov
_COV_DOF_WARNING = (
    "cov(): degrees of freedom is <= 0. Correction should be strictly less than the number of "
    "observations. (Triggered internally at "
    "/__w/pytorch/pytorch/aten/src/ATen/native/Correlation.cpp:129.)"
)


def _cov_weights(kind, w, observations, want_float):
    if w._data.ndim > 1:
        raise RuntimeError(f"cov(): expected {kind} to have one or fewer dimensions but got "
                           f"{kind} with {w._data.ndim} dimensions")
    if w._data.size != observations:
        raise RuntimeError(f"cov(): expected {kind} to have the same numel as there are "
                           f"observations in the input but got {w._data.size} != {observations}")
    if want_float and w._dtype.category != _FLOAT:
        raise RuntimeError(f"cov(): expected {kind} to have floating point dtype but got {kind} "
                           f"with {_dt.SCALAR_TYPE_NAMES[w._dtype]} dtype")
    if not want_float and (w._dtype.category == _FLOAT or w._dtype is _BOOL):
        raise RuntimeError(f"cov(): expected {kind} to have integral dtype but got {kind} with "
                           f"{_dt.SCALAR_TYPE_NAMES[w._dtype]} dtype")
    if (w._data < 0).any():
        raise RuntimeError(f"cov(): {kind} cannot be negative")


def cov(input, *, correction=1, fweights=None, aweights=None):
    """The covariance of the rows (variables) over the columns (observations), PyTorch's
    composition: weighted mean, centred product, division by the degrees of freedom."""
    import warnings

    from . import linalg as la
    from . import shape as sh

    _require("cov", correction, "correction", "int")
    nd = input._data.ndim
    if nd > 2:
        raise RuntimeError("cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {nd} dimensions")
    if input._dtype is _BOOL:
        raise RuntimeError("cov(): bool dtype is not supported for input")
    x = sh.view(input, (1, -1)) if nd < 2 else input
    observations = x._data.shape[1]
    w = None
    if fweights is not None:
        _cov_weights("fweights", fweights, observations, False)
        w = fweights
    if aweights is not None:
        _cov_weights("aweights", aweights, observations, True)
        w = aweights if w is None else ew.mul(w, aweights)
    if w is None:
        w_sum = _wrap(np.array(observations, np.int64), _dt.int64)
    else:
        w_sum = w.sum()
        if not bool(w_sum._data != 0):
            raise RuntimeError("cov(): weights sum to zero, can't be normalized")
    avg = ew.div((x if w is None else ew.mul(x, w)).sum(1), w_sum)
    if w is not None and correction != 0 and aweights is not None:
        norm = ew.sub(w_sum, ew.div(ew.mul(ew.mul(w, aweights).sum(), correction), w_sum))
    else:
        norm = ew.sub(w_sum, correction)
    if bool(norm._data <= 0):
        warnings.warn(_COV_DOF_WARNING, UserWarning, stacklevel=2)
        norm = ew.mul(norm, 0)
    centred = ew.sub(x, sh.unsqueeze(avg, 1))
    product = la.mm(centred, sh.t(centred if w is None else ew.mul(centred, w)))
    return sh.squeeze(ew.true_divide(product, norm))


# ---------------------------------------------------------------------- logcumsumexp
LogcumsumexpBackward0 = derivative(
    "LogcumsumexpBackward0", inputs=("self",), saves=("dim", "result", "self"), int64=("dim",),
    self="logcumsumexp_backward(grad, self, result, dim)",
)


@rule_helper
def logcumsumexp_backward(grad, self, result, dim):
    """PyTorch's stable form: the positive and negative parts of the gradient in log space."""
    from . import shape as sh

    if grad._data.ndim == 0:
        return grad
    lowest = float(np.finfo(grad._data.dtype).min)

    def reverse_logcumsumexp(t):
        return sh.flip(logcumsumexp(sh.flip(t, [dim]), dim), [dim])

    log_abs = grad.abs().log()
    positive = ew.where(grad > 0, log_abs, lowest)
    negative = ew.where(grad < 0, log_abs, lowest)
    out_pos = (reverse_logcumsumexp(positive - result) + self).exp()
    out_neg = (reverse_logcumsumexp(negative - result) + self).exp()
    return out_pos - out_neg


def logcumsumexp(input, dim, *, out=None):
    """log(cumsum(exp(x))) along ``dim``, one step at a time as PyTorch's kernel:
    max + log1p(exp(min - max)) (equal infinities stay)."""
    from .._tensor import wrap_dim

    dt = input._dtype
    if dt.category != _FLOAT:
        raise not_implemented("logcumsumexp_out_cpu", dt)
    if out is not None:
        ew._check_out("logcumsumexp", out, input)
    x = input._data
    d = wrap_dim(dim, max(x.ndim, 1))
    # PyTorch's CPU kernel accumulates in its accumulate type: double (float32 and float64
    # inputs) or float (float16), each result rounded to the input's dtype
    work = np.float32 if dt is _F16 else np.float64
    if x.ndim == 0:
        r = x.copy()
    else:
        xs = np.moveaxis(x, d, 0).astype(work)
        acc = np.empty(xs.shape, x.dtype)
        cum = np.full(xs.shape[1:], -np.inf, work)
        with np.errstate(all="ignore"):
            for i in range(xs.shape[0]):
                b = xs[i]
                low = np.where(np.isnan(cum), cum, np.minimum(b, cum))
                high = np.where(np.isnan(cum), cum, np.maximum(b, cum))
                e = np.exp((low - high).astype(np.float64)).astype(work)
                step = np.log1p(e.astype(np.float64)).astype(work) + high
                cum = np.where((low != high) | np.isfinite(low), step, b).astype(work)
                acc[i] = cum
        r = np.moveaxis(acc, 0, d)
    result = ew._finish(r, dt, out)
    if out is None:
        tracked(result, LogcumsumexpBackward0, (input,), {"dim": dim, "self": input},
                {"result": result})
    return result


# ---------------------------------------------------------------------- gamma functions, erfinv
_PSI_10 = 2.25175258906672110764  # digamma(10)
_PSI_SERIES = (8.33333333333333333333e-2, -2.10927960927960927961e-2, 7.57575757575757575758e-3,
               -4.16666666666666666667e-3, 3.96825396825396825397e-3, -8.33333333333333333333e-3,
               8.33333333333333333333e-2)


def _digamma_scalar(x):
    """digamma by recurrence up to 10 and the asymptotic series (the Cephes method PyTorch
    uses); poles give NaN, +-0 gives -+inf."""
    if x == 0:
        return math.copysign(math.inf, -x)
    if math.isnan(x) or x == -math.inf:
        return math.nan
    if x < 0:
        if x == math.trunc(x):
            return math.nan
        fraction = math.modf(x)[0]
        return _digamma_scalar(1 - x) - math.pi / math.tan(math.pi * fraction)
    result = 0.0
    while x < 10:
        result -= 1 / x
        x += 1
    if x == 10:
        return result + _PSI_10
    tail = 0.0
    if x < 1e17:
        z = 1 / (x * x)
        poly = 0.0
        for c in _PSI_SERIES:
            poly = poly * z + c
        tail = z * poly
    return result + math.log(x) - 0.5 / x - tail


def _trigamma_scalar(x):
    """The derivative of digamma: reflection below 1/2, six steps of recurrence, then the
    asymptotic series."""
    if math.isnan(x) or x == -math.inf:
        return math.nan
    sign, result = 1.0, 0.0
    if x < 0.5:
        sign = -1.0
        s = math.sin(math.pi * x)
        if s == 0:  # x = 0: the pole
            return math.inf
        result -= (math.pi * math.pi) / (s * s)
        x = 1 - x
    for _ in range(6):
        result += 1 / (x * x)
        x += 1
    ixx = 1 / (x * x)
    result += (1 + 1 / (2 * x) + ixx * (1 / 6 - ixx * (1 / 30 - ixx * (1 / 42)))) / x
    return sign * result


_F32_ONE = np.float32(1)


def _digamma_float(x):
    """PyTorch's float digamma, step for step in float32 (its float kernel's arithmetic)."""
    f32 = np.float32
    x = np.asarray(x, f32).copy()
    pole_sign = np.copysign(f32(np.inf), -x)  # at +-0: -+inf
    result = np.zeros(x.shape, f32)
    with np.errstate(all="ignore"):
        zero = x == 0
        pole = (x < 0) & (x == np.trunc(x))
        reflect = (x < 0) & ~pole
        correction = np.zeros(x.shape, f32)
        if reflect.any():  # digamma(1 - x) - pi / tan(pi * frac(x)), the tangent in double
            fraction = np.fmod(x[reflect].astype(np.float64), 1.0)
            correction[reflect] = (math.pi / np.tan(math.pi * fraction)).astype(f32)
            x[reflect] = _F32_ONE - x[reflect]
        for _ in range(10):  # push x up to 10
            small = x < 10
            if not small.any():
                break
            result[small] = result[small] - _F32_ONE / x[small]
            x[small] = x[small] + _F32_ONE
        z = _F32_ONE / (x * x)
        poly = np.full(x.shape, f32(_PSI_SERIES[0]))
        for c in _PSI_SERIES[1:]:
            poly = poly * z + f32(c)
        tail = np.where(x < f32(1e17), z * poly, f32(0))
        log = np.log(x.astype(np.float64)).astype(f32)
        out = np.where(x == 10, result + f32(_PSI_10), result + log - f32(0.5) / x - tail)
        out = np.where(reflect, out - correction, out)
        out = np.where(pole, f32(np.nan), out)
        out = np.where(zero, pole_sign, out)
    return out


def _trigamma_float(x):
    """PyTorch's float trigamma, in float32: reflection, six steps, the asymptotic series."""
    f32 = np.float32
    x = np.asarray(x, f32).copy()
    with np.errstate(all="ignore"):
        sign = np.where(x < f32(0.5), f32(-1), f32(1))
        low = x < f32(0.5)
        pi = f32(math.pi)
        s = np.sin((pi * x).astype(np.float64)).astype(f32)
        result = np.where(low, -(pi * pi) / (s * s), f32(0))
        x = np.where(low, _F32_ONE - x, x)
        for _ in range(6):
            result = result + _F32_ONE / (x * x)
            x = x + _F32_ONE
        ixx = _F32_ONE / (x * x)
        series = f32(1) / f32(6) - ixx * (f32(1) / f32(30) - ixx * (f32(1) / f32(42)))
        result = result + (_F32_ONE + _F32_ONE / (f32(2) * x) + ixx * series) / x
    return sign * result


def _by_precision(double_func, float_func):
    """``float_func`` for float32/float16 arrays (PyTorch's float kernels), ``double_func``
    element by element for float64."""
    def np_func(x):
        if np.asarray(x).dtype != np.float64:
            return float_func(x)
        return _elementwise(double_func)(x)

    return np_func


def _libm_lgamma():
    """The C library's lgamma, or None where ctypes cannot load it. (Python's math.lgamma is
    an approximation of its own; the C library's gives PyTorch's float64 results 4 times as
    often. PyTorch's float32 results are the float64 ones rounded more often than lgammaf's.)"""
    import ctypes

    from .._sleef import _libm  # loaded by name: find_library would run ldconfig at import

    try:
        lgamma_d = _libm.lgamma
    except AttributeError:
        return None
    lgamma_d.restype, lgamma_d.argtypes = ctypes.c_double, (ctypes.c_double,)
    return lgamma_d


_LIBM_LGAMMA = _libm_lgamma()


def _lgamma_scalar(x):
    if _LIBM_LGAMMA is not None:
        return _LIBM_LGAMMA(x)
    try:
        return math.lgamma(x)
    except ValueError:  # the poles (0, -1, -2, ...)
        return math.inf


def _lgamma_float(x):
    return _elementwise(_lgamma_scalar)(x).astype(np.float32)


def _erfinv_scalar(y):
    """The inverse error function: Giles' approximation refined by Newton's method on erf."""
    if math.isnan(y) or abs(y) > 1:
        return math.nan
    if abs(y) == 1:
        return math.copysign(math.inf, y)
    if y == 0:
        return y
    w = -math.log((1.0 - y) * (1.0 + y))
    if w < 5:
        w -= 2.5
        coefs = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06,
                 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
    else:
        w = math.sqrt(w) - 3
        coefs = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844,
                 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)
    p = 0.0
    for c in coefs:
        p = p * w + c
    x = p * y
    for _ in range(3):
        slope = 2 / math.sqrt(math.pi) * math.exp(-x * x)
        if slope == 0:
            break
        x -= (math.erf(x) - y) / slope
    return x


def _elementwise(scalar_func):
    def np_func(x):
        flat = np.asarray(x, np.float64).reshape(-1)
        out = np.fromiter(map(scalar_func, flat.tolist()), np.float64, flat.size)
        return out.reshape(np.shape(x))

    return np_func


LgammaBackward0 = derivative("LgammaBackward0", inputs=("self",), saves=("self",),
                             self="grad * digamma(self)")
DigammaBackward0 = derivative("DigammaBackward0", inputs=("self",), saves=("self",),
                              self="grad * polygamma(1, self)")
ErfinvBackward0 = derivative(
    "ErfinvBackward0", inputs=("self",), saves=("self",),
    self="mul_scalar(self.erfinv().pow(2).exp(), 0.886226925452758) * grad",
)
PolygammaBackward0 = derivative("PolygammaBackward0", inputs=("self",), saves=("n", "self"),
                                self="grad * polygamma(n + 1, self)")

lgamma = rule_helper(ew._unary_float(_by_precision(_lgamma_scalar, _lgamma_float), "lgamma",
                                     LgammaBackward0, "self", exact=True))
digamma = rule_helper(ew._unary_float(_by_precision(_digamma_scalar, _digamma_float),
                                      "digamma", DigammaBackward0, "self", exact=True))
erfinv = rule_helper(ew._unary_float(_elementwise(_erfinv_scalar), "erfinv", ErfinvBackward0,
                                     "self"))
_trigamma = ew._unary_float(_by_precision(_trigamma_scalar, _trigamma_float), "polygamma",
                            None, None, exact=True)


@rule_helper
def polygamma(n, input, *, out=None):
    """``polygamma(0, x)`` is digamma; autogradviz computes the first derivative (n = 1)."""
    _require("polygamma", n, "n", "int", 1)
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    if n == 0:
        return digamma(input, out=out)
    if n > 1:
        raise NotImplementedError("autogradviz computes polygamma(n, x) for n = 0 and 1 only")
    with no_grad():
        result = _trigamma(input, out=out)
    if out is None:
        tracked(result, PolygammaBackward0, (input,), {"n": n, "self": input})
    return result


# ---------------------------------------------------------------------- scatters of a part
def masked_scatter(input, mask, source):
    """``input`` with the places ``mask`` selects (broadcast together) filled from ``source``'s
    elements in order."""
    from . import indexing as ix

    if mask._dtype is not _BOOL:
        raise RuntimeError("masked_scatter_ only supports boolean masks, but got mask with dtype "
                           f"{_dt.SCALAR_TYPE_NAMES[mask._dtype]}")
    if input._dtype is not source._dtype:
        raise RuntimeError("masked_scatter: expected self and source to have same dtypes but got"
                           f"{_dt.SCALAR_TYPE_NAMES[input._dtype]} and "
                           f"{_dt.SCALAR_TYPE_NAMES[source._dtype]}")
    try:
        shape = np.broadcast_shapes(mask._data.shape, input._data.shape)
    except ValueError:
        raise broadcast_error(mask._data.shape, input._data.shape) from None
    m = np.broadcast_to(mask._data, shape)
    if int(m.sum()) > source._data.size:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    out = _wrap(np.broadcast_to(input._data, shape).copy(), input._dtype)
    out._data[m] = source._data.reshape(-1)[:int(m.sum())]
    saved = {"mask": _wrap(np.ascontiguousarray(m), _BOOL) if m.shape != mask._data.shape
             else mask, "source_sym_sizes": source._data.shape}
    return tracked(out, ix.MaskedScatterBackward0, (input, source), saved)


IndexCopyBackward0 = derivative(
    "IndexCopyBackward0", inputs=("self", "source"),
    saves=("dim", "index", "source", "source_dim"), int64=("dim",),
    self="grad.index_fill(dim, index, 0)",
    source="grad.index_select(dim, index).expand_as(source) if source_dim > 0 "
           "else grad.index_select(dim, index.reshape(-1)).reshape(())",
)


def _index_copy_checks(input, dim, index, source):
    from .._tensor import wrap_dim

    x, s, idx = input._data, source._data, index._data
    d = wrap_dim(dim, max(x.ndim, 1))
    if idx.ndim > 1:
        raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got {idx.ndim})")
    if index._dtype is not _dt.int64:
        raise RuntimeError("index_copy_(): Expected a long tensor for index, but got "
                           f"{_dt.SCALAR_TYPE_NAMES[index._dtype]}")
    if input._dtype is not source._dtype:
        raise RuntimeError("index_copy_(): self and source expected to have the same dtype, but "
                           f"got (self) {_dt.SCALAR_TYPE_NAMES[input._dtype]} and (source) "
                           f"{_dt.SCALAR_TYPE_NAMES[source._dtype]}")
    n = idx.size
    if s.ndim:  # the shapes without ``dim`` (PyTorch numbers their dimensions on their own)
        x_slice = x.shape[:d] + x.shape[d + 1:]
        s_slice = s.shape[:d] + s.shape[d + 1:] if s.ndim == x.ndim else s.shape
        for i in range(max(len(x_slice), len(s_slice))):
            xs = x_slice[i] if i < len(x_slice) else 1
            ss = s_slice[i] if i < len(s_slice) else 1
            if xs != ss:
                raise RuntimeError(
                    "index_copy_(): Source/destination tensor must have same slice shapes. "
                    f"Destination slice shape: {xs} at dimension {i} and source slice shape: "
                    f"{ss} at dimension {i}.")
    if (s.shape[d] if s.ndim else 1) != n:
        raise IndexError(f"index_copy_(): Number of indices ({n}) should be equal to "
                         f"source.size(dim) ({s.shape[d] if s.ndim else 1})")
    size = x.shape[d] if x.ndim else 1
    bad = idx.reshape(-1)[(idx.reshape(-1) < 0) | (idx.reshape(-1) >= size)]
    if bad.size:
        raise IndexError(f"index_copy_(): index {bad[0]} is out of bounds for dimension {d} "
                         f"with size {size}")
    return d


def _index_copy_into(arr, d, index, source):
    idx = index._data.reshape(-1)
    if arr.ndim == 0:
        arr[()] = source._data.reshape(())
        return
    src = source._data if source._data.ndim else source._data.reshape((1,))
    arr[(slice(None),) * d + (idx,)] = src


def index_copy(input, dim, index, source):
    """A copy of ``input`` with the slices at ``index`` along ``dim`` taken from ``source``."""
    d = _index_copy_checks(input, dim, index, source)
    out = _wrap(input._data.copy(), input._dtype)
    _index_copy_into(out._data, d, index, source)
    saved = {"dim": dim, "index": index, "source": _if_grad(source, source),
             "source_dim": source._data.ndim}
    return tracked(out, IndexCopyBackward0, (input, source), saved)


def index_copy_(self, dim, index, source):
    from ._common import check_inplace, commit_inplace, inplace_node

    d = _index_copy_checks(self, dim, index, source)
    check_inplace(self, self._dtype, self._data.shape)
    saved = {"dim": dim, "index": index, "source": _if_grad(source, source),
             "source_dim": source._data.ndim}
    node = inplace_node(IndexCopyBackward0, (self, source), saved)
    _index_copy_into(self._data, d, index, source)
    self._bump_version()
    return commit_inplace(self, node)


SelectScatterBackward0 = derivative(
    "SelectScatterBackward0", inputs=("self", "src"), saves=("dim", "index"),
    int64=("dim", "index"),
    self="select_scatter(grad, zeros_like(grad.select(dim, index)), dim, index)",
    src="grad.select(dim, index)",
)
SliceScatterBackward0 = derivative(
    "SliceScatterBackward0", inputs=("self", "src"), saves=("dim", "end", "start", "step"),
    int64=("dim", "end", "start", "step"),
    self="slice_scatter(grad, zeros_like(slice_tensor(grad, dim, start, end, step)), dim, start, "
         "end, step)",
    src="slice_tensor(grad, dim, start, end, step)",
)


def _scatter_part(input, src, part):
    """A copy of ``input`` whose ``part`` (a view of the copy) is ``src``, PyTorch's check."""
    out = _wrap(input._data.copy(), input._dtype)
    view = part(out)
    if view._data.shape != src._data.shape:
        raise RuntimeError(
            f"expected src to have a size equal to the slice of self. src size = "
            f"{list(src._data.shape)}, slice size = {list(view._data.shape)}")
    view._data[...] = cast(src._data, input._dtype)
    return out


@rule_helper
def select_scatter(input, src, dim, index):
    """A copy of ``input`` with ``src`` at ``index`` along ``dim``."""
    from . import shape as sh

    with no_grad():
        out = _scatter_part(input, src, lambda t: sh.select(t, dim, index))
    return tracked(out, SelectScatterBackward0, (input, src), {"dim": dim, "index": index})


@rule_helper
def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """A copy of ``input`` with ``src`` in the slice ``start:end:step`` along ``dim``."""
    from . import shape as sh

    with no_grad():
        out = _scatter_part(input, src, lambda t: sh.slice_tensor(t, dim, start, end, step))
    saved = {"dim": dim, "end": end, "start": start, "step": step}
    return tracked(out, SliceScatterBackward0, (input, src), saved)


# ---------------------------------------------------------------------- combinations, renorm
def combinations(input, r=2, with_replacement=False):
    """The length-``r`` combinations of a 1-d tensor's elements (PyTorch's composition:
    meshgrid, a triangular mask, masked_select, stack)."""
    from . import indexing as ix
    from . import shape as sh

    _require("combinations", r, "r", "int", 2)
    if input._data.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input._data.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return _wrap(np.empty(0, input._dtype.np), input._dtype)
    n = input._data.shape[0]
    grids = np.meshgrid(*([np.arange(n)] * r), indexing="ij")
    mask = np.ones(grids[0].shape, bool)
    for lower, upper in itertools.pairwise(grids):
        mask &= (lower <= upper) if with_replacement else (lower < upper)
    mask_t = _wrap(mask, _BOOL)
    picked = [ix.masked_select(g, mask_t) for g in meshgrid(*([input] * r), indexing="ij")]
    return sh.stack(picked, 1)


RenormBackward0 = derivative(
    "RenormBackward0", inputs=("self",), saves=("dim", "maxnorm", "p", "self"), int64=("dim",),
    self="renorm_backward(grad, self, p, dim, maxnorm)",
)


def _renorm_norm(input, p, dim):
    from .._tensor import wrap_dim
    from . import reduction as rd

    d = wrap_dim(dim, input._data.ndim)
    reduce = [i for i in range(input._data.ndim) if i != d]
    return rd.norm(input, p, reduce, True), reduce


@rule_helper
def renorm_backward(grad, self, p, dim, maxnorm):
    norm, reduce = _renorm_norm(self, p, dim)
    grad_output = (self * grad).sum(reduce, True)
    nb = linalg_vector_norm_backward(grad_output, self, p, norm, reduce, True)
    inverse = (norm + 1e-7).reciprocal()
    factor = inverse * maxnorm
    return ew.where(norm > maxnorm, factor * grad - (factor * inverse) * nb, grad)


def renorm(input, p, dim, maxnorm, *, out=None):
    """Each slice along ``dim`` whose p-norm exceeds ``maxnorm`` scaled down to it."""
    nd = input._data.ndim
    if nd < 2:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {nd} dimensions")
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm:g}")
    if input._dtype.category != _FLOAT:
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_dt.SCALAR_TYPE_NAMES[input._dtype]}")
    if out is not None:
        ew._check_out("renorm", out, input)
    with no_grad():
        norm = _renorm_norm(input, p, dim)[0]._data.astype(_opmath(input._dtype))
    with np.errstate(all="ignore"):
        top = _opmath(input._dtype)(maxnorm)
        factor = np.where(norm > top, top / (norm + _opmath(input._dtype)(1e-7)), 1)
        r = input._data * factor.astype(input._dtype.np)
    result = ew._finish(r, input._dtype, out)
    if out is None:
        tracked(result, RenormBackward0, (input,),
                {"dim": dim, "maxnorm": maxnorm, "p": p, "self": input})
    return result


# ---------------------------------------------------------------------- linalg norms
def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """``torch.linalg.vector_norm``: the ``ord``-norm of the elements over ``dim`` (all)."""
    from . import reduction as rd

    if isinstance(ord, str):
        raise TypeError("linalg_vector_norm(): argument 'ord' (position 2) must be Number, not "
                        "str")
    if dtype is not None:
        if dtype.category != _FLOAT:
            raise RuntimeError("linalg.vector_norm: dtype should be floating point or complex, "
                               f"but got {_dt.SCALAR_TYPE_NAMES[dtype]}")
        if x._dtype.category == _FLOAT and _dt.promote_types(x._dtype, dtype) is not dtype:
            raise RuntimeError(
                f"linalg.vector_norm: the dtype of the input ({_dt.SCALAR_TYPE_NAMES[x._dtype]}) "
                "should be convertible without narrowing to the specified dtype "
                f"({_dt.SCALAR_TYPE_NAMES[dtype]})")
    result = rd.norm(x, ord, dim, keepdim, dtype)
    if out is not None:
        return ew._finish(result._data, result._dtype, out)
    return result


def _matrix_dims(name, A, dim):  # noqa: N803 - PyTorch's name
    from .._tensor import wrap_dim

    nd = A._data.ndim
    if nd < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if isinstance(dim, int) or len(dim) != 2:
        shown = dim if isinstance(dim, int) else ", ".join(map(str, dim))
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {shown}")
    d0, d1 = wrap_dim(dim[0], nd), wrap_dim(dim[1], nd)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, "
                           f"{dim[1]})")
    return d0, d1


def matrix_norm(input, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """``torch.linalg.matrix_norm``: Frobenius and nuclear norms, the 1/inf norms (largest
    column/row sum of magnitudes) and the 2-norms (largest/smallest singular value), built as
    PyTorch builds them."""
    from . import linalg as la
    from . import shape as sh

    A = input  # noqa: N806 - the matrix's name in PyTorch's formulas
    d0, d1 = _matrix_dims("linalg.matrix_norm", A, dim)
    if A._dtype.category != _FLOAT:
        raise RuntimeError("linalg.matrix_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_dt.SCALAR_TYPE_NAMES[A._dtype]}")
    if isinstance(ord, str):
        if ord not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    elif abs(ord) not in (1, 2, math.inf):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord:g} not supported.")
    if ord == "fro":
        result = vector_norm(A, 2, (d0, d1), keepdim, dtype=dtype)
    elif ord == "nuc" or abs(ord) == 2:
        x = A if dtype is None else A.to(dtype)
        rest = [i for i in range(x._data.ndim) if i not in (d0, d1)]
        x = sh.permute(x, [*rest, d0, d1])  # PyTorch permutes, even with the identity
        values = la.svdvals(x)
        if ord == "nuc":
            result = values.sum(-1)
        else:
            result = values.amax(-1) if ord > 0 else values.amin(-1)
        if keepdim:
            first, second = sorted((d0, d1))
            result = sh.unsqueeze(sh.unsqueeze(result, first), second)
    else:
        if math.isinf(ord):
            d0, d1 = d1, d0
        reduce_then = d1 - 1 if not keepdim and d0 < d1 else d1
        sums = vector_norm(A, 1.0, (d0,), keepdim, dtype=dtype)
        result = sums.amax(reduce_then, keepdim) if ord > 0 else sums.amin(reduce_then, keepdim)
    if out is not None:
        return ew._finish(result._data, result._dtype, out)
    return result


def linalg_norm(input, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """``torch.linalg.norm``: a matrix norm for 2-d input (or two ``dim``) with an ``ord``,
    otherwise a vector norm (2 by default)."""
    A = input  # noqa: N806 - the matrix's name in PyTorch's formulas
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None:
        if len(dim) not in (1, 2):
            raise RuntimeError("linalg.norm: If dim is specified, it must be of length 1 or 2. "
                               f"Got [{', '.join(map(str, dim))}]")
    elif ord is not None and A._data.ndim not in (1, 2):
        raise RuntimeError("linalg.norm: If dim is not specified but ord is, the input must be 1D "
                           f"or 2D. Got {A._data.ndim}D.")
    if isinstance(ord, str) or (ord is not None and (
            (dim is not None and len(dim) == 2) or (dim is None and A._data.ndim == 2))):
        if isinstance(ord, str) and dim is not None and len(dim) != 2:
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {dim[0]}")
        return matrix_norm(A, ord, (0, 1) if dim is None else tuple(dim), keepdim, dtype=dtype,
                           out=out)
    return vector_norm(A, 2.0 if ord is None else ord, dim, keepdim, dtype=dtype, out=out)


# ---------------------------------------------------------------------- slogdet / logdet
def _slogdet_types():
    from .linalg import _svd_result

    return _svd_result("slogdet", ("sign", "logabsdet")), _svd_result(
        "linalg_slogdet", ("sign", "logabsdet"))


slogdet_result, linalg_slogdet_result = _slogdet_types()

LinalgSlogdetBackward0 = derivative(
    "LinalgSlogdetBackward0", inputs=("A",), outputs=2, saves=("A", "LU", "pivots", "sign"),
    A="slogdet_backward(grads, A)",
)


@rule_helper
def slogdet_backward(grads, A):  # noqa: N803 - PyTorch's name
    """The sign is piecewise constant; log|det A| has the gradient A^-T."""
    from . import lapack

    g = grads[1]
    if g is None:
        return ew.mul(A, 0)
    return g.unsqueeze(-1).unsqueeze(-1) * lapack.linalg_inv(A).mT


def _slogdet(name, A, result_type):  # noqa: N803 - PyTorch's name
    from . import lapack

    lapack._check_square(name, A)
    x = A._data
    # PyTorch factors A^T (the layout LAPACK reads a row-major A in): its saved LU and pivots
    lu, piv, _ = lapack._factor_all(np.swapaxes(x, -1, -2))
    n = x.shape[-1]
    diag = np.diagonal(lu, axis1=-2, axis2=-1)
    swaps = np.sum(piv != np.arange(1, n + 1, dtype=np.int32), axis=-1)
    with np.errstate(all="ignore"):
        sign = np.prod(np.sign(diag), axis=-1) * np.where(swaps % 2, -1, 1).astype(x.dtype)
        logabsdet = np.sum(np.log(np.abs(diag)), axis=-1)
    dt = A._dtype
    result = result_type(_wrap(np.asarray(sign, x.dtype), dt),
                         _wrap(np.asarray(logabsdet, x.dtype), dt))
    saved = {"A": A, "LU": _wrap(lu, dt), "pivots": _wrap(piv, _dt.int32)}
    tracked(result, LinalgSlogdetBackward0, (A,), saved, {"sign": result[0]})
    return result


def linalg_slogdet(A, *, out=None):  # noqa: N803 - PyTorch's name
    """``torch.linalg.slogdet``: the sign and the log of the magnitude of the determinant."""
    return _slogdet("linalg.slogdet", A, linalg_slogdet_result)


def slogdet(input):
    return _slogdet("linalg.slogdet", input, slogdet_result)


def logdet(input):
    """log(det A): NaN where the determinant is negative (PyTorch's where over slogdet)."""
    sign, logabsdet = _slogdet("logdet", input, slogdet_result)
    return ew.where(sign == -1, math.nan, logabsdet)


# ---------------------------------------------------------------------- quantile / nanquantile
_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan, out):
    """PyTorch's quantile: sort along ``dim``, ranks q * (n - 1), the values at the ranks below
    and above, lerp between them; the same sequence of operations, so the same graph."""
    from .._tensor import wrap_dim
    from . import indexing as ix
    from . import reduction as rd
    from . import shape as sh

    name = "quantile"  # nanquantile's messages name quantile too
    if not isinstance(q, Tensor | int | float | np.integer | np.floating):
        rest = ('int dim = None, bool keepdim = False, *, str interpolation = "linear", Tensor '
                "out = None)")
        raise TypeError(
            f"{'nanquantile' if ignore_nan else 'quantile'}() received an invalid combination "
            f"of arguments - got ({_type_name(input)}, {_type_name(q)}), but expected one of:\n"
            f" * (Tensor input, Tensor q, {rest}\n"
            f" * (Tensor input, float q, {rest}\n")
    if isinstance(q, Tensor):
        q_tensor = q
    else:
        if not 0 <= q <= 1:
            raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {q:g}")
        q_tensor = None
    x = input._data
    if x.size == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    if q_tensor is not None and q_tensor._data.ndim > 1:
        raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
    if input._dtype not in (_F32, _F64):
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if q_tensor is not None and q_tensor._dtype is not input._dtype:
        raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
    if q_tensor is not None and not bool(((q_tensor._data >= 0) & (q_tensor._data <= 1)).all()):
        raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest, but got {interpolation}")
    if q_tensor is None:
        q_tensor = _wrap(np.array(q, input._dtype.np), input._dtype)
    nd = x.ndim
    wrapped = wrap_dim(0 if dim is None else dim, nd) if nd else 0
    if dim is not None and nd > 0:
        out_shape = list(x.shape)
        if keepdim:
            out_shape[wrapped] = 1
        else:
            del out_shape[wrapped]
    else:
        out_shape = [1] * nd if keepdim else []
    if q_tensor._data.ndim > 0:
        out_shape.insert(0, q_tensor._data.size)
    if dim is None:
        ordered = rd.sort(sh.flatten(input)).values
    elif wrapped == nd - 1:
        ordered = rd.sort(input).values
    else:
        ordered = rd.sort(sh.transpose(sh.unsqueeze(input, -1), wrapped, -1)).values
    if q_tensor._data.ndim == 0:
        out_shape.insert(0, 1)
    in_shape = [*out_shape[1:], ordered._data.shape[-1]]
    ordered = sh.view(ordered, in_shape)
    with no_grad():
        isnan = ew.isnan(ordered)
        if ignore_nan:
            counts = ew.sub(ew.logical_not(isnan).sum(-1, True), 1)
            ranks = ew.mul(q_tensor, counts)
            ranks = ix.masked_fill(ranks, ew.lt(ranks, 0), 0)
        else:
            last = ordered._data.shape[-1] - 1
            scaled, any_nan = sh.broadcast_tensors(ew.mul(q_tensor, last), isnan.any(-1, True))
            ranks = ix.masked_fill(scaled, any_nan, last)
        if interpolation == "lower":
            ranks = ew.floor(ranks)
        elif interpolation == "nearest":
            ranks = ew.round(ranks)
        elif interpolation == "higher":
            ranks = ew.ceil(ranks)
        below = ranks.to(_dt.int64)
    values = ix.gather(ordered, -1, below)
    if interpolation in ("linear", "midpoint"):
        with no_grad():
            if interpolation == "midpoint":
                weights = _wrap(np.full(ranks._data.shape, 0.5, ranks._data.dtype), ranks._dtype)
            else:
                weights = ew.sub(ranks, below)
            above = ew.ceil(ranks).to(_dt.int64)
        values = ew.lerp(values, ix.gather(ordered, -1, above), weights)
    if q_tensor._data.ndim == 0:
        values = sh.squeeze_(values, -1)
    else:
        values = sh.squeeze_(sh.transpose_(sh.unsqueeze_(values, 0), 0, -1), -1)
    if out is not None:
        return ew._finish(values._data, values._dtype, out)
    return values


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """The ``q``-quantiles of ``input`` (flattened, or along ``dim``); NaN where a NaN is."""
    return _quantile(input, q, dim, keepdim, interpolation, False, out)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """``quantile`` ignoring NaN (NaN only where every value is NaN)."""
    return _quantile(input, q, dim, keepdim, interpolation, True, out)


# ---------------------------------------------------------------------- scatter_reduce
_SCATTER_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")

ScatterReduceBackward0 = derivative(
    "ScatterReduceBackward0", inputs=("self", "src"),
    saves=("dim", "include_self", "index", "reduce", "result", "self", "src"), int64=("dim",),
    order=("self", "src"),
    self="scatter_reduce_backward(grad, self, dim, index, src, reduce, include_self, result)[0]",
    src="scatter_reduce_backward(grad, self, dim, index, src, reduce, include_self, result)[1]",
)


@rule_helper
def scatter_reduce_backward(grad, self, dim, index, src, reduce, include_self, result):
    """PyTorch's gradients of scatter_reduce: sum and mean spread the gradient, prod divides
    the product (zeros handled apart), amax/amin share it among the ties."""
    from . import indexing as ix

    if reduce == "sum":
        grad_self, grad_src = grad, ix.gather(grad, dim, index)
    elif reduce == "prod":
        masked_self = self.masked_fill(self == 0, 1)
        masked_self_result = scatter_reduce(masked_self, dim, index, src, reduce,
                                            include_self=include_self)
        grad_self = grad * masked_self_result / masked_self
        src_zero = src == 0
        zeros = ix.scatter_add(ew.mul(self, 0), dim, index, src_zero.to(self.dtype))
        src_num_zeros = ix.gather(zeros, dim, index)
        src_single_zero = src_zero.logical_and(src_num_zeros == 1)
        masked_src = src.masked_fill(src_single_zero, 1)
        masked_src_result = scatter_reduce(self, dim, index, masked_src, reduce,
                                           include_self=include_self)
        grad_src = ew.where(src_single_zero,
                            ix.gather(grad * masked_src_result, dim, index),
                            ix.gather(grad * result, dim, index) / src.masked_fill(src_zero, 1))
    elif reduce == "mean":
        count = ew.add(ew.mul(grad, 0), 1 if include_self else 0).detach()
        count = ix.scatter_add(count, dim, index, ew.add(ew.mul(src, 0), 1).detach())
        count = count.masked_fill(count == 0, 1)
        grad_self = grad / count
        grad_src = ix.gather(grad, dim, index) / ix.gather(count, dim, index)
    else:
        value = ix.gather(result, dim, index)
        self_is_result = (self == result).to(self.dtype)
        src_is_result = (src == value).to(self.dtype)
        shares = ix.scatter_add(self_is_result, dim, index, src_is_result)
        distributed = grad / shares
        grad_self = (self == result) * distributed
        grad_src = (src == value) * ix.gather(distributed, dim, index)
    if not include_self:
        grad_self = ix.scatter(grad_self, dim, index, value=0)
    return grad_self, grad_src


@rule_helper
def scatter_reduce(input, dim, index, src, reduce, *, include_self=True, out=None):
    """``input`` with ``src``'s values reduced into the places ``index`` names along ``dim``
    (with ``input``'s own values unless not ``include_self``)."""
    from . import indexing as ix

    if reduce not in _SCATTER_REDUCTIONS:
        raise RuntimeError("reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    x, pos, values = ix._scatter_args(input, dim, index, src)
    dt = input._dtype
    if reduce == "mean" and dt is _BOOL:
        raise not_implemented("scatter_gather_tensor_cpu_reduce_mean", dt)
    # float16 sums and products accumulate in float32 (PyTorch's opmath), rounded once
    work = np.float32 if dt is _F16 and reduce in ("sum", "mean", "prod") else x.dtype
    arr = x.astype(work)
    values = np.asarray(values, work)
    if not include_self:  # the scattered places start from the reduction's identity
        if reduce in ("sum", "mean"):
            identity = 0
        elif reduce == "prod":
            identity = 1
        elif dt.category == _FLOAT:
            identity = -np.inf if reduce == "amax" else np.inf
        elif dt is _BOOL:
            identity = reduce == "amin"
        else:
            info = np.iinfo(dt.np)
            identity = info.min if reduce == "amax" else info.max
        arr[pos] = identity
    with np.errstate(all="ignore"):
        if reduce in ("sum", "mean"):
            if dt is _BOOL:
                np.logical_or.at(arr, pos, values)
            else:
                np.add.at(arr, pos, values)
        elif reduce == "prod":
            if dt is _BOOL:
                np.logical_and.at(arr, pos, values)
            else:
                np.multiply.at(arr, pos, values)
        elif reduce == "amax":
            (np.logical_or if dt is _BOOL else np.maximum).at(arr, pos, values)
        else:
            (np.logical_and if dt is _BOOL else np.minimum).at(arr, pos, values)
        if reduce == "mean":
            count = np.full(arr.shape, 1 if include_self else 0, np.int64)
            np.add.at(count, pos, 1)
            count[count == 0] = 1
            if dt.category == _FLOAT:
                arr = (arr / count.astype(arr.dtype)).astype(arr.dtype)
            else:
                arr = np.floor_divide(arr, count).astype(arr.dtype)
    result = ew._finish(arr.reshape(input._data.shape), dt, out)
    if out is None:
        saved = {"dim": dim, "include_self": include_self, "index": index, "reduce": reduce,
                 "self": input, "src": src}
        tracked(result, ScatterReduceBackward0, (input, src), saved, {"result": result})
    return result


def _written_back(self, result):
    """An in-place form's end: ``result`` (computed from ``self``) written into ``self``, its
    node (which keeps a copy of the old ``self`` if it saved it) becoming ``self``'s history."""
    from ._common import check_inplace, commit_inplace

    check_inplace(self, result._dtype, result._data.shape)
    node = result.grad_fn
    if node is not None:
        ew._save_original(node, self)
    self._data[...] = cast(result._data, self._dtype)
    self._bump_version()
    return commit_inplace(self, node, result)


def _scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
    return _written_back(self, scatter_reduce(self, dim, index, src, reduce,
                                              include_self=include_self))


def _same_size_in_place(self, result):
    if self._data.shape != result._data.shape:
        raise RuntimeError(f"Bad in-place call: input tensor size {list(self._data.shape)} and "
                           f"output tensor size {list(result._data.shape)} should match")
    return _written_back(self, result)


def _addmv_(self, mat, vec, *, beta=1, alpha=1):
    return _same_size_in_place(self, addmv(self, mat, vec, beta=beta, alpha=alpha))


def _baddbmm_(self, batch1, batch2, *, beta=1, alpha=1):
    return _same_size_in_place(self, baddbmm(self, batch1, batch2, beta=beta, alpha=alpha))


def _renorm_(self, p, dim, maxnorm):
    return _written_back(self, renorm(self, p, dim, maxnorm))


def _ldexp_(self, other):
    return _written_back(self, ldexp(self, other))


def dropout(input, p, train):
    """``torch.dropout``: in training, ``input`` times a Bernoulli(1 - p) mask scaled by
    1 / (1 - p) (MulBackward0), with PyTorch's random draws; otherwise ``input`` itself."""
    from ..nn import functional as F  # noqa: N812 - PyTorch's name for it

    if not 0 <= p <= 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p:g}")
    return F.dropout(input, p, train)


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
        ("sinc", sinc), ("lgamma", lgamma), ("digamma", digamma), ("erfinv", erfinv),
    )},
}
INPLACE.update({"scatter_reduce_": _scatter_reduce_, "addmv_": _addmv_, "baddbmm_": _baddbmm_,
                "renorm_": _renorm_, "ldexp_": _ldexp_})
for _name, _method in INPLACE.items():
    _method.__name__ = _name

# The functions above PyTorch also offers as ``Tensor`` methods (``_methods`` attaches them).
METHODS = (
    "addcdiv", "addcmul", "addmv", "baddbmm", "deg2rad", "diagflat", "diff", "dist", "dsplit",
    "gcd", "heaviside", "hsplit", "inner", "kron", "lcm", "ldexp", "logaddexp2", "logit",
    "multiply", "nextafter", "rad2deg", "sinc", "subtract", "vdot", "vsplit", "xlogy",
    "bincount", "is_nonzero", "cov", "logcumsumexp", "lgamma", "digamma", "erfinv", "polygamma",
    "masked_scatter", "index_copy", "index_copy_", "select_scatter", "slice_scatter", "renorm",
    "slogdet", "logdet", "quantile", "nanquantile", "scatter_reduce",
)
