"""``torch.linalg``: the functions of PyTorch's linear-algebra namespace autogradviz has."""

from .ops.linalg import linalg_cross as cross
from .ops.linalg import linalg_svd as svd
from .ops.linalg import svdvals

__all__ = ["cross", "svd", "svdvals"]
