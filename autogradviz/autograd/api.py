"""``backward`` and ``grad``: the engine drained, with PyTorch's checks and messages."""

from __future__ import annotations

import warnings

from .engine import _as_tuple, backward_steps
from .graph import gradient_edge

_CREATE_GRAPH_WARNED = []  # PyTorch gives this warning once per process


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    """Accumulate the gradients of ``tensors`` into the leaves' ``.grad``."""
    if grad_variables is not None:
        grad_tensors = grad_variables
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if not inputs:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    if create_graph and not _CREATE_GRAPH_WARNED:
        _CREATE_GRAPH_WARNED.append(True)
        warnings.warn(
            "Using backward() with create_graph=True will create a reference cycle between the "
            "parameter and its gradient which can cause a memory leak. We recommend using "
            "autograd.grad when creating the graph to avoid this. If you have to use this "
            "function, make sure to reset the .grad fields of your parameters to None after use "
            "to break the cycle and avoid the leak. (Triggered internally at "
            "/__w/pytorch/pytorch/torch/csrc/autograd/engine.cpp:1307.)",
            UserWarning,
            stacklevel=2,
        )
    # Drained here (not in a helper) so anomaly mode's warning names the caller's frame.
    for _ in backward_steps(tensors, grad_tensors, retain_graph, create_graph, inputs,
                            _observe=False):
        pass


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` w.r.t. ``inputs``, returned rather than accumulated."""
    from .. import _creation

    inputs_t = _as_tuple(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    if materialize_grads and not allow_unused:
        raise ValueError(
            "Expected allow_unused to be True or not passed when materialize_grads=True, but got: "
            "allow_unused=False."
        )
    edges = []
    for t in inputs_t:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
        edges.append(gradient_edge(t))
    capture = {e: None for e in edges}
    for _ in backward_steps(outputs, grad_outputs, retain_graph, create_graph, _capture=capture,
                            _observe=False):
        pass
    results = []
    for i, (t, e) in enumerate(zip(inputs_t, edges, strict=True)):
        g = capture[e]
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in the "
                    "graph. Set allow_unused=True if this is the desired behavior."
                )
            if materialize_grads:
                g = _creation.zeros_like(t)
        elif not create_graph:
            g = g.detach()
        results.append(g)
    return tuple(results)
