"""Stepping a graph built by real PyTorch: its engine's steps, recorded through its own hooks.

For autogradviz tensors the steps come from ``autograd.backward_steps``. For PyTorch tensors
this module registers a pre-hook and a hook on every node of the graph (PyTorch's public
``Node.register_prehook`` / ``register_hook``), runs PyTorch's ``backward``, and records each
node as it runs, with the gradients it received and produced, in PyTorch's own order. The
records have the fields of autogradviz's ``Step``, so the stepper shows both the same way.
Only this adapter touches torch, and only when given torch tensors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import is_accumulate


@dataclass
class TorchStep:
    index: int
    node: object
    received: tuple
    produced: tuple
    leaf: object = None
    grad_before: object = None
    extra: dict = field(default_factory=dict)


def is_torch_tensor(t):
    # autogradviz's classes carry PyTorch's module names too: only real PyTorch's are in torch
    from .._tensor import Tensor

    return type(t).__module__.startswith("torch") and not isinstance(t, Tensor)


def torch_backward_steps(tensors, gradient=None, retain_graph=None):
    """Run PyTorch's backward on ``tensors`` and return its steps, in execution order."""
    import torch

    steps, handles, pending = [], [], {}
    seen, stack = set(), [t.grad_fn for t in tensors if t.grad_fn is not None]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)

        def before(grad_outputs, node=node):
            leaf = node.variable if is_accumulate(node) else None
            grad = None if leaf is None or leaf.grad is None else leaf.grad.detach().clone()
            pending[node] = (tuple(grad_outputs), leaf, grad)

        def after(grad_inputs, grad_outputs, node=node):
            received, leaf, grad_before = pending.pop(node, (tuple(grad_outputs), None, None))
            steps.append(TorchStep(len(steps), node, received, tuple(grad_inputs), leaf,
                                   grad_before))

        handles.append(node.register_prehook(before))
        handles.append(node.register_hook(after))
        stack.extend(fn for fn, _ in node.next_functions if fn is not None)
    try:
        torch.autograd.backward(list(tensors), gradient, retain_graph=retain_graph)
    finally:
        for handle in handles:
            handle.remove()
    return steps
