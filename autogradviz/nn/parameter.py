"""``nn.Parameter``: a tensor a module owns and trains.

A Parameter is a leaf that requires grad by default. Like PyTorch's, it shares the storage and
the version counter of the tensor it was made from, and operations on it give plain tensors
(``p * 2`` is a ``Tensor``, never a ``Parameter``). It prints with a header line:
``Parameter containing:`` then the tensor.
"""

from __future__ import annotations

from .. import dtypes as _dt
from .._printing import format_parameter
from .._tensor import Tensor, _owner, _wrap

__all__ = ["Parameter"]


class Parameter(Tensor):
    """A tensor that is a module's parameter: ``nn.Parameter(torch.randn(2, 3))``."""

    __module__ = "torch.nn.parameter"
    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            import numpy as np

            data = _wrap(np.empty((0,), _dt.get_default_dtype().np), _dt.get_default_dtype())
        if not isinstance(data, Tensor):
            raise TypeError(
                f"Parameter.__new__ got an unexpected data type: {type(data).__name__}"
            )
        if requires_grad and data._dtype.category != _dt._FLOAT:
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients"
            )
        p = object.__new__(cls)
        # A detached alias of ``data``: the same storage and version counter, no history.
        p._data = data._data.view()
        p._dtype = data._dtype
        p._storage_owner = _owner(data)
        p._requires_grad = bool(requires_grad)
        return p

    def __init__(self, data=None, requires_grad=True):
        pass  # everything happens in __new__ (Tensor has no __init__ to call)

    def __repr__(self, *, tensor_contents=None):
        return format_parameter(self._data, self._dtype, requires_grad=self._requires_grad)

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.data.clone(), self._requires_grad)
        if self._grad is not None:
            result._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter, (self._data.copy(), self._dtype.name, self._requires_grad))


def _rebuild_parameter(data, dtype_name, requires_grad):
    return Parameter(_wrap(data, _dt._by_name(dtype_name)), requires_grad)

