"""``optim.Adagrad``: PyTorch's single-tensor Adagrad (the CPU default), in its order:
``clr = lr / (1 + (step - 1) * lr_decay)`` in Python floats, ``state_sum.addcmul_(grad, grad,
value=1)``, ``std = state_sum.sqrt().add_(eps)``, ``param.addcdiv_(grad, std, value=-clr)``.
As in PyTorch, the state (``step`` and ``sum``) is made when the optimizer is."""

from __future__ import annotations

import numpy as np

from .._tensor import _wrap
from .optimizer import Optimizer, _step_counter, add_scaled, addcdiv, addcmul, sqrt, store

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None):
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not lr_decay >= 0.0:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not weight_decay >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not initial_accumulator_value >= 0.0:
            raise ValueError(
                f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not eps >= 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = _step_counter()
                state["sum"] = _wrap(
                    np.full(p._data.shape, initial_accumulator_value, p._dtype.np), p._dtype)

    def _update(self):
        for group in self.param_groups:
            lr, lr_decay, eps = group["lr"], group["lr_decay"], group["eps"]
            weight_decay = group["weight_decay"]
            for p, state in self._params_with_grad(group):
                step_t, state_sum = state["step"], state["sum"]
                store(step_t, step_t._data + np.float32(1))
                step = step_t.item()
                grad = p.grad._data
                if group["maximize"]:
                    grad = -grad
                if weight_decay != 0:
                    grad = add_scaled(grad, p._data, weight_decay)
                clr = lr / (1 + (step - 1) * lr_decay)
                store(state_sum, addcmul(state_sum._data, grad, grad, 1))
                std = sqrt(state_sum._data) + state_sum._data.dtype.type(eps)
                store(p, addcdiv(p._data, grad, std, -clr))
