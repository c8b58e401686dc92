"""Hostile names are shown as text: they neither break the DOT nor become markup in the SVG.

Names reach a drawing as variable names (``names=`` and the caller's namespace), module and
parameter names (``modules=``, a module found in the namespace), scope names (``viz.scope``) and
a custom ``autograd.Function``'s class name (its node is ``<name>Backward``). Each must render
(the DOT parses: Graphviz draws the expected number of nodes and clusters), no ``<img>`` or
``<script>`` element and no attribute carrying the payload may appear, and the name must be
readable in the SVG's text, character for character.
"""

import importlib
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import torch

import autogradviz
from autogradviz import viz
from autogradviz.viz.dot import to_dot
from autogradviz.viz.model import build_model

render_module = importlib.import_module("autogradviz.viz.render")

HOSTILE = {
    "img": "<img src=x onerror=alert(1)>",
    "dot_breakout": '"]; evil [label="',
    "script": "</text><script>alert(1)</script>",
    "entity": "&amp;",
    "numeric_entity": "&#60;b&#62;",
    "backslash": "back\\slash \\N \\G \\l \\\\ end\\",
    "newline": "first line\nsecond line",
    "braces": "{braces} | <port> }{",
    "unicode": "ünïcödé λ 名前 🎉",
    "quote_brace": "\"}",
    "html_label": "<<b>bold</b>>",
}
SVG = "{http://www.w3.org/2000/svg}"


def svg_of(drawing):
    svg = drawing.svg()
    root = ET.fromstring(svg)  # well-formed XML
    return svg, root


def texts(root):
    return [el.text or "" for el in root.iter(f"{SVG}text")]


def assert_safe_and_visible(root, name):
    for el in root.iter():
        tag = el.tag.split("}")[-1].lower()
        assert tag not in ("img", "script", "foreignobject", "iframe"), tag
        for key, value in el.attrib.items():
            assert "onerror" not in key.lower() and "onerror" not in value.lower(), (key, value)
            assert not key.lower().startswith("on"), key
    shown = "\n".join(texts(root))
    for line in name.split("\n"):  # a line break in a name is a line break in the drawing
        assert line.strip() in shown, (line, shown)


def count(root, cls):
    return sum(1 for el in root.iter(f"{SVG}g") if el.get("class", "").split()[0:1] == [cls])


def program(lib, leaf_name, op_name):
    x = lib.tensor(np.array([1.0, -2.0, 3.0], dtype=np.float32), requires_grad=True)
    y = (x * 2).exp()
    z = y.sum()
    return z, {leaf_name: x, op_name: y}


@pytest.mark.parametrize("lib", [autogradviz, torch], ids=["autogradviz", "torch"])
@pytest.mark.parametrize("key", sorted(HOSTILE))
def test_variable_names(lib, key):
    name = HOSTILE[key]
    z, names = program(lib, name, name + " (op)")
    d = viz.draw(z, names=names, namespace={})
    assert [n.name for n in d.model.nodes if n.name] == [name, name + " (op)"]
    svg, root = svg_of(d)
    assert count(root, "node") == len(d.model.nodes)
    assert count(root, "edge") == len(d.model.edges)
    assert_safe_and_visible(root, name)
    assert_safe_and_visible(root, name + " (op)")
    assert "<img" not in svg and "<script" not in svg
    # The text form shows the name as it is.
    assert name in d.model.summary_text()


@pytest.mark.parametrize("key", sorted(HOSTILE))
def test_names_found_in_namespace(key):
    name = HOSTILE[key]
    z, names = program(autogradviz, "x", "y")
    d = viz.draw(z, namespace={name: names["x"], "loss": z})
    _, root = svg_of(d)
    assert_safe_and_visible(root, name)
    assert count(root, "node") == len(d.model.nodes)


class Holder:
    """Stands in for an nn.Module subclass whose children have hostile names."""


def hostile_module(lib, name):
    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.add_module(name, lib.nn.Linear(3, 2))
            self.add_module("plain", lib.nn.Linear(2, 1))

        def forward(self, x):
            return getattr(self, name)(x).relu() @ self.plain.weight.t()

    return Net()


@pytest.mark.parametrize("lib", [autogradviz, torch], ids=["autogradviz", "torch"])
@pytest.mark.parametrize("key", sorted(HOSTILE))
def test_module_names(lib, key):
    name = HOSTILE[key]
    lib.manual_seed(0)
    net = hostile_module(lib, name)
    out = net(lib.ones(4, 3)).sum()
    d = viz.draw(out, namespace={"net": net}, modules=net)
    param_names = {n.name for n in d.model.nodes if n.kind == "leaf"}
    assert f"net.{name}.weight" in param_names and f"net.{name}.bias" in param_names
    scopes = {n.scope for n in d.model.nodes if n.scope}
    assert any(name in s for s in scopes), scopes
    _, root = svg_of(d)
    assert_safe_and_visible(root, f"net.{name}.weight")
    assert count(root, "node") == len(d.model.nodes)
    assert count(root, "cluster") == len(scopes)


@pytest.mark.parametrize("key", sorted(HOSTILE))
def test_scope_names(key):
    name = HOSTILE[key]
    x = autogradviz.tensor([1.0, 2.0], requires_grad=True)
    with viz.scope(name):
        h = x * 2
        with viz.scope("inner"):
            g = h.exp()
    out = g.sum()
    d = viz.draw(out, names={"x": x, "out": out}, namespace={})
    scopes = [n.scope for n in d.model.nodes if n.scope]
    assert scopes == [name, f"{name}/inner"]
    _, root = svg_of(d)
    assert_safe_and_visible(root, name)
    assert count(root, "cluster") == 2
    assert count(root, "node") == len(d.model.nodes)


def custom_function(lib, name):
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * 3

    def backward(ctx, grad):
        return grad * 3

    return type(name, (lib.autograd.Function,), {"forward": staticmethod(forward),
                                                 "backward": staticmethod(backward)})


@pytest.mark.parametrize("lib", [autogradviz, torch], ids=["autogradviz", "torch"])
@pytest.mark.parametrize("key", sorted(HOSTILE))
def test_function_names(lib, key):
    name = HOSTILE[key]
    fn = custom_function(lib, name)
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = fn.apply(x)
    out = y.sum()
    d = viz.draw(out, namespace={}, saved=True)
    titles = [n.title for n in d.model.nodes]
    assert name + "Backward" in titles
    _, root = svg_of(d)
    assert_safe_and_visible(root, name + "Backward")
    assert count(root, "node") == len(d.model.nodes)


@pytest.mark.parametrize("key", sorted(HOSTILE))
def test_dot_from_both_libraries_identical_with_hostile_names(key):
    name = HOSTILE[key]
    models = []
    for lib in (autogradviz, torch):
        z, names = program(lib, name, "y")
        models.append(build_model(z, names=names))
    assert to_dot(models[0]) == to_dot(models[1])


def test_all_names_at_once_render_in_one_drawing():
    x = autogradviz.tensor([1.0, 2.0], requires_grad=True)
    names, t = {}, x
    for i, name in enumerate(HOSTILE.values()):
        t = t * (i + 1)
        names[name] = t
    d = viz.draw(t.sum(), names=names, namespace={"x": x})
    _, root = svg_of(d)
    for name in HOSTILE.values():
        assert_safe_and_visible(root, name)
    assert count(root, "node") == len(d.model.nodes)


def test_graph_label_and_edge_labels_escaped():
    """The notice and state (graph label) and edge labels go through the same escaping."""
    x = autogradviz.tensor([1.0, 2.0], requires_grad=True)
    d = viz.draw(x * x + x, names={"x": x}, namespace={})
    d.model.notice = HOSTILE["script"]
    d.model.edges[0].label = HOSTILE["img"]
    source = to_dot(d.model)
    svg = render_module.render(source, "svg").decode()
    root = ET.fromstring(svg)
    assert_safe_and_visible(root, HOSTILE["script"])
    assert_safe_and_visible(root, HOSTILE["img"])
