"""Big graphs stay drawable: repeated chains collapse, other graphs are summarised by operation.

The 50,000-node drawings print their timings (run with ``-s``); nothing here asserts a time.
The chain collapsing and the summary are also checked on small hand-made graph models.
"""

import time
import xml.etree.ElementTree as ET

import pytest

import autogradviz
from autogradviz import viz
from autogradviz.viz.model import GraphModel, VizEdge, VizNode
from autogradviz.viz.summary import collapse_chains, simplify, summarize_by_name

SVG_TEXT = "{http://www.w3.org/2000/svg}text"


def svg_lines(svg):
    return [el.text or "" for el in ET.fromstring(svg).iter(SVG_TEXT)]


def timed(label, fn):
    start = time.perf_counter()
    result = fn()
    print(f"\n{label}: {time.perf_counter() - start:.2f} s")
    return result


def test_50000_step_chain_collapses():
    x = autogradviz.tensor(1.0, requires_grad=True)

    def build():
        y = x
        for _ in range(25_000):
            y = y * 1.0001
            y = y + 0.5
        return y

    y = timed("chain of 50,000 ops: forward", build)
    d = timed("chain: draw (model, collapse, DOT)", lambda: viz.draw(y, names={"x": x, "y": y}))
    svg = timed("chain: svg", d.svg)
    model = d.model
    # 50,000 ops, each with a constant input, and the leaf.
    assert model.total_nodes == 100_001
    assert len(model.nodes) <= 400
    assert model.notice is not None and "collapsed" in model.notice
    assert "100,001 nodes exceed max_nodes=400" in model.notice
    groups = [n for n in model.nodes if n.kind == "group"]
    assert len(groups) == 1
    group = groups[0]
    assert group.title == "[MulBackward0 -> AddBackward0]"
    # The collapsed pairs and the ops left out of the group make up the whole chain.
    ops_left = [n for n in model.nodes if n.kind == "op"]
    assert group.count * 2 + len(ops_left) == 50_000
    assert [n.name for n in model.nodes if n.name] == ["x", "y"]
    assert model.notice in svg_lines(svg)
    text = d._repr_mimebundle_()["text/plain"]
    assert model.notice in text.splitlines()
    assert f"x{group.count}" in text


def test_50000_node_wide_graph_is_summarised():
    leaves = [autogradviz.tensor(float(i), requires_grad=True) for i in range(25_000)]

    def build():
        level = leaves
        while len(level) > 1:  # a tree of sums: no node has a single input, nothing to collapse
            level = [level[i] + level[i + 1] if i + 1 < len(level) else level[i]
                     for i in range(0, len(level), 2)]
        return level[0]

    total = timed("wide graph of 50,000 nodes: forward", build)
    d = timed("wide: draw (model, summary, DOT)", lambda: viz.draw(total, namespace={}))
    svg = timed("wide: svg", d.svg)
    model = d.model
    assert model.total_nodes == 25_000 + 24_999
    assert model.notice is not None and model.notice.startswith("Summary: 49,999 nodes")
    by_title = {n.title: n for n in model.nodes}
    assert set(by_title) == {"AccumulateGrad", "AddBackward0"}
    assert by_title["AccumulateGrad"].count == 25_000
    assert by_title["AddBackward0"].count == 24_999
    edges = {(e.src, e.dst): e.count for e in model.edges}
    leaf_id, add_id = by_title["AccumulateGrad"].id, by_title["AddBackward0"].id
    assert edges == {(leaf_id, add_id): 25_000, (add_id, add_id): 24_998}
    assert model.roots == [add_id]
    assert model.notice in svg_lines(svg)
    text = d._repr_mimebundle_()["text/plain"]
    assert text.splitlines()[1] == model.notice
    assert "AddBackward0 x24999" in text


# ---------------------------------------------------------------------- small synthetic models
def chain_model(titles, *, names=(), consts=True):
    """leaf n0 -> op n1 -> ... -> op nk (the root); every op gets a constant input too."""
    nodes = [VizNode(id="n0", kind="leaf", title="AccumulateGrad", name="x")]
    edges = []
    prev = "n0"
    for i, title in enumerate(titles, start=1):
        op = VizNode(id=f"n{i}", kind="op", title=title, name=f"v{i}" if i in names else None)
        nodes.append(op)
        edges.append(VizEdge(prev, op.id, "self" if consts else None, "grad"))
        if consts:
            c = VizNode(id=f"c{i}", kind="const", title="constant")
            nodes.append(c)
            edges.append(VizEdge(c.id, op.id, "other", "const"))
        prev = op.id
    return GraphModel(nodes=nodes, edges=edges, roots=[prev], state="before backward",
                      total_nodes=len(nodes))


def test_collapse_alternating_chain():
    # Ops n1..n6 alternate Mul/Add and form the chain; n7 (the root) has no consumer.
    model = chain_model(["Mul", "Add"] * 3 + ["Sum"])
    out = collapse_chains(model)
    assert [n.id for n in out.nodes] == ["n0", "g0", "n7", "c7"]
    group = out.node("g0")
    assert (group.kind, group.title, group.count) == ("group", "[Mul -> Add]", 3)
    assert group.rule == ("6 nodes collapsed",)
    assert [(e.src, e.dst, e.kind) for e in out.edges] == [
        ("n0", "g0", "grad"), ("g0", "n7", "grad"), ("c7", "n7", "const")]
    assert out.edges[1].label is None  # a label names one input of one node, not of a group
    assert out.edges[2].label == "other"
    assert out.roots == ["n7"]
    assert out.total_nodes == model.total_nodes and out.state == model.state
    assert out.notice is None  # simplify() writes the notice


def test_collapse_period_one_and_leftover():
    model = chain_model(["Exp"] * 5 + ["Neg", "Sum"], consts=False)
    out = collapse_chains(model)
    # n1..n5 (Exp) collapse; n6 (Neg) stays; n7 is the root.
    assert [n.id for n in out.nodes] == ["n0", "g0", "n6", "n7"]
    assert (out.node("g0").title, out.node("g0").count) == ("Exp", 5)
    assert [(e.src, e.dst) for e in out.edges] == [("n0", "g0"), ("g0", "n6"), ("n6", "n7")]


def test_collapse_stops_at_names_and_short_chains():
    # A named node is never hidden: it splits the chain; runs shorter than 4 stay as they are.
    model = chain_model(["Mul"] * 3 + ["Add"] + ["Mul"] * 3 + ["Sum"], names=(4,), consts=False)
    out = collapse_chains(model)
    assert [n.id for n in out.nodes] == [n.id for n in model.nodes]
    assert len(out.edges) == len(model.edges)


def test_collapse_keeps_branches():
    """A node with two consumers, or two gradient inputs, is not a chain link."""
    nodes = [VizNode(id="n0", kind="leaf", title="AccumulateGrad")]
    edges = []
    for i in range(1, 9):
        nodes.append(VizNode(id=f"n{i}", kind="op", title="Mul"))
        edges.append(VizEdge(f"n{i - 1}", f"n{i}", None, "grad"))
        if i > 1:
            edges.append(VizEdge("n0", f"n{i}", "other", "grad"))  # x used by every op
    nodes.append(VizNode(id="n9", kind="op", title="Sum"))
    edges.append(VizEdge("n8", "n9", None, "grad"))
    model = GraphModel(nodes=nodes, edges=edges, roots=["n9"], state="before backward",
                       total_nodes=len(nodes))
    out = collapse_chains(model)
    assert len(out.nodes) == len(nodes) and len(out.edges) == len(edges)


def test_summarize_by_name_counts_and_edges():
    model = chain_model(["Mul", "Add"] * 3 + ["Sum"])
    out = summarize_by_name(model)
    titles = [(n.id, n.kind, n.title, n.count) for n in out.nodes]
    assert titles == [("s0", "leaf", "AccumulateGrad", 1), ("s1", "group", "Mul", 3),
                      ("s2", "const", "constant", 7), ("s3", "group", "Add", 3),
                      ("s4", "group", "Sum", 1)]
    edges = {(e.src, e.dst, e.kind): e.count for e in out.edges}
    assert edges == {("s0", "s1", "grad"): 1, ("s2", "s1", "const"): 3,
                     ("s1", "s3", "grad"): 3, ("s2", "s3", "const"): 3,
                     ("s3", "s1", "grad"): 2, ("s3", "s4", "grad"): 1,
                     ("s2", "s4", "const"): 1}
    assert all(e.label is None for e in out.edges)
    assert out.roots == ["s4"]


def test_summarize_adds_up_group_counts():
    model = collapse_chains(chain_model(["Exp"] * 6 + ["Sum"], consts=False))
    out = summarize_by_name(model)
    assert {n.title: n.count for n in out.nodes} == {"AccumulateGrad": 1, "Exp": 6, "Sum": 1}


@pytest.mark.parametrize("max_nodes", [5, 100])
def test_simplify_notices(max_nodes):
    model = chain_model(["Mul", "Add"] * 10 + ["Sum"])  # 43 nodes
    out = simplify(model, max_nodes)
    if max_nodes >= len(model.nodes):
        assert out is model and out.notice is None
    elif len(collapse_chains(model).nodes) <= max_nodes:
        assert "collapsed" in out.notice
    else:
        assert out.notice.startswith(f"Summary: 43 nodes exceed max_nodes={max_nodes}")


def test_simplify_collapses_when_that_is_enough():
    model = chain_model(["Mul", "Add"] * 10 + ["Sum"], consts=False)  # 22 nodes
    out = simplify(model, 5)
    assert [n.kind for n in out.nodes] == ["leaf", "group", "op"]
    assert out.notice.startswith("22 nodes exceed max_nodes=5: repeated chains are collapsed")
    summary = simplify(chain_model(["Mul", "Add", "Neg"] * 4 + ["Sum"]), 3)
    assert summary.notice.startswith("Summary: ")


def test_draw_max_nodes_argument():
    x = autogradviz.tensor([1.0, 2.0], requires_grad=True)
    y = x
    for _ in range(30):
        y = y.exp()
    full = viz.draw(y, names={"x": x}, namespace={}, max_nodes=1000)
    assert full.model.notice is None and len(full.model.nodes) == 31
    small = viz.draw(y, names={"x": x}, namespace={}, max_nodes=10)
    assert small.model.notice is not None
    assert [(n.title, n.count) for n in small.model.nodes if n.kind == "group"] == [
        ("ExpBackward0", 29)]
