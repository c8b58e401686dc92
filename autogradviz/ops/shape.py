"""Views and shape functions: view/reshape/permute/expand ... (sharing storage), and joins.

A view is a NumPy view wrapped by ``_view_of``, so writes through it reach its base and the
other way round. Where NumPy would pick other strides than PyTorch (``unsqueeze``, ``expand``,
``view`` of a non-contiguous tensor), the view is made with PyTorch's strides explicitly.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from .._tensor import (
    Size,
    Tensor,
    _contiguous_strides,
    _is_contiguous,
    _view_of,
    _wrap,
    scalar_type_name,
    wrap_dim,
    wrap_dims,
)
from ..autograd.grad_mode import is_grad_enabled, no_grad
from ..autograd.graph import derivative, rule_helper
from ._common import broadcast_error, cast, result_type, tracked

_as_strided = np.lib.stride_tricks.as_strided
_new = object.__new__


def _shape_arg(shape):
    """Accept view(2, 3), view((2, 3)), view([2, 3]) and view(torch.Size([2, 3]))."""
    if len(shape) == 1 and isinstance(shape[0], tuple | list | Size):
        shape = tuple(shape[0])
    for s in shape:
        if type(s) is not int:
            break
    else:
        return shape  # the common case: plain ints
    out = []
    for s in shape:
        if isinstance(s, Tensor):
            s = s.item()
        if not isinstance(s, int | np.integer) or isinstance(s, bool):
            raise TypeError(
                f"view(): argument 'size' (position 1) must be tuple of ints, but found element "
                f"of type {type(s).__name__} at pos 0"
            )
        out.append(int(s))
    return tuple(out)


def infer_size(shape, numel):
    """Resolve one -1 in ``shape`` with PyTorch's errors."""
    infer = None
    known = 1
    for i, s in enumerate(shape):
        if s == -1:
            if infer is not None:
                raise RuntimeError("only one dimension can be inferred")
            infer = i
        elif s < 0:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {list(shape)}")
        else:
            known *= s
    if infer is not None:
        if known == 0:
            raise RuntimeError(
                f"shape '{list(shape)}' is invalid for input of size {numel}"
                if numel
                else f"cannot reshape tensor of 0 elements into shape {list(shape)} because the "
                "unspecified dimension size -1 can be any value and is ambiguous"
            )
        if numel % known == 0:
            shape = (*shape[:infer], numel // known, *shape[infer + 1 :])
            return shape
    if known != numel or infer is not None:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def compute_view_strides(old_shape, old_strides, new_shape):
    """PyTorch's stride computation for a view; None when the view would need a copy."""
    numel = 1
    for s in old_shape:
        numel *= s
    if numel == 0 or not old_shape:
        if numel == 0 and tuple(old_shape) == tuple(new_shape):
            return tuple(old_strides)
        return _contiguous_strides(new_shape)
    new_strides = [0] * len(new_shape)
    view_d = len(new_shape) - 1
    chunk_base = old_strides[-1]
    tensor_numel = 1
    view_numel = 1
    for tensor_d in range(len(old_shape) - 1, -1, -1):
        tensor_numel *= old_shape[tensor_d]
        if tensor_d == 0 or (
            old_shape[tensor_d - 1] != 1
            and old_strides[tensor_d - 1] != tensor_numel * chunk_base
        ):
            while view_d >= 0 and (view_numel < tensor_numel or new_shape[view_d] == 1):
                new_strides[view_d] = view_numel * chunk_base
                view_numel *= new_shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if tensor_d > 0:
                chunk_base = old_strides[tensor_d - 1]
                tensor_numel = 1
                view_numel = 1
    if view_d != -1:
        return None
    return tuple(new_strides)


def reorder_dimensions(perm, should_swap):
    """Sort ``perm`` in place with TensorIterator's insertion sort: ``should_swap(d0, d1)`` > 0
    swaps, < 0 stops, 0 (ambiguous) moves on, so the result depends on this exact algorithm."""
    for i in range(1, len(perm)):
        d1 = i
        for d0 in range(i - 1, -1, -1):
            order = should_swap(perm[d0], perm[d1])
            if order > 0:
                perm[d0], perm[d1] = perm[d1], perm[d0]
                d1 = d0
            elif order < 0:
                break
    return perm


def _iter_strides(shape, operands):
    """The strides PyTorch's TensorIterator gives a new output of ``shape``.

    ``operands`` are the inputs' strides over ``shape`` (0 where broadcast). As in
    ``TensorIteratorBase::reorder_dimensions``, dims are sorted from fastest to slowest by the
    first input whose strides tell them apart, and the output is dense in that order.
    """
    nd = len(shape)
    perm = list(range(nd - 1, -1, -1))  # perm[0] moves fastest

    def should_swap(d0, d1):
        for strides in operands:
            s0, s1 = strides[d0], strides[d1]
            if s0 == 0 or s1 == 0:
                continue
            if s0 != s1:
                return 1 if s0 > s1 else -1
            if shape[d0] > shape[d1]:
                return 1
        return 0

    reorder_dimensions(perm, should_swap)
    strides = [0] * nd
    acc = 1
    for d in perm:
        strides[d] = acc
        acc *= shape[d]
    return tuple(strides)


def _empty_strided(shape, strides, np_dtype):
    """A new array with the given element strides (dense, so every element has its own slot)."""
    n = int(np.prod(shape, dtype=np.int64))
    buf = np.empty(max(n, 1), np_dtype)
    item = buf.itemsize
    return np.lib.stride_tricks.as_strided(
        buf, shape=tuple(shape), strides=tuple(s * item for s in strides)
    )


def _non_overlapping_and_dense(shape, strides):
    """PyTorch's ``compute_non_overlapping_and_dense``."""
    dims = sorted((d for d in range(len(shape)) if shape[d] >= 2), key=lambda d: strides[d])
    expected = 1
    for d in dims:
        if strides[d] != expected:
            return False
        expected *= shape[d]
    return True


def _new_like(t, arr):
    """``arr`` (values shaped like ``t``) in a new tensor laid out as PyTorch's
    ``empty_like(t)`` would be: ``t``'s strides if it is dense, else dense in ``t``'s order."""
    shape, strides = t._data.shape, t.stride()
    if not _non_overlapping_and_dense(shape, strides):
        strides = _iter_strides(shape, [strides])
    out = _empty_strided(shape, strides, t._data.dtype)
    out[...] = arr
    return _wrap(out, t._dtype)


def check_out_grad(name, out, *tensors):
    """PyTorch does not differentiate through ``out=``: it refuses when a tensor needs grad."""
    if out is not None and is_grad_enabled() and any(t._requires_grad for t in (*tensors, out)):
        raise RuntimeError(
            f"{name}(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad."
        )


def _strided_view(t, shape, strides):
    item = t._data.itemsize
    arr = _as_strided(t._data, shape=shape, strides=tuple(s * item for s in strides))
    return _view_of(t, arr)


ViewBackward0 = derivative(
    "ViewBackward0", inputs=("self",), saves=("self_sym_sizes",),
    self="grad.reshape(self_sym_sizes)",
)
UnsafeViewBackward0 = derivative(
    "UnsafeViewBackward0", inputs=("self",), saves=("self_sym_sizes",),
    self="grad.reshape(self_sym_sizes)",
)


def view(self, *shape):
    for s in shape:
        if type(s) is not int:  # not the common case of plain ints
            if len(shape) == 1 and isinstance(s, _dt.dtype):
                return view_as_dtype(self, s)
            shape = _shape_arg(shape)
            break
    x = self._data
    # (NumPy calls an array with size-1 dims of any stride contiguous; PyTorch's view keeps
    # those strides where it can, so such arrays take the general path)
    if x.flags.c_contiguous and 1 not in x.shape:
        try:
            arr = x.reshape(shape)
        except ValueError:
            infer_size(shape, x.size)  # raises PyTorch's message
            raise
        # NumPy reads any negative size as -1 (at most one), and infers -1 among no elements
        # where PyTorch may refuse: those cases go through PyTorch's rules (which raise).
        if -1 in shape:
            if not x.size:
                infer_size(shape, 0)
        elif arr.shape != shape:
            infer_size(shape, x.size)
        out = _new(Tensor)  # _view_of, inlined: this is the common case
        out._data = arr
        out._dtype = self._dtype
        base = self._base
        out._base = self if base is None else base
        owner = self._storage_owner
        out._storage_owner = self if owner is None else owner
        if not self._requires_grad:
            return out
    else:
        shape = infer_size(shape, x.size)
        strides = compute_view_strides(x.shape, self.stride(), shape)
        if strides is None:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
            )
        out = _strided_view(self, shape, strides)
    return tracked(out, ViewBackward0, (self,), {"self_sym_sizes": self._data.shape})


def view_as_dtype(self, dtype):
    """``x.view(dtype)``: the same bytes read as ``dtype``, with PyTorch's checks."""
    old, new = self._dtype.itemsize, dtype.itemsize
    if old != new:
        what = (
            f"to view {scalar_type_name(self._dtype)} as {scalar_type_name(dtype)} "
            "(different element sizes)"
        )
        if self._data.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 {what}")
        ratio = new // old
        if ratio and self._data.shape[-1] % ratio:
            raise RuntimeError(
                f"self.size(-1) must be divisible by {ratio} {what}, but got "
                f"{self._data.shape[-1]}"
            )
        if self.stride(-1) != 1:
            raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got {self.stride(-1)}")
        if ratio:
            named = [("self.storage_offset()", self.storage_offset())]
            named += [(f"self.stride({d})", s) for d, s in enumerate(self.stride()[:-1])]
            for name, value in named:
                if value % ratio:
                    raise RuntimeError(
                        f"{name} must be divisible by {ratio} {what}, but got {value}"
                    )
    v = _view_of(self, self._data.view(dtype.np))
    v._dtype = dtype
    return v


def view_as(self, other):
    return view(self, other.shape)


ReshapeAliasBackward0 = derivative(
    "ReshapeAliasBackward0", inputs=("self",), saves=("self_sym_sizes",),
    self="grad.reshape(self_sym_sizes)",
)


def reshape(self, *shape):
    """A view when the strides allow one (ViewBackward0 for a contiguous tensor, else
    ReshapeAliasBackward0), else a copy viewed (CloneBackward0, UnsafeViewBackward0)."""
    shape = infer_size(_shape_arg(shape), self._data.size)
    x = self._data
    if x.flags.c_contiguous:
        return view(self, shape)
    strides = compute_view_strides(x.shape, self.stride(), shape)
    if strides is not None:
        out = _strided_view(self, shape, strides)
        return tracked(out, ReshapeAliasBackward0, (self,), {"self_sym_sizes": x.shape})
    return _unsafe_view(clone(self, memory_format="contiguous"), shape)


def _unsafe_view(self, shape):
    """PyTorch's ``_unsafe_view``: ``self`` (a fresh result) reshaped, as a new tensor."""
    out = _wrap(self._data.reshape(shape), self._dtype)
    return tracked(out, UnsafeViewBackward0, (self,), {"self_sym_sizes": self._data.shape})


def reshape_as(self, other):
    return reshape(self, other.shape)


def _dims_arg(dims):
    if len(dims) == 1 and isinstance(dims[0], tuple | list | Size):
        return tuple(dims[0])
    return dims


def permute(self, *dims):
    if not dims:
        raise TypeError('permute() missing 1 required positional arguments: "dims"')
    dims = _dims_arg(dims)
    nd = self._data.ndim
    if len(dims) != nd:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {nd} is not equal "
            f"to len(dims) = {len(dims)}"
        )
    wrapped = tuple(wrap_dim(d, nd) for d in dims)
    if len(set(wrapped)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    out = _view_of(self, self._data.transpose(wrapped))
    return tracked(out, PermuteBackward0, (self,), {"dims": tuple(int(d) for d in dims)})


PermuteBackward0 = derivative(
    "PermuteBackward0", inputs=("self",), saves=("dims",), int64=("dims",),
    self="grad.permute(inverse_permutation(dims))",
)
TransposeBackward0 = derivative(
    "TransposeBackward0", inputs=("self",), saves=("dim0", "dim1"), int64=("dim0", "dim1"),
    self="grad.transpose(dim0, dim1)",
)
TBackward0 = derivative("TBackward0", inputs=("self",), self="grad.t()")


def transpose(self, dim0, dim1):
    nd = self._data.ndim
    d0, d1 = wrap_dim(dim0, nd), wrap_dim(dim1, nd)
    arr = self._data.view() if nd == 0 else np.swapaxes(self._data, d0, d1)
    saved = {"dim0": int(dim0), "dim1": int(dim1)}
    return tracked(_view_of(self, arr), TransposeBackward0, (self,), saved)


swapaxes = swapdims = transpose


def t(self):
    nd = self._data.ndim
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    return tracked(_view_of(self, self._data.T), TBackward0, (self,))


def adjoint(self):
    return transpose(self, -2, -1)


SqueezeBackward0 = derivative(
    "SqueezeBackward0", inputs=("self",), saves=("self_sym_sizes",),
    self="unsqueeze_to(grad, self_sym_sizes)",
)
SqueezeBackward1 = derivative(
    "SqueezeBackward1", inputs=("self",), saves=("dim", "self_sym_sizes"), int64=("dim",),
    self="unsqueeze_to(grad, self_sym_sizes, dim)",
)
SqueezeBackward2 = derivative(
    "SqueezeBackward2", inputs=("self",), saves=("dim", "self_sym_sizes"), int64=("dim",),
    self="unsqueeze_to(grad, self_sym_sizes, dim)",
)
# ``squeeze_(dim)``, the in-place form (matmul's 1-D @ 2-D ends with one).
SqueezeBackward4 = derivative(
    "SqueezeBackward4", inputs=("self",), saves=("dim", "self_sym_sizes"), int64=("dim",),
    self="unsqueeze_to(grad, self_sym_sizes, dim)",
)


def squeeze(self, dim=None):
    x = self._data
    saved = {"self_sym_sizes": x.shape}
    if dim is None:
        return tracked(_view_of(self, x.squeeze()), SqueezeBackward0, (self,), saved)
    dims = wrap_dims(dim, x.ndim)
    if isinstance(dim, int | np.integer):
        node, saved["dim"] = SqueezeBackward1, int(dim)
    else:
        node, saved["dim"] = SqueezeBackward2, tuple(int(d) for d in dim)
    if x.ndim == 0:
        return tracked(_view_of(self, x.view()), node, (self,), saved)
    dims = tuple(d for d in dims if x.shape[d] == 1)
    return tracked(_view_of(self, x.squeeze(dims)), node, (self,), saved)


def _squeeze_(self, dim):
    """``self.squeeze_(dim)`` on a fresh result: reshaped in place, its history rebased."""
    d = wrap_dim(dim, self._data.ndim)
    shape = self._data.shape
    tracked(self, SqueezeBackward4, (self,), {"dim": dim, "self_sym_sizes": shape})
    if shape and shape[d] == 1:
        self._data = self._data.reshape(shape[:d] + shape[d + 1:])
    self._bump_version()
    return self


def unsqueeze(self, dim):
    x = self._data
    nd = x.ndim
    d = wrap_dim(dim, nd + 1)
    shape = (*x.shape[:d], 1, *x.shape[d:])
    strides = self.stride()
    new_stride = 1 if d >= nd else x.shape[d] * strides[d]
    out = _strided_view(self, shape, (*strides[:d], new_stride, *strides[d:]))
    return tracked(out, UnsqueezeBackward0, (self,), {"dim": int(dim)})


UnsqueezeBackward0 = derivative(
    "UnsqueezeBackward0", inputs=("self",), saves=("dim",), int64=("dim",),
    self="grad.squeeze(dim)",
)


# ---------------------------------------------------------------------- in-place view ops
# ``unsqueeze_``, ``squeeze_``, ``t_``, ``transpose_`` change only the tensor's shape and
# strides (its storage and its views stay); autograd records the op as the tensor's new
# ``grad_fn`` (PyTorch's ``...Backward1`` nodes), with no CopySlices even on a view.
UnsqueezeBackward1 = derivative(
    "UnsqueezeBackward1", inputs=("self",), saves=("dim",), int64=("dim",),
    self="grad.squeeze(dim)",
)
SqueezeBackward3 = derivative(
    "SqueezeBackward3", inputs=("self",), saves=("self_sym_sizes",),
    self="unsqueeze_to(grad, self_sym_sizes)",
)
SqueezeBackward5 = derivative(
    "SqueezeBackward5", inputs=("self",), saves=("dim", "self_sym_sizes"), int64=("dim",),
    self="unsqueeze_to(grad, self_sym_sizes, dim)",
)
TransposeBackward1 = derivative(
    "TransposeBackward1", inputs=("self",), saves=("dim0", "dim1"), int64=("dim0", "dim1"),
    self="grad.transpose(dim0, dim1)",
)
TBackward1 = derivative("TBackward1", inputs=("self",), self="grad.t()")


def _restride_(self, view_op, node, saved):
    """``self`` takes the shape and strides of ``view_op(self)`` in place, recorded as ``node``."""
    if is_grad_enabled() and self._requires_grad:
        base = self._base
        if base is not None and base._requires_grad and base.grad_fn is None:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in "
                               "an in-place operation.")
        if self.grad_fn is None:
            raise RuntimeError(
                "a leaf Variable that requires grad is being used in an in-place operation.")
    with no_grad():
        data = view_op(self)._data
    tracked(self, node, (self,), saved)
    self._data = data
    self._bump_version()
    return self


def unsqueeze_(self, dim):
    wrap_dim(dim, self._data.ndim + 1)
    return _restride_(self, lambda t: unsqueeze(t, dim), UnsqueezeBackward1, {"dim": int(dim)})


def squeeze_(self, dim=None):
    shape = self._data.shape
    if dim is None:
        return _restride_(self, squeeze, SqueezeBackward3, {"self_sym_sizes": shape})
    if isinstance(dim, int | np.integer):
        node, saved = SqueezeBackward4, {"dim": int(dim), "self_sym_sizes": shape}
    else:
        node, saved = SqueezeBackward5, {"dim": tuple(int(d) for d in dim),
                                         "self_sym_sizes": shape}
    return _restride_(self, lambda t: squeeze(t, dim), node, saved)


def transpose_(self, dim0, dim1):
    saved = {"dim0": int(dim0), "dim1": int(dim1)}
    return _restride_(self, lambda t: transpose(t, dim0, dim1), TransposeBackward1, saved)


def t_(self):
    return _restride_(self, t, TBackward1, {})


def flatten(self, start_dim=0, end_dim=-1):
    nd = self._data.ndim
    if nd == 0:
        wrap_dim(start_dim, nd), wrap_dim(end_dim, nd)  # PyTorch checks the dims first
        return reshape(self, 1)
    s, e = wrap_dim(start_dim, nd), wrap_dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return self
    shape = self._data.shape
    n = 1
    for v in shape[s : e + 1]:
        n *= v
    return reshape(self, (*shape[:s], n, *shape[e + 1 :]))


def ravel(self):
    return view(contiguous(self), -1)  # PyTorch's: a copy first when needed, then a view


def unflatten(self, dim, sizes):
    nd = self._data.ndim
    d = wrap_dim(dim, nd)
    sizes = tuple(sizes)
    n = self._data.shape[d]
    try:
        sizes = infer_size(sizes, n)
    except RuntimeError:
        raise RuntimeError(
            f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
            f"({n}) in the input tensor"
        ) from None
    return view(self, self._data.shape[:d] + sizes + self._data.shape[d + 1 :])


_CPP_TYPE_NAME = {_dt.bool: "CPUBoolType"}  # C++ messages' name of a bool tensor's type


def expand(self, *sizes):
    sizes = _shape_arg(sizes)
    x = self._data
    nd = x.ndim
    if len(sizes) < nd:
        raise RuntimeError(
            f"expand({_CPP_TYPE_NAME.get(self._dtype) or _dt.LEGACY_TYPE_NAMES[self._dtype]}"
            f"{{{list(x.shape)}}}, "
            f"size={list(sizes)}): the number of sizes provided ({len(sizes)}) must be greater "
            f"or equal to the number of dimensions in the tensor ({nd})"
        )
    # PyTorch's inferExpandGeometry, from the last dim: a new leading dim of size 1 gets the
    # stride a contiguous tensor would have there; any broadcast dim gets stride 0.
    strides = self.stride()
    n = len(sizes)
    lead = n - nd
    shape, new_strides = [0] * n, [0] * n
    for i in range(n - 1, -1, -1):
        target = sizes[i]
        if i >= lead:
            size, stride = x.shape[i - lead], strides[i - lead]
        else:
            size, stride = 1, 0 if i == n - 1 else shape[i + 1] * new_strides[i + 1]
            if target == -1:
                raise RuntimeError(
                    f"The expanded size of the tensor (-1) isn't allowed in a leading, "
                    f"non-existing dimension {i}"
                )
        if target == -1:
            target = size
        if size != target:
            if size != 1:
                raise RuntimeError(
                    f"The expanded size of the tensor ({target}) must match the existing size "
                    f"({size}) at non-singleton dimension {i}.  Target sizes: {list(sizes)}.  "
                    f"Tensor sizes: {list(x.shape)}"
                )
            size, stride = target, 0
        shape[i], new_strides[i] = size, stride
    if any(s < 0 for s in shape):
        raise RuntimeError("numel: integer multiplication overflow")
    out = _strided_view(self, tuple(shape), tuple(new_strides))
    return tracked(out, ExpandBackward0, (self,), {"self_sym_sizes": self._data.shape})


ExpandBackward0 = derivative(
    "ExpandBackward0", inputs=("self",), saves=("self_sym_sizes",),
    self="sum_to(grad, self_sym_sizes)",
)


def expand_as(self, other):
    return expand(self, other.shape)


def broadcast_to(input, size):
    return expand(input, size)


def broadcast_tensors(*tensors):
    if len(tensors) == 1 and isinstance(tensors[0], list | tuple):
        tensors = tuple(tensors[0])
    shape = ()
    for t in tensors:  # pairwise, as PyTorch's infer_size, for its error message
        try:
            shape = np.broadcast_shapes(shape, t._data.shape)
        except ValueError:
            raise broadcast_error(shape, t._data.shape) from None
    # A tensor already of the broadcast shape comes back as itself (no ExpandBackward0).
    return tuple(t if t._data.shape == shape else expand(t, shape) for t in tensors)


def broadcast_shapes(*shapes):
    """``torch.broadcast_shapes``, with the checks and messages of its Python implementation."""
    shapes = [(s,) if isinstance(s, int | np.integer) else s for s in shapes]
    for s in shapes:
        if not isinstance(s, tuple | list):
            raise RuntimeError(
                "Input shapes should be of type ints, a tuple of ints, or a list of ints, got ", s
            )
    result = [1] * max((len(s) for s in shapes), default=0)
    for i, shape in enumerate(shapes):
        for j in range(-1, -len(shape) - 1, -1):
            n = shape[j]
            if n < 0:
                raise ValueError("Attempting to broadcast a dimension with negative length!")
            if n in (1, result[j]):
                continue
            if result[j] != 1:
                raise RuntimeError(
                    f"Attempting to broadcast a dimension of length {n} at {j}! Mismatching "
                    f"argument at index {i} had {shape}; but expected shape should be "
                    f"broadcastable to {result}"
                )
            result[j] = n
    return Size(result)


def narrow(self, dim, start, length):
    nd = self._data.ndim
    if nd == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    d = wrap_dim(dim, nd)
    if isinstance(start, Tensor):
        start = start.item()
    size = self._data.shape[d]
    if not -size <= start <= size:
        raise IndexError(
            f"start out of range (expected to be in range of [{-size}, {size}], but got {start})"
        )
    if start < 0:
        start += size
    if start + length > size:
        raise RuntimeError(
            f"start ({start}) + length ({length}) exceeds dimension size ({size})."
        )
    return slice_tensor(self, dim, start, start + length, 1)


INT64_MAX = 2**63 - 1  # the end PyTorch records for an open slice (``x[2:]``)
SliceBackward0 = derivative(
    "SliceBackward0", inputs=("self",), saves=("dim", "start", "end", "step", "self_sym_sizes"),
    int64=("dim", "start", "end", "step"),
    self="slice_backward(grad, self_sym_sizes, dim, start, end, step)",
)


def slice_tensor(self, dim, start, end, step):
    """``self[start:end:step]`` along ``dim``: a view, recorded as SliceBackward0."""
    d = wrap_dim(dim, self._data.ndim)
    out = _view_of(self, self._data[(slice(None),) * d + (slice(start, end, step),)])
    saved = {"dim": int(dim), "start": start, "end": end, "step": step,
             "self_sym_sizes": self._data.shape}
    return tracked(out, SliceBackward0, (self,), saved)


SelectBackward0 = derivative(
    "SelectBackward0", inputs=("self",), saves=("dim", "index", "self_sym_sizes"),
    int64=("dim", "index"), self="select_backward(grad, self_sym_sizes, dim, index)",
)


def select(self, dim, index):
    nd = self._data.ndim
    if nd == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, nd)
    size = self._data.shape[d]
    if isinstance(index, Tensor):
        index = index.item()
    if not -size <= index < size:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {list(self._data.shape)} "
            f"at dimension {d}"
        )
    return _select(self, dim, index)


def _select(self, dim, index):
    """``self`` at ``index`` along ``dim`` (both checked): a view, recorded as SelectBackward0."""
    d = wrap_dim(dim, self._data.ndim)
    out = _view_of(self, self._data[(slice(None),) * d + (index, Ellipsis)])
    saved = {"dim": int(dim), "index": int(index), "self_sym_sizes": self._data.shape}
    return tracked(out, SelectBackward0, (self,), saved)


UnbindBackward0 = derivative(
    "UnbindBackward0", inputs=("self",), saves=("dim",), int64=("dim",),
    self="unbind_backward(grads, dim)",
)


def unbind(self, dim=0):
    nd = self._data.ndim
    if nd == 0:
        wrap_dim(dim, nd)  # an out-of-range dim is PyTorch's first complaint
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = wrap_dim(dim, nd)
    x = self._data
    pre = (slice(None),) * d
    out = tuple(_view_of(self, x[(*pre, i, Ellipsis)]) for i in range(x.shape[d]))
    return tracked(out, UnbindBackward0, (self,), {"dim": int(dim)}) if out else out


SplitBackward0 = derivative(
    "SplitBackward0", inputs=("self",), saves=("dim", "self_sym_sizes", "split_size"),
    int64=("dim",), self="split_backward(grads, dim)",
)
SplitWithSizesBackward0 = derivative(
    "SplitWithSizesBackward0", inputs=("self",), saves=("dim", "self_sym_sizes", "split_sizes"),
    int64=("dim",), self="split_backward(grads, dim)",
)


def split(self, split_size_or_sections, dim=0):
    if self._data.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = wrap_dim(dim, self._data.ndim)
    size = self._data.shape[d]
    if isinstance(split_size_or_sections, int | np.integer):
        step = int(split_size_or_sections)
        if step < 0:
            raise RuntimeError(
                f"split expects split_size be non-negative, but got split_size={step}"
            )
        if step == 0 and size != 0:
            raise RuntimeError(
                f"split_size can only be 0 if dimension size is 0, but got dimension size of "
                f"{size}"
            )
        # At least one piece, even when the dim is empty or shorter than split_size.
        count = max(-(-size // step), 1) if step else 1
        sizes = [step] * (count - 1) + [size - step * (count - 1)]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if any(s < 0 for s in sizes):
            raise RuntimeError(
                "split_with_sizes expects split_sizes have only non-negative entries, but got "
                f"split_sizes={sizes}"
            )
        if sum(sizes) != size:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's "
                f"size at dimension {dim}), but got split_sizes={sizes}"
            )
    out, start, pre = [], 0, (slice(None),) * d
    for s in sizes:
        out.append(_view_of(self, self._data[(*pre, slice(start, start + s))]))
        start += s
    if isinstance(split_size_or_sections, int | np.integer):
        node, saved = SplitBackward0, {"split_size": int(split_size_or_sections)}
    else:
        node, saved = SplitWithSizesBackward0, {"split_sizes": tuple(sizes)}
    saved.update(dim=int(dim), self_sym_sizes=self._data.shape)
    return tracked(tuple(out), node, (self,), saved)


def tensor_split(self, indices_or_sections, dim=0):
    d = wrap_dim(dim, self._data.ndim)
    parts = np.array_split(np.arange(self._data.shape[d]), indices_or_sections)
    return tuple(narrow(self, d, int(p[0]) if len(p) else 0, len(p)) for p in parts)


def chunk(self, chunks, dim=0):
    if self._data.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    size = self._data.shape[wrap_dim(dim, self._data.ndim)]
    if size == 0:
        # split(0) would give one piece; PyTorch keeps the number of chunks asked for.
        return split(self, [0] * chunks, dim)
    return split(self, -(-size // chunks), dim)


def movedim(self, source, destination):
    nd = self._data.ndim
    source = [source] if isinstance(source, int | np.integer) else list(source)
    destination = [destination] if isinstance(destination, int | np.integer) else list(destination)
    if len(source) != len(destination):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({source} dims) should "
            f"contain the same number of dims as destination ({destination} dims)"
        )
    src = [wrap_dim(d, nd) for d in source]
    dst = [wrap_dim(d, nd) for d in destination]
    for name, given, wrapped in (("source", source, src), ("destination", destination, dst)):
        if len(set(wrapped)) != len(wrapped):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({given})")
    if nd == 0:  # PyTorch returns an alias of a 0-d tensor
        from .indexing import _alias

        return _alias(self)
    order = [d for d in range(nd) if d not in src]
    for d, s_ in sorted(zip(dst, src, strict=True)):
        order.insert(d, s_)
    return permute(self, order)


moveaxis = movedim


def contiguous(self, memory_format=None):
    if _is_contiguous(self._data.shape, self.stride()):
        return self
    return clone(self, memory_format="contiguous")


CloneBackward0 = derivative("CloneBackward0", inputs=("self",), self="grad")


def clone(self, *, memory_format=None):
    if memory_format == "contiguous":
        out = _wrap(np.ascontiguousarray(self._data).copy(), self._dtype)
    else:
        out = _new_like(self, self._data)
    return tracked(out, CloneBackward0, (self,))


DiagonalBackward0 = derivative(
    "DiagonalBackward0", inputs=("self",), saves=("dim1", "dim2", "offset", "self_sym_sizes"),
    int64=("dim1", "dim2", "offset"),
    self="diagonal_backward(grad, self_sym_sizes, offset, dim1, dim2)",
)


def diagonal(self, offset=0, dim1=0, dim2=1):
    nd = self._data.ndim
    d1, d2 = wrap_dim(dim1, nd), wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    out = _view_of(self, diagonal_view(self._data, offset, d1, d2))
    saved = {"dim1": int(dim1), "dim2": int(dim2), "offset": int(offset),
             "self_sym_sizes": self._data.shape}
    return tracked(out, DiagonalBackward0, (self,), saved)


def diagonal_view(x, offset, d1, d2):
    """A writable view of ``x``'s diagonal (``np.diagonal``'s is read-only)."""
    arr = np.diagonal(x, offset, d1, d2)
    start = x[_diag_start(x.shape, offset, d1, d2)]
    return _as_strided(start, shape=arr.shape, strides=arr.strides)


def _diag_start(shape, offset, d1, d2):
    idx = [0] * len(shape)
    if offset >= 0:
        if shape[d2] > offset:
            idx[d2] = offset
    elif shape[d1] > -offset:
        idx[d1] = -offset
    return tuple(slice(i, None) for i in idx)


# ---------------------------------------------------------------------- joins and copies
def _tensor_list(tensors, name):
    if isinstance(tensors, Tensor):
        raise TypeError(
            f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor"
        )
    tensors = list(tensors)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}"
            )
    return tensors


CatBackward0 = derivative(
    "CatBackward0", inputs=("tensors",), variadic=True, saves=("dim",), int64=("dim",),
    private=("tensors_args_sizes",),
    tensors="cat_tensors_backward(grad, tensors_args_sizes, dim)",
)
StackBackward0 = derivative(
    "StackBackward0", inputs=("tensors",), variadic=True, saves=("dim",), int64=("dim",),
    private=("tensors_args_sizes",),
    tensors="stack_tensors_backward(grad, dim, tensors_args_sizes)",
)


def cat(tensors, dim=0, *, out=None):
    tensors = _tensor_list(tensors, "cat")
    check_out_grad("cat", out, *tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if t._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    dt = result_type(*tensors) if len({t._dtype for t in tensors}) > 1 else tensors[0]._dtype
    # Legacy rule: 1-D empty tensors are skipped (they still take part in type promotion).
    parts = [(i, t._data) for i, t in enumerate(tensors) if t._data.shape != (0,)]
    if not parts:
        arr = np.zeros((0,), dt.np)
    else:
        ref = parts[0][1]
        nd = ref.ndim
        d = wrap_dim(dim, nd)
        for i, x in parts:
            if x.ndim != nd:
                raise RuntimeError(
                    f"Tensors must have same number of dimensions: got {nd} and {x.ndim}"
                )
            for k in range(nd):
                if k != d and x.shape[k] != ref.shape[k]:
                    raise RuntimeError(
                        f"Sizes of tensors must match except in dimension {d}. Expected size "
                        f"{ref.shape[k]} but got size {x.shape[k]} for tensor number {i} in the "
                        "list."
                    )
        shape = list(ref.shape)
        shape[d] = sum(x.shape[d] for _, x in parts)
        # PyTorch's result is contiguous, whatever the inputs' layouts.
        arr = np.empty(shape, dt.np)
        np.concatenate([cast(x, dt) for _, x in parts], axis=d, out=arr)
    if out is not None:
        from ._common import write_out

        return write_out(out, arr, dt)
    saved = {"dim": int(dim), "tensors_args_sizes": tuple(t._data.shape for t in tensors)}
    return tracked(_wrap(arr, dt), CatBackward0, tensors, saved)


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    tensors = _tensor_list(tensors, "stack")
    check_out_grad("stack", out, *tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape0 = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != shape0:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(shape0)} at entry 0 "
                f"and {list(t._data.shape)} at entry {i}"
            )
    d = wrap_dim(dim, len(shape0) + 1)
    with no_grad():
        result = cat([unsqueeze(t, d) for t in tensors], d, out=out)
    if out is not None:
        return result
    saved = {"dim": int(dim), "tensors_args_sizes": tuple(t._data.shape for t in tensors)}
    return tracked(result, StackBackward0, tensors, saved)


def hstack(tensors, *, out=None):
    tensors = [atleast_1d(t) for t in _tensor_list(tensors, "hstack")]
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1, out=out)


def vstack(tensors, *, out=None):
    return cat([atleast_2d(t) for t in _tensor_list(tensors, "vstack")], 0, out=out)


row_stack = vstack


def dstack(tensors, *, out=None):
    return cat([atleast_3d(t) for t in _tensor_list(tensors, "dstack")], 2, out=out)


def column_stack(tensors, *, out=None):
    parts = []
    for t in _tensor_list(tensors, "column_stack"):
        parts.append(reshape(t, (-1, 1)) if t._data.ndim <= 1 else t)
    return cat(parts, 1, out=out)


def atleast_1d(t):
    return reshape(t, 1) if t._data.ndim == 0 else t


def atleast_2d(t):
    if t._data.ndim == 0:
        return reshape(t, 1, 1)
    return unsqueeze(t, 0) if t._data.ndim == 1 else t


def atleast_3d(t):
    nd = t._data.ndim
    if nd == 0:
        return reshape(t, 1, 1, 1)
    if nd == 1:
        return unsqueeze(unsqueeze(t, 0), -1)
    return unsqueeze(t, -1) if nd == 2 else t


FlipBackward0 = derivative(
    "FlipBackward0", inputs=("self",), saves=("dims",), int64=("dims",), self="grad.flip(dims)"
)


def flip(self, *dims):
    dims = _dims_arg(dims)
    dims = (dims,) if isinstance(dims, int | np.integer) else tuple(int(d) for d in dims)
    axes = wrap_dims(dims, self._data.ndim)
    out = _new_like(self, np.flip(self._data, axes if self._data.ndim else ()))
    return tracked(out, FlipBackward0, (self,), {"dims": dims})


def fliplr(self):
    return flip(self, 1)


def flipud(self):
    return flip(self, 0)


RollBackward0 = derivative(
    "RollBackward0", inputs=("self",), saves=("dims", "shifts"), int64=("dims", "shifts"),
    self="grad.roll([-s for s in shifts], dims)",
)


def roll(self, shifts, dims=None):
    shifts = (shifts,) if isinstance(shifts, int | np.integer) else tuple(shifts)
    dims = () if dims is None else (dims,) if isinstance(dims, int | np.integer) else tuple(dims)
    if not shifts:
        raise RuntimeError("`shifts` required")
    x = self._data
    if not x.size:  # PyTorch copies an empty tensor before it looks at the dims
        saved = {"dims": tuple(int(d) for d in dims), "shifts": tuple(int(s) for s in shifts)}
        return tracked(_wrap(x.copy(), self._dtype), RollBackward0, (self,), saved)
    if dims and x.ndim == 0:
        raise IndexError(f"Dimension specified as {dims[0]} but tensor has no dimensions")
    if not dims and len(shifts) == 1:
        arr = np.roll(x.reshape(-1), shifts[0]).reshape(x.shape)
    elif len(shifts) != len(dims):
        raise RuntimeError(
            f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}"
        )
    else:
        arr = np.ascontiguousarray(np.roll(x, shifts, [wrap_dim(d, x.ndim) for d in dims]))
    saved = {"dims": tuple(int(d) for d in dims), "shifts": tuple(int(s) for s in shifts)}
    return tracked(_wrap(arr, self._dtype), RollBackward0, (self,), saved)


Rot90Backward0 = derivative(
    "Rot90Backward0", inputs=("self",), saves=("dims", "k"), int64=("dims", "k"),
    self="grad.rot90(-k, dims)",
)


def rot90(self, k=1, dims=(0, 1)):
    nd = self._data.ndim
    dims = tuple(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    d0, d1 = wrap_dim(dims[0], nd), wrap_dim(dims[1], nd)
    if d0 == d1:
        raise RuntimeError(
            f"expected rotation dims to be different, but got dim0 = {dims[0]} and dim1 = "
            f"{dims[1]}"
        )
    # PyTorch's rot90 is a flip, transposed for odd turns: a view of the flipped copy.
    turns = k % 4
    with no_grad():
        if turns == 0:
            out = _wrap(np.ascontiguousarray(self._data).copy(), self._dtype)
        elif turns == 2:
            out = flip(self, d0, d1)
        else:
            out = transpose(flip(self, d1 if turns == 1 else d0), d0, d1)
    saved = {"dims": tuple(int(d) for d in dims), "k": int(k)}
    return tracked(out, Rot90Backward0, (self,), saved)


def _tri(np_tri_mask, name):
    node = derivative(
        f"{name.capitalize()}Backward0", inputs=("self",), saves=("diagonal",),
        int64=("diagonal",), self=f"grad.{name}(diagonal)",
    )

    def op(self, diagonal=0):
        if self._data.ndim < 2:
            raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
        x = self._data
        mask = np_tri_mask(x.shape[-2], x.shape[-1], diagonal)
        out = _wrap(np.where(mask, x, np.zeros((), x.dtype)), self._dtype)
        return tracked(out, node, (self,), {"diagonal": int(diagonal)})

    def op_(self, diagonal=0):
        """The in-place form: the same node, recorded as in-place writes are (CopySlices on a
        view)."""
        from ._common import check_inplace, commit_inplace, inplace_node, inplace_store

        if self._data.ndim < 2:
            raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
        check_inplace(self, self._dtype, self._data.shape)
        x = self._data
        mask = np_tri_mask(x.shape[-2], x.shape[-1], diagonal)
        recorded = inplace_node(node, (self,), {"diagonal": int(diagonal)})
        inplace_store(self, np.where(mask, x, np.zeros((), x.dtype)))
        return commit_inplace(self, recorded)

    op.__name__ = name
    op_.__name__ = name + "_"
    return op, op_, node


tril, tril_, TrilBackward0 = _tri(lambda n, m, k: np.tri(n, m, k, dtype=bool), "tril")
triu, triu_, TriuBackward0 = _tri(lambda n, m, k: ~np.tri(n, m, k - 1, dtype=bool), "triu")


DiagEmbedBackward0 = derivative(
    "DiagEmbedBackward0", inputs=("self",), saves=("dim1", "dim2", "offset"),
    int64=("dim1", "dim2", "offset"), self="grad.diagonal(offset, dim1, dim2)",
)
# ``diag`` of a matrix is PyTorch's ``diagonal_copy``: its node has this name.
DiagonalBackward0_copy = derivative(
    "DiagonalBackward0_copy", inputs=("self",), saves=("dim1", "dim2", "offset", "self_sym_sizes"),
    int64=("dim1", "dim2", "offset"),
    self="diagonal_backward(grad, self_sym_sizes, offset, dim1, dim2)",
)


def diag(self, diagonal=0):
    x = self._data
    if x.ndim == 1:
        return diag_embed(self, diagonal)
    if x.ndim == 2:
        out = _wrap(np.diag(x, diagonal).copy(), self._dtype)
        saved = {"dim1": 0, "dim2": 1, "offset": int(diagonal), "self_sym_sizes": x.shape}
        return tracked(out, DiagonalBackward0_copy, (self,), saved)
    raise RuntimeError("diag(): Supports 1D or 2D tensors. Got " f"{x.ndim}D")


def diag_embed(self, offset=0, dim1=-2, dim2=-1):
    x = self._data
    nd = x.ndim + 1
    d1, d2 = wrap_dim(dim1, nd), wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    n = (x.shape[-1] if x.ndim else 1) + abs(offset)
    rest = x.shape[:-1]
    out = np.zeros((*rest, n, n), x.dtype)
    i = np.arange(x.shape[-1] if x.ndim else 1)
    r, c = (i, i + offset) if offset >= 0 else (i - offset, i)
    out[..., r, c] = x
    # The two new dims go to dim1 and dim2 (the rest keep their order).
    out = np.ascontiguousarray(np.moveaxis(out, (-2, -1), (d1, d2)))
    saved = {"dim1": int(dim1), "dim2": int(dim2), "offset": int(offset)}
    return tracked(_wrap(out, self._dtype), DiagEmbedBackward0, (self,), saved)


RepeatBackward0 = derivative(
    "RepeatBackward0", inputs=("self",), saves=("repeats", "self_sym_sizes"),
    self="repeat_backward(grad, repeats, self_sym_sizes)",
)


def repeat(self, *sizes):
    sizes = _shape_arg(sizes)
    if len(sizes) < self._data.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions "
            "of tensor"
        )
    x = self._data.reshape((1,) * (len(sizes) - self._data.ndim) + self._data.shape)
    target = [n * r for n, r in zip(x.shape, sizes, strict=True)]
    for n in target:
        if n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: {target}")
    out = _wrap(np.tile(x, sizes), self._dtype)
    return tracked(out, RepeatBackward0, (self,), {"repeats": sizes,
                                                   "self_sym_sizes": self._data.shape})


def tile(self, dims):
    dims = tuple(dims)
    if len(dims) < self._data.ndim:
        dims = (1,) * (self._data.ndim - len(dims)) + dims
    return repeat(self, dims)


def repeat_interleave(self, repeats, dim=None, *, output_size=None):
    """As PyTorch: an int count is unsqueeze + expand + copy + flatten; per-element counts
    (a tensor) pick with index_select."""
    source = flatten(self) if dim is None else self
    d = wrap_dim(0 if dim is None else dim, self._data.ndim)
    if isinstance(repeats, Tensor):
        from .indexing import index_select

        counts = repeats._data.reshape(-1)
        if counts.size == 1:
            counts = np.broadcast_to(counts, (source._data.shape[d],))
        picks = np.repeat(np.arange(source._data.shape[d]), counts)
        return index_select(source, d, _wrap(picks, _dt.int64))
    if repeats < 0:
        raise RuntimeError("Repeats must be non-negative")
    shape = source._data.shape
    wide = expand(unsqueeze(source, d + 1), (*shape[:d + 1], repeats, *shape[d + 1:]))
    return flatten(clone(wide, memory_format="contiguous"), d, d + 1)


AsStridedBackward0 = derivative(
    "AsStridedBackward0", inputs=("self",), saves=("size", "stride", "storage_offset"),
    private=("self_geometry",),
    self="as_strided_backward(grad, self_geometry, size, stride, storage_offset)",
)


UnfoldBackward0 = derivative(
    "UnfoldBackward0", inputs=("self",), saves=("dimension", "self_sym_sizes", "size", "step"),
    int64=("dimension",), self="unfold_backward(grad, self_sym_sizes, dimension, size, step)",
)


@rule_helper
def unfold_backward(grad, sizes, dimension, size, step):
    """Each window's gradient added back where the window lies (windows may overlap). Computed
    with NumPy: no graph of its own (PyTorch's is UnfoldBackwardBackward0)."""
    d = wrap_dim(dimension, max(len(sizes), 1))
    g = np.moveaxis(grad._data, (d, -1), (0, 1)) if sizes else grad._data.reshape(1, 1)
    out = np.zeros((sizes[d] if sizes else 1, *g.shape[2:]), grad._data.dtype)
    for i in range(g.shape[0]):
        out[i * step:i * step + size] += g[i]
    out = np.moveaxis(out, 0, d) if sizes else out.reshape(())
    return _wrap(np.ascontiguousarray(out), grad._dtype)


def unfold(self, dimension, size, step):
    """The windows of ``size`` every ``step`` along ``dimension``, as a new last dimension (a
    view)."""
    shape, strides = self._data.shape or (1,), self.stride() or (1,)
    d = wrap_dim(dimension, len(shape))
    if size > shape[d]:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {shape[d]} but size is "
                           f"{size}")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    count = (shape[d] - size) // step + 1
    if self._data.ndim == 0:  # a 0-d tensor gives its one window, 1-d
        out = _strided_view(self, (size,), (1,))
    else:
        out = _strided_view(self, (*shape[:d], count, *shape[d + 1:], size),
                            (*strides[:d], strides[d] * step, *strides[d + 1:], strides[d]))
    saved = {"dimension": int(dimension), "self_sym_sizes": self._data.shape, "size": int(size),
             "step": int(step)}
    return tracked(out, UnfoldBackward0, (self,), saved)


def as_strided(self, size, stride, storage_offset=None):
    base = self._base if self._base is not None else self
    root = base._data
    offset = self.storage_offset() if storage_offset is None else storage_offset
    flat = root.reshape(-1) if root.flags.c_contiguous else root.ravel()
    arr = _as_strided(flat[offset:], shape=tuple(size),
                      strides=tuple(s * root.itemsize for s in stride))
    saved = {"size": tuple(size), "stride": tuple(stride), "storage_offset": storage_offset,
             "self_geometry": (self._data.shape, self.stride(), self.storage_offset())}
    return tracked(_view_of(self, arr), AsStridedBackward0, (self,), saved)
