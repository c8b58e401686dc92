"""The graph model: names, flags, values, state, saved tensors, scopes, modules, stable ids.

Where PyTorch can say what is right, the same program also runs in torch and the two models
must agree (flags, values, state); values are checked against NumPy's own formatting.
"""

import re

import numpy as np
import pytest
import torch

import autogradviz
from autogradviz import viz
from autogradviz.viz.dot import to_dot
from autogradviz.viz.model import SCOPES, build_model, format_values

LIBS = pytest.mark.parametrize("lib", [autogradviz, torch], ids=["autogradviz", "torch"])


def by_name(model):
    return {n.name: n for n in model.nodes if n.name}


# ---------------------------------------------------------------------- names
def draw_inside_a_function():
    weight = autogradviz.tensor([1.0, 2.0], requires_grad=True)
    scaled = weight * 3
    total = scaled.sum()
    return viz.draw(total)  # sees this function's locals


def test_names_from_the_calling_frame():
    d = draw_inside_a_function()
    assert set(by_name(d.model)) == {"weight", "scaled", "total"}
    assert by_name(d.model)["weight"].kind == "leaf"
    assert "weight" in d.source and "scaled = MulBackward0" in d.source


MODULE_LEVEL_TENSOR = autogradviz.tensor([3.0], requires_grad=True)


def test_names_from_globals_and_locals():
    local_one = MODULE_LEVEL_TENSOR * 2
    d = viz.draw(local_one)
    assert set(by_name(d.model)) == {"MODULE_LEVEL_TENSOR", "local_one"}


def test_names_argument_overrides_and_adds():
    x = autogradviz.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    z = y.sum()
    d = viz.draw(z, names={"input": x, "exp node": y.grad_fn})
    names = by_name(d.model)
    assert set(names) == {"input", "exp node", "z"}
    assert names["input"].kind == "leaf"
    assert names["exp node"].title == "ExpBackward0"
    with pytest.raises(TypeError, match="names"):
        viz.draw(z, names={"bad": 3})


def test_underscore_names_are_skipped():
    x = autogradviz.tensor([1.0], requires_grad=True)
    _hidden = x * 2
    d = viz.draw(_hidden, namespace={"x": x, "_hidden": _hidden, "_1": _hidden})
    assert set(by_name(d.model)) == {"x"}


@LIBS
def test_module_parameter_names(lib):
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.ReLU(), lib.nn.Linear(4, 2))
    inputs = lib.ones(5, 3)
    out = model(inputs).sum()
    m = build_model(out, namespace={"model": model, "out": out})
    leaves = sorted(n.name for n in m.nodes if n.kind == "leaf")
    assert leaves == ["model.0.bias", "model.0.weight", "model.2.bias", "model.2.weight"]
    shapes = {n.name: n.shape for n in m.nodes if n.kind == "leaf"}
    assert shapes["model.0.weight"] == (4, 3) and shapes["model.2.bias"] == (2,)


# ---------------------------------------------------------------------- flags and values
def flags_program(lib):
    x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
    w = lib.tensor([0.5, 0.5, 0.5], requires_grad=True)
    with lib.no_grad():
        w.mul_(2)  # a leaf changed in place: version 1
    h = x * w
    h.retain_grad()
    v = h[1:]  # a view
    y = h * 1
    y.add_(1)  # version 1
    y.mul_(2)  # version 2
    out = (y + v.sum()).sum()
    return out, locals()


@LIBS
def test_flags(lib):
    out, ns = flags_program(lib)
    names = by_name(build_model(out, namespace=ns))
    assert names["x"].flags == ("leaf", "requires_grad")
    assert names["w"].flags == ("leaf", "requires_grad", "version 1")
    assert names["h"].flags == ("requires_grad", "retains_grad")
    assert names["v"].flags == ("requires_grad", "view of h")  # its base, by name
    assert names["y"].flags == ("requires_grad", "version 2")


def test_flags_same_as_torch():
    ours, theirs = (build_model(out, namespace=ns)
                    for out, ns in (flags_program(autogradviz), flags_program(torch)))
    assert [(n.title, n.name, n.flags, n.value, n.shape) for n in ours.nodes] == [
        (n.title, n.name, n.flags, n.value, n.shape) for n in theirs.nodes]


def g4(v):
    return f"{float(v):.4g}"


def test_values_small_and_large():
    rng = np.random.default_rng(1)
    small = rng.standard_normal(6).astype(np.float32)
    large = rng.standard_normal((3, 4)).astype(np.float32)
    assert format_values(torch.from_numpy(small)) == "[" + ", ".join(map(g4, small)) + "]"
    a = large.astype(np.float64)
    expected = f"min {g4(a.min())}  mean {g4(a.mean())}  max {g4(a.max())}"
    assert format_values(torch.from_numpy(large)) == expected
    assert format_values(autogradviz.from_numpy(large)) == expected
    assert format_values(autogradviz.tensor(2.5)) == "2.5"
    assert format_values(autogradviz.tensor([1, 2, 3])) == "[1, 2, 3]"
    assert format_values(autogradviz.tensor([True, False])) == "[True, False]"
    bools = np.arange(10) % 3 == 0
    assert format_values(torch.from_numpy(bools)) == f"min 0  mean {g4(bools.mean())}  max 1"


@LIBS
def test_data_and_grad_values_in_the_model(lib):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    big = lib.tensor(np.linspace(-1, 1, 20, dtype=np.float32), requires_grad=True)
    out = (x * 2).sum() + (big * big).sum()
    before = by_name(build_model(out, namespace=locals()))
    assert before["x"].value == "[1, 2, 3]" and before["x"].grad is None
    assert before["big"].value.startswith("min -1  mean ")
    out.backward()
    after = by_name(build_model(out, namespace=locals()))
    assert after["x"].grad == "[2, 2, 2]"
    g = 2 * np.linspace(-1, 1, 20, dtype=np.float32).astype(np.float64)
    assert after["big"].grad == f"min {g4(g.min())}  mean {g4(g.mean())}  max {g4(g.max())}"


# ---------------------------------------------------------------------- state and saved values
@LIBS
def test_state_before_after_and_freed(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    out = (x.exp() * x).sum()  # the root (sum) saves no tensor; exp and mul do
    assert build_model(out).state == "before backward"
    out.backward(retain_graph=True)
    # retain_graph keeps saved tensors; autogradviz's engine also counts the passes
    counted = lib is not torch
    assert build_model(out).state == ("after backward 1" if counted else "after backward")
    out.backward()
    assert build_model(out).state == (
        "after backward 2, saved tensors freed" if counted
        else "after backward, saved tensors freed")


@LIBS
def test_saved_nodes_and_freed(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    out = (y * x).sum()
    m = build_model(out, saved=True)
    saved = [n for n in m.nodes if n.kind == "saved"]
    mul = next(n for n in m.nodes if n.title == "MulBackward0")
    exp = next(n for n in m.nodes if n.title == "ExpBackward0")
    assert dict(mul.saved) == {"other": "(2,) float32", "self": "(2,) float32"}
    assert dict(exp.saved) == {"result": "(2,) float32"}
    assert sorted(n.title for n in saved) == ["other", "result", "self", "self_sym_sizes"]
    # Every saved node points at the op that saved it.
    by_id = {n.id: n for n in m.nodes}
    saved_edges = [e for e in m.edges if e.kind == "saved"]
    assert len(saved_edges) == len(saved)
    assert {(by_id[e.src].title, by_id[e.dst].title) for e in saved_edges} == {
        ("other", "MulBackward0"), ("self", "MulBackward0"), ("result", "ExpBackward0"),
        ("self_sym_sizes", "SumBackward0")}
    assert not any(n.freed for n in m.nodes)
    out.backward()
    m = build_model(out, saved=True)
    mul = next(n for n in m.nodes if n.title == "MulBackward0")
    assert mul.freed and dict(mul.saved) == {"other": "freed", "self": "freed"}
    freed_nodes = sorted(n.title for n in m.nodes if n.kind == "saved" and n.freed)
    assert freed_nodes == ["other", "result", "self"]  # sizes are not freed
    dot = to_dot(m)
    assert "agv-freed" in dot and "saved: other, self (freed)" in dot


# ---------------------------------------------------------------------- scopes and modules
def test_scope_clusters():
    x = autogradviz.tensor([1.0, 2.0], requires_grad=True)
    with viz.scope("layer1"):
        h = x * 2
        with viz.scope("act"):
            a = h.relu()
    with viz.scope("layer2"):
        o = a.sum()
    free = o * 1  # outside any scope
    m = build_model(free, namespace=locals())
    names = by_name(m)
    assert names["h"].scope == "layer1" and names["a"].scope == "layer1/act"
    assert names["o"].scope == "layer2" and names["free"].scope is None
    assert names["x"].scope is None  # leaves are made outside
    dot = to_dot(m)
    clusters = re.findall(r"subgraph (cluster_\d+)", dot)
    assert len(clusters) == 3
    assert len(set(clusters)) == 3
    assert "label=layer1" in dot and '"layer1/act"' in dot


def test_scope_restores_previous_hook_and_nests():
    from autogradviz.autograd import graph

    before = graph._creation_hook
    with viz.scope("a"), viz.scope("b"):
        y = autogradviz.tensor([1.0], requires_grad=True) * 2
    assert graph._creation_hook is before
    assert SCOPES[y.grad_fn] == "a/b"


def test_torch_graph_drawn_while_scoped_nodes_are_alive():
    """SCOPES holds autogradviz nodes weakly; PyTorch's nodes take no weak reference."""
    with viz.scope("kept"):
        kept = autogradviz.tensor([1.0], requires_grad=True) * 2
    assert len(SCOPES) >= 1
    t = torch.tensor([1.0, 2.0], requires_grad=True)
    m = build_model((t * 3).sum())
    assert all(n.scope is None for n in m.nodes)
    assert SCOPES[kept.grad_fn] == "kept"


@LIBS
def test_modules_grouping(lib):
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.ReLU(), lib.nn.Linear(4, 2))
    out = model(lib.ones(5, 3)).sum()
    m = build_model(out, namespace={"model": model}, modules=model)
    scope_of = {n.name: n.scope for n in m.nodes if n.kind == "leaf"}
    first, second = scope_of["model.0.weight"], scope_of["model.2.weight"]
    assert first is not None and second is not None and first != second
    assert scope_of["model.0.bias"] == first and scope_of["model.2.bias"] == second
    by_title = {}
    for n in m.nodes:
        by_title.setdefault(n.title, []).append(n.scope)
    # Each layer's addmm (and the transpose of its weight) sits in that layer's scope.
    assert sorted(by_title["AddmmBackward0"]) == sorted([first, second])
    assert sorted(by_title["TBackward0"]) == sorted([first, second])
    assert by_title["ReluBackward0"] == [None] and by_title["SumBackward0"] == [None]
    dot = to_dot(m)
    assert len(re.findall(r"subgraph cluster_\d+", dot)) == 2
    # A dict of modules works as well.
    m2 = build_model(out, modules={"first": model[0], "second": model[2]})
    assert sorted({n.scope for n in m2.nodes if n.scope}) == ["first", "second"]


# ---------------------------------------------------------------------- stable ids
def program():
    x = autogradviz.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = autogradviz.tensor([[0.5], [1.0], [-1.0]], requires_grad=True)
    h = (x @ w).tanh()
    loss = (h * h + x.sum()).mean()
    return viz.draw(loss, saved=True)


def test_same_program_twice_gives_the_same_dot():
    first, second = program(), program()
    assert first.source == second.source
    assert [n.id for n in first.model.nodes][:3] == ["n0", "n1", "n2"]
    assert first.svg() == second.svg()


@LIBS
def test_leaf_root_used_by_other_roots_is_drawn_once(lib):
    x = lib.tensor([1.0], requires_grad=True)
    a, b = x * 2, x * 3
    m = build_model([a, b, x], namespace={"x": x})
    leaves = [n for n in m.nodes if n.kind == "leaf"]
    assert [(n.name, n.title) for n in leaves] == [("x", "AccumulateGrad")]
    assert len(m.roots) == 3 and m.roots[-1] == leaves[0].id
    assert {m.node(r).kind for r in m.roots} == {"op", "leaf"}
    alone = build_model(x, namespace={"x": x})  # a leaf with no graph is drawn as a tensor
    assert [(n.name, n.title) for n in alone.nodes] == [("x", "tensor")]


def test_roots_and_errors():
    x = autogradviz.tensor([1.0], requires_grad=True)
    a = x * 2
    with pytest.raises(ValueError):
        build_model([])
    with pytest.raises(TypeError):
        build_model([a, "not a tensor"])
    with pytest.raises(KeyError):
        build_model(a).node("nope")
