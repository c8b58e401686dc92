"""Matrix products (matmul/@, mm, bmm, mv, dot, outer, einsum) with PyTorch's checks.

``matmul`` follows ``at::native::_matmul_impl``: it dispatches to dot, mv or mm, folds a batch
into mm/mv when PyTorch does, and otherwise broadcasts the batch dims and calls bmm, so shape and
dtype errors come from the same kernel (and so carry the same message) as in PyTorch. NumPy does
the arithmetic; results are new C-contiguous tensors.
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import dtypes as _dt
from .._tensor import Tensor, _wrap
from ._common import broadcast_error, cast, result_type

_NAMES = _dt.SCALAR_TYPE_NAMES
# The C++ type names some of PyTorch's messages use.
_CPP_NAMES = {
    _dt.bool: "bool", _dt.uint8: "unsigned char", _dt.int8: "signed char",
    _dt.int16: "short int", _dt.int32: "int", _dt.int64: "long int",
    _dt.float16: "c10::Half", _dt.float32: "float", _dt.float64: "double",
}


def _fmt(shape):
    return "x".join(str(s) for s in shape)


def _no_bool(dt, kernel):
    if dt is _dt.bool:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _out_dtype_check(out, dt):
    """The structured kernels' check (mm, bmm): ``out`` must have the result's dtype."""
    if out is not None and out._dtype is not dt:
        raise RuntimeError(
            f"Expected out tensor to have dtype {_CPP_NAMES[dt]}, but got "
            f"{_CPP_NAMES[out._dtype]} instead"
        )


def _finish(arr, dt, out):
    """A new tensor (or ``out``, resized as PyTorch resizes it) holding ``arr``."""
    arr = cast(np.asarray(arr), dt)
    fresh = np.empty(arr.shape, dt.np)  # C-contiguous, with PyTorch's strides on size-1 dims
    fresh[...] = arr
    if out is None:
        return _wrap(fresh, dt)
    if out._data.shape != fresh.shape:
        if out._data.size:
            warnings.warn(
                f"An output with one or more elements was resized since it had shape "
                f"{list(out._data.shape)}, which does not match the required output shape "
                f"{list(fresh.shape)}. This behavior is deprecated, and in a future PyTorch "
                "release outputs will not be resized unless they have zero elements. You can "
                "explicitly reuse an out tensor t by resizing it, inplace, to zero elements with "
                "t.resize_(0). (Triggered internally at "
                "/__w/pytorch/pytorch/aten/src/ATen/native/Resize.cpp:30.)",
                UserWarning,
                stacklevel=4,
            )
        out._data = fresh
    else:
        out._data[...] = fresh
    out._bump_version()
    return out


def dot(input, other, *, out=None):
    if out is not None and out._dtype is not input._dtype:
        raise RuntimeError(
            f"result dtype {_NAMES[out._dtype]} does not match input dtype {_NAMES[input._dtype]}"
        )
    a, b = input._data, other._data
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if input._dtype is not other._dtype:
        raise RuntimeError(
            f"dot : expected both vectors to have same dtype, but found "
            f"{_NAMES[input._dtype]} and {_NAMES[other._dtype]}"
        )
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to "
            f"have the same number of elements, but got {a.shape[0]} and {b.shape[0]} elements "
            "respectively"
        )
    _no_bool(input._dtype, "dot")
    return _finish(np.dot(a, b), input._dtype, out)


inner_dot = dot


def mm(input, mat2, *, out=None):
    a, b = input._data, mat2._data
    if a.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    if input._dtype is not mat2._dtype:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {_CPP_NAMES[input._dtype]} != "
            f"{_CPP_NAMES[mat2._dtype]}"
        )
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({_fmt(a.shape)} and {_fmt(b.shape)})"
        )
    _out_dtype_check(out, input._dtype)
    _no_bool(input._dtype, "addmm_impl_cpu_")
    return _finish(a @ b, input._dtype, out)


def mv(input, vec, *, out=None):
    a, v = input._data, vec._data
    if a.ndim != 2 or v.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a.ndim}, {v.ndim}")
    if a.shape[1] != v.shape[0]:
        raise RuntimeError(
            f"size mismatch, got input ({a.shape[0]}), mat ({_fmt(a.shape)}), vec ({v.shape[0]})"
        )
    # mv is addmv into a new result of vec's dtype (or into out): all three must agree.
    _addmv_dtype_check(vec._dtype if out is None else out._dtype, input, vec)
    _no_bool(input._dtype, "addmv_impl_cpu")
    return _finish(a @ v, input._dtype, out)


def _addmv_dtype_check(res, mat, vec):
    if not (res is mat._dtype and res is vec._dtype):
        raise RuntimeError(
            f"addmv input tensors must have the same dtype, but got {_NAMES[res]}, "
            f"{_NAMES[mat._dtype]}, and {_NAMES[vec._dtype]}"
        )


def bmm(input, mat2, *, out=None):
    a, b = input._data, mat2._data
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if input._dtype is not mat2._dtype:
        raise RuntimeError(
            f"expected scalar type {_NAMES[input._dtype]} but found {_NAMES[mat2._dtype]}"
        )
    if b.shape[0] != a.shape[0] or b.shape[1] != a.shape[2]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}]."
        )
    _out_dtype_check(out, input._dtype)
    _no_bool(input._dtype, "bmm")
    return _finish(np.matmul(a, b), input._dtype, out)


def _should_fold(t1, t2):
    """PyTorch's ``should_fold``: a >=3-D operand times a 1-D/2-D one becomes one mm/mv when
    the big operand's batch dims can be merged without a copy."""
    larger = t1._data.ndim >= t2._data.ndim
    big = t1._data if larger else np.swapaxes(t2._data, -1, -2)
    small_nd = t2._data.ndim if larger else t1._data.ndim
    if not (big.ndim >= 3 and small_nd <= 2) or t1._data.ndim == 2:
        return False
    if big.size == 0:
        return True
    strides = [s // big.itemsize for s in big.strides]
    return all(strides[i] == strides[i + 1] * big.shape[i + 1] for i in range(big.ndim - 2))


def matmul(input, other, *, out=None):
    if not isinstance(other, Tensor):
        raise TypeError(
            f"matmul(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}"
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
        result = mm(_wrap(a[None], input._dtype), other)
        if out is None:
            return _finish(result._data[0], result._dtype, None)
        # PyTorch runs mm_out into out (resizing it to 1 x p, with its warning), then squeeze_.
        _out_dtype_check(out, result._dtype)
        _finish(result._data, result._dtype, out)
        out._data = out._data.reshape(out._data.shape[1:])
        out._bump_version()  # squeeze_ counts as a write, as in PyTorch
        return out
    if da == 2 and db == 2:
        return mm(input, other, out=out)
    if _should_fold(input, other):
        # The batch folds into the rows of one matrix: mm / mv give the errors.
        if da >= db:
            # Explicit sizes: reshape(-1, 0) is ambiguous for an empty operand.
            folded = _wrap(a.reshape(int(np.prod(a.shape[:-1])), a.shape[-1]), input._dtype)
            vec = None if db == 2 else other
            result = mm(folded, other) if db == 2 else mv(folded, other)
            shape = a.shape[:-1] + b.shape[1:]
        else:
            bt = np.swapaxes(b, -1, -2)
            folded = _wrap(bt.reshape(int(np.prod(bt.shape[:-1])), bt.shape[-1]), other._dtype)
            vec = input
            result = mv(folded, input)
            shape = b.shape[:-2] + b.shape[-1:]
        if vec is not None and out is not None:
            _addmv_dtype_check(out._dtype, folded, vec)
    else:
        # Broadcast the batch dims and run one bmm over them.
        n = a.shape[-2] if da > 1 else 1
        m1, m2 = a.shape[-1], b.shape[-2] if db > 1 else b.shape[0]
        p = b.shape[-1] if db > 1 else 1
        batch_a, batch_b = a.shape[: max(da - 2, 0)], b.shape[: max(db - 2, 0)]
        try:
            batch = np.broadcast_shapes(batch_a, batch_b)
        except ValueError:
            raise broadcast_error(batch_a, batch_b) from None
        count = int(np.prod(batch, dtype=np.int64))
        left = np.broadcast_to(a.reshape(*a.shape[:-2], n, m1), (*batch, n, m1))
        right = np.broadcast_to(b.reshape(*b.shape[:-2], m2, p), (*batch, m2, p))
        result = bmm(_wrap(left.reshape(count, n, m1), input._dtype),
                     _wrap(right.reshape(count, m2, p), other._dtype))
        shape = batch + ((n,) if da > 1 else ()) + ((p,) if db > 1 else ())
    if result._data.ndim != 1:  # mm and bmm check out's dtype (mv's check is above)
        _out_dtype_check(out, result._dtype)
    return _finish(result._data.reshape(shape), result._dtype, out)


def outer(input, vec2, *, out=None):
    for name, t in (("self", input), ("vec2", vec2)):
        if t._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t._data.ndim}-D")
    dt = result_type(input, vec2)
    return _finish(np.multiply.outer(cast(input._data, dt), cast(vec2._data, dt)), dt, out)


ger = outer


# ---------------------------------------------------------------------- einsum
def _label_index(c):
    """PyTorch's label order: A-Z, then a-z."""
    return ord(c) - ord("A") if c.isupper() else 26 + ord(c) - ord("a")


def _parse_terms(text, offset, output):
    """Labels of one side of the equation, per operand; "..." becomes None.

    ``offset`` is where ``text`` starts in the equation (for PyTorch's error positions).
    """
    terms, labels, ellipsis, i = [], [], False, 0
    while i < len(text):
        c = text[i]
        where = "output" if output else f"operand {len(terms)}"
        if c == ".":
            if ellipsis:
                raise RuntimeError(
                    "einsum(): found '.' for output but an ellipsis (...) was already found"
                    if output
                    else f"einsum(): found '.' for {where} for which an ellipsis was already found"
                )
            if text[i:i + 3] != "...":
                raise RuntimeError(
                    f"einsum(): found '.' for {where} that is not part of any ellipsis"
                    + (" (...)" if output else "")
                )
            labels.append(None)
            ellipsis = True
            i += 2
        elif c == "," and not output:
            terms.append(labels)
            labels, ellipsis = [], False
        elif c.isascii() and c.isalpha():
            labels.append(c)
        elif c != " ":
            raise RuntimeError(
                f"einsum(): invalid subscript given at index {offset + i} in the equation "
                "string, subscripts must be in [a-zA-Z]"
            )
        i += 1
    terms.append(labels)
    return terms


def _einsum_align(equation, operands):
    """PyTorch's einsum set-up: every operand viewed (diagonals taken, missing dims added) with
    dims ordered output labels first, then the contracted ones. Returns the aligned views, the
    size of each aligned dim and the number of output dims."""
    arrow = equation.find("->")
    lhs = equation if arrow < 0 else equation[:arrow]
    terms = _parse_terms(lhs, 0, output=False)
    if len(terms) > len(operands):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(terms) < len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    counts, ell_dims = {}, 0
    for k, (labels, op) in enumerate(zip(terms, operands, strict=True)):
        named = [c for c in labels if c is not None]
        nd = op._data.ndim
        for c in named:
            counts[c] = counts.get(c, 0) + 1
        if None in labels:
            ell_dims = max(ell_dims, nd - len(named))
            if len(named) > nd:
                raise RuntimeError(
                    f"einsum(): the number of subscripts in the equation ({len(named)}) is more "
                    f"than the number of dimensions ({nd}) for operand {k}"
                )
        elif len(named) != nd:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({len(named)}) does not "
                f"match the number of dimensions ({nd}) for operand {k} and no ellipsis was given"
            )
    # Positions in the aligned shape: output first.
    position, ell_at = {}, None
    if arrow < 0:
        ell_at, n = 0, ell_dims
        for c in sorted((c for c in counts if counts[c] == 1), key=_label_index):
            position[c] = n
            n += 1
    else:
        (out_labels,) = _parse_terms(equation[arrow + 2:], arrow + 2, output=True)
        n = 0
        for c in out_labels:
            if c is None:
                ell_at, n = n, n + ell_dims
                continue
            if c not in counts or c in position:
                raise RuntimeError(
                    f"einsum(): output subscript {c}"
                    + (" appears more than once in the output" if c in position
                       else " does not appear in the equation for any input operand")
                )
            position[c] = n
            n += 1
    out_dims = n
    if ell_at is None:
        ell_at, n = n, n + ell_dims
    for c in sorted((c for c in counts if c not in position), key=_label_index):
        position[c] = n
        n += 1
    sizes, ell_sizes, aligned = {}, [1] * ell_dims, []
    for k, (labels, op) in enumerate(zip(terms, operands, strict=True)):
        perm = [-1] * n
        dim = 0
        for c in labels:
            if c is None:
                missing = ell_dims - (op._data.ndim - len(labels) + 1)
                for _ in range(missing):
                    op = op.unsqueeze(dim)
                for j in range(ell_dims):
                    s = op._data.shape[dim]
                    if s != 1:
                        if ell_sizes[j] not in (1, s):
                            raise RuntimeError(
                                f"einsum(): dimension {dim} covered by ellipsis in operand {k}"
                                f"has size {s} which does not broadcast with previously seen "
                                f"ellipsis with size {ell_sizes[j]} for the respective dimension"
                            )
                        ell_sizes[j] = s
                    perm[ell_at + j] = dim
                    dim += 1
            elif perm[position[c]] == -1:
                s = op._data.shape[dim]
                if s != 1:
                    if sizes.get(c, 1) not in (1, s):
                        raise RuntimeError(
                            f"einsum(): subscript {c} has size {s} for operand {k} which does "
                            f"not broadcast with previously seen size {sizes[c]}"
                        )
                    sizes[c] = s
                perm[position[c]] = dim
                dim += 1
            else:  # a repeated label: take the diagonal
                prev = perm[position[c]]
                a, b = op._data.shape[dim], op._data.shape[prev]
                if a != b:
                    raise RuntimeError(
                        f"einsum(): subscript {c} is repeated for operand {k} but the sizes "
                        f"don't match, {a} != {b}"
                    )
                op = op.diagonal(0, prev, dim).movedim(-1, prev)
        for j in range(n):
            if perm[j] == -1:
                op = op.unsqueeze(dim)
                perm[j] = dim
                dim += 1
        aligned.append(op.permute(perm))
    full = [1] * n
    for c, p in position.items():
        full[p] = sizes.get(c, 1)
    for j, s in enumerate(ell_sizes):
        full[ell_at + j] = s
    return aligned, full, out_dims


def einsum(equation, *operands):
    if len(operands) == 1 and isinstance(operands[0], list | tuple):
        operands = tuple(operands[0])
    aligned, full, out_dims = _einsum_align(equation, operands)
    summed = tuple(range(out_dims, len(full)))
    if len(aligned) == 1:
        # One operand: PyTorch returns the aligned view itself, or its sum (ints sum to int64).
        (op,) = aligned
        if not summed:
            return op
        dt = op._dtype if op._dtype.category == _dt._FLOAT else _dt.int64
        return _finish(op._data.sum(axis=summed, dtype=dt.np), dt, None)
    # PyTorch contracts a dim that several operands share with bmm, which wants equal dtypes
    # (and no bools); without one it multiplies, promoting.
    bmm_needed = any(sum(op._data.shape[j] != 1 for op in aligned) > 1 for j in summed)
    dt = aligned[0]._dtype
    for op in aligned[1:]:
        if op._dtype is not dt:
            if bmm_needed:
                raise RuntimeError(
                    f"expected scalar type {_NAMES[dt]} but found {_NAMES[op._dtype]}"
                )
            dt = _dt.promote_types(dt, op._dtype)
    if bmm_needed:
        _no_bool(dt, "bmm")
    letters = [chr(ord("a") + j) if j < 26 else chr(ord("A") + j - 26) for j in range(len(full))]
    spec = ",".join("".join(letters) for _ in aligned) + "->" + "".join(letters[:out_dims])
    arrays = [np.broadcast_to(cast(op._data, dt), full) for op in aligned]
    return _finish(np.einsum(spec, *arrays, optimize=len(arrays) > 2), dt, None)


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    prod = mm(mat1, mat2)._data
    r = (alpha * prod if alpha != 1 else prod) + (beta * input._data if beta != 1 else input._data)
    return _finish(r, mat1._dtype, None)


def tensordot(a, b, dims=2):
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    return _finish(np.tensordot(a._data, b._data, axes=dims), a._dtype, None)


def trace(input):
    x = input._data
    if x.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {x.ndim}")
    dt = input._dtype if input._dtype.category == _dt._FLOAT else _dt.int64
    return _finish(np.trace(x).astype(dt.np), dt, None)
