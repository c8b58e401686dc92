"""``optim.RAdam``: PyTorch's single-tensor RAdam (the CPU default), in its order: Adam's moment
updates, ``rho_t`` and the rectification term in Python floats, then, once ``rho_t > 5``,
``param.add_(exp_avg / bc1 * lr * (sqrt(bc2) / (exp_avg_sq.sqrt() + eps)) * rect,
alpha=-1)`` (a number divided by a tensor is PyTorch's ``reciprocal() * number``), before that
``param.add_(exp_avg / bc1 * lr, alpha=-1)``."""

from __future__ import annotations

import numpy as np

from .optimizer import (
    Optimizer,
    _step_counter,
    _zeros_like,
    add_scaled,
    addcmul,
    check_adam_hyperparameters,
    lerp,
    sqrt,
    store,
)

__all__ = ["RAdam"]


class RAdam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False,
                 capturable=False, differentiable=False):
        check_adam_hyperparameters(lr, eps, betas, weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "decoupled_weight_decay": decoupled_weight_decay,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _update(self):
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
            for p, state in self._params_with_grad(group):
                if len(state) == 0:
                    state["step"] = _step_counter()
                    state["exp_avg"] = _zeros_like(p)
                    state["exp_avg_sq"] = _zeros_like(p)
                grad = p.grad._data
                if group["maximize"]:
                    grad = -grad
                exp_avg, exp_avg_sq, step_t = state["exp_avg"], state["exp_avg_sq"], state["step"]
                store(step_t, step_t._data + np.float32(1))
                step = step_t.item()
                typ = p._data.dtype.type
                if weight_decay != 0:
                    if group["decoupled_weight_decay"]:
                        store(p, p._data * typ(1 - lr * weight_decay))
                    else:
                        grad = add_scaled(grad, p._data, weight_decay)
                store(exp_avg, lerp(exp_avg._data, grad, 1 - beta1))
                store(exp_avg_sq, addcmul(exp_avg_sq._data * typ(beta2), grad, grad, 1 - beta2))
                bias_correction1 = 1 - beta1**step
                bias_correction2 = 1 - beta2**step
                corrected = exp_avg._data / typ(bias_correction1)
                rho_inf = 2 / (1 - beta2) - 1
                rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
                update = corrected * typ(lr)
                if rho_t > 5.0:
                    rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                            / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                    adaptive = (np.reciprocal(sqrt(exp_avg_sq._data) + typ(eps))
                                * typ(bias_correction2**0.5))
                    update = update * adaptive * typ(rect)
                store(p, add_scaled(p._data, update, -1.0))
