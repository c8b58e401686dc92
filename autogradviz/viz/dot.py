"""Graph model -> DOT text, built with the ``graphviz`` package.

Every piece of text that comes from outside (variable names, op names, rule lines, values,
scope names) goes into an HTML-like label through ``html.escape``, never into a quoted DOT
string or an id: node ids are our own (``n3``), so a hostile name can neither break out of the
DOT syntax nor become markup in the SVG. Each node gets ``id="agv-<id>"`` and classes naming its
kind and state, so a front end finds it in the SVG without guessing.
"""

from __future__ import annotations

import html

import graphviz

from .model import GraphModel, VizNode, _shape_text

# Fill colours by kind; kinds also differ by border and text, so colour is never the only cue.
FILL = {"op": "#fdf0d5", "leaf": "#dbeafe", "const": "#eeeeee", "saved": "#f3e8ff",
        "group": "#fde2e4"}
FONT = "Helvetica"


def esc(text) -> str:
    """Text made safe for an HTML-like Graphviz label (and so for the SVG it becomes)."""
    return html.escape(str(text), quote=True)


def to_dot(model: GraphModel, *, rankdir: str = "TB", show_rules: bool = True,
           show_values: bool = True) -> str:
    dot = graphviz.Digraph("autograd", comment=None)
    dot.attr("graph", rankdir=rankdir, fontname=FONT, fontsize="11", labelloc="t",
             label=_graph_label(model), nodesep="0.3", ranksep="0.35", id="agv-graph",
             bgcolor="transparent")
    dot.attr("node", shape="plain", fontname=FONT, fontsize="11")
    dot.attr("edge", fontname=FONT, fontsize="9", arrowsize="0.7", color="#444444")
    roots = set(model.roots)

    # Nodes by scope: each scope becomes a cluster (nested scopes are drawn flat, by full name).
    by_scope: dict[str | None, list[VizNode]] = {}
    for n in model.nodes:
        by_scope.setdefault(n.scope, []).append(n)
    for index, (scope_name, members) in enumerate(by_scope.items()):
        if scope_name is None:
            target = dot
            for n in members:
                _add_node(target, n, n.id in roots, show_rules, show_values)
        else:
            with dot.subgraph(name=f"cluster_{index}") as sub:
                sub.attr(label=f"<<b>{esc(scope_name)}</b>>", style="rounded,dashed",
                         color="#888888", id=f"agv-scope-{index}")
                for n in members:
                    _add_node(sub, n, n.id in roots, show_rules, show_values)

    for index, e in enumerate(model.edges):
        attrs = {"id": f"agv-e{index}-{e.src}-{e.dst}", "class": f"agv-edge-{e.kind}"}
        label = e.label
        if e.count > 1:
            label = f"{label} x{e.count}" if label else f"x{e.count}"
        if label:
            attrs["label"] = f"<{esc(label)}>"
        if e.kind == "const":
            attrs.update(style="dashed", color="#999999")
        elif e.kind == "saved":
            attrs.update(style="dotted", color="#7c3aed", arrowhead="odot")
        elif e.kind == "view":
            attrs.update(style="dashed")
        dot.edge(e.src, e.dst, **attrs)
    return dot.source


def _graph_label(model):
    parts = [f"<b>{esc(model.state)}</b>"]
    if model.notice:
        parts.append(esc(model.notice))
    return "<" + "<br/>".join(parts) + ">"


def _add_node(target, n: VizNode, is_root, show_rules, show_values):
    classes = [f"agv-{n.kind}"]
    if is_root:
        classes.append("agv-root")
    if n.freed:
        classes.append("agv-freed")
    target.node(n.id, label=node_label(n, is_root, show_rules, show_values),
                id=f"agv-{n.id}", **{"class": " ".join(classes)})


def node_label(n: VizNode, is_root=False, show_rules=True, show_values=True) -> str:
    """The node's HTML-like label: header, rule, shape/flags, values."""
    fill = FILL.get(n.kind, "#ffffff")
    border = "3" if is_root else "1"
    style = ' style="dashed"' if n.kind in ("const", "saved") else ""
    rows = []
    header = esc(n.title)
    if n.count > 1:
        header += f" &#215;{n.count}"
    if n.name:
        header = f"<b>{esc(n.name)}</b> = {header}" if n.kind == "op" else f"<b>{esc(n.name)}</b>"
        if n.kind == "leaf":
            header += "  <i>(leaf)</i>"
    elif n.kind == "leaf":
        header = f"<i>leaf</i> {header}"
    if is_root:
        header += "  <i>(root)</i>"
    rows.append(header)
    if show_rules and n.rule:
        rows.append(
            '<font point-size="9">' + "<br/>".join(esc(line) for line in n.rule) + "</font>"
        )
    meta = []
    if n.shape is not None:
        meta.append(f"{_shape_text(n.shape)} {n.dtype}")
    meta.extend(n.flags)
    if meta:
        rows.append('<font point-size="9">' + esc("  ".join(meta)) + "</font>")
    if n.saved and n.kind == "op":
        saved = ", ".join(f"{name}" for name, _ in n.saved)
        suffix = " (freed)" if n.freed else ""
        rows.append(f'<font point-size="9">saved: {esc(saved)}{esc(suffix)}</font>')
    if n.kind == "saved":
        rows.append(f'<font point-size="9">{esc(n.value)}</font>')
    body = "".join(f'<tr><td colspan="2" align="left">{r}</td></tr>' for r in rows)
    if show_values and n.kind != "saved" and (n.value is not None or n.grad is not None):
        data = esc(n.value) if n.value is not None else "-"
        grad = esc(n.grad) if n.grad is not None else "-"
        body += (f'<tr><td align="left"><font point-size="9">data {data}</font></td>'
                 f'<td align="left"><font point-size="9">grad {grad}</font></td></tr>')
    return (f'<<table border="{border}" cellborder="0" cellspacing="0" cellpadding="3" '
            f'bgcolor="{fill}"{style}>{body}</table>>')
