"""``nn.functional``: layers and losses as functions, built from autogradviz's operations.

Where PyTorch composes operations (``cross_entropy`` is ``log_softmax`` then ``nll_loss``,
``dropout`` is a multiplication by a mask) this module composes the same operations, so the
graph has the same nodes. Where PyTorch has a kernel with a backward node of its own
(``nll_loss`` -> ``NllLossBackward0``, ``mse_loss`` -> ``MseLossBackward0``, ``embedding``,
``pad``, the binary cross entropies) the node is declared here, beside the forward, with
PyTorch's name, saved values and rule (for convolution and pooling: in ``ops/conv.py``,
re-exported here). Forward values follow PyTorch's kernels' arithmetic
(``nll_loss`` sums with the kernel's cascade, in the tensor's dtype).
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .. import dtypes as _dt
from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import no_grad
from ..autograd.graph import derivative, rule_helper
from ..ops._backward import div_scalar, mul_scalar, zeros_like
from ..ops._common import scalar_as, tracked
from ..ops.conv import adaptive_avg_pool2d as _adaptive_avg_pool2d
from ..ops.conv import (
    avg_pool2d,
    conv1d,
    conv2d,
    conv_transpose1d,
    conv_transpose2d,
    max_pool2d,
    max_pool2d_with_indices,
)
from ..ops.elementwise import via_double
from ..ops.linalg import addmm, matmul
from ..ops.pooling import (
    adaptive_avg_pool1d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    avg_pool1d,
    max_pool1d,
    max_pool1d_with_indices,
)
from .normalization import (
    batch_norm,
    group_norm,
    instance_norm,
    layer_norm,
    local_response_norm,
    rms_norm,
)

__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "batch_norm",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "conv1d",
    "conv2d",
    "conv_transpose1d",
    "conv_transpose2d",
    "cross_entropy",
    "dropout",
    "embedding",
    "group_norm",
    "instance_norm",
    "layer_norm",
    "linear",
    "local_response_norm",
    "log_softmax",
    "max_pool1d",
    "max_pool1d_with_indices",
    "max_pool2d",
    "max_pool2d_with_indices",
    "mse_loss",
    "nll_loss",
    "one_hot",
    "pad",
    "relu",
    "relu_",
    "rms_norm",
    "sigmoid",
    "softmax",
    "tanh",
]

_NONE, _MEAN, _SUM = 0, 1, 2


# ---------------------------------------------------------------------- reductions
def _reduction_enum(reduction):
    """PyTorch's ``_Reduction.get_enum``."""
    if reduction == "none":
        return _NONE
    if reduction in ("mean", "elementwise_mean"):
        if reduction == "elementwise_mean":
            warnings.warn("reduction='elementwise_mean' is deprecated. Please use "
                          "reduction='mean' instead.", stacklevel=3)
        return _MEAN
    if reduction == "sum":
        return _SUM
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _legacy_reduction(size_average, reduce):
    """PyTorch's ``_Reduction.legacy_get_string``, with its deprecation warning."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use "
                  f"reduction='{ret}' instead.", stacklevel=3)
    return ret


def _reduction_of(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    return _reduction_enum(reduction)


def _apply_reduction(loss, reduction):
    """ATen's ``apply_loss_reduction``: ``mean()``, ``sum()`` or the elementwise loss."""
    if reduction == _MEAN:
        return loss.mean()
    if reduction == _SUM:
        return loss.sum()
    return loss


# ---------------------------------------------------------------------- scalar arithmetic
# ATen's ``tensor * scalar`` and ``tensor / scalar`` (MulBackward1, DivBackward1): the
# composite losses use them.
_mul_scalar = mul_scalar
_div_scalar = div_scalar


# ---------------------------------------------------------------------- linear
def _check_addmm(bias, input, weight):
    """The checks of ``addmm(bias, input, weight.t())`` PyTorch makes first, with its
    messages (``F.linear`` on a 2-D input is that call)."""
    names = _dt.SCALAR_TYPE_NAMES
    if input._dtype is not weight._dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                           f"{names[input._dtype]} and {names[weight._dtype]}")
    if bias._dtype is not weight._dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                           f"{names[bias._dtype]} and {names[weight._dtype]}")
    if weight.dim() == 2 and input.dim() == 2 and input.shape[1] == weight.shape[1]:
        with no_grad():  # only for expand's error (a view made here records no node)
            bias.expand(input.shape[0], weight.shape[0])


def linear(input, weight, bias=None):
    """``input @ weight.T + bias`` as PyTorch computes it: ``addmm`` for a 2-D input
    (AddmmBackward0); a contiguous input of other rank is flattened to 2-D around the addmm
    (ViewBackward0 on both sides); otherwise ``matmul`` then ``add_`` of the bias."""
    if not isinstance(input, Tensor):
        raise TypeError(f"linear(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    nd = input.dim()
    if nd == 0 or weight.dim() == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are "
                           f"{nd}D and {weight.dim()}D")
    if bias is not None and nd == 2:
        _check_addmm(bias, input, weight)
        return addmm(bias, input, weight.t())
    if bias is not None and nd >= 1 and input.is_contiguous() and (nd == 3 or bias.dim() == 1):
        sizes = input.shape
        flat = input.reshape(math.prod(sizes[:-1]), sizes[-1])
        _check_addmm(bias, flat, weight)
        result = addmm(bias, flat, weight.t())
        return result.view(*sizes[:-1], result.shape[1])
    output = matmul(input, weight.t())
    if bias is not None:
        output.add_(bias)
    return output


# ---------------------------------------------------------------------- activations
def relu(input, inplace=False):
    return input.relu_() if inplace else input.relu()


def relu_(input):
    return input.relu_()


def sigmoid(input):
    return input.sigmoid()


def tanh(input):
    return input.tanh()


def _get_softmax_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  "to include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _get_softmax_dim("softmax", input.dim(), _stacklevel)
    return input.softmax(dim) if dtype is None else input.softmax(dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _get_softmax_dim("log_softmax", input.dim(), _stacklevel)
    return input.log_softmax(dim) if dtype is None else input.log_softmax(dim, dtype=dtype)


# ---------------------------------------------------------------------- dropout
def dropout(input, p=0.5, training=True, inplace=False):
    """In training, ``input * (bernoulli_(1 - p) / (1 - p))`` (MulBackward0), drawing one
    float64 uniform per element as PyTorch's CPU kernel does; otherwise ``input`` itself."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if p == 0 or not training or input.numel() == 0:
        return input
    if p == 1:
        zero = _wrap(np.zeros((), input._dtype.np), input._dtype)
        return input.mul_(zero) if inplace else input * zero
    noise = _wrap(np.empty(input._data.shape, input._dtype.np), input._dtype)
    noise.bernoulli_(1 - p)
    noise.div_(1 - p)
    return input.mul_(noise) if inplace else input * noise


# ---------------------------------------------------------------------- nll_loss
@rule_helper
def nll_loss_backward(grad, self, target, weight, reduction, ignore_index, total_weight):
    """PyTorch's kernel: ``-weight[t] * grad`` (divided by the total weight for 'mean') at each
    sample's target class, zero elsewhere and for ignored samples."""
    class_dim = 0 if self.dim() == 1 else 1
    t = target._data.astype(np.int64, copy=False)
    if self.dim() == 1:
        t = t.reshape(())  # one sample (its target may be given as a 1-element vector)
    kept = t != ignore_index
    safe = np.where(kept, t, 0)
    g = -(grad / total_weight) if reduction == _MEAN else -grad
    if weight is not None:
        g = g * _wrap(weight._data[safe], weight._dtype)
    g = g.expand(t.shape) if tuple(g.shape) != t.shape else g
    if not kept.all():
        g = g.masked_fill(_wrap(~kept, _dt.bool), 0)
    index = _wrap(safe, _dt.int64).unsqueeze(class_dim)
    return zeros_like(self).scatter(class_dim, index, g.unsqueeze(class_dim))


_NLL_SAVES = ("ignore_index", "reduction", "self", "target", "total_weight", "weight")
NllLossBackward0 = derivative(
    "NllLossBackward0", inputs=("self",), saves=_NLL_SAVES, int64=("ignore_index",),
    self="nll_loss_backward(grad, self, target, weight, reduction, ignore_index, total_weight)",
)
NllLoss2DBackward0 = derivative(
    "NllLoss2DBackward0", inputs=("self",), saves=_NLL_SAVES, int64=("ignore_index",),
    self="nll_loss_backward(grad, self, target, weight, reduction, ignore_index, total_weight)",
)


def _ceil_log2(n):
    return 1 if n <= 2 else (n - 1).bit_length()


def _cascade_sums(picked, weights, kept):
    """The loss and weight totals of PyTorch's nll_loss kernels: partial sums on 8 levels,
    level ``j`` flushed into ``j + 1`` after each kept sample whose index is a multiple of
    ``16**(j+1)``, then the levels added in order; all in the tensor's dtype."""
    n = picked.shape[0]
    zero = picked.dtype.type(0)
    levels = 8
    power = max(4, _ceil_log2(n) // levels)
    mask = (1 << power) - 1
    loss = [zero] * levels
    wsum = [zero] * levels
    vals = picked.tolist()
    ws = None if weights is None else weights.tolist()
    typ = picked.dtype.type
    for b in np.flatnonzero(kept).tolist():
        loss[0] = typ(loss[0] - typ(vals[b]))
        if ws is not None:
            wsum[0] = typ(wsum[0] + typ(ws[b]))
        for j in range(levels - 1):
            if b & (mask << (j * power)):
                break
            loss[j + 1] = typ(loss[j + 1] + loss[j])
            wsum[j + 1] = typ(wsum[j + 1] + wsum[j])
            loss[j] = zero
            wsum[j] = zero
    total, wtotal = zero, zero
    for v, w in zip(loss, wsum, strict=True):
        total = typ(total + v)
        wtotal = typ(wtotal + w)
    return total, (wtotal if ws is not None else typ(int(kept.sum())))


def _nll_core(input, target, weight, reduction, ignore_index, node):
    """nll_loss / nll_loss2d on (N, C, ...) or (C,) input; samples in (batch, spatial) order."""
    x = input._data
    dt = input._dtype
    class_dim = 0 if x.ndim == 1 else 1
    n_classes = x.shape[class_dim]
    if target._dtype not in (_dt.int64, _dt.uint8):
        raise RuntimeError("expected target dtype to be Long or Byte, but got "
                           f"{_dt.SCALAR_TYPE_NAMES[target._dtype]}")
    if weight is not None and (weight.dim() != 1 or weight.numel() != n_classes):
        raise RuntimeError(
            f"weight tensor should be defined either for all {n_classes} classes or no classes "
            f"but got weight tensor of shape: {list(weight.shape)}")
    if weight is not None and weight._dtype is not dt:
        raise RuntimeError(f"expected scalar type {_dt.SCALAR_TYPE_NAMES[dt]} but found "
                           f"{_dt.SCALAR_TYPE_NAMES[weight._dtype]}")
    t = target._data.astype(np.int64, copy=False)
    if x.ndim == 1:
        t = t.reshape(())  # one sample: the result is 0-d
    rows = np.moveaxis(x, class_dim, -1).reshape(-1, n_classes) if x.size or x.ndim > 1 else (
        x.reshape(-1, n_classes))
    flat_t = t.reshape(-1)
    kept = flat_t != ignore_index
    bad = kept & ((flat_t < 0) | (flat_t >= n_classes))
    if bad.any():
        raise IndexError(f"Target {flat_t[np.argmax(bad)]} is out of bounds.")
    safe = np.where(kept, flat_t, 0)
    picked = rows[np.arange(rows.shape[0]), safe] if rows.shape[0] else rows[:0, 0]
    w = None if weight is None else weight._data.astype(dt.np, copy=False)[safe]
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if reduction == _NONE:
            vals = -picked * w if w is not None else -picked
            out = np.where(kept, vals, dt.np.type(0)).astype(dt.np).reshape(t.shape)
            total_weight = np.zeros((), dt.np)
        else:
            prod = (picked * w).astype(dt.np) if w is not None else picked
            total, tw = _cascade_sums(prod, w, kept)
            out = np.asarray(total / tw if reduction == _MEAN else total, dt.np)
            total_weight = np.asarray(tw, dt.np)
    result = _wrap(np.array(out, dt.np, order="C"), dt)
    saved = {"ignore_index": ignore_index, "reduction": reduction, "self": input,
             "target": target, "total_weight": _wrap(total_weight, dt), "weight": weight}
    return tracked(result, node, (input,), saved)


def _nll_loss(input, target, weight, reduction, ignore_index):
    """ATen's nll_loss (1-D or 2-D input), with its checks."""
    if not 0 < input.dim() <= 2:
        raise RuntimeError("input tensor should be 1D or 2D")
    if target.dim() > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    no_batch_dim = input.dim() == 1 and (target.dim() == 0 or target.shape[0] == 1)
    if not (no_batch_dim or input.shape[0] == target.shape[0]):
        raise RuntimeError(f"size mismatch (got input: {list(input.shape)}, target: "
                           f"{list(target.shape)})")
    return _nll_core(input, target, weight, reduction, ignore_index, NllLossBackward0)


def _nll_loss2d(input, target, weight, reduction, ignore_index):
    if target.dim() != 3:
        raise RuntimeError("only batches of spatial targets supported (3D tensors) but got "
                           f"targets of dimension: {target.dim()}")
    if input.dim() != 4:
        raise RuntimeError("only batches of spatial inputs supported (4D tensors), but got "
                           f"input of dimension: {input.dim()}")
    if (input.shape[0] != target.shape[0] or input.shape[2] != target.shape[1]
            or input.shape[3] != target.shape[2]):
        raise RuntimeError(f"input and target batch or spatial sizes don't match: target "
                           f"{list(target.shape)}, input {list(input.shape)}")
    return _nll_core(input, target, weight, reduction, ignore_index, NllLoss2DBackward0)


def _nll_loss_nd(input, target, weight, reduction, ignore_index):
    """ATen's ``nll_loss_nd``: nll_loss for 1-D/2-D input, nll_loss2d for 4-D, and other ranks
    viewed as 4-D around nll_loss2d."""
    nd = input.dim()
    if nd < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {nd})")
    if nd != 1 and input.shape[0] != target.shape[0]:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                         f"batch_size ({target.shape[0]}).")
    if nd == 1 and target.dim() == 1 and target.shape[0] != 1:
        raise ValueError("For 1D input, 1D target must have size 1, but got target size: "
                         f"{target.shape[0]}")
    if nd in (1, 2):
        return _nll_loss(input, target, weight, reduction, ignore_index)
    if nd == 4:
        return _nll_loss2d(input, target, weight, reduction, ignore_index)
    n, c = input.shape[0], input.shape[1]
    out_size = [n, *input.shape[2:]]
    if tuple(target.shape[1:]) != tuple(input.shape[2:]):
        raise RuntimeError(f"Expected target size {out_size}, got {list(target.shape)}")
    inp = input.contiguous()
    inp = inp.view(n, c, 1, -1) if inp.numel() > 0 else inp.view(n, c, 0, 0)
    tgt = target.contiguous()
    tgt = tgt.view(n, 1, -1) if tgt.numel() > 0 else tgt.view(n, 0, 0)
    ret = _nll_loss2d(inp, tgt, weight, reduction, ignore_index)
    return ret.view(out_size) if reduction == _NONE else ret


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    r = _reduction_of(size_average, reduce, reduction)
    return _nll_loss_nd(input, target, weight, r, ignore_index)


# ---------------------------------------------------------------------- cross_entropy
def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean", label_smoothing=0.0):
    """``nll_loss(log_softmax(input, class_dim), target)``; class probabilities as target
    (same shape as input) and label smoothing compose the operations ATen composes."""
    r = _reduction_of(size_average, reduce, reduction)
    class_dim = 0 if input.dim() == 1 else 1
    if tuple(input.shape) == tuple(target.shape):
        if not target.is_floating_point():
            raise RuntimeError("Expected floating point type for target with class "
                               f"probabilities, got {_dt.SCALAR_TYPE_NAMES[target._dtype]}")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        return _cross_entropy_prob_target(input, target, weight, r, label_smoothing)
    if label_smoothing > 0.0:
        if label_smoothing > 1.0:
            raise RuntimeError("label_smoothing must be between 0.0 and 1.0. Got: "
                               f"{label_smoothing}")
        return _cross_entropy_label_smoothing(input, target, weight, r, ignore_index,
                                              label_smoothing)
    return _nll_loss_nd(input.log_softmax(class_dim), target, weight, r, ignore_index)


def _class_weight(weight, input, class_dim):
    """``weight`` viewed to broadcast along the class dim of ``input``."""
    if input.dim() <= 1:
        return weight
    shape = [1] * input.dim()
    shape[class_dim] = weight.shape[0]
    return weight.view(shape)


def _cross_entropy_prob_target(self, target, weight, reduction, label_smoothing):
    class_dim = 0 if self.dim() == 1 else 1
    n_classes = self.shape[class_dim]
    if weight is not None and (weight.dim() != 1 or weight.numel() != n_classes):
        raise RuntimeError(
            f"weight tensor should be defined either for all {n_classes} classes or no classes "
            f"but got weight tensor of shape: {list(weight.shape)}")
    logp = self.log_softmax(class_dim)
    if label_smoothing > 0.0:
        if label_smoothing > 1.0:
            raise RuntimeError("label_smoothing must be between 0.0 and 1.0. Got: "
                               f"{label_smoothing}")
        target = target * (1 - label_smoothing) + (label_smoothing / n_classes)
    prod = logp * target
    if weight is not None:
        prod = prod * _class_weight(weight, logp, class_dim)
    if reduction == _NONE:
        return -prod.sum(class_dim)
    total = -prod.sum()
    if reduction == _SUM:
        return total
    if logp.numel() == 0:
        return total.fill_(math.nan)
    return _div_scalar(total, logp.numel() // n_classes)


def _cross_entropy_label_smoothing(self, target, weight, reduction, ignore_index,
                                   label_smoothing):
    class_dim = 0 if self.dim() == 1 else 1
    logp = self.log_softmax(class_dim)
    nllloss = _nll_loss_nd(logp, target, weight, reduction, ignore_index)
    n_classes = logp.shape[class_dim]
    if weight is not None:
        smooth_loss = -(logp * _class_weight(weight, logp, class_dim)).sum(class_dim)
    else:
        smooth_loss = -logp.sum(class_dim)
    ignore_mask = target == ignore_index
    smooth_loss.masked_fill_(ignore_mask, 0.0)
    if reduction == _MEAN:
        if weight is not None:
            ret = smooth_loss.sum() / weight.gather(
                0, target.masked_select(~ignore_mask).flatten()).sum()
        else:
            ret = smooth_loss.sum() / (~ignore_mask).sum()
    elif reduction == _SUM:
        ret = smooth_loss.sum()
    else:
        ret = smooth_loss
    return _mul_scalar(nllloss, 1 - label_smoothing) + _mul_scalar(ret, label_smoothing /
                                                                     n_classes)


# ---------------------------------------------------------------------- mse_loss
@rule_helper
def mse_loss_backward(grad, self, target, reduction):
    """``norm * (self - target) * grad``, norm = 2 (divided by the count for 'mean')."""
    norm = 2.0 / self.numel() if reduction == _MEAN else 2.0
    return norm * (self - target) * grad


MseLossBackward0 = derivative(
    "MseLossBackward0", inputs=("self", "target"), saves=("reduction", "self", "target"),
    self="mse_loss_backward(grad, self, target, reduction)",
    target="mse_loss_backward(grad, target, self, reduction)",
)


def _broadcast_pair(a, b):
    """``torch.broadcast_tensors`` for two tensors: only those whose shape changes are
    expanded (ExpandBackward0); the others come back as they are."""
    shape = tuple(np.broadcast_shapes(a._data.shape, b._data.shape))
    return (a if a._data.shape == shape else a.expand(shape),
            b if b._data.shape == shape else b.expand(shape))


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input "
                      f"size ({input.size()}). This will likely lead to incorrect results due "
                      "to broadcasting. Please ensure they have the same size.", stacklevel=2)
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    try:
        expanded_input, expanded_target = _broadcast_pair(input, target)
    except ValueError:
        from ..ops._common import broadcast_error

        raise broadcast_error(input.shape, target.shape) from None
    if weight is not None:
        if weight.shape != input.shape:
            raise ValueError("Weights and input must have the same size.")
        weighted = (expanded_input - expanded_target).pow(2) * weight
        if reduction == "none":
            return weighted
        if reduction == "sum":
            return weighted.sum()
        if reduction == "mean":
            return weighted.sum() / weight.sum()
        raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', "
                         "'mean', 'sum'.")
    r = _reduction_enum(reduction)
    with no_grad():  # the operands promote as in any binary operation
        diff = expanded_input - expanded_target
        loss = _apply_reduction(diff * diff, r)
    saved = {"reduction": r, "self": expanded_input, "target": expanded_target}
    return tracked(loss, MseLossBackward0, (expanded_input, expanded_target), saved)


# ---------------------------------------------------------------------- binary cross entropy
@rule_helper
def binary_cross_entropy_backward(grad, self, target, weight, reduction):
    """``grad * (x - y) / max((1 - x) * x, 1e-12)``, times the weight, over the count for
    'mean' (PyTorch's kernel)."""
    g = grad * (self - target) / ((1 - self) * self).clamp_min(1e-12)
    if weight is not None:
        g = g * weight
    return g / self.numel() if reduction == _MEAN else g


@rule_helper
def binary_cross_entropy_target_backward(grad, self, target, weight, reduction):
    g = -(self / (1 - self)).log() * grad  # -logit(x) * grad
    if weight is not None:
        g = g * weight
    return g / target.numel() if reduction == _MEAN else g


BinaryCrossEntropyBackward0 = derivative(
    "BinaryCrossEntropyBackward0", inputs=("self", "target"),
    saves=("reduction", "self", "target", "weight"),
    self="binary_cross_entropy_backward(grad, self, target, weight, reduction)",
    target="binary_cross_entropy_target_backward(grad, self, target, weight, reduction)",
)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    r = _reduction_of(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.size()}) that is different to the "
                         f"input size ({input.size()}) is deprecated. Please ensure they have "
                         "the same size.")
    if weight is not None:
        weight = weight.expand(tuple(np.broadcast_shapes(target._data.shape,
                                                         weight._data.shape)))
    x, y = input._data, target._data
    if input._dtype is not target._dtype:
        raise RuntimeError(f"Found dtype {_dt.SCALAR_TYPE_NAMES[target._dtype]} but expected "
                           f"{_dt.SCALAR_TYPE_NAMES[input._dtype]}")
    if not np.all((x >= 0) & (x <= 1)):
        raise RuntimeError("all elements of input should be between 0 and 1")
    if not np.all((y >= 0) & (y <= 1)):
        raise RuntimeError("all elements of target should be between 0 and 1")
    # (y - 1) * max(log1p(-x), -100) - y * max(log(x), -100), each step rounded to the dtype.
    with np.errstate(divide="ignore", invalid="ignore"):
        one = x.dtype.type(1)
        low = x.dtype.type(-100)
        log1m = np.maximum(via_double(np.log1p, -x).astype(x.dtype, copy=False), low)
        logx = np.maximum(via_double(np.log, x).astype(x.dtype, copy=False), low)
        arr = (y - one) * log1m - y * logx
    with no_grad():
        loss = _wrap(np.asarray(arr, x.dtype), input._dtype)
        if weight is not None:
            loss = loss * weight
        loss = _apply_reduction(loss, r)
    saved = {"reduction": r, "self": input, "target": target, "weight": weight}
    return tracked(loss, BinaryCrossEntropyBackward0, (input, target), saved)


@rule_helper
def log_sigmoid(x):
    """``log(sigmoid(x))`` computed stably: ``-(m + log(exp(-m) + exp(-x - m)))``,
    ``m = max(-x, 0)`` (PyTorch's CPU kernel)."""
    m = (-x).clamp_min(0)
    return -(m + ((-m).exp() + (-x - m).exp()).log())


@rule_helper
def binary_cross_entropy_with_logits_backward(grad, self, target, weight, pos_weight,
                                              reduction):
    if pos_weight is not None:
        t = pos_weight * target
        g = (t + 1 - target) * self.sigmoid() - t
    else:
        g = self.sigmoid() - target
    g = g * grad
    if weight is not None:
        g = g * weight
    return g / self.numel() if reduction == _MEAN else g


@rule_helper
def binary_cross_entropy_with_logits_target_backward(grad, self, target, weight, pos_weight,
                                                     reduction):
    if pos_weight is not None:
        g = log_sigmoid(-self) - log_sigmoid(self) * pos_weight
    else:
        g = -self
    g = g * grad
    if weight is not None:
        g = g * weight
    return g / target.numel() if reduction == _MEAN else g


BinaryCrossEntropyWithLogitsBackward0 = derivative(
    "BinaryCrossEntropyWithLogitsBackward0", inputs=("self", "target"),
    saves=("pos_weight", "reduction", "self", "target", "weight"),
    self="binary_cross_entropy_with_logits_backward(grad, self, target, weight, pos_weight, "
         "reduction)",
    target="binary_cross_entropy_with_logits_target_backward(grad, self, target, weight, "
           "pos_weight, reduction)",
)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
                                     reduce=None, reduction="mean", pos_weight=None):
    r = _reduction_of(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.size()}) must be the same as input size "
                         f"({input.size()})")
    with no_grad():
        # log_sigmoid(x) = min(x, 0) - log1p(exp(-|x|)), evaluated in float64 and rounded once
        # (PyTorch's SLEEF kernel is within an ulp of that), then ATen's composite.
        x = input._data
        x64 = x.astype(np.float64)
        with np.errstate(over="ignore", invalid="ignore"):
            ls = np.minimum(x64, 0.0) - np.log1p(np.exp(-np.abs(x64)))
        log_sig = _wrap(np.asarray(ls.astype(x.dtype, copy=False)), input._dtype)
        # ATen's steps, in place where it writes in place (so its dtype errors come too).
        if pos_weight is not None:
            log_sig.mul_((pos_weight - 1).mul(target).add_(1))
        loss = (1 - target).mul_(input).sub_(log_sig)
        if weight is not None:
            loss.mul_(weight)
        loss = _apply_reduction(loss, r)
    saved = {"pos_weight": pos_weight, "reduction": r, "self": input, "target": target,
             "weight": weight}
    return tracked(loss, BinaryCrossEntropyWithLogitsBackward0, (input, target), saved)


# ---------------------------------------------------------------------- embedding
@rule_helper
def embedding_backward(grad, indices, num_weights, padding_idx, scale_grad_by_freq, sparse):
    """Rows of ``grad`` added into a zero (num_weights, dim) gradient at their indices, in
    order (rows of ``padding_idx`` skipped; each divided by its index's count if asked)."""
    idx = indices._data.reshape(-1).astype(np.int64, copy=False)
    dim = grad.shape[-1]
    rows = grad.reshape(idx.size, dim)
    keep = idx != padding_idx
    if not keep.all():
        rows = rows.index_select(0, _wrap(np.flatnonzero(keep), _dt.int64))
        idx = idx[keep]
    if scale_grad_by_freq:
        counts = np.bincount(idx, minlength=num_weights)
        scale = (1.0 / counts[idx]).astype(grad._dtype.np)
        rows = rows * _wrap(scale[:, None], grad._dtype)
    out = _wrap(np.zeros((num_weights, dim), grad._dtype.np), grad._dtype)
    return out.index_add(0, _wrap(idx, _dt.int64), rows)


EmbeddingBackward0 = derivative(
    "EmbeddingBackward0", inputs=("weight",),
    saves=("indices", "padding_idx", "scale_grad_by_freq", "sparse", "weight_sym_argsize_0"),
    int64=("padding_idx",),
    weight="embedding_backward(grad, indices, weight_sym_argsize_0, padding_idx, "
           "scale_grad_by_freq, sparse)",
)


def _embedding_renorm_(weight, input, max_norm, norm_type):
    """Rows that ``input`` selects whose norm exceeds ``max_norm`` are scaled down in place."""
    with no_grad():
        for i in np.unique(input._data.reshape(-1)).tolist():
            row = weight[i]
            norm = float(row.norm(norm_type).item())
            if norm > max_norm:
                row.mul_(max_norm / (norm + 1e-7))


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= weight.size(0):
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -weight.size(0):
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = weight.size(0) + padding_idx
    else:
        padding_idx = -1
    if input._dtype not in (_dt.int64, _dt.int32):
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {_dt.LEGACY_TYPE_NAMES[input._dtype]} instead (while "
            "checking arguments for embedding)")
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    if sparse:
        raise NotImplementedError("sparse gradients are not supported by autogradviz")
    if max_norm is not None:
        _embedding_renorm_(weight, input.contiguous(), max_norm, norm_type)
    idx = input._data.reshape(-1)
    n = weight.shape[0]
    if idx.size and ((idx < 0) | (idx >= n)).any():
        raise IndexError("index out of range in self")
    rows = weight._data[idx.astype(np.int64, copy=False)]
    result = _wrap(np.ascontiguousarray(rows).reshape(*input.shape, weight.shape[1]),
                   weight._dtype)
    saved = {"indices": input, "padding_idx": padding_idx,
             "scale_grad_by_freq": scale_grad_by_freq, "sparse": sparse,
             "weight_sym_argsize_0": n}
    return tracked(result, EmbeddingBackward0, (weight,), saved)


# ---------------------------------------------------------------------- one_hot, pad
def one_hot(tensor, num_classes=-1):
    if tensor._dtype is not _dt.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    t = tensor._data
    if t.size == 0:
        if num_classes <= 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        return _wrap(np.zeros((*t.shape, num_classes), np.int64), _dt.int64)
    if t.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        num_classes = int(t.max()) + 1
    elif t.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = (t[..., None] == np.arange(num_classes)).astype(np.int64)
    return _wrap(out, _dt.int64)


@rule_helper
def constant_pad_nd_backward(grad, pad):
    return _constant_pad_nd(grad, tuple(-p for p in pad), 0)


ConstantPadNdBackward0 = derivative(
    "ConstantPadNdBackward0", inputs=("self",), saves=("pad",), int64=("pad",),
    self="constant_pad_nd_backward(grad, pad)",
)


def _constant_pad_nd(input, pad, value):
    x = input._data
    nd = x.ndim
    if len(pad) % 2:
        raise RuntimeError(f"Length of pad must be even but instead it equals {len(pad)}")
    if len(pad) // 2 > nd:
        raise RuntimeError(f"Length of pad should be no more than twice the number of "
                           f"dimensions of the input. Pad length is {len(pad)} while the input "
                           f"has {nd} dimensions.")
    # PyTorch first narrows the input by the negative pads, outer dims first (so a crop
    # larger than the dim is narrow()'s error).
    for d in range(nd - len(pad) // 2, nd):
        size = x.shape[d]
        for p in pad[2 * (nd - d - 1):2 * (nd - d)]:
            if p < 0:
                size += p
                if size < 0:
                    raise RuntimeError("narrow(): length must be non-negative.")
    out_shape = list(x.shape)
    src = [slice(None)] * nd
    dst = [slice(None)] * nd
    for i in range(len(pad) // 2):
        d = nd - 1 - i
        lo, hi = pad[2 * i], pad[2 * i + 1]
        size = x.shape[d]
        out_shape[d] = size + lo + hi
        start, stop = max(-lo, 0), size - max(-hi, 0)
        length = max(stop - start, 0)
        src[d] = slice(start, start + length)
        dst[d] = slice(max(lo, 0), max(lo, 0) + length)
    out = np.full(out_shape, scalar_as(value, input._dtype), input._dtype.np)
    out[tuple(dst)] = x[tuple(src)]
    return tracked(_wrap(out, input._dtype), ConstantPadNdBackward0, (input,),
                   {"pad": tuple(pad)})


def pad(input, pad, mode="constant", value=None):
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.dim():
        raise RuntimeError(f"Padding length should be less than or equal to two times the "
                           f"input dimension but got padding length {len(pad)} and input of "
                           f"dimension {input.dim()}")
    if mode != "constant":
        raise NotImplementedError(f"pad mode '{mode}' is not supported by autogradviz yet "
                                  "(only 'constant')")
    return _constant_pad_nd(input, pad, 0.0 if value is None else value)


# ---------------------------------------------------------------------- adaptive pooling
def _list_with_default(out_size, defaults):
    """PyTorch's ``torch.nn.modules.utils._list_with_default``: ``None`` keeps the input's
    size."""
    if isinstance(out_size, int):
        return out_size
    if len(defaults) <= len(out_size):
        raise ValueError(f"Input dimension should be at least {len(out_size) + 1}")
    defaults = defaults[-len(out_size):]
    return [v if v is not None else d for v, d in zip(out_size, defaults, strict=True)]


def adaptive_avg_pool2d(input, output_size):
    """The mean over adaptive windows giving ``output_size`` (an int, or two, ``None`` for the
    input's size); an output size of 1 is ``mean`` over the last two dims, as in ATen."""
    return _adaptive_avg_pool2d(input, _list_with_default(output_size, list(input.shape)))


# ---------------------------------------------------------------------- more activations, distances
# and pointwise losses: modules of their own, imported last (they use the helpers above).
from .activations import (  # noqa: E402
    celu,
    celu_,
    elu,
    elu_,
    gelu,
    glu,
    hardshrink,
    hardsigmoid,
    hardswish,
    hardtanh,
    hardtanh_,
    leaky_relu,
    leaky_relu_,
    logsigmoid,
    mish,
    prelu,
    relu6,
    rrelu,
    rrelu_,
    selu,
    selu_,
    silu,
    softmin,
    softplus,
    softshrink,
    softsign,
    tanhshrink,
    threshold,
    threshold_,
)
from .channel_dropout import dropout1d, dropout2d  # noqa: E402
from .distance import cosine_similarity, normalize, pairwise_distance  # noqa: E402
from .pointwise_losses import huber_loss, kl_div, l1_loss, smooth_l1_loss  # noqa: E402

__all__ += [
    "celu", "celu_", "cosine_similarity", "dropout1d", "dropout2d", "elu", "elu_", "gelu",
    "glu", "hardshrink",
    "hardsigmoid", "hardswish", "hardtanh", "hardtanh_", "huber_loss", "kl_div", "l1_loss",
    "leaky_relu", "leaky_relu_", "logsigmoid", "mish", "normalize", "pairwise_distance", "relu6",
    "rrelu", "rrelu_", "selu", "selu_", "silu", "smooth_l1_loss", "softmin", "softplus",
    "softshrink", "softsign", "tanhshrink", "threshold", "threshold_",
]
__all__ += ["prelu"]
