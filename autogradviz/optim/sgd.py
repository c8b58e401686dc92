"""``optim.SGD``: PyTorch's single-tensor SGD, with momentum, dampening, Nesterov and weight
decay, in PyTorch's order of operations and roundings."""

from __future__ import annotations

import numpy as np

from .._tensor import _wrap
from .optimizer import Optimizer, add_scaled, store

__all__ = ["SGD"]


class SGD(Optimizer):
    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, foreach=None, differentiable=False,
                 fused=None):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def _update(self):
        for group in self.param_groups:
            lr, momentum = group["lr"], group["momentum"]
            dampening, weight_decay = group["dampening"], group["weight_decay"]
            nesterov, maximize = group["nesterov"], group["maximize"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = p.grad._data
                if maximize:
                    grad = -grad
                if weight_decay != 0:
                    grad = add_scaled(grad, p._data, weight_decay)
                if momentum != 0:
                    state = self.state[p]
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = _wrap(np.array(grad, copy=True), p._dtype)
                        state["momentum_buffer"] = buf
                    else:
                        scaled = buf._data * buf._data.dtype.type(momentum)
                        store(buf, add_scaled(scaled, grad, 1 - dampening))
                    grad = add_scaled(grad, buf._data, momentum) if nesterov else buf._data
                store(p, add_scaled(p._data, grad, -lr))
