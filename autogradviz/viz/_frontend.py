"""Where the widgets' front end (plain ES modules and CSS in ``widgets/``) is found.

In a source checkout it is the repository's ``widgets/`` folder; in a wheel it is shipped
inside the package as ``autogradviz/viz/_widgets`` (see pyproject's force-include).
"""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent
_CANDIDATES = (_HERE / "_widgets", _HERE.parents[1] / "widgets")


def asset(name: str) -> Path:
    for folder in _CANDIDATES:
        path = folder / name
        if path.is_file():
            return path
    raise FileNotFoundError(f"autogradviz's widget file {name!r} is missing from the install")


def with_fallbacks(bundle, text, svg):
    """A widget's MIME bundle plus what shows without JavaScript (nbconvert, GitHub, nbval):
    a deterministic ``text/plain`` and, when there is one, the drawing as SVG."""
    data, meta = bundle if isinstance(bundle, tuple) else (bundle, {})
    data = dict(data or {})
    data["text/plain"] = text
    if svg:
        data["image/svg+xml"] = svg
    return data, meta
