"""The IPython extension: ``%load_ext autogradviz``.

Loading registers ``image/svg+xml`` formatters, so that a ``grad_fn`` node and a tensor with a
graph show their drawing *beside* the unchanged ``text/plain`` (PyTorch's repr: prints and
nbval's text comparisons stay the same). It does so for autogradviz's types and, once PyTorch is
imported, for PyTorch's. It adds two line magics: ``%draw EXPR`` (with options) and
``%autogradviz on|off`` (automatic drawing). ``%unload_ext autogradviz`` puts back whatever
formatters were there before and removes the magics.
"""

from __future__ import annotations

import contextlib
import sys

from . import draw

HELP = """%autogradviz on|off|status: switch automatic drawing of tensors and grad_fn nodes."""


class _Extension:
    def __init__(self, ip):
        self.ip = ip
        self.enabled = True
        self.previous = {}  # type -> the formatter it had before (None: none)
        self.torch_done = False

    # ------------------------------------------------------------ formatters
    @property
    def formatter(self):
        return self.ip.display_formatter.formatters["image/svg+xml"]

    def register(self, cls):
        if cls in self.previous:
            return
        self.previous[cls] = self.formatter.for_type(cls, self.svg_of)

    def register_torch(self, *_):
        """PyTorch's node classes exist only once torch is imported: register them then."""
        torch = sys.modules.get("torch")
        if self.torch_done or torch is None or not hasattr(torch, "_C"):
            return
        self.torch_done = True
        self.register(torch.Tensor)
        # Every node class PyTorch makes: generated ones (MulBackward0, CopySlices, ...) live
        # in torch._C._functions; custom Functions' nodes derive from BackwardCFunction.
        functions = getattr(torch._C, "_functions", None)
        for name in dir(functions) if functions is not None else ():
            cls = getattr(functions, name)
            if isinstance(cls, type) and not name.startswith("_"):
                self.register(cls)
        custom = getattr(getattr(torch.autograd, "function", None), "BackwardCFunction", None)
        if isinstance(custom, type):
            self.register(custom)

    def restore(self):
        fmt = self.formatter
        for cls, old in self.previous.items():
            if old is None:
                fmt.type_printers.pop(cls, None)
            else:
                fmt.for_type(cls, old)
        self.previous.clear()

    def svg_of(self, obj):
        if not self.enabled:
            return None
        if hasattr(obj, "grad_fn") and obj.grad_fn is None:
            return None  # a tensor without a graph: nothing to draw
        return draw(obj, namespace=self.ip.user_ns).svg()

    # ------------------------------------------------------------ magics
    def draw_magic(self, line):
        """%draw [--saved] [--no-values] [--no-rules] [--lr] [--max-nodes N] EXPR"""
        options = {}
        flags = {"--saved": ("saved", True), "--no-values": ("values", False),
                 "--no-rules": ("rules", False), "--lr": ("rankdir", "LR")}
        rest = line.strip()
        while rest.startswith("--"):
            flag, _, rest = rest.partition(" ")
            rest = rest.lstrip()
            if flag in flags:
                key, value = flags[flag]
                options[key] = value
            elif flag == "--max-nodes":
                number, _, rest = rest.partition(" ")
                options["max_nodes"] = int(number)
                rest = rest.lstrip()
            else:
                raise ValueError(f"%draw: unknown option {flag!r}\n{self.draw_magic.__doc__}")
        if not rest:
            raise ValueError(f"%draw needs an expression\n{self.draw_magic.__doc__}")
        roots = eval(rest, self.ip.user_ns)  # the learner's own expression, in their kernel
        return draw(roots, namespace=self.ip.user_ns, **options)

    def switch_magic(self, line):
        word = line.strip().lower()
        if word in ("on", "off"):
            self.enabled = word == "on"
        elif word not in ("", "status"):
            raise ValueError(HELP)
        print(f"autogradviz automatic drawing is {'on' if self.enabled else 'off'}")


_active: _Extension | None = None


def load_ipython_extension(ip):
    global _active
    if _active is not None:
        return
    from .._tensor import Tensor
    from ..autograd.graph import Node

    ext = _Extension(ip)
    ext.register(Node)
    ext.register(Tensor)
    ext.register_torch()
    ip.events.register("post_run_cell", ext.register_torch)
    ip.register_magic_function(ext.draw_magic, "line", "draw")
    ip.register_magic_function(ext.switch_magic, "line", "autogradviz")
    _active = ext


def unload_ipython_extension(ip):
    global _active
    ext = _active
    if ext is None:
        return
    ext.restore()
    with contextlib.suppress(ValueError):  # already gone
        ip.events.unregister("post_run_cell", ext.register_torch)
    for name in ("draw", "autogradviz"):
        ip.magics_manager.magics["line"].pop(name, None)
    _active = None
