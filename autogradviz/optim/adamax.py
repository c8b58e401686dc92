"""``optim.Adamax``: PyTorch's single-tensor Adamax (the CPU default), in its order:
``exp_avg.lerp_(grad, 1 - beta1)``, ``exp_inf = maximum(exp_inf * beta2, |grad| + eps)``,
``clr = lr / (1 - beta1 ** step)`` in Python floats, ``param.addcdiv_(exp_avg, exp_inf,
value=-clr)``."""

from __future__ import annotations

import numpy as np

from .optimizer import (
    Optimizer,
    _step_counter,
    _zeros_like,
    add_scaled,
    addcdiv,
    check_adam_hyperparameters,
    lerp,
    store,
)

__all__ = ["Adamax"]


class Adamax(Optimizer):
    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        check_adam_hyperparameters(lr, eps, betas, weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def _update(self):
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
            for p, state in self._params_with_grad(group):
                if len(state) == 0:
                    state["step"] = _step_counter()
                    state["exp_avg"] = _zeros_like(p)
                    state["exp_inf"] = _zeros_like(p)
                grad = p.grad._data
                if group["maximize"]:
                    grad = -grad
                step_t = state["step"]
                store(step_t, step_t._data + np.float32(1))
                if weight_decay != 0:
                    grad = add_scaled(grad, p._data, weight_decay)
                exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
                typ = exp_inf._data.dtype.type
                store(exp_avg, lerp(exp_avg._data, grad, 1 - beta1))
                store(exp_inf, np.maximum(exp_inf._data * typ(beta2), np.abs(grad) + typ(eps)))
                clr = lr / (1 - beta1 ** step_t.item())
                store(p, addcdiv(p._data, exp_avg._data, exp_inf._data, -clr))
