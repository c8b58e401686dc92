"""Tensor ``repr``/``str`` identical to PyTorch's, and the print options that steer it.

Owns ``set_printoptions``/``get_printoptions``/``printoptions`` and the formatting of a
tensor's values (held in a NumPy array) into the exact text ``torch._tensor_str`` produces:
column widths, fixed vs. scientific notation, line wrapping, summarisation with ``...`` and
the ``dtype=``/``grad_fn=``/``requires_grad=`` suffixes.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np

from . import dtypes

__all__ = [
    "format_parameter",
    "format_size",
    "format_tensor",
    "get_printoptions",
    "printoptions",
    "set_printoptions",
]


# PyTorch's order, which ``get_printoptions`` keeps.
_OPTION_NAMES = ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")


class _PrintOptions:
    __slots__ = _OPTION_NAMES

    def __init__(self):
        self.precision = 4
        self.threshold = 1000
        self.edgeitems = 3
        self.linewidth = 80
        self.sci_mode = None


_OPTS = _PrintOptions()

_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


def set_printoptions(
    precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None
):
    """Set printing options like ``torch.set_printoptions``.

    A ``profile`` ("default", "short", "full") is applied first and explicit options override
    it; an unknown profile name is ignored. ``sci_mode`` is always assigned, so omitting it
    resets it to automatic (None), as in PyTorch.
    """
    if profile in _PROFILES:
        for name, value in _PROFILES[profile].items():
            setattr(_OPTS, name, value)
    if precision is not None:
        _OPTS.precision = precision
    if threshold is not None:
        _OPTS.threshold = threshold
    if edgeitems is not None:
        _OPTS.edgeitems = edgeitems
    if linewidth is not None:
        _OPTS.linewidth = linewidth
    _OPTS.sci_mode = sci_mode


def get_printoptions():
    """The current options as a dict that can be passed back to ``set_printoptions``."""
    return {name: getattr(_OPTS, name) for name in _OPTION_NAMES}


class printoptions(contextlib.ContextDecorator):  # noqa: N801 - PyTorch's spelling
    """Temporarily change print options: ``with printoptions(precision=2): ...``."""

    def __init__(self, **kwargs):
        self._kwargs = kwargs
        self._saved = []

    def __enter__(self):
        self._saved.append(get_printoptions())
        set_printoptions(**self._kwargs)
        return self

    def __exit__(self, *exc):
        set_printoptions(**self._saved.pop())
        return False


# --------------------------------------------------------------------------- element formatter


class _Formatter:
    """Chooses one layout (width, int/fixed/scientific mode) for all elements of a tensor.

    Mirrors ``torch._tensor_str._Formatter``: widths come from the nonzero finite values only,
    so nan/inf/zero never widen a column.
    """

    __slots__ = ("floating", "int_mode", "precision", "sci_mode", "width")

    def __init__(self, values, floating):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        self.precision = _OPTS.precision
        if values.size == 0:
            return
        if not floating:
            self.width = max(1, *(len(str(v)) for v in _extremes_int(values)))
            return

        # PyTorch measures in double precision (a half would overflow on max / min).
        flat = values.reshape(-1).astype(np.float64, copy=False)
        vals = flat[np.isfinite(flat) & (flat != 0)]
        if vals.size == 0:
            return
        mags = np.abs(vals)
        lo, hi = float(mags.min()), float(mags.max())
        self.int_mode = bool(np.all(vals == np.ceil(vals)))
        if _OPTS.sci_mode is None:
            self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        else:
            self.sci_mode = _OPTS.sci_mode

        if self.sci_mode:
            spec, extra = f".{self.precision}e", 0
        elif self.int_mode:
            spec, extra = ".0f", 1  # room for the trailing "." marking a float
        else:
            spec, extra = f".{self.precision}f", 0
        self.width = max(1, *(len(format(v, spec)) + extra for v in _extremes_float(vals)))

    def format(self, value):
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = format(value, f".{self.precision}e")
        elif self.int_mode:
            text = format(value, ".0f")
            if math.isfinite(value):
                text += "."
        else:
            text = format(value, f".{self.precision}f")
        return text.rjust(self.width)


def _extremes_int(values):
    """The values whose ``str`` is longest: the largest and the most negative."""
    if values.dtype == np.bool_:
        return [bool(values.all()), bool(values.any())]
    return [int(values.max()), int(values.min())]


def _extremes_float(vals):
    """Values (as Python floats) among which the longest formatted text is found.

    Text length grows with magnitude, except that a scientific exponent also grows as the
    magnitude shrinks, so the extremes of each sign suffice; small inputs are taken whole.
    """
    if vals.size <= 16:
        return vals.tolist()
    pos, neg = vals[vals > 0], vals[vals < 0]
    out = []
    for part in (pos, neg):
        if part.size:
            out += [float(part.min()), float(part.max())]
    return out


# --------------------------------------------------------------------------- layout


def _summarized(data, edgeitems):
    """The elements a summarised print shows (PyTorch's ``get_summarized_data``)."""
    if data.ndim == 0:
        return data
    if data.ndim == 1:
        # With edgeitems == 0, PyTorch's ``self[-0:]`` keeps the whole vector.
        return data[_edge_index(data.shape[0], edgeitems)] if edgeitems else data
    if not edgeitems:
        return data[(slice(0, 0),) * data.ndim]
    return data[np.ix_(*(_edge_index(n, edgeitems) for n in data.shape))]


def _edge_index(n, edgeitems):
    if n > 2 * edgeitems:
        return np.r_[0:edgeitems, n - edgeitems : n]
    return np.arange(n)


def _vector_str(row, cut, indent, fmt):
    elements = [fmt.format(v) for v in row]
    if cut:
        elements.insert(_OPTS.edgeitems, " ...")
    per_line = max(1, math.floor((_OPTS.linewidth - indent) / (fmt.width + 2)))
    lines = [", ".join(elements[i : i + per_line]) for i in range(0, len(elements), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(nested, cuts, indent, fmt):
    """Format nested lists; ``cuts[d]`` says dimension ``d`` was summarised to its edges."""
    if len(cuts) == 1:
        return _vector_str(nested, cuts[0], indent, fmt)
    slices = [_nested_str(sub, cuts[1:], indent + 1, fmt) for sub in nested]
    if cuts[0]:
        slices.insert(_OPTS.edgeitems, "...")
    return "[" + ("," + "\n" * (len(cuts) - 1) + " " * (indent + 1)).join(slices) + "]"


def _tensor_str(data, floating, indent):
    """The bracketed values of a non-empty tensor (PyTorch's ``_tensor_str``)."""
    edgeitems = _OPTS.edgeitems
    summarize = data.size > _OPTS.threshold
    if summarize and edgeitems and data.ndim:
        shown = _summarized(data, edgeitems)
        fmt = _Formatter(shown, floating)
        cuts = [n > 2 * edgeitems for n in data.shape]
        return _nested_str(shown.tolist(), cuts, indent, fmt)
    if summarize and data.ndim:
        return "[...]"  # edgeitems == 0: nothing of a summarised tensor is shown
    fmt = _Formatter(data, floating)
    if data.ndim == 0:
        return fmt.format(data.item())
    return _nested_str(data.tolist(), [False] * data.ndim, indent, fmt)


def _add_suffixes(text, suffixes, indent):
    """Append ``, suffix`` items, moving one to a new line when the last line would overflow."""
    parts = [text]
    # PyTorch's arithmetic, including its off-by-one/two when there is no newline.
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > _OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


# --------------------------------------------------------------------------- public API


def format_tensor(
    data, dtype, *, grad_fn_name=None, requires_grad=False, prefix="tensor(", indent=None
):
    """The full repr PyTorch prints, e.g. ``tensor([1., 2.], dtype=torch.float64)``.

    ``data`` holds the values (any shape, possibly empty or non-contiguous), ``dtype`` is the
    autogradviz dtype, ``grad_fn_name`` adds ``grad_fn=<name>``; otherwise ``requires_grad``
    adds ``requires_grad=True`` (the caller passes it only for a leaf that requires grad).
    """
    data = np.asarray(data)
    if data.dtype != dtype.np:
        data = data.astype(dtype.np)
    if indent is None:
        indent = len(prefix)
    default_float = dtypes.get_default_dtype()
    shape = tuple(int(n) for n in data.shape)
    suffixes = []
    if data.size == 0:
        if data.ndim != 1:
            suffixes.append(f"size={shape}")
        # No values to read the type from, so any non-default dtype (even int64) is shown.
        if dtype is not default_float:
            suffixes.append(f"dtype={dtype!r}")
        body = "[]"
    else:
        if not _OPTS.edgeitems:
            suffixes.append(f"size={shape}")
        if dtype not in (default_float, dtypes.int64, dtypes.bool):
            suffixes.append(f"dtype={dtype!r}")
        body = _tensor_str(data, dtype.is_floating_point, indent)
    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)


def format_parameter(data, dtype, requires_grad=True):
    """``repr`` of an ``nn.Parameter``: a header line, then the tensor's repr."""
    return "Parameter containing:\n" + format_tensor(data, dtype, requires_grad=requires_grad)


def format_size(shape):
    """``repr`` of a ``torch.Size``, e.g. ``torch.Size([2, 3])``."""
    return f"torch.Size({[int(n) for n in shape]})"
