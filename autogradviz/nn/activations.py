"""``nn.functional``'s activation functions beyond relu/sigmoid/tanh/softmax, as PyTorch has them.

Where ATen has a kernel with a backward node of its own (``leaky_relu`` -> LeakyReluBackward0,
``gelu`` -> GeluBackward0, ``elu``/``selu``/``celu``, ``softplus``, ``hardtanh``/``relu6``,
``hardswish``, ``hardsigmoid``, ``mish``, ``logsigmoid``, ``softshrink``, ``hardshrink``,
``threshold``, ``glu``) the node is declared here beside the forward, with PyTorch's name and
saved values; an in-place form (``F.elu_``, ``inplace=True``) records the node PyTorch's
in-place kernel records (LeakyReluBackward1, EluBackward1 ... saving the result; the others
saving a copy of the input). Where PyTorch composes operations (``softsign``, ``tanhshrink``,
``softmin``) this module composes the same ones, so the graph has the same nodes.

Forward values follow the order of operations of ATen's float kernels, so the piecewise-linear
functions match bit for bit, and so do ``silu`` and ``glu`` (whose exp is SLEEF's, reproduced by
``_sleef``). Functions built on expm1, log1p, tanh or erf take those in float64 rounded once to
float32, within an ulp or two of PyTorch's vector routines (``gelu``'s float32 erf is ATen's own
approximation: within ~3e-7 of ``|x|``).

The backward rules are the derivatives written with autogradviz's (differentiable) operations,
so ``create_graph=True`` gives correct second derivatives; their nodes are those operations'
(PyTorch has ``LeakyReluBackwardBackward0`` and the like there).
"""

from __future__ import annotations

import math

import numpy as np

from .. import _sleef
from .. import dtypes as _dt
from .._tensor import Tensor, _wrap
from ..autograd.graph import derivative, rule_helper
from ..ops._backward import threshold_backward  # noqa: F401 - read by ThresholdBackward rules
from ..ops._common import not_implemented, tracked
from ..ops.elementwise import _inplace, _num_threads, checked_scalar, quiet, via_double
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

_FLOAT = _dt.float32.category
_F16 = _dt.float16
_F32 = np.dtype(np.float32)

# SELU's constants (Klambauer et al.), as ATen holds them (doubles).
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
# 0.5 * sqrt(2) * 2 / sqrt(pi) = sqrt(2 / pi), and the cubic's coefficient: gelu's tanh form.
_GELU_BETA = math.sqrt(2) * (2 / math.sqrt(math.pi)) * 0.5
_GELU_KAPPA = 0.044715


# ---------------------------------------------------------------------- helpers
def _check_tensor(name, input):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")


def _float_kernel(input, kernel, compute):
    """``compute(x)`` on the input's array, for a float input (PyTorch's message otherwise);
    float16 computes in float32 and rounds once, as ATen's opmath does."""
    dt = input._dtype
    if dt.category != _FLOAT:
        raise not_implemented(kernel, dt)
    x = input._data
    if dt is _F16:
        r = quiet.run(compute, x.astype(np.float32)).astype(np.float16)
    else:
        r = quiet.run(compute, x)
    return _wrap(np.asarray(r, dt.np), dt)


def _exp_vec(x):
    """``exp(x)`` as ATen's vectorised float kernels compute it: SLEEF's expf on blocks of 16,
    the C library's expf on the tail (float64: NumPy's exp)."""
    if x.dtype != _F32:
        return np.exp(x)
    return _sleef.elementwise(x, _sleef.expf_u10, _sleef.c_expf, _num_threads())


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
    """``grad`` where ``self > 0``, ``grad * negative_slope`` elsewhere."""
    if self_is_result and negative_slope < 0:
        raise RuntimeError(
            "In-place leakyReLu backward calculation is triggered with a negative slope which "
            "is not supported. This is caused by calling in-place forward function with a "
            "negative slope, please call out-of-place version instead. File an issue at "
            "https://github.com/pytorch/pytorch if you do require supporting in-place leakRelu "
            "backward calculation with negative slope")
    return grad.where(_mask(self._data > 0), grad * negative_slope)


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
    """``grad * d/dx [x * Phi(x)]``: ``Phi(x) + x * phi(x)``; for the tanh form the derivative
    of ``0.5 * x * (1 + tanh(u))``, ``u = beta * (x + kappa * x**3)``."""
    if approximate == "tanh":
        t = ((self + self * self * self * _GELU_KAPPA) * _GELU_BETA).tanh()
        du = (self * self * (3 * _GELU_KAPPA) + 1) * _GELU_BETA
        return grad * ((t + 1) * 0.5 + self * 0.5 * (1 - t * t) * du)
    cdf = ((self * math.sqrt(0.5)).erf() + 1) * 0.5
    pdf = (self * self * -0.5).exp() * (1 / math.sqrt(2 * math.pi))
    return grad * (cdf + self * pdf)


GeluBackward0 = derivative(
    "GeluBackward0", inputs=("self",), saves=("approximate", "self"),
    self="gelu_backward(grad, self, approximate)",
)


def _erf(x):
    return np.fromiter(map(math.erf, x.ravel().tolist()), np.float64, x.size).reshape(x.shape)


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
            cube = x * x * x
            inner = c(_GELU_BETA) * (x + c(_GELU_KAPPA) * cube)
            return c(0.5) * x * (c(1) + via_double(np.tanh, inner).astype(x.dtype))
        erf = via_double(_erf, x * c(math.sqrt(0.5))).astype(x.dtype)
        out = x * c(0.5) * (c(1) + erf)
        if x.dtype == _F32:  # ATen's float32 erf gives NaN at +inf, so gelu does
            out[np.isposinf(x)] = np.nan
        return out

    result = _float_kernel(input, "GeluKernelImpl", compute)
    return tracked(result, GeluBackward0, (input,), {"approximate": approximate, "self": input})


# ---------------------------------------------------------------------- silu, mish
@rule_helper
def silu_backward(grad, self):
    """``grad * s * (1 + x * (1 - s))``, ``s = sigmoid(x)``."""
    s = self.sigmoid()
    return grad * (s * (self * (1 - s) + 1))


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
    """``grad * (t + x * sigmoid(x) * (1 - t**2))``, ``t = tanh(softplus(x))``."""
    t = softplus(self).tanh()
    return grad * (t + self * self.sigmoid() * (1 - t * t))


MishBackward0 = derivative("MishBackward0", inputs=("self",), saves=("self",),
                           self="mish_backward(grad, self)")


def _mish_op(input):
    def compute(x):
        # ATen: x * tanh(log1p(exp(x)))
        sp = via_double(np.log1p, _exp_vec(x)).astype(x.dtype)
        return x * via_double(np.tanh, sp).astype(x.dtype)

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
    """``grad * scale`` where the input was positive; below, from the input:
    ``grad * input_scale * alpha * scale * exp(x * input_scale)``, or from the result:
    ``grad * input_scale * (result + alpha * scale)``."""
    x = self_or_result
    if is_result:
        if alpha < 0:
            raise RuntimeError(_ELU_INPLACE_MESSAGE)
        below = grad * input_scale * (x + alpha * scale)
    else:
        below = grad * (input_scale * alpha * scale) * (x * input_scale).exp()
    return (grad * scale).where(_mask(x._data > 0), below)


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
        below = via_double(np.expm1, x * i).astype(x.dtype) * negcoef
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
    """``grad`` where ``x * beta > threshold`` (the linear part), else
    ``grad * sigmoid(x * beta)``."""
    xb = self * beta
    return grad.where(_mask(xb._data > threshold), grad * xb.sigmoid())


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
        soft = via_double(np.log1p, _exp_vec(xb)).astype(x.dtype) / b
        return np.where(xb > t, x, soft)

    result = _float_kernel(input, "softplus_cpu", compute)
    return tracked(result, SoftplusBackward0, (input,),
                   {"beta": beta, "self": input, "threshold": threshold})


# ---------------------------------------------------------------------- hardtanh, relu6
@rule_helper
def hardtanh_backward(grad, self, min_val, max_val):
    """``grad`` strictly between the bounds, zero elsewhere."""
    x = self._data
    return _zero_where(grad, (x <= min_val) | (x >= max_val))


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
    """``0`` below -3, ``grad * (x / 3 + 0.5)`` up to 3, ``grad`` above."""
    x = self._data
    middle = grad * (self / 3 + 0.5)
    return middle.where(_mask((x >= -3) & (x <= 3)), _zero_where(grad, x < -3))


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
    """``grad / 6`` strictly between -3 and 3, zero elsewhere (ATen multiplies by 1/6 rounded
    to float32, also for float64)."""
    x = self._data
    return _zero_where(grad * _ONE_SIXTH_F32, ~((x > -3) & (x < 3)))


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
    """``grad * sigmoid(-x)`` (ATen's kernel reads the saved ``exp(-|x|)`` buffer for the
    same value)."""
    return grad * (-self).sigmoid()


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
        # ATen: buffer = exp(-|x|), min(x, 0) - log1p(buffer)
        buffer = _exp_vec(-np.abs(x))
        out = np.minimum(x, x.dtype.type(0)) - via_double(np.log1p, buffer).astype(x.dtype)
    result = _wrap(np.asarray(out, dt.np), dt)
    saved_buffer = _wrap(np.asarray(buffer, dt.np), dt)
    return tracked(result, LogSigmoidBackward0, (input,), {"buffer": saved_buffer,
                                                           "self": input})


# ---------------------------------------------------------------------- shrinks, threshold
@rule_helper
def shrink_backward(grad, self, lambd):
    """``grad`` outside ``[-lambd, lambd]``, zero inside (softshrink's and hardshrink's)."""
    x = self._data
    return _zero_where(grad, (x >= -lambd) & (x <= lambd))


SoftshrinkBackward0 = derivative("SoftshrinkBackward0", inputs=("self",),
                                 saves=("lambd", "self"), self="shrink_backward(grad, self, lambd)")
HardshrinkBackward0 = derivative("HardshrinkBackward0", inputs=("self",),
                                 saves=("lambd", "self"), self="shrink_backward(grad, self, lambd)")


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
    """For ``a * sigmoid(b)`` (the two halves along ``dim``): ``grad * sigmoid(b)`` for ``a``,
    ``grad * a * s * (1 - s)`` for ``b``."""
    a, b = self.chunk(2, dim)
    s = b.sigmoid()
    return cat([grad * s, grad * a * (s * (1 - s))], dim)


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

    result = _float_kernel(input, "glu_cpu", compute)
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
