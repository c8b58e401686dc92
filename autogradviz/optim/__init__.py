"""``optim``: optimizers whose updates match PyTorch's bit for bit (SGD, Adam)."""

from __future__ import annotations

from .adam import Adam
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["SGD", "Adam", "Optimizer"]
