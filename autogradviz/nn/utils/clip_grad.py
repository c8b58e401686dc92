"""``nn.utils.clip_grad_norm_`` and ``clip_grad_value_``, computed as PyTorch's CPU path does.

The total norm is PyTorch's two-level one: the norm of each gradient (``_foreach_norm``, on the
CPU one ``linalg.vector_norm`` per tensor), then the norm of those norms. The 2-norm of a
contiguous float32/float64 tensor is PyTorch's vectorised last-dimension kernel, reproduced
here operation for operation: squares accumulated in 8 (float32) or 4 (float64) lanes, the
lanes summed left to right, the remainder added one element at a time (the compiled loop
rounds each square first in blocks of four float32 elements, and fuses the multiply-add for
the rest), then ``sqrt``. ``clip_coef = max_norm / (total_norm + 1e-6)`` is a number divided by
a tensor, which PyTorch computes as ``reciprocal() * max_norm``; clamped to 1 and multiplied
into every gradient in place.
"""

from __future__ import annotations

import math
import types
import warnings

import numpy as np

from ... import dtypes as _dt
from ..._fma import _fma32, _fma64
from ..._tensor import Tensor, _wrap
from ...autograd.grad_mode import no_grad

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grad_value_"]


def _two_norm_lastdim(x):
    """PyTorch's float32/float64 2-norm of a contiguous array (one reduction of the last
    dimension, vectorised for AVX2)."""
    x = np.ascontiguousarray(x).reshape(-1)
    typ = x.dtype.type
    fma = _fma32 if x.dtype == np.float32 else _fma64
    lanes = 8 if x.dtype == np.float32 else 4
    whole = x.size - x.size % lanes
    blocks = x[:whole].reshape(-1, lanes)
    # a reduction over the outer axis adds the rows one after another, as the lanes do
    acc = np.add.reduce(blocks * blocks, axis=0) if whole else np.zeros(lanes, x.dtype)
    total = acc[0]
    for lane in acc[1:]:
        total = typ(total + lane)
    tail = x[whole:]
    # float32 remainders: the compiler squares four elements at once (each product rounded)
    # and adds them in order; what is left uses a fused multiply-add
    rounded = tail.size // 4 * 4 if x.dtype == np.float32 else 0
    for value in tail[:rounded]:
        total = typ(total + value * value)
    for value in tail[rounded:]:
        total = typ(fma(value, value, total))
    return typ(np.sqrt(total))


def _serial_norm(x, norm_type):
    """PyTorch's generic norm reduction (every order but 2): one accumulator in the tensor's
    dtype, the elements taken in order (``acc + |x|``, ``acc + |x| ** p``), then the root
    ``acc ** (1 / p)`` with ``1 / p`` in that dtype too."""
    x = np.abs(np.ascontiguousarray(x).reshape(-1))
    typ = x.dtype.type
    if norm_type == math.inf:
        return typ(x.max(initial=0))
    if norm_type == -math.inf:
        return typ(x.min(initial=math.inf))
    if norm_type == 0:
        return typ(np.count_nonzero(x))
    if x.size == 0:
        return typ(0)
    if norm_type == 1:
        return typ(np.cumsum(x)[-1])  # a running sum: the elements added in order
    power = typ(norm_type)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        acc = typ(np.cumsum(np.power(x, power))[-1])
        return typ(np.power(acc, typ(1) / power))


def _vector_norm(t, norm_type):
    """``torch.linalg.vector_norm(t, norm_type)`` as a 0-d tensor of ``t``'s dtype."""
    if t._dtype in (_dt.float32, _dt.float64):
        if norm_type == 2.0:
            value = _two_norm_lastdim(t._data)
        else:
            value = _serial_norm(t._data, norm_type)
        return _wrap(np.asarray(value), t._dtype)
    from ...ops.reduction import norm

    return norm(t, norm_type)


def _total_norm(tensors, norm_type, error_if_nonfinite):
    if not tensors:
        return _wrap(np.zeros((), np.float32), _dt.float32)
    from ... import stack

    # PyTorch groups the tensors by dtype (in order of first appearance) before taking norms
    by_dtype = {}
    for t in tensors:
        by_dtype.setdefault(t._dtype, []).append(t)
    norms = [_vector_norm(t, norm_type) for group in by_dtype.values() for t in group]
    total = _vector_norm(stack(norms), norm_type)
    if error_if_nonfinite and not math.isfinite(total.item()):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the "
            "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`")
    return total


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False,
                    foreach=None):
    """Scale the gradients of ``parameters`` in place so that their total norm is at most
    ``max_norm``; returns the total norm (before clipping) as a tensor."""
    with no_grad():
        if isinstance(parameters, Tensor):
            parameters = [parameters]
        else:
            is_generator = isinstance(parameters, types.GeneratorType)
            parameters = list(parameters)
            if is_generator and len(parameters) == 0:
                warnings.warn("`parameters` is an empty generator, no gradient clipping will "
                              "occur.", stacklevel=2)
        grads = [p.grad for p in parameters if p.grad is not None]
        total_norm = _total_norm(grads, float(norm_type), error_if_nonfinite)
        if grads:
            clip_coef = (total_norm + 1e-6).reciprocal() * float(max_norm)
            clip_coef_clamped = clip_coef.clamp(max=1.0)
            for g in grads:
                g.mul_(clip_coef_clamped)
        return total_norm


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False,
                   foreach=None):
    """Deprecated spelling of :func:`clip_grad_norm_`."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient of ``parameters`` into ``[-clip_value, clip_value]`` in place."""
    with no_grad():
        if isinstance(parameters, Tensor):
            parameters = [parameters]
        clip_value = float(clip_value)
        for p in parameters:
            if p.grad is not None:
                p.grad.clamp_(min=-clip_value, max=clip_value)
