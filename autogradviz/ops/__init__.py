"""The operations, one module per family. Each is a plain function of tensors; ``_methods``
attaches the ones PyTorch also offers as ``Tensor`` methods.
"""

from . import elementwise, indexing, linalg, reduction, shape


def _record_cast(source, result):
    """Hook where a dtype conversion will join the autograd graph (ToCopyBackward0)."""
    return result


def _record_copy(source, result):
    """Hook where a copy (clone/contiguous) will join the autograd graph (CloneBackward0)."""
    return result


__all__ = ["elementwise", "indexing", "linalg", "reduction", "shape"]
