"""``torch.functional``: the functions of that PyTorch module autogradviz has (PyTorch's
tutorials import it as ``F``)."""

from .ops.linalg import einsum, tensordot
from .ops.reduction import norm, unique, unique_consecutive
from .ops.shape import (
    atleast_1d,
    atleast_2d,
    atleast_3d,
    broadcast_shapes,
    broadcast_tensors,
    split,
)

__all__ = ["atleast_1d", "atleast_2d", "atleast_3d", "broadcast_shapes", "broadcast_tensors",
           "einsum", "norm", "split", "tensordot", "unique", "unique_consecutive"]
