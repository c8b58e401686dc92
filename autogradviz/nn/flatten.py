"""``nn.Unflatten``: splits one dimension into several (``Tensor.unflatten``). ``Flatten`` is
in ``layers``."""

from __future__ import annotations

from .module import Module

__all__ = ["Unflatten"]


class Unflatten(Module):
    def __init__(self, dim, unflattened_size):
        super().__init__()
        self._require_tuple_int(unflattened_size)
        self.dim = dim
        self.unflattened_size = unflattened_size

    def _require_tuple_int(self, input):
        if isinstance(input, tuple | list):
            for index, element in enumerate(input):
                if not isinstance(element, int):
                    raise TypeError("unflattened_size must be tuple of ints, but found element "
                                    f"of type {type(element).__name__} at pos {index}")
            return
        raise TypeError("unflattened_size must be a tuple of ints, but found type "
                        f"{type(input).__name__}")

    def forward(self, input):
        return input.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
