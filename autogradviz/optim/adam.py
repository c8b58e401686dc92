"""``optim.Adam``: PyTorch's single-tensor Adam (the CPU default), step by step in PyTorch's
order: ``exp_avg.lerp_(grad, 1 - beta1)``, ``exp_avg_sq.mul_(beta2).addcmul_(grad, grad,
value=1 - beta2)``, bias corrections in Python floats, then
``param.addcdiv_(exp_avg, exp_avg_sq.sqrt() / sqrt(bc2) + eps, value=-lr / bc1)``."""

from __future__ import annotations

import numpy as np

from .optimizer import (
    Optimizer,
    _step_counter,
    _zeros_like,
    add_scaled,
    addcdiv,
    addcmul,
    check_adam_hyperparameters,
    lerp,
    sqrt,
    store,
)

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        check_adam_hyperparameters(lr, eps, betas, weight_decay)
        betas = tuple(float(b) for b in betas)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                    "capturable": capturable, "differentiable": differentiable,
                    "fused": fused, "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def _update(self):
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
            amsgrad = group["amsgrad"]
            for p, state in self._params_with_grad(group):
                if len(state) == 0:
                    state["step"] = _step_counter()
                    state["exp_avg"] = _zeros_like(p)
                    state["exp_avg_sq"] = _zeros_like(p)
                    if amsgrad:
                        state["max_exp_avg_sq"] = _zeros_like(p)
                grad = p.grad._data
                if group["maximize"]:
                    grad = -grad
                step_t = state["step"]
                store(step_t, step_t._data + np.float32(1))
                if weight_decay != 0:
                    if group["decoupled_weight_decay"]:
                        store(p, p._data * p._data.dtype.type(1 - lr * weight_decay))
                    else:
                        grad = add_scaled(grad, p._data, weight_decay)
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                store(exp_avg, lerp(exp_avg._data, grad, 1 - beta1))
                scaled = exp_avg_sq._data * exp_avg_sq._data.dtype.type(beta2)
                store(exp_avg_sq, addcmul(scaled, grad, grad, 1 - beta2))
                step = step_t.item()
                bias_correction1 = 1 - beta1**step
                bias_correction2 = 1 - beta2**step
                step_size = lr / bias_correction1
                bias_correction2_sqrt = bias_correction2**0.5
                if amsgrad:
                    peak = state["max_exp_avg_sq"]
                    store(peak, np.maximum(peak._data, exp_avg_sq._data))
                    second = peak._data
                else:
                    second = exp_avg_sq._data
                typ = second.dtype.type
                denom = sqrt(second) / typ(bias_correction2_sqrt) + typ(eps)
                store(p, addcdiv(p._data, exp_avg._data, denom, -step_size))


class AdamW(Adam):
    """Adam with decoupled weight decay (``param.mul_(1 - lr * weight_decay)`` first), as
    PyTorch's ``AdamW``: ``Adam`` with ``decoupled_weight_decay=True``."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
