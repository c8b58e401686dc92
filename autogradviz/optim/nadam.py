"""``optim.NAdam``: PyTorch's single-tensor NAdam (the CPU default), in its order: the momentum
schedule ``mu = beta1 * (1 - 0.5 * 0.96 ** (step * momentum_decay))`` in Python floats,
``mu_product`` a float32 0-d tensor multiplied in place, Adam's moment updates, ``denom =
(exp_avg_sq / bias_correction2).sqrt() + eps``, then two ``addcdiv_``s (gradient, then
``exp_avg``)."""

from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from .._tensor import _wrap
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

__all__ = ["NAdam"]


class NAdam(Optimizer):
    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
        check_adam_hyperparameters(lr, eps, betas, weight_decay)
        if not momentum_decay >= 0.0:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay,
                    "decoupled_weight_decay": decoupled_weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _update(self):
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
            momentum_decay = group["momentum_decay"]
            for p, state in self._params_with_grad(group):
                if len(state) == 0:
                    state["step"] = _step_counter()
                    state["mu_product"] = _wrap(np.ones((), np.float32), _dt.float32)
                    state["exp_avg"] = _zeros_like(p)
                    state["exp_avg_sq"] = _zeros_like(p)
                grad = p.grad._data
                if group["maximize"]:
                    grad = -grad
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                mu_product, step_t = state["mu_product"], state["step"]
                store(step_t, step_t._data + np.float32(1))
                step = step_t.item()
                bias_correction2 = 1 - beta2**step
                if weight_decay != 0:
                    if group["decoupled_weight_decay"]:
                        store(p, p._data * p._data.dtype.type(1 - lr * weight_decay))
                    else:
                        grad = add_scaled(grad, p._data, weight_decay)
                mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
                # a tensor times a Python float: the number is rounded to the tensor's dtype
                # (float32, or the parameter's after load_state_dict cast it)
                store(mu_product, mu_product._data * mu_product._data.dtype.type(mu))
                store(exp_avg, lerp(exp_avg._data, grad, 1 - beta1))
                typ = exp_avg_sq._data.dtype.type
                store(exp_avg_sq, addcmul(exp_avg_sq._data * typ(beta2), grad, grad, 1 - beta2))
                denom = sqrt(exp_avg_sq._data / typ(bias_correction2)) + typ(eps)
                product = mu_product.item()
                mu_product_next = product * mu_next
                updated = addcdiv(p._data, grad, denom, -lr * (1.0 - mu) / (1.0 - product))
                store(p, addcdiv(updated, exp_avg._data, denom,
                                 (-lr * mu_next) / (1.0 - mu_product_next)))
