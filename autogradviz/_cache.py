"""Where autogradviz keeps files it builds once and reuses between processes (the compiled
Graphviz WebAssembly module, the native kernels): ``AUTOGRADVIZ_CACHE_DIR`` if set, else
``$XDG_CACHE_HOME/autogradviz`` or ``~/.cache/autogradviz``."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    base = os.environ.get("AUTOGRADVIZ_CACHE_DIR")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "autogradviz"
