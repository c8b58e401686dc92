"""``nn.functional``'s activation functions beyond relu/sigmoid/tanh/softmax, as PyTorch has them.

Where ATen has a kernel with a backward node of its own (``leaky_relu`` -> LeakyReluBackward0,
``gelu`` -> GeluBackward0, ``elu``/``selu``/``celu``, ``softplus``, ``hardtanh``/``relu6``,
``hardswish``, ``hardsigmoid``, ``mish``, ``logsigmoid``, ``softshrink``, ``hardshrink``,
``threshold``, ``glu``, ``prelu`` -> PreluKernelBackward0, its weight reshaped by a view as
ATen's ``prelu`` does) the node is declared here beside the forward, with PyTorch's name and
saved values; an in-place form (``F.elu_``, ``inplace=True``) records the node PyTorch's
in-place kernel records (LeakyReluBackward1, EluBackward1 ... saving the result; the others
saving a copy of the input). Where PyTorch composes operations (``softsign``, ``tanhshrink``,
``softmin``) this module composes the same ones, so the graph has the same nodes.

Forward values follow the order of operations of ATen's float kernels, on the elements in
memory order with ATen's vector blocks and scalar tail, so the piecewise-linear functions match
bit for bit, and so do silu, elu/selu/celu, softplus, logsigmoid, mish and gelu's tanh form,
whose exp, expm1, log1p and tanh are SLEEF's as in ATen (reproduced by ``_sleef`` and
``_sleef_extra``). PyTorch hands float32 ``gelu`` (erf form) to oneDNN, whose erf is its own:
here erf is taken in float64 and rounded once, within ~1e-6 of ``|x|`` (NaN at +inf as there).

The backward rules call backward kernels as ATen's formulas do (``leaky_relu_backward``,
``elu_backward``, ``gelu_backward`` ...): each computes ATen's kernel's arithmetic (fused
multiply-adds and SLEEF's exp where ATen has them, so most float32 gradients match bit for bit)
and records PyTorch's ``...BackwardBackward0`` node with its own rules, so ``create_graph=True``
builds PyTorch's graph; silu and mish are differentiated, as in PyTorch, with differentiable
operations when grad mode is on, and hardsigmoid's second derivative is NotImplemented as there.
"""

from __future__ import annotations

import math

import numpy as np

from .. import _sleef
from .. import dtypes as _dt
from .._fma import _fma32, _fma64
from .._sleef_extra import c_expm1f, c_log1pf, c_tanhf, expm1f_u10, log1pf_u10, tanhf_u10
from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import STATE as _GRAD_MODE
from ..autograd.graph import derivative, rule_helper
from ..ops._backward import (  # noqa: F401 - threshold_backward: ThresholdBackward's rule
    add_scalar,
    rsub_scalar,
    sigmoid_backward,
    sub_scalar,
    sum_to,
    threshold_backward,
    zeros_like,
)
from ..ops._common import not_implemented, tracked
from ..ops.elementwise import (
    _erf,
    _inplace,
    _not_implemented_node,
    _num_threads,
    checked_scalar,
    quiet,
    via_double,
    where,
)
from ..ops.shape import cat

__all__ = [
    "celu",
    "celu_",
    "elu",
    "elu_",
    "gelu",
    "glu",
    "hardshrink",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "hardtanh_",
    "leaky_relu",
    "leaky_relu_",
    "logsigmoid",
    "mish",
    "relu6",
    "rrelu",
    "rrelu_",
    "selu",
    "selu_",
    "silu",
    "softmin",
    "softplus",
    "softshrink",
    "softsign",
    "tanhshrink",
    "threshold",
    "threshold_",
]
__all__ += ["prelu"]

_FLOAT = _dt.float32.category
_F16 = _dt.float16
_F32 = np.dtype(np.float32)

# SELU's constants (Klambauer et al.), as ATen holds them (doubles).
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
# 0.5 * sqrt(2) * 2 / sqrt(pi) = sqrt(2 / pi), and the cubic's coefficient: gelu's tanh form.
_GELU_BETA = math.sqrt(2) * (2 / math.sqrt(math.pi)) * 0.5
_GELU_KAPPA = 0.044715
_GELU_PDF_SCALE = (2 / math.sqrt(math.pi)) * math.sqrt(0.5) * 0.5  # 1 / sqrt(2 pi)


# ---------------------------------------------------------------------- helpers
def _check_tensor(name, input):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")


def _memory_order(x):
    """The axes of ``x`` from the largest stride to the smallest: the order ATen's loops walk
    the elements in (C order for a contiguous array)."""
    return sorted(range(x.ndim), key=lambda axis: -abs(x.strides[axis]))


def _float_kernel(input, kernel, compute, keep_layout=True):
    """``compute(x)`` on the input's array, for a float input (PyTorch's message otherwise);
    float16 computes in float32 and rounds once, as ATen's opmath does. With ``keep_layout``
    ``compute`` sees the elements in memory order (its vector blocks and tail are ATen's) and
    the result has the input's layout, as ATen's elementwise results do."""
    dt = input._dtype
    if dt.category != _FLOAT:
        raise not_implemented(kernel, dt)
    x = input._data
    perm = _memory_order(x) if keep_layout else list(range(x.ndim))
    reordered = perm != list(range(x.ndim))
    if reordered:
        x = x.transpose(perm)
    if dt is _F16:
        r = quiet.run(compute, x.astype(np.float32)).astype(np.float16)
    else:
        r = quiet.run(compute, x)
    r = np.asarray(r, dt.np)
    if reordered:
        r = r.transpose(np.argsort(perm))
    return _wrap(r, dt)


def _exp_vec(x):
    """``exp(x)`` as ATen's vectorised float kernels compute it: SLEEF's expf on blocks of 16,
    the C library's expf on the tail (float64: NumPy's exp)."""
    if x.dtype != _F32:
        return np.exp(x)
    return _sleef.elementwise(x, _sleef.expf_u10, _sleef.c_expf, _num_threads())


def _expm1_vec(x):
    """``expm1(x)`` as ATen's vectorised float kernels compute it (SLEEF's expm1f on blocks of
    16, the C library's on the tail; float64: NumPy's)."""
    if x.dtype != _F32:
        return np.expm1(x)
    return _sleef.elementwise(x, expm1f_u10, c_expm1f, _num_threads())


def _log1p_exp_vec(x):
    """``log1p(exp(x))`` as ATen's vectorised float kernels compute it (SLEEF's expf and
    log1pf on blocks of 16, the C library's on the tail; float64: NumPy's)."""
    if x.dtype != _F32:
        return np.log1p(np.exp(x))
    return _sleef.elementwise(x, lambda v: log1pf_u10(_sleef.expf_u10(v)),
                              lambda v: c_log1pf(_sleef.c_expf(v)), _num_threads())


def _tanh_softplus_vec(x):
    """``tanh(log1p(exp(x)))`` as ATen's vectorised float kernels compute it (mish's: SLEEF's
    routines on blocks of 16, the C library's on the tail; float64: NumPy's)."""
    if x.dtype != _F32:
        return np.tanh(np.log1p(np.exp(x)))
    return _sleef.elementwise(x, lambda v: tanhf_u10(log1pf_u10(_sleef.expf_u10(v))),
                              lambda v: c_tanhf(c_log1pf(_sleef.c_expf(v))), _num_threads())


def _tanh_vec(x):
    """``tanh(x)`` as ATen's vectorised float kernels compute it (SLEEF's tanhf on blocks of
    16, the C library's on the tail; float64: NumPy's)."""
    if x.dtype != _F32:
        return np.tanh(x)
    return _sleef.elementwise(x, tanhf_u10, c_tanhf, _num_threads())


_GRAIN_SIZE = 32768  # ATen's parallel grain: longer loops are split into one range a thread


def _scalar_tail(n, itemsize):
    """The flat positions ``cpu_kernel_vec`` computes with its scalar function on a contiguous
    tensor of ``n`` elements: the last ``n % block`` of each thread's range, a block being two
    AVX2 vectors (16 floats, 8 doubles); NaN-free kernels agree on both paths, but a few
    (softshrink's zero) differ in the sign of 0."""
    block = 64 // itemsize
    threads = _num_threads()
    if n < _GRAIN_SIZE or threads <= 1:
        ranges = [(0, n)]
    else:
        threads = min(threads, -(-n // _GRAIN_SIZE))
        chunk = -(-n // threads)
        ranges = [(b, min(b + chunk, n)) for b in range(0, n, chunk)]
    parts = [np.arange(b + (e - b) // block * block, e) for b, e in ranges]
    return np.concatenate(parts) if parts else np.zeros(0, np.intp)


def _grad_kernel(r, grad, node, inputs, saved):
    """A backward kernel's result (a new tensor of ``grad``'s dtype) with its own node, recorded
    when ``create_graph=True`` makes an input require grad (PyTorch's ``...BackwardBackward0``)."""
    out = _wrap(np.asarray(r, grad._dtype.np), grad._dtype)
    return tracked(out, node, inputs, saved)


def _fma(a, b, c):
    """``a * b + c`` rounded once (ATen's kernels are compiled with fused multiply-adds)."""
    return (_fma32 if a.dtype == _F32 else _fma64)(a, b, c).astype(a.dtype, copy=False)


def _backward_values(kernel, grad, self):
    """``kernel(grad, x)`` on the arrays, as a plain tensor of grad's dtype (float16 through
    float32)."""
    g, x = grad._data, self._data
    if grad._dtype is _F16:
        g, x = g.astype(np.float32), x.astype(np.float32)
    r = quiet.run(kernel, g, x)
    return _wrap(np.asarray(r, grad._dtype.np), grad._dtype)


def _mask(array):
    """A bool tensor over ``array`` (a rule's mask: no gradient flows through it)."""
    return _wrap(np.asarray(array, np.bool_), _dt.bool)


def _zero_where(grad, mask):
    """``grad`` with zeros where ``mask`` (a NumPy bool array) holds."""
    return grad.masked_fill(_mask(mask), 0)


def _scalar_text(value):
    """A number as C++'s ostream prints a double (PyTorch's messages)."""
    return f"{float(value):g}"


# ---------------------------------------------------------------------- leaky_relu
@rule_helper
def leaky_relu_backward(grad, self, negative_slope, self_is_result):
    """ATen's kernel: ``grad`` where ``self > 0``, ``grad * negative_slope`` elsewhere."""
    if self_is_result and negative_slope < 0:
        raise RuntimeError(
            "In-place leakyReLu backward calculation is triggered with a negative slope which "
            "is not supported. This is caused by calling in-place forward function with a "
            "negative slope, please call out-of-place version instead. File an issue at "
            "https://github.com/pytorch/pytorch if you do require supporting in-place leakRelu "
            "backward calculation with negative slope")
    g, x = grad._data, self._data
    slope = checked_scalar(negative_slope, grad._dtype)
    r = quiet.run(lambda: np.where(x > 0, g, g * slope))
    return _grad_kernel(r, grad, LeakyReluBackwardBackward0, (grad, self),
                        {"negative_slope": negative_slope, "self": self})


LeakyReluBackwardBackward0 = derivative(
    "LeakyReluBackwardBackward0", inputs=("grad_output", "self"),
    saves=("negative_slope", "self"),
    grad_output="leaky_relu_backward(grad, self, negative_slope, False)",
    self="zeros_like(grad)",
)


LeakyReluBackward0 = derivative(
    "LeakyReluBackward0", inputs=("self",), saves=("negative_slope", "self"),
    self="leaky_relu_backward(grad, self, negative_slope, False)",
)
LeakyReluBackward1 = derivative(
    "LeakyReluBackward1", inputs=("self",), saves=("negative_slope", "result"),
    self="leaky_relu_backward(grad, result, negative_slope, True)",
)


def _leaky_relu_values(input, negative_slope):
    def compute(x):
        slope = checked_scalar(negative_slope, _dt.from_numpy_dtype(x.dtype))
        return np.where(x > 0, x, x * slope)  # ATen: blendv(x * slope, x, x > 0)

    return _float_kernel(input, "leaky_relu_cpu", compute)


def _leaky_relu(input, negative_slope=0.01):
    result = _leaky_relu_values(input, negative_slope)
    return tracked(result, LeakyReluBackward0, (input,),
                   {"negative_slope": negative_slope, "self": input})


def _leaky_relu_inplace_op(input, negative_slope=0.01):
    result = _leaky_relu_values(input, negative_slope)
    return tracked(result, LeakyReluBackward1, (input,), {"negative_slope": negative_slope},
                   {"result": result})


_leaky_relu_inplace = _inplace(_leaky_relu_inplace_op)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    _check_tensor("leaky_relu", input)
    if inplace:
        return _leaky_relu_inplace(input, negative_slope)
    return _leaky_relu(input, negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    return _leaky_relu_inplace(input, negative_slope)


# ---------------------------------------------------------------------- gelu
@rule_helper
def gelu_backward(grad, self, approximate):
    """ATen's kernel: ``grad * (cdf + x * pdf)``; for the tanh form ``grad * (0.5 * (1 + t)
    + 0.5 * x * (1 - t**2) * beta * (1 + 3 * kappa * x**2))``, ``t = tanh(u)``."""
    g, x = grad._data, self._data
    c = x.dtype.type
    with np.errstate(all="ignore"):
        if approximate == "tanh":  # (with ATen's fused multiply-adds)
            ones = np.ones_like(x)
            x_sq = x * x
            inner = c(_GELU_BETA) * _fma(c(_GELU_KAPPA) * ones, x * x_sq, x)
            t = _tanh_vec(np.ascontiguousarray(inner))
            left_derivative = c(0.5) * (c(1) + t)
            tanh_derivative = _fma(-t, t, ones)
            inner_derivative = c(_GELU_BETA) * _fma(c(3) * c(_GELU_KAPPA) * ones, x_sq, ones)
            right_derivative = c(0.5) * x * tanh_derivative * inner_derivative
            r = g * (left_derivative + right_derivative)
        else:
            erf = via_double(_erf, x * c(math.sqrt(0.5))).astype(x.dtype)
            cdf = c(0.5) * (c(1) + erf)
            pdf = c(_GELU_PDF_SCALE) * via_double(np.exp, x * x * c(-0.5)).astype(x.dtype)
            r = g * (cdf + x * pdf)
    return _grad_kernel(r, grad, GeluBackwardBackward0, (grad, self),
                        {"approximate": approximate, "grad_output": grad, "self": self})


@rule_helper
def gelu_double_backward(grad, grad_output, self, approximate):
    """``grad * grad_output * gelu''(x)``: ``phi(x) * (2 - x**2)``; for the tanh form
    ``(1 - t**2) * (u' + 0.5 * x * (u'' - 2 * t * u'**2))``."""
    if approximate == "tanh":
        t = ((self + self * self * self * _GELU_KAPPA) * _GELU_BETA).tanh()
        du = (self * self * (3 * _GELU_KAPPA) + 1) * _GELU_BETA
        ddu = self * (6 * _GELU_KAPPA * _GELU_BETA)
        second = (1 - t * t) * (du + self * 0.5 * (ddu - t * du * du * 2))
    else:
        pdf = (self * self * -0.5).exp() * _GELU_PDF_SCALE
        second = pdf * (2 - self * self)
    return grad * grad_output * second


GeluBackwardBackward0 = derivative(
    "GeluBackwardBackward0", inputs=("grad_output", "self"),
    saves=("approximate", "grad_output", "self"),
    grad_output="gelu_backward(grad, self, approximate)",
    self="gelu_double_backward(grad, grad_output, self, approximate)",
)


GeluBackward0 = derivative(
    "GeluBackward0", inputs=("self",), saves=("approximate", "self"),
    self="gelu_backward(grad, self, approximate)",
)


def gelu(input, approximate="none"):
    _check_tensor("gelu", input)
    if not isinstance(approximate, str):
        raise TypeError(f"gelu(): argument 'approximate' must be str, not "
                        f"{type(approximate).__name__}")
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")

    def compute(x):
        c = x.dtype.type
        if approximate == "tanh":
            # ATen: 0.5 * x * (1 + tanh(beta * (x + kappa * x**3))), the inner sum fused
            cube = x * x * x
            inner = c(_GELU_BETA) * _fma(c(_GELU_KAPPA) * np.ones_like(x), cube, x)
            return c(0.5) * x * (c(1) + _tanh_vec(np.ascontiguousarray(inner)))
        erf = via_double(_erf, x * c(math.sqrt(0.5))).astype(x.dtype)
        out = x * c(0.5) * (c(1) + erf)
        if x.dtype == _F32:  # PyTorch's float32 gelu (oneDNN's) gives NaN at +inf
            out[np.isposinf(x)] = np.nan
        return out

    result = _float_kernel(input, "GeluKernelImpl", compute)
    return tracked(result, GeluBackward0, (input,), {"approximate": approximate, "self": input})


# ---------------------------------------------------------------------- silu, mish
@rule_helper
def silu_backward(grad, self):
    """``grad * s * (1 + x * (1 - s))``, ``s = sigmoid(x)``: as PyTorch, with differentiable
    operations when grad mode is on (``create_graph=True``: its
    ``infinitely_differentiable_silu_backward``), else ATen's kernel (one fused multiply-add)."""
    if _GRAD_MODE.grad_enabled:
        s = self.sigmoid()
        return grad * s * add_scalar(self * rsub_scalar(1.0, s), 1.0)

    def kernel(g, x):
        one = x.dtype.type(1)
        s = one / (one + _exp_vec(-x))
        return g * s * _fma(x, one - s, one)

    return _backward_values(kernel, grad, self)


SiluBackward0 = derivative("SiluBackward0", inputs=("self",), saves=("self",),
                           self="silu_backward(grad, self)")


def _silu_op(input):
    def compute(x):
        one = x.dtype.type(1)
        return x / (one + _exp_vec(-x))  # ATen: x / (1 + exp(-x))

    result = _float_kernel(input, "silu_cpu", compute)
    return tracked(result, SiluBackward0, (input,), {"self": input})


_silu_inplace = _inplace(_silu_op)


def silu(input, inplace=False):
    _check_tensor("silu", input)
    return _silu_inplace(input) if inplace else _silu_op(input)


@rule_helper
def mish_backward(grad, self):
    """``grad * (t + x * sigmoid(x) * (1 - t * t))``, ``t = tanh(log1p(exp(x)))``: with
    differentiable operations when grad mode is on (PyTorch's
    ``infinitely_differentiable_mish_backward``), else ATen's kernel (fused multiply-adds)."""
    if _GRAD_MODE.grad_enabled:
        s = self.sigmoid()
        t = self.exp().log1p().tanh()
        return grad * (t + self * s * rsub_scalar(1.0, t * t))

    def kernel(g, x):
        one = x.dtype.type(1)
        s = one / (one + _exp_vec(-x))
        t = _tanh_softplus_vec(np.ascontiguousarray(x))
        return g * _fma(x * s, _fma(-t, t, one), t)

    return _backward_values(kernel, grad, self)


MishBackward0 = derivative("MishBackward0", inputs=("self",), saves=("self",),
                           self="mish_backward(grad, self)")


def _mish_op(input):
    def compute(x):
        # ATen: x * tanh(log1p(exp(x)))
        return x * _tanh_softplus_vec(np.ascontiguousarray(x))

    result = _float_kernel(input, "mish_cpu", compute)
    return tracked(result, MishBackward0, (input,), {"self": input})


_mish_inplace = _inplace(_mish_op)


def mish(input, inplace=False):
    _check_tensor("mish", input)
    return _mish_inplace(input) if inplace else _mish_op(input)


# ---------------------------------------------------------------------- elu, selu, celu
_ELU_INPLACE_MESSAGE = (
    "In-place elu backward calculation is triggered with a negative slope which is not "
    "supported. This is caused by calling in-place forward function with a negative slope, "
    "please call out-of-place version instead.")


@rule_helper
def elu_backward(grad, alpha, scale, input_scale, is_result, self_or_result):
    """ATen's kernel: ``grad * scale`` where the input was positive; below, from the input
    ``grad * input_scale * alpha * scale * exp(x * input_scale)``, from the result
    ``grad * input_scale * (result + alpha * scale)``."""
    if is_result and alpha < 0:
        raise RuntimeError(_ELU_INPLACE_MESSAGE)
    g, b = grad._data, self_or_result._data
    dt = grad._dtype
    a, sc, i = (checked_scalar(v, dt) for v in (alpha, scale, input_scale))
    negcoef = a * sc
    with np.errstate(all="ignore"):
        if is_result:
            below = g * i * (b + negcoef)
        else:
            below = g * i * negcoef * _exp_vec(np.ascontiguousarray(b * i))
        r = np.where(b > 0, g * sc, below)
    saved = {"alpha": alpha, "grad_output": grad, "input_scale": input_scale,
             "is_result": is_result, "scale": scale, "self_or_result": self_or_result}
    return _grad_kernel(r, grad, EluBackwardBackward0, (grad, self_or_result), saved)


@rule_helper
def elu_double_backward(grad, grad_output, alpha, scale, input_scale, is_result,
                        self_or_result):
    """ATen's: ``grad * grad_output * input_scale`` where ``self_or_result < 0`` (from the
    result), else ``elu_backward(grad * grad_output * input_scale, ...)`` there."""
    negative = (self_or_result < 0).to(grad.dtype)
    if is_result:
        return grad * grad_output * input_scale * negative
    return elu_backward(grad * grad_output * input_scale, alpha, scale, input_scale, is_result,
                        self_or_result) * negative


EluBackwardBackward0 = derivative(
    "EluBackwardBackward0", inputs=("grad_output", "self_or_result"),
    saves=("alpha", "grad_output", "input_scale", "is_result", "scale", "self_or_result"),
    grad_output="elu_backward(grad, alpha, scale, input_scale, is_result, self_or_result)",
    self_or_result="elu_double_backward(grad, grad_output, alpha, scale, input_scale, "
                   "is_result, self_or_result)",
)


EluBackward0 = derivative(
    "EluBackward0", inputs=("self",), saves=("alpha", "input_scale", "scale", "self"),
    self="elu_backward(grad, alpha, scale, input_scale, False, self)",
)
EluBackward1 = derivative(
    "EluBackward1", inputs=("self",), saves=("alpha", "input_scale", "result", "scale"),
    self="elu_backward(grad, alpha, scale, input_scale, True, result)",
)
CeluBackward0 = derivative(
    "CeluBackward0", inputs=("self",), saves=("alpha", "self"),
    self="elu_backward(grad, alpha, 1, 1.0 / float(alpha), False, self)",
)
CeluBackward1 = derivative(
    "CeluBackward1", inputs=("self",), saves=("alpha", "result"),
    self="elu_backward(grad, alpha, 1, 1.0 / float(alpha), True, result)",
)


def _elu_values(input, alpha, scale, input_scale):
    def compute(x):
        dt = _dt.from_numpy_dtype(x.dtype)
        a, s, i = (checked_scalar(v, dt) for v in (alpha, scale, input_scale))
        negcoef = a * s  # in the tensor's precision, as ATen's kernel
        below = _expm1_vec(np.ascontiguousarray(x * i)) * negcoef
        return np.where(x > 0, x * s, below)

    return _float_kernel(input, "elu_cpu", compute)


def _elu_node(input, result, alpha, scale, input_scale, node, inplace):
    if node is EluBackward0 or node is EluBackward1:
        saved = {"alpha": alpha, "input_scale": input_scale, "scale": scale}
    else:
        saved = {"alpha": alpha}
    if inplace:
        return tracked(result, node, (input,), saved, {"result": result})
    return tracked(result, node, (input,), {**saved, "self": input})


def _elu_op(input, alpha=1.0, scale=1, input_scale=1):
    result = _elu_values(input, alpha, scale, input_scale)
    return _elu_node(input, result, alpha, scale, input_scale, EluBackward0, False)


def _elu_inplace_op(input, alpha=1, scale=1, input_scale=1):
    result = _elu_values(input, alpha, scale, input_scale)
    return _elu_node(input, result, alpha, scale, input_scale, EluBackward1, True)


_elu_inplace = _inplace(_elu_inplace_op)


def elu(input, alpha=1.0, inplace=False):
    _check_tensor("elu", input)
    return _elu_inplace(input, alpha) if inplace else _elu_op(input, alpha)


def elu_(input, alpha=1):
    return _elu_inplace(input, alpha)


def selu(input, inplace=False):
    _check_tensor("selu", input)
    if inplace:
        return _elu_inplace(input, SELU_ALPHA, SELU_SCALE)
    return _elu_op(input, SELU_ALPHA, SELU_SCALE)


def selu_(input):
    return _elu_inplace(input, SELU_ALPHA, SELU_SCALE)


def _celu_check(alpha):
    if float(alpha) == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")


def _celu_op(input, alpha=1.0):
    _celu_check(alpha)
    result = _elu_values(input, alpha, 1.0, 1.0 / float(alpha))
    return _elu_node(input, result, alpha, 1.0, 1.0, CeluBackward0, False)


def _celu_inplace_op(input, alpha=1.0):
    _celu_check(alpha)
    result = _elu_values(input, alpha, 1.0, 1.0 / float(alpha))
    return _elu_node(input, result, alpha, 1.0, 1.0, CeluBackward1, True)


_celu_inplace = _inplace(_celu_inplace_op)


def celu(input, alpha=1.0, inplace=False):
    _check_tensor("celu", input)
    return _celu_inplace(input, alpha) if inplace else _celu_op(input, alpha)


def celu_(input, alpha=1.0):
    return _celu_inplace(input, alpha)


# ---------------------------------------------------------------------- softplus
@rule_helper
def softplus_backward(grad, self, beta, threshold):
    """ATen's kernel: ``grad`` where ``x * beta > threshold`` (the linear part), else
    ``grad * z / (z + 1)``, ``z = exp(x * beta)``."""
    g, x = grad._data, self._data
    dt = grad._dtype
    b, t = checked_scalar(beta, dt), checked_scalar(threshold, dt)
    with np.errstate(all="ignore"):
        xb = x * b
        z = _exp_vec(np.ascontiguousarray(xb))
        r = np.where(xb > t, g, g * z / (z + x.dtype.type(1)))
    saved = {"beta": beta, "grad_output": grad, "self": self, "threshold": threshold}
    return _grad_kernel(r, grad, SoftplusBackwardBackward0, (grad, self), saved)


@rule_helper
def softplus_double_backward(grad, self, beta, threshold):
    """ATen's: ``sigmoid_backward(grad, sigmoid(x * beta)) * (x * beta < threshold) * beta``."""
    x = self * beta
    return sigmoid_backward(grad, x.sigmoid()) * (x < threshold).to(grad.dtype) * beta


SoftplusBackwardBackward0 = derivative(
    "SoftplusBackwardBackward0", inputs=("grad_output", "self"),
    saves=("beta", "grad_output", "self", "threshold"),
    grad_output="softplus_backward(grad, self, beta, threshold)",
    self="softplus_double_backward(grad * grad_output, self, beta, threshold)",
)


SoftplusBackward0 = derivative(
    "SoftplusBackward0", inputs=("self",), saves=("beta", "self", "threshold"),
    self="softplus_backward(grad, self, beta, threshold)",
)


def softplus(input, beta=1, threshold=20):
    _check_tensor("softplus", input)

    def compute(x):
        dt = _dt.from_numpy_dtype(x.dtype)
        b, t = checked_scalar(beta, dt), checked_scalar(threshold, dt)
        xb = x * b
        # ATen: x * beta > threshold ? x : log1p(exp(x * beta)) / beta
        soft = _log1p_exp_vec(np.ascontiguousarray(xb)) / b
        return np.where(xb > t, x, soft)

    result = _float_kernel(input, "softplus_cpu", compute)
    return tracked(result, SoftplusBackward0, (input,),
                   {"beta": beta, "self": input, "threshold": threshold})


# ---------------------------------------------------------------------- hardtanh, relu6
@rule_helper
def hardtanh_backward(grad, self, min_val, max_val):
    """ATen's kernel: ``grad`` strictly between the bounds, zero elsewhere."""
    g, x = grad._data, self._data
    r = np.where((x <= min_val) | (x >= max_val), g.dtype.type(0), g)
    return _grad_kernel(r, grad, HardtanhBackwardBackward0, (grad, self),
                        {"max_val": max_val, "min_val": min_val, "self": self})


HardtanhBackwardBackward0 = derivative(
    "HardtanhBackwardBackward0", inputs=("grad_output", "self"),
    saves=("max_val", "min_val", "self"),
    grad_output="hardtanh_backward(grad, self, min_val, max_val)", self="zeros_like(grad)",
)


HardtanhBackward0 = derivative(
    "HardtanhBackward0", inputs=("self",), saves=("max_val", "min_val", "self"),
    self="hardtanh_backward(grad, self, min_val, max_val)",
)


def _hardtanh_op(input, min_val=-1.0, max_val=1.0):
    dt = input._dtype
    if dt is _dt.bool:
        raise RuntimeError("Bool inputs not supported for hardtanh")
    x = input._data
    lo, hi = checked_scalar(min_val, dt), checked_scalar(max_val, dt)
    # ATen's clamp: a bound replaces only what is strictly beyond it (-0.0 stays -0.0 with a
    # bound of 0, NaN stays NaN); a lower bound above the upper gives the upper one.
    below = np.where(x < lo, lo, x)
    r = np.where(below > hi, hi, below)
    result = _wrap(np.asarray(r, dt.np), dt)
    return tracked(result, HardtanhBackward0, (input,),
                   {"max_val": max_val, "min_val": min_val, "self": input})


_hardtanh_inplace = _inplace(_hardtanh_op)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    _check_tensor("hardtanh", input)
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if inplace:
        return _hardtanh_inplace(input, min_val, max_val)
    return _hardtanh_op(input, min_val, max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return _hardtanh_inplace(input, min_val, max_val)


def relu6(input, inplace=False):
    """``hardtanh(input, 0, 6)``, as ATen composes it (the node saves the ints 0 and 6)."""
    _check_tensor("relu6", input)
    return _hardtanh_inplace(input, 0, 6) if inplace else _hardtanh_op(input, 0, 6)


# ---------------------------------------------------------------------- hardswish, hardsigmoid
@rule_helper
def hardswish_backward(grad, self):
    """ATen's kernel: ``0`` up to -3, ``grad * (x / 3 + 0.5)`` strictly between -3 and 3,
    ``grad`` from 3."""
    g, x = grad._data, self._data
    c = x.dtype.type
    middle = g * ((x / c(3)) + c(0.5))
    r = np.where(x <= c(-3), c(0), np.where(x < c(3), middle, g))
    return _grad_kernel(r, grad, HardswishBackwardBackward0, (grad, self),
                        {"grad_output": grad, "self": self})


@rule_helper
def hardswish_double_backward(grad, grad_output, self):
    """ATen's: ``grad * grad_output / 3`` strictly between -3 and 3, zero elsewhere."""
    x = self._data
    inside = _mask((x > -3) & (x < 3))
    return (grad * grad_output / 3.0).where(inside, zeros_like(grad))


HardswishBackwardBackward0 = derivative(
    "HardswishBackwardBackward0", inputs=("grad_output", "self"),
    saves=("grad_output", "self"),
    grad_output="hardswish_backward(grad, self)",
    self="hardswish_double_backward(grad, grad_output, self)",
)


HardswishBackward0 = derivative("HardswishBackward0", inputs=("self",), saves=("self",),
                                self="hardswish_backward(grad, self)")


def _hardswish_op(input):
    def compute(x):
        c = x.dtype.type
        # ATen: x * min(max(x + 3, 0), 6) / 6
        return x * np.minimum(np.maximum(x + c(3), c(0)), c(6)) / c(6)

    result = _float_kernel(input, "hardswish_cpu", compute)
    return tracked(result, HardswishBackward0, (input,), {"self": input})


_hardswish_inplace = _inplace(_hardswish_op)


def hardswish(input, inplace=False):
    _check_tensor("hardswish", input)
    return _hardswish_inplace(input) if inplace else _hardswish_op(input)


@rule_helper
def hardsigmoid_backward(grad, self):
    """ATen's kernel: ``grad * (1/6 rounded to float32)`` strictly between -3 and 3, zero
    elsewhere (float64 too). PyTorch records its derivative as NotImplemented."""
    g, x = grad._data, self._data
    r = np.where((x > -3) & (x < 3), g * g.dtype.type(_ONE_SIXTH_F32), g.dtype.type(0))
    result = _wrap(np.asarray(r, grad._dtype.np), grad._dtype)
    # (an edge for each input that requires grad, as PyTorch's NotImplemented node has)
    names = tuple(n for n, t in (("grad_output", grad), ("self", self)) if t._requires_grad)
    if not names:
        return result
    inputs = tuple(t for t in (grad, self) if t._requires_grad)
    return tracked(result, _not_implemented_node("hardsigmoid_backward", names), inputs)


_ONE_SIXTH_F32 = float(np.float32(1.0) / np.float32(6.0))
HardsigmoidBackward0 = derivative("HardsigmoidBackward0", inputs=("self",), saves=("self",),
                                  self="hardsigmoid_backward(grad, self)")


def _hardsigmoid_op(input):
    def compute(x):
        c = x.dtype.type
        return np.minimum(np.maximum(x + c(3), c(0)), c(6)) / c(6)

    result = _float_kernel(input, "hardsigmoid_cpu", compute)
    return tracked(result, HardsigmoidBackward0, (input,), {"self": input})


_hardsigmoid_inplace = _inplace(_hardsigmoid_op)


def hardsigmoid(input, inplace=False):
    _check_tensor("hardsigmoid", input)
    return _hardsigmoid_inplace(input) if inplace else _hardsigmoid_op(input)


# ---------------------------------------------------------------------- logsigmoid
@rule_helper
def log_sigmoid_backward(grad, self, buffer):
    """ATen's kernel, from the saved ``buffer = exp(-|x|)``: ``(max_deriv - sign * b / (1 + b))
    * grad``, ``max_deriv, sign = (1, 1)`` for ``x < 0``, ``(0, -1)`` otherwise."""
    g, x, b = grad._data, self._data, buffer._data
    c = x.dtype.type
    negative = x < 0
    max_deriv = np.where(negative, c(1), c(0))
    sign = np.where(negative, c(1), c(-1))
    with np.errstate(all="ignore"):
        r = (max_deriv - sign * (b / (c(1) + b))) * g
    return _grad_kernel(r, grad, LogSigmoidBackwardBackward0, (grad, self),
                        {"buffer": buffer, "grad_output": grad, "self": self})


@rule_helper
def log_sigmoid_double_backward(grad, self):
    """ATen's: ``grad * (z - 1) * z``, ``z = sigmoid(x)``."""
    z = self.sigmoid()
    return grad * sub_scalar(z, 1) * z


LogSigmoidBackwardBackward0 = derivative(
    "LogSigmoidBackwardBackward0", inputs=("grad_output", "self"),
    saves=("buffer", "grad_output", "self"),
    grad_output="log_sigmoid_backward(grad, self, buffer)",
    self="log_sigmoid_double_backward(grad * grad_output, self)",
)


LogSigmoidBackward0 = derivative(
    "LogSigmoidBackward0", inputs=("self",), saves=("buffer", "self"),
    self="log_sigmoid_backward(grad, self, buffer)",
)


def logsigmoid(input):
    _check_tensor("logsigmoid", input)
    dt = input._dtype
    if dt.category != _FLOAT:
        raise not_implemented("log_sigmoid_cpu", dt)
    x = input._data.astype(np.float32) if dt is _F16 else input._data
    with np.errstate(all="ignore"):
        # ATen: buffer = exp(-|x|), min(x, 0) - log1p(buffer), all elements by the vector code
        # (the last partial vector too)
        if x.dtype == _F32:
            buffer = _sleef.expf_u10(np.ascontiguousarray(-np.abs(x)))
            out = np.minimum(x, x.dtype.type(0)) - log1pf_u10(buffer)
        else:
            buffer = np.exp(-np.abs(x))
            out = np.minimum(x, x.dtype.type(0)) - np.log1p(buffer)
    # (ATen's log_sigmoid allocates its result and buffer contiguous)
    result = _wrap(np.ascontiguousarray(out, dt.np), dt)
    saved_buffer = _wrap(np.ascontiguousarray(buffer, dt.np), dt)
    return tracked(result, LogSigmoidBackward0, (input,), {"buffer": saved_buffer,
                                                           "self": input})


# ---------------------------------------------------------------------- shrinks, threshold
def _shrink_grad(grad, self, lambd):
    g, x = grad._data, self._data
    return np.where((x >= -lambd) & (x <= lambd), g.dtype.type(0), g)


@rule_helper
def softshrink_backward(grad, self, lambd):
    """ATen's kernel: ``grad`` outside ``[-lambd, lambd]``, zero inside."""
    return _grad_kernel(_shrink_grad(grad, self, lambd), grad, SoftshrinkBackwardBackward0,
                        (grad, self), {"lambd": lambd, "self": self})


@rule_helper
def hardshrink_backward(grad, self, lambd):
    """ATen's kernel: ``grad`` outside ``[-lambd, lambd]``, zero inside."""
    return _grad_kernel(_shrink_grad(grad, self, lambd), grad, HardshrinkBackwardBackward0,
                        (grad, self), {"lambd": lambd, "self": self})


SoftshrinkBackwardBackward0 = derivative(
    "SoftshrinkBackwardBackward0", inputs=("grad_output", "self"), saves=("lambd", "self"),
    grad_output="softshrink_backward(grad, self, lambd)", self="zeros_like(grad)",
)
HardshrinkBackwardBackward0 = derivative(
    "HardshrinkBackwardBackward0", inputs=("grad_output", "self"), saves=("lambd", "self"),
    grad_output="hardshrink_backward(grad, self, lambd)", self="zeros_like(grad)",
)


SoftshrinkBackward0 = derivative("SoftshrinkBackward0", inputs=("self",),
                                 saves=("lambd", "self"),
                                 self="softshrink_backward(grad, self, lambd)")
HardshrinkBackward0 = derivative("HardshrinkBackward0", inputs=("self",),
                                 saves=("lambd", "self"),
                                 self="hardshrink_backward(grad, self, lambd)")


def softshrink(input, lambd=0.5):
    _check_tensor("softshrink", input)
    dt = input._dtype
    if dt.category != _FLOAT:
        raise not_implemented("softshrink_check", dt)
    limit = float(np.finfo(dt.np).max)
    if not 0 <= lambd <= limit:
        raise RuntimeError(f"lambda must be in range [0, {_scalar_text(limit)}] for input dtype "
                           f"{_dt.SCALAR_TYPE_NAMES[dt]}, but found {_scalar_text(lambd)}")

    def compute(x):
        lam = x.dtype.type(lambd)
        # ATen: x > l ? x - l : (x < -l ? x + l : zero), where zero is +0 in the vector loop
        # and x * 0 (-0 for negatives) in the scalar loop on the tail; NaN stays NaN in both.
        zero = np.where(np.isnan(x), x, x.dtype.type(0))
        tail = _scalar_tail(x.size, x.dtype.itemsize)
        zero.reshape(-1)[tail] = x.reshape(-1)[tail] * x.dtype.type(0)
        return np.where(x > lam, x - lam, np.where(x < -lam, x + lam, zero))

    result = _float_kernel(input, "softshrink_cpu", compute)
    return tracked(result, SoftshrinkBackward0, (input,), {"lambd": lambd, "self": input})


def hardshrink(input, lambd=0.5):
    _check_tensor("hardshrink", input)

    def compute(x):
        lam = x.dtype.type(lambd)
        return np.where((x >= -lam) & (x <= lam), x.dtype.type(0), x)

    result = _float_kernel(input, "hardshrink_cpu", compute)
    return tracked(result, HardshrinkBackward0, (input,), {"lambd": lambd, "self": input})


ThresholdBackward0 = derivative(
    "ThresholdBackward0", inputs=("self",), saves=("self", "threshold"),
    self="threshold_backward(grad, self, threshold)",
)
ThresholdBackward1 = derivative(
    "ThresholdBackward1", inputs=("self",), saves=("self", "threshold"),
    self="threshold_backward(grad, self, threshold)",
)


def _threshold_values(input, threshold, value):
    dt = input._dtype
    if dt is _dt.bool:
        raise not_implemented("threshold_cpu", dt)
    x = input._data
    t, v = checked_scalar(threshold, dt), checked_scalar(value, dt)
    return _wrap(np.asarray(np.where(x <= t, v, x), dt.np), dt)  # ATen: x <= t ? value : x


def _threshold_op(input, threshold, value):
    result = _threshold_values(input, threshold, value)
    return tracked(result, ThresholdBackward0, (input,), {"self": input, "threshold": threshold})


def _threshold_inplace_op(input, threshold, value):
    result = _threshold_values(input, threshold, value)
    return tracked(result, ThresholdBackward1, (input,), {"self": input, "threshold": threshold})


_threshold_inplace = _inplace(_threshold_inplace_op)


def threshold(input, threshold, value, inplace=False):
    _check_tensor("threshold", input)
    if inplace:
        return _threshold_inplace(input, threshold, value)
    return _threshold_op(input, threshold, value)


def threshold_(input, threshold, value):
    return _threshold_inplace(input, threshold, value)


# ---------------------------------------------------------------------- glu
@rule_helper
def glu_backward(grad, self, dim):
    """ATen's kernel, for ``a * sigmoid(b)`` (the halves along ``dim``): ``sigmoid(b) * grad``
    for ``a``, ``(1 - s) * s * a * grad`` for ``b``."""
    d = dim % self.dim()
    a, b = np.split(self._data, 2, axis=d)
    one = b.dtype.type(1)
    with np.errstate(all="ignore"):
        s = one / (one + _exp_vec(-np.ascontiguousarray(b)))
        g = grad._data
        r = np.concatenate([s * g, (one - s) * s * a * g], axis=d)
    return _grad_kernel(r, grad, GluBackwardBackward0, (grad, self),
                        {"dim": dim, "grad_output": grad, "self": self})


@rule_helper
def glu_double_backward(grad, grad_output, self, dim):
    """ATen's ``glu_double_backward``: the derivative of glu's gradient in the input."""
    n = self.shape[dim] // 2
    first, second = self.narrow(dim, 0, n), self.narrow(dim, n, n)
    sig = second.sigmoid()
    one_sub_sig = rsub_scalar(1, sig)
    sig_one_sub_sig = sig * one_sub_sig
    gg_first, gg_second = grad.narrow(dim, 0, n), grad.narrow(dim, n, n)
    gi_first = gg_second * grad_output * sig_one_sub_sig
    second_order = sig_one_sub_sig * one_sub_sig - sig * sig_one_sub_sig
    gi_second = (gg_second * first * grad_output * second_order
                 + gg_first * grad_output * sig_one_sub_sig)
    return cat([gi_first, gi_second], dim)


@rule_helper
def glu_double_backward_grad_output(grad, self, dim):
    """ATen's: ``grad * glu_backward(ones, self)``, its two halves added."""
    d = dim % self.dim()
    sizes = list(self.shape)
    sizes[d] //= 2
    ones = _wrap(np.ones(sizes, self._dtype.np), self._dtype)
    tmp = grad * glu_backward(ones, self, d)
    return tmp.narrow(d, 0, sizes[d]) + tmp.narrow(d, sizes[d], sizes[d])


GluBackwardBackward0 = derivative(
    "GluBackwardBackward0", inputs=("grad_output", "self"), saves=("dim", "grad_output", "self"),
    int64=("dim",), grad_output="glu_double_backward_grad_output(grad, self, dim)",
    self="glu_double_backward(grad, grad_output, self, dim)",
)


GluBackward0 = derivative("GluBackward0", inputs=("self",), saves=("dim", "self"),
                          int64=("dim",), self="glu_backward(grad, self, dim)")


def glu(input, dim=-1):
    _check_tensor("glu", input)
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    nd = input.dim()
    if not -nd <= dim < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], "
                         f"but got {dim})")
    d = dim % nd
    size = input.shape[d]
    if size % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {size}")

    def compute(x):
        a, b = np.split(x, 2, axis=d)
        one = x.dtype.type(1)
        b = np.ascontiguousarray(b)
        return a * (one / (one + _exp_vec(-b)))  # ATen: a * (1 / (1 + exp(-b)))

    result = _float_kernel(input, "glu_cpu", compute, keep_layout=False)
    return tracked(result, GluBackward0, (input,), {"dim": dim, "self": input})


# ---------------------------------------------------------------------- composites
def softsign(input):
    """``input / (input.abs() + 1)``, as PyTorch composes it."""
    return input / (input.abs() + 1)


def tanhshrink(input):
    """``input - input.tanh()``, as PyTorch composes it."""
    return input - input.tanh()


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """``(-input).softmax(dim)``, as PyTorch composes it."""
    if dim is None:
        from .functional import _get_softmax_dim

        dim = _get_softmax_dim("softmin", input.dim(), _stacklevel)
    neg = -input
    return neg.softmax(dim) if dtype is None else neg.softmax(dim, dtype=dtype)


# ---------------------------------------------------------------------- rrelu
@rule_helper
def rrelu_with_noise_backward(grad, self_or_result, noise, lower, upper, training, is_result):
    """In training (a real range): ``grad * noise``; else leaky_relu's gradient with the
    mean slope."""
    if training and upper - lower > 1e-6:
        return grad * noise
    return leaky_relu_backward(grad, self_or_result, (lower + upper) / 2, is_result)


RreluWithNoiseBackward0 = derivative(
    "RreluWithNoiseBackward0", inputs=("self",),
    saves=("lower", "noise", "self", "training", "upper"),
    self="rrelu_with_noise_backward(grad, self, noise, lower, upper, training, False)",
)
RreluWithNoiseBackward1 = derivative(
    "RreluWithNoiseBackward1", inputs=("self",),
    saves=("lower", "noise", "result", "training", "upper"),
    self="rrelu_with_noise_backward(grad, result, noise, lower, upper, training, True)",
)


def _rrelu_values(input, lower, upper, training, generator):
    """ATen's rrelu_with_noise. In training, each element ``x <= 0`` in order draws
    ``r = u * (upper - lower) + lower`` in float64 (``u``: one ``random64()`` draw; the bounds
    rounded to float32 first for float32 input), rounded to the dtype, and gives ``x * r``
    (noise ``r``; 1 elsewhere). In evaluation it is leaky_relu with the mean slope (PyTorch
    leaves the noise uninitialised: zeros here)."""
    dt = input._dtype
    x = input._data
    if not training:
        result = _leaky_relu_values(input, (lower + upper) / 2)
        return result, _wrap(np.zeros(x.shape, dt.np), dt)
    if dt.category != _FLOAT:
        raise not_implemented("rrelu_with_noise_out_cpu", dt)
    from .._creation import _generator

    flat = np.ascontiguousarray(x).reshape(-1)
    negative = flat <= 0
    u = _generator(generator)._uniform_f64(int(negative.sum()))
    # the bounds in the dtype's opmath (float32 for float32), the draw in float64
    lo, hi = (float(np.float64(v).astype(np.float32 if dt.np != np.float64 else np.float64))
              for v in (lower, upper))
    r = (u * (hi - lo) + lo).astype(dt.np)  # two roundings
    noise = np.ones(flat.shape, dt.np)
    noise[negative] = r
    out = flat.copy()
    out[negative] = flat[negative] * r
    return (_wrap(out.reshape(x.shape), dt), _wrap(noise.reshape(x.shape), dt))


def _rrelu_op(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    result, noise = _rrelu_values(input, lower, upper, training, generator)
    saved = {"lower": lower, "noise": noise, "self": input, "training": training,
             "upper": upper}
    return tracked(result, RreluWithNoiseBackward0, (input,), saved)


def _rrelu_inplace_op(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    result, noise = _rrelu_values(input, lower, upper, training, generator)
    saved = {"lower": lower, "noise": noise, "training": training, "upper": upper}
    return tracked(result, RreluWithNoiseBackward1, (input,), saved, {"result": result})


_rrelu_inplace = _inplace(_rrelu_inplace_op)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    _check_tensor("rrelu", input)
    if inplace:
        return _rrelu_inplace(input, lower, upper, training)
    return _rrelu_op(input, lower, upper, training)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    return _rrelu_inplace(input, lower, upper, training, generator)


def torch_rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    """``torch.rrelu``: F.rrelu's function, with a generator argument."""
    return _rrelu_op(input, lower, upper, training, generator)


# ---------------------------------------------------------------------- prelu
@rule_helper
def prelu_double_backward(grads, grad_output, self, weight, which):
    """PreluKernelBackwardBackward0's rules, from the gradients of its two outputs (the input's
    gradient ``grads[0]`` and the weight's elementwise gradient ``grads[1]``; None counts as
    zeros): ``where(self >= 0, g0, g0 * weight + g1 * self)`` for grad_output, ``where(self >=
    0, 0, g1 * grad_output)`` for self, ``where(self >= 0, 0, g0 * grad_output)`` summed to the
    weight's shape for the weight. (PyTorch's formulas take 0 as positive here, unlike the
    kernels: measured.)"""
    g0, g1 = grads
    positive = _mask(self._data >= 0)
    if which == "grad_output":
        negative_part = None
        if g0 is not None:
            negative_part = g0 * weight
        if g1 is not None:
            negative_part = g1 * self if negative_part is None else negative_part + g1 * self
        if negative_part is None:
            return None
        return where(positive, zeros_like(grad_output) if g0 is None else g0, negative_part)
    g = g1 if which == "self" else g0
    if g is None:
        return None
    product = where(positive, zeros_like(grad_output), g * grad_output)
    return product if which == "self" else sum_to(product, weight.shape)


PreluKernelBackwardBackward0 = derivative(
    "PreluKernelBackwardBackward0", inputs=("grad_output", "self", "weight"), outputs=2,
    saves=("grad_output", "self", "weight"),
    grad_output="prelu_double_backward(grads, grad_output, self, weight, 'grad_output')",
    self="prelu_double_backward(grads, grad_output, self, weight, 'self')",
    weight="prelu_double_backward(grads, grad_output, self, weight, 'weight')",
)

# The outputs of the last recorded _prelu_kernel_backward, so that the input's rule and the
# weight's rule of one PreluKernelBackward0 share one PreluKernelBackwardBackward0, as in PyTorch
# (where one call returns both).
_PRELU_BACKWARD_PAIR = []


def _prelu_backward_values(grad, self, weight):
    """ATen's ``_prelu_kernel_backward``: ``grad`` where ``self > 0``, else ``weight * grad``
    (the input's gradient), and ``self * grad`` where ``self <= 0``, else 0 (the weight's, one
    per element; summed to the weight's shape afterwards)."""
    g, x, w = grad._data, self._data, weight._data
    dt = grad._dtype
    grad_self = quiet.run(lambda: np.where(x > 0, g, w * g))
    grad_weight = quiet.run(lambda: np.where(x > 0, np.zeros((), g.dtype), x * g))
    return (_wrap(np.array(np.broadcast_to(grad_self, x.shape), dt.np, order="C"), dt),
            _wrap(np.array(np.broadcast_to(grad_weight, x.shape), dt.np, order="C"), dt))


@rule_helper
def prelu_kernel_backward(grad, self, weight, which):
    """``which``'s gradient through ``_prelu_kernel``: the first or the second output of
    ``_prelu_kernel_backward`` (the second summed to the weight's broadcast shape). With
    ``create_graph=True`` the pair is recorded once, under PreluKernelBackwardBackward0."""
    pair = None
    if _GRAD_MODE.grad_enabled and any(t._requires_grad for t in (grad, self, weight)):
        if _PRELU_BACKWARD_PAIR:
            g, s, w, outputs = _PRELU_BACKWARD_PAIR.pop()
            if g is grad and s is self and w is weight:
                pair = outputs
        if pair is None:
            pair = _prelu_backward_values(grad, self, weight)
            tracked(pair, PreluKernelBackwardBackward0, (grad, self, weight),
                    {"grad_output": grad, "self": self, "weight": weight})
            _PRELU_BACKWARD_PAIR.append((grad, self, weight, pair))
    else:
        pair = _prelu_backward_values(grad, self, weight)
    return pair[0] if which == "self" else sum_to(pair[1], weight.shape)


PreluKernelBackward0 = derivative(
    "PreluKernelBackward0", inputs=("self", "weight"), saves=("self", "weight"),
    self="prelu_kernel_backward(grad, self, weight, 'self')",
    weight="prelu_kernel_backward(grad, self, weight, 'weight')",
)


def _prelu_kernel(input, weight):
    """ATen's ``_prelu_kernel``: ``x`` where ``x > 0``, else ``weight * x`` (weight broadcast)."""
    dt = input._dtype
    if dt.category != _FLOAT:
        raise not_implemented("prelu_cpu", dt)
    x, w = input._data, weight._data
    r = quiet.run(lambda: np.where(x > 0, x, w * x))
    out = _wrap(np.array(r, dt.np, order="C"), dt)  # (ascontiguousarray makes 0-d 1-d)
    return tracked(out, PreluKernelBackward0, (input, weight), {"self": input, "weight": weight})


def tensor_prelu(self, weight):
    """``Tensor.prelu``: F.prelu as a method (the weight is argument 1 in its messages)."""
    if not isinstance(weight, Tensor):
        raise TypeError(f"prelu(): argument 'weight' (position 1) must be Tensor, not "
                        f"{type(weight).__name__}")
    return prelu(self, weight)


def prelu(input, weight):
    """``F.prelu``: ``max(0, x) + weight * min(0, x)``, ``weight`` one value or one per channel
    (dim 1), reshaped to broadcast as ATen's ``prelu`` does (a view: ViewBackward0)."""
    _check_tensor("prelu", input)
    if not isinstance(weight, Tensor):
        raise TypeError(f"prelu(): argument 'weight' (position 2) must be Tensor, not "
                        f"{type(weight).__name__}")
    if input._dtype != weight._dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got "
                           f"{_dt.SCALAR_TYPE_NAMES[input._dtype]} and "
                           f"{_dt.SCALAR_TYPE_NAMES[weight._dtype]}")
    nd = input.dim()
    if weight.numel() != 1:
        if nd == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = input.shape[1] if nd > 1 else 1
        if channels != weight.numel():
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                               f"parameter numbers = {weight.numel()} and channel size = "
                               f"{channels}.")
    if weight.dim() > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
                           f"ndim = {weight.dim()}")
    if nd != weight.dim():
        shape = [1] * nd
        if nd > 1:
            shape[1] = weight.numel()
        weight = weight.reshape(shape)
    return _prelu_kernel(input, weight)
