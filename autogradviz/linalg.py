"""``torch.linalg``: the functions of PyTorch's linear-algebra namespace autogradviz has."""

from .ops.extra import linalg_norm as norm
from .ops.extra import linalg_slogdet as slogdet
from .ops.extra import matrix_norm, vector_norm
from .ops.lapack import LinAlgError
from .ops.lapack import linalg_det as det
from .ops.lapack import linalg_inv as inv
from .ops.lapack import linalg_solve as solve
from .ops.linalg import linalg_cross as cross
from .ops.linalg import linalg_svd as svd
from .ops.linalg import svdvals

__all__ = [
    "LinAlgError", "cross", "det", "inv", "matrix_norm", "norm", "slogdet", "solve", "svd",
    "svdvals", "vector_norm",
]
