"""``autograd.Variable``: PyTorch's pre-0.4 wrapper, kept for old programs and tutorials.

Since PyTorch 0.4 a Variable is a Tensor: ``Variable(t)`` returns a plain tensor sharing
``t``'s data, detached from its history, with ``requires_grad`` as asked, and every tensor is
an instance of ``Variable``.
"""

from __future__ import annotations

import warnings

from .._tensor import Tensor

__all__ = ["Variable"]


class _VariableMeta(type):
    def __instancecheck__(cls, other):
        return isinstance(other, Tensor)


class Variable(metaclass=_VariableMeta):
    """``Variable(data=None, requires_grad=False, volatile=False)``: a tensor, as in PyTorch."""

    __module__ = "torch.autograd.variable"

    def __new__(cls, data=None, requires_grad=False, volatile=False, _grad_fn=None, name=None):
        if volatile:
            warnings.warn("volatile was removed and now has no effect. Use `with "
                          "torch.no_grad():` instead.", UserWarning, stacklevel=2)
        if data is None:
            from .. import _creation
            data = _creation.empty(0)
        elif not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got "
                            f"{type(data).__name__}")
        variable = data.detach()
        if requires_grad:
            if not (variable.is_floating_point() or variable.is_complex()):
                raise RuntimeError("Only Tensors of floating point and complex dtype can "
                                   "require gradients")
            variable.requires_grad_(True)
        return variable
