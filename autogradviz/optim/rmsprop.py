"""``optim.RMSprop``: PyTorch's single-tensor RMSprop (the CPU default), in its order:
``square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)``; centered: ``grad_avg.lerp_(grad,
1 - alpha)`` and ``avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()``, else
``avg = square_avg.sqrt()``; ``avg.add_(eps)``; with momentum ``buf.mul_(momentum).addcdiv_(grad,
avg)`` and ``param.add_(buf, alpha=-lr)``, without ``param.addcdiv_(grad, avg, value=-lr)``."""

from __future__ import annotations

import numpy as np

from .optimizer import (
    Optimizer,
    _step_counter,
    _zeros_like,
    add_scaled,
    addcdiv,
    addcmul,
    lerp,
    sqrt,
    store,
)

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not eps >= 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not momentum >= 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not weight_decay >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not alpha >= 0.0:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay,
                    "capturable": capturable, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _update(self):
        for group in self.param_groups:
            lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
            weight_decay, momentum = group["weight_decay"], group["momentum"]
            for p, state in self._params_with_grad(group):
                if len(state) == 0:
                    state["step"] = _step_counter()
                    state["square_avg"] = _zeros_like(p)
                    if momentum > 0:
                        state["momentum_buffer"] = _zeros_like(p)
                    if group["centered"]:
                        state["grad_avg"] = _zeros_like(p)
                grad = p.grad._data
                if group["maximize"]:
                    grad = -grad
                step_t = state["step"]
                store(step_t, step_t._data + np.float32(1))
                if weight_decay != 0:
                    grad = add_scaled(grad, p._data, weight_decay)
                square_avg = state["square_avg"]
                typ = square_avg._data.dtype.type
                scaled = square_avg._data * typ(alpha)
                store(square_avg, addcmul(scaled, grad, grad, 1 - alpha))
                if group["centered"]:
                    grad_avg = state["grad_avg"]
                    store(grad_avg, lerp(grad_avg._data, grad, 1 - alpha))
                    avg = sqrt(addcmul(square_avg._data, grad_avg._data, grad_avg._data, -1))
                else:
                    avg = sqrt(square_avg._data)
                avg = avg + typ(eps)
                if momentum > 0:
                    buf = state["momentum_buffer"]
                    store(buf, addcdiv(buf._data * typ(momentum), grad, avg, 1))
                    store(p, add_scaled(p._data, buf._data, -lr))
                else:
                    store(p, addcdiv(p._data, grad, avg, -lr))
