"""Functions that derivative rules call by name (``sum_to(grad, self_sym_sizes)`` ...).

Each is built from differentiable operations, so a rule that uses one can itself be
differentiated (``create_graph=True``). Where PyTorch has a backward kernel of its own
(``select_backward``, ``slice_backward``, ``diagonal_backward``), it is an operation here too,
with its own derivative, named as PyTorch names it (``SelectBackwardBackward0`` ...).
"""

from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from .._fma import _fma32, _fma64
from .._tensor import _wrap, wrap_dim
from ..autograd.grad_mode import STATE as _GRAD_MODE
from ..autograd.grad_mode import no_grad
from ..autograd.graph import derivative, rule_helper
from ._common import tracked


@rule_helper
def zeros(sizes, like):
    """New zeros of ``sizes`` in ``like``'s dtype (no history)."""
    return _wrap(np.zeros(tuple(sizes), like._data.dtype), like._dtype)


_zeros = zeros


@rule_helper
def zeros_like(t):
    return _zeros(t._data.shape, t)


@rule_helper
def inverse_permutation(dims):
    inverse = [0] * len(dims)
    for i, d in enumerate(dims):
        inverse[wrap_dim(d, len(dims))] = i
    return tuple(inverse)


@rule_helper
def sum_to(grad, shape):
    """Sum a broadcast gradient back to ``shape``."""
    shape = tuple(shape)
    grad_shape = grad._data.shape
    if grad_shape == shape:
        return grad
    lead = len(grad_shape) - len(shape)
    dims = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and grad_shape[i + lead] != 1
    )
    if dims and not _GRAD_MODE.grad_enabled and grad._dtype.category == _dt._FLOAT:
        # What the recorded form below computes (the same cascade sum), without the
        # operations' dispatch: a backward pass not building a graph runs this for every
        # broadcast input (a bias's gradient)
        from .reduction import _sum

        return _wrap(np.ascontiguousarray(_sum(grad._data, dims, True, grad._dtype))
                     .reshape(shape), grad._dtype)
    g = grad.sum(dims, keepdim=True) if dims else grad
    return g.view(shape) if lead else g


@rule_helper
def unsqueeze_to(grad, sizes, dims=None):
    """Put back the size-1 dims of ``sizes`` that a squeeze removed (those in ``dims``)."""
    n = len(sizes)
    dims = range(n) if dims is None else (dims,) if isinstance(dims, int) else dims
    for d in sorted(wrap_dim(d, n) for d in dims):
        if d < n and sizes[d] == 1:
            grad = grad.unsqueeze(d)
    return grad


@rule_helper
def maybe_multiply(t, s):
    return t if s == 1 else t * s


@rule_helper
def not_implemented(name):
    raise RuntimeError(f"derivative for aten::{name} is not implemented")


# ---------------------------------------------------------------------- scalar arithmetic
# ATen's ``tensor * scalar``, ``tensor + scalar`` ... (C++ Scalar overloads, which Python's
# operators never reach: there a number is a wrapped 0-d tensor) have nodes of their own. The
# backward formulas of ATen call them (``2 * result`` in sqrt's is ``result.mul(2)``), so a
# rule that mirrors such a formula calls these helpers.
MulBackward1 = derivative("MulBackward1", inputs=("self",), saves=("other",),
                          self="mul_scalar(grad, other)")
DivBackward1 = derivative("DivBackward1", inputs=("self",), saves=("other",),
                          self="div_scalar(grad, other)")
AddBackward1 = derivative("AddBackward1", inputs=("self",), self="grad")
SubBackward1 = derivative("SubBackward1", inputs=("self",), self="grad")


def _scalar_op(t, s, node, saved, op):
    with no_grad():
        out = op(t, s)
    return tracked(out, node, (t,), saved)


@rule_helper
def mul_scalar(t, s):
    """C++ ``t * s`` (``s * t``) for a number ``s``: MulBackward1."""
    return _scalar_op(t, s, MulBackward1, {"other": s}, lambda a, b: a * b)


@rule_helper
def div_scalar(t, s):
    """C++ ``t / s`` for a number ``s``: DivBackward1."""
    return _scalar_op(t, s, DivBackward1, {"other": s}, lambda a, b: a / b)


@rule_helper
def add_scalar(t, s):
    """C++ ``t + s`` (``s + t``) for a number ``s``: AddBackward1."""
    return _scalar_op(t, s, AddBackward1, None, lambda a, b: a + b)


@rule_helper
def sub_scalar(t, s):
    """C++ ``t - s`` for a number ``s``: SubBackward1."""
    return _scalar_op(t, s, SubBackward1, None, lambda a, b: a - b)


@rule_helper
def rsub_scalar(s, t):
    """C++ ``s - t`` for a number ``s``: ATen fills a new tensor with ``s`` and subtracts ``t``
    in place, so the node is SubBackward0 with no edge for the filled tensor."""
    from .elementwise import SubBackward0

    with no_grad():
        out = s - t
    return tracked(out, SubBackward0, (None, t), {"alpha": 1})


# ---------------------------------------------------------------------- backward kernels
# Where ATen's formula calls a backward kernel (``tanh_backward(grad, result)``), that kernel is
# an operation here too, with its own derivative, named as PyTorch names it.
TanhBackwardBackward0 = derivative(
    "TanhBackwardBackward0", inputs=("grad_output", "output"), saves=("grad_output", "output"),
    grad_output="tanh_backward(grad, output)",
    output="grad * (mul_scalar(output, -2) * grad_output)",
)
SigmoidBackwardBackward0 = derivative(
    "SigmoidBackwardBackward0", inputs=("grad_output", "output"),
    saves=("grad_output", "output"),
    grad_output="sigmoid_backward(grad, output)",
    output="sigmoid_double_backward(grad, grad_output, output)",
)
ThresholdBackwardBackward0 = derivative(
    "ThresholdBackwardBackward0", inputs=("grad_output", "self"), saves=("self", "threshold"),
    grad_output="threshold_backward(grad, self, threshold)", self="zeros_like(grad)",
)


def _kernel_result(r, like, node, inputs, saved):
    out = _wrap(np.asarray(r, like._data.dtype), like._dtype)
    return tracked(out, node, inputs, saved)


@rule_helper
def tanh_backward(grad_output, output):
    """``grad_output * (1 - output**2)``; ATen's float kernels fuse ``1 - output * output``
    into one multiply-add."""
    g, y = grad_output._data, output._data
    if g.dtype == np.float32 or g.dtype == np.float64:
        fma = _fma32 if g.dtype == np.float32 else _fma64
        r = g * fma(-y, y, g.dtype.type(1)).astype(g.dtype, copy=False)
    else:
        one = g.dtype.type(1)
        r = g * (one - y * y)
    return _kernel_result(r, grad_output, TanhBackwardBackward0, (grad_output, output),
                          {"grad_output": grad_output, "output": output})


@rule_helper
def sigmoid_backward(grad_output, output):
    """``grad_output * (1 - output) * output``, as ATen's kernel computes it."""
    g, y = grad_output._data, output._data
    r = g * (g.dtype.type(1) - y) * y
    return _kernel_result(r, grad_output, SigmoidBackwardBackward0, (grad_output, output),
                          {"grad_output": grad_output, "output": output})


@rule_helper
def sigmoid_double_backward(grad, grad_output, output):
    """ATen's ``grad * grad_output * (-2 * output + 1)``, whose compiled code makes the right
    operand of ``*`` first."""
    right = add_scalar(mul_scalar(output, -2), 1)
    return grad * grad_output * right


@rule_helper
def threshold_backward(grad_output, self, threshold):
    """``grad_output`` where ``self > threshold``, zero elsewhere (relu's gradient)."""
    g = grad_output._data
    r = np.where(self._data <= threshold, g.dtype.type(0), g)
    return _kernel_result(r, grad_output, ThresholdBackwardBackward0, (grad_output, self),
                          {"self": self, "threshold": threshold})


SelectBackwardBackward0 = derivative(
    "SelectBackwardBackward0", inputs=("grad_output",), saves=("dim", "index"),
    int64=("dim", "index"), grad_output="grad.select(dim, index)",
)
SliceBackwardBackward0 = derivative(
    "SliceBackwardBackward0", inputs=("grad_output",), saves=("dim", "start", "end", "step"),
    int64=("dim", "start", "end", "step"), grad_output="slice_tensor(grad, dim, start, end, step)",
)
DiagonalBackwardBackward0 = derivative(
    "DiagonalBackwardBackward0", inputs=("grad_output",), saves=("offset", "dim1", "dim2"),
    int64=("offset", "dim1", "dim2"), grad_output="grad.diagonal(offset, dim1, dim2)",
)


@rule_helper
def slice_tensor(t, dim, start, end, step):
    """``t[start:end:step]`` along ``dim``, recording SliceBackward0."""
    from .shape import slice_tensor as _slice

    return _slice(t, dim, start, end, step)


@rule_helper
def select_backward(grad, sizes, dim, index):
    """``grad`` placed at ``index`` along ``dim`` of zeros shaped ``sizes``."""
    out = _zeros(sizes, grad)
    out._data[(slice(None),) * wrap_dim(dim, len(sizes)) + (index,)] = grad._data
    return tracked(out, SelectBackwardBackward0, (grad,), {"dim": dim, "index": index})


@rule_helper
def slice_backward(grad, sizes, dim, start, end, step):
    """``grad`` placed in the slice ``start:end:step`` along ``dim`` of zeros."""
    out = _zeros(sizes, grad)
    d = wrap_dim(dim, len(sizes))
    out._data[(slice(None),) * d + (slice(start, end, step),)] = grad._data
    saved = {"dim": dim, "start": start, "end": end, "step": step}
    return tracked(out, SliceBackwardBackward0, (grad,), saved)


@rule_helper
def diagonal_backward(grad, sizes, offset, dim1, dim2):
    """``grad`` written on the diagonal (``offset``, ``dim1``, ``dim2``) of zeros."""
    from .shape import diagonal_view

    out = _zeros(sizes, grad)
    d1, d2 = wrap_dim(dim1, len(sizes)), wrap_dim(dim2, len(sizes))
    diagonal_view(out._data, offset, d1, d2)[...] = grad._data
    saved = {"offset": offset, "dim1": dim1, "dim2": dim2}
    return tracked(out, DiagonalBackwardBackward0, (grad,), saved)


# ATen's ``_softmax_backward_data`` and ``_log_softmax_backward_data`` kernels are operations
# with derivatives of their own (SoftmaxBackwardDataBackward0 ...): their values are computed
# here from the formulas below, without history.
SoftmaxBackwardDataBackward0 = derivative(
    "SoftmaxBackwardDataBackward0", inputs=("grad_output", "output"),
    saves=("dim", "grad_output", "output"), int64=("dim",),
    grad_output="softmax_backward_data(grad, output, dim)",
    output="softmax_double_backward(grad, grad_output, dim, output)",
)
LogSoftmaxBackwardDataBackward0 = derivative(
    "LogSoftmaxBackwardDataBackward0", inputs=("grad_output", "output"),
    saves=("dim", "grad_output", "output"), int64=("dim",),
    grad_output="grad - (grad * output.exp()).sum(dim, True)",
    output="log_softmax_double_backward(grad, grad_output, dim, output)",
)


def _backward_data(node, grad_output, output, dim, formula):
    with no_grad():
        out = formula(grad_output, output)
    saved = {"dim": dim, "grad_output": grad_output, "output": output}
    return tracked(out, node, (grad_output, output), saved)


@rule_helper
def softmax_backward_data(grad, output, dim):
    """``output * (grad - (grad * output).sum(dim))``."""
    return _backward_data(SoftmaxBackwardDataBackward0, grad, output, dim,
                          lambda g, y: y * (g - (g * y).sum(dim, True)))


@rule_helper
def log_softmax_backward_data(grad, output, dim):
    """``grad - output.exp() * grad.sum(dim)``."""
    return _backward_data(LogSoftmaxBackwardDataBackward0, grad, output, dim,
                          lambda g, y: g - y.exp() * g.sum(dim, True))


@rule_helper
def softmax_double_backward(grad, grad_output, dim, output):
    """ATen's ``grad_output * grad - (output * grad_output).sum(dim, true) * grad -
    grad_output * (output * grad).sum(dim, true)``, whose compiled code makes the right
    operand of each ``-`` and ``*`` first."""
    c = grad_output * (output * grad).sum(dim, True)
    b = (output * grad_output).sum(dim, True) * grad
    return grad_output * grad - b - c


@rule_helper
def log_softmax_double_backward(grad, grad_output, dim, output):
    """ATen's ``-grad_output.sum(dim, true) * output.exp() * grad`` (right operands first)."""
    e = output.exp()
    return -grad_output.sum(dim, True) * e * grad


# ---------------------------------------------------------------------- views and joins
@rule_helper
def cat_tensors_backward(grad, sizes, dim):
    """Each input's piece of ``grad`` along ``dim`` (skipped 1-D empty inputs get zeros)."""
    d = wrap_dim(dim, grad.dim())
    pieces, start = [], 0
    for shape in sizes:
        if shape == (0,):
            pieces.append(_zeros((0,), grad))
            continue
        pieces.append(grad.narrow(d, start, shape[d]))
        start += shape[d]
    return pieces


@rule_helper
def stack_tensors_backward(grad, dim, sizes):
    return [grad.select(dim, i) for i in range(len(sizes))]


@rule_helper
def unbind_backward(grads, dim):
    from .shape import stack

    return stack(grads, dim)


@rule_helper
def split_backward(grads, dim):
    from .shape import cat

    return cat(grads, dim)


@rule_helper
def repeat_backward(grad, repeats, sizes):
    """Sum the copies: view ``grad`` as (r0, s0, r1, s1, ...) and sum the r axes."""
    if not repeats:
        return grad
    sizes = tuple(sizes)
    padded = (1,) * (len(repeats) - len(sizes)) + sizes
    split = [n for pair in zip(repeats, padded, strict=True) for n in pair]
    summed = grad.reshape(split).sum(tuple(range(0, len(split), 2)))
    return summed.reshape(sizes)


@rule_helper
def as_strided_backward(grad, geometry, size, stride, storage_offset):
    """Add each output element into its storage slot, then read the input's slots."""
    from .indexing import index, index_put

    in_sizes, in_strides, in_offset = geometry
    out_slots = _slots(size, stride, in_offset if storage_offset is None else storage_offset)
    in_slots = _slots(in_sizes, in_strides, in_offset)
    n = int(max(out_slots.max(initial=0), in_slots.max(initial=0))) + 1
    slot = _wrap(out_slots.reshape(-1), _dt.int64)
    storage = index_put(_zeros((n,), grad), (slot,), grad.reshape(-1), accumulate=True)
    return index(storage, (_wrap(in_slots, _dt.int64),))


def _slots(sizes, strides, offset):
    slots = np.full(tuple(sizes), offset, np.int64)
    for d, (n, s) in enumerate(zip(sizes, strides, strict=True)):
        slots += (np.arange(n) * s).reshape((-1,) + (1,) * (len(sizes) - d - 1))
    return slots


# ---------------------------------------------------------------------- indexing
@rule_helper
def index(t, indices):
    """``t`` indexed by ``indices`` (None: the whole dim), recording IndexBackward0."""
    from .indexing import index as _index

    return _index(t, indices)


@rule_helper
def index_put_impl(t, indices, values, accumulate=False):
    """A copy of ``t`` with ``values`` put at ``indices`` (None: the whole dim)."""
    from .indexing import index_put_impl as _index_put_impl

    return _index_put_impl(t, indices, values, accumulate)


@rule_helper
def index_backward(grad, sizes, indices):
    """``grad`` added (repeats accumulate) at ``indices`` into zeros shaped ``sizes``."""
    return index_put_impl(_zeros(sizes, grad), indices, grad, accumulate=True)


@rule_helper
def index_select_backward(grad, sizes, dim, index):
    return _zeros(sizes, grad).index_add(dim, index, grad)


@rule_helper
def gather_backward(grad, self, dim, index):
    return _zeros(self._data.shape, grad).scatter_add(dim, index, grad)


@rule_helper
def take_backward(grad, self, index):
    from .indexing import index_put

    flat = _zeros((self._data.size,), grad)
    out = index_put(flat, (index.reshape(-1),), grad.reshape(-1), accumulate=True)
    return out.view(self._data.shape)


@rule_helper
def masked_select_backward(grad, self, mask):
    """``grad``'s values put back where ``mask`` is set (the engine sums a broadcast)."""
    shape = np.broadcast_shapes(self._data.shape, mask._data.shape)
    return index_backward(grad, shape, (mask.expand(shape),))


@rule_helper
def index_add_source_backward(grad, dim, index, source):
    """``source``'s rows of ``grad`` (a 0-d source took the one indexed element)."""
    if source.dim() > 0:
        return grad.index_select(dim, index).expand_as(source)
    return grad.index_select(dim, index.squeeze(0))


# ---------------------------------------------------------------------- matrix products
def _column_major(sizes, strides):
    return len(strides) == 2 and strides[0] == 1 and strides[1] == sizes[0]


@rule_helper
def mm_mat1_backward(grad, mat2, sizes, strides, alpha=1):
    """grad @ mat2ᵀ (computed transposed when mat1 was column-major, as PyTorch does)."""
    if _column_major(sizes, strides):
        return maybe_multiply(mat2.mm(grad.t()).t(), alpha)
    return maybe_multiply(grad.mm(mat2.t()), alpha)


@rule_helper
def mm_mat2_backward(grad, mat1, sizes, strides, alpha=1):
    """mat1ᵀ @ grad (computed transposed when mat2 was column-major, as PyTorch does)."""
    if _column_major(sizes, strides):
        return maybe_multiply(grad.t().mm(mat1).t(), alpha)
    return maybe_multiply(mat1.t().mm(grad), alpha)


@rule_helper
def trace_backward(grad, sizes):
    return diagonal_backward(grad.expand(min(sizes)), sizes, 0, 0, 1)
