"""Graph model -> DOT text, built with the ``graphviz`` package.

Nodes are Graphviz records (compartments: name and op, local rule, shape and flags, saved
values, ``data | grad``). The WebAssembly Graphviz has no HTML-like labels (it is built
without expat), and records work with every renderer.

Escaping: every piece of text from outside (variable, module, scope and Function names, values)
goes through ``label_text``: the characters DOT strings and record labels treat specially
(``" { } | < > &``) become numeric character entities, which Graphviz turns back into the
characters *after* parsing, and backslashes are doubled (so ``\\N`` or a trailing backslash
stay text). Node ids are our own (``n3``). So a hostile name can neither break out of the DOT
syntax nor become markup in the SVG, where Graphviz writes it XML-escaped. Each node gets
``id="agv-<id>"`` and classes naming its kind and state, so a front end finds it in the SVG.
"""

from __future__ import annotations

import graphviz

from .model import GraphModel, VizNode, _shape_text

# Fill colours by kind; kinds also differ by outline and text, so colour is never the only cue.
FILL = {"op": "#fdf0d5", "leaf": "#dbeafe", "const": "#eeeeee", "saved": "#f3e8ff",
        "group": "#fde2e4"}
SHAPE = {"op": "Mrecord", "group": "Mrecord"}  # rounded for operations, square otherwise
FONT = "Helvetica"
_SPECIAL = {c: f"&#{ord(c)};" for c in '"{}|<>&'}


def label_text(text) -> str:
    """Any text made safe inside a quoted DOT string and a record label."""
    text = str(text).replace("\\", "\\\\")
    text = "".join(_SPECIAL.get(c, c) for c in text)
    # Line breaks become Graphviz's own; other control characters are dropped.
    text = text.replace("\r\n", "\n").replace("\n", "\\n")
    return "".join(c for c in text if c >= " " or c == "\t")


def to_dot(model: GraphModel, *, rankdir: str = "TB", show_rules: bool = True,
           show_values: bool = True) -> str:
    dot = graphviz.Digraph("autograd")
    dot.attr("graph", rankdir=rankdir, fontname=FONT, fontsize="11", labelloc="t",
             label=_graph_label(model), nodesep="0.3", ranksep="0.35", id="agv-graph",
             bgcolor="transparent")
    dot.attr("node", shape="record", style="filled", fontname=FONT, fontsize="10",
             color="#555555")
    dot.attr("edge", fontname=FONT, fontsize="9", arrowsize="0.7", color="#444444")
    roots = set(model.roots)

    # Nodes by scope: each scope becomes a cluster (nested scopes are drawn flat, by full name).
    by_scope: dict[str | None, list[VizNode]] = {}
    for n in model.nodes:
        by_scope.setdefault(n.scope, []).append(n)
    for index, (scope_name, members) in enumerate(by_scope.items()):
        if scope_name is None:
            for n in members:
                _add_node(dot, n, n.id in roots, show_rules, show_values)
        else:
            with dot.subgraph(name=f"cluster_{index}") as sub:
                sub.attr(label=label_text(scope_name), style="rounded,dashed",
                         color="#888888", id=f"agv-scope-{index}")
                for n in members:
                    _add_node(sub, n, n.id in roots, show_rules, show_values)

    for index, e in enumerate(model.edges):
        attrs = {"id": f"agv-e{index}-{e.src}-{e.dst}", "class": f"agv-edge-{e.kind}"}
        label = e.label
        if e.count > 1:
            label = f"{label} x{e.count}" if label else f"x{e.count}"
        if label:
            attrs["label"] = label_text(label)
        if e.kind == "const":
            attrs.update(style="dashed", color="#999999")
        elif e.kind == "saved":
            attrs.update(style="dotted", color="#7c3aed", arrowhead="odot")
        elif e.kind == "view":
            attrs.update(style="dashed")
        dot.edge(e.src, e.dst, **attrs)
    return dot.source


def _graph_label(model):
    lines = [model.state]
    if model.notice:
        lines.append(model.notice)
    return "\\n".join(label_text(line) for line in lines)


def _add_node(target, n: VizNode, is_root, show_rules, show_values):
    classes = [f"agv-{n.kind}"]
    style = "filled"
    if n.kind in ("const", "saved"):
        style = "filled,dashed"
    if n.kind == "op":
        style = "filled,rounded"
    attrs = {"id": f"agv-{n.id}", "class": "", "fillcolor": FILL.get(n.kind, "#ffffff"),
             "shape": SHAPE.get(n.kind, "record"), "style": style}
    if is_root:
        classes.append("agv-root")
        attrs["penwidth"] = "2.5"
    if n.kind == "leaf":
        attrs["penwidth"] = attrs.get("penwidth", "1.5")
    if n.freed:
        classes.append("agv-freed")
    if n.copy_of is not None:
        classes += ["agv-copy", f"agv-of-{n.copy_of}"]
        attrs["style"] += ",dashed"
    attrs["class"] = " ".join(classes)
    target.node(n.id, label=node_label(n, is_root, show_rules, show_values), **attrs)


def node_label(n: VizNode, is_root=False, show_rules=True, show_values=True) -> str:
    """The node's record label: header, rule, shape/flags, saved values, data | grad."""
    header = n.title
    if n.count > 1:
        header += f" x{n.count}"
    if n.name:
        header = f"{n.name} = {header}" if n.kind == "op" else n.name
        if n.kind == "leaf":
            header += "  (leaf)"
        elif n.kind == "const":
            header += "  (constant)"
    elif n.kind == "leaf":
        header = f"leaf {header}"
    if is_root:
        header += "  (root)"
    if n.copy_of is not None:
        header += "  (again)"
    fields = [label_text(header)]
    if show_rules and n.rule:
        fields.append("".join(label_text(line) + "\\l" for line in n.rule))
    meta = []
    if n.shape is not None:
        meta.append(f"{_shape_text(n.shape)} {n.dtype}")
    meta.extend(n.flags)
    if meta:
        fields.append(label_text("  ".join(meta)))
    if n.saved and n.kind == "op":
        names = ", ".join(name for name, _ in n.saved)
        fields.append(label_text(f"saved: {names}" + (" (freed)" if n.freed else "")))
    if n.kind == "saved" and n.value is not None:
        fields.append(label_text(n.value))
    elif show_values and (n.value is not None or n.grad is not None):
        data = n.value if n.value is not None else "-"
        grad = n.grad if n.grad is not None else "-"
        fields.append("{" + label_text(f"data {data}") + "|" + label_text(f"grad {grad}") + "}")
    return "{" + "|".join(fields) + "}"
