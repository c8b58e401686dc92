"""``LiveGraph``: the graphs of the learner's tensors, redrawn after every executed cell.

It draws the tensors given, or every tensor with a graph in the notebook's namespace, and
redraws after each cell (``backward()`` included, since it runs in a cell). Beside the drawing:
the graph's state chip and badges for the classic confusions (a non-leaf's ``.grad`` that was
not retained, ``detach`` / ``no_grad`` cuts, in-place version bumps, freed saved tensors).
Clicking a node shows its details, all computed here and sent with the drawing, so clicks need
no kernel round trip. While a LiveGraph is open, new nodes remember the source line that made
them.
"""

from __future__ import annotations

import linecache
import sys
import weakref
from pathlib import Path

import anywidget
import traitlets

from ..autograd import graph as _graph
from ._frontend import asset, with_fallbacks
from .dot import to_dot
from .model import add_saved_details, build_model, caller_namespace, gc_paused, is_tensor
from .render import render
from .summary import simplify

MAX_LIVE_NODES = 400
_PACKAGE_DIR = str(Path(__file__).resolve().parents[1])

# node -> (filename, line number) of the learner's code that made it
SOURCES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_tracking = 0  # open LiveGraphs
_outer_hook = None


def _record_source(node):
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
    if frame is not None:
        SOURCES[node] = (frame.f_code.co_filename, frame.f_lineno)
    if _outer_hook is not None:
        _outer_hook(node)


def _start_tracking():
    global _tracking, _outer_hook
    _tracking += 1
    if _tracking == 1:
        _outer_hook = _graph.set_creation_hook(_record_source)


def _stop_tracking():
    global _tracking
    _tracking = max(0, _tracking - 1)
    if _tracking == 0:
        _graph.set_creation_hook(_outer_hook)


def source_line(node):
    where = SOURCES.get(node)
    if where is None:
        return None
    filename, lineno = where
    text = linecache.getline(filename, lineno).strip()
    return f"line {lineno}: {text}" if text else f"line {lineno}"


class LiveGraph(anywidget.AnyWidget):
    """The learner's graphs, redrawn after each cell; click a node for its details."""

    _esm = asset("autogradviz.js")
    _css = asset("autogradviz.css")
    kind = traitlets.Unicode("live").tag(sync=True)
    svg = traitlets.Unicode("").tag(sync=True)
    state = traitlets.Unicode("").tag(sync=True)
    badges = traitlets.List().tag(sync=True)
    details = traitlets.Dict().tag(sync=True)
    summary = traitlets.Unicode("").tag(sync=True)

    def __init__(self, *tensors, names=None, namespace=None, auto=True,
                 max_nodes=MAX_LIVE_NODES, **kwargs):
        super().__init__(**kwargs)
        self._given = list(tensors)
        self._names = names
        self._max_nodes = max_nodes
        self._shell = _ipython()
        if namespace is None:
            if self._shell is not None:
                namespace = self._shell.user_ns
            else:
                namespace = caller_namespace()
        self._namespace = namespace
        self._hooked = False
        if auto and self._shell is not None:
            self._shell.events.register("post_run_cell", self._after_cell)
            self._hooked = True
        _start_tracking()
        self._tracking = True
        self.refresh()

    def _after_cell(self, *_):
        self.refresh()

    def roots(self):
        if self._given:
            return self._given
        found, seen = [], set()
        for var, value in list(self._namespace.items()):
            if (isinstance(var, str) and not var.startswith("_") and is_tensor(value)
                    and value.grad_fn is not None and id(value.grad_fn) not in seen):
                seen.add(id(value.grad_fn))
                found.append(value)
        return found

    def refresh(self):
        """Draw again from the current tensors (called after every cell)."""
        roots = self.roots()
        if not roots:
            self.svg, self.state, self.badges, self.details = "", "no graph yet", [], {}
            self.summary = "live graph: no tensor with a graph yet"
            return
        with gc_paused():
            model = build_model(roots, names=self._names, namespace=self._namespace)
            model = simplify(model, self._max_nodes)
        add_saved_details(model.nodes)
        self.details = {n.id: _details(n, model) for n in model.nodes}
        self.badges = _badges(model)
        self.state = model.state
        self.summary = model.summary_text()
        self.svg = render(to_dot(model), "svg").decode("utf-8")

    def close(self):
        if self._hooked:
            self._shell.events.unregister("post_run_cell", self._after_cell)
            self._hooked = False
        if self._tracking:
            _stop_tracking()
            self._tracking = False
        super().close()

    def _repr_mimebundle_(self, **kwargs):
        return with_fallbacks(super()._repr_mimebundle_(**kwargs), self.summary, self.svg)

    def __repr__(self):
        return self.summary


def _ipython():
    shell = sys.modules.get("IPython")
    if shell is None:
        return None
    try:
        return shell.get_ipython()
    except Exception:
        return None


def _details(n, model):
    """What clicking a node shows: name(), next_functions with ids, saved, creation line."""
    rows = []
    if n.name:
        rows.append(("variable", n.name))
    node = n.source
    if node is not None and hasattr(node, "next_functions"):
        rows.append(("name()", node.name()))
        ids = {id(m.source): m.id for m in model.nodes
               if m.source is not None and m.copy_of is None}
        edges = ", ".join(
            "(None, 0)" if fn is None else f"({fn.name()} [{ids.get(id(fn), '?')}], {nr})"
            for fn, nr in node.next_functions
        )
        rows.append(("next_functions", f"({edges})"))
    if n.rule:
        rows.append(("rule", "; ".join(n.rule)))
    if n.shape is not None:
        rows.append(("shape", f"{list(n.shape)} {n.dtype}"))
    if n.flags:
        rows.append(("flags", ", ".join(n.flags)))
    if n.value is not None:
        rows.append(("data", n.value))
    if n.grad is not None:
        rows.append(("grad", n.grad))
    if n.saved:
        rows.append(("saved", "; ".join(f"{k}: {v}" for k, v in n.saved)))
    if node is not None:
        line = source_line(node)
        if line:
            rows.append(("created at", line))
    title = f"{n.name} = {n.title}" if n.name and n.kind == "op" else (n.name or n.title)
    return {"title": title, "rows": rows}


def _badges(model):
    """The classic confusions, in words, with the node they are about."""
    badges = []
    after = model.state.startswith("after backward")
    # Intermediate tensors are the ones another node consumes. (Not "not a root": a LiveGraph
    # of the whole namespace makes every named tensor a root, which hid this badge.)
    consumed = {e.src for e in model.edges}
    for n in model.nodes:
        label = n.name or n.id
        if (n.kind == "op" and n.name and after and "retains_grad" not in n.flags
                and n.id in consumed):
            badges.append({"kind": "grad", "node": n.id,
                           "text": f"{label}.grad is None: a non-leaf keeps no .grad unless "
                                   f"{label}.retain_grad() is called before backward"})
        if n.kind == "const" and n.name:
            badges.append({"kind": "cut", "node": n.id,
                           "text": f"{label} needs no grad (detach / no_grad / constant): "
                                   "no gradient flows into it"})
        version = next((f for f in n.flags if f.startswith("version ")), None)
        if version and not (n.kind == "leaf" and _is_parameter(n)):
            badges.append({"kind": "version", "node": n.id,
                           "text": f"{label} was changed in place ({version})"})
    if "freed" in model.state:
        badges.append({"kind": "freed", "node": None,
                       "text": "saved tensors freed: another backward needs "
                               "retain_graph=True on the first"})
    return badges


def _is_parameter(n):
    var = getattr(n.source, "variable", None)
    return type(var).__name__ == "Parameter"
