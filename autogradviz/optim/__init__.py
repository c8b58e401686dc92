"""``optim``: optimizers whose updates follow PyTorch's order of operations (SGD, Adam, AdamW,
RMSprop, Adagrad)."""

from __future__ import annotations

from .adagrad import Adagrad
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop"]
