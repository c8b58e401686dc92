"""1-d pooling (``max_pool1d``, ``avg_pool1d``, ``adaptive_avg_pool1d``,
``adaptive_max_pool1d``) and ``adaptive_max_pool2d`` (``AdaptiveMaxPool2DBackward0``, saving
the indices as ``result1``), with PyTorch's checks and messages.

ATen runs 1-d pooling on its 2-d kernels: the input is unsqueezed to a height of 1, pooled with
a kernel, stride, padding (and dilation) of 1, 1, 0 (and 1) along that height, and squeezed
back, so the graph shows ``UnsqueezeBackward0``, the 2-d node (saving the 2-d parameters) and
``SqueezeBackward1``. This module does the same on ``conv.py``'s 2-d pooling, after the 1-d
functions' own checks (each with its own messages, in ATen's order).
"""

from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import STATE as _GRAD_MODE
from ..autograd.graph import derivative, rule_helper
from . import conv as _conv
from ._common import tracked

__all__ = ["adaptive_avg_pool1d", "adaptive_max_pool1d", "adaptive_max_pool2d", "avg_pool1d",
           "max_pool1d", "max_pool1d_with_indices"]


def _half_toward_zero(n):
    """C++'s ``n / 2`` on integers: rounded toward zero."""
    return -(-n // 2) if n < 0 else n // 2


def _check_pool2d_over_length(x, k, s, p, d, ceil_mode):
    """ATen's 2-d pooling checks in their order (``pooling_output_shape``, then
    ``pool2d_shape_check``) on ``x`` of a height of 1 pooled with (1, k), (1, s), (0, p),
    (1, d): the messages PyTorch's 1-d pooling gives."""
    if s == 0:
        raise RuntimeError("stride should not be zero")
    if p < 0:
        raise RuntimeError(f"pad must be non-negative, but got pad: {p}")
    if p > _half_toward_zero((k - 1) * d + 1):
        raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                           f"pad={p}, kernel_size={k} and dilation={d}")
    if k <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: 1 kW: {k}")
    if s < 0:
        raise RuntimeError(f"stride should be greater than zero, but got dH: 1 dW: {s}")
    if d <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got dilationH: 1 "
                           f"dilationW: {d}")
    if any(n == 0 for n in x.shape[x.dim() - 3:]):  # only a 4-d input's batch may be empty
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with optional 0 dim batch "
                           f"size for input, but got:{list(x.shape)}")
    if p > _half_toward_zero(k):
        raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but "
                           f"got padW = {p}, padH = 0, kW = {k}, kH = 1")
    out_w = _conv._pool_out(x.shape[-1], k, p, s, d, ceil_mode)
    if out_w < 1:
        c, w = x.shape[-3], x.shape[-1]
        raise RuntimeError(f"Given input size: ({c}x1x{w}). Calculated output size: "
                           f"({c}x1x{out_w}). Output size is too small")


# ---------------------------------------------------------------------- max_pool1d
def _check1d(value, name, what):
    """ATen's ``check1d`` for max_pool1d's arguments: an int or a list of one."""
    value = (value,) if isinstance(value, int) else tuple(int(v) for v in value)
    if len(value) != 1:
        raise RuntimeError(f"max_pool1d() {name} must be {what} of size 1 but got size "
                           f"{len(value)}")
    return value[0]


def _max_pool1d_args(input, kernel_size, stride, padding, dilation, ceil_mode):
    """ATen's checks of max_pool1d (the same with or without indices): the kernel, stride,
    padding and dilation as ints, and the output length."""
    if input.dim() not in (2, 3) or any(s == 0 for s in input.shape[-2:]):
        raise RuntimeError("max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 "
                           f"dim batch size for input, but got:{list(input.shape)}")
    k = _check1d(kernel_size, "kernel_size", "an int, list of ints or tuple of ints")
    if stride is None or (not isinstance(stride, int) and len(stride) == 0):
        s = k
    else:
        s = _check1d(stride, "stride", "None, an int, list of ints, or tuple of ints")
    p = _check1d(padding, "padding", "an int, list of ints, or tuple of ints")
    d = _check1d(dilation, "dilation", "an int, list of ints or tuple of ints")
    if k <= 0:
        raise RuntimeError(f"max_pool1d() kernel_size must be greater than zero, but got {k}")
    if s <= 0:
        raise RuntimeError(f"max_pool1d() stride must be greater than zero, but got {s}")
    if p < 0:
        raise RuntimeError(f"max_pool1d() padding must be non-negative, but got {p}")
    if p > k // 2:
        raise RuntimeError(f"max_pool1d() padding should be at most half of kernel size, but "
                           f"got padding={p} and kernel_size={k}")
    if d <= 0:
        raise RuntimeError(f"max_pool1d() dilation must be greater than zero, but got {d}")
    out = _conv._pool_out(input.shape[-1], k, p, s, d, ceil_mode)
    if out < 1:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {out}")
    return k, s, p, d


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False):
    """ATen's ``max_pool1d_with_indices``: ``max_pool2d_with_indices`` over a height of 1 (with
    the 2-d checks and messages); the indices are places along the length."""
    k = _one_int(kernel_size, "max_pool1d", "kernel_size")
    empty_stride = stride is None or (not isinstance(stride, int) and len(stride) == 0)
    s = k if empty_stride else _one_int(stride, "max_pool1d", "stride")
    p = _one_int(padding, "max_pool1d", "padding")
    d = _one_int(dilation, "max_pool1d", "dilation")
    _check_dims_1d(input, "max_pool1d")
    x = input.unsqueeze(-2)
    _check_pool2d_over_length(x, k, s, p, d, ceil_mode)
    out, indices = _conv.max_pool2d_with_indices(x, (1, k), (1, s), (0, p), (1, d), ceil_mode)
    return out.squeeze(-2), indices.squeeze(-2)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """``F.max_pool1d``: with indices, ``max_pool1d_with_indices``; otherwise ATen's
    ``max_pool1d`` (its own checks and messages), which goes on to ``max_pool1d_with_indices``
    when a gradient is wanted, else to its own 1-d kernel (floating types only), giving the
    same maxima."""
    if return_indices:
        return max_pool1d_with_indices(input, kernel_size, stride, padding, dilation,
                                       ceil_mode)
    k, s, p, d = _max_pool1d_args(input, kernel_size, stride, padding, dilation, ceil_mode)
    if _GRAD_MODE.grad_enabled and input._requires_grad:
        return max_pool1d_with_indices(input, k, s, p, d, ceil_mode)[0]
    if not input._dtype.is_floating_point:
        raise NotImplementedError(f"\"max_pool1d_impl\" not implemented for "
                                  f"'{_dt.SCALAR_TYPE_NAMES[input._dtype]}'")
    out, _ = _conv.max_pool2d_with_indices(input.unsqueeze(-2), (1, k), (1, s), (0, p),
                                           (1, d), ceil_mode)
    return out.squeeze(-2).contiguous()  # ATen's 1-d kernel writes a contiguous output


# ---------------------------------------------------------------------- avg_pool1d
def _one_int(value, fn, name):
    """What the binding of an ``int[1]`` argument accepts: an int or a list of one."""
    value = (value,) if isinstance(value, int) else tuple(int(v) for v in value)
    if len(value) != 1:
        raise RuntimeError(f"{fn}() argument '{name}' should contain one int (got "
                           f"{len(value)})")
    return value[0]


def _check_dims_1d(input, fn):
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional "
                           f"tensor for argument #1 'self' (while checking arguments for {fn})")


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """ATen's ``avg_pool1d``: ``avg_pool2d`` over a height of 1, after avg_pool2d's checks in
    its order (the output length's, then the kernel's and the input's)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"avg_pool1d(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    k = _one_int(kernel_size, "avg_pool1d", "kernel_size")
    empty_stride = stride is None or (not isinstance(stride, int) and len(stride) == 0)
    s = k if empty_stride else _one_int(stride, "avg_pool1d", "stride")
    p = _one_int(padding, "avg_pool1d", "padding")
    _check_dims_1d(input, "avg_pool1d")
    x = input.unsqueeze(-2)
    _check_pool2d_over_length(x, k, s, p, 1, ceil_mode)
    out = _conv.avg_pool2d(x, (1, k), (1, s), (0, p), ceil_mode, count_include_pad)
    return out.squeeze(-2)


# ---------------------------------------------------------------------- adaptive_avg_pool1d
def adaptive_avg_pool1d(input, output_size):
    """ATen's ``adaptive_avg_pool1d``: ``adaptive_avg_pool2d`` to ``(1, output_size)`` over a
    height of 1 (an output of 1 is a ``mean``, as in 2-d)."""
    if isinstance(output_size, (int, list, tuple)) is False:
        raise TypeError(f"adaptive_avg_pool1d(): argument 'output_size' (position 2) must be "
                        f"tuple of ints, not {type(output_size).__name__}")
    size = _one_int(output_size, "adaptive_avg_pool1d", "output_size")
    _check_dims_1d(input, "adaptive_avg_pool1d")
    return _conv.adaptive_avg_pool2d(input.unsqueeze(-2), (1, size)).squeeze(-2)


# ---------------------------------------------------------------------- adaptive max pooling
@rule_helper
def adaptive_max_pool2d_backward(grad, self, indices):
    """Each output's gradient added at its maximum's place, output after output."""
    _conv._no_double_backward("adaptive_max_pool2d", grad, self)
    return _conv.max_pool2d_backward(grad, self, indices)


AdaptiveMaxPool2DBackward0 = derivative(
    "AdaptiveMaxPool2DBackward0", inputs=("self",), saves=("result1", "self"),
    self="adaptive_max_pool2d_backward(grad, self, result1)",
)


def _adaptive_max_pool2d(input, output_size):
    """ATen's ``adaptive_max_pool2d`` (``output_size``: two ints): the maximum of each adaptive
    window and its flat (h * W + w) place. As the CPU kernel: the first maximum wins, a NaN
    wins over numbers (the last NaN), a window of -inf keeps its first place."""
    nd = input.dim()
    if nd not in (3, 4):
        raise RuntimeError(f"adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: "
                           f"{list(input.shape)}")
    for d in range(1, nd):
        if input.shape[d] <= 0:
            raise RuntimeError(
                "adaptive_max_pool2d(): Expected input to have non-zero size for non-batch "
                f"dimensions, but input has sizes {list(input.shape)} with dimension {d} being "
                "empty")
    if len(output_size) != 2:
        raise RuntimeError("adaptive_max_pool2d(): internal error: output_size.size() must be 2")
    ho, wo = output_size
    shape = [*input.shape[:-2], ho, wo]
    if ho < 0 or wo < 0:
        bad = ho if ho < 0 else wo
        raise RuntimeError(f"Trying to create tensor with negative dimension {bad}: {shape}")
    dt = input._dtype
    if not dt.is_floating_point:
        raise NotImplementedError(f"\"adaptive_max_pool2d\" not implemented for "
                                  f"'{_dt.SCALAR_TYPE_NAMES[dt]}'")
    x = _conv._as_4d(input._data)
    n, c, h, w = x.shape
    (h0, h1), (w0, w1) = _conv._adaptive_spans(h, ho), _conv._adaptive_spans(w, wo)
    values = np.empty((n, c, ho, wo), dt.np)
    indices = np.empty((n, c, ho, wo), np.int64)
    for i in range(ho):
        for j in range(wo):
            kw = w1[j] - w0[j]
            win = x[:, :, h0[i]:h1[i], w0[j]:w1[j]].reshape(n, c, -1)
            pos = win.argmax(axis=-1)
            nan = np.isnan(win)
            if nan.any():  # the kernel takes every NaN it meets: the last one wins
                last = win.shape[-1] - 1 - nan[..., ::-1].argmax(axis=-1)
                pos = np.where(nan.any(axis=-1), last, pos)
            values[:, :, i, j] = np.take_along_axis(win, pos[..., None], axis=-1)[..., 0]
            indices[:, :, i, j] = (h0[i] + pos // kw) * w + w0[j] + pos % kw
    out = _wrap(_conv._laid_out_as(values.reshape(shape), input), dt)
    indices = _wrap(_conv._laid_out_as(indices.reshape(shape), input), _dt.int64)
    tracked(out, AdaptiveMaxPool2DBackward0, (input,), {"result1": indices, "self": input})
    return out, indices


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """``F.adaptive_max_pool2d``: ``output_size`` an int or two (``None`` keeps the input's
    size)."""
    from ..nn.functional import _list_with_default  # nn.functional imports this module

    size = _list_with_default(output_size, list(input.shape))
    size = (size, size) if isinstance(size, int) else tuple(int(v) for v in size)
    out, indices = _adaptive_max_pool2d(input, size)
    return (out, indices) if return_indices else out


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """ATen's ``adaptive_max_pool1d``: ``adaptive_max_pool2d`` to ``(1, output_size)`` over a
    height of 1, after its own checks."""
    if isinstance(output_size, (int, list, tuple)) is False:
        raise TypeError(f"adaptive_max_pool1d(): argument 'output_size' (position 2) must be "
                        f"tuple of ints, not {type(output_size).__name__}")
    size = _one_int(output_size, "adaptive_max_pool1d", "output_size")
    _check_dims_1d(input, "adaptive_max_pool1d")
    for d in range(1, input.dim()):
        if input.shape[d] <= 0:
            raise RuntimeError(
                "adaptive_max_pool1d(): Expected input to have non-zero size for non-batch "
                f"dimensions, but input has sizes {list(input.shape)} with dimension {d} being "
                "empty")
    out, indices = _adaptive_max_pool2d(input.unsqueeze(-2), (1, size))
    out, indices = out.squeeze(-2), indices.squeeze(-2)
    return (out, indices) if return_indices else out


def aten_adaptive_max_pool1d(input, output_size):
    """``torch.adaptive_max_pool1d``: the maxima and their places, always both."""
    return adaptive_max_pool1d(input, output_size, return_indices=True)
