"""``Module.register_full_backward_hook``: PyTorch's ``BackwardHook``, built the same way.

The module's tensor inputs that require grad, and its tensor outputs, pass through an identity
``autograd.Function`` (its node is ``BackwardHookFunctionBackward``). The outputs' node records
the gradients with respect to the outputs; the inputs' node calls the hooks with
``(module, grad_input, grad_output)`` when the gradients with respect to the inputs are known
(a hook may return new ones). With no input requiring grad, the hooks fire at the outputs' node
with ``grad_input`` all None, after PyTorch's warning.
"""

from __future__ import annotations

import warnings

from .._stack import user_stacklevel
from .._tensor import Tensor
from ..autograd.function import Function


class BackwardHookFunction(Function):
    @staticmethod
    def forward(ctx, *args):
        return args

    @staticmethod
    def backward(ctx, *grads):
        return grads


def _wrap(tensors, on_node):
    """``tensors`` with the grad-requiring ones passed through one BackwardHookFunction, whose
    node is given to ``on_node``."""
    positions = [i for i, t in enumerate(tensors)
                 if isinstance(t, Tensor) and t.requires_grad]
    if not positions:
        return tensors, False
    wrapped = BackwardHookFunction.apply(*(tensors[i] for i in positions))
    result = list(tensors)
    for i, w in zip(positions, wrapped, strict=True):
        result[i] = w
    on_node(wrapped[0].grad_fn)
    return tuple(result), True


def call_with_backward_hooks(module, args, run):
    """``run(*args)`` with ``module``'s full backward hooks attached to the gradients."""
    hooks = tuple(module._backward_hooks.values())
    n_inputs = len(args)
    state = {"grad_output": None, "input_positions": None}

    def fire(grad_input):
        for hook in hooks:
            result = hook(module, grad_input, state["grad_output"])
            if result is not None:
                grad_input = tuple(result)
        return grad_input

    def on_input_node(node):
        def input_hook(grad_inputs, grad_outputs):
            # grad_outputs: the gradients reaching the inputs' node, one per wrapped input
            full = [None] * n_inputs
            for i, g in zip(state["input_positions"], grad_outputs, strict=True):
                full[i] = g
            new = fire(tuple(full))
            return tuple(new[i] for i in state["input_positions"])

        node.register_hook(input_hook)

    positions = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
    state["input_positions"] = positions
    args, inputs_wrapped = _wrap(tuple(args), on_input_node)
    result = run(*args)

    def on_output_node(node):
        def output_prehook(grad_outputs):
            state["grad_output"] = tuple(grad_outputs)
            if not inputs_wrapped:
                warnings.warn(
                    "Full backward hook is firing when gradients are computed with respect to "
                    "module outputs since no inputs require gradients. See "
                    "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html"
                    "#torch.nn.Module.register_full_backward_hook for more details.",
                    UserWarning,
                    stacklevel=user_stacklevel(),
                )
                fire((None,) * n_inputs)

        node.register_prehook(output_prehook)

    single = isinstance(result, Tensor)
    outputs, _ = _wrap((result,) if single else tuple(result), on_output_node)
    return outputs[0] if single else type(result)(outputs)
