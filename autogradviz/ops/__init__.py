"""The operations, one module per family. Each is a plain function of tensors; ``_methods``
attaches the ones PyTorch also offers as ``Tensor`` methods.
"""

from ..autograd.graph import derivative
from . import _backward, elementwise, indexing, linalg, reduction, shape
from ._common import tracked

# ``Tensor.to(dtype)`` and friends (the forward is ``_tensor._convert``); the engine casts the
# gradient back to the input's dtype.
ToCopyBackward0 = derivative("ToCopyBackward0", inputs=("self",), self="grad")


def _record_cast(source, result):
    if not result._dtype.is_floating_point:  # a cast to an integer or bool is not differentiable
        return result
    return tracked(result, ToCopyBackward0, (source,))


__all__ = ["_backward", "elementwise", "indexing", "linalg", "reduction", "shape"]
