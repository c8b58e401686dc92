"""``nn.functional``'s ``l1_loss``, ``smooth_l1_loss``, ``huber_loss`` and ``kl_div``.

``l1_loss`` is ATen's composite ``(input - target).abs()`` then the reduction (SubBackward0,
AbsBackward0, MeanBackward0/SumBackward0), as is ``smooth_l1_loss`` with ``beta=0``;
``smooth_l1_loss`` and ``huber_loss`` have kernels with nodes of their own
(SmoothL1LossBackward0, HuberLossBackward0), declared here; ``kl_div`` is ATen's composite
``xlogy(target, target) - target * input`` (``exp(target) * (target - input)`` for a log
target), then the reduction, and ``'batchmean'`` the sum divided by the batch size.
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import dtypes as _dt
from .._tensor import _wrap
from ..autograd.grad_mode import no_grad
from ..autograd.graph import derivative, rule_helper
from ..ops._backward import zeros_like
from ..ops._common import broadcast_error, not_implemented, tracked
from ..ops.elementwise import quiet, via_double
from . import functional as F  # noqa: N812 - PyTorch's spelling

__all__ = ["huber_loss", "kl_div", "l1_loss", "smooth_l1_loss"]

_FLOAT = _dt.float32.category


def _warn_size(input, target):
    if target.size() != input.size():
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input "
                      f"size ({input.size()}). This will likely lead to incorrect results due "
                      "to broadcasting. Please ensure they have the same size.", stacklevel=3)


def _broadcast(input, target):
    try:
        return F._broadcast_pair(input, target)
    except ValueError:
        raise broadcast_error(input.shape, target.shape) from None


# ---------------------------------------------------------------------- l1_loss
def _l1(input, target, reduction):
    return F._apply_reduction((input - target).abs(), reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    _warn_size(input, target)
    if size_average is not None or reduce is not None:
        reduction = F._legacy_reduction(size_average, reduce)
    expanded_input, expanded_target = _broadcast(input, target)
    if weight is not None:
        if weight.size() != input.size():
            raise ValueError("Weights and input must have the same size.")
        weighted = (expanded_input - expanded_target).abs() * weight
        if reduction == "none":
            return weighted
        if reduction == "sum":
            return weighted.sum()
        if reduction == "mean":
            return weighted.sum() / weight.sum()
        raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', "
                         "'mean', 'sum'.")
    return _l1(expanded_input, expanded_target, F._reduction_enum(reduction))


# ---------------------------------------------------------------------- smooth_l1, huber
def _loss_backward_values(grad, self, target, reduction, kernel):
    """``kernel(x, grad_output, norm)`` on ``x = self - target`` (grad broadcast to it), in
    the operands' dtype; ``norm`` is ATen's ``1 / numel`` for 'mean' (else 1), in that dtype."""
    dt = _dt.result_type(self, target)
    x = self._data.astype(dt.np, copy=False) - target._data.astype(dt.np, copy=False)
    g = np.broadcast_to(grad._data.astype(dt.np, copy=False), x.shape)
    norm = dt.np.type(1.0 / x.size if reduction == F._MEAN else 1.0)
    r = quiet.run(kernel, x, g, norm)
    return _wrap(np.asarray(r, dt.np), dt)


@rule_helper
def smooth_l1_loss_backward(grad, self, target, reduction, beta):
    """ATen's kernel on ``x = self - target``: ``-norm * grad`` up to ``-beta``, ``norm * grad``
    from ``beta``, ``norm * x * grad / beta`` between (norm: 1/count for 'mean')."""

    def kernel(x, g, norm):
        b = x.dtype.type(beta)
        return np.where(x <= -b, -norm * g, np.where(x >= b, norm * g, norm * x * g / b))

    result = _loss_backward_values(grad, self, target, reduction, kernel)
    saved = {"beta": beta, "grad_output": grad, "reduction": reduction, "self": self,
             "target": target}
    return tracked(result, SmoothL1LossBackwardBackward0, (grad, self, target), saved)


@rule_helper
def huber_loss_backward(grad, self, target, reduction, delta):
    """ATen's kernel on ``x = self - target``: ``-norm * grad * delta`` up to ``-delta``,
    ``norm * grad * delta`` from ``delta``, ``norm * x * grad`` between."""

    def kernel(x, g, norm):
        d = x.dtype.type(delta)
        return np.where(x <= -d, -norm * g * d, np.where(x >= d, norm * g * d, norm * x * g))

    result = _loss_backward_values(grad, self, target, reduction, kernel)
    saved = {"delta": delta, "grad_output": grad, "reduction": reduction, "self": self,
             "target": target}
    return tracked(result, HuberLossBackwardBackward0, (grad, self, target), saved)


@rule_helper
def smooth_l1_loss_double_backward(grad, self, target, reduction, beta):
    """ATen's: ``grad * (|self - target| < beta) / beta`` (over the count for 'mean')."""
    if beta == 0:
        return zeros_like(grad)
    d = (self - target).abs()
    g = grad * (d < beta).to(grad.dtype) / beta
    return g / self.numel() if reduction == F._MEAN else g


@rule_helper
def huber_loss_double_backward(grad, self, target, reduction, delta):
    """ATen's: ``grad * (|self - target| < delta)`` (over the count for 'mean')."""
    g = grad * ((self - target).abs() < delta)
    return g / self.numel() if reduction == F._MEAN else g


@rule_helper
def loss_double_backward_grad_output(grad, grad_output, self, target, reduction, parameter,
                                     backward):
    """ATen's ``..._double_backward_grad_output``: the backward kernel applied to ``grad``
    ('none'), or to ones and summed against ``grad``."""
    if reduction == F._NONE:
        return backward(grad, self, target, reduction, parameter)
    ones = _wrap(np.ones(grad_output._data.shape, grad_output._dtype.np), grad_output._dtype)
    r = backward(ones, self, target, reduction, parameter)
    return (r * grad).sum()


SmoothL1LossBackward0 = derivative(
    "SmoothL1LossBackward0", inputs=("self", "target"),
    saves=("beta", "reduction", "self", "target"),
    self="smooth_l1_loss_backward(grad, self, target, reduction, beta)",
    target="smooth_l1_loss_backward(grad, target, self, reduction, beta)",
)
HuberLossBackward0 = derivative(
    "HuberLossBackward0", inputs=("self", "target"),
    saves=("delta", "reduction", "self", "target"),
    self="huber_loss_backward(grad, self, target, reduction, delta)",
    target="huber_loss_backward(grad, target, self, reduction, delta)",
)
SmoothL1LossBackwardBackward0 = derivative(
    "SmoothL1LossBackwardBackward0", inputs=("grad_output", "self", "target"),
    saves=("beta", "grad_output", "reduction", "self", "target"),
    grad_output="loss_double_backward_grad_output(grad, grad_output, self, target, reduction, "
                "beta, smooth_l1_loss_backward)",
    self="smooth_l1_loss_double_backward(grad * grad_output, self, target, reduction, beta)",
    target="-smooth_l1_loss_double_backward(grad * grad_output, self, target, reduction, beta)",
)
HuberLossBackwardBackward0 = derivative(
    "HuberLossBackwardBackward0", inputs=("grad_output", "self", "target"),
    saves=("delta", "grad_output", "reduction", "self", "target"),
    grad_output="loss_double_backward_grad_output(grad, grad_output, self, target, reduction, "
                "delta, huber_loss_backward)",
    self="huber_loss_double_backward(grad * grad_output, self, target, reduction, delta)",
    target="-huber_loss_double_backward(grad * grad_output, self, target, reduction, delta)",
)


def _pointwise_loss(x, y, dt, kernel, compute):
    """``compute(x, y)`` elementwise in ``dt`` (float16 through float32, rounded once)."""
    if dt.category != _FLOAT:
        raise not_implemented(kernel, dt)
    x, y = x.astype(dt.np, copy=False), y.astype(dt.np, copy=False)
    if dt is _dt.float16:
        x, y = x.astype(np.float32), y.astype(np.float32)
    r = quiet.run(compute, x, y)
    return _wrap(np.asarray(r, dt.np), dt)


def _smooth_l1(input, target, reduction, beta):
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    dt = _dt.result_type(input, target)

    def compute(x, y):
        half, b = x.dtype.type(0.5), x.dtype.type(beta)
        z = np.abs(x - y)
        return np.where(z < b, half * z * z / b, z - half * b)  # ATen's kernel

    loss = _pointwise_loss(input._data, target._data, dt, "smooth_l1_cpu", compute)
    with no_grad():
        loss = F._apply_reduction(loss, reduction)
    saved = {"beta": float(beta), "reduction": reduction, "self": input, "target": target}
    return tracked(loss, SmoothL1LossBackward0, (input, target), saved)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    _warn_size(input, target)
    if size_average is not None or reduce is not None:
        reduction = F._legacy_reduction(size_average, reduce)
    expanded_input, expanded_target = _broadcast(input, target)
    r = F._reduction_enum(reduction)
    if beta == 0.0:
        return _l1(expanded_input, expanded_target, r)
    return _smooth_l1(expanded_input, expanded_target, r, beta)


def _huber(input, target, reduction, delta):
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    dt = input._dtype  # ATen's huber kernel writes into a loss like the input

    def compute(x, y):
        half, d = x.dtype.type(0.5), x.dtype.type(delta)
        z = np.abs(x - y)
        return np.where(z < d, half * z * z, d * (z - half * d))  # ATen's kernel

    loss = _pointwise_loss(input._data, target._data, dt, "huber_cpu", compute)
    with no_grad():
        loss = F._apply_reduction(loss, reduction)
    saved = {"delta": float(delta), "reduction": reduction, "self": input, "target": target}
    return tracked(loss, HuberLossBackward0, (input, target), saved)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    _warn_size(input, target)
    expanded_input, expanded_target = _broadcast(input, target)
    if weight is None:
        return _huber(expanded_input, expanded_target, F._reduction_enum(reduction), delta)
    if weight.size() != input.size():
        raise ValueError("Weights and input must have the same size.")
    weighted = _huber(expanded_input, expanded_target, F._NONE, delta) * weight
    if reduction == "none":
        return weighted
    if reduction == "sum":
        return weighted.sum()
    if reduction == "mean":
        return weighted.mean()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', "
                     "'sum'.")


# ---------------------------------------------------------------------- kl_div
@rule_helper
def kl_xlogy_self_backward(grad, self, other):
    """``grad * xlogy(self != 0, other)``."""
    return grad * _xlogy((self != 0).to(other.dtype), other)


XlogyBackward0 = derivative(
    "XlogyBackward0", inputs=("self", "other"), saves=("other", "self"),
    self="kl_xlogy_self_backward(grad, self, other)", other="grad * self / other",
)


def _xlogy(input, other):
    """``x * log(y)``, 0 where ``x`` is 0 (unless ``y`` is NaN): ATen's xlogy, on two tensors
    (the form kl_div uses)."""
    dt = _dt.result_type(input, other)
    x, y = np.broadcast_arrays(input._data.astype(dt.np), other._data.astype(dt.np))
    with np.errstate(all="ignore"):
        logy = via_double(np.log, y).astype(dt.np, copy=False)
        r = np.where((x == 0) & ~np.isnan(y), dt.np.type(0), x * logy)
    result = _wrap(np.asarray(r, dt.np), dt)
    return tracked(result, XlogyBackward0, (input, other), {"other": other, "self": input})


_KL_MEAN_WARNING = (
    "reduction: 'mean' divides the total loss by both the batch size and the support size."
    "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
    "'mean' will be changed to behave the same as 'batchmean' in the next major release.")


def _kl_div(input, target, reduction, log_target):
    """``torch.kl_div``: ATen's composite, then the reduction."""
    if input._dtype.category != _FLOAT or target._dtype.category != _FLOAT:
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if log_target:
        output = target.exp() * (target - input)
    else:
        output = _xlogy(target, target) - target * input
    return F._apply_reduction(output, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    if size_average is not None or reduce is not None:
        reduction_enum = F._reduction_enum(F._legacy_reduction(size_average, reduce))
    else:
        if reduction == "mean":
            warnings.warn(_KL_MEAN_WARNING, stacklevel=2)
        reduction_enum = F._reduction_enum("sum" if reduction == "batchmean" else reduction)
    reduced = _kl_div(input, target, reduction_enum, log_target)
    if reduction == "batchmean" and input.dim() != 0:
        reduced = reduced / input.size()[0]
    return reduced


def aten_kl_div(input, target, reduction=0, log_target=False):
    """``torch.kl_div``: ``reduction`` is ATen's enum (0: none, the default; 1: mean; 2: sum)."""
    return _kl_div(input, target, reduction, log_target)
