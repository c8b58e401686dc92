"""``nn.functional``'s ``normalize``, ``cosine_similarity`` and ``pairwise_distance``.

Each is built from the operations PyTorch builds it from, so the graph has PyTorch's nodes:
``normalize`` is ``input / norm(...).clamp_min(eps).expand_as(input)``; ``cosine_similarity``
divides each (broadcast) input by a clone of its norm, clamped under no_grad, and sums the
product; ``pairwise_distance`` is ATen's ``norm(x1 - x2 + eps, p, last_dim, keepdim)``, whose
node (``at::norm`` with a dim: NormBackward1) is declared here.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..autograd.grad_mode import no_grad
from ..autograd.graph import derivative
from ..ops._backward import add_scalar
from ..ops._common import broadcast_error, tracked
from ..ops.reduction import linalg_vector_norm_backward  # noqa: F401 - NormBackward1's rule
from ..ops.reduction import norm as _norm

__all__ = ["cosine_similarity", "normalize", "pairwise_distance"]


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``input`` divided by its ``p``-norm along ``dim`` (at least ``eps``)."""
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    if out is None:
        return input / denom
    return input.div(denom, out=out)


def _expand_pair(x1, x2):
    """ATen's ``expand_outplace``: the tensors as they are when their shapes agree, else both
    expanded to the common shape (ExpandBackward0 on each)."""
    if tuple(x1.shape) == tuple(x2.shape):
        return x1, x2
    try:
        shape = tuple(np.broadcast_shapes(tuple(x1.shape), tuple(x2.shape)))
    except ValueError:
        raise broadcast_error(x1.shape, x2.shape) from None
    return x1.expand(shape), x2.expand(shape)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """``sum((x1 / max(||x1||, eps)) * (x2 / max(||x2||, eps)), dim)`` (ATen's order, which
    keeps the result within [-1, 1])."""
    common = _dt.result_type(x1, x2)
    if common.category != _dt.float32.category:
        raise RuntimeError(f"expected common dtype to be floating point, yet common dtype is "
                           f"{_dt.SCALAR_TYPE_NAMES[common]}")
    if x1._dtype.category != common.category:
        x1 = x1.to(common)
    if x2._dtype.category != common.category:
        x2 = x2.to(common)
    x1, x2 = _expand_pair(x1, x2)
    x1_norm = x1.norm(2, dim, keepdim=True).clone()
    x2_norm = x2.norm(2, dim, keepdim=True).clone()
    with no_grad():  # the clones are clamped in place, outside the graph
        x1_norm.clamp_min_(eps)
        x2_norm.clamp_min_(eps)
    return ((x1 / x1_norm) * (x2 / x2_norm)).sum(dim)


NormBackward1 = derivative(
    "NormBackward1", inputs=("self",), saves=("dim", "keepdim", "p", "result", "self"),
    int64=("dim",), self="linalg_vector_norm_backward(grad, self, p, result, dim, keepdim)",
)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """``norm(x1 - x2 + eps, p, last_dim, keepdim)``, as ATen computes it."""
    output_dim = max(x1.dim(), x2.dim())
    innermost_dim = output_dim - 1
    diff = add_scalar(x1 - x2, eps)
    with no_grad():
        result = _norm(diff, p, innermost_dim, keepdim)
    saved = {"dim": (innermost_dim,), "keepdim": keepdim, "p": float(p), "self": diff}
    return tracked(result, NormBackward1, (diff,), saved, {"result": result})
