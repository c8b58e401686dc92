"""Normalisation: ``batch_norm``, ``layer_norm``, ``group_norm``, ``rms_norm``,
``instance_norm`` and ``local_response_norm`` (functional) and the ``BatchNorm1d``,
``BatchNorm2d``, ``LayerNorm``, ``GroupNorm``, ``RMSNorm``, ``InstanceNorm1d``,
``InstanceNorm2d`` and ``LocalResponseNorm`` layers, with PyTorch's checks, messages, reprs and
nodes (``rms_norm``, ``instance_norm`` and ``local_response_norm`` are composites of operations
there and here, see their docstrings; the last one's avg_pool3d, with AvgPool3DBackward0, is
here only in the form it needs).

Both are ATen kernels with a backward node of their own: ``NativeBatchNormBackward0`` (in
training and in eval mode; saving ``input``, ``weight``, the running statistics, ``training``,
``eps`` and the batch's ``result1`` = mean and ``result2`` = 1 / sqrt(var + eps), empty in eval
mode) and ``NativeLayerNormBackward0`` (saving ``input``, ``normalized_shape``, ``weight``,
``bias`` and each row's mean and rstd).

Forward values follow the CPU kernels' arithmetic: batch norm sums each channel in order in float64
(the kernel's accumulator for float32), rounds the mean to the dtype, sums the squared (dtype)
deviations likewise, and computes ``invstd = 1 / sqrt(var_sum / n + eps)`` in float64; the output is
``x * alpha + beta`` with ``alpha = invstd * weight`` and ``beta = bias - mean * alpha`` in the
dtype (both fused multiply-adds in float32 and float64, as the kernel is compiled; measured bit for
bit). For (N, C) inputs (no spatial dims) PyTorch collects the statistics another way, so the last
bit may differ there. The running statistics are updated in place (without a version bump, as the
kernel does): ``m * mean + (1 - m) * running_mean`` with the unbiased variance for ``running_var``.
Layer norm computes each row's mean and variance (in float64 here; PyTorch uses a Welford cascade in
the dtype, so float32 may differ in the last bit), ``rstd = 1 / sqrt(var + eps)`` in the dtype and
``(x * rstd + (-rstd * mean)) * weight + bias``.
Group norm (``NativeGroupNormBackward0``, saving ``input``, ``weight``, ``N``, ``C``, ``HxW``,
``group``, ``eps`` and each (sample, group)'s mean and rstd) takes its statistics with ATen's
Welford cascade (``_moments``: the means bit for bit, rstd = ``1 / sqrt(var + eps)`` in double),
then ``(x - mean) * rstd`` without parameters, else ``fma(x, scale, fma(-scale, mean, bias))`` with
``scale = rstd * weight`` per channel, as the kernel.

The backward rules are the closed forms, written with autogradviz's own operations; with
``create_graph=True`` they recompute the statistics from the saved input with those operations,
so double backward works (the graph of the derivative is made of elementwise and reduction
nodes, not PyTorch's ``NativeBatchNormBackwardBackward0``).
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from .. import _creation
from .. import dtypes as _dt
from .._fma import _fma32, _fma64
from .._stack import user_stacklevel
from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import STATE as _GRAD_MODE
from ..autograd.grad_mode import no_grad as _no_grad
from ..autograd.graph import derivative, rule_helper
from ..ops._backward import add_scalar
from ..ops._common import tracked
from . import init
from ._moments import rowwise_moments
from .module import Module
from .parameter import Parameter

__all__ = ["BatchNorm1d", "BatchNorm2d", "GroupNorm", "InstanceNorm1d", "InstanceNorm2d",
           "InstanceNorm3d", "LayerNorm", "LocalResponseNorm", "RMSNorm", "batch_norm",
           "group_norm", "instance_norm", "layer_norm", "local_response_norm", "rms_norm"]


def _creating_graph(*tensors):
    """Whether the rule runs with ``create_graph=True`` and one of ``tensors`` needs grad."""
    return _GRAD_MODE.grad_enabled and any(t is not None and t._requires_grad for t in tensors)


# ---------------------------------------------------------------------- batch_norm
def _channel_view(t, ndim):
    """A per-channel (C,) tensor shaped to broadcast against an (N, C, *) input."""
    return t.reshape((1, t.shape[0]) + (1,) * (ndim - 2))


def _bn_stats_and_scale(input, weight, result1, result2, running_mean, running_var, training,
                        eps):
    """The mean and invstd the forward used, shaped (1, C, 1, ...); recomputed from ``input``
    with autogradviz's operations when making the derivative's graph."""
    nd = input.dim()
    dims = (0, *range(2, nd))
    if training:
        if _creating_graph(input):
            mean = input.mean(dims, keepdim=True)
            centred = input - mean
            var = (centred * centred).mean(dims, keepdim=True)
            return mean, (var + eps).rsqrt()
        return _channel_view(result1, nd), _channel_view(result2, nd)
    return _channel_view(running_mean, nd), _channel_view((running_var + eps).rsqrt(), nd)


@rule_helper
def batch_norm_backward(grad, input, weight, running_mean, running_var, result1, result2,
                        training, eps, which):
    """``which``'s gradient: for the input, ``invstd * weight * (grad - mean(grad) -
    xhat * mean(grad * xhat))`` in training (the batch statistics depend on the input),
    ``grad * invstd * weight`` in eval mode; ``sum(grad * xhat)`` for the weight and
    ``sum(grad)`` for the bias, summed over every dim but the channels."""
    if not _creating_graph(grad, input, weight):
        return _wrap(_bn_backward_values(grad, input, weight, running_mean, running_var, result1,
                                         result2, training, eps, which), grad._dtype)
    nd = input.dim()
    dims = (0, *range(2, nd))
    if which == "bias":
        return grad.sum(dims)
    mean, invstd = _bn_stats_and_scale(input, weight, result1, result2, running_mean,
                                       running_var, training, eps)
    xhat = (input - mean) * invstd
    if which == "weight":
        return (grad * xhat).sum(dims)
    scale = invstd if weight is None else invstd * _channel_view(weight, nd)
    if not training:
        return grad * scale
    return (grad - grad.mean(dims, keepdim=True)
            - xhat * (grad * xhat).mean(dims, keepdim=True)) * scale


def _bn_backward_values(grad, input, weight, running_mean, running_var, result1, result2,
                        training, eps, which):
    """The CPU kernel's first-order gradients (NumPy): per channel ``sum(dy)`` and
    ``dotp = sum((x - mean) * dy)`` in float64, then ``dx = (dy - sum / n - (x - mean) * k) *
    invstd * w`` with ``k = dotp * invstd**2 / n`` in the dtype (eval: ``dy * invstd * w``),
    ``grad_weight = dotp * invstd``, ``grad_bias = sum``."""
    npdt = grad._dtype.np
    x, dy = input._data, grad._data
    c = x.shape[1]
    shape = (1, c) + (1,) * (x.ndim - 2)
    total = np.cumsum(_by_channel(dy).astype(np.float64), axis=1)[:, -1]
    if which == "bias":
        return total.astype(npdt)
    if training:
        mean, invstd = result1._data.astype(npdt), result2._data.astype(npdt)
    else:
        mean = running_mean._data.reshape(-1).astype(npdt)
        with np.errstate(divide="ignore"):
            invstd = (1 / np.sqrt(running_var._data.reshape(-1).astype(np.float64) + eps)
                      ).astype(npdt)
    dev = _by_channel(x) - mean[:, None]
    dotp = np.cumsum((dev * _by_channel(dy)).astype(np.float64), axis=1)[:, -1]
    if which == "weight":
        return (dotp * invstd).astype(npdt)
    w = np.ones(c, npdt) if weight is None else weight._data.reshape(-1).astype(npdt)
    if not training:
        return (dy * invstd.reshape(shape) * w.reshape(shape)).astype(npdt)
    n = dev.shape[1]
    k = (dotp.astype(npdt) * invstd * invstd / npdt.type(n)).astype(npdt)
    grad_mean = (total / n).astype(npdt)
    dx = ((x - mean.reshape(shape)) * k.reshape(shape)).astype(npdt)
    out = (dy - grad_mean.reshape(shape) - dx) * invstd.reshape(shape) * w.reshape(shape)
    return np.ascontiguousarray(out.astype(npdt))


NativeBatchNormBackward0 = derivative(
    "NativeBatchNormBackward0", inputs=("input", "weight", "bias"),
    saves=("eps", "input", "result1", "result2", "running_mean", "running_var", "training",
           "weight"),
    input="batch_norm_backward(grad, input, weight, running_mean, running_var, result1, "
          "result2, training, eps, 'input')",
    weight="batch_norm_backward(grad, input, weight, running_mean, running_var, result1, "
           "result2, training, eps, 'weight')",
    bias="batch_norm_backward(grad, input, weight, running_mean, running_var, result1, "
         "result2, training, eps, 'bias')",
    order=("input", "weight", "bias"),
)


def _verify_batch_size(size):
    prod = size[0]
    for s in size[2:]:
        prod *= s
    if prod == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input "
                         f"size {size}")


def _check_features(name, expected, t):
    if t.numel() != expected:
        raise RuntimeError(f"{name} should contain {expected} elements not {t.numel()}")


def _by_channel(x):
    """(C, N * spatial) of an (N, C, *) array, each row in the kernel's order (n, then i)."""
    c = x.shape[1]
    return np.moveaxis(x.reshape(x.shape[0], c, -1), 1, 0).reshape(c, -1)


def _batch_stats(x, dt, eps):
    """The kernel's batch mean, variance sum and invstd of each channel (dtype arrays)."""
    rows = _by_channel(x)
    n = rows.shape[1]
    # Sequential sums in float64, the kernel's accumulator (np.cumsum adds in order).
    total = np.cumsum(rows.astype(np.float64), axis=1)[:, -1]
    mean = (total / n).astype(dt.np)
    dev = rows - mean[:, None]
    var_sum = np.cumsum((dev * dev).astype(np.float64), axis=1)[:, -1].astype(dt.np)
    var = (var_sum / dt.np.type(n)).astype(np.float64)
    with np.errstate(divide="ignore"):
        invstd = (1.0 / np.sqrt(var + eps)).astype(dt.np)
    return mean, var_sum, invstd, n


def _update_running(running_mean, running_var, mean, var_sum, n, momentum):
    """The kernel's in-place update of the running statistics (no version bump)."""
    if running_mean is not None:
        rm = running_mean._data
        m = rm.dtype.type(momentum)
        rm[...] = (m * mean.astype(rm.dtype) + (rm.dtype.type(1) - m) * rm).reshape(rm.shape)
    if running_var is not None:
        rv = running_var._data
        m = rv.dtype.type(momentum)
        unbiased = (var_sum.astype(rv.dtype) / rv.dtype.type(n - 1)).astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            new = m.astype(np.float64) * unbiased + ((rv.dtype.type(1) - m) * rv.reshape(-1))
        rv[...] = new.astype(rv.dtype).reshape(rv.shape)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """``F.batch_norm``: each channel (dim 1) normalised by the batch's statistics
    (``training``, updating the running ones given) or by the running statistics."""
    if not isinstance(input, Tensor):
        raise TypeError(f"batch_norm(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if training:
        _verify_batch_size(input.size())
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    if eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    if (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must either both be None or neither "
                         "be None")
    if input.dim() < 2:
        raise RuntimeError(f"batch_norm expects an input with at least 2 dims (N, C, ...), "
                           f"got input of size {list(input.shape)}")
    c = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var)):
        if t is not None:
            _check_features(name, c, t)
        elif not training:
            raise RuntimeError(f"{name} must be defined in evaluation mode")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None:
            _check_features(name, c, t)
    dt = input._dtype
    if not dt.is_floating_point:
        raise NotImplementedError(f"\"batch_norm\" not implemented for "
                                  f"'{_dt.SCALAR_TYPE_NAMES[dt]}'")
    x = input._data
    npdt = dt.np
    if training:
        mean, var_sum, invstd, n = _batch_stats(x, dt, eps)
        _update_running(running_mean, running_var, mean, var_sum, n, momentum)
        result1, result2 = _wrap(mean, dt), _wrap(invstd, dt)
    else:
        mean = running_mean._data.reshape(-1).astype(npdt)
        with np.errstate(divide="ignore"):
            invstd = (npdt.type(1) / np.sqrt(running_var._data.reshape(-1).astype(npdt)
                                             + npdt.type(eps))).astype(npdt)
        result1 = _wrap(np.zeros(0, npdt), dt)
        result2 = _wrap(np.zeros(0, npdt), dt)
    w = np.ones(c, npdt) if weight is None else weight._data.reshape(-1).astype(npdt)
    b = np.zeros(c, npdt) if bias is None else bias._data.reshape(-1).astype(npdt)
    alpha = (invstd * w).astype(npdt)
    shape = (1, c) + (1,) * (x.ndim - 2)
    fma = {_dt.float32: _fma32, _dt.float64: _fma64}.get(dt)
    if fma is not None:  # the kernel's b - mean * alpha and x * alpha + beta are contracted
        beta = fma(-mean.astype(npdt), alpha, b)
        out = fma(x, alpha.reshape(shape), beta.reshape(shape))
    else:
        beta = (b - mean * alpha).astype(npdt)
        out = (x * alpha.reshape(shape)).astype(npdt) + beta.reshape(shape)
    out = _wrap(np.ascontiguousarray(out.astype(npdt)), dt)
    saved = {"eps": float(eps), "input": input, "result1": result1, "result2": result2,
             "running_mean": running_mean, "running_var": running_var,
             "training": bool(training), "weight": weight}
    return tracked(out, NativeBatchNormBackward0, (input, weight, bias), saved)


# ---------------------------------------------------------------------- layer_norm
@rule_helper
def layer_norm_backward(grad, input, normalized_shape, weight, result1, result2, eps, which):
    """``which``'s gradient: for the input ``rstd * (g - mean(g) - xhat * mean(g * xhat))``
    with ``g = grad * weight``, the means over the normalised dims; ``grad * xhat`` for the
    weight and ``grad`` for the bias, summed over the leading dims."""
    nd = input.dim()
    axis = nd - len(normalized_shape)
    inner = tuple(range(axis, nd))
    outer = tuple(range(axis))
    if which == "bias":
        return grad.sum(outer) if outer else grad
    if _creating_graph(input):
        mean = input.mean(inner, keepdim=True)
        centred = input - mean
        rstd = ((centred * centred).mean(inner, keepdim=True) + eps).rsqrt()
    else:
        mean, rstd = result1, result2
    xhat = (input - mean) * rstd
    if which == "weight":
        gx = grad * xhat
        return gx.sum(outer) if outer else gx
    g = grad if weight is None else grad * weight
    return (g - g.mean(inner, keepdim=True)
            - xhat * (g * xhat).mean(inner, keepdim=True)) * rstd


NativeLayerNormBackward0 = derivative(
    "NativeLayerNormBackward0", inputs=("input", "weight", "bias"),
    saves=("bias", "input", "normalized_shape", "result1", "result2", "weight"),
    private=("eps",), int64=("normalized_shape",),
    input="layer_norm_backward(grad, input, normalized_shape, weight, result1, result2, eps, "
          "'input')",
    weight="layer_norm_backward(grad, input, normalized_shape, weight, result1, result2, "
           "eps, 'weight')",
    bias="layer_norm_backward(grad, input, normalized_shape, weight, result1, result2, eps, "
         "'bias')",
    order=("input", "weight", "bias"),
)


def _shape_list(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """``F.layer_norm``: each sample normalised over its last ``len(normalized_shape)`` dims,
    then scaled by ``weight`` and shifted by ``bias`` (elementwise)."""
    if isinstance(normalized_shape, numbers.Integral) or not isinstance(
            normalized_shape, tuple | list):
        raise TypeError(f"layer_norm(): argument 'normalized_shape' (position 2) must be "
                        f"tuple of ints, not {type(normalized_shape).__name__}")
    shape = tuple(int(s) for s in normalized_shape)
    if not shape:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., "
                           "containing at least one element, but got normalized_shape = []")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but "
                               f"got {name} of shape {_shape_list(t.shape)} and "
                               f"normalized_shape = {_shape_list(shape)}")
    k = len(shape)
    if input.dim() < k or tuple(input.shape[input.dim() - k:]) != shape:
        raise RuntimeError(f"Given normalized_shape={_shape_list(shape)}, expected input with "
                           f"shape [*, {', '.join(str(s) for s in shape)}], but got input of "
                           f"size{_shape_list(input.shape)}")
    dt = input._dtype
    if not dt.is_floating_point:
        raise NotImplementedError(f"\"LayerNormKernelImpl\" not implemented for "
                                  f"'{_dt.SCALAR_TYPE_NAMES[dt]}'")
    npdt = dt.np
    x = input._data
    lead = x.shape[:x.ndim - k]
    rows = x.reshape(-1, int(np.prod(shape)))
    r64 = rows.astype(np.float64)
    mean = r64.mean(axis=1)
    var = ((r64 - mean[:, None]) ** 2).mean(axis=1)
    mean, var = mean.astype(npdt), var.astype(npdt)
    with np.errstate(divide="ignore"):
        rstd = (npdt.type(1) / np.sqrt(var + npdt.type(eps))).astype(npdt)
    shift = (-rstd * mean).astype(npdt)
    y = (rows * rstd[:, None]).astype(npdt) + shift[:, None]
    if weight is not None:
        y = y * weight._data.reshape(1, -1).astype(npdt)
    if bias is not None:
        y = y + bias._data.reshape(1, -1).astype(npdt)
    out = _wrap(np.ascontiguousarray(y.astype(npdt).reshape(x.shape)), dt)
    stat_shape = lead + (1,) * k
    saved = {"bias": bias, "input": input, "normalized_shape": shape,
             "result1": _wrap(mean.reshape(stat_shape), dt),
             "result2": _wrap(rstd.reshape(stat_shape), dt),
             "weight": weight, "eps": float(eps)}
    return tracked(out, NativeLayerNormBackward0, (input, weight, bias), saved)


# ---------------------------------------------------------------------- group_norm
@rule_helper
def group_norm_backward(grad, input, weight, result1, result2, n, group, eps, which):
    """``which``'s gradient: for the input ``rstd * (g - mean(g) - xhat * mean(g * xhat))`` with
    ``g = grad * weight``, the means over each group; ``sum(grad * xhat)`` for the weight and
    ``sum(grad)`` for the bias, over every dim but the channels."""
    nd = input.dim()
    dims = (0, *range(2, nd))
    if which == "bias":
        return grad.sum(dims)
    grouped = input.reshape((n, group, input.numel() // max(n * group, 1)))
    if _creating_graph(input):
        mean = grouped.mean(-1, keepdim=True)
        centred = grouped - mean
        rstd = ((centred * centred).mean(-1, keepdim=True) + eps).rsqrt()
    else:
        mean, rstd = result1.reshape((n, group, 1)), result2.reshape((n, group, 1))
    xhat = (grouped - mean) * rstd
    if which == "weight":
        return (grad * xhat.reshape(input.shape)).sum(dims)
    g = grad if weight is None else grad * _channel_view(weight, nd)
    g = g.reshape(grouped.shape)
    dx = (g - g.mean(-1, keepdim=True) - xhat * (g * xhat).mean(-1, keepdim=True)) * rstd
    return dx.reshape(input.shape)


NativeGroupNormBackward0 = derivative(
    "NativeGroupNormBackward0", inputs=("input", "weight", "bias"),
    saves=("C", "HxW", "N", "eps", "group", "input", "result1", "result2", "weight"),
    input="group_norm_backward(grad, input, weight, result1, result2, N, group, eps, 'input')",
    weight="group_norm_backward(grad, input, weight, result1, result2, N, group, eps, 'weight')",
    bias="group_norm_backward(grad, input, weight, result1, result2, N, group, eps, 'bias')",
    order=("input", "weight", "bias"),
)


def _group_norm_checks(input, num_groups, weight, bias):
    """ATen's argument checks of ``native_group_norm``, in its order."""
    c = input.shape[1]
    if num_groups <= 0:
        raise RuntimeError(f"Expected num groups to be greater than 0, got {num_groups}")
    if c % num_groups != 0:
        raise RuntimeError(f"Expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {_shape_list(input.shape)} and "
                           f"num_groups={num_groups}")
    # PyTorch's bias message prints the weight's shape ([0] without a weight).
    weight_shape = _shape_list(weight.shape) if weight is not None else "[0]"
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.dim() != 1 or t.numel() != c):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of "
                               f"channels in input, but got {name} of shape {weight_shape} and "
                               f"input of shape {_shape_list(input.shape)}")
    params = [t for t in (weight, bias) if t is not None]
    dt = input._dtype
    if params and params[0]._dtype != dt:  # ATen's mixed type: a half input, float params
        if dt not in (_dt.float16, _dt.float32):
            raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")
        if any(t._dtype != _dt.float32 for t in params):
            raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of "
                               "Float")
        params = []
    for t in params[1:]:
        if t._dtype != dt:
            raise RuntimeError(f"expected scalar type {_dt.SCALAR_TYPE_NAMES[dt]} but found "
                               f"{_dt.SCALAR_TYPE_NAMES[t._dtype]}")
    if not dt.is_floating_point:
        raise NotImplementedError(f"\"GroupNormKernelImpl\" not implemented for "
                                  f"'{_dt.SCALAR_TYPE_NAMES[dt]}'")


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """``F.group_norm``: the channels split into ``num_groups`` groups, each sample's group
    normalised by its own mean and variance, then an affine map per channel."""
    if not isinstance(input, Tensor):
        raise TypeError(f"group_norm(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{input.dim()}")
    size = list(input.shape)
    _verify_batch_size([size[0] * size[1] // num_groups, num_groups, *size[2:]])
    return aten_group_norm(input, num_groups, weight, bias, eps)


def aten_group_norm(input, num_groups, weight=None, bias=None, eps=1e-5, cudnn_enabled=True):
    """``torch.group_norm``: ATen's group_norm, without F.group_norm's Python checks."""
    if not isinstance(input, Tensor):
        raise TypeError(f"group_norm(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if not isinstance(num_groups, numbers.Integral) or isinstance(num_groups, bool):
        raise TypeError(f"group_norm(): argument 'num_groups' (position 2) must be int, not "
                        f"{type(num_groups).__name__}")
    _group_norm_checks(input, num_groups, weight, bias)
    # ATen's group_norm normalises a contiguous copy of a non-contiguous input (CloneBackward0)
    source = input.contiguous()
    dt = source._dtype
    npdt = dt.np
    size = list(source.shape)
    n, c = size[0], size[1]
    hxw = int(np.prod(size[2:], dtype=np.int64))
    group = int(num_groups)
    x = np.ascontiguousarray(source._data)
    # Half-precision inputs are taken in float32, ATen's accumulation type for them.
    work = npdt if npdt in (np.float32, np.float64) else np.dtype(np.float32)
    rows = x.reshape(n * group, c // group * hxw).astype(work)
    mean, var = rowwise_moments(rows)
    with np.errstate(divide="ignore", invalid="ignore"):  # eps is added in double
        rstd = (1.0 / np.sqrt(np.maximum(var, 0).astype(np.float64) + eps)).astype(work)
    fma = _fma32 if work == np.float32 else _fma64
    d = c // group
    if weight is None and bias is None:
        y = (rows - mean[:, None]) * rstd[:, None]
    else:  # per channel: scale = rstd * w, shift = fma(-scale, mean, b), y = fma(x, scale, shift)
        w = np.ones(c, work) if weight is None else weight._data.reshape(-1).astype(work)
        b = np.zeros(c, work) if bias is None else bias._data.reshape(-1).astype(work)
        scale = rstd.reshape(n, group, 1) * w.reshape(1, group, d)
        shift = fma(-scale, np.broadcast_to(mean.reshape(n, group, 1), scale.shape),
                    np.broadcast_to(b.reshape(1, group, d), scale.shape))
        xs = x.reshape(n, group, d, hxw).astype(work)
        y = fma(xs, np.broadcast_to(scale[..., None], xs.shape),
                np.broadcast_to(shift[..., None], xs.shape))
    out = _wrap(np.ascontiguousarray(y.astype(npdt).reshape(x.shape)), dt)
    saved = {"C": c, "HxW": hxw, "N": n, "eps": float(eps), "group": group, "input": source,
             "result1": _wrap(mean.astype(npdt).reshape(n, group), dt),
             "result2": _wrap(rstd.astype(npdt).reshape(n, group), dt), "weight": weight}
    return tracked(out, NativeGroupNormBackward0, (source, weight, bias), saved)


# ---------------------------------------------------------------------- rms_norm
_RMS_NORM_WARNED = []  # whether the dtype-mismatch warning has been given
_C_TYPE_NAMES = {_dt.float32: "float", _dt.float64: "double", _dt.float16: "c10::Half"}


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """``F.rms_norm``: ``x * rsqrt(mean(x ** 2) + eps)`` over the last ``len(normalized_shape)``
    dims, times ``weight``. PyTorch's CPU graph is this composite of operations (PowBackward0,
    MeanBackward1, AddBackward1, RsqrtBackward0, MulBackward0), so it is built from the same
    ones here; half-precision inputs are taken in float32 and the result cast back
    (ToCopyBackward0), ``eps`` defaults to the machine epsilon of that computing dtype."""
    if not isinstance(input, Tensor):
        raise TypeError(f"rms_norm(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if isinstance(normalized_shape, numbers.Integral) or not isinstance(
            normalized_shape, tuple | list):
        raise TypeError(f"rms_norm(): argument 'normalized_shape' (position 2) must be tuple of "
                        f"ints, not {type(normalized_shape).__name__}")
    shape = tuple(int(s) for s in normalized_shape)
    if not shape:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., "
                           "containing at least one element, but got normalized_shape = []")
    if weight is not None and tuple(weight.shape) != shape:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got "
                           f"weight of shape {_shape_list(weight.shape)} and normalized_shape = "
                           f"{_shape_list(shape)}")
    k = len(shape)
    if input.dim() < k:
        raise ValueError(f"Input tensor must have at least {k} dimensions, but got "
                         f"{input.dim()}")
    if tuple(input.shape[input.dim() - k:]) != shape:
        raise RuntimeError(f"Given normalized_shape={_shape_list(shape)}, expected input with "
                           f"shape [*{', '.join(str(s) for s in shape)}], but got input of "
                           f"size{_shape_list(input.shape)}")
    dt = input._dtype
    if not dt.is_floating_point:
        raise NotImplementedError(f"\"rms_norm\" not implemented for "
                                  f"'{_dt.SCALAR_TYPE_NAMES[dt]}'")
    if weight is not None and weight._dtype != dt and not _RMS_NORM_WARNED:
        _RMS_NORM_WARNED.append(True)  # TORCH_WARN_ONCE: once per process
        warnings.warn(f"Mismatch dtype between input and weight: input dtype = "
                      f"{_C_TYPE_NAMES.get(dt, dt)}, weight dtype = "
                      f"{_C_TYPE_NAMES.get(weight._dtype, weight._dtype)}, Cannot dispatch to "
                      f"fused implementation. (Triggered internally at "
                      f"/__w/pytorch/pytorch/aten/src/ATen/native/layer_norm.cpp:346.)",
                      UserWarning, stacklevel=user_stacklevel())
    compute = dt if dt in (_dt.float32, _dt.float64) else _dt.float32  # ATen's opmath type
    x = input if compute is dt else input.to(compute)
    if eps is None:
        eps = float(np.finfo(compute.np).eps)
    dims = [input.dim() - i - 1 for i in range(k)]
    # ATen's add_(Scalar): AddBackward1 (a Python number would make AddBackward0)
    inverse_rms = add_scalar(x.pow(2).mean(dims, keepdim=True), eps).rsqrt()
    result = x.mul(inverse_rms)
    if weight is not None:
        result = result.mul(weight)
    return result.type_as(input)


# ---------------------------------------------------------------------- instance_norm
def _verify_spatial_size(size):
    prod = 1
    for s in size[2:]:
        prod *= s
    if prod == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                         f"{size}")


def aten_instance_norm(input, weight, bias, running_mean, running_var, use_input_stats,
                       momentum, eps, cudnn_enabled):
    """``torch.instance_norm``: ATen's argument order (without F.instance_norm's spatial-size
    check)."""
    return _instance_norm(input, running_mean, running_var, weight, bias, use_input_stats,
                          momentum, eps)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """``F.instance_norm``: each (sample, channel) normalised over its spatial dims."""
    if not isinstance(input, Tensor):
        raise TypeError(f"instance_norm(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if use_input_stats:
        _verify_spatial_size(input.size())
    return _instance_norm(input, running_mean, running_var, weight, bias, use_input_stats,
                          momentum, eps)


def _instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum,
                   eps):
    """ATen's ``instance_norm``: batch norm of the input viewed as (1, N * C, *)
    (ViewBackward0), the per-channel parameters and running statistics repeated N times
    (RepeatBackward0), the output viewed back; in training the running statistics receive the
    mean over the batch of the repeated ones' update (a copy_, bumping their version)."""
    if not use_input_stats and (running_mean is None or running_var is None):
        raise RuntimeError("Expected running_mean and running_var to be defined when "
                           "use_input_stats is false")
    b, c = input.shape[0], input.shape[1]
    repeated = [None if t is None else t.repeat(b)
                for t in (weight, bias, running_mean, running_var)]
    weight_, bias_, running_mean_, running_var_ = repeated
    reshaped = input.contiguous().view((1, b * c, *input.shape[2:]))
    out = batch_norm(reshaped, running_mean_, running_var_, weight_, bias_, use_input_stats,
                     momentum, eps)
    if use_input_stats:  # (in evaluation the running statistics are left alone, unbumped)
        with _no_grad():
            for stats, stats_ in ((running_mean, running_mean_), (running_var, running_var_)):
                if stats is not None:
                    stats.copy_(stats_.view((b, c)).mean(0))
    return out.view(input.shape)


# ---------------------------------------------------------------------- local_response_norm
@rule_helper
def depth_avg_pool_backward(grad, self, kernel_size):
    """The gradient of ``_depth_avg_pool``: each output's gradient divided by the window's size
    and added to its window's places, output after output in the dtype, as ATen's
    ``avg_pool3d_backward`` kernel; with ``create_graph=True`` the same sum from padded copies
    (differentiable operations)."""
    size = kernel_size[0]
    if _creating_graph(grad):
        from .functional import pad  # (functional imports this module)

        share = grad / size
        total = None
        for i in range(size):  # output d feeds inputs d .. d + size - 1
            shifted = pad(share, (0, 0, 0, 0, i, size - 1 - i))
            total = shifted if total is None else total + shifted
        return total
    npdt = grad._dtype.np
    share = (grad._data / npdt.type(size)).astype(npdt)
    gx = np.zeros(self.shape, npdt)
    depth_out = share.shape[2]
    for i in reversed(range(size)):  # an input's windows arrive with their outputs in order
        gx[:, :, i:i + depth_out] += share
    return _wrap(gx, grad._dtype)


AvgPool3DBackward0 = derivative(
    "AvgPool3DBackward0", inputs=("self",),
    saves=("ceil_mode", "count_include_pad", "divisor_override", "kernel_size", "padding",
           "self", "stride"),
    int64=("kernel_size", "padding", "stride"),
    self="depth_avg_pool_backward(grad, self, kernel_size)",
)


def _depth_avg_pool(input, size):
    """``avg_pool3d(input, (size, 1, 1), stride=1)`` of an (N, 1, D, H, W) input, all that
    local_response_norm asks of it: each window summed in order in the dtype, then divided by
    its size, as ATen's CPU kernel (the node and saved values are avg_pool3d's)."""
    dt = input._dtype
    x = input._data
    depth_out = x.shape[2] - size + 1
    total = np.zeros((*x.shape[:2], depth_out, *x.shape[3:]), dt.np)
    for i in range(size):
        total = (total + x[:, :, i:i + depth_out]).astype(dt.np)
    out = _wrap(np.ascontiguousarray((total / dt.np.type(size)).astype(dt.np)), dt)
    saved = {"ceil_mode": False, "count_include_pad": True, "divisor_override": None,
             "kernel_size": (size, 1, 1), "padding": (0, 0, 0), "self": input,
             "stride": (1, 1, 1)}
    return tracked(out, AvgPool3DBackward0, (input,), saved)


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """``F.local_response_norm``: ``x / (k + alpha * mean of x**2 over size neighbouring
    channels) ** beta``, composed of the operations PyTorch composes (mul, pad, avg_pool2d or
    avg_pool3d, squeeze, view, mul, add, pow, div)."""
    from .functional import avg_pool2d, pad  # (functional imports this module)

    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality{' ' * 26}input (got {dim} "
                         f"dimensions)")
    if input.numel() == 0:
        return input
    div = input.mul(input)
    if dim == 3:
        div = div.unsqueeze(1)
        div = pad(div, (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = input.size()
        div = div.view(sizes[0], 1, sizes[1], sizes[2], -1)
        div = pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = _depth_avg_pool(div, size).squeeze(1)
        div = div.view(sizes)
    div = div.mul(alpha).add(k).pow(beta)
    return input / div


# ---------------------------------------------------------------------- layers
class _NormBase(Module):
    """What BatchNorm1d and BatchNorm2d share: parameters, running statistics, repr."""

    _version = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        kw = {"device": device, "dtype": dtype}
        if affine:
            self.weight = Parameter(_creation.empty(num_features, **kw))
            if bias:
                self.bias = Parameter(_creation.empty(num_features, **kw))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", _creation.zeros(num_features, **kw))
            self.register_buffer("running_var", _creation.ones(num_features, **kw))
            self.register_buffer("num_batches_tracked",
                                 _creation.tensor(0, dtype=_dt.int64, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def _check_input_dim(self, input):
        raise NotImplementedError

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")

    def forward(self, input):
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:  # a cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked)
        if self.training:
            bn_training = True
        else:
            bn_training = self.running_mean is None and self.running_var is None
        use_buffers = not self.training or self.track_running_stats
        return batch_norm(input, self.running_mean if use_buffers else None,
                          self.running_var if use_buffers else None, self.weight, self.bias,
                          bn_training, factor, self.eps)


class BatchNorm1d(_NormBase):
    """Batch normalisation of an (N, C) or (N, C, L) input over N (and L), per channel."""

    def _check_input_dim(self, input):
        if input.dim() != 2 and input.dim() != 3:
            raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")


class BatchNorm2d(_NormBase):
    """Batch normalisation of an (N, C, H, W) input over N, H and W, per channel."""

    def _check_input_dim(self, input):
        if input.dim() != 4:
            raise ValueError(f"expected 4D input (got {input.dim()}D input)")


class _InstanceNorm(_NormBase):
    """What InstanceNorm1d and InstanceNorm2d share: no affine parameters nor running
    statistics by default; an input without its batch dim is normalised as a batch of one."""

    _no_batch_dim = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False,
                 track_running_stats=False, device=None, dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)

    def _apply_instance_norm(self, input):
        return instance_norm(input, self.running_mean, self.running_var, self.weight,
                             self.bias, self.training or not self.track_running_stats,
                             self.momentum if self.momentum is not None else 0.0, self.eps)

    def forward(self, input):
        self._check_input_dim(input)
        feature_dim = input.dim() - self._no_batch_dim
        if input.size(feature_dim) != self.num_features:
            if self.affine:
                raise ValueError(f"expected input's size at dim={feature_dim} to match "
                                 f"num_features ({self.num_features}), but got: "
                                 f"{input.size(feature_dim)}.")
            warnings.warn(f"input's size at dim={feature_dim} does not match num_features. "
                          "You can silence this warning by not passing in num_features, "
                          "which is not used because affine=False", stacklevel=2)
        if input.dim() == self._no_batch_dim:
            return self._apply_instance_norm(input.unsqueeze(0)).squeeze(0)
        return self._apply_instance_norm(input)


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of an (N, C, L) or (C, L) input over L, per sample and channel."""

    def _check_input_dim(self, input):
        if input.dim() not in (2, 3):
            raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of an (N, C, H, W) or (C, H, W) input over H and W, per sample
    and channel."""

    _no_batch_dim = 3

    def _check_input_dim(self, input):
        if input.dim() not in (3, 4):
            raise ValueError(f"expected 3D or 4D input (got {input.dim()}D input)")


class InstanceNorm3d(_InstanceNorm):
    """Instance normalisation of an (N, C, D, H, W) or (C, D, H, W) input over D, H and W, per
    sample and channel."""

    _no_batch_dim = 4

    def _check_input_dim(self, input):
        if input.dim() not in (4, 5):
            raise ValueError(f"expected 4D or 5D input (got {input.dim()}D input)")


def _register_affine(module, shape, affine, bias, device, dtype):
    """The per-element ``weight`` and ``bias`` parameters of ``shape`` (``bias`` may be left
    out), or both registered as None when the layer is not affine."""
    if affine:
        module.weight = Parameter(_creation.empty(shape, device=device, dtype=dtype))
        if bias:
            module.bias = Parameter(_creation.empty(shape, device=device, dtype=dtype))
        else:
            module.register_parameter("bias", None)
    else:
        module.register_parameter("weight", None)
        module.register_parameter("bias", None)


def _reset_affine(module):
    """PyTorch's starting values of an affine normalisation: weight ones, bias zeros."""
    if module.weight is not None:
        init.ones_(module.weight)
        if module.bias is not None:
            init.zeros_(module.bias)


class LayerNorm(Module):
    """Layer normalisation over the last dims (``normalized_shape``), with an elementwise
    weight (ones) and bias (zeros)."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True,
                 device=None, dtype=None):
        super().__init__()
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _register_affine(self, self.normalized_shape, elementwise_affine, bias, device, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        _reset_affine(self)

    def forward(self, input):
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class GroupNorm(Module):
    """Group normalisation: the channels in ``num_groups`` groups, each normalised per sample,
    with a per-channel weight (ones) and bias (zeros)."""

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None,
                 dtype=None, *, bias=True):
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups "
                             f"({num_groups})")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _register_affine(self, num_channels, affine, bias, device, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        _reset_affine(self)

    def forward(self, input):
        return group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, "
                f"affine={self.affine}, bias={self.bias is not None}")


class RMSNorm(Module):
    """Root-mean-square normalisation over the last dims (``normalized_shape``), with an
    elementwise weight (ones)."""

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None,
                 dtype=None):
        super().__init__()
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(_creation.empty(self.normalized_shape, device=device,
                                                    dtype=dtype))
        else:
            self.register_parameter("weight", None)
        self.reset_parameters()

    def reset_parameters(self):
        if self.elementwise_affine:
            init.ones_(self.weight)

    def forward(self, x):
        return rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


class LocalResponseNorm(Module):
    """``F.local_response_norm`` over ``size`` neighbouring channels."""

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input):
        return local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
