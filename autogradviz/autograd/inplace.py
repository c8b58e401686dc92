"""In-place operations in the graph: PyTorch's ``rebase_history``, ``CopySlices`` and the
regeneration of a view's history after its storage was written.

Every in-place operation that autograd records ends the same way: it made its node (edges read
before the write), wrote into ``self``, bumped the version, then calls ``rebase_history(self,
node)``:

- ``self`` is not a view: the node becomes ``self.grad_fn`` (the old history is its edge 0).
- ``self`` is a view of ``base``: the base's history becomes a ``CopySlices`` node. Its edges
  are the base's old history followed by the node's other inputs; backward passes the base's
  gradient through unchanged except on the view's elements, whose gradient is the node's
  gradient for ``self``. The view's own ``grad_fn`` is then made again from the base
  (``AsStridedBackward0``), as PyTorch does.

A view whose storage was written through its base or another view since its ``grad_fn`` was
made gets the same ``AsStridedBackward0`` when autograd next reads its edge (``gradient_edge``),
which is when PyTorch makes it too (lazily).

PyTorch forbids in-place changes of some views; ``check_view`` raises its messages: views made
in no_grad mode of a tensor that requires grad, and the outputs of functions that return
several views (``unbind``, ``split``, ``chunk``) and the views of those.
"""

from __future__ import annotations

import numpy as np

from .graph import FREED_MESSAGE, Node, SavedTensor, _op_name, announce, gradient_edge, make_node

# The creation meta of a view output of a node that returns several views (and of views of
# those): PyTorch's CreationMeta::MULTI_OUTPUT_NODE. Kept in ``Tensor._creation_meta``.
MULTI_OUTPUT = "multi_output_node"

_NO_GRAD_ADVICE = (
    " Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify "
    "your code by moving both the view and the inplace either both inside the no_grad block (if "
    "you don't want the inplace to be tracked) or both outside (if you want the inplace to be "
    "tracked)."
)
_MULTI_OUTPUT_ADVICE = (
    " This view is the output of a function that returns multiple views. Such functions do not "
    "allow the output views to be modified inplace. You should replace the inplace operation by "
    "an out-of-place one."
)


# ---------------------------------------------------------------------- checks
def _view_error(t, indirect):
    """PyTorch's ``handle_view_on_rebase``: the message for view ``t``, or None if it may be
    modified in place. A view without history whose base requires grad was made in no_grad
    mode (one made with grad mode on records a node)."""
    fn = t.grad_fn
    meta = getattr(t, "_creation_meta", None)
    no_grad = fn is None and t._base._requires_grad
    if meta is None and not no_grad:
        return None
    modified = "its base or another view of its base has been" if indirect else "is being"
    nr = getattr(t, "_output_nr", 0)
    if no_grad or fn is None:
        prefix = ("A view was created in" if fn is None else
                  f"Output {nr} of {_op_name(fn)} is a view of a view which was created in")
        msg = f"{prefix} no_grad mode and {modified} modified inplace with grad mode enabled."
    else:
        msg = f"Output {nr} of {_op_name(fn)} is a view and {modified} modified inplace."
    return msg + (_MULTI_OUTPUT_ADVICE if meta == MULTI_OUTPUT else _NO_GRAD_ADVICE)


def check_view(t):
    """Raise PyTorch's error if view ``t`` may not be modified in place while autograd records."""
    msg = _view_error(t, indirect=False)
    if msg is not None:
        raise RuntimeError(msg)


# ---------------------------------------------------------------------- history
def _set_grad_fn(t, node):
    """``t``'s history becomes ``node`` (a retain_grad hook moves along, as in PyTorch)."""
    old = t.grad_fn
    if t._retains_grad and old is not None:
        ref = old._retains_grad_hooks.pop(getattr(t, "_output_nr", 0), None)
        if ref is not None:
            node._retains_grad_hooks[0] = ref
    t.grad_fn = node
    t._requires_grad = True
    if getattr(t, "_output_nr", 0):
        t._output_nr = 0


def rebase_history(self, node, result=None):
    """After an in-place op wrote into ``self``: ``self`` (or its base) takes ``node``'s history.

    ``result``: the out-of-place result the node was recorded on (an elementwise op computes
    out of place, then writes): the node's saved ``result`` becomes ``self`` at its new version.
    """
    base = self._base
    if base is None:
        _set_grad_fn(self, node)
    else:
        geometry = _geometry(base)
        view_geometry = _geometry(self)
        copy = CopySlices(base, geometry, view_geometry, node)
        announce(copy)
        _set_grad_fn(base, copy)
        _regenerate(self, geometry, view_geometry)
    if result is not None and node._saved:
        # A later change of ``self`` is then detected; PyTorch names the producer of a view's
        # saved result after the view's new history.
        producer = self.grad_fn if base is not None else None
        for name, saved in node._saved.items():
            if type(saved) is SavedTensor and saved.refers_to(result):
                node._saved[name] = SavedTensor(self, is_output=True, producer=producer)


def _geometry(t):
    return (t._data.shape, t.stride(), t.storage_offset())


def _regenerate(t, geometry=None, view_geometry=None):
    """``t``'s history made again from its base's: PyTorch's AsStridedBackward0."""
    from ..ops.shape import AsStridedBackward0

    base = t._base
    size, stride, offset = view_geometry or _geometry(t)
    saved = {"size": tuple(size), "stride": stride, "storage_offset": offset,
             "self_geometry": geometry or _geometry(base)}
    _set_grad_fn(t, make_node(AsStridedBackward0, (base,), saved))
    t._attr_version = t._version


def refresh_view(t):
    """The current ``grad_fn`` of view ``t``: made again if its storage was written since."""
    version = getattr(t, "_attr_version", None)
    if version is None or version == t._version or not t._base._requires_grad:
        return t.grad_fn
    msg = _view_error(t, indirect=True)
    if msg is not None:
        raise RuntimeError(msg)
    _regenerate(t)
    return t.grad_fn


# ---------------------------------------------------------------------- CopySlices
class CopySlices(Node):
    """The history of a base whose view was modified in place by ``fn``'s operation.

    Backward: the base's gradient, except on the view's elements, where it is ``fn``'s gradient
    for ``self`` given the gradient of those elements; ``fn``'s other gradients go to its other
    inputs (this node's edges 1...).
    """

    def __init__(self, base, geometry, view_geometry, fn):
        super().__init__()
        self._geometry = geometry  # (sizes, strides, storage offset) of the base, the view
        self._view_geometry = view_geometry
        self._fn = fn
        self.next_functions = (gradient_edge(base), *fn.next_functions[1:])
        self._input_meta = ((base._data.shape, base._dtype), *fn._input_meta[1:])

    def name(self):
        return "torch::autograd::CopySlices"

    def _release(self):
        self._freed = True
        self._fn._release()

    def _positions(self):
        """Where each element of the view is in the base (row-major), in the view's shape."""
        from .._tensor import _is_contiguous
        from ..ops._backward import _slots

        shape, strides, offset = self._geometry
        out_slots = _slots(*self._view_geometry)
        if _is_contiguous(shape, strides):
            return out_slots - offset
        in_slots = _slots(shape, strides, offset).reshape(-1)
        low = min(int(in_slots.min(initial=0)), int(out_slots.min(initial=0)))
        high = max(int(in_slots.max(initial=0)), int(out_slots.max(initial=0)))
        where = np.zeros(high - low + 1, np.int64)
        where[in_slots - low] = np.arange(in_slots.size)
        return where[out_slots - low]

    def apply(self, grads):
        if self._freed:
            raise RuntimeError(FREED_MESSAGE)
        from .. import dtypes as _dt
        from .._tensor import _wrap
        from ..ops.indexing import index, index_put
        from .engine import _validate

        # Differentiable operations throughout, so create_graph=True can go through here too.
        flat = grads[0].reshape(-1)
        positions = (_wrap(self._positions(), _dt.int64),)
        grad_slice = index(flat, positions)  # a copy: the node may keep it for its own backward
        fn = self._fn
        res = _validate(fn, fn.apply((grad_slice,)))
        out = [None] * len(self.next_functions)
        if res[0] is not None and self.next_functions[0][0] is not None:
            out[0] = index_put(flat, positions, res[0]).reshape(self._geometry[0])
        out[1:] = res[1:]
        return tuple(out)
