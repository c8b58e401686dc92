"""Convolution and pooling over two spatial dims (``conv2d``, ``max_pool2d``, ``avg_pool2d``),
``conv1d`` on the same kernel over a height of 1 (as ATen's CPU kernels run it) and
``conv_transpose1d``/``2d`` (the input gradient of a convolution, col2im, under the same node),
with PyTorch's checks, messages and backward nodes.

``conv2d`` is ATen's ``convolution`` (node ``ConvolutionBackward0``, saving what PyTorch saves):
the input's windows are a strided view (im2col without a copy), contracted with the weight by
``np.einsum``, group by group. Floating-point sums are made in float64 and rounded once to the
tensor's dtype, so a float32 result is within an ulp or so of PyTorch's (oneDNN adds in another
order): not always bit for bit. An unbatched (C, H, W) input is unsqueezed around the call, as
ATen does, and ``padding='same'`` with an odd total pads the input's far side first
(``ConstantPadNdBackward0``), as ATen does.

``max_pool2d`` is ``max_pool2d_with_indices`` (``MaxPool2DWithIndicesBackward0``, saving the
indices as ``result1``): the first maximum of each window wins, a NaN wins over numbers (the
last NaN), as in PyTorch's CPU kernel. ``avg_pool2d`` (``AvgPool2DBackward0``) sums each window
in its dtype in PyTorch's order (rows, then columns) and divides once. ``adaptive_avg_pool2d``
is ATen's: an output size of 1 is a ``mean`` over the last two dims (``MeanBackward1``), any
other goes to ``_adaptive_avg_pool2d`` (``AdaptiveAvgPool2DBackward0``), whose windows run from
``floor(i * in / out)`` to ``ceil((i + 1) * in / out)``; each window is summed in PyTorch's
order in its op-math type (float32 for float16) and divided by its height, then its width.

Outputs are laid out as PyTorch's 2-d kernels lay them: channels-last when the 4-d input (or
a convolution's weight) has channels-last-like strides (ATen's ``suggest_memory_format``),
contiguous otherwise; the input gradients are contiguous.

The backward rules compute with NumPy: the gradients are exact, but they record no graph of
their own, so ``create_graph=True`` through these operations raises instead of giving a wrong
second derivative.
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import dtypes as _dt
from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import STATE as _GRAD_MODE
from ..autograd.graph import derivative, rule_helper
from ._common import tracked

__all__ = ["adaptive_avg_pool2d", "avg_pool2d", "conv1d", "conv2d", "conv_transpose1d",
           "conv_transpose2d", "max_pool2d", "max_pool2d_with_indices"]

_CPP = {_dt.float32: "float", _dt.float64: "double", _dt.float16: "c10::Half",
        _dt.int64: "long int", _dt.int32: "int", _dt.int16: "short int",
        _dt.int8: "signed char", _dt.uint8: "unsigned char", _dt.bool: "bool"}


def _channels_last_like(t):
    """ATen's ``suggest_memory_format`` of a tensor: whether its strides look channels-last
    (``is_channels_last_strides_2d``; only 4-d tensors can)."""
    if t.dim() != 4:
        return False
    sizes, strides = t.shape, t.stride()
    if strides[1] == 0:
        return False
    smallest = 0
    for d in (1, 3, 2, 0):
        if sizes[d] == 0 or strides[d] < smallest:
            return False
        if d == 0 and smallest == strides[1]:  # ambiguous (N111-like): contiguous
            return False
        smallest = strides[d] * sizes[d] if sizes[d] > 1 else strides[d]
    return True


def _laid_out_as(arr, *tensors):
    """``arr`` (a result of PyTorch's 2-d kernels) channels-last when any of ``tensors``
    looks channels-last, as those kernels make their outputs; otherwise contiguous."""
    if arr.ndim == 4 and any(t is not None and _channels_last_like(t) for t in tensors):
        nhwc = np.empty(arr.transpose(0, 2, 3, 1).shape, arr.dtype)  # a new array: the
        nhwc[...] = arr.transpose(0, 2, 3, 1)  # strides of its size-1 dims are canonical
        return nhwc.transpose(0, 3, 1, 2)
    return np.ascontiguousarray(arr)


def _no_double_backward(name, *tensors):
    if _GRAD_MODE.grad_enabled and any(t is not None and t._requires_grad for t in tensors):
        raise NotImplementedError(f"autogradviz cannot differentiate {name}'s backward yet "
                                  "(create_graph=True through it)")


def _acc_dtype(dt):
    """The dtype sums are made in: float64 for floating types, int64 for integers."""
    return np.float64 if dt.is_floating_point else np.int64


def _windows(xp, kernel, stride, dilation):
    """(N, C, Ho, Wo, kh, kw) strided view of the padded input's windows."""
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    span = ((kh - 1) * dh + 1, (kw - 1) * dw + 1)
    win = np.lib.stride_tricks.sliding_window_view(xp, span, axis=(2, 3))
    return win[:, :, ::sh, ::sw, ::dh, ::dw]


def _pad_hw(x, padding, value=0):
    ph, pw = padding
    if not ph and not pw:
        return x
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=value)


# ---------------------------------------------------------------------- conv2d
def _lift_1d(arrays, stride, padding, dilation):
    """1-d convolution data and parameters as 2-d ones over a height of 1 (ATen's 1-d CPU
    convolutions run the 2-d kernels on ``unsqueeze(2)``)."""
    lifted = tuple(a[:, :, None] for a in arrays)
    return lifted, ((1, *stride), (0, *padding), (1, *dilation))


def _conv_forward(x, w, b, stride, padding, dilation, groups, dtype):
    acc = _acc_dtype(dtype)
    n = x.shape[0]
    o, cg, kh, kw = w.shape
    win = _windows(_pad_hw(x.astype(acc, copy=False), padding), (kh, kw), stride, dilation)
    ho, wo = win.shape[2:4]
    win = win.reshape(n, groups, cg, ho, wo, kh, kw)
    wg = w.astype(acc, copy=False).reshape(groups, o // groups, cg, kh, kw)
    out = np.einsum("ngchwij,gocij->ngohw", win, wg, optimize=True).reshape(n, o, ho, wo)
    if b is not None:
        out = out + b.astype(acc, copy=False).reshape(1, o, 1, 1)
    return np.ascontiguousarray(out.astype(dtype.np, copy=False))


def _col2im(cols, stride, dilation, padding, out_hw):
    """Each window's columns ``cols`` (N, C, Ho, Wo, kh, kw) added back at their places in an
    (N, C, H, W) array (the padding cut off)."""
    n, c, ho, wo, kh, kw = cols.shape
    (sh, sw), (dh, dw), (ph, pw) = stride, dilation, padding
    h, wd = out_hw
    out = np.zeros((n, c, h + 2 * ph, wd + 2 * pw), cols.dtype)
    for i in range(kh):
        for j in range(kw):
            out[:, :, i * dh:i * dh + sh * (ho - 1) + 1:sh,
                j * dw:j * dw + sw * (wo - 1) + 1:sw] += cols[..., i, j]
    return out[:, :, ph:ph + h, pw:pw + wd]


def _conv_transpose_forward(x, w, b, stride, padding, output_padding, dilation, groups, dtype):
    """The transposed convolution: each input place's weighted kernel added into the output
    (col2im), as the input gradient of the convolution with the same weight."""
    acc = _acc_dtype(dtype)
    n, cin, h, wd = x.shape
    og, kh, kw = w.shape[1:]
    out_hw = tuple((size - 1) * s - 2 * p + d * (k - 1) + op + 1 for size, s, p, d, k, op
                   in zip((h, wd), stride, padding, dilation, (kh, kw), output_padding,
                          strict=True))
    xg = x.astype(acc, copy=False).reshape(n, groups, cin // groups, h, wd)
    wg = w.astype(acc, copy=False).reshape(groups, cin // groups, og, kh, kw)
    cols = np.einsum("ngihw,giokl->ngohwkl", xg, wg, optimize=True)
    out = _col2im(cols.reshape(n, groups * og, h, wd, kh, kw), stride, dilation, padding,
                  out_hw)
    if b is not None:
        out = out + b.astype(acc, copy=False).reshape(1, -1, 1, 1)
    return np.ascontiguousarray(out.astype(dtype.np, copy=False))


def _conv_transpose_backward(g, x, w, stride, padding, dilation, groups, which, dt):
    """The transposed convolution's gradients: of the input, the convolution of the gradient
    with the weight; of the weight, the gradient's windows times the input at their place."""
    if which == "input":
        gx = _conv_forward(g, w, None, stride, padding, dilation, groups, dt)
        return gx[:, :, :x.shape[2], :x.shape[3]]  # an output padding adds unused places
    acc = _acc_dtype(dt)
    n, cin, h, wd = x.shape
    og, kh, kw = w.shape[1:]
    win = _windows(_pad_hw(g.astype(acc, copy=False), padding), (kh, kw), stride, dilation)
    win = win[:, :, :h, :wd].reshape(n, groups, og, h, wd, kh, kw)
    xg = x.astype(acc, copy=False).reshape(n, groups, cin // groups, h, wd)
    gw = np.einsum("ngihw,ngohwkl->giokl", xg, win, optimize=True)
    return gw.reshape(w.shape).astype(dt.np)


@rule_helper
def convolution_backward(grad, input, weight, stride, padding, dilation, groups, which,
                         transposed=False):
    """The gradient of ``input`` (scattering each window's share back: col2im), of ``weight``
    (each window times the gradient at its output) or of the bias (the gradient summed)."""
    _no_double_backward("convolution", grad, input, weight)
    k = weight.dim() - 2
    stride, padding, dilation = (_expand_param(p, "", k) for p in (stride, padding, dilation))
    g, x, w = grad._data, input._data, weight._data
    if k == 1:
        (g, x, w), (stride, padding, dilation) = _lift_1d((g, x, w), stride, padding, dilation)
    dt = grad._dtype
    acc = _acc_dtype(dt)
    g = g.astype(acc, copy=False)
    n, o, ho, wo = g.shape
    if which == "bias":
        return _wrap(np.asarray(g.sum(axis=(0, 2, 3)).astype(dt.np)), dt)
    if transposed:
        out = _conv_transpose_backward(g, x, w, stride, padding, dilation, groups, which, dt)
        shape = input.shape if which == "input" else weight.shape
        return _wrap(np.ascontiguousarray(out.reshape(shape)), dt)
    x = x.astype(acc, copy=False)
    w = w.astype(acc, copy=False)
    cg, kh, kw = w.shape[1:]
    gg = g.reshape(n, groups, o // groups, ho, wo)
    if which == "weight":
        win = _windows(_pad_hw(x, padding), (kh, kw), stride, dilation)
        win = win[:, :, :ho, :wo].reshape(n, groups, cg, ho, wo, kh, kw)
        gw = np.einsum("ngohw,ngchwij->gocij", gg, win, optimize=True).reshape(weight.shape)
        return _wrap(np.ascontiguousarray(gw.astype(dt.np)), dt)
    wg = w.reshape(groups, o // groups, cg, kh, kw)
    cols = np.einsum("ngohw,gocij->ngchwij", gg, wg, optimize=True)
    cols = cols.reshape(n, groups * cg, ho, wo, kh, kw)
    gx = _col2im(cols, stride, dilation, padding, x.shape[2:]).reshape(input.shape)
    return _wrap(np.ascontiguousarray(gx.astype(dt.np)), dt)


ConvolutionBackward0 = derivative(
    "ConvolutionBackward0", inputs=("input", "weight", "bias"),
    saves=("bias_sym_sizes_opt", "dilation", "groups", "input", "output_padding", "padding",
           "stride", "transposed", "weight"),
    int64=("dilation", "groups", "output_padding", "padding", "stride"),
    input="convolution_backward(grad, input, weight, stride, padding, dilation, groups, "
          "'input', transposed)",
    weight="convolution_backward(grad, input, weight, stride, padding, dilation, groups, "
           "'weight', transposed)",
    bias="convolution_backward(grad, input, weight, stride, padding, dilation, groups, 'bias', "
         "transposed)",
    order=("input", "weight", "bias"),
)


def _expand_param(value, name, k):
    """ATen's ``expand_param_if_needed``: one value for every spatial dim, or one each."""
    if isinstance(value, int):
        return (value,) * k
    value = tuple(int(v) for v in value)
    if len(value) == 1:
        return value * k
    if len(value) != k:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {k} "
                           f"values to match the convolution dimensions, but got "
                           f"{name}={list(value)}")
    return value


def _as_pair(value):
    """What ``F.conv2d``'s binding makes of an int: ``[v, v]``."""
    return (value, value) if isinstance(value, int) else tuple(value)


def _check_conv(input, weight, bias, stride, padding, dilation, groups, output_padding=None):
    """ATen's ``check_shape_forward`` and its dtype checks, in its order (``output_padding``
    given: a transposed convolution's, whose weight is (in, out / groups, ...))."""
    transposed = output_padding is not None
    k = weight.dim()
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if transposed and any(p < 0 for p in output_padding):
        raise RuntimeError("negative output_padding is not supported")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("non-positive dilation is not supported")
    ws = list(weight.shape)
    if input.dim() != k:
        raise RuntimeError(f"Expected {k}-dimensional input for {k}-dimensional weight {ws}, "
                           f"but got {input.dim()}-dimensional input of size "
                           f"{list(input.shape)} instead")
    if ws[0] < groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be at least {groups} at "
                           f"dimension 0, but got weight of size {ws} instead")
    if ws[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{ws}] instead")
    if transposed:
        if input.shape[1] != ws[0]:
            raise RuntimeError(f"Given transposed=1, weight of size {ws}, expected "
                               f"input{list(input.shape)} to have {ws[0]} channels, but got "
                               f"{input.shape[1]} channels instead")
        if bias is not None and (bias.dim() != 1 or bias.shape[0] != ws[1] * groups):
            raise RuntimeError(f"Given transposed=1, weight of size {ws}, expected bias to be "
                               f"1-dimensional with {ws[1] * groups} elements, but got bias of "
                               f"size {list(bias.shape)} instead")
        _check_output_padding(output_padding, stride, dilation)
    elif input.shape[1] != ws[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {ws}, expected "
                           f"input{list(input.shape)} to have {ws[1] * groups} channels, but "
                           f"got {input.shape[1]} channels instead")
    if not transposed and bias is not None and (bias.dim() != 1 or bias.shape[0] != ws[0]):
        raise RuntimeError(f"Given weight of size {ws}, expected bias to be 1-dimensional with "
                           f"{ws[0]} elements, but got bias of size {list(bias.shape)} instead")
    padded = [input.shape[i + 2] + 2 * padding[i] for i in range(k - 2)]
    kernel = [dilation[i] * (ws[i + 2] - 1) + 1 for i in range(k - 2)]
    if not transposed and any(p < q for p, q in zip(padded, kernel, strict=True)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
            f"Kernel size: ({' x '.join(map(str, kernel))}). Kernel size can't be greater "
            "than actual input size")
    if input._dtype is not weight._dtype:
        if input._dtype is _dt.float32:
            raise RuntimeError(
                f"Input type ({_dt.LEGACY_TYPE_NAMES[input._dtype]}) and weight type "
                f"({_dt.LEGACY_TYPE_NAMES[weight._dtype]}) should be the same or input should "
                "be a MKLDNN tensor and weight is a dense tensor")
        raise RuntimeError(f"expected scalar type {_dt.SCALAR_TYPE_NAMES[input._dtype]} but "
                           f"found {_dt.SCALAR_TYPE_NAMES[weight._dtype]}")
    if not transposed and bias is not None and bias._dtype is not input._dtype:
        # (a transposed convolution's bias is taken in the input's type)
        raise RuntimeError(f"Input type ({_CPP[input._dtype]}) and bias type "
                           f"({_CPP[bias._dtype]}) should be the same")
    if input._dtype is _dt.bool:
        kernel = "slow_conv_transpose2d_out_cpu" if transposed else "slow_conv2d_cpu"
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def convolution(input, weight, bias, stride, padding, dilation, groups):
    """ATen's ``convolution`` (not transposed) on a batched input."""
    if weight.dim() < 3:
        raise RuntimeError("weight should have at least three dimensions")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    k = weight.dim() - 2
    given = {"stride": tuple(stride), "padding": tuple(padding), "dilation": tuple(dilation)}
    stride = _expand_param(stride, "stride", k)
    padding = _expand_param(padding, "padding", k)
    dilation = _expand_param(dilation, "dilation", k)
    _check_conv(input, weight, bias, stride, padding, dilation, groups)
    if k not in (1, 2):
        raise NotImplementedError("autogradviz has only 1-d and 2-d convolutions yet")
    x, w = input._data, weight._data
    lifted = stride, padding, dilation
    if k == 1:
        (x, w), lifted = _lift_1d((x, w), stride, padding, dilation)
    out = _conv_forward(x, w, None if bias is None else bias._data, *lifted, groups,
                        input._dtype)
    if k == 1:
        out = np.ascontiguousarray(out[:, :, 0])
    else:  # channels-last when the input or the weight is (1-d ones are not: ATen decides
        out = _laid_out_as(out, input, weight)  # on the 3-d tensors)
    # The node saves the parameters as given (padding='valid' is ``(0,)``), and as many
    # output paddings as paddings.
    saved = {"bias_sym_sizes_opt": (0,) if bias is None else tuple(bias.shape),
             "dilation": given["dilation"], "groups": groups, "input": input,
             "output_padding": (0,) * len(given["padding"]), "padding": given["padding"],
             "stride": given["stride"], "transposed": False, "weight": weight}
    return tracked(_wrap(out, input._dtype), ConvolutionBackward0, (input, weight, bias),
                   saved)


def _check_output_padding(output_padding, stride, dilation):
    """Each output padding must be smaller than its stride or its dilation (named as ATen's
    2-d kernel names them, which also runs the 1-d case over a height of 1)."""
    if len(stride) == 1:
        output_padding, stride, dilation = (0, *output_padding), (1, *stride), (1, *dilation)
    if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation,
                                                   strict=True)):
        names = ("height", "width")
        parts = [f"output_padding_{n}: {v}" for n, v in zip(names, output_padding, strict=True)]
        parts += [f"stride_{n}: {v}" for n, v in zip(names, stride, strict=True)]
        parts += [f"dilation_{n}: {v}" for n, v in zip(names, dilation, strict=True)]
        raise RuntimeError("output padding must be smaller than either stride or dilation, but "
                           f"got {' '.join(parts)}")


def _uses_onednn(dtype, input_shape, weight_shape, stride, dilation, groups):
    """Whether PyTorch's CPU convolution would run oneDNN (ATen's ``use_mkldnn`` heuristic on
    the 2-d shapes), which shows only in its messages (an output size below 1)."""
    from .._creation import get_num_threads

    n = input_shape[0]
    kernel_not_1x1 = weight_shape[-1] != 1 or weight_shape[-2] != 1
    worth = (any(s != 1 for s in stride) or any(d != 1 for d in dilation) or n >= 16
             or kernel_not_1x1 or get_num_threads() > 1)
    native_faster = not (groups > 1 or (weight_shape[-1] > 3 and weight_shape[-2] > 3)
                         or n > 1 or int(np.prod(input_shape)) > 20480)
    return dtype is _dt.float32 and worth and not native_faster


def convolution_transposed(input, weight, bias, stride, padding, output_padding, dilation,
                           groups):
    """ATen's ``convolution`` with ``transposed=True`` on a batched 1-d or 2-d input: the same
    node, ``ConvolutionBackward0``, saving ``transposed=True`` and the output padding."""
    if weight.dim() < 3:
        raise RuntimeError("weight should have at least three dimensions")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    k = weight.dim() - 2
    given = {name: tuple(v) for name, v in (("stride", stride), ("padding", padding),
                                            ("dilation", dilation),
                                            ("output_padding", output_padding))}
    stride = _expand_param(stride, "stride", k)
    padding = _expand_param(padding, "padding", k)
    dilation = _expand_param(dilation, "dilation", k)
    output_padding = _expand_param(output_padding, "output_padding", k)
    _check_conv(input, weight, bias, stride, padding, dilation, groups, output_padding)
    if k not in (1, 2):
        raise NotImplementedError("autogradviz has only 1-d and 2-d transposed convolutions "
                                  "yet")
    x, w = input._data, weight._data
    if k == 1:
        (x, w), (stride, padding, dilation) = _lift_1d((x, w), stride, padding, dilation)
        output_padding = (0, *output_padding)
    out_hw = [(size - 1) * s - 2 * p + d * (kk - 1) + op + 1 for size, s, p, d, kk, op
              in zip(x.shape[2:], stride, padding, dilation, w.shape[2:], output_padding,
                     strict=True)]
    if any(size <= 0 for size in out_hw):
        if _uses_onednn(input._dtype, x.shape, w.shape, stride, dilation, groups):
            raise RuntimeError("could not construct a memory descriptor using a format tag")
        raise RuntimeError(
            f"Given input size per channel: ({' x '.join(map(str, x.shape[2:]))}). "
            f"Calculated output size per channel: ({' x '.join(map(str, out_hw))}). Output "
            "size is too small")
    out = _conv_transpose_forward(x, w, None if bias is None else bias._data, stride, padding,
                                  output_padding, dilation, groups, input._dtype)
    if k == 1:
        out = np.ascontiguousarray(out[:, :, 0])
    else:
        out = _laid_out_as(out, input, weight)
    saved = {"bias_sym_sizes_opt": (0,) if bias is None else tuple(bias.shape),
             "dilation": given["dilation"], "groups": groups, "input": input,
             "output_padding": given["output_padding"], "padding": given["padding"],
             "stride": given["stride"], "transposed": True, "weight": weight}
    return tracked(_wrap(out, input._dtype), ConvolutionBackward0, (input, weight, bias),
                   saved)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """``F.conv_transpose1d`` on an (N, C, L) or unbatched (C, L) input."""
    if not isinstance(input, Tensor):
        raise TypeError(f"conv_transpose1d() received an invalid combination of arguments - "
                        f"got ({type(input).__name__}, ...)")
    if isinstance(padding, str):
        raise TypeError("conv_transpose1d(): argument 'padding' must be tuple of ints, not str")
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2D (unbatched) or 3D (batched) input to conv_transpose1d, "
                           f"but got input of size: {list(input.shape)}")
    unbatched = input.dim() == 2
    batched = input.unsqueeze(0) if unbatched else input
    out = convolution_transposed(batched, weight, bias, _as_single(stride),
                                 _as_single(padding), _as_single(output_padding),
                                 _as_single(dilation), groups)
    return out.squeeze(0) if unbatched else out


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """``F.conv_transpose2d`` on an (N, C, H, W) or unbatched (C, H, W) input."""
    if not isinstance(input, Tensor):
        raise TypeError(f"conv_transpose2d() received an invalid combination of arguments - "
                        f"got ({type(input).__name__}, ...)")
    if isinstance(padding, str):
        raise TypeError("conv_transpose2d(): argument 'padding' must be tuple of ints, not str")
    if input.dim() not in (3, 4):
        raise RuntimeError(f"Expected 3D (unbatched) or 4D (batched) input to conv_transpose2d, "
                           f"but got input of size: {list(input.shape)}")
    unbatched = input.dim() == 3
    batched = input.unsqueeze(0) if unbatched else input
    out = convolution_transposed(batched, weight, bias, _as_pair(stride), _as_pair(padding),
                                 _as_pair(output_padding), _as_pair(dilation), groups)
    return out.squeeze(0) if unbatched else out


_WARNED_SAME = []


def _same_padding(input, weight, stride, dilation, groups):
    """ATen's ``_convolution_mode`` for 'same': symmetric padding, the odd extra padded on
    the input's far side first."""
    k = weight.dim() - 2
    dilation = _expand_param(dilation, "dilation", k)
    if any(s != 1 for s in _expand_param(stride, "stride", k)):
        raise RuntimeError("padding='same' is not supported for strided convolutions")
    left, pad_nd = [], [0] * (2 * k)
    for i in range(k):
        total = dilation[i] * (weight.shape[i + 2] - 1)
        lo = total // 2
        left.append(lo)
        if total - lo != lo:
            pad_nd[2 * (k - 1 - i) + 1] = total - 2 * lo
    if any(pad_nd) and not _WARNED_SAME:
        _WARNED_SAME.append(True)  # PyTorch warns once per process
        warnings.warn("Using padding='same' with even kernel lengths and odd dilation may "
                      "require a zero-padded copy of the input be created (Triggered "
                      "internally at /__w/pytorch/pytorch/aten/src/ATen/native/"
                      "Convolution.cpp:1101.)", UserWarning, stacklevel=4)
    if any(pad_nd):
        from ..nn.functional import _constant_pad_nd

        return _constant_pad_nd(input, tuple(pad_nd), 0), tuple(left)
    return input, tuple(left)


def _conv_nd(name, spatial, as_tuple, input, weight, bias, stride, padding, dilation, groups):
    """``F.conv1d``/``F.conv2d``: a batched or unbatched input checked as PyTorch checks it, the
    string paddings resolved, then ATen's ``convolution``."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}() received an invalid combination of arguments - got "
                        f"({type(input).__name__}, ...)")
    if input.dim() not in (spatial + 1, spatial + 2):
        raise RuntimeError(f"Expected {spatial + 1}D (unbatched) or {spatial + 2}D (batched) "
                           f"input to {name}, but got input of size: {list(input.shape)}")
    unbatched = input.dim() == spatial + 1
    batched = input.unsqueeze(0) if unbatched else input
    stride, dilation = as_tuple(stride), as_tuple(dilation)
    if isinstance(padding, str):
        if padding == "valid":
            padding = (0,)
        elif padding == "same":
            batched, padding = _same_padding(batched, weight, stride, dilation, groups)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        padding = as_tuple(padding)
    out = convolution(batched, weight, bias, stride, padding, dilation, groups)
    return out.squeeze(0) if unbatched else out


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """``F.conv2d`` on an (N, C, H, W) or unbatched (C, H, W) input."""
    return _conv_nd("conv2d", 2, _as_pair, input, weight, bias, stride, padding, dilation,
                    groups)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """``F.conv1d`` on an (N, C, L) or unbatched (C, L) input: ATen's ``convolution`` with a
    3-d weight (``ConvolutionBackward0`` saving one stride, padding, dilation)."""
    return _conv_nd("conv1d", 1, _as_single, input, weight, bias, stride, padding, dilation,
                    groups)


def _as_single(value):
    """What ``F.conv1d``'s binding makes of an int: ``[v]``."""
    return (value,) if isinstance(value, int) else tuple(value)


# ---------------------------------------------------------------------- pooling
def _pool_param(value, name, fn, default=None):
    if value is None or (not isinstance(value, int) and len(value) == 0):
        return default
    if isinstance(value, int):
        return (value, value)
    value = tuple(int(v) for v in value)
    if len(value) == 1:
        return value * 2
    if len(value) != 2:
        what = {"kernel_size": "kernel_size must either be a single int, or a tuple of two "
                               "ints",
                "stride": "stride must either be omitted, a single int, or a tuple of two "
                          "ints",
                "padding": "padding must either be a single int, or a tuple of two ints",
                "dilation": "dilation must be either a single int, or a tuple of two ints"}
        raise RuntimeError(f"{fn}: {what[name]}")
    return value


def _pool_out(size, k, p, s, d, ceil_mode):
    """ATen's ``pooling_output_shape``."""
    num = size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    out = num // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _pool_shapes(input, fn, kernel_size, stride, padding, dilation, ceil_mode):
    kernel = _pool_param(kernel_size, "kernel_size", fn)
    stride_t = _pool_param(stride, "stride", fn, default=kernel)
    pad = _pool_param(padding, "padding", fn)
    dil = _pool_param(dilation, "dilation", fn)
    if any(k <= 0 for k in kernel):
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: {kernel[0]} "
                           f"kW: {kernel[1]}")
    if any(s <= 0 for s in stride_t):
        raise RuntimeError("stride should not be zero")
    if any(d <= 0 for d in dil):
        raise RuntimeError(f"dilation should be greater than zero, but got dilationH: {dil[0]} "
                           f"dilationW: {dil[1]}")
    if input.dim() not in (3, 4) or any(s == 0 for s in input.shape[1:]):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    for p, k, d in zip(pad, kernel, dil, strict=True):
        if p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={p}, kernel_size={k} and dilation={d}")
    h, w = input.shape[-2:]
    ho = _pool_out(h, kernel[0], pad[0], stride_t[0], dil[0], ceil_mode)
    wo = _pool_out(w, kernel[1], pad[1], stride_t[1], dil[1], ceil_mode)
    if ho < 1 or wo < 1:
        c = input.shape[-3]
        raise RuntimeError(f"Given input size: ({c}x{h}x{w}). Calculated output size: "
                           f"({c}x{ho}x{wo}). Output size is too small")
    return kernel, stride_t, pad, dil, (ho, wo)


def _as_4d(x):
    return x if x.ndim == 4 else x[None]


def _pool_windows(x, kernel, stride, pad, dil, out_hw, fill):
    """Windows (N, C, Ho, Wo, kh, kw) of ``x`` padded with ``fill`` on every side as far as
    the last window reaches (ceil mode's windows may run past the padding)."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, pad, dil
    ho, wo = out_hw
    h, w = x.shape[2:]
    need_h = (ho - 1) * sh + (kh - 1) * dh + 1
    need_w = (wo - 1) * sw + (kw - 1) * dw + 1
    xp = np.pad(x, ((0, 0), (0, 0), (ph, max(need_h - h - ph, 0)),
                    (pw, max(need_w - w - pw, 0))), constant_values=fill)
    return _windows(xp, kernel, stride, dil)[:, :, :ho, :wo]


@rule_helper
def max_pool2d_backward(grad, self, indices):
    """Each output's gradient added at its maximum's place."""
    _no_double_backward("max_pool2d", grad, self)
    dt = grad._dtype
    x = self._data
    g4 = _as_4d(grad._data)
    idx = _as_4d(indices._data)
    n, c, h, w = _as_4d(x).shape
    # Added in the dtype, output after output, as PyTorch's kernel adds them.
    out = np.zeros((n * c, h * w), dt.np)
    rows = np.repeat(np.arange(n * c), idx.shape[2] * idx.shape[3])
    np.add.at(out, (rows, idx.reshape(-1)), g4.reshape(-1))
    return _wrap(out.reshape(x.shape), dt)


MaxPool2DWithIndicesBackward0 = derivative(
    "MaxPool2DWithIndicesBackward0", inputs=("self",),
    saves=("ceil_mode", "dilation", "kernel_size", "padding", "result1", "self", "stride"),
    int64=("dilation", "kernel_size", "padding", "stride"),
    self="max_pool2d_backward(grad, self, result1)",
)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False):
    """ATen's ``max_pool2d_with_indices``: the maxima and their flat (h * W + w) places."""
    fn = "max_pool2d"
    kernel, stride_t, pad, dil, out_hw = _pool_shapes(input, fn, kernel_size, stride, padding,
                                                      dilation, ceil_mode)
    dt = input._dtype
    if dt is _dt.bool:
        raise NotImplementedError("\"max_pool2d\" not implemented for 'Bool'")
    x = _as_4d(input._data)
    h, w = x.shape[2:]
    low = -np.inf if dt.is_floating_point else np.iinfo(dt.np).min
    win = _pool_windows(x, kernel, stride_t, pad, dil, out_hw, low)
    n, c, ho, wo, kh, kw = win.shape
    flat = win.reshape(n, c, ho, wo, kh * kw)
    pos = flat.argmax(axis=-1)
    if dt.is_floating_point:
        nan = np.isnan(flat)
        if nan.any():  # PyTorch's kernel takes every NaN it meets: the last one wins
            last = kh * kw - 1 - nan[..., ::-1].argmax(axis=-1)
            pos = np.where(nan.any(axis=-1), last, pos)
    values = np.take_along_axis(flat, pos[..., None], axis=-1)[..., 0]
    if pad != (0, 0) and (values == low).any():
        # The kernel looks at the input's places only: of a window of lowest values, the
        # first inside the input (not the padding) is the maximum.
        inside = _pool_windows(np.ones((1, 1, h, w), bool), kernel, stride_t, pad, dil,
                               out_hw, False).reshape(1, 1, ho, wo, kh * kw)
        first = (inside & (flat == values[..., None])).argmax(axis=-1)
        pos = np.where(values == low, first, pos)
    # The window's place (i, j) back to the input's flat index.
    i, j = np.divmod(pos, kw)
    rows = np.arange(ho)[:, None] * stride_t[0] - pad[0] + i * dil[0]
    cols = np.arange(wo)[None, :] * stride_t[1] - pad[1] + j * dil[1]
    indices = (rows * w + cols).astype(np.int64)
    shape = (*input.shape[:-2], ho, wo)
    out = _wrap(_laid_out_as(values.reshape(shape), input), dt)
    indices = _wrap(_laid_out_as(indices.reshape(shape), input), _dt.int64)
    saved = {"ceil_mode": ceil_mode, "dilation": dil, "kernel_size": kernel,
             "padding": pad, "result1": indices, "self": input,
             "stride": () if stride is None or stride == () or stride == [] else stride_t}
    tracked(out, MaxPool2DWithIndicesBackward0, (input,), saved)
    return out, indices


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    out, indices = max_pool2d_with_indices(input, kernel_size, stride, padding, dilation,
                                           ceil_mode)
    return (out, indices) if return_indices else out


def _avg_divisors(h, w, kernel, stride, pad, out_hw, count_include_pad, divisor_override):
    """Each output's divisor, as PyTorch's CPU kernel computes it."""
    ho, wo = out_hw

    def spans(size, k, s, p, n):
        start = np.arange(n) * s - p
        end = np.minimum(start + k, size + p)
        full = end - start
        return full, np.minimum(end, size) - np.maximum(start, 0)

    fh, vh = spans(h, kernel[0], stride[0], pad[0], ho)
    fw, vw = spans(w, kernel[1], stride[1], pad[1], wo)
    if divisor_override:
        return np.full((ho, wo), divisor_override, np.int64)
    if count_include_pad:
        return fh[:, None] * fw[None, :]
    return vh[:, None] * vw[None, :]


@rule_helper
def avg_pool2d_backward(grad, self, kernel_size, stride, padding, ceil_mode, count_include_pad,
                        divisor_override):
    """Each output's gradient, divided by its divisor, added over its window in the dtype,
    output after output, as PyTorch's kernel adds them."""
    _no_double_backward("avg_pool2d", grad, self)
    dt = grad._dtype
    x = _as_4d(self._data)
    h, w = x.shape[2:]
    stride = stride or kernel_size
    g = _as_4d(grad._data)
    ho, wo = g.shape[2:]
    div = _avg_divisors(h, w, kernel_size, stride, padding, (ho, wo), count_include_pad,
                        divisor_override)
    share = (g / div.astype(dt.np)).astype(dt.np)
    (kh, kw), (sh, sw), (ph, pw) = kernel_size, stride, padding
    hp = max((ho - 1) * sh + kh, h + ph) + ph
    wp = max((wo - 1) * sw + kw, w + pw) + pw
    gx = np.zeros((*x.shape[:2], hp, wp), dt.np)
    # A place gets its shares from outputs in (row, column) order: the last kernel offsets
    # first (a later offset of the same place belongs to an earlier output).
    for i in reversed(range(kh)):
        for j in reversed(range(kw)):
            gx[:, :, i:i + sh * (ho - 1) + 1:sh, j:j + sw * (wo - 1) + 1:sw] += share
    gx = gx[:, :, ph:ph + h, pw:pw + w].reshape(self.shape)
    return _wrap(np.ascontiguousarray(gx), dt)


AvgPool2DBackward0 = derivative(
    "AvgPool2DBackward0", inputs=("self",),
    saves=("ceil_mode", "count_include_pad", "divisor_override", "kernel_size", "padding",
           "self", "stride"),
    int64=("kernel_size", "padding", "stride"),
    self="avg_pool2d_backward(grad, self, kernel_size, stride, padding, ceil_mode, "
         "count_include_pad, divisor_override)",
)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    fn = "avg_pool2d"
    kernel, stride_t, pad, dil, out_hw = _pool_shapes(input, fn, kernel_size, stride, padding,
                                                      1, ceil_mode)
    dt = input._dtype
    if not dt.is_floating_point and dt is not _dt.int64:
        raise NotImplementedError(f"\"avg_pool2d\" not implemented for "
                                  f"'{_dt.SCALAR_TYPE_NAMES[dt]}'")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    x = _as_4d(input._data)
    h, w = x.shape[2:]
    win = _pool_windows(x, kernel, stride_t, pad, dil, out_hw, 0)
    acc = np.float32 if dt is _dt.float16 else dt.np  # the kernel's op-math type
    total = np.zeros(win.shape[:4], acc)
    for i in range(kernel[0]):  # the kernel's order: rows, then columns, in the dtype
        for j in range(kernel[1]):
            total = total + win[..., i, j].astype(acc, copy=False)
    div = _avg_divisors(h, w, kernel, stride_t, pad, out_hw, count_include_pad,
                        divisor_override)
    if dt.is_floating_point:
        out = (total / div.astype(acc)).astype(dt.np)
    else:
        out = np.sign(total) * (np.abs(total) // div)  # C++'s division: toward zero
    out = _wrap(_laid_out_as(out.reshape(input.shape[:-2] + out_hw), input), dt)
    saved = {"ceil_mode": ceil_mode, "count_include_pad": count_include_pad,
             "divisor_override": divisor_override, "kernel_size": kernel, "padding": pad,
             "self": input,
             "stride": () if stride is None or stride == () or stride == [] else stride_t}
    return tracked(out, AvgPool2DBackward0, (input,), saved)


# ---------------------------------------------------------------------- adaptive pooling
def _adaptive_spans(size, out):
    """Each output's window ``[start, end)`` along a dim: ATen's ``start_index``/``end_index``."""
    i = np.arange(out)
    return (i * size) // out, -((-(i + 1) * size) // out)


@rule_helper
def adaptive_avg_pool2d_backward(grad, self):
    """Each output's gradient, divided by its window's height then width (in the dtype), added
    to the window's places in the dtype, output after output, as PyTorch's kernel adds them."""
    _no_double_backward("adaptive_avg_pool2d", grad, self)
    for d in range(1, grad.dim()):
        if grad.shape[d] <= 0:
            raise RuntimeError(
                "adaptive_avg_pool2d_backward(): Expected grad_output to have non-zero size for "
                f"non-batch dimensions, but grad_output has sizes {list(grad.shape)} with "
                f"dimension {d} being empty")
    dt = grad._dtype
    g = _as_4d(grad._data)
    h, w = self.shape[-2:]
    ho, wo = g.shape[2:]
    (h0, h1), (w0, w1) = _adaptive_spans(h, ho), _adaptive_spans(w, wo)
    gx = np.zeros((*g.shape[:2], h, w), dt.np)
    for i in range(ho):
        kh = dt.np.type(h1[i] - h0[i])
        for j in range(wo):
            kw = dt.np.type(w1[j] - w0[j])
            gx[:, :, h0[i]:h1[i], w0[j]:w1[j]] += g[:, :, i:i + 1, j:j + 1] / kh / kw
    return _wrap(np.ascontiguousarray(gx.reshape(self.shape)), dt)


AdaptiveAvgPool2DBackward0 = derivative(
    "AdaptiveAvgPool2DBackward0", inputs=("self",), saves=("self",),
    self="adaptive_avg_pool2d_backward(grad, self)",
)


def _adaptive_avg_pool2d(input, output_size):
    """ATen's ``_adaptive_avg_pool2d``: the mean of each adaptive window."""
    nd = input.dim()
    if nd not in (3, 4):
        raise RuntimeError(f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got "
                           f"{list(input.shape)}")
    for d in (-2, -1):
        if input.shape[d] <= 0:
            raise RuntimeError(
                "adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch "
                f"dimensions, but input has sizes {list(input.shape)} with dimension {d + nd} "
                "being empty")
    dt = input._dtype
    if not dt.is_floating_point:
        raise NotImplementedError(f"\"adaptive_avg_pool2d\" not implemented for "
                                  f"'{_dt.SCALAR_TYPE_NAMES[dt]}'")
    acc = np.float32 if dt is _dt.float16 else dt.np.type
    x = _as_4d(input._data)
    h, w = x.shape[2:]
    ho, wo = output_size
    (h0, h1), (w0, w1) = _adaptive_spans(h, ho), _adaptive_spans(w, wo)
    out = np.empty((*x.shape[:2], ho, wo), dt.np)
    for i in range(ho):
        for j in range(wo):
            total = np.zeros(x.shape[:2], acc)
            for r in range(h0[i], h1[i]):  # the kernel's order: rows, then columns
                for c in range(w0[j], w1[j]):
                    total += x[:, :, r, c]
            kh, kw = acc(h1[i] - h0[i]), acc(w1[j] - w0[j])
            out[:, :, i, j] = total / kh / kw
    out = _wrap(_laid_out_as(out.reshape(*input.shape[:-2], ho, wo), input), dt)
    return tracked(out, AdaptiveAvgPool2DBackward0, (input,), {"self": input})


def adaptive_avg_pool2d(input, output_size):
    """ATen's ``adaptive_avg_pool2d`` (``output_size``: an int or two non-negative ints)."""
    size = (output_size, output_size) if isinstance(output_size, int) else tuple(output_size)
    if len(size) != 2:
        raise RuntimeError("adaptive_avg_pool2d: output_size must be 2")
    size = tuple(int(v) for v in size)
    if size[0] < 0 or size[1] < 0:
        raise RuntimeError("adaptive_avg_pool2d: elements of output_size must be greater than "
                           f"or equal to 0 but received {{{size[0]}, {size[1]}}}")
    if size == (1, 1):  # ATen: then adaptive pooling is a mean over the last two dims
        return input.mean((-1, -2), keepdim=True)
    return _adaptive_avg_pool2d(input, size)
