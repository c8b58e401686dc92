"""The few tensor operations ``torch.utils.data`` draws its random numbers with.

Imported from their modules (not from the package) so that ``autogradviz.utils`` can be
imported while ``autogradviz/__init__.py`` is still running.
"""

from __future__ import annotations

from ... import _generator
from ..._creation import empty, randint, randperm
from ...dtypes import int64


def draw_seed(generator=None) -> int:
    """One 64-bit draw, as PyTorch's ``torch.empty((), dtype=torch.int64).random_()``: the
    seeds of ``RandomSampler`` and of a DataLoader iterator."""
    return int(empty((), dtype=int64).random_(generator=generator).item())


def fresh_generator(seed: int):
    gen = _generator.Generator()
    gen.manual_seed(seed)
    return gen


__all__ = ["draw_seed", "fresh_generator", "randint", "randperm"]
