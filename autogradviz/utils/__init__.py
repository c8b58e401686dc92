"""``torch.utils`` for lessons: the data-loading tools of ``torch.utils.data``."""

from . import data

__all__ = ["data"]
