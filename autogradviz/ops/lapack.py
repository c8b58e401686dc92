"""The functions PyTorch computes with LAPACK's LU factorisation: ``inverse``/``linalg.inv``,
``det``/``linalg.det`` and ``linalg.solve``, with PyTorch's checks, messages and nodes.

The factorisation here is LAPACK's unblocked ``getf2`` (partial pivoting, the first largest
pivot), written in NumPy in the input's dtype: it gives PyTorch's pivots and singularity
reports (``The diagonal element 2 is zero``); the inverse and the solutions are NumPy's LAPACK
(``gesv``). PyTorch's are MKL's, so values may differ from PyTorch's in the last bits.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from .._tensor import Tensor, _wrap
from ..autograd.graph import derivative, rule_helper
from ._common import tracked

_NAMES = _dt.SCALAR_TYPE_NAMES


class _LinAlgError(RuntimeError):
    """PyTorch's ``torch.linalg.LinAlgError`` (``torch._C._LinAlgError``)."""


_LinAlgError.__module__ = "torch._C"
LinAlgError = _LinAlgError


def _lu_factor(a):
    """(LU, 1-based pivots, info) of one square matrix, as LAPACK's getf2 computes them."""
    lu = np.array(a, copy=True)
    n = lu.shape[0]
    pivots = np.arange(1, n + 1, dtype=np.int32)
    info = 0
    for k in range(n):
        p = k + int(np.argmax(np.abs(lu[k:, k])))
        pivots[k] = p + 1
        if lu[p, k] != 0:
            if p != k:
                lu[[k, p]] = lu[[p, k]]
            lu[k + 1:, k] = lu[k + 1:, k] / lu[k, k]
        elif info == 0:
            info = k + 1
        lu[k + 1:, k + 1:] -= np.outer(lu[k + 1:, k], lu[k, k + 1:])
    return lu, pivots, info


def _check_square(name, t):
    x = t._data
    if x.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if x.shape[-1] != x.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{x.shape[-2]} by {x.shape[-1]} matrices")
    dt = t._dtype
    if dt is _dt.float16:
        raise RuntimeError(f"{name}: Low precision dtypes not supported. Got Half")
    if not dt.is_floating_point:
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{_NAMES[dt]}")


def _factor_all(x):
    """LU, pivots and info of every matrix of a batch (arrays shaped as PyTorch's)."""
    batch = x.shape[:-2]
    n = x.shape[-1]
    flat = x.reshape(int(np.prod(batch, dtype=np.int64)), n, n)
    lus, pivots, infos = [], [], []
    for m in flat:
        lu, piv, info = _lu_factor(m)
        lus.append(lu)
        pivots.append(piv)
        infos.append(info)
    lu = np.stack(lus).reshape(x.shape) if lus else np.empty(x.shape, x.dtype)
    piv = (np.stack(pivots).reshape(*batch, n) if pivots
           else np.empty((*batch, n), np.int32))
    return lu, piv, infos


def _raise_singular(infos, batched, message):
    for i, info in enumerate(infos):
        if info:
            where = f"(Batch element {i}): " if batched else ""
            raise _LinAlgError(message(where, info))


# ---------------------------------------------------------------------- inverse
LinalgInvExBackward0 = derivative(
    "LinalgInvExBackward0", inputs=("A",), saves=("inverse",),
    A="-(inverse.mH @ grad @ inverse.mH)",
)


def linalg_inv(A, *, out=None):  # noqa: N803 - PyTorch's name
    _check_square("linalg.inv", A)
    x = A._data
    _, _, infos = _factor_all(x)
    _raise_singular(
        infos, x.ndim > 2,
        lambda where, info: f"linalg.inv: {where}The diagonal element {info} is zero, the "
                            "inversion could not be completed because the input matrix is "
                            "singular.")
    inv = np.linalg.inv(x).astype(x.dtype) if x.size else np.empty(x.shape, x.dtype)
    result = _wrap(np.ascontiguousarray(inv), A._dtype)
    return tracked(result, LinalgInvExBackward0, (A,), None, {"inverse": result})


def inverse(input, *, out=None):
    return linalg_inv(input, out=out)


# ---------------------------------------------------------------------- determinant
LinalgDetBackward0 = derivative(
    "LinalgDetBackward0", inputs=("A",), saves=("A", "LU", "pivots", "result"),
    A="det_backward(grad, A, result)",
)


@rule_helper
def det_backward(grad, A, result):  # noqa: N803 - PyTorch's name
    """grad * det(A) * A^-T, or (A singular) the adjugate's transpose from the SVD."""
    from .linalg import linalg_svd

    g = (grad * result).unsqueeze(-1).unsqueeze(-1)
    if bool((result != 0).all()):
        return g * linalg_inv(A).mT
    u, s, vh = linalg_svd(A.detach())
    sign = _wrap(np.linalg.det(u._data) * np.linalg.det(vh._data), A._dtype)
    others = _wrap(np.stack([np.prod(np.delete(s._data, i, axis=-1), axis=-1)
                             for i in range(s.shape[-1])], axis=-1), A._dtype)
    adj_t = (u * (others * sign.unsqueeze(-1)).unsqueeze(-2)) @ vh
    return grad.unsqueeze(-1).unsqueeze(-1) * adj_t


def linalg_det(A, *, out=None):  # noqa: N803 - PyTorch's name
    _check_square("linalg.det", A)
    x = A._data
    # PyTorch factors A transposed (LAPACK reads a row-major A as its transpose), and saves that
    lu, piv, _ = _factor_all(np.swapaxes(x, -1, -2))
    n = x.shape[-1]
    diag = np.diagonal(lu, axis1=-2, axis2=-1)
    swaps = np.sum(piv != np.arange(1, n + 1, dtype=np.int32), axis=-1)
    det = np.prod(diag, axis=-1) * np.where(swaps % 2, -1, 1).astype(x.dtype)
    result = _wrap(np.asarray(det, x.dtype), A._dtype)
    saved = {"A": A, "LU": _wrap(lu, A._dtype), "pivots": _wrap(piv, _dt.int32)}
    return tracked(result, LinalgDetBackward0, (A,), saved, {"result": result})


def det(input):
    return linalg_det(input)


# ---------------------------------------------------------------------- solve
LinalgSolveExBackward0 = derivative(
    "LinalgSolveExBackward0", inputs=("A", "B"),
    saves=("A", "LU", "left", "pivots", "result"),
    A="solve_backward_a(grad, A, result)", B="solve_backward_b(grad, A, result)",
)


def _as_matrix(t, vector):
    return t.unsqueeze(-1) if vector else t


@rule_helper
def solve_backward_b(grad, A, result):  # noqa: N803 - PyTorch's names
    vector = result.dim() == A.dim() - 1
    g = _as_matrix(grad, vector)
    gb = _wrap(np.linalg.solve(np.swapaxes(A._data, -1, -2), np.broadcast_to(
        g._data, A._data.shape[:-2] + g._data.shape[-2:]) if g._data.ndim < A._data.ndim
        else g._data), A._dtype)
    return gb.squeeze(-1) if vector else gb


@rule_helper
def solve_backward_a(grad, A, result):  # noqa: N803 - PyTorch's names
    vector = result.dim() == A.dim() - 1
    gb = _as_matrix(solve_backward_b(grad, A, result), vector)
    return -(gb @ _as_matrix(result, vector).mT)


def linalg_solve(A, B, *, left=True, out=None):  # noqa: N803 - PyTorch's names
    _check_square("linalg.solve", A)
    if not isinstance(B, Tensor):
        raise TypeError(f"linalg_solve(): argument 'B' (position 2) must be Tensor, not "
                        f"{type(B).__name__}")
    if A._dtype is not B._dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A "
                           f"of type {_NAMES[A._dtype]} and B of type {_NAMES[B._dtype]} instead")
    a, b = A._data, B._data
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    bm = b[..., None] if vector else b
    if bm.shape[-2] != a.shape[-1]:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"AX = B ({a.shape[-2]}x{a.shape[-1]} and {bm.shape[-2]}x"
                           f"{bm.shape[-1]})")
    lu, piv, infos = _factor_all(a)
    _raise_singular(
        infos, a.ndim > 2,
        lambda where, info: f"torch.linalg.solve: {where}The solver failed because the input "
                            "matrix is singular.")
    batch = np.broadcast_shapes(a.shape[:-2], bm.shape[:-2])
    x = np.linalg.solve(np.broadcast_to(a, batch + a.shape[-2:]),
                        np.broadcast_to(bm, batch + bm.shape[-2:])).astype(a.dtype)
    x = np.ascontiguousarray(x[..., 0] if vector else x)
    result = _wrap(x, A._dtype)
    saved = {"A": A, "LU": _wrap(lu, A._dtype), "left": left, "pivots": _wrap(piv, _dt.int32)}
    return tracked(result, LinalgSolveExBackward0, (A, B), saved, {"result": result})
