"""Where a warning points: the first frame of the program that called into autogradviz.

PyTorch's warnings from C++ name the line of the user's call; an autogradviz function can sit
several Python frames deep in the package when it warns, so it asks for the level of the first
frame outside the package instead of counting frames by hand.
"""

from __future__ import annotations

import os
import sys

_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def user_stacklevel():
    """The ``stacklevel`` for ``warnings.warn`` (called by this function's caller) that names
    the first frame outside autogradviz."""
    frame, level = sys._getframe(1), 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    return level
