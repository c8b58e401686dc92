"""``optim.Adadelta``: PyTorch's single-tensor Adadelta (the CPU default), in its order:
``square_avg.mul_(rho).addcmul_(grad, grad, value=1 - rho)``, ``std = square_avg.add(eps)
.sqrt_()``, ``delta = acc_delta.add(eps).sqrt_().div_(std).mul_(grad)``,
``acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)``, ``param.add_(delta, alpha=-lr)``."""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, _step_counter, _zeros_like, add_scaled, addcmul, sqrt, store

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not eps >= 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not weight_decay >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "capturable": capturable, "foreach": foreach,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _update(self):
        for group in self.param_groups:
            lr, rho, eps = group["lr"], group["rho"], group["eps"]
            weight_decay = group["weight_decay"]
            for p, state in self._params_with_grad(group):
                if len(state) == 0:
                    state["step"] = _step_counter()
                    state["square_avg"] = _zeros_like(p)
                    state["acc_delta"] = _zeros_like(p)
                step_t = state["step"]
                store(step_t, step_t._data + np.float32(1))
                grad = p.grad._data
                if group["maximize"]:
                    grad = -grad
                if weight_decay != 0:
                    grad = add_scaled(grad, p._data, weight_decay)
                square_avg, acc_delta = state["square_avg"], state["acc_delta"]
                typ = square_avg._data.dtype.type
                store(square_avg, addcmul(square_avg._data * typ(rho), grad, grad, 1 - rho))
                std = sqrt(square_avg._data + typ(eps))
                delta = sqrt(acc_delta._data + typ(eps)) / std * grad
                store(acc_delta, addcmul(acc_delta._data * typ(rho), delta, delta, 1 - rho))
                store(p, add_scaled(p._data, delta, -lr))
