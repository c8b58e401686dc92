"""The autograd methods of ``Tensor``: backward, hooks, retain_grad."""

from __future__ import annotations

import weakref

from .api import backward as _backward
from .graph import _add_hook, _HookDict


def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate d self / d leaf into every leaf's ``.grad`` (drains ``backward_steps``)."""
    _backward(self, gradient, retain_graph, create_graph, inputs=inputs)


def register_hook(self, hook):
    """``hook(grad)`` runs when this tensor's gradient is computed; may return a new one."""
    if not self._requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    fn = self.grad_fn
    if fn is None:
        if self._backward_hooks is None:
            self._backward_hooks = _HookDict()
            from .graph import gradient_edge

            acc, _ = gradient_edge(self)
            self._hook_accumulator = acc  # keep the node (and its hooks) alive with the tensor
            acc._tensor_pre_hooks[0] = self._backward_hooks
        return _add_hook(self._backward_hooks, hook)
    nr = getattr(self, "_output_nr", 0)
    hooks = fn._tensor_pre_hooks.get(nr)
    if hooks is None:
        hooks = fn._tensor_pre_hooks[nr] = _HookDict()
    return _add_hook(hooks, hook)


def register_post_accumulate_grad_hook(self, hook):
    """``hook(tensor)`` runs after a leaf's ``.grad`` was accumulated."""
    if self.grad_fn is not None:
        raise RuntimeError(
            "post accumulate grad hooks cannot be registered on non-leaf tensors"
        )
    if not self._requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if self._post_accumulate_grad_hooks is None:
        self._post_accumulate_grad_hooks = _HookDict()
    return _add_hook(self._post_accumulate_grad_hooks, hook)


def retain_grad(self):
    """Keep the gradient of a non-leaf in ``.grad`` during backward."""
    if not self._requires_grad:
        raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
    if self.grad_fn is None or self._retains_grad:
        return
    self._retains_grad = True
    self.grad_fn._retains_grad_hooks[getattr(self, "_output_nr", 0)] = weakref.ref(self)


METHODS = {
    "backward": backward,
    "register_hook": register_hook,
    "register_post_accumulate_grad_hook": register_post_accumulate_grad_hook,
    "retain_grad": retain_grad,
}
# Fields every tensor has by default (class attributes keep tensors cheap).
DEFAULTS = {"_accumulator": None, "_output_nr": 0, "_hook_accumulator": None}
