"""Matrix products (matmul/@, mm, bmm, mv, dot, outer, einsum) with PyTorch's checks.

``matmul`` follows ``at::native::_matmul_impl``: it dispatches to dot, mv or mm, folds a batch
into mm/mv when PyTorch does, and otherwise broadcasts the batch dims and calls bmm, so shape and
dtype errors come from the same kernel (and so carry the same message) as in PyTorch, and the
autograd graph has the same nodes (``UnsafeViewBackward0`` over ``MmBackward0`` ...). ``einsum``
and ``tensordot`` are PyTorch's decompositions too (permute, reshape, bmm/mm, sum). NumPy does
the arithmetic; results are new C-contiguous tensors.
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import dtypes as _dt
from .._fma import _fma32, _fma64
from .._stack import user_stacklevel
from .._tensor import Tensor, _contiguous_strides, _wrap, wrap_dim
from ..autograd.grad_mode import STATE as _GRAD_MODE
from ..autograd.grad_mode import no_grad
from ..autograd.graph import derivative, rule_helper
from ._common import broadcast_error, cast, result_type, tracked
from .shape import (
    _squeeze_,
    _unsafe_view,
    check_out_grad,
    contiguous,
    diag_embed,
    expand,
    reshape,
    squeeze,
    unsqueeze,
)

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


def _finish(arr, dt, out, *, owned=False):
    """A new tensor (or ``out``, resized as PyTorch resizes it) holding ``arr``.

    ``owned``: ``arr`` was just computed and nobody else holds it, so it is used as it is when
    already laid out as PyTorch lays out a new result (a large product is not copied again).
    """
    arr = cast(np.asarray(arr), dt)
    if owned and arr.base is None and arr.flags.c_contiguous and (
            1 not in arr.shape
            or arr.strides == tuple(s * arr.itemsize for s in _contiguous_strides(arr.shape))):
        fresh = arr
    else:
        fresh = np.empty(arr.shape, dt.np)  # C-contiguous, PyTorch's strides on size-1 dims
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
                stacklevel=user_stacklevel(),
            )
        out._data = fresh
    else:
        out._data[...] = fresh
    out._bump_version()
    return out


def _if_grad(t, value):
    """``value`` when ``t`` requires grad, else None: PyTorch saves what a needed rule reads."""
    return value if t._requires_grad else None


DotBackward0 = derivative(
    "DotBackward0", inputs=("self", "tensor"), saves=("self", "tensor"),
    self="grad * tensor", tensor="grad * self",
)


def dot(input, other, *, out=None):
    check_out_grad("dot", out, input, other)
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
    with np.errstate(all="ignore"):  # inf * 0 is NaN without a word, as in PyTorch
        result = _finish(np.dot(a, b), input._dtype, out, owned=True)
    if out is not None:
        return result
    saved = {"self": _if_grad(other, input), "tensor": _if_grad(input, other)}
    return tracked(result, DotBackward0, (input, other), saved)


inner_dot = dot


MmBackward0 = derivative(
    "MmBackward0", inputs=("self", "mat2"),
    saves=("mat2", "mat2_sym_sizes", "mat2_sym_strides", "self", "self_sym_sizes",
           "self_sym_strides"),
    self="mm_mat1_backward(grad, mat2, self_sym_sizes, self_sym_strides)",
    mat2="mm_mat2_backward(grad, self, mat2_sym_sizes, mat2_sym_strides)",
)


def _mm_saves(mat1, mat2, name1="self", name2="mat2"):
    """What PyTorch's mm-like nodes save: each operand for the other's rule, the sizes, and the
    strides of the operands that need a gradient."""
    return {
        name2: _if_grad(mat1, mat2), f"{name2}_sym_sizes": mat2._data.shape,
        f"{name2}_sym_strides": mat2.stride() if mat2._requires_grad else (),
        name1: _if_grad(mat2, mat1), f"{name1}_sym_sizes": mat1._data.shape,
        f"{name1}_sym_strides": mat1.stride() if mat1._requires_grad else (),
    }


def mm(input, mat2, *, out=None):
    if out is not None:
        check_out_grad("mm", out, input, mat2)
    a, b = input._data, mat2._data
    if a.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    if a.shape[1] != b.shape[0]:  # PyTorch checks the shapes before the dtypes
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({_fmt(a.shape)} and {_fmt(b.shape)})"
        )
    if input._dtype is not mat2._dtype:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {_CPP_NAMES[input._dtype]} != "
            f"{_CPP_NAMES[mat2._dtype]}"
        )
    _out_dtype_check(out, input._dtype)
    _no_bool(input._dtype, "addmm_impl_cpu_")
    with np.errstate(all="ignore"):
        result = _finish(a @ b, input._dtype, out, owned=True)
    if out is not None:
        return result
    if not (_GRAD_MODE.grad_enabled and (input._requires_grad or mat2._requires_grad)):
        return result  # nothing to record (backward's own products): skip building the saves
    return tracked(result, MmBackward0, (input, mat2), _mm_saves(input, mat2))


MvBackward0 = derivative(
    "MvBackward0", inputs=("self", "vec"), saves=("self", "vec"),
    self="grad.outer(vec)", vec="self.t().mv(grad)",
)


def mv(input, vec, *, out=None):
    check_out_grad("mv", out, input, vec)
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
    with np.errstate(all="ignore"):
        result = _finish(a @ v, input._dtype, out, owned=True)
    if out is not None:
        return result
    saved = {"self": _if_grad(vec, input), "vec": _if_grad(input, vec)}
    return tracked(result, MvBackward0, (input, vec), saved)


def _addmv_dtype_check(res, mat, vec):
    if not (res is mat._dtype and res is vec._dtype):
        raise RuntimeError(
            f"addmv input tensors must have the same dtype, but got {_NAMES[res]}, "
            f"{_NAMES[mat._dtype]}, and {_NAMES[vec._dtype]}"
        )


BmmBackward0 = derivative(
    "BmmBackward0", inputs=("self", "mat2"), saves=("mat2", "self"),
    self="grad.bmm(mat2.transpose(1, 2))", mat2="self.transpose(1, 2).bmm(grad)",
)


def bmm(input, mat2, *, out=None):
    check_out_grad("bmm", out, input, mat2)
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
    with np.errstate(all="ignore"):
        result = _finish(np.matmul(a, b), input._dtype, out, owned=True)
    if out is not None:
        return result
    saved = {"mat2": _if_grad(input, mat2), "self": _if_grad(mat2, input)}
    return tracked(result, BmmBackward0, (input, mat2), saved)


def _should_fold(t1, t2, has_out):
    """PyTorch's ``should_fold``: a >=3-D operand times a 1-D/2-D one becomes one mm/mv when
    the small operand requires grad (its gradient then needs no batch sum), or when the big
    operand's batch dims can be merged without a copy."""
    larger = t1._data.ndim >= t2._data.ndim
    big = t1._data if larger else np.swapaxes(t2._data, -1, -2)
    small = t2 if larger else t1
    if not (big.ndim >= 3 and small._data.ndim <= 2):
        return False
    if small._requires_grad and not has_out:
        return True
    if t1._data.ndim == 2:
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
    da, db = input._data.ndim, other._data.ndim
    if da == 0 or db == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D"
        )
    if out is not None:
        check_out_grad("matmul", out, input, other)
        return _matmul_out(input, other, out)
    if da == 1 and db == 1:
        return dot(input, other)
    if da == 2 and db == 1:
        return mv(input, other)
    if da == 1 and db == 2:
        return _squeeze_(mm(unsqueeze(input, 0), other), 0)
    if da == 2 and db == 2:
        return mm(input, other)
    if _should_fold(input, other, has_out=False):
        # The batch folds into the rows of one matrix (the big operand transposed when it is
        # the right one): one mm / mv.
        flip = db > da
        t1 = other.transpose(-2, -1) if flip else input
        t2 = (input.t() if da == 2 else input) if flip else other
        shape = t1._data.shape[:-1]
        folded = reshape(t1, (int(np.prod(shape, dtype=np.int64)), t1._data.shape[-1]))
        if t2._data.ndim == 1:
            return _unsafe_view(mv(folded, t2), shape)
        result = _unsafe_view(mm(folded, t2), shape + t2._data.shape[1:])
        return contiguous(result.transpose(-2, -1)) if flip else result
    return _matmul_batched(input, other)


def _matmul_batched(input, other):
    """Broadcast the batch dims, fold them into one and run one bmm."""
    a, b = input._data, other._data
    da, db = a.ndim, b.ndim
    n = a.shape[-2] if da > 1 else 1
    m1, m2 = a.shape[-1], b.shape[-2] if db > 1 else b.shape[0]
    p = b.shape[-1] if db > 1 else 1
    batch_a, batch_b = a.shape[: max(da - 2, 0)], b.shape[: max(db - 2, 0)]
    if da == 3 and db == 3 and batch_a[0] != batch_b[0]:
        # A batch of one that requires grad is squeezed, so that it folds (see _should_fold).
        if batch_a[0] == 1 and input._requires_grad:
            return matmul(squeeze(input, 0), other)
        if batch_b[0] == 1 and other._requires_grad:
            return matmul(input, squeeze(other, 0))
    try:
        batch = np.broadcast_shapes(batch_a, batch_b)
    except ValueError:
        raise broadcast_error(batch_a, batch_b) from None
    count = int(np.prod(batch, dtype=np.int64))
    left = reshape(expand(input, (*batch, n, m1)), (count, n, m1))
    if db == 1:
        right = unsqueeze(reshape(expand(other, (*batch, m2)), (count, m2)), 2)
    else:
        right = reshape(expand(other, (*batch, m2, p)), (count, m2, p))
    result = bmm(left, right)
    if db == 1:
        result = squeeze(result, -1)
    shape = batch + ((n,) if da > 1 else ()) + ((p,) if db > 1 else ())
    return _unsafe_view(result, shape)


def _matmul_out(input, other, out):
    """``matmul(..., out=)``: the same dispatch, results written into ``out`` (no graph)."""
    a, b = input._data, other._data
    da, db = a.ndim, b.ndim
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
    if _should_fold(input, other, has_out=True):
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
    check_out_grad("mul", out, input, vec2)
    if out is None:
        # PyTorch's decomposition: a column times a row, broadcast (MulBackward0 over a view).
        from .elementwise import mul

        return mul(reshape(input, (input._data.shape[0], 1)), vec2)
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
                # The last dims of the ellipsis (a short one leaves dims to add at the end).
                covered = operands[k]._data.ndim - (len(labels) - 1)
                for j in range(ell_dims - covered, ell_dims):
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
    """PyTorch's einsum: align the operands (diagonals, unsqueeze, permute), then contract
    them left to right, two at a time, with ``_sumproduct_pair`` (permute, reshape, bmm)."""
    if len(operands) == 1 and isinstance(operands[0], list | tuple):
        operands = tuple(operands[0])
    ops, full, out_dims = _einsum_align(equation, operands)
    n = len(full)
    if len(ops) == 1:
        # One operand: the aligned view itself, or its sum over the contracted dims.
        return ops[0].sum(tuple(range(out_dims, n))) if n > out_dims else ops[0]
    # How many operands still carry each dim (size != 1): a dim is summed once one is left.
    counts = [sum(op._data.shape[d] != 1 for op in ops) for d in range(n)]
    while len(ops) > 1:
        a, b = ops.pop(0), ops.pop(0)
        sum_dims, a_dims, b_dims = [], [], []
        for d in range(out_dims, n):
            if a._data.shape[d] != 1 and b._data.shape[d] != 1:
                counts[d] -= 1
                if counts[d] == 1:
                    sum_dims.append(d)
                    counts[d] = 0
            elif counts[d] == 1:
                if a._data.shape[d] != 1:
                    a_dims.append(d)
                    counts[d] = 0
                elif b._data.shape[d] != 1:
                    b_dims.append(d)
                    counts[d] = 0
        if a_dims:
            a = a.sum(a_dims, True)
        if b_dims:
            b = b.sum(b_dims, True)
        ops.insert(0, _sumproduct_pair(a, b, sum_dims))
    result = ops[0]
    if n > out_dims:
        result = result.view(result._data.shape[:out_dims])
    return result


def _sumproduct_pair(left, right, sum_dims):
    """``(left * right).sum(sum_dims, keepdim=True)`` as permute -> reshape -> bmm -> view ->
    permute (PyTorch's ``sumproduct_pair``)."""
    from .elementwise import mul

    if not sum_dims:
        return mul(left, right)
    lro, lo, ro = [], [], []
    lro_size = lo_size = ro_size = sum_size = 1
    for i in range(left._data.ndim):
        sl, sr = left._data.shape[i] != 1, right._data.shape[i] != 1
        if i in sum_dims:
            if sl and sr:
                sum_size *= left._data.shape[i]
            elif sl:
                left = left.sum(i, True)
            elif sr:
                right = right.sum(i, True)
        elif sl and sr:
            lro.append(i)
            lro_size *= left._data.shape[i]
        elif sl:
            lo.append(i)
            lo_size *= left._data.shape[i]
        else:
            ro.append(i)
            ro_size *= right._data.shape[i]
    if lo and ro and ro[-1] < lo[0]:
        # The right operand's dims all come first in the output: swapped, bmm writes them
        # in order.
        left, right, lo, ro, lo_size, ro_size = right, left, ro, lo, ro_size, lo_size
    out_size = ([left._data.shape[d] for d in lro + lo] + [1] * len(sum_dims)
                + [right._data.shape[d] for d in ro])
    out_perm = [0] * len(out_size)
    for i, d in enumerate(lro + lo + sum_dims + ro):
        out_perm[d] = i
    left = reshape(left.permute(lro + lo + sum_dims + ro), (lro_size, lo_size, sum_size))
    right = reshape(right.permute(lro + sum_dims + ro + lo), (lro_size, sum_size, ro_size))
    return bmm(left, right).view(out_size).permute(out_perm)


AddmmBackward0 = derivative(
    "AddmmBackward0", inputs=("self", "mat1", "mat2"),
    saves=("alpha", "beta", "mat1", "mat1_sym_sizes", "mat1_sym_strides", "mat2",
           "mat2_sym_sizes", "mat2_sym_strides"),
    self="maybe_multiply(grad, beta)",
    mat1="mm_mat1_backward(grad, mat2, mat1_sym_sizes, mat1_sym_strides, alpha)",
    mat2="mm_mat2_backward(grad, mat1, mat2_sym_sizes, mat2_sym_strides, alpha)",
)


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    with no_grad():
        prod = mm(mat1, mat2)._data
    r = (alpha * prod if alpha != 1 else prod) + (beta * input._data if beta != 1 else input._data)
    saved = {"alpha": alpha, "beta": beta, **_mm_saves(mat1, mat2, "mat1", "mat2")}
    return tracked(_finish(r, mat1._dtype, None, owned=True), AddmmBackward0, (input, mat1, mat2),
                   saved)


def tensordot(a, b, dims=2, out=None):
    """PyTorch's tensordot: sum broadcast dims, permute the contracted dims together, mm."""
    dims_a, dims_b = _tensordot_dims(a, b, dims)
    if len(dims_a) != len(dims_b):
        raise RuntimeError("both dimension lists should have same length")
    if a._dtype is not b._dtype:
        raise RuntimeError("both inputs should have same dtype")
    t1, t2, csize = a, b, 1
    for d1, d2 in zip(dims_a, dims_b, strict=True):
        s1, s2 = a._data.shape[d1], b._data.shape[d2]
        if s2 == 1:  # broadcast dims are summed right away
            t1 = t1.sum(d1, True)
        elif s1 == 1:
            t2 = t2.sum(d2, True)
        elif s1 != s2:
            raise RuntimeError(
                f"contracted dimensions need to match, but first has size {s1} in dim {d1} and "
                f"second has size {s2} in dim {d2}"
            )
        else:
            csize *= s1
    kept_a = [d for d in range(a._data.ndim) if d not in _dim_set(dims_a, a._data.ndim)]
    kept_b = [d for d in range(b._data.ndim) if d not in _dim_set(dims_b, b._data.ndim)]
    size_a = int(np.prod([t1._data.shape[d] for d in kept_a], dtype=np.int64))
    size_b = int(np.prod([t2._data.shape[d] for d in kept_b], dtype=np.int64))
    shape = [t1._data.shape[d] for d in kept_a] + [t2._data.shape[d] for d in kept_b]
    t1 = reshape(t1.permute(kept_a + dims_a), (size_a, csize))
    t2 = reshape(t2.permute(dims_b + kept_b), (csize, size_b))
    result = reshape(mm(t1, t2), shape)
    if out is None:
        return result
    return _finish(result._data, result._dtype, out)


def _tensordot_dims(a, b, dims):
    """The two dim lists, from ``dims`` as ``torch.tensordot`` reads it."""
    if isinstance(dims, Tensor):
        if dims.numel() > 1:
            return [int(d) for d in dims[0].tolist()], [int(d) for d in dims[1].tolist()]
        dims = int(dims.item())
    if isinstance(dims, tuple | list):
        dims_a, dims_b = dims
        as_list = lambda d: [int(d)] if isinstance(d, int | np.integer) else [int(x) for x in d]  # noqa: E731
        return as_list(dims_a), as_list(dims_b)
    if not isinstance(dims, int | np.integer):
        raise RuntimeError(
            "tensordot expects dims to be int or tuple[list[int], list[int]] or list[list[int]] "
            f"containing two lists, but got dims={dims}"
        )
    if dims < 0:
        raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
    if dims > min(a._data.ndim, b._data.ndim):
        raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
    return list(range(-dims, 0)), list(range(dims))


def _dim_set(dims, ndim):
    """PyTorch's ``dim_list_to_bitset``: wrapped dims, each at most once."""
    seen = set()
    for d in dims:
        w = wrap_dim(d, ndim)
        if w in seen:
            raise RuntimeError(f"dim {w} appears multiple times in the list of dims")
        seen.add(w)
    return seen


TraceBackward0 = derivative(
    "TraceBackward0", inputs=("self",), saves=("self_sym_sizes",),
    self="trace_backward(grad, self_sym_sizes)",
)


def trace(input):
    x = input._data
    if x.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {x.ndim}")
    dt = input._dtype if input._dtype.category == _dt._FLOAT else _dt.int64
    result = _finish(np.trace(x).astype(dt.np), dt, None)
    return tracked(result, TraceBackward0, (input,), {"self_sym_sizes": x.shape})


# ---------------------------------------------------------------------- cross product
_CROSS_DIM_WARNED = []  # PyTorch warns about cross's missing dim once per process

LinalgCrossBackward0 = derivative(
    "LinalgCrossBackward0", inputs=("self", "other"), saves=("dim", "other", "self"),
    int64=("dim",),
    self="linalg_cross(other, grad, dim=dim)", other="linalg_cross(grad, self, dim=dim)",
)


@rule_helper
def linalg_cross(input, other, *, dim=-1, out=None):
    """``torch.linalg.cross``: the cross product of the length-3 vectors along ``dim``."""
    a, b = input._data, other._data
    if a.ndim != b.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    d = wrap_dim(dim, a.ndim)
    if a.shape[d] != 3 or b.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{a.shape[d]} and {b.shape[d]}")
    if input._dtype is not other._dtype:
        raise RuntimeError(f"expected scalar type {_NAMES[input._dtype]} but found "
                           f"{_NAMES[other._dtype]}")
    _no_bool(input._dtype, "cross")
    try:
        a, b = np.broadcast_arrays(np.moveaxis(a, d, -1), np.moveaxis(b, d, -1))
    except ValueError:
        raise broadcast_error(input._data.shape, other._data.shape) from None
    shape = a.shape
    a, b = a.reshape(-1, 3), b.reshape(-1, 3)  # rows of vectors (the fma takes no 0-d arrays)
    result = np.empty(a.shape, a.dtype)
    for i, (j, k) in enumerate(((1, 2), (2, 0), (0, 1))):
        a_j, b_k, a_k, b_j = a[:, j], b[:, k], a[:, k], b[:, j]
        if input._dtype is _dt.float32:  # PyTorch's kernel contracts a_j*b_k - a_k*b_j to an fma
            result[:, i] = _fma32(a_j, b_k, -(a_k * b_j))
        elif input._dtype is _dt.float64:
            result[:, i] = _fma64(a_j, b_k, -(a_k * b_j))
        else:
            result[:, i] = a_j * b_k - a_k * b_j
    result = result.reshape(shape)
    if out is not None:
        check_out_grad("linalg_cross", out, input, other)
    r = _finish(np.moveaxis(result, -1, d), input._dtype, out)
    if out is not None:
        return r
    return tracked(r, LinalgCrossBackward0, (input, other),
                   {"dim": dim, "other": _if_grad(input, other), "self": _if_grad(other, input)})


def cross(input, other, dim=None, *, out=None):
    """``torch.cross``: without ``dim``, the first dimension of size 3 (deprecated)."""
    if dim is None:
        if not _CROSS_DIM_WARNED:
            _CROSS_DIM_WARNED.append(True)
            warnings.warn(
                "Using torch.cross without specifying the dim arg is deprecated.\n"
                "Please either pass the dim explicitly or simply use torch.linalg.cross.\n"
                "The default value of dim will change to agree with that of linalg.cross in a "
                "future release. (Triggered internally at "
                "/__w/pytorch/pytorch/aten/src/ATen/native/Cross.cpp:63.)",
                UserWarning,
                stacklevel=2,
            )
        dim = next((i for i, n in enumerate(input._data.shape) if n == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    return linalg_cross(input, other, dim=dim, out=out)


# ---------------------------------------------------------------------- singular values
class _SvdResult(tuple):
    """``torch.return_types.svd`` / ``linalg_svd``."""

    __slots__ = ()
    _fields = ()
    _name = ""

    def __new__(cls, *values):
        return tuple.__new__(cls, values)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self, strict=True))
        return f"torch.return_types.{self._name}(\n{body})"


def _svd_result(name, fields):
    cls = type(name, (_SvdResult,), {"__slots__": (), "_fields": fields, "_name": name})
    for i, f in enumerate(fields):
        setattr(cls, f, property(lambda self, i=i: self[i]))
    return cls


svd_result = _svd_result("svd", ("U", "S", "V"))
linalg_svd_result = _svd_result("linalg_svd", ("U", "S", "Vh"))

LinalgSvdBackward0 = derivative(
    "LinalgSvdBackward0", inputs=("self",), outputs=3,
    saves=("S", "S_sym_argsize_minus_1", "U", "Vh", "full_matrices"),
    self="svd_backward(grads, U, S, Vh, full_matrices)",
)


@rule_helper
def svd_backward(grads, u, s, vh, full_matrices):
    """The gradient of A = U diag(S) Vh (real), from the reduced factors:
    U [(skew(U^T gU) S + S skew(Vh gV)) / E + diag(gS)] Vh, where E[i, j] = S_j^2 - S_i^2
    (1 on the diagonal), plus the parts of gU and gV outside the spans of U and V."""
    g_u, g_s, g_vh = grads
    k = s.shape[-1]
    if full_matrices:  # only the first k singular vectors carry a gradient
        u, vh = u[..., :k], vh[..., :k, :]
        g_u = None if g_u is None else g_u[..., :k]
        g_vh = None if g_vh is None else g_vh[..., :k, :]
    if g_u is None and g_vh is None:
        return (u * g_s.unsqueeze(-2)) @ vh
    m, n = u.shape[-2], vh.shape[-1]
    s2 = s * s
    e = s2.unsqueeze(-2) - s2.unsqueeze(-1)
    e = e + diag_embed_ones(e)
    inner = zeros_like_(e)
    if g_u is not None:
        u_g = u.mT @ g_u
        inner = inner + (u_g - u_g.mT) * s.unsqueeze(-2) / e
    if g_vh is not None:
        v_g = vh @ g_vh.mT
        inner = inner + s.unsqueeze(-1) * (v_g - v_g.mT) / e
    if g_s is not None:
        inner = inner + diag_embed(g_s)
    g_a = u @ inner @ vh
    if g_u is not None and m > k:
        g_a = g_a + ((g_u - u @ (u.mT @ g_u)) / s.unsqueeze(-2)) @ vh
    if g_vh is not None and n > k:
        g_v = g_vh.mT
        g_a = g_a + u @ ((g_v - vh.mT @ (vh @ g_v)) / s.unsqueeze(-2)).mT
    return g_a


def diag_embed_ones(like):
    """An identity matrix in ``like``'s dtype, broadcastable against ``like``."""
    n = like.shape[-1]
    return _wrap(np.eye(n, dtype=like._data.dtype), like._dtype)


def zeros_like_(like):
    return _wrap(np.zeros(like._data.shape, like._data.dtype), like._dtype)


def _svd_factors(name, input, full_matrices):
    x = input._data
    if x.ndim < 2:
        raise RuntimeError(f"{name}: input should have at least 2 dimensions, but has {x.ndim} "
                           "dimensions instead")
    if input._dtype.category != _dt._FLOAT or input._dtype is _dt.float16:
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{_NAMES[input._dtype]}")
    # LAPACK's gesdd, as PyTorch calls it (the singular vectors' signs are LAPACK's: NumPy's
    # and PyTorch's MKL agree on tall and square matrices, not always on wide ones).
    u, s, vh = np.linalg.svd(x, full_matrices=full_matrices)
    dt = input._dtype
    return _finish(u, dt, None), _finish(s, dt, None), _finish(vh, dt, None)


def linalg_svd(A, full_matrices=True, *, driver=None, out=None):  # noqa: N803 - PyTorch's name
    u, s, vh = _svd_factors("linalg.svd", A, full_matrices)
    result = linalg_svd_result(u, s, vh)
    tracked(result, LinalgSvdBackward0, (A,),
            {"full_matrices": full_matrices, "S_sym_argsize_minus_1": s.shape[-1]},
            {"S": s, "U": u, "Vh": vh})
    return result


def svd(input, some=True, compute_uv=True, *, out=None):
    """``torch.svd``: U, S and V (not V^H); with ``some=False``, U and V are square."""
    u, s, vh = linalg_svd(input, full_matrices=not some)
    if not compute_uv:
        return svd_result(zeros_like_(u), s, zeros_like_(vh))
    return svd_result(u, s, vh.mH)


def svdvals(A, *, driver=None, out=None):  # noqa: N803 - PyTorch's name
    return linalg_svd(A, full_matrices=False).S
