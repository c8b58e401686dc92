"""Matrix products (matmul/@, mm, bmm, mv, dot, outer, einsum) with PyTorch's shape errors."""

from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from .._tensor import Tensor, _wrap
from ._common import cast, write_out


def _same_dtype(a, b, name):
    if a._dtype is not b._dtype:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {a._dtype} != {b._dtype}"
            if name in ("mm", "matmul")
            else f"expected scalar type {_dt.SCALAR_TYPE_NAMES[a._dtype]} but found "
            f"{_dt.SCALAR_TYPE_NAMES[b._dtype]}"
        )
    if a._dtype is _dt.bool:
        raise NotImplementedError(f'"addmm_impl_cpu_" not implemented for \'Bool\'')
    return a._dtype


def _result(arr, dt, out):
    arr = np.asarray(arr)
    if arr.dtype != dt.np:
        arr = cast(arr, dt)
    if out is not None:
        return write_out(out, arr, dt)
    return _wrap(arr, dt)


def _fmt(shape):
    return "x".join(str(s) for s in shape)


def dot(input, other, *, out=None):
    a, b = input._data, other._data
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors"
        )
    if input._dtype is not other._dtype:
        raise RuntimeError(
            f"dot : expected both vectors to have same dtype, but found "
            f"{_dt.SCALAR_TYPE_NAMES[input._dtype]} and {_dt.SCALAR_TYPE_NAMES[other._dtype]}"
        )
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to "
            f"have the same number of elements, but got {a.shape[0]} and {b.shape[0]} elements "
            "respectively"
        )
    return _result(np.dot(a, b), input._dtype, out)


inner_dot = dot


def mm(input, mat2, *, out=None):
    a, b = input._data, mat2._data
    if a.ndim != 2:
        raise RuntimeError(f"self must be a matrix")
    if b.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix")
    dt = _same_dtype(input, mat2, "mm")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({_fmt(a.shape)} and {_fmt(b.shape)})"
        )
    return _result(a @ b, dt, out)


def mv(input, vec, *, out=None):
    a, v = input._data, vec._data
    if a.ndim != 2 or v.ndim != 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got 1, {a.ndim}, {v.ndim}"
        )
    dt = _same_dtype(input, vec, "mv")
    if a.shape[1] != v.shape[0]:
        raise RuntimeError(
            f"size mismatch, got input ({a.shape[0]}), mat ({_fmt(a.shape)}), vec ({v.shape[0]})"
        )
    return _result(a @ v, dt, out)


def bmm(input, mat2, *, out=None):
    a, b = input._data, mat2._data
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    dt = _same_dtype(input, mat2, "bmm")
    if b.shape[0] != a.shape[0] or b.shape[1] != a.shape[2]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}]."
        )
    return _result(np.matmul(a, b), dt, out)


def matmul(input, other, *, out=None):
    if not isinstance(other, Tensor):
        raise TypeError(
            f"matmul(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}"
        )
    a, b = input._data, other._data
    da, db = a.ndim, b.ndim
    if da == 0 or db == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D"
        )
    if da == 1 and db == 1:
        return dot(input, other, out=out)
    if da == 2 and db == 1:
        return mv(input, other, out=out)
    if da == 1 and db == 2:
        _same_dtype(input, other, "matmul")
        if a.shape[0] != b.shape[0]:
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied (1x{a.shape[0]} and {_fmt(b.shape)})"
            )
        return _result(a @ b, input._dtype, out)
    if da == 2 and db == 2:
        return mm(input, other, out=out)
    dt = _same_dtype(input, other, "matmul")
    # Batched: PyTorch folds to mm when it can, otherwise it broadcasts the batch dimensions.
    ka = a.shape[-1]
    kb = b.shape[-2] if db > 1 else b.shape[0]
    if ka != kb:
        if db >= 3 or da >= 3:
            if da >= 3 and db <= 2:
                rows = int(np.prod(a.shape[:-1]))
                raise RuntimeError(
                    f"mat1 and mat2 shapes cannot be multiplied ({rows}x{ka} and "
                    f"{_fmt(b.shape) if db == 2 else _fmt((b.shape[0], 1))})"
                    if db == 2
                    else f"size mismatch, got input ({rows}), mat ({rows}x{ka}), vec ({kb})"
                )
            a_shape = (int(np.prod(a.shape[:-2])) if da > 2 else 1,) + (
                a.shape[-2:] if da >= 2 else (1, a.shape[0]))
            raise RuntimeError(
                f"Expected size for first two dimensions of batch2 tensor to be: "
                f"[{a_shape[0]}, {ka}] but got: [{int(np.prod(b.shape[:-2]))}, {kb}]."
            )
    try:
        r = np.matmul(a, b)
    except ValueError:
        from ._common import broadcast_error

        raise broadcast_error(a.shape[:-2], b.shape[:-2] if db > 1 else ()) from None
    return _result(r, dt, out)


def outer(input, vec2, *, out=None):
    a, b = input._data, vec2._data
    from ._common import result_type

    dt = result_type(input, vec2)
    return _result(np.multiply.outer(cast(a, dt).reshape(-1), cast(b, dt).reshape(-1)), dt, out)


ger = outer


def einsum(equation, *operands):
    if len(operands) == 1 and isinstance(operands[0], list | tuple):
        operands = tuple(operands[0])
    dt = operands[0]._dtype
    for o in operands[1:]:
        if o._dtype is not dt:
            raise RuntimeError(
                f"expected scalar type {_dt.SCALAR_TYPE_NAMES[dt]} but found "
                f"{_dt.SCALAR_TYPE_NAMES[o._dtype]}"
            )
    try:
        r = np.einsum(equation, *(o._data for o in operands), optimize=len(operands) > 2)
    except ValueError as err:
        raise RuntimeError(f"einsum(): {err}") from None
    return _result(r, dt, None)


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    prod = mm(mat1, mat2)._data
    r = (alpha * prod if alpha != 1 else prod) + (beta * input._data if beta != 1 else input._data)
    return _result(r, mat1._dtype, None)


def tensordot(a, b, dims=2):
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    return _result(np.tensordot(a._data, b._data, axes=dims), a._dtype, None)


def trace(input):
    x = input._data
    if x.ndim != 2:
        raise RuntimeError("trace: expected a matrix, but got tensor with dim " f"{x.ndim}")
    dt = input._dtype if input._dtype.category == _dt._FLOAT else _dt.int64
    return _result(np.trace(x).astype(dt.np), dt, None)
